"""The microphone path on real audio: PortAudio capturing from a virtual microphone.

PulseAudio's `module-null-sink` is a sink whose `.monitor` is a capture
device; ALSA's pulse plugin shows it to PortAudio as the "pulse" device.  The
test plays a recording into the sink with `paplay` while `thinkaloud live
--mic pulse` records, then checks the take holds all of it (the stretch with
sound lasts as long as in the file, within 0.1 s) and was transcribed.

Needs a running PulseAudio server, pactl/paplay and the ALSA pulse plugin;
.ci/run starts them (see the module's skip reasons for what is missing).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import numpy as np
import pytest

from tests.audio_files import write_wav
from thinkaloud.audio.decode import load_audio

REPO = Path(__file__).resolve().parents[1]
# The first two sentences of the strong sample (0.5-11.05 s): sound at both ends.
EXCERPT = (0.3, 11.25)
LAST_WORD = "inactive"
pytestmark = pytest.mark.e2e


def pulse_problem() -> str | None:
    for tool in ("pactl", "paplay"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install pulseaudio-utils)"
    try:
        info = subprocess.run(["pactl", "info"], capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return "pactl info timed out"
    if info.returncode != 0:
        return "PulseAudio is not running (start it with: pulseaudio -D --exit-idle-time=-1)"
    if not any(Path(p).is_file() for p in ("/usr/share/alsa/alsa.conf.d/pulse.conf", "/etc/alsa/conf.d/99-pulse.conf")):
        return "the ALSA pulse plugin is not installed (apt-get install libasound2-plugins)"
    return None


@pytest.fixture
def virtual_microphone():
    problem = pulse_problem()
    if problem:
        pytest.skip(problem)
    sink = f"thinkaloud_test_{uuid.uuid4().hex[:8]}"
    loaded = subprocess.run(
        ["pactl", "load-module", "module-null-sink", f"sink_name={sink}"], capture_output=True, text=True, timeout=10
    )
    assert loaded.returncode == 0, loaded.stderr
    try:
        yield sink
    finally:
        subprocess.run(["pactl", "unload-module", loaded.stdout.strip()], capture_output=True, timeout=10)


def sounding_extent(samples: np.ndarray, rate: int = 16000, threshold: float = 0.02) -> float:
    loud = np.flatnonzero(np.abs(samples) > threshold)
    return (loud[-1] - loud[0]) / rate if len(loud) else 0.0


def test_live_captures_a_played_recording_in_full_and_transcribes_it(virtual_microphone, tmp_path):
    clip = load_audio(REPO / "samples" / "strong_answer.wav").samples
    excerpt = clip[int(EXCERPT[0] * 16000) : int(EXCERPT[1] * 16000)]
    played = write_wav(tmp_path / "played.wav", excerpt)
    events_path = tmp_path / "events.jsonl"
    env = {**os.environ, "PULSE_SOURCE": f"{virtual_microphone}.monitor", "THINKALOUD_HOME": str(tmp_path / "home")}
    live = subprocess.Popen(
        [sys.executable, "-m", "thinkaloud", "live", "--no-tui", "--mic", "pulse", "--events", str(events_path)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr_lines: list[str] = []
    listening = threading.Event()

    def read_stderr() -> None:
        for line in live.stderr:
            stderr_lines.append(line)
            if "listening on" in line:
                listening.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        assert listening.wait(60), "live never started listening: " + "".join(stderr_lines)
        subprocess.run(["paplay", f"--device={virtual_microphone}", str(played)], check=True, timeout=60)
        # Wait (on the event log, not the clock) until the last word was transcribed.
        done = threading.Event()
        for _ in range(600):
            text = events_path.read_text(encoding="utf-8") if events_path.exists() else ""
            if any(
                json.loads(line).get("type") == "final"
                and LAST_WORD in " ".join(word["text"] for word in json.loads(line)["words"]).lower()
                for line in text.splitlines()
            ):
                done.set()
                break
            if live.poll() is not None or done.wait(0.1):
                break
        assert done.is_set(), "the last word never arrived: " + "".join(stderr_lines)
        live.send_signal(2)  # Ctrl+C: stop and save
        stdout, _ = live.communicate(timeout=60)
    finally:
        if live.poll() is None:
            live.kill()
    reader.join(timeout=5)
    assert live.returncode == 0, "".join(stderr_lines)

    audio_line = next(line for line in stdout.splitlines() if line.strip().startswith("audio:"))
    audio_path = Path(audio_line.split("audio:", 1)[1].strip())
    captured = load_audio(audio_path).samples
    assert sounding_extent(captured) == pytest.approx(sounding_extent(excerpt), abs=0.1)
    report_path = audio_path.with_name("report.json")
    report = json.loads(report_path.read_text(encoding="utf-8"))
    text = report["transcript"]["text"].lower()
    assert "customer" in text and "subscription service" in text and LAST_WORD in text
    events = [json.loads(line) for line in events_path.read_text(encoding="utf-8").splitlines()]
    overflow = [e for e in events if e["type"] == "overflow"]
    assert not overflow or overflow[-1]["dropped_blocks"] == 0
