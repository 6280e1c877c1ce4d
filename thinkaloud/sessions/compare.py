"""Two takes side by side: what changed in structure, content and delivery.

Structure is the checklist (structure and depth kinds, see `thinkaloud.kinds`).
Content is the statements themselves: an assumption or trade-off
in one take is matched to the most similar one in the other by the content
words they share, so "I'll assume a year of logs" and "assume twelve months
of usage logs" count as the same point, kept, while a point only one take
makes is added or dropped.  Delivery is time to first framing, fillers,
hedges, silences and pace, each judged better or worse (see `trends`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from thinkaloud.kinds import CHECKLIST_KINDS, COMPARED_KINDS, STRUCTURE_KINDS
from thinkaloud.sessions.store import Session
from thinkaloud.sessions.trends import Direction, Verdict, judge
from thinkaloud.types import ChecklistItem, Report

#: Statement kinds whose sentences are matched across takes.
#: Two statements sharing at least this share of content words (Dice coefficient) make the same point.
SAME_POINT = 0.5
#: A statement whose content words lie this much inside a longer one was said there too (two
#: sentences run together in one take, split apart in the other).
CONTAINED = 0.75

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can could did do does doing down during each else even ever every few for from further
    get gets got had has have having he her here hers him his how i i'd i'll i'm i've if in into is it it's its
    itself just let let's like maybe me might more most much must my no nor not now of off on once one only or
    other our ours out over own probably quite rather really same say says she should so some something such
    than that that's the their them then there these they this those through to too under until up us very
    want was we we'd we'll we're were what when where which while who whom why will with would you your""".split()
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def content_words(text: str) -> frozenset[str]:
    """The words that carry a statement's point, crudely stemmed so "assume"/"assuming" match."""
    words = set()
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word in _STOPWORDS or len(word) < 3:
            continue
        for suffix in ("ings", "ing", "ies", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                word = word[: -len(suffix)]
                break
        words.add(word)
    return frozenset(words)


def containment(part: str, whole: str) -> float:
    """The share of `part`'s content words that also occur in `whole`."""
    wp, ww = content_words(part), content_words(whole)
    return len(wp & ww) / len(wp) if wp else 0.0


def similarity(a: str, b: str) -> float:
    wa, wb = content_words(a), content_words(b)
    if not wa or not wb:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    return 2 * len(wa & wb) / (len(wa) + len(wb))


@dataclass(frozen=True, slots=True)
class Take:
    id: str
    created: str
    source: str
    kind: str
    question: str | None
    question_id: str | None


@dataclass(frozen=True, slots=True)
class ChecklistChange:
    kind: str
    before: ChecklistItem
    after: ChecklistItem

    @property
    def change(self) -> str:
        """"added", "dropped", "kept" or "missing" (in neither take)."""
        if self.before.present and self.after.present:
            return "kept"
        if self.after.present:
            return "added"
        return "dropped" if self.before.present else "missing"


@dataclass(frozen=True, slots=True)
class StatementChanges:
    kind: str
    added: tuple[str, ...]
    dropped: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]  # (before, after)


@dataclass(frozen=True, slots=True)
class MetricChange:
    key: str
    label: str
    unit: str  # "s", "wpm", "count", "score"
    before: float | None
    after: float | None
    direction: Direction

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    @property
    def verdict(self) -> Verdict | None:
        tolerance = {"s": 0.5, "wpm": 3.0}.get(self.unit, 0.0)
        return judge(self.direction, self.before, self.after, tolerance)


@dataclass(frozen=True, slots=True)
class Comparison:
    before: Take
    after: Take
    checklist: tuple[ChecklistChange, ...]
    statements: tuple[StatementChanges, ...]
    metrics: tuple[MetricChange, ...]

    @property
    def same_question(self) -> bool:
        if self.before.question_id and self.after.question_id:
            return self.before.question_id == self.after.question_id
        return bool(self.before.question) and self.before.question == self.after.question


def match_statements(
    kind: str, before: Sequence[str], after: Sequence[str], threshold: float = SAME_POINT
) -> StatementChanges:
    """Pair each statement with its closest counterpart, best pairs first; the rest were added or dropped."""
    pairs = sorted(
        ((similarity(b, a), i, j) for i, b in enumerate(before) for j, a in enumerate(after)),
        key=lambda p: (-p[0], p[1], p[2]),
    )
    used_before: set[int] = set()
    used_after: set[int] = set()
    kept = []
    for score, i, j in pairs:
        if score < threshold:
            break
        if i in used_before or j in used_after:
            continue
        used_before.add(i)
        used_after.add(j)
        kept.append((i, j))
    # What is left may still have been said, merged into (or split out of) a longer statement.
    for i, b in enumerate(before):
        if i not in used_before:
            j = max(range(len(after)), key=lambda j: containment(b, after[j]), default=None)
            if j is not None and containment(b, after[j]) >= CONTAINED:
                used_before.add(i)
                used_after.add(j)
                kept.append((i, j))
    for j, a in enumerate(after):
        if j not in used_after:
            i = max(range(len(before)), key=lambda i: containment(a, before[i]), default=None)
            if i is not None and containment(a, before[i]) >= CONTAINED:
                used_after.add(j)
                kept.append((i, j))
    kept.sort()
    return StatementChanges(
        kind=kind,
        added=tuple(a for j, a in enumerate(after) if j not in used_after),
        dropped=tuple(b for i, b in enumerate(before) if i not in used_before),
        kept=tuple((before[i], after[j]) for i, j in kept),
    )


def _statements(report: Report, kind: str) -> list[str]:
    return list(dict.fromkeys(s.text for s in report.signals if s.kind == kind))


def _take(session: Session) -> Take:
    row = session.row
    return Take(row.id, row.created, row.source, row.kind, row.question, row.question_id)


def _metrics(before: Report, after: Report) -> tuple[MetricChange, ...]:
    def abrupt(report: Report) -> int:
        return sum(1 for s in report.signals if s.kind == "topic_shift" and not s.signposted)

    def score(report: Report) -> int:
        return sum(1 for k in STRUCTURE_KINDS if report.summary.item(k).present)

    mb, ma = before.metrics, after.metrics
    fb, fa = before.summary.item("framing"), after.summary.item("framing")
    timed = before.source.kind == "audio" and after.source.kind == "audio"
    rows = [
        MetricChange("checklist_score", "structure", "score", score(before), score(after), "higher"),
        MetricChange("framing_at", "time to first framing", "s", fb.first_at, fa.first_at, "lower"),
        MetricChange("wpm", "pace", "wpm", mb.wpm, ma.wpm, "pace"),
        MetricChange("filler_count", "fillers", "count", mb.filler_count, ma.filler_count, "lower"),
        MetricChange("hedge_count", "hedges", "count", mb.hedge_count, ma.hedge_count, "lower"),
        MetricChange("silence_count", "long silences", "count", mb.silence_count if timed else None,
                     ma.silence_count if timed else None, "lower"),
        MetricChange("longest_silence_s", "longest silence", "s", mb.longest_silence_s if timed else None,
                     ma.longest_silence_s if timed else None, "lower"),
        MetricChange("abrupt_shifts", "abrupt topic jumps", "count", abrupt(before), abrupt(after), "lower"),
        MetricChange("words", "words", "count", mb.words, ma.words, "neutral"),
        MetricChange("duration_s", "length", "s", mb.duration_s, ma.duration_s, "neutral"),
    ]
    return tuple(rows)


def compare_sessions(before: Session, after: Session) -> Comparison:
    """What changed from take `before` to take `after` (both must have a report)."""
    from thinkaloud.errors import InputError

    for session in (before, after):
        if session.report is None:
            raise InputError(
                f"session {session.row.id} has no report ({session.row.status}); compare takes that were analysed."
            )
    rb, ra = before.report, after.report
    assert rb is not None and ra is not None
    # A kind neither take was checked for (both saved before it existed) is left out.
    kinds = [k for k in CHECKLIST_KINDS if k in rb.summary.checklist or k in ra.summary.checklist]
    checklist = tuple(ChecklistChange(k, rb.summary.item(k), ra.summary.item(k)) for k in kinds)
    statements = []
    for kind in COMPARED_KINDS:
        statements.append(match_statements(kind, _statements(rb, kind), _statements(ra, kind)))
    return Comparison(_take(before), _take(after), checklist, tuple(statements), _metrics(rb, ra))


def comparison_to_dict(comparison: Comparison) -> dict[str, Any]:
    """`compare --format json`."""

    def take(t: Take) -> dict[str, Any]:
        return {"id": t.id, "created": t.created, "source": t.source, "kind": t.kind,
                "question": t.question, "question_id": t.question_id}

    return {
        "before": take(comparison.before),
        "after": take(comparison.after),
        "same_question": comparison.same_question,
        "checklist": {
            c.kind: {
                "before": c.before.present,
                "after": c.after.present,
                "before_first_at": c.before.first_at,
                "after_first_at": c.after.first_at,
                "change": c.change,
            }
            for c in comparison.checklist
        },
        "statements": {
            s.kind: {
                "added": list(s.added),
                "dropped": list(s.dropped),
                "kept": [{"before": b, "after": a} for b, a in s.kept],
            }
            for s in comparison.statements
        },
        "metrics": {
            m.key: {"label": m.label, "unit": m.unit, "before": m.before, "after": m.after, "delta": m.delta,
                    "verdict": m.verdict}
            for m in comparison.metrics
        },
    }
