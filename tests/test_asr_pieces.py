"""Model resolution, decoding windows and the repetition guard (no model is loaded)."""

from __future__ import annotations

import math

import pytest

from thinkaloud.asr.guards import collapse_repetitions
from thinkaloud.asr.models import resolve_model
from thinkaloud.asr.transcriber import group_into_windows
from thinkaloud.errors import ModelError
from thinkaloud.types import SpeechSpan


def test_default_model_is_the_bundled_tiny_en():
    resolved = resolve_model(None)
    assert resolved.name == "tiny.en (bundled)"


def test_model_folder_without_model_bin_is_refused(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ModelError, match="model.bin"):
        resolve_model(str(tmp_path))


def test_models_directory_is_searched_by_name(tmp_path, monkeypatch):
    folder = tmp_path / "my-model"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    (folder / "config.json").write_text("{}")
    monkeypatch.setenv("THINKALOUD_MODELS", str(tmp_path))
    assert resolve_model("my-model").location == str(folder)


def test_unknown_model_name_lists_what_was_tried():
    with pytest.raises(ModelError) as error:
        resolve_model("no-such-model")
    message = str(error.value)
    assert "no-such-model" in message and "tried" in message and "\n" not in message


def test_windows_keep_short_pauses_and_split_long_ones():
    speech = [SpeechSpan(0, 2), SpeechSpan(2.5, 5), SpeechSpan(9, 10), SpeechSpan(10.2, 40)]
    windows = group_into_windows(speech, window_s=28, split_gap_s=1.5)
    assert windows == [SpeechSpan(0, 5), SpeechSpan(9, 10), SpeechSpan(10.2, 40)]


def test_repetition_loop_collapses_to_one_copy():
    tokens = ["We", "said"] + ["S"] * 30 + ["done."]
    kept = [tokens[i] for i in collapse_repetitions(tokens)]
    assert kept == ["We", "said", "S", "done."]


def test_phrase_loop_collapses():
    tokens = "thank you for watching thank you for watching thank you for watching thank you for watching".split()
    assert [tokens[i] for i in collapse_repetitions(tokens)] == ["thank", "you", "for", "watching"]


def test_ordinary_repetition_is_kept():
    tokens = "no no no that is very very slow".split()
    assert collapse_repetitions(tokens) == list(range(len(tokens)))


def test_device_choice_without_a_gpu(monkeypatch):
    """auto falls back to the CPU silently; cuda fails with one clear line."""
    import ctranslate2

    from thinkaloud.asr.transcriber import resolve_device
    from thinkaloud.errors import DeviceError

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 0)
    assert resolve_device("auto") == "cpu"
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(DeviceError, match="no CUDA GPU") as error:
        resolve_device("cuda")
    assert "\n" not in str(error.value)


def test_device_choice_with_a_gpu(monkeypatch):
    import ctranslate2

    from thinkaloud.asr.transcriber import resolve_device

    monkeypatch.setattr(ctranslate2, "get_cuda_device_count", lambda: 1)
    assert resolve_device("auto") == "cuda"
    assert resolve_device("cuda") == "cuda"


# --- decoding again the speech Whisper stopped short of ---------------------------------


class _Segment:
    def __init__(self, start: float, end: float, words):
        self.start, self.end, self.words = start, end, words
        self.avg_logprob, self.no_speech_prob = -0.2, 0.01


class _Word:
    def __init__(self, word: str, start: float, end: float):
        self.word, self.start, self.end, self.probability = word, start, end, 0.9


class StopsHalfwayOnFirstPass:
    """A stand-in for the batched pipeline: one word a second of each clip, but on the
    first call it stops halfway through every clip longer than 4 s, as Whisper sometimes does."""

    def __init__(self):
        self.calls: list[list[dict]] = []

    def transcribe(self, samples, clip_timestamps, **_):
        self.calls.append(clip_timestamps)
        first_call = len(self.calls) == 1
        segments = []
        for clip in clip_timestamps:
            end = clip["end"]
            if first_call and end - clip["start"] > 4:
                end = clip["start"] + (end - clip["start"]) / 2
            seconds = range(math.ceil(clip["start"]), math.ceil(end))
            words = [_Word(f" w{s}", s + 0.1, s + 0.6) for s in seconds]
            if words:
                segments.append(_Segment(words[0].start, words[-1].end, words))
        return iter(segments), None


def fake_transcriber(*pipelines):
    from thinkaloud.asr.transcriber import TranscriberOptions, WhisperTranscriber

    return WhisperTranscriber.over_pipelines(TranscriberOptions(), pipelines)


def test_speech_after_an_early_stop_is_decoded_again_in_one_batched_call():
    import numpy as np

    speech = [SpeechSpan(0, 10), SpeechSpan(20, 30), SpeechSpan(40, 43)]
    pipeline = StopsHalfwayOnFirstPass()
    words = list(fake_transcriber(pipeline).transcribe(np.zeros(50 * 16000, dtype=np.float32), speech))

    assert [w.raw_text for w in words] == [f" w{s}" for s in [*range(0, 10), *range(20, 30), *range(40, 43)]]
    assert len(pipeline.calls) == 2  # the first pass, then every window's lost speech together
    assert len(pipeline.calls[1]) == 2 and pipeline.calls[1][0]["start"] >= 4.6


def test_a_window_decoded_whole_is_not_decoded_again():
    from thinkaloud.asr.transcriber import RecognisedWord, lost_speech

    speech = [SpeechSpan(0, 3), SpeechSpan(3.5, 6)]
    whole = [RecognisedWord(" a", 0.1, 2.9, 0.9), RecognisedWord(" b", 3.6, 5.8, 0.9)]
    assert lost_speech(SpeechSpan(0, 6), whole, speech) == []
    cut_short = whole[:1]
    assert lost_speech(SpeechSpan(0, 6), cut_short, speech) == [SpeechSpan(3.5, 6)]


def test_two_streams_decode_groups_side_by_side_and_words_still_come_in_time_order():
    import numpy as np

    # Twelve 10-second stretches 20 s apart: windows of their own, in two groups.
    speech = [SpeechSpan(30 * i, 30 * i + 10) for i in range(12)]
    first, second = StopsHalfwayOnFirstPass(), StopsHalfwayOnFirstPass()
    words = list(fake_transcriber(first, second).transcribe(np.zeros(360 * 16000, dtype=np.float32), speech))

    expected = [f" w{s}" for i in range(12) for s in range(30 * i, 30 * i + 10)]
    assert [w.raw_text for w in words] == expected
    # Each stream decoded one group of six windows, then that group's lost halves.
    for pipeline in (first, second):
        assert [len(call) for call in pipeline.calls] == [6, 6]
    assert {first.calls[0][0]["start"], second.calls[0][0]["start"]} == {0, 180}


def test_groups_are_even_and_a_multiple_of_the_streams():
    from thinkaloud.asr.transcriber import split_into_groups

    windows = [SpeechSpan(i, i + 0.5) for i in range(70)]
    assert [len(g) for g in split_into_groups(windows, 1, most=32)] == [24, 24, 22]
    assert [len(g) for g in split_into_groups(windows, 2, most=32)] == [18, 18, 18, 16]
    assert [len(g) for g in split_into_groups(windows[:16], 2, most=32)] == [8, 8]
    assert sum(split_into_groups(windows, 2, most=32), []) == windows
    assert split_into_groups([], 2) == []
