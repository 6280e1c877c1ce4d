"""What the rehearsal screen shows, folded from live events (thinkaloud.rehearsal_state); no Textual."""

from __future__ import annotations

import pytest

from tests.ui_fakes import Hold, rehearsal_script
from thinkaloud.live.events import (
    FinalEvent,
    FinalWord,
    FinishedEvent,
    LagEvent,
    LevelEvent,
    OverflowEvent,
    SignalEvent,
    SilenceEndEvent,
    SilenceStartEvent,
    SilenceUpdateEvent,
    StateEvent,
    TentativeEvent,
    WordEvent,
)
from thinkaloud.live.finals import Revision
from thinkaloud.rehearsal_state import (
    REVISION_MARK_S,
    WARNING_HOLD_S,
    RehearsalState,
    pace_is_off,
    silence_nudge,
    timeline_cells,
)
from thinkaloud.types import Signal, SpeechSpan


def words(state: RehearsalState, *items: tuple[str, float, float]) -> None:
    for text, start, end in items:
        state.apply(WordEvent(text, start, end, end + 0.3))


def scripted_state(**script) -> RehearsalState:
    state = RehearsalState()
    state.apply_all(e for e in rehearsal_script(**script) if not isinstance(e, Hold))
    return state


# ------------------------------------------------------------------ transcript


def test_words_join_into_text_with_whisper_spacing_and_glued_punctuation():
    state = RehearsalState()
    words(state, (" So", 0.0, 0.2), ("the", 0.2, 0.4), (" plan", 0.4, 0.7), (".", 0.7, 0.7), (" First", 1.0, 1.3))
    assert state.text == "So the plan. First"
    assert [w.text for w in state.words] == ["So", "the", "plan", ".", "First"]
    assert state.word_count == 4  # punctuation is not a word


def test_tentative_tail_is_shown_until_committed_and_stale_tails_are_ignored():
    state = RehearsalState()
    state.apply(TentativeEvent("we could shard", 1.0, 2.0, 2.1))
    assert state.tentative_text == "we could shard"
    state.apply(WordEvent(" we", 1.0, 1.2, 2.2))
    assert state.tentative_text == "could shard"  # never shown twice
    changes = state.apply(TentativeEvent("old tail", 1.0, 2.0, 2.15))  # older than the word just committed
    assert "transcript" not in changes and state.tentative_text == "could shard"
    state.apply(TentativeEvent("", None, None, 2.5))
    assert state.tentative_text == ""


def final(utterance: int, items, at: float, edits=(), speech_final=True, end=None) -> FinalEvent:
    timed = tuple(FinalWord(t, a, b, 0.9) for t, a, b in items)
    return FinalEvent(utterance, timed[0].audio_start, end if end is not None else timed[-1].audio_end, timed, bool(edits), tuple(edits),
                      speech_final, at)


def test_a_final_replaces_the_stable_words_of_its_utterance_once_and_marks_what_changed():
    state = RehearsalState()
    state.apply(final(0, [("So", 0.0, 0.2), ("the", 0.2, 0.4), ("plan.", 0.4, 0.7)], 1.0))
    words(state, ("We", 1.0, 1.2), ("could", 1.2, 1.4), ("shard", 1.4, 1.7))
    state.apply(TentativeEvent("by user", 1.8, 2.3, 2.0))
    assert state.text == "So the plan. We could shard" and state.tentative_text == "by user"
    first_line = state.blocks()[0]

    state.apply(final(1, [("We", 1.0, 1.2), ("could", 1.2, 1.4), ("shard", 1.4, 1.7), ("by", 1.8, 1.9), ("user.", 1.9, 2.3)], 2.9))
    assert state.text == "So the plan. We could shard by user." and state.final_text == state.text
    assert state.blocks()[0] == first_line  # earlier lines never move
    assert state.revised_ranges() == []  # the same words: nothing to mark

    words(state, ("Then", 3.0, 3.2), ("cash", 3.2, 3.5))
    state.apply(final(2, [("Then", 3.0, 3.2), ("cache", 3.2, 3.5), ("it.", 3.5, 3.8)], 4.2, edits=[Revision(1, ("cash",), ("cache",))]))
    assert state.text.endswith("Then cache it.")
    start = state.text.index("cache")
    assert state.revised_ranges() == [(start, start + len("cache"))]
    marked = [p for b in state.blocks() for p in b.pieces if getattr(p, "is_revised", False)]
    assert [p.text for p in marked] == ["cache"]
    changes = state.apply(LevelEvent(-20.0, -9.0, 4.2 + REVISION_MARK_S + 0.1))
    assert "transcript" in changes and state.revised_ranges() == []  # marked briefly, then plain


def test_a_segment_final_keeps_the_stable_words_after_it_and_finals_only_hides_what_may_change():
    state = RehearsalState()
    words(state, ("One.", 0.0, 0.5), ("Two", 1.0, 1.3))
    state.apply(final(0, [("One.", 0.0, 0.5)], 1.5, speech_final=False, end=0.7))
    state.apply(TentativeEvent("three", 1.4, 1.8, 1.6))
    assert state.text == "One. Two" and state.final_text == "One."
    shown = " ".join(p.text for b in state.blocks() for p in b.pieces if hasattr(p, "text"))
    assert "Two" in shown and "three" in shown
    finals_only = " ".join(p.text for b in state.blocks(finals_only=True) for p in b.pieces if hasattr(p, "text"))
    assert finals_only == "One."


def test_signals_are_placed_by_offsets_or_by_time_when_offsets_do_not_fit():
    state = RehearsalState()
    words(state, (" Um,", 0.0, 0.3), (" I'll", 0.4, 0.6), (" assume", 0.6, 0.9), (" scale.", 0.9, 1.2))
    state.apply(SignalEvent(Signal("filler", "Um", "Um", 0.0, 0.3, 0, 2), 1.5))
    # Offsets from an engine whose text differs from ours: placed by time instead.
    state.apply(SignalEvent(Signal("assumption", "I'll assume scale.", "I'll assume", 0.4, 1.2, 40, 58), 1.6))
    filler, assumption = state.signals
    assert state.text[filler.char_start : filler.char_end] == "Um"
    assert state.text[assumption.char_start : assumption.char_end] == "I'll assume scale."


def test_a_signal_seen_twice_counts_once():
    state = RehearsalState()
    words(state, (" um", 0.0, 0.2))
    signal = Signal("filler", "um", "um", 0.0, 0.2, 0, 2)
    assert "signals" in state.apply(SignalEvent(signal, 0.5))
    assert "signals" not in state.apply(SignalEvent(signal, 0.6))
    assert state.filler_count == 1


# ------------------------------------------------------------------ numbers


def test_pace_waits_for_enough_speech_then_matches_the_report_formula():
    state = RehearsalState()
    words(state, *[(f" w{i}", i * 0.4, i * 0.4 + 0.3) for i in range(5)])
    assert state.wpm is None  # 1.9 s of speech: too early to say
    words(state, *[(f" w{i}", i * 0.4, i * 0.4 + 0.3) for i in range(5, 20)])
    span = 19 * 0.4 + 0.3
    assert state.wpm == pytest.approx(20 / (span / 60))


def test_checklist_ticks_with_the_first_time_of_each_part():
    state = scripted_state()
    checklist = state.checklist
    assert list(checklist) == ["framing", "assumption", "tradeoff", "limitation", "recap", "rationale", "mitigation"]
    structure = [checklist[k] for k in ("framing", "assumption", "tradeoff", "limitation", "recap")]
    assert all(first is not None for first in structure)
    assert (checklist["rationale"], checklist["mitigation"]) == (None, None)  # the script gives no reasons or remedies
    assert checklist["framing"] < checklist["assumption"] < checklist["tradeoff"] < checklist["limitation"] < checklist["recap"]
    assert state.structure_done() == 5


def test_counts_and_longest_silence_from_a_whole_script():
    state = scripted_state()
    assert (state.filler_count, state.hedge_count) == (2, 2)
    assert state.longest_silence_s == pytest.approx(6.0)
    assert state.silence_now_s is None


def test_pace_band_comes_from_the_coaching_rules():
    assert not pace_is_off(150)
    assert pace_is_off(220) and pace_is_off(60)
    assert not pace_is_off(None)


# ------------------------------------------------------------------ silence timer


def test_silence_timer_counts_from_the_start_of_the_quiet_and_stops_when_speech_returns():
    state = RehearsalState(silence_threshold_s=3.0)
    state.apply(StateEvent("recording", "", 0.0))
    words(state, (" so", 0.0, 0.4))
    assert state.silence_now_s is None
    state.apply(SilenceStartEvent(0.5, 3.5))
    assert state.silence_now_s == pytest.approx(3.0)
    state.apply(LevelEvent(-70, -65, 4.7))  # any later event moves the clock
    assert state.silence_now_s == pytest.approx(4.2)
    state.apply(SilenceUpdateEvent(0.5, 5.0, 5.5))
    assert state.silence_now_s == pytest.approx(5.0)
    state.apply(SilenceEndEvent(0.5, 6.0, 6.2))
    assert state.silence_now_s is None
    assert state.longest_silence_s == pytest.approx(5.5)
    assert [p.duration_s for p in state.pauses()] == [pytest.approx(5.5)]


def test_speech_ends_the_timer_even_if_the_end_event_is_lost():
    state = RehearsalState()
    state.apply(StateEvent("recording", "", 0.0))
    state.apply(SilenceStartEvent(1.0, 4.0))
    words(state, (" okay", 6.0, 6.3))
    assert state.silence_now_s is None and state.longest_silence_s == pytest.approx(5.0)


def test_pausing_hides_the_timer():
    state = RehearsalState()
    state.apply(StateEvent("recording", "", 0.0))
    state.apply(SilenceStartEvent(1.0, 4.0))
    state.apply(StateEvent("paused", "paused", 4.5))
    assert state.silence_now_s is None


def test_nudges_get_more_concrete_as_the_silence_lasts():
    nudges = [silence_nudge(s) for s in (3, 8, 15)]
    assert len(set(nudges)) == 3 and "aloud" in nudges[0]


# ------------------------------------------------------------------ alerts


def test_overflow_and_lag_alerts_show_for_a_while_then_clear():
    state = RehearsalState()
    state.apply(StateEvent("recording", "", 0.0))
    words(state, (" hi", 0.0, 0.2))
    state.apply(OverflowEvent(2, 5, 1.0))
    state.apply(LagEvent(2.4, 1.0, 1.2))
    kinds = [a.kind for a in state.alerts()]
    assert kinds == ["overflow", "lag"]
    assert "5 blocks of audio dropped" in state.alerts()[0].text
    assert "fell 2.4 s behind" in state.alerts()[1].text
    state.apply(LevelEvent(-20, -10, 1.2 + WARNING_HOLD_S + 0.1))
    assert state.alerts() == []


def test_a_silent_input_is_flagged_as_probably_muted():
    state = RehearsalState()
    state.apply(StateEvent("recording", "", 0.0))
    for second in range(1, 8):
        state.apply(LevelEvent(-80, -75, float(second)))
    assert [a.kind for a in state.alerts()] == ["muted"]
    state.apply(LevelEvent(-20, -8, 8.0))
    assert state.alerts() == []


# ------------------------------------------------------------------ timeline


def test_timeline_bins_speech_pauses_silences_and_marks():
    speech = [SpeechSpan(0, 10), SpeechSpan(16, 20)]
    signals = [
        Signal("framing", "x", "x", 1.0, 2.0, 0, 1),
        Signal("topic_shift", "y", "y", 16.5, 17.0, 2, 3, signposted=False),
        Signal("filler", "um", "um", 16.6, 16.8, 4, 6),
    ]
    cells = timeline_cells(20, speech, [(11.0, 16.0)], signals, width=20)
    assert [c.activity for c in cells[:10]] == ["speech"] * 10
    assert cells[10].activity == "pause" and cells[12].activity == "silence"
    assert cells[1].marks == ("framing",)
    assert set(cells[16].marks) == {"jump", "filler"}


def test_live_timeline_marks_the_future_and_grows_in_steps():
    state = scripted_state()
    assert state.timeline_span_s() == 60.0
    cells = state.timeline(60)
    assert cells[-1].activity == "future" and cells[2].activity == "speech"
    assert any(c.activity == "silence" for c in cells)
    state.apply(LevelEvent(-20, -10, 61.0))
    assert state.timeline_span_s() == 90.0


# ------------------------------------------------------------------ fallback report


def test_a_report_can_be_made_from_the_live_view_alone():
    state = scripted_state()
    report = state.to_report()
    assert report.transcript.text == state.text
    assert report.metrics.filler_count == 2 and report.metrics.silence_count == 1
    assert report.summary.checklist["recap"].present
    assert len(report.sentences) == 7 and report.sentences[0].text.startswith("So the goal")
    assert 2 <= len(report.summary.tips) <= 4


def test_finishing_records_the_event_and_closes_an_open_silence():
    state = RehearsalState()
    state.apply(StateEvent("recording", "", 0.0))
    state.apply(SilenceStartEvent(1.0, 4.0))
    changes = state.apply(FinishedEvent("id", "/tmp/x", None, None, 5.0))
    assert "finished" in changes and state.phase == "finished"
    assert state.active_silence is None and state.longest_silence_s == pytest.approx(4.0)
