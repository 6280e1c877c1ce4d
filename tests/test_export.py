"""Exporting a take: JSON against the schema, SRT/VTT read back, Markdown and self-contained HTML."""

from __future__ import annotations

import html
import json
import re

import jsonschema
import pytest

from tests.cli import thinkaloud
from tests.sample_reports import SAMPLE_QUESTION, text_sample_report, timed_sample_report
from thinkaloud.errors import InputError
from thinkaloud.report import schema
from thinkaloud.report.html import render_html
from thinkaloud.report.subtitles import SubtitleOptions, build_cues, parse_srt, parse_vtt, render_srt, render_vtt
from thinkaloud.sessions.record import QuestionRef, save_report


@pytest.fixture(scope="module")
def reports(text_analyzer):
    return {
        "strong": timed_sample_report("strong", text_analyzer),
        "weak": timed_sample_report("weak", text_analyzer),
        "text": text_sample_report("strong", text_analyzer),
    }


def words_of(text: str) -> list[str]:
    return re.findall(r"[\w'%-]+", text.lower())


# --- subtitles -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["strong", "weak"])
def test_srt_reads_back_with_every_word_in_order_and_no_overlap(reports, name):
    report = reports[name]
    cues = parse_srt(render_srt(report))
    assert words_of(" ".join(c.text for c in cues)) == words_of(report.transcript.text)
    for cue, following in zip(cues, cues[1:]):
        assert cue.start < cue.end <= following.start
    first, last = report.transcript.words[0], report.transcript.words[-1]
    assert cues[0].start == pytest.approx(first.start, abs=0.001)
    assert cues[-1].end >= last.end - 0.001


@pytest.mark.parametrize("name", ["strong", "weak"])
def test_cues_respect_the_reading_limits(reports, name):
    options = SubtitleOptions()
    for cue in build_cues(reports[name], options):
        assert len(cue.lines) <= options.max_lines
        assert all(len(line) <= options.max_line_chars for line in cue.lines)
        spoken = cue.words[-1].end - cue.words[0].start
        assert spoken <= options.max_cue_s


def test_a_cue_never_spans_a_long_silence(reports):
    silence = next(s for s in reports["weak"].signals if s.kind == "silence")
    for cue in parse_srt(render_srt(reports["weak"])):
        assert not (cue.start < silence.start and cue.end > silence.end)


def test_vtt_reads_back_with_word_timestamps_inside_each_cue(reports):
    report = reports["strong"]
    content = render_vtt(report, title=SAMPLE_QUESTION)
    assert content.startswith(f"WEBVTT - {SAMPLE_QUESTION}\n\n")
    cues = parse_vtt(content)
    assert [(c.start, c.end, c.text) for c in cues] == [(c.start, c.end, c.text) for c in parse_srt(render_srt(report))]
    stamps = [t for c in cues for t in c.word_starts]
    assert len(stamps) == len(report.transcript.words) - len(cues)  # every word but each cue's first
    for cue in cues:
        assert all(cue.start < t < cue.end for t in cue.word_starts)
        assert list(cue.word_starts) == sorted(cue.word_starts)


def test_vtt_without_word_timestamps_is_plain(reports):
    content = render_vtt(reports["strong"], SubtitleOptions(word_timestamps=False))
    assert "<" not in content.split("\n", 1)[1].replace("-->", "")


def test_a_text_take_has_no_subtitles(reports):
    with pytest.raises(InputError, match="analysed from a text transcript, so it has no word timings"):
        render_srt(reports["text"])


def test_the_parsers_reject_broken_files():
    with pytest.raises(ValueError):
        parse_srt("1\n00:00:01,000 -> 00:00:02,000\nhello\n")
    with pytest.raises(ValueError):
        parse_vtt("1\n00:00:01.000 --> 00:00:02.000\nhello\n")


# --- HTML and Markdown -------------------------------------------------------------------------


def test_the_html_page_is_self_contained(reports):
    page = render_html(reports["weak"])
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"(?i)\b(?:src|href)\s*=\s*[\"'](?!#)", page)  # only in-page links
    assert not re.search(r"(?i)https?://(?!www\.w3\.org/2000/svg)", page)
    assert "<script" not in page.lower() and "@import" not in page and "url(" not in page
    assert "Content-Security-Policy" in page


def test_the_html_page_has_every_part(reports):
    report = reports["weak"]
    page = render_html(report)
    for part in ('id="timeline"', 'id="transcript"', 'class="checklist"', 'class="tips"', 'id="signals"'):
        assert part in page
    assert page.count('class="speech"') == len(report.speech)
    assert page.count('<a href="#silence-1"') == 1 and 'id="silence-1"' in page
    fillers = [s for s in report.signals if s.kind == "filler"]
    assert page.count("ph ph-filler") == len(fillers)
    abrupt = [s for s in report.signals if s.kind == "topic_shift" and not s.signposted]
    assert page.count('class="tag shift-abrupt"') == len(abrupt)
    for tip in report.summary.tips:
        assert html.escape(tip, quote=True) in page


def test_the_html_escapes_what_was_said(text_analyzer):
    from thinkaloud.analyze import Analyzer

    report = Analyzer(text_analyzer=text_analyzer).analyze_text("I'll assume <script>alert(1)</script> & more.", "x.txt")
    page = render_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_text_take_is_placed_by_position_in_the_transcript(reports):
    page = render_html(reports["text"])
    assert "position in transcript" in page and 'class="speech"' not in page


def test_markdown_export_has_the_session_header_and_the_report(reports):
    saved = save_report(reports["weak"], kind="file", source="/x/weak_answer.wav", question=QuestionRef(SAMPLE_QUESTION, "ml-churn"))
    result = thinkaloud("export", saved.id, "--format", "markdown")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith(f"# {SAMPLE_QUESTION}\n")
    assert f"- **session:** `{saved.id}`" in result.stdout
    for heading in ("## Structure", "## Delivery", "## Tips", "## Transcript"):
        assert heading in result.stdout


# --- through the command line ------------------------------------------------------------------------


def test_json_export_validates_against_the_schema(reports):
    saved = save_report(reports["strong"], kind="file", source="/x/strong.wav")
    result = thinkaloud("export", saved.id[:-1], "--format", "json")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, schema())
    assert data["metrics"]["words"] == reports["strong"].metrics.words


def test_export_writes_files_and_names_them_in_a_folder(reports, tmp_path):
    saved = save_report(reports["strong"], kind="file", source="/x/strong.wav")
    into_folder = thinkaloud("export", "latest", "--format", "srt", "-o", str(tmp_path))
    assert into_folder.code == 0 and into_folder.stdout == ""
    written = tmp_path / f"{saved.id}.srt"
    assert parse_srt(written.read_text())
    named = thinkaloud("export", "latest", "--format", "vtt", "-o", str(tmp_path / "take.vtt"))
    assert named.code == 0 and parse_vtt((tmp_path / "take.vtt").read_text())
    missing = thinkaloud("export", "latest", "-o", str(tmp_path / "nope" / "x.html"))
    assert missing.code == 5 and missing.stderr.count("\n") == 1 and "does not exist" in missing.stderr


def test_subtitles_of_a_text_take_are_refused_in_one_line(reports):
    save_report(reports["text"], kind="text", source="/x/strong.txt")
    result = thinkaloud("export", "latest", "--format", "vtt")
    assert result.code == 3 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "no word timings" in result.stderr
