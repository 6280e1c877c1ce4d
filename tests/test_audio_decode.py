"""Decoding recordings to 16 kHz mono, and refusing what is not audio."""

from __future__ import annotations

import numpy as np
import pytest

from tests.audio_files import encode, write_wav
from thinkaloud.audio.decode import load_audio
from thinkaloud.audio.wavfile import is_truncated, read_wav_layout
from thinkaloud.errors import InputError


def sine(seconds: float, rate: int) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_wav_any_rate_is_resampled(tmp_path, rate):
    clip = load_audio(write_wav(tmp_path / "a.wav", sine(2.0, rate), rate))
    assert clip.sample_rate == 16000
    assert clip.duration_s == pytest.approx(2.0, abs=0.02)


@pytest.mark.parametrize("codec,suffix", [("flac", ".flac"), ("libmp3lame", ".mp3"), ("libopus", ".opus"), ("libopus", ".ogg"), ("libopus", ".webm"), ("aac", ".m4a")])
def test_compressed_formats_decode(tmp_path, codec, suffix):
    rate = 48000 if codec == "libopus" else 44100
    try:
        path = encode(tmp_path / f"a{suffix}", sine(2.0, rate), rate, codec, layout="stereo")
    except Exception as error:  # the local FFmpeg build may lack an encoder
        pytest.skip(f"cannot encode {codec} here: {error}")
    clip = load_audio(path)
    assert clip.duration_s == pytest.approx(2.0, abs=0.1)
    assert clip.samples.ndim == 1


def test_stereo_recording_is_mixed_down(shared_audio):
    clip = load_audio(shared_audio / "jfk.flac")
    assert clip.samples.ndim == 1
    assert clip.duration_s == pytest.approx(11.0, abs=0.01)


def test_truncated_wav_is_refused(tmp_path):
    path = write_wav(tmp_path / "full.wav", sine(4.0, 16000))
    cut = tmp_path / "cut.wav"
    cut.write_bytes(path.read_bytes()[:40000])
    assert is_truncated(read_wav_layout(cut))
    with pytest.raises(InputError, match="truncated"):
        load_audio(cut)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.wav", b"", "empty"),
        ("noise.mp3", bytes(range(256)) * 40, "not audio"),
        ("fake.wav", b"RIFF\x00\x00\x00\x00WAVEjunk" * 20, "not audio|no audio"),
    ],
)
def test_bad_bytes_give_one_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as error:
        load_audio(path)
    assert "\n" not in str(error.value)


def test_zero_sample_wav(tmp_path):
    path = write_wav(tmp_path / "zero.wav", np.zeros(0, dtype=np.float32))
    with pytest.raises(InputError, match="no audio samples|not audio"):
        load_audio(path)


def test_directory_and_missing_file(tmp_path):
    with pytest.raises(InputError, match="directory"):
        load_audio(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_audio(tmp_path / "missing.wav")
