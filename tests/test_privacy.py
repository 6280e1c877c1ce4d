"""Nothing leaves the machine, and what stays is the owner's alone.

The network checks run the real command inside a fresh network namespace with
no interfaces (`unshare -n`, which needs root or user namespaces), with the
Hugging Face offline switch unset and an empty HOME: the bundled models must
be enough, and nothing may be written outside the data home (no caches, no
telemetry device ids).  The permission checks run with a wide-open umask and
look at every session folder and file, and at the SQLite index.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import REPO
from tests.conftest import SAMPLES

#: Variables that could make a run look offline-safe when it is not, or leak the user's own caches in.
#: ONNX Runtime also keeps quiet by itself when it sees CI or its own test switch, which a user's
#: machine does not set, so those go too.
SCRUBBED = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE", "HF_HOME", "HF_HUB_CACHE",
            "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "ORT_DISABLE_TELEMETRY", "CI",
            "ORT_RUNNING_UNIT_TESTS")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env["HOME"] = str(home)
    return env


def run(args: list[str], env: dict[str, str], offline: bool = False, umask: int | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess:
    prefix = ["unshare", "-n", "--"] if offline else []
    return subprocess.run(
        [*prefix, sys.executable, "-m", "thinkaloud", *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=timeout, stdin=subprocess.DEVNULL,
        preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
    )


@pytest.fixture(scope="module")
def no_network():
    """Skip unless this machine can make a network namespace, and prove it has no way out."""
    if shutil.which("unshare") is None:
        pytest.skip("no `unshare` command (util-linux) to run without a network")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace (needs root or user namespaces): {probe.stderr.strip()}")
    escape = subprocess.run(
        ["unshare", "-n", "--", sys.executable, "-c",
         "import socket; socket.create_connection(('1.1.1.1', 443), timeout=3)"],
        capture_output=True, text=True,
    )
    assert escape.returncode != 0, "a connection got out of the network namespace"


@pytest.fixture
def empty_home(tmp_path):
    home = tmp_path / "user-home"
    home.mkdir()
    return home


@pytest.fixture
def fresh_data_home(tmp_path, monkeypatch):
    """A data home that does not exist yet, so thinkaloud creates (and sets the mode of) every part of it."""
    home = tmp_path / "data" / "thinkaloud"
    monkeypatch.setenv("THINKALOUD_HOME", str(home))
    return home


def written_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.e2e
def test_analyze_needs_no_network_and_writes_nothing_outside_the_data_home(no_network, empty_home, isolated_home):
    result = run(["analyze", str(SAMPLES / "weak_answer.wav"), "--format", "json", "--no-save"],
                 clean_env(empty_home), offline=True)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["model"]["asr"] and len(report["transcript"]["words"]) > 50
    assert {"filler", "hedge"} <= {s["kind"] for s in report["signals"]}
    # No model download caches, no telemetry device id (ONNX Runtime writes one unless opted out).
    assert written_under(empty_home) == []
    assert written_under(isolated_home) == [], "--no-save keeps nothing"


def live_is_available() -> str | None:
    """Why the live check cannot run yet, or None when it can."""
    if not (REPO / "thinkaloud" / "live" / "session.py").is_file():
        return "the live engine (thinkaloud/live/session.py) is not there yet"
    help_run = subprocess.run([sys.executable, "-m", "thinkaloud", "live", "--help"], capture_output=True, text=True,
                              cwd=REPO, timeout=60)
    if help_run.returncode != 0 or "--source" not in help_run.stdout:
        return f"`thinkaloud live --help` does not work yet: {help_run.stderr.strip()[:200]}"
    return None


@pytest.mark.e2e
def test_a_live_take_needs_no_network_and_is_kept_privately(no_network, empty_home, fresh_data_home):
    reason = live_is_available()
    if reason:
        pytest.skip(reason)
    result = run(["live", "--no-tui", "--source", str(SAMPLES / "weak_answer.wav"), "--speed", "8"],
                 clean_env(empty_home), offline=True, umask=0)
    assert result.returncode == 0, result.stderr
    assert written_under(empty_home) == []
    sessions = [p for p in (fresh_data_home / "sessions").iterdir() if not p.name.startswith(".")]
    assert len(sessions) == 1
    assert (sessions[0] / "audio.wav").is_file() and (sessions[0] / "report.json").is_file()
    assert_owner_only(fresh_data_home)


# --- what stays on the machine is the owner's alone ----------------------------------------------


def assert_owner_only(data_home: Path) -> None:
    """Every folder 0700 and every file 0600, the data home itself included."""
    assert stat.S_IMODE(data_home.stat().st_mode) == 0o700, oct(data_home.stat().st_mode)
    for path in data_home.rglob("*"):
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            assert mode == 0o700, (str(path), oct(mode))
        elif path.is_file():
            assert mode == 0o600, (str(path), oct(mode))


def test_saved_sessions_and_the_index_are_owner_only_even_with_an_open_umask(tmp_path, empty_home, fresh_data_home):
    answer = tmp_path / "answer.txt"
    answer.write_text("So the goal is retention. I'll assume a million users. To summarize, trees.\n")
    for _ in range(2):  # the second save opens an existing index, as every later take does
        result = run(["analyze", str(answer), "--quiet"], clean_env(empty_home), umask=0)
        assert result.returncode == 0, result.stderr
    sessions = [p for p in (fresh_data_home / "sessions").iterdir() if not p.name.startswith(".")]
    assert len(sessions) == 2
    for folder in sessions:
        assert {"report.json", "session.json"} <= {p.name for p in folder.iterdir()}
    databases = [p for p in fresh_data_home.iterdir() if p.is_file() and ".sqlite" in p.name]
    assert databases, written_under(fresh_data_home)
    assert_owner_only(fresh_data_home)
    history = run(["history", "--format", "json"], clean_env(empty_home), umask=0)
    assert history.returncode == 0 and len(json.loads(history.stdout)) == 2
    assert_owner_only(fresh_data_home)


def test_importing_thinkaloud_opts_out_of_onnx_runtime_telemetry(empty_home):
    """The switch must be set before any stage loads ONNX Runtime, i.e. on import."""
    probe = subprocess.run(
        [sys.executable, "-c", "import os, thinkaloud; print(os.environ.get('ORT_DISABLE_TELEMETRY'))"],
        capture_output=True, text=True, env=clean_env(empty_home), cwd=REPO,
    )
    assert probe.stdout.strip() == "1"
