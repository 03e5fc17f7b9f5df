"""A technical issue raised by a trainee to the room manager, and its life:

raised ─claim→ claimed ─resolve→ resolved ─confirm→ confirmed
  │               │                 └─reopen→ reopened (back with the same manager)
  └───────────────┴── withdraw / escalate (→ helpdesk ticket) / reroute (→ content question)
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from classroom_helper.domain.errors import InvalidTransition, NotPermitted
from classroom_helper.domain.people import Person, Role


class IssueCategory(StrEnum):
    NO_AUDIO = "no_audio"
    NO_VIDEO = "no_video"
    NO_SHARED_SCREEN = "no_shared_screen"
    CONNECTION_DROPS = "connection_drops"
    CANNOT_JOIN = "cannot_join"
    OTHER = "other"


class IssueState(StrEnum):
    RAISED = "raised"
    CLAIMED = "claimed"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    ESCALATED = "escalated"
    REROUTED = "rerouted"


OPEN_STATES = frozenset({IssueState.RAISED, IssueState.CLAIMED, IssueState.REOPENED})
# A resolved issue waits for the trainee's word, so its thread stays open too.
THREAD_OPEN_STATES = OPEN_STATES | {IssueState.RESOLVED}


class TicketReason(StrEnum):
    """Why an issue became a helpdesk ticket."""

    MANAGER = "manager"
    UNCLAIMED_TIMEOUT = "unclaimed_timeout"
    NO_MANAGER_ONLINE = "no_manager_online"
    SESSION_ENDED = "session_ended"


@dataclass(slots=True)
class RoomIssue:
    room: str
    trainee_sub: str
    trainee_name: str
    category: IssueCategory
    raised_at: datetime
    text: str = ""
    diagnostics: dict[str, Any] = field(default_factory=dict)
    state: IssueState = IssueState.RAISED
    id: int | None = None
    claimed_by_sub: str | None = None
    claimed_by_name: str | None = None
    claimed_at: datetime | None = None
    resolution_note: str = ""
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    ticket_number: str | None = None
    ticket_reason: TicketReason | None = None
    incident_id: int | None = None
    rerouted_to_question: int | None = None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_unclaimed(self) -> bool:
        return self.state is IssueState.RAISED

    # --- the room manager's side -------------------------------------------------------------

    def claim(self, manager: Person, now: datetime) -> None:
        if self.state is IssueState.CLAIMED and self.claimed_by_sub == manager.sub:
            return  # claiming twice is harmless
        if self.state is not IssueState.RAISED:
            code = "already_claimed" if self.state is IssueState.CLAIMED else None
            raise InvalidTransition(
                f"The issue is {self.state}; only a raised one can be claimed.", code
            )
        self.state = IssueState.CLAIMED
        self.claimed_by_sub, self.claimed_by_name, self.claimed_at = manager.sub, manager.name, now

    def resolve(self, manager: Person, note: str, now: datetime) -> None:
        self._require_open("resolved")
        if self.claimed_by_sub is None:  # resolving straight away counts as claiming it
            self.claimed_by_sub, self.claimed_by_name, self.claimed_at = (
                manager.sub,
                manager.name,
                now,
            )
        self.state = IssueState.RESOLVED
        self.resolution_note, self.resolved_at = note, now

    def escalate(self, ticket_number: str, reason: TicketReason, now: datetime) -> None:
        self._require_open("turned into a ticket")
        self.state = IssueState.ESCALATED
        self.ticket_number, self.ticket_reason, self.closed_at = ticket_number, reason, now

    def reroute(self, question_id: int, now: datetime) -> None:
        self._require_open("re-routed")
        self.state = IssueState.REROUTED
        self.rerouted_to_question, self.closed_at = question_id, now

    # --- the trainee's side --------------------------------------------------------------------

    def confirm(self, trainee: Person, now: datetime) -> None:
        self._require_owner(trainee)
        if self.state is not IssueState.RESOLVED:
            raise InvalidTransition("Only a resolved issue can be confirmed as fixed.")
        self.state, self.closed_at = IssueState.CONFIRMED, now

    def reopen(self, trainee: Person, now: datetime) -> None:
        """ "Still broken": the issue goes back to the manager who resolved it."""
        self._require_owner(trainee)
        if self.state is not IssueState.RESOLVED:
            raise InvalidTransition("Only a resolved issue can be reopened.")
        self.state = IssueState.REOPENED
        self.resolved_at = None

    def withdraw(self, trainee: Person, now: datetime) -> None:
        self._require_owner(trainee)
        self._require_open("withdrawn")
        self.state, self.closed_at = IssueState.WITHDRAWN, now

    # --- the thread ------------------------------------------------------------------------------

    def check_may_write(self, person: Person) -> None:
        """The trainee who raised it and the room's managers may write in its thread."""
        if person.room != self.room:
            raise NotPermitted("This issue belongs to another room.", code="wrong_room")
        if person.role is Role.TRAINEE:
            self._require_owner(person)
        elif person.role is not Role.ROOM_MANAGER:
            raise NotPermitted(
                "Only the trainee and the room's managers write in an issue's thread."
            )
        if self.state not in THREAD_OPEN_STATES:
            raise InvalidTransition(f"The issue is {self.state}; its thread is closed.")

    def _require_owner(self, trainee: Person) -> None:
        if trainee.role is not Role.TRAINEE or trainee.sub != self.trainee_sub:
            raise NotPermitted(
                "Only the trainee who raised this issue may do that.", code="not_yours"
            )

    def _require_open(self, verb: str) -> None:
        if not self.is_open:
            raise InvalidTransition(f"The issue is {self.state}; it can no longer be {verb}.")


@dataclass(frozen=True, slots=True)
class TicketRules:
    """When an open issue becomes a ticket on its own (the institute's settings: helpdesk.config)."""

    unclaimed_limit: timedelta
    # a manager who drops for a moment (a reload, a network blip) is not "gone"
    no_manager_grace: timedelta

    @property
    def youngest_due(self) -> timedelta:
        """No issue raised more recently than this can be due (`automatic_ticket_reason`)."""
        return min(self.unclaimed_limit, self.no_manager_grace)


def automatic_ticket_reason(
    issue: RoomIssue,
    now: datetime,
    rules: TicketRules,
    no_manager_since: datetime | None,
) -> TicketReason | None:
    """Whether an open issue is due to become a ticket now, and why.

    `no_manager_since` is when the room last had no manager online (None while one is)."""
    if not issue.is_open:
        return None
    if no_manager_since is not None:
        absent_from = max(no_manager_since, issue.raised_at)
        if now - absent_from >= rules.no_manager_grace:
            return TicketReason.NO_MANAGER_ONLINE
    if issue.is_unclaimed and now - issue.raised_at >= rules.unclaimed_limit:
        return TicketReason.UNCLAIMED_TIMEOUT
    return None
