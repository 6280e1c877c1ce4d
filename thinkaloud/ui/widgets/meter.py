"""The input level meter: is the microphone hearing me, and am I clipping?"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

FLOOR_DBFS = -60.0
HOT_DBFS = -6.0
CLIP_DBFS = -1.0


class LevelMeter(Widget):
    COMPONENT_CLASSES = {"meter--low", "meter--ok", "meter--hot", "meter--empty", "meter--peak", "meter--label"}

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rms: float | None = None
        self._peak: float | None = None

    def show(self, rms_dbfs: float | None, peak_dbfs: float | None) -> None:
        if (rms_dbfs, peak_dbfs) != (self._rms, self._peak):
            self._rms, self._peak = rms_dbfs, peak_dbfs
            self.refresh()

    def render(self) -> Text:
        style = self.get_component_rich_style
        label = Text("Input ", style("meter--label"))
        if self._rms is None:
            return label + Text("—", style("meter--empty"))
        reading = f" {max(self._rms, -99):.0f} dB"
        width = max(4, self.content_region.width - label.cell_len - len(" -99 dB"))
        filled = round(width * _fraction(self._rms))
        peak_at = round((width - 1) * _fraction(self._peak)) if self._peak is not None and self._peak > FLOOR_DBFS else -1
        level = "meter--hot" if (self._peak or FLOOR_DBFS) >= CLIP_DBFS or self._rms >= HOT_DBFS else ("meter--ok" if self._rms > -45 else "meter--low")
        bar = Text()
        for index in range(width):
            if index < filled:
                bar.append("▆", style(level))
            elif index == peak_at:
                bar.append("▆", style("meter--peak"))
            else:
                bar.append("▁", style("meter--empty"))
        return label + bar + Text(reading, style("meter--label"))


def _fraction(dbfs: float) -> float:
    return min(1.0, max(0.0, (dbfs - FLOOR_DBFS) / -FLOOR_DBFS))
