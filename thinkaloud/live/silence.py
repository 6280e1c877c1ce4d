"""Long silences, reported while they last.

A silence is the gap between two speech segments, measured between their
padded edges exactly as `analysis.signals.silence_signals` measures it after
the fact.  The tracker announces it the moment the gap is certain to reach
the threshold, repeats its growing length about once a second, and closes it
when speech resumes, so the speaker sees the notice while still quiet.  Quiet
before the first word is not a silence (as in `analyze`); quiet at the very
end is closed when the session stops, but is not a silence signal either.
"""

from __future__ import annotations

from dataclasses import dataclass

from thinkaloud.analysis.signals import silence_signals
from thinkaloud.live.vad import SpeechEnded, SpeechStarted, Transition, VoiceActivity
from thinkaloud.types import Signal, SpeechSpan


@dataclass(frozen=True, slots=True)
class SilenceStarted:
    start: float


@dataclass(frozen=True, slots=True)
class SilenceGoesOn:
    start: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class SilenceEnded:
    start: float
    end: float
    signal: Signal | None  # None when the quiet ran to the end of the session


SilenceChange = SilenceStarted | SilenceGoesOn | SilenceEnded


class SilenceTracker:
    def __init__(self, threshold_s: float, pad_s: float, update_every_s: float = 1.0):
        self.threshold_s = threshold_s
        self.pad_s = pad_s
        self.update_every_s = update_every_s
        self._start: float | None = None  # padded start of the current gap
        self._announced = False
        self._last_update = 0.0

    @property
    def active(self) -> bool:
        """A long silence has been announced and has not ended."""
        return self._announced

    def update(self, transitions: list[Transition], vad: VoiceActivity) -> list[SilenceChange]:
        """Feed the VAD's latest transitions; call after every `VoiceActivity.push`."""
        changes: list[SilenceChange] = []
        for transition in transitions:
            if isinstance(transition, SpeechEnded):
                self._start = transition.at + self.pad_s
                self._announced = False
            elif isinstance(transition, SpeechStarted) and self._start is not None:
                end = transition.at - self.pad_s
                if self._announced:
                    changes.append(SilenceEnded(self._start, end, self._signal(self._start, end)))
                self._start = None
                self._announced = False
        if self._start is not None and not vad.in_speech:
            # Speech cannot resume before a pending burst's start, or before now.
            earliest_resume = vad.pending_start_s if vad.pending_start_s is not None else vad.now_s
            least_gap = earliest_resume - self.pad_s - self._start
            if not self._announced and least_gap >= self.threshold_s:
                self._announced = True
                self._last_update = vad.now_s
                changes.append(SilenceStarted(self._start))
            elif self._announced and vad.now_s - self._last_update >= self.update_every_s:
                self._last_update = vad.now_s
                changes.append(SilenceGoesOn(self._start, round(vad.now_s - self._start, 3)))
        return changes

    def finish(self, end_s: float) -> list[SilenceChange]:
        """The session stopped: close a silence still being reported (it is no signal)."""
        if not self._announced or self._start is None:
            return []
        self._announced = False
        start, self._start = self._start, None
        return [SilenceEnded(start, max(start, end_s), None)]

    def _signal(self, start: float, end: float) -> Signal | None:
        # The same function as `analyze`, so the cue and rounding are identical.
        found = silence_signals([SpeechSpan(start - 1.0, start), SpeechSpan(end, end + 1.0)], self.threshold_s)
        return found[0] if found else None
