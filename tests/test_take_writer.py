"""One way to write a take: `sessions.record.TakeWriter`, used by analyze, live and recover alike.

Each path opens (or reopens) the take, finishes it with its report and has it
indexed from the report in memory, never read back from the folder.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
from pathlib import Path

import pytest

from tests.fakes import FakeTranscriber
from tests.test_crash_recovery import blank_analyzer, killed_take, run_cli  # noqa: F401  (blank_analyzer is a fixture)
from tests.test_live_session import clip, make_engine  # noqa: F401  (clip is a fixture)
from thinkaloud.errors import ExitCode, OutputError
from thinkaloud.paths import database_file, sessions_root
from thinkaloud.sessions.layout import read_meta
from thinkaloud.sessions.record import QuestionRef, TakeWriter, save_report
from thinkaloud.sessions.store import SessionStore
from thinkaloud.kinds import STRUCTURE_KINDS
from thinkaloud.types import ChecklistItem

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def finished(monkeypatch) -> list[tuple[str, str, object]]:
    """Every `TakeWriter.finish` call as (kind, status, SavedSession); reading a take back meanwhile fails."""
    from thinkaloud.sessions import record, store

    calls = []
    original = record.TakeWriter.finish

    def no_reading(*_args, **_kwargs):
        raise AssertionError("the take was read back from its folder to be indexed")

    def spy(self, report, *args, **kwargs):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(store, "read_folder", no_reading)
            patch.setattr(store, "read_report_dict", no_reading)
            saved = original(self, report, *args, **kwargs)
        calls.append((self.meta.kind, self.meta.status, saved))
        return saved

    monkeypatch.setattr(record.TakeWriter, "finish", spy)
    return calls


def index_rows(session_id: str) -> tuple[dict, dict]:
    with sqlite3.connect(database_file()) as connection:
        connection.row_factory = sqlite3.Row
        row = dict(connection.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone())
        checklist = {r["kind"]: (bool(r["present"]), r["first_at"])
                     for r in connection.execute("SELECT * FROM checklist WHERE session_id = ?", (session_id,))}
    return row, checklist


# --- analyze, live and recover all write through it ---------------------------------------------


def test_analyze_writes_its_take_through_the_writer(finished, capsys):
    code, out, err = run_cli(capsys, "analyze", str(REPO / "samples" / "weak_answer.txt"), "--question", "ml-churn",
                             "--format", "json", "-q")
    assert code == ExitCode.OK, err
    [(kind, status, saved)] = finished
    assert (kind, status, saved.indexed) == ("text", "complete", True)
    assert saved.folder == sessions_root() / saved.id and not any(p.name.startswith(".") for p in sessions_root().iterdir())
    row, checklist = index_rows(saved.id)
    assert (row["folder"], row["question_id"]) == (f"sessions/{saved.id}", "ml-churn")
    printed = json.loads(out)["summary"]["checklist"]
    assert checklist == {kind: (item["present"], item["first_at"]) for kind, item in printed.items()}


def test_a_live_take_is_in_place_while_recording_and_finished_through_the_writer(clip, blank_analyzer, tmp_path, finished):  # noqa: F811
    engine = make_engine(clip, blank_analyzer, tmp_path, question="Design a rate limiter.", parent_id="20260101-000000-aaaa")
    while_recording = None
    for event in engine.events():
        if while_recording is None and engine.session_dir is not None:
            while_recording = read_meta(engine.session_dir)
    assert while_recording.status == "recording" and while_recording.pid == os.getpid()
    [(kind, status, saved)] = finished
    assert (kind, status, saved.indexed) == ("live", "complete", True)
    assert saved.folder == tmp_path / "sessions" / saved.id == Path(event.session_dir)
    meta = read_meta(saved.folder)
    assert (meta.status, meta.pid, meta.parent_id, meta.notes["capture"]) == (
        "complete", None, "20260101-000000-aaaa", while_recording.notes["capture"])
    assert "max_lag_s" in meta.notes
    row, checklist = index_rows(saved.id)
    assert row["folder"] == str(saved.folder)  # outside the data folder: kept absolute
    assert row["parent_id"] == "20260101-000000-aaaa"
    assert checklist == {k: (i.present, i.first_at) for k, i in event.report.summary.checklist.items()}


def test_recover_finishes_the_interrupted_take_through_the_writer(isolated_home, blank_analyzer, finished):  # noqa: F811
    from thinkaloud.analyze import Analyzer
    from thinkaloud.sessions.recovery import recover_session

    folder = killed_take(isolated_home, seconds=2.0, synced_s=1.0)
    analyzer = Analyzer(transcriber=FakeTranscriber([("So", 0.2, 0.4), ("churn.", 0.5, 1.0)]),
                        text_analyzer=blank_analyzer, speech_detector=lambda samples, *a, **k: [])
    report = recover_session(folder, analyzer)
    [(kind, status, saved)] = finished
    assert (kind, status, saved.indexed, saved.folder) == ("live", "complete", True, folder)
    meta = read_meta(folder)
    assert meta.pid is None and meta.host is None and meta.notes["recovered"]["was"] == "interrupted"
    row, checklist = index_rows(folder.name)
    assert (row["status"], row["has_report"], row["folder"]) == ("complete", 1, f"sessions/{folder.name}")
    assert checklist == {k: (i.present, i.first_at) for k, i in report.summary.checklist.items()}


# --- analyze --tui knows the take it saved --------------------------------------------------------


def test_analyze_tui_opens_the_summary_of_the_saved_take_so_a_follow_up_links_to_it(monkeypatch, capsys):
    import thinkaloud.ui.app as app
    from thinkaloud.ui.takes import Take

    shown = {}
    monkeypatch.setattr(app, "require_terminal", lambda alternative: None)
    monkeypatch.setattr(app, "run_summary_app", lambda report, config, **kwargs: shown.update(kwargs, config=config) or ExitCode.OK)
    code, _, err = run_cli(capsys, "analyze", str(REPO / "samples" / "weak_answer.txt"), "--question", "ml-churn", "--tui")
    assert code == ExitCode.OK, err
    with SessionStore() as store:
        [row] = store.list()
    assert shown["session_id"] == row.id and shown["saved_at"] == row.folder
    assert (shown["question_id"], shown["question"]) == ("ml-churn", row.question)
    assert shown["config"].question_bank().find("ml-churn") is not None  # the settings the command read, handed down

    # What the summary screen's "f" does with it: a follow-up take linked to this one.
    take = Take.resolve(shown["question"], shown["question_id"])
    follow_up = take.follow_up(take.follow_ups()[0], shown["session_id"])
    assert follow_up.parent_id == row.id and follow_up.question_id.startswith("ml-churn/")

    shown.clear()
    code, _, _ = run_cli(capsys, "analyze", str(REPO / "samples" / "weak_answer.txt"), "--tui", "--no-save")
    assert code == ExitCode.OK and shown["session_id"] is None and shown["saved_at"] is None


# --- the writer itself --------------------------------------------------------------------------


def test_a_take_that_cannot_be_written_leaves_nothing_behind_and_says_so_in_one_line(text_analyzer, monkeypatch):
    from tests.sample_reports import text_sample_report
    from thinkaloud.sessions import record

    report = text_sample_report("weak", text_analyzer)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(record, "write_meta", full)
    with pytest.raises(OutputError) as raised:
        save_report(report, kind="text", source="answer.txt")
    message = raised.value.message
    assert "No space left on device" in message and message.endswith("or pass --no-save.") and "\n" not in message
    assert list(sessions_root().iterdir()) == []
    with SessionStore() as store:
        assert store.list() == []


def test_the_index_holds_whatever_checklist_kinds_the_report_has(text_analyzer):
    import dataclasses

    from tests.sample_reports import text_sample_report

    report = text_sample_report("strong", text_analyzer)
    checklist = {**report.summary.checklist, "kind_added_later": ChecklistItem(True, 12.5)}
    report = dataclasses.replace(report, summary=dataclasses.replace(report.summary, checklist=checklist))
    saved = TakeWriter.open("text", "a.txt", QuestionRef("Design a rate limiter.")).finish(report)
    _, rows = index_rows(saved.id)
    assert rows == {k: (i.present, i.first_at) for k, i in checklist.items()}
    with SessionStore() as store:
        row = store.get(saved.id)
    assert row.checklist["kind_added_later"] is True and row.checklist_at["kind_added_later"] == 12.5
    assert list(row.checklist)[: len(STRUCTURE_KINDS)] == list(STRUCTURE_KINDS)
    assert row.checklist_score == sum(report.summary.checklist[k].present for k in STRUCTURE_KINDS)


def test_a_recording_take_never_takes_over_an_existing_folder(monkeypatch):
    from thinkaloud.sessions import record

    ids = iter(["20260101-000000-aaaa", "20260101-000000-aaaa", "20260101-000000-bbbb"])
    monkeypatch.setattr(record, "new_session_id", lambda: next(ids))
    first = TakeWriter.open("live", "microphone", recording=True)
    second = TakeWriter.open("live", "microphone", recording=True)
    assert (first.id, second.id) == ("20260101-000000-aaaa", "20260101-000000-bbbb")
    assert read_meta(first.folder).status == read_meta(second.folder).status == "recording"
