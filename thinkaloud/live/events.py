"""What the live engine tells its consumers (the TUI, `live --no-tui`, `--events`).

Every event is a small frozen dataclass with a `type` tag and `emitted_at`.
`emitted_at` and all audio times are seconds on one clock that starts with
the capture, so `emitted_at - audio_end` is a word's latency.  `to_dict` is
the JSON Lines form written by `--events PATH` (`live.event_log`), whose
schema is `SCHEMA` (`live/schema/events.json`).

A word is first `tentative`, then stable (a `word` event: shown at once, may
change once), then part of its utterance's `final` event, which never changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

from thinkaloud.live.finals import Revision
from thinkaloud.types import Report, Signal

#: The version of the events written by `--events`; version 1 had no header
#: and no `final` events (words were committed once and for all).
SCHEMA = "thinkaloud.events/2"


@dataclass(frozen=True, slots=True)
class HeaderEvent:
    """The first line of an events file: what wrote it and how to read it."""

    type: ClassVar[str] = "header"
    schema: str
    version: str  # thinkaloud's
    source: str  # the recording played, or the microphone
    model: str  # the speech recogniser
    emitted_at: float


@dataclass(frozen=True, slots=True)
class WordEvent:
    """A stable word: two decodes agreed on it.  It may change once, in its utterance's `FinalEvent`."""

    type: ClassVar[str] = "word"
    text: str
    audio_start: float
    audio_end: float
    emitted_at: float
    probability: float | None = None


@dataclass(frozen=True, slots=True)
class TentativeEvent:
    """The current uncommitted tail (replaces the previous one; may be empty)."""

    type: ClassVar[str] = "tentative"
    text: str
    audio_start: float | None
    audio_end: float | None
    emitted_at: float


@dataclass(frozen=True, slots=True)
class FinalWord:
    text: str
    audio_start: float
    audio_end: float
    probability: float


@dataclass(frozen=True, slots=True)
class FinalEvent:
    """The final text of utterance number `utterance` (from 0), or of one
    segment of a long one (`speech_final` False for all but its last).

    It replaces the utterance's stable words and never changes.  `revised`
    says whether it changed any of them, `edits` how: stable words `removed`
    became `inserted`, which start at `index` in `words`.
    """

    type: ClassVar[str] = "final"
    utterance: int
    audio_start: float
    audio_end: float
    words: tuple[FinalWord, ...]
    revised: bool
    edits: tuple[Revision, ...]
    speech_final: bool
    emitted_at: float

    @property
    def text(self) -> str:
        return " ".join(word.text for word in self.words)


@dataclass(frozen=True, slots=True)
class SignalEvent:
    """A detector fired on final text (same fields as the report's signals); never retracted."""

    type: ClassVar[str] = "signal"
    signal: Signal
    emitted_at: float


@dataclass(frozen=True, slots=True)
class SilenceStartEvent:
    """The speaker has been quiet past the threshold since `audio_start`."""

    type: ClassVar[str] = "silence_start"
    audio_start: float
    emitted_at: float


@dataclass(frozen=True, slots=True)
class SilenceUpdateEvent:
    """Still quiet: sent about once a second while a long silence lasts."""

    type: ClassVar[str] = "silence_update"
    audio_start: float
    duration_s: float
    emitted_at: float


@dataclass(frozen=True, slots=True)
class SilenceEndEvent:
    type: ClassVar[str] = "silence_end"
    audio_start: float
    audio_end: float
    emitted_at: float


@dataclass(frozen=True, slots=True)
class LevelEvent:
    """Input level for the meter; high-rate, consumers should coalesce."""

    type: ClassVar[str] = "level"
    rms_dbfs: float
    peak_dbfs: float
    emitted_at: float


@dataclass(frozen=True, slots=True)
class OverflowEvent:
    """The capture could not keep up: PortAudio overflowed or our queue dropped blocks."""

    type: ClassVar[str] = "overflow"
    overflows: int  # running totals
    dropped_blocks: int
    emitted_at: float


@dataclass(frozen=True, slots=True)
class LagEvent:
    """Decoding fell behind the audio; `skipped_s` of audio was left untranscribed to catch up."""

    type: ClassVar[str] = "lag"
    lag_s: float
    skipped_s: float
    emitted_at: float


@dataclass(frozen=True, slots=True)
class StatsEvent:
    """How the engine is keeping up; sent every few seconds and once at the end.

    `lag_s` is how far decoding trails the audio received right now (0 when
    nothing is waiting), `max_lag_s` the worst so far; `audio_s` is audio
    captured, `skipped_s` audio left undecoded to catch up.  A final's lag is
    from the end of its speech to its event.
    """

    type: ClassVar[str] = "stats"
    audio_s: float
    lag_s: float
    max_lag_s: float
    decodes: int
    mean_decode_s: float
    skipped_s: float
    overflows: int
    dropped_blocks: int
    emitted_at: float
    stable_words: int = 0  # words shown as stable so far
    revised_words: int = 0  # of those, how many a final changed or removed
    final_lag_s: float | None = None  # emitted_at - audio_end of the latest final
    max_final_lag_s: float | None = None


@dataclass(frozen=True, slots=True)
class StateEvent:
    """The session changed state: "recording", "paused", "stopping", "finished", "error"."""

    type: ClassVar[str] = "state"
    state: str
    message: str
    emitted_at: float


@dataclass(frozen=True, slots=True)
class FinishedEvent:
    """The session is finalised and saved."""

    type: ClassVar[str] = "finished"
    session_id: str | None
    session_dir: str | None
    audio_path: str | None
    report_path: str | None
    emitted_at: float
    report: Report | None = field(default=None, compare=False)


LiveEvent = (
    HeaderEvent
    | WordEvent
    | TentativeEvent
    | FinalEvent
    | SignalEvent
    | SilenceStartEvent
    | SilenceUpdateEvent
    | SilenceEndEvent
    | LevelEvent
    | OverflowEvent
    | LagEvent
    | StatsEvent
    | StateEvent
    | FinishedEvent
)


def to_dict(event: LiveEvent) -> dict[str, Any]:
    """The JSON Lines form of an event (`--events PATH`)."""
    if isinstance(event, SignalEvent):
        from thinkaloud.report.serialize import signal_to_dict

        return {"type": event.type, **signal_to_dict(event.signal), "emitted_at": event.emitted_at}
    data = {"type": event.type}
    data.update({k: _json_ready(v) for k, v in asdict(event).items() if k != "report"})
    return data


def _json_ready(value: Any) -> Any:
    # Events hold tuples (they are frozen); JSON and its schemas know arrays.
    if isinstance(value, tuple):
        return [_json_ready(item) for item in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


EVENT_TYPES: dict[str, type] = {
    cls.type: cls
    for cls in (
        HeaderEvent, WordEvent, TentativeEvent, FinalEvent, SignalEvent, SilenceStartEvent, SilenceUpdateEvent,
        SilenceEndEvent, LevelEvent, OverflowEvent, LagEvent, StatsEvent, StateEvent, FinishedEvent,
    )
}


class LiveSession(Protocol):
    """What a consumer drives: iterate `events()` in a worker; control from anywhere."""

    def events(self):  # -> Iterator[LiveEvent]; ends after FinishedEvent
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def stop(self) -> None:
        """Ask the session to finalise; `events()` then yields the rest and a FinishedEvent."""
        ...
