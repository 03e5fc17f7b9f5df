"""The composition root: the one place that chooses the parts and builds the application.

It imports both halves (so it stands above them); run.py and the tests build the app through it.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import logging
from collections.abc import Awaitable
from functools import partial
from pathlib import Path

import aiohttp_jinja2
import jinja2
import socketio
from aiohttp import hdrs, web
from aiohttp_session import STORAGE_KEY as SESSION_STORAGE
from aiohttp_session import AbstractStorage
from aiohttp_session import setup as setup_sessions
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from redis.asyncio import Redis

import classroom_helper
import helpdesk
from classroom_helper.adapters.fanout import RedisFanout
from classroom_helper.adapters.host_tokens import RoomPasses
from classroom_helper.adapters.socketio_wire import RoomPacket
from classroom_helper.domain.room_issues import TicketRules
from classroom_helper.entrypoints.live_room import LiveRoom
from classroom_helper.entrypoints.lti import LtiTool, lti_tool
from classroom_helper.entrypoints.room_metrics import RoomMetrics, room_figures
from classroom_helper.entrypoints.routes import setup_routes as setup_room_routes
from helpdesk.adapters import database
from helpdesk.adapters.rate_limits import RateLimit
from helpdesk.config import Config
from helpdesk.domain.contacts import for_display
from helpdesk.entrypoints import guidance, keys, metrics, middleware
from helpdesk.entrypoints.auth import SESSION_COOKIE
from helpdesk.entrypoints.channel_workers import build_intake, channel_workers
from helpdesk.entrypoints.csrf import csrf_token
from helpdesk.entrypoints.live import setup_live as setup_helpdesk_live
from helpdesk.entrypoints.routes import setup_routes as setup_helpdesk_routes
from helpdesk.entrypoints.scheduler import Job, setup_scheduler
from helpdesk.i18n import Catalogues, direction, format_datetime
from helpdesk.services.bus import MessageBus

log = logging.getLogger("sanad")

PACKAGES = (Path(classroom_helper.__file__).parent, Path(helpdesk.__file__).parent)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
API_PREFIX = "/api/v1/"  # JSON only: problem+json errors, no page
SOCKETIO_PATH = "/socket.io/"

TORTOISE_APPS = {
    **database.HELPDESK_APPS,
    "classroom": {
        "models": ["classroom_helper.adapters.orm"],
        "migrations": "classroom_helper.migrations",
    },
    "channels": {
        "models": ["helpdesk.adapters.orm.channels"],
        "migrations": "helpdesk.migrations.channels",
    },
    "lti": {
        "models": ["classroom_helper.adapters.lti_orm"],
        "migrations": "classroom_helper.lti_migrations",
    },
}


def tortoise_config(config: Config) -> dict:
    return database.tortoise_config(config.database_url, TORTOISE_APPS)


def build_app(config: Config) -> web.Application:
    proxies = [middleware.client_address(config.trusted_proxies)] if config.trusted_proxies else []
    app = web.Application(
        middlewares=[
            middleware.long_lived_first,
            *proxies,
            middleware.request_log,
            middleware.security_headers,
            middleware.locale,
            middleware.errors,
        ],
        client_max_size=2 * 1024**2,
    )
    app[keys.CONFIG] = config
    app[keys.TORTOISE_CONFIG] = tortoise_config(config)
    app[keys.CATALOGUES] = catalogues = Catalogues(p / "locale" for p in PACKAGES)
    app[keys.BUS] = MessageBus()
    app[keys.REDIS] = Redis.from_url(config.redis_url) if config.redis_url else None
    app[keys.FANOUT] = fanout = (
        RedisFanout(config.redis_url, config.socketio_channel) if config.redis_url else None
    )
    sessions = EncryptedCookieStorage(
        _session_key(config.secret_key),
        cookie_name=SESSION_COOKIE,
        httponly=True,
        samesite="Lax",
        secure=config.base_url.startswith("https://"),
        max_age=12 * 3600,
    )
    app[keys.SIO] = socketio_server(app, client_manager=fanout, sessions=sessions)
    app[keys.GUIDANCE_LOOKUPS] = RateLimit(
        guidance.READINESS_LOOKUPS, config.redis_url, f"{config.socketio_channel}-lookups"
    )
    app[keys.INTAKE] = build_intake(config, app[keys.BUS])
    app[keys.INTAKE_RATE_LIMIT] = RateLimit(
        config.channels.web_form_rate_limit, config.redis_url, f"{config.socketio_channel}-intake"
    )
    app[keys.ROOM_PASSES] = RoomPasses(config.secret_key)
    app[keys.LTI] = LtiTool(config.secret_key)
    registry, counted = metrics.counters_for(config)
    app[keys.METRICS] = metrics.MetricsEndpoint(
        config.metrics_token, counted, (metrics.desk_figures, room_figures)
    )
    app[keys.ROOM] = LiveRoom(
        app[keys.SIO],
        catalogues,
        app[keys.BUS],
        # counted in the process that holds the person's connection: no Redis round trip per event
        RateLimit(config.room_rate_limit, None, f"{config.socketio_channel}-room"),
        TicketRules(config.room_unclaimed_limit, config.room_no_manager_grace),
        app[keys.ROOM_PASSES],
        RoomMetrics(registry),
    )

    setup_sessions(app, sessions)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(p / "templates") for p in PACKAGES]),
        context_processors=[
            _pages_only(_page_context(catalogues, config)),
            _pages_only(guidance.page_context),
        ],
        autoescape=True,
        finalize=for_display,  # no bidi control of a person's text reaches a page
    )
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_fan_out)
    app.cleanup_ctx.append(channel_workers)
    app.cleanup_ctx.append(lti_tool)
    setup_scheduler(app, jobs=[_room_sweeper(app)])
    app.on_cleanup.append(_close_room)
    app.on_startup.append(_freeze_start_up_objects)
    app.on_shutdown.append(_disconnect_live_clients)
    app.on_cleanup.append(_close_redis)

    setup_helpdesk_routes(app)
    setup_helpdesk_live(app)
    setup_room_routes(app, with_demo=config.demo)
    app.router.add_static("/static", STATIC_DIR, name="static")
    return app


def socketio_server(
    app: web.Application,
    *,
    path: str = SOCKETIO_PATH,
    client_manager: socketio.AsyncManager | None = None,
    sessions: AbstractStorage | None = None,
    **settings,
) -> socketio.AsyncServer:
    """The live room's Socket.IO server, served on `app` at `path` (`settings`: python-socketio's
    own, e.g. the ping interval). The one place the product's Socket.IO server is made: the
    protocol suites' reference server is made here too (tests/protocol/)."""
    # Any host page may embed the widget; the signed token, not the origin, admits a person.
    sio = socketio.AsyncServer(
        async_mode="aiohttp",
        client_manager=client_manager,
        serializer=RoomPacket,
        cors_allowed_origins="*",
        logger=False,
        engineio_logger=False,
        **settings,
    )
    _serve_socketio(app, sio, path, sessions)
    return sio


# The headers a browser's websocket keeps once its deflate offer is dropped (aiohttp's handshake,
# python-engineio's origin check, the consoles' session cookie, the request id): python-engineio
# copies every header into the environ that python-socketio keeps for the connection's life.
WEBSOCKET_HEADERS = frozenset(
    name.lower()
    for name in (
        hdrs.HOST,
        hdrs.UPGRADE,
        hdrs.CONNECTION,
        hdrs.SEC_WEBSOCKET_KEY,
        hdrs.SEC_WEBSOCKET_VERSION,
        hdrs.SEC_WEBSOCKET_PROTOCOL,
        hdrs.ORIGIN,
        hdrs.COOKIE,
        hdrs.X_FORWARDED_PROTO,
        hdrs.X_FORWARDED_HOST,
        hdrs.X_FORWARDED_FOR,
        middleware.REQUEST_ID,
    )
)


def _serve_socketio(
    app: web.Application, sio: socketio.AsyncServer, path: str, sessions: AbstractStorage | None
) -> None:
    """Socket.IO at `path` through python-socketio's `handle_request` (what `sio.attach` routes
    to), outside the other middlewares: their frames would stay suspended for each websocket's
    life (bench/JOURNAL.md). A websocket is logged when it opens, so that nothing of ours stays
    suspended for its life either."""

    def serve(request: web.Request) -> Awaitable[web.StreamResponse]:
        if hdrs.SEC_WEBSOCKET_EXTENSIONS in request.headers:
            # Refuse permessage-deflate, which browsers offer and aiohttp accepts: each
            # connection would keep its own zlib streams for messages of a few hundred bytes
            # (STACK.md). The clone that drops the offer keeps only the headers the room reads.
            kept = [(k, v) for k, v in request.headers.items() if k.lower() in WEBSOCKET_HEADERS]
            request = request.clone(headers=kept)
        if sessions is not None:
            # What the sessions middleware would give: the console's namespace admits staff by
            # their session (read only: a websocket's response is sent before anything could be
            # saved). Not async, so that it keeps no frame of its own.
            request[SESSION_STORAGE] = sessions
        return sio.handle_request(request)

    def open_websocket(request: web.Request) -> Awaitable[web.StreamResponse]:
        middleware.log_websocket(request)
        return serve(request)

    endpoint = middleware.long_lived(
        partial(middleware.request_log, handler=serve), websocket=open_websocket
    )
    for method in (hdrs.METH_GET, hdrs.METH_POST, hdrs.METH_OPTIONS):
        app.router.add_route(method, path, endpoint)


def _session_key(secret_key: str) -> bytes:
    return hashlib.sha256(("sanad-session:" + secret_key).encode()).digest()


def _pages_only(processor):
    """aiohttp_jinja2 runs the context processors before every request. The page context costs a
    session (and its cookie) and the contact-centre banner's queries: the JSON API renders no page
    (4 of the 14 statements of a ticket's creation). Socket.IO never reaches them
    (`middleware.long_lived_first`)."""

    async def process(request: web.Request) -> dict:
        return {} if request.path.startswith(API_PREFIX) else await processor(request)

    return process


def _page_context(catalogues: Catalogues, config: Config):
    async def page_context(request: web.Request) -> dict:
        locale = request.get("locale", "ar")
        return {
            "locale": locale,
            "dir": direction(locale),
            "_": lambda message, **values: catalogues.gettext(locale, message, **values),
            "ngettext": lambda singular, plural, n, **values: catalogues.ngettext(
                locale, singular, plural, n, **values
            ),
            "when": lambda moment, style="medium": format_datetime(
                moment, config.institute_tz, locale, style
            ),
            "request": request,
            "csrf_token": await csrf_token(request),
        }

    return page_context


async def _database(app: web.Application):
    context = await database.connect(app[keys.TORTOISE_CONFIG])
    try:
        await database.require_current_schema(app[keys.TORTOISE_CONFIG])
        yield
    finally:
        await context.close_connections()


# Young collections every 50,000 net new container objects instead of 700 (older ones unchanged):
# per-event objects die before they are promoted, so full collections of the connections' objects
# become rare (bench/JOURNAL.md: what it bought, measured).
GC_THRESHOLDS = (50_000, 10, 10)


async def _freeze_start_up_objects(app: web.Application) -> None:
    # What start-up built lives as long as the process: keep it out of every full collection, so
    # that the collector's pauses stay short with thousands of live connections (STACK.md).
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def _fan_out(app: web.Application):
    """Redis fan-out from start-up (python-socketio starts it at the first connection): a process
    with no client yet already answers /readyz about its subscription."""
    fanout = app[keys.FANOUT]
    if fanout is None:
        yield
        return
    room = app[keys.ROOM]
    fanout.on_recovered = room.tell_clients_to_sync
    fanout.on_room_event, room.share = room.in_order.arrived, fanout.publish_room_event
    fanout.initialize()
    yield
    await fanout.close()


def _room_sweeper(app: web.Application) -> Job:
    """The live room's own clock: automatic tickets, sessions past their end, presence."""
    room, config = app[keys.ROOM], app[keys.CONFIG]
    every = max(0.2, min(5.0, config.room_no_manager_grace.total_seconds() / 4))
    return Job("room sweep", every, room.sweeper.sweep)


async def _close_room(app: web.Application) -> None:
    await app[keys.ROOM].rate_limit.close()


async def _disconnect_live_clients(app: web.Application) -> None:
    # The database closes right after: the room must not record thousands of departures now.
    app[keys.ROOM].closing = True
    sio = app[keys.SIO]
    # sio.shutdown() only stops its background tasks: without this, aiohttp waits ~20 s for each
    # websocket to time out, and the clients reconnect to another process only after that.
    # Not eio.disconnect(): it waits for each socket's queue to drain, which a long-polling client
    # that has gone never does.
    await asyncio.gather(
        *(
            socket.close(wait=False, reason=sio.eio.reason.SERVER_DISCONNECT)
            for socket in list(sio.eio.sockets.values())
        )
    )
    await sio.shutdown()


async def _close_redis(app: web.Application) -> None:
    await app[keys.GUIDANCE_LOOKUPS].close()
    if app[keys.REDIS] is not None:
        await app[keys.REDIS].aclose()


# For tortoise's own command line (`python run.py makemigrations`): models only, no real database.
TORTOISE_ORM = database.tortoise_config("sqlite://:memory:", TORTOISE_APPS)
