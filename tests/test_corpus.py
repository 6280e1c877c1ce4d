"""The labelled corpus keeps its split policy: no sentence in two places, so the
held-out figures measure sentences no detector or model was built on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from thinkaloud.evaluation.detection import load_answers, load_traps

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def corpus_sentences(path: Path) -> list[str]:
    if path.name == "traps.jsonl":
        texts = [trap.text for trap in load_traps(path)]
    else:
        texts = [sentence.text for answer in load_answers(path) for sentence in answer.sentences]
    return [" ".join(text.lower().split()) for text in texts]


def test_no_sentence_appears_twice_in_the_corpus_or_in_two_splits():
    files = sorted(CORPUS.glob("*.jsonl"))
    assert {"heldout.jsonl", "dev.jsonl", "traps.jsonl", "train.jsonl"} <= {f.name for f in files}
    counts = Counter(sentence for path in files for sentence in corpus_sentences(path))
    repeated = [sentence for sentence, count in counts.items() if count > 1]
    assert not repeated, repeated[:5]
