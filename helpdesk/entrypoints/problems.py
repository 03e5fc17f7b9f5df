"""Errors as RFC 9457 problem+json, the one error shape of the HTTP API."""

from __future__ import annotations

import json

from aiohttp import web

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str = "", **extra: object) -> web.Response:
    body = {"type": "about:blank", "title": title, "status": status, **extra}
    if detail:
        body["detail"] = detail
    return web.Response(
        status=status, text=json.dumps(body, ensure_ascii=False), content_type=PROBLEM_JSON
    )


def wants_problem_json(request: web.Request) -> bool:
    return request.path.startswith("/api/") or PROBLEM_JSON in request.headers.get("Accept", "")
