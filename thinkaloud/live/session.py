"""A live rehearsal session: the engine that the TUI and `live --no-tui` drive.

    source -> CaptureQueue -> [capture thread] -> WAV, levels, VAD, silences
                                      |
                                  SpeechFeed -> [transcription thread] -> words, signals
                                                                      |
                                      events() <- one ordered queue <--+

`open_live_session(options)` opens the source (so a missing microphone or a
bad file fails at once, with one line), loads the models, and returns a
`LiveEngine`.  Nothing is captured until the consumer starts iterating
`events()`; `pause()`, `resume()` and `stop()` may be called from any thread.
When the source ends or `stop()` is called the engine commits the tail,
analyses the whole recording the way `analyze` does (voice activity over the
full WAV, the live transcript, the same detectors), saves the session folder
and ends `events()` with a `FinishedEvent` carrying the report.
"""

from __future__ import annotations

import os
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from thinkaloud import __version__
from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.asr.transcriber import TranscriberOptions
from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.audio.speech import SpeechDetectionOptions
from thinkaloud.errors import OutputError, ThinkaloudError, UsageError
from thinkaloud.live.agreement import StreamWord
from thinkaloud.live.analysis import LiveTranscript, merge_words
from thinkaloud.live.capture import AudioSource, CaptureQueue
from thinkaloud.live.capture_stage import CaptureStage
from thinkaloud.live.clock import SessionClock
from thinkaloud.live.event_log import EventLog
from thinkaloud.live.events import SCHEMA, FinishedEvent, HeaderEvent, LiveEvent, StateEvent, StatsEvent
from thinkaloud.live.recording import WavWriter, read_pcm16_wav
from thinkaloud.live.streaming import BufferDecoder, SpeechFeed, StreamingOptions, StreamingRecognizer, lead_prompt
from thinkaloud.live.transcribe_stage import TranscribeStage
from thinkaloud.types import Report

MAX_SPEED = 20.0
STATS_EVERY_S = 5.0
#: Capture queue size: a minute of 50 ms blocks before anything is dropped
#: (at most ~11 MB at 48 kHz).  The engine normally drains it within a block;
#: it is deep for the moments the whole process stops running (a busy or
#: throttled machine): a source paced on the clock then delivers everything it
#: owes at once.  Ten seconds was not enough for a 30-minute soak at 4×, where
#: it lost 96 s of a take in one run and nothing in the next.
QUEUE_BLOCKS = 1200


@dataclass(frozen=True, slots=True)
class LiveOptions:
    """Everything that shapes a live session.

    Attributes:
      source: a recording to play through the live path in real time; None
        records from the microphone.
      mic: which input device (`--mic`): an index, a name or part of one;
        None is the system default.  Ignored with `source`.
      speed: playback speed of `source` (2.0 plays twice as fast).
      question, question_id, parent_id: what the take answers, and the take it
        follows up on; stored in the session's metadata.
      silence_threshold_s: quiet at least this long between words is a long silence.
      transcriber: how Whisper is loaded (model, device, threads, guards).
      save: keep the session folder (audio, report, metadata); False keeps nothing.
      events_path: also write every event as a JSON line to this file.
      streaming: latency and CPU trade-offs of the live recogniser.
      speech: voice activity settings (the same as `analyze`'s).
      sessions_root: where session folders go; None is the data home's sessions/.
      detectors: which detectors run, with the user's extra cues (None: all, no extras).
    """

    source: Path | None = None
    mic: str | None = None
    speed: float = 1.0
    question: str | None = None
    question_id: str | None = None
    parent_id: str | None = None
    silence_threshold_s: float = LONG_SILENCE_S
    transcriber: TranscriberOptions = field(default_factory=TranscriberOptions)
    save: bool = True
    events_path: Path | None = None
    streaming: StreamingOptions = field(default_factory=StreamingOptions)
    speech: SpeechDetectionOptions = field(default_factory=SpeechDetectionOptions)
    sessions_root: Path | None = None
    detectors: object | None = None  # thinkaloud.nlp.pipeline.DetectorOptions; spaCy loads lazily

    def __post_init__(self) -> None:
        if not self.silence_threshold_s > 0:
            raise UsageError(f"--silence must be a positive number of seconds, not {self.silence_threshold_s:g}.")
        if not 0 < self.speed <= MAX_SPEED:
            raise UsageError(f"--speed must be above 0 and at most {MAX_SPEED:g}, not {self.speed:g}.")
        if self.source is not None and self.mic is not None:
            raise UsageError("--source plays a recording instead of the microphone, so it cannot go with --mic; choose one.")


def open_live_session(options: LiveOptions) -> LiveEngine:
    """Open the source and load the models; fails fast with one-line errors."""
    from thinkaloud.asr.transcriber import WhisperTranscriber, load_whisper
    from thinkaloud.live.capture import FileSource
    from thinkaloud.live.streaming import whisper_decoders
    from thinkaloud.nlp.pipeline import DetectorOptions, TextAnalyzer

    check_events_path(options.events_path)
    if options.source is not None:
        source: AudioSource = FileSource(Path(options.source), options.speed)
    else:
        from thinkaloud.live.microphone import MicrophoneSource

        source = MicrophoneSource(options.mic)
    try:
        # One buffer is decoded at a time, so one stream with every thread.
        loaded = load_whisper(options.transcriber, streams=1)
        beam = options.streaming.beam_size or options.transcriber.beam_size
        decoder, final_decoder = whisper_decoders(loaded.model, loaded.resolved.name, options.streaming, beam, options.transcriber.guards)
        recovery = WhisperTranscriber(options.transcriber, loaded=loaded)
        text_analyzer = TextAnalyzer(options.detectors or DetectorOptions())
    except BaseException:
        source.stop()
        raise
    return LiveEngine(options, source, decoder, text_analyzer, recovery=recovery, final_decoder=final_decoder)


def check_events_path(path: Path | None) -> None:
    if path is None:
        return
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"--events {path} is a directory; give a file name for the event log.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write --events {path}: folder {parent} does not exist; create it or choose another path.")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise OutputError(f"cannot write --events {path} (permission denied); choose another path.")


class LiveEngine:
    """One live session; implements `thinkaloud.live.events.LiveSession`.

    `decoder` turns buffers into words (the real one wraps faster-whisper),
    `final_decoder` (by default `decoder`) each utterance's final decode;
    `recovery`, if given, is a file `Transcriber` used at the end to transcribe
    audio that was skipped to keep up, so the saved report is complete.
    """

    def __init__(self, options: LiveOptions, source: AudioSource, decoder: BufferDecoder, text_analyzer, recovery=None, final_decoder: BufferDecoder | None = None):
        self.options = options
        self.source = source
        self.decoder = decoder
        self.recovery = recovery
        self.clock = SessionClock()
        self.error: ThinkaloudError | None = None
        self.session_id: str | None = None
        self.session_dir: Path | None = None
        self.audio_path: Path | None = None
        self.report_path: Path | None = None
        self.report: Report | None = None
        self._out: queue.Queue[LiveEvent] = queue.Queue()
        self._emit_lock = threading.Lock()
        self._last_emitted_at = 0.0
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._started = False
        self._finished = threading.Event()
        self._event_log = EventLog(options.events_path) if options.events_path else None
        self._capture_queue = CaptureQueue(QUEUE_BLOCKS)
        self._feed = SpeechFeed()
        self._transcript = LiveTranscript(text_analyzer, options.silence_threshold_s)
        prompt = lead_prompt(options.question, options.transcriber.initial_prompt)
        self._recognizer = StreamingRecognizer(decoder, options.streaming, initial_prompt=prompt, final_decoder=final_decoder)
        self._scratch: Path | None = None
        self._take = None  # thinkaloud.sessions.record.TakeWriter, when the take is kept
        self._capture: CaptureStage | None = None
        self._transcribe: TranscribeStage | None = None
        self._threads: list[threading.Thread] = []
        self._stats_thread: threading.Thread | None = None

    @property
    def description(self) -> str:
        return self.source.description

    # --- the LiveSession protocol -------------------------------------------

    def events(self) -> Iterator[LiveEvent]:
        """Start capturing (on first call) and yield events until the `FinishedEvent`."""
        self._start()
        finished = False
        try:
            while not finished:
                event = self._out.get()
                finished = isinstance(event, FinishedEvent)
                yield event
        finally:
            if not finished:
                self.stop()  # the consumer went away: finish and save the take rather than record on

    def pause(self) -> None:
        if self._stop.is_set() or self._paused.is_set():
            return
        self._paused.set()
        self.clock.pause()
        self._emit(StateEvent("paused", "paused: nothing is recorded until you resume", self.clock.now()))

    def resume(self) -> None:
        if not self._paused.is_set():
            return
        self.clock.resume()
        self._paused.clear()
        self._emit(StateEvent("recording", "recording again", self.clock.now()))

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        if self._paused.is_set():
            self.clock.resume()
            self._paused.clear()
        self._emit(StateEvent("stopping", "finishing: committing the last words and saving the take", self.clock.now()))
        if not self._started:
            self.source.stop()

    @property
    def finished(self) -> bool:
        return self._finished.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the session has finished (after a `stop()`, or the end of the source)."""
        return self._finished.wait(timeout)

    # --- running ----------------------------------------------------------------

    def _start(self) -> None:
        if self._started:
            return
        self._started = True
        self.audio_path = self._prepare_folder()
        writer = WavWriter(self.audio_path, SAMPLE_RATE)
        self._capture = CaptureStage(
            self.source,
            self._capture_queue,
            writer,
            self._feed,
            self.clock,
            self._emit,
            self.options.silence_threshold_s,
            self.options.streaming,
            self.options.speech,
            stop_requested=self._stop,
            paused=self._paused,
        )
        self._transcribe = TranscribeStage(self._recognizer, self._transcript, self._feed, self.clock, self._emit)
        self._emit(HeaderEvent(SCHEMA, __version__, self.source.description, self.decoder.model_name, 0.0))
        self.clock.start()
        try:
            if not self._stop.is_set():
                self.source.start(self._capture_queue, self.clock)
            else:
                self._capture_queue.close()
        except BaseException:
            writer.close()
            self._discard_folder()
            raise
        self._emit(StateEvent("recording", f"recording from {self.source.description}", self.clock.now()))
        capture = threading.Thread(target=self._run_capture, name="thinkaloud-capture", daemon=True)
        transcribe = threading.Thread(target=self._run_transcribe, name="thinkaloud-transcribe", daemon=True)
        self._threads = [capture, transcribe]
        capture.start()
        transcribe.start()

    def _run_capture(self) -> None:
        from thinkaloud.live.streaming import EndOfStream

        assert self._capture is not None
        try:
            self._capture.run()
        finally:
            self._feed.put(EndOfStream())

    def _run_transcribe(self) -> None:
        assert self._transcribe is not None and self._capture is not None
        self._stats_thread = threading.Thread(target=self._report_stats, name="thinkaloud-stats", daemon=True)
        self._stats_thread.start()
        try:
            self._transcribe.run()
            self._threads[0].join()
        finally:
            self._finalize()

    def _report_stats(self) -> None:
        while not self._finished.wait(STATS_EVERY_S):
            if not self._paused.is_set():
                self._emit(self._stats())

    def _stats(self) -> StatsEvent:
        capture, transcribe = self._capture, self._transcribe
        assert capture is not None and transcribe is not None
        return StatsEvent(
            audio_s=round(capture.audio_s, 3),
            lag_s=transcribe.lag_s,
            max_lag_s=transcribe.max_lag_s,
            decodes=transcribe.decodes,
            mean_decode_s=round(transcribe.mean_decode_s, 3),
            skipped_s=transcribe.skipped_s,
            overflows=self._capture_queue.overflows,
            dropped_blocks=self._capture_queue.dropped_blocks,
            emitted_at=self.clock.now(),
            stable_words=transcribe.stable_words,
            revised_words=transcribe.revised_words,
            final_lag_s=transcribe.final_lag_s,
            max_final_lag_s=transcribe.max_final_lag_s,
        )

    def _emit(self, event) -> None:
        with self._emit_lock:
            # Stages stamp their events before taking this lock, so a stage
            # that stamped first can be overtaken by another's later event.
            # What reaches the log and the UI was emitted no earlier than what
            # came before it, so its time is moved up to keep the clock's order
            # (a latency is then reported a few milliseconds long, never short).
            if event.emitted_at < self._last_emitted_at:
                event = replace(event, emitted_at=self._last_emitted_at)
            self._last_emitted_at = event.emitted_at
            if self._event_log is not None:
                self._event_log.write(event)
            self._out.put(event)

    # --- the session folder -----------------------------------------------------

    def _prepare_folder(self) -> Path:
        """Where the audio goes: the take's folder, in place from the start (a crash leaves an interrupted take)."""
        from thinkaloud.sessions.layout import AUDIO_FILE
        from thinkaloud.sessions.record import QuestionRef, TakeWriter

        if not self.options.save:
            self._scratch = Path(tempfile.mkdtemp(prefix="thinkaloud-live-"))
            return self._scratch / AUDIO_FILE
        self._take = TakeWriter.open(
            "live",
            source=str(self.options.source) if self.options.source is not None else "microphone",
            question=QuestionRef(self.options.question, self.options.question_id),
            parent_id=self.options.parent_id,
            root=self.options.sessions_root,
            recording=True,
            notes={"capture": self.source.description},
            advice="check the data folder is writable, or use --no-save",
        )
        self.session_dir = self._take.folder
        self.session_id = self._take.id
        return self._take.audio_path

    def _discard_folder(self) -> None:
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
        elif self._take is not None:
            self._take.discard()
        self.session_dir = self.session_id = self.audio_path = None

    # --- the end ----------------------------------------------------------------

    def _finalize(self) -> None:
        capture, transcribe = self._capture, self._transcribe
        assert capture is not None and transcribe is not None
        failure = capture.error or transcribe.error
        if failure is not None:
            self.error = failure if isinstance(failure, ThinkaloudError) else _internal(failure)
            self._emit(StateEvent("error", self.error.message, self.clock.now()))
        try:
            self._emit(self._stats())
            if capture.frames == 0 and failure is None and self.options.save:
                self._discard_folder()  # nothing was recorded: leave no empty take behind
            else:
                self.report = self._analyse_recording(transcribe)
                self._save(self.report, transcribe)
                if self.error is not None and self.report_path is not None:
                    self.error = _naming_the_audio(self.error, self.audio_path)
        except ThinkaloudError as error:
            self.error = self.error or error
            self._emit(StateEvent("error", error.message, self.clock.now()))
        except Exception as error:  # still end the stream: a consumer must never wait forever
            self.error = self.error or _internal(error)
            self._emit(StateEvent("error", self.error.message, self.clock.now()))
        finally:
            if self._scratch is not None:
                shutil.rmtree(self._scratch, ignore_errors=True)
                self.audio_path = None
            self._finished.set()
            if self._stats_thread is not None:
                self._stats_thread.join()  # so that nothing follows the FinishedEvent
            self._emit(StateEvent("finished", self._finished_message(), self.clock.now()))
            self._emit(
                FinishedEvent(
                    session_id=self.session_id,
                    session_dir=str(self.session_dir) if self.session_dir else None,
                    audio_path=str(self.audio_path) if self.audio_path else None,
                    report_path=str(self.report_path) if self.report_path else None,
                    emitted_at=self.clock.now(),
                    report=self.report,
                )
            )
            if self._event_log is not None:
                self._event_log.close()

    def _finished_message(self) -> str:
        if self.session_dir is not None and self.report_path is not None:
            return f"saved the take in {self.session_dir}"
        if self.error is not None:
            return f"stopped: {self.error.message}"
        return "finished"

    def _analyse_recording(self, transcribe: TranscribeStage) -> Report:
        from thinkaloud.audio.speech import detect_speech

        assert self.audio_path is not None
        samples, _rate = read_pcm16_wav(self.audio_path)
        duration = len(samples) / SAMPLE_RATE
        speech = detect_speech(samples, self.options.speech)
        recovered = self._recover_skipped(samples, speech, transcribe.skipped)
        if recovered:
            transcript = merge_words(self._transcript.raw_words, recovered)
        else:
            transcript = self._transcript.transcript()
        if self.options.save and self.session_dir is not None:
            source = str(self.audio_path)
        else:
            source = str(self.options.source) if self.options.source is not None else "microphone"
        return self._transcript.report(transcript, speech, duration, source, self.decoder.model_name)

    def _recover_skipped(self, samples, speech, skipped: list[tuple[float, float]]) -> list[StreamWord]:
        """Transcribe, now that there is time, the audio skipped to keep up live."""
        if not skipped or self.recovery is None:
            return []
        from thinkaloud.types import SpeechSpan

        spans = []
        for start, end in skipped:
            for span in speech:
                lo, hi = max(span.start, start), min(span.end, end)
                if hi - lo > 0.1:
                    spans.append(SpeechSpan(lo, hi))
        words = []
        for word in self.recovery.transcribe(samples, spans):
            middle = (word.start + word.end) / 2
            if any(start <= middle <= end for start, end in skipped):
                words.append(StreamWord(word.raw_text, word.start, word.end, word.probability))
        return words

    def _save(self, report: Report, transcribe: TranscribeStage) -> None:
        if not self.options.save or self._take is None:
            return
        if self.error is None:
            status = "complete"
        else:
            # A device that went away or a full disk still leaves a usable take; a bug does not.
            from thinkaloud.errors import DeviceError

            status = "interrupted" if isinstance(self.error, (DeviceError, OutputError)) else "failed"
        notes = {
            "overflows": self._capture_queue.overflows,
            "dropped_blocks": self._capture_queue.dropped_blocks,
            "skipped_s": transcribe.skipped_s,
            "max_lag_s": transcribe.max_lag_s,
            **({"error": self.error.message} if self.error is not None else {}),
        }
        # Written and indexed from this report; an index that cannot be updated now is
        # caught up by the next `history` (the folder is the source of truth).
        from thinkaloud.sessions.layout import REPORT_FILE

        saved = self._take.finish(report, status=status, notes=notes, advice=f"its audio is in {self.audio_path}")
        self.report_path = saved.folder / REPORT_FILE


def _naming_the_audio(error: ThinkaloudError, audio_path: Path | None) -> ThinkaloudError:
    """The error the take ended with, saying where its audio was kept (the user's first question)."""
    if audio_path is None or str(audio_path) in error.message:
        return error
    renamed = type(error)(f"{error.message.rstrip('.')}; the take so far was saved, its audio is in {audio_path}.")
    renamed.exit_code = error.exit_code
    return renamed


def _internal(error: Exception) -> ThinkaloudError:
    return ThinkaloudError(
        f"internal error in the live engine ({type(error).__name__}: {error}); the audio so far was kept, please report this."
    )
