"""A content question from a trainee to the trainer:

asked ─answer→ answered (to the asker alone, or to the whole room)
  ├──answer live→ answered_live
  ├──dismiss (with a reason the asker sees)→ dismissed
  └──reroute→ rerouted (it was a technical problem: it becomes a room issue)
"""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from classroom_helper.domain.errors import InvalidTransition, NotPermitted, RoomError
from classroom_helper.domain.people import Person, Role


class QuestionState(StrEnum):
    ASKED = "asked"
    ANSWERED = "answered"
    ANSWERED_LIVE = "answered_live"
    DISMISSED = "dismissed"
    REROUTED = "rerouted"


class AnswerAudience(StrEnum):
    ASKER = "asker"
    ROOM = "room"


@dataclass(slots=True)
class ContentQuestion:
    room: str
    asker_sub: str
    asker_name: str
    text: str
    asked_at: datetime
    name_hidden: bool = False
    state: QuestionState = QuestionState.ASKED
    id: int | None = None
    upvoters: set[str] = field(default_factory=set)
    answer: str = ""
    answer_audience: AnswerAudience | None = None
    answered_by_name: str | None = None
    dismiss_reason: str = ""
    closed_at: datetime | None = None
    rerouted_to_issue: int | None = None
    rerouted_from_issue: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state is QuestionState.ASKED

    @property
    def upvotes(self) -> int:
        return len(self.upvoters)

    def upvote(self, trainee: Person) -> None:
        if trainee.role is not Role.TRAINEE:
            raise NotPermitted("Only trainees upvote questions.")
        if trainee.sub == self.asker_sub:
            raise RoomError("You cannot upvote your own question.", code="own_question")
        if trainee.sub in self.upvoters:
            raise RoomError("You have already upvoted this question.", code="already_upvoted")
        self._require_open("upvoted")
        self.upvoters.add(trainee.sub)

    def answer_in_text(
        self, trainer: Person, text: str, audience: AnswerAudience, now: datetime
    ) -> None:
        self._require_open("answered")
        self.state = QuestionState.ANSWERED
        self.answer, self.answer_audience, self.answered_by_name = text, audience, trainer.name
        self.closed_at = now

    def answer_live(self, trainer: Person, now: datetime) -> None:
        self._require_open("answered")
        self.state, self.answered_by_name, self.closed_at = (
            QuestionState.ANSWERED_LIVE,
            trainer.name,
            now,
        )

    def dismiss(self, reason: str, now: datetime) -> None:
        self._require_open("dismissed")
        self.state, self.dismiss_reason, self.closed_at = QuestionState.DISMISSED, reason, now

    def reroute(self, issue_id: int, now: datetime) -> None:
        self._require_open("re-routed")
        self.state, self.rerouted_to_issue, self.closed_at = QuestionState.REROUTED, issue_id, now

    def _require_open(self, verb: str) -> None:
        if not self.is_open:
            raise InvalidTransition(f"The question is {self.state}; it can no longer be {verb}.")


def name_shown(name_hidden: bool, *, to_staff: bool, to_asker: bool) -> bool:
    """A hidden name is hidden from other trainees, never from staff or from the asker."""
    return not name_hidden or to_staff or to_asker


def answer_shown(audience: str | None, *, to_staff: bool, to_asker: bool) -> bool:
    """An answer to the asker alone is for the asker (and staff); any other is for the room."""
    return audience != AnswerAudience.ASKER or to_staff or to_asker


def most_wanted_first(questions: list[ContentQuestion]) -> list[ContentQuestion]:
    """Open ones first: most upvoted, then oldest. Closed ones after, newest first."""
    open_ones = sorted(
        (q for q in questions if q.is_open), key=lambda q: (-q.upvotes, q.asked_at, q.id or 0)
    )
    closed = sorted(
        (q for q in questions if not q.is_open),
        key=lambda q: q.closed_at or q.asked_at,
        reverse=True,
    )
    return open_ones + closed
