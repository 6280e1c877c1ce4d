"""Panel widgets: the session's status, its numbers, the structure checklist, and aligned rows of text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widgets import Static

from thinkaloud.kinds import CHECKLIST_LABELS, CHECKLIST_PARTS
from thinkaloud.timefmt import clock

#: phase -> (badge text, CSS class)
PHASES: dict[str, tuple[str, str]] = {
    "starting": ("… starting", "-starting"),
    "recording": ("● REC", "-recording"),
    "paused": ("‖ PAUSED", "-paused"),
    "stopping": ("◌ finishing…", "-stopping"),
    "finished": ("✓ done", "-finished"),
    "error": ("✗ stopped", "-error"),
}


class SteadyStatic(Static):
    """A Static redrawn only when its text really changes, and laid out again only when asked.

    The side panel is refreshed ten times a second; redrawing identical text,
    or re-laying out the screen for a line whose size cannot change, would
    spend the CPU the speech recogniser needs.
    """

    _text: Text | None = None

    def show_text(self, text: Text, layout: bool = False) -> None:
        if text != self._text:
            first = self._text is None
            self._text = text
            self.update(text, layout=layout or first)


class StatusBadge(SteadyStatic):
    """Recording, paused, finishing…: the one thing to know at a glance, with the elapsed time."""

    def show(self, phase: str, elapsed_s: float) -> None:
        label, css_class = PHASES.get(phase, (phase, "-starting"))
        for _, other in PHASES.values():
            self.set_class(other == css_class, other)
        self.show_text(Text.assemble((label, "bold"), "  ", clock(elapsed_s)))


class StatsPanel(SteadyStatic):
    """Label/value rows, aligned; the caller decides which numbers matter."""

    COMPONENT_CLASSES = {"stats--label", "stats--value", "stats--attention"}
    _rows = 0

    def show(self, rows: Sequence[tuple[str, str] | tuple[str, str, bool]]) -> None:
        """Each row is (label, value) or (label, value, needs_attention)."""
        width = max((len(row[0]) for row in rows), default=0) + 1
        text = Text()
        for index, row in enumerate(rows):
            label, value = row[0], row[1]
            attention = len(row) > 2 and bool(row[2])
            if index:
                text.append("\n")
            text.append(label.ljust(width), self.get_component_rich_style("stats--label"))
            style = "stats--attention" if attention else "stats--value"
            text.append(value, self.get_component_rich_style(style))
        self.show_text(text, layout=len(rows) != self._rows)
        self._rows = len(rows)


class ChecklistPanel(SteadyStatic):
    """The checklist's parts (structure, then depth), each kind ticked with the time it first appeared."""

    COMPONENT_CLASSES = {"checklist--done", "checklist--todo", "checklist--time", "checklist--title"}

    def show(self, firsts: Mapping[str, float | None | bool]) -> None:
        """`firsts`: kind -> time of first appearance; None when absent, True when present but untimed.

        Kinds missing from `firsts` (a take saved before the kind existed) are left out.
        """
        style = self.get_component_rich_style
        text = Text()
        label_width = max((len(CHECKLIST_LABELS[k]) for k in firsts), default=0) + 1
        for title, kinds in CHECKLIST_PARTS:
            part = [k for k in kinds if k in firsts]
            if not part:
                continue
            done = sum(1 for k in part if firsts[k] is not None and firsts[k] is not False)
            if text:
                text.append("\n\n")
            text.append(f"{title} {done}/{len(part)}", style("checklist--title"))
            for kind in part:
                first = firsts[kind]
                present = first is not None and first is not False
                text.append("\n")
                text.append("✓ " if present else "· ", style("checklist--done" if present else "checklist--todo"))
                text.append(CHECKLIST_LABELS[kind].ljust(label_width), style("checklist--done" if present else "checklist--todo"))
                if present and isinstance(first, float):
                    text.append(clock(first), style("checklist--time"))
        self.show_text(text)


class TwoColumns(Vertical):
    """Rows of (label, text) where long text wraps under itself, not under the label."""

    DEFAULT_CSS = """
    TwoColumns { height: auto; }
    TwoColumns > .row { height: auto; }
    TwoColumns > .row > .left { width: auto; padding-right: 1; }
    TwoColumns > .row > .right { width: 1fr; }
    """

    def __init__(self, rows: Sequence[tuple[str | Text, str | Text]] = (), left_width: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows = list(rows)
        self._left_width = left_width

    def compose(self):
        yield from self._row_widgets(self._rows)

    def show(self, rows: Sequence[tuple[str | Text, str | Text]]) -> None:
        self._rows = list(rows)
        self.remove_children()
        self.mount_all(self._row_widgets(self._rows))

    def _row_widgets(self, rows):
        width = self._left_width or max((Text(left).cell_len if isinstance(left, str) else left.cell_len for left, _ in rows), default=0)
        for left, right in rows:
            label = Static(left, classes="left")
            label.styles.width = width + 1
            yield Horizontal(label, Static(right, classes="right"), classes="row")

    @property
    def plain_text(self) -> str:
        """The rows as plain lines (for tests and screen readers)."""
        return "\n".join(f"{_plain(left)} {_plain(right)}" for left, right in self._rows)


def _plain(value: str | Text) -> str:
    return value.plain if isinstance(value, Text) else value
