"""The live room's HTTP API, for host platforms and consoles: a host token as bearer token.

ROOM_OPERATIONS declares each route once, for the router and for /api/openapi.json.
"""

import functools
from datetime import UTC, datetime
from typing import Literal

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from tortoise.transactions import in_transaction

from classroom_helper.adapters.host_tokens import RoomPass, TokenRefused
from classroom_helper.domain.errors import RoomError
from classroom_helper.domain.people import Person
from classroom_helper.entrypoints.identity import person_from
from classroom_helper.services import sessions
from classroom_helper.services.questions import export_questions
from classroom_helper.services.rooms import claim_room, require_room_of
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.api import Operation, Security
from helpdesk.entrypoints.problems import problem

STATUS = {
    "course_unknown": 422,
    "not_permitted": 403,
    "wrong_room": 403,
    "token_wrong_platform": 403,
    "room_unknown": 404,
    "invalid_state": 409,
}


class Refused(Exception):
    """A refusal the API answers as problem+json."""

    def __init__(self, status: int, code: str, detail: str):
        super().__init__(detail)
        self.status, self.code = status, code

    @classmethod
    def of(cls, refusal: RoomError) -> "Refused":
        return cls(STATUS.get(refusal.code, 400), refusal.code, refusal.message)


def answers_problems(view):
    """Refusals become problem+json with a stable `code`, as everywhere in the API."""

    @functools.wraps(view)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await view(request)
        except RoomError as refusal:
            refused = Refused.of(refusal)
        except Refused as refusal:
            refused = refusal
        title = refused.code.replace("_", " ").capitalize()
        return problem(refused.status, title, str(refused), code=refused.code)

    return wrapped


async def _room_pass(request: web.Request) -> RoomPass:
    """The token's pass, for this room, from the platform the room belongs to."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    try:
        room_pass = await request.app[keys.ROOM_PASSES].verify(token, request.match_info["room_id"])
    except TokenRefused as refusal:
        raise Refused(401, refusal.code, "A valid host token is needed (Bearer).") from None
    await require_room_of(room_pass.room_id, room_pass.platform_id)
    return room_pass


async def _person(request: web.Request) -> Person:
    return person_from(await _room_pass(request))


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)  # 0 is not a date
    title: str = Field(min_length=1, max_length=300)
    scheduled_start: AwareDatetime
    scheduled_end: AwareDatetime
    course_code: str | None = Field(default=None, max_length=40)


class SessionChange(BaseModel):
    state: Literal["open", "closed"]


class QuestionsQuery(BaseModel):
    unanswered: str | None = Field(None, description="1: only the questions not yet answered")


class SessionOut(BaseModel):
    room: str
    title: str
    state: Literal["scheduled", "open", "closed"]
    scheduled_start: datetime
    scheduled_end: datetime
    opened_at: datetime | None
    closed_at: datetime | None


class ScheduleOut(BaseModel):
    session: SessionOut
    created: bool


class SessionChangeOut(BaseModel):
    session: SessionOut
    tickets: list[dict] = Field([], description="closing: the tickets the open issues became")


@answers_problems
async def schedule_session(request: web.Request) -> web.Response:
    room_pass = await _room_pass(request)
    person = person_from(room_pass)
    try:
        schedule = Schedule.model_validate_json(await request.read())
    except ValidationError as error:
        raise Refused(400, "invalid_payload", str(error.errors(include_url=False))) from None
    if schedule.scheduled_end <= schedule.scheduled_start:
        raise Refused(400, "invalid_payload", "scheduled_end must come after scheduled_start.")
    async with in_transaction():
        result = await sessions.schedule_session(
            person,
            schedule.title,
            schedule.scheduled_start,
            schedule.scheduled_end,
            schedule.course_code,
        )
        await claim_room(person.room, room_pass.platform_id)
    return web.json_response(result, status=201 if result["created"] else 200)


@answers_problems
async def change_session(request: web.Request) -> web.Response:
    person = await _person(request)
    try:
        body = await request.json()
    except ValueError:
        body = None
    state = body.get("state") if isinstance(body, dict) else None
    if state not in ("open", "closed"):
        raise Refused(400, "invalid_payload", 'Send {"state": "open"} or {"state": "closed"}.')
    change = sessions.open_session if state == "open" else sessions.close_session

    async def use_case():
        async with in_transaction():
            return await change(person, person.room, datetime.now(UTC))

    outcome = await request.app[keys.ROOM].act(person.room, use_case)
    return web.json_response(outcome.data)


@answers_problems
async def questions_csv(request: web.Request) -> web.Response:
    person = await _person(request)
    text = await export_questions(
        person,
        request.app[keys.CONFIG].institute_tz,
        only_unanswered=request.query.get("unanswered") == "1",
    )
    return web.Response(
        body=text.encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="questions-{person.room}.csv"',
            "Cache-Control": "no-store",
        },
    )


ROOM = {"room_id": {"type": "string", "minLength": 1}}
REFUSALS = {
    "400": "Bad Request: the body is not valid (code invalid_payload)",
    "401": "Unauthorized: no valid host token for this room",
    "403": "Forbidden: the token's person may not do this here (not_permitted, wrong_room)",
    "404": "Not Found: the room is not known to Sanad (room_unknown)",
    "409": "Conflict: the session's state does not allow it (invalid_state)",
}
ROOM_OPERATIONS = [
    Operation("PUT", "/api/v1/rooms/{room_id}", schedule_session,
              "The host platform schedules (or reschedules) the room's session (a manager's "
              "token); 201 when new", "", ScheduleOut, status=201, also_ok=(200,), body=Schedule,
              path_params=ROOM, security=Security.HOST_PLATFORM,
              errors={**REFUSALS, "422": "Unprocessable Entity: unknown course_code"}),
    Operation("POST", "/api/v1/rooms/{room_id}/session", change_session,
              "Open or close the room's session (a manager's token); closing turns open issues "
              "into tickets", "", SessionChangeOut, body=SessionChange, path_params=ROOM,
              security=Security.HOST_PLATFORM, errors=REFUSALS),
    Operation("GET", "/api/v1/rooms/{room_id}/questions.csv", questions_csv,
              "The room's content questions as CSV (a trainer's token)", "", str,
              query=QuestionsQuery, path_params=ROOM, security=Security.HOST_PLATFORM,
              errors=REFUSALS, media_type="text/csv"),
]  # fmt: skip
