"""The room's event log: every change gets the room's next sequence number and is stored with its
audience in the caller's transaction, so that a reconnecting client can be given what it missed."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import Q

from classroom_helper.adapters.orm import RoomEventRecord, RoomLedger, insert_event
from classroom_helper.domain.people import Person, Role
from classroom_helper.services.views import when

# Further behind than this, a snapshot is cheaper than the replay.
REPLAY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Audience:
    managers: bool = False
    trainers: bool = False
    trainees: bool = False
    person: str | None = None


TO_MANAGERS = Audience(managers=True)
EVERYONE = Audience(managers=True, trainers=True, trainees=True)
QUESTION_WATCHERS = Audience(trainers=True, trainees=True)


def issue_audience(trainee_sub: str) -> Audience:
    return Audience(managers=True, person=trainee_sub)


@dataclass(slots=True)
class Outcome:
    """What a use case did: the ack's data and the events to send once it is committed."""

    data: dict[str, Any]
    events: list[RoomEventRecord] = field(default_factory=list)
    # the room's queue changed: tell each waiting trainee their new place
    queue_moved: bool = False
    # domain events for the message bus, published once committed
    published: list[object] = field(default_factory=list)


async def ensure_ledger(room_id: str) -> None:
    """Create the room's ledger row if it is missing (INSERT ... ON CONFLICT DO NOTHING: two
    processes may race, and a failed INSERT would abort a PostgreSQL transaction)."""
    await RoomLedger.bulk_create([RoomLedger(room_id=room_id)], ignore_conflicts=True)


async def record(
    room_id: str,
    type_: str,
    data: dict[str, Any],
    audience: Audience,
    now: datetime,
    trainee_data: dict[str, Any] | None = None,
) -> RoomEventRecord:
    """Store one event with the room's next sequence number. Call inside a transaction: taking
    the number locks the ledger row until commit, so numbers are gap-free and in commit order."""
    event = RoomEventRecord(
        room_id=room_id,
        type=type_,
        at=now,
        data=data,
        trainee_data=trainee_data,
        to_managers=audience.managers,
        to_trainers=audience.trainers,
        to_trainees=audience.trainees,
        to_person=audience.person,
    )
    if not await insert_event(event):
        await ensure_ledger(room_id)
        await insert_event(event)
    return event


def wire(event: RoomEventRecord, for_trainee: bool) -> dict[str, Any]:
    """The `room.event` payload of a stored event, as one audience class sees it."""
    data = event.trainee_data if for_trainee and event.trainee_data is not None else event.data
    return {"seq": event.seq, "type": event.type, "at": when(event.at), "data": data}


async def current_seq(room_id: str) -> int:
    ledger = await RoomLedger.get_or_none(room_id=room_id)
    return ledger.seq if ledger else 0


async def events_between(room_id: str, after: int, before: int) -> list[RoomEventRecord]:
    """The room's stored events after `after` and before `before`, in order (at most a replay's
    worth: the rest on the next call)."""
    query = RoomEventRecord.filter(room_id=room_id, seq__gt=after, seq__lt=before)
    return await query.order_by("seq").limit(REPLAY_LIMIT)


async def missed_events(person: Person, last_seq: int, up_to: int) -> list[dict[str, Any]] | None:
    """The events after `last_seq` this person may see, or None when a snapshot is due."""
    if last_seq > up_to or up_to - last_seq > REPLAY_LIMIT:
        return None
    query = RoomEventRecord.filter(room_id=person.room, seq__gt=last_seq, seq__lte=up_to)
    if person.role is Role.ROOM_MANAGER:
        query = query.filter(to_managers=True)
    elif person.role is Role.TRAINER:
        query = query.filter(to_trainers=True)
    else:
        query = query.filter(Q(to_trainees=True) | Q(to_person=person.sub))
    events = await query.order_by("seq")
    return [wire(e, for_trainee=person.role is Role.TRAINEE) for e in events]
