"""Agreement, disagreements for adjudication, and the labelled splits.

    python tests/data/real_speech/assemble.py disagreements OUT.jsonl   # what the adjudicator decides
    python tests/data/real_speech/assemble.py splits                    # train/dev/heldout(+_asr).jsonl, agreement

Reads `passages.jsonl`, the two annotators' labels (`annotations/A.jsonl`,
`annotations/B.jsonl`) and the adjudicator's decisions (`adjudication.jsonl`).
A label both annotators gave stands; one neither gave is absent; where they
differ the adjudicator decided.  The same holds for topic shifts.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from thinkaloud.evaluation.agreement import cohen_kappa  # noqa: E402

KINDS = ("framing", "assumption", "tradeoff", "limitation", "recap", "rationale", "mitigation")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load() -> tuple[list[dict], dict[str, dict], dict[str, dict]]:
    passages = _jsonl(HERE / "passages.jsonl")
    a = {row["id"]: row for row in _jsonl(HERE / "annotations" / "A.jsonl")}
    b = {row["id"]: row for row in _jsonl(HERE / "annotations" / "B.jsonl")}
    ids = [s["id"] for p in passages for s in p["sentences"]]
    missing = [i for i in ids if i not in a or i not in b]
    if missing:
        raise SystemExit(f"{len(missing)} sentences lack a label from one annotator, e.g. {missing[:3]}")
    return passages, a, b


def disagreements(out: Path) -> None:
    passages, a, b = load()
    rows = []
    for passage in passages:
        for s in passage["sentences"]:
            la, lb = set(a[s["id"]]["labels"]), set(b[s["id"]]["labels"])
            for kind in sorted(la ^ lb):
                rows.append({"id": s["id"], "kind": kind})
            if a[s["id"]]["topic_shift"] != b[s["id"]]["topic_shift"]:
                rows.append({"id": s["id"], "kind": "topic_shift"})
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} disagreements -> {out}", file=sys.stderr)


def spoken(text: str) -> str:
    """As raw speech recognition writes it: lowercase, no punctuation, no restart marks."""
    text = text.lower().replace("'", "").replace("’", "")
    return re.sub(r"\s+", " ", re.sub(r"[^\w\s]", " ", text)).strip()


def splits() -> None:
    passages, a, b = load()
    decided = {(r["id"], r["kind"]): r["decision"] for r in _jsonl(HERE / "adjudication.jsonl")}
    out: dict[str, list[dict]] = {"train": [], "dev": [], "heldout": []}
    ka = {k: [] for k in KINDS + ("topic_shift",)}
    kb = {k: [] for k in KINDS + ("topic_shift",)}
    unresolved = []
    for passage in passages:
        sentences = []
        for s in passage["sentences"]:
            ra, rb = a[s["id"]], b[s["id"]]
            for kind in KINDS:
                ka[kind].append(kind in ra["labels"])
                kb[kind].append(kind in rb["labels"])
            ka["topic_shift"].append(ra["topic_shift"])
            kb["topic_shift"].append(rb["topic_shift"])
            labels, cues = [], {}
            for kind in KINDS:
                ina, inb = kind in ra["labels"], kind in rb["labels"]
                keep = ina if ina == inb else decided.get((s["id"], kind))
                if keep is None:
                    unresolved.append((s["id"], kind))
                    continue
                if keep:
                    labels.append(kind)
                    cue = (ra.get("cues") or {}).get(kind) or (rb.get("cues") or {}).get(kind)
                    if cue:
                        cues[kind] = cue
            shift = ra["topic_shift"]
            if ra["topic_shift"] != rb["topic_shift"]:
                if (s["id"], "topic_shift") not in decided:
                    unresolved.append((s["id"], "topic_shift"))
                shift = decided.get((s["id"], "topic_shift"))
            sentences.append({"id": s["id"], "text": s["text"], "labels": labels, "cues": cues, "topic_shift": shift})
        out[passage["split"]].append({
            "id": passage["id"], "style": "real", "corpus": passage["corpus"], "source": passage["source"],
            "ref": passage["ref"], "draw": passage["draw"], "question": passage["question"],
            # where in the speaker's answer the passage starts: rules about an answer's opening must know
            "first_sentence": passage["first_sentence"], "sentences": sentences,
        })
    if unresolved:
        raise SystemExit(f"{len(unresolved)} disagreements not adjudicated, e.g. {unresolved[:3]}")
    for split, rows in out.items():
        (HERE / f"{split}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    asr = [dict(r, id=r["id"] + "-asr", style="asr",
                sentences=[dict(s, text=spoken(s["text"]), cues={}) for s in r["sentences"]]) for r in out["heldout"]]
    (HERE / "heldout_asr.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in asr), encoding="utf-8")
    print("Cohen's kappa per kind (sentence level, two annotators, before adjudication):")
    for kind in KINDS + ("topic_shift",):
        pos_a = sum(1 for x in ka[kind] if x)
        pos_b = sum(1 for x in kb[kind] if x)
        print(f"  {kind:<12} {cohen_kappa(ka[kind], kb[kind]):.2f}   (A {pos_a}, B {pos_b} of {len(ka[kind])})")
    for split, rows in out.items():
        counts = {k: sum(k in s["labels"] for r in rows for s in r["sentences"]) for k in KINDS}
        shifts = {v: sum(s["topic_shift"] == v for r in rows for s in r["sentences"]) for v in ("signposted", "abrupt")}
        n = sum(len(r["sentences"]) for r in rows)
        print(f"{split}: {len(rows)} passages, {n} sentences, {counts}, {shifts}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["disagreements"]:
        disagreements(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["splits"]:
        splits()
    else:
        raise SystemExit(__doc__)
