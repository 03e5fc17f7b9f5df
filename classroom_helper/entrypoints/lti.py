"""Sanad as an LTI 1.3 tool: the OIDC log-in initiation, the launch, the tool's JWKS and the LTI
Dynamic Registration URL. Thin: each view validates, calls one service, and renders.

Pages a launch serves live in the platform's iframe: they carry the person's pass in the page (no
third-party cookie is needed) and allow the registered platform's origins as frame ancestors.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import aiohttp_jinja2
import jwt
from aiohttp import web

from classroom_helper.adapters.lti_jose import LoginStates, PlatformHttp, PlatformKeys, tool_key
from classroom_helper.domain.lti import LAUNCH_PRESENTATION, LaunchRefused, RefusalCode
from classroom_helper.services import lti
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.middleware import framable_by
from helpdesk.i18n import N_, chosen_locale, direction

log = logging.getLogger("sanad.lti")


class LtiTool:
    """What the LTI views share: the platforms' key sets (cached), the log-in states' key, and
    one HTTP client for platforms. Made by the composition root."""

    def __init__(self, secret_key: str):
        self.http = PlatformHttp()
        self.keys = PlatformKeys(self.http)
        self.states = LoginStates(secret_key)

    async def close(self) -> None:
        await self.http.close()


async def lti_tool(app: web.Application):
    """cleanup_ctx: the platforms' HTTP client closes with the application."""
    yield
    await app[keys.LTI].close()


# What the person reads for each refusal, and what to tell Sanad's administrator.
REFUSALS: dict[RefusalCode, tuple[str, str]] = {
    RefusalCode.UNKNOWN_PLATFORM: (
        N_("Sanad does not know the learning platform that sent you."),
        N_("Tell the administrator of your learning platform that Sanad must be registered first."),
    ),
    RefusalCode.PLATFORM_NOT_APPROVED: (
        N_("Your learning platform is registered with Sanad but not approved yet."),
        N_(
            "Ask Sanad's administrator to approve the platform under Administration → LTI platforms."
        ),
    ),
    RefusalCode.BAD_REQUEST: (
        N_("The learning platform's request to Sanad is incomplete."),
        N_("Tell the administrator of your learning platform that the LTI launch is incomplete."),
    ),
    RefusalCode.BAD_STATE: (
        N_("This sign-in did not start from your learning platform, or it was already used."),
        N_("Open Sanad again from your course. If it happens again, tell the administrator."),
    ),
    RefusalCode.BAD_SIGNATURE: (
        N_("The learning platform's signature could not be verified."),
        N_("Tell the administrator: the platform's public keyset URL or key does not match."),
    ),
    RefusalCode.KEYS_UNREACHABLE: (
        N_("Sanad could not reach your learning platform to check its signature."),
        N_(
            "Try again in a minute. If it persists, tell the administrator: the keyset URL does not answer."
        ),
    ),
    RefusalCode.WRONG_AUDIENCE: (
        N_("The learning platform sent this sign-in to another tool."),
        N_(
            "Tell the administrator: the client id registered in Sanad does not match the platform's."
        ),
    ),
    RefusalCode.EXPIRED: (
        N_("This sign-in has expired."),
        N_(
            "Open Sanad again from your course. If it happens every time, tell the administrator: the clocks of the two servers may differ."
        ),
    ),
    RefusalCode.REPLAYED: (
        N_("This sign-in was already used."),
        N_("Open Sanad again from your course; each sign-in works once."),
    ),
    RefusalCode.UNKNOWN_DEPLOYMENT: (
        N_("This placement of Sanad is not registered with Sanad."),
        N_(
            "Tell Sanad's administrator to add the platform's deployment id under Administration → LTI platforms."
        ),
    ),
    RefusalCode.WRONG_MESSAGE_TYPE: (
        N_("Sanad only opens from a link in a course (an LTI resource link)."),
        N_("Tell the administrator of your learning platform to add Sanad as a course activity."),
    ),
    RefusalCode.WRONG_VERSION: (
        N_("The learning platform speaks a version of LTI that Sanad does not take."),
        N_("Tell the administrator: Sanad takes LTI 1.3 launches."),
    ),
    RefusalCode.MISSING_CLAIM: (
        N_("The learning platform did not say who you are or where you came from."),
        N_(
            "Tell the administrator of your learning platform to share the person and the course with Sanad."
        ),
    ),
    RefusalCode.MISSING_ROLE: (
        N_("Your role in this course gives no place in the live room."),
        N_(
            "Sanad admits learners, instructors and teaching assistants. Ask your teacher or the administrator."
        ),
    ),
}
STATUS = {
    RefusalCode.BAD_REQUEST: 400,
    RefusalCode.KEYS_UNREACHABLE: 502,
}


def tool_urls(request: web.Request) -> lti.ToolUrls:
    """Sanad's public address (BASE_URL); without one, the address the platform reached."""
    base = request.app[keys.CONFIG].base_url
    if base.endswith(":0"):  # listening on a port chosen at start-up (tests)
        base = str(request.url.origin())
    return lti.ToolUrls(base.rstrip("/"))


def _page_context(request: web.Request, locale: str) -> dict:
    catalogues = request.app[keys.CATALOGUES]
    return {
        "locale": locale,
        "dir": direction(locale),
        "_": lambda message, **values: catalogues.gettext(locale, message, **values),
    }


def _framable(response: web.StreamResponse, origins: list[str]) -> web.StreamResponse:
    """The platform's iframe may show this page; no other site may. (A refusal or "open again"
    page carries nothing secret: any platform may show it.)"""
    framable_by(response, *(["'self'", *origins] if origins else ["*"]))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _claimed_locale(id_token: str) -> str | None:
    """The language the platform asked for, read before any check: it only chooses the language
    of a refusal page."""
    try:
        claims = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    presentation = claims.get(LAUNCH_PRESENTATION)
    return presentation.get("locale") if isinstance(presentation, dict) else None


def refused(request: web.Request, error: LaunchRefused, locale: str | None = None) -> web.Response:
    """A clear page in the person's language; the details go to the log, not to the page."""
    log.warning(
        "lti: refused %s rid=%s detail=%s", error.code, request.get("request_id"), error.detail
    )
    locale = chosen_locale(request.query.get("lang"), locale, request.get("locale"))
    what, advice = REFUSALS[error.code]
    context = {
        **_page_context(request, locale),
        "what": what,
        "advice": advice,
        "code": error.code.value,
        "reference": request.get("request_id", ""),
    }
    status = STATUS.get(error.code, 403)
    response = aiohttp_jinja2.render_template("lti/refused.html", request, context, status=status)
    return _framable(response, [])


async def _form(request: web.Request):
    """The posted form; one that cannot be read (broken multipart) is a bad request."""
    try:
        return await request.post()
    except ValueError:
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "the form cannot be read") from None


async def login(request: web.Request) -> web.StreamResponse:
    """GET or POST /lti/login: OIDC third-party initiated log-in; back to the platform."""
    try:
        params = await _form(request) if request.method == "POST" else request.query
    except LaunchRefused as error:
        return refused(request, error)
    tool = request.app[keys.LTI]

    def param(name: str) -> str | None:
        value = params.get(name)
        return str(value)[:2000] if value is not None else None

    try:
        redirect = await lti.begin_login(
            tool.states,
            tool_urls(request),
            issuer=param("iss") or "",
            login_hint=param("login_hint") or "",
            target_link_uri=param("target_link_uri") or "",
            message_hint=param("lti_message_hint"),
            client_id=param("client_id"),
            now=datetime.now(UTC),
        )
    except LaunchRefused as error:
        return refused(request, error)
    response = web.HTTPFound(redirect.url)
    response.headers["Cache-Control"] = "no-store"
    raise response


async def launch(request: web.Request) -> web.StreamResponse:
    """POST /lti/launch: the platform's form post with the id_token and the state."""
    try:
        form = await _form(request)
    except LaunchRefused as error:
        return refused(request, error)
    id_token, state = str(form.get("id_token", "")), str(form.get("state", ""))
    tool = request.app[keys.LTI]
    try:
        person = await lti.launch(
            tool.keys, tool.states, id_token=id_token, state=state, now=datetime.now(UTC)
        )
    except LaunchRefused as error:
        return refused(request, error, _claimed_locale(id_token))
    locale = person.locale
    context = {
        **_page_context(request, locale),
        "room": person.room,
        "token": person.token,
        "tz": request.app[keys.CONFIG].institute_tz.key,
        "pass_url": "",
        "login_url": "",
    }
    template = {"trainee": "lti/room.html", "manager": "lti/manager.html"}.get(
        person.role, "lti/trainer.html"
    )
    response = aiohttp_jinja2.render_template(template, request, context)
    return _framable(response, lti.platform_origins(person.platform))


async def launch_again(request: web.Request) -> web.Response:
    """GET /lti/launch: a launch comes only as the platform's form post (e.g. the language link of
    a launched page, or a bookmark)."""
    context = _page_context(request, request.get("locale", "ar"))
    response = aiohttp_jinja2.render_template("lti/open_again.html", request, context)
    return _framable(response, [])


async def jwks(request: web.Request) -> web.Response:
    """GET /lti/jwks: the tool's public key, for the platforms (LTI services, registration)."""
    key = await tool_key()
    response = web.json_response({"keys": [key.public_jwk()]})
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


async def register(request: web.Request) -> web.Response:
    """GET /lti/register?openid_configuration=…&registration_token=…: LTI Dynamic Registration.
    The platform opens this in its administrator's window; Sanad posts its configuration and the
    platform waits for Sanad's administrator to approve it."""
    locale = request.get("locale", "ar")
    context = _page_context(request, locale)
    config_url = request.query.get("openid_configuration", "")
    if not config_url:
        context["error"] = context["_"](
            N_("Paste this address into your learning platform's tool registration.")
        )
        response = aiohttp_jinja2.render_template(
            "lti/registered.html", request, context, status=400
        )
        return _framable(response, [])
    try:
        platform = await lti.register_dynamically(
            request.app[keys.LTI].http,
            tool_urls(request),
            config_url,
            request.query.get("registration_token", ""),
        )
    except lti.RegistrationError as error:
        log.warning("lti: dynamic registration failed rid=%s: %s", request.get("request_id"), error)
        gettext = context["_"]
        context["error"] = gettext(
            error.message, **{k: gettext(v) for k, v in error.values.items()}
        )
        response = aiohttp_jinja2.render_template(
            "lti/registered.html", request, context, status=400
        )
        return _framable(response, [])
    context["platform"] = platform
    response = aiohttp_jinja2.render_template("lti/registered.html", request, context)
    return _framable(response, lti.platform_origins(platform))
