"""The timeline strip: speech and silence across the answer, a mark for each signal.

Three rows: the marks, the activity bar, and a time axis.  The cells come
from `thinkaloud.rehearsal_state.timeline_cells`; this widget only draws
them at whatever width it has.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual.widget import Widget

from thinkaloud.rehearsal_state import TimelineCell
from thinkaloud.timefmt import clock
from thinkaloud.ui.palette import (
    KIND_COMPONENT_CLASSES,
    KIND_GLYPHS,
    MARK_PRIORITY,
    KindStyles,
)

ACTIVITY_GLYPHS = {"speech": "█", "pause": "▁", "silence": "░", "future": "·"}

#: width -> (cells, span in seconds)
CellSource = Callable[[int], tuple[Sequence[TimelineCell], float]]


class TimelineStrip(KindStyles, Widget):
    COMPONENT_CLASSES = KIND_COMPONENT_CLASSES | {
        "timeline--speech", "timeline--pause", "timeline--silence", "timeline--future", "timeline--axis",
    }

    def __init__(self, source: CellSource | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self._source = source
        self._key: object = None

    def show(self, source: CellSource, key: object = None) -> None:
        """Draw from `source`; when `key` is given, only if it differs from the last one (nothing moved)."""
        if key is not None and key == self._key:
            return
        self._key = key
        self._source = source
        self.refresh()

    def render(self) -> Text:
        width = self.content_region.width
        if self._source is None or width <= 0:
            return Text()
        cells, span_s = self._source(width)
        marks, bar = Text(), Text()
        for cell in cells:
            mark = next((m for m in MARK_PRIORITY if m in cell.marks), None)
            marks.append(KIND_GLYPHS[mark] if mark else " ", self.kind_style(mark) if mark else "")
            bar.append(ACTIVITY_GLYPHS[cell.activity], self.get_component_rich_style(f"timeline--{cell.activity}"))
        return Text("\n").join([marks, bar, self._axis(width, span_s)])

    def _axis(self, width: int, span_s: float) -> Text:
        """Times at the start, middle and end of the strip."""
        style = self.get_component_rich_style("timeline--axis")
        line = [" "] * width
        labels = [(0, clock(0)), (width // 2, clock(span_s / 2)), (width, clock(span_s))]
        for position, label in labels:
            start = min(max(0, position - len(label) // 2), width - len(label))
            if position == 0:
                start = 0
            if start < 0:
                continue
            line[start : start + len(label)] = list(label)
        return Text("".join(line)[:width], style)
