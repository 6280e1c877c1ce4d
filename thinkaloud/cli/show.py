"""`thinkaloud show ID`: the summary of one take (or the summary screen with --tui)."""

from __future__ import annotations

import argparse

from thinkaloud.cli.session_args import ID_HELP
from thinkaloud.errors import ExitCode

FORMATS = ("text", "json", "markdown", "html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", default="latest", help=ID_HELP + " (default: latest)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("--tui", action="store_true", help="open the take in the interactive summary screen")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.session_args import emit, open_synced_store, render_session, require_report, use_color

    with open_synced_store() as store:
        session = store.load(args.id)
    if args.tui:
        return _summary_screen(session, require_report(session, "summary screen"))
    emit(render_session(session, args.format, color=use_color()), None)
    return ExitCode.OK


def _summary_screen(session, report) -> int:
    from thinkaloud.errors import DeviceError

    try:
        from thinkaloud.ui.app import run_summary_app
    except ImportError as error:
        raise DeviceError(f"the summary screen is not available ({error}); use --format text or html instead.") from None
    from thinkaloud.config import load_config

    meta = session.meta
    return run_summary_app(report, load_config(), saved_at=session.folder, question=meta.question,
                           question_id=meta.question_id, session_id=meta.id)
