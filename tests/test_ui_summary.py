"""The summary screen (`analyze --tui`, `show --tui`, the end of a live take), driven with Pilot."""

from __future__ import annotations

import asyncio

import pytest

from tests.cli import thinkaloud
from tests.ui_fakes import Hold, ScriptedSession, rehearsal_script, wait_until
from thinkaloud.rehearsal_state import RehearsalState
from thinkaloud.ui.app import ThinkaloudApp
from thinkaloud.ui.live_screen import LiveScreen
from thinkaloud.ui.summary_screen import SummaryScreen
from thinkaloud.ui.takes import Take
from thinkaloud.ui.widgets.signals import SignalList
from thinkaloud.ui.widgets.timeline import TimelineStrip
from thinkaloud.ui.widgets.transcript import GLUE, SentenceLine, SummaryTranscript

SIZE = (120, 36)


@pytest.fixture(scope="module")
def weak_report():
    """A report whose signals are fixed here, not by the detectors of the day."""
    state = RehearsalState()
    state.apply_all(e for e in rehearsal_script() if not isinstance(e, Hold))
    return state.to_report(source="samples/answer.wav")


def run(scenario):
    asyncio.run(scenario())


def ready(app) -> bool:
    screen = app.screen
    return isinstance(screen, SummaryScreen) and bool(screen.query(SentenceLine))


def current_sentence(app) -> str:
    view = app.screen.query_one(SummaryTranscript)
    line = next(line for line in view.query(SentenceLine) if line.block_index == view.current)
    return str(line.render()).replace(GLUE, " ")


def test_the_summary_shows_metrics_checklist_tips_signals_timeline_and_source(weak_report):
    async def scenario():
        app = ThinkaloudApp(report=weak_report, take=Take.resolve(None, "ml-churn"))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            screen = app.screen
            checklist = str(screen.query_one("#summary-checklist").render())
            assert "Structure 5/5" in checklist and "✓ recapped           0:32" in checklist
            tips = screen.query_one("#tips").plain_text
            assert tips.startswith("1. ") and "You went quiet for 6.0 s" in tips
            metrics = str(screen.query_one("#metrics").render())
            assert "Long silences 1" in metrics and "Longest       6.0 s" in metrics
            signals = screen.query_one(SignalList)
            assert signals.border_title == f"Signals ({len(weak_report.signals)})" and signals.has_focus
            assert screen.query_one(TimelineStrip).display
            assert "Analysed from samples/answer.wav" in str(screen.query_one("#saved").render())
            assert "customer churn" in str(screen.query_one("#question").render())

    run(scenario)


def test_choosing_a_signal_scrolls_the_transcript_to_it(weak_report):
    async def scenario():
        app = ThinkaloudApp(report=weak_report)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            kinds = [s.kind for s in weak_report.signals]
            jump = next(i for i, s in enumerate(weak_report.signals) if s.kind == "topic_shift" and "Kafka" in s.text)
            for _ in range(jump):
                await pilot.press("down")
            await wait_until(pilot, lambda: "Kafka partitions" in current_sentence(app), "the transcript shows the jump")
            view = app.screen.query_one(SummaryTranscript)
            target = next(line for line in view.query(SentenceLine) if line.block_index == view.current)
            assert target.has_class("-current")
            assert view.scroll_y > 0  # the Kafka sentence is far down an 80x24 screen
            silence = kinds.index("silence")
            for _ in range(jump - silence):
                await pilot.press("up")
            await pilot.press("enter")
            await wait_until(pilot, lambda: "‖ quiet 6.0 s" in current_sentence(app), "the silence shows after its last words")

    run(scenario)


def test_r_and_f_start_new_takes_only_when_the_app_can(weak_report):
    async def scenario():
        app = ThinkaloudApp(report=weak_report)  # analyze --tui without the live engine
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            assert not app.screen.check_action("again", ()) and not app.screen.check_action("follow_up", ())
            await pilot.press("r", "f")
            assert isinstance(app.screen, SummaryScreen)
            await pilot.press("q")
            await wait_until(pilot, lambda: app.return_code == 0, "q quits")

    run(scenario)

    asked: list[Take] = []
    sessions: list[ScriptedSession] = []

    def start(take: Take) -> ScriptedSession:
        asked.append(take)
        sessions.append(ScriptedSession(rehearsal_script()))
        return sessions[-1]

    async def with_engine():
        app = ThinkaloudApp(report=weak_report, take=Take.resolve(None, "sd-rate-limiter"), start_take=start,
                            session_id="20260101-120000-abcd")
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            await pilot.press("f")
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen), "the follow-up take opens")
            assert asked[0].question_id == "sd-rate-limiter/multi-region"
            assert asked[0].parent_id == "20260101-120000-abcd"
            sessions[0].stop()
            await app.workers.wait_for_complete()
            # Leaving run_test while the take's summary is still mounting would shut the app down under it.
            await wait_until(pilot, lambda: ready(app), "the take's summary is drawn")

    run(with_engine)


def test_a_question_outside_the_bank_has_no_follow_ups(weak_report):
    async def scenario():
        app = ThinkaloudApp(report=weak_report, take=Take.resolve("Tell me about a hard bug.", None),
                            start_take=lambda take: ScriptedSession([]))
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            assert app.screen.check_action("again", ())
            assert not app.screen.check_action("follow_up", ())

    run(scenario)


def test_a_text_transcript_has_no_timeline(text_analyzer):
    from thinkaloud.analyze import Analyzer

    report = Analyzer(text_analyzer=text_analyzer).analyze_text(
        "So the goal is to cut latency. I'll assume ten thousand requests a second. To summarize, cache it.",
        source="answer.txt",
    )

    async def scenario():
        app = ThinkaloudApp(report=report)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: ready(app), "the summary is drawn")
            assert not app.screen.query_one(TimelineStrip).display
            assert "✓ framed the problem" in str(app.screen.query_one("#summary-checklist").render())

    run(scenario)


def test_analyze_tui_without_a_terminal_refuses_in_one_line_before_analysing():
    result = thinkaloud("analyze", "samples/weak_answer.txt", "--tui")
    assert result.code == 6
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "needs a terminal" in result.stderr and "drop --tui" in result.stderr
