"""Thin views of the foundation: home page, health, the catalogue for browsers, staff log-in."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from tortoise import Tortoise

from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff, log_in, log_out
from helpdesk.entrypoints.csrf import checked_form, csrf_token
from helpdesk.i18n import LOCALES
from helpdesk.services.staff import AccountLocked, authenticate


@aiohttp_jinja2.template("home.html")
async def home(request: web.Request) -> dict:
    return {"demo": request.app[keys.CONFIG].demo, "staff": await current_staff(request)}


FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.ico"


async def favicon(request: web.Request) -> web.StreamResponse:
    """Browsers ask for /favicon.ico on every site; the pages also link it."""
    return web.FileResponse(FAVICON, headers={"Cache-Control": "public, max-age=86400"})


async def healthz(request: web.Request) -> web.Response:
    """The process is alive and serving."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready for traffic: the database and, when configured, Redis answer, and this process still
    hears the others through Redis (its own heartbeat comes back)."""
    problems = {}
    try:
        await Tortoise.get_connection("default").execute_query("SELECT 1")
    except Exception as error:
        problems["database"] = type(error).__name__
    redis = request.app[keys.REDIS]
    if redis is not None:
        try:
            await redis.ping()
        except Exception as error:
            problems["redis"] = type(error).__name__
    fanout = request.app[keys.FANOUT]
    if fanout is not None and fanout.problem:
        problems["fanout"] = fanout.problem
    if problems:
        return web.json_response({"status": "unavailable", "problems": problems}, status=503)
    return web.json_response({"status": "ready"})


async def catalogue(request: web.Request) -> web.Response:
    locale = request.match_info["locale"]
    if locale not in LOCALES:
        raise web.HTTPNotFound()
    response = web.json_response(request.app[keys.CATALOGUES].messages(locale))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


async def _login_form(request: web.Request, next_page: str, problem: str = "", status: int = 200):
    context = {"next": next_page, "problem": problem, "csrf_token": await csrf_token(request)}
    return aiohttp_jinja2.render_template("staff/login.html", request, context, status=status)


async def login_page(request: web.Request) -> web.StreamResponse:
    return await _login_form(request, _safe_next(request.query.get("next")))


async def login(request: web.Request) -> web.StreamResponse:
    form = await checked_form(request)
    next_page = _safe_next(form.get("next"))
    try:
        staff = await authenticate(str(form.get("email", "")), str(form.get("password", "")))
    except AccountLocked:
        return await _login_form(request, next_page, "locked", status=429)
    if staff is None:
        return await _login_form(request, next_page, "failed", status=401)
    await log_in(request, staff)
    raise web.HTTPSeeOther(next_page)


async def logout(request: web.Request) -> web.StreamResponse:
    await log_out(request)
    raise web.HTTPSeeOther("/")


def _safe_next(value: object) -> str:
    """Only a path on this site: never an open redirect."""
    text = str(value or "/")
    parts = urlsplit(text)
    if parts.scheme or parts.netloc or not text.startswith("/") or text.startswith("//"):
        return "/"
    return text
