"""Timed reports of the two practice samples, made without running Whisper.

The samples' ground truth (`samples/*.expected.json`) gives each sentence's
exact place in the audio; spreading its words evenly over that span and
treating each sentence as one stretch of speech gives a report with real
text, real detectors and realistic timing (including the weak answer's 6 s
silence) in well under a second once spaCy is loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tests.fakes import FakeTranscriber
from thinkaloud.types import SpeechSpan

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SAMPLE_QUESTION = "How would you design a model to predict customer churn for a subscription service?"


def scripted_words(expected: dict) -> tuple[list[tuple[str, float, float]], list[SpeechSpan]]:
    words, speech = [], []
    for sentence in expected["sentences"]:
        tokens = sentence["text"].split()
        step = (sentence["end"] - sentence["start"]) / len(tokens)
        for i, token in enumerate(tokens):
            start = sentence["start"] + i * step
            words.append((token, round(start, 3), round(start + step * 0.9, 3)))
        speech.append(SpeechSpan(sentence["start"], sentence["end"]))
    return words, speech


def timed_sample_report(name: str, text_analyzer, source: str | None = None):
    """The report `analyze` would give for samples/<name>_answer.wav with a perfect recogniser."""
    from thinkaloud.analyze import Analyzer

    expected = json.loads((SAMPLES / f"{name}_answer.expected.json").read_text())
    words, speech = scripted_words(expected)
    analyzer = Analyzer(
        transcriber=FakeTranscriber(words),
        text_analyzer=text_analyzer,
        speech_detector=lambda samples, options: list(speech),
    )
    samples = np.zeros(int(expected["duration_s"] * 16000), dtype=np.float32)
    return analyzer.analyze_samples(samples, source=source or str(SAMPLES / f"{name}_answer.wav"))


def text_sample_report(name: str, text_analyzer):
    from thinkaloud.analyze import Analyzer

    path = SAMPLES / f"{name}_answer.txt"
    return Analyzer(text_analyzer=text_analyzer).analyze_text(path.read_text(), source=str(path))
