"""Messages from worker threads to the screens: the only way the engine reaches widgets."""

from __future__ import annotations

from textual.message import Message

from thinkaloud.errors import ThinkaloudError
from thinkaloud.live.events import LiveEvent, LiveSession


class EngineEvent(Message):
    """One live event (high-rate level and tentative events are coalesced elsewhere)."""

    def __init__(self, event: LiveEvent) -> None:
        super().__init__()
        self.event = event


class LatestReady(Message):
    """The coalescing slots for level and tentative events have something new."""


class EngineEnded(Message):
    """The engine's event stream ended; `error` is set when it ended by failing."""

    def __init__(self, error: ThinkaloudError | None = None) -> None:
        super().__init__()
        self.error = error


class TakeOpened(Message):
    """A new take's live session is open and ready to show."""

    def __init__(self, session: LiveSession, take) -> None:
        super().__init__()
        self.session = session
        self.take = take


class TakeFailed(Message):
    """A new take could not start (no microphone, model missing, ...)."""

    def __init__(self, error: ThinkaloudError) -> None:
        super().__init__()
        self.error = error
