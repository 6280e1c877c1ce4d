"""The list of a finished take's signals; choosing one shows it in the transcript."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from thinkaloud.kinds import mark_of
from thinkaloud.timefmt import clock, length
from thinkaloud.types import Signal
from thinkaloud.ui.palette import (
    KIND_COMPONENT_CLASSES,
    KIND_GLYPHS,
    LABELS,
    KindStyles,
)

QUOTE_LIMIT = 90


class SignalList(KindStyles, OptionList):
    """One line per signal: when, what kind, and the words that carried it."""

    COMPONENT_CLASSES = OptionList.COMPONENT_CLASSES | KIND_COMPONENT_CLASSES

    def __init__(self, signals: Sequence[Signal], **kwargs) -> None:
        super().__init__(**kwargs)
        self.signals = list(signals)

    def on_mount(self) -> None:
        self.add_options([Option(self._prompt(s), id=f"signal-{i}") for i, s in enumerate(self.signals)])
        if self.signals:
            self.highlighted = 0

    def _prompt(self, signal: Signal) -> Text:
        mark = mark_of(signal.kind, signal.signposted)
        text = Text()
        text.append(f"{clock(signal.start):>5} ", "dim")
        text.append(f"{KIND_GLYPHS[mark]} ", self.kind_style(mark))
        text.append(f"{LABELS[mark]:<17}", self.kind_style(mark))
        if signal.kind == "silence" and signal.end is not None and signal.start is not None:
            text.append(f"{length(signal.end - signal.start)} without speech")
        else:
            words = " ".join(signal.text.split())
            if len(words) > QUOTE_LIMIT:
                words = words[: QUOTE_LIMIT - 1].rstrip() + "…"
            text.append(f"“{words}”")
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text

    def signal_at(self, option_index: int | None) -> Signal | None:
        if option_index is None or not 0 <= option_index < len(self.signals):
            return None
        return self.signals[option_index]
