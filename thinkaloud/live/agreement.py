"""When a streamed word is final: the LocalAgreement-2 commit policy.

The recogniser re-decodes a growing buffer again and again; its guess about
the last second of audio keeps changing.  A word is committed once two
successive decodes agree on it (the longest common prefix of their words
after what is already committed) and the later decode heard enough audio
after it; the rest stays tentative.  The second condition is ours: tiny.en
agrees with itself on a word it guessed from too little of what follows
("that login" for "at login", "incursors" for "and cursors"), so a decode
that has heard only half a second past a word is no confirmation of it.  At
the end of an utterance the tentative tail is committed as it stands,
because no further decode will ever see more of it.

Words are compared by their normalised spelling, so "would," and "would"
agree; the newer spelling (decoded with more context) is the one committed.

After Macháček et al., "Turning Whisper into Real-Time Transcription System"
(2023), and their whisper_streaming implementation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thinkaloud.asr.guards import normalise


@dataclass(frozen=True, slots=True)
class StreamWord:
    """A word with absolute audio times; `raw_text` keeps Whisper's leading space."""

    raw_text: str
    start: float
    end: float
    probability: float

    @property
    def text(self) -> str:
        return self.raw_text.strip()

    @property
    def key(self) -> str:
        return normalise(self.raw_text)


class LocalAgreement:
    """Tracks committed words and the previous hypothesis; feed it every decode."""

    #: A word that starts this much before the committed end may still be new
    #: (word timestamps wobble between decodes by a few tens of ms).
    overlap_tolerance_s = 0.1
    #: Longest run of words to look for when removing a repeat of the committed tail.
    max_overlap_words = 5

    def __init__(self) -> None:
        self.committed: list[StreamWord] = []
        self.committed_end = 0.0
        self._previous: list[StreamWord] = []  # last hypothesis, minus what was committed
        self._current: list[StreamWord] = []

    @property
    def tentative(self) -> list[StreamWord]:
        return list(self._previous)

    def insert(self, words: Sequence[StreamWord]) -> None:
        """A new hypothesis for the buffer (absolute times)."""
        fresh = [w for w in words if w.start > self.committed_end - self.overlap_tolerance_s and w.key]
        if fresh and self.committed and abs(fresh[0].start - self.committed_end) < 1.0:
            # The decoder often repeats the last committed word or two at the
            # start of a buffer that was cut just after them; drop the repeat.
            for n in range(min(len(self.committed), len(fresh), self.max_overlap_words), 0, -1):
                tail = [w.key for w in self.committed[-n:]]
                head = [w.key for w in fresh[:n]]
                if tail == head:
                    fresh = fresh[n:]
                    break
        self._current = fresh

    def flush(self, settled_until: float = float("inf")) -> list[StreamWord]:
        """Commit the words the last two hypotheses agree on and that end by
        `settled_until` (audio time); returns them."""
        agreed: list[StreamWord] = []
        for new, old in zip(self._current, self._previous):
            if new.key != old.key or new.end > settled_until:
                break
            agreed.append(new)
        self._previous = self._current[len(agreed) :]
        self._current = []
        self._commit(agreed)
        return agreed

    def pending(self) -> list[StreamWord]:
        """The latest hypothesis beyond what is committed, agreed or not."""
        return list(self._current if self._current else self._previous)

    def commit(self, words: Sequence[StreamWord]) -> None:
        """End of utterance: `words` (usually `pending()`, perhaps cut) are final."""
        self._current = []
        self._previous = []
        self._commit(words)

    def commit_all(self) -> list[StreamWord]:
        """End of utterance: the latest hypothesis is final, agreed or not."""
        words = self.pending()
        self.commit(words)
        return words

    def replace(self, start: int, count: int, words: Sequence[StreamWord]) -> None:
        """Final text came: `committed[start:start + count]` (stable words) become `words`.

        Nothing the decoder says before the end of `words` is new any more,
        so a word the final holds is never committed again as stable.
        """
        self.committed[start : start + count] = words
        if words:
            self.committed_end = max(self.committed_end, words[-1].end)
            self._previous = [w for w in self._previous if w.start > self.committed_end - self.overlap_tolerance_s]

    def _commit(self, words: Sequence[StreamWord]) -> None:
        if words:
            self.committed.extend(words)
            self.committed_end = max(self.committed_end, words[-1].end)
