"""The reliability table: awkward inputs through the real command line.

Each row runs `thinkaloud` in a subprocess as a user would and checks the
exit code, that a failure is exactly one line on stderr (and nothing on
stdout), and that nothing in the inputs' folder changed.  Rows already
covered elsewhere are not repeated here: missing, empty, truncated, non-audio
and latin-1 inputs, bad flags and models (tests/test_cli_analyze.py); config
errors read directly (tests/test_config.py); `show` of an unknown id
(tests/test_sessions_cli.py); room tone (tests/test_e2e_analyze.py).
"""

from __future__ import annotations

import json
import os
import random
import wave
from pathlib import Path

import jsonschema
import numpy as np
import pytest

from tests.audio_files import write_wav
from tests.cli import snapshot, thinkaloud
from tests.conftest import REPO
from thinkaloud.report import schema

RATE = 16000


def one_line_error(result, code: int) -> str:
    assert result.code == code, (result.code, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("thinkaloud: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def valid_report(stdout: str) -> dict:
    report = json.loads(stdout)
    jsonschema.Draft202012Validator(schema()).validate(report)
    return report


@pytest.fixture
def folder(tmp_path):
    """The inputs' folder, and the command's working directory."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "answer.txt").write_text("So the goal is retention. I'll assume a million users.\n")
    return inputs


# --- audio with nothing to hear -------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.parametrize(
    "name,samples",
    [
        ("silence.wav", np.zeros(10 * RATE)),
        ("white-noise.wav", np.random.default_rng(7).uniform(-0.5, 0.5, 10 * RATE)),
    ],
    ids=["digital silence", "white noise"],
)
def test_audio_without_speech_is_a_report_with_no_words(folder, name, samples):
    write_wav(folder / name, samples)
    before = snapshot(folder)
    result = thinkaloud("analyze", name, "--format", "json", cwd=folder)
    assert result.code == 0, result.stderr
    assert f"no speech found in {name}" in result.stderr
    report = valid_report(result.stdout)
    assert report["transcript"]["words"] == [] and report["transcript"]["text"] == ""
    assert report["summary"]["speech_found"] is False
    assert report["source"]["duration_s"] == pytest.approx(10.0, abs=0.01)
    assert snapshot(folder) == before


# --- transcripts --------------------------------------------------------------------------------

TEXT = "So the goal is retention. I'll assume a million users."


@pytest.mark.parametrize(
    "name,content,encoding",
    [
        ("utf16-bom.txt", TEXT.encode("utf-16"), "UTF-16"),
        ("utf16-no-bom.txt", TEXT.encode("utf-16-le"), "UTF-16"),
        ("utf16-big-endian.txt", TEXT.encode("utf-16-be"), "UTF-16"),
        ("utf32.txt", TEXT.encode("utf-32"), "UTF-32"),
    ],
)
def test_a_transcript_in_a_wide_encoding_is_named_as_such(folder, name, content, encoding):
    (folder / name).write_bytes(content)
    before = snapshot(folder)
    line = one_line_error(thinkaloud("analyze", name, "--quiet", cwd=folder), 3)
    assert f"is {encoding} text, not UTF-8" in line and "re-save it as UTF-8" in line
    assert snapshot(folder) == before


def huge_transcript(words: int) -> str:
    """Varied sentences from the labelled corpus, in paragraphs, to about `words` words."""
    sentences = [
        sentence["text"]
        for line in (REPO / "tests" / "data" / "corpus" / "train.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
        for sentence in json.loads(line)["sentences"]
    ]
    chooser = random.Random(3)
    paragraphs, count = [], 0
    while count < words:
        paragraph = " ".join(chooser.choice(sentences) for _ in range(chooser.randint(3, 9)))
        paragraphs.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(paragraphs) + "\n"


def test_a_huge_transcript_is_analysed_whole(folder):
    text = huge_transcript(100_000)
    (folder / "huge.txt").write_text(text, encoding="utf-8")
    before = snapshot(folder)
    result = thinkaloud("analyze", "huge.txt", "--format", "json", "--quiet", cwd=folder)
    assert result.code == 0, result.stderr
    report = valid_report(result.stdout)
    assert report["transcript"]["text"] == text
    assert report["metrics"]["words"] >= 100_000
    sentences = report["transcript"]["sentences"]
    assert len(sentences) > 3000 and sentences[-1]["char_end"] > len(text) - 1000, "the end was analysed too"
    for signal in report["signals"]:
        assert text[signal["char_start"] : signal["char_end"]] == signal["text"]
    assert snapshot(folder) == before


# --- the config file ----------------------------------------------------------------------------


def test_a_malformed_config_stops_analyze_naming_the_file_and_line(folder, isolated_home):
    config = isolated_home / "config.toml"
    config.write_text('model = "tiny.en"\n\n[detectors]\nhedge = fals\n')
    before = snapshot(folder)
    line = one_line_error(thinkaloud("analyze", "answer.txt", "--quiet", cwd=folder), 2)
    assert str(config) in line and "line 4" in line
    assert snapshot(folder) == before


def test_unknown_config_keys_warn_and_analyze_carries_on(folder, isolated_home):
    (isolated_home / "config.toml").write_text('silence = 4\ncolour = "teal"\n\n[detectors]\nsarcasm = true\n')
    before = snapshot(folder)
    result = thinkaloud("analyze", "answer.txt", "--format", "json", "--quiet", cwd=folder)
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 2
    assert "line 2: unknown setting 'colour' ignored" in warnings[0]
    assert "line 5: unknown setting 'detectors.sarcasm' ignored" in warnings[1]
    assert {"framing", "assumption"} <= {s["kind"] for s in valid_report(result.stdout)["signals"]}
    assert snapshot(folder) == before


# --- sessions that are not there -----------------------------------------------------------


@pytest.mark.parametrize("with_history", [False, True], ids=["no history", "with history"])
@pytest.mark.parametrize(
    "args",
    [
        ("export", "nope", "--format", "json"),
        ("export", "nope", "--format", "srt", "-o", "out.srt"),
        ("delete", "nope"),
        ("delete", "--yes", "nope"),
        ("compare", "nope"),
        ("compare", "latest", "nope"),
    ],
    ids=" ".join,
)
def test_an_unknown_session_id_is_one_line(folder, args, with_history, text_analyzer):
    if with_history:
        from thinkaloud.analyze import Analyzer
        from thinkaloud.sessions.record import save_report

        report = Analyzer(text_analyzer=text_analyzer).analyze_text(TEXT, source=str(folder / "answer.txt"))
        assert save_report(report, kind="text", source=str(folder / "answer.txt")).indexed
    before = snapshot(folder)
    line = one_line_error(thinkaloud(*args, cwd=folder), 3)
    assert "'nope'" in line or "no sessions yet" in line
    assert snapshot(folder) == before


# --- somewhere the report cannot go ----------------------------------------------------------


def unwritable_target(tmp_path: Path) -> tuple[Path, Path | None]:
    """A report path the command may not write, and the folder to check for debris (None if not ours).

    A folder with mode 0500 stops everyone but root; running as root (as CI
    does), /proc is a folder that refuses new files even to root."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if not os.access(locked, os.W_OK):
        return locked / "report.json", locked
    return Path("/proc/thinkaloud-report.json"), None


def test_an_unwritable_output_folder_is_one_line_exit_5(folder, tmp_path):
    target, debris_folder = unwritable_target(tmp_path)
    try:
        before = snapshot(folder)
        line = one_line_error(thinkaloud("analyze", "answer.txt", "--quiet", "-o", str(target), cwd=folder), 5)
        assert str(target) in line
        assert snapshot(folder) == before
        assert not target.exists()
        if debris_folder is not None:
            assert list(debris_folder.iterdir()) == []
    finally:
        (tmp_path / "locked").chmod(0o700)


def test_an_output_path_under_a_file_is_one_line_exit_5(folder):
    (folder / "notes.txt").write_text("not a folder\n")
    before = snapshot(folder)
    line = one_line_error(thinkaloud("analyze", "answer.txt", "--quiet", "-o", "notes.txt/report.json", cwd=folder), 5)
    assert "notes.txt" in line
    assert snapshot(folder) == before


# --- a two-hour recording ------------------------------------------------------------------


def two_hour_recording(path: Path, shared_audio: Path) -> list[tuple[float, str]]:
    """Two hours of 16 kHz silence with three real clips spliced in; returns (start, reference) per clip."""
    from thinkaloud.audio.decode import load_audio

    clips = [("jfk.flac", 0.05), ("leopard_test.wav", 0.47), ("preamble.wav", 0.9)]
    total = 2 * 3600 * RATE
    placed = []
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        written = 0
        for name, share in clips:
            start = int(share * total)
            while written < start:  # a minute of silence at a time keeps this process small
                chunk = min(60 * RATE, start - written)
                out.writeframes(bytes(2 * chunk))
                written += chunk
            samples = load_audio(shared_audio / name).samples
            out.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
            placed.append((written / RATE, (shared_audio / name).with_suffix(".txt").read_text()))
            written += len(samples)
        while written < total:
            chunk = min(60 * RATE, total - written)
            out.writeframes(bytes(2 * chunk))
            written += chunk
    return placed


@pytest.mark.e2e
def test_a_two_hour_recording_works_and_finds_its_speech(folder, shared_audio):
    """Slow (about a minute): two hours of audio decoded, searched for speech and transcribed."""
    placed = two_hour_recording(folder / "two-hours.wav", shared_audio)
    before = snapshot(folder)
    result = thinkaloud("analyze", "two-hours.wav", "--format", "json", "--no-save", cwd=folder, timeout=900)
    assert result.code == 0, result.stderr
    report = valid_report(result.stdout)
    assert report["source"]["duration_s"] == pytest.approx(7200.0, abs=0.01)
    words = report["transcript"]["words"]
    for start, reference in placed:
        heard = [w for w in words if start - 1 <= w["start"] <= start + 30]
        assert len(heard) >= 0.7 * len(reference.split()), (start, [w["text"] for w in heard])
    assert {"country", "gospel", "constitution"} <= {w["text"].strip(".,").lower() for w in words}
    spans = report["speech"]
    assert spans and all(any(s - 1 <= span["start"] <= s + 30 for s, _ in placed) for span in spans), spans
    assert snapshot(folder) == before
