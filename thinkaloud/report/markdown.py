"""The Markdown report, for pasting into notes: summary, tips, signals, transcript with marks."""

from __future__ import annotations

from thinkaloud.kinds import CHECKLIST_LABELS, LABELS, PHRASE_KINDS, SENTENCE_KINDS
from thinkaloud.report.text import checklist_parts, describe_shift, phrase_counts
from thinkaloud.timefmt import clock, length
from thinkaloud.types import Report


def _escape(text: str) -> str:
    for ch in ("\\", "`", "*", "_", "[", "]", "<", ">", "|", "#"):
        text = text.replace(ch, "\\" + ch)
    return text


def annotated_transcript(report: Report) -> str:
    """The transcript with sentence signals in bold, tagged with their kind, and shift markers."""
    text = report.transcript.text
    by_range: dict[tuple[int, int], list[str]] = {}
    for s in report.signals:
        if s.kind in SENTENCE_KINDS and s.char_start is not None:
            by_range.setdefault((s.char_start, s.char_end), []).append(LABELS[s.kind])
    shifts = {s.char_start: s for s in report.signals if s.kind == "topic_shift" and s.char_start is not None}
    boundaries = sorted(set(by_range) | {(start, start) for start in shifts})
    out, position = [], 0
    for start, end in boundaries:
        if start < position:
            continue
        out.append(_escape(text[position:start]))
        position = start
        if start in shifts and end == start:
            out.append(f"⟶ *[{describe_shift(shifts[start])}]* ")
        elif (start, end) in by_range:
            out.append(f"**{_escape(text[start:end])}** *[{', '.join(by_range[(start, end)])}]*")
            position = end
    out.append(_escape(text[position:]))
    return "".join(out)


def render_markdown(report: Report) -> str:
    m = report.metrics
    lines = [f"# thinkaloud report: `{report.source.path}`", ""]
    facts = []
    if report.source.duration_s is not None:
        facts.append(f"{length(report.source.duration_s)} of audio")
    facts.append(f"ASR: {report.model.asr or 'none (text input)'}")
    facts.append(f"NLP: {report.model.nlp}")
    lines += [" · ".join(facts), ""]
    if not report.summary.speech_found:
        lines += ["**No speech was found in this input.**", ""]
        lines += [f"- {tip}" for tip in report.summary.tips]
        return "\n".join(lines) + "\n"

    for title, kinds in checklist_parts(report):
        lines += [f"## {title}", ""]
        for kind in kinds:
            item = report.summary.checklist[kind]
            when = f" (first at {clock(item.first_at)})" if item.present and item.first_at is not None else ""
            lines.append(f"- [{'x' if item.present else ' '}] {CHECKLIST_LABELS[kind]}{when}")
        lines.append("")
    lines += ["## Delivery", "", "| metric | value |", "|---|---|"]
    if m.duration_s is not None:
        lines.append(f"| speaking time | {length(m.speaking_time_s)} of {length(m.duration_s)} |")
    lines.append(f"| words | {m.words} |")
    if m.wpm:
        lines.append(f"| pace | {m.wpm:.0f} words a minute |")
    if m.duration_s is not None:
        lines.append(f"| long silences | {m.silence_count} (longest {length(m.longest_silence_s)}) |")
    signals = list(report.signals)
    lines.append(f"| fillers | {m.filler_count}{(': ' + _escape(phrase_counts(signals, 'filler'))) if m.filler_count else ''} |")
    lines.append(f"| hedges | {m.hedge_count}{(': ' + _escape(phrase_counts(signals, 'hedge'))) if m.hedge_count else ''} |")
    lines += ["", "## Tips", ""]
    lines += [f"{n}. {tip}" for n, tip in enumerate(report.summary.tips, 1)]

    timeline = [s for s in signals if s.kind not in PHRASE_KINDS]
    if timeline:
        lines += ["", "## Signals", "", "| at | kind | what | cue |", "|---|---|---|---|"]
        for s in timeline:
            at = clock(s.start) if s.start is not None else "—"
            if s.kind == "silence":
                lines.append(f"| {at} | silence | {length(s.end - s.start)} without speech | |")
            else:
                label = describe_shift(s) if s.kind == "topic_shift" else LABELS[s.kind]
                lines.append(f"| {at} | {label} | {_escape(s.text)} | {_escape(s.cue)} |")
    lines += ["", "## Transcript", "", annotated_transcript(report), ""]
    return "\n".join(lines)
