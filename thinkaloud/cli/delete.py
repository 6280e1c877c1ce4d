"""`thinkaloud delete ID...`: remove takes (folder, audio, report and index row), after asking."""

from __future__ import annotations

import argparse
import sys

from thinkaloud.cli.session_args import ID_HELP
from thinkaloud.errors import ExitCode


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("ids", nargs="+", metavar="ID", help=ID_HELP)
    parser.add_argument("-y", "--yes", action="store_true", help="delete without asking")


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.session_args import open_synced_store
    from thinkaloud.errors import UsageError
    from thinkaloud.sessions.render import local_time

    with open_synced_store() as store:
        rows = list({row.id: row for row in (store.resolve(ref) for ref in args.ids)}.values())
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError("delete asks for confirmation, but there is no terminal to ask on; pass --yes to delete anyway.")
            for row in rows:
                what = row.question or row.source
                sys.stderr.write(f"  {row.id}  {local_time(row.created)}  {what}\n")
            count = f"these {len(rows)} sessions" if len(rows) > 1 else "this session"
            sys.stderr.write(f"Delete {count} and their recordings for good? [y/N] ")
            sys.stderr.flush()
            answer = sys.stdin.readline().strip().lower()
            if answer not in ("y", "yes"):
                sys.stderr.write("thinkaloud: nothing deleted.\n")
                return ExitCode.OK
        for row in rows:
            store.delete(row.id)
            sys.stderr.write(f"thinkaloud: deleted session {row.id}.\n")
    return ExitCode.OK
