"""Model resolution, decoding windows and the repetition guard (no model is loaded)."""

from __future__ import annotations

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
