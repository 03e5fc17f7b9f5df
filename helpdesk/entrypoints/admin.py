"""The administrator's pages: departments and managers, the category map, staff, who runs each
live room session, calendar and holidays, saved replies, API tokens and webhooks, reports with CSV
export."""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, time, timedelta

import aiohttp_jinja2
from aiohttp import web
from tortoise.exceptions import IntegrityError

from helpdesk.adapters.orm.desk import (
    ApiToken,
    CategoryRoute,
    DeskSettings,
    Holiday,
    SavedReply,
    Webhook,
)
from helpdesk.adapters.orm.institute import Department, RoomSession, Staff
from helpdesk.domain.institute import StaffRole, staff_ref
from helpdesk.domain.tickets import Category
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.console import staff_actor
from helpdesk.entrypoints.csrf import checked_form, csrf_token
from helpdesk.entrypoints.errors import error_text, translator
from helpdesk.i18n import N_
from helpdesk.services import desk, messages, reports
from helpdesk.services.api_tokens import SCOPES, create_token, revoke_token
from helpdesk.services.outbox import WEBHOOK_EVENTS
from helpdesk.services.room_staff import UnknownStaff, assign_room_staff
from helpdesk.services.staff import add_staff_member
from helpdesk.services.tickets import InvalidInput

ADMIN = StaffRole.ADMINISTRATOR
ROOM_SESSIONS_SHOWN = 100
WEEKDAYS = [(6, N_("Sunday")), (0, N_("Monday")), (1, N_("Tuesday")), (2, N_("Wednesday")),
            (3, N_("Thursday")), (4, N_("Friday")), (5, N_("Saturday"))]  # fmt: skip


class FormError(ValueError):
    """A form the administrator must correct; the message is an English msgid."""


async def _page(request, template: str, context: dict, status: int = 200) -> web.Response:
    me = await staff_actor(request, ADMIN)
    context = {
        "me": me, "roles": StaffRole, "csrf_token": await csrf_token(request),
        "category_names": messages.CATEGORY_NAMES, **context,
    }  # fmt: skip
    return aiohttp_jinja2.render_template(template, request, context, status=status)


async def overview(request: web.Request) -> web.Response:
    return await _page(request, "admin/overview.html", await _everything())


async def _everything() -> dict:
    settings = await DeskSettings.get_or_none(id=desk.SETTINGS_ID) or DeskSettings()
    return {
        "departments": await Department.all().order_by("code").prefetch_related("staff"),
        "routes": dict(await CategoryRoute.all().values_list("category", "department_id")),
        "categories": list(Category),
        "staff": await Staff.all().order_by("name"),
        # sessions not over for a day yet: today's and the coming ones
        "room_sessions": await RoomSession.filter(
            scheduled_end__gte=datetime.now(UTC) - timedelta(days=1)
        )
        .order_by("scheduled_start")
        .limit(ROOM_SESSIONS_SHOWN),
        "staff_ref": staff_ref,
        "settings": settings,
        "working_days": {int(d) for d in settings.working_days.split(",") if d},
        "weekdays": WEEKDAYS,
        "holidays": await Holiday.all(),
        "saved_replies": await SavedReply.all(),
        "tokens": await ApiToken.all().order_by("-id"),
        "webhooks": await Webhook.all().order_by("-id"),
        "scopes": SCOPES,
        "webhook_events": sorted(WEBHOOK_EVENTS.values()),
        "new_token": "",
        "error": "",
    }


def _text(form, name: str, limit: int = 200, required: bool = True) -> str:
    value = str(form.get(name, "")).strip()
    if (required and not value) or "\x00" in value:
        raise FormError(N_("Fill in every required field."))
    return value[:limit]


def _id(form, name: str) -> int | None:
    value = str(form.get(name, "")).strip()
    return int(value) if value.isdigit() else None


async def act(request: web.Request) -> web.StreamResponse:
    """POST /admin/{what}: one administrative change, then back to the overview."""
    await staff_actor(request, ADMIN)
    form = await checked_form(request)
    what = request.match_info["what"]
    if what not in ACTIONS:
        raise web.HTTPNotFound()
    try:
        shown = await ACTIONS[what](form) or {}
    except (FormError, desk.InvalidSetting, ValueError, IntegrityError) as error:
        if isinstance(error, InvalidInput):
            said = error_text(translator(request), error)
        else:
            message = (
                str(error)
                if isinstance(error, FormError | desk.InvalidSetting)
                else N_("This change cannot be saved.")
            )
            said = translator(request)(message)
        context = {**await _everything(), "error": said}
        return await _page(request, "admin/overview.html", context, status=400)
    if shown:  # a new token is shown once, on this page only
        return await _page(request, "admin/overview.html", {**await _everything(), **shown})
    raise web.HTTPSeeOther("/admin")


async def add_department(form):
    await Department.create(
        code=_text(form, "code", 40), name_ar=_text(form, "name_ar"), name_en=_text(form, "name_en")
    )


async def map_categories(form):
    for category in Category:
        await desk.route_category(category, _id(form, f"route_{category.value}"))


async def add_staff(form):
    await add_staff_member(
        email=str(form.get("email", "")), name=_text(form, "name"),
        role=str(form.get("role", "")), password=str(form.get("password", "")),
        department_id=_id(form, "department"),
    )  # fmt: skip


async def toggle_staff(form):
    staff = await Staff.get_or_none(id=_id(form, "staff") or 0)
    if staff is None:
        raise FormError(N_("Fill in every required field."))
    staff.is_active = not staff.is_active
    await staff.save(update_fields=["is_active"])


async def assign_room(form):
    def chosen(name: str) -> int | None:  # "": nobody from the staff
        value = str(form.get(name, "")).strip()
        if value and not value.isdigit():
            raise FormError(N_("Choose an active staff member."))
        return int(value) if value else None

    try:
        await assign_room_staff(_id(form, "room") or 0, chosen("room_manager"), chosen("trainer"))
    except UnknownStaff:
        raise FormError(N_("Choose an active staff member.")) from None
    except LookupError:
        raise web.HTTPNotFound() from None


async def save_calendar(form):
    try:
        share = float(str(form.get("warn_share", "")))
        reopen = int(str(form.get("reopen_days", "")))
    except ValueError:
        raise FormError(N_("Fill in every required field.")) from None
    await desk.update_settings(
        working_days=[int(d) for d in form.getall("working_days", []) if str(d).isdigit()],
        opening=str(form.get("opening", "")), closing=str(form.get("closing", "")),
        warn_share=share / 100 if share > 1 else share, reopen_days=reopen,
    )  # fmt: skip


async def add_holiday(form):
    try:
        day = date.fromisoformat(str(form.get("day", "")))
    except ValueError:
        raise FormError(N_("Fill in every required field.")) from None
    await desk.add_holiday(day, _text(form, "name"))


async def remove_holiday(form):
    await desk.remove_holiday(_id(form, "holiday") or 0)


async def save_reply(form):
    await desk.save_reply(
        _text(form, "title"), _text(form, "body", 20_000),
        "en" if form.get("locale") == "en" else "ar", _id(form, "reply"),
    )  # fmt: skip


async def remove_reply(form):
    await SavedReply.filter(id=_id(form, "reply") or 0).delete()


async def add_token(form):
    token, _ = await create_token(
        _text(form, "name"), [s for s in form.getall("scopes", []) if s in SCOPES],
        _id(form, "staff"),
    )  # fmt: skip
    return {"new_token": token}


async def revoke(form):
    await revoke_token(_id(form, "token") or 0)


async def add_webhook(form):
    url = _text(form, "url", 500)
    if not url.startswith(("https://", "http://")):
        raise FormError(N_("Fill in every required field."))
    events = [e for e in form.getall("events", []) if e in WEBHOOK_EVENTS.values()]
    if not events:
        raise FormError(N_("Choose at least one event."))
    secret = secrets.token_urlsafe(32)
    await desk.add_webhook(url, secret, events)
    return {"new_token": secret}


async def remove_webhook(form):
    await desk.remove_webhook(_id(form, "webhook") or 0)


ACTIONS = {
    "departments": add_department, "categories": map_categories, "staff": add_staff,
    "staff-active": toggle_staff, "room-staff": assign_room, "calendar": save_calendar, "holidays": add_holiday,
    "holidays-remove": remove_holiday, "replies": save_reply, "replies-remove": remove_reply,
    "tokens": add_token, "tokens-revoke": revoke, "webhooks": add_webhook,
    "webhooks-remove": remove_webhook,
}  # fmt: skip


def _period(request: web.Request) -> tuple[datetime, datetime]:
    """From and to (inclusive days, institute zone); the last 30 days by default."""
    tz = request.app[keys.CONFIG].institute_tz
    today = datetime.now(tz).date()
    try:
        start = (
            date.fromisoformat(request.query.get("from", ""))
            if request.query.get("from")
            else today - timedelta(days=29)
        )
        end = date.fromisoformat(request.query.get("to", "")) if request.query.get("to") else today
    except ValueError:
        raise web.HTTPBadRequest(text="Dates are written as YYYY-MM-DD.") from None
    if end < start:
        start, end = end, start
    return (
        datetime.combine(start, time(0), tzinfo=tz).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC),
    )


async def report_page(request: web.Request) -> web.Response:
    since, until = _period(request)
    tz = request.app[keys.CONFIG].institute_tz
    report = await reports.period_report(since, until)
    return await _page(
        request,
        "admin/reports.html",
        {
            "report": report,
            "since": since.astimezone(tz).date(),
            "until": (until - timedelta(days=1)).astimezone(tz).date(),
            "channel_names": messages.CHANNEL_NAMES,
        },
    )


async def report_csv(request: web.Request) -> web.Response:
    await staff_actor(request, ADMIN)
    since, until = _period(request)
    body = await reports.period_csv(since, until)
    return web.Response(
        text=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="sanad-tickets.csv"'},
    )
