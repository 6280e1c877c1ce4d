"""The detectors, as registered spaCy components.

- `thinkaloud_cues`: one instance per kind (framing, assumption, tradeoff,
  limitation, recap, filler, hedge) matching that kind's pattern file plus the
  user's own cue phrases; cue spans go to `doc.spans[kind]`.
- `thinkaloud_weighing`: trade-offs expressed as a contrast between two
  evaluated sides ("quicker to train, but worse on rare classes"), which no
  fixed phrase catches; adds to `doc.spans["tradeoff"]`.
- `thinkaloud_topic_shifts`: signposted transitions and abrupt jumps (a
  stretch of speech that shares no content words with anything before it);
  spans go to `doc.spans["topic_shift"]`, labelled "signposted" or "abrupt".
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from thinkaloud.nlp.cues import PATTERN_DIR, CueMatcher, clause_starts_at, load_pattern_file, phrase_patterns


def _pattern_path(configured: str | None, default_name: str) -> Path:
    return Path(configured) if configured else PATTERN_DIR / default_name


def _set_spans(doc: Doc, key: str, spans: Sequence[Span]) -> None:
    existing = list(doc.spans[key]) if key in doc.spans else []
    doc.spans[key] = filter_spans(existing + list(spans))


@Language.factory(
    "thinkaloud_cues",
    default_config={"kind": "framing", "patterns_path": None, "extra_phrases": []},
)
def make_cue_detector(nlp: Language, name: str, kind: str, patterns_path: str | None, extra_phrases: list[str]):
    return CueDetector(nlp, kind, _pattern_path(patterns_path, f"{kind}.jsonl"), extra_phrases)


class CueDetector:
    """Marks every cue of one kind; the pattern file documents what each group catches."""

    def __init__(self, nlp: Language, kind: str, patterns_path: Path, extra_phrases: Sequence[str] = ()):
        self.kind = kind
        patterns = list(load_pattern_file(patterns_path).patterns) + phrase_patterns(extra_phrases)
        self.matcher = CueMatcher(nlp, kind, patterns)

    def __call__(self, doc: Doc) -> Doc:
        _set_spans(doc, self.kind, self.matcher(doc))
        return doc


@Language.factory("thinkaloud_weighing", default_config={"patterns_path": None})
def make_weighing_detector(nlp: Language, name: str, patterns_path: str | None):
    return WeighingDetector(nlp, _pattern_path(patterns_path, "weighing.jsonl"))


class WeighingDetector:
    """A contrast connective with an evaluated option on each side is a trade-off.

    The left side is the clause before the connective, or the previous
    sentence when the connective opens its sentence ("It's cheap. But it's
    slow."); the right side runs to the end of the sentence.
    """

    def __init__(self, nlp: Language, patterns_path: Path):
        patterns = load_pattern_file(patterns_path).patterns
        self.connectives = CueMatcher(nlp, "contrast", [p for p in patterns if p.group == "contrast"])
        self.evaluative = CueMatcher(nlp, "evaluative", [p for p in patterns if p.group == "evaluative"])

    def __call__(self, doc: Doc) -> Doc:
        evaluated = {t for span in self.evaluative(doc) for t in range(span.start, span.end)}
        found = []
        for connective in self.connectives(doc):
            sentence = doc[connective.start].sent if doc.has_annotation("SENT_START") else doc[:]
            left_start = sentence.start
            if clause_starts_at(doc[connective.start]) and connective.start - sentence.start <= 2 and sentence.start > 0:
                left_start = doc[sentence.start - 1].sent.start
            left = [i for i in range(left_start, connective.start) if i in evaluated]
            right = [i for i in range(connective.end, sentence.end) if i in evaluated]
            if left and right:
                found.append(Span(doc, left[-1], right[0] + 1, label="tradeoff", span_id="weighing"))
        _set_spans(doc, "tradeoff", found)
        return doc


@Language.factory(
    "thinkaloud_topic_shifts",
    default_config={"patterns_path": None, "extra_phrases": [], "min_terms": 2, "min_context_terms": 8},
)
def make_topic_shift_detector(
    nlp: Language, name: str, patterns_path: str | None, extra_phrases: list[str], min_terms: int, min_context_terms: int
):
    return TopicShiftDetector(nlp, _pattern_path(patterns_path, "topic_shift.jsonl"), extra_phrases, min_terms, min_context_terms)


CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ"})


def content_terms(sentence: Span) -> set[str]:
    """The lemmas that carry a sentence's subject matter."""
    has_pos = sentence.doc.has_annotation("POS")
    has_lemma = sentence.doc.has_annotation("LEMMA")
    terms = set()
    for token in sentence:
        if not token.is_alpha or token.is_stop or len(token) < 3:
            continue
        if has_pos and token.pos_ not in CONTENT_POS:
            continue
        # Both spellings: the lemmatizer is not consistent in speech-like text
        # ("data" is sometimes "datum"), and either match is a real link.
        terms.add(_stem(token.lower_))
        if has_lemma:
            terms.add(_stem(token.lemma_.lower()))
    return terms - GENERIC_TERMS


def _stem(term: str) -> str:
    # A six-letter prefix makes "rebalance"/"rebalancing" and
    # "subscriber"/"subscription" meet even where the lemmatizer keeps them
    # apart; the few false friends it makes only ever suppress a jump.
    term = term[:-1] if term.endswith("s") and len(term) > 4 else term
    return term[:6]


#: Content words that say nothing about the subject of an answer.
GENERIC_TERMS = frozenset(
    _stem(w)
    for w in "think thing things way lot make want need use going get got say said know mean like look "
    "good great sure kind sort really pretty basically stuff probably maybe guess start try let "
    "talk point idea case work able right okay".split()
)


class TopicShiftDetector:
    """Signposted transitions from cue patterns; abrupt jumps from lexical cohesion.

    A sentence starts an abrupt jump when it has content words, the answer so
    far has enough of them to judge by, none of its content words occurred
    before, and either the sentence opens like an aside ("Also, ...", "By the
    way, ...") or the next sentence stays off the earlier subject too.  Comparing with
    everything said before, not just the previous sentence, is what keeps a
    return to the main thread from counting as a second jump.
    """

    def __init__(self, nlp: Language, patterns_path: Path, extra_phrases: Sequence[str], min_terms: int, min_context_terms: int):
        patterns = load_pattern_file(patterns_path).patterns
        signposts = [p for p in patterns if p.group != "aside"] + phrase_patterns(extra_phrases)
        self.signposts = CueMatcher(nlp, "signposted", signposts)
        self.asides = CueMatcher(nlp, "aside", [p for p in patterns if p.group == "aside"])
        self.min_terms = min_terms
        self.min_context_terms = min_context_terms

    def __call__(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START"):
            doc.spans["topic_shift"] = []
            return doc
        sentences = list(doc.sents)
        signposts = self._first_per_sentence(self.signposts(doc))
        asides = self._first_per_sentence(self.asides(doc))
        terms = [content_terms(s) for s in sentences]
        found: list[Span] = []
        seen: set[str] = set()
        for index, sentence in enumerate(sentences):
            if sentence.start in signposts and index > 0:
                found.append(signposts[sentence.start])
            elif self._is_abrupt(index, terms, seen, sentence.start in asides):
                cue_end = min(sentence.end, sentence.start + 6)
                found.append(Span(doc, sentence.start, cue_end, label="abrupt", span_id="cohesion"))
            seen |= terms[index]
        doc.spans["topic_shift"] = found
        return doc

    def _is_abrupt(self, index: int, terms: list[set[str]], seen: set[str], opens_as_aside: bool) -> bool:
        current = terms[index]
        if index < 2 or len(current) < self.min_terms or len(seen) < self.min_context_terms:
            return False
        if current & seen:
            return False
        if opens_as_aside:
            return True
        # Without an aside opener, one unconnected sentence is weak evidence
        # (answers introduce new nouns all the time): the next sentence must
        # stay away from the earlier subject too.
        if index + 1 >= len(terms):
            return False
        following = terms[index + 1]
        return not (following & seen) and len(current | following) >= 2 * self.min_terms

    @staticmethod
    def _first_per_sentence(spans: Sequence[Span]) -> dict[int, Span]:
        """Cue spans keyed by the start token of their sentence (first cue wins)."""
        by_sentence: dict[int, Span] = {}
        for span in sorted(spans, key=lambda s: s.start):
            by_sentence.setdefault(span[0].sent.start, span)
        return by_sentence
