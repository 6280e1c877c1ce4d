"""Benchmark: long inputs stay linear in time and bounded in memory.

Two measurements:

1. Text analysis (the real spaCy pipeline and every detector) on transcripts of
   1,000, 10,000 and 100,000 words made of the labelled corpus's sentences in
   paragraphs.  Prints the time and the time per word for each: linear scaling
   means the time per word stays flat as the transcript grows.
2. `thinkaloud analyze` on a generated recording (default 60 minutes): real
   speech clips from ../shared/audio and samples/ spliced with silences of
   0.3 to 8 seconds and an occasional long pause.  Runs it as a fresh process
   and prints its wall time, real-time factor and peak memory (the child's max
   RSS from os.wait4).  Target: peak memory ≤ 1.5 GB on 60 minutes.

    .venv/bin/python benchmarks/bench_long_inputs.py [--minutes 60] [--skip-text] [--skip-audio]

Timings depend on the machine and on what else runs on it; the script prints
the CPU count so figures can be compared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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

SHARED = REPO.parent / "shared" / "audio"
CORPUS = REPO / "tests" / "data" / "corpus"
RATE = 16000
CLIPS = [
    (REPO / "samples" / "strong_answer.wav", REPO / "samples" / "strong_answer.txt"),
    (REPO / "samples" / "weak_answer.wav", REPO / "samples" / "weak_answer.txt"),
    (SHARED / "preamble.wav", SHARED / "preamble.txt"),
    (SHARED / "jfk.flac", SHARED / "jfk.txt"),
    (SHARED / "leopard_test.wav", SHARED / "leopard_test.txt"),
    (SHARED / "three_speakers.wav", SHARED / "three_speakers.txt"),
    (SHARED / "sense_and_sensibility_01_austen_64kb-0870.wav", SHARED / "sense_and_sensibility_01_austen_64kb-0870.txt"),
    (SHARED / "sense_and_sensibility_01_austen_64kb-0920.wav", SHARED / "sense_and_sensibility_01_austen_64kb-0920.txt"),
]
MEMORY_TARGET_MB = 1536.0


# --- text ---------------------------------------------------------------------------------------


def corpus_sentences() -> list[str]:
    sentences = []
    for split in ("train", "train2", "dev"):
        path = CORPUS / f"{split}.jsonl"
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    sentences += [s["text"] for s in json.loads(line)["sentences"]]
    if not sentences:
        raise SystemExit(f"no corpus found at {CORPUS}")
    return sentences


def transcript_of(words: int, sentences: list[str], seed: int = 1) -> str:
    """About `words` words of varied sentences, three to nine to a paragraph."""
    chooser = random.Random(seed)
    paragraphs, paragraph, count = [], [], 0
    while count < words:
        sentence = chooser.choice(sentences)
        paragraph.append(sentence)
        count += len(sentence.split())
        if len(paragraph) >= chooser.randint(3, 9):
            paragraphs.append(" ".join(paragraph))
            paragraph = []
    if paragraph:
        paragraphs.append(" ".join(paragraph))
    return "\n\n".join(paragraphs)


def bench_text() -> None:
    from thinkaloud.nlp.pipeline import TextAnalyzer

    started = time.perf_counter()
    analyzer = TextAnalyzer()
    print(f"text analysis ({analyzer.name}; pipeline loaded in {time.perf_counter() - started:.1f} s)")
    sentences = corpus_sentences()
    analyzer.find(transcript_of(200, sentences))  # warm up: first-call allocations are not per-word cost
    print(f"{'words':>9}{'chars':>10}{'time':>10}{'ms/word':>10}{'words/s':>10}{'sentences':>11}{'signals':>9}")
    per_word = {}
    for words in (1_000, 10_000, 100_000):
        text = transcript_of(words, sentences)
        counted = len(text.split())
        runs = 3 if words <= 10_000 else 1
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            findings = analyzer.find(text)
            times.append(time.perf_counter() - started)
        elapsed = statistics.median(times)
        per_word[words] = elapsed / counted
        print(f"{counted:>9,}{len(text):>10,}{elapsed:>9.2f}s{elapsed / counted * 1e3:>10.3f}"
              f"{counted / elapsed:>10,.0f}{len(findings.sentences):>11,}{len(findings.cues):>9,}")
    ratio = per_word[100_000] / per_word[1_000]
    print(f"time per word at 100k words / at 1k words: {ratio:.2f} (1.0 = perfectly linear)\n")


# --- audio --------------------------------------------------------------------------------------


def build_recording(path: Path, minutes: float, seed: int = 7) -> tuple[float, float, int]:
    """Write a 16 kHz mono WAV of real speech clips and silences; return (seconds, speech seconds, reference words)."""
    from thinkaloud.audio.decode import load_audio

    clips = [(load_audio(audio).samples, reference.read_text()) for audio, reference in CLIPS if audio.is_file()]
    if not clips:
        raise SystemExit(f"no speech clips found in {SHARED} or samples/")
    chooser = random.Random(seed)
    total = int(minutes * 60 * RATE)
    written = speech = words = 0
    since_long_pause = 0.0
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)

        def write(samples: np.ndarray) -> None:
            nonlocal written
            samples = samples[: total - written]
            out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
            written += len(samples)

        while written < total:
            samples, reference = chooser.choice(clips)
            if written + len(samples) <= total:
                speech += len(samples)
                words += len(reference.split())
            write(samples)
            pause = chooser.uniform(0.3, 8.0)
            since_long_pause += (len(samples) / RATE) + pause
            if since_long_pause > 300:  # someone thinking hard, every five minutes or so
                pause, since_long_pause = chooser.uniform(20, 60), 0.0
            write(np.zeros(int(pause * RATE), dtype=np.float32))
    return written / RATE, speech / RATE, words


def run_measured(command: list[str], env: dict[str, str]) -> tuple[float, float, int, str]:
    """Wall seconds, the child's peak RSS in MB, its exit status and its stderr."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, process.returncode, stderr


def bench_audio(minutes: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        recording = folder / "long.wav"
        started = time.perf_counter()
        duration, speech, reference_words = build_recording(recording, minutes)
        print(f"recording: {duration / 60:.1f} min ({speech / 60:.1f} min of speech, ~{reference_words:,} words), "
              f"{recording.stat().st_size / 1e6:.0f} MB WAV, built in {time.perf_counter() - started:.0f} s")
        report_path = folder / "report.json"
        env = {**os.environ, "THINKALOUD_HOME": str(folder / "home")}
        command = [sys.executable, "-m", "thinkaloud", "analyze", str(recording), "--format", "json", "--no-save",
                   "--quiet", "-o", str(report_path)]
        wall, peak_mb, code, stderr = run_measured(command, env)
        if code != 0:
            raise SystemExit(f"thinkaloud analyze failed ({code}): {stderr.strip()}")
        report = json.loads(report_path.read_text(encoding="utf-8"))
        print(f"thinkaloud analyze: {wall:.0f} s wall ({duration / wall:.0f}× real time), peak RSS {peak_mb:,.0f} MB "
              f"(target ≤ {MEMORY_TARGET_MB:,.0f} MB: {'met' if peak_mb <= MEMORY_TARGET_MB else 'MISSED'})")
        print(f"  found {len(report['transcript']['words']):,} words, {len(report['speech']):,} speech spans, "
              f"{len(report['signals']):,} signals, {report['metrics']['silence_count']} long silences; "
              f"report {report_path.stat().st_size / 1e6:.1f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the generated recording (default: 60)")
    parser.add_argument("--skip-text", action="store_true", help="skip the text-analysis scaling measurement")
    parser.add_argument("--skip-audio", action="store_true", help="skip the long-recording measurement")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), Python {sys.version.split()[0]}; "
          "shared machines give noisy timings\n")
    if not args.skip_text:
        bench_text()
    if not args.skip_audio:
        bench_audio(args.minutes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
