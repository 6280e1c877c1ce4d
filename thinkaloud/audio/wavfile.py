"""Reading the layout of RIFF/WAVE headers.

PyAV trusts the file size rather than the header, so it cannot tell a
truncated WAV from a complete one.  This module reads the header itself:
`analyze` uses it to refuse a cut-off file, and session recovery to repair the
header of a recording that was interrupted before its header was finalised.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path


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
