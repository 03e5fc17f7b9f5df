"""Tickets: what they are, the words the policy uses for them, and their lifecycle.

The lifecycle follows the policy's two-level path as a pure state machine. Level 1 (the contact
centre) receives everything: it resolves what it can or refers the case to the competent department
(Level 2), which works it, resolves it and verifies closure. The requester may confirm closure or
reopen within a configured number of days. Duplicates merge into one ticket; spam is marked, never
deleted. Every transition returns a new `TicketFlow`, or raises `IllegalTransition` and leaves the
old one as it was.
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum


class TicketKind(StrEnum):
    TECHNICAL_ISSUE = "technical_issue"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    INQUIRY = "inquiry"
    CONTENT_FOLLOW_UP = "content_follow_up"


class Category(StrEnum):
    """The services the policy covers."""

    REGISTRATION = "registration"
    PLATFORM_TRAINING = "platform_training"
    ONBOARDING = "onboarding"
    LOGIN_AND_ACCOUNTS = "login_and_accounts"
    LIVE_SESSION_ATTENDANCE = "live_session_attendance"
    TRAINER_ACCESS = "trainer_access"
    CERTIFICATES = "certificates"
    OTHER = "other"


class Channel(StrEnum):
    ROOM = "room"
    WEB_FORM = "web_form"
    EMAIL = "email"
    PHONE = "phone"
    WHATSAPP = "whatsapp"
    X = "x"


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    REFERRED = "referred"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"
    CLOSED = "closed"
    MERGED = "merged"
    SPAM = "spam"


class Level(IntEnum):
    CONTACT_CENTRE = 1
    DEPARTMENT = 2


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ContactPreference(StrEnum):
    EMAIL = "email"
    PHONE = "phone"


# What a ticket number looks like (the serial grows past six digits; the column holds 20 characters).
TICKET_NUMBER_PATTERN = r"SND-\d{4}-\d{6,11}"


def ticket_number(year: int, serial: int) -> str:
    """The number people read out on the phone: SND-2026-000123."""
    return f"SND-{year}-{serial:06d}"


# The policy: a case that needs escalation reaches the competent department's manager within 24 hours.
REFERRAL_LIMIT = timedelta(hours=24)


@dataclass(frozen=True)
class Requester:
    """The person a ticket is for, and how they want to hear back."""

    name: str
    email: str = ""
    phone: str = ""
    ref: str = ""  # their id on the host platform, when they came from a room
    contact_preference: ContactPreference = ContactPreference.EMAIL
    locale: str = "ar"


#: Statuses in which work is still owed to the requester.
ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.REFERRED, Status.IN_PROGRESS})
#: Statuses at Level 1 that the 24-hour referral clock watches.
AWAITING_REFERRAL = frozenset({Status.NEW, Status.OPEN})
#: Statuses from which the requester may reopen (within the reopen window).
REOPENABLE = frozenset({Status.RESOLVED, Status.VERIFIED, Status.CLOSED})


class IllegalTransition(Exception):
    """A lifecycle action that the ticket's current state does not allow.

    `code` is stable (for APIs and tests); `action` and `status` say what was refused.
    """

    def __init__(self, code: str, action: str, status: Status, detail: str = ""):
        self.code = code
        self.action = action
        self.status = status
        self.detail = detail or f"cannot {action.replace('_', ' ')} a ticket that is {status.value}"
        super().__init__(self.detail)


@dataclass(frozen=True)
class TicketFlow:
    """The part of a ticket that the lifecycle rules read and change."""

    status: Status = Status.NEW
    level: Level = Level.CONTACT_CENTRE
    department_id: int | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    merged_into: str | None = None
    status_before_spam: Status | None = None

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


def _require(flow: TicketFlow, action: str, allowed: frozenset[Status] | set) -> None:
    if flow.status not in allowed:
        raise IllegalTransition("illegal_transition", action, flow.status)


def open_at_level1(flow: TicketFlow) -> TicketFlow:
    """Level 1 takes a new ticket into its hands."""
    _require(flow, "open", {Status.NEW})
    return dataclasses.replace(flow, status=Status.OPEN)


def resolve_at_level1(flow: TicketFlow, now: datetime) -> TicketFlow:
    _require(flow, "resolve", AWAITING_REFERRAL)
    return dataclasses.replace(flow, status=Status.RESOLVED, resolved_at=now)


def refer_to_department(flow: TicketFlow, department_id: int) -> TicketFlow:
    """Level 1 refers the case to the competent department; also what the 24-hour sweep does.

    A department may also pass a case it received to another department.
    """
    _require(flow, "refer", AWAITING_REFERRAL | {Status.REFERRED, Status.IN_PROGRESS})
    if flow.department_id == department_id and flow.level == Level.DEPARTMENT:
        raise IllegalTransition(
            "same_department", "refer", flow.status, "the ticket is already with that department"
        )
    return dataclasses.replace(
        flow, status=Status.REFERRED, level=Level.DEPARTMENT, department_id=department_id
    )


def return_to_level1(flow: TicketFlow) -> TicketFlow:
    """The department sends back a case that is not theirs."""
    _require(flow, "return", {Status.REFERRED, Status.IN_PROGRESS})
    return dataclasses.replace(
        flow, status=Status.OPEN, level=Level.CONTACT_CENTRE, department_id=None
    )


def start_work(flow: TicketFlow) -> TicketFlow:
    _require(flow, "start", {Status.REFERRED})
    return dataclasses.replace(flow, status=Status.IN_PROGRESS)


def resolve_at_department(flow: TicketFlow, now: datetime) -> TicketFlow:
    _require(flow, "resolve", {Status.REFERRED, Status.IN_PROGRESS})
    return dataclasses.replace(flow, status=Status.RESOLVED, resolved_at=now)


def resolve(flow: TicketFlow, now: datetime) -> TicketFlow:
    """Resolve at whichever level holds the ticket."""
    if flow.level == Level.DEPARTMENT:
        return resolve_at_department(flow, now)
    return resolve_at_level1(flow, now)


def verify_closure(flow: TicketFlow) -> TicketFlow:
    """Level 2 checks that the resolution holds (Level 1 resolutions go straight to closing)."""
    _require(flow, "verify", {Status.RESOLVED})
    if flow.level != Level.DEPARTMENT:
        raise IllegalTransition(
            "not_at_department", "verify", flow.status, "only a department verifies closure"
        )
    return dataclasses.replace(flow, status=Status.VERIFIED)


def close(flow: TicketFlow, now: datetime) -> TicketFlow:
    """Close a resolved ticket: Level 1's resolution, or Level 2's once verified."""
    _require(flow, "close", {Status.RESOLVED, Status.VERIFIED})
    if flow.status == Status.RESOLVED and flow.level == Level.DEPARTMENT:
        raise IllegalTransition(
            "not_verified", "close", flow.status, "the department must verify closure first"
        )
    return dataclasses.replace(flow, status=Status.CLOSED, closed_at=now)


def confirm_closure(flow: TicketFlow, now: datetime) -> TicketFlow:
    """The requester confirms the resolution: that closes the ticket at either level."""
    _require(flow, "confirm", {Status.RESOLVED, Status.VERIFIED})
    return dataclasses.replace(flow, status=Status.CLOSED, closed_at=now)


def reopen(flow: TicketFlow, now: datetime, window: timedelta) -> TicketFlow:
    """The requester reopens within `window` of the resolution; the resolving level resumes."""
    _require(flow, "reopen", REOPENABLE)
    if flow.resolved_at is None or now - flow.resolved_at > window:
        raise IllegalTransition(
            "reopen_window_passed",
            "reopen",
            flow.status,
            "the time to reopen this ticket has passed",
        )
    status = Status.IN_PROGRESS if flow.level == Level.DEPARTMENT else Status.OPEN
    return dataclasses.replace(flow, status=status, resolved_at=None, closed_at=None)


def merge_into(flow: TicketFlow, number: str, own_number: str) -> TicketFlow:
    """This ticket duplicates ticket `number`: it ends here and points there."""
    _require(flow, "merge", ACTIVE)
    if number == own_number:
        raise IllegalTransition(
            "merge_into_self", "merge", flow.status, "a ticket cannot merge into itself"
        )
    return dataclasses.replace(flow, status=Status.MERGED, merged_into=number)


def can_receive_merge(flow: TicketFlow) -> bool:
    """A duplicate may merge only into a ticket that is still being worked."""
    return flow.status in ACTIVE


def mark_spam(flow: TicketFlow) -> TicketFlow:
    _require(flow, "mark_spam", AWAITING_REFERRAL)
    return dataclasses.replace(flow, status=Status.SPAM, status_before_spam=flow.status)


def unmark_spam(flow: TicketFlow) -> TicketFlow:
    _require(flow, "unmark_spam", {Status.SPAM})
    return dataclasses.replace(
        flow, status=flow.status_before_spam or Status.OPEN, status_before_spam=None
    )
