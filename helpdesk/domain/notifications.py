"""Who is told what, by which medium, and when a failed sending is tried again."""

from __future__ import annotations

import enum
from datetime import timedelta

from helpdesk.domain.tickets import ContactPreference


class NotificationKind(enum.StrEnum):
    # To the requester (policy: told when created, referred or escalated, resolved, closed).
    CREATED = "created"
    REFERRED = "referred"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REPLY = "reply"
    # To staff.
    REFERRAL_WARNING = "referral_warning"
    REFERRED_TO_DEPARTMENT = "referred_to_department"


class Medium(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"
    # No SMS gateway: Level 1 phones the requester; the task waits in its queue.
    CALL_TASK = "call_task"
    WEBHOOK = "webhook"


def requester_medium(preference: ContactPreference, email: str, phone: str) -> Medium | None:
    """The requester's preferred contact, falling back to the other one they gave."""
    if preference == ContactPreference.PHONE and phone:
        return Medium.SMS
    if email:
        return Medium.EMAIL
    if phone:
        return Medium.SMS
    return None


# Outbox mediums of conversations that are answered where they started.
WHATSAPP, X = "whatsapp", "x"
CONVERSATION_MEDIUMS = (WHATSAPP, X)


def conversation_channel(channel: str, phone: str, requester_ref: str) -> tuple[str, str] | None:
    """(medium, recipient) for a ticket that came by WhatsApp or X; None for the others."""
    if channel == "whatsapp" and phone:
        return WHATSAPP, phone.lstrip("+")
    if channel == "x" and requester_ref.startswith("x:"):
        return X, requester_ref.removeprefix("x:")
    return None


def phone_medium(sms_gateway: bool) -> Medium:
    """By phone means an SMS when a gateway is configured, else a call task for Level 1."""
    return Medium.SMS if sms_gateway else Medium.CALL_TASK


MAX_ATTEMPTS = 10
_FIRST_RETRY = timedelta(seconds=30)
_LONGEST_WAIT = timedelta(hours=1)


def retry_delay(failed_attempts: int) -> timedelta:
    """Exponential back-off: 30 s, 1 min, 2 min, ... capped at one hour."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    doublings = min(failed_attempts - 1, 20)  # 2**20 × 30 s is far past the cap already
    return min(_FIRST_RETRY * 2**doublings, _LONGEST_WAIT)


def gives_up(failed_attempts: int) -> bool:
    return failed_attempts >= MAX_ATTEMPTS
