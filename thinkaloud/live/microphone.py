"""The microphone: finding input devices and capturing from one with PortAudio.

Owns every PortAudio failure (library missing, no input device, a bad
`--mic`, a device that will not open) and turns each into one `DeviceError`
line, so nothing above this module ever sees a `sounddevice` exception.

The stream runs at the device's own rate (resampling happens downstream), in
mono float32; its callback only copies the block into the capture queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from thinkaloud.errors import DeviceError
from thinkaloud.live.capture import CaptureQueue
from thinkaloud.live.clock import SessionClock

PORTAUDIO_HINT = (
    "install PortAudio (Debian/Ubuntu: apt-get install libportaudio2; Fedora: dnf install portaudio; "
    "macOS: brew install portaudio) or play a recording with --source FILE"
)


def import_sounddevice():
    try:
        import sounddevice
    except OSError:  # sounddevice raises OSError when libportaudio cannot be loaded
        raise DeviceError(f"PortAudio is not installed, so no microphone can be opened; {PORTAUDIO_HINT}.") from None
    return sounddevice


@dataclass(frozen=True, slots=True)
class InputDevice:
    index: int
    name: str
    host_api: str
    channels: int
    default_rate: int
    is_default: bool

    @property
    def label(self) -> str:
        return f"{self.index}: {self.name}"

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "name": self.name,
            "host_api": self.host_api,
            "channels": self.channels,
            "default_rate": self.default_rate,
            "default": self.is_default,
        }


def list_input_devices() -> list[InputDevice]:
    """Every device PortAudio can record from, in its own order."""
    sd = import_sounddevice()
    try:
        devices = sd.query_devices()
        host_apis = sd.query_hostapis()
    except sd.PortAudioError as error:
        raise DeviceError(f"PortAudio could not list audio devices ({_reason(error)}); check the sound system is running.") from None
    default_input = _default_input_index(sd)
    found = []
    for info in devices:
        if info["max_input_channels"] < 1:
            continue
        found.append(
            InputDevice(
                index=int(info["index"]),
                name=str(info["name"]),
                host_api=str(host_apis[info["hostapi"]]["name"]),
                channels=int(info["max_input_channels"]),
                default_rate=int(round(info["default_samplerate"])),
                is_default=int(info["index"]) == default_input,
            )
        )
    return found


def _default_input_index(sd) -> int | None:
    try:
        index = sd.default.device[0]
    except Exception:
        return None
    if index is None or index < 0:
        try:
            index = sd.query_devices(kind="input")["index"]
        except Exception:
            return None
    return int(index)


def find_input_device(mic: str | None) -> InputDevice:
    """The device `--mic` names: an index, an exact name, or a unique part of a name.

    None picks the system's default input device.
    """
    devices = list_input_devices()
    if not devices:
        raise DeviceError(
            "no audio input device found; connect a microphone (and check the sound system sees it with "
            "'thinkaloud devices'), or play a recording with --source FILE."
        )
    if mic is None or not mic.strip():
        for device in devices:
            if device.is_default:
                return device
        return devices[0]
    wanted = mic.strip()
    if wanted.lstrip("-").isdigit():
        index = int(wanted)
        for device in devices:
            if device.index == index:
                return device
        raise DeviceError(
            f"--mic {index} is not an input device (inputs are {_labels(devices)}); "
            "run 'thinkaloud devices' and give one of those indexes or a name."
        )
    exact = [d for d in devices if d.name.casefold() == wanted.casefold()]
    if len(exact) == 1:
        return exact[0]
    partial = [d for d in devices if wanted.casefold() in d.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    if not partial:
        raise DeviceError(
            f"no input device matches --mic '{wanted}' (inputs are {_labels(devices)}); "
            "run 'thinkaloud devices' and give an index or part of a name."
        )
    raise DeviceError(f"--mic '{wanted}' matches {len(partial)} input devices ({_labels(partial)}); give its index instead.")


def _labels(devices: list[InputDevice], limit: int = 6) -> str:
    shown = ", ".join(d.label for d in devices[:limit])
    return shown + (f" and {len(devices) - limit} more" if len(devices) > limit else "")


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


class MicrophoneSource:
    """A PortAudio input stream on one device; opened (and so validated) when made."""

    live = True

    def __init__(self, mic: str | None = None, block_s: float = 0.05):
        sd = import_sounddevice()
        self.device = find_input_device(mic)
        self.sample_rate = self.device.default_rate
        self.description = f"microphone {self.device.label} ({self.sample_rate} Hz)"
        self._sink: CaptureQueue | None = None
        self._stopped = False
        try:
            self._stream = sd.InputStream(
                device=self.device.index,
                samplerate=self.sample_rate,
                channels=1,
                dtype="float32",
                blocksize=max(64, int(self.sample_rate * block_s)),
                callback=self._callback,
            )
        except (sd.PortAudioError, ValueError) as error:
            raise DeviceError(
                f"could not open input device {self.device.label} at {self.sample_rate} Hz ({_reason(error)}); "
                "choose another with --mic (see 'thinkaloud devices')."
            ) from None

    def _callback(self, indata, frames, time_info, status) -> None:
        # Runs on PortAudio's thread: copy and hand over, nothing else.
        sink = self._sink
        if sink is not None:
            sink.put(indata[:, 0].copy(), overflowed=bool(status.input_overflow))

    def start(self, sink: CaptureQueue, clock: SessionClock) -> None:
        self._sink = sink
        sd = import_sounddevice()
        try:
            self._stream.start()
        except sd.PortAudioError as error:
            raise DeviceError(
                f"could not start recording from {self.device.label} ({_reason(error)}); "
                "check the device is free, or choose another with --mic."
            ) from None

    @property
    def active(self) -> bool:
        """False once the stream has stopped, e.g. because the device went away."""
        try:
            return bool(self._stream.active)
        except Exception:  # PortAudioError: a device unplugged mid-stream can no longer be asked
            return False

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._stream.stop()
            self._stream.close()
        except Exception:
            pass  # the device may already be gone; nothing more to release
        if self._sink is not None:
            self._sink.close()
