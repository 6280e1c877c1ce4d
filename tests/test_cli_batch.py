"""`thinkaloud analyze` on many inputs: one report per file, failures skipped and counted."""

from __future__ import annotations

import json

from tests.cli import thinkaloud


def make_folder(tmp_path):
    folder = tmp_path / "takes"
    folder.mkdir()
    (folder / "one.txt").write_text("So the goal is retention. I'll assume a million users.")
    (folder / "two.txt").write_text("To summarize, trees and nightly scoring.")
    (folder / "broken.txt").write_bytes(b"\x00\x01binary")
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not a recording: not picked up from a folder
    return folder


def test_folder_with_a_bad_file_keeps_going(tmp_path):
    folder = make_folder(tmp_path)
    out = tmp_path / "reports"
    result = thinkaloud("analyze", str(folder), "--format", "json", "-o", str(out), "--jobs", "2", "--no-save")
    assert result.code == 3
    assert sorted(p.name for p in out.iterdir()) == ["one.json", "two.json"]
    assert json.loads((out / "one.json").read_text())["summary"]["checklist"]["assumption"]["present"]
    lines = result.stderr.strip().splitlines()
    assert any(line.startswith("thinkaloud: skipped") and "broken.txt" in line for line in lines)
    assert "2 of 3 files analysed, 1 failed" in lines[-1]


def test_several_files_to_stdout_as_json_lines(tmp_path):
    folder = make_folder(tmp_path)
    result = thinkaloud("analyze", str(folder / "one.txt"), str(folder / "two.txt"), "--format", "json", "--no-save")
    assert result.code == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["source"]["path"].rsplit("/", 1)[-1] for r in reports] == ["one.txt", "two.txt"]


def test_batch_saves_every_take(tmp_path):
    folder = make_folder(tmp_path)
    (folder / "broken.txt").unlink()
    result = thinkaloud("analyze", str(folder), "-o", str(tmp_path / "out"), "--quiet")
    assert result.code == 0, result.stderr
    history = json.loads(thinkaloud("history", "--format", "json").stdout)
    assert len(history) == 2


def test_batch_output_must_be_a_folder(tmp_path):
    folder = make_folder(tmp_path)
    target = tmp_path / "file.json"
    target.write_text("{}")
    result = thinkaloud("analyze", str(folder), "-o", str(target))
    assert result.code == 5
    assert "must be a folder" in result.stderr
