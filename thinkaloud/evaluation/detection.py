"""Precision, recall and F1 of the detectors against the labelled corpus.

The corpus (`tests/data/corpus/`, see its README) labels sentences.  An
answer's sentences are joined with spaces into one transcript, exactly as a
speaker's words would arrive, and each detected cue is credited to the
labelled sentence its first character falls in.  So the detectors never see
the gold sentence boundaries: on the unpunctuated "asr" answers they must
find their own.

Abrupt topic jumps are scored separately: a detected jump is a hit when it
falls within one sentence of a labelled one (each label matched once).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from thinkaloud.kinds import DEPTH_KINDS, PHRASE_KINDS, SENTENCE_KINDS, STRUCTURE_KINDS

SCORED_KINDS: tuple[str, ...] = SENTENCE_KINDS + PHRASE_KINDS


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    text: str
    labels: frozenset[str]
    topic_shift: str | None


@dataclass(frozen=True, slots=True)
class LabelledAnswer:
    """One labelled answer, or a passage from one: `sentences_before` says how far into the answer it starts."""

    id: str
    style: str
    sentences: tuple[LabelledSentence, ...]
    sentences_before: int = 0
    source: str | None = None  # the episode or meeting a real passage comes from
    draw: str | None = None  # how a real passage was drawn (see tests/data/real_speech/build.py)

    def joined(self) -> tuple[str, list[tuple[int, int]]]:
        """The answer as one transcript, and each sentence's character range in it."""
        parts, ranges, position = [], [], 0
        for sentence in self.sentences:
            if parts:
                parts.append(" ")
                position += 1
            parts.append(sentence.text)
            ranges.append((position, position + len(sentence.text)))
            position += len(sentence.text)
        return "".join(parts), ranges


@dataclass(frozen=True, slots=True)
class Trap:
    id: str
    text: str
    tempting: str


def load_answers(path: Path) -> list[LabelledAnswer]:
    answers = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        sentences = tuple(
            LabelledSentence(s["text"], frozenset(s["labels"]), s.get("topic_shift")) for s in entry["sentences"]
        )
        answers.append(LabelledAnswer(entry["id"], entry.get("style", "clean"), sentences,
                                      entry.get("first_sentence", 0), entry.get("source"), entry.get("draw")))
    return answers


def load_traps(path: Path) -> list[Trap]:
    return [Trap(**json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


#: A detector for evaluation: text -> [(kind, char_start, signposted)].
#: (text, sentences of the answer before it) -> (kind, character offset, signposted) per detection.
Detector = Callable[[str, int], Sequence[tuple[str, int, bool | None]]]
#: A passage from the middle of an answer stands in for a transcript that far along;
#: the tokens before it are not kept, so they are estimated at a typical sentence length.
TOKENS_PER_SENTENCE = 20


def analyzer_detector(text_analyzer) -> Detector:
    def detect(text: str, sentences_before: int = 0) -> list[tuple[str, int, bool | None]]:
        if sentences_before:
            findings = text_analyzer.find_tail(text, 0, sentences_before * TOKENS_PER_SENTENCE, sentences_before)
        else:
            findings = text_analyzer.find(text)
        return [(c.kind, c.cue_start, c.signposted) for c in findings.cues]

    return detect


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    sentences: int = 0
    per_kind: dict[str, Counts] = field(default_factory=lambda: {k: Counts() for k in SCORED_KINDS})
    abrupt: Counts = field(default_factory=Counts)
    errors: list[str] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        return sum(self.per_kind[k].f1 for k in STRUCTURE_KINDS) / len(STRUCTURE_KINDS)

    @property
    def micro(self) -> Counts:
        """The structure kinds' counts added up: how often a highlight the user sees is right."""
        kinds = [self.per_kind[k] for k in STRUCTURE_KINDS]
        return Counts(sum(c.tp for c in kinds), sum(c.fp for c in kinds), sum(c.fn for c in kinds))


def _sentence_at(ranges: Sequence[tuple[int, int]], offset: int) -> int:
    for index, (start, end) in enumerate(ranges):
        if offset < end + 1:  # the space after a sentence belongs to it
            return index
    return len(ranges) - 1


def sentence_predictions(answer: LabelledAnswer, text_analyzer) -> list[set[str]]:
    """The sentence kinds detected in each labelled sentence of `answer`."""
    text, ranges = answer.joined()
    predicted: list[set[str]] = [set() for _ in ranges]
    for kind, offset, _ in analyzer_detector(text_analyzer)(text, answer.sentences_before):
        if kind in SENTENCE_KINDS:
            predicted[_sentence_at(ranges, offset)].add(kind)
    return predicted


def score_answers(answers: Iterable[LabelledAnswer], detect: Detector) -> Scores:
    scores = Scores()
    for answer in answers:
        text, ranges = answer.joined()
        predicted: list[set[str]] = [set() for _ in ranges]
        predicted_jumps: list[int] = []
        for kind, offset, signposted in detect(text, answer.sentences_before):
            index = _sentence_at(ranges, offset)
            if kind == "topic_shift":
                if not signposted:
                    predicted_jumps.append(index)
            elif kind in SCORED_KINDS:
                predicted[index].add(kind)
        _score_sentences(answer.id, answer.sentences, predicted, scores)
        _score_jumps(answer, predicted_jumps, scores)
    return scores


def format_real_table(rows: list[tuple[str, Scores]]) -> str:
    """Per-kind precision, recall, F1 and counts over the structure kinds, then the micro figures."""
    lines = [f"{'kind':<14}" + "".join(f"{name:>34}" for name, _ in rows),
             f"{'':<14}" + "".join(f"{'P':>7}{'R':>7}{'F1':>7}{'TP/FP/FN':>13}" for _ in rows)]

    def cells(c: Counts) -> str:
        return f"{c.precision:>7.2f}{c.recall:>7.2f}{c.f1:>7.2f}{f'{c.tp}/{c.fp}/{c.fn}':>13}"

    for kind in STRUCTURE_KINDS:
        lines.append(f"{kind:<14}" + "".join(cells(s.per_kind[kind]) for _, s in rows))
    lines.append(f"{f'micro ({len(STRUCTURE_KINDS)})':<14}" + "".join(cells(s.micro) for _, s in rows))
    lines.append(f"{'false / 100':<14}" + "".join(f"{100 * s.micro.fp / max(1, s.sentences):>34.1f}" for _, s in rows))
    # a false jump is a flag on a sentence no annotator marked as a jump, nor next to one
    lines.append(f"{'jumps / 100':<14}" + "".join(f"{100 * s.abrupt.fp / max(1, s.sentences):>34.1f}" for _, s in rows))
    lines.append("depth:")
    for kind in DEPTH_KINDS:
        lines.append(f"{kind:<14}" + "".join(cells(s.per_kind[kind]) for _, s in rows))
    return "\n".join(lines)


def _score_sentences(
    answer_id: str, sentences: Sequence[LabelledSentence], predicted: list[set[str]], scores: Scores
) -> None:
    """Count each sentence's detected kinds against its labels."""
    scores.sentences += len(sentences)
    for index, sentence in enumerate(sentences):
        for kind in SCORED_KINDS:
            gold, guess = kind in sentence.labels, kind in predicted[index]
            counts = scores.per_kind[kind]
            if gold and guess:
                counts.tp += 1
            elif guess:
                counts.fp += 1
                scores.errors.append(f"FP {kind:<10} {answer_id} #{index}: {sentence.text}")
            elif gold:
                counts.fn += 1
                scores.errors.append(f"FN {kind:<10} {answer_id} #{index}: {sentence.text}")


def _score_jumps(answer: LabelledAnswer, predicted: list[int], scores: Scores) -> None:
    gold = [i for i, s in enumerate(answer.sentences) if s.topic_shift == "abrupt"]
    unmatched = list(gold)
    for index in sorted(set(predicted)):
        match = next((g for g in unmatched if abs(g - index) <= 1), None)
        if match is None:
            scores.abrupt.fp += 1
            scores.errors.append(f"FP jump       {answer.id} #{index}: {answer.sentences[index].text}")
        else:
            unmatched.remove(match)
            scores.abrupt.tp += 1
    scores.abrupt.fn += len(unmatched)
    for g in unmatched:
        scores.errors.append(f"FN jump       {answer.id} #{g}: {answer.sentences[g].text}")


def trap_detections(traps: Iterable[Trap], detect: Detector) -> list[str]:
    """Traps on which any structure detector fired (there should be none)."""
    fired = []
    for trap in traps:
        kinds = {kind for kind, _, _ in detect(trap.text, 0) if kind in STRUCTURE_KINDS}
        if kinds:
            fired.append(f"{trap.id} ({', '.join(sorted(kinds))}): {trap.text}")
    return fired


#: The naive approach the detectors are measured against: any keyword anywhere.
BASELINE_KEYWORDS = {
    "framing": ["problem", "goal", "metric", "clarify", "question", "objective", "first", "approach", "success"],
    "assumption": ["assume", "assuming", "suppose", "let's say", "imagine", "assumption"],
    "tradeoff": ["but", "trade", "cost", "however", "downside", "versus", "on the other hand", "though"],
    "limitation": ["fail", "risk", "limit", "break", "problem", "weak", "issue", "can't", "won't"],
    "recap": ["summary", "summarize", "overall", "in short", "recap", "to sum up", "conclusion"],
    "rationale": ["because", "since", "so that", "reason", "why", "in order to"],
    "mitigation": ["mitigate", "avoid", "prevent", "handle", "fix", "fallback", "fall back", "work around", "deal with"],
    "filler": ["um", "uh", "like", "you know", "i mean"],
    "hedge": ["maybe", "i guess", "sort of", "kind of", "probably", "i think", "perhaps"],
}


def keyword_baseline(text: str, sentences_before: int = 0) -> list[tuple[str, int, bool | None]]:
    found = []
    lowered = text.lower()
    for kind, words in BASELINE_KEYWORDS.items():
        for word in words:
            for match in re.finditer(r"\b" + re.escape(word) + r"\b", lowered):
                found.append((kind, match.start(), None))
    return found


def format_table(rows: list[tuple[str, Scores]]) -> str:
    """Per-kind P/R/F1 for each named score set, side by side."""
    header = f"{'kind':<14}" + "".join(f"{name:>24}" for name, _ in rows)
    sub = f"{'':<14}" + "".join(f"{'P':>8}{'R':>8}{'F1':>8}" for _ in rows)
    lines = [header, sub]
    for kind in SCORED_KINDS:
        cells = "".join(
            f"{s.per_kind[kind].precision:>8.2f}{s.per_kind[kind].recall:>8.2f}{s.per_kind[kind].f1:>8.2f}" for _, s in rows
        )
        lines.append(f"{kind:<14}{cells}")
    lines.append(f"{'abrupt jump':<14}" + "".join(f"{s.abrupt.precision:>8.2f}{s.abrupt.recall:>8.2f}{s.abrupt.f1:>8.2f}" for _, s in rows))
    lines.append(f"{f'macro F1 ({len(STRUCTURE_KINDS)})':<14}" + "".join(f"{'':>16}{s.macro_f1:>8.2f}" for _, s in rows))
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class TimedAnswer:
    """A labelled answer rendered as audio: sentence times and long silences are known."""

    id: str
    audio: Path
    sentences: tuple[LabelledSentence, ...]
    starts: tuple[float, ...]
    silences: tuple[tuple[float, float], ...]


def load_timed_answers(manifest: Path) -> list[TimedAnswer]:
    answers = []
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        sentences = tuple(
            LabelledSentence(s["text"], frozenset(s["labels"]), s.get("topic_shift")) for s in entry["sentences"]
        )
        answers.append(
            TimedAnswer(
                id=entry["id"],
                audio=manifest.parent / entry["audio"],
                sentences=sentences,
                starts=tuple(s["start"] for s in entry["sentences"]),
                silences=tuple((s["start"], s["end"]) for s in entry["silences"]),
            )
        )
    return answers


@dataclass
class SilenceScores:
    found: int = 0
    missed: list[str] = field(default_factory=list)
    false: list[str] = field(default_factory=list)
    worst_boundary_error_s: float = 0.0


def score_timed_report(answer: TimedAnswer, report, scores: Scores, silences: SilenceScores, tolerance_s: float = 0.35) -> None:
    """Credit each signal to the labelled sentence being spoken when it starts."""
    predicted: list[set[str]] = [set() for _ in answer.sentences]
    predicted_jumps: list[int] = []
    for signal in report.signals:
        if signal.kind == "silence" or signal.start is None:
            continue
        index = max(0, bisect_right(answer.starts, signal.start + 0.3) - 1)
        if signal.kind == "topic_shift":
            if not signal.signposted:
                predicted_jumps.append(index)
        elif signal.kind in SCORED_KINDS:
            predicted[index].add(signal.kind)
    _score_sentences(answer.id, answer.sentences, predicted, scores)
    _score_jumps(LabelledAnswer(answer.id, "audio", answer.sentences), predicted_jumps, scores)
    detected = [(s.start, s.end) for s in report.signals if s.kind == "silence"]
    for start, end in answer.silences:
        match = next((d for d in detected if abs(d[0] - start) <= tolerance_s and abs(d[1] - end) <= tolerance_s), None)
        if match is None:
            silences.missed.append(f"{answer.id} {start:.2f}–{end:.2f}")
        else:
            detected.remove(match)
            silences.found += 1
            silences.worst_boundary_error_s = max(silences.worst_boundary_error_s, abs(match[0] - start), abs(match[1] - end))
    silences.false.extend(f"{answer.id} {s:.2f}–{e:.2f}" for s, e in detected)
