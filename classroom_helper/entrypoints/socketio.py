"""Socket.IO entry point of the live room: admit people with their host token, validate each event,
call one use case, and ack (docs/realtime-protocol.md). What the room is then told is the
delivery's (room_delivery.py); who hears it, the admission's (room_admission.py)."""

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import socketio

from classroom_helper.adapters.host_tokens import TokenRefused
from classroom_helper.domain import payloads
from classroom_helper.domain.errors import NotPermitted, RoomError
from classroom_helper.domain.people import Person
from classroom_helper.entrypoints.room_admission import Admission
from classroom_helper.entrypoints.room_delivery import Delivery
from classroom_helper.entrypoints.room_metrics import RoomMetrics
from classroom_helper.services import issues, questions, reroute, sessions
from classroom_helper.services.actions import run_once
from classroom_helper.services.room_log import Outcome
from classroom_helper.services.rooms import WRONG_PLATFORM_REASON
from classroom_helper.services.sync import sync
from helpdesk.adapters import database
from helpdesk.adapters.rate_limits import RateLimit
from helpdesk.i18n import N_, Catalogues

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


class RoomEvents:
    """The live room's Socket.IO handlers on the default namespace."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        catalogues: Catalogues,
        admission: Admission,
        delivery: Delivery,
        rate_limit: RateLimit,
        metrics: RoomMetrics,
        clock: Callable[[], datetime],
    ):
        self.catalogues, self.admission, self.delivery = catalogues, admission, delivery
        self.rate_limit, self.metrics, self.clock = rate_limit, metrics, clock
        sio.on("connect", self.connect)
        sio.on("disconnect", self.disconnect)
        sio.on("*", self.dispatch)

    async def connect(self, sid: str, environ: dict, auth: Any = None) -> None:
        auth = auth if isinstance(auth, dict) else {}
        token, room = auth.get("token"), auth.get("room")
        try:
            await self.admission.admit(
                sid,
                token if isinstance(token, str) else "",
                room if isinstance(room, str) else None,
            )
            return  # it hears the room once it asks for `room.sync` (Admission.join)
        except (TokenRefused, RoomError) as refusal:
            code = refusal.code
        except Exception as error:
            # Refused all the same, never left unanswered: python-socketio sends nothing for a
            # connect handler that raises, and the client would wait for good. It tries again.
            if database.unavailable(error):
                code = "unavailable"
            else:
                log.exception("admitting a room connection failed")
                code = "internal_error"
        log.info("room connection refused: %s", code)
        locale = auth.get("locale") if isinstance(auth.get("locale"), str) else "ar"
        raise socketio.exceptions.ConnectionRefusedError(self._say(locale, code), {"code": code})

    async def disconnect(self, sid: str, reason: Any = None) -> None:
        await self.admission.leave(sid)

    async def dispatch(self, event: Any, sid: str, *arguments: Any) -> dict[str, Any]:
        """One log line per event, as for HTTP requests: the client-made id is the request id.

        Never the payload: it carries what trainees typed."""
        started = time.perf_counter()
        name = event if isinstance(event, str) else "(not a name)"
        self.metrics.receiving(name, started)
        if not isinstance(event, str) or len(arguments) > 1:
            # what no Socket.IO client library sends: a name that is not text, or more than one
            # argument besides the ack
            person, data = self.admission.person(sid), None
            ack = self._refusal(
                person.locale if person else "ar",
                payloads.InvalidPayload("An event is a name and one object."),
            )
        else:
            data = arguments[0] if arguments else None
            ack = await self._answer(event, sid, data)
        outcome = "ok" if ack["ok"] else ack["error"]
        self.metrics.answered(name, outcome)
        cid = data.get("cid") if isinstance(data, dict) else None
        request_id = cid[:64] if isinstance(cid, str) and cid else uuid.uuid4().hex[:16]
        event_log.info(
            "%s %s %.1fms sid=%s rid=%s",
            name[:64],
            outcome,
            (time.perf_counter() - started) * 1000,
            sid,
            request_id,
        )
        return ack

    async def _answer(self, event: str, sid: str, data: Any) -> dict[str, Any]:
        person = self.admission.person(sid)
        if person is None:
            return self._refusal("ar", RoomError(code="not_connected"))
        try:
            if event == "room.sync":  # first: what the sync reads is then in its answer or heard
                await self.admission.join(sid, person)
            if not await self.rate_limit.hit(person.room, person.sub):
                log.info("rate limited: %s in %s (%s)", person.sub, person.room, event)
                return self._refusal(person.locale, RoomError(code="rate_limited"))
            now = self.clock()
            payload = payloads.parse(event, data)
            if isinstance(payload, payloads.Sync):
                return {"ok": True, "data": await sync(person, payload.last_seq, now)}
            outcome = await self.delivery.act(
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
