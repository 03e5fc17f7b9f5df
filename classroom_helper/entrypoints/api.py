"""The live room's HTTP API, for host platforms and consoles: a host token as bearer token.

- PUT  /api/v1/rooms/{room_id}          {"title", "scheduled_start", "scheduled_end", "course_code"?}
- POST /api/v1/rooms/{room_id}/session  {"state": "open" | "closed"}  (a manager's token)
- GET  /api/v1/rooms/{room_id}/questions.csv[?unanswered=1]          (a trainer's token)
"""

import functools
from datetime import UTC, datetime

from aiohttp import web
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from tortoise.transactions import in_transaction

from classroom_helper.adapters.host_tokens import TokenRefused, verify_host_token
from classroom_helper.domain.errors import RoomError
from classroom_helper.domain.people import Person
from classroom_helper.entrypoints.identity import person_from
from classroom_helper.services import sessions
from classroom_helper.services.questions import export_questions
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.problems import problem

STATUS = {
    "course_unknown": 422,
    "not_permitted": 403,
    "wrong_room": 403,
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


async def _person(request: web.Request) -> Person:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    try:
        return person_from(await verify_host_token(token, request.match_info["room_id"]))
    except TokenRefused as refusal:
        raise Refused(401, refusal.code, "A valid host token is needed (Bearer).") from None


class Schedule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    scheduled_start: AwareDatetime
    scheduled_end: AwareDatetime
    course_code: str | None = Field(default=None, max_length=40)


@answers_problems
async def schedule_session(request: web.Request) -> web.Response:
    person = await _person(request)
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
