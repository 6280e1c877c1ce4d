"""Snapshots of the live screen mid-session and of the summary screen (pytest-textual-snapshot).

The screens are driven by the scripted engine in `tests.ui_fakes`, whose
times are fixed, so a snapshot changes only when the screen does.  After an
intended change, review and accept with `pytest tests/test_ui_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import pytest

from tests.ui_fakes import SESSION_DIR, SESSION_ID, Hold, ScriptedSession, rehearsal_script, wait_until
from thinkaloud.rehearsal_state import RehearsalState
from thinkaloud.ui.app import ThinkaloudApp
from thinkaloud.ui.takes import Take
from thinkaloud.ui.widgets.cues import SilenceTimer
from thinkaloud.ui.widgets.transcript import LiveTranscript, SentenceLine

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


@pytest.mark.parametrize("size", SIZES)
def test_live_screen_during_a_long_silence(snap_compare, size):
    """Mid-answer: highlighted signals, the abrupt-jump marker, the silence timer at 5 s."""
    session = ScriptedSession(rehearsal_script(silence_hold="quiet"))
    app = ThinkaloudApp(session=session, take=Take.resolve(None, "ml-churn"))

    async def run_before(pilot) -> None:
        await wait_until(pilot, lambda: session.held == "quiet", "the script is mid-silence")
        screen = app.screen
        await wait_until(pilot, lambda: "Quiet for 5 s" in str(screen.query_one(SilenceTimer).render()), "the timer reaches 5 s")
        await wait_until(pilot, lambda: "rebalance." in screen.query_one(LiveTranscript).plain_text, "the words are drawn")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_summary_screen(snap_compare, size):
    state = RehearsalState()
    state.apply_all(e for e in rehearsal_script() if not isinstance(e, Hold))
    report = state.to_report(source=SESSION_DIR + "/audio.wav")
    app = ThinkaloudApp(
        report=report,
        take=Take.resolve(None, "ml-churn"),
        start_take=lambda take: ScriptedSession([]),  # so the footer offers r and f
        session_id=SESSION_ID,
        saved_at=SESSION_DIR,
    )

    async def run_before(pilot) -> None:
        await wait_until(pilot, lambda: bool(app.screen.query(SentenceLine)), "the summary is drawn")
        await pilot.press("down", "down", "down", "down", "down")  # to the long silence
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
