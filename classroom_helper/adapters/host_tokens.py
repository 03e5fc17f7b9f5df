"""Host tokens: the short-lived JWT (HS256) a host platform signs for each person it puts in a room."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.domain.institute import RoomRole

ALGORITHM = "HS256"
DEFAULT_LIFETIME = timedelta(hours=2)


class TokenRefused(Exception):
    """The token cannot admit anyone; `code` is what the widget shows (translated)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class RoomPass:
    """Who a valid token admits, to which room, in which role."""

    platform_id: str
    person_ref: str
    name: str
    role: RoomRole
    room_id: str
    expires_at: datetime
    email: str = ""
    phone: str = ""
    locale: str = ""


def mint_host_token(
    platform_id: str,
    secret: str,
    *,
    person_ref: str,
    name: str,
    role: RoomRole,
    room_id: str,
    lifetime: timedelta = DEFAULT_LIFETIME,
    email: str = "",
    phone: str = "",
    locale: str = "",
    now: datetime | None = None,
) -> str:
    """What a host platform does on its server (see docs/integration.md)."""
    now = now or datetime.now(UTC)
    claims = {
        "iss": platform_id,
        "sub": person_ref,
        "name": name,
        "role": str(role),
        "room": room_id,
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    claims.update({k: v for k, v in (("email", email), ("phone", phone), ("locale", locale)) if v})
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_host_token(token: str, secret_of: dict[str, str], room_id: str | None = None) -> RoomPass:
    """Check a token against its platform's secret; refuse expired, forged or wrong-room ones."""
    if not token:
        raise TokenRefused("token_missing")
    try:
        platform_id = jwt.decode(token, options={"verify_signature": False}).get("iss")
    except jwt.PyJWTError:
        raise TokenRefused("token_invalid") from None
    secret = secret_of.get(platform_id) if isinstance(platform_id, str) else None
    if secret is None:
        raise TokenRefused("token_unknown_platform")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            options={"require": ["iss", "sub", "name", "role", "room", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError:
        raise TokenRefused("token_expired") from None
    except jwt.PyJWTError:
        raise TokenRefused("token_invalid") from None
    try:
        role = RoomRole(claims["role"])
    except ValueError:
        raise TokenRefused("token_invalid") from None
    if room_id is not None and claims["room"] != room_id:
        raise TokenRefused("token_wrong_room")
    return RoomPass(
        platform_id=platform_id,
        person_ref=str(claims["sub"])[:100],
        name=str(claims["name"])[:200],
        role=role,
        room_id=str(claims["room"]),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        email=str(claims.get("email", ""))[:254],
        phone=str(claims.get("phone", ""))[:40],
        locale=str(claims.get("locale", ""))[:5],
    )


async def verify_host_token(token: str, room_id: str | None = None) -> RoomPass:
    platforms = await HostPlatform.filter(is_active=True).values_list("id", "secret")
    return read_host_token(token, dict(platforms), room_id)
