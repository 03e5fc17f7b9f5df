"""Local HTTP servers standing in for the Graph API (WhatsApp) and the X API: they answer as the
real services do and keep every request, so tests can assert exactly what the client sent."""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class SeenRequest:
    method: str
    path: str
    headers: dict
    body: object


@dataclass
class FakeApi:
    requests: list[SeenRequest] = field(default_factory=list)
    fail_with: int | None = None  # answer every request with this status
    media: dict = field(default_factory=dict)  # files people sent, by media id: (mime, bytes)
    media_delay: float = 0.0  # seconds the media URL takes to answer
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/{version}/{phone_number_id}/messages", self.graph_messages)
        app.router.add_post("/2/dm_conversations/with/{participant}/messages", self.x_messages)
        app.router.add_post("/sms", self.sms)
        app.router.add_get("/{version}/{media_id}", self.graph_media)
        app.router.add_get("/media/{media_id}", self.media_file)
        return app

    async def graph_media(self, request: web.Request) -> web.Response:
        self.requests.append(SeenRequest("GET", request.path, dict(request.headers), None))
        media_id = request.match_info["media_id"]
        if (
            media_id not in self.media
            or request.headers.get("Authorization") != "Bearer graph-token"
        ):
            return web.json_response({"error": {"message": "not found"}}, status=404)
        mime, data = self.media[media_id]
        url = str(request.url.with_path(f"/media/{media_id}").with_query(None))
        return web.json_response(
            {"url": url, "mime_type": mime, "file_size": len(data), "id": media_id}
        )

    async def media_file(self, request: web.Request) -> web.Response:
        self.requests.append(SeenRequest("GET", request.path, dict(request.headers), None))
        await asyncio.sleep(self.media_delay)
        if request.headers.get("Authorization") != "Bearer graph-token":
            return web.Response(status=401)
        mime, data = self.media[request.match_info["media_id"]]
        return web.Response(body=data, content_type=mime)

    async def _keep(self, request: web.Request) -> None:
        raw = await request.read()
        self.requests.append(
            SeenRequest(request.method, request.path, dict(request.headers), json.loads(raw))
        )

    async def graph_messages(self, request: web.Request) -> web.Response:
        await self._keep(request)
        if self.fail_with:
            error = {"message": "(#131047) Re-engagement message", "code": 131047}
            return web.json_response({"error": error}, status=self.fail_with)
        to = self.requests[-1].body["to"]
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": f"wamid.sent{next(self._ids)}"}],
            }
        )

    async def x_messages(self, request: web.Request) -> web.Response:
        await self._keep(request)
        if self.fail_with:
            return web.json_response({"title": "Forbidden"}, status=self.fail_with)
        number = next(self._ids)
        return web.json_response(
            {"data": {"dm_conversation_id": f"c{number}", "dm_event_id": f"dm{number}"}},
            status=201,
        )

    async def sms(self, request: web.Request) -> web.Response:
        await self._keep(request)
        return web.json_response({"id": f"sms{next(self._ids)}"})
