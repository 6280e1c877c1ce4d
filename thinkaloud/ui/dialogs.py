"""Modal dialogs: help, confirming a quit that would lose the take, picking a follow-up."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from thinkaloud.questions import FollowUp
from thinkaloud.ui.palette import (
    KIND_COMPONENT_CLASSES,
    KIND_GLYPHS,
    LABELS,
    MEANINGS,
    STYLED_KINDS,
    KindStyles,
)
from thinkaloud.ui.widgets.panels import TwoColumns


class Legend(KindStyles, TwoColumns):
    """What each colour and mark means, drawn in those colours."""

    COMPONENT_CLASSES = KIND_COMPONENT_CLASSES

    def on_mount(self) -> None:
        rows = []
        for kind in STYLED_KINDS:
            label = Text.assemble((f" {KIND_GLYPHS[kind]} ", self.tag_style(kind)), (f" {LABELS[kind]}", self.kind_style(kind)))
            rows.append((label, Text(MEANINGS[kind], "dim")))
        self.show(rows)


class HelpScreen(ModalScreen[None]):
    """What the colours mean and which keys do what."""

    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close", key_display="esc")]

    def __init__(self, title: str, keys: Sequence[tuple[str, str]], notes: str = "") -> None:
        super().__init__()
        self._title = title
        self._keys = keys
        self._notes = notes

    def compose(self) -> ComposeResult:
        keys = [(Text(key, "bold"), what) for key, what in self._keys]
        with VerticalScroll(id="help-box") as box:
            box.border_title = self._title
            box.border_subtitle = "esc to close"
            if self._notes:
                yield Static(self._notes, classes="help-notes")
            yield Static("Keys", classes="help-heading")
            yield TwoColumns(keys)
            yield Static("Signals", classes="help-heading")
            yield Legend()

    def action_dismiss(self, result=None) -> None:  # type: ignore[override]
        self.dismiss(None)


class QuitDialog(ModalScreen[str | None]):
    """Quitting mid-take: finish it and see the summary, quit anyway, or keep going."""

    BINDINGS = [
        Binding("escape", "choose('')", "Keep going"),
        Binding("s", "choose('summary')", "Finish"),
        Binding("q", "choose('quit')", "Quit"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self._message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="quit-box") as box:
            box.border_title = "Quit?"
            yield Static(self._message, id="quit-message")
            with Horizontal(id="quit-buttons"):
                yield Button("Finish & see summary (s)", id="summary", variant="primary")
                yield Button("Quit (q)", id="quit", variant="error")
                yield Button("Keep going (esc)", id="keep")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_choose("" if event.button.id == "keep" else event.button.id or "")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)


class FollowUpPicker(ModalScreen[FollowUp | None]):
    """Choose which follow-up to answer next."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, follow_ups: Sequence[FollowUp]) -> None:
        super().__init__()
        self._follow_ups = list(follow_ups)

    def compose(self) -> ComposeResult:
        options: list[Option | None] = []
        for follow_up in self._follow_ups:
            if options:
                options.append(None)  # a rule between follow-ups
            options.append(Option(Text.assemble((f"{follow_up.constraint}\n", "bold"), follow_up.text), id=follow_up.id))
        with Vertical(id="follow-up-box") as box:
            box.border_title = "Answer a follow-up"
            box.border_subtitle = "enter to start · esc to cancel"
            yield OptionList(*options, id="follow-ups")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = next(f for f in self._follow_ups if f.id == event.option.id)
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
