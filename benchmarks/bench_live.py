"""How well `thinkaloud live` keeps up: latency, lag, CPU, memory and accuracy of its finals.

Runs `thinkaloud live --no-tui --source FILE --events ...` (saving the take
in a scratch data home that is deleted afterwards) on a recording at
real-time pace (the same path as the microphone), `--runs` times, then
`thinkaloud analyze FILE --format json` on the same file, and prints for
each run:

- stable-word latency p50/p95 (`emitted_at - audio_end` of each `word` event),
- final latency p50/p95 (`emitted_at - audio_end` of each closing `final`:
  from the end of the utterance's speech to its final text; segments of long
  utterances are counted apart),
- when each word was first on screen in any form (tentative, stable or final),
- the share of stable words a final changed (revised words / stable words),
- the largest lag between audio received and audio decoded, and the lag in
  each quarter of the run (a lag that grows quarter by quarter is a backlog),
- audio skipped to keep up, capture overflows and dropped blocks,
- CPU use of the live process (share of one core, and of the machine),
- its peak memory (max RSS),
- word error rate of the joined finals and of the offline transcript against
  the reference script (when there is one), and of the finals against offline,

then each target, met or not (2 cores, tiny.en int8): stable p50 <= 1.0 s,
p95 <= 2.0 s; final p95 <= 1.5 s; finals' WER within 0.5 points of offline.
Other programs on the machine inflate the latencies: the load average is
printed with the figures so that a busy run can be recognised.

    .venv/bin/python benchmarks/bench_live.py                      # samples/weak_answer.wav
    .venv/bin/python benchmarks/bench_live.py --minutes 2.6 --opus --runs 2   # both samples, through Opus, twice
    .venv/bin/python benchmarks/bench_live.py --minutes 10         # both samples looped to 10 min
    .venv/bin/python benchmarks/bench_live.py --minutes 10 --material eval-audio   # ten held-out answers, no repeats
    .venv/bin/python benchmarks/bench_live.py --source FILE --reference FILE.txt
    .venv/bin/python benchmarks/bench_live.py --minutes 10 --settle 0.5   # sooner but less settled words
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
sys.path.insert(0, str(REPO))

from thinkaloud.evaluation.wer import word_error_rate  # noqa: E402
from thinkaloud.live.event_log import EventsFile, final_text, read_events  # noqa: E402

TARGETS = {"stable p50": 1.0, "stable p95": 2.0, "final p95": 1.5, "WER over offline": 0.5}


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(share * (len(ordered) - 1)))))
    return ordered[index]


EVAL_AUDIO = REPO / "tests" / "data" / "eval_audio"


def sample_pieces() -> list[tuple[Path, str]]:
    """The two bundled samples: two answers to one question, in one voice."""
    return [(SAMPLES / f"{name}.wav", (SAMPLES / f"{name}.txt").read_text(encoding="utf-8").strip()) for name in ("strong_answer", "weak_answer")]


def eval_audio_pieces() -> list[tuple[Path, str]]:
    """The held-out answers spoken for `thinkaloud eval --audio`: twenty questions, ~25 min, none repeated.

    Only measured here, never tuned on: they are the held-out split.
    """
    manifest = [json.loads(line) for line in (EVAL_AUDIO / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(EVAL_AUDIO / answer["audio"], " ".join(s["text"] for s in answer["sentences"])) for answer in manifest]


def joined_recording(minutes: float, pieces: list[tuple[Path, str]], folder: Path) -> tuple[Path, str]:
    """`pieces` (recordings and their scripts) in turn, 2 s apart, repeated if need be, to at least `minutes`."""
    from thinkaloud.audio.decode import load_audio

    parts, scripts = [], []
    gap = np.zeros(32000, dtype=np.float32)
    total = 0.0
    while total < minutes * 60:
        for piece, script in pieces:
            clip = load_audio(piece).samples
            parts += [clip, gap]
            scripts.append(script)
            total += (len(clip) + len(gap)) / 16000
            if total >= minutes * 60:
                break
    audio = np.concatenate(parts)
    path = folder / f"joined_{minutes:g}min.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes((np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes())
    return path, " ".join(scripts)


def run_live(source: Path, events: Path, speed: float, home: Path, question: str | None, tuning: list[str]) -> dict:
    command = [sys.executable, "-m", "thinkaloud", "live", "--no-tui", "--source", str(source), "--events", str(events), *tuning]
    if question:
        command += ["--question", question]
    if speed != 1:
        command += ["--speed", f"{speed:g}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    env = {**os.environ, "THINKALOUD_HOME": str(home)}
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, stdin=subprocess.DEVNULL, env=env)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"live failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return {
        "wall_s": wall,
        "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "max_rss_mb": after.ru_maxrss / 1024,  # Linux reports KiB
        "stderr": done.stderr,
    }


def run_analyze(source: Path, home: Path) -> dict:
    command = [sys.executable, "-m", "thinkaloud", "analyze", str(source), "--format", "json", "-q"]
    env = {**os.environ, "THINKALOUD_HOME": str(home)}  # whatever it keeps goes to the scratch folder
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, stdin=subprocess.DEVNULL, env=env)
    if done.returncode != 0:
        sys.exit(f"analyze failed ({done.returncode}): {done.stderr.strip()[-800:]}")
    return json.loads(done.stdout)


def first_shown(events: list[dict]) -> list[float]:
    """For each final word, how long after its audio ended some version of it was first on screen."""
    shown = sorted(
        (e["emitted_at"], e["audio_end"]) for e in events if e["type"] in ("word", "tentative", "final") and e.get("audio_end") is not None
    )
    finals = sorted((w["audio_end"] for e in events if e["type"] == "final" for w in e["words"]))
    delays, reach, index = [], float("-inf"), 0
    # Walk the words in time order; the first event whose audio reached a
    # word's end is when (some version of) that word was first on screen.
    for audio_end in finals:
        target = audio_end - 0.05
        while index < len(shown) and reach < target:
            reach = max(reach, shown[index][1])
            index += 1
        if reach >= target:
            delays.append(shown[index - 1][0] - audio_end)
    return delays


def opus_copy(source: Path, folder: Path) -> Path:
    """`source` stored as the held-out answers are (Opus at 24 kbps), so the codec's cost is measured too."""
    sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "samples")]
    import make_eval_audio

    from thinkaloud.audio.decode import load_audio

    coded = folder / f"{source.stem}.ogg"
    make_eval_audio.write_opus(coded, load_audio(source).samples)
    return coded


def report_run(number: int, log: EventsFile, live: dict, offline: dict, reference: str | None) -> dict:
    """Print one run's figures; return those the targets are about."""
    events = log.events
    stats = [e for e in events if e["type"] == "stats"]
    final_stats = stats[-1] if stats else {}
    stable = [e["emitted_at"] - e["audio_end"] for e in events if e["type"] == "word"]
    finals = [e for e in events if e["type"] == "final"]
    # From the end of an utterance's speech; a segment of a long utterance ends at a cut, not there.
    final_lags = [e["emitted_at"] - e["audio_end"] for e in finals if e["speech_final"]]
    segments = [e["emitted_at"] - e["audio_end"] for e in finals if not e["speech_final"]]
    shown = first_shown(events)
    live_text = final_text(log)
    offline_text = offline["transcript"]["text"]
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    figures = {
        "stable p50": percentile(stable, 0.5),
        "stable p95": percentile(stable, 0.95),
        "final p95": percentile(final_lags, 0.95),
    }
    print(f"run {number}            took {live['wall_s']:.1f} s; load average {live['load'][0]:.2f} before, {live['load'][1]:.2f} after ({cores} cores)")
    print(f"  stable words   {len(stable)}: latency p50 {figures['stable p50']:.2f} s, p95 {figures['stable p95']:.2f} s, max {max(stable, default=float('nan')):.2f} s")
    utterances = len({e["utterance"] for e in finals})
    print(f"  finals         {len(finals)} for {utterances} utterances: latency p50 {percentile(final_lags, 0.5):.2f} s, p95 {figures['final p95']:.2f} s, max {max(final_lags, default=float('nan')):.2f} s"
          + (f"; {len(segments)} segments of long utterances, {percentile(segments, 0.5):.2f} s after their cut (p50)" if segments else ""))
    print(f"  first shown    p50 {percentile(shown, 0.5):.2f} s, p95 {percentile(shown, 0.95):.2f} s (tentative, stable or final)")
    revised, stable_count = final_stats.get("revised_words", 0), final_stats.get("stable_words", 0)
    figures["revised"] = revised / stable_count if stable_count else float("nan")
    print(f"  revisions      finals changed {revised} of {stable_count} stable words ({figures['revised']:.1%}); {sum(1 for e in finals if e['revised'])} finals revised")
    if stats:
        quarter = max(1, len(stats) // 4)
        by_quarter = [max((s["lag_s"] for s in stats[i : i + quarter]), default=0.0) for i in range(0, len(stats), quarter)][:4]
        print(f"  lag            max {final_stats['max_lag_s']:.2f} s; per quarter of the run: " + ", ".join(f"{q:.2f}" for q in by_quarter))
        print(f"  decoding       {final_stats['decodes']} decodes, mean {final_stats['mean_decode_s']:.2f} s; skipped {final_stats['skipped_s']:.1f} s to keep up")
        print(f"  capture        {final_stats['overflows']} overflows, {final_stats['dropped_blocks']} dropped blocks")
    cpu_share = live["cpu_s"] / live["wall_s"]
    print(f"  cpu            {live['cpu_s']:.1f} s in {live['wall_s']:.1f} s: {cpu_share * 100:.0f}% of one core, {cpu_share / cores * 100:.0f}% of the machine (model loading included)")
    print(f"  peak memory    {live['max_rss_mb']:.0f} MiB (max RSS)")
    if reference:
        live_wer = word_error_rate(reference, live_text) * 100
        offline_wer = word_error_rate(reference, offline_text) * 100
        figures["WER over offline"] = live_wer - offline_wer
        print(f"  WER vs script  finals {live_wer:.2f}%, offline {offline_wer:.2f}%: difference {live_wer - offline_wer:+.2f} points")
        if live.get("saved") is not None:
            saved_wer = word_error_rate(reference, live["saved"]["transcript"]["text"]) * 100
            print(f"  WER saved take {saved_wer:.2f}% (the finals plus any skipped audio, transcribed at the end)")
    print(f"  WER finals/offline {word_error_rate(offline_text, live_text) * 100:.1f}% (offline transcript as reference)")
    kinds = sorted({s["kind"] for s in offline["signals"]})
    live_signals = [e for e in events if e["type"] == "signal"]
    counts = ", ".join(
        f"{k} {sum(1 for s in live_signals if s['kind'] == k)}/{sum(1 for s in offline['signals'] if s['kind'] == k)}" for k in kinds
    )
    print(f"  signals        live events/offline report: {counts}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SAMPLES / "weak_answer.wav")
    parser.add_argument("--reference", type=Path, help="reference script (default: the source with .txt, if any)")
    parser.add_argument("--minutes", type=float, help="join recordings (see --material) into one this long and use that")
    parser.add_argument(
        "--material",
        choices=("samples", "eval-audio"),
        default="samples",
        help="with --minutes: loop the two bundled samples (one question; the same 273 words again and again), "
        "or join the held-out answers of tests/data/eval_audio (many questions, no word repeated); default: samples",
    )
    parser.add_argument("--opus", action="store_true", help="play the recording stored as the held-out answers are (Opus, 24 kbps)")
    parser.add_argument("--runs", type=int, default=1, help="run live this many times on the same recording (default 1)")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--keep-events", type=Path, help="copy the (last run's) event log here")
    parser.add_argument("--question", help="the question answered (default: from the sample's .expected.json)")
    parser.add_argument("--decode-every", type=float, help="passed to live --decode-every (default: live's own)")
    parser.add_argument("--settle", type=float, help="passed to live --settle (default: live's own)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="thinkaloud-bench-") as scratch:
        scratch_dir = Path(scratch)
        if args.minutes:
            pieces = sample_pieces() if args.material == "samples" else eval_audio_pieces()
            source, reference = joined_recording(args.minutes, pieces, scratch_dir)
        else:
            source = args.source
            ref_path = args.reference or source.with_suffix(".txt")
            reference = ref_path.read_text(encoding="utf-8") if ref_path.is_file() else None
        if args.opus:
            source = opus_copy(source, scratch_dir)
        question = args.question
        if question is None and not (args.minutes and args.material == "eval-audio"):  # the samples say which question they answer
            expected = (SAMPLES / "weak_answer.expected.json") if args.minutes else args.source.with_suffix(".expected.json")
            question = json.loads(expected.read_text(encoding="utf-8"))["question"] if expected.is_file() else None
        tuning = [f"--{flag}={value:g}" for flag, value in (("decode-every", args.decode_every), ("settle", args.settle)) if value is not None]
        runs = []
        for number in range(1, args.runs + 1):
            events_path = scratch_dir / f"events-{number}.jsonl"
            load_before = os.getloadavg()
            live = run_live(source, events_path, args.speed, scratch_dir / "home", question, tuning)
            live["load"] = (load_before[0], os.getloadavg()[0])
            log = read_events(events_path)
            finished = next(e for e in log.events if e["type"] == "finished")
            live["saved"] = json.loads(Path(finished["report_path"]).read_text(encoding="utf-8")) if finished.get("report_path") else None
            if args.keep_events:
                args.keep_events.write_text(events_path.read_text(encoding="utf-8"), encoding="utf-8")
            runs.append((log, live))
        offline = run_analyze(source, scratch_dir / "home")  # after the runs, so that max RSS is live's own

    audio_s = offline["metrics"]["duration_s"]
    print(f"recording        {source.name}: {audio_s:.1f} s at {args.speed:g}×, {args.runs} run(s)")
    print(f"question         {question or '(none)'}")
    results = [report_run(number, log, live, offline, reference) for number, (log, live) in enumerate(runs, start=1)]

    print("targets")
    for name, limit in TARGETS.items():
        values = [r[name] for r in results if name in r]
        if not values:
            continue
        met = all(v <= limit for v in values)
        unit = " points" if name.startswith("WER") else " s"
        print(f"  {name:16s} <= {limit:g}{unit}: " + ", ".join(f"{v:+.2f}" if unit == " points" else f"{v:.2f}" for v in values)
              + ("  met" if met else "  NOT met"))
    print("  revision rate    " + ", ".join(f"{r['revised']:.1%}" for r in results) + " of stable words (reported, no target)")


if __name__ == "__main__":
    main()
