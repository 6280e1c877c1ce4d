"""Deterministic stand-ins for the slow stages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from thinkaloud.asr.transcriber import RecognisedWord
from thinkaloud.types import SpeechSpan


class FakeTranscriber:
    """Returns a fixed script: (word, start, end) triples, filtered to the speech spans given."""

    model_name = "fake"

    def __init__(self, words: Sequence[tuple[str, float, float]]):
        self.words = list(words)
        self.calls = 0

    def transcribe(self, samples: np.ndarray, speech: Sequence[SpeechSpan]) -> Iterator[RecognisedWord]:
        self.calls += 1
        for text, start, end in self.words:
            if any(s.start - 0.5 <= start and end <= s.end + 0.5 for s in speech):
                yield RecognisedWord(" " + text, start, end, 0.9)


def tone_with_gaps(segments: Sequence[tuple[float, float]], duration: float, rate: int = 16000) -> np.ndarray:
    """A signal that is "speech" (a voiced, amplitude-modulated tone) only inside `segments`."""
    t = np.arange(int(duration * rate)) / rate
    out = np.zeros_like(t, dtype=np.float32)
    for start, end in segments:
        mask = (t >= start) & (t < end)
        out[mask] = 0.3 * np.sin(2 * np.pi * 180 * t[mask]) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t[mask]))
    return out
