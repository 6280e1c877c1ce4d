"""The transcription stage: speech in, stable words, finals and text signals out.

Runs on its own thread.  It drains the speech feed, decodes with the
`StreamingRecognizer` whenever enough new audio has arrived, and publishes:
stable words (`WordEvent`), the tentative tail (`TentativeEvent`), each
utterance's final text (`FinalEvent`), signals found in final text
(`SignalEvent`), and, when it had to skip ahead to keep up, a `LagEvent`.
Only final text reaches the live analysis, so a signal is never retracted.
It measures how far decoding trails the audio, and how late finals are and
how many stable words they change, which `StatsEvent`s report.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from thinkaloud.live.analysis import LiveTranscript
from thinkaloud.live.clock import SessionClock
from thinkaloud.live.events import (
    FinalEvent,
    FinalWord,
    LagEvent,
    SignalEvent,
    TentativeEvent,
    WordEvent,
)
from thinkaloud.live.finals import Final, revised_count, revisions
from thinkaloud.live.streaming import (
    EndOfStream,
    Flush,
    SpeechAudio,
    SpeechFeed,
    StreamingRecognizer,
    Update,
    UtteranceEnd,
    words_text,
)


class TranscribeStage:
    def __init__(
        self,
        recognizer: StreamingRecognizer,
        transcript: LiveTranscript,
        feed: SpeechFeed,
        clock: SessionClock,
        emit: Callable[[object], None],
    ):
        self.recognizer = recognizer
        self.transcript = transcript
        self.feed = feed
        self.clock = clock
        self.emit = emit
        self.error: Exception | None = None
        self.lag_s = 0.0
        self.max_lag_s = 0.0
        self.decode_seconds = 0.0
        self.skipped: list[tuple[float, float]] = []
        self.stable_words = 0
        self.revised_words = 0
        self.final_lag_s: float | None = None
        self.max_final_lag_s: float | None = None
        self._lock = threading.Lock()

    @property
    def decodes(self) -> int:
        return self.recognizer.decodes

    @property
    def mean_decode_s(self) -> float:
        return self.decode_seconds / self.decodes if self.decodes else 0.0

    @property
    def skipped_s(self) -> float:
        return round(sum(end - start for start, end in self.skipped), 3)

    def run(self) -> None:
        """The thread body; returns after `EndOfStream`.  A failure is kept in `self.error`,
        and the feed is still drained so that the capture stage never waits on it."""
        recognizer = self.recognizer
        finished = False
        while not finished:
            items = self.feed.take_all(timeout=0.5)
            try:
                for item in items:
                    if isinstance(item, SpeechAudio):
                        recognizer.append(item.samples, item.start_s)
                    elif isinstance(item, UtteranceEnd):
                        if self.feed.received_until_s - item.at > recognizer.options.max_lag_s:
                            # Far behind: decoding this utterance now would delay every later one.
                            self.lag_s = round(self.feed.received_until_s - recognizer.decoded_until_s, 3)
                            self.max_lag_s = max(self.max_lag_s, self.lag_s)
                            self._publish(recognizer.abandon_utterance(item.at))
                        else:
                            self._timed(lambda at=item.at: recognizer.end_utterance(at))
                    elif isinstance(item, Flush):
                        self._timed(recognizer.end_utterance)
                    elif isinstance(item, EndOfStream):
                        finished = True
                if self.error is not None:
                    continue
                if finished:
                    self._timed(recognizer.end_utterance)
                    break
                self._measure_lag()
                if recognizer.pending_s > recognizer.options.max_lag_s:
                    self._publish(recognizer.skip_ahead())
                if recognizer.decode_due:
                    self._timed(recognizer.step)
                    self._measure_lag()
            except Exception as error:
                self.error = error
        self.lag_s = 0.0

    def _timed(self, step: Callable[[], Update]) -> None:
        started = time.perf_counter()
        update = step()
        if update.decoded:
            self.decode_seconds += time.perf_counter() - started
        self._publish(update)

    def _measure_lag(self) -> None:
        recognizer = self.recognizer
        if recognizer.pending_s <= 0 and recognizer.buffer_end_s >= self.feed.received_until_s:
            self.lag_s = 0.0
        else:
            self.lag_s = round(max(0.0, self.feed.received_until_s - recognizer.decoded_until_s), 3)
        self.max_lag_s = max(self.max_lag_s, self.lag_s)

    def _publish(self, update: Update) -> None:
        now = self.clock.now()
        for word in update.committed:
            if word.text:
                self.stable_words += 1
                self.emit(WordEvent(word.text, word.start, word.end, now, round(word.probability, 4)))
        if update.final is not None:
            self._publish_final(update.final, now)
        if update.decoded or update.committed or update.utterance_ended or update.skipped:
            tentative = update.tentative
            self.emit(
                TentativeEvent(
                    text=words_text(tentative),
                    audio_start=tentative[0].start if tentative else None,
                    audio_end=tentative[-1].end if tentative else None,
                    emitted_at=now,
                )
            )
        if update.skipped is not None:
            start, end = update.skipped
            self.skipped.append((start, end))
            self.emit(LagEvent(lag_s=self.lag_s, skipped_s=round(end - start, 3), emitted_at=now))
        for signal in self.transcript.new_signals():
            self.emit(SignalEvent(signal=signal, emitted_at=self.clock.now()))

    def _publish_final(self, final: Final, now: float) -> None:
        spoken = [w for w in final.words if w.text]  # the words the event carries; edits index into them
        edits = revisions([w for w in final.stable if w.text], spoken)
        self.revised_words += revised_count(edits)
        lag = round(max(0.0, now - final.audio_end), 3)
        self.final_lag_s = lag
        self.max_final_lag_s = max(self.max_final_lag_s or 0.0, lag)
        self.emit(
            FinalEvent(
                utterance=final.utterance,
                audio_start=final.audio_start,
                audio_end=final.audio_end,
                words=tuple(FinalWord(w.text, w.start, w.end, round(w.probability, 4)) for w in spoken),
                revised=bool(edits),
                edits=edits,
                speech_final=final.speech_final,
                emitted_at=now,
            )
        )
        self.transcript.add(final.words)
        if final.speech_final:
            self.transcript.close_sentence()
