"""How the key metrics move from take to take, and which way is better.

Used by `history` (a sparkline per metric over the listed takes) and by
`compare` (before and after for two takes).  "Better" is per metric: fewer
fillers and silences, more of the checklist, framing earlier, and a pace
closer to the comfortable band that the coaching tips recommend.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from thinkaloud.analysis.coaching import PACE_BAND
from thinkaloud.sessions.store import SessionRow

Direction = Literal["lower", "higher", "pace", "neutral"]
Verdict = Literal["better", "worse", "same"]

SPARK_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class MetricSpec:
    key: str
    label: str
    direction: Direction
    tolerance: float  # changes no bigger than this count as "same"
    format: Callable[[float | None], str]
    value: Callable[[SessionRow], float | None]


def _count(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} s"


def _pace(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} wpm"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}/5"


KEY_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("checklist_score", "structure", "higher", 0, _score, lambda r: r.checklist_score),
    MetricSpec("framing_at", "time to framing", "lower", 1.0, _seconds, lambda r: r.framing_at),
    MetricSpec("wpm", "pace", "pace", 3.0, _pace, lambda r: r.wpm),
    MetricSpec("filler_count", "fillers", "lower", 0, _count, lambda r: r.filler_count),
    MetricSpec("hedge_count", "hedges", "lower", 0, _count, lambda r: r.hedge_count),
    MetricSpec("silence_count", "long silences", "lower", 0, _count, lambda r: r.silence_count),
)


def pace_distance(wpm: float) -> float:
    low, high = PACE_BAND
    return max(0.0, low - wpm, wpm - high)


def judge(direction: Direction, before: float | None, after: float | None, tolerance: float = 0.0) -> Verdict | None:
    """Whether going from `before` to `after` is an improvement; None when it cannot be said."""
    if before is None or after is None or direction == "neutral":
        return None
    if direction == "pace":
        before, after = pace_distance(before), pace_distance(after)
        direction = "lower"
    if abs(after - before) <= tolerance:
        return "same"
    improved = after < before if direction == "lower" else after > before
    return "better" if improved else "worse"


def sparkline(values: Sequence[float | None]) -> str:
    """One bar per value, scaled between the smallest and largest; a gap for a missing value."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    bars = []
    for value in values:
        if value is None:
            bars.append(" ")
        elif span == 0:
            bars.append(SPARK_BARS[len(SPARK_BARS) // 2])
        else:
            bars.append(SPARK_BARS[round((value - low) / span * (len(SPARK_BARS) - 1))])
    return "".join(bars)


@dataclass(frozen=True, slots=True)
class Trend:
    """One metric over takes, oldest first."""

    spec: MetricSpec
    values: tuple[float | None, ...]

    @property
    def first(self) -> float | None:
        return next((v for v in self.values if v is not None), None)

    @property
    def last(self) -> float | None:
        return next((v for v in reversed(self.values) if v is not None), None)

    @property
    def verdict(self) -> Verdict | None:
        known = [v for v in self.values if v is not None]
        if len(known) < 2:
            return None
        return judge(self.spec.direction, self.first, self.last, self.spec.tolerance)

    def to_dict(self) -> dict:
        return {
            "metric": self.spec.key,
            "label": self.spec.label,
            "values": list(self.values),
            "first": self.first,
            "last": self.last,
            "better_when": self.spec.direction,
            "verdict": self.verdict,
        }


def trends(rows_oldest_first: Sequence[SessionRow]) -> list[Trend]:
    """The key metrics over analysed takes (rows without a report are skipped by the caller)."""
    return [Trend(spec, tuple(spec.value(row) for row in rows_oldest_first)) for spec in KEY_METRICS]
