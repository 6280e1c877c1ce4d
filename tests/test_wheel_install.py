"""A wheel built from this checkout, installed where no source tree is near,
gives exactly the signals of the checkout: the signal model ships inside the
package and nothing is looked up beside the source.

The fresh environment gets the wheel alone (`--no-deps`); its dependencies
come from the test environment's site-packages through a path entry, which
adds their folder but not the editable install's import hook.
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "\n".join([
    "So the question is how we'd predict churn for a subscription app, and what counts as success.",
    "I'll assume we have a year of usage logs and about a million active subscribers.",
    "Gradient boosting is quicker to train, but it's noticeably worse on rare classes.",
    "The weak spot is cold start: brand-new users have no history at all.",
    "To sum up, nightly trees, a daily table, and a weekly check for drift.",
])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built as a user's `pip install .` builds it: in isolation, from the project's build requirements.
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        check=True, capture_output=True, cwd=out,
    )
    return next(out.glob("thinkaloud-*.whl"))


def test_an_installed_wheel_gives_the_signals_of_the_checkout(wheel, tmp_path, text_analyzer):
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    Path(site, "deps-from-test-env.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    transcript = tmp_path / "answer.txt"
    transcript.write_text(SAMPLE)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [str(python), "-m", "thinkaloud", "analyze", str(transcript), "--format", "json", "--no-save", "-q"],
        capture_output=True, text=True, cwd=elsewhere,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "THINKALOUD_HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    located = subprocess.run(
        [str(python), "-c", "import thinkaloud; print(thinkaloud.__file__)"],
        capture_output=True, text=True, cwd=elsewhere, check=True,
    ).stdout
    assert str(REPO) not in located, "the fresh environment imported the checkout, not the wheel"
    installed = sorted((s["kind"], s["text"]) for s in json.loads(result.stdout)["signals"] if s["kind"] != "silence")
    findings = text_analyzer.find(SAMPLE)
    here = sorted((c.kind, findings.sentences[c.sentence].text) for c in findings.cues)
    assert installed == here
    assert {kind for kind, _ in installed} >= {"framing", "assumption", "tradeoff", "recap"}
