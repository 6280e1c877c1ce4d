"""`thinkaloud analyze` from the outside: bad input gets one clear line, results go to stdout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.audio_files import write_wav
from tests.cli import snapshot, thinkaloud


def sine_wav(path, seconds=1.0):
    t = np.arange(int(seconds * 16000)) / 16000
    return write_wav(path, 0.3 * np.sin(2 * np.pi * 220 * t))


def make_bad_inputs(folder):
    (folder / "empty.wav").write_bytes(b"")
    (folder / "noise.mp3").write_bytes(bytes(range(256)) * 40)
    full = sine_wav(folder / "full.wav", 3.0).read_bytes()
    (folder / "truncated.wav").write_bytes(full[:20000])
    (full_path := folder / "full.wav").unlink()
    write_wav(folder / "zero.wav", np.zeros(0))
    (folder / "latin1.txt").write_bytes("caf\xe9 au lait, I'll assume".encode("latin-1"))
    (folder / "binary.txt").write_bytes(b"hello\x00\x01\x02world")
    (folder / "blank.txt").write_text("   \n")
    (folder / "subdir").mkdir()
    bad_model = folder / "bad-model"
    bad_model.mkdir()
    (bad_model / "config.json").write_text("{}")
    sine_wav(folder / "ok.wav")
    return full_path


BAD = [
    (["missing.wav"], 3, "does not exist"),
    (["subdir"], 3, "holds no recordings"),
    (["empty.wav"], 3, "empty"),
    (["noise.mp3"], 3, "not audio"),
    (["truncated.wav"], 3, "truncated"),
    (["zero.wav"], 3, "no audio samples|not audio"),
    (["latin1.txt"], 3, "not UTF-8"),
    (["binary.txt"], 3, "binary"),
    (["blank.txt"], 3, "no text"),
    (["ok.wav", "--silence", "0"], 2, "positive"),
    (["ok.wav", "--silence", "-1"], 2, "positive"),
    (["ok.wav", "--silence", "abc"], 2, "number"),
    (["ok.wav", "--format", "pdf"], 2, "invalid choice"),
    (["ok.wav", "--model", "no-such-model"], 4, "unknown model"),
    (["ok.wav", "--model", "bad-model"], 4, "model.bin"),
    (["ok.wav", "-o", "no/such/folder/report.json"], 5, "does not exist"),
    (["ok.wav", "-o", "ok.wav"], 5, "refusing to overwrite"),
]


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    make_bad_inputs(folder)
    return folder


@pytest.mark.parametrize("args,code,message", BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_input_gets_one_line_and_changes_nothing(bad_folder, args, code, message):
    import re

    before = snapshot(bad_folder)
    result = thinkaloud("analyze", *args, "--quiet", cwd=bad_folder)
    assert result.code == code, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(message, lines[0]), lines[0]
    assert "Traceback" not in result.stderr
    assert snapshot(bad_folder) == before


def test_unknown_downloadable_model_without_network(bad_folder):
    result = thinkaloud("analyze", "ok.wav", "--model", "small.en", "--quiet", cwd=bad_folder, env={"HF_HUB_OFFLINE": "1"})
    assert result.code == 4
    assert len(result.stderr.strip().splitlines()) == 1
    assert "small.en" in result.stderr and "models/" in result.stderr


def test_text_transcript_to_json_on_stdout(tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text("So the goal is retention.\nI'll assume a million users.\n")
    result = thinkaloud("analyze", str(answer), "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["transcript"]["text"] == answer.read_text()
    assert report["source"]["kind"] == "text"
    assert {s["kind"] for s in report["signals"]} >= {"framing", "assumption"}


def test_report_written_to_file(tmp_path):
    answer = tmp_path / "answer.txt"
    answer.write_text("To summarize, trees and nightly scoring.")
    out = tmp_path / "report.md"
    result = thinkaloud("analyze", str(answer), "--format", "markdown", "-o", str(out))
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    assert out.read_text().startswith("# thinkaloud report")


def test_help_lists_commands():
    result = thinkaloud("--help")
    assert result.code == 0 and "analyze" in result.stdout
