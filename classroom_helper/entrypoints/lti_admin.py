"""The administrator's page for LTI platforms: Sanad's addresses to give a platform, platforms
that registered themselves waiting for approval, registration by hand, deployments and the
room-manager custom parameter. Staff authentication and CSRF are the helpdesk's."""

from __future__ import annotations

from datetime import UTC, datetime

import aiohttp_jinja2
from aiohttp import web
from tortoise.exceptions import IntegrityError

from classroom_helper.adapters.lti_orm import LtiPlatform, PlatformStatus
from classroom_helper.entrypoints.lti import tool_urls
from classroom_helper.services import lti
from helpdesk.domain.institute import StaffRole
from helpdesk.entrypoints.console import staff_actor
from helpdesk.entrypoints.csrf import checked_form, csrf_token
from helpdesk.entrypoints.errors import path_id, translator
from helpdesk.i18n import N_

ADMIN = StaffRole.ADMINISTRATOR
PATH = "/admin/lti"


async def _page(request: web.Request, context: dict | None = None, status: int = 200):
    me = await staff_actor(request, ADMIN)
    platforms = (
        await LtiPlatform.all().order_by("status", "-created_at").prefetch_related("deployments")
    )
    urls = tool_urls(request)
    context = {
        "me": me,
        "roles": StaffRole,
        "csrf_token": await csrf_token(request),
        "platforms": platforms,
        "statuses": PlatformStatus,
        "urls": urls,
        "registration_url": f"{urls.base}/lti/register",
        **(context or {}),
    }
    return aiohttp_jinja2.render_template("lti/admin.html", request, context, status=status)


async def platforms_page(request: web.Request) -> web.Response:
    """GET /admin/lti"""
    return await _page(request)


def _error(request: web.Request, error: Exception) -> str:
    gettext = translator(request)
    if isinstance(error, lti.RegistrationError):
        return gettext(error.message, **{k: gettext(v) for k, v in error.values.items()})
    return gettext(N_("This change cannot be saved."))


async def register_platform(request: web.Request) -> web.StreamResponse:
    """POST /admin/lti/platforms: a platform registered by hand."""
    await staff_actor(request, ADMIN)
    form = await checked_form(request)
    try:
        await lti.register_platform(
            name=str(form.get("name", "")),
            issuer=str(form.get("issuer", "")),
            client_id=str(form.get("client_id", "")),
            auth_login_url=str(form.get("auth_login_url", "")),
            jwks_url=str(form.get("jwks_url", "")),
            deployment_ids=str(form.get("deployment_ids", "")),
            manager_parameter=str(form.get("manager_parameter", "")),
            now=datetime.now(UTC),
        )
    except (lti.RegistrationError, IntegrityError) as error:
        return await _page(request, {"error": _error(request, error), "form": form}, 400)
    raise web.HTTPSeeOther(PATH)


ACTIONS = {"approve": PlatformStatus.APPROVED, "disable": PlatformStatus.DISABLED}


async def change_platform(request: web.Request) -> web.StreamResponse:
    """POST /admin/lti/platforms/{id}/{action}: approve, disable, or save its settings."""
    await staff_actor(request, ADMIN)
    form = await checked_form(request)
    platform_id, action = path_id(request, "platform_id"), request.match_info["action"]
    try:
        if action == "settings":
            await lti.save_platform_settings(
                platform_id,
                str(form.get("deployment_ids", "")),
                str(form.get("manager_parameter", "")),
            )
        elif action in ACTIONS:
            await lti.set_platform_status(platform_id, ACTIONS[action], datetime.now(UTC))
        else:
            raise web.HTTPNotFound()
    except (lti.RegistrationError, IntegrityError) as error:
        return await _page(request, {"error": _error(request, error)}, 400)
    raise web.HTTPSeeOther(PATH)
