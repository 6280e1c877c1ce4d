"""How much the rehearsal screen costs, so it never competes with the engine for the CPU.

Builds a long scripted answer (the UI tests' rehearsal script repeated to the
requested length, with a level event every 0.1 s as the engine sends them),
then prints:

- the cost of folding events into `RehearsalState` (events per second),
- the cost of one full redraw input at the end of the answer
  (`RehearsalState.blocks()` and the live timeline),
- a headless run of the live screen fed the whole script as fast as the
  worker can post it: wall time until every word is on screen, CPU time of
  the process, and how many redraws the 10 Hz timer actually did (the
  coalescing at work: far fewer redraws than events).

    .venv/bin/python benchmarks/bench_ui.py [--minutes 10]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.ui_fakes import REHEARSAL_LINES, Hold, ScriptedSession, rehearsal_script  # noqa: E402
from thinkaloud.live.events import FinalEvent, LevelEvent  # noqa: E402
from thinkaloud.rehearsal_state import RehearsalState  # noqa: E402


def long_script(minutes: float):
    lines = []
    while True:
        lines.extend(REHEARSAL_LINES)
        script = [e for e in rehearsal_script(lines) if not isinstance(e, Hold)]
        if script[-1].emitted_at >= minutes * 60:
            break
    # The engine sends a level reading about ten times a second.
    end = script[-1].emitted_at
    levels = [LevelEvent(-25.0, -12.0, round(t / 10, 1)) for t in range(int(end * 10))]
    return sorted(script + levels, key=lambda e: e.emitted_at)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the scripted answer (default: 10)")
    args = parser.parse_args()

    script = long_script(args.minutes)
    words = sum(len(e.words) for e in script if isinstance(e, FinalEvent))
    print(f"script: {len(script)} events, {words} words, {script[-1].emitted_at / 60:.1f} min of answer")

    state = RehearsalState()
    started = time.perf_counter()
    state.apply_all(script)
    fold = time.perf_counter() - started
    print(f"fold:   {len(script) / fold:,.0f} events/s ({fold * 1000:.0f} ms for the whole answer)")

    runs = 20
    started = time.perf_counter()
    for _ in range(runs):
        state.blocks()
    blocks_ms = (time.perf_counter() - started) / runs * 1000
    started = time.perf_counter()
    for _ in range(runs):
        state.timeline(120)
    timeline_ms = (time.perf_counter() - started) / runs * 1000
    print(f"redraw input at the end: annotated transcript {blocks_ms:.1f} ms, timeline (120 cells) {timeline_ms:.1f} ms")

    from thinkaloud.ui.app import ThinkaloudApp
    from thinkaloud.ui.live_screen import LiveScreen
    from thinkaloud.ui.takes import Take

    redraws = 0
    original = LiveScreen._redraw

    def counting(self):
        nonlocal redraws
        redraws += 1
        original(self)

    LiveScreen._redraw = counting  # type: ignore[method-assign]

    async def headless() -> tuple[float, float]:
        session = ScriptedSession(script)
        app = ThinkaloudApp(session=session, take=Take.resolve(None, "ml-churn"))
        cpu_before = cpu_seconds()
        started = time.perf_counter()
        async with app.run_test(size=(160, 48)) as pilot:
            while not (isinstance(app.screen, LiveScreen) and app.screen.state.word_count >= words):
                await pilot.pause(0.01)
            await pilot.pause(0.2)  # let the timer draw the last of it
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds() - cpu_before
            screen = app.screen
            runs = 10
            started = time.perf_counter()
            for _ in range(runs):
                # Everything at once, as when a word arrives in a 10-minute answer;
                # the pause lets Textual lay out and paint the result.
                screen._dirty = {"transcript", "signals", "clock", "state", "silence", "level", "alerts"}
                screen._redraw()
                await pilot.pause()
            full_redraw_ms = (time.perf_counter() - started) / runs * 1000
            started = time.perf_counter()
            for _ in range(runs):
                await pilot.pause()  # the same wait with nothing to draw, to subtract
            full_redraw_ms -= (time.perf_counter() - started) / runs * 1000
            session.stop()
            await app.workers.wait_for_complete()
        return elapsed, cpu, full_redraw_ms

    elapsed, cpu, full_redraw_ms = asyncio.run(headless())
    print(f"headless live screen, 160x48: all {words} words shown after {elapsed:.1f} s wall, {cpu:.1f} s CPU; "
          f"{redraws} redraws for {len(script)} events")
    print(f"one full redraw and paint at the end of the answer: {full_redraw_ms:.0f} ms")


if __name__ == "__main__":
    main()
