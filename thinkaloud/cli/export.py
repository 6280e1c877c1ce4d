"""`thinkaloud export ID --format FORMAT [-o PATH]`: one take as a file to keep or share.

markdown for notes, html for a page with the timeline, json for the
`thinkaloud.report/1` report, srt and vtt for subtitles with word timing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from thinkaloud.cli.session_args import ID_HELP
from thinkaloud.errors import ExitCode

FORMATS = ("markdown", "html", "json", "srt", "vtt")
SUFFIXES = {"markdown": "md", "html": "html", "json": "json", "srt": "srt", "vtt": "vtt"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", help=ID_HELP)
    parser.add_argument("--format", choices=FORMATS, default="html", help="export format (default: html)")
    parser.add_argument("-o", "--output", type=Path, metavar="PATH",
                        help="write to PATH (a folder gets <id>.<format>) instead of stdout")


def render_export(session, fmt: str) -> str:
    from thinkaloud.cli.session_args import render_session_html, require_report

    if fmt == "html":
        return render_session_html(session)
    if fmt == "markdown":
        from thinkaloud.sessions.render import render_session_markdown

        return render_session_markdown(session)
    report = require_report(session, fmt)
    if fmt == "json":
        import json

        from thinkaloud.report import report_to_dict

        return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"
    from thinkaloud.report.subtitles import render_srt, render_vtt

    if fmt == "srt":
        return render_srt(report)
    return render_vtt(report, title=session.meta.question)


def run(args: argparse.Namespace) -> int:
    import sys

    from thinkaloud.cli.session_args import emit, open_synced_store

    with open_synced_store() as store:
        session = store.load(args.id)
    content = render_export(session, args.format)
    name = f"{session.row.id}.{SUFFIXES[args.format]}"
    emit(content, args.output, name)
    if args.output is not None:
        target = args.output / name if args.output.is_dir() else args.output
        sys.stderr.write(f"thinkaloud: exported session {session.row.id} to {target}.\n")
    return ExitCode.OK
