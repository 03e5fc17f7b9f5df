"""The requester's tracking page: ticket number plus secret key, no account needed."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from helpdesk.adapters.orm.channels import Attachment
from helpdesk.domain.tickets import IllegalTransition, Status
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.csrf import checked_form, csrf_token
from helpdesk.entrypoints.errors import error_text, translator
from helpdesk.services import tickets as svc
from helpdesk.services.desk import load_desk
from helpdesk.services.messages import ROOM_WORDS, STATUS_NAMES


def _page_url(number: str, key: str, notice: str = "") -> str:
    # errors="replace": a key that is not text (a lone surrogate) is only a wrong key
    url = f"/track/{quote(number, errors='replace')}?key={quote(key, errors='replace')}"
    return url + (f"&notice={quote(notice)}" if notice else "")


async def lookup(request: web.Request) -> web.StreamResponse:
    """A small form for people who have the number and the key but not the link."""
    number, key = request.query.get("number", "").strip(), request.query.get("key", "").strip()
    if number and key:
        raise web.HTTPSeeOther(_page_url(number.upper(), key))
    return aiohttp_jinja2.render_template("tracking/lookup.html", request, {})


async def _render(request, ticket, key: str, error: str = "", status: int = 200):
    desk = await load_desk(datetime.now(UTC))
    reopen_open = (
        ticket.status in (Status.RESOLVED, Status.VERIFIED, Status.CLOSED)
        and ticket.resolved_at is not None
        and datetime.now(UTC) - ticket.resolved_at <= desk.reopen_window
    )
    context = {
        "ticket": ticket,
        "key": key,
        "status_name": STATUS_NAMES[str(ticket.status)],
        "events": await svc.public_timeline(ticket),
        "attachments": await Attachment.filter(ticket_id=ticket.id).order_by("id"),
        "can_confirm": ticket.status in (Status.RESOLVED, Status.VERIFIED),
        "can_reopen": reopen_open,
        "can_rate": ticket.status == Status.CLOSED and ticket.rating is None,
        "can_reply": ticket.status not in (Status.MERGED, Status.SPAM),
        "notice": request.query.get("notice", ""),
        "error": error,
        "csrf_token": await csrf_token(request),
        "tz": request.app[keys.CONFIG].institute_tz,
        **ROOM_WORDS,
    }
    response = aiohttp_jinja2.render_template(
        "tracking/ticket.html", request, context, status=status
    )
    response.headers["Referrer-Policy"] = "no-referrer"  # the key is in the address
    response.headers["Cache-Control"] = "no-store"
    return response


async def _tracked(request: web.Request, key: str):
    try:
        return await svc.tracked_ticket(request.match_info["number"], key)
    except svc.TicketNotFound:
        raise web.HTTPNotFound(text="No ticket matches this number and key.") from None


async def ticket_page(request: web.Request) -> web.StreamResponse:
    key = request.query.get("key", "")
    return await _render(request, await _tracked(request, key), key)


async def act(request: web.Request) -> web.StreamResponse:
    """POST /track/{number}/{action}: reply, confirm, reopen or rate, then back to the page."""
    form = await checked_form(request)
    key = str(form.get("key", ""))
    ticket = await _tracked(request, key)
    action = request.match_info["action"]
    bus = request.app[keys.BUS]
    try:
        if action == "reply":
            await svc.requester_reply(ticket.number, key, str(form.get("body", "")), bus=bus)
        elif action == "confirm":
            await svc.confirm_closure(ticket.number, key, bus=bus)
        elif action == "reopen":
            await svc.reopen_ticket(ticket.number, key, str(form.get("reason", "")), bus=bus)
        elif action == "rate":
            rating = str(form.get("rating", ""))
            await svc.rate_ticket(
                ticket.number,
                key,
                int(rating) if rating.isdigit() else 0,
                str(form.get("comment", "")),
                bus=bus,
            )
        else:
            raise web.HTTPNotFound()
    except (svc.InvalidInput, IllegalTransition) as error:
        status = 409 if isinstance(error, IllegalTransition) else 400
        message = error_text(translator(request), error)
        return await _render(request, await _tracked(request, key), key, message, status)
    raise web.HTTPSeeOther(_page_url(ticket.number, key, action))
