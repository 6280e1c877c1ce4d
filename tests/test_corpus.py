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


REAL = CORPUS.parent / "real_speech"


def _jsonl(path: Path) -> list[dict]:
    import json

    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_real_speech_splits_never_share_an_episode_or_meeting():
    sources = {split: {p["source"] for p in _jsonl(REAL / f"{split}.jsonl")} for split in ("train", "dev", "heldout")}
    assert not sources["train"] & sources["heldout"]
    assert not sources["dev"] & sources["heldout"]
    assert not sources["train"] & sources["dev"]


def test_every_real_sentence_has_two_annotations_and_its_disagreements_an_adjudication():
    first = {row["id"]: row for row in _jsonl(REAL / "annotations" / "A.jsonl")}
    second = {row["id"]: row for row in _jsonl(REAL / "annotations" / "B.jsonl")}
    adjudicated = {(row["id"], row["kind"]) for row in _jsonl(REAL / "adjudication.jsonl")}
    ids = [s["id"] for split in ("train", "dev", "heldout") for p in _jsonl(REAL / f"{split}.jsonl") for s in p["sentences"]]
    assert len(ids) == len(set(ids)) >= 2500
    assert set(ids) == set(first) == set(second)
    for sentence_id in ids:
        for kind in set(first[sentence_id]["labels"]) ^ set(second[sentence_id]["labels"]):
            assert (sentence_id, kind) in adjudicated
        if first[sentence_id]["topic_shift"] != second[sentence_id]["topic_shift"]:
            assert (sentence_id, "topic_shift") in adjudicated


def test_the_unpunctuated_heldout_copy_matches_the_heldout_split_sentence_for_sentence():
    heldout = _jsonl(REAL / "heldout.jsonl")
    spoken = _jsonl(REAL / "heldout_asr.jsonl")
    assert [[s["labels"] for s in p["sentences"]] for p in heldout] == [[s["labels"] for s in p["sentences"]] for p in spoken]
    for passage in spoken:
        for sentence in passage["sentences"]:
            assert sentence["text"] == sentence["text"].lower()
            assert not any(mark in sentence["text"] for mark in ".,?!'\"")
