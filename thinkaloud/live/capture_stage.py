"""The capture stage: from raw blocks to recorded, gated speech.

Runs on its own thread, so the level meter and the silence notice stay live
however long a decode takes.  For every block it:

1. resamples to 16 kHz and appends it to the session's WAV (synced each second);
2. measures the input level (a `LevelEvent` at most ten times a second);
3. runs voice activity detection, and from it
   - reports long silences as they happen (`SilenceTracker`), and
   - hands the recogniser only utterances: from `preroll_s` before speech was
     heard until `utterance_gap_s` after it stopped (`UtteranceGate`);
4. reports capture overflows and dropped blocks as soon as they change.

It ends when the source has delivered its last block (the end of a file, or
`stop()`), and then closes the utterance, the silence and the WAV.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

import numpy as np

from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.errors import DeviceError, OutputError
from thinkaloud.live.capture import AudioSource, CaptureQueue, StreamResampler
from thinkaloud.live.clock import SessionClock
from thinkaloud.live.events import (
    LevelEvent,
    OverflowEvent,
    SignalEvent,
    SilenceEndEvent,
    SilenceStartEvent,
    SilenceUpdateEvent,
)
from thinkaloud.live.recording import WavWriter
from thinkaloud.live.silence import SilenceEnded, SilenceGoesOn, SilenceStarted, SilenceTracker
from thinkaloud.live.streaming import SpeechAudio, SpeechFeed, StreamingOptions, UtteranceEnd
from thinkaloud.live.vad import SileroStream, SpeechStarted, VoiceActivity

LEVEL_EVERY_S = 0.1
OVERFLOW_REPORT_EVERY_S = 0.5
#: A microphone that delivers nothing for this long (while not paused) has gone away.
MIC_SILENT_LIMIT_S = 2.0


class UtteranceGate:
    """Decides which audio the recogniser gets: utterances, with a little lead-in."""

    def __init__(self, feed: SpeechFeed, options: StreamingOptions, history_s: float = 1.5):
        self.feed = feed
        self.options = options
        self.open = False
        self._history = np.zeros(0, dtype=np.float32)  # the most recent audio
        self._history_start = 0  # sample index of _history[0]
        self._history_limit = int(history_s * SAMPLE_RATE)
        self._sent_until = 0  # sample index: audio before this went to the feed
        self._closed_at = 0  # sample index where the last utterance was closed

    @property
    def total(self) -> int:
        return self._history_start + len(self._history)

    def add(self, samples: np.ndarray) -> None:
        self._history = np.concatenate([self._history, samples])
        excess = len(self._history) - self._history_limit
        if excess > 0:
            self._history = self._history[excess:]
            self._history_start += excess

    def speech_started(self, at_s: float) -> None:
        if self.open:
            return
        first = max(int((at_s - self.options.preroll_s) * SAMPLE_RATE), self._closed_at, self._history_start)
        self._sent_until = first
        self.open = True

    def forward(self) -> None:
        """Send the audio received since the last call, if an utterance is open."""
        if not self.open or self.total <= self._sent_until:
            return
        begin = self._sent_until - self._history_start
        chunk = self._history[begin:].copy()
        self.feed.put(SpeechAudio(chunk, self._sent_until / SAMPLE_RATE))
        self._sent_until = self.total

    def close(self, speech_end_s: float | None = None) -> None:
        """End the utterance; `speech_end_s` is where its speech ended, when known,
        so the recogniser can ignore the quiet after it (where Whisper invents text)."""
        if not self.open:
            return
        self.forward()
        self.open = False
        self._closed_at = self.total
        end = self.total / SAMPLE_RATE if speech_end_s is None else min(speech_end_s, self.total / SAMPLE_RATE)
        self.feed.put(UtteranceEnd(end))


def dbfs(value: float) -> float:
    return round(20 * math.log10(value), 1) if value > 1e-5 else -100.0


class CaptureStage:
    def __init__(
        self,
        source: AudioSource,
        sink: CaptureQueue,
        writer: WavWriter | None,
        feed: SpeechFeed,
        clock: SessionClock,
        emit: Callable[[object], None],
        silence_threshold_s: float,
        streaming: StreamingOptions,
        speech_options=None,
        stop_requested: threading.Event | None = None,
        paused: threading.Event | None = None,
    ):
        self.source = source
        self.sink = sink
        self.writer = writer
        self.feed = feed
        self.clock = clock
        self.emit = emit
        self.streaming = streaming
        self.stop_requested = stop_requested or threading.Event()
        self.paused = paused or threading.Event()
        self.vad = VoiceActivity(speech_options)
        self.silence = SilenceTracker(silence_threshold_s, self.vad.pad_s)
        self.gate = UtteranceGate(feed, streaming)
        self.frames = 0  # 16 kHz samples captured: the audio clock
        self.error: Exception | None = None
        self._resampler = StreamResampler(source.sample_rate)
        self._silero = SileroStream()
        self._level_sum = 0.0
        self._level_count = 0
        self._level_peak = 0.0
        self._last_level = -1.0
        self._reported_losses = (0, 0)
        self._last_loss_report = -1.0

    @property
    def audio_s(self) -> float:
        return self.frames / SAMPLE_RATE

    def run(self) -> None:
        """The thread body.  Never raises: a failure is kept in `self.error`."""
        stopping = False
        last_block_at = self.clock.now()
        try:
            while True:
                if self.stop_requested.is_set() and not stopping:
                    stopping = True
                    self.source.stop()
                if self.paused.is_set() and self.gate.open:
                    self.gate.close(self._speech_end_s())  # commit what was said before the pause
                block = self.sink.get(timeout=0.05)
                if block is None:
                    if self.sink.exhausted:
                        break
                    if self.writer is not None:
                        self.writer.sync_if_due()
                    self._report_losses()
                    if self._microphone_gone(last_block_at):
                        raise DeviceError(
                            "the microphone stopped delivering audio (unplugged or taken by another program?); "
                            "check the device and start again."
                        )
                    continue
                last_block_at = self.clock.now()
                if self.source.live and self.paused.is_set():
                    continue  # the microphone keeps running; audio while paused is not part of the take
                self._process(self._resampler.process(block))
            self._process(self._resampler.flush())
            self._finish_vad()
        except Exception as error:  # kept for the engine, which reports it and still saves the take
            self.error = error
            self.stop_requested.set()
            try:
                self.source.stop()
            except Exception:
                pass
        finally:
            try:
                self.gate.close(self._speech_end_s())
                for change in self.silence.finish(self.audio_s):
                    self._emit_silence(change)
                self._report_losses(force=True)
            finally:
                if self.writer is not None:
                    try:
                        self.writer.close()
                    except OSError as error:  # the header still declares everything synced before
                        self.error = self.error or OutputError(
                            f"could not finish the recording {self.writer.path} ({error.strerror or error}); "
                            "it holds the audio up to the last second synced."
                        )

    def _speech_end_s(self) -> float | None:
        """Where the last speech ended, or None while someone is speaking."""
        if self.vad.in_speech or self.vad.pending_start_s is not None or self.vad.last_end_s is None:
            return None
        return self.vad.last_end_s + self.vad.pad_s

    def _microphone_gone(self, last_block_at: float) -> bool:
        if not self.source.live or self.paused.is_set() or self.stop_requested.is_set():
            return False
        active = getattr(self.source, "active", True)
        return not active or self.clock.now() - last_block_at > MIC_SILENT_LIMIT_S

    def _process(self, samples: np.ndarray) -> None:
        if len(samples) == 0:
            return
        if self.writer is not None:
            try:
                self.writer.write(samples)
            except OSError as error:
                raise OutputError(
                    f"could not write the recording ({error.strerror or error}: is the disk full or the folder "
                    f"read-only?), so the take stopped; the {self.audio_s:.0f} s captured before that are in "
                    f"{self.writer.path}."
                ) from None
        self.frames += len(samples)
        self._measure_level(samples)
        self.gate.add(samples)
        transitions = self.vad.push(self._silero.push(samples))
        self._route(transitions)
        self._report_losses()

    def _finish_vad(self) -> None:
        transitions = self.vad.push(self._silero.finish())
        transitions += self.vad.finish()
        self._route(transitions)

    def _route(self, transitions) -> None:
        for transition in transitions:
            if isinstance(transition, SpeechStarted):
                self.gate.speech_started(transition.at)
        if self.vad.in_speech and not self.gate.open:
            # Speech that carried on through a pause: it has no new start.
            self.gate.speech_started(self.vad.now_s)
        self.gate.forward()
        if self.gate.open and not self.vad.in_speech and self.vad.pending_start_s is None:
            quiet_since = self.vad.last_end_s
            if quiet_since is not None and self.vad.now_s - quiet_since >= self.streaming.utterance_gap_s:
                self.gate.close(quiet_since + self.vad.pad_s)
        for change in self.silence.update(transitions, self.vad):
            self._emit_silence(change)

    def _emit_silence(self, change) -> None:
        now = self.clock.now()
        if isinstance(change, SilenceStarted):
            self.emit(SilenceStartEvent(audio_start=round(change.start, 3), emitted_at=now))
        elif isinstance(change, SilenceGoesOn):
            self.emit(SilenceUpdateEvent(audio_start=round(change.start, 3), duration_s=change.duration_s, emitted_at=now))
        elif isinstance(change, SilenceEnded):
            self.emit(SilenceEndEvent(audio_start=round(change.start, 3), audio_end=round(change.end, 3), emitted_at=now))
            if change.signal is not None:
                self.emit(SignalEvent(signal=change.signal, emitted_at=now))

    def _measure_level(self, samples: np.ndarray) -> None:
        self._level_sum += float(np.dot(samples, samples))
        self._level_count += len(samples)
        self._level_peak = max(self._level_peak, float(np.max(np.abs(samples))))
        now = self.clock.now()
        if now - self._last_level >= LEVEL_EVERY_S:
            rms = math.sqrt(self._level_sum / max(1, self._level_count))
            self.emit(LevelEvent(rms_dbfs=dbfs(rms), peak_dbfs=dbfs(self._level_peak), emitted_at=now))
            self._last_level = now
            self._level_sum, self._level_count, self._level_peak = 0.0, 0, 0.0

    def _report_losses(self, force: bool = False) -> None:
        losses = (self.sink.overflows, self.sink.dropped_blocks)
        if losses == self._reported_losses:
            return
        now = self.clock.now()
        if force or now - self._last_loss_report >= OVERFLOW_REPORT_EVERY_S:
            self._reported_losses = losses
            self._last_loss_report = now
            self.emit(OverflowEvent(overflows=losses[0], dropped_blocks=losses[1], emitted_at=now))
