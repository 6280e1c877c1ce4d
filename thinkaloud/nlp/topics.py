"""Topic shifts: signposted transitions, and abrupt jumps found by lexical cohesion.

`thinkaloud_topic_shifts` writes `doc.spans["topic_shift"]`, each span
labelled "signposted" (the cue phrase) or "abrupt" (the opening words of the
sentence where the new subject starts).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from thinkaloud.nlp.cues import CueMatcher, before_piece, load_pattern_file, pattern_path, phrase_patterns
from thinkaloud.types import STRUCTURE_KINDS


@Language.factory(
    "thinkaloud_topic_shifts",
    default_config={"patterns_path": None, "extra_phrases": [], "min_terms": 2, "min_context_terms": 8},
)
def make_topic_shift_detector(
    nlp: Language, name: str, patterns_path: str | None, extra_phrases: list[str], min_terms: int, min_context_terms: int
):
    return TopicShiftDetector(nlp, pattern_path(patterns_path, "topic_shift.jsonl"), extra_phrases, min_terms, min_context_terms)


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

    A sentence starts an abrupt jump when it makes no structural move
    (framing, assumption, trade-off, limitation, recap) and proposes nothing
    (no modal verb: "we'd add…", "it could…"), has content words, the answer so
    far has enough of them to judge by, none of its content words occurred
    before, and either the sentence opens like an aside ("Also, ...", "By the
    way, ...") or the next sentence stays off the earlier subject too.  Comparing with
    everything said before, not just the previous sentence, is what keeps a
    return to the main thread from counting as a second jump.
    """

    def __init__(self, nlp: Language, patterns_path: Path, extra_phrases: Sequence[str], min_terms: int, min_context_terms: int):
        patterns = load_pattern_file(patterns_path).patterns
        signposts = [p for p in patterns if p.group not in ("aside", "design_talk")] + phrase_patterns(extra_phrases)
        self.signposts = CueMatcher(nlp, "signposted", signposts)
        self.asides = CueMatcher(nlp, "aside", [p for p in patterns if p.group == "aside"])
        self.design_talk = CueMatcher(nlp, "design_talk", [p for p in patterns if p.group == "design_talk"])
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
        structured = self._sentences_with_structure(doc) | {span[0].sent.start for span in self.design_talk(doc)}
        found: list[Span] = []
        seen: set[str] = set()
        sentences_before = before_piece(doc)[1]
        for index, sentence in enumerate(sentences):
            if sentence.start in signposts and sentences_before + index > 0:
                found.append(signposts[sentence.start])
            elif sentence.start not in structured and self._is_abrupt(index, terms, seen, sentence.start in asides):
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
    def _sentences_with_structure(doc: Doc) -> set[int]:
        """Sentences (by start token) where the speaker frames, assumes, weighs,
        limits or recaps: moves within the answer, so never a digression."""
        return {span[0].sent.start for kind in STRUCTURE_KINDS if kind in doc.spans for span in doc.spans[kind]}

    @staticmethod
    def _first_per_sentence(spans: Sequence[Span]) -> dict[int, Span]:
        """Cue spans keyed by the start token of their sentence (first cue wins)."""
        by_sentence: dict[int, Span] = {}
        for span in sorted(spans, key=lambda s: s.start):
            by_sentence.setdefault(span[0].sent.start, span)
        return by_sentence
