"""The capture path: queue accounting, resampling, playback of a file, the crash-safe
WAV writer and its repair, and microphone selection with a fake PortAudio."""

from __future__ import annotations

import shutil
import sys
import types

import numpy as np
import pytest

from tests.audio_files import write_wav
from thinkaloud.audio.wavfile import is_truncated, read_wav_layout, repair_wav
from thinkaloud.errors import DeviceError, InputError
from thinkaloud.live.capture import CaptureQueue, FileSource, StreamResampler
from thinkaloud.live.clock import SessionClock
from thinkaloud.live.recording import WavWriter, read_pcm16_wav

# --- the queue -------------------------------------------------------------------


def test_a_full_queue_drops_and_counts_blocks_without_blocking():
    sink = CaptureQueue(max_blocks=3)
    block = np.zeros(480, dtype=np.float32)
    accepted = [sink.put(block.copy()) for _ in range(5)]
    assert accepted == [True, True, True, False, False]
    assert sink.dropped_blocks == 2 and sink.dropped_frames == 960 and sink.overflows == 0


def test_driver_overflows_are_counted_even_when_the_block_fits():
    sink = CaptureQueue(max_blocks=10)
    sink.put(np.zeros(10, dtype=np.float32), overflowed=True)
    sink.put(np.zeros(10, dtype=np.float32))
    sink.put(np.zeros(10, dtype=np.float32), overflowed=True)
    assert sink.overflows == 2 and sink.dropped_blocks == 0


def test_the_queue_is_exhausted_only_when_closed_and_drained():
    sink = CaptureQueue(max_blocks=4)
    sink.put(np.ones(4, dtype=np.float32))
    sink.close()
    assert sink.closed and not sink.exhausted
    assert sink.get(timeout=0.01) is not None
    assert sink.exhausted and sink.get(timeout=0.01) is None


# --- resampling and playback ------------------------------------------------------


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000])
def test_streamed_resampling_keeps_the_length_and_the_tone(rate):
    seconds = 2.0
    t = np.arange(int(rate * seconds)) / rate
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    resampler = StreamResampler(rate)
    rng = np.random.default_rng(rate)
    out, position = [], 0
    while position < len(tone):
        size = int(rng.integers(64, 4096))
        out.append(resampler.process(tone[position : position + size]))
        position += size
    out.append(resampler.flush())
    result = np.concatenate(out)
    assert abs(len(result) - 16000 * seconds) <= 2
    spectrum = np.abs(np.fft.rfft(result[2000:-2000]))
    peak_hz = np.argmax(spectrum) * 16000 / len(result[2000:-2000])
    assert peak_hz == pytest.approx(440, abs=2)


def test_16_khz_passes_through_untouched():
    block = np.linspace(-1, 1, 1000, dtype=np.float32)
    resampler = StreamResampler(16000)
    assert np.array_equal(resampler.process(block), block) and len(resampler.flush()) == 0


def test_a_file_is_played_in_order_and_in_full_then_the_queue_closes(tmp_path):
    rng = np.random.default_rng(3)
    samples = (rng.random(22050) * 0.2 - 0.1).astype(np.float32)
    path = write_wav(tmp_path / "one_second.wav", samples, rate=22050)
    source = FileSource(path, speed=20)
    sink = CaptureQueue(max_blocks=1000)
    clock = SessionClock()
    clock.start()
    source.start(sink, clock)
    blocks = []
    while not sink.exhausted:
        block = sink.get(timeout=1.0)
        if block is not None:
            blocks.append(block)
    played = np.concatenate(blocks)
    expected = np.round(np.clip(samples, -1, 1) * 32767) / 32768
    assert source.sample_rate == 22050 and len(played) == len(samples)
    assert np.allclose(played, expected, atol=1e-4)
    assert sink.dropped_blocks == 0


def test_a_bad_source_file_fails_before_anything_starts(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        FileSource(tmp_path / "missing.wav")
    (tmp_path / "notes.wav").write_bytes(b"this is not audio at all" * 10)
    with pytest.raises(InputError):
        FileSource(tmp_path / "notes.wav")


# --- the WAV file ---------------------------------------------------------------------


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_wav_header_is_valid_at_every_sync_and_declares_what_is_durable(tmp_path):
    clock = ManualClock()
    path = tmp_path / "audio.wav"
    writer = WavWriter(path, 16000, sync_every_s=1.0, clock=clock)
    layout = read_wav_layout(path)
    assert layout is not None and layout.declared_data_bytes == 0  # valid and empty from the start
    chunk = np.full(1600, 0.25, dtype=np.float32)
    for step in range(25):  # 2.5 s of audio, a tenth of a second of wall time each
        clock.now += 0.1
        writer.write(chunk)
        layout = read_wav_layout(path)
        assert layout is not None and not is_truncated(layout)
        assert layout.available_data_bytes >= layout.declared_data_bytes
        # Never more than a second of audio undeclared.
        assert writer.frames_written * 2 - layout.declared_data_bytes <= 1600 * 2 * 10
    samples, rate = read_pcm16_wav(path)  # a reader mid-session sees a WAV up to the last sync
    assert rate == 16000 and len(samples) >= 16000 * 2
    writer.close()
    layout = read_wav_layout(path)
    assert layout.declared_data_bytes == layout.available_data_bytes == 25 * 1600 * 2
    samples, _ = read_pcm16_wav(path)
    assert np.allclose(samples, 0.25, atol=1e-4)


def test_repair_fixes_the_header_of_a_recording_cut_off_by_a_kill(tmp_path):
    clock = ManualClock()
    path = tmp_path / "audio.wav"
    writer = WavWriter(path, 16000, clock=clock)
    clock.now = 1.0
    writer.write(np.full(16000, 0.1, dtype=np.float32))  # synced: 1 s declared
    writer.write(np.full(8000, 0.1, dtype=np.float32))  # not synced yet
    writer._file.flush()
    killed = tmp_path / "killed.wav"
    shutil.copy(path, killed)  # the file as a kill would leave it
    with open(killed, "ab") as handle:
        handle.write(b"\x01")  # and half a sample written when it died
    writer.close()

    before = read_wav_layout(killed)
    assert before.declared_data_bytes == 32000 and before.available_data_bytes == 48001
    assert repair_wav(killed) is True
    after = read_wav_layout(killed)
    assert after.declared_data_bytes == after.available_data_bytes == 48000
    assert repair_wav(killed) is False  # already right: left alone
    samples, _ = read_pcm16_wav(killed)
    assert len(samples) == 24000


def test_repair_refuses_a_file_that_is_not_a_wav(tmp_path):
    path = tmp_path / "x.wav"
    path.write_bytes(b"nothing like a RIFF header")
    with pytest.raises(ValueError):
        repair_wav(path)


# --- microphones, with a fake PortAudio ---------------------------------------------------


class FakePortAudioError(Exception):
    pass


def fake_sounddevice(devices: list[dict], default_input: int = -1) -> types.ModuleType:
    module = types.ModuleType("sounddevice")
    module.PortAudioError = FakePortAudioError

    def query_devices(device=None, kind=None):
        if kind == "input":
            if default_input < 0:
                raise FakePortAudioError("no default input device")
            return devices[default_input]
        return devices

    module.query_devices = query_devices
    module.query_hostapis = lambda: [{"name": "ALSA"}]
    module.default = types.SimpleNamespace(device=[default_input, -1])
    return module


def device(index: int, name: str, inputs: int = 2, rate: float = 48000.0) -> dict:
    return {"index": index, "name": name, "hostapi": 0, "max_input_channels": inputs, "default_samplerate": rate}


@pytest.fixture
def portaudio(monkeypatch):
    def install(devices, default_input=-1):
        monkeypatch.setitem(sys.modules, "sounddevice", fake_sounddevice(devices, default_input))

    return install


def test_devices_lists_only_inputs_and_marks_the_default(portaudio):
    from thinkaloud.live.microphone import list_input_devices

    portaudio([device(0, "HDMI out", inputs=0), device(1, "Built-in Mic", rate=44100.0), device(2, "USB Headset")], default_input=2)
    found = list_input_devices()
    assert [(d.index, d.name, d.default_rate, d.is_default) for d in found] == [
        (1, "Built-in Mic", 44100, False),
        (2, "USB Headset", 48000, True),
    ]


@pytest.mark.parametrize(
    ("mic", "expected"),
    [(None, 2), ("1", 1), ("usb", 2), ("Built-in Mic", 1), ("built", 1)],
)
def test_mic_is_found_by_index_or_name(portaudio, mic, expected):
    from thinkaloud.live.microphone import find_input_device

    portaudio([device(1, "Built-in Mic"), device(2, "USB Headset"), device(3, "USB Headset 2")], default_input=1)
    if mic is None:
        assert find_input_device(mic).index == 1
    elif mic == "usb":
        with pytest.raises(DeviceError, match="matches 2 input devices"):
            find_input_device(mic)
    else:
        assert find_input_device(mic).index == expected


@pytest.mark.parametrize(
    ("devices", "mic", "message"),
    [
        ([device(1, "Built-in Mic")], "7", "--mic 7 is not an input device"),
        ([device(1, "Built-in Mic")], "webcam", "no input device matches --mic 'webcam'"),
        ([device(0, "HDMI out", inputs=0)], None, "no audio input device found"),
        ([], "1", "no audio input device found"),
    ],
)
def test_bad_mic_choices_are_one_line_device_errors(portaudio, devices, mic, message):
    from thinkaloud.live.microphone import find_input_device

    portaudio(devices)
    with pytest.raises(DeviceError) as caught:
        find_input_device(mic)
    assert message in caught.value.message and "\n" not in caught.value.message


def test_missing_portaudio_is_a_device_error_naming_the_fix(monkeypatch):
    import builtins

    from thinkaloud.live.microphone import import_sounddevice

    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.delitem(sys.modules, "sounddevice", raising=False)
    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(DeviceError, match="PortAudio is not installed.*libportaudio2.*--source FILE"):
        import_sounddevice()
