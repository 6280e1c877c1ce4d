"""The typed records that cross stage boundaries.

Every stage speaks in these dataclasses and never in a library's own objects
(faster-whisper `Segment`s, spaCy `Doc`s), so a stage can be replaced or faked
without its neighbours noticing.  Times are seconds from the start of the
audio; character offsets index into the transcript text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

#: The name of a kind in `thinkaloud.kinds.KINDS` ("framing", "filler", "silence", ...).
SignalKind = str


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word.  `char_start`/`char_end` locate it in the transcript text."""

    text: str
    start: float | None
    end: float | None
    probability: float | None = None
    char_start: int = 0
    char_end: int = 0


@dataclass(frozen=True, slots=True)
class SpeechSpan:
    """A stretch of audio that voice activity detection heard as speech."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """The recognised text, its words (empty for text input) and nothing else."""

    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    char_start: int
    char_end: int
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """One detected phenomenon, with the cue that made a detector fire.

    For sentence-level kinds (framing, assumption, ...) `text` is the sentence
    and `cue` the phrase inside it; for fillers and hedges both are the phrase.
    Silences have no character offsets.
    """

    kind: SignalKind
    text: str
    cue: str
    start: float | None
    end: float | None
    char_start: int | None
    char_end: int | None
    signposted: bool | None = None  # topic_shift only


@dataclass(frozen=True, slots=True)
class Metrics:
    duration_s: float | None
    speaking_time_s: float | None
    words: int
    wpm: float | None
    silence_count: int
    longest_silence_s: float
    filler_count: int
    hedge_count: int


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    present: bool
    first_at: float | None


ABSENT = ChecklistItem(present=False, first_at=None)


@dataclass(frozen=True, slots=True)
class Summary:
    checklist: dict[str, ChecklistItem]
    tips: tuple[str, ...]
    speech_found: bool = True

    def item(self, kind: str) -> ChecklistItem:
        """The checklist item for `kind`; absent (as not present) in a take saved before the kind existed."""
        return self.checklist.get(kind, ABSENT)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    path: str
    kind: Literal["audio", "text"]
    duration_s: float | None


@dataclass(frozen=True, slots=True)
class ModelInfo:
    asr: str | None
    nlp: str


@dataclass(frozen=True, slots=True)
class Report:
    """Everything `analyze` found about one answer; serialised by `thinkaloud.report`."""

    source: SourceInfo
    model: ModelInfo
    transcript: Transcript
    sentences: tuple[Sentence, ...]
    signals: tuple[Signal, ...]
    metrics: Metrics
    summary: Summary
    speech: tuple[SpeechSpan, ...] = field(default=())
