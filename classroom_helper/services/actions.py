"""Client actions run once: the action and its ack data are stored in one transaction, keyed by the
client-made id, so that a retried send (a lost ack, a reconnect) changes nothing twice.

A retry also sends the action's events again: the first try may have been committed and never
sent (the database cut the connection between the commit and the ack). Each process hands out
each `seq` once (entrypoints/room_order.py), so those who had them get nothing twice."""

from collections.abc import Awaitable, Callable
from datetime import datetime

from tortoise.transactions import in_transaction

from classroom_helper.adapters.orm import ClientActionRecord, RoomEventRecord, store_client_action
from classroom_helper.domain.errors import RoomError
from classroom_helper.domain.people import Person
from classroom_helper.services.room_log import Outcome


class _AlreadyDone(Exception):
    """The client id was stored meanwhile: undo this run, answer as the stored one did."""


async def run_once(
    person: Person,
    event: str,
    cid: str,
    now: datetime,
    use_case: Callable[[], Awaitable[Outcome]],
) -> Outcome:
    # The action is stored last, relying on its unique key: a first send (nearly every one) costs
    # one INSERT, not a SELECT before it; a retry is undone and answered from what was stored.
    try:
        async with in_transaction():
            outcome = await use_case()
            if not await store_client_action(
                person.room, person.sub, cid, event, outcome.data, now
            ):
                raise _AlreadyDone
    except (_AlreadyDone, RoomError):
        # a retry can also be refused by the use case (withdrawing an issue already withdrawn)
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
    # the action's events carry its moment (`now` is the same for both)
    events = await RoomEventRecord.filter(room_id=person.room, at=done.at).order_by("seq")
    return Outcome(data=done.result, events=events)
