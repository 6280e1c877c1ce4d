"""What one take answers, and how the next take follows from it.

A take is one attempt at a question.  From the summary a person can answer
the same question again, or one of its follow-ups from the question bank as
a new take linked to this one (`parent_id`), the way an interviewer probes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from thinkaloud.live.events import LiveSession
from thinkaloud.questions import FollowUp, Question, QuestionBank, bundled_bank


@dataclass(frozen=True, slots=True)
class Take:
    question: str | None = None
    question_id: str | None = None
    parent_id: str | None = None
    #: Where follow-ups are looked up: the bundled bank plus the user's own questions.
    bank: QuestionBank = field(default_factory=bundled_bank, compare=False, repr=False)

    @classmethod
    def resolve(
        cls,
        question: str | None,
        question_id: str | None = None,
        parent_id: str | None = None,
        bank: QuestionBank | None = None,
    ) -> Take:
        """Fill in the question's wording from its bank id, or its id from its wording, when only one is known."""
        bank = bank if bank is not None else bundled_bank()
        if question_id and not question:
            entry = bank.find(question_id)
            question = entry.text if entry is not None else None
        elif question and not question_id:
            entry = bank.find(question.strip()) or bank.find_text(question)
            question = entry.text if entry is not None else question
            question_id = entry.id if entry is not None else None
        return cls(question, question_id, parent_id, bank)

    @property
    def context(self) -> str:
        """Where the question came from, in a few words ("ML system design", "follow-up: cold start")."""
        if not self.question_id:
            return ""
        entry = self.bank.find(self.question_id)
        if isinstance(entry, Question):
            return entry.topic
        if isinstance(entry, FollowUp):
            return f"follow-up: {entry.constraint}"
        return ""

    def follow_ups(self) -> tuple[FollowUp, ...]:
        return self.bank.follow_ups_for(self.question_id)

    def again(self) -> Take:
        """The same question once more (a retry of a follow-up stays linked to the take it followed)."""
        return replace(self)

    def follow_up(self, follow_up: FollowUp, session_id: str | None) -> Take:
        return replace(self, question=follow_up.text, question_id=follow_up.id, parent_id=session_id)


#: Opens the live session for a new take; raises a `ThinkaloudError` (no microphone, ...) on failure.
StartTake = Callable[[Take], LiveSession]
