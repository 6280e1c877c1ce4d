"""Sessions for people: the history table, one take's summary, two takes compared.

Plain text for the terminal and Markdown for notes; JSON comes from the
`to_dict` functions beside the data, and HTML from `thinkaloud.report.html`.
Times are shown in the reader's local time zone.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence
from datetime import datetime

from thinkaloud.kinds import BY_NAME, CHECKLIST_LABELS, legend
from thinkaloud.report.text import structure_marks
from thinkaloud.sessions.compare import Comparison, MetricChange, Take
from thinkaloud.sessions.layout import AUDIO_FILE
from thinkaloud.sessions.store import Session, SessionRow
from thinkaloud.sessions.trends import Trend, sparkline
from thinkaloud.timefmt import clock, length

STRUCTURE_LEGEND = f"structure: {legend()}"
KIND_NAMES = {"live": "live take", "file": "recording", "text": "transcript"}
VERDICT_MARKS = {"better": "better", "worse": "worse", "same": "same"}


def local_time(created: str) -> str:
    moment = datetime.fromisoformat(created)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _cut(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _note(row: SessionRow) -> str:
    if row.status != "complete":
        return row.status
    if row.has_report and row.speech_found is False:
        return "no speech"
    return ""


def _table_width() -> int:
    """The terminal's width, or a generous one when the table goes to a file or a pipe."""
    import sys

    if not sys.stdout.isatty():
        return 150
    return max(80, shutil.get_terminal_size((120, 24)).columns)


# --- history -----------------------------------------------------------------


def render_history_text(rows: Sequence[SessionRow], trends: Sequence[Trend], analysed: int) -> str:
    if not rows:
        return "No sessions yet. Analyse a take with 'thinkaloud analyze FILE --question TEXT'.\n"
    headers = ("ID", "WHEN", "KIND", "QUESTION", "LENGTH", "PACE", "FILLERS", "SILENCES", "STRUCTURE", "")
    table = []
    for row in rows:
        table.append((
            row.id,
            local_time(row.created),
            row.kind,
            row.question or row.source.rsplit("/", 1)[-1],
            length(row.duration_s),
            "—" if row.wpm is None else f"{row.wpm:.0f} wpm",
            "—" if row.filler_count is None else str(row.filler_count),
            "—" if row.silence_count is None or row.duration_s is None else str(row.silence_count),
            structure_marks(row),
            _note(row),
        ))
    fixed = [max(len(h), *(len(r[i]) for r in table)) for i, h in enumerate(headers)]
    question_width = max(16, min(64, _table_width() - (sum(fixed) - fixed[3]) - 2 * (len(headers) - 1)))
    fixed[3] = min(fixed[3], question_width)
    right = {4, 5, 6, 7}

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            cell = _cut(cell, fixed[i]) if i == 3 else cell
            out.append(cell.rjust(fixed[i]) if i in right else cell.ljust(fixed[i]))
        return "  ".join(out).rstrip()

    lines = [line(headers)] + [line(r) for r in table]
    lines += ["", STRUCTURE_LEGEND]
    lines += render_trends_text(trends, analysed)
    return "\n".join(lines) + "\n"


def render_trends_text(trends: Sequence[Trend], analysed: int) -> list[str]:
    if analysed < 2:
        return []
    lines = ["", f"Trend over {analysed} analysed takes (oldest → newest)"]
    for trend in trends:
        if trend.first is None:
            continue
        spec = trend.spec
        verdict = trend.verdict
        change = f"{spec.format(trend.first)} → {spec.format(trend.last)}"
        lines.append(f"  {spec.label:<16} {trend_spark(trend)}  {change:<20} {verdict or ''}".rstrip())
    return lines


def trend_spark(trend: Trend) -> str:
    return sparkline(trend.values)


def render_history_markdown(rows: Sequence[SessionRow], trends: Sequence[Trend], analysed: int) -> str:
    lines = ["# thinkaloud history", ""]
    if not rows:
        return "\n".join(lines + ["No sessions yet.", ""])
    lines += ["| id | when | question | length | pace | fillers | long silences | structure | note |",
              "|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        cells = [
            f"`{row.id}`",
            local_time(row.created),
            _md(row.question or row.source.rsplit("/", 1)[-1]),
            length(row.duration_s),
            "—" if row.wpm is None else f"{row.wpm:.0f} wpm",
            "—" if row.filler_count is None else str(row.filler_count),
            "—" if row.silence_count is None or row.duration_s is None else str(row.silence_count),
            structure_marks(row),
            _note(row),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"_{STRUCTURE_LEGEND}_"]
    if analysed >= 2:
        lines += ["", f"## Trend over {analysed} analysed takes", "", "| metric | first | last | trend | verdict |",
                  "|---|---|---|---|---|"]
        for trend in trends:
            if trend.first is None:
                continue
            spec = trend.spec
            lines.append(f"| {spec.label} | {spec.format(trend.first)} | {spec.format(trend.last)} | "
                         f"{trend_spark(trend)} | {trend.verdict or ''} |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    for ch in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(ch, "\\" + ch)
    return " ".join(text.split())


# --- one session -------------------------------------------------------------


def session_facts(session: Session) -> list[tuple[str, str]]:
    """(label, value) lines describing a take, shared by the text and Markdown views."""
    row = session.row
    facts = [("session", row.id), ("when", local_time(row.created))]
    kind = KIND_NAMES.get(row.kind, row.kind)
    facts.append(("take", kind if row.status == "complete" else f"{kind}, {row.status}"))
    if row.question:
        facts.append(("question", row.question + (f" ({row.question_id})" if row.question_id else "")))
    facts.append(("source", row.source))
    audio = row.folder / AUDIO_FILE
    if audio.is_file():
        facts.append(("audio", str(audio)))
    if session.meta.parent_id:
        facts.append(("follows", session.meta.parent_id))
    return facts


def missing_report_note(session: Session) -> str:
    row = session.row
    audio = row.folder / AUDIO_FILE
    if row.status == "recording":
        what = "This take is still being recorded; its report appears when it finishes."
    elif row.status == "interrupted":
        what = "This take was interrupted before it was analysed."
    else:
        what = f"This take has no report ({row.status})."
    if audio.is_file() and row.status != "recording":
        what += f" Its audio is kept: analyse it with 'thinkaloud analyze {audio}'."
    return what


def render_session_text(session: Session, color: bool = False) -> str:
    from thinkaloud.report.text import render_text

    width = max(len(label) for label, _ in session_facts(session))
    head = [f"{label:<{width}}  {value}" for label, value in session_facts(session)]
    if session.report is None:
        return "\n".join(head + ["", missing_report_note(session)]) + "\n"
    return "\n".join(head) + "\n\n" + render_text(session.report, color=color)


def render_session_markdown(session: Session) -> str:
    from thinkaloud.report.markdown import render_markdown

    row = session.row
    title = row.question or row.source.rsplit("/", 1)[-1]
    lines = [f"# {_md(title)}", ""]
    lines += [f"- **{label}:** {_md(value) if label != 'session' else f'`{value}`'}" for label, value in session_facts(session)]
    lines.append("")
    if session.report is None:
        return "\n".join(lines + [missing_report_note(session), ""])
    body = render_markdown(session.report)
    # The report's own title names the file; the session title above replaces it.
    body = body.split("\n", 1)[1].lstrip("\n") if body.startswith("# ") else body
    return "\n".join(lines) + "\n" + body


# --- two sessions ------------------------------------------------------------


def _take_line(label: str, take: Take) -> str:
    source = take.source.rsplit("/", 1)[-1]
    return f"  {label}  {take.id}  {local_time(take.created)}  {KIND_NAMES.get(take.kind, take.kind)}: {source}"


def _metric_cell(change: MetricChange, value: float | None) -> str:
    if value is None:
        return "never" if change.key == "framing_at" else "—"
    if change.unit == "s":
        return clock(value) if change.key == "framing_at" else length(value)
    if change.unit == "wpm":
        return f"{value:.0f} wpm"
    if change.unit == "score":
        return f"{value:.0f}/5"
    return f"{value:.0f}"


def _delta(change: MetricChange) -> str:
    delta = change.delta
    if delta is None:
        return ""
    if change.unit == "s":
        return f"{delta:+.1f} s" if abs(delta) >= 0.05 else "±0"
    return f"{delta:+.0f}" if round(delta) else "±0"


def render_comparison_text(comparison: Comparison) -> str:
    before, after = comparison.before, comparison.after
    if comparison.same_question:
        title = f"Two takes of “{before.question}”"
    else:
        title = "Two takes (of different questions)" if before.question or after.question else "Two takes"
    lines = [title, _take_line("A", before), _take_line("B", after), ""]
    if not comparison.same_question and (before.question or after.question):
        lines += [f"  A answered: {before.question or '—'}", f"  B answered: {after.question or '—'}", ""]

    lines.append("Checklist                 A        B        change")
    for item in comparison.checklist:
        def cell(present: bool, at: float | None) -> str:
            return ("✓ " + (clock(at) if at is not None else "")).strip() if present else "✗"

        lines.append(f"  {CHECKLIST_LABELS[item.kind]:<22}  {cell(item.before.present, item.before.first_at):<7}  "
                     f"{cell(item.after.present, item.after.first_at):<7}  {item.change}")
    lines.append("")

    for statements in comparison.statements:
        if not (statements.added or statements.dropped or statements.kept):
            continue
        lines.append(_statement_title(statements.kind))
        for text in statements.dropped:
            lines += _wrapped("−", "dropped", text)
        for text in statements.added:
            lines += _wrapped("+", "added", text)
        for text in dict.fromkeys(after for _, after in statements.kept):
            lines += _wrapped("=", "kept", text)
        lines.append("")

    lines.append("Delivery                  A          B          change")
    for change in comparison.metrics:
        a, b = _metric_cell(change, change.before), _metric_cell(change, change.after)
        if a == "—" and b == "—":
            continue
        verdict = change.verdict
        note = " ".join(x for x in (_delta(change), verdict if verdict and verdict != "same" else "") if x)
        lines.append(f"  {change.label:<22}  {a:<9}  {b:<9}  {note}".rstrip())
    return "\n".join(lines) + "\n"


def _wrapped(mark: str, label: str, text: str) -> list[str]:
    body = textwrap.wrap(f"“{text}”", 84) or [""]
    return [f"  {mark} {label:<8} {body[0]}"] + [f"    {'':<8} {rest}" for rest in body[1:]]


def _statement_title(kind: str) -> str:
    plural = BY_NAME[kind].plural
    return plural[:1].upper() + plural[1:]


def render_comparison_markdown(comparison: Comparison) -> str:
    before, after = comparison.before, comparison.after
    lines = ["# Comparing two takes", ""]
    if comparison.same_question and before.question:
        lines += [f"**Question:** {_md(before.question)}", ""]
    lines += ["| | session | when | source |", "|---|---|---|---|"]
    for label, take in (("A", before), ("B", after)):
        lines.append(f"| {label} | `{take.id}` | {local_time(take.created)} | {_md(take.source.rsplit('/', 1)[-1])} |")
    lines += ["", "## Checklist", "", "| item | A | B | change |", "|---|---|---|---|"]
    for item in comparison.checklist:
        def cell(present: bool, at: float | None) -> str:
            return ("✓ " + (clock(at) if at is not None else "")).strip() if present else "✗"

        lines.append(f"| {CHECKLIST_LABELS[item.kind]} | {cell(item.before.present, item.before.first_at)} | "
                     f"{cell(item.after.present, item.after.first_at)} | {item.change} |")
    for statements in comparison.statements:
        if not (statements.added or statements.dropped or statements.kept):
            continue
        lines += ["", f"## {_statement_title(statements.kind)}", ""]
        lines += [f"- **dropped:** {_md(t)}" for t in statements.dropped]
        lines += [f"- **added:** {_md(t)}" for t in statements.added]
        lines += [f"- kept: {_md(t)}" for t in dict.fromkeys(after for _, after in statements.kept)]
    lines += ["", "## Delivery", "", "| metric | A | B | change |", "|---|---|---|---|"]
    for change in comparison.metrics:
        a, b = _metric_cell(change, change.before), _metric_cell(change, change.after)
        if a == "—" and b == "—":
            continue
        verdict = change.verdict
        note = " ".join(x for x in (_delta(change), verdict if verdict and verdict != "same" else "") if x)
        lines.append(f"| {change.label} | {a} | {b} | {note} |")
    return "\n".join(lines) + "\n"
