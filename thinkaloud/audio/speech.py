"""Voice activity: where in a recording someone is speaking.

Uses the Silero VAD model that faster-whisper ships (ONNX, no torch).  The
spans it returns serve twice: silences are the gaps between them, and the
transcriber decodes only inside them, so room noise never reaches the ASR.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.types import SpeechSpan


@dataclass(frozen=True, slots=True)
class SpeechDetectionOptions:
    """How voice activity detection decides what is speech.

    Attributes:
      threshold: Silero speech probability above which a 32 ms frame is speech.
        0.5 is Silero's recommended default.
      min_silence_ms: a quiet stretch shorter than this does not split speech;
        breaths and stop consonants are shorter.
      min_speech_ms: speech bursts shorter than this are dropped as clicks.
      speech_pad_ms: padding added on both sides of each span.  Small, because
        silence boundaries are reported to the user and must be tight.
      max_span_s: longer spans are split, so each fits one Whisper window.
    """

    threshold: float = 0.5
    min_silence_ms: int = 300
    min_speech_ms: int = 120
    speech_pad_ms: int = 60
    max_span_s: float = 28.0


def detect_speech(samples: np.ndarray, options: SpeechDetectionOptions | None = None) -> list[SpeechSpan]:
    """Speech spans in 16 kHz mono `samples`, in order and non-overlapping."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = options or SpeechDetectionOptions()
    if samples.size == 0:
        return []
    vad_options = VadOptions(
        threshold=options.threshold,
        min_speech_duration_ms=options.min_speech_ms,
        max_speech_duration_s=options.max_span_s,
        min_silence_duration_ms=options.min_silence_ms,
        speech_pad_ms=options.speech_pad_ms,
    )
    stamps = get_speech_timestamps(samples, vad_options, sampling_rate=SAMPLE_RATE)
    return [SpeechSpan(start=s["start"] / SAMPLE_RATE, end=s["end"] / SAMPLE_RATE) for s in stamps]
