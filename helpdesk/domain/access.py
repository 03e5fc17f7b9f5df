"""Who on the staff may see and do what with a ticket: role, level and department scope."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import Level


class StaffAction(enum.StrEnum):
    VIEW = "view"
    TAKE = "take"  # Level 1 opens a new ticket
    REFER = "refer"
    RETURN = "return"  # to Level 1
    START = "start"
    RESOLVE = "resolve"
    VERIFY = "verify"
    CLOSE = "close"
    MERGE = "merge"
    MARK_SPAM = "mark_spam"
    UNMARK_SPAM = "unmark_spam"
    REPLY = "reply"
    NOTE = "note"


LEVEL1_ACTIONS = frozenset(StaffAction) - {
    StaffAction.START,
    StaffAction.VERIFY,
    StaffAction.RETURN,
}
DEPARTMENT_ACTIONS = frozenset(StaffAction) - {
    StaffAction.TAKE,
    StaffAction.MARK_SPAM,
    StaffAction.UNMARK_SPAM,
}


@dataclass(frozen=True)
class StaffActor:
    id: int
    name: str
    role: StaffRole
    department_id: int | None

    @property
    def ref(self) -> str:
        return f"staff:{self.id}"


@dataclass(frozen=True)
class TicketScope:
    level: Level
    department_id: int | None  # the department holding it (Level 2)
    routed_department_id: int | None  # the department its category maps to


def may(actor: StaffActor, action: StaffAction, ticket: TicketScope) -> bool:
    """Administrators do anything; Level 1 works Level 1 tickets; a department works its own.

    A department also sees (read only) the Level 1 tickets its category map sends to it, so that
    its manager can watch those at risk of the 24-hour limit.
    """
    if actor.role == StaffRole.ADMINISTRATOR:
        return True
    if actor.role == StaffRole.LEVEL1_AGENT:
        if action == StaffAction.VIEW:
            return True
        return ticket.level == Level.CONTACT_CENTRE and action in LEVEL1_ACTIONS
    if actor.department_id is None:
        return False
    own = ticket.level == Level.DEPARTMENT and ticket.department_id == actor.department_id
    if action == StaffAction.VIEW:
        upcoming = (
            ticket.level == Level.CONTACT_CENTRE
            and ticket.routed_department_id == actor.department_id
        )
        return own or upcoming
    return own and action in DEPARTMENT_ACTIONS
