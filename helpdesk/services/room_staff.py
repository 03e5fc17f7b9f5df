"""Who runs each live room session: the staff members the institute assigns as its room manager and
its trainer. They open the session's consoles after logging in (the room issues them a pass)."""

from __future__ import annotations

from datetime import UTC, datetime

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from helpdesk.adapters.orm.institute import RoomSession, Staff
from helpdesk.domain.institute import RoomRole, staff_ref


class UnknownStaff(ValueError):
    """The chosen staff member does not exist or is inactive."""


async def assign_room_staff(
    room_session_id: int, room_manager_id: int | None, trainer_id: int | None
) -> RoomSession:
    """Set both parts at once (None: nobody from the staff). LookupError: no such session."""
    async with in_transaction():
        room = await RoomSession.get_or_none(id=room_session_id)
        if room is None:
            raise LookupError(room_session_id)
        for part, staff_id in (("room_manager", room_manager_id), ("trainer", trainer_id)):
            staff = await Staff.get_or_none(id=staff_id, is_active=True) if staff_id else None
            if staff_id and staff is None:
                raise UnknownStaff(f"no active staff member {staff_id}")
            setattr(room, f"{part}_ref", staff_ref(staff.id) if staff else "")
            setattr(room, f"{part}_name", staff.name if staff else "")
        await room.save(
            update_fields=["room_manager_ref", "room_manager_name", "trainer_ref", "trainer_name"]
        )
    return room


async def rooms_run_by(
    staff_id: int, since: datetime, until: datetime
) -> list[tuple[RoomSession, RoomRole]]:
    """The sessions the staff member runs that overlap [since, until), by start time."""
    ref = staff_ref(staff_id)
    # in UTC, as stored: SQLite compares the text, and "…25 00:00+03:00" sorts after "…24 23:00+00:00"
    rooms = await RoomSession.filter(
        Q(room_manager_ref=ref) | Q(trainer_ref=ref),
        scheduled_start__lt=until.astimezone(UTC),
        scheduled_end__gt=since.astimezone(UTC),
    ).order_by("scheduled_start")
    return [
        (room, role)
        for room in rooms
        for role, assigned in (
            (RoomRole.ROOM_MANAGER, room.room_manager_ref),
            (RoomRole.TRAINER, room.trainer_ref),
        )
        if assigned == ref
    ]
