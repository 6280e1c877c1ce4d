"""The session commands as a user runs them: analyze saves, history lists, show, compare, delete."""

from __future__ import annotations

import json
import os
import pty
import sqlite3
import subprocess
import sys

import pytest

from tests.cli import REPO, thinkaloud
from tests.sample_reports import SAMPLE_QUESTION, SAMPLES, timed_sample_report
from thinkaloud.paths import database_file, sessions_root
from thinkaloud.sessions.layout import SessionMeta, create_session_dir, new_session_id
from thinkaloud.sessions.record import QuestionRef, save_report

CHURN = QuestionRef(SAMPLE_QUESTION, "ml-churn")


@pytest.fixture(scope="module")
def reports(text_analyzer):
    return {"strong": timed_sample_report("strong", text_analyzer), "weak": timed_sample_report("weak", text_analyzer)}


def history_json(*args: str) -> list[dict]:
    result = thinkaloud("history", "--format", "json", *args)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


def one_line_error(result, code: int) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("thinkaloud: ")
    return result.stderr


# --- analyze keeps every take -----------------------------------------------------------------


def test_two_analyze_runs_at_once_both_land_in_the_history():
    command = [sys.executable, "-m", "thinkaloud", "analyze", "--question", "ml-churn", "--format", "json"]
    runs = [
        subprocess.Popen([*command, str(SAMPLES / f"{name}_answer.txt")], cwd=REPO, env=os.environ.copy(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        for name in ("weak", "strong")
    ]
    outputs = [run.communicate(timeout=180) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err for _, err in outputs]
    sessions = history_json()
    assert len(sessions) == 2
    assert {s["source"] for s in sessions} == {str(SAMPLES / "weak_answer.txt"), str(SAMPLES / "strong_answer.txt")}
    assert {s["question_id"] for s in sessions} == {"ml-churn"} and {s["question"] for s in sessions} == {SAMPLE_QUESTION}
    said = "".join(stderr for _, stderr in outputs)
    assert all(f"saved as session {s['id']}" in said for s in sessions)
    with sqlite3.connect(database_file()) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # --no-save leaves the history as it was, and still prints the report.
    unsaved = thinkaloud("analyze", str(SAMPLES / "weak_answer.txt"), "--no-save", "--format", "json")
    assert unsaved.code == 0 and json.loads(unsaved.stdout)["schema"] == "thinkaloud.report/1"
    assert "saved as session" not in unsaved.stderr
    assert len(history_json()) == 2


# --- history -----------------------------------------------------------------------------------


def test_history_lists_takes_with_a_trend(reports):
    for name in ("weak", "strong"):
        save_report(reports[name], kind="file", source=f"/takes/{name}_answer.wav", question=CHURN)
    save_report(reports["weak"], kind="file", source="/takes/other.wav", question=QuestionRef("Design a rate limiter."))
    result = thinkaloud("history")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["ID", "WHEN", "KIND", "QUESTION"]
    from thinkaloud.report.text import structure_marks
    from thinkaloud.sessions.store import SessionStore

    with SessionStore() as store:
        marks = [structure_marks(row) for row in store.list()]
    assert marks[1] == "5/5 FATLR" and marks[2] != marks[1]
    assert "Design a rate limiter." in lines[1] and marks[1] in lines[2] and marks[2] in lines[3]
    assert "Trend over 3 analysed takes (oldest → newest)" in result.stdout
    fillers = next(line for line in lines if line.strip().startswith("fillers"))
    weak = reports["weak"].metrics.filler_count
    assert f"{weak} → {weak}" in fillers  # first and last take are both the weak answer

    only_churn = thinkaloud("history", "--question", "ml-churn")
    assert "rate limiter" not in only_churn.stdout
    churn_fillers = next(line for line in only_churn.stdout.splitlines() if line.strip().startswith("fillers"))
    assert churn_fillers.rstrip().endswith("better") and f"{weak} → 0" in churn_fillers

    assert len(history_json("--limit", "1")) == 1
    weak_score = sum(item.present for item in reports["weak"].summary.checklist.values())
    assert [s["checklist_score"] for s in history_json("--question", "churn")] == [5, weak_score]
    markdown = thinkaloud("history", "--format", "markdown").stdout
    assert markdown.startswith("# thinkaloud history") and "## Trend over 3 analysed takes" in markdown


def test_history_of_nothing_says_how_to_start():
    result = thinkaloud("history")
    assert result.code == 0 and result.stdout.startswith("No sessions yet.")
    assert history_json() == []


def test_history_shows_an_interrupted_live_take():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    meta = SessionMeta(id=new_session_id(), created="2026-11-28T09:00:00.000+00:00", kind="live", source="microphone",
                       question=SAMPLE_QUESTION, status="recording", pid=dead.pid)
    folder = create_session_dir(meta)
    (folder / "audio.wav").write_bytes(b"RIFF")
    [listed] = history_json()
    assert (listed["id"], listed["status"], listed["report"]) == (meta.id, "interrupted", None)
    shown = thinkaloud("show", meta.id)
    assert shown.code == 0 and "interrupted before it was analysed" in shown.stdout
    assert f"thinkaloud analyze {folder / 'audio.wav'}" in shown.stdout
    refused = one_line_error(thinkaloud("export", meta.id, "--format", "html"), 3)
    assert "was interrupted before it was analysed; analyse its audio with" in refused


def test_history_rebuild_recovers_a_damaged_index(reports):
    saved = save_report(reports["strong"], kind="file", source="/takes/strong.wav", question=CHURN)
    for suffix in ("-wal", "-shm"):
        database_file().with_name(database_file().name + suffix).unlink(missing_ok=True)
    database_file().write_bytes(b"garbage" * 1000)
    damaged = one_line_error(thinkaloud("history"), 5)
    assert "is damaged; run 'thinkaloud history --rebuild'" in damaged
    rebuilt = thinkaloud("history", "--rebuild", "--format", "json")
    assert rebuilt.code == 0, rebuilt.stderr
    assert [s["id"] for s in json.loads(rebuilt.stdout)] == [saved.id]
    assert "rebuilt the session index from 1 session folder; the old index was kept as" in rebuilt.stderr


def test_a_locked_index_is_one_line_and_exit_code_5(reports):
    save_report(reports["strong"], kind="file", source="/takes/strong.wav")
    holder = sqlite3.connect(database_file(), isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = thinkaloud("delete", "latest", "--yes", timeout=60)  # waits out the busy timeout first
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "locked by another thinkaloud process" in one_line_error(result, 5)


def test_an_index_from_a_newer_version_is_refused(reports):
    save_report(reports["strong"], kind="file", source="/takes/strong.wav")
    with sqlite3.connect(database_file()) as connection:
        connection.execute("PRAGMA user_version = 99")
    assert "written by a newer thinkaloud" in one_line_error(thinkaloud("history"), 5)


# --- show and compare ------------------------------------------------------------------------------


def test_show_gives_one_take_in_each_format(reports):
    saved = save_report(reports["strong"], kind="file", source="/takes/strong_answer.wav", question=CHURN)
    text = thinkaloud("show", saved.id[:17])
    assert text.code == 0
    assert f"session   {saved.id}" in text.stdout and f"question  {SAMPLE_QUESTION} (ml-churn)" in text.stdout
    assert "Structure" in text.stdout and "Tips" in text.stdout
    data = json.loads(thinkaloud("show", "latest", "--format", "json").stdout)
    assert data["session"]["id"] == saved.id and data["report"]["schema"] == "thinkaloud.report/1"
    assert thinkaloud("show", "--format", "markdown").stdout.startswith(f"# {SAMPLE_QUESTION}")
    assert "<svg class=\"timeline\"" in thinkaloud("show", saved.id, "--format", "html").stdout


def test_unknown_and_ambiguous_ids_are_one_line(reports):
    assert "no session has the id 'nope'" in one_line_error(thinkaloud("show", "nope"), 3)
    assert "there are no sessions yet" in one_line_error(thinkaloud("show"), 3)
    save_report(reports["strong"], kind="file", source="a.wav")
    save_report(reports["strong"], kind="file", source="b.wav")
    assert "is ambiguous" in one_line_error(thinkaloud("export", "2", "--format", "json"), 2)
    assert "compare takes at most two" in one_line_error(thinkaloud("compare", "a", "b", "c"), 2)


def test_compare_shows_what_changed_between_two_takes(reports):
    weak = save_report(reports["weak"], kind="file", source="/takes/weak_answer.wav", question=CHURN)
    strong = save_report(reports["strong"], kind="file", source="/takes/strong_answer.wav", question=CHURN)
    result = thinkaloud("compare", weak.id, strong.id)
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"Two takes of “{SAMPLE_QUESTION}”")
    assert "  named limitations       ✗        ✓" in result.stdout
    assert "Assumptions" in result.stdout and "+ added" in result.stdout
    # With no ids, the latest take is compared with the take of its question before it.
    assert thinkaloud("compare").stdout == result.stdout
    data = json.loads(thinkaloud("compare", strong.id, "--format", "json").stdout)
    assert (data["before"]["id"], data["after"]["id"]) == (weak.id, strong.id)
    assert data["metrics"]["silence_count"]["verdict"] == "better"
    assert thinkaloud("compare", "--format", "markdown").stdout.startswith("# Comparing two takes")


def test_compare_needs_an_earlier_take(reports):
    saved = save_report(reports["weak"], kind="file", source="/takes/weak.wav", question=CHURN)
    assert f"session {saved.id} has no earlier take of" in one_line_error(thinkaloud("compare"), 3)


# --- delete ---------------------------------------------------------------------------------------------


def run_with_terminal(args: list[str], answer: str) -> tuple[int, str]:
    """Run thinkaloud with a pseudo-terminal as stdin (so it may ask) and type `answer`."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "thinkaloud", *args], cwd=REPO, env=os.environ.copy(),
                                   stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        os.write(controller, answer.encode())
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(controller)
        os.close(terminal)
    return process.returncode, stderr


def test_delete_asks_first_and_does_nothing_unless_told_yes(reports):
    saved = save_report(reports["strong"], kind="file", source="/takes/strong.wav", question=CHURN)
    code, stderr = run_with_terminal(["delete", saved.id], "n\n")
    assert code == 0 and "[y/N]" in stderr and "nothing deleted" in stderr
    assert saved.folder.is_dir()
    code, stderr = run_with_terminal(["delete", saved.id], "y\n")
    assert code == 0 and f"deleted session {saved.id}" in stderr
    assert not saved.folder.exists() and history_json() == []


def test_delete_without_a_terminal_refuses_unless_yes(reports):
    saved = save_report(reports["strong"], kind="file", source="/takes/strong.wav")
    refused = one_line_error(thinkaloud("delete", saved.id), 2)
    assert "pass --yes" in refused and saved.folder.is_dir()
    done = thinkaloud("delete", "latest", "--yes")
    assert done.code == 0 and not saved.folder.exists()
    assert list(sessions_root().iterdir()) == []
