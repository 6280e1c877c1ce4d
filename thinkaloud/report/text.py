"""The readable terminal summary (`--format text`, the default)."""

from __future__ import annotations

import textwrap
from collections import Counter

from thinkaloud.kinds import (
    BY_NAME,
    CHECKLIST_LABELS,
    CHECKLIST_PARTS,
    LABELS,
    PHRASE_KINDS,
    STRUCTURE_KINDS,
    shift_look,
)
from thinkaloud.timefmt import clock, length
from thinkaloud.types import Report, Signal

WIDTH = 88


def structure_marks(row) -> str:
    """A take's checklist in one table cell, "3/5 FA·T·" (`row`: a `thinkaloud.sessions.store.SessionRow`)."""
    if not row.has_report:
        return "—"
    letters = "".join(BY_NAME[k].letter if row.checklist.get(k) else "·" for k in STRUCTURE_KINDS)
    return f"{row.checklist_score}/{len(STRUCTURE_KINDS)} {letters}"


class Style:
    """ANSI styling, or none at all when output is not a colour terminal."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31", text)

    def warn(self, text: str) -> str:
        return self._wrap("33", text)


def describe_shift(signal: Signal) -> str:
    return shift_look(signal.signposted).label


def checklist_parts(report: Report) -> list[tuple[str, list[str]]]:
    """The checklist's parts with the kinds this report has (a take saved before a kind existed lacks it)."""
    parts = [(title, [k for k in kinds if k in report.summary.checklist]) for title, kinds in CHECKLIST_PARTS]
    return [(title, kinds) for title, kinds in parts if kinds]


def phrase_counts(signals: list[Signal], kind: str) -> str:
    counts = Counter(s.cue.lower() for s in signals if s.kind == kind)
    return ", ".join(f"{phrase} ×{n}" if n > 1 else phrase for phrase, n in counts.most_common(6))


def _quote(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1].rstrip() + "…") + "”"


def render_text(report: Report, color: bool = False) -> str:
    st = Style(color)
    m = report.metrics
    lines: list[str] = []
    source = report.source
    header = f"thinkaloud · {source.path}"
    details = []
    if source.duration_s is not None:
        details.append(length(source.duration_s))
    details.append(report.model.asr or "text input")
    lines += [st.bold(header) + st.dim(f"  ({', '.join(details)})"), ""]

    if not report.summary.speech_found:
        lines += [st.warn("No speech was found in this input."), ""]
        lines += [f"  • {tip}" for tip in report.summary.tips]
        return "\n".join(lines) + "\n"

    for title, kinds in checklist_parts(report):
        lines.append(st.bold(title))
        for kind in kinds:
            item = report.summary.checklist[kind]
            mark = st.good("✓") if item.present else st.bad("✗")
            when = f"first at {clock(item.first_at)}" if item.present and item.first_at is not None else ""
            lines.append(f"  {mark} {CHECKLIST_LABELS[kind]:<20} {st.dim(when)}".rstrip())
        lines.append("")

    lines.append(st.bold("Delivery"))
    if m.duration_s is not None:
        lines.append(f"  speaking time   {length(m.speaking_time_s)} of {length(m.duration_s)}")
    lines.append(f"  words           {m.words}" + (f" at {m.wpm:.0f} words a minute" if m.wpm else ""))
    if m.duration_s is not None:
        silence = f"{m.silence_count}" + (f" (longest {length(m.longest_silence_s)})" if m.silence_count else "")
        lines.append(f"  long silences   {silence}")
    signals = list(report.signals)
    lines.append(f"  fillers         {m.filler_count}" + (f": {phrase_counts(signals, 'filler')}" if m.filler_count else ""))
    lines.append(f"  hedges          {m.hedge_count}" + (f": {phrase_counts(signals, 'hedge')}" if m.hedge_count else ""))
    lines.append("")

    lines.append(st.bold("Tips"))
    for number, tip in enumerate(report.summary.tips, 1):
        wrapped = textwrap.wrap(tip, WIDTH - 5)
        lines.append(f"  {number}. {wrapped[0]}")
        lines += [f"     {rest}" for rest in wrapped[1:]]
    lines.append("")

    timeline = [s for s in signals if s.kind not in PHRASE_KINDS]
    if timeline:
        lines.append(st.bold("Signals"))
        for s in timeline:
            at = clock(s.start) if s.start is not None else f"#{s.char_start}"
            if s.kind == "silence":
                what = st.warn(f"{length(s.end - s.start)} without speech")
                label = "silence"
            elif s.kind == "topic_shift":
                label = describe_shift(s)
                what = _quote(s.text) + ("" if not s.signposted else st.dim(f"  cue: {s.cue}"))
                if not s.signposted:
                    what = st.warn(what)
            else:
                label = LABELS[s.kind]
                what = _quote(s.text) + st.dim(f"  cue: {s.cue}")
            lines.append(f"  {at:>6}  {label:<16} {what}")
        lines.append("")

    lines.append(st.bold("Transcript"))
    lines += textwrap.wrap(report.transcript.text, WIDTH, initial_indent="  ", subsequent_indent="  ") or ["  (empty)"]
    return "\n".join(lines) + "\n"
