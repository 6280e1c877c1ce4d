"""Assembling recognised words into one transcript text with character offsets.

Whisper marks word boundaries with a leading space in each word's text; this
builder keeps that convention out of the rest of the code base, and gives
every word its `char_start`/`char_end` in the final text so that signals found
in the text can be placed back in time.
"""

from __future__ import annotations

from thinkaloud.types import Transcript, Word


class TranscriptBuilder:
    def __init__(self) -> None:
        self._parts: list[str] = []
        self._length = 0
        self._words: list[Word] = []

    def add(self, raw_text: str, start: float | None, end: float | None, probability: float | None = None) -> Word | None:
        """Append one word as the recogniser spelled it (leading space = new word)."""
        text = raw_text.strip()
        if not text:
            return None
        glued = bool(self._words) and not raw_text[:1].isspace()
        if self._words and not glued:
            self._parts.append(" ")
            self._length += 1
        char_start = self._length
        self._parts.append(text)
        self._length += len(text)
        word = Word(
            text=text,
            start=None if start is None else round(float(start), 3),
            end=None if end is None else round(float(end), 3),
            probability=None if probability is None else round(float(probability), 4),
            char_start=char_start,
            char_end=self._length,
        )
        self._words.append(word)
        return word

    @property
    def words(self) -> list[Word]:
        return self._words

    def copy(self) -> TranscriptBuilder:
        """A builder holding the same words, to grow on its own."""
        twin = TranscriptBuilder()
        twin._parts, twin._length, twin._words = list(self._parts), self._length, list(self._words)
        return twin

    def build(self) -> Transcript:
        return Transcript(text="".join(self._parts), words=tuple(self._words))
