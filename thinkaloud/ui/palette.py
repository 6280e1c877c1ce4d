"""One colour per signal kind, shared by every widget that shows signals.

The looks come from `thinkaloud.kinds`; `KIND_CSS` turns them into component
classes (`.kind--tradeoff`, `.tag--tradeoff`, ...) that the app loads beside
`thinkaloud.tcss`.  Widgets that draw signals mix in `KindStyles` to look them
up, so restyling a kind is a change to its row in the table of kinds.
"""

from __future__ import annotations

from rich.style import Style

from thinkaloud.kinds import KINDS, PHRASE_KINDS, SENTENCE_KINDS, SHIFT_LOOKS, looks

#: Every mark with its own colour; topic shifts are split into signposted ("shift") and abrupt ("jump").
STYLED_KINDS: tuple[str, ...] = tuple(look.name for look in looks())

#: Single-character marks for the timeline, where a cell is one character wide.
KIND_GLYPHS: dict[str, str] = {look.name: look.letter for look in looks()}

#: Which mark wins when several kinds start in the same timeline cell (earlier wins).
MARK_PRIORITY: tuple[str, ...] = (
    SHIFT_LOOKS[False].name, SHIFT_LOOKS[True].name, *SENTENCE_KINDS, *reversed(PHRASE_KINDS),
)

LABELS: dict[str, str] = {**{kind.name: kind.label for kind in KINDS}, **{look.name: look.label for look in looks()}}

#: What each mark means, for the legend.
MEANINGS: dict[str, str] = {look.name: look.meaning for look in looks()}

_DARK_INK = "#101418"


def _css() -> str:
    rules = []
    for look in looks():
        phrase = look.name in PHRASE_KINDS
        rules.append(f".kind--{look.name} {{ color: ${look.name};{' text-style: italic;' if phrase else ''} }}")
        tag = f"color: ${look.name}; text-style: dim;" if phrase else f"color: {_DARK_INK}; background: ${look.name};"
        rules.append(f".tag--{look.name} {{ {tag} }}")
    return "\n".join(rules) + "\n"


#: The kinds' component classes, loaded by the app beside thinkaloud.tcss.
KIND_CSS = _css()

#: Each mark's colour as a CSS variable (`$tradeoff`), for these rules and thinkaloud.tcss alike.
KIND_CSS_VARIABLES: dict[str, str] = {look.name: look.term for look in looks()}

#: Widgets that draw signals declare these (Textual collects component classes only from widget classes).
KIND_COMPONENT_CLASSES: set[str] = {f"kind--{k}" for k in STYLED_KINDS} | {f"tag--{k}" for k in STYLED_KINDS}


class KindStyles:
    """Mixin for widgets that set `COMPONENT_CLASSES` to include `KIND_COMPONENT_CLASSES`."""

    def kind_style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"kind--{kind}", partial=True)  # type: ignore[attr-defined]

    def tag_style(self, kind: str) -> Style:
        return self.get_component_rich_style(f"tag--{kind}", partial=True)  # type: ignore[attr-defined]
