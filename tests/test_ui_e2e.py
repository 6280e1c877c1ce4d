"""End to end: the real live engine and tiny.en on a practice sample, through the rehearsal screen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.ui_fakes import wait_until

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

pytestmark = pytest.mark.e2e

#: Generous bounds for a shared 2-core machine: each is a ceiling, not a target.
PATIENCE = 3000  # attempts of about 20 ms


def test_live_source_shows_words_the_silence_timer_and_the_summary(tmp_path, monkeypatch):
    from thinkaloud.live.session import LiveOptions, open_live_session
    from thinkaloud.ui.app import ThinkaloudApp
    from thinkaloud.ui.live_screen import LiveScreen
    from thinkaloud.ui.summary_screen import SummaryScreen
    from thinkaloud.ui.takes import Take
    from thinkaloud.ui.widgets.cues import SilenceTimer
    from thinkaloud.ui.widgets.transcript import SentenceLine

    take = Take.resolve(None, "ml-churn")
    options = LiveOptions(
        source=SAMPLES / "weak_answer.wav", speed=2.0, question=take.question, question_id=take.question_id, sessions_root=tmp_path
    )
    session = open_live_session(options)
    # At double speed the timer is up for about a second and a half of wall
    # time; record every time it is shown rather than hope a poll lands in it.
    shown: list[float] = []
    show = SilenceTimer.show

    def recording_show(self, seconds):
        if seconds is not None:
            shown.append(seconds)
        show(self, seconds)

    monkeypatch.setattr(SilenceTimer, "show", recording_show)

    async def scenario():
        app = ThinkaloudApp(session=session, take=take)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = app.screen
            assert isinstance(screen, LiveScreen)
            timer = screen.query_one(SilenceTimer)
            await wait_until(pilot, lambda: screen.state.word_count >= 5, "words are transcribed", PATIENCE)
            await wait_until(pilot, lambda: bool(shown), "the 6 s pause shows the silence timer", PATIENCE)
            said_before = screen.state.word_count
            await wait_until(pilot, lambda: screen.state.word_count > said_before + 3, "more words after the pause", PATIENCE)
            await wait_until(pilot, lambda: timer.has_class("-hidden"), "speech after the pause hides the timer", PATIENCE)
            assert max(shown) >= 4  # it counted up while the pause lasted
            assert screen.state.filler_count + screen.state.hedge_count > 0
            await pilot.press("s")
            await wait_until(
                pilot, lambda: isinstance(app.screen, SummaryScreen) and bool(app.screen.query(SentenceLine)),
                "the summary opens", PATIENCE,
            )
            summary = app.screen
            assert summary.report.metrics.silence_count == 1
            assert summary.report.summary.tips
            assert str(tmp_path) in str(summary.query_one("#saved").render())
            await pilot.press("q")
            await wait_until(pilot, lambda: app.return_code == 0, "q quits")
        return app

    app = asyncio.run(scenario())
    (finished,) = app.finished_takes
    folder = tmp_path / finished.session_id
    report = json.loads((folder / "report.json").read_text())
    assert report["metrics"]["words"] > 10
    meta = json.loads((folder / "session.json").read_text())
    assert meta["question_id"] == "ml-churn" and meta["kind"] == "live"
