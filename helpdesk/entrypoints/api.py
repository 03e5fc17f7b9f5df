"""/api/v1: tickets, their lifecycle, timeline and replies; departments; staff.

Bearer tokens with scopes; errors as problem+json. Each operation is declared once in
OPERATIONS (the live room's in classroom_helper's ROOM_OPERATIONS), from which both the routes and
the OpenAPI document are made (add_operations), so they cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from helpdesk.adapters.orm.desk import ApiToken
from helpdesk.adapters.orm.institute import Department, Staff
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.access import StaffActor
from helpdesk.domain.contacts import email_address, phone_number
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.tickets import (
    TICKET_NUMBER_PATTERN,
    Category,
    Channel,
    ContactPreference,
    IllegalTransition,
    Priority,
    Requester,
    Status,
    TicketKind,
)
from helpdesk.entrypoints import guidance, keys
from helpdesk.entrypoints.problems import problem
from helpdesk.services import queues
from helpdesk.services import tickets as svc
from helpdesk.services.api_tokens import token_for
from helpdesk.services.guidance import MAX_QUERY_LENGTH, SERVICE_CATEGORIES
from helpdesk.services.tickets import Actor

NUMBER_PATTERN = f"^{TICKET_NUMBER_PATTERN}$"
REFERENCE_PATTERN = f"^{guidance.REFERENCE_PATTERN}$"
Text = Annotated[str, Field(max_length=20_000)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequesterIn(Strict):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    email: str = Field("", max_length=254, description="checked by email-validator")
    phone: str = Field("", max_length=40, description="any usual writing; stored in E.164")
    contact_preference: ContactPreference = ContactPreference.EMAIL
    locale: Literal["ar", "en"] = "ar"

    @field_validator("email")
    @classmethod
    def valid_email(cls, value: str) -> str:
        return email_address(value)  # InvalidContact is a ValueError: a 422 like the others

    @field_validator("phone")
    @classmethod
    def valid_phone(cls, value: str) -> str:
        return phone_number(value)


class TicketIn(Strict):
    kind: TicketKind
    category: Category
    channel: Channel = Channel.WEB_FORM
    subject: str = Field(min_length=1, max_length=300, pattern=r"\S")
    description: Text = ""
    priority: Priority = Priority.NORMAL
    requester: RequesterIn


class TicketAction(StrEnum):
    TAKE = "take"
    REFER = "refer"
    RETURN = "return"
    START = "start"
    RESOLVE = "resolve"
    VERIFY = "verify"
    CLOSE = "close"
    MERGE = "merge"
    SPAM = "spam"
    UNSPAM = "unspam"


class ActionIn(Strict):
    department_id: int | None = Field(None, ge=1, le=2**31 - 1, description="for refer")
    body: Text = Field("", description="note, reason or resolution text")
    into: str | None = Field(None, pattern=NUMBER_PATTERN, description="for merge")


class ReplyIn(Strict):
    body: str = Field(min_length=1, max_length=20_000, pattern=r"\S")


class TicketQuery(BaseModel):  # unknown query parameters are ignored
    status: Status | None = None
    level: int | None = Field(None, ge=1, le=2)
    channel: Channel | None = None
    category: Category | None = None
    department_id: int | None = Field(None, ge=1, le=2**31 - 1)
    time_left: Literal["all", "at_risk", "overdue"] = "all"
    q: str = Field("", max_length=100, pattern=r"^[^\x00]*$")
    page: int = Field(1, ge=1, le=100_000)
    per_page: int = Field(25, ge=1, le=100)


class RequesterOut(BaseModel):
    name: str
    email: str
    phone: str
    contact_preference: ContactPreference
    locale: str


class TicketOut(BaseModel):
    number: str
    kind: TicketKind
    category: Category
    channel: Channel
    subject: str
    description: str
    status: Status
    level: int
    priority: Priority
    department_id: int | None
    routed_department_id: int | None
    requester: RequesterOut
    received_at: datetime
    referral_warn_at: datetime | None
    referral_due_at: datetime | None
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    referred_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    merged_into: str | None
    rating: int | None


class TicketPage(BaseModel):
    items: list[TicketOut]
    page: int
    per_page: int
    total: int


class EventOut(BaseModel):
    at: datetime
    actor: str
    actor_name: str
    action: str
    old_value: str
    new_value: str
    channel: str
    is_public: bool
    body: str


class DepartmentOut(BaseModel):
    id: int
    code: str
    name_ar: str
    name_en: str


class StaffOut(BaseModel):
    id: int
    name: str
    email: str
    role: StaffRole
    department_id: int | None
    is_active: bool


class ContactCentreOut(BaseModel):
    open_now: bool
    next_open: datetime | None
    headline: str  # what the pages and the widget say, in `locale` (?lang=ar|en)
    detail: str
    locale: str
    time_zone: str


class ArticleSuggestion(BaseModel):
    slug: str
    title: str
    category: str
    url: str


class SuggestionsOut(BaseModel):
    articles: list[ArticleSuggestion]


class SuggestionsQuery(BaseModel):
    q: str = Field("", max_length=MAX_QUERY_LENGTH, description="what the trainee typed")
    # empty means no category, as the web form sends it before one is chosen
    category: Literal[(*SERVICE_CATEGORIES, "")] | None = None


class ReadinessField(BaseModel):
    field: str
    label: str
    ok: bool
    problem: str | None


class RegistrationReadiness(BaseModel):
    reference: str
    course_title: str
    ready: bool
    trainee_can_finish: bool
    fields: list[ReadinessField]


class CertificateReadinessOut(BaseModel):
    email: str
    registrations: list[RegistrationReadiness]


class CertificateReadinessQuery(BaseModel):
    email: str = Field(min_length=1, description="the trainee's email")


class CertificateProfileOut(BaseModel):
    reference: str
    readiness_url: str
    ready: bool
    missing_or_wrong: list[str]


class Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str | None = None
    code: str | None = None
    errors: list[dict] | None = None


# --- who is calling ---


class ApiProblem(Exception):
    def __init__(self, status: int, title: str, detail: str = "", **extra: object):
        self.response = problem(status, title, detail, **extra)
        if status == 401:
            self.response.headers["WWW-Authenticate"] = 'Bearer realm="sanad"'


@dataclass(frozen=True)
class ApiClient:
    token: ApiToken
    staff: StaffActor | None

    @property
    def actor(self) -> Actor:
        if self.staff is not None:
            return Actor.of_staff(self.staff, channel="api")
        return Actor(f"api:{self.token.id}", self.token.name, channel="api")


async def api_client(request: web.Request, scope: str) -> ApiClient:
    header = request.headers.get("Authorization", "")
    scheme, _, raw = header.partition(" ")
    token = await token_for(raw.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise ApiProblem(401, "Unauthorized", "a valid bearer token is required")
    if scope not in token.scopes:
        raise ApiProblem(403, "Forbidden", f"this token lacks the scope {scope}")
    staff = None
    if token.staff_id is not None:
        row = await Staff.get_or_none(id=token.staff_id, is_active=True)
        if row is None:
            raise ApiProblem(401, "Unauthorized", "the token's staff account is not active")
        staff = StaffActor(row.id, row.name, StaffRole(row.role), row.department_id)
    return ApiClient(token, staff)


async def _json_body(request: web.Request, model: type[BaseModel]):
    try:
        data = json.loads(await request.text() or "null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiProblem(400, "Bad Request", "the body is not valid JSON") from None
    return _validated(model, data)


def _validated(model: type[BaseModel], data: object):
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"loc": [str(p) for p in e["loc"]], "msg": e["msg"], "type": e["type"]}
            for e in error.errors(include_url=False, include_context=False, include_input=False)
        ]
        raise ApiProblem(
            422, "Unprocessable Entity", "the input is not valid", errors=errors
        ) from None


async def _visible_ticket(client: ApiClient, number: str) -> Ticket:
    try:
        return await svc.visible_ticket(number, client.staff)
    except (svc.TicketNotFound, svc.NotAllowed):  # not "forbidden": do not say that it exists
        raise ApiProblem(404, "Not Found", "no such ticket") from None


async def ticket_out(ticket: Ticket) -> dict:
    merged = await ticket.merged_into if ticket.merged_into_id else None
    return TicketOut(
        number=ticket.number, kind=ticket.kind, category=ticket.category, channel=ticket.channel,
        subject=ticket.subject, description=ticket.description, status=ticket.status,
        level=int(ticket.level), priority=ticket.priority, department_id=ticket.department_id,
        routed_department_id=ticket.routed_department_id,
        requester=RequesterOut(
            name=ticket.requester_name, email=ticket.requester_email,
            phone=ticket.requester_phone, contact_preference=ticket.contact_preference,
            locale=ticket.requester_locale,
        ),
        received_at=ticket.received_at, referral_warn_at=ticket.referral_warn_at,
        referral_due_at=ticket.referral_due_at, first_response_due_at=ticket.first_response_due_at,
        resolution_due_at=ticket.resolution_due_at, referred_at=ticket.referred_at,
        first_response_at=ticket.first_response_at, resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at, merged_into=merged.number if merged else None,
        rating=ticket.rating,
    ).model_dump(mode="json")  # fmt: skip


def _json(data: object, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=lambda d: json.dumps(d, ensure_ascii=False))


# --- handlers ---


async def list_tickets(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:read")
    q = _validated(TicketQuery, dict(request.query))
    query = queues.visible_to(client.staff) if client.staff else Ticket.all()
    f = queues.TicketFilter(
        status=q.status, level=q.level, channel=q.channel, category=q.category,
        department_id=q.department_id, time_left=q.time_left, search=q.q.strip(),
    )  # fmt: skip
    query = queues.filtered(query, f, datetime.now(UTC))
    total = await query.count()
    rows = (
        await query.order_by("-received_at", "-id")
        .offset((q.page - 1) * q.per_page)
        .limit(q.per_page)
    )
    items = [await ticket_out(t) for t in rows]
    return _json({"items": items, "page": q.page, "per_page": q.per_page, "total": total})


async def create_ticket(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:write")
    body = await _json_body(request, TicketIn)
    try:
        ticket = await svc.open_ticket(
            kind=body.kind, category=body.category, channel=body.channel,
            requester=Requester(**body.requester.model_dump()), subject=body.subject,
            description=body.description, priority=body.priority,
            actor=client.actor.ref, actor_name=client.actor.name, bus=request.app[keys.BUS],
        )  # fmt: skip
    except svc.InvalidInput as error:
        raise ApiProblem(422, "Unprocessable Entity", str(error)) from None
    response = _json(await ticket_out(ticket), status=201)
    response.headers["Location"] = f"/api/v1/tickets/{ticket.number}"
    return response


async def read_ticket(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:read")
    return _json(await ticket_out(await _visible_ticket(client, request.match_info["number"])))


async def ticket_timeline(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:read")
    ticket = await _visible_ticket(client, request.match_info["number"])
    events = await TicketEvent.filter(ticket_id=ticket.id).order_by("at", "id")
    return _json(
        [EventOut.model_validate(e, from_attributes=True).model_dump(mode="json") for e in events]
    )


async def _run(client: ApiClient, call: Callable[[], Awaitable[Ticket]]) -> web.Response:
    try:
        ticket = await call()
    except svc.NotAllowed as error:
        raise ApiProblem(403, "Forbidden", str(error)) from None
    except svc.InvalidInput as error:
        raise ApiProblem(422, "Unprocessable Entity", str(error)) from None
    except IllegalTransition as error:
        raise ApiProblem(409, "Conflict", error.detail, code=error.code) from None
    return _json(await ticket_out(await Ticket.get(id=ticket.id)))


async def ticket_action(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:write")
    ticket = await _visible_ticket(client, request.match_info["number"])
    action = TicketAction(request.match_info["action"])
    body = await _json_body(request, ActionIn)
    actor, bus, tid = client.actor, request.app[keys.BUS], ticket.id
    calls = {
        TicketAction.TAKE: lambda: svc.take_ticket(tid, actor, bus=bus),
        TicketAction.REFER: lambda: svc.refer_to_department(
            tid, body.department_id or 0, actor, body.body, bus=bus
        ),
        TicketAction.RETURN: lambda: svc.return_to_level1(tid, actor, body.body, bus=bus),
        TicketAction.START: lambda: svc.start_work(tid, actor, bus=bus),
        TicketAction.RESOLVE: lambda: svc.resolve_ticket(tid, actor, body.body, bus=bus),
        TicketAction.VERIFY: lambda: svc.verify_closure(tid, actor, body.body, bus=bus),
        TicketAction.CLOSE: lambda: svc.close_ticket(tid, actor, bus=bus),
        TicketAction.MERGE: lambda: svc.merge_tickets(tid, body.into or "", actor, bus=bus),
        TicketAction.SPAM: lambda: svc.mark_spam(tid, actor, bus=bus),
        TicketAction.UNSPAM: lambda: svc.unmark_spam(tid, actor, bus=bus),
    }
    return await _run(client, calls[action])


async def reply(request: web.Request) -> web.Response:
    client = await api_client(request, "tickets:write")
    ticket = await _visible_ticket(client, request.match_info["number"])
    body = await _json_body(request, ReplyIn)
    response = await _run(
        client,
        lambda: svc.reply_to_requester(
            ticket.id, client.actor, body.body, bus=request.app[keys.BUS]
        ),
    )
    response.set_status(201)
    return response


async def list_departments(request: web.Request) -> web.Response:
    await api_client(request, "departments:read")
    rows = await Department.all().order_by("code")
    return _json([DepartmentOut.model_validate(d, from_attributes=True).model_dump() for d in rows])


async def list_staff(request: web.Request) -> web.Response:
    client = await api_client(request, "staff:read")
    query = Staff.all().order_by("name")
    if client.staff is not None and client.staff.role != StaffRole.ADMINISTRATOR:
        query = (
            query.filter(department_id=client.staff.department_id)
            if client.staff.department_id
            else query.filter(id=client.staff.id)
        )
    rows = await query
    return _json(
        [StaffOut.model_validate(s, from_attributes=True).model_dump(mode="json") for s in rows]
    )


# --- the one list of operations ---


class Security(StrEnum):
    """Who may call an operation: the names of the document's security schemes."""

    PUBLIC = ""
    BEARER = "bearer"  # an API token with a scope
    STAFF_SESSION = "staffSession"  # a logged-in staff member's session cookie
    HOST_PLATFORM = "hostPlatform"  # a JWT signed by a registered host platform


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI form, e.g. /api/v1/tickets/{number}
    handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    summary: str
    scope: str  # the bearer token's scope; "" for the other kinds of security
    response: object  # a model, list[model], or str for a text body (see media_type)
    status: int = 200
    also_ok: tuple[int, ...] = ()  # other success statuses, with the same body
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: dict[str, dict] = field(default_factory=dict)
    security: Security = Security.BEARER
    # The problems it answers, status -> meaning; None: those of the ticket API (openapi.ERRORS).
    errors: dict[str, str] | None = None
    media_type: str = "application/json"


NUMBER = {"number": {"type": "string", "pattern": NUMBER_PATTERN}}
ACTION = {"action": {"type": "string", "enum": [a.value for a in TicketAction]}}
OPERATIONS = [
    Operation("GET", "/api/v1/tickets", list_tickets, "List tickets (filters, pages)",
              "tickets:read", TicketPage, query=TicketQuery),
    Operation("POST", "/api/v1/tickets", create_ticket, "Open a ticket", "tickets:write",
              TicketOut, status=201, body=TicketIn),
    Operation("GET", "/api/v1/tickets/{number}", read_ticket, "Read a ticket", "tickets:read",
              TicketOut, path_params=NUMBER),
    Operation("GET", "/api/v1/tickets/{number}/timeline", ticket_timeline,
              "A ticket's timeline", "tickets:read", list[EventOut], path_params=NUMBER),
    Operation("POST", "/api/v1/tickets/{number}/actions/{action}", ticket_action,
              "A lifecycle action (take, refer, return, start, resolve, verify, close, merge, spam, "
              "unspam)", "tickets:write", TicketOut, body=ActionIn,
              path_params={**NUMBER, **ACTION}),
    Operation("POST", "/api/v1/tickets/{number}/replies", reply,
              "A public reply to the requester", "tickets:write", TicketOut, status=201,
              body=ReplyIn, path_params=NUMBER),
    Operation("GET", "/api/v1/departments", list_departments, "List departments",
              "departments:read", list[DepartmentOut]),
    Operation("GET", "/api/v1/staff", list_staff, "List staff", "staff:read", list[StaffOut]),
    Operation("GET", "/api/v1/contact-centre", guidance.contact_centre_json,
              "Is the contact centre open now, and when does it open next (no token needed)", "",
              ContactCentreOut, security=Security.PUBLIC, errors={}),
    Operation("GET", "/api/v1/knowledge-base/suggestions", guidance.suggestions_json,
              "Help articles that may answer what the trainee is typing (no token needed)", "",
              SuggestionsOut, query=SuggestionsQuery, security=Security.PUBLIC,
              errors={"400": "Bad Request: the text is too long, or the category unknown"}),
    Operation("GET", "/api/v1/certificate-readiness", guidance.certificate_readiness_json,
              "A trainee's certificate readiness, for the staff console", "",
              CertificateReadinessOut, query=CertificateReadinessQuery,
              security=Security.STAFF_SESSION,
              errors={"400": "Bad Request: no email", "401": "Unauthorized: not logged in"}),
    Operation("PUT", "/api/v1/certificate-profiles/{reference}", guidance.certificate_profile_put,
              "A host platform sends one registration's certificate data; fields left out keep "
              "their value", "", CertificateProfileOut, body=guidance.CertificateData,
              path_params={"reference": {"type": "string", "pattern": REFERENCE_PATTERN}},
              security=Security.HOST_PLATFORM,
              errors={"400": "Bad Request: the reference is not valid",
                      "401": "Unauthorized: no valid host platform token",
                      "422": "Unprocessable Entity: the certificate data is not valid"}),
]  # fmt: skip


def aiohttp_path(operation: Operation) -> str:
    """The route as aiohttp matches it (path parameters keep their patterns)."""
    path = operation.path.replace("{number}", "{number:" + TICKET_NUMBER_PATTERN + "}")
    return path.replace("{action}", "{action:" + "|".join(a.value for a in TicketAction) + "}")


def add_operations(app: web.Application, operations: list[Operation]) -> None:
    """Registers the operations' routes and lists them for the OpenAPI document."""
    for operation in operations:
        app.router.add_route(operation.method, aiohttp_path(operation), route_handler(operation))
    app[keys.API_OPERATIONS] = [*app.get(keys.API_OPERATIONS, []), *operations]


def route_handler(operation: Operation):
    """The operation's handler, with ApiProblem turned into its problem+json response."""

    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            return await operation.handler(request)
        except ApiProblem as error:
            return error.response

    return handle
