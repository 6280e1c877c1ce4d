"""The live rehearsal screen, driven by a scripted engine through Textual's Pilot."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from tests.ui_fakes import (
    REHEARSAL_LINES,
    SESSION_ID,
    Hold,
    ScriptedSession,
    rehearsal_script,
    wait_until,
)
from thinkaloud.config import Config
from thinkaloud.errors import DeviceError
from thinkaloud.live.events import OverflowEvent, StateEvent
from thinkaloud.ui.app import ThinkaloudApp
from thinkaloud.ui.dialogs import FollowUpPicker, HelpScreen, QuitDialog
from thinkaloud.ui.live_screen import LiveScreen
from thinkaloud.ui.summary_screen import SummaryScreen
from thinkaloud.ui.takes import Take
from thinkaloud.ui.widgets.cues import AlertBar, SilenceTimer
from thinkaloud.ui.widgets.panels import ChecklistPanel, StatsPanel, StatusBadge
from thinkaloud.ui.widgets.transcript import LiveTranscript

SIZE = (100, 32)


def run(scenario):
    asyncio.run(scenario())


class Takes:
    """A `StartTake` that records what it was asked for and hands out scripted sessions."""

    def __init__(self):
        self.asked: list[Take] = []
        self.sessions: list[ScriptedSession] = []

    def __call__(self, take: Take) -> ScriptedSession:
        self.asked.append(take)
        session = ScriptedSession(rehearsal_script(), session_id=f"take-{len(self.asked) + 1}")
        self.sessions.append(session)
        return session


def make_app(session: ScriptedSession, takes: Takes | None = None, **kwargs) -> ThinkaloudApp:
    return ThinkaloudApp(session=session, take=Take.resolve(None, "ml-churn"), start_take=takes, **kwargs)


def live(app) -> LiveScreen:
    assert isinstance(app.screen, LiveScreen), type(app.screen)
    return app.screen


def on_summary(app) -> bool:
    """The summary screen is up and filled in."""
    screen = app.screen
    return isinstance(screen, SummaryScreen) and bool(screen.query("#saved")) and bool(str(screen.query_one("#saved").render()))


def shown(widget) -> bool:
    return not widget.has_class("-hidden")


def transcript(app) -> str:
    return app.screen.query_one(LiveTranscript).plain_text


def styles_of(app, words: str) -> list[str]:
    """The styles applied to `words` in the live transcript."""
    line = next(text for text in app.screen.query_one(LiveTranscript).texts if words in text.plain)
    start = line.plain.index(words)
    return [str(span.style) for span in line.spans if span.start <= start < span.end]


async def finish(pilot, app, session):
    """End the take and wait until its summary is up: leaving `run_test` while
    the summary screen was still mounting shut the app down under it (its
    `on_mount` found its widgets already gone)."""
    session.stop()
    await app.workers.wait_for_complete()
    await wait_until(pilot, lambda: on_summary(app), "the summary is up")


def test_words_appear_signals_are_highlighted_and_the_panel_ticks():
    async def scenario():
        session = ScriptedSession(rehearsal_script(holds={3: "before-kafka"}))
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "before-kafka", "the script reaches Kafka")
            await wait_until(pilot, lambda: "at the cost of some accuracy." in transcript(app), "the third sentence shows")
            text = transcript(app)
            assert text.startswith(" framing  So the goal is to predict")
            assert " assumption  Um‹filler›, I'll assume" in text
            framing_colour = str(app.screen.query_one(LiveTranscript).kind_style("framing"))
            assert framing_colour in styles_of(app, "to predict which customers")
            assert any("underline" in s for s in styles_of(app, "the goal is"))  # the cue itself
            panel = app.screen.query_one(ChecklistPanel)
            # The trade-off is detected once its sentence is complete, just after its words.
            await wait_until(pilot, lambda: "Structure 3/5" in str(panel.render()), "the checklist ticks the trade-off")
            checklist = str(panel.render())
            assert "✓ weighed trade-offs 0:09" in checklist
            assert "· named limitations" in checklist
            stats = str(app.screen.query_one(StatsPanel).render())
            assert "Fillers       1" in stats and "wpm" in stats
            assert str(app.screen.query_one(StatusBadge).render()).startswith("● REC")
            session.release("before-kafka")
            await wait_until(pilot, lambda: "━━ ↯ abrupt jump" in transcript(app), "the jump marker shows")
            await wait_until(pilot, lambda: "── ↪ signposted shift" in transcript(app), "the signposted marker shows")
            await finish(pilot, app, session)

    run(scenario)


def test_tentative_words_are_dimmed_until_committed():
    async def scenario():
        session = ScriptedSession(rehearsal_script(holds={1: "second-line"}))
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "second-line", "the first line is spoken")
            await wait_until(pilot, lambda: live(app).state.tentative is not None, "a tentative tail arrives")
            # The script ends its first line with an empty tail: nothing tentative is left on screen.
            await wait_until(pilot, lambda: transcript(app).rstrip().endswith("next month."), "the tail is cleared")
            session.release("second-line")
            await wait_until(pilot, lambda: "I'll assume we have" in transcript(app), "more words")
            await finish(pilot, app, session)

    run(scenario)

    async def mid_sentence():
        script = rehearsal_script()
        cut = next(i for i, e in enumerate(script) if getattr(e, "text", "") == " predict")
        session = ScriptedSession(script[: cut + 2])  # "predict" committed, then the tail after it
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the partial script is played")
            await wait_until(pilot, lambda: "which customers will" in transcript(app), "the tail shows")
            tentative = str(app.screen.query_one(LiveTranscript).get_component_rich_style("transcript--tentative"))
            assert tentative in styles_of(app, "which customers will")
            assert tentative not in styles_of(app, "predict")
            await finish(pilot, app, session)

    run(mid_sentence)


def test_a_final_replaces_its_line_once_marking_the_corrected_word_and_v_shows_finals_only():
    async def scenario():
        lines = list(REHEARSAL_LINES)
        lines[0] = replace(lines[0], misheard=("churn", "turn"))
        script = rehearsal_script(lines, holds={1: "second-line"})
        final_at = next(i for i, e in enumerate(script) if getattr(e, "type", "") == "final")
        script.insert(final_at, Hold("before-final"))
        session = ScriptedSession(script)
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "before-final", "the first line's stable words are shown")
            await wait_until(pilot, lambda: "will turn" in transcript(app), "the misheard stable word is drawn")
            session.release("before-final")
            await wait_until(pilot, lambda: session.held == "second-line", "the first line's final arrives")
            await wait_until(pilot, lambda: "will churn next month." in transcript(app), "the final replaces the line")
            assert "turn" not in transcript(app).replace("churn", "")
            revised = str(app.screen.query_one(LiveTranscript).get_component_rich_style("transcript--revised", partial=True))
            assert revised in styles_of(app, "churn")
            session.release("second-line")
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("v")
            await wait_until(pilot, lambda: live(app).finals_only, "the reading option is on")
            await pilot.press("v")
            await wait_until(pilot, lambda: not live(app).finals_only, "and off again")
            await finish(pilot, app, session)

    run(scenario)

    async def finals_only():
        script = rehearsal_script()
        cut = next(i for i, e in enumerate(script) if getattr(e, "text", "") == " predict")
        session = ScriptedSession(script[: cut + 2])  # stable words and a tail, no final yet
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the partial script is played")
            await wait_until(pilot, lambda: "which customers will" in transcript(app), "the tail shows")
            await pilot.press("v")
            await wait_until(pilot, lambda: "predict" not in transcript(app), "stable and tentative words are hidden")
            await finish(pilot, app, session)

    run(finals_only)


def test_silence_timer_shows_during_a_long_pause_and_hides_when_speech_returns():
    async def scenario():
        session = ScriptedSession(rehearsal_script(silence_hold="quiet", holds={4: "before-pause", 5: "after-pause"}))
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            timer = app.screen.query_one(SilenceTimer)
            await wait_until(pilot, lambda: session.held == "before-pause", "the script reaches the pause")
            await wait_until(pilot, lambda: "rebalance." in transcript(app), "the words before it show")
            assert not shown(timer)
            session.release("before-pause")
            await wait_until(pilot, lambda: session.held == "quiet", "the script is mid-silence")
            await wait_until(pilot, lambda: shown(timer), "the silence timer shows")
            assert "think aloud" in str(timer.render()).lower()
            await wait_until(pilot, lambda: "Quiet for 5 s" in str(timer.render()), "the timer counts up to the held moment")
            session.release("quiet")
            await wait_until(pilot, lambda: session.held == "after-pause", "speech resumes")
            await wait_until(pilot, lambda: not shown(timer), "the silence timer hides")
            assert "‖ quiet 6.0 s" in transcript(app)
            assert "Longest quiet 6.0 s" in str(app.screen.query_one(StatsPanel).render())
            await finish(pilot, app, session)

    run(scenario)


def test_s_stops_and_shows_the_summary_then_r_starts_the_same_question_again():
    async def scenario():
        takes = Takes()
        session = ScriptedSession(rehearsal_script())
        app = make_app(session, takes)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("s")
            await wait_until(pilot, lambda: on_summary(app), "the summary opens")
            assert session.calls == ["stop"]
            summary = app.screen
            assert summary.report.metrics.filler_count == 2
            assert SESSION_ID in str(summary.query_one("#saved").render())
            assert summary.query_one("#tips").plain_text.startswith("1. ")
            await pilot.press("r")
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen), "a new take starts")
            assert takes.asked == [Take.resolve(None, "ml-churn")]
            assert live(app).session is takes.sessions[0]
            await wait_until(pilot, lambda: "So the goal" in transcript(app), "the new take shows words")
            await finish(pilot, app, takes.sessions[0])

    run(scenario)


def test_f_answers_a_follow_up_linked_to_the_finished_take():
    async def scenario():
        takes = Takes()
        session = ScriptedSession(rehearsal_script(), finish_on_its_own=True)
        app = make_app(session, takes)
        async with app.run_test(size=SIZE) as pilot:
            # A --source file that reaches its end opens the summary by itself.
            await wait_until(pilot, lambda: on_summary(app), "the summary opens")
            await pilot.press("f")
            await wait_until(pilot, lambda: isinstance(app.screen, FollowUpPicker), "the follow-up picker opens")
            await pilot.press("down", "enter")
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen), "the follow-up take starts")
            (asked,) = takes.asked
            assert asked.question_id == "ml-churn/labels-arrive-late" and asked.parent_id == SESSION_ID
            assert "sixty days" in str(app.screen.query_one("#question").render())
            await finish(pilot, app, takes.sessions[0])

    run(scenario)


def test_space_pauses_and_resumes_and_the_footer_says_which():
    async def scenario():
        session = ScriptedSession(rehearsal_script())
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("space")
            badge = app.screen.query_one(StatusBadge)
            await wait_until(pilot, lambda: str(badge.render()).startswith("‖ PAUSED"), "the badge says paused")
            assert live(app).state.phase == "paused"
            assert live(app).check_action("resume", ()) and not live(app).check_action("pause", ())
            await pilot.press("space")
            await wait_until(pilot, lambda: live(app).state.phase == "recording", "the take resumes")
            assert session.calls == ["pause", "resume"]
            await finish(pilot, app, session)

    run(scenario)


def test_q_saves_the_take_and_quits_without_asking_when_it_is_kept():
    async def scenario():
        session = ScriptedSession(rehearsal_script())
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("q")
            await wait_until(pilot, lambda: app.return_code == 0, "the app quits")
            assert session.calls == ["stop"]
            assert [f.session_id for f in app.finished_takes] == [SESSION_ID]

    run(scenario)


def test_q_asks_first_when_an_unsaved_take_would_be_lost():
    async def scenario():
        session = ScriptedSession(rehearsal_script())
        app = make_app(session, saves=False)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), "the quit dialog opens")
            assert "not being saved" in str(app.screen.query_one("#quit-message").render())
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen), "back to the take")
            assert session.calls == [] and app.return_code is None
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), "the quit dialog opens again")
            await pilot.press("q")
            await wait_until(pilot, lambda: app.return_code == 0, "the app quits")
            assert session.calls == ["stop"]

    run(scenario)


def test_help_and_the_command_palette():
    async def scenario():
        session = ScriptedSession(rehearsal_script())
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await pilot.press("question_mark")
            await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen), "help opens")
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, LiveScreen), "help closes")
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert titles[:4] == ["Pause the take", "Stop and show the summary", "Show final text only", "Help"]
            await pilot.press("ctrl+p")
            await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette opens")
            await pilot.press(*"Stop and show")
            results = app.screen.query_one(CommandList)
            # The palette searches in the background; wait for its one match.
            await wait_until(pilot, lambda: results.option_count == 1 and results.highlighted == 0, "the palette finds the command")
            await pilot.press("enter")
            await wait_until(pilot, lambda: on_summary(app), "the palette's stop opens the summary")
            assert session.calls == ["stop"]

    run(scenario)


def test_capture_problems_are_shown_in_the_alert_bar():
    async def scenario():
        script = rehearsal_script()
        script[5:5] = [OverflowEvent(3, 12, 1.0), Hold("overflowed")]
        session = ScriptedSession(script)
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            bar = app.screen.query_one(AlertBar)
            await wait_until(pilot, lambda: session.held == "overflowed", "the overflow is reported")
            await wait_until(pilot, lambda: shown(bar), "the alert bar shows")
            assert "12 blocks of audio dropped" in str(bar.render())
            session.release("overflowed")
            await wait_until(pilot, lambda: session.held == "end", "the answer is spoken")
            await wait_until(pilot, lambda: not shown(bar), "the alert clears once it is old news")
            await finish(pilot, app, session)

    run(scenario)


def test_an_engine_failure_is_one_line_and_the_take_so_far_is_still_summarised():
    async def scenario():
        session = ScriptedSession(rehearsal_script()[:60], fail_with=DeviceError("the microphone was unplugged; plug it back in and start a new take."))
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: on_summary(app), "the live summary opens")
            assert isinstance(app.failure, DeviceError)
            assert "final analysis did not complete" in str(app.screen.query_one("#saved").render())

    run(scenario)


def test_an_error_state_from_the_engine_is_announced():
    async def scenario():
        script = rehearsal_script()
        script.insert(10, StateEvent("error", "could not save the take; its audio is in /tmp/a.wav.", 1.0))
        session = ScriptedSession(script)
        app = make_app(session)
        async with app.run_test(size=SIZE) as pilot:
            await wait_until(pilot, lambda: any("could not save" in n.message for n in app._notifications), "a notification")
            await finish(pilot, app, session)

    run(scenario)


def test_the_live_app_opens_its_session_before_any_screen(monkeypatch):
    """No microphone: the engine's one-line error comes out before Textual takes the terminal."""
    import thinkaloud.live.session as engine
    import thinkaloud.ui.app as ui_app

    monkeypatch.setattr(ui_app, "require_terminal", lambda alternative: None)

    def no_microphone(options):
        raise DeviceError("no microphone found; plug one in, or rehearse from a recording with --source FILE.")

    def must_not_run(self, *args, **kwargs):
        raise AssertionError("the app started although the session could not open")

    monkeypatch.setattr(engine, "open_live_session", no_microphone)
    monkeypatch.setattr(ui_app.ThinkaloudApp, "run", must_not_run)
    with pytest.raises(DeviceError, match="no microphone found"):
        ui_app.run_live_app(engine.LiveOptions(), Config(path=Path("config.toml")))
