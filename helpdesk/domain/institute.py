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


STAFF_REF = "staff:"


def staff_ref(staff_id: int) -> str:
    """A staff member in a room: the `sub` of the pass Sanad mints for them, and what a room
    session's room_manager_ref / trainer_ref hold when the institute assigns them."""
    return f"{STAFF_REF}{staff_id}"


def is_staff_ref(ref: str) -> bool:
    return ref.startswith(STAFF_REF)


def may_run_room(
    role: StaffRole, staff_id: int, room_role: RoomRole, room_manager_ref: str, trainer_ref: str
) -> bool:
    """The staff member the institute assigned to that part of the session, or an administrator:
    they assign everyone anyway, and stand in when the assigned person is away."""
    if role == StaffRole.ADMINISTRATOR:
        return True
    assigned = {RoomRole.ROOM_MANAGER: room_manager_ref, RoomRole.TRAINER: trainer_ref}
    return assigned.get(room_role) == staff_ref(staff_id)
