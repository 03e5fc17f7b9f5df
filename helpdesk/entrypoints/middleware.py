"""Cross-cutting concerns of every request: the client's address, request id and its log line,
locale, errors."""

from __future__ import annotations

import errno
import logging
import time
import uuid
from ipaddress import IPv4Network, IPv6Network, ip_address

import aiohttp_jinja2
from aiohttp import hdrs, web
from aiohttp_remotes import XForwardedFiltered

from helpdesk.adapters import database
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.problems import problem, wants_problem_json
from helpdesk.i18n import N_, chosen_locale, direction

log = logging.getLogger("sanad.http")
LOCALE_COOKIE = "sanad_lang"
REQUEST_ID = "X-Request-Id"
ONE_YEAR = 365 * 24 * 3600
NUL_IN_TEXT = "22021"  # PostgreSQL's SQLSTATE character_not_in_repertoire
# The reasons aiohttp gives, so that error pages read in Arabic too.
ERROR_TITLES = (
    N_("Bad Request"),
    N_("Unauthorized"),
    N_("Forbidden"),
    N_("Not Found"),
    N_("Method Not Allowed"),
    N_("Conflict"),
    N_("Request Entity Too Large"),
    N_("Unprocessable Entity"),
    N_("Too Many Requests"),
    N_("Internal Server Error"),
    N_("Service Unavailable"),
)
DATABASE_AWAY = N_(
    "The support desk cannot reach its database for a moment. Try again in a minute."
)


def long_lived(handler, websocket):
    """Mark the handler of connections that may last for hours (Socket.IO's endpoint):
    `long_lived_first` calls it without the middlewares after it (it writes its own log line and
    answers its own errors), and a websocket's upgrade straight to `websocket`, which is not async
    either, so that no frame of ours stays suspended for the connection's life."""
    handler.websocket = websocket
    return handler


@web.middleware
def long_lived_first(request: web.Request, handler):
    """aiohttp keeps each middleware's frame suspended until its handler returns: for a websocket,
    its whole life (~2 KB per connection for the five: bench/JOURNAL.md). First of all, and not
    async so that it has no frame of its own, this one hands such requests to their handler."""
    own = request.match_info.handler
    websocket = getattr(own, "websocket", None)
    if websocket is None:
        return handler(request)
    if request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
        return websocket(request)
    return own(request)


def log_websocket(request: web.Request) -> None:
    """A websocket's line, written as it opens: its end may be hours away."""
    log.info("%s %s websocket rid=%s", request.method, request.path, _request_id(request))


def _request_id(request: web.Request) -> str:
    return request.headers.get(REQUEST_ID, "")[:64] or uuid.uuid4().hex[:16]


@web.middleware
async def request_log(request: web.Request, handler):
    """One line per request; the path only, never the query string (it may carry a token)."""
    request_id = request["request_id"] = _request_id(request)
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        response.headers[REQUEST_ID] = request_id
        return response
    except web.HTTPException as error:
        status = error.status
        raise
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info(
            "%s %s %s %.1fms rid=%s", request.method, request.path, status, elapsed_ms, request_id
        )


@web.middleware
async def locale(request: web.Request, handler):
    """Arabic unless the reader chose English (?lang=en, remembered in a cookie)."""
    asked = request.query.get("lang")
    request["locale"] = chosen_locale(asked, request.cookies.get(LOCALE_COOKIE))
    response = await handler(request)
    if asked and asked == request["locale"]:
        response.set_cookie(LOCALE_COOKIE, asked, max_age=ONE_YEAR, samesite="Lax", httponly=True)
    return response


@web.middleware
async def errors(request: web.Request, handler):
    """Every error reaches the person in a shape they can read: problem+json or a page."""
    try:
        return await handler(request)
    except web.HTTPException as error:
        if error.status < 400 or error.content_type == "application/problem+json":
            raise
        response = _error_response(request, error.status, error.reason, error.text or "")
        if "Allow" in error.headers:  # a 405 says what is allowed (RFC 9110)
            response.headers["Allow"] = error.headers["Allow"]
        return response
    except Exception as error:
        if isinstance(error, OSError) and error.errno == errno.ENAMETOOLONG:
            # aiohttp's static files: a name too long for the file system names no file
            return _error_response(request, 404, "Not Found", "")
        if getattr(error.__cause__, "sqlstate", None) == NUL_IN_TEXT:
            # No person types a NUL character; PostgreSQL refuses it in any text it is given.
            return _error_response(request, 400, "Bad Request", "")
        if database.unavailable(error):
            # an outage, not a fault: nothing was written (one transaction per use case)
            log.warning("database unavailable rid=%s: %r", request.get("request_id"), error)
            response = _error_response(request, 503, "Service Unavailable", "", DATABASE_AWAY)
            response.headers["Retry-After"] = "10"
            return response
        log.exception("unhandled error rid=%s", request.get("request_id"))
        return _error_response(request, 500, "Internal Server Error", "")


def _error_response(
    request: web.Request, status: int, title: str, detail: str, explanation: str = ""
) -> web.Response:
    """`explanation`: a message id for people (on pages in their language; the API's detail)."""
    if wants_problem_json(request):
        detail = explanation or (detail if detail != f"{status}: {title}" else "")
        return problem(status, title, detail)
    catalogues = request.app[keys.CATALOGUES]
    loc = request.get("locale", "ar")
    context = {
        "status": status,
        "title": catalogues.gettext(loc, title),
        "explanation": catalogues.gettext(loc, explanation) if explanation else "",
        "dir": direction(loc),
    }
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


def client_address(trusted_proxies: tuple[IPv4Network | IPv6Network, ...]):
    """Behind the institute's reverse proxy every request comes from the proxy, so limits per
    address would count everyone together: take the client from X-Forwarded-For (aiohttp-remotes
    reads it, skipping trusted hops), but only on requests that do come from a trusted proxy, since
    anyone else can write the header."""
    forwarded = XForwardedFiltered(set(trusted_proxies))

    @web.middleware
    async def middleware(request: web.Request, handler):
        # The live room knows people by their signed pass, never by address, and a cloned
        # request would be kept for the whole life of each websocket.
        if request.path.startswith("/socket.io/") or not _from_any(request.remote, trusted_proxies):
            return await handler(request)
        return await forwarded.middleware(request, handler)

    return middleware


def _from_any(remote: str | None, networks) -> bool:
    try:
        peer = ip_address(remote or "")
    except ValueError:  # a Unix socket
        return False
    return any(peer in network for network in networks)


# --- security headers of Sanad's own pages -----------------------------------------------------
# Scripts only from Sanad itself (no inline script anywhere: templates load files from /static);
# inline styles stay allowed (the widget's shadow DOM and a report's bar widths use them);
# Socket.IO and the JSON endpoints on the same origin. docs/widget.md says what embedding needs.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors {ancestors}"
)
NOT_FRAMED = "'none'"
FRAME_ANCESTORS = "frame_ancestors"  # the response's own choice (`framable_by`)


def framable_by(response: web.StreamResponse, *sources: str) -> web.StreamResponse:
    """Let the sites named show this page in a frame (a learning platform's LTI launch); every
    other page refuses to be framed."""
    response[FRAME_ANCESTORS] = " ".join(sources) or NOT_FRAMED
    return response


def _secure(request: web.Request, response: web.StreamResponse) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.content_type == "text/html" or isinstance(response, web.HTTPException):
        ancestors = response.get(FRAME_ANCESTORS, NOT_FRAMED)
        headers.setdefault(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY.format(ancestors=ancestors)
        )
        if ancestors == NOT_FRAMED:
            headers.setdefault("X-Frame-Options", "DENY")  # for browsers without CSP level 2


@web.middleware
async def security_headers(request: web.Request, handler):
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _secure(request, error)
        raise
    if not response.prepared:
        _secure(request, response)
    return response
