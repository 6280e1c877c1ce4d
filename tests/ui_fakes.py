"""A scripted live session for UI tests: the real event contract, no audio, no model.

`ScriptedSession` implements the `LiveSession` protocol and yields a fixed
list of events; `Hold` markers in the script park the stream until the test
calls `release()`, so a test can look at the screen at an exact moment
without sleeping.  `rehearsal_script()` writes a short answer that exercises
every kind of cue: each structure signal, fillers and hedges, a long
silence, a signposted shift and an abrupt jump.

Run it to look at the app without the engine:  .venv/bin/python -m tests.ui_fakes
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from thinkaloud.live.events import (
    FinalEvent,
    FinalWord,
    FinishedEvent,
    LevelEvent,
    LiveEvent,
    SignalEvent,
    SilenceEndEvent,
    SilenceStartEvent,
    SilenceUpdateEvent,
    StateEvent,
    TentativeEvent,
    WordEvent,
)
from thinkaloud.live.finals import Revision
from thinkaloud.rehearsal_state import RehearsalState
from thinkaloud.types import Signal

SESSION_ID = "20260105-093000-a1b2"
SESSION_DIR = "/home/you/.local/share/thinkaloud/sessions/" + SESSION_ID


@dataclass(frozen=True)
class Hold:
    """Park the event stream here until the test releases it."""

    name: str


@dataclass
class ScriptedSession:
    script: Sequence[LiveEvent | Hold]
    session_id: str | None = SESSION_ID
    session_dir: str | None = SESSION_DIR
    finish_on_its_own: bool = False  # like a --source file that reaches its end
    fail_with: Exception | None = None  # raised from events() after the script
    calls: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._changed = threading.Condition()
        self._released: set[str] = set()
        self._stop = False
        self._pending: list[LiveEvent] = []
        self.held: str | None = None
        self.last_time = 0.0

    # -- the LiveSession protocol

    def events(self) -> Iterator[LiveEvent]:
        seen = RehearsalState()
        for item in self.script:
            yield from self._drain()
            if isinstance(item, Hold):
                yield from self._park(lambda name=item.name: name in self._released or self._stop, item.name)
                continue
            if self._stop:
                break
            seen.apply(item)
            self.last_time = item.emitted_at
            yield item
        if self.fail_with is not None:
            raise self.fail_with
        if not self.finish_on_its_own:
            yield from self._park(lambda: self._stop, "end")
        yield from self._drain()
        at = self.last_time + 0.5
        yield StateEvent("stopping", "finishing the take", at)
        report = seen.to_report(source="microphone")
        yield FinishedEvent(self.session_id, self.session_dir, None, None, at + 0.5, report=report)

    def pause(self) -> None:
        self._control("pause", StateEvent("paused", "paused", self.last_time))

    def resume(self) -> None:
        self._control("resume", StateEvent("recording", "recording", self.last_time))

    def stop(self) -> None:
        with self._changed:
            self.calls.append("stop")
            self._stop = True
            self._changed.notify_all()

    # -- for tests

    def release(self, name: str) -> None:
        with self._changed:
            self._released.add(name)
            self._changed.notify_all()

    def _control(self, name: str, event: StateEvent) -> None:
        with self._changed:
            self.calls.append(name)
            self._pending.append(event)
            self._changed.notify_all()

    def _drain(self) -> Iterator[LiveEvent]:
        with self._changed:
            pending, self._pending = self._pending, []
        yield from pending

    def _park(self, done, name: str) -> Iterator[LiveEvent]:
        """Wait until `done()`; control events (pause, resume) still flow meanwhile."""
        while True:
            with self._changed:
                self.held = name
                if done():
                    self.held = None
                    return
                if not self._pending:
                    self._changed.wait()
                pending, self._pending = self._pending, []
            yield from pending


@dataclass(frozen=True)
class Line:
    """One sentence of a scripted answer."""

    text: str
    kinds: dict[str, str] = field(default_factory=dict)  # structure kind -> cue phrase
    phrases: tuple[tuple[str, str], ...] = ()  # (filler|hedge, phrase)
    shift: str | None = None  # "signposted" or "abrupt"
    pause_before: float = 0.4
    misheard: tuple[str, str] | None = None  # (word, what the stable words said instead): the final corrects it


REHEARSAL_LINES = (
    Line("So the goal is to predict which customers will churn next month.", {"framing": "the goal is"}),
    Line("Um, I'll assume we have a year of usage logs.", {"assumption": "I'll assume"}, (("filler", "Um"),)),
    Line(
        "A boosted tree model is faster to train, at the cost of some accuracy.",
        {"tradeoff": "at the cost of"},
    ),
    Line("Also, Kafka partitions are a pain to rebalance.", shift="abrupt"),
    Line(
        "Moving on to serving, I guess we score everyone nightly.",
        phrases=(("hedge", "I guess"),),
        shift="signposted",
        pause_before=6.0,
    ),
    Line("The weak spot is, like, new users with no history.", {"limitation": "The weak spot is"}, (("filler", "like"),)),
    Line("To summarize, start simple and maybe add features later.", {"recap": "To summarize"}, (("hedge", "maybe"),)),
)

WORD_S = 0.36
LAG_S = 0.4


def rehearsal_script(
    lines: Sequence[Line] = REHEARSAL_LINES,
    holds: dict[int, str] | None = None,
    silence_hold: str | None = None,
    threshold_s: float = 3.0,
) -> list[LiveEvent | Hold]:
    """Events for speaking `lines`, with `holds` (line index -> name) parked before each such line.

    `silence_hold` parks the stream in the middle of the first long silence,
    after the timer has had time to count.
    """
    holds = holds or {}
    events: list[LiveEvent | Hold] = [StateEvent("recording", "listening", 0.0)]
    t = 0.5
    text_len = 0
    for index, line in enumerate(lines):
        if index in holds:
            events.append(Hold(holds[index]))
        if index:
            t += line.pause_before
        if line.pause_before >= threshold_s and index:
            quiet_from = t - line.pause_before
            events.append(SilenceStartEvent(quiet_from, quiet_from + threshold_s))
            for second in range(int(threshold_s) + 1, int(line.pause_before) + 1):
                events.append(LevelEvent(-72.0, -66.0, quiet_from + second - 0.01))
                events.append(SilenceUpdateEvent(quiet_from, float(second), quiet_from + second))
                if silence_hold and second == int(threshold_s) + 2:
                    events.append(Hold(silence_hold))
            events.append(SilenceEndEvent(quiet_from, t, t + 0.2))
        sentence_start = text_len + (1 if text_len else 0)
        words = line.text.split()
        starts = []
        timed = []
        for position, word in enumerate(words):
            start, end = t, t + WORD_S * 0.9
            starts.append(start)
            timed.append(FinalWord(word, round(start, 3), round(end, 3), 0.92))
            # As the engine does: a word becomes stable, and the tail that is
            # not stable yet is sent in the same breath.  The last two words
            # only ever reach the screen in the utterance's final.
            emitted = round(end + LAG_S, 3)
            upcoming = " ".join(words[position + 1 : position + 4])
            events.append(LevelEvent(-20.0 - (position % 4) * 3, -9.0, round(start + 0.05, 3)))
            if position < len(words) - 2:
                shown = line.misheard[1] if line.misheard and word == line.misheard[0] else word
                events.append(WordEvent(" " + shown, round(start, 3), round(end, 3), emitted, 0.92))
            if upcoming:
                events.append(TentativeEvent(upcoming, round(t + WORD_S, 3), round(t + 4 * WORD_S, 3), emitted))
            t += WORD_S
        text_len = sentence_start + len(line.text)
        sentence_end = sentence_start + len(line.text)
        emitted = round(t + LAG_S + 0.2, 3)
        edits = ()
        if line.misheard:
            edits = (Revision(words.index(line.misheard[0]), (line.misheard[1],), (line.misheard[0],)),)
        events.append(FinalEvent(index, timed[0].audio_start, round(t, 3), tuple(timed), bool(edits), edits, True, emitted))
        events.append(TentativeEvent("", None, None, emitted))
        first, last = starts[0], t
        for kind, cue in line.kinds.items():
            events.append(SignalEvent(Signal(kind, line.text, cue, round(first, 3), round(last, 3), sentence_start, sentence_end), emitted))
        if line.shift:
            cue = line.text.split(",")[0] if line.shift == "signposted" else "new subject: an aside with no words in common with the answer so far"
            events.append(SignalEvent(Signal("topic_shift", line.text, cue, round(first, 3), round(last, 3), sentence_start,
                                             sentence_end, signposted=line.shift == "signposted"), emitted))
        for kind, phrase in line.phrases:
            offset = line.text.index(phrase)
            word_index = len(line.text[:offset].split())
            phrase_start = starts[word_index]
            phrase_end = phrase_start + WORD_S * len(phrase.split())
            events.append(SignalEvent(Signal(kind, phrase, phrase, round(phrase_start, 3), round(phrase_end, 3),
                                             sentence_start + offset, sentence_start + offset + len(phrase)), emitted))
    events.append(LevelEvent(-24.0, -12.0, round(t + LAG_S + 0.3, 3)))
    return events


async def wait_until(pilot, condition, what: str, attempts: int = 1500) -> None:
    """Let the app run until `condition()` holds; fail naming `what` if it never does.

    Each attempt yields to the app for a moment (`pilot.pause`), so workers,
    messages and the refresh timer all get to run; nothing here relies on a
    sleep being long enough.  The bound is generous (tens of seconds) because
    CI machines are shared: a passing test stops waiting at once.
    """
    for _ in range(attempts):
        if condition():
            return
        await pilot.pause(0.02)
    screen = type(pilot.app.screen).__name__
    raise AssertionError(f"timed out waiting until {what} (the app is on {screen})")


def main() -> None:
    """Show the app on the scripted answer, paced in real time, for a look without the engine."""
    import time

    from thinkaloud.ui.app import ThinkaloudApp
    from thinkaloud.ui.takes import Take

    class Paced(ScriptedSession):
        def events(self):
            started = time.monotonic()
            for event in super().events():
                delay = event.emitted_at - (time.monotonic() - started)
                if delay > 0 and event.type not in ("finished", "state"):
                    time.sleep(delay)
                yield event

    def start(take: Take):
        return Paced(rehearsal_script(), finish_on_its_own=True)

    take = Take.resolve(None, "ml-churn")
    app = ThinkaloudApp(session=start(take), take=take, start_take=start)
    app.run()


if __name__ == "__main__":
    main()
