"""Room passes: the short-lived JWT (HS256) a host platform signs for each person it puts in a room,
and the ones Sanad mints itself for a staff member who logged in (its own issuer, `sanad`)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from helpdesk.adapters.orm.institute import HostPlatform
from helpdesk.domain.contacts import email_address, phone_number, without_bidi_controls
from helpdesk.domain.institute import RoomRole, staff_ref

ALGORITHM = "HS256"
DEFAULT_LIFETIME = timedelta(hours=2)
# Sanad's own issuer. Its key comes from SECRET_KEY, never from a HostPlatform row: a platform
# registered under this id (by mistake or by an intruder in the admin pages) mints nothing.
SANAD_ISSUER = "sanad"
# Short, because a console renews its staff pass while it stays open (static/consoles/console.js).
STAFF_PASS_LIFETIME = timedelta(minutes=15)
TIME_CLAIMS = ("exp", "iat", "nbf")


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
    except (jwt.PyJWTError, UnicodeError, AttributeError):  # not text, or not an object
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
    except (jwt.PyJWTError, UnicodeError):
        raise TokenRefused("token_invalid") from None
    # PyJWT reads a numeric string ("1800000000") or a float as a time: RFC 7519 wants a number,
    # and we want whole seconds that a date can hold.
    if any(type(claims.get(c, 0)) is not int for c in TIME_CLAIMS):
        raise TokenRefused("token_invalid")
    try:
        role = RoomRole(claims["role"])
        expires_at = datetime.fromtimestamp(claims["exp"], UTC)
        email, phone = _text_claim(claims, "email"), _text_claim(claims, "phone")
        if platform_id != SANAD_ISSUER:  # ours carry the staff table's address, checked there
            # the same rules as every other door (helpdesk.domain.contacts)
            email, phone = email_address(email), phone_number(phone)
    except (ValueError, OverflowError, OSError):  # InvalidContact is a ValueError
        raise TokenRefused("token_invalid") from None
    if room_id is not None and claims["room"] != room_id:
        raise TokenRefused("token_wrong_room")
    return RoomPass(
        platform_id=platform_id,
        person_ref=str(claims["sub"])[:100],
        name=without_bidi_controls(str(claims["name"]))[:200],
        role=role,
        room_id=str(claims["room"]),
        expires_at=expires_at,
        email=email,
        phone=phone,
        locale=str(claims.get("locale", ""))[:5],
    )


def _text_claim(claims: dict, name: str) -> str:
    value = claims.get(name, "")
    if not isinstance(value, str):
        raise ValueError(name)
    return value


class RoomPasses:
    """Admits people to rooms: host platforms' tokens, and the passes Sanad mints for its staff."""

    def __init__(self, secret_key: str, lifetime: timedelta = STAFF_PASS_LIFETIME):
        self._key = hashlib.sha256(("sanad-room-pass:" + secret_key).encode()).hexdigest()
        self.lifetime = lifetime

    def mint_staff_pass(
        self,
        staff_id: int,
        *,
        name: str,
        role: RoomRole,
        room_id: str,
        email: str,
        locale: str,
        now: datetime | None = None,
    ) -> str:
        return mint_host_token(
            SANAD_ISSUER,
            self._key,
            person_ref=staff_ref(staff_id),
            name=name,
            role=role,
            room_id=room_id,
            lifetime=self.lifetime,
            email=email,
            locale=locale,
            now=now,
        )

    async def verify(self, token: str, room_id: str | None = None) -> RoomPass:
        platforms = dict(await HostPlatform.filter(is_active=True).values_list("id", "secret"))
        return read_host_token(token, {**platforms, SANAD_ISSUER: self._key}, room_id)
