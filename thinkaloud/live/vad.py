"""Voice activity, as the audio streams in.

`SileroStream` runs the Silero model that faster-whisper ships (ONNX, no
torch) on each 32 ms frame as it completes, carrying the model's state and
context across blocks, so its probabilities are exactly those of the offline
pass over the whole recording (about 2 ms of CPU per second of audio).

`VoiceActivity` turns those probabilities into speech segments with the same
rules as `faster_whisper.vad.get_speech_timestamps`, which `analyze` uses, but
announces each boundary as soon as it is certain: a segment's start once it
has lasted `min_speech_ms`, its end once the quiet after it has lasted
`min_silence_ms`.  That is what lets the engine gate the recogniser and report
a long silence while it is still going on, and still agree with `analyze`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.audio.speech import SpeechDetectionOptions

FRAME = 512  # Silero's window at 16 kHz: 32 ms
_CONTEXT = 64


class SileroStream:
    """Speech probabilities of consecutive 512-sample frames, fed in blocks of any size."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of the frames completed by `samples` (possibly none)."""
        data = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        whole = len(data) // FRAME * FRAME
        self._pending = data[whole:]
        if whole == 0:
            return np.zeros(0, dtype=np.float32)
        frames = data[:whole].reshape(-1, FRAME)
        previous = np.concatenate([self._context[None, :], frames[:-1, -_CONTEXT:]], axis=0)
        batch = np.concatenate([previous, frames], axis=1)
        output, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = frames[-1, -_CONTEXT:].copy()
        return np.asarray(output, dtype=np.float32).reshape(-1)

    def finish(self) -> np.ndarray:
        """Pad the last partial frame with zeros, as the offline pass does."""
        if len(self._pending) == 0:
            return np.zeros(0, dtype=np.float32)
        return self.push(np.zeros(FRAME - len(self._pending), dtype=np.float32))


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    at: float  # where the segment began (before its padding)


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    at: float  # where the segment ended (before its padding)


Transition = SpeechStarted | SpeechEnded


class VoiceActivity:
    """Speech segments from frame probabilities, announced as soon as they are certain."""

    def __init__(self, options: SpeechDetectionOptions | None = None):
        options = options or SpeechDetectionOptions()
        self.options = options
        self.threshold = options.threshold
        self.neg_threshold = max(options.threshold - 0.15, 0.01)
        self.pad_s = options.speech_pad_ms / 1000
        self._min_speech = SAMPLE_RATE * options.min_speech_ms / 1000
        self._min_silence = SAMPLE_RATE * options.min_silence_ms / 1000
        self._frame = 0  # index of the next frame
        self._triggered = False
        self._start = 0  # sample where the current burst began
        self._temp_end = 0  # first quiet sample inside the current burst (0: none yet)
        self._confirmed = False
        self.speech_seen = False
        self.last_end_s: float | None = None

    @property
    def now_s(self) -> float:
        """Audio time up to which frames have been judged."""
        return self._frame * FRAME / SAMPLE_RATE

    @property
    def in_speech(self) -> bool:
        """A confirmed segment is open (it may be in a short pause)."""
        return self._triggered and self._confirmed

    @property
    def pending_start_s(self) -> float | None:
        """Start of a burst that is not yet long enough to count as speech."""
        return self._start / SAMPLE_RATE if self._triggered and not self._confirmed else None

    def push(self, probabilities: np.ndarray) -> list[Transition]:
        transitions: list[Transition] = []
        for probability in probabilities:
            sample = self._frame * FRAME
            self._frame += 1
            if probability >= self.threshold and self._temp_end:
                self._temp_end = 0
            if probability >= self.threshold and not self._triggered:
                self._triggered = True
                self._confirmed = False
                self._start = sample
            elif probability < self.neg_threshold and self._triggered:
                if not self._temp_end:
                    self._temp_end = sample
                if sample - self._temp_end >= self._min_silence:
                    self._triggered = False
                    if self._confirmed:
                        self.last_end_s = self._temp_end / SAMPLE_RATE
                        transitions.append(SpeechEnded(self.last_end_s))
                    self._temp_end = 0
                    continue
            if self._triggered and not self._confirmed:
                reached = self._temp_end or (sample + FRAME)
                if reached - self._start > self._min_speech:
                    self._confirmed = True
                    self.speech_seen = True
                    transitions.append(SpeechStarted(self._start / SAMPLE_RATE))
        return transitions

    def finish(self) -> list[Transition]:
        """End of audio: an open segment ends where the audio does (or at its quiet tail)."""
        if self._triggered and self._confirmed:
            self._triggered = False
            self.last_end_s = (self._temp_end or self._frame * FRAME) / SAMPLE_RATE
            return [SpeechEnded(self.last_end_s)]
        self._triggered = False
        return []
