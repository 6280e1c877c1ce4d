"""`thinkaloud recover [ID]`: the takes a crash interrupted, listed, or analysed and kept.

Without an id it lists the takes whose recorder died before analysing them
(one per line: id, when, audio length, folder).  With an id (or `--all`) it
repairs the take's WAV header, analyses the audio exactly as `analyze` would,
saves the report, marks the take complete and prints its summary as `show`
does.  Ctrl+C leaves the take interrupted, to be recovered later.
"""

from __future__ import annotations

import argparse
import sys

from thinkaloud.cli.analyze import add_model_arguments
from thinkaloud.cli.session_args import ID_HELP
from thinkaloud.errors import ExitCode, InputError, ThinkaloudError, UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("id", nargs="?", help=ID_HELP + " (default: list the interrupted takes)")
    parser.add_argument("--all", action="store_true", help="recover every interrupted take")
    parser.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    add_model_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from thinkaloud.cli.session_args import open_synced_store
    from thinkaloud.sessions.recovery import interrupted_takes

    if args.id and args.all:
        raise UsageError("give either a session id or --all, not both.")
    with open_synced_store() as store:
        waiting = interrupted_takes(store.root)
        if args.all:
            targets = [take.meta.id for take in waiting]
        elif args.id:
            targets = [_check_recoverable(store, args.id)]
        else:
            _list(waiting, args.format)
            return ExitCode.OK
    if not targets:
        sys.stderr.write("thinkaloud: no interrupted takes to recover.\n")
        return ExitCode.OK
    return _recover(targets, args)


def _check_recoverable(store, reference: str) -> str:
    from thinkaloud.sessions.layout import read_meta
    from thinkaloud.sessions.recovery import needs_recovery

    row = store.resolve(reference)
    try:
        meta = read_meta(row.folder)
    except (OSError, ValueError, TypeError):
        raise InputError(f"the folder of session {row.id} ({row.folder}) cannot be read; run 'thinkaloud history --rebuild'.") from None
    if needs_recovery(meta, row.folder):
        return row.id
    if row.status == "recording":
        raise InputError(f"session {row.id} is still being recorded by process {meta.pid}; recover it once that has ended.")
    raise InputError(f"session {row.id} is {row.status} and already analysed, so there is nothing to recover; "
                     f"see 'thinkaloud show {row.id}'.")


def _list(waiting, fmt: str) -> None:
    from thinkaloud.sessions.render import local_time
    from thinkaloud.timefmt import length

    if fmt == "json":
        import json

        data = [{"id": t.meta.id, "created": t.meta.created, "audio_s": t.audio_s, "folder": str(t.folder),
                 "question": t.meta.question} for t in waiting]
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        return
    if not waiting:
        sys.stdout.write("No interrupted takes: every recording was finished and analysed.\n")
        return
    for take in waiting:
        audio = length(take.audio_s) if take.audio_s is not None else "no audio"
        sys.stdout.write(f"{take.meta.id}  {local_time(take.meta.created)}  {audio:>12}  {take.folder}\n")
    sys.stdout.write(f"\nRun 'thinkaloud recover {waiting[0].meta.id if len(waiting) == 1 else 'ID'}' "
                     "(or --all) to analyse and keep them.\n")


def _recover(targets: list[str], args: argparse.Namespace) -> int:
    from thinkaloud.analyze import Analyzer
    from thinkaloud.cli.analyze import options_from_args
    from thinkaloud.cli.progress import StderrProgress
    from thinkaloud.cli.session_args import emit, open_synced_store, render_session, use_color
    from thinkaloud.sessions.recovery import recover_session

    analyzer = Analyzer(options_from_args(args))
    worst = ExitCode.OK
    for number, session_id in enumerate(targets):
        with open_synced_store() as store:
            folder = store.get(session_id).folder
        progress = StderrProgress(f"recovering {session_id}")
        try:
            recover_session(folder, analyzer, progress=progress)
        except ThinkaloudError as error:
            progress.finish()
            if len(targets) == 1:
                raise
            sys.stderr.write(f"thinkaloud: skipped {session_id}: {error.message}\n")
            worst = max(worst, error.exit_code)
            continue
        progress.finish()
        with open_synced_store() as store:
            session = store.load(session_id)
        if number:
            emit("\n", None)
        emit(render_session(session, args.format, color=use_color()), None)
        sys.stderr.write(f"thinkaloud: recovered session {session_id} ({folder}).\n")
    return worst
