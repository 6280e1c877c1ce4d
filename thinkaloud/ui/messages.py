"""Messages from worker threads to the screens, and from the screens to the app.

The engine reaches widgets only through these; a screen asks the app for what
outlives it (the next screen, a new take, the list of takes kept) by posting
one, never by calling the app.
"""

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


class TakeEnded(Message):
    """The live take is over: `finished` is the engine's last event (None when it ended without one).

    The app keeps the take, then quits (`quitting`) or shows its summary, from `finished`'s report
    or, failing that, from what the live view saw (`state`).
    """

    def __init__(self, finished, state, take, quitting: bool) -> None:
        super().__init__()
        self.finished = finished
        self.state = state
        self.take = take
        self.quitting = quitting


class TakeStopped(Message):
    """The engine failed mid-take; the app says so in one line and keeps what the live view saw."""

    def __init__(self, error: ThinkaloudError, state, take) -> None:
        super().__init__()
        self.error = error
        self.state = state
        self.take = take


class NewTakeWanted(Message):
    """The person asked for a new take (again, or a follow-up) from a summary."""

    def __init__(self, take) -> None:
        super().__init__()
        self.take = take
