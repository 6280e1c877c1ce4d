"""Whisper's encoder run on only as much of its 30-second window as a short clip needs.

faster-whisper pads every clip to Whisper's full 30-second window (3,000
feature frames) before encoding it, and the encoder's attention makes that the
largest cost of decoding a short live buffer: on two cores, tiny.en encodes
3,000 frames in ~0.31 s and 1,000 frames in ~0.04 s.  CTranslate2 accepts a
shorter window, so `ShortWindowPipeline` hands the encoder only the clip plus
a margin, rounded up to a multiple of 5 s (so successive decodes of a growing
buffer mostly see the same window), and never under `EncoderWindow.min_s`.

Why the floor: Whisper was trained on 30-second windows only, and the
shorter its window the more it mishears: a 5 s floor lost words that a 10 s
one kept, and the full window did not pay for itself live (README,
Performance; `StreamingOptions.final_window_s`).

Used by the live engine, whose buffers are a few seconds long.  `analyze`
decodes windows of up to 28 s, where there is nothing to save.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from faster_whisper import BatchedInferencePipeline

FRAMES_PER_S = 100  # Whisper's feature rate: one frame every 10 ms
FULL_WINDOW_FRAMES = 3000


@dataclass(frozen=True, slots=True)
class EncoderWindow:
    """How much of Whisper's 30-second window the encoder sees.

    Attributes:
      min_s: the shortest window; 30 turns the shortening off.
      step_s: windows are the clip plus `margin_s`, rounded up to a multiple of this.
      margin_s: padding after the clip, as in the full window the model was trained on.
    """

    min_s: float = 10.0
    step_s: float = 5.0
    margin_s: float = 1.0

    def frames(self, clip_s: float) -> int:
        step = int(round(self.step_s * FRAMES_PER_S))
        wanted = math.ceil((clip_s + self.margin_s) * FRAMES_PER_S / step) * step
        return min(FULL_WINDOW_FRAMES, max(int(round(self.min_s * FRAMES_PER_S)), wanted))


class ShortWindowPipeline(BatchedInferencePipeline):
    """A `BatchedInferencePipeline` whose encoder sees `window.frames(clip)` frames, not 3,000."""

    def __init__(self, model, window: EncoderWindow = EncoderWindow()):
        super().__init__(model)
        self.window = window

    def forward(self, features, tokenizer, chunks_metadata, options):
        # `transcribe` has padded the features to 3,000 frames by now; what is
        # cut off is that padding, never the clip (the window covers the longest).
        longest = max(chunk["duration"] for chunk in chunks_metadata)
        frames = self.window.frames(longest)
        return super().forward(np.ascontiguousarray(features[..., :frames]), tokenizer, chunks_metadata, options)
