"""Build the sentence classifier that backs up the cue patterns (reproducibly).

The cue patterns are precise but miss paraphrases that avoid their words
("where this bites us is…").  This script trains a spaCy `textcat_multilabel`
(bag of n-grams: small, fast, no vectors needed) on the labelled training
split, `tests/data/corpus/train.jsonl`, then picks each label's decision
threshold on the development split, `dev.jsonl`.  The held-out split is never
read here.  Output: `models/signal-classifier/` (the spaCy pipeline plus
`thresholds.json`), which `thinkaloud_sentence_classifier` loads.

    .venv/bin/python models/train_signal_classifier.py

Training is seeded and single-threaded, so the same data gives the same model.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from thinkaloud.evaluation.detection import LabelledAnswer, load_answers  # noqa: E402
from thinkaloud.nlp.classifier import LABELS, classifier_text  # noqa: E402

CORPUS = REPO / "tests" / "data" / "corpus"
OUTPUT = REPO / "models" / "signal-classifier"
SEED = 20261128
EPOCHS = 12


def examples(answers: list[LabelledAnswer], with_speech_variants: bool) -> list[tuple[str, dict[str, float]]]:
    """(text, cats) per sentence; optionally also as unpunctuated lowercase speech."""
    out = []
    for answer in answers:
        for index, sentence in enumerate(answer.sentences):
            cats = {label: float(label in sentence.labels) for label in LABELS}
            out.append((classifier_text(sentence.text, index), cats))
            if with_speech_variants and answer.style != "asr":
                spoken = re.sub(r"[^\w\s]", "", sentence.text.lower().replace("'", ""))
                out.append((classifier_text(spoken, index), cats))
    return out


def train(train_examples, epochs: int):
    import spacy
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(SEED)
    nlp = spacy.blank("en")
    textcat = nlp.add_pipe(
        "textcat_multilabel",
        config={"model": {"@architectures": "spacy.TextCatBOW.v3", "exclusive_classes": False, "ngram_size": 3, "no_output_layer": False, "length": 131072}},
    )
    for label in LABELS:
        textcat.add_label(label)
    docs = [Example.from_dict(nlp.make_doc(text), {"cats": cats}) for text, cats in train_examples]
    optimizer = nlp.initialize(lambda: docs)
    rng = random.Random(SEED)
    for epoch in range(epochs):
        rng.shuffle(docs)
        losses: dict[str, float] = {}
        for batch in minibatch(docs, size=16):
            nlp.update(batch, sgd=optimizer, losses=losses, drop=0.2)
        print(f"epoch {epoch + 1:2d}  loss {losses.get('textcat_multilabel', 0):.3f}", file=sys.stderr)
    return nlp


def tune_thresholds(nlp, dev_examples) -> dict[str, float]:
    """Per label, the threshold with the best F1 on the development split (ties: the higher)."""
    scores = [(nlp(text).cats, cats) for text, cats in dev_examples]
    thresholds = {}
    for label in LABELS:
        best = (0.0, 0.5)
        for step in range(10, 96, 2):
            threshold = step / 100
            tp = sum(1 for predicted, gold in scores if predicted[label] >= threshold and gold[label])
            fp = sum(1 for predicted, gold in scores if predicted[label] >= threshold and not gold[label])
            fn = sum(1 for predicted, gold in scores if predicted[label] < threshold and gold[label])
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 >= best[0]:
                best = (f1, threshold)
        thresholds[label] = best[1]
        print(f"{label:<11} threshold {best[1]:.2f}  dev F1 (classifier alone) {best[0]:.2f}", file=sys.stderr)
    return thresholds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=CORPUS / "train.jsonl")
    parser.add_argument("--dev", type=Path, default=CORPUS / "dev.jsonl")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args()

    from thinc.api import set_gpu_allocator  # noqa: F401  (import so thinc picks CPU ops deterministically)

    train_answers = load_answers(args.train)
    dev_answers = load_answers(args.dev)
    nlp = train(examples(train_answers, with_speech_variants=True), args.epochs)
    thresholds = tune_thresholds(nlp, examples(dev_answers, with_speech_variants=False))
    args.output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    (args.output / "thresholds.json").write_text(json.dumps(thresholds, indent=2) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
