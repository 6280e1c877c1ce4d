"""Marking up a transcript with its signals, ready for any presentation to style.

Given the transcript text and signals whose character offsets index into it,
`annotate` cuts the text into blocks of pieces: spans of text that know
which signals cover them, small tags naming those signals, marks where a long
silence fell, and marker blocks where the topic shifted.  The live screen,
the summary screen (and any export) render the same blocks their own way, so
what counts as "highlighted" is decided once, here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from thinkaloud.kinds import PHRASE_KINDS, SENTENCE_KINDS
from thinkaloud.types import Signal, Word


@dataclass(frozen=True, slots=True)
class Span:
    """A run of transcript text and the signals that cover all of it."""

    text: str
    char_start: int
    sentence_kinds: tuple[str, ...] = ()  # structure kinds of the sentence around it
    phrase_kind: str | None = None  # filler or hedge, when the run is such a phrase
    is_cue: bool = False  # the words that made a sentence-level detector fire
    is_revised: bool = False  # words a final just changed (live only)


@dataclass(frozen=True, slots=True)
class Tag:
    """A small label naming the signals that start (sentence kinds) or end (phrases) here."""

    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PauseMark:
    """A long silence that fell at this point of the text."""

    duration_s: float


@dataclass(frozen=True, slots=True)
class Tentative:
    """Words the recogniser may still change (live only)."""

    text: str


Piece = Span | Tag | PauseMark | Tentative


@dataclass(frozen=True, slots=True)
class Block:
    """A paragraph of pieces, or (kind "shift") the marker line for a topic shift."""

    kind: Literal["text", "shift"]
    char_start: int
    pieces: tuple[Piece, ...] = ()
    shift: Signal | None = None

    @property
    def signposted(self) -> bool:
        return bool(self.shift and self.shift.signposted)


@dataclass(frozen=True, slots=True)
class Pause:
    """A long silence placed at a character position of the transcript."""

    char_pos: int
    duration_s: float


@dataclass(slots=True)
class _Marks:
    sentence: list[tuple[int, int, str]] = field(default_factory=list)
    phrases: list[tuple[int, int, str]] = field(default_factory=list)
    cues: list[tuple[int, int]] = field(default_factory=list)
    shifts: dict[int, Signal] = field(default_factory=dict)


def annotate(
    text: str,
    signals: Iterable[Signal],
    pauses: Sequence[Pause] = (),
    breaks: Iterable[int] = (),
    tentative: str = "",
    revised: Sequence[tuple[int, int]] = (),
) -> list[Block]:
    """Cut `text` into blocks of annotated pieces.

    `signals` must have character offsets into `text` (others are skipped);
    `breaks` are extra positions where a new block starts (sentence starts,
    for a screen that shows one sentence per block); `tentative` is appended
    to the last block; `revised` are character ranges of words to mark as
    just changed.
    """
    marks = _collect(text, signals)
    revised = [(start, end) for start, end in revised if 0 <= start < end <= len(text)]
    boundaries = {0, len(text)}
    for start, end in revised:
        boundaries.update((start, end))
    for start, end, _ in marks.sentence + marks.phrases:
        boundaries.update((start, end))
    for start, end in marks.cues:
        boundaries.update((start, end))
    block_starts = {b for b in breaks if 0 < b < len(text)} | {s for s in marks.shifts if 0 <= s < len(text)}
    boundaries |= block_starts
    boundaries |= {p.char_pos for p in pauses if 0 <= p.char_pos <= len(text)}
    cuts = sorted(b for b in boundaries if 0 <= b <= len(text))
    pauses_at: dict[int, list[Pause]] = {}
    for pause in pauses:
        pauses_at.setdefault(min(max(pause.char_pos, 0), len(text)), []).append(pause)

    # One sweep over the cut points, keeping count of the marks open at each,
    # so a long answer with many signals costs time linear in its length.
    opening, closing = _by_position(marks)
    open_sentences: dict[str, int] = dict.fromkeys(SENTENCE_KINDS, 0)
    open_phrases: list[tuple[int, str]] = []  # (start, kind), earliest first
    open_cues = 0

    blocks: list[Block] = []
    pieces: list[Piece] = []
    block_start = 0

    def close_block(next_start: int) -> None:
        nonlocal pieces, block_start
        if any(not isinstance(p, Span) or p.text.strip() for p in pieces):
            blocks.append(Block("text", block_start, tuple(_strip_ends(pieces))))
        pieces = []
        block_start = next_start

    for index, position in enumerate(cuts):
        for kind in closing.sentence.get(position, ()):
            open_sentences[kind] -= 1
        for start, kind in closing.phrases.get(position, ()):
            open_phrases.remove((start, kind))
        open_cues -= closing.cues.get(position, 0)
        if position in block_starts:
            close_block(position)
        if position in marks.shifts:
            blocks.append(Block("shift", position, shift=marks.shifts[position]))
        for pause in pauses_at.get(position, ()):
            pieces.append(PauseMark(pause.duration_s))
        starting = opening.sentence.get(position, ())
        for kind in starting:
            open_sentences[kind] += 1
        if starting:
            pieces.append(Tag(tuple(k for k in SENTENCE_KINDS if k in starting)))
        for start, kind in opening.phrases.get(position, ()):
            open_phrases.append((start, kind))
        open_cues += opening.cues.get(position, 0)
        if index + 1 == len(cuts):
            break
        end = cuts[index + 1]
        sentence_kinds = tuple(k for k in SENTENCE_KINDS if open_sentences[k] > 0)
        phrase = open_phrases[0][1] if open_phrases else None
        changed = any(start <= position and end <= stop for start, stop in revised)
        pieces.append(Span(text[position:end], position, sentence_kinds, phrase, open_cues > 0, changed))
        ending = tuple(dict.fromkeys(kind for _, kind in closing.phrases.get(end, ())))
        if ending:
            pieces.append(Tag(ending))
    if tentative.strip():
        pieces.append(Tentative(tentative.strip()))
    close_block(len(text))
    return _merge_spans(blocks)


@dataclass(slots=True)
class _Edges:
    """Marks that open (or close) at each position."""

    sentence: dict[int, list[str]] = field(default_factory=dict)
    phrases: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    cues: dict[int, int] = field(default_factory=dict)


def _by_position(marks: _Marks) -> tuple[_Edges, _Edges]:
    opening, closing = _Edges(), _Edges()
    for start, end, kind in marks.sentence:
        opening.sentence.setdefault(start, []).append(kind)
        closing.sentence.setdefault(end, []).append(kind)
    for start, end, kind in marks.phrases:
        opening.phrases.setdefault(start, []).append((start, kind))
        closing.phrases.setdefault(end, []).append((start, kind))
    for start, end in marks.cues:
        opening.cues[start] = opening.cues.get(start, 0) + 1
        closing.cues[end] = closing.cues.get(end, 0) + 1
    return opening, closing


def _collect(text: str, signals: Iterable[Signal]) -> _Marks:
    marks = _Marks()
    for signal in signals:
        start, end = signal.char_start, signal.char_end
        if start is None or end is None or not 0 <= start < end <= len(text):
            continue
        if signal.kind in SENTENCE_KINDS:
            marks.sentence.append((start, end, signal.kind))
            marks.cues.extend(cue_positions(text, start, end, signal.cue))
        elif signal.kind in PHRASE_KINDS:
            marks.phrases.append((start, end, signal.kind))
        elif signal.kind == "topic_shift":
            marks.shifts.setdefault(start, signal)
    # Overlapping phrases (a hedge inside a filler) would split each other into
    # fragments; the earlier-starting phrase wins the overlap.
    marks.phrases.sort()
    kept: list[tuple[int, int, str]] = []
    for phrase in marks.phrases:
        if kept and phrase[0] < kept[-1][1]:
            continue
        kept.append(phrase)
    marks.phrases = kept
    return marks


def cue_positions(text: str, start: int, end: int, cue: str) -> list[tuple[int, int]]:
    """Where the cue phrases of a sentence-level signal occur inside its sentence."""
    found = []
    sentence = text[start:end].lower()
    for phrase in (p.strip().lower() for p in cue.split(";")):
        if not phrase:
            continue
        match = re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", sentence)
        if match:
            found.append((start + match.start(), start + match.end()))
    return found


def _strip_ends(pieces: list[Piece]) -> list[Piece]:
    """Blocks start and end on words, not on the spaces between sentences."""
    spans = [i for i, p in enumerate(pieces) if isinstance(p, Span)]
    if spans:
        first, last = spans[0], spans[-1]
        head = pieces[first]
        assert isinstance(head, Span)
        stripped = head.text.lstrip()
        pieces[first] = Span(stripped, head.char_start + len(head.text) - len(stripped), head.sentence_kinds, head.phrase_kind, head.is_cue)
        tail = pieces[last]
        assert isinstance(tail, Span)
        pieces[last] = Span(tail.text.rstrip(), tail.char_start, tail.sentence_kinds, tail.phrase_kind, tail.is_cue)
    return [p for p in pieces if not (isinstance(p, Span) and not p.text)]


def _merge_spans(blocks: list[Block]) -> list[Block]:
    """Join neighbouring spans that look the same, so renderers see few, long runs."""
    merged = []
    for block in blocks:
        pieces: list[Piece] = []
        for piece in block.pieces:
            previous = pieces[-1] if pieces else None
            if (
                isinstance(piece, Span)
                and isinstance(previous, Span)
                and (previous.sentence_kinds, previous.phrase_kind, previous.is_cue, previous.is_revised)
                == (piece.sentence_kinds, piece.phrase_kind, piece.is_cue, piece.is_revised)
            ):
                pieces[-1] = Span(
                    previous.text + piece.text, previous.char_start, piece.sentence_kinds, piece.phrase_kind, piece.is_cue, piece.is_revised
                )
            else:
                pieces.append(piece)
        merged.append(Block(block.kind, block.char_start, tuple(pieces), block.shift))
    return merged


def char_position_at(words: Sequence[Word], seconds: float) -> int:
    """The place in the text reached by `seconds`: just after the last word that ended by then."""
    ends = [w.end if w.end is not None else float("-inf") for w in words]
    index = bisect.bisect_right(ends, seconds + 0.05)
    return words[index - 1].char_end if index else 0


def silence_pauses(words: Sequence[Word], signals: Iterable[Signal]) -> list[Pause]:
    """Long silences (by time) placed between the words they fell between."""
    pauses = []
    for signal in signals:
        if signal.kind == "silence" and signal.start is not None and signal.end is not None:
            pauses.append(Pause(char_position_at(words, signal.start), signal.end - signal.start))
    return pauses


def block_index_for(blocks: Sequence[Block], char_pos: int) -> int | None:
    """Which text block holds `char_pos` (the last one starting at or before it)."""
    best = None
    for index, block in enumerate(blocks):
        if block.kind != "text":
            continue
        if block.char_start <= char_pos:
            best = index
        elif best is not None:
            break
        else:
            return index
    return best
