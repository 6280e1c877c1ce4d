"""Depth labels (rationale, mitigation) for the written corpus: agreement, and writing them in.

    python tests/data/corpus/depth/assemble.py             # prints agreement; writes the labels into the splits
    python tests/data/corpus/depth/assemble.py --check     # only checks that the splits hold exactly these labels

The corpus's answers were labelled for the structure kinds when they were
written.  The two depth kinds came later: two annotators labelled every
sentence from `GUIDELINE.md`, blind to each other and to the detectors
(`annotations/A.jsonl`, `annotations/B.jsonl`, sentence ids `<answer id>-NN`);
a third adjudicated each disagreement (`adjudication.jsonl`).  A label both gave
stands, one neither gave is absent, and where they differ the adjudicator decided.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent
sys.path.insert(0, str(HERE.parents[3]))

from thinkaloud.evaluation.agreement import cohen_kappa  # noqa: E402

KINDS = ("rationale", "mitigation")
SPLITS = ("dev", "heldout", "train", "train2", "train3", "train4", "train5")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def decided_labels() -> tuple[dict[str, set[str]], dict[str, float]]:
    """Each sentence id's depth labels after adjudication, and Cohen's kappa per kind."""
    a = {row["id"]: set(row["labels"]) for row in _jsonl(HERE / "annotations" / "A.jsonl")}
    b = {row["id"]: set(row["labels"]) for row in _jsonl(HERE / "annotations" / "B.jsonl")}
    if set(a) != set(b):
        raise SystemExit("the two annotators labelled different sentences")
    decided = {(row["id"], row["kind"]): row["label"] for row in _jsonl(HERE / "adjudication.jsonl")}
    ids = sorted(a)
    kappa = {kind: cohen_kappa([kind in a[i] for i in ids], [kind in b[i] for i in ids]) for kind in KINDS}
    labels: dict[str, set[str]] = {}
    for i in ids:
        labels[i] = set()
        for kind in KINDS:
            ina, inb = kind in a[i], kind in b[i]
            if ina == inb:
                present = ina
            elif (i, kind) in decided:
                present = decided[(i, kind)]
            else:
                raise SystemExit(f"{i} {kind}: the annotators differ and there is no adjudication")
            if present:
                labels[i].add(kind)
    return labels, kappa


def main(check: bool) -> int:
    labels, kappa = decided_labels()
    counts = {kind: 0 for kind in KINDS}
    stale = []
    for split in SPLITS:
        path = CORPUS / f"{split}.jsonl"
        answers = _jsonl(path)
        for answer in answers:
            for index, sentence in enumerate(answer["sentences"]):
                want = labels[f"{answer['id']}-{index:02d}"]
                for kind in want:
                    counts[kind] += 1
                have = [k for k in sentence["labels"] if k not in KINDS]
                new = have + [k for k in KINDS if k in want]
                if new != sentence["labels"]:
                    stale.append(f"{answer['id']}-{index:02d}")
                    sentence["labels"] = new
        if not check:
            path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in answers), encoding="utf-8")
    print("Cohen's kappa: " + ", ".join(f"{k} {v:.2f}" for k, v in kappa.items()))
    print(f"{len(labels)} sentences; labelled " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if check and stale:
        print(f"{len(stale)} sentences differ from the adjudicated labels, e.g. {stale[:3]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(check="--check" in sys.argv[1:]))
