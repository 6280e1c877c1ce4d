"""The session store: folders, the SQLite index, migrations, recovery and concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.sample_reports import SAMPLE_QUESTION, text_sample_report, timed_sample_report
from thinkaloud.errors import InputError, UsageError
from thinkaloud.paths import database_file, ensure_private_dir, sessions_root
from thinkaloud.report import report_to_dict
from thinkaloud.sessions import database
from thinkaloud.sessions.database import MIGRATIONS, Migration, StoreError, connect, schema_version
from thinkaloud.sessions.layout import (
    META_FILE,
    REPORT_FILE,
    SessionMeta,
    create_session_dir,
    effective_status,
    new_session_id,
    read_meta,
    write_json_atomically,
    write_meta,
)
from thinkaloud.sessions.record import QuestionRef, resolve_question, save_report
from thinkaloud.sessions.store import SessionStore, register_session


@pytest.fixture(scope="module")
def reports(text_analyzer):
    return {
        "strong": timed_sample_report("strong", text_analyzer),
        "weak": timed_sample_report("weak", text_analyzer),
        "text": text_sample_report("strong", text_analyzer),
    }


def churn() -> QuestionRef:
    return QuestionRef(SAMPLE_QUESTION, "ml-churn")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- round trip ----------------------------------------------------------------


def test_a_saved_report_comes_back_whole_with_its_columns(reports):
    saved = save_report(reports["weak"], kind="file", source="/takes/weak.wav", question=churn())
    assert saved.indexed
    with SessionStore() as store:
        session = store.load(saved.id)
    assert report_to_dict(session.report) == report_to_dict(reports["weak"])
    row = session.row
    assert (row.kind, row.status, row.question_id, row.source) == ("file", "complete", "ml-churn", "/takes/weak.wav")
    m = reports["weak"].metrics
    assert (row.wpm, row.filler_count, row.silence_count, row.longest_silence_s) == (
        m.wpm, m.filler_count, m.silence_count, m.longest_silence_s)
    checklist = {kind: item.present for kind, item in reports["weak"].summary.checklist.items()}
    assert row.checklist == checklist and row.checklist_score == sum(checklist.values()) < 5
    assert row.framing_at == reports["weak"].summary.checklist["framing"].first_at
    abrupt = [s for s in reports["weak"].signals if s.kind == "topic_shift" and not s.signposted]
    assert row.abrupt_shifts == len(abrupt) >= 1


def test_history_lists_newest_first_and_filters_by_question(reports):
    first = save_report(reports["weak"], kind="file", source="a.wav", question=churn())
    second = save_report(reports["strong"], kind="file", source="b.wav", question=churn())
    other = save_report(reports["text"], kind="text", source="c.txt", question=QuestionRef("Design a rate limiter."))
    with SessionStore() as store:
        assert [r.id for r in store.list()] == [other.id, second.id, first.id]
        assert [r.id for r in store.list(question="ml-churn")] == [second.id, first.id]
        assert [r.id for r in store.list(question="rate LIMITER")] == [other.id]
        assert [r.id for r in store.list(question="50%_")] == []
        assert [r.id for r in store.list(limit=1)] == [other.id]
        assert store.previous_take(store.get(second.id)).id == first.id
        assert store.previous_take(store.get(first.id)) is None


def test_ids_resolve_by_unique_prefix_or_latest(reports):
    a = save_report(reports["text"], kind="text", source="a.txt")
    b = save_report(reports["text"], kind="text", source="b.txt")
    with SessionStore() as store:
        assert store.resolve(a.id).id == a.id
        assert store.resolve("latest").id == b.id == store.resolve("last").id
        common = os.path.commonprefix([a.id, b.id])
        distinct = a.id[: len(common) + 1]
        assert store.resolve(distinct).id == a.id
        with pytest.raises(UsageError, match="ambiguous"):
            store.resolve(common)
        with pytest.raises(InputError, match="no session has the id 'zz'"):
            store.resolve("zz")


def test_latest_with_no_sessions_says_how_to_make_one():
    with SessionStore() as store, pytest.raises(InputError, match="no sessions yet"):
        store.resolve("latest")


def test_resolving_the_question_accepts_bank_ids_and_wording():
    assert resolve_question("ml-churn") == QuestionRef(SAMPLE_QUESTION, "ml-churn")
    assert resolve_question("  " + SAMPLE_QUESTION.upper()) == QuestionRef(SAMPLE_QUESTION, "ml-churn")
    assert resolve_question("Tell me about a  conflict") == QuestionRef("Tell me about a conflict", None)
    assert resolve_question(None) == QuestionRef()


# --- privacy -----------------------------------------------------------------------


def test_folders_and_database_are_private(reports):
    saved = save_report(reports["text"], kind="text", source="a.txt")
    assert mode(sessions_root()) == 0o700
    assert mode(saved.folder) == 0o700
    assert mode(saved.folder / REPORT_FILE) == 0o600
    assert mode(saved.folder / META_FILE) == 0o600
    assert mode(database_file()) == 0o600
    for suffix in ("-wal", "-shm"):
        companion = database_file().with_name(database_file().name + suffix)
        if companion.exists():
            assert mode(companion) == 0o600


def test_the_index_is_in_wal_mode(reports):
    save_report(reports["text"], kind="text", source="a.txt")
    with sqlite3.connect(database_file()) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- migrations ----------------------------------------------------------------------


def test_a_new_index_is_at_the_current_schema_version(tmp_path):
    connection = connect(tmp_path / "index.sqlite3")
    assert connection.execute("PRAGMA user_version").fetchone()[0] == schema_version() == MIGRATIONS[-1].version
    connection.close()


def test_migrations_upgrade_an_old_index_and_keep_its_rows(tmp_path, reports):
    path = tmp_path / "index.sqlite3"
    save = save_report(reports["weak"], kind="file", source="w.wav", root=tmp_path / "sessions")
    # An index written by this version...
    with SessionStore(database=path, root=tmp_path / "sessions") as store:
        store.register(save.folder)
    # ...opened by a future version with one more step.
    later = MIGRATIONS + (
        Migration(schema_version() + 1, "notes column", ("ALTER TABLE sessions ADD COLUMN rating INTEGER DEFAULT 3",)),
    )
    connection = connect(path, later)
    assert connection.execute("PRAGMA user_version").fetchone()[0] == schema_version() + 1
    row = connection.execute("SELECT id, rating, filler_count FROM sessions").fetchone()
    assert tuple(row) == (save.id, 3, reports["weak"].metrics.filler_count)
    connection.close()


def test_a_failing_migration_leaves_the_index_as_it_was(tmp_path):
    path = tmp_path / "index.sqlite3"
    connect(path).close()
    broken = MIGRATIONS + (
        Migration(schema_version() + 1, "half done", ("ALTER TABLE sessions ADD COLUMN a INTEGER", "NOT SQL AT ALL")),
    )
    with pytest.raises(StoreError):
        connect(path, broken)
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema_version()
        columns = [r[1] for r in connection.execute("PRAGMA table_info(sessions)")]
    assert "a" not in columns


def test_an_index_from_a_newer_thinkaloud_is_refused_in_one_line(tmp_path):
    path = tmp_path / "index.sqlite3"
    connect(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {schema_version() + 5}")
    with pytest.raises(StoreError) as raised:
        connect(path)
    message = raised.value.message
    assert "newer thinkaloud" in message and "--rebuild" in message and "\n" not in message


# --- damage, locks and rebuilding -------------------------------------------------------


def test_a_damaged_index_is_reported_and_rebuilt_from_the_folders(reports):
    a = save_report(reports["weak"], kind="file", source="w.wav", question=churn())
    b = save_report(reports["text"], kind="text", source="s.txt")
    for suffix in ("-wal", "-shm"):
        database_file().with_name(database_file().name + suffix).unlink(missing_ok=True)
    database_file().write_bytes(b"this is not a database at all" * 200)
    with pytest.raises(StoreError, match="damaged; run 'thinkaloud history --rebuild'"):
        with SessionStore() as store:
            store.list()
    with SessionStore() as store:
        result = store.rebuild()
        assert result.indexed == 2 and result.backup is not None and result.backup.exists()
        assert {r.id for r in store.list()} == {a.id, b.id}
        assert store.get(a.id).question_id == "ml-churn"
    assert mode(database_file()) == 0o600


def test_rebuild_gives_the_same_rows_and_skips_unreadable_folders(reports):
    for name in ("weak", "strong", "text"):
        save_report(reports[name], kind="text" if name == "text" else "file", source=name, question=churn())
    with SessionStore() as store:
        before = [r.to_dict() for r in store.list()]
    broken = sessions_root() / new_session_id()
    broken.mkdir()
    (broken / META_FILE).write_text("{ not json")
    with SessionStore() as store:
        result = store.rebuild()
        after = [r.to_dict() for r in store.list()]
    assert after == before
    assert len(result.skipped) == 1 and broken.name in result.skipped[0]


def test_a_locked_index_is_one_clear_line(reports, monkeypatch):
    saved = save_report(reports["text"], kind="text", source="a.txt")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(database_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError, match="locked by another thinkaloud process; wait"):
            with SessionStore() as store:
                store.register(saved.folder)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_locked_index_still_keeps_the_take(reports, monkeypatch):
    save_report(reports["text"], kind="text", source="first.txt")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(database_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        saved = save_report(reports["weak"], kind="file", source="second.wav")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not saved.indexed and "locked" in saved.index_problem
    assert (saved.folder / REPORT_FILE).is_file()
    with SessionStore() as store:
        assert store.sync() == []
        assert store.get(saved.id).source == "second.wav"


def test_sync_indexes_new_folders_and_keeps_removed_ones_as_missing(reports):
    kept = save_report(reports["text"], kind="text", source="kept.txt")
    gone = save_report(reports["text"], kind="text", source="gone.txt")
    import shutil

    shutil.rmtree(gone.folder)
    meta = SessionMeta(id=new_session_id(), created="2026-01-02T03:04:05.000+00:00", kind="text", source="restored.txt")
    folder = create_session_dir(meta)
    write_json_atomically(folder / REPORT_FILE, report_to_dict(reports["text"]))
    with SessionStore() as store:
        assert store.sync() == []
        status = {r.id: r.status for r in store.list()}
        assert status == {kept.id: "complete", meta.id: "complete", gone.id: "missing"}
        with pytest.raises(InputError, match=f"is missing; restore it from a backup, or run 'thinkaloud delete {gone.id}'"):
            store.load(gone.id)
        result = store.rebuild()  # rebuilding from the folders forgets it, and says so
        assert result.indexed == 2 and result.skipped == (f"forgot session {gone.id}: its folder {gone.folder} is missing.",)
        assert {r.id for r in store.list()} == {kept.id, meta.id}


# --- live takes ----------------------------------------------------------------------


def _live_folder(status: str, pid: int | None, reports=None) -> Path:
    meta = SessionMeta(id=new_session_id(), created="2026-11-28T10:00:00.000+00:00", kind="live", source="microphone",
                       question=SAMPLE_QUESTION, question_id="ml-churn", status=status, pid=pid)
    folder = create_session_dir(meta)
    if reports is not None:
        write_json_atomically(folder / REPORT_FILE, report_to_dict(reports))
    return folder


def test_register_session_indexes_a_finished_live_take(reports):
    folder = _live_folder("complete", None, reports["strong"])
    register_session(folder)
    register_session(folder)  # again: replaced, not duplicated
    with SessionStore() as store:
        rows = store.list()
    assert [r.id for r in rows] == [folder.name]
    assert rows[0].kind == "live" and rows[0].checklist_score == 5


def test_a_recording_take_whose_process_died_is_interrupted():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    orphan = _live_folder("recording", dead.pid)
    ongoing = _live_folder("recording", os.getpid())
    with SessionStore() as store:
        store.sync()
        status = {r.id: r.status for r in store.list()}
    assert status == {orphan.name: "interrupted", ongoing.name: "recording"}
    assert read_meta(orphan).status == "recording"  # the reader never rewrites the recorder's file


def test_create_session_dir_stamps_a_recording_with_this_process():
    folder = _live_folder("recording", None)
    meta = read_meta(folder)
    assert meta.pid == os.getpid() and meta.host
    assert effective_status(meta, folder) == "recording"


def test_a_recording_without_a_process_is_interrupted_once_stale():
    meta = SessionMeta(id=new_session_id(), created="2026-11-28T10:00:00.000+00:00", kind="live", source="mic",
                       status="recording")
    folder = ensure_private_dir(sessions_root() / meta.id)
    write_meta(folder, meta)  # written by a recorder that did not say who it is
    assert effective_status(meta, folder) == "recording"
    assert effective_status(meta, folder, now=time.time() + 3600) == "interrupted"


# --- deleting ------------------------------------------------------------------------------


def test_delete_removes_the_folder_and_the_row(reports):
    saved = save_report(reports["text"], kind="text", source="a.txt")
    other = save_report(reports["text"], kind="text", source="b.txt")
    with SessionStore() as store:
        store.delete(saved.id)
        assert [r.id for r in store.list()] == [other.id]
    assert not saved.folder.exists()
    assert not any(p.name.startswith(".deleting") for p in sessions_root().iterdir())


def test_a_failed_delete_keeps_the_take(reports, monkeypatch):
    saved = save_report(reports["text"], kind="text", source="a.txt")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 200)
    with SessionStore() as store:
        store.connection  # opened before the lock is taken
        holder = sqlite3.connect(database_file(), isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(StoreError):
                store.delete(saved.id)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert store.get(saved.id).id == saved.id
    assert (saved.folder / REPORT_FILE).is_file()


# --- concurrency -------------------------------------------------------------------------------


def _save_many(home: str, report_json: str, count: int, start) -> list[str]:
    os.environ["THINKALOUD_HOME"] = home
    from thinkaloud.report import report_from_dict

    report = report_from_dict(json.loads(report_json))
    start.wait()
    return [save_report(report, kind="file", source=f"{os.getpid()}-{i}.wav").id for i in range(count)]


def test_concurrent_writers_lose_no_row_and_corrupt_nothing(reports, isolated_home):
    workers, each = 4, 15
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(workers) as pool:
            pending = [
                pool.apply_async(_save_many, (str(isolated_home), json.dumps(report_to_dict(reports["weak"])), each, start))
                for _ in range(workers)
            ]
            start.set()
            saved = [sid for p in pending for sid in p.get(timeout=120)]
    assert len(set(saved)) == workers * each
    with SessionStore() as store:
        rows = store.list()
    assert {r.id for r in rows} == set(saved)
    assert all(r.filler_count == reports["weak"].metrics.filler_count for r in rows)
    with sqlite3.connect(database_file()) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_sync_sweeps_old_leftovers_of_crashed_writes_but_not_fresh_ones(reports):
    save_report(reports["text"], kind="text", source="a.txt")
    old = ensure_private_dir(sessions_root() / ".new-20260101-000000-abcd-123")
    fresh = ensure_private_dir(sessions_root() / ".deleting-20260101-000000-beef")
    an_hour_and_more_ago = time.time() - 2 * 3600
    os.utime(old, (an_hour_and_more_ago, an_hour_and_more_ago))
    with SessionStore() as store:
        assert store.sync() == []
        assert len(store.list()) == 1
    assert not old.exists() and fresh.exists()
