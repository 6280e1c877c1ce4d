"""A new user's first session, end to end, with the real model on the practice recordings.

Two analysed takes of the sample question and one live take played from a
file: history lists all three, compare shows what changed between the two
analysed takes, and the HTML export opens in a browser with its timeline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.chromium import Browser, Page, find_chromium
from tests.cli import thinkaloud
from tests.sample_reports import SAMPLE_QUESTION, SAMPLES
from thinkaloud.cli import COMMANDS
from thinkaloud.report.subtitles import parse_srt

pytestmark = pytest.mark.e2e


def test_a_new_users_first_three_takes(tmp_path):
    takes = {}
    for name in ("weak", "strong"):
        result = thinkaloud("analyze", str(SAMPLES / f"{name}_answer.wav"), "--question", "ml-churn", "--format", "json")
        assert result.code == 0, result.stderr
        takes[name] = result.stderr.split("saved as session ")[1].split()[0]
    if "live" in COMMANDS:
        live = thinkaloud("live", "--source", str(SAMPLES / "strong_answer.wav"), "--speed", "8", "--no-tui",
                          "--question", "ml-churn", timeout=240)
        assert live.code == 0, live.stderr

    sessions = json.loads(thinkaloud("history", "--format", "json").stdout)
    expected = 3 if "live" in COMMANDS else 2
    assert len(sessions) == expected
    assert {s["question"] for s in sessions} == {SAMPLE_QUESTION}
    assert all(s["status"] == "complete" and s["report"] for s in sessions)
    if "live" in COMMANDS:
        # How much the live take catches depends on the machine keeping up; that it is a complete take does not.
        assert sessions[0]["kind"] == "live" and sessions[0]["words"] > 0
    table = thinkaloud("history")
    assert table.code == 0 and f"Trend over {expected} analysed takes" in table.stdout

    compared = json.loads(thinkaloud("compare", takes["weak"], takes["strong"], "--format", "json").stdout)
    reports = {s["id"]: json.loads(Path(s["report"]).read_text()) for s in sessions}
    checklists = {name: reports[take]["summary"]["checklist"] for name, take in takes.items()}
    for kind, item in compared["checklist"].items():
        assert (item["before"], item["after"]) == (checklists["weak"][kind]["present"], checklists["strong"][kind]["present"])
    assert sum(item["change"] == "added" for item in compared["checklist"].values()) >= 2
    assert compared["metrics"]["silence_count"] == {**compared["metrics"]["silence_count"], "before": 1, "after": 0,
                                                    "verdict": "better"}
    assert compared["statements"]["limitation"]["added"]

    weak_page = tmp_path / "weak.html"
    assert thinkaloud("export", takes["weak"], "--format", "html", "-o", str(weak_page)).code == 0
    srt = thinkaloud("export", "latest", "--format", "srt")
    assert srt.code == 0 and len(parse_srt(srt.stdout)) > 10

    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed; the exported page was not opened in a browser")
    with Browser(chromium) as browser:
        page = Page(browser, weak_page)
        assert page.problems == [] and page.requests == [weak_page.resolve().as_uri()]
        assert page.evaluate("document.querySelector('svg.timeline').getBoundingClientRect().width") > 800
        assert page.evaluate("document.querySelectorAll('svg.timeline rect.k-silence').length") == 1
