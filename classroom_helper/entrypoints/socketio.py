"""Socket.IO entry point of the live room: admit people with their host token, validate each event,
call one use case, ack, and send the stored events to their audiences (docs/realtime-protocol.md)."""

import asyncio
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

import socketio
from tortoise.transactions import in_transaction

from classroom_helper.adapters.group_commit import GroupCommit
from classroom_helper.adapters.host_tokens import RoomPasses, TokenRefused
from classroom_helper.adapters.orm import RoomEventRecord
from classroom_helper.domain import payloads
from classroom_helper.domain.errors import NotPermitted, RoomError
from classroom_helper.domain.people import Person, Role
from classroom_helper.domain.room_issues import TicketRules
from classroom_helper.entrypoints.identity import person_from
from classroom_helper.entrypoints.room_metrics import RoomMetrics
from classroom_helper.entrypoints.room_order import InOrder, Message
from classroom_helper.services import issues, presence, questions, reroute, sessions
from classroom_helper.services.actions import run_once
from classroom_helper.services.room_log import Outcome, current_seq, events_between, wire
from classroom_helper.services.rooms import WRONG_PLATFORM_REASON, room_session
from classroom_helper.services.sync import sync
from helpdesk.adapters import database
from helpdesk.adapters.rate_limits import RateLimit
from helpdesk.domain.events import TicketChanged
from helpdesk.i18n import N_, Catalogues
from helpdesk.services.bus import MessageBus

log = logging.getLogger(__name__)
event_log = logging.getLogger("sanad.room")

UseCase = Callable[[Person, Any, datetime], Awaitable[Outcome]]

USE_CASES: dict[str, UseCase] = {
    "session.open": lambda person, _, now: sessions.open_session(person, person.room, now),
    "session.close": lambda person, _, now: sessions.close_session(person, person.room, now),
    "issue.raise": issues.raise_issue,
    "issue.claim": issues.claim_issue,
    "issue.message": issues.message_issue,
    "issue.resolve": issues.resolve_issue,
    "issue.escalate": issues.escalate_issue,
    "issue.reroute": reroute.reroute_issue,
    "issue.confirm": issues.confirm_issue,
    "issue.reopen": issues.reopen_issue,
    "issue.withdraw": issues.withdraw_issue,
    "incident.resolve": issues.resolve_incident,
    "incident.message": issues.message_incident,
    "question.ask": questions.ask_question,
    "question.upvote": questions.upvote_question,
    "question.answer": questions.answer_question,
    "question.answer_live": questions.answer_live,
    "question.dismiss": questions.dismiss_question,
    "question.reroute": reroute.reroute_question,
}

# What people read when the server refuses (the widget may show its own words for each code).
REASONS = {
    "token_missing": N_("Sign-in to the room is missing. Reload the page."),
    "token_invalid": N_("Your room pass is not valid. Reload the page."),
    "token_expired": N_("Your room pass has expired. Reload the page."),
    "token_unknown_platform": N_("Your learning platform is not known to the support desk."),
    "token_wrong_room": N_("Your room pass is for another room."),
    "token_wrong_platform": WRONG_PLATFORM_REASON,
    "room_unknown": N_("This room is not known to the support desk."),
    "invalid_payload": N_("The request was not understood."),
    "unknown_event": N_("The request was not understood."),
    "not_permitted": N_("You may not do this in this room."),
    "not_yours": N_("Only the trainee who raised this issue may do that."),
    "wrong_room": N_("This belongs to another room."),
    "not_found": N_("It no longer exists."),
    "invalid_state": N_("This is no longer possible: it has changed meanwhile."),
    "already_claimed": N_("Another room manager has already taken this issue."),
    "already_upvoted": N_("You have already supported this question."),
    "own_question": N_("You cannot support your own question."),
    "session_not_open": N_("The session is not open."),
    "open_issue_exists": N_("You already have an open issue in this room."),
    "rate_limited": N_("Too many requests. Wait a few seconds and try again."),
    "cid_reused": N_("This request was already used for another action."),
    "not_connected": N_("You are not connected to a room."),
    "internal_error": N_("Something went wrong on our side. Try again."),
    "unavailable": N_("The support desk is unavailable for a moment. Try again shortly."),
}


def staff_rooms(room_id: str) -> dict[Role, str]:
    return {Role.ROOM_MANAGER: f"{room_id}:managers", Role.TRAINER: f"{room_id}:trainers"}


def trainees_room(room_id: str) -> str:
    return f"{room_id}:trainees"


def person_room(room_id: str, sub: str) -> str:
    return f"{room_id}:person:{sub}"


def addressed(event: RoomEventRecord) -> Message:
    """A stored event with the Socket.IO rooms that hear it, as each audience sees it."""
    staff = [
        target
        for wanted, target in (
            (event.to_managers, staff_rooms(event.room_id)[Role.ROOM_MANAGER]),
            (event.to_trainers, staff_rooms(event.room_id)[Role.TRAINER]),
        )
        if wanted
    ]
    trainees = [trainees_room(event.room_id)] if event.to_trainees else []
    if event.to_person:
        trainees.append(person_room(event.room_id, event.to_person))
    return {
        "room": event.room_id,
        "seq": event.seq,
        "staff": staff,
        "for_staff": wire(event, for_trainee=False) if staff else None,
        "trainees": trainees,
        "for_trainees": wire(event, for_trainee=True) if trainees else None,
    }


class RoomGateway:
    """The live room on one Socket.IO server (one process; Redis carries emits between processes)."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        catalogues: Catalogues,
        bus: MessageBus,
        rate_limit: RateLimit,
        rules: TicketRules,
        passes: RoomPasses,
        metrics: RoomMetrics,
        group_commit: GroupCommit | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.sio, self.catalogues, self.bus = sio, catalogues, bus
        self.rate_limit, self.rules, self.clock = rate_limit, rules, clock
        self.passes = passes
        self.metrics = metrics
        # SQLite: the actions that arrive together are stored in one transaction
        self.group_commit = group_commit
        self.process = uuid.uuid4().hex
        self.closing = False
        self._swept_at = clock()
        self._departures_to_record: set[str] = set()
        self._beating = False  # this process's heartbeat exists
        # who each connection of this process is; not python-socketio's session, which costs two
        # dicts per connection (docs/performance.md: memory per connection)
        self._people: dict[str, Person] = {}
        self._room_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._queues_moved: set[str] = set()
        self._pushing_queues: asyncio.Task | None = None
        self.in_order = InOrder(self.hand_out, self._read_log)
        # The other processes' way to this process's events: the Redis fan-out, when there is one
        # (the composition root sets it).
        self.share: Callable[[Message], Awaitable[None]] | None = None
        bus.subscribe(TicketChanged, self.on_ticket_changed)
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        sio.on("*", self.dispatch)

    # --- connections ------------------------------------------------------------------------

    async def connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        try:
            person = await self._admit(sid, auth)
        except (TokenRefused, RoomError) as refusal:
            code = refusal.code
        except Exception as error:
            if not database.unavailable(error):
                raise
            code = "unavailable"  # the client tries again, as after any refused connection
        else:
            # after the connect handler returns: the client is admitted before it hears anything
            self.sio.start_background_task(self.push_presence, person.room)
            return
        log.info("room connection refused: %s", code)
        locale = auth.get("locale") if isinstance(auth.get("locale"), str) else "ar"
        raise socketio.exceptions.ConnectionRefusedError(self._say(locale, code), {"code": code})

    async def _admit(self, sid: str, auth: dict) -> Person:
        token, room = auth.get("token"), auth.get("room")
        room_pass = await self.passes.verify(
            token if isinstance(token, str) else "", room if isinstance(room, str) else None
        )
        await room_session(room_pass.room_id, room_pass.platform_id)
        person = person_from(room_pass)
        if not self.in_order.follows(person.room):
            self.in_order.follow(person.room, await current_seq(person.room))
        if person.role is Role.TRAINEE:
            await self.sio.enter_room(sid, trainees_room(person.room))
            await self.sio.enter_room(sid, person_room(person.room, person.sub))
        else:
            await self.sio.enter_room(sid, staff_rooms(person.room)[person.role])
        if not self._beating:  # a new process counts from its first connection, not first sweep
            await presence.beat(self.process, self.clock())
            self._beating = True
        await presence.arrive(sid, self.process, person, self.clock())
        self._people[sid] = person  # last: a refused connection is never disconnected
        return person

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        self._people.pop(sid, None)
        if self.closing:  # the server is stopping: its presence rows go stale on their own
            return
        try:
            room_id = await presence.leave(sid, self.clock())
        except Exception as error:
            if not database.unavailable(error):
                raise
            # recorded by the next sweep: until then this process would keep the row fresh
            self._departures_to_record.add(sid)
            return
        if room_id is not None:
            await self.push_presence(room_id)

    # --- client events ----------------------------------------------------------------------

    async def dispatch(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        """One log line per event, as for HTTP requests: the client-made id is the request id.

        Never the payload: it carries what trainees typed."""
        started = time.perf_counter()
        self.metrics.receiving(event, started)
        ack = await self._answer(event, sid, data)
        outcome = "ok" if ack["ok"] else ack["error"]
        self.metrics.answered(event, outcome)
        cid = data.get("cid") if isinstance(data, dict) else None
        request_id = cid[:64] if isinstance(cid, str) and cid else uuid.uuid4().hex[:16]
        event_log.info(
            "%s %s %.1fms sid=%s rid=%s",
            event[:64],
            outcome,
            (time.perf_counter() - started) * 1000,
            sid,
            request_id,
        )
        return ack

    async def _answer(self, event: str, sid: str, data: Any) -> dict[str, Any]:
        person = self._people.get(sid)
        if person is None:
            return self._refusal("ar", RoomError(code="not_connected"))
        if not await self.rate_limit.hit(person.room, person.sub):
            log.info("rate limited: %s in %s (%s)", person.sub, person.room, event)
            return self._refusal(person.locale, RoomError(code="rate_limited"))
        now = self.clock()
        try:
            payload = payloads.parse(event, data)
            if isinstance(payload, payloads.Sync):
                return {"ok": True, "data": await sync(person, payload.last_seq, now)}
            outcome = await self.act(
                person.room,
                lambda: run_once(
                    person, event, payload.cid, now, lambda: USE_CASES[event](person, payload, now)
                ),
            )
        except RoomError as refusal:
            if isinstance(refusal, NotPermitted):
                log.warning(
                    "refused %s by %s (%s) in %s: %s",
                    event,
                    person.sub,
                    person.role,
                    person.room,
                    refusal.code,
                )
            return self._refusal(person.locale, refusal)
        except Exception as error:
            if database.unavailable(error):
                log.warning("room event %s by %s: the database is unavailable", event, person.sub)
                return self._refusal(person.locale, RoomError(code="unavailable"))
            log.exception("room event %s by %s failed", event, person.sub)
            return self._refusal(person.locale, RoomError(code="internal_error"))
        return {"ok": True, "data": outcome.data}

    def _refusal(self, locale: str | None, refusal: RoomError) -> dict[str, Any]:
        message = self._say(locale or "ar", refusal.code)
        if isinstance(refusal, payloads.InvalidPayload):
            message = f"{message} {refusal.message}"
        return {"ok": False, "error": refusal.code, "message": message}

    def _say(self, locale: str, code: str) -> str:
        return self.catalogues.gettext(locale, REASONS.get(code, REASONS["internal_error"]))

    # --- what the room is told ------------------------------------------------------------------

    async def act(self, room_id: str, use_case: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run a use case that changes the room, then send what it stored, one at a time per room
        in this process: clients then receive this process's events in `seq` order."""
        if self.group_commit is not None:
            # Stored in turn, in `seq` order; the callers resume in that order and queue for
            # the room's lock in it.
            outcome = await self.group_commit.run(use_case)
            async with self._room_locks[room_id]:
                await self.deliver(room_id, outcome)
            return outcome
        async with self._room_locks[room_id]:
            outcome = await use_case()
            await self.deliver(room_id, outcome)
        return outcome

    async def deliver(self, room_id: str, outcome: Outcome) -> None:
        """Send a committed outcome's events, the queue if it moved, and its bus events."""
        for event in outcome.events:
            await self.emit_event(event)
        if outcome.queue_moved:
            self.queue_moved(room_id)
        for published in outcome.published:
            await self.bus.publish(published)

    async def emit_event(self, event: RoomEventRecord) -> None:
        message = addressed(event)
        await self.in_order.arrived(message)
        if self.share is not None:
            await self.share(message)
        self.metrics.handed_to_staff(event)
        self.metrics.room_event_sent(event)

    async def hand_out(self, message: Message) -> None:
        """To this process's clients in the event's audience (in the room's order: InOrder)."""
        for rooms, data in (
            (message["staff"], message["for_staff"]),
            (message["trainees"], message["for_trainees"]),
        ):
            if rooms:
                await self.sio.emit("room.event", data, to=rooms, ignore_queue=True)

    async def _read_log(self, room_id: str, after: int, before: int) -> list[Message]:
        return [addressed(event) for event in await events_between(room_id, after, before)]

    async def on_ticket_changed(self, event: TicketChanged) -> None:
        """The helpdesk moved a ticket; if it came from a room issue, its trainee is told there."""
        if event.status not in issues.TICKET_NEWS:  # e.g. every new ticket: nothing to look up
            return
        room_id = await issues.room_of_ticket(event.number)
        if room_id is not None:
            await self.act(
                room_id, partial(issues.ticket_news, event.number, event.status, self.clock())
            )

    async def push_presence(self, room_id: str) -> None:
        counts = await presence.counts(room_id, self.clock())
        rooms = [*staff_rooms(room_id).values(), trainees_room(room_id)]
        await self.sio.emit("room.presence", {"presence": counts}, to=rooms)

    async def tell_clients_to_sync(self, everywhere: bool) -> None:
        """The fan-out between processes works again after a gap: events of other processes
        may have been missed (stored, but not heard), so clients sync (`room.resync`). Everywhere
        when this process's own events may not have reached the others."""
        await self.sio.emit("room.resync", {}, ignore_queue=not everywhere)

    def queue_moved(self, room_id: str) -> None:
        """Tell the room's waiting trainees their new places, soon: once for all the moves that
        happen meanwhile (with many raising at once in a room, once per move was a read and an
        emit to every waiting trainee for each of them)."""
        self._queues_moved.add(room_id)
        if self._pushing_queues is None:
            self._pushing_queues = asyncio.create_task(self._push_moved_queues())

    async def _push_moved_queues(self) -> None:
        try:
            while self._queues_moved:
                room_id = self._queues_moved.pop()
                try:
                    await self.push_queue(room_id)
                except Exception as error:  # the places are told again at the next move
                    if not database.unavailable(error):
                        log.exception("telling the queue of %s failed", room_id)
        finally:
            self._pushing_queues = None

    async def push_queue(self, room_id: str) -> None:
        for place in await issues.room_queue(room_id, self.clock()):
            sub = place.pop("trainee_sub")
            await self.sio.emit("issue.queue", {"queue": place}, to=person_room(room_id, sub))

    # --- what the room does on its own -------------------------------------------------------------

    async def sweep(self) -> None:
        """Keep this process's presence fresh (and tell the rooms where it changed on its own);
        make the tickets and close the sessions that are due."""
        now = self.clock()
        for sid in list(self._departures_to_record):
            room_id = await presence.leave(sid, now)
            self._departures_to_record.discard(sid)
            if room_id is not None:
                await self.push_presence(room_id)
        for room_id in await presence.refresh(self.process, self._swept_at, now):
            await self.push_presence(room_id)
        self._beating = True
        self._swept_at = now
        for room_id, issue_id, reason in await issues.tickets_due(self.rules, now):
            await self.act(room_id, partial(issues.ticket_on_its_own, issue_id, reason, now))
        for room_id in await sessions.sessions_past_their_end(now):
            await self.act(room_id, partial(self._close_on_schedule, room_id, now))

    @staticmethod
    async def _close_on_schedule(room_id: str, now: datetime) -> Outcome:
        async with in_transaction():
            return await sessions.close_session(None, room_id, now)

    async def run_sweeper(self, every: float) -> None:
        while True:
            try:
                await self.sweep()
            except Exception as error:
                if not database.unavailable(error):
                    log.exception("room sweep failed")
                else:
                    log.warning("room sweep waits: the database is unavailable")
            await asyncio.sleep(every)
