"""The structure checklist and the tips: what a coach would say about this take.

Tips are concrete (they quote times and counts from this answer), ranked by
how much fixing them would change an interviewer's impression, and there are
always two to four of them when speech was found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from thinkaloud.kinds import BY_NAME, CHECKLIST_KINDS
from thinkaloud.timefmt import clock, length
from thinkaloud.types import ChecklistItem, Metrics, Signal, Summary

#: Default for `--silence`: a gap in speech this long reads to an interviewer as being stuck.
LONG_SILENCE_S = 3.0
MAX_TIPS = 4
MIN_TIPS = 2
#: Framing after this share of the answer comes too late to guide the listener.
LATE_FRAMING_SHARE = 0.25
FILLERS_PER_MINUTE_LIMIT = 4.0
HEDGES_PER_MINUTE_LIMIT = 4.0
FAST_WPM, SLOW_WPM = 185.0, 100.0
#: The pace the tips ask for (words a minute); history and its charts measure takes against it.
PACE_BAND = (140.0, 160.0)


@dataclass(frozen=True, slots=True)
class Tip:
    priority: int  # lower is more important
    text: str


def checklist(signals: Sequence[Signal]) -> dict[str, ChecklistItem]:
    items = {}
    for kind in CHECKLIST_KINDS:
        found = [s for s in signals if s.kind == kind]
        times = [s.start for s in found if s.start is not None]
        items[kind] = ChecklistItem(present=bool(found), first_at=min(times) if times else None)
    return items


def _per_minute(count: int, metrics: Metrics) -> float | None:
    minutes = (metrics.speaking_time_s or 0) / 60
    return count / minutes if minutes > 0.25 else None


def candidate_tips(signals: Sequence[Signal], metrics: Metrics, items: dict[str, ChecklistItem]) -> list[Tip]:
    # Each missing checklist kind has its tip in the table of kinds; ranks order them among the rest.
    tips = [Tip(BY_NAME[kind].tip_rank, BY_NAME[kind].missing_tip) for kind, item in items.items() if not item.present]
    framing = items["framing"]
    duration = metrics.duration_s
    if framing.present and framing.first_at is not None and duration and framing.first_at > LATE_FRAMING_SHARE * duration:
        tips.append(Tip(2, f"You framed the problem only at {clock(framing.first_at)}; do it in the first "
                           "30 seconds so the interviewer can follow where you are going."))
    silences = [s for s in signals if s.kind == "silence"]
    if silences:
        longest = max(silences, key=lambda s: s.end - s.start)
        tips.append(Tip(2, f"You went quiet for {length(longest.end - longest.start)} at {clock(longest.start)}"
                           + (f" ({len(silences)} long silences in all)" if len(silences) > 1 else "")
                           + "; think aloud instead, e.g. \"I'm weighing X against Y\"."))
    jumps = [s for s in signals if s.kind == "topic_shift" and s.signposted is False]
    if jumps:
        first = jumps[0]
        where = f" at {clock(first.start)}" if first.start is not None else ""
        tips.append(Tip(3, f"You changed subject without announcing it{where} (\"{_preview(first.text)}\"); "
                           "signpost transitions, e.g. \"Moving on to serving…\"."))
    fillers = _per_minute(metrics.filler_count, metrics)
    if fillers is not None and fillers > FILLERS_PER_MINUTE_LIMIT:
        tips.append(Tip(4, f"{metrics.filler_count} fillers ({fillers:.0f} a minute); "
                           "a short silent pause sounds more confident than \"um\" or \"you know\"."))
    hedges = _per_minute(metrics.hedge_count, metrics)
    if hedges is not None and hedges > HEDGES_PER_MINUTE_LIMIT:
        tips.append(Tip(4, f"{metrics.hedge_count} hedges (\"maybe\", \"I guess\", \"sort of\"); "
                           "commit to a choice and give its reason."))
    if metrics.wpm is not None and metrics.wpm > FAST_WPM:
        tips.append(Tip(5, f"Your pace was {metrics.wpm:.0f} words a minute; slow down to "
                           f"{PACE_BAND[0]:.0f}–{PACE_BAND[1]:.0f} so the reasoning lands."))
    elif metrics.wpm is not None and metrics.wpm < SLOW_WPM:
        tips.append(Tip(5, f"Your pace was {metrics.wpm:.0f} words a minute; keep talking through your reasoning "
                           "so the pauses don't read as being stuck."))
    return tips


def _preview(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def encouragement(items: dict[str, ChecklistItem]) -> list[Tip]:
    """Used only to fill up to MIN_TIPS when little needs fixing."""
    tips = [Tip(9, "Solid structure; next time, probe your own design with a follow-up: what changes with "
                   "a tighter latency budget, or ten times less data?")]
    if items["tradeoff"].present:
        tips.append(Tip(9, "Good trade-off language; make each one quantitative where you can (\"~2x cheaper, ~1 point less recall\")."))
    tips.append(Tip(9, "Rehearse the same question again and compare the takes to see what you dropped."))
    return tips


def summarize(signals: Sequence[Signal], metrics: Metrics, speech_found: bool = True) -> Summary:
    items = checklist(signals)
    if not speech_found:
        return Summary(checklist=items, tips=(
            "No speech was found: check that the right microphone or file was used and that the input level is not muted.",
        ), speech_found=False)
    tips = sorted(candidate_tips(signals, metrics, items), key=lambda t: t.priority)[:MAX_TIPS]
    if len(tips) < MIN_TIPS:
        tips += encouragement(items)[: MIN_TIPS - len(tips)]
    return Summary(checklist=items, tips=tuple(t.text for t in tips), speech_found=True)
