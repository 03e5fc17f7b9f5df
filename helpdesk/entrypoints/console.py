"""The staff console: queues, the manager's at-risk view, the ticket page and its actions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import aiohttp_jinja2
from aiohttp import web

from helpdesk.adapters.database import row_id
from helpdesk.adapters.orm.channels import Attachment
from helpdesk.adapters.orm.desk import SavedReply
from helpdesk.adapters.orm.institute import Department
from helpdesk.adapters.orm.tickets import Ticket, TicketEvent
from helpdesk.domain.access import StaffAction, StaffActor, may
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.sla import Deadlines, referral_risk
from helpdesk.domain.tickets import (
    Category,
    Channel,
    ContactPreference,
    IllegalTransition,
    Priority,
    Requester,
    TicketKind,
)
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import require_staff
from helpdesk.entrypoints.csrf import checked_form, csrf_token
from helpdesk.entrypoints.errors import error_text, path_id, translator
from helpdesk.services import delivery, messages, queues, room_staff
from helpdesk.services import tickets as svc
from helpdesk.services.guidance import certificate_statuses_for_email
from helpdesk.services.room_history import diagnostics_of
from helpdesk.services.tickets import Actor

R = StaffRole
LEVEL1 = (R.ADMINISTRATOR, R.LEVEL1_AGENT)
DEPARTMENT = (R.ADMINISTRATOR, R.LEVEL2_AGENT, R.DEPARTMENT_MANAGER)
MANAGERS = (R.ADMINISTRATOR, R.DEPARTMENT_MANAGER)


async def staff_actor(request: web.Request, *roles: StaffRole) -> StaffActor:
    staff = await require_staff(request, *roles)
    return StaffActor(staff.id, staff.name, StaffRole(staff.role), staff.department_id)


def _moment(text: str) -> datetime | None:
    """A moment a timeline line keeps as text (a deadline, a promised call), for `when`."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def _page(request, template: str, staff: StaffActor, context: dict, status: int = 200):
    tz = request.app[keys.CONFIG].institute_tz
    today = datetime.combine(datetime.now(tz).date(), time(0), tzinfo=tz)
    context = {
        # the live room sessions they run today: links to their consoles on every page
        "my_rooms": await room_staff.rooms_run_by(staff.id, today, today + timedelta(days=1)),
        "me": staff,
        "roles": R,
        "status_names": messages.STATUS_NAMES,
        "channel_names": messages.CHANNEL_NAMES,
        "category_names": messages.CATEGORY_NAMES,
        "kind_names": messages.KIND_NAMES,
        "priority_names": messages.PRIORITY_NAMES,
        "risk_names": messages.RISK_NAMES,
        "event_names": messages.EVENT_NAMES,
        "notification_names": messages.NOTIFICATION_NAMES,
        **messages.ROOM_WORDS,
        "csrf_token": await csrf_token(request),
        "now": datetime.now(UTC),
        "moment": _moment,
        **context,
    }
    response = aiohttp_jinja2.render_template(template, request, context, status=status)
    response.headers["Cache-Control"] = "no-store"
    return response


async def home(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request)
    if staff.role in LEVEL1:
        raise web.HTTPFound("/console/queue")
    raise web.HTTPFound("/console/department")


def _filter_from(query) -> queues.TicketFilter:
    def choice(name: str, allowed) -> str | None:
        value = query.get(name, "")
        return value if value in allowed else None

    return queues.TicketFilter(
        channel=choice("channel", {c.value for c in Channel}),
        category=choice("category", {c.value for c in Category}),
        time_left=choice("time_left", queues.TIME_LEFT) or "all",
        search=query.get("q", "").replace("\x00", "").strip()[:100],
    )


async def level1_queue(request: web.Request, error: str = "", status: int = 200):
    staff = await staff_actor(request, *LEVEL1)
    now = datetime.now(UTC)
    f = _filter_from(request.query)
    return await _page(
        request,
        "console/queue.html",
        staff,
        {
            "tickets": await queues.level1_queue(f, now),
            "filter": f,
            "channels": list(Channel),
            "categories": list(Category),
            "call_tasks": await queues.open_call_tasks(),
            "failed_notifications": await delivery.failed_notifications(),
            "contact_error": error,
        },
        status,
    )


async def department_queue(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *DEPARTMENT)
    department_id = staff.department_id
    if staff.role == R.ADMINISTRATOR:
        department_id = row_id(request.query.get("department", ""))
    departments = await Department.all().order_by("code")
    tickets = await queues.department_queue(department_id) if department_id else []
    return await _page(
        request,
        "console/department.html",
        staff,
        {"tickets": tickets, "department_id": department_id, "departments": departments},
    )


async def at_risk(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *MANAGERS)
    department_id = None if staff.role == R.ADMINISTRATOR else staff.department_id
    waiting, late = await queues.at_risk(department_id, datetime.now(UTC))
    return await _page(request, "console/at_risk.html", staff, {"waiting": waiting, "late": late})


async def _ticket_or_404(number: str) -> Ticket:
    ticket = await Ticket.get_or_none(number=number)
    if ticket is None:
        raise web.HTTPNotFound()
    return ticket


async def ticket_page(request: web.Request, error: str = "", status: int = 200):
    staff = await staff_actor(request)
    ticket = await _ticket_or_404(request.match_info["number"])
    scope = svc.scope_of(ticket)
    if not may(staff, StaffAction.VIEW, scope):
        raise web.HTTPForbidden()
    now = datetime.now(UTC)
    deadlines = Deadlines(
        ticket.referral_warn_at or ticket.referral_due_at,
        ticket.referral_due_at,
        ticket.first_response_due_at,
        ticket.resolution_due_at,
    )
    events = await TicketEvent.filter(ticket_id=ticket.id).order_by("at", "id")
    return await _page(
        request,
        "console/ticket.html",
        staff,
        {
            "ticket": ticket,
            "events": events,
            "diagnostics": diagnostics_of(events),
            "attachments": await Attachment.filter(ticket_id=ticket.id).order_by("id"),
            "certificates": await certificate_statuses_for_email(ticket.requester_email)
            if ticket.requester_email
            else [],
            "allowed": {a.value for a in StaffAction if may(staff, a, scope)},
            "departments": await Department.all().order_by("code"),
            "department": await ticket.department,
            "merged_into": await ticket.merged_into,
            "saved_replies": await SavedReply.all(),
            "risk": referral_risk(ticket.status, deadlines, now, ticket.referred_at),
            "error": error,
        },
        status=status,
    )


async def ticket_action(request: web.Request) -> web.StreamResponse:
    """POST /console/tickets/{number}/{action}: one lifecycle action from the ticket page."""
    staff = await staff_actor(request)
    form = await checked_form(request)
    ticket = await _ticket_or_404(request.match_info["number"])
    action = request.match_info["action"]
    actor, bus = Actor.of_staff(staff), request.app[keys.BUS]
    text = str(form.get("body", ""))
    calls = {
        "take": lambda: svc.take_ticket(ticket.id, actor, bus=bus),
        "reply": lambda: svc.reply_to_requester(ticket.id, actor, text, bus=bus),
        "note": lambda: svc.add_internal_note(ticket.id, actor, text, bus=bus),
        "refer": lambda: svc.refer_to_department(
            ticket.id, _int(form.get("department")), actor, text, bus=bus
        ),
        "return": lambda: svc.return_to_level1(ticket.id, actor, text, bus=bus),
        "start": lambda: svc.start_work(ticket.id, actor, bus=bus),
        "resolve": lambda: svc.resolve_ticket(ticket.id, actor, text, bus=bus),
        "verify": lambda: svc.verify_closure(ticket.id, actor, text, bus=bus),
        "close": lambda: svc.close_ticket(ticket.id, actor, bus=bus),
        "merge": lambda: svc.merge_tickets(ticket.id, str(form.get("into", "")), actor, bus=bus),
        "spam": lambda: svc.mark_spam(ticket.id, actor, bus=bus),
        "unspam": lambda: svc.unmark_spam(ticket.id, actor, bus=bus),
    }
    if action not in calls:
        raise web.HTTPNotFound()
    try:
        await calls[action]()
    except svc.NotAllowed:
        raise web.HTTPForbidden() from None
    except (svc.InvalidInput, IllegalTransition) as error:
        status = 409 if isinstance(error, IllegalTransition) else 400
        return await ticket_page(request, error_text(translator(request), error), status)
    raise web.HTTPSeeOther(f"/console/tickets/{ticket.number}")


def _int(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() else 0


async def call_done(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)
    try:
        await delivery.complete_call_task(
            path_id(request, "task_id"),
            Actor.of_staff(staff),
            str(form.get("outcome", "")),
            datetime.now(UTC),
        )
    except LookupError:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther("/console/queue")


async def send_again(request: web.Request) -> web.StreamResponse:
    """Level 1 corrected the contact of a notification that could not be sent."""
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)
    try:
        await delivery.send_again(
            path_id(request, "notification_id"),
            Actor.of_staff(staff),
            str(form.get("recipient", "")),
            datetime.now(UTC),
        )
    except LookupError:
        raise web.HTTPNotFound() from None
    except svc.InvalidInput as error:
        return await level1_queue(request, error_text(translator(request), error), 400)
    raise web.HTTPSeeOther("/console/queue")


async def phone_call_page(request: web.Request, error: str = "", status: int = 200):
    staff = await staff_actor(request, *LEVEL1)
    return await _page(
        request,
        "console/phone_call.html",
        staff,
        {"kinds": list(TicketKind), "categories": list(Category), "priorities": list(Priority),
         "error": error, "form": {}},
        status=status,
    )  # fmt: skip


async def log_phone_call(request: web.Request) -> web.StreamResponse:
    """Level 1 logs a phone call as a ticket, on behalf of the caller."""
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)

    def pick(enum, name: str):
        value = str(form.get(name, ""))
        return enum(value) if value in {e.value for e in enum} else None

    kind, category = pick(TicketKind, "kind"), pick(Category, "category")
    priority = pick(Priority, "priority") or Priority.NORMAL
    preference = pick(ContactPreference, "contact_preference") or ContactPreference.PHONE
    gettext = translator(request)
    if kind is None or category is None:
        return await phone_call_page(request, gettext("Choose a type and a category."), 400)
    try:
        ticket = await svc.open_ticket(
            kind=kind,
            category=category,
            channel=Channel.PHONE,
            requester=Requester(
                name=str(form.get("name", "")),
                email=str(form.get("email", "")),
                phone=str(form.get("phone", "")),
                contact_preference=preference,
                locale=str(form.get("locale", "ar"))
                if form.get("locale") in ("ar", "en")
                else "ar",
            ),
            subject=str(form.get("subject", "")),
            description=str(form.get("description", "")),
            priority=priority,
            actor=Actor.of_staff(staff).ref,
            actor_name=staff.name,
            bus=request.app[keys.BUS],
        )
    except svc.InvalidInput as error:
        return await phone_call_page(request, error_text(gettext, error), 400)
    raise web.HTTPSeeOther(f"/console/tickets/{ticket.number}")
