"""What the session commands (history, show, compare, export, delete) share.

Opening the index with its warnings on stderr, writing a result to stdout
or to a file, and rendering one session in a chosen format.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from thinkaloud.errors import OutputError

ID_HELP = "a session id, a unique start of one (like git), or 'latest'"


def warn(message: str) -> None:
    sys.stderr.write(f"thinkaloud: warning: {message}\n")


def open_synced_store():
    """The index, with folders it has not seen yet indexed first (each unreadable one is a warning)."""
    from thinkaloud.sessions.store import open_store

    store = open_store()
    try:
        for warning in store.sync():
            warn(warning)
        repair_interrupted(store)
    except BaseException:
        store.close()
        raise
    return store


def repair_interrupted(store) -> None:
    """Make the audio of takes whose recorder died playable, and say how to analyse them."""
    from thinkaloud.sessions.recovery import repair_interrupted_audio

    repaired = repair_interrupted_audio(store)
    if repaired:
        takes = "take" if len(repaired) == 1 else "takes"
        warn(f"repaired the audio of {len(repaired)} interrupted {takes} ({', '.join(repaired)}); "
             f"run 'thinkaloud recover {repaired[0] if len(repaired) == 1 else 'ID'}' to analyse "
             f"{'it' if len(repaired) == 1 else 'them'}.")


def use_color(output: Path | None = None) -> bool:
    return output is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ


def emit(content: str, output: Path | None, what: str = "output") -> None:
    """The result goes to stdout, or atomically to `output` (a folder gets a file named after `what`)."""
    if output is None:
        sys.stdout.write(content)
        sys.stdout.flush()
        return
    from thinkaloud.cli.output import write_output

    target = output / what if output.is_dir() else output
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: folder {parent} does not exist; create it or choose another path.")
    write_output(target, content)


def render_session(session, fmt: str, color: bool = False) -> str:
    """One take as text, json (session and report), markdown, or html."""
    if fmt == "json":
        import json

        from thinkaloud.report import report_to_dict

        data = {"session": session.row.to_dict(), "report": report_to_dict(session.report) if session.report else None}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        from thinkaloud.sessions.render import render_session_markdown

        return render_session_markdown(session)
    if fmt == "html":
        return render_session_html(session)
    from thinkaloud.sessions.render import render_session_text

    return render_session_text(session, color=color)


def require_report(session, fmt: str):
    """The take's report, or one line saying why there is none and what to do."""
    from thinkaloud.errors import InputError
    from thinkaloud.sessions.layout import AUDIO_FILE

    if session.report is not None:
        return session.report
    row = session.row
    audio = row.folder / AUDIO_FILE
    if row.status == "recording":
        raise InputError(f"session {row.id} is still being recorded; its {fmt} appears once the take finishes.")
    if audio.is_file():
        raise InputError(f"session {row.id} was {row.status} before it was analysed; analyse its audio with "
                         f"'thinkaloud analyze {audio}'.")
    raise InputError(f"session {row.id} has no report ({row.status}), so there is no {fmt} to make.")


def render_session_html(session) -> str:
    from thinkaloud.report.html import render_html

    return render_html(require_report(session, "html"), meta=session.meta)
