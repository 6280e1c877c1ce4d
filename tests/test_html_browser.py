"""The HTML exports in a real headless Chromium: they render, stay offline, and show the timeline.

Skipped, with the reason, where Chromium is not installed (CI installs
Debian's `chromium`).  Screenshots are written to $THINKALOUD_ARTIFACTS
when it is set, so a person can look at them.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from tests.chromium import Browser, Page, decode_png, find_chromium
from tests.sample_reports import SAMPLE_QUESTION, text_sample_report, timed_sample_report
from thinkaloud.report.html import render_history_html, render_html
from thinkaloud.sessions.record import QuestionRef, save_report
from thinkaloud.sessions.store import SessionStore, trend_rows

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium); HTML is not checked in a browser"
)

#: The light theme's colours for speech and for a long silence (see STYLE in thinkaloud.report.html).
SPEECH_RGB = (0x8F, 0xA9, 0xC4)
SILENCE_RGB = (0xD9, 0x8A, 0x1C)
FRAMING_RGB = (0x2F, 0x6D, 0xB3)


@pytest.fixture(scope="module")
def browser():
    with Browser(CHROMIUM) as running:
        yield running


@pytest.fixture(scope="module")
def reports(text_analyzer):
    return {
        "strong": timed_sample_report("strong", text_analyzer),
        "weak": timed_sample_report("weak", text_analyzer),
        "text": text_sample_report("weak", text_analyzer),
    }


def keep(name: str, png: bytes) -> None:
    folder = os.environ.get("THINKALOUD_ARTIFACTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        Path(folder, name).write_bytes(png)


def open_page(browser, tmp_path: Path, name: str, html: str) -> Page:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    page = Page(browser, path)
    assert page.problems == []
    assert page.requests == [path.resolve().as_uri()]  # nothing else was fetched, or even attempted
    return page


def pixels_near(image: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    difference = np.abs(image[..., :3].astype(int) - np.array(rgb)).max(axis=-1)
    return int((difference <= tolerance).sum())


def box(page: Page, selector: str) -> dict:
    return page.evaluate(
        f"(() => {{ const r = document.querySelector({selector!r}).getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; })()"
    )


def test_the_harness_catches_a_broken_page(browser, tmp_path):
    path = tmp_path / "broken.html"
    path.write_text('<!DOCTYPE html><img src="https://example.invalid/x.png"><script>throw new Error("boom")</script>')
    page = Page(browser, path)
    assert any("boom" in problem for problem in page.problems)
    assert any(url.startswith("https://example.invalid") for url in page.requests)


def test_a_take_renders_with_its_timeline(browser, reports, tmp_path):
    report = reports["weak"]
    page = open_page(browser, tmp_path, "weak.html", render_html(report))
    timeline = box(page, "svg.timeline")
    assert timeline["width"] > 800 and timeline["height"] > 120
    # Every speech stretch and the long silence are drawn, inside the timeline and not covered.
    assert page.evaluate("document.querySelectorAll('svg.timeline rect.speech').length") == len(report.speech)
    hit = page.evaluate(
        "(() => { const r = document.querySelector('svg.timeline rect.k-silence').getBoundingClientRect();"
        " const e = document.elementFromPoint(r.x + 3, r.y + 3); return e && e.closest('a').getAttribute('href'); })()"
    )
    assert hit == "#silence-1"
    assert page.evaluate("document.querySelector('svg.timeline .shift-abrupt text').textContent") == "⚠ abrupt jump"
    marks = [s for s in report.signals if s.kind in ("framing", "assumption", "tradeoff", "limitation", "recap",
                                                     "filler", "hedge")]
    assert page.evaluate("document.querySelectorAll('svg.timeline .mark').length") == len(marks)
    # Each mark links to a sentence that exists in the transcript.
    assert page.evaluate(
        "[...document.querySelectorAll('svg.timeline a')].every(a => document.querySelector(a.getAttribute('href')))"
    )
    png = page.screenshot({"x": timeline["x"], "y": timeline["y"], "width": timeline["width"], "height": timeline["height"]})
    keep("weak-timeline.png", png)
    image = decode_png(png)
    assert pixels_near(image, SPEECH_RGB) > 2000  # the speech bars
    assert pixels_near(image, SILENCE_RGB) > 300  # the 6 s silence
    keep("weak-page.png", page.screenshot())


def test_a_strong_take_shows_its_structure_marks(browser, reports, tmp_path):
    page = open_page(browser, tmp_path, "strong.html", render_html(reports["strong"]))
    timeline = box(page, "svg.timeline")
    image = decode_png(page.screenshot({k: timeline[k] for k in ("x", "y", "width", "height")}))
    assert pixels_near(image, FRAMING_RGB) > 200
    assert pixels_near(image, SILENCE_RGB) == 0  # this take has no long silence
    labels = page.evaluate("[...document.querySelectorAll('.sent .tag')].map(t => t.textContent)")
    assert {"framing", "assumption", "trade-off", "limitation", "recap", "→ signposted shift"} <= set(labels)
    # Following a timeline mark lands on its sentence.
    href = page.evaluate("document.querySelector('svg.timeline .k-recap').closest('a').getAttribute('href')")
    page.evaluate(f"location.hash = {href!r}")
    assert page.evaluate("document.querySelector(':target').textContent").startswith("recap")


def test_a_saved_take_carries_its_question(browser, reports, tmp_path):
    saved = save_report(reports["weak"], kind="file", source="/x/weak_answer.wav",
                        question=QuestionRef(SAMPLE_QUESTION, "ml-churn"))
    with SessionStore() as store:
        session = store.load(saved.id)
    page = open_page(browser, tmp_path, "session.html", render_html(session.report, meta=session.meta))
    assert page.evaluate("document.querySelector('h1').textContent") == SAMPLE_QUESTION
    assert saved.id in page.evaluate("document.querySelector('.facts').textContent")


def test_a_text_take_renders_by_position(browser, reports, tmp_path):
    page = open_page(browser, tmp_path, "text.html", render_html(reports["text"]))
    assert page.evaluate("document.querySelectorAll('svg.timeline rect.speech').length") == 0
    assert page.evaluate("document.querySelectorAll('svg.timeline .mark').length") > 0


def test_the_history_page_charts_the_metrics(browser, reports, tmp_path):
    question = QuestionRef(SAMPLE_QUESTION, "ml-churn")
    for name in ("weak", "weak", "strong"):
        save_report(reports[name], kind="file", source=f"/x/{name}_answer.wav", question=question)
    with SessionStore() as store:
        rows = store.list()
    page = open_page(browser, tmp_path, "history.html", render_history_html(rows, trend_rows(rows)))
    assert page.evaluate("document.querySelectorAll('svg.chart').length") == 6
    dots = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('svg.chart')].map(c =>"
        " [c.querySelector('.chart-title').textContent, c.querySelectorAll('circle.dot').length]))"
    )
    # Three takes in each chart, except time to framing, which only takes that framed the problem have.
    framed = sum(1 for row in rows if row.framing_at is not None)
    assert dots == {"Structure (of 5)": 3, "Pace (wpm)": 3, "Fillers": 3, "Hedges": 3, "Long silences": 3,
                    "Time to framing (s)": framed}
    assert page.evaluate("document.querySelectorAll('#takes tbody tr').length") == 3
    charts = box(page, "#trends")
    keep("history.png", page.screenshot({k: charts[k] for k in ("x", "y", "width", "height")}))


def test_the_page_prints_without_losing_the_timeline(browser, reports, tmp_path):
    page = open_page(browser, tmp_path, "print.html", render_html(reports["weak"]))
    page.call("Emulation.setEmulatedMedia", {"media": "print"})
    assert box(page, "svg.timeline")["width"] > 500
    assert page.evaluate("getComputedStyle(document.querySelector('svg.timeline rect.k-silence')).fill") != "none"
