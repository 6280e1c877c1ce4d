"""The bundled interview question bank: questions, topics and their follow-ups.

`thinkaloud/data/questions.json` holds questions grouped by topic; each has
two or three follow-ups that change one constraint (a tighter latency budget,
far less data, a cold start) the way an interviewer probes depth.  A
follow-up's id is its question's id, a slash and a slug
("ml-churn/cold-start"), so a take on a follow-up can always be traced back
to the question it grew from.

This module only reads and looks things up; choosing what to ask next is the
caller's business.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from thinkaloud.errors import InputError, UsageError

BANK_VERSION = 1
FOLLOW_UP_SEPARATOR = "/"


@dataclass(frozen=True, slots=True)
class FollowUp:
    """A variation on a question that tightens or changes one constraint."""

    id: str
    constraint: str  # short name of what changed: "cold start", "100x traffic", ...
    text: str
    parent_id: str


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    topic: str
    text: str
    follow_ups: tuple[FollowUp, ...]


@dataclass(frozen=True, slots=True)
class QuestionBank:
    """All questions in file order; topics keep the order they first appear in."""

    questions: tuple[Question, ...]

    def __len__(self) -> int:
        return len(self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(q.topic for q in self.questions))

    def by_topic(self) -> dict[str, tuple[Question, ...]]:
        return {topic: tuple(q for q in self.questions if q.topic == topic) for topic in self.topics}

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def find(self, some_id: str) -> Question | FollowUp | None:
        """A question or a follow-up by its id."""
        parent_id = some_id.split(FOLLOW_UP_SEPARATOR, 1)[0]
        parent = self.question(parent_id)
        if parent is None or parent_id == some_id:
            return parent
        return next((f for f in parent.follow_ups if f.id == some_id), None)

    def find_text(self, text: str) -> Question | FollowUp | None:
        """The entry whose wording matches `text` (ignoring case and spacing), if any."""
        wanted = _normalise(text)
        for question in self.questions:
            if _normalise(question.text) == wanted:
                return question
            for follow_up in question.follow_ups:
                if _normalise(follow_up.text) == wanted:
                    return follow_up
        return None

    def follow_ups_for(self, some_id: str | None) -> tuple[FollowUp, ...]:
        """What an interviewer could ask next after `some_id`.

        After a question, its follow-ups; after a follow-up, the other
        follow-ups of the same question, so a person can keep probing the one
        design from a different angle.
        """
        if not some_id:
            return ()
        entry = self.find(some_id)
        if isinstance(entry, Question):
            return entry.follow_ups
        if isinstance(entry, FollowUp):
            parent = self.question(entry.parent_id)
            return tuple(f for f in parent.follow_ups if f.id != entry.id) if parent else ()
        return ()

    def matching_topic(self, topic: str) -> tuple[Question, ...]:
        """Questions whose topic contains `topic` (case-insensitive); a usage error names the topics if none do."""
        wanted = topic.strip().lower()
        found = tuple(q for q in self.questions if wanted in q.topic.lower())
        if not found:
            raise UsageError(f"no topic matches '{topic}'; choose one of: {', '.join(self.topics)}.")
        return found

    def pick(self, topic: str | None = None, rng: random.Random | None = None) -> Question:
        """A random question, optionally from one topic."""
        pool: Sequence[Question] = self.matching_topic(topic) if topic else self.questions
        return (rng or random.Random()).choice(pool)

    def lookup(self, some_id: str) -> Question | FollowUp:
        """Like `find`, but an unknown id is a one-line usage error naming the fix."""
        entry = self.find(some_id)
        if entry is None:
            close = [q.id for q in self.questions if some_id.lower() in q.id.lower()][:3]
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise UsageError(f"no question has the id '{some_id}'{hint}; run 'thinkaloud questions' to list them.")
        return entry


def _normalise(text: str) -> str:
    return " ".join(text.lower().split())


def bank_from_dict(data: Any, origin: str = "question bank") -> QuestionBank:
    """Validate and build a bank; any defect is one `InputError` line naming where it is."""
    if not isinstance(data, dict) or data.get("version") != BANK_VERSION or not isinstance(data.get("questions"), list):
        raise InputError(f"{origin} is not a version {BANK_VERSION} question bank; it needs \"version\": 1 and a \"questions\" list.")
    questions = []
    seen: set[str] = set()
    for index, raw in enumerate(data["questions"]):
        where = f"{origin}, question {index + 1}"
        qid = _required_text(raw, "id", where)
        where = f"{origin}, question '{qid}'"
        if FOLLOW_UP_SEPARATOR in qid:
            raise InputError(f"{where}: a question id cannot contain '{FOLLOW_UP_SEPARATOR}'; rename it.")
        follow_ups = []
        raw_follow_ups = raw.get("follow_ups", [])
        if not isinstance(raw_follow_ups, list):
            raise InputError(f"{where}: \"follow_ups\" must be a list; fix the file.")
        for f_index, f_raw in enumerate(raw_follow_ups):
            f_where = f"{where}, follow-up {f_index + 1}"
            fid = _required_text(f_raw, "id", f_where)
            if not fid.startswith(qid + FOLLOW_UP_SEPARATOR):
                raise InputError(f"{f_where}: id '{fid}' must start with '{qid}{FOLLOW_UP_SEPARATOR}'; rename it.")
            follow_ups.append(
                FollowUp(
                    id=fid,
                    constraint=_required_text(f_raw, "constraint", f_where),
                    text=_required_text(f_raw, "text", f_where),
                    parent_id=qid,
                )
            )
        for entry_id in [qid, *(f.id for f in follow_ups)]:
            if entry_id in seen:
                raise InputError(f"{origin}: the id '{entry_id}' appears twice; ids must be unique.")
            seen.add(entry_id)
        questions.append(
            Question(id=qid, topic=_required_text(raw, "topic", where), text=_required_text(raw, "text", where),
                     follow_ups=tuple(follow_ups))
        )
    if not questions:
        raise InputError(f"{origin} has no questions; add at least one.")
    return QuestionBank(tuple(questions))


def _required_text(raw: Any, key: str, where: str) -> str:
    value = raw.get(key) if isinstance(raw, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where}: \"{key}\" must be non-empty text; fix the file.")
    return value.strip()


def load_bank_file(path: Path) -> QuestionBank:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path} does not exist; give the path of a question bank JSON file.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"cannot read {path} ({error}); check the file.") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not valid JSON (line {error.lineno}: {error.msg}); fix the file.") from None
    return bank_from_dict(data, origin=str(path))


@cache
def bundled_bank() -> QuestionBank:
    """The question bank shipped with thinkaloud (read once per process)."""
    text = resources.files("thinkaloud").joinpath("data/questions.json").read_text(encoding="utf-8")
    return bank_from_dict(json.loads(text), origin="the bundled question bank")


def question_text(some_id: str) -> str:
    """The wording of a bundled question or follow-up (a usage error if the id is unknown)."""
    return bundled_bank().lookup(some_id).text


def choose_question(
    question: str | None,
    random_topic: str | None,
    bank: QuestionBank | None = None,
    rng: random.Random | None = None,
) -> tuple[str | None, str | None]:
    """The (wording, bank id) a take answers, from `--question` or `--random-question [TOPIC]`.

    `question` may be a bank id ("ml-churn", "ml-churn/cold-start"), a bank
    question's wording, or any text (then it has no id); `random_topic` is
    None when no random question was asked for, "" for any topic.
    """
    bank = bank if bank is not None else bundled_bank()
    if question is not None and random_topic is not None:
        raise UsageError("--question and --random-question both choose the question; give only one of them.")
    if random_topic is not None:
        picked = bank.pick(random_topic or None, rng)
        return picked.text, picked.id
    if question is None or not question.strip():
        return None, None
    wording = " ".join(question.split())
    entry = bank.find(wording) or bank.find_text(wording)
    return (entry.text, entry.id) if entry is not None else (wording, None)


def to_dict(questions: Sequence[Question]) -> dict[str, Any]:
    """The bank file's own JSON shape, for `thinkaloud questions --format json`."""
    return {
        "version": BANK_VERSION,
        "questions": [
            {
                "id": q.id,
                "topic": q.topic,
                "text": q.text,
                "follow_ups": [{"id": f.id, "constraint": f.constraint, "text": f.text} for f in q.follow_ups],
            }
            for q in questions
        ],
    }
