"""The SQLite file behind the session index: opening it safely and migrating its schema.

The index lives in one SQLite database (WAL mode, so readers never wait for
a writer and two `analyze` runs can save at once).  Its schema is versioned
with `PRAGMA user_version` and upgraded by the ordered `MIGRATIONS`; a file
written by a newer thinkaloud is refused rather than guessed at.

Schema 2 (the current one): `sessions` holds one row per take, its `folder`
relative to the data folder (the folder holding this file) so that a data
folder moved, copied or restored elsewhere keeps every take; `checklist`
holds one row per take and checklist kind (present, first_at), so a kind
added later needs no new column.  Every
SQLite failure a user can meet (locked, damaged, unwritable, too new) leaves
this module as one `StoreError` sentence naming the fix.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from thinkaloud.errors import ExitCode, ThinkaloudError
from thinkaloud.paths import ensure_private_dir

#: How long a writer waits for another to finish before giving up.
BUSY_TIMEOUT_MS = 5_000
REBUILD_HINT = "run 'thinkaloud history --rebuild' to rebuild it from the session folders"


class StoreError(ThinkaloudError):
    """The session index cannot be used as it is (busy, damaged, unwritable or too new)."""

    exit_code = ExitCode.OUTPUT


@dataclass(frozen=True, slots=True)
class Migration:
    """One step of the schema's history; statements (then `run`, if any) run in one transaction.

    `run(connection, path)` does what SQL alone cannot, such as reading the
    take folders beside the index at `path`.
    """

    version: int
    description: str
    statements: tuple[str, ...]
    run: Callable[[sqlite3.Connection, Path], None] | None = None


#: Schema 2's columns of `sessions`, in order.
SESSION_COLUMNS: tuple[str, ...] = (
    "id", "created", "kind", "status", "question", "question_id", "parent_id", "source", "folder",
    "has_report", "speech_found", "duration_s", "speaking_time_s", "words", "wpm", "filler_count",
    "hedge_count", "silence_count", "longest_silence_s", "abrupt_shifts", "indexed_at",
)  # fmt: skip

#: Columns of schema 1 that were not a checklist kind (every other column was one, 0 or 1).
_V1_COLUMNS = frozenset(SESSION_COLUMNS) | {"checklist_score", "framing_at"}


def data_folder(path: Path) -> Path:
    """The data folder of the index at `path`: folders under it are stored relative to it."""
    return Path(os.path.abspath(path)).parent


def stored_folder(folder: Path, home: Path) -> str:
    """How the index stores `folder`: relative to the data folder `home` when under it, else absolute."""
    folder = Path(os.path.abspath(folder))
    for base in dict.fromkeys((Path(os.path.abspath(home)), home.resolve())):
        for candidate in dict.fromkeys((folder, folder.resolve())):
            if candidate.is_relative_to(base) and candidate != base:
                return candidate.relative_to(base).as_posix()
    return str(folder)


def relocated_folder(stored: str, home: Path) -> str:
    """A folder stored by an older index (absolute) as the index stores it now.

    Under the data folder: relative.  Elsewhere: the same trailing part
    (`sessions/<id>`) under the current data folder, when it is there (the
    data folder was moved, copied or restored); else the absolute path when
    the folder is still there; else (really missing) the trailing part, which
    names where it belongs in this data folder, to be reported missing there.
    """
    path = Path(stored)
    if not path.is_absolute():
        return stored
    relative = stored_folder(path, home)
    if not Path(relative).is_absolute():
        return relative
    tail = Path(*path.parts[-2:])
    if (home / tail).is_dir() or not path.is_dir():
        return tail.as_posix()
    return stored


def _checklist_rows_and_relative_folders(connection: sqlite3.Connection, path: Path) -> None:
    """Schema 1 -> 2: the per-kind columns become `checklist` rows, folders become relative."""
    home = data_folder(path)
    columns = [row[1] for row in connection.execute("PRAGMA table_info(sessions)")]
    kinds = [name for name in columns if name not in _V1_COLUMNS and not name.endswith("_at")]
    old = [dict(zip(columns, row)) for row in connection.execute("SELECT * FROM sessions").fetchall()]
    connection.execute("ALTER TABLE sessions RENAME TO sessions_v1")
    connection.execute("DROP INDEX IF EXISTS sessions_by_created")
    connection.execute("DROP INDEX IF EXISTS sessions_by_question_id")
    for statement in _V2_TABLES:
        connection.execute(statement)
    names = ", ".join(SESSION_COLUMNS)
    marks = ", ".join("?" for _ in SESSION_COLUMNS)
    for row in old:
        row["folder"] = relocated_folder(row["folder"], home)
        connection.execute(f"INSERT INTO sessions ({names}) VALUES ({marks})", [row.get(n) for n in SESSION_COLUMNS])
        if not row["has_report"]:
            continue
        # Schema 1 kept when only framing first appeared; the report has every kind's time.
        saved = _saved_checklist(home / row["folder"])
        for kind in kinds:
            if row[kind] is None:
                continue
            first_at = row.get(f"{kind}_at", saved.get(kind, {}).get("first_at"))
            connection.execute(
                "INSERT INTO checklist (session_id, kind, present, first_at) VALUES (?, ?, ?, ?)",
                (row["id"], kind, 1 if row[kind] else 0, first_at if row[kind] else None),
            )
    connection.execute("DROP TABLE sessions_v1")


def _saved_checklist(folder: Path) -> dict:
    try:
        checklist = json.loads((folder / "report.json").read_text(encoding="utf-8"))["summary"]["checklist"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return {k: v for k, v in checklist.items() if isinstance(v, dict)} if isinstance(checklist, dict) else {}


_V2_TABLES: tuple[str, ...] = (
    """CREATE TABLE sessions (
        id                TEXT PRIMARY KEY,
        created           TEXT NOT NULL,
        kind              TEXT NOT NULL,
        status            TEXT NOT NULL,
        question          TEXT,
        question_id       TEXT,
        parent_id         TEXT,
        source            TEXT NOT NULL,
        folder            TEXT NOT NULL,
        has_report        INTEGER NOT NULL,
        speech_found      INTEGER,
        duration_s        REAL,
        speaking_time_s   REAL,
        words             INTEGER,
        wpm               REAL,
        filler_count      INTEGER,
        hedge_count       INTEGER,
        silence_count     INTEGER,
        longest_silence_s REAL,
        abrupt_shifts     INTEGER,
        indexed_at        TEXT NOT NULL
    )""",
    """CREATE TABLE checklist (
        session_id TEXT NOT NULL,
        kind       TEXT NOT NULL,
        present    INTEGER NOT NULL,
        first_at   REAL,
        PRIMARY KEY (session_id, kind)
    ) WITHOUT ROWID""",
    "CREATE INDEX sessions_by_created ON sessions (created)",
    "CREATE INDEX sessions_by_question_id ON sessions (question_id)",
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "sessions table with the columns history, filters and trends query",
        (
            """CREATE TABLE sessions (
                id                TEXT PRIMARY KEY,
                created           TEXT NOT NULL,
                kind              TEXT NOT NULL,
                status            TEXT NOT NULL,
                question          TEXT,
                question_id       TEXT,
                parent_id         TEXT,
                source            TEXT NOT NULL,
                folder            TEXT NOT NULL,
                has_report        INTEGER NOT NULL,
                speech_found      INTEGER,
                duration_s        REAL,
                speaking_time_s   REAL,
                words             INTEGER,
                wpm               REAL,
                filler_count      INTEGER,
                hedge_count       INTEGER,
                silence_count     INTEGER,
                longest_silence_s REAL,
                abrupt_shifts     INTEGER,
                framing           INTEGER,
                assumption        INTEGER,
                tradeoff          INTEGER,
                limitation        INTEGER,
                recap             INTEGER,
                checklist_score   INTEGER,
                framing_at        REAL,
                indexed_at        TEXT NOT NULL
            )""",
            "CREATE INDEX sessions_by_created ON sessions (created)",
            "CREATE INDEX sessions_by_question_id ON sessions (question_id)",
        ),
    ),
    Migration(
        2,
        "the checklist as rows (take, kind, present, first_at); folders relative to the data folder",
        (),
        _checklist_rows_and_relative_folders,
    ),
)


def schema_version(migrations: Sequence[Migration] = MIGRATIONS) -> int:
    return migrations[-1].version if migrations else 0


def connect(path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> sqlite3.Connection:
    """Open (creating if needed) the index at `path`, private to its owner and migrated."""
    ensure_private_dir(path.parent)
    _create_private(path)
    with translate_errors(path):
        connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            # WAL lets readers run beside a writer; on a file system that cannot
            # share memory (some network mounts) SQLite keeps its rollback journal.
            connection.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across application crashes in WAL mode; only
            # a power cut can lose the last commit, which a rebuild restores.
            connection.execute("PRAGMA synchronous = NORMAL")
            migrate(connection, path, migrations)
        except BaseException:
            connection.close()
            raise
    _restrict_companions(path)
    return connection


def _create_private(path: Path) -> None:
    # SQLite gives the -wal and -shm files the main file's permissions, so
    # creating the file 0600 first keeps all three private.
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:
        raise StoreError(
            f"cannot open the session index {path} ({error.strerror or error}); check that the folder is yours and writable."
        ) from None
    os.close(fd)
    try:
        os.chmod(path, 0o600)
    except OSError:
        pass


def _restrict_companions(path: Path) -> None:
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        try:
            companion.chmod(0o600)
        except OSError:
            pass


def migrate(connection: sqlite3.Connection, path: Path, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the schema up to date, one transaction per step; returns the version reached."""
    newest = schema_version(migrations)
    version = _user_version(connection)
    if version > newest:
        raise StoreError(
            f"the session index {path} was written by a newer thinkaloud (schema {version}, this one knows up to "
            f"{newest}); upgrade thinkaloud, or {REBUILD_HINT} for this version."
        )
    for step in migrations:
        if step.version <= version:
            continue
        with transaction(connection):
            # Another process may have migrated while we waited for the lock.
            if _user_version(connection) >= step.version:
                continue
            for statement in step.statements:
                connection.execute(statement)
            if step.run is not None:
                step.run(connection, path)
            connection.execute(f"PRAGMA user_version = {int(step.version)}")
        version = step.version
    return max(version, _user_version(connection))


def _user_version(connection: sqlite3.Connection) -> int:
    return int(connection.execute("PRAGMA user_version").fetchone()[0])


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All or nothing, holding the write lock from the start so two writers queue instead of failing."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    else:
        connection.execute("COMMIT")


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite's exceptions into one-line `StoreError`s a user can act on."""
    try:
        yield
    except StoreError:
        raise
    except sqlite3.OperationalError as error:
        raise _explain(error, path) from None
    except sqlite3.DatabaseError as error:
        raise _explain(error, path) from None


def _explain(error: sqlite3.Error, path: Path) -> StoreError:
    text = str(error).lower()
    if "locked" in text or "busy" in text:
        return StoreError(
            f"the session index {path} is locked by another thinkaloud process; wait for it to finish and try again."
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text or "disk image" in text:
        return StoreError(f"the session index {path} is damaged; {REBUILD_HINT}.")
    if "readonly" in text or "read-only" in text or "unable to open" in text or "permission" in text:
        return StoreError(
            f"cannot write the session index {path} ({error}); check that the folder is yours and writable."
        )
    if "disk is full" in text or "disk i/o" in text:
        return StoreError(f"cannot write the session index {path} ({error}); free some disk space and try again.")
    return StoreError(f"the session index {path} could not be used ({error}); {REBUILD_HINT}.")


def is_damaged(path: Path) -> bool:
    """True when the file exists but SQLite cannot read it as a database."""
    if not path.exists():
        return False
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            result = connection.execute("PRAGMA quick_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return "locked" not in str(error).lower() and "busy" not in str(error).lower()
    return result is None or result[0] != "ok"


def set_aside(path: Path, label: str) -> Path:
    """Rename a database (and its WAL companions) out of the way, keeping it as a backup."""
    from datetime import datetime

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.{label}-{stamp}")
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        if source.exists():
            os.replace(source, backup.with_name(backup.name + suffix))
    return backup
