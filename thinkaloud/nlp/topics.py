"""Topic shifts: signposted transitions, and abrupt jumps found by lexical cohesion.

`thinkaloud_topic_shifts` writes `doc.spans["topic_shift"]`, each span
labelled "signposted" (the cue phrase) or "abrupt" (the opening words of the
sentence where the new subject starts).

An abrupt jump needs two kinds of evidence: lexical (the sentence's content
words were mostly or entirely unheard in the answer so far) and discourse
(the next sentence returns to the main thread, "Anyway, ..." / "Back to
ranking: ...", or the sentence itself opens like an aside, "Also, ..." /
"Side note, ...").  Cohesion alone is not enough: answers bring in new nouns
all the time.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from thinkaloud.nlp.cues import DISCOURSE_MARKERS, CueMatcher, before_piece, load_pattern_file, pattern_path, phrase_patterns
from thinkaloud.kinds import STRUCTURE_KINDS


@Language.factory(
    "thinkaloud_topic_shifts",
    default_config={"patterns_path": None, "extra_phrases": [], "min_terms": 2, "min_context_terms": 8},
)
def make_topic_shift_detector(
    nlp: Language, name: str, patterns_path: str | None, extra_phrases: list[str], min_terms: int, min_context_terms: int
):
    return TopicShiftDetector(nlp, pattern_path(patterns_path, "topic_shift.jsonl"), extra_phrases, min_terms, min_context_terms)


#: Why a sentence was taken for an abrupt jump: the `span_id` of its span.
ABRUPT_BEFORE_RETURN = "digression_before_return"
ABRUPT_ASIDE = "unconnected_aside"

#: Pattern groups that are evidence about abrupt jumps, not signposts themselves.
EVIDENCE_GROUPS = ("aside", "design_talk", "return")
#: A return cue counts when it starts within this many tokens of its sentence
#: ("Um, anyway, ..."), i.e. it opens the sentence rather than sitting inside it.
RETURN_CUE_REACH = 3
#: With a return right after it, a digression may still echo a word or two of
#: the answer ("my phone keeps suggesting…" in a keyboard answer): it is a
#: jump when at most this share of its content words were heard before.
MAX_SHARED_BEFORE_RETURN = 0.5

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
    (framing, assumption, trade-off, limitation, recap), proposes nothing (no
    modal verb: "we'd add…", unless it is an aside with a return right after
    it), does not itself return to the main thread, does not just continue a
    jump found on the sentence before, has content words, the answer so far
    has enough of them to judge by, and either

    - the next sentence returns to the main thread ("Anyway, ...", "Back to
      ranking: ...") and at most half of this sentence's content words occurred
      before, or
    - the sentence opens like an aside ("Also, ...", "By the way, ...") and
      none of its content words occurred before.

    A sentence with new words but neither cue is not a jump.  Comparing with
    everything said before, not just the previous sentence, and never flagging
    a sentence that opens with a return, keeps the return to the main thread
    from counting as a second jump.  Each rule looks at a sentence, its
    neighbours and one growing set of terms, so the cost is linear.
    """

    def __init__(self, nlp: Language, patterns_path: Path, extra_phrases: Sequence[str], min_terms: int, min_context_terms: int):
        patterns = load_pattern_file(patterns_path).patterns
        signposts = [p for p in patterns if p.group not in EVIDENCE_GROUPS] + phrase_patterns(extra_phrases)
        self.signposts = CueMatcher(nlp, "signposted", signposts)
        self.asides = CueMatcher(nlp, "aside", [p for p in patterns if p.group == "aside"])
        self.returns = CueMatcher(nlp, "return", [p for p in patterns if p.group == "return"])
        self.design_talk = CueMatcher(nlp, "design_talk", [p for p in patterns if p.group == "design_talk"])
        self.min_terms = min_terms
        self.min_context_terms = min_context_terms

    def __call__(self, doc: Doc) -> Doc:
        if not doc.has_annotation("SENT_START"):
            doc.spans["topic_shift"] = []
            return doc
        sentences = list(doc.sents)
        signposts = self._first_per_sentence(self.signposts(doc))
        terms = [content_terms(s) for s in sentences]
        # Like a return, an aside opens its sentence: "…, but also giving you
        # reusable parts" is no aside, and in real speech it was a false jump.
        asides = self._first_per_sentence(
            [span for span in self.asides(doc) if span.start - span[0].sent.start <= RETURN_CUE_REACH]
        )
        opens_aside = [s.start in asides for s in sentences]
        # A bare "oh," / "uh, honestly" that the segmenter cut off on its own
        # (as happens in unpunctuated speech) opens the aside that follows it.
        for index, sentence in enumerate(sentences[:-1]):
            if sentence.start in asides and self._only_opener(sentence, asides[sentence.start]):
                opens_aside[index + 1] = True
        returns = {span[0].sent.start for span in self.returns(doc) if span.start - span[0].sent.start <= RETURN_CUE_REACH}
        opens_return = [s.start in returns for s in sentences]
        structured = self._sentences_with_structure(doc)
        design_talk = {span[0].sent.start for span in self.design_talk(doc)}
        found: list[Span] = []
        seen: set[str] = set()
        previous_start = -1
        sentences_before = before_piece(doc)[1]
        for index, sentence in enumerate(sentences):
            returns_next = index + 1 < len(sentences) and opens_return[index + 1]
            # A digression often runs on for a sentence or two before the
            # return ("Also, Kafka is a pain. Every rejoin stalls the group.
            # Back to churn, ..."): one digression is one jump.
            continues_jump = bool(found) and found[-1].label_ == "abrupt" and found[-1].start == previous_start
            # A modal verb marks design talk ("we'd add…"), never a digression;
            # but an aside with a return right after it is a digression even
            # when it has one ("more times than I can count").
            proposes = sentence.start in design_talk and not (opens_aside[index] and returns_next)
            if sentence.start in signposts and sentences_before + index > 0:
                found.append(signposts[sentence.start])
            elif not continues_jump and sentence.start not in structured and not proposes and not opens_return[index]:
                reason = self._abrupt_reason(index, terms[index], seen, opens_aside[index], returns_next)
                if reason is not None:
                    cue_end = min(sentence.end, sentence.start + 6)
                    found.append(Span(doc, sentence.start, cue_end, label="abrupt", span_id=reason))
            seen |= terms[index]
            previous_start = sentence.start
        doc.spans["topic_shift"] = found
        return doc

    def _abrupt_reason(
        self, index: int, current: set[str], seen: set[str], opens_as_aside: bool, returns_next: bool
    ) -> str | None:
        """Why the sentence starts an abrupt jump (ABRUPT_BEFORE_RETURN or ABRUPT_ASIDE), or None."""
        if index < 2 or len(current) < self.min_terms or len(seen) < self.min_context_terms:
            return None
        shared = len(current & seen)
        # Speakers only say "anyway, back to X" after leaving X: the strongest
        # sign of a digression, so a few echoed words are allowed.
        if returns_next and shared <= MAX_SHARED_BEFORE_RETURN * len(current):
            return ABRUPT_BEFORE_RETURN
        # "Also, ..." opens plenty of on-topic sentences too: the aside must
        # share nothing with the answer so far.
        if opens_as_aside and not returns_next and shared == 0:
            return ABRUPT_ASIDE
        # New words with no discourse cue are weak evidence (answers introduce
        # new nouns all the time): on dev, train and train2 this case fired
        # 24 times with no hit that a cue did not already catch.
        return None

    @staticmethod
    def _only_opener(sentence: Span, opener: Span) -> bool:
        """Whether the sentence says nothing but its aside opener (and discourse markers)."""
        return all(
            opener.start <= token.i < opener.end or not token.is_alpha or token.lower_ in DISCOURSE_MARKERS
            for token in sentence
        )

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
