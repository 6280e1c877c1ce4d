"""The SQLite file behind the session index: opening it safely and migrating its schema.

The index lives in one SQLite database (WAL mode, so readers never wait for
a writer and two `analyze` runs can save at once).  Its schema is versioned
with `PRAGMA user_version` and upgraded by the ordered `MIGRATIONS`; a file
written by a newer thinkaloud is refused rather than guessed at.  Every
SQLite failure a user can meet (locked, damaged, unwritable, too new) leaves
this module as one `StoreError` sentence naming the fix.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
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
    """One step of the schema's history; statements run in one transaction."""

    version: int
    description: str
    statements: tuple[str, ...]


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
