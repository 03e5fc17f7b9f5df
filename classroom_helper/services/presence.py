"""Who is connected to which room, across processes. A row per connection, and a heartbeat per
process that its sweep keeps fresh: a process that dies (even SIGKILL) stops beating, and its
connections stop counting."""

from datetime import datetime, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count

from classroom_helper.adapters.orm import (
    PresenceRecord,
    ProcessHeartbeat,
    RoomLedger,
    live_people,
)
from classroom_helper.domain.people import Person, Role
from classroom_helper.services.lately import Lately
from classroom_helper.services.room_log import ensure_ledger
from helpdesk.adapters.orm.institute import RoomSession

STALE_AFTER = timedelta(seconds=30)
# The count of a room's managers serves the queue's estimates (forgotten when this process's own
# people come and go).
_managers_online: Lately[int] = Lately(fresh_for=1.0)


async def arrive(sid: str, process: str, person: Person, now: datetime) -> None:
    _managers_online.forget(person.room)
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
    _managers_online.forget(row.room_id)
    if row.role == Role.ROOM_MANAGER and await managers_online(row.room_id, now) == 0:
        await ensure_ledger(row.room_id)  # made here, not on every arrival: one write less
        await RoomLedger.filter(room_id=row.room_id).update(manager_left_at=now)
    return row.room_id


async def refresh(process: str, since: datetime, now: datetime) -> set[str]:
    """Beat for this process. Returns the rooms whose counts changed since the last refresh at
    `since` without anyone arriving or leaving: connections of a process that stopped (a killed
    one) went stale, or this process's own came back from stale (the database was away longer
    than STALE_AFTER)."""
    stale = now - STALE_AFTER
    lapsed = ProcessHeartbeat.filter(seen_at__gte=since - STALE_AFTER, seen_at__lt=stale)
    rooms = await _rooms_of(lapsed.exclude(process=process))
    if await ProcessHeartbeat.filter(process=process, seen_at__lt=stale).exists():  # revived
        rooms |= await _rooms_of(ProcessHeartbeat.filter(process=process))
    await beat(process, now)
    if await ProcessHeartbeat.filter(seen_at__lt=now - STALE_AFTER * 10).delete():
        # the connections of processes gone long ago, and of any process without a heartbeat
        await PresenceRecord.exclude(
            process__in=Subquery(ProcessHeartbeat.all().values("process"))
        ).delete()
    return rooms


async def beat(process: str, now: datetime) -> None:
    """The process is alive now (its connections count)."""
    await ProcessHeartbeat.update_or_create(defaults={"seen_at": now}, process=process)


async def _rooms_of(heartbeats) -> set[str]:
    rows = PresenceRecord.filter(process__in=Subquery(heartbeats.values("process"))).distinct()
    return set(await rows.values_list("room_id", flat=True))


def _live_processes(now: datetime) -> Subquery:
    return Subquery(ProcessHeartbeat.filter(seen_at__gte=now - STALE_AFTER).values("process"))


async def counts(room_id: str, now: datetime) -> dict[str, int]:
    """People connected now, each person once: `{"managers": 1, "trainers": 1, "trainees": 27}`."""
    people = await live_people(room_id, now - STALE_AFTER)
    return {
        "managers": sum(1 for role, _ in people if role == Role.ROOM_MANAGER),
        "trainers": sum(1 for role, _ in people if role == Role.TRAINER),
        "trainees": sum(1 for role, _ in people if role == Role.TRAINEE),
    }


async def people_by_role(now: datetime) -> dict[Role, int]:
    """People connected now in every room, each person once per role (for /metrics)."""
    live = PresenceRecord.filter(process__in=_live_processes(now))
    people = live.annotate(n=Count("person_sub", distinct=True)).group_by("role")
    counted = dict.fromkeys(Role, 0)
    for role, n in await people.values_list("role", "n"):
        counted[Role(role)] = n
    return counted


async def managers_online(room_id: str, now: datetime) -> int:
    async def count() -> int:
        people = await live_people(room_id, now - STALE_AFTER)
        return sum(1 for role, _ in people if role == Role.ROOM_MANAGER)

    return await _managers_online.get(room_id, count)


async def no_manager_since(room_id: str, now: datetime, asking: str) -> datetime | None:
    """None while a manager is online; else when the room last had one (or opened without one).

    A manager connected to the `asking` process is online whatever its heartbeat row says: that
    process is alive, and under a burst its beat is stored late. (Judged by that row, every open
    issue of an overloaded process became a ticket a minute into a room-wide outage.)"""
    managers = PresenceRecord.filter(room_id=room_id, role=Role.ROOM_MANAGER)
    if await managers.filter(Q(process=asking) | Q(process__in=_live_processes(now))).exists():
        return None
    ledger = await RoomLedger.get_or_none(room_id=room_id)
    session = await RoomSession.get_or_none(room_id=room_id)
    # a manager whose process stopped was last seen at its last heartbeat
    heartbeats = ProcessHeartbeat.filter(process__in=Subquery(managers.values("process")))
    last_seen = await heartbeats.order_by("-seen_at").first().values_list("seen_at", flat=True)
    moments = [
        ledger.manager_left_at if ledger else None,
        last_seen,
        session.opened_at if session else None,
    ]
    return max((m for m in moments if m is not None), default=now)
