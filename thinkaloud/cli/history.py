"""`thinkaloud history`: every take, newest first, with the trend of the key metrics."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from thinkaloud.cli.analyze import non_negative_int
from thinkaloud.errors import ExitCode

FORMATS = ("text", "json", "markdown", "html")
#: Text and Markdown tables show this many takes unless --limit says otherwise.
DEFAULT_TABLE_LIMIT = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--question", metavar="TEXT", help="only takes of this question (a question id, or part of its text)")
    parser.add_argument("--limit", type=non_negative_int, metavar="N",
                        help=f"show the newest N takes (default: {DEFAULT_TABLE_LIMIT} in text and markdown, all in json "
                             "and html; 0 means all)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH", help="write to PATH instead of stdout")
    parser.add_argument("--rebuild", action="store_true",
                        help="rebuild the session index from the session folders first (after a crash or damage)")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.session_args import emit, open_synced_store, warn
    from thinkaloud.sessions.store import SessionStore, missing_folder_message, trend_rows
    from thinkaloud.sessions.trends import trends

    if args.rebuild:
        with SessionStore() as store:
            result = store.rebuild()
        for line in result.skipped:
            warn(line)
        kept = f"; the old index was kept as {result.backup}" if result.backup else ""
        sys.stderr.write(f"thinkaloud: rebuilt the session index from {result.indexed} session folder"
                         f"{'s' if result.indexed != 1 else ''}{kept}.\n")

    limit = args.limit
    if limit is None and args.format in ("text", "markdown"):
        limit = DEFAULT_TABLE_LIMIT
    with open_synced_store() as store:
        rows = store.list(question=args.question, limit=limit or None)
        total = len(store.list(question=args.question)) if limit and len(rows) == limit else len(rows)
    for row in rows:
        if row.missing:
            warn(missing_folder_message(row))
    analysed = trend_rows(rows)
    series = trends(analysed)

    if args.format == "json":
        import json

        content = json.dumps([row.to_dict() for row in rows], indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        from thinkaloud.sessions.render import render_history_markdown

        content = render_history_markdown(rows, series, len(analysed))
    elif args.format == "html":
        from thinkaloud.report.html import render_history_html

        content = render_history_html(rows, analysed)
    else:
        from thinkaloud.sessions.render import render_history_text

        content = render_history_text(rows, series, len(analysed))
        if not rows and args.question:
            content = f"No takes of a question matching '{args.question}'.\n"
        content += recover_hint(rows)
    emit(content, args.output, "history." + {"text": "txt", "markdown": "md"}.get(args.format, args.format))
    if total > len(rows):
        sys.stderr.write(f"thinkaloud: showing the newest {len(rows)} of {total} takes; use --limit 0 for all.\n")
    return ExitCode.OK


def recover_hint(rows) -> str:
    """A line under the table naming the interrupted takes that `recover` can analyse."""
    waiting = [row.id for row in rows if row.status == "interrupted" and not row.has_report]
    if not waiting:
        return ""
    target = waiting[0] if len(waiting) == 1 else "ID (or --all)"
    takes = "1 take was" if len(waiting) == 1 else f"{len(waiting)} takes were"
    return f"\n{takes} interrupted before analysis; run 'thinkaloud recover {target}' to analyse {'it' if len(waiting) == 1 else 'them'}.\n"
