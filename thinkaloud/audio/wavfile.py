"""Reading RIFF/WAVE headers, and repairing one a crash left behind.

PyAV trusts the file size rather than the header, so it cannot tell a
truncated WAV from a complete one.  This module reads the header itself:
`analyze` uses it to refuse a cut-off file, and `repair_wav` (used by the live
recorder and by session recovery) to make the header of a recording that was
interrupted before its header was finalised declare what the file holds.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

#: Where a RIFF header keeps the size of everything after its first 8 bytes.
RIFF_SIZE_OFFSET = 4
#: RIFF sizes are 32-bit: the most sample data one file can declare (~37 h of 16 kHz mono).
MAX_DATA_BYTES = 0xFFFFFFFF - 36


@dataclass(frozen=True, slots=True)
class WavLayout:
    sample_rate: int
    channels: int
    bits_per_sample: int
    data_offset: int  # byte offset of the first sample
    declared_data_bytes: int  # what the `data` chunk header claims
    available_data_bytes: int  # what the file actually holds after data_offset

    @property
    def bytes_per_frame(self) -> int:
        return max(1, self.channels * self.bits_per_sample // 8)

    @property
    def declared_duration_s(self) -> float:
        return self.declared_data_bytes / self.bytes_per_frame / self.sample_rate

    @property
    def available_duration_s(self) -> float:
        return self.available_data_bytes / self.bytes_per_frame / self.sample_rate


def read_wav_layout(path: Path) -> WavLayout | None:
    """The header layout of a RIFF/WAVE file, or None if `path` is not one."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        head = handle.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return None
        fmt: tuple[int, int, int] | None = None
        while True:
            chunk_header = handle.read(8)
            if len(chunk_header) < 8:
                return None
            chunk_id, chunk_size = struct.unpack("<4sI", chunk_header)
            if chunk_id == b"fmt ":
                body = handle.read(chunk_size)
                if len(body) < 16:
                    return None
                _, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
                fmt = (rate, channels, bits)
                if chunk_size % 2:
                    handle.seek(1, os.SEEK_CUR)
            elif chunk_id == b"data":
                if fmt is None:
                    return None
                offset = handle.tell()
                rate, channels, bits = fmt
                return WavLayout(
                    sample_rate=rate,
                    channels=channels,
                    bits_per_sample=bits,
                    data_offset=offset,
                    declared_data_bytes=chunk_size,
                    available_data_bytes=max(0, size - offset),
                )
            else:
                handle.seek(chunk_size + (chunk_size % 2), os.SEEK_CUR)


def is_truncated(layout: WavLayout) -> bool:
    """True when the header promises more sample data than the file holds.

    0xFFFFFFFF (and 0) are what streaming writers put in a header they never
    got to finalise; those mean "unknown length", not a promise.
    """
    if layout.declared_data_bytes in (0, 0xFFFFFFFF):
        return False
    return layout.available_data_bytes + layout.bytes_per_frame < layout.declared_data_bytes


def repair_wav(path: Path) -> bool:
    """Make the header of an interrupted WAV declare the samples the file really holds.

    Returns True when the header was rewritten, False when it was already
    right.  A trailing partial frame (a write cut in the middle) is dropped.
    Raises ValueError when `path` is not a WAV file at all.
    """
    path = Path(path)
    layout = read_wav_layout(path)
    if layout is None:
        raise ValueError(f"{path} is not a RIFF/WAVE file")
    whole_frames = layout.available_data_bytes // layout.bytes_per_frame
    data_bytes = min(whole_frames * layout.bytes_per_frame, MAX_DATA_BYTES)
    riff_size = layout.data_offset - 8 + data_bytes
    with open(path, "r+b") as handle:
        handle.seek(RIFF_SIZE_OFFSET)
        declared_riff = struct.unpack("<I", handle.read(4))[0]
        trailing = layout.available_data_bytes - data_bytes
        if layout.declared_data_bytes == data_bytes and declared_riff == riff_size and trailing == 0:
            return False
        if trailing:
            handle.truncate(layout.data_offset + data_bytes)
        handle.seek(RIFF_SIZE_OFFSET)
        handle.write(struct.pack("<I", riff_size))
        handle.seek(layout.data_offset - 4)
        handle.write(struct.pack("<I", data_bytes))
        handle.flush()
        os.fsync(handle.fileno())
    return True
