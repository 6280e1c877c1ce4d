"""`thinkaloud compare [A [B]]`: what changed between two takes.

With two ids, A is compared with B.  With one, that take is compared with
the take of the same question before it; with none, the latest take is.
"""

from __future__ import annotations

import argparse

from thinkaloud.cli.session_args import ID_HELP
from thinkaloud.errors import ExitCode

FORMATS = ("text", "json", "markdown")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="*", metavar="ID",
                        help=f"{ID_HELP}; give two to compare them, one to compare it with the previous take of its "
                             "question, or none for the latest take")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.session_args import emit, open_synced_store
    from thinkaloud.errors import InputError, UsageError
    from thinkaloud.sessions.compare import compare_sessions

    if len(args.ids) > 2:
        raise UsageError(f"compare takes at most two session ids, not {len(args.ids)}; give the two takes to compare.")
    with open_synced_store() as store:
        if len(args.ids) == 2:
            first, second = store.load(args.ids[0]), store.load(args.ids[1])
        else:
            later = store.resolve(args.ids[0] if args.ids else "latest")
            earlier = store.previous_take(later)
            if earlier is None:
                what = f"'{later.question}'" if later.question else "its question"
                raise InputError(f"session {later.id} has no earlier take of {what} to compare with; "
                                 "give two session ids instead.")
            first, second = store.load(earlier.id), store.load(later.id)
    comparison = compare_sessions(first, second)
    if args.format == "json":
        import json

        from thinkaloud.sessions.compare import comparison_to_dict

        content = json.dumps(comparison_to_dict(comparison), indent=2, ensure_ascii=False) + "\n"
    elif args.format == "markdown":
        from thinkaloud.sessions.render import render_comparison_markdown

        content = render_comparison_markdown(comparison)
    else:
        from thinkaloud.sessions.render import render_comparison_text

        content = render_comparison_text(comparison)
    emit(content, None)
    return ExitCode.OK
