"""Tickets: what they are and the words the policy uses for them."""

from dataclasses import dataclass
from datetime import timedelta
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
