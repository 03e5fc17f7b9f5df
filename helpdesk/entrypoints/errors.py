"""Service errors in words people read (translated), for pages and problem+json alike."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from helpdesk.adapters.database import row_id
from helpdesk.domain.tickets import IllegalTransition
from helpdesk.entrypoints import keys
from helpdesk.i18n import N_
from helpdesk.services.tickets import InvalidInput

# IllegalTransition.code -> what the person reads.
TRANSITION_MESSAGES = {
    "illegal_transition": N_("This action is not possible in the ticket's current state."),
    "same_department": N_("The ticket is already with that department."),
    "not_at_department": N_("Only a department verifies closure."),
    "not_verified": N_("The department must verify closure first."),
    "reopen_window_passed": N_("The time to reopen this ticket has passed."),
    "merge_into_self": N_("A ticket cannot merge into itself."),
}


def error_text(gettext: Callable[..., str], error: Exception) -> str:
    if isinstance(error, InvalidInput):
        values = {k: gettext(v) if isinstance(v, str) else v for k, v in error.values.items()}
        return gettext(error.message, **values)
    if isinstance(error, IllegalTransition):
        return gettext(
            TRANSITION_MESSAGES.get(error.code, TRANSITION_MESSAGES["illegal_transition"])
        )
    return str(error)


def translator(request: web.Request) -> Callable[..., str]:
    """gettext in the reader's language, for messages made in Python."""
    catalogues, locale = request.app[keys.CATALOGUES], request.get("locale", "ar")
    return lambda message, **values: catalogues.gettext(locale, message, **values)


def path_id(request: web.Request, name: str) -> int:
    """The row id in the URL; one that no row can have is a 404."""
    found = row_id(request.match_info[name])
    if found is None:
        raise web.HTTPNotFound()
    return found
