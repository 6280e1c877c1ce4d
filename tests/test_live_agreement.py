"""The live commit policy (LocalAgreement-2) and the streaming recogniser, with a fake ASR."""

from __future__ import annotations

import numpy as np
import pytest

from thinkaloud.live.agreement import LocalAgreement, StreamWord
from thinkaloud.live.finals import Revision, revised_count, revisions
from thinkaloud.live.streaming import StreamingOptions, StreamingRecognizer

RATE = 16000


def w(text: str, start: float, end: float, probability: float = 0.9) -> StreamWord:
    return StreamWord(" " + text, start, end, probability)


class ScriptedDecoder:
    """A deterministic ASR: the words of a script that lie inside the buffer.

    The word still being spoken at the buffer's end (less than `settle_s` of
    audio after it) comes out misheard, as a real decoder's guess does, so
    only a later decode gets it right.
    """

    model_name = "scripted"

    def __init__(self, script: list[tuple[str, float, float]], settle_s: float = 0.3, invent_after: float | None = None):
        self.script = script
        self.settle_s = settle_s
        self.invent_after = invent_after
        self.calls: list[tuple[float, float, str | None]] = []

    def decode(self, samples: np.ndarray, start_s: float, prompt: str | None) -> list[StreamWord]:
        end_s = start_s + len(samples) / RATE
        self.calls.append((start_s, end_s, prompt))
        words = []
        for text, start, end in self.script:
            if start < start_s - 0.01 or start >= end_s:
                continue
            if end > end_s - self.settle_s:
                words.append(w(text.rstrip(".") + "zz", start, min(end, end_s)))
                break
            words.append(w(text, start, end))
        if self.invent_after is not None and end_s > self.invent_after:
            words.append(w("Thanks", end_s - 0.05, end_s))  # what Whisper says over trailing quiet
        return words


SCRIPT = [
    ("So", 0.1, 0.3),
    ("the", 0.35, 0.5),
    ("question", 0.55, 1.0),
    ("is", 1.05, 1.2),
    ("churn.", 1.25, 1.7),
    ("First", 1.9, 2.2),
    ("the", 2.25, 2.4),
    ("data.", 2.45, 2.9),
]


def feed(recognizer: StreamingRecognizer, start_s: float, seconds: float) -> None:
    recognizer.append(np.zeros(int(round(seconds * RATE)), dtype=np.float32), start_s)


# --- LocalAgreement --------------------------------------------------------------


def test_a_word_is_committed_only_when_two_decodes_agree():
    policy = LocalAgreement()
    policy.insert([w("So", 0.1, 0.3), w("thee", 0.35, 0.5)])
    assert policy.flush() == []  # nothing to agree with yet
    assert [x.text for x in policy.tentative] == ["So", "thee"]
    policy.insert([w("So", 0.1, 0.3), w("the", 0.35, 0.5), w("quest", 0.55, 0.9)])
    assert [x.text for x in policy.flush()] == ["So"]
    assert [x.text for x in policy.tentative] == ["the", "quest"]


def test_agreed_words_wait_until_the_confirming_decode_heard_enough_after_them():
    policy = LocalAgreement()
    policy.insert([w("at", 0.0, 0.2), w("login", 0.3, 0.7)])
    policy.flush(settled_until=-0.3)
    policy.insert([w("at", 0.0, 0.2), w("login", 0.3, 0.7), w("time", 0.8, 1.0)])
    assert [x.text for x in policy.flush(settled_until=0.5)] == ["at"]  # "login" ends after 0.5
    assert [x.text for x in policy.tentative] == ["login", "time"]
    policy.insert([w("at", 0.0, 0.2), w("login", 0.3, 0.7), w("time", 0.8, 1.0), w("only", 1.1, 1.4)])
    assert [x.text for x in policy.flush(settled_until=1.0)] == ["login", "time"]


def test_agreement_ignores_case_and_punctuation_and_keeps_the_newer_spelling():
    policy = LocalAgreement()
    policy.insert([w("would", 0.0, 0.3), w("like", 0.4, 0.6)])
    policy.flush()
    policy.insert([w("would,", 0.0, 0.3), w("Like", 0.4, 0.6), w("maybe", 0.7, 0.9)])
    assert [x.text for x in policy.flush()] == ["would,", "Like"]


def test_a_repeat_of_the_committed_tail_is_not_committed_twice():
    policy = LocalAgreement()
    policy.insert([w("the", 0.0, 0.2), w("data", 0.3, 0.6), w("is", 0.7, 0.8)])
    policy.flush()
    policy.insert([w("the", 0.0, 0.2), w("data", 0.3, 0.6), w("is", 0.7, 0.8)])
    assert [x.text for x in policy.flush()] == ["the", "data", "is"]
    # A buffer cut just after "is" often hears "data is" again at its start.
    policy.insert([w("data", 0.65, 0.75), w("is", 0.76, 0.8), w("big", 0.9, 1.1)])
    policy.flush()
    policy.insert([w("data", 0.65, 0.75), w("is", 0.76, 0.8), w("big", 0.9, 1.1)])
    assert [x.text for x in policy.flush()] == ["big"]
    assert [x.text for x in policy.committed] == ["the", "data", "is", "big"]


def test_commit_all_makes_the_tentative_tail_final():
    policy = LocalAgreement()
    policy.insert([w("one", 0.0, 0.2), w("two", 0.3, 0.5)])
    policy.flush()
    assert [x.text for x in policy.commit_all()] == ["one", "two"]
    assert policy.tentative == []
    assert policy.committed_end == pytest.approx(0.5)


# --- StreamingRecognizer -------------------------------------------------------------


def test_words_become_stable_after_a_second_decode_and_final_when_the_utterance_ends():
    decoder = ScriptedDecoder(SCRIPT)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    committed: list[str] = []
    tentative_seen: list[str] = []
    position = 0.0
    while position < 3.5:  # the script, then the quiet that ends the utterance
        feed(recognizer, position, 0.5)
        position += 0.5
        assert recognizer.decode_due
        update = recognizer.step()
        committed += [x.text for x in update.committed]
        tentative_seen += [x.text for x in update.tentative]
    # Every word committed so far was heard right (never a misheard guess).
    assert committed and all(not t.endswith("zz") for t in committed)
    assert committed == [t for t, _, _ in SCRIPT][: len(committed)]
    assert any(t.endswith("zz") for t in tentative_seen)  # guesses stayed tentative
    end = recognizer.end_utterance(speech_end_s=3.0)
    assert end.committed == () and end.final is not None
    assert [x.text for x in end.final.words] == [t for t, _, _ in SCRIPT]
    assert [x.text for x in end.final.stable] == committed  # the stable words it replaces
    assert end.final.speech_final and end.final.utterance == 0
    assert end.utterance_ended and end.tentative == ()


def test_no_word_is_committed_before_the_decoder_heard_settle_s_of_audio_after_it():
    decoder = ScriptedDecoder(SCRIPT, settle_s=0.0)  # never mishears: agreement alone would commit at once
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.3, settle_s=1.0))
    position, committed = 0.0, []
    while position < 2.9:
        feed(recognizer, position, 0.3)
        position += 0.3
        update = recognizer.step()
        assert all(word.end <= position - 1.0 + 1e-9 for word in update.committed)
        committed += update.committed
    script = [t for t, _, _ in SCRIPT]
    assert 0 < len(committed) < len(script) and [x.text for x in committed] == script[: len(committed)]
    final = recognizer.end_utterance(speech_end_s=2.9).final
    assert [x.text for x in final.words] == script


def test_utterance_end_needs_no_extra_decode_when_the_last_one_heard_the_whole_buffer():
    decoder = ScriptedDecoder(SCRIPT[:5], settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 2.0)
    feed(recognizer, 2.0, 0.5)  # the quiet that ended the utterance
    recognizer.step()
    calls = len(decoder.calls)
    update = recognizer.end_utterance(speech_end_s=1.8)
    assert len(decoder.calls) == calls and not update.decoded
    assert [x.text for x in update.final.words] == ["So", "the", "question", "is", "churn."]


def test_the_utterance_tail_is_decoded_again_with_the_quiet_that_ended_it():
    # The last regular decode stopped 0.3 s after the last word, too soon to
    # hear it right; the final decode hears the quiet after it as well.
    decoder = ScriptedDecoder(SCRIPT[:5], settle_s=0.5)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 2.0)
    assert recognizer.step().tentative[-1].text == "churnzz"
    feed(recognizer, 2.0, 0.5)
    update = recognizer.end_utterance(speech_end_s=1.8)
    assert update.decoded and decoder.calls[-1][:2] == (0.0, 2.5)
    assert update.final.words[-1].text == "churn."


def test_finals_are_decoded_by_the_final_decoder_and_never_taken_from_a_regular_decode():
    # The finals' decoder (the full encoder window) may hear the same clip
    # differently, so a regular decode that heard the whole utterance is not a final.
    live, finals = ScriptedDecoder(SCRIPT[:5], settle_s=0.0), ScriptedDecoder(SCRIPT[:5], settle_s=0.0)
    recognizer = StreamingRecognizer(live, StreamingOptions(min_chunk_s=0.5), final_decoder=finals)
    feed(recognizer, 0.0, 2.5)
    recognizer.step()
    update = recognizer.end_utterance(speech_end_s=1.8)
    assert [c[:2] for c in live.calls] == [(0.0, 2.5)]
    assert [c[:2] for c in finals.calls] == [(0.0, 2.5)]
    assert update.decoded and [x.text for x in update.final.words] == ["So", "the", "question", "is", "churn."]


class TailDroppingDecoder(ScriptedDecoder):
    """Ends its output early, as Whisper sometimes does: a clip that starts
    before `stops_at` yields no word from there on."""

    def __init__(self, script, stops_at: float):
        super().__init__(script, settle_s=0.0)
        self.stops_at = stops_at

    def decode(self, samples, start_s, prompt):
        words = super().decode(samples, start_s, prompt)
        return [x for x in words if start_s >= self.stops_at or x.start < self.stops_at]


def test_speech_the_final_hypothesis_left_out_is_decoded_on_its_own():
    decoder = TailDroppingDecoder(SCRIPT, stops_at=1.5)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5), initial_prompt="Churn.")
    feed(recognizer, 0.0, 3.5)
    update = recognizer.end_utterance(speech_end_s=2.95)
    assert [x.text for x in update.final.words] == [t for t, _, _ in SCRIPT]
    start, end, prompt = decoder.calls[-1]
    assert (start, end) == (1.7, 3.5)  # from the end of "churn." to the end of the buffer
    assert prompt == "Churn. So the question is churn."
    assert update.decoded and recognizer.decodes == 2


def test_no_retry_when_the_final_hypothesis_reached_the_end_of_speech():
    decoder = TailDroppingDecoder(SCRIPT, stops_at=99.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 3.5)
    recognizer.end_utterance(speech_end_s=2.95)
    assert len(decoder.calls) == 1


def test_no_retry_when_the_final_hypothesis_heard_nothing_at_all():
    decoder = ScriptedDecoder([])  # the same clip again would say the same
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 3.5)
    assert recognizer.end_utterance(speech_end_s=2.95).final.words == ()
    assert len(decoder.calls) == 1


def test_words_heard_in_the_quiet_after_speech_are_dropped():
    decoder = ScriptedDecoder(SCRIPT[:5], settle_s=0.0, invent_after=1.9)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 2.4)
    recognizer.step()
    update = recognizer.end_utterance(speech_end_s=1.8)
    assert "Thanks" not in [x.text for x in update.final.words]
    assert update.final.words[-1].text == "churn."


def test_the_prompt_holds_only_committed_text_from_before_the_buffer():
    decoder = ScriptedDecoder(SCRIPT, settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5), initial_prompt="Churn prediction.")
    feed(recognizer, 0.0, 1.8)
    recognizer.step()
    recognizer.end_utterance(speech_end_s=1.75)
    feed(recognizer, 1.85, 1.2)
    recognizer.step()
    first_prompt, second_prompt = decoder.calls[0][2], decoder.calls[-1][2]
    assert first_prompt == "Churn prediction."
    assert second_prompt == "Churn prediction. So the question is churn."
    assert "First" not in second_prompt


def test_a_long_buffer_is_trimmed_at_a_committed_sentence_end():
    script = [(f"w{i}{'.' if i % 6 == 5 else ''}", i * 0.4, i * 0.4 + 0.3) for i in range(60)]
    decoder = ScriptedDecoder(script)
    options = StreamingOptions(min_chunk_s=0.5, trim_after_s=4.0, max_buffer_s=10.0)
    recognizer = StreamingRecognizer(decoder, options)
    longest = 0.0
    for step in range(44):
        feed(recognizer, step * 0.5, 0.5)
        recognizer.step()
        longest = max(longest, recognizer.buffer_end_s - recognizer.buffer_start_s)
        if recognizer.buffer_start_s > 0:
            # Cut exactly at the end of a word that closes a sentence.
            assert any(abs(end - recognizer.buffer_start_s) < 1e-6 and t.endswith(".") for t, _, end in script)
    assert recognizer.buffer_start_s > 10.0
    assert longest <= options.trim_after_s + 2 * options.min_chunk_s + 2.4  # a sentence is 2.4 s here


def test_without_sentence_ends_the_buffer_is_cut_at_the_last_committed_word():
    script = [(f"w{i}", i * 0.4, i * 0.4 + 0.3) for i in range(80)]
    options = StreamingOptions(min_chunk_s=0.5, trim_after_s=4.0, max_buffer_s=8.0)
    recognizer = StreamingRecognizer(ScriptedDecoder(script), options)
    for step in range(50):
        feed(recognizer, step * 0.5, 0.5)
        recognizer.step()
        assert recognizer.buffer_end_s - recognizer.buffer_start_s <= options.max_buffer_s + options.min_chunk_s


def test_falling_behind_skips_ahead_and_says_how_much():
    decoder = ScriptedDecoder(SCRIPT)
    options = StreamingOptions(min_chunk_s=0.5, max_lag_s=2.0, keep_after_skip_s=1.0)
    recognizer = StreamingRecognizer(decoder, options)
    feed(recognizer, 0.0, 1.0)
    recognizer.step()
    feed(recognizer, 1.0, 5.0)  # five seconds arrived while the last decode ran
    assert recognizer.pending_s > options.max_lag_s
    update = recognizer.skip_ahead()
    assert update.skipped is not None
    start, end = update.skipped
    assert end == pytest.approx(5.0) and start >= 1.0 - 1e-6
    assert recognizer.buffer_end_s - recognizer.buffer_start_s == pytest.approx(1.0)
    assert recognizer.pending_s == pytest.approx(1.0)


def test_an_utterance_that_ended_long_ago_is_committed_as_heard_and_the_rest_marked_skipped():
    decoder = ScriptedDecoder(SCRIPT)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 1.1)
    recognizer.step()
    recognizer.step()  # two agreeing decodes: "So the question" committed or tentative
    feed(recognizer, 1.1, 1.9)
    calls = len(decoder.calls)
    update = recognizer.abandon_utterance(speech_end_s=2.95)
    assert len(decoder.calls) == calls  # no decode: that would only deepen the backlog
    assert update.utterance_ended and update.skipped == (pytest.approx(1.1, abs=0.01), pytest.approx(2.95))
    assert recognizer.buffer_end_s == recognizer.buffer_start_s


# --- finals ----------------------------------------------------------------------------


class ContextDecoder(ScriptedDecoder):
    """Hears `wrong` for `right` until a clip holds `needs_until` seconds (as
    Whisper mishears a word it lacks context for), and writes what prompt it got."""

    def __init__(self, script, right: str, wrong: str, needs_until: float):
        super().__init__(script, settle_s=0.0)
        self.right, self.wrong, self.needs_until = right, wrong, needs_until

    def decode(self, samples, start_s, prompt):
        words = super().decode(samples, start_s, prompt)
        if start_s + len(samples) / RATE >= self.needs_until:
            return words
        return [w(self.wrong, x.start, x.end) if x.text == self.right else x for x in words]


def test_a_final_replaces_a_misheard_stable_word_once_and_says_what_it_changed():
    decoder = ContextDecoder(SCRIPT[:5], right="question", wrong="quest", needs_until=2.2)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, settle_s=0.3))
    stable = []
    for position in (0.0, 0.5, 1.0, 1.5):
        feed(recognizer, position, 0.5)
        stable += recognizer.step().committed
    assert "quest" in [x.text for x in stable]
    feed(recognizer, 2.0, 0.4)  # the quiet that ended the utterance
    final = recognizer.end_utterance(speech_end_s=1.8).final
    assert [x.text for x in final.words] == ["So", "the", "question", "is", "churn."]
    assert [x.text for x in final.stable] == [x.text for x in stable]
    (edit,) = revisions(final.stable, final.words)
    assert edit == Revision(index=2, removed=("quest",), inserted=("question",))
    # The next utterance is decoded after the final text, not the stable guess.
    feed(recognizer, 2.6, 1.0)
    recognizer.step()
    assert decoder.calls[-1][2] == "So the question is churn."


def test_revisions_ignore_spelling_and_the_tail_that_was_never_stable():
    stable = [w("So", 0.1, 0.3), w("the", 0.35, 0.5), w("question,", 0.55, 1.0)]
    final = [w("So", 0.1, 0.3), w("the", 0.36, 0.5), w("question", 0.56, 1.0), w("is", 1.05, 1.2)]
    assert revisions(stable, final) == ()
    assert revisions([], final) == ()
    dropped = revisions(stable, final[:2])
    assert dropped == (Revision(2, ("question,",), ()),) and revised_count(dropped) == 1


def test_a_long_utterance_is_finalised_in_segments_cut_after_stable_sentences():
    script = [(f"w{i}{'.' if i % 6 == 5 else ''}", i * 0.4, i * 0.4 + 0.3) for i in range(60)]  # 24 s, no pause
    recognizer = StreamingRecognizer(ScriptedDecoder(script), StreamingOptions(min_chunk_s=0.5, final_segment_s=6.0))
    finals = []
    for step in range(49):
        feed(recognizer, step * 0.5, 0.5)
        update = recognizer.step()
        if update.final is not None:
            finals.append(update.final)
    finals.append(recognizer.end_utterance(speech_end_s=24.0).final)
    assert len(finals) >= 3
    assert [f.speech_final for f in finals] == [False] * (len(finals) - 1) + [True]
    assert {f.utterance for f in finals} == {0}
    for segment in finals[:-1]:
        assert segment.words[-1].text.endswith(".")  # cut after a sentence
        assert segment.audio_end - segment.audio_start <= 6.0 + 2.4 + 0.5
    said = [x.text for f in finals for x in f.words]
    assert said == [t for t, _, _ in script]  # every word once, in order
    assert all(b.audio_start == pytest.approx(a.audio_end) for a, b in zip(finals, finals[1:]))


def test_an_utterance_end_with_nothing_said_since_the_last_final_settles_nothing():
    recognizer = StreamingRecognizer(ScriptedDecoder(SCRIPT[:5], settle_s=0.0), StreamingOptions(min_chunk_s=0.5))
    feed(recognizer, 0.0, 2.4)
    assert recognizer.end_utterance(speech_end_s=1.8).final.utterance == 0
    again = recognizer.end_utterance()  # a pause, or the end of the stream, right after
    assert again.final is None and again.utterance_ended
    feed(recognizer, 3.0, 1.0)
    assert recognizer.end_utterance().final.utterance == 1


def test_skipping_ahead_settles_what_was_heard_as_final_without_a_decode():
    decoder = ScriptedDecoder(SCRIPT)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, max_lag_s=2.0, keep_after_skip_s=1.0))
    feed(recognizer, 0.0, 1.1)
    recognizer.step()
    recognizer.step()
    feed(recognizer, 1.1, 5.0)
    calls = len(decoder.calls)
    update = recognizer.skip_ahead()
    assert len(decoder.calls) == calls
    assert update.final is not None and not update.final.speech_final and not update.final.decoded
    assert [x.text for x in update.final.words] == [x.text for x in update.final.stable]
    assert update.final.audio_end == pytest.approx(recognizer.buffer_start_s)


# --- a final decode's lead-in -----------------------------------------------------------------

# Two utterances, the second fed right after the first (the recogniser gets
# the quiet that ended the first, then the second from its preroll).
FIRST = SCRIPT[:5]  # "So the question is churn." 0.1-1.7, fed 0.0-2.2
SECOND = [("First", 2.4, 2.7), ("the", 2.75, 2.9), ("data.", 2.95, 3.4)]  # fed 2.2-3.9


def two_utterances(recognizer: StreamingRecognizer):
    feed(recognizer, 0.0, 2.2)
    first = recognizer.end_utterance(speech_end_s=1.7).final
    feed(recognizer, 2.2, 1.7)
    return first, recognizer.end_utterance(speech_end_s=3.4).final


def test_a_final_decode_hears_the_previous_utterance_as_lead_in_and_keeps_only_its_own_words():
    decoder = ScriptedDecoder(FIRST + SECOND, settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, final_lead_in_s=1.5))
    first, second = two_utterances(recognizer)
    assert [x.text for x in first.words] == ["So", "the", "question", "is", "churn."]
    assert decoder.calls[0][:2] == (0.0, 2.2)  # nothing before the first utterance to lead in with
    # The lead-in starts between two final words, at most 1.5 s before the
    # second utterance, and the final text before it is the prompt.
    start, end, prompt = decoder.calls[-1]
    assert (start, end) == (pytest.approx(1.025), pytest.approx(3.9))
    assert prompt == "So the question"
    assert [x.text for x in second.words] == ["First", "the", "data."]  # not "is churn." again
    assert second.audio_start == pytest.approx(2.2) and second.decoded
    assert len(decoder.calls) == 2


class SloppyDecoder(ScriptedDecoder):
    """Times the words on either side of the start of the second utterance
    (2.2 s) across it, as Whisper's word times do when a clip holds both,
    and writes the lead-in's words a little differently."""

    def decode(self, samples, start_s, prompt):
        words = super().decode(samples, start_s, prompt)
        if not 0.0 < start_s < 2.2:  # not a clip with a lead-in
            return words
        moved = {"churn.": ("churn", 2.15, 2.35), "First": ("First", 2.1, 2.7), "is": ("was", 1.05, 1.2)}
        return [w(*moved[x.text]) if x.text in moved else x for x in words]


def test_the_lead_in_ends_at_the_heard_word_matching_its_final_text_wherever_it_is_timed():
    recognizer = StreamingRecognizer(SloppyDecoder(FIRST + SECOND, settle_s=0.0), StreamingOptions(min_chunk_s=0.5, final_lead_in_s=1.5))
    _, second = two_utterances(recognizer)
    assert [x.text for x in second.words] == ["First", "the", "data."]  # "churn" is the lead-in's, not said twice
    assert second.words[0].start == pytest.approx(2.2)  # kept, its start moved inside the utterance
    assert recognizer.decodes == 2


class LeadInSkippingDecoder(ScriptedDecoder):
    """Loses its way in a clip that starts before 2.2 s and runs past it: leaves out "churn."."""

    def decode(self, samples, start_s, prompt):
        words = super().decode(samples, start_s, prompt)
        if start_s < 2.2 < start_s + len(samples) / RATE:
            return [x for x in words if x.text != "churn."]
        return words


def test_a_final_decode_that_lost_its_way_in_the_lead_in_is_decoded_again_without_it():
    decoder = LeadInSkippingDecoder(FIRST + SECOND, settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, final_lead_in_s=1.5))
    _, second = two_utterances(recognizer)
    assert [x.text for x in second.words] == ["First", "the", "data."]
    assert decoder.calls[-2][0] == pytest.approx(1.025)
    assert decoder.calls[-1] == (2.2, pytest.approx(3.9), "So the question is churn.")


class StopsAfterLeadInDecoder(ScriptedDecoder):
    """Ends a clip that starts before 2.2 s and runs past it at the pause after
    "churn.", as Whisper sometimes ends a decode at a pause: hears nothing of
    the second utterance."""

    def decode(self, samples, start_s, prompt):
        words = super().decode(samples, start_s, prompt)
        if start_s < 2.2 < start_s + len(samples) / RATE:
            return [x for x in words if x.start < 2.2]
        return words


def test_a_final_decode_that_stopped_after_the_lead_in_is_decoded_again_without_it():
    decoder = StopsAfterLeadInDecoder(FIRST + SECOND, settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, final_lead_in_s=1.5))
    _, second = two_utterances(recognizer)
    assert [x.text for x in second.words] == ["First", "the", "data."]  # the utterance is not lost
    assert decoder.calls[-2][0] == pytest.approx(1.025)
    assert decoder.calls[-1] == (2.2, pytest.approx(3.9), "So the question is churn.")


def test_the_lead_in_only_fills_the_encoder_window_the_final_decode_has_anyway():
    decoder = ScriptedDecoder(FIRST + SECOND, settle_s=0.0)
    # The second utterance's 1.7 s leave 0.3 s of a 2 s window: too little for a word of the first.
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, final_lead_in_s=1.5, final_window_s=2.0))
    _, second = two_utterances(recognizer)
    assert [x.text for x in second.words] == ["First", "the", "data."]
    assert all(start >= 2.2 for start, _, _ in decoder.calls[1:])


def test_lead_in_is_only_recent_audio_and_not_across_a_long_pause():
    script = [(f"w{i}", i * 1.0 + 0.1, i * 1.0 + 0.6) for i in range(12)]  # an utterance a second
    decoder = ScriptedDecoder(script, settle_s=0.0)
    options = StreamingOptions(min_chunk_s=0.5, final_lead_in_s=2.0, final_lead_in_gap_s=1.0)
    recognizer = StreamingRecognizer(decoder, options)
    for i in range(8):
        feed(recognizer, float(i), 1.0)
        final = recognizer.end_utterance(speech_end_s=i + 0.6).final
        assert [x.text for x in final.words] == [f"w{i}"]
        kept = sum(len(samples) for _, samples in recognizer._past_audio)
        assert kept <= options.final_lead_in_s * RATE
        if i:
            assert decoder.calls[-1][0] >= i - options.final_lead_in_s  # the lead-in is at most 2 s
            assert decoder.calls[-1][0] < i
    # After a pause of 2 s that was not fed (longer than final_lead_in_gap_s), no lead-in.
    feed(recognizer, 10.0, 1.0)
    assert [x.text for x in recognizer.end_utterance(speech_end_s=10.6).final.words] == ["w10"]
    assert decoder.calls[-1][:2] == (10.0, 11.0)


def test_without_lead_in_each_final_decode_hears_only_its_utterance_and_no_audio_is_kept():
    decoder = ScriptedDecoder(FIRST + SECOND, settle_s=0.0)
    recognizer = StreamingRecognizer(decoder, StreamingOptions(min_chunk_s=0.5, final_lead_in_s=0.0))
    _, second = two_utterances(recognizer)
    assert decoder.calls[-1] == (2.2, pytest.approx(3.9), "So the question is churn.")
    assert [x.text for x in second.words] == ["First", "the", "data."]
    assert recognizer._past_audio == []


# --- the real decoder's guards, on a fake faster-whisper model -------------------------------


def test_the_whisper_decoder_drops_invented_closing_lines_and_repetition_loops():
    from types import SimpleNamespace as NS

    from thinkaloud.live.streaming import WhisperBufferDecoder

    def segment(text_times, logprob=-0.2, no_speech=0.05):
        words = [NS(word=" " + t, start=s, end=e, probability=0.9) for t, s, e in text_times]
        return NS(words=words, avg_logprob=logprob, no_speech_prob=no_speech, start=words[0].start, end=words[-1].end)

    real = [("and", 0.1, 0.3), ("then,", 0.4, 0.8), ("probably.", 0.9, 1.4)]
    crammed = [(t, 1.40, 1.40) for t in "Please do not forget to subscribe".split()]
    looping = segment([("S", 1.0 + i / 10, 1.05 + i / 10) for i in range(8)])
    calls = {}

    class FakePipeline:
        def transcribe(self, samples, **options):
            calls.update(options)
            return iter(FakePipeline.segments), None

    decoder = WhisperBufferDecoder(FakePipeline(), "fake")
    FakePipeline.segments = [segment(real + crammed)]
    words = decoder.decode(np.zeros(16000 * 2, dtype=np.float32), 10.0, "Um, uh.")
    assert [w.text for w in words] == ["and", "then,", "probably."]
    assert words[0].start == pytest.approx(10.1) and words[-1].end == pytest.approx(11.4)
    assert calls["word_timestamps"] and calls["vad_filter"] is False
    assert calls["clip_timestamps"] == [{"start": 0.0, "end": 2.0}]  # the buffer as one clip: encoded once
    assert calls["initial_prompt"] == "Um, uh." and calls["max_new_tokens"] <= 300

    FakePipeline.segments = [segment(real), segment([("Thank", 1.5, 1.6), ("you.", 1.6, 1.7)], logprob=-1.2, no_speech=0.7)]
    assert [w.text for w in decoder.decode(np.zeros(16000 * 2, dtype=np.float32), 0.0, None)] == ["and", "then,", "probably."]

    FakePipeline.segments = [looping]
    assert [w.text for w in decoder.decode(np.zeros(16000, dtype=np.float32), 0.0, None)] == ["S"]  # a loop keeps only its first copy
