"""The session's audio on disk: a WAV file that survives a crash.

`WavWriter` appends 16-bit PCM as audio arrives and, at least once a second,
flushes, fsyncs and rewrites the RIFF and data sizes in the header.  A reader
that opens the file mid-session therefore sees a valid WAV holding everything
up to the last sync (the bytes after it are simply not declared yet), and a
crash or a kill loses at most a second.  `thinkaloud.audio.wavfile.repair_wav`
makes the header of such an interrupted file match what is really there, when
the session is opened again.
"""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from thinkaloud.audio.wavfile import MAX_DATA_BYTES, RIFF_SIZE_OFFSET, read_wav_layout, repair_wav

_HEADER_BYTES = 44
_DATA_SIZE_OFFSET = 40


def _header(sample_rate: int, channels: int, data_bytes: int) -> bytes:
    block_align = channels * 2
    return b"".join(
        (
            b"RIFF",
            struct.pack("<I", 36 + data_bytes),
            b"WAVE",
            b"fmt ",
            struct.pack("<IHHIIHH", 16, 1, channels, sample_rate, sample_rate * block_align, block_align, 16),
            b"data",
            struct.pack("<I", data_bytes),
        )
    )


def to_pcm16(samples: np.ndarray) -> bytes:
    """float32 in [-1, 1] to little-endian 16-bit PCM, clipping what is louder."""
    scaled = np.clip(samples, -1.0, 1.0) * 32767.0
    return np.round(scaled).astype("<i2").tobytes()


class WavWriter:
    """Appends mono float32 audio to a 16-bit WAV whose header is valid at every sync.

    `sync_every_s` is wall-clock time: the most audio a crash can lose.
    """

    def __init__(
        self,
        path: Path,
        sample_rate: int,
        sync_every_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.path = Path(path)
        self.sample_rate = sample_rate
        self.sync_every_s = sync_every_s
        self._clock = clock
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._file = os.fdopen(fd, "wb")
        self._file.write(_header(sample_rate, 1, 0))
        self._data_bytes = 0
        self._synced_bytes = -1
        self._last_sync = self._clock()
        self._closed = False
        self.sync()

    @property
    def frames_written(self) -> int:
        return self._data_bytes // 2

    @property
    def duration_s(self) -> float:
        return self.frames_written / self.sample_rate

    def write(self, samples: np.ndarray) -> None:
        if self._closed:
            raise ValueError(f"{self.path} is closed")
        pcm = to_pcm16(samples)
        if self._data_bytes + len(pcm) > MAX_DATA_BYTES:
            raise OSError(f"{self.path} reached the 4 GiB limit of a WAV file")
        try:
            self._file.write(pcm)
            self._data_bytes += len(pcm)
            self.sync_if_due()
        except OSError:
            self._abandon()
            raise

    def _abandon(self) -> None:
        """After a failed write (a full disk): stop, and declare what did reach the file.

        The header of the last sync is already valid; rewriting it in place needs
        no new disk space, so try to extend it to every whole sample written
        since (the audio between the last sync and the failure).
        """
        self._closed = True
        try:
            self._file.close()
        except OSError:
            pass  # the unwritten buffer is what could not be written in the first place
        try:
            repair_wav(self.path)
        except (OSError, ValueError):
            pass  # the last sync's header stands: at most a second is undeclared

    def sync_if_due(self) -> None:
        """Sync when a second has passed since the last one; cheap to call often."""
        if not self._closed and self._clock() - self._last_sync >= self.sync_every_s:
            self.sync()

    def sync(self) -> None:
        """Make everything written so far durable and declared in the header."""
        self._last_sync = self._clock()
        if self._synced_bytes == self._data_bytes:
            return
        self._file.flush()
        fd = self._file.fileno()
        # Data first, then the header that declares it: after a crash the
        # header never promises samples that did not reach the disk.
        os.fsync(fd)
        os.pwrite(fd, struct.pack("<I", 36 + self._data_bytes), RIFF_SIZE_OFFSET)
        os.pwrite(fd, struct.pack("<I", self._data_bytes), _DATA_SIZE_OFFSET)
        os.fsync(fd)
        self._synced_bytes = self._data_bytes

    def close(self) -> None:
        if self._closed:
            return
        try:
            self.sync()
        finally:
            self._closed = True
            self._file.close()

    def __enter__(self) -> WavWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def read_pcm16_wav(path: Path) -> tuple[np.ndarray, int]:
    """The samples (float32, mono) and rate of a 16-bit mono WAV written by `WavWriter`.

    Reads what the header declares, so a file being written is read up to its
    last sync.
    """
    layout = read_wav_layout(Path(path))
    if layout is None or layout.bits_per_sample != 16 or layout.channels != 1:
        raise ValueError(f"{path} is not a 16-bit mono WAV file")
    count = min(layout.declared_data_bytes, layout.available_data_bytes) // 2
    pcm = np.fromfile(path, dtype="<i2", count=count, offset=layout.data_offset)
    return pcm.astype(np.float32) / 32768.0, layout.sample_rate
