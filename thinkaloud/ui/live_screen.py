"""The live rehearsal screen: what a person keeps in view while answering out loud.

The engine's `events()` runs in a worker thread.  Ordinary events are posted
to this screen as messages and folded into a `RehearsalState` on the UI
thread; the high-rate ones (input level, tentative words) only overwrite a
slot, with one message per batch to say it is full.  Widgets are redrawn by
a 10 Hz timer for whatever changed since the last tick, so a fast engine
never floods the screen.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import get_current_worker

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.errors import ThinkaloudError
from thinkaloud.live.events import (
    FinishedEvent,
    LevelEvent,
    LiveSession,
    StateEvent,
    TentativeEvent,
)
from thinkaloud.rehearsal_state import RehearsalState, pace_is_off
from thinkaloud.timefmt import length
from thinkaloud.ui.dialogs import HelpScreen, QuitDialog
from thinkaloud.ui.messages import EngineEnded, EngineEvent, LatestReady, TakeEnded, TakeStopped
from thinkaloud.ui.takes import Take
from thinkaloud.ui.widgets.cues import AlertBar, QuestionBar, SilenceTimer
from thinkaloud.ui.widgets.meter import LevelMeter
from thinkaloud.ui.widgets.panels import ChecklistPanel, StatsPanel, StatusBadge
from thinkaloud.ui.widgets.timeline import TimelineStrip
from thinkaloud.ui.widgets.transcript import LiveTranscript

REFRESH_S = 0.1
LISTENING = "Listening… answer out loud; your words appear here as you speak."
NO_QUESTION = "No question set: answer anything, or start with --question TEXT or --random-question."

LIVE_KEYS = (
    ("space", "pause or resume the take"),
    ("s", "stop and show the summary"),
    ("v", "view final text only, or also the words still being recognised"),
    ("q", "quit (a saved take is finished and kept; asks first if it would be lost)"),
    ("?", "this help"),
    ("ctrl+p", "command palette"),
)


@dataclass
class _Latest:
    """Coalescing slots the worker thread writes and the refresh timer takes."""

    level: LevelEvent | None = None
    tentative: TentativeEvent | None = None

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    def put(self, event: LevelEvent | TentativeEvent) -> bool:
        """Keep only the newest of each kind; True when the slots were empty (the UI needs telling)."""
        with self._lock:
            was_empty = self.level is None and self.tentative is None
            if isinstance(event, LevelEvent):
                self.level = event
            else:
                self.tentative = event
        return was_empty

    def take(self) -> list[LevelEvent | TentativeEvent]:
        with self._lock:
            taken = [e for e in (self.level, self.tentative) if e is not None]
            self.level = self.tentative = None
        return sorted(taken, key=lambda e: e.emitted_at)


class LiveScreen(Screen):
    """One take, from the first word to the summary."""

    BINDINGS = [
        Binding("space", "pause", "Pause"),
        Binding("space", "resume", "Resume"),
        Binding("s", "stop", "Stop & summary"),
        Binding("v", "toggle_finals", "Finals only"),
        Binding("q", "request_quit", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(self, session: LiveSession, take: Take, silence_threshold_s: float = LONG_SILENCE_S, saves: bool = True) -> None:
        super().__init__()
        self.session = session
        self.take = take
        self.saves = saves
        self._quitting = False
        self.state = RehearsalState(silence_threshold_s=silence_threshold_s)
        self._latest = _Latest()
        self._dirty: set[str] = set()
        self._stop_requested = False
        self._ended = False
        self.finals_only = False  # the reading option: hide stable and tentative words

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield QuestionBar(id="question")
        yield AlertBar(id="alerts", classes="-hidden")
        with Horizontal(id="live-body"):
            with Vertical(id="live-main"):
                yield LiveTranscript(LISTENING, id="transcript")
                yield SilenceTimer(id="silence", classes="-hidden")
            with VerticalScroll(id="side"):
                yield StatusBadge(id="status")
                yield StatsPanel(id="stats")
                yield ChecklistPanel(id="checklist")
                yield LevelMeter(id="meter")
        yield TimelineStrip(id="timeline")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(QuestionBar).show(self.take.question, self.take.context, missing=NO_QUESTION)
        self.query_one("#timeline", TimelineStrip).border_title = "Timeline"
        self.query_one("#transcript").focus()
        self._dirty = {"transcript", "signals", "silence", "level", "alerts", "state", "clock"}
        self._redraw()
        self.set_interval(REFRESH_S, self._tick)
        self.follow_engine()

    def on_unmount(self) -> None:
        # Whatever closes this screen (quitting, an error), the engine must not
        # be left capturing with no one listening, nor its thread blocked.
        if self.state.finished is None and not self._ended and not self._stop_requested:
            self._stop_requested = True
            self.session.stop()

    # ------------------------------------------------------------------ engine

    @work(thread=True, exclusive=True, group="engine", exit_on_error=False)
    def follow_engine(self) -> None:
        worker = get_current_worker()
        try:
            for event in self.session.events():
                if worker.is_cancelled:
                    return
                if isinstance(event, (LevelEvent, TentativeEvent)):
                    # One message however many arrive before the UI takes them; it
                    # is queued behind the words already posted, so order holds.
                    if self._latest.put(event):
                        self.post_message(LatestReady())
                else:
                    self.post_message(EngineEvent(event))
        except ThinkaloudError as error:
            self.post_message(EngineEnded(error))
            return
        except Exception as error:  # a bug in the engine: still a one-line message, never a traceback
            self.post_message(EngineEnded(ThinkaloudError(
                f"the live engine failed ({type(error).__name__}: {error}); "
                "rerun with THINKALOUD_DEBUG=1 to see the traceback, and please report it."
            )))
            return
        self.post_message(EngineEnded())

    def on_engine_event(self, message: EngineEvent) -> None:
        self._dirty |= self.state.apply(message.event)
        if isinstance(message.event, FinishedEvent):
            self._redraw()
            self.post_message(TakeEnded(message.event, self.state, self.take, quitting=self._quitting))
        elif isinstance(message.event, StateEvent) and message.event.state == "error":
            self.notify(message.event.message, title="Problem with the take", severity="error", timeout=20)

    def on_latest_ready(self, message: LatestReady) -> None:
        for pending in self._latest.take():
            self._dirty |= self.state.apply(pending)

    def on_engine_ended(self, message: EngineEnded) -> None:
        self._ended = True
        if self._quitting:
            self.post_message(TakeEnded(None, self.state, self.take, quitting=True))
        elif message.error is not None:
            self.post_message(TakeStopped(message.error, self.state, self.take))
        elif self.state.finished is None:
            # The stream ended without a summary (an engine that stops silently):
            # show what was seen live rather than leave the person staring at a frozen screen.
            self.post_message(TakeEnded(None, self.state, self.take, quitting=False))
        self.refresh_bindings()

    def _tick(self) -> None:
        if self._dirty:
            self._redraw()

    def _redraw(self) -> None:
        dirty, self._dirty = self._dirty, set()
        state = self.state
        if "transcript" in dirty or "signals" in dirty:
            self.query_one(LiveTranscript).show(state.blocks(finals_only=self.finals_only))
        if dirty & {"clock", "state", "signals", "transcript", "silence"}:
            self.query_one(StatusBadge).show(state.phase, state.elapsed_s)
            self.query_one(StatsPanel).show(live_stats(state))
            self.query_one(ChecklistPanel).show(state.checklist)
            moved = (int(state.elapsed_s), len(state.words), len(state.signals), state.finished_silences())
            self.query_one(TimelineStrip).show(lambda width: (state.timeline(width), state.timeline_span_s()), key=moved)
        if dirty & {"silence", "clock", "state"}:
            self.query_one(SilenceTimer).show(state.silence_now_s)
        if "level" in dirty:
            level = state.level
            self.query_one(LevelMeter).show(level.rms_dbfs if level else None, level.peak_dbfs if level else None)
        if dirty & {"alerts", "clock", "state"}:
            self.query_one(AlertBar).show(state.alerts())
        if "state" in dirty:
            self.refresh_bindings()

    # ----------------------------------------------------------------- actions

    @property
    def is_live(self) -> bool:
        return not self._ended and self.state.phase in ("starting", "recording", "paused")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return self.is_live and self.state.phase != "paused" and not self._stop_requested
        if action == "resume":
            return self.is_live and self.state.phase == "paused" and not self._stop_requested
        if action == "stop":
            return True if self.is_live and not self._stop_requested else None
        return True

    def action_pause(self) -> None:
        self.session.pause()

    def action_toggle_finals(self) -> None:
        self.finals_only = not self.finals_only
        self._dirty.add("transcript")
        self._redraw()
        shown = "final text only" if self.finals_only else "words as they are recognised, then their final text"
        self.notify(f"Showing {shown}.", timeout=3)

    def action_resume(self) -> None:
        self.session.resume()

    def action_stop(self) -> None:
        if self._stop_requested or not self.is_live:
            return
        self._stop_requested = True
        self.refresh_bindings()
        self.notify("Finishing the take and analysing it…", title="Stopping", timeout=4)
        self.session.stop()

    def action_request_quit(self) -> None:
        """Quit; ask first only when the take would be lost (it is not being saved)."""
        if self._quitting:
            self.notify("Still finishing the take; thinkaloud quits as soon as it is done.", timeout=4)
            return
        if not self.is_live:
            self.app.exit(0)
            return
        if self.saves or not self.state.words:
            self._quit_after_finish("Saving the take, then quitting…" if self.saves else "Quitting…")
            return
        message = (
            f"You have been answering for {length(self.state.elapsed_s)} and this take is not being saved "
            "(--no-save): quitting now discards it. Finish it instead to see its summary and tips."
        )

        def decided(choice: str | None) -> None:
            if choice == "summary":
                self.action_stop()
            elif choice == "quit":
                self._quit_after_finish("Quitting…")

        self.app.push_screen(QuitDialog(message), decided)

    def _quit_after_finish(self, message: str) -> None:
        # The engine's threads are still capturing and will write the take's
        # files; leaving before its FinishedEvent would cut that short.
        self._quitting = True
        self.notify(message, timeout=10)
        if self._stop_requested:
            return
        self._stop_requested = True
        self.refresh_bindings()
        self.session.stop()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("thinkaloud · live take", LIVE_KEYS, HELP_NOTES))

    def palette_commands(self):
        """(title, help, callback) for the command palette, for what makes sense right now."""
        if self.check_action("pause", ()):
            yield "Pause the take", "Stop listening for now; space resumes", self.action_pause
        if self.check_action("resume", ()):
            yield "Resume the take", "Carry on answering", self.action_resume
        if self.check_action("stop", ()):
            yield "Stop and show the summary", "Finish this take and see the metrics and tips", self.action_stop
        yield ("Show final text only" if not self.finals_only else "Show words as they are recognised",
               "Final text never changes; words before it may", self.action_toggle_finals)
        yield "Help", "Keys and what each colour means", self.action_help


HELP_NOTES = (
    "Answer the question out loud. Words appear as they are recognised: dim words are a first guess; "
    "plain words are stable and change at most once, when you pause and the whole utterance is "
    "recognised again as final text (words it changed light up for a moment); final text never changes. "
    "Each signal is coloured and labelled, from final text. If you go quiet past the threshold a timer appears: keep "
    "thinking out loud. The checklist on the right ticks as each part of a structured answer appears."
)


def live_stats(state: RehearsalState) -> list[tuple[str, str, bool]]:
    """The numbers the side panel shows, formatted for people."""
    wpm = state.wpm
    return [
        ("Pace", f"{wpm:.0f} wpm" if wpm is not None else "—", pace_is_off(wpm)),
        ("Words", str(state.word_count), False),
        ("Fillers", str(state.filler_count), state.too_frequent("filler")),
        ("Hedges", str(state.hedge_count), state.too_frequent("hedge")),
        ("Longest quiet", length(state.longest_silence_s) if state.silences else "—", state.longest_silence_s >= state.silence_threshold_s),
    ]
