"""Turning speech into timed words with faster-whisper.

`Transcriber` is the seam the rest of the code depends on (tests use a fake);
`WhisperTranscriber` is the real one.  File analysis decodes only inside the
voice-activity spans it is given, grouped into windows of up to ~28 s with
faster-whisper's `BatchedInferencePipeline`, which on a small CPU is about
twice as fast as sequential decoding at equal accuracy.
"""

from __future__ import annotations

import bisect
import math
import os
import queue
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from thinkaloud.asr.guards import GuardOptions, collapse_repetitions, is_invented_segment
from thinkaloud.asr.models import ResolvedModel, resolve_model
from thinkaloud.errors import DeviceError, ModelError
from thinkaloud.types import SpeechSpan


@dataclass(frozen=True, slots=True)
class RecognisedWord:
    """A word as the recogniser spelled it: a leading space marks a word boundary."""

    raw_text: str
    start: float
    end: float
    probability: float


class Transcriber(Protocol):
    model_name: str

    def transcribe(self, samples: np.ndarray, speech: Sequence[SpeechSpan]) -> Iterator[RecognisedWord]:
        """Yield words in time order, decoding only inside `speech`."""
        ...


#: Speech left after a window's last word that is worth decoding again (see `lost_speech`).
LOST_SPEECH_RETRY_S = 1.0

#: Windows decoded per call to the pipeline: the speech Whisper stopped short of
#: in a group is decoded again in one batched call, and words flow out group by group.
WINDOWS_PER_GROUP = 32

#: Shown to the decoder so that it writes fillers down instead of dropping them.
FILLER_PROMPT = "Um, uh, so, like, you know, I mean, hmm."


@dataclass(frozen=True, slots=True)
class TranscriberOptions:
    """How the Whisper model is loaded and run.

    Attributes:
      model: a `--model` value (None: the bundled tiny.en); see `asr.models`.
      device: "cpu", "cuda" or "auto" (CUDA when a GPU is visible, else CPU).
      compute_type: CTranslate2 compute type; "default" picks int8 on CPU and
        float16 on CUDA.
      cpu_threads: threads for CPU decoding in all; 0 means one per available core.
      streams: groups of windows decoded at the same time, each by its own
        copy of the model's workers with an equal share of `cpu_threads`;
        0 picks 2 on a CPU with at least two threads, else 1 (and always 1 on
        CUDA).  Two single-threaded streams keep two cores busier than one
        two-threaded stream, whose threads wait on each other between small
        matrix products: on the 6-minute benchmark recording (2 cores) Whisper
        took 11.1 s instead of 14-17 s, with the same words.  The live engine
        decodes one buffer at a time and always uses one stream.
      beam_size: beam search width (faster-whisper's default is 5).
      batch_size: windows decoded together in one call of a stream's batched
        pipeline.  Beam search copies each window's encoder output for every
        beam, so a batch of 8 held ~0.6 GB at its peak; 4 per stream keeps two
        streams near one stream of 8 (~1.0 GB against 0.9 GB on the benchmark
        recording) and was as fast (one stream decoded as fast with 4 as with 8).
      window_s: longest stretch of audio decoded as one window (Whisper sees 30 s).
      split_gap_s: a pause at least this long starts a new window, so Whisper
        never decodes a long silence (where it tends to invent text).  Shorter
        pauses, someone thinking mid-answer, stay inside a window: fuller
        windows mean fewer of them to encode (Whisper encodes 30 s whatever a
        window holds).  Against 1.5 s this decoded answers with 0.2-3 s pauses
        about a fifth faster, at the same or lower word error rate.
      initial_prompt: text shown to the decoder as if it preceded the audio.  The
        default is a short run of disfluencies: Whisper was trained on
        transcripts that mostly omit "um" and "uh" and drops them unless the
        context shows they are written down.  On the labelled evaluation audio
        it raised the fillers recovered from 11 of 35 to 32 of 35 and did not
        hurt the word error rate on read speech (`thinkaloud eval --audio`).
      guards: repetition and hallucination guards.
    """

    model: str | None = None
    device: str = "auto"
    compute_type: str = "default"
    cpu_threads: int = 0
    streams: int = 0
    beam_size: int = 5
    batch_size: int = 4
    window_s: float = 28.0
    split_gap_s: float = 3.0
    initial_prompt: str | None = FILLER_PROMPT
    guards: GuardOptions = field(default_factory=GuardOptions)


def available_cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def resolve_device(requested: str) -> str:
    import ctranslate2

    if requested not in ("auto", "cpu", "cuda"):
        raise DeviceError(f"unknown device '{requested}'; use cpu, cuda or auto.")
    if requested == "cpu":
        return "cpu"
    try:
        gpus = ctranslate2.get_cuda_device_count()
    except Exception:
        gpus = 0
    if requested == "cuda" and gpus == 0:
        raise DeviceError("--device cuda was requested but no CUDA GPU is visible to CTranslate2; use --device cpu or auto.")
    return "cuda" if gpus else "cpu"


def group_into_windows(speech: Sequence[SpeechSpan], window_s: float, split_gap_s: float) -> list[SpeechSpan]:
    """Merge neighbouring speech spans into decoding windows.

    Short pauses stay inside a window (Whisper transcribes better with the
    context); a long pause or a full window starts a new one.
    """
    windows: list[SpeechSpan] = []
    for span in speech:
        if windows:
            current = windows[-1]
            if span.start - current.end < split_gap_s and span.end - current.start <= window_s:
                windows[-1] = SpeechSpan(current.start, span.end)
                continue
        windows.append(span)
    return windows


@dataclass(frozen=True, slots=True)
class LoadedWhisper:
    """A loaded faster-whisper `WhisperModel` and how it was found and placed."""

    model: object  # faster_whisper.WhisperModel
    resolved: ResolvedModel
    device: str
    compute_type: str
    streams: int = 1  # calls the model can serve at the same time


def decoding_streams(requested: int, device: str, threads: int) -> int:
    """How many decoding streams to run (see `TranscriberOptions.streams`)."""
    if device == "cuda":
        return 1
    if requested:
        return max(1, min(requested, threads))
    return 2 if threads >= 2 else 1


def load_whisper(options: TranscriberOptions = TranscriberOptions(), streams: int | None = None) -> LoadedWhisper:
    """Resolve, place and load the Whisper model once; file analysis and the live
    engine share this, so both fail with the same one-line errors.

    `streams` overrides `options.streams` (the live engine asks for one)."""
    resolved = resolve_model(options.model)
    device = resolve_device(options.device)
    compute_type = options.compute_type
    if compute_type == "default":
        compute_type = "float16" if device == "cuda" else "int8"
    threads = options.cpu_threads or available_cpu_count()
    streams = decoding_streams(options.streams if streams is None else streams, device, threads)

    from faster_whisper import WhisperModel

    try:
        model = WhisperModel(
            resolved.location,
            device=device,
            compute_type=compute_type,
            cpu_threads=max(1, threads // streams),
            num_workers=streams,
        )
    except (RuntimeError, ValueError, OSError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        if device == "cuda":
            raise DeviceError(
                f"could not start the model on CUDA ({message}); check the NVIDIA driver, CUDA 12 cuBLAS and cuDNN 9, or use --device cpu."
            ) from None
        raise ModelError(
            f"could not load model {resolved.name} from {resolved.location} ({message}); "
            "check that the folder holds a complete CTranslate2 Whisper model."
        ) from None
    return LoadedWhisper(model=model, resolved=resolved, device=device, compute_type=compute_type, streams=streams)


class WhisperTranscriber:
    """faster-whisper behind the `Transcriber` seam; loads its model once (or reuses `loaded`).

    Windows are decoded in groups, one batched call per group plus one for
    the speech it lost (`lost_speech`); with several streams, groups are
    decoded concurrently, each on its own `BatchedInferencePipeline` over the
    shared model, and their words still come out in time order.
    """

    def __init__(self, options: TranscriberOptions = TranscriberOptions(), loaded: LoadedWhisper | None = None):
        loaded = loaded or load_whisper(options)
        from faster_whisper import BatchedInferencePipeline

        self._setup(
            options,
            model_name=loaded.resolved.name,
            english_only=loaded.model.model.is_multilingual is False,
            pipelines=[BatchedInferencePipeline(loaded.model) for _ in range(loaded.streams)],
        )
        self.resolved: ResolvedModel = loaded.resolved
        self.device = loaded.device
        self.compute_type = loaded.compute_type

    @classmethod
    def over_pipelines(cls, options: TranscriberOptions, pipelines: Sequence, model_name: str = "test") -> WhisperTranscriber:
        """A transcriber over ready pipelines (one per stream); the seam tests use."""
        transcriber = object.__new__(cls)
        transcriber._setup(options, model_name=model_name, english_only=True, pipelines=list(pipelines))
        return transcriber

    def _setup(self, options: TranscriberOptions, model_name: str, english_only: bool, pipelines: list) -> None:
        self.options = options
        self.model_name = model_name
        self.streams = len(pipelines)
        self._english_only = english_only
        # A pipeline keeps state between its batches, so each stream borrows one of its own.
        self._idle_pipelines: queue.SimpleQueue = queue.SimpleQueue()
        for pipeline in pipelines:
            self._idle_pipelines.put(pipeline)

    def transcribe(self, samples: np.ndarray, speech: Sequence[SpeechSpan]) -> Iterator[RecognisedWord]:
        options = self.options
        windows = group_into_windows(speech, options.window_s, options.split_gap_s)
        groups = split_into_groups(windows, self.streams)
        pending: list[RecognisedWord] = []
        # Flush all but a short tail, so a loop that crosses a group boundary
        # is still seen whole by the repetition guard.
        tail = options.guards.max_ngram * (options.guards.max_repeats + 1)
        for words in self._decoded_groups(samples, groups, speech):
            pending += words
            if len(pending) > 2 * tail:
                yield from self._guarded(pending[:-tail], keep_tail=pending[-tail:])
                pending = pending[-tail:]
        yield from self._guarded(pending, keep_tail=[])

    def _decoded_groups(self, samples: np.ndarray, groups: list[list[SpeechSpan]], speech: Sequence[SpeechSpan]) -> Iterator[list[RecognisedWord]]:
        """Each group's words, in order; at most one group per stream is decoded ahead."""
        if self.streams == 1 or len(groups) == 1:
            for group in groups:
                yield self._decode_group(samples, group, speech)
            return
        pool = ThreadPoolExecutor(max_workers=self.streams, thread_name_prefix="thinkaloud-asr")
        try:
            waiting = iter(groups)
            running = deque(pool.submit(self._decode_group, samples, group, speech) for group in _take(waiting, self.streams))
            while running:
                words = running.popleft().result()
                following = next(waiting, None)
                if following is not None:
                    running.append(pool.submit(self._decode_group, samples, following, speech))
                yield words
        finally:
            # Interrupted or abandoned: start no more groups.  A group already
            # decoding cannot be stopped inside CTranslate2; it ends on its own
            # and its words are dropped.  (The pool's threads are joined at
            # exit, so Ctrl+C waits for it, a few seconds, as a single stream
            # waits for its batch.  Daemon threads would not wait, but
            # CTranslate2 aborts the process when torn down mid-decode.)
            pool.shutdown(wait=False, cancel_futures=True)

    def _decode_group(self, samples: np.ndarray, group: Sequence[SpeechSpan], speech: Sequence[SpeechSpan]) -> list[RecognisedWord]:
        """A group's words in time order, with the speech it lost decoded again."""
        pipeline = self._idle_pipelines.get()
        try:
            found = self._decode(pipeline, samples, group)
            lost = [span for window, words in zip(group, found) for span in lost_speech(window, words, speech)]
            words = [word for window_words in found for word in window_words]
            if lost:
                again = group_into_windows(lost, self.options.window_s, self.options.split_gap_s)
                words += [word for window_words in self._decode(pipeline, samples, again) for word in window_words]
                words.sort(key=lambda word: word.start)
            return words
        finally:
            self._idle_pipelines.put(pipeline)

    def _decode(self, pipeline, samples: np.ndarray, windows: Sequence[SpeechSpan]) -> list[list[RecognisedWord]]:
        """The words of each window, decoded in one batched call."""
        if not windows:
            return []
        options = self.options
        segments, _info = pipeline.transcribe(
            samples,
            language="en" if self._english_only else None,
            beam_size=options.beam_size,
            batch_size=options.batch_size,
            word_timestamps=True,
            clip_timestamps=[{"start": w.start, "end": w.end} for w in windows],
            initial_prompt=options.initial_prompt,
            vad_filter=False,
        )
        # Segment times are rounded, so a window's first segment may start a
        # hair before the window: the boundary is midway between windows.
        boundaries = [(window.end + following.start) / 2 for window, following in zip(windows, windows[1:])]
        found: list[list[RecognisedWord]] = [[] for _ in windows]
        for segment in segments:
            if is_invented_segment(segment.avg_logprob, segment.no_speech_prob, options.guards):
                continue
            window_words = found[bisect.bisect_right(boundaries, segment.start)]
            window_words += [RecognisedWord(w.word, w.start, w.end, w.probability) for w in segment.words or ()]
        return found

    def _guarded(self, words: list[RecognisedWord], keep_tail: list[RecognisedWord]) -> Iterator[RecognisedWord]:
        tokens = [w.raw_text for w in words + keep_tail]
        kept = set(collapse_repetitions(tokens, self.options.guards))
        for index, word in enumerate(words):
            if index in kept:
                yield word


def split_into_groups(windows: Sequence[SpeechSpan], streams: int, most: int = WINDOWS_PER_GROUP) -> list[list[SpeechSpan]]:
    """Consecutive windows in groups of at most `most`, as many groups as a
    multiple of `streams` and of equal size, so that the streams finish together."""
    if not windows:
        return []
    count = streams * math.ceil(len(windows) / (streams * most))
    size = math.ceil(len(windows) / count)
    return [list(windows[i : i + size]) for i in range(0, len(windows), size)]


def _take(iterator: Iterator, count: int) -> list:
    return [item for _, item in zip(range(count), iterator)]


def lost_speech(window: SpeechSpan, words: Sequence[RecognisedWord], speech: Sequence[SpeechSpan]) -> list[SpeechSpan]:
    """The speech in a window after its last decoded word, when there is enough to decode again.

    Decoding a window in one go (as the batched pipeline does), Whisper
    sometimes ends its output early, typically where one voice or topic
    hands over to another, and the rest of the window is silently lost.
    When more than LOST_SPEECH_RETRY_S of speech follows the last word, that
    rest is decoded once more, in windows of its own.
    """
    covered_until = words[-1].end if words else window.start
    first = bisect.bisect_right(speech, covered_until + 0.3, key=lambda span: span.end)
    rest = []
    for span in speech[first:]:
        if span.start >= window.end:
            break
        rest.append(SpeechSpan(max(span.start, covered_until), min(span.end, window.end)))
    if sum(span.end - span.start for span in rest) < LOST_SPEECH_RETRY_S:
        return []
    return rest
