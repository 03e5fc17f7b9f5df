"""Client actions run once: the action and its ack data are stored in one transaction, keyed by the
client-made id, so that a retried send (a lost ack, a reconnect) changes nothing twice."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from classroom_helper.adapters.orm import ClientActionRecord
from classroom_helper.domain.errors import RoomError
from classroom_helper.domain.people import Person
from classroom_helper.services.room_log import Outcome


async def run_once(
    person: Person,
    event: str,
    cid: str,
    now: datetime,
    use_case: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    prior = await _prior(person, cid, event)
    if prior is not None:
        return prior
    try:
        async with in_transaction():
            outcome = await use_case()
            await ClientActionRecord.create(
                room_id=person.room,
                person_sub=person.sub,
                cid=cid,
                event=event,
                result=outcome.data,
                at=now,
            )
    except IntegrityError:
        # the same cid, sent twice at once: the other one was stored; answer as it did
        prior = await _prior(person, cid, event)
        if prior is None:
            raise
        return prior
    return outcome


async def _prior(person: Person, cid: str, event: str) -> Outcome | None:
    done = await ClientActionRecord.get_or_none(room_id=person.room, person_sub=person.sub, cid=cid)
    if done is None:
        return None
    if done.event != event:
        raise RoomError("This client id was already used for another action.", code="cid_reused")
    return Outcome(data=done.result)
