"""The bare stack for comparison: aiohttp + tortoise-orm inserting and listing the same ticket rows
with nothing else (no validation, deadlines, timeline, outbox, auth).

    python -m bench.helpdesk_bare PORT DATABASE_URL
"""

from __future__ import annotations

import secrets
import sys
from datetime import UTC, datetime

from aiohttp import web

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.config import Config


async def create(request: web.Request) -> web.Response:
    body = await request.json()
    ticket = await Ticket.create(
        kind=body["kind"], category=body["category"], channel=body["channel"],
        subject=body["subject"], requester_name=body["requester"]["name"],
        tracking_secret=secrets.token_urlsafe(24), received_at=datetime.now(UTC),
    )  # fmt: skip
    return web.json_response({"id": ticket.id}, status=201)


async def listing(request: web.Request) -> web.Response:
    rows = await Ticket.all().order_by("-received_at", "-id").limit(25).values("id", "subject")
    return web.json_response({"items": rows})


def main(port: int, url: str) -> None:
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "bench", "VAR_DIR": "/tmp"})

    async def orm(app):
        context = await database.connect(tortoise_config(config))
        yield
        await context.close_connections()

    app = web.Application()
    app.cleanup_ctx.append(orm)
    app.router.add_post("/tickets", create)
    app.router.add_get("/tickets", listing)
    web.run_app(app, host="127.0.0.1", port=port, print=None)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
