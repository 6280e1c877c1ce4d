"""Capture: getting audio blocks from a source to the engine, losslessly or loudly.

A source (the microphone, or a recording played back in real time) pushes
blocks of mono float32 at its own sample rate into a `CaptureQueue`.  The
queue is bounded and never blocks the producer, because a PortAudio callback
must return at once: when the engine falls that far behind, a block is
dropped and counted.  Overflows that PortAudio itself reports are counted
too; both totals are reported to the user, never swallowed.

`StreamResampler` turns the source's rate into the 16 kHz the models use,
keeping its filter state across blocks.  `FileSource` decodes a recording at
its native rate and feeds it through the same queue as the microphone, paced
on the session clock, so a demo or a test exercises the same path.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path
from typing import Protocol

import numpy as np

from thinkaloud.audio import SAMPLE_RATE
from thinkaloud.live.clock import SessionClock


class CaptureQueue:
    """A bounded, non-blocking hand-off from the capture thread to the engine.

    Only the producer touches the counters, and each update is a single
    integer store, so the consumer may read them at any time without a lock.
    """

    def __init__(self, max_blocks: int = 200):
        self._queue: queue.Queue[np.ndarray] = queue.Queue(max_blocks)
        self._closed = threading.Event()
        self.overflows = 0  # reported by the audio driver: samples it could not deliver
        self.dropped_blocks = 0  # blocks we received but had no room for
        self.dropped_frames = 0

    def put(self, block: np.ndarray, overflowed: bool = False) -> bool:
        """Hand over one block (the caller's copy); False if it had to be dropped."""
        if overflowed:
            self.overflows += 1
        try:
            self._queue.put_nowait(block)
        except queue.Full:
            self.dropped_blocks += 1
            self.dropped_frames += len(block)
            return False
        return True

    def get(self, timeout: float) -> np.ndarray | None:
        """The next block, or None when none arrived within `timeout` seconds."""
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        """The source has delivered its last block."""
        self._closed.set()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @property
    def exhausted(self) -> bool:
        """Closed and emptied: nothing more will ever come out."""
        return self._closed.is_set() and self._queue.empty()

    def qsize(self) -> int:
        return self._queue.qsize()


class AudioSource(Protocol):
    """Something that delivers mono float32 blocks at `sample_rate` into a queue."""

    #: What the user sees: "microphone: USB Audio (48000 Hz)" or the file's path.
    description: str
    sample_rate: int
    #: True for a microphone: audio keeps coming while paused and must be discarded.
    live: bool

    def start(self, sink: CaptureQueue, clock: SessionClock) -> None: ...

    def stop(self) -> None:
        """Deliver nothing more and close the queue; safe to call twice."""
        ...


class StreamResampler:
    """Resamples a stream block by block to 16 kHz (libswresample via PyAV)."""

    def __init__(self, input_rate: int, output_rate: int = SAMPLE_RATE):
        self.input_rate = input_rate
        self.output_rate = output_rate
        self._resampler = None
        if input_rate != output_rate:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=output_rate)

    def process(self, block: np.ndarray) -> np.ndarray:
        if self._resampler is None:
            return np.asarray(block, dtype=np.float32)
        import av

        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(block, dtype=np.float32).reshape(1, -1), format="flt", layout="mono"
        )
        frame.sample_rate = self.input_rate
        return self._collect(self._resampler.resample(frame))

    def flush(self) -> np.ndarray:
        """What the filter still holds at the end of the stream."""
        if self._resampler is None:
            return np.zeros(0, dtype=np.float32)
        return self._collect(self._resampler.resample(None))

    @staticmethod
    def _collect(frames) -> np.ndarray:
        parts = [f.to_ndarray().reshape(-1) for f in frames]
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)


def decode_native(path: Path) -> tuple[np.ndarray, int]:
    """A recording as mono float32 at its own sample rate (one-line errors, like `analyze`)."""
    from thinkaloud.audio.decode import decode_mono

    return decode_mono(path, rate=None, alternative=" to play back")


class FileSource:
    """Plays a recording into the capture queue in real time (or `speed` times faster).

    Blocks are due on the session clock, so pausing the session pauses the
    playback too.  Decoding happens when the source is made, so a bad file
    fails before anything starts.
    """

    live = False

    def __init__(self, path: Path, speed: float = 1.0, block_s: float = 0.05):
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.path = Path(path)
        self.speed = speed
        self.samples, self.sample_rate = decode_native(self.path)
        self.block_frames = max(1, int(round(self.sample_rate * block_s)))
        self.duration_s = len(self.samples) / self.sample_rate
        pace = "in real time" if speed == 1 else f"at {speed:g}× speed"
        self.description = f"{self.path} ({self.duration_s:.1f} s, {pace})"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sink: CaptureQueue | None = None

    def start(self, sink: CaptureQueue, clock: SessionClock) -> None:
        self._sink = sink
        self._thread = threading.Thread(target=self._play, args=(sink, clock), name="thinkaloud-file-source", daemon=True)
        self._thread.start()

    def _play(self, sink: CaptureQueue, clock: SessionClock) -> None:
        try:
            for first in range(0, len(self.samples), self.block_frames):
                block = self.samples[first : first + self.block_frames]
                due = (first + len(block)) / self.sample_rate / self.speed
                # Pacing, not synchronisation: wait until the block's last
                # sample would have been heard, or until told to stop.
                while (wait := due - clock.now()) > 0:
                    if self._stop.wait(min(wait, 0.05)):
                        return
                if self._stop.is_set():
                    return
                sink.put(block.copy())
        finally:
            sink.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is None and self._sink is None:
            return
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()

    @property
    def finished(self) -> bool:
        return self._sink is not None and self._sink.closed
