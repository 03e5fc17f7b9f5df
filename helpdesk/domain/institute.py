"""The institute's people and live rooms, in its own words."""

from enum import StrEnum


class StaffRole(StrEnum):
    """Helpdesk staff; they log in with a password."""

    ADMINISTRATOR = "administrator"
    LEVEL1_AGENT = "level1"  # the contact centre
    LEVEL2_AGENT = "level2"  # an operational department
    DEPARTMENT_MANAGER = "department_manager"


class RoomRole(StrEnum):
    """People a host platform puts in a live room; they arrive with a signed token."""

    TRAINEE = "trainee"
    TRAINER = "trainer"
    ROOM_MANAGER = "manager"


class RoomState(StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"
