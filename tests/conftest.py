"""Shared fixtures.  Tiers: unit tests use a blank spaCy pipeline or a fake
transcriber; tests marked `e2e` run the real tiny.en model on real audio."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"
SHARED_AUDIO = REPO.parent / "shared" / "audio"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory, monkeypatch):
    """Every test gets its own data home, so none touches the user's sessions or config."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("THINKALOUD_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def shared_audio() -> Path:
    if not SHARED_AUDIO.is_dir():
        pytest.skip(f"real recordings not found at {SHARED_AUDIO}")
    return SHARED_AUDIO


@pytest.fixture(scope="session")
def text_analyzer():
    """The real detectors on the real small English pipeline, loaded once."""
    from thinkaloud.nlp.pipeline import TextAnalyzer

    return TextAnalyzer()


@pytest.fixture(scope="session")
def analyzer(text_analyzer):
    """The real analysis spine (tiny.en loads on first audio use), shared across tests."""
    from thinkaloud.analyze import Analyzer

    return Analyzer(text_analyzer=text_analyzer)
