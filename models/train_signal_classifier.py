"""Build the sentence classifier that backs up the cue patterns (reproducibly).

The cue patterns are precise but miss paraphrases that avoid their words
("where this bites us is…").  This script trains a spaCy `textcat_multilabel`
(bag of n-grams: small, fast, no vectors needed) on the labelled training
and development splits (`tests/data/corpus/train*.jsonl`, `dev.jsonl`), with
each label's decision threshold picked by cross-validation on the training
split, for patterns and classifier together, and above the score of every
keyword trap in `traps.jsonl`.  The held-out split is never
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
from thinkaloud.nlp.classifier import LABELS, MIN_CONFIDENCE, classifier_text  # noqa: E402

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


def rule_predictions(answers: list[LabelledAnswer]) -> list[set[str]]:
    """Per dev sentence, the kinds the cue patterns alone already detect there."""
    from thinkaloud.evaluation.detection import sentence_predictions
    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    rules = TextAnalyzer(DetectorOptions(classifier=False))
    return [kinds for answer in answers for kinds in sentence_predictions(answer, rules)]


def tune_thresholds_out_of_fold(answers: list[LabelledAnswer], traps: list[str], epochs: int, folds: int) -> dict[str, float]:
    """Per label, the threshold where patterns OR classifier score the best F1.

    Scores come from k-fold cross-validation on the training split (each
    answer scored by a model that never saw it), because the cue patterns were
    tuned on the dev split: there they look better than they are, and the
    classifier's share would be underrated.  A threshold never goes below
    MIN_CONFIDENCE (lower, the model fires on hedged, filler-heavy speech it
    has little evidence about) nor as low as the score of a keyword trap (ties
    go to the higher threshold).
    """
    scores: list[dict[str, float]] = []
    golds: list[frozenset[str]] = []
    trap_scores: list[dict[str, float]] = []
    for fold in range(folds):
        held = answers[fold::folds]
        rest = [a for i, a in enumerate(answers) if i % folds != fold]
        model = train(examples(rest, with_speech_variants=True), epochs)
        for answer in held:
            texts = [classifier_text(s.text, i) for i, s in enumerate(answer.sentences)]
            scores += [doc.cats for doc in model.pipe(texts)]
            golds += [s.labels for s in answer.sentences]
        trap_scores += [doc.cats for doc in model.pipe(classifier_text(t, 0) for t in traps)]
        print(f"fold {fold + 1}/{folds} scored", file=sys.stderr)
    ordered = [a for fold in range(folds) for a in answers[fold::folds]]
    rules = rule_predictions(ordered)
    thresholds = {}
    for label in LABELS:
        floor = max((cats[label] for cats in trap_scores), default=0.0)
        best = (-1.0, 0.99)
        for step in range(int(MIN_CONFIDENCE * 100), 100):
            threshold = step / 100
            if threshold <= floor:
                continue
            guesses = [label in rule or cats[label] >= threshold for rule, cats in zip(rules, scores)]
            tp = sum(1 for guess, gold in zip(guesses, golds) if guess and label in gold)
            fp = sum(1 for guess, gold in zip(guesses, golds) if guess and label not in gold)
            fn = sum(1 for guess, gold in zip(guesses, golds) if not guess and label in gold)
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 >= best[0]:
                best = (f1, threshold)
        rules_only = _f1([label in r for r in rules], [label in g for g in golds])
        thresholds[label] = best[1]
        print(f"{label:<11} threshold {best[1]:.2f}  out-of-fold F1: patterns {rules_only:.2f}, "
              f"with classifier {best[0]:.2f}  (highest trap score {floor:.2f})", file=sys.stderr)
    return thresholds


def trap_ceiling(nlp, traps: list[str]) -> dict[str, float]:
    """Per label, the highest score the model gives any keyword trap."""
    scored = [doc.cats for doc in nlp.pipe(classifier_text(t, 0) for t in traps)]
    return {label: max((cats[label] for cats in scored), default=0.0) for label in LABELS}


def _f1(guesses: list[bool], golds: list[bool]) -> float:
    tp = sum(1 for g, t in zip(guesses, golds) if g and t)
    wrong = sum(1 for g, t in zip(guesses, golds) if g != t)
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", default=[CORPUS / "train.jsonl", CORPUS / "train2.jsonl"])
    parser.add_argument("--dev", type=Path, default=CORPUS / "dev.jsonl")
    parser.add_argument("--traps", type=Path, default=CORPUS / "traps.jsonl")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()

    train_answers = [answer for path in args.train for answer in load_answers(path)]
    dev_answers = load_answers(args.dev)
    traps = [json.loads(line)["text"] for line in args.traps.read_text().splitlines() if line.strip()]
    thresholds = tune_thresholds_out_of_fold(train_answers, traps, args.epochs, args.folds)
    nlp = train(examples(train_answers + dev_answers, with_speech_variants=True), args.epochs)
    for label, score in trap_ceiling(nlp, traps).items():
        if thresholds[label] <= score:
            thresholds[label] = min(0.99, round(score + 0.01, 2))
            print(f"{label:<11} threshold raised to {thresholds[label]:.2f}: the final model scores a trap {score:.2f}", file=sys.stderr)
    args.output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(args.output)
    (args.output / "thresholds.json").write_text(json.dumps(thresholds, indent=2) + "\n")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
