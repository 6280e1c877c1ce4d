"""The question bank (thinkaloud.questions) and the `thinkaloud questions` command."""

from __future__ import annotations

import json
import random

import pytest

from tests.cli import thinkaloud
from thinkaloud.errors import InputError, UsageError
from thinkaloud.questions import FollowUp, Question, bank_from_dict, bundled_bank, choose_question


def small_bank(**overrides):
    data = {
        "version": 1,
        "questions": [
            {
                "id": "q-cache",
                "topic": "System design",
                "text": "Design a cache.",
                "follow_ups": [
                    {"id": "q-cache/hot-keys", "constraint": "hot keys", "text": "One key gets half the traffic."},
                    {"id": "q-cache/multi-region", "constraint": "multi-region", "text": "Now serve three regions."},
                ],
            },
            {"id": "q-bias", "topic": "ML fundamentals", "text": "Explain bias and variance.", "follow_ups": []},
        ],
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- the bundled bank


def test_bundled_bank_has_enough_questions_grouped_by_topic_each_with_follow_ups():
    bank = bundled_bank()
    assert len(bank) >= 30
    grouped = bank.by_topic()
    assert any("system design" in topic.lower() and "ml" not in topic.lower() for topic in grouped)
    assert any(topic.lower().startswith("ml") for topic in grouped)
    assert sum(len(questions) for questions in grouped.values()) == len(bank)
    for question in bank:
        assert 2 <= len(question.follow_ups) <= 3, question.id
        for follow_up in question.follow_ups:
            assert follow_up.id.startswith(question.id + "/")
            assert follow_up.parent_id == question.id
            assert follow_up.constraint.strip() and follow_up.text.strip()


def test_follow_ups_change_the_constraints_interviewers_probe():
    constraints = {f.constraint for q in bundled_bank() for f in q.follow_ups}
    assert {"tighter latency budget", "far less data", "cold start"} <= constraints


def test_find_returns_questions_and_follow_ups_by_id():
    bank = bundled_bank()
    question = bank.find("ml-churn")
    follow_up = bank.find("ml-churn/cold-start")
    assert isinstance(question, Question) and "churn" in question.text
    assert isinstance(follow_up, FollowUp) and follow_up.constraint == "cold start"
    assert bank.find("ml-churn/no-such-thing") is None
    assert bank.find("nope") is None


def test_find_text_ignores_case_and_spacing():
    bank = bundled_bank()
    question = bank.question("ml-churn")
    assert bank.find_text("  " + question.text.upper().replace(" ", "   ")) == question
    assert bank.find_text("Tell me about yourself.") is None


def test_follow_ups_after_a_follow_up_are_its_siblings():
    bank = bundled_bank()
    after_question = bank.follow_ups_for("ml-churn")
    after_follow_up = bank.follow_ups_for("ml-churn/cold-start")
    assert [f.id for f in after_question][0] == "ml-churn/cold-start"
    assert "ml-churn/cold-start" not in {f.id for f in after_follow_up}
    assert len(after_follow_up) == len(after_question) - 1
    assert bank.follow_ups_for(None) == () and bank.follow_ups_for("unknown") == ()


def test_pick_is_random_within_a_topic():
    bank = bundled_bank()
    picks = {bank.pick("system design", random.Random(seed)).id for seed in range(20)}
    assert len(picks) > 3
    assert all("system design" in bank.question(p).topic.lower() for p in picks)


def test_unknown_topic_and_id_are_one_line_usage_errors():
    bank = bundled_bank()
    with pytest.raises(UsageError, match=r"no topic matches 'cooking'; choose one of: .*System design"):
        bank.pick("cooking")
    with pytest.raises(UsageError, match=r"did you mean ml-churn.*thinkaloud questions") as raised:
        bank.lookup("churn")
    assert "\n" not in str(raised.value)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "not a version 1 question bank"),
        ({"questions": []}, "has no questions"),
        ({"questions": [{"id": "a", "topic": "T", "text": ""}]}, "question 'a': \"text\" must be non-empty"),
        ({"questions": [{"id": "a/b", "topic": "T", "text": "x"}]}, "cannot contain '/'"),
        (
            {"questions": [{"id": "a", "topic": "T", "text": "x", "follow_ups": [{"id": "b/c", "constraint": "c", "text": "t"}]}]},
            "must start with 'a/'",
        ),
        (
            {"questions": [{"id": "a", "topic": "T", "text": "x"}, {"id": "a", "topic": "T", "text": "y"}]},
            "'a' appears twice",
        ),
    ],
)
def test_a_malformed_bank_is_one_input_error_naming_the_place(change, message):
    with pytest.raises(InputError, match=message) as raised:
        bank_from_dict(small_bank(**change), origin="bank.json")
    assert "\n" not in str(raised.value)


def test_a_valid_bank_keeps_file_order_and_topics():
    bank = bank_from_dict(small_bank())
    assert [q.id for q in bank] == ["q-cache", "q-bias"]
    assert bank.topics == ("System design", "ML fundamentals")
    assert bank.follow_ups_for("q-bias") == ()


# ---------------------------------------------------------------- choosing a take's question


def test_choose_question_accepts_ids_wording_or_free_text():
    bank = bank_from_dict(small_bank())
    assert choose_question("q-cache", None, bank) == ("Design a cache.", "q-cache")
    assert choose_question("q-cache/hot-keys", None, bank) == ("One key gets half the traffic.", "q-cache/hot-keys")
    assert choose_question("design  a CACHE.", None, bank) == ("Design a cache.", "q-cache")
    assert choose_question("Why  this company?", None, bank) == ("Why this company?", None)
    assert choose_question(None, None, bank) == (None, None)


def test_choose_question_random_respects_topic_and_refuses_both_options():
    bank = bank_from_dict(small_bank())
    assert choose_question(None, "fundamentals", bank) == ("Explain bias and variance.", "q-bias")
    assert choose_question(None, "", bank, random.Random(1))[1] in {"q-cache", "q-bias"}
    with pytest.raises(UsageError, match="give only one of them"):
        choose_question("q-cache", "", bank)


# ---------------------------------------------------------------- the command


def test_questions_command_lists_the_bank_grouped_by_topic():
    result = thinkaloud("questions")
    assert result.code == 0, result.stderr
    bank = bundled_bank()
    for topic in bank.topics:
        assert f"{topic} ({len(bank.by_topic()[topic])})" in result.stdout
    assert "ml-churn" in result.stdout and "follow-ups: cold start · labels arrive late" in result.stdout
    assert "\x1b[" not in result.stdout  # not a terminal: no colour codes
    assert result.stderr.startswith(f"thinkaloud: {len(bank)} questions in {len(bank.topics)} topics")


def test_questions_command_shows_one_entry_in_full():
    result = thinkaloud("questions", "ml-churn/cold-start")
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("ml-churn/cold-start")
    assert "It follows:" in result.stdout and "Other follow-ups:" in result.stdout
    assert "ml-churn/labels-arrive-late" in result.stdout


def test_questions_command_json_round_trips_through_the_validator():
    result = thinkaloud("questions", "--topic", "LLM", "--format", "json")
    assert result.code == 0, result.stderr
    bank = bank_from_dict(json.loads(result.stdout))
    assert len(bank) >= 3 and all("LLM" in q.topic for q in bank)


def test_questions_command_random_pick_names_how_to_rehearse_it():
    result = thinkaloud("questions", "--random", "--topic", "data engineering")
    assert result.code == 0, result.stderr
    first_line = result.stdout.splitlines()[0]
    assert first_line.startswith("de-") and "Data engineering" in first_line
    assert "thinkaloud live --question de-" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("questions", "no-such-id"), "no question has the id 'no-such-id'"),
        (("questions", "--topic", "cooking"), "no topic matches 'cooking'"),
        (("questions", "ml-churn", "--random"), "not both"),
    ],
)
def test_questions_command_errors_are_one_line(args, message):
    result = thinkaloud(*args)
    assert result.code == 2
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1
