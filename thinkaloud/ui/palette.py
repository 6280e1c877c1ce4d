"""One colour per signal kind, shared by every widget that shows signals.

The colours themselves live in `thinkaloud.tcss` as component classes
(`.kind--tradeoff`, `.tag--tradeoff`, ...); widgets that draw signals mix in
`KindStyles` to look them up, so restyling a kind is a one-line CSS change.
"""

from __future__ import annotations

from rich.style import Style

from thinkaloud.types import KIND_LABELS

#: Kinds with their own colour; topic shifts are split into signposted ("shift") and abrupt ("jump").
STYLED_KINDS: tuple[str, ...] = (
    "framing", "assumption", "tradeoff", "limitation", "recap", "filler", "hedge", "silence", "shift", "jump",
)

#: Single-character marks for the timeline, where a cell is one character wide.
KIND_GLYPHS: dict[str, str] = {
    "framing": "F",
    "assumption": "A",
    "tradeoff": "T",
    "limitation": "L",
    "recap": "R",
    "filler": "•",
    "hedge": "~",
    "silence": "‖",
    "shift": "↪",
    "jump": "↯",
}

#: Which mark wins when several kinds start in the same timeline cell (earlier wins).
MARK_PRIORITY: tuple[str, ...] = ("jump", "shift", "framing", "assumption", "tradeoff", "limitation", "recap", "hedge", "filler")

LABELS: dict[str, str] = {**KIND_LABELS, "shift": "signposted shift", "jump": "abrupt jump"}


#: Widgets that draw signals declare these (Textual collects component classes only from widget classes).
KIND_COMPONENT_CLASSES: set[str] = {f"kind--{k}" for k in STYLED_KINDS} | {f"tag--{k}" for k in STYLED_KINDS}


class KindStyles:
    """Mixin for widgets that set `COMPONENT_CLASSES` to include `KIND_COMPONENT_CLASSES`."""

    def kind_style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"kind--{kind}", partial=True)  # type: ignore[attr-defined]

    def tag_style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"tag--{kind}", partial=True)  # type: ignore[attr-defined]
