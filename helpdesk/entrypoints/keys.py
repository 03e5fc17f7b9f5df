"""Every aiohttp application key, in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    pass

CONFIG = web.AppKey("config", "Config")
CATALOGUES = web.AppKey("catalogues", "Catalogues")
SIO = web.AppKey("sio", "socketio.AsyncServer")
BUS = web.AppKey("bus", "MessageBus")
REDIS = web.AppKey("redis", "Redis | None")
# The Socket.IO fan-out between processes (None without Redis); its `problem` is shown by /readyz.
FANOUT = web.AppKey("fanout", "RedisFanout | None")
TORTOISE_CONFIG = web.AppKey("tortoise_config", dict)
ROOM = web.AppKey("room", "LiveRoom")  # the live room in this process (its parts)
ROOM_PASSES = web.AppKey("room_passes", "RoomPasses")  # who may enter a room
GUIDANCE_LOOKUPS = web.AppKey("guidance_lookups", "RateLimit")
INTAKE = web.AppKey("intake", "Intake")
INTAKE_RATE_LIMIT = web.AppKey("intake_rate_limit", "RateLimit")
SMTP_LISTENER = web.AppKey("smtp_listener", "asyncio.Server | None")
API_OPERATIONS = web.AppKey("api_operations", list)  # what /api/openapi.json describes
METRICS = web.AppKey("metrics", "MetricsEndpoint")  # /metrics: its token and what it collects
