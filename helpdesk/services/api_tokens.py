"""Bearer tokens for API clients: shown once at creation, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
import time
from datetime import UTC, datetime, timedelta

from helpdesk.adapters.orm.desk import ApiToken
from helpdesk.adapters.orm.institute import Staff
from helpdesk.domain.secret_check import as_bytes

SCOPES = {
    "tickets:read": "list and read tickets, their timelines",
    "tickets:write": "open tickets, act on them, reply",
    "departments:read": "list departments",
    "staff:read": "list staff",
}
PREFIX = "snd_"


def _digest(token: str) -> str:
    return hashlib.sha256(as_bytes(token)).hexdigest()


async def create_token(name: str, scopes: list[str], staff_id: int | None = None):
    """Returns (the token to give the client once, its stored row)."""
    unknown = set(scopes) - set(SCOPES)
    if not name.strip() or not scopes or unknown:
        raise ValueError(f"a token needs a name and known scopes (unknown: {sorted(unknown)})")
    if staff_id is not None and not await Staff.exists(id=staff_id, is_active=True):
        raise ValueError("no such staff member")
    token = PREFIX + secrets.token_urlsafe(32)
    row = await ApiToken.create(
        name=name.strip()[:200], token_hash=_digest(token), scopes=sorted(set(scopes)),
        staff_id=staff_id,
    )  # fmt: skip
    return token, row


# Each process keeps the tokens it has checked for a few seconds, so that most API calls make no
# query for their token (~0.4 ms of CPU each). A revoked token stops working at once in the process
# that revoked it, and within RECHECK_SECONDS in the others.
RECHECK_SECONDS = 5.0
_checked: dict[str, tuple[float, ApiToken]] = {}  # digest -> (when checked, the active row)


async def token_for(raw: str) -> ApiToken | None:
    if not raw.startswith(PREFIX):
        return None
    digest = _digest(raw)
    checked = _checked.get(digest)
    if checked is not None and time.monotonic() - checked[0] < RECHECK_SECONDS:
        return checked[1]
    row = await ApiToken.get_or_none(token_hash=digest, is_active=True)
    if row is None:
        _checked.pop(digest, None)
        return None
    now = datetime.now(UTC)
    # Noted at most once a minute: a write on every request would serialise SQLite.
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=1):
        row.last_used_at = now
        await row.save(update_fields=["last_used_at"])
    _checked[digest] = (time.monotonic(), row)
    return row


async def revoke_token(token_id: int) -> None:
    await ApiToken.filter(id=token_id).update(is_active=False)
    for digest, (_, row) in list(_checked.items()):
        if row.id == token_id:
            del _checked[digest]
