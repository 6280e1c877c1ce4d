"""Progress on stderr: a redrawn bar on a terminal, a few plain lines elsewhere.

stdout carries only results, so progress never goes there.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 28


class StderrProgress:
    """A `ProgressCallback` for the CLI.  Call `finish()` when done."""

    def __init__(self, label: str, stream: TextIO | None = None, enabled: bool = True, redraw_every_s: float = 0.1):
        self.stream = stream or sys.stderr
        self.label = label
        self.enabled = enabled
        self.interactive = self.stream.isatty()
        self.redraw_every_s = redraw_every_s
        self._stage: str | None = None
        self._last_draw = 0.0
        self._drawn = False
        self._started = time.monotonic()

    def __call__(self, stage: str, fraction: float | None) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage != self._stage:
            self._stage = stage
            if not self.interactive:
                self.stream.write(f"{self.label}: {stage}…\n")
                self.stream.flush()
                return
        elif now - self._last_draw < self.redraw_every_s and fraction not in (0.0, 1.0):
            return
        if self.interactive:
            self._last_draw = now
            if fraction is None:
                line = f"{self.label}: {stage}…"
            else:
                filled = int(round(fraction * BAR_WIDTH))
                line = f"{self.label}: {stage} [{'█' * filled}{'·' * (BAR_WIDTH - filled)}] {fraction * 100:3.0f}%"
            self.stream.write("\r\033[2K" + line)
            self.stream.flush()
            self._drawn = True

    def finish(self, message: str | None = None) -> None:
        if not self.enabled:
            return
        if self.interactive and self._drawn:
            self.stream.write("\r\033[2K")
        if message:
            self.stream.write(message + "\n")
        self.stream.flush()
