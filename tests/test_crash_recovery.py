"""Crash safety: a killed live take is found, repaired and recovered; Ctrl+C saves;
a lost microphone or a full disk ends the take with its audio kept and one line
saying where.

Fast tests use fakes (a dead recorder's folder, a scripted decoder, a fake
PortAudio stream, a writer whose disk fills up); the `e2e` ones run the real
command line with the real model and kill it.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
import spacy

from tests.cli import REPO
from tests.fakes import FakeTranscriber
from tests.test_live_session import ScriptedDecoder, clip  # noqa: F401  (clip is a fixture)
from thinkaloud.audio.wavfile import read_wav_layout
from thinkaloud.cli import main
from thinkaloud.errors import ExitCode
from thinkaloud.live.capture import FileSource
from thinkaloud.live.events import FinishedEvent
from thinkaloud.live.recording import WavWriter
from thinkaloud.live.session import LiveEngine, LiveOptions
from thinkaloud.nlp.pipeline import TextAnalyzer
from thinkaloud.sessions.layout import SessionMeta, create_session_dir, read_meta

SAMPLE = REPO / "samples" / "weak_answer.wav"
SAMPLE_S = 51.5
POLL_S = 0.05
#: Bound on every wait for a subprocess (model loading included) before the test fails.
WAIT_LIMIT_S = 120.0


@pytest.fixture(scope="module")
def blank_analyzer() -> TextAnalyzer:
    return TextAnalyzer(base=spacy.blank("en"), name="blank")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def killed_take(home: Path, seconds: float = 3.0, synced_s: float = 1.0) -> Path:
    """A live take as a SIGKILL leaves it: status "recording", a dead pid, a WAV whose
    header declares only the first `synced_s` of the `seconds` on disk."""
    meta = SessionMeta(id="20260101-120000-dead", created="2026-01-01T12:00:00.000+00:00", kind="live",
                       source="microphone", status="recording", pid=_dead_pid(), host=socket.gethostname())
    folder = create_session_dir(meta, home / "sessions")
    rng = np.random.default_rng(1)
    samples = (rng.random(int(seconds * 16000)) * 0.2 - 0.1).astype(np.float32)
    writer = WavWriter(folder / "audio.wav", 16000, sync_every_s=1e9)
    first = int(synced_s * 16000)
    writer.write(samples[:first])
    writer.sync()
    writer.write(samples[first:])
    writer._file.flush()  # in the kernel, but the header was never updated: as after a kill
    return folder


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- finding and repairing interrupted takes ------------------------------------------


def test_history_repairs_a_killed_take_and_lists_it_as_interrupted_with_a_hint(isolated_home, capsys):
    folder = killed_take(isolated_home, seconds=3.0, synced_s=1.0)
    before = read_wav_layout(folder / "audio.wav")
    assert before.declared_duration_s == pytest.approx(1.0) and before.available_data_bytes == 3 * 32000

    code, out, err = run_cli(capsys, "history", "--format", "json")
    assert code == ExitCode.OK
    rows = json.loads(out)
    assert [(r["id"], r["status"]) for r in rows] == [(folder.name, "interrupted")]
    assert f"thinkaloud recover {folder.name}" in err
    after = read_wav_layout(folder / "audio.wav")
    assert after.declared_data_bytes == after.available_data_bytes == 3 * 32000

    code, out, err = run_cli(capsys, "history")
    assert code == ExitCode.OK and "interrupted" in out
    assert f"run 'thinkaloud recover {folder.name}'" in out
    assert "repaired" not in err  # the repair is done once; the next command finds nothing to fix


def test_the_next_live_take_repairs_a_killed_take_and_points_to_recover(isolated_home, tmp_path, capsys):
    folder = killed_take(isolated_home, seconds=3.0, synced_s=1.0)

    # The missing source ends the command right after the start-up check, before any model loads.
    code, _, err = run_cli(capsys, "live", "--no-tui", "--source", str(tmp_path / "missing.wav"))
    assert code == ExitCode.INPUT
    assert f"thinkaloud recover {folder.name}" in err and "interrupted before analysis" in err
    assert err.count("thinkaloud recover") == 1  # one notice, not one per step
    layout = read_wav_layout(folder / "audio.wav")
    assert layout.declared_data_bytes == layout.available_data_bytes == 3 * 32000

    code, _, err = run_cli(capsys, "live", "--no-tui", "--no-save", "--source", str(tmp_path / "missing.wav"))
    assert code == ExitCode.INPUT and "interrupted" not in err  # --no-save leaves the store alone


def test_recover_without_an_id_lists_the_interrupted_takes(isolated_home, capsys):
    code, out, _ = run_cli(capsys, "recover")
    assert code == ExitCode.OK and out.startswith("No interrupted takes")

    folder = killed_take(isolated_home, seconds=3.0)
    code, out, _ = run_cli(capsys, "recover")
    line = out.splitlines()[0]
    assert code == ExitCode.OK and line.startswith(folder.name) and line.endswith(str(folder))
    assert "3.0 s" in line

    code, out, _ = run_cli(capsys, "recover", "--format", "json")
    assert json.loads(out) == [{"id": folder.name, "created": "2026-01-01T12:00:00.000+00:00", "audio_s": 3.0,
                                "folder": str(folder), "question": None}]


def test_recovering_analyses_the_audio_saves_the_report_and_completes_the_take(isolated_home, blank_analyzer, capsys):
    from thinkaloud.analyze import Analyzer
    from thinkaloud.sessions.recovery import interrupted_takes, recover_session

    folder = killed_take(isolated_home, seconds=3.0, synced_s=1.0)
    analyzer = Analyzer(transcriber=FakeTranscriber([("So", 0.2, 0.4), ("basically", 0.5, 1.0), ("churn.", 1.1, 1.6)]),
                        text_analyzer=blank_analyzer, speech_detector=lambda samples, *a, **k: [])
    report = recover_session(folder, analyzer)

    assert report.metrics.duration_s == pytest.approx(3.0, abs=0.01)  # all of it, not just the synced second
    meta = read_meta(folder)
    assert meta.status == "complete" and meta.pid is None
    assert meta.notes["recovered"]["audio_s"] == pytest.approx(3.0) and meta.notes["recovered"]["was"] == "interrupted"
    assert json.loads((folder / "report.json").read_text())["schema"] == "thinkaloud.report/1"
    assert interrupted_takes(isolated_home / "sessions") == []

    code, out, _ = run_cli(capsys, "history", "--format", "json")
    assert json.loads(out)[0]["status"] == "complete" and json.loads(out)[0]["report"]
    code, out, err = run_cli(capsys, "recover", folder.name[:10])
    assert code == ExitCode.INPUT and "nothing to recover" in err and len(err.strip().splitlines()) == 1


def test_a_take_killed_before_any_audio_is_refused_in_one_line(isolated_home, capsys):
    folder = killed_take(isolated_home, seconds=0.0, synced_s=0.0)
    code, _, err = run_cli(capsys, "recover", "latest")
    assert code == ExitCode.INPUT
    assert err.count("\n") == 1 and "before any audio was recorded" in err and f"delete {folder.name}" in err
    assert read_meta(folder).status == "recording"  # left as it was


# --- a batch interrupted by Ctrl+C ----------------------------------------------------


def test_ctrl_c_in_a_batch_keeps_the_reports_already_written(tmp_path, blank_analyzer, monkeypatch, capsys):
    import thinkaloud.cli.batch as batch
    from thinkaloud.analyze import Analyzer

    inputs = tmp_path / "answers"
    inputs.mkdir()
    for n in range(4):
        (inputs / f"answer{n}.txt").write_text(f"Um, I think the answer {n} is to shard by user id.\n")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    analysed = []

    def init_worker(options):
        batch._worker_analyzer = Analyzer(options, text_analyzer=blank_analyzer)

    real_analyse_one = batch._analyse_one

    def analyse_one(path):
        if len(analysed) == 2:
            raise KeyboardInterrupt  # Ctrl+C while the third file is being analysed
        analysed.append(path)
        return real_analyse_one(path)

    monkeypatch.setattr(batch, "_init_worker", init_worker)
    monkeypatch.setattr(batch, "_analyse_one", analyse_one)
    code, _, err = run_cli(capsys, "analyze", str(inputs), "-o", str(out_dir), "--jobs", "1")

    assert code == ExitCode.INTERRUPTED
    assert "interrupted; 2 of 4 files analysed, reports kept in" in err
    kept = sorted(p.name for p in out_dir.iterdir())
    assert len(kept) == 2 and all(name.startswith(("answer0", "answer1")) for name in kept)


# --- the microphone goes away -------------------------------------------------------------


class FakePortAudioError(Exception):
    pass


class VanishingStream:
    """A fake `sounddevice.InputStream` that plays a clip, then loses its device:
    the callbacks stop and asking whether it is active raises PortAudioError."""

    def __init__(self, samples: np.ndarray, vanish_after_s: float, callback, blocksize: int, **_):
        self.samples = samples
        self.vanish_at = int(vanish_after_s * 16000)
        self.callback = callback
        self.blocksize = blocksize
        self.gone = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self._thread.start()

    def _run(self):
        status = types.SimpleNamespace(input_overflow=False)
        position = 0
        while position < self.vanish_at and not self._stop.is_set():
            block = self.samples[position : position + self.blocksize]
            self.callback(block.reshape(-1, 1), len(block), None, status)
            position += len(block)
            time.sleep(self.blocksize / 16000 / 8)  # eight times real time, as a fast microphone
        self.gone.set()

    @property
    def active(self):
        if self.gone.is_set():
            raise FakePortAudioError("Unanticipated host error [PaErrorCode -9999]: 'Device unavailable'")
        return True

    def stop(self):
        self._stop.set()
        if self.gone.is_set():
            raise FakePortAudioError("Device unavailable")

    def close(self):
        pass


def test_a_vanished_microphone_ends_the_take_with_its_audio_saved_and_one_line(clip, blank_analyzer, tmp_path, monkeypatch):  # noqa: F811
    from thinkaloud.audio.decode import load_audio

    samples = load_audio(clip).samples
    module = types.ModuleType("sounddevice")
    module.PortAudioError = FakePortAudioError
    module.query_devices = lambda device=None, kind=None: [
        {"index": 0, "name": "USB mic", "hostapi": 0, "max_input_channels": 1, "default_samplerate": 16000.0}]
    module.query_hostapis = lambda: [{"name": "ALSA"}]
    module.default = types.SimpleNamespace(device=[0, -1])
    module.InputStream = lambda **kw: VanishingStream(samples, 6.0, **kw)
    monkeypatch.setitem(sys.modules, "sounddevice", module)

    from thinkaloud.live.microphone import MicrophoneSource

    options = LiveOptions(sessions_root=tmp_path / "sessions")
    engine = LiveEngine(options, MicrophoneSource(), ScriptedDecoder(), blank_analyzer)
    events = list(engine.events())

    assert isinstance(events[-1], FinishedEvent) and events[-1].report is not None
    message = engine.error.message
    assert engine.error.exit_code == ExitCode.DEVICE and "\n" not in message
    assert "microphone stopped delivering audio" in message and str(engine.audio_path) in message
    folder = Path(events[-1].session_dir)
    layout = read_wav_layout(folder / "audio.wav")
    assert layout.declared_data_bytes == layout.available_data_bytes
    assert layout.declared_duration_s == pytest.approx(6.0, abs=0.2)
    assert (folder / "report.json").is_file()
    meta = read_meta(folder)
    assert meta.status == "interrupted" and "microphone" in meta.notes["error"]


# --- the disk fills up ----------------------------------------------------------------


def test_a_full_disk_stops_the_take_keeping_what_was_captured(clip, blank_analyzer, tmp_path, monkeypatch):  # noqa: F811
    full_after_bytes = 4 * 32000  # about four seconds of audio fit on the disk

    real_init = WavWriter.__init__

    def init(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        self._file = FillingFile(self._file, full_after_bytes)

    monkeypatch.setattr(WavWriter, "__init__", init)
    options = LiveOptions(source=clip, speed=8.0, sessions_root=tmp_path / "sessions")
    engine = LiveEngine(options, FileSource(clip, 8.0), ScriptedDecoder(), blank_analyzer)
    events = list(engine.events())

    assert isinstance(events[-1], FinishedEvent)
    error = engine.error
    assert error is not None and error.exit_code == ExitCode.OUTPUT and "\n" not in error.message
    assert "No space left on device" in error.message and str(engine.audio_path) in error.message
    assert "internal error" not in error.message
    folder = Path(events[-1].session_dir)
    layout = read_wav_layout(folder / "audio.wav")
    # A valid WAV declaring all that reached the disk before it filled up.
    assert layout.declared_data_bytes == layout.available_data_bytes
    assert 3.0 <= layout.declared_duration_s <= 4.0
    assert read_meta(folder).status == "interrupted"
    assert (folder / "report.json").is_file()


class FillingFile:
    """A file object whose disk is full once `limit` bytes (header included) were written."""

    def __init__(self, inner, limit: int):
        self.inner = inner
        self.limit = limit
        self.written = 44

    def write(self, data: bytes) -> int:
        if self.written + len(data) > self.limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.written += len(data)
        return self.inner.write(data)

    def __getattr__(self, name):
        return getattr(self.inner, name)


# --- the real command line, killed ----------------------------------------------------------


def start_live(tmp_path: Path, speed: float) -> tuple[subprocess.Popen, Path]:
    events = tmp_path / "events.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "thinkaloud", "live", "--no-tui", "--source", str(SAMPLE), "--speed", str(speed),
         "--events", str(events)],
        cwd=REPO, env=dict(os.environ), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    return process, events


def wait_for_audio(process: subprocess.Popen, events: Path, seconds: float) -> dict:
    """Poll the event log until a stats event reports `seconds` of captured audio; returns it."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"live ended early ({process.returncode}): {process.stderr.read().decode()[-800:]}")
        if events.exists():
            for line in reversed(events.read_text(encoding="utf-8").splitlines()):
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line being written
                if event["type"] == "stats":
                    if event["audio_s"] >= seconds:
                        return event
                    break
        time.sleep(POLL_S)
    process.kill()
    pytest.fail(f"no {seconds} s of audio captured within {WAIT_LIMIT_S} s")


def cli_json(*args: str) -> object:
    from tests.cli import thinkaloud

    result = thinkaloud(*args)
    assert result.code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.e2e
def test_a_sigkilled_live_take_is_found_repaired_and_recovered(tmp_path, isolated_home):
    from tests.cli import thinkaloud

    process, events = start_live(tmp_path, speed=1.0)
    stats = wait_for_audio(process, events, 15.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    captured_s = stats["audio_s"]

    rows = cli_json("history", "--format", "json")
    assert len(rows) == 1 and rows[0]["status"] == "interrupted" and rows[0]["report"] is None
    folder = Path(rows[0]["folder"])
    layout = read_wav_layout(folder / "audio.wav")  # repaired by the history command
    assert layout.declared_data_bytes == layout.available_data_bytes
    assert abs(layout.declared_duration_s - captured_s) <= 1.0, (layout.declared_duration_s, captured_s)

    listed = thinkaloud("recover")
    assert listed.code == 0 and listed.stdout.startswith(rows[0]["id"])
    recovered = thinkaloud("recover", rows[0]["id"])
    assert recovered.code == 0, recovered.stderr
    report = json.loads((folder / "report.json").read_text())
    assert report["metrics"]["words"] > 10
    assert report["metrics"]["duration_s"] == pytest.approx(layout.declared_duration_s, abs=0.05)
    assert "words" in recovered.stdout or "wpm" in recovered.stdout
    meta = read_meta(folder)
    assert meta.status == "complete" and meta.notes["recovered"]["audio_s"] == pytest.approx(layout.declared_duration_s, abs=0.01)
    assert cli_json("history", "--format", "json")[0]["status"] == "complete"


@pytest.mark.e2e
def test_ctrl_c_in_live_saves_the_take_as_complete(tmp_path, isolated_home):
    """SIGINT stops and saves (`StopOnSignals`): the command then exits 0, not 130,
    because the take ended the way the user asked; only a second Ctrl+C exits 130."""
    process, events = start_live(tmp_path, speed=4.0)
    wait_for_audio(process, events, 10.0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=WAIT_LIMIT_S)

    assert process.returncode == 0, err.decode()[-800:]
    assert "stopping and saving" in err.decode() and "saved session" in out.decode()
    rows = cli_json("history", "--format", "json")
    assert len(rows) == 1 and rows[0]["status"] == "complete" and rows[0]["words"] > 0
    assert 10.0 <= rows[0]["duration_s"] < SAMPLE_S - 5.0  # stopped mid-take, not played to the end
    assert Path(rows[0]["report"]).is_file()


def test_a_killed_recorder_not_yet_reaped_counts_as_gone():
    from thinkaloud.sessions.layout import process_alive, process_start_token

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    token = process_start_token(child.pid)
    # Wait for it to exit but leave it unreaped: a zombie, which kill(pid, 0) still reaches.
    os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOWAIT)
    try:
        assert not process_alive(child.pid, token)
    finally:
        child.wait()
    assert process_alive(os.getpid(), process_start_token(os.getpid()))
