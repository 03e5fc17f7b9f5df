"""The console, live: staff connect to the Socket.IO namespace /console with their session cookie;
every ticket change published on the bus reaches the consoles allowed to see that ticket.

A console hears tickets only once it sends `console.follow`, after its CONNECT: python-socketio
sends CONNECT when the connect handler returns, and an emit to a room joined inside the handler
would reach the socket before it (clients then hand it to the page before `connect`)."""

from __future__ import annotations

from aiohttp import web

from helpdesk.domain.events import TicketChanged
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff

NAMESPACE = "/console"
EVERYTHING = "console:all"  # Level 1 and administrators


def department_room(department_id: int) -> str:
    return f"console:department:{department_id}"


def setup_live(app: web.Application) -> None:
    sio = app[keys.SIO]

    async def connect(sid, environ, auth=None):
        staff = await current_staff(environ["aiohttp.request"])
        if staff is None:
            raise ConnectionRefusedError("login_required")
        if staff.role in (StaffRole.ADMINISTRATOR, StaffRole.LEVEL1_AGENT):
            hears = EVERYTHING
        elif staff.department_id is not None:
            hears = department_room(staff.department_id)
        else:
            hears = None
        await sio.save_session(sid, {"hears": hears}, namespace=NAMESPACE)

    async def follow(sid, data=None):
        hears = (await sio.get_session(sid, namespace=NAMESPACE)).get("hears")
        if hears is not None:
            await sio.enter_room(sid, hears, namespace=NAMESPACE)
        return {"ok": True}

    async def ticket_changed(event: TicketChanged) -> None:
        payload = {
            "number": event.number,
            "action": event.action,
            "status": event.status,
            "level": event.level,
        }
        rooms = [EVERYTHING] + [
            department_room(d)
            for d in {event.department_id, event.routed_department_id}
            if d is not None
        ]
        await sio.emit("ticket_changed", payload, to=rooms, namespace=NAMESPACE)

    sio.on("connect", connect, namespace=NAMESPACE)
    sio.on("console.follow", follow, namespace=NAMESPACE)
    app[keys.BUS].subscribe(TicketChanged, ticket_changed)
