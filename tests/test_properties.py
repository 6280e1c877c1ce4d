"""Text analysis holds its invariants on any input, not just on tidy English.

Hypothesis feeds the real detectors (spaCy's small English pipeline) any
Unicode string, speech-like word salad full of cue phrases, run-on sentences,
text with no punctuation or nothing but punctuation, whitespace, emoji,
combining marks, right-to-left scripts, NUL and control characters.  Whatever
comes in: no exception; every signal and sentence points at exactly its own
text in the transcript; sentences come in order without overlapping; the
report validates against the published JSON Schema and reads back unchanged.

Long transcripts are analysed in bounded pieces (`_pieces`), which is what
keeps the cost linear; the stitching of those pieces is checked here with a
small piece size, and the time per word is measured in
benchmarks/bench_long_inputs.py rather than asserted.
"""

from __future__ import annotations

import json
import string
from unittest import mock

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES
from thinkaloud.nlp import pipeline
from thinkaloud.kinds import PHRASE_KINDS
from thinkaloud.nlp.pipeline import _pieces
from thinkaloud.report import report_from_dict, report_to_dict, schema
from thinkaloud.types import SpeechSpan, Transcript

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

VALIDATOR = jsonschema.Draft202012Validator(schema())

#: Real answer words (with their punctuation), so the detectors have cues to fire on.
ANSWER_WORDS = tuple((SAMPLES / "weak_answer.txt").read_text().split() + (SAMPLES / "strong_answer.txt").read_text().split())
BARE_WORDS = tuple(sorted({w.strip(string.punctuation + "’").lower() for w in ANSWER_WORDS} - {""}))
ODD_PIECES = (
    "\x00", "\x01", "\x1b[31m", "\x7f", "\x85", "\x0b", "\x0c", "\x1c", "\u2028", "\u2029", "\ufeff", "\u200b",
    "\u200f", "\u202e", "e\u0301", "\u0301\u0301\u0301", "שלום", "مرحبا بالعالم", "日本語の文", "👍🏽", "👨‍👩‍👧",
    "🏳️‍🌈", "İ", "ß", "ǅ", "ﬁ", "\u00a0", "\r\n", "\n\n", "\t", "...", "?!", "—", "’", "n't", "'ll", "-",
)
SEPARATORS = (" ", "", "\n", ", ", ". ", "? ", "\u00a0", "\t", " \x00 ")

speech_like = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(ANSWER_WORDS), st.sampled_from(ODD_PIECES), st.text(max_size=3)),
        st.sampled_from(SEPARATORS),
    ),
    max_size=120,
).map(lambda parts: "".join(word + sep for word, sep in parts))

no_punctuation = st.lists(st.sampled_from(BARE_WORDS), min_size=1, max_size=300).map(" ".join)
only_punctuation = st.text(alphabet=string.punctuation + "…—–‘’“”¡¿«»·", min_size=1, max_size=300)
only_whitespace = st.text(alphabet=" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u00a0\u2000\u2028\u2029\u3000", min_size=1)
control_and_words = st.lists(
    st.one_of(st.sampled_from(ANSWER_WORDS), st.characters(categories=["Cc", "Cf", "Co", "Zl", "Zp"])),
    max_size=150,
).map(" ".join)
scripts_and_marks = st.text(
    alphabet=st.characters(categories=["Mn", "Me", "Mc", "So", "Sk", "Lo", "Lm", "Nd", "Zs"]), max_size=300
)


def check_report(report, text: str) -> None:
    """The invariants every report on `text` keeps, whatever the text."""
    assert report.transcript.text == text
    previous_end = 0
    spans = set()
    for sentence in report.sentences:
        assert previous_end <= sentence.char_start < sentence.char_end <= len(text), (sentence, previous_end)
        assert text[sentence.char_start : sentence.char_end] == sentence.text
        assert sentence.text == sentence.text.strip()
        previous_end = sentence.char_end
        spans.add((sentence.char_start, sentence.char_end))
    for signal in report.signals:
        if signal.kind == "silence":
            continue  # no text input has silences; audio ones carry no offsets
        assert 0 <= signal.char_start < signal.char_end <= len(text), signal
        assert text[signal.char_start : signal.char_end] == signal.text, signal
        if signal.kind in PHRASE_KINDS:
            assert signal.cue == signal.text
        else:
            assert (signal.char_start, signal.char_end) in spans, "a sentence-level signal covers one whole sentence"
    for kind, item in report.summary.checklist.items():
        assert item.present == any(s.kind == kind for s in report.signals)
    data = report_to_dict(report)
    VALIDATOR.validate(data)
    assert json.loads(json.dumps(data, ensure_ascii=False)) == data
    assert report_from_dict(data) == report


@pytest.fixture(scope="module")
def text_spine(text_analyzer):
    from thinkaloud.analyze import Analyzer

    return Analyzer(text_analyzer=text_analyzer)


@PROPERTY
@given(text=st.text())
def test_any_unicode_string(text_spine, text):
    check_report(text_spine.analyze_text(text), text)


@PROPERTY
@given(text=speech_like)
def test_speech_like_word_salad_with_odd_characters(text_spine, text):
    check_report(text_spine.analyze_text(text), text)


@PROPERTY
@given(text=no_punctuation)
def test_no_punctuation(text_spine, text):
    report = text_spine.analyze_text(text)
    check_report(report, text)
    assert report.sentences, "words without punctuation still make at least one sentence"


@PROPERTY
@given(text=only_punctuation)
def test_only_punctuation(text_spine, text):
    report = text_spine.analyze_text(text)
    check_report(report, text)
    assert report.metrics.words == 0
    assert not [s for s in report.signals if s.kind not in ("topic_shift",)], report.signals


@PROPERTY
@given(text=only_whitespace)
def test_whitespace_only_finds_nothing(text_spine, text):
    report = text_spine.analyze_text(text)
    check_report(report, text)
    assert report.sentences == () and report.signals == ()
    assert report.metrics.words == 0 and not report.summary.speech_found


@PROPERTY
@given(text=control_and_words)
def test_nul_and_control_characters(text_spine, text):
    check_report(text_spine.analyze_text(text), text)


@PROPERTY
@given(text=scripts_and_marks)
def test_emoji_combining_marks_and_right_to_left_scripts(text_spine, text):
    check_report(text_spine.analyze_text(text), text)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(
    words=st.lists(st.sampled_from(BARE_WORDS + ("but", "and", "so", "because", "which")), min_size=1500, max_size=4000),
    end=st.sampled_from(("", ".", "?", " ")),
)
def test_very_long_run_on_sentence(text_spine, words, end):
    text = " ".join(words) + end
    check_report(text_spine.analyze_text(text), text)


def test_a_cue_heavy_sentence_fires_once_per_kind(text_spine):
    """Twenty trade-off cues in one sentence are one trade-off, listing its phrases."""
    text = "It is faster but slower, and " * 20 + "that is the trade-off."
    report = text_spine.analyze_text(text)
    check_report(report, text)
    assert [s.kind for s in report.signals].count("tradeoff") == len(report.sentences) == 1


# --- long transcripts: bounded pieces, stitched back without a seam -----------


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=st.sampled_from("ab .\n\t\u00a0é👍"), max_size=400), limit=st.integers(1, 40))
def test_pieces_cover_the_text_in_bounded_pieces(text, limit):
    pieces = list(_pieces(text, limit=limit))
    assert "".join(piece for _, piece in pieces) == text
    position = 0
    for offset, piece in pieces:
        assert offset == position and 0 < len(piece) <= limit
        position += len(piece)


@settings(max_examples=100, deadline=None)
@given(words=st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=8), min_size=2, max_size=80), limit=st.integers(10, 60))
def test_pieces_cut_between_words_not_inside_them(words, limit):
    text = " ".join(words)
    for offset, piece in _pieces(text, limit=limit):
        end = offset + len(piece)
        if end < len(text):
            assert text[end - 1] == " " or text[end] == " ", (piece, text[end - 5 : end + 5])


def test_long_transcript_reaches_spacy_in_bounded_pieces(text_analyzer):
    """A transcript far over spaCy's max_length is analysed piece by piece, each at most 100,000 characters."""
    seen: list[int] = []
    real_nlp = text_analyzer.nlp

    class Spy:
        make_doc = real_nlp.make_doc

        def __call__(self, doc):
            seen.append(len(doc.text))
            return real_nlp(doc)

    filler = "\n" * 120_000  # cheap for spaCy, so the test stays fast
    text = "So the goal is retention. " + filler + "I'll assume a million users. " + filler + "To summarize, trees."
    with mock.patch.object(text_analyzer, "nlp", Spy()):
        findings = text_analyzer.find(text)
    assert len(seen) >= 3 and max(seen) <= 100_000 and sum(seen) == len(text)
    kinds = {cue.kind for cue in findings.cues}
    assert {"framing", "assumption", "recap"} <= kinds
    for sentence in findings.sentences:
        assert text[sentence.char_start : sentence.char_end] == sentence.text


def _one_piece_per_line(text: str, limit: int):
    position = 0
    for line in text.split("\n"):
        last = position + len(line) >= len(text)
        yield position, line if last else line + "\n"
        position += len(line) + 1


def test_rules_about_the_answers_start_see_the_transcripts_start_not_the_pieces(text_analyzer):
    """'Early' framing cues, the first-sentence rule of signposts and the classifier's
    position all mean the start of the answer, wherever a piece happens to begin."""
    text = "\n".join([
        "So the problem is predicting churn for a subscription app.",
        "We have a year of usage logs for every user.",
        "The model scores each user every night.",
        "Let's now talk about serving the scores.",
        "So serving means that the scores land in a table by morning.",  # 'means that' frames only early on
        "To summarize, nightly trees with a daily table.",
    ])

    def cues(findings):
        return sorted((c.kind, c.cue_start, c.cue) for c in findings.cues)

    whole = text_analyzer.find(text)
    with mock.patch.object(pipeline, "_pieces", _one_piece_per_line):
        pieced = text_analyzer.find(text)
    assert cues(pieced) == cues(whole)
    assert ("topic_shift", text.index("Let's"), "Let's now talk about") in cues(whole)
    assert not [c for c in whole.cues if c.cue == "means that"]


@pytest.mark.parametrize("lead", [" ", "\n", "\n\n", "\t  ", "\r\n"])
def test_leading_whitespace_does_not_hide_a_clause_opening_cue(text_analyzer, lead):
    text = lead + "To summarize, nightly trees with a daily table."
    recaps = [c for c in text_analyzer.find(text).cues if c.kind == "recap"]
    assert [(c.cue, c.cue_start) for c in recaps] == [("To summarize,", len(lead))]


@PROPERTY
@given(text=speech_like, piece_size=st.integers(5, 120))
def test_offsets_survive_piece_boundaries(text_spine, text, piece_size):
    """With tiny pieces every transcript crosses many seams; offsets must still land exactly."""
    with mock.patch.object(pipeline, "_pieces", lambda whole, limit: _pieces(whole, limit=piece_size)):
        report = text_spine.analyze_text(text)
    check_report(report, text)


# --- transcripts recognised from audio: words with times ---------------------

timed_words = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(ANSWER_WORDS), st.sampled_from(ODD_PIECES), st.text(min_size=1, max_size=4)),
        st.booleans(),  # glued to the previous word (no leading space)
        st.integers(0, 3000),  # gap before the word, in ms
        st.integers(1, 900),  # length of the word, in ms
    ),
    max_size=80,
)


@PROPERTY
@given(words=timed_words, threshold=st.sampled_from((0.5, 1.0, 3.0)))
def test_timed_transcripts(text_analyzer, words, threshold):
    from thinkaloud.analyze import AnalyzeOptions, Analyzer
    from thinkaloud.asr.transcript import TranscriptBuilder
    from thinkaloud.types import SourceInfo

    builder = TranscriptBuilder()
    clock_ms = 0
    spans: list[SpeechSpan] = []
    for text, glued, gap, length in words:
        clock_ms += gap
        if builder.add(text if glued else " " + text, clock_ms / 1000, (clock_ms + length) / 1000, 0.9) is not None:
            spans.append(SpeechSpan(clock_ms / 1000, (clock_ms + length) / 1000))
        clock_ms += length
    transcript = builder.build()
    duration = clock_ms / 1000 + 1.0
    spine = Analyzer(AnalyzeOptions(silence_threshold_s=threshold), text_analyzer=text_analyzer)
    report = spine.build_report(
        transcript, spans, duration, SourceInfo("take.wav", "audio", duration), asr_name="fake"
    )
    check_report(report, transcript.text)
    for word in transcript.words:
        assert transcript.text[word.char_start : word.char_end] == word.text
    for signal in report.signals:
        assert (signal.start is None) == (signal.end is None)
        if signal.start is not None:
            assert 0 <= signal.start <= signal.end <= duration, signal
    timed = [s.start for s in report.signals if s.start is not None]
    assert timed == sorted(timed), "signals come in the order they were spoken"
    for sentence in report.sentences:
        if sentence.start is not None:
            assert sentence.start <= sentence.end
    assert report.metrics.words <= len(transcript.words)


def test_empty_transcript_is_a_valid_report(text_spine):
    report = text_spine.analyze_text("")
    check_report(report, "")
    assert report.transcript == Transcript("") and not report.summary.speech_found
