"""The session index: one row per take, for history, filters, trends and id look-ups.

The session folders are the source of truth (see `layout`); this index is a
cache of the columns worth querying, kept in SQLite (`database`): a row per
take, and a row per take and checklist kind.  Each write is one transaction.
Folders the index has not seen yet (a live take whose process died before
registering, a folder restored from a backup) are picked up by `sync`, and
`rebuild` recreates the whole index from the folders.

A take's folder is stored relative to the data folder, so the data folder
can be moved, copied to another machine or restored from a backup.  A take
whose folder is really gone stays in the index with the status "missing"
(reported, never silently dropped) until it comes back or is deleted.

Takes are written, and indexed from their in-memory report, by
`thinkaloud.sessions.record` (analyze, live and recover alike).
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
from thinkaloud.kinds import CHECKLIST_KINDS, STRUCTURE_KINDS
from thinkaloud.paths import database_file, sessions_root
from thinkaloud.sessions.database import (
    SESSION_COLUMNS,
    StoreError,
    connect,
    data_folder,
    is_damaged,
    set_aside,
    stored_folder,
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

COLUMNS = SESSION_COLUMNS
#: The status of a take whose folder is not where the index says and cannot be found.
MISSING = "missing"
#: How many ids one checklist query asks for (SQLite limits the parameters of a statement).
CHUNK = 500


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
    #: Checklist kind -> present, and -> when it first appeared; the kinds the take's report had.
    checklist: dict[str, bool] = field(default_factory=dict)
    checklist_at: dict[str, float | None] = field(default_factory=dict)

    @property
    def checklist_score(self) -> int | None:
        """How many of the structure kinds the take has (a kind its report lacked counts as absent)."""
        if not self.has_report:
            return None
        return sum(1 for kind in STRUCTURE_KINDS if self.checklist.get(kind))

    @property
    def framing_at(self) -> float | None:
        """When the answer's opening part (the first structure kind) first appeared."""
        return self.checklist_at.get(STRUCTURE_KINDS[0]) if self.has_report else None

    @property
    def missing(self) -> bool:
        return self.status == MISSING

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


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the index holds for one take: its `sessions` row and its checklist rows."""

    values: dict[str, Any]
    checklist: dict[str, tuple[bool, float | None]]


def index_entry(stored: str, meta: SessionMeta, report: Report | None) -> IndexEntry:
    """The index rows for one take, from its metadata and its (in-memory) report; `stored` is its folder as stored."""
    values: dict[str, Any] = {
        "id": meta.id,
        "created": meta.created,
        "kind": meta.kind,
        "status": meta.status,
        "question": meta.question,
        "question_id": meta.question_id,
        "parent_id": meta.parent_id,
        "source": meta.source,
        "folder": stored,
        "has_report": 1 if report is not None else 0,
        "indexed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    checklist: dict[str, tuple[bool, float | None]] = {}
    if report is not None:
        m = report.metrics
        values.update(
            speech_found=1 if report.summary.speech_found else 0,
            duration_s=m.duration_s,
            speaking_time_s=m.speaking_time_s,
            words=m.words,
            wpm=m.wpm,
            filler_count=m.filler_count,
            hedge_count=m.hedge_count,
            silence_count=m.silence_count,
            longest_silence_s=m.longest_silence_s,
            abrupt_shifts=sum(1 for s in report.signals if s.kind == "topic_shift" and not s.signposted),
        )
        # Whatever kinds the report's checklist has: a kind added later needs no new column.
        checklist = {kind: (item.present, item.first_at) for kind, item in report.summary.checklist.items()}
    return IndexEntry({name: values.get(name) for name in COLUMNS}, checklist)


def read_folder(folder: Path) -> tuple[SessionMeta, Report | None]:
    """A folder's metadata and report; a defect is one `InputError` line naming the file."""
    try:
        meta = read_meta(folder)
    except FileNotFoundError:
        raise InputError(f"{folder} has no {META_FILE}, so it is not a session folder.") from None
    except (OSError, ValueError, TypeError) as error:
        raise InputError(f"{folder / META_FILE} cannot be read ({_short(error)}); fix or remove that session folder.") from None
    if meta.id != folder.name:
        raise InputError(f"{folder / META_FILE} names session '{meta.id}' but its folder is '{folder.name}'; rename one to match.")
    try:
        data = read_report_dict(folder)
        report = None
        if data is not None:
            from thinkaloud.report import report_from_dict

            report = report_from_dict(data)
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
        #: Folders under it are stored relative to it (see `database.stored_folder`).
        self.home = data_folder(self.path)
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

    def folder_path(self, stored: str) -> Path:
        """Where a folder the index stores is on disk: a relative one is under the data folder."""
        path = Path(stored)
        return path if path.is_absolute() else self.home / path

    def index(self, folder: Path, meta: SessionMeta, report: Report | None) -> SessionRow:
        """Index (or re-index) a take from its metadata and in-memory report, in one transaction."""
        entry = index_entry(stored_folder(folder, self.home), meta, report)
        with translate_errors(self.path):
            with transaction(self.connection) as connection:
                _upsert(connection, entry)
        return self._to_row(entry.values, entry.checklist)

    def register(self, folder: Path) -> SessionRow:
        """Index (or re-index) the take in `folder`, read from disk."""
        meta, report = read_folder(folder)
        return self.index(folder, meta, report)

    def sync(self) -> list[str]:
        """Index folders the index lacks, and takes found again in the sessions folder; returns warnings.

        A row whose folder is gone is kept: `list` shows it as "missing" and
        `load` refuses it in one line, until it is restored or deleted.
        """
        warnings: list[str] = []
        _sweep_leftovers(self.root)
        folders = {p.name: p for p in session_dirs(self.root)}
        with translate_errors(self.path):
            rows = self.connection.execute("SELECT id, folder FROM sessions").fetchall()
            known = {row["id"] for row in rows}
            # New folders, and takes whose stored folder is gone but which are in the sessions folder
            # (moved back, restored from a backup, or indexed by another data folder's path).
            found = sorted(set(folders) - known)
            found += sorted(row["id"] for row in rows if row["id"] in folders and not self._present(row["folder"]))
            fresh = []
            for name in found:
                try:
                    meta, report = read_folder(folders[name])
                except InputError as error:
                    warnings.append(error.message)
                    continue
                fresh.append(index_entry(stored_folder(folders[name], self.home), meta, report))
            if fresh:
                with transaction(self.connection) as connection:
                    for entry in fresh:
                        _upsert(connection, entry)
        return warnings

    def _present(self, stored: str) -> bool:
        return (self.folder_path(stored) / META_FILE).is_file()

    def delete(self, session_id: str) -> None:
        """Remove a take: its folder and its row, or neither."""
        row = self.get(session_id)
        folder = row.folder
        # Renaming first makes the folder vanish at once (and atomically) for
        # every reader; the slow recursive delete happens after the commit.
        # A missing take has no folder left: only its rows go.
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
                    connection.execute("DELETE FROM checklist WHERE session_id = ?", (row.id,))
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
        entries = []
        for folder in session_dirs(self.root):
            try:
                meta, report = read_folder(folder)
            except InputError as error:
                skipped.append(error.message)
                continue
            entries.append(index_entry(stored_folder(folder, self.home), meta, report))
        with translate_errors(self.path):
            rebuilt = {entry.values["id"] for entry in entries}
            old = self.connection.execute("SELECT id, folder FROM sessions ORDER BY created, id").fetchall()
            forgotten = tuple(
                f"forgot session {row['id']}: its folder {self.folder_path(row['folder'])} is missing."
                for row in old
                if row["id"] not in rebuilt and not self._present(row["folder"])
            )
            with transaction(self.connection) as connection:
                connection.execute("DELETE FROM sessions")
                connection.execute("DELETE FROM checklist")
                for entry in entries:
                    _upsert(connection, entry)
        return RebuildResult(indexed=len(entries), skipped=tuple(skipped) + forgotten, backup=backup)

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
        return self._rows(sql, parameters)

    def get(self, session_id: str) -> SessionRow:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise InputError(f"no session has the id '{session_id}'; run 'thinkaloud history' to list them.")
        return rows[0]

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
        exact = self._rows("SELECT * FROM sessions WHERE id = ?", (reference,))
        if exact:
            return exact[0]
        with translate_errors(self.path):
            ids = [r["id"] for r in self.connection.execute(
                "SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 6",
                (_escape_like(reference) + "%",),
            ).fetchall()]
        if len(ids) > 1:
            shown = ", ".join(ids[:5]) + (", …" if len(ids) > 5 else "")
            raise UsageError(f"the session id '{reference}' is ambiguous (it starts {shown}); give more of it.")
        return self.get(ids[0]) if ids else None

    def load(self, reference: str) -> Session:
        """A take in full, from its folder."""
        row = self.resolve(reference)
        if row.missing:
            self.sync()  # found again if it is back in the sessions folder
            row = self.get(row.id)
            if row.missing:
                raise InputError(missing_folder_message(row))
        meta, report = read_folder(row.folder)
        return Session(row=row, meta=meta, report=report)

    def previous_take(self, row: SessionRow) -> SessionRow | None:
        """The take of the same question just before `row`, if any."""
        if not (row.question_id or row.question):
            return None
        column = "question_id" if row.question_id else "question"
        rows = self._rows(
            f"SELECT * FROM sessions WHERE {column} = ? AND (created < ? OR (created = ? AND id < ?)) "
            "AND has_report = 1 ORDER BY created DESC, id DESC LIMIT 1",
            (getattr(row, column), row.created, row.created, row.id),
        )
        return rows[0] if rows else None

    def _rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[SessionRow]:
        """The takes a `SELECT * FROM sessions ...` finds, each with its checklist."""
        checklists: dict[str, dict[str, tuple[bool, float | None]]] = {}
        with translate_errors(self.path):
            # One read transaction: the takes and their checklists as of the same moment.
            self.connection.execute("BEGIN")
            try:
                records = [dict(record) for record in self.connection.execute(sql, parameters).fetchall()]
                ids = [record["id"] for record in records]
                for start in range(0, len(ids), CHUNK):
                    chunk = ids[start : start + CHUNK]
                    marks = ", ".join("?" for _ in chunk)
                    for item in self.connection.execute(
                        f"SELECT session_id, kind, present, first_at FROM checklist WHERE session_id IN ({marks})", chunk
                    ):
                        checklists.setdefault(item["session_id"], {})[item["kind"]] = (bool(item["present"]), item["first_at"])
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        return [self._to_row(record, checklists.get(record["id"], {})) for record in records]

    def _to_row(self, values: dict[str, Any], checklist: dict[str, tuple[bool, float | None]]) -> SessionRow:
        folder = self.folder_path(values["folder"])
        status = values["status"]
        if not (folder / META_FILE).is_file():
            status = MISSING
        elif status == "recording":
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
            checklist={kind: checklist[kind][0] for kind in _in_order(checklist)} if has_report else {},
            checklist_at={kind: checklist[kind][1] for kind in _in_order(checklist)} if has_report else {},
        )


def missing_folder_message(row: SessionRow) -> str:
    """One line for a take whose folder is gone: what is missing and the two ways out."""
    return (f"the folder of session {row.id} ({row.folder}) is missing; restore it from a backup, "
            f"or run 'thinkaloud delete {row.id}' to forget the take.")


def _in_order(kinds) -> list[str]:
    """The checklist kinds in the table's order, then any others (from a later release) by name."""
    order = {kind: index for index, kind in enumerate(CHECKLIST_KINDS)}
    return sorted(kinds, key=lambda kind: (order.get(kind, len(order)), kind))


def _upsert(connection: sqlite3.Connection, entry: IndexEntry) -> None:
    values = entry.values
    names = ", ".join(COLUMNS)
    marks = ", ".join("?" for _ in COLUMNS)
    updates = ", ".join(f"{name} = excluded.{name}" for name in COLUMNS if name != "id")
    connection.execute(
        f"INSERT INTO sessions ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {updates}",
        [values[name] for name in COLUMNS],
    )
    connection.execute("DELETE FROM checklist WHERE session_id = ?", (values["id"],))
    connection.executemany(
        "INSERT INTO checklist (session_id, kind, present, first_at) VALUES (?, ?, ?, ?)",
        [(values["id"], kind, 1 if present else 0, first_at) for kind, (present, first_at) in entry.checklist.items()],
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
    """Index the take in `folder` (its session.json and, when present, report.json), read from disk.

    Safe to call again: the row is replaced, never duplicated.  Takes being
    written are indexed by `thinkaloud.sessions.record.TakeWriter` instead.
    """
    with SessionStore() as store:
        store.register(Path(folder))


def trend_rows(rows: Sequence[SessionRow]) -> list[SessionRow]:
    """The analysed takes among `rows`, oldest first: what trends are drawn from."""
    return sorted((r for r in rows if r.has_report and r.speech_found), key=lambda r: (r.created, r.id))
