"""HTML pages people would rather look at than read: one take, or the history.

Each page is one self-contained file: inline CSS and inline SVG, no script
and no external reference of any kind (a Content-Security-Policy forbids
them), so it opens the same offline, from an e-mail or from a notes app.
Every signal kind has its own colour, and always a text label or letter as
well, so the page reads without colour too.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from datetime import datetime
from html import escape

from thinkaloud import __version__
from thinkaloud.kinds import (
    BY_NAME,
    CHECKLIST_LABELS,
    CUE_KINDS,
    KINDS,
    LABELS,
    PHRASE_KINDS,
    SENTENCE_KINDS,
    SHIFT_LOOKS,
    STRUCTURE_KINDS,
    legend,
    shift_look,
)
from thinkaloud.report.svg import (
    ChartSeries,
    chart_series_from_rows,
    metric_chart,
    timeline_svg,
)
from thinkaloud.report.text import checklist_parts, phrase_counts, structure_marks
from thinkaloud.timefmt import clock, length
from thinkaloud.types import Report, Signal

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

STYLE = """
:root {
  --bg: #f6f5f1; --card: #ffffff; --ink: #1f2a37; --muted: #5d6b7a; --line: #e3e0d8; --lane: #eeece6;
  @LIGHT_KINDS@
  --speech: #8fa9c4; --good: #2e7d4f; --bad: #b3372f;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #15191f; --card: #1d232b; --ink: #e6e9ee; --muted: #9aa6b4; --line: #2e3742; --lane: #252c35;
    @DARK_KINDS@
    --speech: #5b7792; --good: #6cc48f; --bad: #ef7b73;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--ink); }
body { margin: 0; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 32px 24px 48px; }
header .eyebrow { margin: 0; color: var(--muted); font-size: 13px; letter-spacing: .06em; text-transform: uppercase; }
h1 { font-size: 26px; line-height: 1.3; margin: 6px 0 8px; font-weight: 650; }
h2 { font-size: 18px; margin: 0 0 12px; font-weight: 650; }
.facts { margin: 0; color: var(--muted); font-size: 14px; }
.facts span + span::before { content: "·"; margin: 0 8px; color: var(--line); }
section { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px; margin-top: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(122px, 1fr)); gap: 12px; background: none; border: 0; padding: 0; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
.card .value { font-size: 24px; font-weight: 650; display: block; }
.card .label { color: var(--muted); font-size: 13px; }
.card .note { color: var(--muted); font-size: 12px; display: block; }
.split { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 18px; background: none; border: 0; padding: 0; }
.split > div { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 20px 22px; }
.checklist { list-style: none; margin: 0; padding: 0; }
.checklist li { display: flex; align-items: baseline; gap: 10px; padding: 6px 0; border-bottom: 1px solid var(--line); }
.checklist li:last-child { border-bottom: 0; }
.checklist .state { font-weight: 700; width: 5.8em; flex: none; font-size: 13px; white-space: nowrap; }
.checklist .yes .state { color: var(--good); }
.checklist .no .state { color: var(--bad); }
.checklist + h2 { margin-top: 20px; }
.checklist .when { margin-left: auto; color: var(--muted); font-size: 13px; font-variant-numeric: tabular-nums; }
.tips { margin: 0; padding-left: 1.3em; }
.tips li { margin: 0 0 8px; }
.timeline { width: 100%; height: auto; display: block; font-size: 12px; }
.timeline .lane { fill: var(--lane); }
.timeline .lane-label { fill: var(--muted); font-size: 12px; }
.timeline .grid { stroke: var(--line); stroke-width: 1; }
.timeline .axis { stroke: var(--muted); stroke-width: 1; }
.timeline .tick { fill: var(--muted); font-size: 11px; font-variant-numeric: tabular-nums; }
.timeline .speech { fill: var(--speech); }
.timeline .k-silence { fill: var(--silence); }
.timeline .silence-label { fill: #fff; font-size: 11px; font-weight: 700; }
.timeline .mark circle { stroke: var(--card); stroke-width: 1.5; }
.timeline .mark text { fill: #fff; font-size: 10px; font-weight: 700; pointer-events: none; }
.timeline .shift line { stroke-width: 1.5; }
.timeline .shift text { font-size: 11px; font-weight: 600; }
.timeline .shift-signposted line { stroke: var(--signposted); stroke-dasharray: 4 3; }
.timeline .shift-signposted text { fill: var(--signposted); }
.timeline .shift-abrupt line { stroke: var(--abrupt); }
.timeline .shift-abrupt text { fill: var(--abrupt); }
.timeline a:hover circle, .timeline a:focus circle { stroke: var(--ink); stroke-width: 2.5; }
@KIND_CLASSES@
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; margin: 12px 0 0; padding: 0; list-style: none; font-size: 13px; color: var(--muted); }
.legend li { display: flex; align-items: center; gap: 6px; }
.swatch { display: inline-grid; place-items: center; width: 18px; height: 18px; border-radius: 50%; color: #fff; font-size: 10px; font-weight: 700; background: var(--k); }
.swatch.bar { border-radius: 3px; width: 22px; height: 12px; }
.swatch.phrase { border-radius: 2px; width: 14px; height: 14px; }
.transcript { font-size: 17px; line-height: 1.9; max-width: 78ch; }
.sent { border-radius: 4px; padding: 1px 0; scroll-margin-top: 24px; }
.sent.structure { background: color-mix(in srgb, var(--k) 12%, transparent); box-shadow: inset 0 -2px 0 color-mix(in srgb, var(--k) 55%, transparent); }
.sent:target { outline: 2px solid var(--k, var(--ink)); outline-offset: 2px; }
.tag { display: inline-block; font-size: 11px; line-height: 1; font-weight: 700; letter-spacing: .02em; color: #fff;
  background: var(--k); border-radius: 999px; padding: 4px 7px; margin-right: 4px; vertical-align: 2px; }
.tag.shift-signposted { background: var(--signposted); }
.tag.shift-abrupt { background: var(--abrupt); }
.ph { background: none; color: inherit; border-radius: 3px; padding: 0 1px; }
.ph-filler { background: color-mix(in srgb, var(--filler) 18%, transparent); text-decoration: line-through 2px var(--filler); }
.ph-hedge { text-decoration: underline wavy var(--hedge) 1.5px; text-underline-offset: 4px; background: color-mix(in srgb, var(--hedge) 14%, transparent); }
.chip { display: inline-block; font-size: 12px; line-height: 1; font-weight: 700; color: #fff; background: var(--silence);
  border-radius: 999px; padding: 4px 8px; margin: 0 4px; vertical-align: 2px; scroll-margin-top: 24px; }
.chip::before { content: ""; display: inline-block; width: 2px; height: 8px; border-left: 2.5px solid #fff;
  border-right: 2.5px solid #fff; margin-right: 6px; vertical-align: -0.5px; }
.vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { text-align: left; padding: 7px 10px 7px 0; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 13px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.at { font-variant-numeric: tabular-nums; white-space: nowrap; color: var(--muted); }
.kind { font-weight: 650; color: var(--k, var(--ink)); white-space: nowrap; }
.kind.shift-abrupt { color: var(--abrupt); }
.kind.shift-signposted { color: var(--signposted); }
.kind.k-silence { color: var(--silence); }
.muted { color: var(--muted); }
.banner { border-left: 4px solid var(--silence); }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(290px, 1fr)); gap: 14px; }
.chart { width: 100%; height: auto; display: block; font-size: 11px; }
.chart .chart-title { fill: var(--ink); font-size: 13px; font-weight: 650; }
.chart .chart-note, .chart .tick { fill: var(--muted); font-size: 10.5px; }
.chart .grid { stroke: var(--line); }
.chart .band { fill: color-mix(in srgb, var(--good) 14%, transparent); }
.chart .line { fill: none; stroke: var(--framing); stroke-width: 2; }
.chart .dot { fill: var(--framing); stroke: var(--card); stroke-width: 1.5; }
.chart .last { fill: var(--ink); font-weight: 700; font-size: 12px; }
footer { margin-top: 26px; color: var(--muted); font-size: 13px; text-align: center; }
a { color: inherit; }
@media (max-width: 760px) { .split { grid-template-columns: 1fr; } main { padding: 20px 14px; } }
@media print {
  html { background: #fff; }
  section, .card, .split > div { break-inside: avoid; border-color: #ccc; }
}
"""


def _kind_css() -> dict[str, str]:
    """The kinds' colours (light and dark) and their `.k-<kind>` classes, from the table of kinds."""
    # A topic shift's two marks keep their long-standing CSS names: --signposted and --abrupt.
    named = {kind.name: kind.look for kind in KINDS if kind.role != "shift"}
    named |= {"signposted": SHIFT_LOOKS[True], "abrupt": SHIFT_LOOKS[False]}
    return {
        "@LIGHT_KINDS@": " ".join(f"--{name}: {look.light};" for name, look in named.items()),
        "@DARK_KINDS@": " ".join(f"--{name}: {look.dark};" for name, look in named.items()),
        "@KIND_CLASSES@": "\n".join(
            f".k-{name} {{ fill: var(--{name}); --k: var(--{name}); }}" for name in CUE_KINDS
        ),
    }


for _placeholder, _css in _kind_css().items():
    STYLE = STYLE.replace(_placeholder, _css)


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _page(title: str, body: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        f'<meta name="generator" content="thinkaloud {_e(__version__)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"{body}\n"
        f"<footer>Made by thinkaloud {_e(__version__)} on this computer. Nothing in this page came from, "
        "or goes to, the network.</footer>\n</main>\n</body>\n</html>\n"
    )


def _local(created: str | None) -> str | None:
    if not created:
        return None
    try:
        return datetime.fromisoformat(created).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return created


# --- one take ----------------------------------------------------------------


def render_html(report: Report, meta=None) -> str:
    """One take as a page.  `meta` is the take's `SessionMeta`, when it is a saved session."""
    question = getattr(meta, "question", None)
    source_name = report.source.path.rsplit("/", 1)[-1] or report.source.path
    title = question or source_name
    facts = []
    if meta is not None and (when := _local(meta.created)):
        facts.append(when)
    if report.source.kind == "audio" and report.source.duration_s is not None:
        facts.append(f"{length(report.source.duration_s)} recording")
    else:
        facts.append("text transcript")
    facts.append(f"from {source_name}")
    facts.append(f"speech: {report.model.asr}" if report.model.asr else f"language: {report.model.nlp}")
    if meta is not None:
        facts.append(f"session {meta.id}")
    header = (
        '<header><p class="eyebrow">thinkaloud · practice report</p>'
        f"<h1>{_e(title)}</h1>"
        f'<p class="facts">{"".join(f"<span>{_e(f)}</span>" for f in facts)}</p></header>'
    )
    if not report.summary.speech_found:
        body = header + (
            '<section class="banner"><h2>No speech was found</h2>'
            + "".join(f"<p>{_e(tip)}</p>" for tip in report.summary.tips)
            + "</section>"
        )
        return _page(f"{title} · thinkaloud", body)
    body = "\n".join(
        [
            header,
            _cards(report),
            '<div class="split" style="margin-top:18px">' + _checklist(report) + _tips(report) + "</div>",
            _timeline_section(report),
            _transcript_section(report),
            _signals_section(report),
        ]
    )
    return _page(f"{title} · thinkaloud", body)


def _cards(report: Report) -> str:
    m = report.metrics
    checklist = report.summary.checklist
    score = sum(1 for k in STRUCTURE_KINDS if k in checklist and checklist[k].present)
    signals = list(report.signals)
    cards = [("structure", f"{score}/{len(STRUCTURE_KINDS)}", "checklist items covered")]
    if m.wpm is not None:
        cards.append(("pace", f"{m.wpm:.0f}", "words a minute"))
    cards.append(("fillers", str(m.filler_count), phrase_counts(signals, "filler") or "none"))
    cards.append(("hedges", str(m.hedge_count), phrase_counts(signals, "hedge") or "none"))
    if m.duration_s is not None:
        longest = f"longest {length(m.longest_silence_s)}" if m.silence_count else "none of 3 s or more"
        cards.append(("long silences", str(m.silence_count), longest))
        cards.append(("speaking time", length(m.speaking_time_s), f"of {length(m.duration_s)}"))
    cards.append(("words", str(m.words), "in the transcript"))
    return '<section class="cards" aria-label="key figures">' + "".join(
        f'<div class="card"><span class="label">{_e(label)}</span><span class="value">{_e(value)}</span>'
        f'<span class="note">{_e(note)}</span></div>'
        for label, value, note in cards
    ) + "</section>"


def _checklist(report: Report) -> str:
    parts = []
    for title, kinds in checklist_parts(report):
        items = []
        for kind in kinds:
            item = report.summary.checklist[kind]
            state = "yes" if item.present else "no"
            when = f"first at {clock(item.first_at)}" if item.present and item.first_at is not None else ""
            items.append(
                f'<li class="{state}"><span class="state">{"✓ done" if item.present else "✗ missing"}</span>'
                f'<span class="swatch k-{kind}" aria-hidden="true">{_e(BY_NAME[kind].letter)}</span>'
                f"<span>{_e(CHECKLIST_LABELS[kind])}</span>"
                f'<span class="when">{_e(when)}</span></li>'
            )
        parts.append(f'<h2>{_e(title)}</h2><ul class="checklist">{"".join(items)}</ul>')
    return f'<div>{"".join(parts)}</div>'


def _tips(report: Report) -> str:
    tips = "".join(f"<li>{_e(tip)}</li>" for tip in report.summary.tips)
    return f'<div><h2>Tips</h2><ol class="tips">{tips}</ol></div>'


def _legend(report: Report) -> str:
    entries = [f'<li><span class="swatch k-{k}" aria-hidden="true">{_e(BY_NAME[k].letter)}</span>{_e(LABELS[k])}</li>'
               for k in SENTENCE_KINDS]
    entries.append('<li><span class="swatch phrase k-filler" aria-hidden="true">▲</span>filler</li>')
    entries.append('<li><span class="swatch phrase k-hedge" aria-hidden="true">◆</span>hedge</li>')
    if report.source.kind == "audio":
        entries.insert(0, '<li><span class="swatch bar" style="--k: var(--speech)" aria-hidden="true"></span>speech</li>')
        entries.insert(1, '<li><span class="swatch bar" style="--k: var(--silence)" aria-hidden="true"></span>long silence</li>')
    entries.append('<li><span class="swatch bar" style="--k: var(--signposted)" aria-hidden="true"></span>→ signposted topic shift</li>')
    entries.append('<li><span class="swatch bar" style="--k: var(--abrupt)" aria-hidden="true"></span>⚠ abrupt jump</li>')
    return f'<ul class="legend" aria-label="legend">{"".join(entries)}</ul>'


def _timeline_section(report: Report) -> str:
    note = "" if report.source.kind == "audio" else (
        '<p class="muted">This take was a text transcript, so marks are placed by position in the text, not by time.</p>'
    )
    return (
        '<section id="timeline"><h2>Timeline</h2>' + note
        + f"<figure style=\"margin:0\">{timeline_svg(report)}</figure>" + _legend(report)
        + '<p class="muted" style="font-size:13px;margin:8px 0 0">Select a mark to jump to its sentence.</p></section>'
    )


def _transcript_section(report: Report) -> str:
    return f'<section id="transcript"><h2>Transcript</h2><div class="transcript">{annotated_transcript_html(report)}</div></section>'


def annotated_transcript_html(report: Report) -> str:
    """The transcript with each sentence's signals labelled, fillers and hedges marked, and silences shown."""
    text = report.transcript.text
    events: list[tuple[int, int, str]] = []  # (offset, order, html); order settles ties at one offset
    # order: 0 close phrase, 1 close sentence, 2 silence chip, 3 open sentence, 4 open phrase
    sentences = list(report.sentences)
    by_sentence: dict[int, list[Signal]] = {}
    starts = [s.char_start for s in sentences]
    for signal in report.signals:
        if signal.kind in SENTENCE_KINDS or signal.kind == "topic_shift":
            if signal.char_start is None:
                continue
            index = max(0, bisect.bisect_right(starts, signal.char_start) - 1)
            by_sentence.setdefault(index, []).append(signal)
    for index, sentence in enumerate(sentences):
        found = by_sentence.get(index, [])
        kinds = [k for k in SENTENCE_KINDS if any(s.kind == k for s in found)]
        shifts = [s for s in found if s.kind == "topic_shift"]
        classes = ["sent"] + (["structure", f"k-{kinds[0]}"] if kinds else [])
        tags = "".join(f'<span class="tag k-{k}">{_e(LABELS[k])}</span>' for k in kinds)
        for shift in shifts:
            kind = "signposted" if shift.signposted else "abrupt"
            label = "→ signposted shift" if shift.signposted else "⚠ abrupt jump"
            tags = f'<span class="tag shift-{kind}">{label}</span>' + tags
        cues = "; ".join(f"{LABELS[s.kind]}: {s.cue}" for s in found)
        title = f' title="{_e(cues)}"' if cues else ""
        events.append((sentence.char_start, 3, f'<span id="s-{index}" class="{" ".join(classes)}"{title}>{tags}'))
        events.append((sentence.char_end, 1, "</span>"))
    bounds = [(s.char_start, s.char_end) for s in sentences]
    taken: list[tuple[int, int]] = []
    for signal in report.signals:
        if signal.kind not in PHRASE_KINDS or signal.char_start is None or signal.char_end is None:
            continue
        a, b = signal.char_start, signal.char_end
        if any(a < y and x < b for x, y in taken):
            continue  # overlapping phrases: keep the first
        if bounds and not any(x <= a and b <= y for x, y in bounds):
            continue  # a phrase across a sentence boundary cannot nest in the markup
        taken.append((a, b))
        events.append((a, 4, f'<mark class="ph ph-{signal.kind}" title="{signal.kind}"><span class="vh">{signal.kind}: </span>'))
        events.append((b, 0, "</mark>"))
    for number, offset, seconds in _silence_points(report):
        events.append((offset, 2, f'<span class="chip" id="silence-{number}">{_e(length(seconds))} silence</span>'))
    events.sort(key=lambda e: (e[0], e[1]))
    out, position = [], 0
    for offset, _, html in events:
        offset = min(max(offset, position), len(text))
        out.append(_e(text[position:offset]))
        out.append(html)
        position = offset
    out.append(_e(text[position:]))
    return "".join(out)


def _silence_points(report: Report) -> list[tuple[int, int, float]]:
    """(number, character offset, seconds) for each long silence: placed before the first word after it."""
    words = [w for w in report.transcript.words if w.start is not None]
    points = []
    silences = [s for s in report.signals if s.kind == "silence" and s.start is not None and s.end is not None]
    for number, silence in enumerate(silences, 1):
        after = next((w for w in words if w.start >= silence.end - 0.25), None)
        offset = after.char_start if after is not None else len(report.transcript.text)
        # Between sentences the chip belongs before the next one, not at the end of the last.
        while offset > 0 and report.transcript.text[offset - 1].isspace():
            offset -= 1
        points.append((number, offset, silence.end - silence.start))
    return points


def _signals_section(report: Report) -> str:
    rows = []
    for s in report.signals:
        if s.kind in PHRASE_KINDS:
            continue
        at = clock(s.start) if s.start is not None else "—"
        if s.kind == "silence":
            kind, what, cue, cls = LABELS["silence"], f"{length(s.end - s.start)} without speech", "", "k-silence"
        elif s.kind == "topic_shift":
            kind = shift_look(s.signposted).label
            what, cue, cls = s.text, s.cue, "shift-signposted" if s.signposted else "shift-abrupt"
        else:
            kind, what, cue, cls = LABELS[s.kind], s.text, s.cue, f"k-{s.kind}"
        rows.append(f'<tr><td class="at">{_e(at)}</td><td><span class="kind {cls}">{_e(kind)}</span></td>'
                    f'<td>{_e(what)}</td><td class="muted">{_e(cue)}</td></tr>')
    if not rows:
        return ""
    return ('<section id="signals"><h2>Signals</h2><table><thead><tr><th>at</th><th>kind</th><th>what was said</th>'
            f'<th>cue</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>')


# --- the history -------------------------------------------------------------


def render_history_html(rows: Sequence, trend_rows: Sequence) -> str:
    """The history as a page: metric charts over the analysed takes and a table of all takes.

    `rows` are index rows newest first (as listed); `trend_rows` the analysed ones, oldest first.
    """
    charts = chart_series_from_rows(trend_rows)
    header = (
        '<header><p class="eyebrow">thinkaloud · practice history</p>'
        f"<h1>{len(rows)} take{'s' if len(rows) != 1 else ''}</h1>"
        f'<p class="facts"><span>{len(trend_rows)} analysed</span>'
        + (f"<span>{_e(_local(trend_rows[0].created))} to {_e(_local(trend_rows[-1].created))}</span>" if trend_rows else "")
        + "</p></header>"
    )
    if len(trend_rows) >= 2:
        chart_html = '<section id="trends"><h2>Over time</h2><div class="charts">' + "".join(
            _chart(series) for series in charts
        ) + "</div></section>"
    else:
        chart_html = '<section id="trends"><h2>Over time</h2><p class="muted">Charts appear once two takes have been analysed.</p></section>'
    table_rows = []
    for row in rows:
        status = "" if row.status == "complete" else f' <span class="muted">({_e(row.status)})</span>'
        table_rows.append(
            "<tr>"
            f"<td class=\"at\">{_e(_local(row.created))}</td>"
            f"<td><code>{_e(row.id)}</code>{status}</td>"
            f"<td>{_e(row.question or row.source.rsplit('/', 1)[-1])}</td>"
            f'<td class="num">{_e(length(row.duration_s))}</td>'
            f'<td class="num">{"—" if row.wpm is None else f"{row.wpm:.0f}"}</td>'
            f'<td class="num">{"—" if row.filler_count is None else row.filler_count}</td>'
            f'<td class="num">{"—" if row.silence_count is None or row.duration_s is None else row.silence_count}</td>'
            f"<td><code>{_e(structure_marks(row))}</code></td>"
            "</tr>"
        )
    table = (
        '<section id="takes"><h2>Takes</h2><table><thead><tr><th>when</th><th>session</th><th>question</th>'
        '<th class="num">length</th><th class="num">pace</th><th class="num">fillers</th><th class="num">long silences</th>'
        f'<th>structure</th></tr></thead><tbody>{"".join(table_rows)}</tbody></table>'
        f'<p class="muted" style="font-size:13px">Structure letters: {_e(legend())}; '
        "· marks one that was missing.</p></section>"
    )
    return _page("thinkaloud history", header + chart_html + table)


def _chart(series: ChartSeries) -> str:
    return f'<figure style="margin:0">{metric_chart(series)}</figure>'
