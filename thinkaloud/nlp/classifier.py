"""A trained sentence classifier that catches what the cue patterns miss.

`thinkaloud_sentence_classifier` runs small spaCy `textcat_multilabel` models
(trained by `models/train_signal_classifier.py`) on every sentence that no
cue pattern marked for a kind, and marks it when the classifier is confident.
The model comes in two parts (see `PARTS`).  "in-context" reads the
sentence's lemmas (so "worried", "worries" and "worry" are one feature, in
clean text and in unpunctuated speech alike) after a token saying where the
sentence falls in the answer.  "words" reads only the words as written, and
scores framing: in the training answers every first sentence is framing, so a
model that sees the position learns "first sentence means framing" and fires
on any one-sentence text, whatever it says.
So a person still sees why it fired, the cue it reports is the stretch of
words the decision rests on: the words whose removal lowers the score most.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from thinkaloud.errors import ModelError
from thinkaloud.kinds import SENTENCE_KINDS
from thinkaloud.nlp.cues import add_spans, before_piece

#: What the classifier may score: every sentence-level kind (the model holds those it was trained for).
LABELS = SENTENCE_KINDS
#: Below this the classifier is guessing more than deciding, whatever the tuned threshold says.
#: Not 0.5: the threshold that maximises F1 sits near half the F1 reached, and bag-of-n-gram
#: scores trained with dropout are shrunk toward each label's base rate (in cross-validation
#: a 0.5 floor bound four of the five thresholds and cost limitation and recap most of their
#: recall; see models/train_signal_classifier.py).  Not 0.3 either: that floor still bound
#: limitation and recap, whose sentences (concrete consequences, summaries in plain words)
#: rarely score high; at 0.2 their out-of-fold F1 rose from 0.72 to 0.77 and from 0.90 to
#: 0.93, while the other labels' tuned thresholds sit above it anyway (held up by trap scores).
MIN_CONFIDENCE = 0.2
#: ... except on a sentence a hedge cue marks: hedged, filler-heavy speech ("the data is kind of,
#: uh, spread out, I think") gives the model little evidence, and there it fired on plain statements.
HEDGED_MIN_CONFIDENCE = 0.5
#: Evidence made only of these says nothing about the kind (the position token included).
EMPTY_EVIDENCE = frozenset(
    "um uh erm er hmm like you know i mean so and but maybe just well okay yeah the a an "
    "guess probably kind sort think really basically actually pretty stuff things".split()
)
MODEL_DIR_NAME = "signal-classifier"
#: Kinds said up front, and within how many opening sentences: the corpus reserves framing
#: for the scoping, success criteria, clarifying questions and plan that open an answer.
#: The words part, which cannot see where a sentence falls, marks framing only there; the
#: position can veto a detection but never make one.
UP_FRONT = {"framing": 3}


def may_mark(label: str, index: int) -> bool:
    """Whether the classifier may mark `label` on the answer's sentence number `index` (from 0)."""
    return index < UP_FRONT.get(label, index + 1)


@dataclass(frozen=True, slots=True)
class Part:
    """How one part of the model reads a sentence."""

    position: bool  # prefixed by where the sentence falls in the answer (`classifier_text`)
    lemmas: bool  # lowercase lemmas rather than the words as written


#: The model's parts, each a sub-folder of the model folder scoring some of LABELS.
PARTS = {"in-context": Part(position=True, lemmas=True), "words": Part(position=False, lemmas=False)}


def classifier_text(sentence: str, index: int) -> str:
    """The classifier's input: the sentence, prefixed by where it falls in the answer.

    Framing lives at the start of an answer and recaps at the end, so the
    position is evidence; early sentences get their own marker token.
    """
    position = "_first_" if index == 0 else "_early_" if index <= 2 else "_later_"
    return f"{position} {sentence}"


def part_text(part: str, tokens: Sequence[Token], index: int) -> str:
    """What the model part `part` reads for a sentence's tokens, the sentence at `index` in the answer.

    The tokens need lemmas where the part reads them (the analyzer's tagger
    and lemmatizer have run); a token without one is read as written.
    """
    how = PARTS[part]
    words = [t for t in tokens if not t.is_space]
    text = " ".join((t.lemma_ or t.text).lower() if how.lemmas else t.text for t in words)
    return classifier_text(text, index) if how.position else text


#: The model ships inside the package, so a wheel and a checkout give the same signals.
MODEL_DIR = Path(__file__).parent / "model" / MODEL_DIR_NAME


def find_model_dir(model_dir: Path = MODEL_DIR) -> Path:
    """The classifier's folder; a `ModelError` (exit 4) naming it when it is missing."""
    if not (model_dir / "thresholds.json").is_file():
        raise ModelError(
            f"the signal classifier is missing (tried {model_dir}); reinstall thinkaloud, "
            "or rebuild it with models/train_signal_classifier.py"
        )
    return model_dir


@Language.factory("thinkaloud_sentence_classifier", default_config={"model_path": None, "labels": list(LABELS)})
def make_sentence_classifier(nlp: Language, name: str, model_path: str | None, labels: list[str]):
    return SentenceClassifier(Path(model_path) if model_path else find_model_dir(), tuple(labels))


class SentenceClassifier:
    def __init__(self, model_dir: Path, labels: tuple[str, ...]):
        import spacy

        try:
            self.parts = {part: spacy.load(model_dir / part) for part in PARTS}
        except (OSError, ValueError) as error:
            raise ModelError(
                f"the signal classifier at {model_dir} is unreadable ({str(error).splitlines()[0]}); "
                "reinstall thinkaloud, or rebuild it with models/train_signal_classifier.py"
            ) from None
        #: label -> the part that scores it
        self.part_of = {
            label: part for part, model in self.parts.items() for label in model.get_pipe("textcat_multilabel").labels
        }
        self.thresholds: dict[str, float] = json.loads((model_dir / "thresholds.json").read_text())
        self.labels = tuple(label for label in labels if label in self.thresholds and label in self.part_of)

    def _score(self, part: str, sentences: Sequence[Sequence[Token]], indexes: Sequence[int]) -> list[dict[str, float]]:
        texts = [part_text(part, s, i) for s, i in zip(sentences, indexes)]
        scored = self.parts[part].pipe(text for text in texts if text)
        # nothing left to read (a one-word sentence with its word taken out) is no evidence at all
        nothing = {label: 0.0 for label, owner in self.part_of.items() if owner == part}
        return [next(scored).cats if text else nothing for text in texts]

    def __call__(self, doc: Doc) -> Doc:
        sentences = [s for s in doc.sents if any(not t.is_punct for t in s)]
        first_index = before_piece(doc)[1]
        indexes = list(range(first_index, first_index + len(sentences)))
        by_part = {part: self._score(part, sentences, indexes) for part in {self.part_of[label] for label in self.labels}}
        # Read once per doc: asking every sentence to scan every span made long transcripts quadratic.
        starts = [s.start for s in doc.sents]
        marked = {label: self._marked_sentence_starts(doc, label, starts) for label in self.labels}
        # "Maybe a neural network" voices doubt, not a premise; the model, which
        # has seen "maybe" in many premises, cannot tell them apart alone.
        hedged = self._marked_sentence_starts(doc, "hedge", starts)
        for n, (sentence, index) in enumerate(zip(sentences, indexes)):
            for label in self.labels:
                score = by_part[self.part_of[label]][n][label]
                floor = HEDGED_MIN_CONFIDENCE if sentence.start in hedged else MIN_CONFIDENCE
                threshold = max(floor, self.thresholds[label])
                if score < threshold or sentence.start in marked[label] or not may_mark(label, index):
                    continue
                if label == "assumption" and sentence.start in hedged:
                    continue
                evidence = self._evidence(sentence, index, label, score)
                if evidence is None:
                    continue
                start, end = evidence
                add_spans(doc, label, [Span(doc, start, end, label=label, span_id=f"classifier:{score:.2f}")])
        return doc

    @staticmethod
    def _is_meaningful(evidence) -> bool:
        return any(t.is_alpha and not t.is_stop and t.lower_ not in EMPTY_EVIDENCE for t in evidence)

    @staticmethod
    def _marked_sentence_starts(doc: Doc, label: str, sentence_starts: list[int]) -> set[int]:
        """Where the sentences that a cue pattern already marked for `label` begin."""
        if label not in doc.spans:
            return set()
        return {sentence_starts[bisect.bisect_right(sentence_starts, span.start) - 1] for span in doc.spans[label]}

    def _evidence(self, sentence: Span, index: int, label: str, score: float) -> tuple[int, int] | None:
        """Token range (in the doc) of the one-to-three-word stretch the score depends on most.

        Only stretches with a content word compete: "I" or "like" can move a
        score, but shown as the reason for a detection they explain nothing.
        None when the sentence has no such stretch.
        """
        words = [t for t in sentence if not t.is_punct]
        windows = [
            (start, width)
            for width in (1, 2, 3)
            for start in range(max(1, len(words) - width + 1))
            if self._is_meaningful(words[start : start + width])
        ]
        if not windows:
            return None
        occluded = [words[:start] + words[start + width :] for start, width in windows]
        occluded_scores = self._score(self.part_of[label], occluded, [index] * len(occluded))
        best, best_value = windows[0], float("-inf")
        for (start, width), without in zip(windows, occluded_scores):
            # a wider stretch must explain clearly more to be preferred
            value = score - without[label] - 0.03 * (width - 1)
            if value > best_value:
                best, best_value = (start, width), value
        start, width = best
        return words[start].i, words[min(start + width, len(words)) - 1].i + 1
