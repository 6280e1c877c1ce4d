"""One session on disk: a private folder holding its audio, report and metadata.

    <data home>/sessions/<id>/
        audio.wav      captured audio (live sessions only), written as it arrives
        report.json    the `thinkaloud.report/1` report, once analysed
        session.json   `SessionMeta`: what the take was, written first

Ids sort by creation time ("20261128-142305-3fa2"), so a directory listing is
already a history.
"""

from __future__ import annotations

import json
import os
import secrets
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


def new_session_id(now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return now.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def create_session_dir(meta: SessionMeta, root: Path | None = None) -> Path:
    folder = ensure_private_dir(root or sessions_root()) / meta.id
    ensure_private_dir(folder)
    write_meta(folder, meta)
    return folder


def write_meta(folder: Path, meta: SessionMeta) -> None:
    write_json_atomically(folder / META_FILE, asdict(meta))


def read_meta(folder: Path) -> SessionMeta:
    data = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
    known = {name for name in SessionMeta.__dataclass_fields__}
    return SessionMeta(**{k: v for k, v in data.items() if k in known})


def write_json_atomically(path: Path, data: object) -> None:
    """A reader (or a crash) never sees half a file: write beside it, fsync, rename."""
    temporary = path.with_name(f".{path.name}.tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)
