"""Soak benchmark: a long `live --source` session stays flat in memory and lag.

Builds a recording of real speech clips and silences (default 30 minutes;
the same generator as `bench_long_inputs.py`), plays it through
`thinkaloud live --no-tui --source FILE --speed 4 --events ...` in a scratch
data home, samples the process's resident memory every second from
/proc, and prints:

- resident memory while the recording plays, after warm-up (the first 10%
  of the run, at least 30 s: models loaded): lowest, highest, the highest per
  fifth of the run, and the growth of that ceiling from the first fifth to
  the last (the target's measure: resident memory swings by tens of MB as
  buffers come and go, so one sample is no baseline, and the first fifth is
  when the live analysis window, ~4 minutes of speech, fills up); also the
  highest against the first sample after warm-up; then the peak while the
  finished take is analysed for its report;
- the lag between audio received and audio decoded: largest, and the largest
  and the mean per fifth (bounded means it does not climb fifth by fifth);
  the mean time of a decode per fifth (a pass that grew with the session
  would show here); and how much audio the decoder skipped to keep up;
- capture overflows and dropped blocks;
- the saved take's audio length against the input's.

Targets (issue #8): memory within 50 MB after warm-up, bounded lag, no
overflow, saved audio length equal to the input.  At 4× a 2-core machine
cannot decode everything live, so the engine skipping ahead (and the saved
take transcribing the skipped audio at the end) is the expected behaviour.

    .venv/bin/python benchmarks/bench_soak.py                 # 30 minutes at 4×: about 8 minutes
    .venv/bin/python benchmarks/bench_soak.py --minutes 5     # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_long_inputs import build_recording  # noqa: E402

PAGE_MB = os.sysconf("SC_PAGE_SIZE") / 2**20


def resident_mb(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/statm").read_text().split()
    except OSError:
        return None
    return int(fields[1]) * PAGE_MB


class MemorySampler(threading.Thread):
    """Resident memory of one process, once a second, as (seconds since start, MB),
    and when its first event was written (the take started: models loaded)."""

    def __init__(self, pid: int, events_path: Path):
        super().__init__(daemon=True)
        self.pid = pid
        self.events_path = events_path
        self.samples: list[tuple[float, float]] = []
        self.take_started_s: float | None = None
        self._halt = threading.Event()
        self._began = time.monotonic()

    def run(self) -> None:
        while not self._halt.wait(1.0):
            now = time.monotonic() - self._began
            resident = resident_mb(self.pid)
            if resident is not None:
                self.samples.append((now, resident))
            if self.take_started_s is None and self.events_path.is_file() and self.events_path.stat().st_size:
                self.take_started_s = now

    def stop(self) -> None:
        self._halt.set()
        self.join()


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as audio:
        return audio.getnframes() / audio.getframerate()


def fifths(values: list[float], summary=max) -> list[float]:
    """`summary` (the largest, by default) of each fifth of a series."""
    if not values:
        return []
    size = max(1, -(-len(values) // 5))
    return [summary(values[i : i + size]) for i in range(0, len(values), size)]


def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def decode_seconds_per_fifth(stats: list[dict]) -> list[float]:
    """Mean time of one decode in each fifth of the run, from the running totals in the stats."""
    totals = [(s["decodes"], s["decodes"] * s["mean_decode_s"]) for s in stats]
    size = max(1, -(-len(totals) // 5))
    means, previous = [], (0, 0.0)
    for i in range(0, len(totals), size):
        last = totals[min(i + size, len(totals)) - 1]
        decodes, seconds = last[0] - previous[0], last[1] - previous[1]
        means.append(seconds / decodes if decodes else float("nan"))
        previous = last
    return means


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="length of the generated recording (default: 30)")
    parser.add_argument("--speed", type=float, default=4.0, help="playback speed (default: 4)")
    parser.add_argument("--keep-events", type=Path, help="copy the event log here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="thinkaloud-soak-") as scratch:
        scratch_dir = Path(scratch)
        source = scratch_dir / f"soak_{args.minutes:g}min.wav"
        print(f"building a {args.minutes:g}-minute recording…", file=sys.stderr)
        build_recording(source, args.minutes)
        input_s = wav_seconds(source)
        events_path = scratch_dir / "events.jsonl"
        command = [sys.executable, "-m", "thinkaloud", "live", "--no-tui", "--source", str(source),
                   "--speed", f"{args.speed:g}", "--events", str(events_path)]
        env = {**os.environ, "THINKALOUD_HOME": str(scratch_dir / "home")}
        print(f"playing it at {args.speed:g}× (about {input_s / args.speed / 60:.1f} minutes)…", file=sys.stderr)
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        sampler = MemorySampler(process.pid, events_path)
        sampler.start()
        _, errors = process.communicate()
        sampler.stop()
        wall_s = time.monotonic() - started
        if process.returncode != 0:
            print(f"live failed ({process.returncode}): {errors.strip()[-800:]}", file=sys.stderr)
            return 1
        events = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()]
        if args.keep_events:
            args.keep_events.write_text(events_path.read_text(encoding="utf-8"), encoding="utf-8")
        finished = next(e for e in events if e["type"] == "finished")
        saved_s = wav_seconds(Path(finished["audio_path"]))

    stats = [e for e in events if e["type"] == "stats"]
    final = stats[-1]
    warm_up_s = max(30.0, wall_s * 0.1)
    # After the last of the audio has played, the take is analysed once more
    # as a whole (the report that is saved): a phase of its own, not growth.
    take_ends_s = (sampler.take_started_s or 0.0) + input_s / args.speed
    after_warm_up = [mb for at, mb in sampler.samples if warm_up_s <= at <= take_ends_s]
    finalizing = [mb for at, mb in sampler.samples if at > take_ends_s]
    baseline = after_warm_up[0] if after_warm_up else float("nan")
    lags = [s["lag_s"] for s in stats]
    words = sum(len(e["words"]) for e in events if e["type"] == "final")

    print(f"recording      {input_s / 60:.1f} min of real speech and pauses at {args.speed:g}×; run took {wall_s:.0f} s; {words} final words live")
    print(f"machine        {len(os.sched_getaffinity(0))} cores; load average {os.getloadavg()[0]:.2f} at the end")
    if after_warm_up:
        ceilings = fifths(after_warm_up)
        print(f"memory         while playing, after {warm_up_s:.0f} s of warm-up: lowest {min(after_warm_up):.0f}, "
              f"highest {max(after_warm_up):.0f} MB; highest per fifth: " + ", ".join(f"{mb:.0f}" for mb in ceilings)
              + f"; growth of that ceiling, first fifth to last: {ceilings[-1] - ceilings[0]:+.0f} MB (target within 50)"
              + f"; highest against the first sample ({baseline:.0f} MB): {max(after_warm_up) - baseline:+.0f} MB")
    if finalizing:
        print(f"               then {len(finalizing)} s analysing the whole take for its report: peak {max(finalizing):.0f} MB")
    print(f"lag            max {final['max_lag_s']:.2f} s; per fifth: " + ", ".join(f"{lag:.2f}" for lag in fifths(lags))
          + "; mean per fifth: " + ", ".join(f"{lag:.2f}" for lag in fifths(lags, mean)))
    print(f"finals         {sum(1 for e in events if e['type'] == 'final')}; they changed {final.get('revised_words', 0)} of "
          f"{final.get('stable_words', 0)} stable words")
    print(f"decoding       {final['decodes']} decodes, mean {final['mean_decode_s']:.2f} s (per fifth: "
          + ", ".join(f"{s:.2f}" for s in decode_seconds_per_fifth(stats))
          + f"); skipped {final['skipped_s']:.0f} s of audio to keep up")
    print(f"capture        {final['overflows']} overflows, {final['dropped_blocks']} dropped blocks"
          + (" (by the end of each fifth: " + ", ".join(str(int(d)) for d in fifths([s["dropped_blocks"] for s in stats])) + ")"
             if final["dropped_blocks"] else ""))
    print(f"saved audio    {saved_s:.2f} s of {input_s:.2f} s input (difference {saved_s - input_s:+.3f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
