"""The summary screen: how the take went, what to fix, and what to answer next.

It shows a `Report` (from a live take, `analyze --tui` or `show --tui`):
the metrics, the checklist with when each part first appeared, the tips, the
signals (choosing one scrolls the transcript to it), the timeline and where
the take was saved.  `r` answers the same question again and `f` one of its
follow-ups, when the app can start takes.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static

from thinkaloud.annotation import (
    Block,
    annotate,
    block_index_for,
    char_position_at,
    silence_pauses,
)
from thinkaloud.rehearsal_state import pace_is_off, timeline_cells
from thinkaloud.timefmt import length
from thinkaloud.types import Report, Signal
from thinkaloud.ui.dialogs import FollowUpPicker, HelpScreen
from thinkaloud.ui.messages import NewTakeWanted
from thinkaloud.ui.takes import Take
from thinkaloud.ui.widgets.cues import QuestionBar
from thinkaloud.ui.widgets.panels import ChecklistPanel, StatsPanel, TwoColumns
from thinkaloud.ui.widgets.signals import SignalList
from thinkaloud.ui.widgets.timeline import TimelineStrip
from thinkaloud.ui.widgets.transcript import SummaryTranscript

SUMMARY_KEYS = (
    ("↑ ↓", "move through the signals; the transcript follows"),
    ("tab", "move between the signals, the transcript and the overview"),
    ("r", "answer the same question again"),
    ("f", "answer a follow-up, as a new take linked to this one"),
    ("q", "quit"),
    ("?", "this help"),
    ("ctrl+p", "command palette"),
)


class SummaryScreen(Screen):
    BINDINGS = [
        Binding("r", "again", "Try again"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("q", "quit_app", "Quit"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    def __init__(
        self,
        report: Report,
        take: Take | None = None,
        session_id: str | None = None,
        saved_at: str | Path | None = None,
        note: str = "",
    ) -> None:
        super().__init__()
        self.report = report
        self.take = take or Take()
        self.session_id = session_id
        self.saved_at = saved_at
        self.note = note
        breaks = [s.char_start for s in report.sentences]
        self.blocks: list[Block] = annotate(
            report.transcript.text, report.signals, silence_pauses(report.transcript.words, report.signals), breaks
        )

    def compose(self) -> ComposeResult:
        yield QuestionBar(id="question")
        with Horizontal(id="summary-body"):
            with VerticalScroll(id="overview"):
                yield ChecklistPanel(id="summary-checklist")
                yield Static("Tips", classes="heading")
                yield TwoColumns(id="tips")
                yield Static("Delivery", classes="heading")
                yield StatsPanel(id="metrics")
            with Vertical(id="details"):
                yield SignalList(self.report.signals, id="signals")
                yield SummaryTranscript(self.blocks, id="summary-transcript")
        yield TimelineStrip(id="summary-timeline")
        yield Static(id="saved")
        yield Footer()

    def on_mount(self) -> None:
        report = self.report
        self.query_one(QuestionBar).show(self.take.question, self.take.context, missing="No question was recorded for this take.")
        self.query_one("#overview").border_title = "This take"
        self.query_one("#metrics", StatsPanel).show(summary_stats(report))
        checklist = {kind: (item.first_at if item.first_at is not None else True) if item.present else None
                     for kind, item in report.summary.checklist.items()}
        self.query_one("#summary-checklist", ChecklistPanel).show(checklist)
        self.query_one("#tips", TwoColumns).show(tip_rows(report))
        signals = self.query_one(SignalList)
        signals.border_title = f"Signals ({len(report.signals)})"
        if not report.signals:
            signals.display = False
        self.query_one(SummaryTranscript).border_title = "Transcript"
        timeline = self.query_one("#summary-timeline", TimelineStrip)
        timeline.border_title = "Timeline"
        span = report.metrics.duration_s or max((w.end or 0 for w in report.transcript.words), default=0.0)
        silences = [(s.start, s.end) for s in report.signals if s.kind == "silence" and s.start is not None and s.end is not None]
        if span:
            timeline.show(lambda width: (timeline_cells(span, report.speech or _word_spans(report), silences, report.signals, width), span))
        else:
            timeline.display = False  # a text transcript has no time to draw
        self.query_one("#saved", Static).update(self._saved_line())
        (signals if report.signals else self.query_one(SummaryTranscript)).focus()

    def _saved_line(self) -> Text:
        text = Text()
        if self.saved_at:
            text.append("Saved in ", "dim")
            text.append(_home_relative(self.saved_at))
            if self.session_id:
                text.append(f"  ·  thinkaloud show {self.session_id}", "dim")
        else:
            text.append(self.note or f"Analysed from {self.report.source.path}", "dim")
        return text

    # ------------------------------------------------------------ navigation

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._jump(event.option_list, event.option_index)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._jump(event.option_list, event.option_index)

    def _jump(self, option_list: OptionList, index: int) -> None:
        if not isinstance(option_list, SignalList):
            return
        signal = option_list.signal_at(index)
        if signal is not None:
            self.query_one(SummaryTranscript).jump_to(self.block_of(signal))

    def block_of(self, signal: Signal) -> int | None:
        """The transcript line where a signal is shown."""
        if signal.char_start is not None:
            return block_index_for(self.blocks, signal.char_start)
        if signal.start is not None and self.report.transcript.words:
            return block_index_for(self.blocks, char_position_at(self.report.transcript.words, signal.start))
        return None

    # --------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        can_start = getattr(self.app, "can_start_takes", False)
        if action == "again":
            return can_start
        if action == "follow_up":
            return bool(can_start and self.take.follow_ups())
        return True

    def action_again(self) -> None:
        self.post_message(NewTakeWanted(self.take.again()))

    def action_follow_up(self) -> None:
        follow_ups = self.take.follow_ups()
        if not follow_ups:
            self.notify("This question has no follow-ups in the bank; press r to answer it again.", severity="warning")
            return

        def chosen(follow_up) -> None:
            if follow_up is not None:
                self.post_message(NewTakeWanted(self.take.follow_up(follow_up, self.session_id)))

        self.app.push_screen(FollowUpPicker(follow_ups), chosen)

    def action_quit_app(self) -> None:
        self.app.exit(0)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("thinkaloud · summary", SUMMARY_KEYS))

    def palette_commands(self):
        if self.check_action("again", ()):
            yield "Try again", "Answer the same question once more", self.action_again
        if self.check_action("follow_up", ()):
            yield "Answer a follow-up", "Pick a follow-up that changes one constraint", self.action_follow_up
        yield "Help", "Keys and what each colour means", self.action_help


def summary_stats(report: Report) -> list[tuple[str, str, bool]]:
    m = report.metrics
    rows: list[tuple[str, str, bool]] = []
    if m.duration_s is not None:
        rows.append(("Duration", length(m.duration_s), False))
        rows.append(("Speaking", length(m.speaking_time_s), False))
    rows.append(("Words", str(m.words), False))
    if m.wpm is not None:
        rows.append(("Pace", f"{m.wpm:.0f} wpm", pace_is_off(m.wpm)))
    if m.duration_s is not None:
        rows.append(("Long silences", str(m.silence_count), m.silence_count > 0))
        if m.silence_count:
            rows.append(("Longest", length(m.longest_silence_s), True))
    rows.append(("Fillers", str(m.filler_count), False))
    rows.append(("Hedges", str(m.hedge_count), False))
    return rows


def tip_rows(report: Report) -> list[tuple[Text, str]]:
    rows = [(Text(f"{number}.", "bold"), tip) for number, tip in enumerate(report.summary.tips, 1)]
    if not report.summary.speech_found:
        rows.insert(0, (Text("!", "bold"), "No speech was found in this take."))
    return rows


def _home_relative(path: str | Path) -> str:
    """~/… rather than /home/name/…: shorter, and the same for everyone."""
    path = Path(path)
    try:
        return "~/" + str(path.relative_to(Path.home()))
    except ValueError:
        return str(path)


def _word_spans(report: Report):
    from thinkaloud.types import SpeechSpan

    return [SpeechSpan(w.start, w.end) for w in report.transcript.words if w.start is not None and w.end is not None]
