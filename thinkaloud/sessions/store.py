"""The session index: one row per take, for history, filters, trends and id look-ups.

The session folders are the source of truth (see `layout`); this index is a
cache of the columns worth querying, kept in SQLite (`database`).  Each
write is one transaction.  Folders the index has not seen yet (a live take
whose process died before registering, a folder restored from a backup) are
picked up by `sync`, and `rebuild` recreates the whole index from the
folders.

The live engine calls `register_session(folder)` when a take finishes; the
`analyze` command saves through `thinkaloud.sessions.record`.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from thinkaloud.errors import InputError, UsageError
from thinkaloud.kinds import STRUCTURE_KINDS
from thinkaloud.paths import database_file, sessions_root
from thinkaloud.sessions.database import (
    StoreError,
    connect,
    is_damaged,
    set_aside,
    transaction,
    translate_errors,
)
from thinkaloud.sessions.layout import (
    META_FILE,
    REPORT_FILE,
    SessionMeta,
    effective_status,
    read_meta,
    read_report_dict,
    session_dirs,
)
from thinkaloud.types import Report

#: Words that name a session instead of its id.
LATEST_ALIASES = ("latest", "last")

COLUMNS = (
    "id", "created", "kind", "status", "question", "question_id", "parent_id", "source", "folder",
    "has_report", "speech_found", "duration_s", "speaking_time_s", "words", "wpm", "filler_count",
    "hedge_count", "silence_count", "longest_silence_s", "abrupt_shifts",
    *STRUCTURE_KINDS, "checklist_score", "framing_at", "indexed_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One take as the index knows it; `status` is the effective one (see `layout.effective_status`)."""

    id: str
    created: str
    kind: str
    status: str
    question: str | None
    question_id: str | None
    parent_id: str | None
    source: str
    folder: Path
    has_report: bool
    speech_found: bool | None = None
    duration_s: float | None = None
    speaking_time_s: float | None = None
    words: int | None = None
    wpm: float | None = None
    filler_count: int | None = None
    hedge_count: int | None = None
    silence_count: int | None = None
    longest_silence_s: float | None = None
    abrupt_shifts: int | None = None
    checklist: dict[str, bool] = field(default_factory=dict)
    checklist_score: int | None = None
    framing_at: float | None = None

    @property
    def created_at(self) -> datetime:
        moment = datetime.fromisoformat(self.created)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    @property
    def report_path(self) -> Path:
        return self.folder / REPORT_FILE

    def to_dict(self) -> dict[str, Any]:
        """The JSON form `history --format json` lists."""
        return {
            "id": self.id,
            "created": self.created,
            "kind": self.kind,
            "status": self.status,
            "question": self.question,
            "question_id": self.question_id,
            "parent_id": self.parent_id,
            "source": self.source,
            "folder": str(self.folder),
            "report": str(self.report_path) if self.has_report else None,
            "speech_found": self.speech_found,
            "duration_s": self.duration_s,
            "speaking_time_s": self.speaking_time_s,
            "words": self.words,
            "wpm": self.wpm,
            "filler_count": self.filler_count,
            "hedge_count": self.hedge_count,
            "silence_count": self.silence_count,
            "longest_silence_s": self.longest_silence_s,
            "abrupt_shifts": self.abrupt_shifts,
            "checklist": dict(self.checklist) if self.has_report else None,
            "checklist_score": self.checklist_score,
            "framing_at": self.framing_at,
        }


@dataclass(frozen=True, slots=True)
class Session:
    """A take read in full from its folder: metadata, report (if any) and where it lives."""

    row: SessionRow
    meta: SessionMeta
    report: Report | None

    @property
    def folder(self) -> Path:
        return self.row.folder


@dataclass(frozen=True, slots=True)
class RebuildResult:
    indexed: int
    skipped: tuple[str, ...]  # one line per folder that could not be read
    backup: Path | None  # where a damaged or too-new index was moved


def row_values(folder: Path, meta: SessionMeta, report: dict | None) -> dict[str, Any]:
    """The index columns for one take, from its metadata and its report's JSON."""
    values: dict[str, Any] = {
        "id": meta.id,
        "created": meta.created,
        "kind": meta.kind,
        "status": meta.status,
        "question": meta.question,
        "question_id": meta.question_id,
        "parent_id": meta.parent_id,
        "source": meta.source,
        "folder": str(folder.resolve()),
        "has_report": 1 if report is not None else 0,
        "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    if report is not None:
        metrics = report["metrics"]
        summary = report["summary"]
        checklist = summary["checklist"]
        values.update(
            speech_found=1 if summary.get("speech_found", True) else 0,
            duration_s=metrics["duration_s"],
            speaking_time_s=metrics["speaking_time_s"],
            words=metrics["words"],
            wpm=metrics["wpm"],
            filler_count=metrics["filler_count"],
            hedge_count=metrics["hedge_count"],
            silence_count=metrics["silence_count"],
            longest_silence_s=metrics["longest_silence_s"],
            abrupt_shifts=sum(1 for s in report["signals"] if s["kind"] == "topic_shift" and not s.get("signposted")),
            checklist_score=sum(1 for kind in STRUCTURE_KINDS if checklist[kind]["present"]),
            framing_at=checklist["framing"]["first_at"],
            **{kind: 1 if checklist[kind]["present"] else 0 for kind in STRUCTURE_KINDS},
        )
    return {name: values.get(name) for name in COLUMNS}


def read_folder(folder: Path) -> tuple[SessionMeta, dict | None]:
    """A folder's metadata and report JSON; a defect is one `InputError` line naming the file."""
    try:
        meta = read_meta(folder)
    except FileNotFoundError:
        raise InputError(f"{folder} has no {META_FILE}, so it is not a session folder.") from None
    except (OSError, ValueError, TypeError) as error:
        raise InputError(f"{folder / META_FILE} cannot be read ({_short(error)}); fix or remove that session folder.") from None
    if meta.id != folder.name:
        raise InputError(f"{folder / META_FILE} names session '{meta.id}' but its folder is '{folder.name}'; rename one to match.")
    try:
        report = read_report_dict(folder)
        if report is not None:
            from thinkaloud.report import report_from_dict

            report_from_dict(report)  # reject a report we could not show later
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{folder / REPORT_FILE} cannot be read ({_short(error)}); fix or remove that session folder.") from None
    return meta, report


def _short(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 120 else text[:117] + "..."


class SessionStore:
    """The index of all takes under one data home.  Use as a context manager."""

    def __init__(self, database: Path | None = None, root: Path | None = None):
        self.path = database or database_file()
        self.root = root or sessions_root()
        self._connection: sqlite3.Connection | None = None

    # --- connection -------------------------------------------------------

    @property
    def connection(self) -> sqlite3.Connection:
        if self._connection is None:
            self._connection = connect(self.path)
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    # --- writing ----------------------------------------------------------

    def register(self, folder: Path) -> SessionRow:
        """Index (or re-index) the take in `folder`, in one transaction."""
        meta, report = read_folder(folder)
        values = row_values(folder, meta, report)
        with translate_errors(self.path):
            with transaction(self.connection) as connection:
                _upsert(connection, values)
        return self._to_row(values)

    def sync(self) -> list[str]:
        """Index folders the index lacks and forget rows whose folder is gone; returns warnings."""
        warnings: list[str] = []
        _sweep_leftovers(self.root)
        folders = {p.name: p for p in session_dirs(self.root)}
        with translate_errors(self.path):
            rows = self.connection.execute("SELECT id, folder FROM sessions").fetchall()
            known = {row["id"] for row in rows}
            vanished = [
                row["id"] for row in rows if row["id"] not in folders and not (Path(row["folder"]) / META_FILE).is_file()
            ]
            fresh = []
            for name in sorted(set(folders) - known):
                try:
                    meta, report = read_folder(folders[name])
                except InputError as error:
                    warnings.append(error.message)
                    continue
                fresh.append(row_values(folders[name], meta, report))
            if fresh or vanished:
                with transaction(self.connection) as connection:
                    for values in fresh:
                        _upsert(connection, values)
                    connection.executemany("DELETE FROM sessions WHERE id = ?", [(i,) for i in vanished])
        return warnings

    def delete(self, session_id: str) -> None:
        """Remove a take: its folder and its row, or neither."""
        row = self.get(session_id)
        folder = row.folder
        # Renaming first makes the folder vanish at once (and atomically) for
        # every reader; the slow recursive delete happens after the commit.
        doomed = folder.with_name(f".deleting-{folder.name}")
        try:
            if folder.exists():
                folder.rename(doomed)
        except OSError as error:
            raise StoreError(f"cannot delete {folder} ({error.strerror or error}); check its permissions.") from None
        try:
            with translate_errors(self.path):
                with transaction(self.connection) as connection:
                    connection.execute("DELETE FROM sessions WHERE id = ?", (row.id,))
        except BaseException:
            if doomed.exists():
                doomed.rename(folder)
            raise
        shutil.rmtree(doomed, ignore_errors=True)

    def rebuild(self) -> RebuildResult:
        """Recreate the index from the session folders; a damaged or too-new file is kept as a backup."""
        backup = None
        if is_damaged(self.path):
            self.close()
            backup = set_aside(self.path, "damaged")
        try:
            _ = self.connection  # opening migrates, or refuses a newer schema
        except StoreError as error:
            if "newer thinkaloud" not in error.message:
                raise
            self.close()
            backup = set_aside(self.path, "newer")
        skipped: list[str] = []
        rows = []
        for folder in session_dirs(self.root):
            try:
                meta, report = read_folder(folder)
            except InputError as error:
                skipped.append(error.message)
                continue
            rows.append(row_values(folder, meta, report))
        with translate_errors(self.path):
            with transaction(self.connection) as connection:
                connection.execute("DELETE FROM sessions")
                for values in rows:
                    _upsert(connection, values)
        return RebuildResult(indexed=len(rows), skipped=tuple(skipped), backup=backup)

    # --- reading ----------------------------------------------------------

    def list(self, question: str | None = None, limit: int | None = None, newest_first: bool = True) -> list[SessionRow]:
        """Takes by creation time; `question` matches a question id exactly or its text in part."""
        sql = "SELECT * FROM sessions"
        parameters: list[Any] = []
        if question:
            sql += " WHERE question_id = ? OR question LIKE ? ESCAPE '\\' OR question_id LIKE ? ESCAPE '\\'"
            pattern = "%" + _escape_like(question.strip()) + "%"
            parameters += [question.strip(), pattern, pattern]
        order = "DESC" if newest_first else "ASC"
        sql += f" ORDER BY created {order}, id {order}"
        if limit is not None:
            sql += " LIMIT ?"
            parameters.append(limit)
        with translate_errors(self.path):
            records = self.connection.execute(sql, parameters).fetchall()
        return [self._to_row(dict(record)) for record in records]

    def get(self, session_id: str) -> SessionRow:
        with translate_errors(self.path):
            record = self.connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if record is None:
            raise InputError(f"no session has the id '{session_id}'; run 'thinkaloud history' to list them.")
        return self._to_row(dict(record))

    def resolve(self, reference: str) -> SessionRow:
        """A session by id, unique id prefix, or "latest"/"last"; re-syncs once before giving up."""
        reference = reference.strip()
        if not reference:
            raise UsageError("a session id cannot be empty; run 'thinkaloud history' to list them.")
        found = self._lookup(reference)
        if found is None:
            self.sync()
            found = self._lookup(reference)
        if found is None:
            if reference.lower() in LATEST_ALIASES:
                raise InputError("there are no sessions yet; analyse an answer with 'thinkaloud analyze FILE' first.")
            raise InputError(f"no session has the id '{reference}'; run 'thinkaloud history' to list them.")
        return found

    def _lookup(self, reference: str) -> SessionRow | None:
        if reference.lower() in LATEST_ALIASES:
            rows = self.list(limit=1)
            return rows[0] if rows else None
        with translate_errors(self.path):
            exact = self.connection.execute("SELECT * FROM sessions WHERE id = ?", (reference,)).fetchone()
            if exact is not None:
                return self._to_row(dict(exact))
            records = self.connection.execute(
                "SELECT * FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
                (_escape_like(reference) + "%",),
            ).fetchall()
        if len(records) > 1:
            shown = ", ".join(r["id"] for r in records[:5]) + (", …" if len(records) > 5 else "")
            raise UsageError(f"the session id '{reference}' is ambiguous (it starts {shown}); give more of it.")
        return self._to_row(dict(records[0])) if records else None

    def load(self, reference: str) -> Session:
        """A take in full, from its folder."""
        from thinkaloud.report import report_from_dict

        row = self.resolve(reference)
        if not (row.folder / META_FILE).is_file():
            self.sync()
            raise InputError(f"the folder of session {row.id} ({row.folder}) is gone; it has been dropped from the history.")
        meta, report = read_folder(row.folder)
        return Session(row=row, meta=meta, report=report_from_dict(report) if report is not None else None)

    def previous_take(self, row: SessionRow) -> SessionRow | None:
        """The take of the same question just before `row`, if any."""
        if not (row.question_id or row.question):
            return None
        with translate_errors(self.path):
            column = "question_id" if row.question_id else "question"
            record = self.connection.execute(
                f"SELECT * FROM sessions WHERE {column} = ? AND (created < ? OR (created = ? AND id < ?)) "
                "AND has_report = 1 ORDER BY created DESC, id DESC LIMIT 1",
                (getattr(row, column), row.created, row.created, row.id),
            ).fetchone()
        return self._to_row(dict(record)) if record is not None else None

    def _to_row(self, values: dict[str, Any]) -> SessionRow:
        folder = Path(values["folder"])
        status = values["status"]
        if status == "recording":
            try:
                status = effective_status(read_meta(folder), folder)
            except (OSError, ValueError, TypeError):
                status = "interrupted"
        has_report = bool(values["has_report"])
        return SessionRow(
            id=values["id"],
            created=values["created"],
            kind=values["kind"],
            status=status,
            question=values["question"],
            question_id=values["question_id"],
            parent_id=values["parent_id"],
            source=values["source"],
            folder=folder,
            has_report=has_report,
            speech_found=None if values["speech_found"] is None else bool(values["speech_found"]),
            duration_s=values["duration_s"],
            speaking_time_s=values["speaking_time_s"],
            words=values["words"],
            wpm=values["wpm"],
            filler_count=values["filler_count"],
            hedge_count=values["hedge_count"],
            silence_count=values["silence_count"],
            longest_silence_s=values["longest_silence_s"],
            abrupt_shifts=values["abrupt_shifts"],
            checklist={kind: bool(values[kind]) for kind in STRUCTURE_KINDS} if has_report else {},
            checklist_score=values["checklist_score"],
            framing_at=values["framing_at"],
        )


def _upsert(connection: sqlite3.Connection, values: dict[str, Any]) -> None:
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS if name != "id")
    connection.execute(
        f"INSERT INTO sessions ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
        [values[name] for name in COLUMNS],
    )


#: A half-written or half-deleted folder older than this was left by a process that died.
LEFTOVER_AGE_S = 3600.0


def _sweep_leftovers(root: Path) -> None:
    """Remove folders a crashed `save_report` or `delete` left behind (they are never sessions)."""
    import time

    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".new-", ".deleting-")) and entry.is_dir():
            try:
                if time.time() - entry.stat().st_mtime > LEFTOVER_AGE_S:
                    shutil.rmtree(entry, ignore_errors=True)
            except OSError:
                pass


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def open_store() -> SessionStore:
    """The index of the current data home (`THINKALOUD_HOME` or the platform's data folder)."""
    return SessionStore()


def register_session(folder: Path) -> None:
    """Index the take in `folder` (its session.json and, when present, report.json).

    Called by the live engine when a take finishes, and safe to call again:
    the row is replaced, never duplicated.
    """
    with SessionStore() as store:
        store.register(Path(folder))


def trend_rows(rows: Sequence[SessionRow]) -> list[SessionRow]:
    """The analysed takes among `rows`, oldest first: what trends are drawn from."""
    return sorted((r for r in rows if r.has_report and r.speech_found), key=lambda r: (r.created, r.id))
