"""One session on disk: a private folder holding its audio, report and metadata.

    <data home>/sessions/<id>/
        audio.wav      captured audio (live sessions only), written as it arrives
        report.json    the `thinkaloud.report/1` report, once analysed
        session.json   `SessionMeta`: what the take was, written first

Ids sort by creation time ("20261128-142305-3fa2"), so a directory listing is
already a history.  Folders whose names start with a dot are work in progress
(being written or being deleted) and are never taken for sessions.

A live take is written with status "recording" and the recording process's
identity (`pid`, `host`, `process_started`), so that a reader can tell a take
still being recorded from one whose process died: the latter is "interrupted".
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

from thinkaloud.paths import ensure_private_dir, sessions_root

AUDIO_FILE = "audio.wav"
REPORT_FILE = "report.json"
META_FILE = "session.json"

SessionKind = Literal["live", "file", "text"]
SessionStatus = Literal["recording", "complete", "interrupted", "failed"]

#: Without a recorded process, a "recording" take untouched this long is taken as interrupted.
STALE_RECORDING_S = 600.0


@dataclass(slots=True)
class SessionMeta:
    id: str
    created: str  # ISO 8601, UTC
    kind: SessionKind
    source: str  # the analysed file, or "microphone"/the --source file for live takes
    question: str | None = None
    question_id: str | None = None
    parent_id: str | None = None  # the take this one follows up on
    status: SessionStatus = "complete"
    notes: dict = field(default_factory=dict)
    # Who is recording (status "recording" only): lets readers detect a dead recorder.
    pid: int | None = None
    host: str | None = None
    process_started: str | None = None


def new_session_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def utc_now_iso() -> str:
    """A `created` timestamp: UTC, with milliseconds so takes in one second still sort."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def create_session_dir(meta: SessionMeta, root: Path | None = None) -> Path:
    """Create the folder and write `session.json`; a "recording" take is stamped with this process."""
    if meta.status == "recording" and meta.pid is None:
        claim_for_this_process(meta)
    folder = ensure_private_dir(root or sessions_root()) / meta.id
    ensure_private_dir(folder)
    write_meta(folder, meta)
    return folder


def claim_for_this_process(meta: SessionMeta) -> SessionMeta:
    meta.pid = os.getpid()
    meta.host = socket.gethostname()
    meta.process_started = process_start_token(meta.pid)
    return meta


def write_meta(folder: Path, meta: SessionMeta) -> None:
    write_json_atomically(folder / META_FILE, asdict(meta))


def read_meta(folder: Path) -> SessionMeta:
    data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{folder / META_FILE} does not hold a JSON object")
    known = {name for name in SessionMeta.__dataclass_fields__}
    return SessionMeta(**{k: v for k, v in data.items() if k in known})


def read_report_dict(folder: Path) -> dict | None:
    """The stored report as JSON data, or None when the take has none (yet)."""
    try:
        text = (folder / REPORT_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return json.loads(text)


def write_json_atomically(path: Path, data: object) -> None:
    """A reader (or a crash) never sees half a file: write beside it, fsync, rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8", opener=_private_opener) as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _private_opener(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def is_session_dir(path: Path) -> bool:
    return not path.name.startswith(".") and path.is_dir() and (path / META_FILE).is_file()


def session_dirs(root: Path | None = None) -> list[Path]:
    """Every finished-or-recording session folder under `root`, oldest first."""
    root = root or sessions_root()
    try:
        entries = list(root.iterdir())
    except FileNotFoundError:
        return []
    return sorted((p for p in entries if is_session_dir(p)), key=lambda p: p.name)


# --- is the recorder still alive? ------------------------------------------


def _proc_stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (field 3, the state, first); None without /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may itself hold spaces or ")".
    return stat[stat.rfind(")") + 2 :].split()


def process_start_token(pid: int) -> str | None:
    """Something that changes when a pid is reused: the process's start time (Linux), else None."""
    return _start_token(_proc_stat_fields(pid))


def _start_token(fields: list[str] | None) -> str | None:
    return fields[19] if fields is not None and len(fields) > 19 else None  # field 22, starttime


def process_alive(pid: int, start_token: str | None = None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except OSError:
        return False
    # No /proc (not Linux), or gone this instant: kill() has already answered.
    fields = _proc_stat_fields(pid)
    if start_token is not None:
        current = _start_token(fields)
        if current is not None and current != start_token:
            return False  # the pid now belongs to another process
    # A killed process stays a zombie until its parent reaps it, and a zombie
    # still answers kill(pid, 0); it will never write to the take again.
    return not (fields and fields[0] in ("Z", "X"))


def effective_status(meta: SessionMeta, folder: Path, now: float | None = None) -> SessionStatus:
    """The status to show: a "recording" take whose recorder is gone is "interrupted"."""
    if meta.status != "recording":
        return meta.status
    if meta.pid is not None and meta.host in (None, socket.gethostname()):
        return "recording" if process_alive(meta.pid, meta.process_started) else "interrupted"
    if meta.pid is not None:
        return "recording"  # recorded on another machine: nothing to check here
    # No recorder on record: judge by when the take was last written to.
    newest = 0.0
    for name in (AUDIO_FILE, META_FILE):
        try:
            newest = max(newest, (folder / name).stat().st_mtime)
        except OSError:
            pass
    return "interrupted" if (now or time.time()) - newest > STALE_RECORDING_S else "recording"
