"""Live analysis over a growing transcript: each signal once, at a bounded cost per pass."""

from __future__ import annotations

import spacy

from thinkaloud.live.agreement import StreamWord
from thinkaloud.live.analysis import LiveTranscript
from thinkaloud.nlp.pipeline import TextAnalyzer

SENTENCES = [
    "I'll assume the traffic doubles every year.",
    "Um, the cache sits in front of the database.",
    "It is quicker to build, but it costs more to run.",
    "The weak spot is a cold start after a deploy.",
    "Writes go to the primary and reads go to replicas.",
]
#: Small, so that the window moves many times in a short test.
WINDOW = 600


class RecordingAnalyzer:
    """The blank-pipeline analyzer, noting how much text each live pass reads."""

    def __init__(self) -> None:
        self.inner = TextAnalyzer(base=spacy.blank("en"), name="blank")
        self.name = self.inner.name
        self.tail_lengths: list[int] = []

    def find(self, text):
        return self.inner.find(text)

    def find_tail(self, text, start, tokens_before, sentences_before):
        self.tail_lengths.append(len(text) - start)
        return self.inner.find_tail(text, start, tokens_before, sentences_before)

    def count_tokens(self, text):
        return self.inner.count_tokens(text)


def stream(sentences: list[str]) -> list[list[StreamWord]]:
    """Each sentence as timed words, one word every 0.3 s."""
    out, clock = [], 0.0
    for sentence in sentences:
        words = []
        for token in sentence.split():
            words.append(StreamWord(" " + token, round(clock, 3), round(clock + 0.25, 3), 0.9))
            clock += 0.3
        out.append(words)
        clock += 1.0
    return out


def test_a_long_session_reports_each_signal_once_while_every_pass_reads_only_the_tail():
    analyzer = RecordingAnalyzer()
    live = LiveTranscript(analyzer, window_chars=WINDOW)
    reported = []
    sentences = SENTENCES * 12  # ~2,700 characters: several windows' worth
    for words in stream(sentences):
        live.add(words)
        live.close_sentence()
        reported.extend(live.new_signals())

    transcript = live.transcript()
    assert len(transcript.text) > 3 * WINDOW
    # Bounded: no pass read much more than the window and the sentence that closed.
    longest_sentence = max(len(s) for s in SENTENCES) + 1
    assert max(analyzer.tail_lengths) <= WINDOW + 2 * longest_sentence
    assert analyzer.tail_lengths[-1] < len(transcript.text) / 3

    # Complete: what one pass over the whole transcript finds was reported live, once.
    whole = live.report(transcript, speech=[], duration_s=transcript.words[-1].end, source="test", asr_name=None)
    kinds = ("assumption", "tradeoff", "limitation", "filler")
    expected = sorted((s.kind, s.char_start) for s in whole.signals if s.kind in kinds)
    seen = sorted((s.kind, s.char_start) for s in reported if s.kind in kinds)
    assert seen == expected
    assert len(expected) >= 4 * 12
    # Placed in time from the words, like `analyze` does.
    by_start = {(s.kind, s.char_start): s for s in whole.signals}
    for signal in reported:
        if signal.kind in kinds:
            assert signal.start == by_start[(signal.kind, signal.char_start)].start


def test_rules_about_the_answers_start_still_know_where_it_is_after_the_window_moves():
    analyzer = RecordingAnalyzer()
    live = LiveTranscript(analyzer, window_chars=WINDOW)
    for words in stream(SENTENCES * 8):
        live.add(words)
        live.close_sentence()
        live.new_signals()
    late = "So the question is how we would design the cache."
    live.add(stream([late])[0])
    live.close_sentence()
    fresh = live.new_signals()
    # Restating the question opens an answer; forty sentences in (past the
    # window), it does not count as framing, as a whole-transcript pass judges it.
    whole = analyzer.inner.find(live.transcript().text)
    late_start = live.transcript().text.rindex(late)
    framing_whole = [c for c in whole.cues if c.kind == "framing" and c.cue_start >= late_start]
    framing_live = [s for s in fresh if s.kind == "framing"]
    assert len(framing_live) == len(framing_whole)
