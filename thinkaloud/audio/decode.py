"""Decoding any recording PyAV understands into 16 kHz mono float32.

Owns the translation of decoder failures into one-line `InputError`s, so that
nothing above this module ever sees an FFmpeg exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.audio.wavfile import is_truncated, read_wav_layout
from thinkaloud.errors import InputError


@dataclass(frozen=True, slots=True)
class AudioClip:
    samples: np.ndarray  # float32, mono, SAMPLE_RATE
    sample_rate: int = SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.sample_rate


def check_readable_file(path: Path) -> None:
    """Raise a one-line InputError unless `path` is a non-empty regular file we may read."""
    if not path.exists():
        raise InputError(f"{path} does not exist; check the path and try again.")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the path of a recording or a .txt transcript.")
    if not path.is_file():
        raise InputError(f"{path} is not a regular file; give the path of a recording or a .txt transcript.")
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied); check its permissions.") from None
    except OSError as error:
        raise InputError(f"{path} cannot be read ({error.strerror}); check the file.") from None
    if size == 0:
        raise InputError(f"{path} is empty (0 bytes); record or export the answer again.")


def load_audio(path: Path) -> AudioClip:
    """Decode `path`, resampled to 16 kHz and mixed down to mono."""
    samples, _ = decode_mono(path, SAMPLE_RATE, alternative=", or pass a .txt transcript")
    return AudioClip(samples=samples)


def decode_mono(path: Path, rate: int | None, alternative: str = "") -> tuple[np.ndarray, int]:
    """`path` as mono float32 samples at `rate` (None: the recording's own rate), and that rate.

    `alternative` ends the hint of the "not audio" messages (what else the
    caller would accept instead).
    """
    import av  # PyAV is heavy to import and only audio input needs it

    check_readable_file(path)
    layout = read_wav_layout(path)
    if layout is not None and is_truncated(layout):
        raise InputError(
            f"{path} is truncated: its header promises {layout.declared_duration_s:.1f} s "
            f"but only {layout.available_duration_s:.1f} s is there; export the recording again."
        )

    av.logging.set_level(av.logging.PANIC)  # FFmpeg's own chatter would pollute stderr
    chunks: list[np.ndarray] = []
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            if not container.streams.audio:
                raise InputError(f"{path} has no audio stream; give a recording{alternative}.")
            stream = container.streams.audio[0]
            rate = rate or stream.codec_context.sample_rate or stream.rate
            if not rate:
                raise InputError(f"{path} does not say its sample rate; convert it to WAV or FLAC.")
            # 16-bit samples: half the memory of float while decoding a long recording.
            resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
            for frame in container.decode(stream):
                frame.pts = None  # the resampler re-times frames itself; stale pts make it warn
                for resampled in resampler.resample(frame):
                    chunks.append(resampled.to_ndarray().reshape(-1))
            for resampled in resampler.resample(None):
                chunks.append(resampled.to_ndarray().reshape(-1))
    except InputError:
        raise
    except av.error.InvalidDataError:
        raise InputError(
            f"{path} is not audio that can be decoded (corrupt or an unsupported format); "
            f"convert it to WAV, FLAC or MP3{alternative}."
        ) from None
    except (av.error.FFmpegError, ValueError, OSError) as error:
        if chunks:
            decoded_s = sum(len(c) for c in chunks) / rate
            raise InputError(
                f"{path} is corrupt or truncated after {decoded_s:.1f} s ({error}); export the recording again."
            ) from None
        raise InputError(f"{path} could not be decoded ({error}); convert it to WAV, FLAC or MP3.") from None

    if not chunks:
        raise InputError(f"{path} contains no audio samples; record or export the answer again.")
    pcm = np.concatenate(chunks)
    chunks.clear()  # an hour of audio is 115 MB of chunks: free them before the float copy
    if pcm.size == 0:
        raise InputError(f"{path} contains no audio samples; record or export the answer again.")
    samples = pcm.astype(np.float32)
    del pcm
    samples *= 1 / 32768.0  # in place: a second float copy would double the peak on long recordings
    return samples, int(rate)
