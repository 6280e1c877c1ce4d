"""The labelled corpus keeps its split policy: no sentence in two places, so the
held-out figures measure sentences no detector or model was built on."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def corpus_sentences(path: Path) -> list[str]:
    sentences = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        texts = [s["text"] for s in entry["sentences"]] if "sentences" in entry else [entry["text"]]
        sentences += [" ".join(text.lower().split()) for text in texts]
    return sentences


def test_no_sentence_appears_twice_in_the_corpus_or_in_two_splits():
    files = sorted(CORPUS.glob("*.jsonl"))
    assert {"heldout.jsonl", "dev.jsonl", "traps.jsonl", "train.jsonl"} <= {f.name for f in files}
    counts = Counter(sentence for path in files for sentence in corpus_sentences(path))
    repeated = [sentence for sentence, count in counts.items() if count > 1]
    assert not repeated, repeated[:5]
