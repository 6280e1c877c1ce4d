"""The live decoder's short encoder window (`asr.short_window`): its sizes, and
that the real tiny.en hears the same words in it as in Whisper's full 30 s."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from thinkaloud.asr.short_window import FULL_WINDOW_FRAMES, EncoderWindow, ShortWindowPipeline

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("clip_s", "frames"),
    [(0.5, 1000), (4.0, 1000), (9.0, 1000), (9.5, 1500), (14.0, 1500), (19.0, 2000), (28.5, 3000), (45.0, 3000)],
)
def test_the_window_is_the_clip_plus_a_second_in_steps_of_five_seconds_never_under_ten(clip_s, frames):
    assert EncoderWindow().frames(clip_s) == frames


def test_a_thirty_second_floor_turns_the_shortening_off():
    assert EncoderWindow(min_s=30).frames(1.0) == FULL_WINDOW_FRAMES


def test_the_encoder_gets_the_short_window_and_the_rest_of_the_pipeline_the_clip(monkeypatch):
    from faster_whisper import BatchedInferencePipeline

    seen = {}

    def forward(self, features, tokenizer, chunks_metadata, options):
        seen.update(shape=features.shape, contiguous=features.flags["C_CONTIGUOUS"], chunks=chunks_metadata)
        return [[]]

    monkeypatch.setattr(BatchedInferencePipeline, "forward", forward)
    pipeline = ShortWindowPipeline(model=object())
    padded = np.zeros((1, 80, FULL_WINDOW_FRAMES), dtype=np.float32)  # what `transcribe` hands over
    chunks = [{"offset": 0.0, "duration": 3.2}]
    assert pipeline.forward(padded, None, chunks, None) == [[]]
    assert seen == {"shape": (1, 80, 1000), "contiguous": True, "chunks": chunks}


@pytest.mark.e2e
def test_tiny_en_hears_the_same_words_in_the_short_window_as_in_the_full_one():
    from faster_whisper import BatchedInferencePipeline

    from thinkaloud.asr.transcriber import FILLER_PROMPT, TranscriberOptions, load_whisper
    from thinkaloud.audio.decode import load_audio
    from thinkaloud.evaluation.wer import word_error_rate
    from thinkaloud.live.streaming import WhisperBufferDecoder

    model = load_whisper(TranscriberOptions(), streams=1).model
    audio = load_audio(REPO / "samples" / "strong_answer.wav").samples
    full = WhisperBufferDecoder(BatchedInferencePipeline(model), "tiny.en")
    short = WhisperBufferDecoder(ShortWindowPipeline(model), "tiny.en")
    heard = {"full": [], "short": []}
    for start_s in (3, 10, 17, 24):  # four 8-second buffers of speech
        clip = audio[start_s * 16000 : (start_s + 8) * 16000]
        for name, decoder in (("full", full), ("short", short)):
            heard[name] += [word.raw_text for word in decoder.decode(clip, start_s, FILLER_PROMPT)]
    assert len(heard["short"]) >= 70
    # A word or two may flip ("churn"/"turn"), as between any two window sizes.
    assert word_error_rate("".join(heard["full"]), "".join(heard["short"])) <= 0.06
