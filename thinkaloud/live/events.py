"""What the live engine tells its consumers (the TUI, `live --no-tui`, `--events`).

Every event is a small frozen dataclass with a `type` tag and `emitted_at`.
`emitted_at` and all audio times are seconds on one clock that starts with
the capture, so `emitted_at - audio_end` is a word's latency.  `to_dict` is
the JSON Lines form written by `--events PATH`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Protocol

from thinkaloud.types import Report, Signal


@dataclass(frozen=True, slots=True)
class WordEvent:
    """A committed word: it will not change any more."""

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
class SignalEvent:
    """A detector fired on committed text (same fields as the report's signals)."""

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
    captured, `skipped_s` audio left undecoded to catch up.
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
    WordEvent
    | TentativeEvent
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
    data.update({k: v for k, v in asdict(event).items() if k != "report"})
    return data


class LiveSession(Protocol):
    """What a consumer drives: iterate `events()` in a worker; control from anywhere."""

    def events(self):  # -> Iterator[LiveEvent]; ends after FinishedEvent
        ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def stop(self) -> None:
        """Ask the session to finalise; `events()` then yields the rest and a FinishedEvent."""
        ...
