"""The Textual app and its two entry points.

`run_live_app(options, config)` backs `thinkaloud live`: it opens the live session
*before* starting Textual, so a missing microphone or model is one line on
stderr rather than a broken screen, then shows the live screen and, when the
take ends, its summary; from there `r` and `f` start new takes.

`run_summary_app(report, config, saved_at)` backs `analyze --tui` and `show --tui`:
the summary screen alone, for a take analysed earlier.  Both are handed the
settings their command resolved; the app never reads the settings file.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.config import Config
from thinkaloud.errors import DeviceError, ExitCode, ThinkaloudError
from thinkaloud.live.events import FinishedEvent, LiveSession
from thinkaloud.rehearsal_state import RehearsalState
from thinkaloud.types import Report
from thinkaloud.ui.messages import NewTakeWanted, TakeEnded, TakeFailed, TakeOpened, TakeStopped
from thinkaloud.ui.palette import KIND_CSS, KIND_CSS_VARIABLES
from thinkaloud.ui.takes import StartTake, Take


class ThinkaloudApp(App[int]):
    """One app for both entry points; which screen it opens on depends on what it is given."""

    CSS_PATH = "thinkaloud.tcss"
    CSS = KIND_CSS
    TITLE = "thinkaloud"

    def __init__(
        self,
        *,
        session: LiveSession | None = None,
        report: Report | None = None,
        take: Take | None = None,
        start_take: StartTake | None = None,
        silence_threshold_s: float = LONG_SILENCE_S,
        saves: bool = True,
        saved_at: str | Path | None = None,
        session_id: str | None = None,
        note: str = "",
    ) -> None:
        if (session is None) == (report is None):
            raise ValueError("give either a live session or a report")
        super().__init__()
        self._first_session = session
        self._first_report = report
        self.take = take or Take()
        self._start_take = start_take
        self.silence_threshold_s = silence_threshold_s
        self.saves = saves
        self.finished_takes: list[FinishedEvent] = []
        self._saved_at = saved_at
        self._session_id = session_id
        self._note = note
        self.failure: ThinkaloudError | None = None
        self._starting = False

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables plus one colour per kind ($framing, $jump, …) from the table of kinds."""
        return {**super().get_css_variables(), **KIND_CSS_VARIABLES}

    @property
    def can_start_takes(self) -> bool:
        return self._start_take is not None and not self._starting

    def on_mount(self) -> None:
        if self._first_session is not None:
            self.push_screen(self._live_screen(self._first_session, self.take))
        else:
            from thinkaloud.ui.summary_screen import SummaryScreen

            assert self._first_report is not None
            self.push_screen(SummaryScreen(self._first_report, self.take, self._session_id, self._saved_at, self._note))

    def _live_screen(self, session: LiveSession, take: Take) -> Screen:
        from thinkaloud.ui.live_screen import LiveScreen

        return LiveScreen(session, take, self.silence_threshold_s, saves=self.saves)

    # ------------------------------------------------------------------ takes

    def on_take_ended(self, message: TakeEnded) -> None:
        if message.finished is not None and message.finished not in self.finished_takes:
            self.finished_takes.append(message.finished)
        if message.quitting:
            self.exit(0)
        else:
            self.show_summary_for(message.state, message.finished, message.take)

    def on_take_stopped(self, message: TakeStopped) -> None:
        """The engine stopped with an error mid-take: say so in one line and keep what was seen."""
        self.failure = message.error
        self.notify(message.error.message, title="The take stopped", severity="error", timeout=30)
        if message.state.words:
            self.show_summary_for(message.state, None, message.take)

    def on_new_take_wanted(self, message: NewTakeWanted) -> None:
        self.start_take(message.take)

    def show_summary_for(self, state: RehearsalState, finished: FinishedEvent | None, take: Take) -> None:
        """Replace the live screen with the summary of the take that just ended."""
        from thinkaloud.ui.summary_screen import SummaryScreen

        report = finished.report if finished is not None else None
        note = ""
        if report is None:
            report = state.to_report()
            note = "Summary from the live view only: the final analysis did not complete" + (
                f" ({state.message})." if state.message else "."
            )
        saved_at = finished.session_dir if finished is not None else None
        if finished is not None and not saved_at and not note:
            note = "Not saved: this take was run with --no-save."
        session_id = finished.session_id if finished is not None else None
        self.switch_screen(SummaryScreen(report, take, session_id, saved_at, note))

    def start_take(self, take: Take) -> None:
        """Open a new take's session off the UI thread (loading models takes a moment), then show it."""
        if self._start_take is None or self._starting:
            return
        self._starting = True
        self.notify("Starting a new take…", timeout=3)
        self._open_take(take)

    @work(thread=True, exclusive=True, group="open-take", exit_on_error=False)
    def _open_take(self, take: Take) -> None:
        assert self._start_take is not None
        try:
            session = self._start_take(take)
        except ThinkaloudError as error:
            self.post_message(TakeFailed(error))
        except Exception as error:  # noqa: BLE001 - a bug still gets one line, not a traceback
            self.post_message(TakeFailed(ThinkaloudError(f"could not start a new take ({type(error).__name__}: {error}).")))
        else:
            self.post_message(TakeOpened(session, take))

    def on_take_opened(self, message: TakeOpened) -> None:
        self._starting = False
        self.take = message.take
        self.switch_screen(self._live_screen(message.session, message.take))

    def on_take_failed(self, message: TakeFailed) -> None:
        self._starting = False
        self.notify(message.error.message, title="Could not start a new take", severity="error", timeout=15)

    # ------------------------------------------------------------------- quit

    async def action_quit(self) -> None:
        """ctrl+q and the palette's Quit ask first, like `q`, when a take would be lost."""
        request = getattr(self.screen, "action_request_quit", None)
        if request is not None:
            request()
        else:
            self.exit(0)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        commands = getattr(screen, "palette_commands", None)
        if commands is not None:
            for title, help_text, callback in commands():
                yield SystemCommand(title, help_text, callback)
        yield from super().get_system_commands(screen)


def run_live_app(options, config: Config) -> int:
    """`thinkaloud live` with the TUI: open the session first, then show it.

    `options` is the engine's `LiveOptions`, `config` the settings the command
    resolved (the app never reads the settings file itself).  Raises the engine's
    `ThinkaloudError` (no microphone, unreadable --source, ...) before any
    screen is drawn, so the CLI reports it in one line.
    """
    from thinkaloud.live.session import open_live_session

    require_terminal("use --no-tui for plain output")
    take = Take.resolve(options.question, options.question_id, options.parent_id, bank=config.question_bank())
    options = _with_take(options, take)
    session = open_live_session(options)
    takes = 1

    def start(next_take: Take) -> LiveSession:
        nonlocal takes
        takes += 1
        return open_live_session(_with_take(_with_events_for_take(options, takes), next_take))

    app = ThinkaloudApp(
        session=session, take=take, start_take=start, silence_threshold_s=options.silence_threshold_s, saves=options.save
    )
    code = _run(app)
    _say_where_takes_went(app.finished_takes)
    return code


def run_summary_app(
    report: Report,
    config: Config,
    saved_at: str | Path | None = None,
    *,
    question: str | None = None,
    question_id: str | None = None,
    session_id: str | None = None,
    live_options=None,
) -> int:
    """The summary screen for a take analysed earlier (`analyze --tui`, `show ID --tui`).

    With the live engine installed, `r` and `f` start a new take from the
    microphone (or from `live_options`, the engine's `LiveOptions`), linked
    to `session_id` for follow-ups.  `config` is the settings the command resolved.
    """
    require_terminal("use the text output instead (drop --tui)")
    take = Take.resolve(question, question_id, bank=config.question_bank())
    start = None
    try:
        from thinkaloud.live.session import LiveOptions, open_live_session
    except ImportError:
        pass
    else:
        base = live_options if live_options is not None else _default_live_options(LiveOptions, config)

        def start(next_take: Take) -> LiveSession:
            return open_live_session(_with_take(base, next_take))

    app = ThinkaloudApp(report=report, take=take, start_take=start, saved_at=saved_at, session_id=session_id)
    return _run(app)


def _with_take(options, take: Take):
    return dataclasses.replace(options, question=take.question, question_id=take.question_id, parent_id=take.parent_id)


def _with_events_for_take(options, number: int):
    """Each take's --events log in its own file (events.jsonl, events-2.jsonl, ...), so none overwrites another."""
    path = options.events_path
    if path is None:
        return options
    path = Path(path)
    return dataclasses.replace(options, events_path=path.with_name(f"{path.stem}-{number}{path.suffix}"))


def require_terminal(alternative: str) -> None:
    """A full-screen app on a pipe would hang or print garbage: refuse in one line, naming `alternative`."""
    import sys

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise DeviceError(f"the interactive screen needs a terminal, but input or output is redirected; run it in one, or {alternative}.")


def _default_live_options(live_options_class, config: Config):
    """Microphone takes with the user's configured model and silence threshold."""
    from thinkaloud.asr.transcriber import TranscriberOptions

    transcriber = TranscriberOptions(model=config.model, device=config.device, cpu_threads=config.threads)
    return live_options_class(silence_threshold_s=config.silence, transcriber=transcriber)


def _say_where_takes_went(finished: list[FinishedEvent]) -> None:
    """After the screen is gone, leave a line in the terminal saying where the takes were saved."""
    import sys

    saved = [f.session_id for f in finished if f.session_id]
    if len(saved) == 1:
        sys.stderr.write(f"thinkaloud: saved the take as session {saved[0]} (see 'thinkaloud show {saved[0]}').\n")
    elif saved:
        sys.stderr.write(f"thinkaloud: saved {len(saved)} takes: {', '.join(saved)} (see 'thinkaloud history').\n")


def _run(app: ThinkaloudApp) -> int:
    result = app.run()
    if app.failure is not None:
        raise app.failure
    return ExitCode.OK if result is None else result
