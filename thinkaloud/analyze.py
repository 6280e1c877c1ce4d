"""The analysis spine: one recording or transcript in, one `Report` out.

    audio file -> decode -> voice activity -> transcribe -> detect -> report
    text file  ----------------------------------------> detect -> report

`Analyzer` loads the ASR and NLP models once (lazily: a text-only run never
loads Whisper) and can then analyse any number of inputs.  Progress is
reported through a callback so the CLI, the TUI and tests each show it their
own way.
"""

from __future__ import annotations

import bisect
import codecs
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from thinkaloud.analysis.coaching import LONG_SILENCE_S
from thinkaloud.asr.transcriber import Transcriber, TranscriberOptions
from thinkaloud.asr.transcript import TranscriptBuilder
from thinkaloud.audio.speech import SpeechDetectionOptions
from thinkaloud.errors import InputError, UsageError
from thinkaloud.nlp.options import DetectorOptions
from thinkaloud.types import ModelInfo, Report, SourceInfo, SpeechSpan, Transcript

TEXT_SUFFIXES = frozenset({".txt", ".text"})

#: progress(stage, fraction): stage is "decoding", "voice activity", "transcribing" or
#: "analysing"; fraction in [0, 1] where known, else None.
ProgressCallback = Callable[[str, float | None], None]


def _no_progress(stage: str, fraction: float | None) -> None:
    pass


@dataclass(frozen=True, slots=True)
class AnalyzeOptions:
    """Everything that shapes an analysis.

    Attributes:
      silence_threshold_s: a gap in speech at least this long is a long silence.
      transcriber: how Whisper is loaded and run.
      speech: how voice activity is detected.
      detectors: which detectors run, with the user's extra cue phrases.
    """

    silence_threshold_s: float = LONG_SILENCE_S
    transcriber: TranscriberOptions = field(default_factory=TranscriberOptions)
    speech: SpeechDetectionOptions = field(default_factory=SpeechDetectionOptions)
    detectors: DetectorOptions = field(default_factory=DetectorOptions)

    def __post_init__(self) -> None:
        if not self.silence_threshold_s > 0:
            raise UsageError(f"--silence must be a positive number of seconds, not {self.silence_threshold_s:g}.")


def read_transcript_file(path: Path) -> str:
    from thinkaloud.audio.decode import check_readable_file

    check_readable_file(path)
    raw = path.read_bytes()
    wide = _wide_unicode(raw)
    if wide is not None:
        raise InputError(f"{path} is {wide} text, not UTF-8; re-save it as UTF-8 and try again.")
    if b"\x00" in raw:
        raise InputError(f"{path} contains binary data, not text; give a plain UTF-8 transcript or an audio file.")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path} is not UTF-8 text (bad byte at offset {error.start}); re-save it as UTF-8 and try again."
        ) from None
    if not text.strip():
        raise InputError(f"{path} contains no text; give a transcript with the answer's words.")
    return text


def _wide_unicode(raw: bytes) -> str | None:
    """The encoding's name when `raw` is text saved as UTF-16 or UTF-32 (what Windows
    editors call "Unicode"), else None; their NUL bytes would otherwise look binary."""
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if raw.startswith(bom):  # UTF-32 first: its little-endian mark starts with UTF-16's
            return name
    # Without a byte-order mark, English saved as UTF-16 has a NUL in every other byte.
    even, odd = raw[0::2], raw[1::2]
    if len(raw) >= 4 and len(raw) % 2 == 0 and ((not any(odd) and all(even)) or (not any(even) and all(odd))):
        return "UTF-16"
    return None


class Analyzer:
    """Holds the loaded models; `analyze_path` may be called many times."""

    def __init__(
        self,
        options: AnalyzeOptions = AnalyzeOptions(),
        transcriber: Transcriber | None = None,
        text_analyzer=None,
        speech_detector: Callable[..., list[SpeechSpan]] | None = None,
    ):
        self.options = options
        self._transcriber = transcriber
        self._text_analyzer = text_analyzer
        self._speech_detector = speech_detector

    @property
    def transcriber(self) -> Transcriber:
        if self._transcriber is None:
            from thinkaloud.asr.transcriber import WhisperTranscriber

            self._transcriber = WhisperTranscriber(self.options.transcriber)
        return self._transcriber

    @property
    def text_analyzer(self):
        if self._text_analyzer is None:
            from thinkaloud.nlp.pipeline import TextAnalyzer

            self._text_analyzer = TextAnalyzer(self.options.detectors)
        return self._text_analyzer

    def _load_text_analyzer_meanwhile(self) -> Callable[[], None]:
        """Start loading the text analyzer on its own thread; returns the function that waits for it.

        Loading spaCy and its pipeline takes about two seconds of one core,
        while voice activity detection and loading Whisper leave the other
        core idle: on a 2-core machine that hides most of the load.
        """
        if self._text_analyzer is not None:
            return lambda: None
        failure: list[BaseException] = []

        def load() -> None:
            try:
                self.text_analyzer  # noqa: B018 - the property loads and keeps it
            except BaseException as error:  # re-raised on the caller's thread
                failure.append(error)

        thread = threading.Thread(target=load, name="thinkaloud-load-text-analyzer", daemon=True)
        thread.start()

        def wait() -> None:
            thread.join()
            if failure:
                raise failure[0]

        return wait

    def analyze_path(self, path: Path, progress: ProgressCallback = _no_progress) -> Report:
        if path.suffix.lower() in TEXT_SUFFIXES:
            text = read_transcript_file(path)
            progress("analysing", None)
            return self.analyze_text(text, source=str(path))
        from thinkaloud.audio.decode import load_audio

        progress("decoding", None)
        clip = load_audio(path)
        return self.analyze_samples(clip.samples, source=str(path), progress=progress)

    def analyze_text(self, text: str, source: str = "<text>") -> Report:
        return self.build_report(
            Transcript(text=text),
            speech=(),
            duration_s=None,
            source=SourceInfo(path=source, kind="text", duration_s=None),
            asr_name=None,
        )

    def analyze_samples(self, samples, source: str, progress: ProgressCallback = _no_progress) -> Report:
        """Analyse 16 kHz mono float32 samples."""
        from thinkaloud.audio import SAMPLE_RATE
        from thinkaloud.audio.speech import detect_speech

        duration = len(samples) / SAMPLE_RATE
        text_analyzer_loaded = self._load_text_analyzer_meanwhile()
        progress("voice activity", None)
        speech = (self._speech_detector or detect_speech)(samples, self.options.speech)
        transcriber = self.transcriber
        builder = TranscriptBuilder()
        covered = SpeechCoverage(speech)
        progress("transcribing", 0.0)
        for word in transcriber.transcribe(samples, speech):
            builder.add(word.raw_text, word.start, word.end, word.probability)
            progress("transcribing", covered.fraction_before(word.end))
        progress("transcribing", 1.0)
        progress("analysing", None)
        text_analyzer_loaded()
        return self.build_report(
            builder.build(),
            speech=tuple(speech),
            duration_s=duration,
            source=SourceInfo(path=source, kind="audio", duration_s=round(duration, 3)),
            asr_name=transcriber.model_name,
        )

    def build_report(
        self,
        transcript: Transcript,
        speech: Sequence[SpeechSpan],
        duration_s: float | None,
        source: SourceInfo,
        asr_name: str | None,
    ) -> Report:
        """The report for a transcript: this class's own, or one recognised elsewhere (the
        live engine's), through exactly the detectors, metrics and coaching `analyze` uses."""
        from thinkaloud.analysis.coaching import summarize
        from thinkaloud.analysis.metrics import measure
        from thinkaloud.analysis.signals import WordClock, in_reading_order, silence_signals, text_signals, timed_sentences

        analyzer = self.text_analyzer
        findings = analyzer.find(transcript.text)
        clock = WordClock(transcript.words)
        sentences = timed_sentences(findings, clock)
        signals = text_signals(findings, sentences, clock) + silence_signals(speech, self.options.silence_threshold_s)
        signals = in_reading_order(signals)
        metrics = measure(transcript, speech, signals, duration_s)
        speech_found = bool(transcript.text.strip())
        return Report(
            source=source,
            model=ModelInfo(asr=asr_name, nlp=analyzer.name),
            transcript=transcript,
            sentences=tuple(sentences),
            signals=tuple(signals),
            metrics=metrics,
            summary=summarize(signals, metrics, speech_found=speech_found),
            speech=tuple(speech),
        )


class SpeechCoverage:
    """What share of all speech lies before a moment: how far the transcriber has got."""

    def __init__(self, speech: Sequence[SpeechSpan]):
        self._starts = [s.start for s in speech]
        self._ends = [s.end for s in speech]
        self._before = list(itertools.accumulate((s.end - s.start for s in speech), initial=0.0))
        self._total = self._before[-1] or 1.0

    def fraction_before(self, t: float) -> float:
        index = bisect.bisect_right(self._starts, t)  # spans starting before t
        if index == 0:
            return 0.0
        seconds = self._before[index - 1] + min(self._ends[index - 1], t) - self._starts[index - 1]
        return min(1.0, seconds / self._total)
