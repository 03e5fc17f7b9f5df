"""Bad input on every route gets a 4xx, never a 500; under /api/ the answer is problem+json.

The routes are read from the real app's router, so a route added later is walked too. Each path
parameter takes hostile values (very long, unicode, NUL, negative, huge, unknown ids, and the
alternatives its pattern allows); each route gets a hostile query string, and each route that
takes a body gets malformed form data, invalid and wrongly shaped JSON, broken multipart, huge
fields, with and without this session's CSRF token, and a body over the size limit. It runs as a
stranger, and as a logged-in administrator who also holds an API token with every scope and a
room manager's host token.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from aiohttp import web

from classroom_helper.adapters.host_tokens import mint_host_token
from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.domain.institute import RoomRole, StaffRole
from helpdesk.services.api_tokens import SCOPES, create_token
from tests.conftest import login_csrf

ROOT = Path(__file__).parent.parent
HOSTILE = [
    "1",
    "0",
    "-1",
    "99999999999999999999",
    "x" * 3000,
    "مرحبا 🙂 ﷽",
    "a\x00b",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "SND-2026-000001",
    "SND-2026-99999999999",
]
FIELDS = sorted(
    set(
        re.findall(
            r'name="([a-z_]+)"',
            "".join(p.read_text() for p in ROOT.glob("*/templates/**/*.html")),
        )
    )
    | {"state", "text", "department_id", "level", "page", "per_page", "status", "lang"}
)
FORM = "application/x-www-form-urlencoded"
PROBLEM = "application/problem+json"
NOT_DOCUMENTS = {"/api/openapi.json", "/api/docs"}


def path_values(resource: web.AbstractResource) -> list[str]:
    """The paths to try on one route: each parameter in turn takes every hostile value, and the
    values its pattern allows by name (`reply|confirm`), while the others keep a plausible one."""
    info = resource.get_info()
    if "prefix" in info:  # static files
        return [f"{info['prefix']}/{quote(v, safe='')}" for v in [*HOSTILE, "app.css"]]
    template = resource.canonical
    names = re.findall(r"\{(\w+)\}", template)
    if not names:
        return [template]
    pattern = info.get("pattern")
    allowed = dict(re.findall(r"\(\?P<(\w+)>([\w|-]+)\)", pattern.pattern)) if pattern else {}
    candidates = {
        name: (allowed[name].split("|") if "|" in allowed.get(name, "") else []) + HOSTILE
        for name in names
    }

    def fill(values: dict[str, str]) -> str:
        path = template
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        return path

    def matches(values: dict[str, str]) -> bool:  # else the router answers 404 before a handler
        return resource._match(fill(values)) is not None

    plausible = next(
        values
        for values in (
            dict(zip(names, c, strict=True)) for c in itertools.product(*candidates.values())
        )
        if matches(values)
    )
    paths = []
    for name in names:
        for value in candidates[name]:
            values = {**plausible, name: value}
            path = fill({n: quote(v, safe="") for n, v in values.items()})
            if matches(values) and path not in paths:
                paths.append(path)
    return paths


def queries() -> list[str]:
    return [
        "",
        urlencode({f: "a\x00b ض🙂" for f in FIELDS}),  # with a 3000-character path: < 8 KiB
        urlencode({f: "-1" for f in FIELDS}) + "&%zz=%&&=",
    ]


def bodies(csrf: str) -> list[tuple[str, bytes]]:
    def form(value: str, with_csrf: bool = True) -> bytes:
        fields = {f: value for f in FIELDS if f != "csrf"}
        return urlencode(fields | ({"csrf": csrf} if with_csrf else {})).encode()

    json_fields = {f: None for f in FIELDS} | {"body": "x" * 30_000, "state": ["open"]}
    return [
        (FORM, b"%zz=%&&=&csrf=%"),  # malformed, no CSRF
        (FORM, form("-1", with_csrf=False)),  # missing CSRF
        (FORM, form("-1")),
        (FORM, form("a\x00b 🙂")),
        (FORM, form("x" * 60_000)),  # huge fields
        ("application/json", b"{not json"),
        ("application/json", b'[1, null, "\\u0000"]'),
        ("application/json", repr(json_fields).encode()),  # Python, not JSON
        ("application/json", json.dumps(json_fields).encode()),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nContent-Disposition: nonsense\r\n\r\n"),
    ]


@pytest.mark.parametrize("who", ["stranger", "administrator"])
async def test_bad_input_on_every_route_is_a_4xx_never_a_500(who, server, client, log_in_as):
    if who == "administrator":
        await log_in_as(StaffRole.ADMINISTRATOR)
        token, _ = await create_token("walker", list(SCOPES), None)
        platform = await HostPlatform.create(id="lms", name="LMS", secret=secrets.token_urlsafe(32))
        room_token = mint_host_token(
            platform.id, platform.secret, person_ref="m-1", name="Manager",
            role=RoomRole.ROOM_MANAGER, room_id="1",
        )  # fmt: skip
    csrf = await login_csrf(client)

    def auth_for(path: str) -> dict:
        if who == "stranger" or not path.startswith("/api/"):
            return {}
        bearer = room_token if path.startswith("/api/v1/rooms/") else token
        return {"Authorization": f"Bearer {bearer}"}

    failures = []
    answers: dict[str, set[int]] = {}  # "GET /console" -> the statuses it answered

    async def send(
        route: web.AbstractRoute,
        method: str,
        path: str,
        content_type: str | None,
        body: bytes | None,
    ):
        request_headers = auth_for(path)
        if content_type:
            request_headers["Content-Type"] = content_type
        response = await client.request(
            method, path, data=body, headers=request_headers, allow_redirects=False
        )
        await response.read()
        answers.setdefault(f"{method} {route.resource.canonical}", set()).add(response.status)
        api = path.startswith("/api/") and path.split("?")[0] not in NOT_DOCUMENTS
        if response.status >= 500:
            failures.append(
                f"{response.status} {method} {route.resource.canonical}: {path[:120]!r} "
                f"{content_type} {body and body[:60]!r}"
            )
        elif api and response.status >= 400 and response.content_type != PROBLEM:
            failures.append(f"not problem+json: {method} {path[:120]!r}")

    routes = [r for r in server.app.router.routes() if r.method != "HEAD"]
    # Logging out last: the administrator stays logged in for the rest of the walk.
    routes.sort(key=lambda r: r.resource.canonical == "/staff/logout")
    for route in routes:
        methods = ["GET", "POST", "PUT", "DELETE"] if route.method == "*" else [route.method]
        for method, path in itertools.product(methods, path_values(route.resource)):
            if method in ("GET", "OPTIONS", "DELETE"):
                for query in queries():
                    await send(route, method, f"{path}?{query}" if query else path, None, None)
            else:
                for content_type, body in bodies(csrf):
                    await send(route, method, path, content_type, body)
        if route.method in ("POST", "PUT"):  # over the size limit, once per route
            path = path_values(route.resource)[0]
            await send(route, route.method, path, FORM, b"a=" + b"x" * (3 * 1024**2))
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:60])
    # The walk reached the handlers as the person it claims to be.
    if who == "administrator":
        assert 200 in answers["GET /admin"] and 200 in answers["GET /console/queue"]
        assert {200, 422} <= answers["GET /api/v1/tickets"]
    else:
        assert 200 not in answers["GET /admin"] and answers["GET /api/v1/tickets"] == {401}
