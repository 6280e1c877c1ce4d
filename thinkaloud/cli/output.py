"""What the `analyze` commands do with a finished report: render it, write it, keep it.

Shared by one-input `analyze` (`thinkaloud.cli.analyze`), the batch
(`thinkaloud.cli.batch`) and the session commands' `-o` (`session_args.emit`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from thinkaloud.errors import ExitCode, OutputError


def render(report, fmt: str, color: bool) -> str:
    """The report as `fmt`: text (ANSI-coloured when `color`), json or markdown."""
    if fmt == "json":
        import json

        from thinkaloud.report import report_to_dict

        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from thinkaloud.report.markdown import render_markdown

        return render_markdown(report)
    from thinkaloud.report.text import render_text

    return render_text(report, color=color)


def write_output(path: Path, content: str) -> None:
    """Write atomically: a reader never sees half a report, and a failure leaves no debris."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(content, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        raise OutputError(f"cannot write {path} ({error.strerror or error}); check the folder exists and is writable.") from None


def save_session(args: argparse.Namespace, report, config, source: Path, announce: bool = True) -> int:
    """Keep this analysis in the history (unless --no-save); say where on stderr."""
    return keep_take(args, report, config, source, announce)[0]


def keep_take(args: argparse.Namespace, report, config, source: Path, announce: bool = True):
    """`save_session`, also returning the question the take answers and the take kept (None with --no-save)."""
    from thinkaloud.sessions.record import resolve_question, save_report

    question = resolve_question(args.question, bank=config.question_bank())
    if args.no_save:
        return ExitCode.OK, question, None
    kind = "text" if report.source.kind == "text" else "file"
    saved = save_report(report, kind=kind, source=str(source.resolve()), question=question)
    if not saved.indexed:
        sys.stderr.write(f"thinkaloud: saved session {saved.id}, but {saved.index_problem}\n")
        return ExitCode.OUTPUT, question, saved
    if announce and not args.quiet:
        sys.stderr.write(f"thinkaloud: saved as session {saved.id} (see 'thinkaloud show {saved.id}').\n")
    return ExitCode.OK, question, saved
