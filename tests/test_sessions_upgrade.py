"""Takes saved by the first release keep opening after an upgrade, wherever their data folder went.

`tests/data/store-v1/home` is a data folder written by that release (see its
README): an index of schema 1 with a column per checklist kind and absolute
folder paths into /tmp/thinkaloud-v1/home, which no longer exists.  Each test
copies it somewhere new, as a user does who moves the folder, copies it to
another machine or restores it from a backup, and runs today's commands on it.
"""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
from pathlib import Path

import pytest

from tests.cli import REPO, thinkaloud
from thinkaloud.errors import ExitCode

FIXTURE = REPO / "tests" / "data" / "store-v1" / "home"
OLD_HOME = "/tmp/thinkaloud-v1/home"
TEXT_TAKE = "20261204-100252-7ba9"  # analyze weak_answer.txt --question ml-churn
FILE_TAKE = "20261204-100256-64d9"  # analyze strong_answer.wav --question ml-churn
LIVE_TAKE = "20261204-100303-61b0"  # live --source clip.wav --question ml-churn/cold-start
KILLED_TAKE = "20261204-100315-4a6e"  # live, killed with SIGKILL mid-take; never indexed
REPORTED = (TEXT_TAKE, FILE_TAKE, LIVE_TAKE)
ALL_TAKES = (*REPORTED, KILLED_TAKE)


def fixture_report(session_id: str) -> dict:
    return json.loads((FIXTURE / "sessions" / session_id / "report.json").read_text(encoding="utf-8"))


@pytest.fixture
def moved_home(tmp_path, monkeypatch) -> Path:
    """The fixture's data folder copied to a new place and made the data home."""
    home = tmp_path / "restored from backup" / "thinkaloud"
    shutil.copytree(FIXTURE, home)
    monkeypatch.setenv("THINKALOUD_HOME", str(home))
    return home


def old_index_rows(database: Path) -> dict[str, dict]:
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        return {row["id"]: dict(row) for row in connection.execute("SELECT * FROM sessions")}


def run_ok(*args: str):
    result = thinkaloud(*args)
    assert result.code == ExitCode.OK, result.stderr
    return result


def test_the_fixture_is_the_first_releases_format(tmp_path):
    copy = tmp_path / "sessions.sqlite3"
    shutil.copy(FIXTURE / "sessions.sqlite3", copy)
    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = {row[1] for row in connection.execute("PRAGMA table_info(sessions)")}
    assert {"framing", "recap", "checklist_score", "framing_at"} <= columns
    rows = old_index_rows(copy)
    assert set(rows) == set(REPORTED)
    assert all(row["folder"] == f"{OLD_HOME}/sessions/{row['id']}" for row in rows.values())
    assert not Path(OLD_HOME).exists()


# --- the commands on a moved data folder ---------------------------------------------------------


def test_history_of_a_moved_data_folder_lists_every_take_where_it_now_is(moved_home):
    result = run_ok("history", "--format", "json")
    assert "missing" not in result.stderr and "gone" not in result.stderr
    takes = {take["id"]: take for take in json.loads(result.stdout)}
    assert set(takes) == set(ALL_TAKES)
    for session_id, take in takes.items():
        assert take["folder"] == str(moved_home / "sessions" / session_id)
        assert (take["report"] is not None) == (session_id in REPORTED)
        if take["report"]:
            assert Path(take["report"]).is_file()
    assert {takes[i]["status"] for i in REPORTED} == {"complete"}
    assert takes[KILLED_TAKE]["status"] in ("interrupted", "recording")  # "recording" when the host differs
    # The index's figures are those the old index had.
    old = old_index_rows(FIXTURE / "sessions.sqlite3")
    for session_id in REPORTED:
        for key in ("wpm", "filler_count", "hedge_count", "silence_count", "checklist_score", "framing_at", "abrupt_shifts"):
            assert takes[session_id][key] == old[session_id][key], (session_id, key)
    for session_id in REPORTED:
        saved = fixture_report(session_id)["summary"]["checklist"]
        assert {k: takes[session_id]["checklist"][k] for k in saved} == {k: v["present"] for k, v in saved.items()}

    with sqlite3.connect(moved_home / "sessions.sqlite3") as connection:  # the killed take was indexed by the sync
        assert dict(connection.execute("SELECT id, folder FROM sessions").fetchall()) == {
            session_id: f"sessions/{session_id}" for session_id in ALL_TAKES}

    text = run_ok("history")
    assert all(session_id in text.stdout for session_id in ALL_TAKES)
    assert "Trend over 3 analysed takes" in text.stdout
    assert run_ok("history", "--question", "ml-churn", "--format", "json").stdout.count('"id"') == 3


def test_show_opens_every_take_of_a_moved_data_folder(moved_home):
    for session_id in REPORTED:
        shown = json.loads(run_ok("show", session_id, "--format", "json").stdout)
        assert shown["report"] == fixture_report(session_id)
        assert shown["session"]["folder"] == str(moved_home / "sessions" / session_id)
        for fmt in ("text", "markdown", "html"):
            assert run_ok("show", session_id, "--format", fmt).stdout.strip()
    live = run_ok("show", LIVE_TAKE).stdout
    assert f"audio     {moved_home / 'sessions' / LIVE_TAKE / 'audio.wav'}" in live
    killed = run_ok("show", KILLED_TAKE)
    assert str(moved_home / "sessions" / KILLED_TAKE / "audio.wav") in killed.stdout


def test_compare_works_on_a_moved_data_folder(moved_home):
    # One id: the take before it of the same question (ml-churn), here the text take.
    result = run_ok("compare", FILE_TAKE, "--format", "json")
    comparison = json.loads(result.stdout)
    assert (comparison["before"]["id"], comparison["after"]["id"]) == (TEXT_TAKE, FILE_TAKE)
    kinds = fixture_report(FILE_TAKE)["summary"]["checklist"]  # all present there, none in the text take
    assert {kind: comparison["checklist"][kind]["change"] for kind in kinds} == dict.fromkeys(kinds, "added")
    assert run_ok("compare", TEXT_TAKE, LIVE_TAKE).stdout.strip()
    assert run_ok("compare", TEXT_TAKE, FILE_TAKE, "--format", "markdown").stdout.strip()


def test_export_works_on_a_moved_data_folder(moved_home, tmp_path):
    out = tmp_path / "exports"
    out.mkdir()
    for fmt, suffix in (("markdown", "md"), ("html", "html"), ("json", "json"), ("srt", "srt"), ("vtt", "vtt")):
        run_ok("export", FILE_TAKE, "--format", fmt, "-o", str(out))
        assert (out / f"{FILE_TAKE}.{suffix}").stat().st_size > 0
    assert json.loads((out / f"{FILE_TAKE}.json").read_text(encoding="utf-8")) == fixture_report(FILE_TAKE)
    assert "-->" in (out / f"{FILE_TAKE}.srt").read_text(encoding="utf-8")
    for fmt in ("markdown", "html", "json"):
        assert run_ok("export", TEXT_TAKE, "--format", fmt).stdout.strip()
    assert json.loads(run_ok("export", LIVE_TAKE, "--format", "json").stdout) == fixture_report(LIVE_TAKE)


@pytest.mark.e2e
def test_a_take_killed_before_the_move_is_recovered_after_it(moved_home):
    # Recovered on the machine it was recorded on (the recorder's host is how a dead one is told apart).
    meta_path = moved_home / "sessions" / KILLED_TAKE / "session.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta_path.write_text(json.dumps({**meta, "host": socket.gethostname()}), encoding="utf-8")
    listed = run_ok("recover")
    assert listed.stdout.startswith(KILLED_TAKE) and str(moved_home / "sessions" / KILLED_TAKE) in listed.stdout
    recovered = run_ok("recover", KILLED_TAKE, "--format", "json")
    assert json.loads(recovered.stdout)["report"]["metrics"]["duration_s"] == pytest.approx(148700 / 32000, abs=0.01)
    takes = {take["id"]: take for take in json.loads(run_ok("history", "--format", "json").stdout)}
    assert takes[KILLED_TAKE]["status"] == "complete" and takes[KILLED_TAKE]["report"]


# --- the index migration -------------------------------------------------------------------------


def test_the_index_migrates_to_checklist_rows_and_relative_folders_keeping_every_take(moved_home):
    from thinkaloud.sessions.database import schema_version
    from thinkaloud.sessions.store import SessionStore

    database = moved_home / "sessions.sqlite3"
    old = old_index_rows(database)
    with SessionStore() as store:
        rows = {row.id: row for row in store.list()}
    assert set(rows) == set(REPORTED)  # migrating alone keeps every row; the killed take waits for a sync
    with sqlite3.connect(database) as connection:
        connection.row_factory = sqlite3.Row
        assert connection.execute("PRAGMA user_version").fetchone()[0] == schema_version() >= 2
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        columns = {row["name"] for row in connection.execute("PRAGMA table_info(sessions)")}
        assert not set(fixture_report(FILE_TAKE)["summary"]["checklist"]) & columns  # no column per kind
        folders = dict(connection.execute("SELECT id, folder FROM sessions").fetchall())
        checklist = connection.execute("SELECT * FROM checklist ORDER BY session_id, kind").fetchall()
    assert folders == {session_id: f"sessions/{session_id}" for session_id in REPORTED}
    by_take: dict[str, dict] = {}
    for item in checklist:
        by_take.setdefault(item["session_id"], {})[item["kind"]] = (bool(item["present"]), item["first_at"])
    for session_id in REPORTED:
        report_checklist = fixture_report(session_id)["summary"]["checklist"]
        assert by_take[session_id] == {k: (v["present"], v["first_at"]) for k, v in report_checklist.items()}
        row = rows[session_id]
        assert row.folder == moved_home / "sessions" / session_id
        assert row.checklist == {k: bool(old[session_id][k]) for k in report_checklist}
        assert (row.checklist_score, row.framing_at) == (old[session_id]["checklist_score"], old[session_id]["framing_at"])
        for key in ("created", "kind", "status", "question", "question_id", "source", "wpm", "words", "filler_count",
                    "hedge_count", "silence_count", "longest_silence_s", "abrupt_shifts", "duration_s"):
            assert getattr(row, key) == old[session_id][key], (session_id, key)


def test_a_take_still_recording_when_the_index_was_written_migrates_and_is_repaired(moved_home):
    from thinkaloud.audio.wavfile import read_wav_layout

    meta = json.loads((moved_home / "sessions" / KILLED_TAKE / "session.json").read_text(encoding="utf-8"))
    meta_path = moved_home / "sessions" / KILLED_TAKE / "session.json"
    meta_path.write_text(json.dumps({**meta, "host": socket.gethostname()}), encoding="utf-8")
    with sqlite3.connect(moved_home / "sessions.sqlite3") as connection:  # as schema 1 indexed a take being recorded
        connection.execute(
            "INSERT INTO sessions (id, created, kind, status, question, question_id, source, folder, has_report, indexed_at)"
            " VALUES (?, ?, 'live', 'recording', ?, ?, ?, ?, 0, ?)",
            (KILLED_TAKE, meta["created"], meta["question"], meta["question_id"], meta["source"],
             f"{OLD_HOME}/sessions/{KILLED_TAKE}", meta["created"]),
        )
    result = run_ok("history", "--format", "json")
    assert f"repaired the audio of 1 interrupted take ({KILLED_TAKE})" in result.stderr  # found through its relative folder
    layout = read_wav_layout(moved_home / "sessions" / KILLED_TAKE / "audio.wav")
    assert layout.declared_data_bytes == layout.available_data_bytes
    takes = {take["id"]: take for take in json.loads(result.stdout)}
    assert takes[KILLED_TAKE]["status"] == "interrupted" and takes[KILLED_TAKE]["checklist"] is None
    with sqlite3.connect(moved_home / "sessions.sqlite3") as connection:
        assert connection.execute("SELECT folder FROM sessions WHERE id = ?", (KILLED_TAKE,)).fetchone()[0] == (
            f"sessions/{KILLED_TAKE}")
        assert connection.execute("SELECT COUNT(*) FROM checklist WHERE session_id = ?", (KILLED_TAKE,)).fetchone()[0] == 0


def test_folders_already_under_the_data_folder_become_relative(moved_home):
    from thinkaloud.sessions.store import SessionStore

    database = moved_home / "sessions.sqlite3"
    with sqlite3.connect(database) as connection:  # as if the folder had never moved
        connection.execute("UPDATE sessions SET folder = ? || '/sessions/' || id", (str(moved_home),))
    with SessionStore() as store:
        assert {row.folder for row in store.list()} == {moved_home / "sessions" / i for i in REPORTED}
    with sqlite3.connect(database) as connection:
        assert {f for (f,) in connection.execute("SELECT folder FROM sessions")} == {f"sessions/{i}" for i in REPORTED}


def test_a_folder_kept_outside_the_data_folder_is_kept_there(moved_home, tmp_path):
    from thinkaloud.sessions.store import SessionStore

    elsewhere = tmp_path / "elsewhere" / TEXT_TAKE
    shutil.move(moved_home / "sessions" / TEXT_TAKE, elsewhere)
    with sqlite3.connect(moved_home / "sessions.sqlite3") as connection:
        connection.execute("UPDATE sessions SET folder = ? WHERE id = ?", (str(elsewhere), TEXT_TAKE))
    with SessionStore() as store:
        assert store.get(TEXT_TAKE).folder == elsewhere
        assert store.load(TEXT_TAKE).report is not None


# --- a folder that is really missing -------------------------------------------------------------


def test_a_missing_take_folder_is_reported_in_one_line_never_dropped(moved_home):
    shutil.rmtree(moved_home / "sessions" / FILE_TAKE)
    listed = run_ok("history", "--format", "json")
    warnings = [line for line in listed.stderr.splitlines() if FILE_TAKE in line]
    assert len(warnings) == 1 and "missing" in warnings[0] and str(moved_home / "sessions" / FILE_TAKE) in warnings[0]
    assert f"thinkaloud delete {FILE_TAKE}" in warnings[0]
    takes = {take["id"]: take for take in json.loads(listed.stdout)}
    assert set(takes) == set(ALL_TAKES) and takes[FILE_TAKE]["status"] == "missing"

    again = run_ok("history")  # still there, still said
    assert FILE_TAKE in again.stdout and "missing" in again.stdout
    assert [line for line in again.stderr.splitlines() if FILE_TAKE in line] == warnings

    shown = thinkaloud("show", FILE_TAKE)
    assert shown.code == ExitCode.INPUT and shown.stdout == ""
    assert shown.stderr.count("\n") == 1 and "missing" in shown.stderr and FILE_TAKE in shown.stderr

    # Putting it back brings it back; deleting it forgets it.
    shutil.copytree(FIXTURE / "sessions" / FILE_TAKE, moved_home / "sessions" / FILE_TAKE)
    assert json.loads(run_ok("show", FILE_TAKE, "--format", "json").stdout)["report"] == fixture_report(FILE_TAKE)
    shutil.rmtree(moved_home / "sessions" / FILE_TAKE)
    run_ok("delete", "--yes", FILE_TAKE)
    after = run_ok("history", "--format", "json")
    assert FILE_TAKE not in after.stdout and FILE_TAKE not in after.stderr


# --- reports written by other releases -----------------------------------------------------------


def test_a_report_lacking_a_checklist_kind_reads_it_as_not_present():
    from thinkaloud.kinds import STRUCTURE_KINDS
    from thinkaloud.report import report_from_dict

    data = fixture_report(FILE_TAKE)
    later = STRUCTURE_KINDS[-1]  # as if this kind had been added after the report was written
    del data["summary"]["checklist"][later]
    report = report_from_dict(data)
    # the take was never checked for it: left out of its checklist, and read as not present
    assert list(report.summary.checklist) == [k for k in STRUCTURE_KINDS if k != later]
    assert (report.summary.item(later).present, report.summary.item(later).first_at) == (False, None)
    assert all(report.summary.checklist[k].present for k in STRUCTURE_KINDS if k != later)


def test_kinds_fields_and_metrics_a_release_does_not_know_are_skipped():
    from thinkaloud.report import report_from_dict, report_to_dict

    data = fixture_report(FILE_TAKE)
    original = report_from_dict(fixture_report(FILE_TAKE))
    data["summary"]["checklist"]["kind_from_elsewhere"] = {"present": True, "first_at": 1.0}
    data["metrics"]["kind_from_elsewhere_count"] = 4
    data["signals"].append({**data["signals"][0], "kind": "kind_from_elsewhere"})
    data["signals"][0]["confidence"] = 0.9
    data["transcript"]["sentences"][0]["speaker"] = "A"
    data["model"]["vad"] = "silero"
    report = report_from_dict(data)
    assert "kind_from_elsewhere" not in report.summary.checklist
    assert report == original
    assert report_to_dict(report) == fixture_report(FILE_TAKE)


def test_a_per_kind_count_the_report_lacks_is_zero_and_an_unknown_measure_is_none():
    from thinkaloud.report import report_from_dict

    data = fixture_report(TEXT_TAKE)
    del data["metrics"]["hedge_count"], data["metrics"]["filler_count"], data["metrics"]["wpm"]
    metrics = report_from_dict(data).metrics
    assert (metrics.hedge_count, metrics.filler_count, metrics.wpm) == (0, 0, None)
    assert metrics.words == fixture_report(TEXT_TAKE)["metrics"]["words"]


def test_the_commands_open_a_take_whose_report_lacks_a_kind(moved_home):
    from thinkaloud.kinds import STRUCTURE_KINDS

    later = STRUCTURE_KINDS[-1]
    path = moved_home / "sessions" / FILE_TAKE / "report.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    del data["summary"]["checklist"][later]
    data["summary"]["checklist"]["kind_from_elsewhere"] = {"present": True, "first_at": 1.0}
    path.write_text(json.dumps(data), encoding="utf-8")
    run_ok("history", "--rebuild", "--format", "json")  # indexed again from the folders
    takes = {take["id"]: take for take in json.loads(run_ok("history", "--format", "json").stdout)}
    assert later not in takes[FILE_TAKE]["checklist"] and takes[FILE_TAKE]["checklist_score"] == len(STRUCTURE_KINDS) - 1
    assert "kind_from_elsewhere" not in takes[FILE_TAKE]["checklist"]
    shown = json.loads(run_ok("show", FILE_TAKE, "--format", "json").stdout)
    assert later not in shown["report"]["summary"]["checklist"]
    assert run_ok("show", FILE_TAKE).stdout and run_ok("export", FILE_TAKE, "--format", "html").stdout
    assert json.loads(run_ok("compare", TEXT_TAKE, FILE_TAKE, "--format", "json").stdout)["checklist"][later]["change"] == "missing"
