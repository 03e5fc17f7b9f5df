"""Who is in a room and what each role may do there (policy rule 1: technical issues go to the
room manager, content questions to the trainer)."""

from dataclasses import dataclass
from enum import StrEnum

from classroom_helper.domain.errors import NotPermitted
from helpdesk.domain.institute import RoomRole as Role


class Action(StrEnum):
    # technical issues
    RAISE_ISSUE = "issue.raise"
    WITHDRAW_ISSUE = "issue.withdraw"
    CONFIRM_ISSUE = "issue.confirm"
    REOPEN_ISSUE = "issue.reopen"
    CLAIM_ISSUE = "issue.claim"
    RESOLVE_ISSUE = "issue.resolve"
    ESCALATE_ISSUE = "issue.escalate"
    REROUTE_ISSUE = "issue.reroute"
    MESSAGE_ISSUE = "issue.message"
    RESOLVE_INCIDENT = "incident.resolve"
    MESSAGE_INCIDENT = "incident.message"
    # content questions
    ASK_QUESTION = "question.ask"
    UPVOTE_QUESTION = "question.upvote"
    ANSWER_QUESTION = "question.answer"
    ANSWER_LIVE = "question.answer_live"
    DISMISS_QUESTION = "question.dismiss"
    REROUTE_QUESTION = "question.reroute"
    EXPORT_QUESTIONS = "question.export"
    # the room session
    OPEN_SESSION = "session.open"
    CLOSE_SESSION = "session.close"


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.TRAINEE: frozenset(
        {
            Action.RAISE_ISSUE,
            Action.WITHDRAW_ISSUE,
            Action.CONFIRM_ISSUE,
            Action.REOPEN_ISSUE,
            Action.MESSAGE_ISSUE,
            Action.ASK_QUESTION,
            Action.UPVOTE_QUESTION,
        }
    ),
    Role.ROOM_MANAGER: frozenset(
        {
            Action.CLAIM_ISSUE,
            Action.RESOLVE_ISSUE,
            Action.ESCALATE_ISSUE,
            Action.REROUTE_ISSUE,
            Action.MESSAGE_ISSUE,
            Action.RESOLVE_INCIDENT,
            Action.MESSAGE_INCIDENT,
            Action.OPEN_SESSION,
            Action.CLOSE_SESSION,
        }
    ),
    Role.TRAINER: frozenset(
        {
            Action.ANSWER_QUESTION,
            Action.ANSWER_LIVE,
            Action.DISMISS_QUESTION,
            Action.REROUTE_QUESTION,
            Action.EXPORT_QUESTIONS,
        }
    ),
}


@dataclass(frozen=True, slots=True)
class Person:
    """Someone in one room, as the host platform's token describes them."""

    sub: str
    name: str
    role: Role
    room: str
    email: str | None = None
    phone: str | None = None
    locale: str | None = None


def may(person: Person, action: Action) -> bool:
    return action in PERMISSIONS[person.role]


def require(person: Person, action: Action, room: str | None = None) -> None:
    """Refuse an action the person's role does not allow, or any action on another room."""
    if room is not None and room != person.room:
        raise NotPermitted("This belongs to another room.", code="wrong_room")
    if not may(person, action):
        raise NotPermitted(f"A {person.role} may not {action}.")
