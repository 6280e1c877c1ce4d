"""The table of kinds is the one place a kind is declared: everything else follows it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from thinkaloud import kinds
from thinkaloud.analysis.coaching import summarize
from thinkaloud.config import DETECTORS, TEMPLATE
from thinkaloud.evaluation.detection import SCORED_KINDS
from thinkaloud.nlp.cues import PATTERN_DIR
from thinkaloud.nlp.options import DetectorOptions
from thinkaloud.report.html import STYLE, render_html
from thinkaloud.report.markdown import render_markdown
from thinkaloud.report.serialize import report_from_dict, report_to_dict, schema
from thinkaloud.report.text import render_text
from thinkaloud.types import Metrics, Signal


def test_every_detected_kind_has_its_patterns_file_and_every_checklist_kind_its_words():
    for name in kinds.CUE_KINDS:
        assert (PATTERN_DIR / f"{name}.jsonl").is_file(), name
    for name in kinds.CHECKLIST_KINDS:
        kind = kinds.BY_NAME[name]
        assert kind.checklist and kind.missing_tip and kind.plural, name
    assert kinds.CHECKLIST_KINDS == tuple(k for _, part in kinds.CHECKLIST_PARTS for k in part)


def test_letters_tell_the_marks_of_one_lane_apart():
    sentence_letters = [kinds.BY_NAME[k].letter for k in kinds.SENTENCE_KINDS]
    assert len(set(sentence_letters)) == len(sentence_letters)
    names = [look.name for look in kinds.looks()]
    assert len(set(names)) == len(names)


def test_options_schema_config_and_eval_follow_the_table():
    assert DetectorOptions().enabled == kinds.TEXT_KINDS == DETECTORS
    assert ", ".join(kinds.TEXT_KINDS) in TEMPLATE
    doc = schema()
    assert doc["properties"]["signals"]["items"]["properties"]["kind"]["enum"] == list(kinds.NAMES)
    assert list(doc["properties"]["summary"]["properties"]["checklist"]["properties"]) == list(kinds.CHECKLIST_KINDS)
    assert set(SCORED_KINDS) == set(kinds.SENTENCE_KINDS) | set(kinds.PHRASE_KINDS)


def test_each_kind_has_its_colour_in_the_html_report_and_on_the_screen():
    from thinkaloud.ui.palette import (
        KIND_COMPONENT_CLASSES,
        KIND_CSS,
        KIND_CSS_VARIABLES,
    )

    for look in kinds.looks():
        assert f".kind--{look.name}" in KIND_CSS and f"tag--{look.name}" in KIND_COMPONENT_CLASSES
        assert KIND_CSS_VARIABLES[look.name] == look.term
    for name in kinds.CUE_KINDS:
        look = kinds.BY_NAME[name].look
        assert f".k-{name} {{" in STYLE and f"--{name}: {look.light};" in STYLE and f"--{name}: {look.dark};" in STYLE
    assert "@" not in STYLE.replace("@media", "")  # every placeholder was filled in


def _report_with(text_report, kind: str):
    sentence = text_report.sentences[1]
    signal = Signal(kind, sentence.text, sentence.text.split()[0], sentence.start, sentence.end,
                    sentence.char_start, sentence.char_end)
    signals = tuple(sorted(text_report.signals + (signal,), key=lambda s: (s.char_start or 0)))
    summary = summarize(signals, text_report.metrics)
    return dataclasses.replace(text_report, signals=signals, summary=summary)


@pytest.fixture(scope="module")
def text_report(text_analyzer):
    from tests.sample_reports import text_sample_report

    return text_sample_report("weak", text_analyzer)


@pytest.mark.parametrize("kind", kinds.SENTENCE_KINDS)
def test_a_sentence_kind_shows_in_every_report_format(text_report, kind):
    report = _report_with(text_report, kind)
    label, checklist = kinds.LABELS[kind], kinds.CHECKLIST_LABELS[kind]
    text = render_text(report)
    assert f"✓ {checklist}" in text and f" {label} " in text
    markdown = render_markdown(report)
    assert f"- [x] {checklist}" in markdown and f"| {label} |" in markdown
    page = render_html(report)
    assert f'<span class="tag k-{kind}">{label}</span>' in page and f"k-{kind}" in page
    assert json.loads(json.dumps(report_to_dict(report)))["summary"]["checklist"][kind]["present"] is True


def test_a_report_from_before_the_depth_kinds_still_loads_and_renders(text_report):
    data = report_to_dict(text_report)
    for name in kinds.DEPTH_KINDS:
        data["summary"]["checklist"].pop(name)
    data["summary"]["checklist"]["clarifying_question"] = {"present": True, "first_at": None}  # from a later release
    report = report_from_dict(data)
    assert list(report.summary.checklist) == list(kinds.STRUCTURE_KINDS)
    assert report.summary.item("rationale").present is False
    text = render_text(report)
    assert "Structure" in text and "Depth" not in text
    assert "## Depth" not in render_markdown(report)
    assert "<h2>Depth</h2>" not in render_html(report)


def test_missing_checklist_kinds_bring_the_table_s_tips_ranked_by_it(text_report):
    bare = Metrics(duration_s=60.0, speaking_time_s=55.0, words=150, wpm=160.0, silence_count=0,
                   longest_silence_s=0.0, filler_count=0, hedge_count=0)
    summary = summarize((), bare)
    framing = kinds.BY_NAME["framing"]
    assert summary.tips[0] == framing.missing_tip  # the most important missing part comes first
    assert all(tip in {kinds.BY_NAME[k].missing_tip for k in kinds.CHECKLIST_KINDS} for tip in summary.tips)
