"""The JSON contract (validated against the shipped schema) and the human renderings."""

from __future__ import annotations

import json

import jsonschema
import pytest

from thinkaloud.report import SCHEMA_ID, report_from_dict, report_to_dict, schema
from thinkaloud.report.markdown import render_markdown
from thinkaloud.report.text import render_text

TEXT = (
    "So the goal is to cut churn. I'll assume a million users. Um, it's faster but less accurate. "
    "This falls apart when users are new. Also, Kafka partitions are a pain to rebalance. "
    "Consumer groups stall on every rejoin. To summarize, trees and nightly scoring."
)


@pytest.fixture(scope="module")
def report(analyzer):
    return analyzer.analyze_text(TEXT, source="answer.txt")


def test_report_matches_schema(report):
    data = report_to_dict(report)
    jsonschema.validate(data, schema())
    assert data["schema"] == SCHEMA_ID
    assert data["transcript"]["text"] == TEXT


def test_offsets_index_the_transcript(report):
    data = report_to_dict(report)
    text = data["transcript"]["text"]
    for signal in data["signals"]:
        if signal["char_start"] is not None:
            assert text[signal["char_start"] : signal["char_end"]] == signal["text"]


def test_round_trip(report):
    data = report_to_dict(report)
    again = report_to_dict(report_from_dict(json.loads(json.dumps(data))))
    assert again == data


def test_schema_rejects_a_broken_report(report):
    data = report_to_dict(report)
    data["signals"].append({"kind": "bogus", "text": "", "cue": "", "start": None, "end": None, "char_start": None, "char_end": None})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_text_rendering_names_what_was_found(report):
    text = render_text(report)
    assert "✓ framed the problem" in text and "✓ recapped" in text
    assert "abrupt jump" in text
    assert "\033[" not in text  # no colour codes unless asked


def test_markdown_rendering(report):
    md = render_markdown(report)
    assert md.startswith("# thinkaloud report")
    assert "- [x] stated assumptions" in md
    assert "*[abrupt jump]*" in md
