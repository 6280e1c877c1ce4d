"""Marking a transcript with its signals for display (thinkaloud.annotation); no Textual."""

from __future__ import annotations

from thinkaloud.annotation import (
    Pause,
    PauseMark,
    Span,
    Tag,
    Tentative,
    annotate,
    block_index_for,
    char_position_at,
    cue_positions,
    silence_pauses,
)
from thinkaloud.types import Signal, Word

TEXT = "So the goal is churn. Um, I guess we use logs. Also, Kafka is slow."
#       0         1         2         3         4         5         6
#       0123456789012345678901234567890123456789012345678901234567890123456789


def sig(kind, start, end, cue=None, signposted=None):
    text = TEXT[start:end]
    return Signal(kind, text, cue or text, None, None, start, end, signposted)


def plain(block) -> str:
    return "".join(p.text for p in block.pieces if isinstance(p, Span))


def test_unmarked_text_is_one_block_of_plain_spans():
    (block,) = annotate(TEXT, [])
    assert block.kind == "text" and plain(block) == TEXT
    assert all(isinstance(p, Span) and not p.sentence_kinds and not p.phrase_kind for p in block.pieces)


def test_a_sentence_signal_colours_its_sentence_tags_its_start_and_marks_its_cue():
    (block,) = annotate(TEXT, [sig("framing", 0, 21, cue="the goal is")])
    tag, *rest = block.pieces
    assert tag == Tag(("framing",))
    framed = "".join(p.text for p in rest if isinstance(p, Span) and p.sentence_kinds == ("framing",))
    assert framed == "So the goal is churn."
    cue = [p.text for p in rest if isinstance(p, Span) and p.is_cue]
    assert cue == ["the goal is"]


def test_phrases_are_coloured_and_tagged_after_the_phrase_even_inside_a_sentence():
    signals = [sig("assumption", 22, 46, cue="we use"), sig("filler", 22, 24), sig("hedge", 26, 33)]
    (block,) = annotate(TEXT, signals)
    pieces = block.pieces
    um = next(i for i, p in enumerate(pieces) if isinstance(p, Span) and p.text == "Um")
    assert pieces[um].phrase_kind == "filler" and pieces[um].sentence_kinds == ("assumption",)
    assert pieces[um + 1] == Tag(("filler",))
    guess = next(p for p in pieces if isinstance(p, Span) and p.text == "I guess")
    assert guess.phrase_kind == "hedge"
    assert pieces.index(Tag(("assumption",))) < um


def test_two_structure_kinds_on_one_sentence_share_one_tag_in_checklist_order():
    (block,) = annotate(TEXT, [sig("tradeoff", 22, 46), sig("assumption", 22, 46)])
    assert Tag(("assumption", "tradeoff")) in block.pieces


def test_topic_shifts_split_blocks_with_a_marker_that_knows_how_it_was_announced():
    blocks = annotate(TEXT, [sig("topic_shift", 47, 67, signposted=False)])
    assert [b.kind for b in blocks] == ["text", "shift", "text"]
    assert blocks[1].signposted is False and blocks[1].shift.char_start == 47
    assert plain(blocks[0]).endswith("logs.") and plain(blocks[2]).startswith("Also,")  # no dangling spaces


def test_breaks_give_one_block_per_sentence_and_blocks_are_found_by_offset():
    blocks = annotate(TEXT, [], breaks=[22, 47])
    assert [plain(b) for b in blocks] == ["So the goal is churn.", "Um, I guess we use logs.", "Also, Kafka is slow."]
    assert block_index_for(blocks, 0) == 0 and block_index_for(blocks, 30) == 1 and block_index_for(blocks, 60) == 2


def test_pauses_and_the_tentative_tail_land_where_they_belong():
    (block,) = annotate(TEXT, [], pauses=[Pause(21, 6.0)], tentative=" and then ")
    index = block.pieces.index(PauseMark(6.0))
    assert block.pieces[index - 1].text.endswith("churn.")
    assert block.pieces[-1] == Tentative("and then")


def test_signals_without_usable_offsets_are_left_out():
    outside = Signal("framing", "x", "x", 1.0, 2.0, 60, 500)
    silence = Signal("silence", "", "no speech for 4.0 s", 3.0, 7.0, None, None)
    (block,) = annotate(TEXT, [outside, silence])
    assert not any(isinstance(p, Tag) for p in block.pieces)


def test_overlapping_phrases_do_not_fragment_each_other():
    (block,) = annotate(TEXT, [sig("filler", 22, 33), sig("hedge", 26, 33)])
    phrases = [(p.text, p.phrase_kind) for p in block.pieces if isinstance(p, Span) and p.phrase_kind]
    assert phrases == [("Um, I guess", "filler")]


def test_cue_positions_match_whole_words_case_insensitively():
    assert cue_positions(TEXT, 0, 21, "THE GOAL; missing") == [(3, 11)]
    assert cue_positions(TEXT, 0, 21, "goa") == []


def test_silences_are_placed_after_the_last_word_before_them():
    words = [Word("one", 0.0, 0.5, char_start=0, char_end=3), Word("two", 5.0, 5.5, char_start=4, char_end=7)]
    assert char_position_at(words, 1.0) == 3 and char_position_at(words, -1.0) == 0
    pauses = silence_pauses(words, [Signal("silence", "", "", 0.5, 5.0, None, None)])
    assert pauses == [Pause(3, 4.5)]
