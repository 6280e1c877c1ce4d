"""The detectors, as registered spaCy components.

- `thinkaloud_cues`: one instance per kind (framing, assumption, tradeoff,
  limitation, recap, filler, hedge) matching that kind's pattern file plus the
  user's own cue phrases; cue spans go to `doc.spans[kind]`.
- `thinkaloud_weighing`: trade-offs expressed as a contrast between two
  evaluated sides ("quicker to train, but worse on rare classes"), which no
  fixed phrase catches; adds to `doc.spans["tradeoff"]`.
- `thinkaloud_speech_segmenter`: sentence boundaries for unpunctuated
  speech-recognition output, before the parser.

Topic shifts have their own module, `topics`.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from pathlib import Path

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from thinkaloud.nlp.cues import (
    CueMatcher,
    add_spans,
    clause_starts_at,
    has_sentences,
    load_pattern_file,
    load_word_lists,
    pattern_path,
    phrase_patterns,
)


@Language.factory(
    "thinkaloud_cues",
    default_config={"kind": "framing", "patterns_path": None, "extra_phrases": []},
)
def make_cue_detector(nlp: Language, name: str, kind: str, patterns_path: str | None, extra_phrases: list[str]):
    return CueDetector(nlp, kind, pattern_path(patterns_path, f"{kind}.jsonl"), extra_phrases)


class CueDetector:
    """Marks every cue of one kind; the pattern file documents what each group catches."""

    def __init__(self, nlp: Language, kind: str, patterns_path: Path, extra_phrases: Sequence[str] = ()):
        self.kind = kind
        patterns = list(load_pattern_file(patterns_path).patterns) + phrase_patterns(extra_phrases)
        self.matcher = CueMatcher(nlp, kind, patterns)

    def __call__(self, doc: Doc) -> Doc:
        add_spans(doc, self.kind, self.matcher(doc))
        return doc


#: Tokens that end a sentence in punctuated text.
SENTENCE_FINAL = frozenset({".", "?", "!", "...", "…", "?!", "!?"})


@Language.factory("thinkaloud_speech_segmenter", default_config={"patterns_path": None, "max_punct_gap": 30})
def make_speech_segmenter(nlp: Language, name: str, patterns_path: str | None, max_punct_gap: int):
    return SpeechSegmenter(pattern_path(patterns_path, "segmentation.jsonl"), max_punct_gap)


class SpeechSegmenter:
    """Sentence boundaries for unpunctuated speech-recognition output.

    Streaming ASR often produces lowercase run-on text with no full stops,
    on which the parser finds one sentence per paragraph; every detector that
    looks at "the sentence" then sees far too much.  When a text has fewer
    than one sentence-final mark per `max_punct_gap` tokens, this component
    (placed before the parser, which respects preset boundaries) marks a
    boundary before a discourse opener ("so", "also", "okay", ...) or before a
    subject followed by a verb ("... focusing on | i will assume ..."), unless
    the previous word cannot end a sentence ("the", "of", "would", ...).
    In punctuated text the punctuation decides: a sentence starts after a
    full stop, question or exclamation mark (or a line break) and nowhere
    else, so the parser never cuts a well-punctuated sentence in two (it did,
    at commas before "but also…", in real speech).
    """

    def __init__(self, patterns_path: Path, max_punct_gap: int):
        groups, _ = load_word_lists(patterns_path)
        self.openers = groups["opener"]
        self.subjects = groups["subject"]
        self.no_break_after = groups["no_break_after"]
        self.max_punct_gap = max_punct_gap

    def __call__(self, doc: Doc) -> Doc:
        if len(doc) < 2:
            return doc
        stops = sum(1 for t in doc if t.text in SENTENCE_FINAL)
        # Commas count as evidence of punctuation too: one long, carefully
        # punctuated sentence has a single full stop in many tokens.
        commas = sum(1 for t in doc if t.text == ",")
        if stops and (stops + commas) * self.max_punct_gap >= len(doc):
            self._follow_punctuation(doc)
            return doc
        has_tags = doc.has_annotation("TAG")
        starts = [_UNKNOWN] * len(doc)  # the parser decides where this says nothing
        for token in doc[1:]:
            previous = doc[token.i - 1]
            if previous.lower_ in self.no_break_after or previous.is_punct:
                continue
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if token.lower_ in self.openers:
                starts[token.i] = _START
            elif token.lower_ in self.subjects and following is not None and self._is_verb(following, has_tags):
                starts[token.i] = _START
        _set_sentence_starts(doc, starts)
        return doc

    @staticmethod
    def _follow_punctuation(doc: Doc) -> None:
        starts = [_START] + [_INSIDE] * (len(doc) - 1)
        ends_sentence = False
        for token in doc:
            if token.i > 0 and ends_sentence and not token.is_punct and not token.is_space:
                starts[token.i] = _START
                ends_sentence = False
            if token.text in SENTENCE_FINAL or "\n" in token.text:
                ends_sentence = True
            elif not (token.is_punct or token.is_space or token.is_quote):
                ends_sentence = False
        _set_sentence_starts(doc, starts)

    @staticmethod
    def _is_verb(token, has_tags: bool) -> bool:
        if has_tags:
            return token.tag_.startswith("VB") or token.tag_ == "MD"
        return token.lower_ in {"is", "are", "was", "were", "will", "would", "can", "could", "should", "'s", "'re", "'ll", "'d", "'m", "have", "has", "need", "want", "think"}


#: Values of spaCy's SENT_START attribute.
_START, _INSIDE, _UNKNOWN = 1, -1, 0


def _set_sentence_starts(doc: Doc, starts: list[int]) -> None:
    """Set every token's sentence start at once.  Token by token (`token.is_sent_start = …`)
    spaCy rereads the whole doc on each assignment, which made long transcripts quadratic."""
    if not len(doc) or not any(starts):
        return
    values = numpy.array(starts, dtype="int64").astype("uint64").reshape(-1, 1)
    doc.from_array([SENT_START], values)


def _reach(doc: Doc, start: int, words: int, limit: int, skip: set[int]) -> int:
    """The token `words` words from `start` (negative: leftwards), stopping at `limit`;
    punctuation and the tokens in `skip` (fillers) are not counted."""
    step = -1 if words < 0 else 1
    index, left = start, abs(words)
    while left and index != limit:
        index += step
        if not doc[index].is_punct and index not in skip:
            left -= 1
    return index


def _last_in(marked: list[int], start: int, end: int) -> list[int]:
    """The last of the sorted token indices `marked` in [start, end), as a list of zero or one."""
    index = bisect.bisect_left(marked, end) - 1
    return [marked[index]] if index >= 0 and marked[index] >= start else []


def _first_in(marked: list[int], start: int, end: int) -> list[int]:
    """The first of the sorted token indices `marked` in [start, end), as a list of zero or one."""
    index = bisect.bisect_left(marked, start)
    return [marked[index]] if index < len(marked) and marked[index] < end else []


@Language.factory("thinkaloud_weighing", default_config={"patterns_path": None})
def make_weighing_detector(nlp: Language, name: str, patterns_path: str | None):
    return WeighingDetector(nlp, pattern_path(patterns_path, "weighing.jsonl"))


class WeighingDetector:
    """A contrast between a gain and a price is a trade-off.

    Fires on a contrast connective ("but", "though", "while", ...) when one
    side names what an option buys and the other what it costs, or both sides
    compare ("faster but less accurate").  The left side is the clause before
    the connective, or the previous sentence when the connective opens its
    sentence ("It's cheap. But it's slow."); the right side runs to the end of
    the sentence.  The lexicons live in `weighing.jsonl`.

    Two rules keep it from reading every "but" in real speech as a trade-off:

    - The weighed words must stand close to the connective (`REACH` words
      either side, not counting punctuation and fillers such as "um" or "you
      know"): the two sides of a trade-off are the two conjuncts of the
      contrast.  A "good" or a "not" three clauses away belongs to another
      thought (in real, run-on speech nearly all such pairs were wrong).
    - Negation is a price only after the connective ("fast, but it doesn't
      scale").  Before it, "not X but Y" corrects X ("not as money, but as a
      friend") and "I don't know, but..." hedges; neither weighs anything.
    """

    #: How many words (punctuation and fillers aside) either side of the connective the weighed words may lie.
    REACH = 12

    def __init__(self, nlp: Language, patterns_path: Path):
        patterns = load_pattern_file(patterns_path).patterns
        by_group = {group: [p for p in patterns if p.group == group] for group in ("contrast", "comparative", "gain", "price")}
        # Negation is kept apart from the other price words: it weighs only after the connective.
        by_group["negation"] = [p for p in by_group["price"] if p.id == "negation"]
        by_group["price"] = [p for p in by_group["price"] if p.id != "negation"]
        self.connectives = CueMatcher(nlp, "contrast", by_group["contrast"])
        self.lexicons = {
            group: CueMatcher(nlp, group, by_group[group]) for group in ("comparative", "gain", "price", "negation")
        }

    def __call__(self, doc: Doc) -> Doc:
        marks: dict[str, list[int]] = {
            group: sorted({t for span in matcher(doc) for t in range(span.start, span.end)})
            for group, matcher in self.lexicons.items()
        }
        filler = {t for span in doc.spans.get("filler", ()) for t in range(span.start, span.end)}
        found = []
        for connective in self.connectives(doc):
            sentence = doc[connective.start].sent if has_sentences(doc) else doc[:]
            left_start = sentence.start
            if clause_starts_at(doc[connective.start]) and connective.start - sentence.start <= 2 and sentence.start > 0:
                left_start = doc[sentence.start - 1].sent.start
            left_start = _reach(doc, connective.start, -self.REACH, left_start, filler)
            right_end = _reach(doc, connective.end - 1, self.REACH, sentence.end - 1, filler) + 1
            # Only the nearest weighed word on each side matters, so look it up
            # rather than scan the sides: a long run-on sentence stays linear.
            sides = {
                name: (_last_in(marks[name], left_start, connective.start), _first_in(marks[name], connective.end, right_end))
                for name in ("comparative", "gain", "price")
            }
            # Negation weighs only after the connective, so only the right side looks for it.
            right_price = sides["price"][1] + _first_in(marks["negation"], connective.end, right_end)
            sides["price"] = (sides["price"][0], sorted(right_price)[:1])
            pair = self._weighed_pair(sides)
            if pair is not None:
                found.append(Span(doc, pair[0], pair[1] + 1, label="tradeoff", span_id="weighing"))
        add_spans(doc, "tradeoff", found)
        return doc

    @staticmethod
    def _weighed_pair(sides: dict[str, tuple[list[int], list[int]]]) -> tuple[int, int] | None:
        """The last weighed word before the connective and the first after it, if the sides weigh."""
        comparative, gain, price = sides["comparative"], sides["gain"], sides["price"]
        left_gain = comparative[0] + gain[0]
        left_price = comparative[0] + price[0]
        right_price = comparative[1] + price[1]
        right_gain = comparative[1] + gain[1]
        if left_gain and right_price:
            return max(left_gain), min(right_price)
        if left_price and right_gain and (gain[1] or comparative[1]):
            return max(left_price), min(right_gain)
        return None
