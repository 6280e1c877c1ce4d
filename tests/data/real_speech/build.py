"""Draw the real-speech annotation sample from ../shared/speech-text/.

Reproducible (seeded): running it again writes the same passages.  Writes
``passages.jsonl`` (what annotators label) beside this file.

Passages are windows of consecutive sentences from one answer (podcast) or
one monologue (research meeting).  Most are drawn at random with no keyword
filter, so the negatives are what people really say; a smaller enriched
draw picks windows around words that often carry the rare kinds (assumption,
trade-off, recap) so that those kinds have enough examples to measure.

Each source (a podcast episode, a meeting) is assigned to one split by a
hash of its name, so no episode or meeting is in two splits.

A second draw (`SECOND_*`, its own seed, appended after the first 240
passages, which it leaves as they were) adds training material only: it
draws from train and dev sources, never from a held-out episode or meeting,
and never a turn the first draw took.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[2].parent / "shared" / "speech-text"

SEED = 20261204
WINDOW = 14  # sentences per passage at most
RANDOM_PODCAST = 160
RANDOM_MEETING = 30
ENRICHED = 50
SECOND_SEED = 20261205
SECOND_RANDOM = 100
SECOND_ENRICHED = 60

# Broad words, checked on a whole window, that make a rare kind likely there.
ENRICH_RE = re.compile(
    r"\b(assum\w*|let's say|suppose|imagine|trade-?offs?|downside|upside|at the cost|"
    r"the cost of|in exchange|sacrific\w*|in (short|summary|a nutshell)|to (sum|summari[sz]e)|"
    r"long story short|bottom line|so basically|all in all|overall)\b",
    re.IGNORECASE,
)


def split_of(source: str) -> str:
    """train 50 %, dev 20 %, heldout 30 % of sources, by a stable hash."""
    bucket = int(hashlib.sha256(source.encode()).hexdigest(), 16) % 10
    if bucket < 3:
        return "heldout"
    if bucket < 5:
        return "dev"
    return "train"


_SENT_END = re.compile(r"(?<=[.?!])[\"”']?\s+(?=[\"“']?[A-Z0-9])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENT_END.split(text) if s.strip()]


_ICSI_DROP = re.compile(r"\s*\{(vocalsound|pause|gap|comment|nonvocalsound)\}\s*")


def clean_icsi(text: str) -> str:
    """The meeting transcripts are tokenised ("I 'm", " , "); join them back."""
    text = _ICSI_DROP.sub(" ", text)
    text = text.replace("{disfmarker}", "--")
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    text = re.sub(r"\s+('(?:m|s|re|ve|ll|d|t)\b|n't\b)", r"\1", text)
    text = re.sub(r"\b(\w) - (\w)", r"\1- \2", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip()


def load_sources() -> list[dict]:
    items = []
    for line in (SHARED / "changelog_answers.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        items.append({
            "corpus": "changelog",
            "source": row["episode"],
            "ref": f"{row['episode']}#turn{row['turn']}",
            "question": row["question"],
            "sentences": sentences(row["answer"]),
        })
    for line in (SHARED / "icsi_monologues.jsonl").open(encoding="utf-8"):
        row = json.loads(line)
        items.append({
            "corpus": "icsi",
            "source": f"icsi/{row['meeting']}",
            "ref": f"icsi/{row['meeting']}#turn{row['turn_index']}",
            "question": clean_icsi(row["prev_turn"].split(":", 1)[-1])[-300:],
            "sentences": sentences(clean_icsi(row["text"])),
        })
    return [i for i in items if len(i["sentences"]) >= 4]


def window(item: dict, rng: random.Random, around: int | None = None) -> tuple[int, list[str]]:
    sents = item["sentences"]
    if len(sents) <= WINDOW:
        return 0, sents
    if around is None:
        start = rng.randrange(0, len(sents) - WINDOW + 1)
    else:
        start = max(0, min(len(sents) - WINDOW, around - rng.randrange(2, WINDOW - 2)))
    return start, sents[start:start + WINDOW]


def second_draw(items: list[dict], used: set[str]) -> list[tuple[str, dict, int, list[str]]]:
    """More training passages: from train and dev sources only, none the first draw took."""
    rng = random.Random(SECOND_SEED)
    pool = [i for i in items if split_of(i["source"]) != "heldout" and i["ref"] not in used]
    chosen = []
    for item in rng.sample(pool, SECOND_RANDOM):
        start, sents = window(item, rng)
        chosen.append(("random-2", item, start, sents))
        used.add(item["ref"])
    candidates = [i for i in pool if i["ref"] not in used and any(ENRICH_RE.search(s) for s in i["sentences"])]
    for item in rng.sample(candidates, SECOND_ENRICHED):
        hits = [k for k, s in enumerate(item["sentences"]) if ENRICH_RE.search(s)]
        start, sents = window(item, rng, around=rng.choice(hits))
        chosen.append(("enriched-2", item, start, sents))
    return chosen


def main() -> int:
    rng = random.Random(SEED)
    items = load_sources()
    podcast = [i for i in items if i["corpus"] == "changelog"]
    meeting = [i for i in items if i["corpus"] == "icsi"]
    chosen: list[tuple[str, dict, int, list[str]]] = []
    used: set[str] = set()
    for pool, n in ((podcast, RANDOM_PODCAST), (meeting, RANDOM_MEETING)):
        for item in rng.sample(pool, n):
            start, sents = window(item, rng)
            chosen.append(("random", item, start, sents))
            used.add(item["ref"])
    candidates = [i for i in podcast + meeting if i["ref"] not in used
                  and any(ENRICH_RE.search(s) for s in i["sentences"])]
    for item in rng.sample(candidates, ENRICHED):
        hits = [k for k, s in enumerate(item["sentences"]) if ENRICH_RE.search(s)]
        start, sents = window(item, rng, around=rng.choice(hits))
        chosen.append(("enriched", item, start, sents))

    used |= {item["ref"] for _, item, _, _ in chosen}
    chosen += second_draw(items, used)

    out = HERE / "passages.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        for n, (draw, item, start, sents) in enumerate(chosen, 1):
            pid = f"rs-{n:03d}"
            fh.write(json.dumps({
                "id": pid,
                "corpus": item["corpus"],
                "source": item["source"],
                "ref": item["ref"],
                "first_sentence": start,
                "draw": draw,
                "split": split_of(item["source"]),
                "question": item["question"],
                "sentences": [{"id": f"{pid}-{k:02d}", "text": s} for k, s in enumerate(sents)],
            }, ensure_ascii=False) + "\n")
    total = sum(len(s) for *_, s in chosen)
    print(f"{len(chosen)} passages, {total} sentences -> {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
