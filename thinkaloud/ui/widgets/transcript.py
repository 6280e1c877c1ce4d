"""The transcript, with every signal highlighted in its kind's colour and labelled.

`BlockRenderer` turns `thinkaloud.annotation` blocks into Rich text; the
live view shows them as one growing text that follows the speaker (unless
they scroll back), and the summary view shows one sentence per line so a
selected signal can be scrolled to and lit up.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from thinkaloud.annotation import Block, PauseMark, Span, Tag, Tentative
from thinkaloud.kinds import PHRASE_KINDS
from thinkaloud.timefmt import clock, length
from thinkaloud.ui.palette import KIND_COMPONENT_CLASSES, LABELS, KindStyles

RULE = "─"
#: Joins the words of a label so it wraps as one.  Textual breaks lines at any
#: Unicode space (a no-break space included), so this is a blank Braille cell:
#: one column wide, drawn empty, and not a space to the line breaker.
GLUE = "\u2800"
JUMP_RULE = "━"


class BlockRenderer(KindStyles):
    """Rich text for annotation blocks, styled from the widget's component classes."""

    def text_block(self, block: Block) -> Text:
        text = Text()
        for piece in block.pieces:
            if isinstance(piece, Span):
                text.append(piece.text, self._span_style(piece))
            elif isinstance(piece, Tag):
                text.append_text(self._tag(piece))
            elif isinstance(piece, PauseMark):
                text.append(" ")
                text.append(_unbreakable(f" ‖ quiet {length(piece.duration_s)} "), self.tag_style("silence"))
                text.append(" ")
            elif isinstance(piece, Tentative):
                if text.plain and not text.plain.endswith(" "):
                    text.append(" ")
                text.append(piece.text, self.get_component_rich_style("transcript--tentative"))  # type: ignore[attr-defined]
        return text

    def shift_line(self, block: Block, width: int) -> Text:
        signal = block.shift
        kind = "shift" if block.signposted else "jump"
        glyph = "↪" if block.signposted else "↯"
        when = f" {clock(signal.start)}" if signal is not None and signal.start is not None else ""
        if block.signposted:
            cue = _short(signal.cue if signal is not None else "", 32)
            label = f"{glyph} signposted shift" + (f" “{cue}”" if cue else "") + when
        else:
            label = f"{glyph} abrupt jump: no transition{when}"
        rule = RULE if block.signposted else JUMP_RULE
        line = Text(f"{rule * 2} ", self.kind_style(kind))
        line.append(label, self.kind_style(kind) + Style(bold=not block.signposted))
        fill = max(2, width - line.cell_len - 1)
        line.append(" " + rule * fill, self.kind_style(kind))
        line.truncate(max(width, 10))
        return line

    def _span_style(self, span: Span) -> Style:
        style = Style()
        if span.sentence_kinds:
            style += self.kind_style(span.sentence_kinds[0])
        if span.is_cue:
            style += self.get_component_rich_style("transcript--cue", partial=True)  # type: ignore[attr-defined]
        if span.phrase_kind:
            style += self.kind_style(span.phrase_kind)
        if span.is_revised:
            style += self.get_component_rich_style("transcript--revised", partial=True)  # type: ignore[attr-defined]
        return style

    def _tag(self, tag: Tag) -> Text:
        label = " · ".join(LABELS[k] for k in tag.kinds)
        if tag.kinds[0] in PHRASE_KINDS:
            # Phrase tags trail the phrase, small and unobtrusive.
            return Text(_unbreakable(f"‹{label}›"), self.tag_style(tag.kinds[0]))
        return Text.assemble(Text(_unbreakable(f" {label} "), self.tag_style(tag.kinds[0])), " ")


def _unbreakable(text: str) -> str:
    """A label that wraps as one word, never across lines."""
    return text.replace(" ", GLUE)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


TRANSCRIPT_CLASSES = KIND_COMPONENT_CLASSES | {"transcript--tentative", "transcript--revised", "transcript--cue", "transcript--placeholder"}


class LiveTranscript(BlockRenderer, VerticalScroll):
    """The growing transcript, a line per sentence; follows the newest words unless the reader scrolled back.

    Only lines whose content changed are redrawn, so a word arriving in a
    ten-minute answer costs one sentence's layout, not the whole answer's.
    """

    COMPONENT_CLASSES = TRANSCRIPT_CLASSES
    can_focus = True

    def __init__(self, placeholder: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self._placeholder = placeholder
        self._lines: list[SentenceLine | ShiftLine] = []

    def compose(self):
        yield Static(classes="placeholder")

    def on_mount(self) -> None:
        style = self.get_component_rich_style("transcript--placeholder")
        self.query_one(".placeholder", Static).update(Text(self._placeholder, style))

    def show(self, blocks: Sequence[Block]) -> None:
        following = self.scroll_y >= self.max_scroll_y - 1
        self.query_one(".placeholder").display = not blocks
        new: list[SentenceLine | ShiftLine] = []
        for index, block in enumerate(blocks):
            line = self._lines[index] if index < len(self._lines) else None
            if block.kind == "text" and isinstance(line, SentenceLine):
                line.show(self.text_block(block))
            elif block.kind == "shift" and isinstance(line, ShiftLine):
                line.show(block)
            else:
                # A line of another kind (a topic marker arrived late): redo from here.
                for stale in self._lines[index:]:
                    stale.remove()
                del self._lines[index:]
                line = SentenceLine(self.text_block(block), index) if block.kind == "text" else ShiftLine(block, index)
                self._lines.append(line)
                new.append(line)
        for stale in self._lines[len(blocks):]:
            stale.remove()
        del self._lines[len(blocks):]
        if new:
            self.mount_all(new)
        if following:
            self.call_after_refresh(self.scroll_end, animate=False)

    @property
    def texts(self) -> list[Text]:
        """Each line as drawn (topic markers at a nominal width)."""
        return [line.text if isinstance(line, SentenceLine) else line.shift_line(line.block, 72) for line in self._lines]

    @property
    def plain_text(self) -> str:
        """What the transcript shows, without styles (for tests and screen readers)."""
        return "\n".join(text.plain for text in self.texts).replace(GLUE, " ")


class SentenceLine(Static):
    """One sentence of the transcript."""

    DEFAULT_CLASSES = "sentence"

    def __init__(self, content: Text, block_index: int, **kwargs) -> None:
        super().__init__(content, **kwargs)
        self.text = content
        self.block_index = block_index

    def show(self, content: Text) -> None:
        if content != self.text:
            self.text = content
            self.update(content)


class ShiftLine(BlockRenderer, Widget):
    """A topic-shift marker that rules across whatever width it is given."""

    COMPONENT_CLASSES = TRANSCRIPT_CLASSES
    DEFAULT_CLASSES = "shift-marker"

    def __init__(self, block: Block, block_index: int, **kwargs) -> None:
        super().__init__(**kwargs)
        self.block = block
        self.block_index = block_index

    def show(self, block: Block) -> None:
        if block != self.block:
            self.block = block
            self.refresh()

    def render(self) -> Text:
        return self.shift_line(self.block, self.content_region.width)


class SummaryTranscript(BlockRenderer, VerticalScroll):
    """The finished transcript, one sentence per line, that can jump to any of them."""

    COMPONENT_CLASSES = TRANSCRIPT_CLASSES
    can_focus = True

    def __init__(self, blocks: Sequence[Block], **kwargs) -> None:
        super().__init__(**kwargs)
        self._blocks = list(blocks)
        self.current: int | None = None

    def on_mount(self) -> None:
        lines: list[Widget] = []
        for index, block in enumerate(self._blocks):
            if block.kind == "text":
                lines.append(SentenceLine(self.text_block(block), index))
            else:
                lines.append(ShiftLine(block, index))
        if not lines:
            lines.append(Static(Text("(no words were recognised)", self.get_component_rich_style("transcript--placeholder"))))
        self.mount_all(lines)

    def jump_to(self, block_index: int | None) -> None:
        """Scroll `block_index` into the middle of the view and light it up."""
        lines = [line for line in self.children if isinstance(line, (SentenceLine, ShiftLine))]
        for line in lines:
            line.set_class(line.block_index == block_index, "-current")
        self.current = block_index
        target = next((line for line in lines if line.block_index == block_index), None)
        if target is not None:
            self.scroll_to_widget(target, animate=False, center=True)
