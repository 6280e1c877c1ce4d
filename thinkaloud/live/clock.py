"""The session clock: seconds since the capture started, not counting pauses.

Every event's `emitted_at` is read from this clock, and audio times count
samples from the same start.  Because time spent paused is left out (no audio
is taken while paused), `emitted_at - audio_end` stays a word's latency across
a pause.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class SessionClock:
    def __init__(self, now: Callable[[], float] = time.monotonic):
        self._now = now
        self._lock = threading.Lock()
        self._started_at: float | None = None
        self._paused_at: float | None = None
        self._paused_total = 0.0

    def start(self) -> None:
        with self._lock:
            if self._started_at is None:
                self._started_at = self._now()

    @property
    def started(self) -> bool:
        return self._started_at is not None

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def pause(self) -> None:
        with self._lock:
            if self._paused_at is None:
                self._paused_at = self._now()

    def resume(self) -> None:
        with self._lock:
            if self._paused_at is not None:
                self._paused_total += self._now() - self._paused_at
                self._paused_at = None

    def now(self) -> float:
        """Seconds of unpaused time since `start()`; 0 before it."""
        with self._lock:
            if self._started_at is None:
                return 0.0
            end = self._paused_at if self._paused_at is not None else self._now()
            return round(max(0.0, end - self._started_at - self._paused_total), 4)
