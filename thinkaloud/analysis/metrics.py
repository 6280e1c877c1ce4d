"""Delivery metrics: pace, speaking time, silences, fillers and hedges."""

from __future__ import annotations

import re
from collections.abc import Sequence

from thinkaloud.types import Metrics, Signal, SpeechSpan, Transcript

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def count_words(transcript: Transcript) -> int:
    if transcript.words:
        return sum(1 for w in transcript.words if _WORD.search(w.text))
    return len(_WORD.findall(transcript.text))


def words_per_minute(transcript: Transcript, words: int) -> float | None:
    """Pace between the first and the last word, pauses included, as listeners hear it."""
    timed = [w for w in transcript.words if w.start is not None and w.end is not None]
    if len(timed) < 2:
        return None
    elapsed = timed[-1].end - timed[0].start
    if elapsed <= 0:
        return None
    return round(words / (elapsed / 60.0), 1)


def measure(
    transcript: Transcript,
    speech: Sequence[SpeechSpan],
    signals: Sequence[Signal],
    duration_s: float | None,
) -> Metrics:
    words = count_words(transcript)
    silences = [s for s in signals if s.kind == "silence"]
    is_audio = duration_s is not None
    return Metrics(
        duration_s=None if duration_s is None else round(duration_s, 3),
        speaking_time_s=round(sum(s.end - s.start for s in speech), 3) if is_audio else None,
        words=words,
        wpm=words_per_minute(transcript, words),
        silence_count=len(silences),
        longest_silence_s=round(max((s.end - s.start for s in silences), default=0.0), 3),
        filler_count=sum(1 for s in signals if s.kind == "filler"),
        hedge_count=sum(1 for s in signals if s.kind == "hedge"),
    )
