"""Inline SVG drawings for the HTML pages: one take's timeline and metric charts over takes.

Everything is plain SVG markup (no scripts, no external references), sized by
a viewBox so it scales with the page.  Shapes carry `<title>`s and every
kind has a letter or label besides its colour, so nothing is told by colour
alone.  Colours come from CSS classes defined by `thinkaloud.report.html`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from thinkaloud.analysis.coaching import PACE_BAND
from thinkaloud.kinds import BY_NAME, LABELS, PHRASE_KINDS, SENTENCE_KINDS, shift_look
from thinkaloud.timefmt import clock, length
from thinkaloud.types import Report, Signal

WIDTH = 960
GUTTER = 112  # room for the lane labels on the left
PAD_RIGHT = 18


def _attr(text: str) -> str:
    return escape(text, quote=True)


def _preview(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_step(span: float, target_ticks: int = 8) -> float:
    """A tick spacing of 1, 2 or 5 times a power of ten (or clock-friendly seconds) giving about `target_ticks`."""
    if span <= 0:
        return 1.0
    raw = span / target_ticks
    for step in (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600):
        if step >= raw:
            return float(step)
    return float(3600 * math.ceil(raw / 3600))


def sentence_index(report: Report, char_start: int | None) -> int | None:
    """The sentence holding a character offset (for links from the timeline into the transcript)."""
    if char_start is None or not report.sentences:
        return None
    starts = [s.char_start for s in report.sentences]
    index = bisect.bisect_right(starts, char_start) - 1
    return max(0, index)


@dataclass(frozen=True, slots=True)
class _Axis:
    """Maps a signal to an x position: by time for audio, by place in the text for a transcript."""

    timed: bool
    total: float
    left: float = GUTTER
    right: float = WIDTH - PAD_RIGHT

    def x(self, value: float) -> float:
        share = 0.0 if self.total <= 0 else min(1.0, max(0.0, value / self.total))
        return self.left + share * (self.right - self.left)

    def position(self, signal: Signal) -> float | None:
        if self.timed:
            return signal.start
        return signal.char_start

    def label(self, value: float) -> str:
        return clock(value) if self.timed else f"{value / self.total * 100:.0f}%" if self.total else "0%"


def _axis_for(report: Report) -> _Axis:
    duration = report.source.duration_s or report.metrics.duration_s
    if report.source.kind == "audio" and duration:
        return _Axis(True, float(duration))
    return _Axis(False, float(max(1, len(report.transcript.text))))


def _spread(positions: list[tuple[float, int]], gap: float, rows: int) -> dict[int, int]:
    """Assign each marker a row so markers closer than `gap` px do not cover each other."""
    last_x = [-1e9] * rows
    assigned = {}
    for x, key in sorted(positions):
        row = next((r for r in range(rows) if x - last_x[r] >= gap), min(range(rows), key=lambda r: last_x[r]))
        last_x[row] = x
        assigned[key] = row
    return assigned


def timeline_svg(report: Report) -> str:
    """Speech and silence along the time axis, with a mark for every signal and topic shift."""
    axis = _axis_for(report)
    signals = list(report.signals)
    structure = [s for s in signals if s.kind in SENTENCE_KINDS and axis.position(s) is not None]
    phrases = [s for s in signals if s.kind in PHRASE_KINDS and axis.position(s) is not None]
    shifts = [s for s in signals if s.kind == "topic_shift" and axis.position(s) is not None]
    silences = [s for s in signals if s.kind == "silence" and s.start is not None and s.end is not None]

    top = 34  # room for the topic-shift flags
    lanes: list[tuple[str, float, float]] = []  # (label, y, height)
    y = top
    if axis.timed:
        lanes.append(("speech", y, 22))
        y += 22 + 16
    radius = 9
    rows = _spread([(axis.x(axis.position(s)), i) for i, s in enumerate(structure)], 2 * radius + 2, 3)
    structure_rows = max(1, max(rows.values(), default=0) + 1)
    lanes.append(("reasoning", y, 22 * structure_rows + 4))
    y += 22 * structure_rows + 4 + 12
    lanes.append(("fillers & hedges", y, 20))
    y += 20 + 12
    axis_y = y
    height = axis_y + 30

    parts: list[str] = []
    what = "time" if axis.timed else "position in the transcript (a text transcript has no timing)"
    summary = (
        f"{len(structure)} reasoning signals, {sum(1 for s in phrases if s.kind == 'filler')} fillers, "
        f"{sum(1 for s in phrases if s.kind == 'hedge')} hedges, {len(silences)} long silences and "
        f"{len(shifts)} topic shifts along the {'recording' if axis.timed else 'transcript'}"
    )
    parts.append(
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-labelledby="tl-title tl-desc" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="tl-title">Timeline of the answer by {escape(what)}</title><desc id="tl-desc">{escape(summary)}</desc>'
    )
    for label, lane_y, lane_h in lanes:
        parts.append(f'<text class="lane-label" x="{GUTTER - 12}" y="{lane_y + lane_h / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect class="lane" x="{GUTTER}" y="{lane_y:.1f}" width="{axis.right - GUTTER:.1f}" height="{lane_h:.1f}" rx="4"/>')

    # Grid and axis.
    step = nice_step(axis.total) if axis.timed else axis.total / 4
    tick = 0.0
    while tick <= axis.total + 1e-9:
        x = axis.x(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{axis_y:.1f}"/>')
        parts.append(f'<text class="tick" x="{x:.1f}" y="{axis_y + 16:.1f}" text-anchor="middle">{axis.label(tick)}</text>')
        tick += step
    parts.append(f'<line class="axis" x1="{GUTTER}" y1="{axis_y:.1f}" x2="{axis.right:.1f}" y2="{axis_y:.1f}"/>')
    if not axis.timed:
        parts.append(f'<text class="tick" x="{axis.right:.1f}" y="{axis_y + 28:.1f}" text-anchor="end">position in transcript</text>')

    # Speech lane: speech spans over a quiet background, long silences called out.
    if axis.timed:
        _, lane_y, lane_h = lanes[0]
        for span in report.speech:
            x1, x2 = axis.x(span.start), axis.x(span.end)
            parts.append(
                f'<rect class="speech" x="{x1:.1f}" y="{lane_y + 3:.1f}" width="{max(0.8, x2 - x1):.1f}" height="{lane_h - 6:.1f}" rx="2">'
                f"<title>speech {clock(span.start)}–{clock(span.end)}</title></rect>"
            )
        for number, s in enumerate(silences, 1):
            x1, x2 = axis.x(s.start), axis.x(s.end)
            label = f"long silence of {length(s.end - s.start)} at {clock(s.start)}"
            parts.append(
                f'<a href="#silence-{number}" aria-label="{_attr(label)}"><rect class="k-silence" x="{x1:.1f}" y="{lane_y:.1f}" '
                f'width="{max(2.0, x2 - x1):.1f}" height="{lane_h:.1f}" rx="3"><title>{escape(label)}</title></rect>'
                f'<text class="mark-label silence-label" x="{(x1 + x2) / 2:.1f}" y="{lane_y + lane_h / 2 + 4:.1f}" '
                f'text-anchor="middle">{escape(length(s.end - s.start))}</text></a>'
            )

    # Reasoning lane (structure and depth): a lettered disc per signal, linked to its sentence.
    label, lane_y, lane_h = next(l for l in lanes if l[0] == "reasoning")
    if not structure:
        missing = ", ".join(BY_NAME[k].plural for k in SENTENCE_KINDS)
        parts.append(_empty_lane(axis, lane_y, lane_h, f"no {missing}"))
    for i, s in enumerate(structure):
        x = axis.x(axis.position(s))
        cy = lane_y + 2 + radius + 2 + rows[i] * 22
        index = sentence_index(report, s.char_start)
        when = clock(s.start) if s.start is not None else "text"
        title = f"{when} {LABELS[s.kind]}: {_preview(s.text)} (cue: {_preview(s.cue, 40)})"
        href = f"#s-{index}" if index is not None else "#transcript"
        parts.append(
            f'<a href="{href}" aria-label="{_attr(title)}"><g class="mark k-{s.kind}">'
            f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="{radius}"/>'
            f'<text x="{x:.1f}" y="{cy + 3.6:.1f}" text-anchor="middle">{escape(BY_NAME[s.kind].letter)}</text>'
            f"<title>{escape(title)}</title></g></a>"
        )

    # Fillers and hedges: small shapes (triangle, diamond) in their own lane.
    label, lane_y, lane_h = next(l for l in lanes if l[0] == "fillers & hedges")
    cy = lane_y + lane_h / 2
    if not phrases:
        parts.append(_empty_lane(axis, lane_y, lane_h, "none"))
    for s in phrases:
        x = axis.x(axis.position(s))
        when = clock(s.start) if s.start is not None else "text"
        title = f"{when} {s.kind}: “{s.text}”"
        if s.kind == "filler":
            shape = f'<path d="M{x - 5:.1f},{cy + 4.5:.1f} L{x:.1f},{cy - 5:.1f} L{x + 5:.1f},{cy + 4.5:.1f} Z"/>'
        else:
            shape = f'<path d="M{x:.1f},{cy - 5.5:.1f} L{x + 5:.1f},{cy:.1f} L{x:.1f},{cy + 5.5:.1f} L{x - 5:.1f},{cy:.1f} Z"/>'
        index = sentence_index(report, s.char_start)
        parts.append(
            f'<a href="#s-{index}" aria-label="{_attr(title)}"><g class="mark k-{s.kind}">{shape}<title>{escape(title)}</title></g></a>'
        )

    # Topic shifts: a line across the lanes and a labelled flag on top.
    flags = _spread([(axis.x(axis.position(s)), i) for i, s in enumerate(shifts)], 120, 2)
    for i, s in enumerate(shifts):
        x = axis.x(axis.position(s))
        kind = "signposted" if s.signposted else "abrupt"
        text = shift_look(s.signposted).label
        index = sentence_index(report, s.char_start)
        when = clock(s.start) if s.start is not None else "text"
        title = f"{when} {text}: {_preview(s.text)}"
        label_y = 13 + flags[i] * 13
        anchor = "start" if x < axis.right - 110 else "end"
        dx = 5 if anchor == "start" else -5
        parts.append(
            f'<a href="#s-{index}" aria-label="{_attr(title)}"><g class="shift shift-{kind}">'
            f'<line x1="{x:.1f}" y1="{label_y - 10:.1f}" x2="{x:.1f}" y2="{axis_y:.1f}"/>'
            f'<text x="{x + dx:.1f}" y="{label_y}" text-anchor="{anchor}">{"→" if s.signposted else "⚠"} {text}</text>'
            f"<title>{escape(title)}</title></g></a>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _empty_lane(axis: _Axis, lane_y: float, lane_h: float, text: str) -> str:
    return f'<text class="tick" x="{axis.left + 10:.1f}" y="{lane_y + lane_h / 2 + 4:.1f}">{escape(text)}</text>'


# --- charts over takes ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChartSeries:
    """One metric over takes, oldest first; None where a take has no value."""

    title: str
    values: tuple[float | None, ...]
    labels: tuple[str, ...]  # one per take, for tooltips
    unit: str = ""
    better: str = "lower"  # "lower", "higher" or "pace"
    band: tuple[float, float] | None = None  # a target range to shade
    integer: bool = True
    domain: tuple[float, float] | None = None  # a fixed scale, e.g. 0..5 for the checklist


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About `count` round values (steps of 1, 2 or 5 times a power of ten) covering low..high."""
    if high - low < 1e-9:
        low, high = (max(0.0, low - 1) if low >= 0 else low - 1), high + 1
    raw = (high - low) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    if low >= 0:
        first = max(0.0, first)  # counts and durations are never negative
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def metric_chart(series: ChartSeries, width: int = 300, height: int = 150) -> str:
    """A small line chart with a dot per take and the target band, if any, shaded."""
    left, right, top, bottom = 36, 12, 26, 24
    known = [v for v in series.values if v is not None]
    span = known + (list(series.band) if series.band else [])
    low, high = (min(span), max(span)) if span else (0.0, 1.0)
    if series.better in ("lower", "higher") and series.integer:
        low = min(low, 0.0)
    if series.integer:
        high = max(high, low + 1)
    if series.domain:
        low, high = min(low, series.domain[0]), max(high, series.domain[1])
    ticks = nice_ticks(low, high)
    if series.domain and series.domain == (low, high):
        ticks = nice_ticks(low, high, count=6)
    if series.integer:
        ticks = [t for t in ticks if float(t).is_integer()] or ticks
    low, high = ticks[0], ticks[-1]
    n = len(series.values)

    def x(i: int) -> float:
        return left + (0.5 if n == 1 else i / (n - 1)) * (width - left - right)

    def y(v: float) -> float:
        return top + (1 - (v - low) / (high - low)) * (height - top - bottom)

    def fmt(v: float) -> str:
        return f"{v:.0f}" if series.integer or float(v).is_integer() or abs(v) >= 10 else f"{v:.1f}"

    better = {"lower": "lower is better", "higher": "higher is better", "pace": "band: target"}[series.better]
    described = {"pace": "the shaded band is the target"}.get(series.better, better)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(series.title)} over {n} takes; '
        f'{_attr(described)}" xmlns="http://www.w3.org/2000/svg">',
        f'<text class="chart-title" x="{left}" y="15">{escape(series.title)}</text>',
        f'<text class="chart-note" x="{width - right}" y="15" text-anchor="end">{escape(better)}</text>',
    ]
    if series.band:
        y1, y2 = y(series.band[1]), y(series.band[0])
        parts.append(f'<rect class="band" x="{left}" y="{y1:.1f}" width="{width - left - right}" height="{max(1.0, y2 - y1):.1f}"/>')
    for v in ticks:
        parts.append(f'<line class="grid" x1="{left}" y1="{y(v):.1f}" x2="{width - right}" y2="{y(v):.1f}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{fmt(v)}</text>')
    points = [(x(i), y(v), v, i) for i, v in enumerate(series.values) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{'M' if k == 0 else 'L'}{px:.1f},{py:.1f}" for k, (px, py, _, _) in enumerate(points))
        parts.append(f'<path class="line" d="{path}"/>')
    for px, py, v, i in points:
        tip = f"{series.labels[i]}: {fmt(v)}{(' ' + series.unit) if series.unit else ''}"
        parts.append(f'<circle class="dot" cx="{px:.1f}" cy="{py:.1f}" r="3.5"><title>{escape(tip)}</title></circle>')
    if points:
        px, py, v, _ = points[-1]
        label_y = py - 8 if py - 8 > top + 4 else py + 16
        parts.append(f'<text class="last" x="{min(px, width - right - 2):.1f}" y="{label_y:.1f}" text-anchor="end">{fmt(v)}</text>')
    else:
        parts.append(f'<text class="chart-note" x="{width / 2}" y="{height / 2}" text-anchor="middle">no data</text>')
    parts.append(f'<text class="tick" x="{left}" y="{height - 6}">oldest</text>')
    parts.append(f'<text class="tick" x="{width - right}" y="{height - 6}" text-anchor="end">newest</text>')
    parts.append("</svg>")
    return "".join(parts)


def chart_series_from_rows(rows: Sequence) -> list[ChartSeries]:
    """The history page's charts, from index rows oldest first (see `thinkaloud.sessions.store`)."""
    labels = tuple(f"{r.id}" for r in rows)
    return [
        ChartSeries("Structure (of 5)", tuple(r.checklist_score for r in rows), labels, "", "higher", domain=(0, 5)),
        ChartSeries("Pace (wpm)", tuple(r.wpm for r in rows), labels, "wpm", "pace", PACE_BAND),
        ChartSeries("Fillers", tuple(r.filler_count for r in rows), labels, "", "lower"),
        ChartSeries("Hedges", tuple(r.hedge_count for r in rows), labels, "", "lower"),
        ChartSeries("Long silences", tuple(r.silence_count if r.duration_s else None for r in rows), labels, "", "lower"),
        ChartSeries("Time to framing (s)", tuple(r.framing_at for r in rows), labels, "s", "lower", integer=False),
    ]
