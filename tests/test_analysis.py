"""The spine with a fake transcriber: signals placed in time, silences, metrics, tips."""

from __future__ import annotations

import pytest

from tests.fakes import FakeTranscriber, tone_with_gaps
from thinkaloud.analysis.coaching import summarize
from thinkaloud.analysis.metrics import measure
from thinkaloud.analysis.signals import WordClock, silence_signals
from thinkaloud.analyze import AnalyzeOptions, Analyzer
from thinkaloud.asr.transcript import TranscriptBuilder
from thinkaloud.errors import UsageError
from thinkaloud.types import SpeechSpan, Transcript

SCRIPT = [
    ("So", 0.2, 0.4), ("the", 0.4, 0.5), ("goal", 0.5, 0.8), ("is", 0.8, 0.9), ("retention.", 0.9, 1.5),
    ("I'll", 1.7, 1.9), ("assume", 1.9, 2.3), ("a", 2.3, 2.4), ("million", 2.4, 2.8), ("users.", 2.8, 3.2),
    ("Um,", 8.2, 8.5), ("it's", 8.5, 8.7), ("faster", 8.7, 9.1), ("but", 9.1, 9.3), ("less", 9.3, 9.5),
    ("accurate.", 9.5, 10.2),
]


@pytest.fixture(scope="module")
def fake_report(text_analyzer):
    samples = tone_with_gaps([(0.2, 3.2), (8.2, 10.2)], duration=11.0)
    analyzer = Analyzer(
        AnalyzeOptions(silence_threshold_s=3.0),
        transcriber=FakeTranscriber(SCRIPT),
        text_analyzer=text_analyzer,
        speech_detector=lambda samples, options: [SpeechSpan(0.2, 3.2), SpeechSpan(8.2, 10.2)],
    )
    return analyzer.analyze_samples(samples, source="synthetic.wav")


def test_transcript_is_built_from_words(fake_report):
    assert fake_report.transcript.text.startswith("So the goal is retention. I'll assume")
    for word in fake_report.transcript.words:
        assert fake_report.transcript.text[word.char_start : word.char_end] == word.text


def test_signals_carry_times_of_their_sentence(fake_report):
    def first(kind, cue):
        return next(s for s in fake_report.signals if s.kind == kind and cue in s.cue)

    assert first("framing", "goal").start == pytest.approx(0.2)
    assert first("assumption", "I'll assume").start == pytest.approx(1.7)
    assert first("tradeoff", "faster").end == pytest.approx(10.2)
    assert first("filler", "Um").cue == "Um"


def test_long_silence_comes_from_voice_activity(fake_report):
    silences = [s for s in fake_report.signals if s.kind == "silence"]
    assert len(silences) == 1
    assert (silences[0].start, silences[0].end) == (3.2, 8.2)
    assert fake_report.metrics.silence_count == 1


def test_checklist_and_tips(fake_report):
    checklist = fake_report.summary.checklist
    assert checklist["framing"].present and checklist["framing"].first_at == pytest.approx(0.2)
    assert not checklist["recap"].present
    assert 2 <= len(fake_report.summary.tips) <= 4
    assert any("quiet" in tip for tip in fake_report.summary.tips)


def test_silence_threshold_is_respected():
    speech = [SpeechSpan(0, 1), SpeechSpan(3.5, 4), SpeechSpan(6.0, 7)]
    assert [round(s.start, 1) for s in silence_signals(speech, 2.4)] == [1.0]
    assert [round(s.start, 1) for s in silence_signals(speech, 2.0)] == [1.0, 4.0]


def test_silence_threshold_must_be_positive():
    with pytest.raises(UsageError):
        AnalyzeOptions(silence_threshold_s=0)


def test_text_input_has_no_times(analyzer):
    report = analyzer.analyze_text("To summarize, I'll assume a million users.", source="answer.txt")
    assert report.source.kind == "text"
    assert report.metrics.duration_s is None and report.metrics.wpm is None
    assert all(s.start is None for s in report.signals)
    assert report.summary.checklist["recap"].present


def test_no_speech_gives_an_empty_report(text_analyzer):
    import numpy as np

    analyzer = Analyzer(transcriber=FakeTranscriber([]), text_analyzer=text_analyzer)
    report = analyzer.analyze_samples(np.zeros(16000 * 4, dtype=np.float32), source="quiet.wav")
    assert not report.summary.speech_found
    assert report.transcript.words == ()
    assert report.metrics.words == 0


def test_word_clock_maps_character_ranges_to_time():
    builder = TranscriptBuilder()
    for text, start, end in [(" Hello", 0.0, 0.5), (" world.", 0.5, 1.0), (" Again", 2.0, 2.4)]:
        builder.add(text, start, end)
    transcript = builder.build()
    clock = WordClock(transcript.words)
    assert transcript.text == "Hello world. Again"
    assert clock.span(0, 12) == (0.0, 1.0)
    assert clock.span(13, 18) == (2.0, 2.4)
    assert clock.span(6, 7) == (0.5, 1.0)


def test_builder_glues_words_without_leading_space():
    builder = TranscriptBuilder()
    for text in (" don", "'t", " stop", "."):
        builder.add(text, 0, 1)
    assert builder.build().text == "don't stop."


def test_metrics_count_fillers_and_pace():
    builder = TranscriptBuilder()
    for i, text in enumerate("one two three four five six".split()):
        builder.add(" " + text, i * 0.5, i * 0.5 + 0.4)
    metrics = measure(builder.build(), [SpeechSpan(0, 3)], [], duration_s=3.0)
    assert metrics.words == 6
    assert metrics.wpm == pytest.approx(6 / (2.9 / 60), rel=0.01)


def test_tips_for_a_perfect_answer_still_exist():
    from thinkaloud.types import Metrics, Signal

    signals = [Signal(kind, "x", "x", 1.0, 2.0, 0, 1) for kind in ("framing", "assumption", "tradeoff", "limitation", "recap")]
    metrics = Metrics(60, 55, 150, 150, 0, 0, 0, 0)
    summary = summarize(signals, metrics)
    assert 2 <= len(summary.tips) <= 4


def test_text_metrics_count_words_without_timings():
    metrics = measure(Transcript("It's a well-known fact, isn't it?"), [], [], duration_s=None)
    assert metrics.words == 6
