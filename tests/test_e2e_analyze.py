"""The real tiny.en model on real recordings and on the bundled samples."""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.cli import thinkaloud
from tests.conftest import SAMPLES
from thinkaloud.evaluation.wer import normalise_words, word_error_rate
from thinkaloud.kinds import DEPTH_KINDS, STRUCTURE_KINDS
from thinkaloud.report import report_to_dict, schema

pytestmark = pytest.mark.e2e


def test_jfk_word_for_word_through_the_cli(shared_audio):
    result = thinkaloud("analyze", str(shared_audio / "jfk.flac"), "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    jsonschema.validate(report, schema())
    reference = (shared_audio / "jfk.txt").read_text()
    assert normalise_words(report["transcript"]["text"]) == normalise_words(reference)
    assert report["source"]["duration_s"] == pytest.approx(11.0, abs=0.01)
    assert "analysed" in result.stderr


def test_room_tone_has_no_words(shared_audio):
    result = thinkaloud("analyze", str(shared_audio / "room_tone_no_speech.wav"), "--format", "json")
    assert result.code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["transcript"]["words"] == [] and report["transcript"]["text"] == ""
    assert report["summary"]["speech_found"] is False
    assert "no speech found" in result.stderr


@pytest.mark.parametrize(
    "clip,limit",
    [
        ("leopard_test", 0.10),
        ("preamble", 0.10),
        ("sense_and_sensibility_01_austen_64kb-0870", 0.10),
        ("sense_and_sensibility_01_austen_64kb-0920", 0.10),
    ],
)
def test_read_clips_transcribe_accurately(analyzer, shared_audio, clip, limit):
    report = analyzer.analyze_path(shared_audio / f"{clip}.wav")
    assert word_error_rate((shared_audio / f"{clip}.txt").read_text(), report.transcript.text) <= limit


def test_noisy_radio_has_no_repetition_loops(analyzer, shared_audio):
    report = analyzer.analyze_path(shared_audio / "apollo11_radio_noisy.mp3")
    words = normalise_words(report.transcript.text)
    runs = [words[i] for i in range(len(words) - 3) if len(set(words[i : i + 4])) == 1]
    assert runs == []


@pytest.fixture(scope="module")
def weak(analyzer):
    return analyzer.analyze_path(SAMPLES / "weak_answer.wav")


@pytest.fixture(scope="module")
def strong(analyzer):
    return analyzer.analyze_path(SAMPLES / "strong_answer.wav")


def expected(name):
    return json.loads((SAMPLES / f"{name}.expected.json").read_text())


def test_weak_sample_shows_silence_jump_and_no_recap(weak):
    jsonschema.validate(report_to_dict(weak), schema())
    truth = expected("weak_answer")
    silences = [s for s in weak.signals if s.kind == "silence"]
    assert len(silences) == len(truth["silences"]) == 1
    assert silences[0].start == pytest.approx(truth["silences"][0]["start"], abs=0.35)
    assert silences[0].end == pytest.approx(truth["silences"][0]["end"], abs=0.35)
    jumps = [s for s in weak.signals if s.kind == "topic_shift" and not s.signposted]
    labelled = next(s for s in truth["sentences"] if s["topic_shift"] == "abrupt")
    assert len(jumps) == 1
    assert jumps[0].start == pytest.approx(labelled["start"], abs=1.0)
    assert not weak.summary.checklist["recap"].present
    assert not weak.summary.checklist["framing"].present
    assert weak.metrics.hedge_count >= 5


def test_strong_sample_ticks_every_structure_box(strong):
    assert all(strong.summary.item(kind).present for kind in STRUCTURE_KINDS)
    # it names a weak spot but no remedy, and gives no reason for a choice: the depth part is left to do
    assert not any(strong.summary.item(kind).present for kind in DEPTH_KINDS)
    assert strong.metrics.silence_count == 0
    shifts = [s for s in strong.signals if s.kind == "topic_shift"]
    assert [s.signposted for s in shifts] == [True]
    assert word_error_rate((SAMPLES / "strong_answer.txt").read_text(), strong.transcript.text) < 0.1
