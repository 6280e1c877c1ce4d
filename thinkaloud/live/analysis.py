"""Live analysis: the `analyze` detectors, run on committed text as it grows.

Committed words never change, so the transcript only grows at its end.  Each
time a sentence is closed (its last committed word ends with . ? or !, or the
speaker paused), the same `TextAnalyzer` and signal placement that `analyze`
uses run over the committed transcript, and only signals not reported before
are handed out.  A signal is held back while its sentence is still open,
because the rest of the sentence can change what it is ("so the plan..." may
become framing or not).

A pass reads only the transcript's tail: from a sentence start at least
`ANALYSIS_WINDOW_CHARS` before the end (several minutes of speech, so a whole
answer of ordinary length), told how many tokens and sentences came before.
Re-reading everything made each pass cost more the longer a session ran: in
a 30-minute soak at 4x the passes crowded out decoding and the lag climbed.
Past the window, "new words" for topic jumps means new to the last few
minutes; the saved take's report always reads the whole transcript.

`LiveTranscript.report` builds the final report through
`Analyzer.build_report`, the path `analyze` takes, so a live take and an
analysis of its recording come out of the same code.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.asr.transcript import TranscriptBuilder
from thinkaloud.kinds import PHRASE_KINDS
from thinkaloud.live.agreement import StreamWord
from thinkaloud.types import Report, Signal, SourceInfo, SpeechSpan, Transcript, Word

_SENTENCE_END = (".", "?", "!")

#: The least committed text a live pass re-reads (about four minutes of speech).
ANALYSIS_WINDOW_CHARS = 4000


class LiveTranscript:
    """The committed transcript and the signals already reported from it."""

    def __init__(self, text_analyzer, silence_threshold_s: float = LONG_SILENCE_S, window_chars: int = ANALYSIS_WINDOW_CHARS):
        self.text_analyzer = text_analyzer
        self.silence_threshold_s = silence_threshold_s
        self.window_chars = window_chars
        self._builder = TranscriptBuilder()
        self.raw_words: list[StreamWord] = []  # as recognised, for rebuilding with recovered words
        self._reported: list[Signal] = []
        self._closed_chars = 0  # text up to here belongs to closed sentences
        self._analysed_chars = -1
        # Where the analysed tail begins (a sentence start), what precedes it,
        # and where the last pass found sentences in it.
        self._window_start = 0
        self._tokens_before_window = 0
        self._sentences_before_window = 0
        self._window_sentence_starts: list[int] = []

    @property
    def words(self) -> list[Word]:
        return self._builder.words

    def transcript(self) -> Transcript:
        return self._builder.build()

    def add(self, words: Iterable[StreamWord]) -> list[Word]:
        added = []
        for word in words:
            placed = self._builder.add(word.raw_text, word.start, word.end, word.probability)
            if placed is not None:
                self.raw_words.append(word)
                added.append(placed)
                if placed.text.endswith(_SENTENCE_END):
                    self._closed_chars = placed.char_end
        return added

    def close_sentence(self) -> None:
        """The speaker paused: whatever is committed counts as said and done."""
        if self._builder.words:
            self._closed_chars = self._builder.words[-1].char_end

    def new_signals(self) -> list[Signal]:
        """Text signals inside closed sentences that have not been reported yet."""
        if self._closed_chars <= 0 or self._closed_chars == self._analysed_chars:
            return []
        self._analysed_chars = self._closed_chars
        fresh = []
        for signal in self._tail_signals(self.transcript().text):
            if signal.char_end is None or signal.char_end > self._closed_chars:
                continue
            if self._already_reported(signal):
                continue
            self._reported.append(signal)
            fresh.append(signal)
        return fresh

    def _tail_signals(self, text: str) -> list[Signal]:
        from thinkaloud.analysis.signals import WordClock, text_signals, timed_sentences

        self._advance_window(text)
        findings = self.text_analyzer.find_tail(text, self._window_start, self._tokens_before_window, self._sentences_before_window)
        self._window_sentence_starts = [sentence.char_start for sentence in findings.sentences]
        # Signals ending before the tail can never be found again.
        self._reported = [seen for seen in self._reported if seen.char_end is None or seen.char_end > self._window_start]
        first_word = bisect.bisect_right(self._builder.words, self._window_start, key=lambda word: word.char_end)
        clock = WordClock(self._builder.words[first_word:])
        return text_signals(findings, timed_sentences(findings, clock), clock)

    def _advance_window(self, text: str) -> None:
        """Move the tail's start up to the last sentence start at least the window's length before the closed end."""
        target = self._closed_chars - self.window_chars
        if target <= self._window_start:
            return
        later = [i for i, start in enumerate(self._window_sentence_starts) if self._window_start < start <= target]
        if not later:
            return
        index = later[-1]
        new_start = self._window_sentence_starts[index]
        self._tokens_before_window += self.text_analyzer.count_tokens(text[self._window_start : new_start])
        self._sentences_before_window += index
        self._window_start = new_start

    def _already_reported(self, signal: Signal) -> bool:
        # Sentence boundaries can shift a little as text is added, so a
        # sentence-level signal counts as seen when one of its kind overlaps it.
        for seen in self._reported:
            if seen.kind != signal.kind:
                continue
            if seen.char_start == signal.char_start and seen.char_end == signal.char_end:
                return True
            if signal.kind not in PHRASE_KINDS and seen.char_start < signal.char_end and signal.char_start < seen.char_end:
                return True
        return False

    def report(self, transcript: Transcript, speech: Sequence[SpeechSpan], duration_s: float, source: str, asr_name: str | None) -> Report:
        from thinkaloud.analyze import AnalyzeOptions, Analyzer

        analyzer = Analyzer(AnalyzeOptions(silence_threshold_s=self.silence_threshold_s), text_analyzer=self.text_analyzer)
        return analyzer.build_report(
            transcript,
            speech=speech,
            duration_s=duration_s,
            source=SourceInfo(path=source, kind="audio", duration_s=round(duration_s, 3)),
            asr_name=asr_name,
        )


def merge_words(live: Sequence[StreamWord], recovered: Sequence[StreamWord]) -> Transcript:
    """The live words with words recovered for skipped audio, in time order."""
    builder = TranscriptBuilder()
    for word in sorted([*live, *recovered], key=lambda w: w.start):
        builder.add(word.raw_text, word.start, word.end, word.probability)
    return builder.build()
