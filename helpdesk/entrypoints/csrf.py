"""CSRF protection for HTML forms: a random token kept in the session and echoed by each form."""

from __future__ import annotations

import secrets

from aiohttp import web
from aiohttp_session import get_session
from multidict import MultiDictProxy

from helpdesk.domain.secret_check import same_secret

SESSION_KEY = "csrf"
FIELD = "csrf"


async def csrf_token(request: web.Request) -> str:
    session = await get_session(request)
    token = session.get(SESSION_KEY)
    if not token:
        token = session[SESSION_KEY] = secrets.token_urlsafe(32)
    return token


async def form_of(request: web.Request) -> MultiDictProxy:
    """The posted form; a body that cannot be parsed (broken multipart) is the sender's error."""
    try:
        return await request.post()
    except ValueError:
        raise web.HTTPBadRequest(text="The form cannot be read.") from None


async def checked_form(request: web.Request) -> MultiDictProxy:
    """The posted form, if it carries this session's token; else 403."""
    form = await form_of(request)
    expected = (await get_session(request)).get(SESSION_KEY)
    if not same_secret(form.get(FIELD, ""), expected):
        raise web.HTTPForbidden(text="The form has expired. Reload the page and try again.")
    return form
