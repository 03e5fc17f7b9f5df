"""Who is connected to which room, across processes. A row per connection, kept fresh by its
process: a process that dies (even SIGKILL) stops refreshing, and its rows stop counting."""

from datetime import datetime, timedelta

from classroom_helper.adapters.orm import PresenceRecord, RoomLedger
from classroom_helper.domain.people import Person, Role
from classroom_helper.services.room_log import ensure_ledger
from helpdesk.adapters.orm.institute import RoomSession

HEARTBEAT = timedelta(seconds=5)
STALE_AFTER = timedelta(seconds=30)


async def arrive(sid: str, process: str, person: Person, now: datetime) -> None:
    await PresenceRecord.create(
        sid=sid,
        process=process,
        room_id=person.room,
        person_sub=person.sub,
        role=person.role,
        seen_at=now,
    )


async def leave(sid: str, now: datetime) -> str | None:
    """Forget a connection; returns its room. The room remembers when its last manager left."""
    row = await PresenceRecord.get_or_none(sid=sid)
    if row is None:
        return None
    await row.delete()
    if (
        row.role == Role.ROOM_MANAGER
        and not await _live(row.room_id, now).filter(role=Role.ROOM_MANAGER).exists()
    ):
        await ensure_ledger(row.room_id)  # made here, not on every arrival: one write less
        await RoomLedger.filter(room_id=row.room_id).update(manager_left_at=now)
    return row.room_id


async def refresh(process: str, now: datetime) -> None:
    await PresenceRecord.filter(process=process).update(seen_at=now)
    await PresenceRecord.filter(seen_at__lt=now - STALE_AFTER * 10).delete()


def _live(room_id: str, now: datetime):
    return PresenceRecord.filter(room_id=room_id, seen_at__gte=now - STALE_AFTER)


async def counts(room_id: str, now: datetime) -> dict[str, int]:
    """People connected now, each person once: `{"managers": 1, "trainers": 1, "trainees": 27}`."""
    rows = await _live(room_id, now).distinct().values_list("role", "person_sub")
    people = set(rows)
    return {
        "managers": sum(1 for role, _ in people if role == Role.ROOM_MANAGER),
        "trainers": sum(1 for role, _ in people if role == Role.TRAINER),
        "trainees": sum(1 for role, _ in people if role == Role.TRAINEE),
    }


async def no_manager_since(room_id: str, now: datetime) -> datetime | None:
    """None while a manager is online; else when the room last had one (or opened without one)."""
    managers = PresenceRecord.filter(room_id=room_id, role=Role.ROOM_MANAGER)
    if await managers.filter(seen_at__gte=now - STALE_AFTER).exists():
        return None
    ledger = await RoomLedger.get_or_none(room_id=room_id)
    session = await RoomSession.get_or_none(room_id=room_id)
    last_seen = await managers.order_by("-seen_at").first().values_list("seen_at", flat=True)
    moments = [
        ledger.manager_left_at if ledger else None,
        last_seen,
        session.opened_at if session else None,
    ]
    return max((m for m in moments if m is not None), default=now)
