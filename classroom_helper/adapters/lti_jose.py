"""The JOSE side of LTI 1.3, through PyJWT (with `cryptography`): the tool's own RSA key and its
JWKS, the platforms' keys fetched with aiohttp (never blocking the event loop) and cached, the
id_token checks of LTI Core 1.3 section 5.1.3, and the signed state of a log-in under way.

PyJWT's own `PyJWKClient` fetches with urllib, which blocks the event loop: the key sets are fetched
here with aiohttp and read with PyJWT's public `PyJWKSet`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from tortoise.exceptions import IntegrityError

from classroom_helper.adapters.lti_orm import LtiToolKey
from classroom_helper.domain.lti import LaunchRefused, RefusalCode

log = logging.getLogger("sanad.lti")

ALGORITHMS = ["RS256"]  # LTI Core 1.3 / 1EdTech Security Framework 1.0: RS256
KEY_SET_LIFESPAN = 300.0  # seconds a platform's key set is trusted before it is fetched again
REFETCH_COOLDOWN = 30.0  # an unknown kid fetches the set again at most this often (key rotation)
LEEWAY = 30  # seconds of clock difference allowed on exp / iat
MAX_AGE = 600  # an id_token issued longer ago than this is refused (with its own exp)
STATE_LIFETIME = 600  # seconds a log-in may take at the platform
STATE_AUDIENCE = "sanad-lti-state"
HTTP_TIMEOUT = aiohttp.ClientTimeout(total=10)
MAX_DOCUMENT = 256 * 1024  # bytes: a key set or a configuration is far smaller


class PlatformUnreachable(Exception):
    """The platform did not answer, or not with what the specification says."""


# --- the tool's key --------------------------------------------------------------------------


@dataclass(frozen=True)
class ToolKey:
    kid: str
    private_pem: str

    def public_jwk(self) -> dict[str, Any]:
        private = serialization.load_pem_private_key(self.private_pem.encode(), password=None)
        jwk = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


async def tool_key() -> ToolKey:
    """The tool's RSA key, generated at the first need and kept (one row, shared by processes)."""
    row = await LtiToolKey.filter(id=1).first()
    if row is None:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        try:
            row = await LtiToolKey.create(id=1, kid=uuid.uuid4().hex, private_pem=pem)
        except IntegrityError:  # another process made it first
            row = await LtiToolKey.get(id=1)
    return ToolKey(row.kid, row.private_pem)


# --- HTTP to platforms ---------------------------------------------------------------------


async def _json(response: aiohttp.ClientResponse) -> Any:
    if response.status >= 400:
        raise PlatformUnreachable(f"HTTP {response.status} from {response.url}")
    body = await response.content.read(MAX_DOCUMENT + 1)
    if len(body) > MAX_DOCUMENT:
        raise PlatformUnreachable(f"{response.url} answered with too large a document")
    try:
        return json.loads(body)
    except ValueError:
        raise PlatformUnreachable(f"{response.url} did not answer JSON") from None


class PlatformHttp:
    """One aiohttp client session for every call to platforms; made in the running loop."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=HTTP_TIMEOUT)
        return self._session

    async def get_json(self, url: str) -> Any:
        try:
            async with self.session.get(url, allow_redirects=False) as response:
                return await _json(response)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise PlatformUnreachable(f"{url}: {error!r}") from None

    async def post_json(self, url: str, document: dict, bearer: str = "") -> Any:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        try:
            async with self.session.post(
                url, json=document, headers=headers, allow_redirects=False
            ) as response:
                return await _json(response)
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise PlatformUnreachable(f"{url}: {error!r}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


# --- platforms' key sets ---------------------------------------------------------------------


@dataclass
class _CachedSet:
    keys: jwt.PyJWKSet
    fetched_at: float


class PlatformKeys:
    """Platforms' JWKS, fetched with aiohttp and cached per URL; an unknown kid refetches (the
    platform rotated its key), at most once per cooldown."""

    def __init__(self, http: PlatformHttp, lifespan: float = KEY_SET_LIFESPAN):
        self.http = http
        self.lifespan = lifespan
        self._sets: dict[str, _CachedSet] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._refetched: dict[str, float] = {}

    async def _fetch(self, url: str) -> _CachedSet:
        document = await self.http.get_json(url)
        try:
            keys = jwt.PyJWKSet.from_dict(document)
        except (jwt.PyJWTError, TypeError, AttributeError) as error:
            raise PlatformUnreachable(f"{url}: not a key set ({error})") from None
        cached = self._sets[url] = _CachedSet(keys, time.monotonic())
        return cached

    async def signing_key(self, url: str, kid: str | None) -> jwt.PyJWK:
        lock = self._locks.setdefault(url, asyncio.Lock())
        async with lock:
            cached, now = self._sets.get(url), time.monotonic()
            fetched = cached is None or now - cached.fetched_at > self.lifespan
            if fetched:
                cached = await self._fetch(url)
            key = _find(cached.keys, kid)
            # an unknown kid: the platform may have rotated its key (forged kids refetch at
            # most once per cooldown)
            if (
                key is None
                and not fetched
                and now - self._refetched.get(url, -REFETCH_COOLDOWN) >= REFETCH_COOLDOWN
            ):
                self._refetched[url] = now
                key = _find((await self._fetch(url)).keys, kid)
        if key is None:
            raise LaunchRefused(RefusalCode.BAD_SIGNATURE, f"no key {kid!r} in {url}")
        return key


def _find(keys: jwt.PyJWKSet, kid: str | None) -> jwt.PyJWK | None:
    signing = [k for k in keys.keys if k.public_key_use in (None, "sig")]
    if kid is None:
        return signing[0] if len(signing) == 1 else None
    return next((k for k in signing if k.key_id == kid), None)


# --- the id_token ------------------------------------------------------------------------------


async def verify_id_token(
    token: str, keys: PlatformKeys, *, jwks_url: str, issuer: str, client_id: str
) -> dict[str, Any]:
    """The claims of a platform's id_token after every check of LTI Core 1.3 section 5.1.3 that
    needs no database: signature (RS256, the platform's JWKS), iss, aud/azp, exp, iat."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "id_token is not a JWT") from None
    if header.get("alg") not in ALGORITHMS:
        raise LaunchRefused(RefusalCode.BAD_SIGNATURE, f"alg {header.get('alg')!r}")
    try:
        key = await keys.signing_key(jwks_url, header.get("kid"))
    except PlatformUnreachable as error:
        log.warning("lti: cannot fetch the key set of %s: %s", issuer, error)
        raise LaunchRefused(RefusalCode.KEYS_UNREACHABLE, str(error)) from None
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=client_id,
            issuer=issuer,
            leeway=LEEWAY,
            options={"require": ["iss", "aud", "exp", "iat", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise LaunchRefused(RefusalCode.EXPIRED) from None
    except jwt.InvalidAudienceError:
        raise LaunchRefused(RefusalCode.WRONG_AUDIENCE) from None
    except jwt.InvalidIssuerError:
        raise LaunchRefused(RefusalCode.UNKNOWN_PLATFORM, "iss") from None
    except jwt.InvalidSignatureError:
        raise LaunchRefused(RefusalCode.BAD_SIGNATURE) from None
    except jwt.PyJWTError as error:
        raise LaunchRefused(RefusalCode.BAD_REQUEST, str(error)) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != client_id:
        raise LaunchRefused(RefusalCode.WRONG_AUDIENCE, f"azp {azp!r}")
    if not isinstance(claims["iat"], int | float) or claims["iat"] < time.time() - MAX_AGE:
        raise LaunchRefused(RefusalCode.EXPIRED, "issued too long ago")
    return claims


# --- the state of a log-in under way ---------------------------------------------------------


class LoginStates:
    """The `state` of a log-in: signed by Sanad and carried through the platform's form post (no
    third-party cookie is needed inside the platform's iframe); it names the log-in's nonce, whose
    row in the database lets one launch use it once."""

    def __init__(self, secret_key: str):
        self._key = hashlib.sha256(("sanad-lti-state:" + secret_key).encode()).hexdigest()

    def sign(self, platform_id: int, nonce: str, now: float | None = None) -> str:
        now = time.time() if now is None else now
        claims = {
            "aud": STATE_AUDIENCE,
            "platform": platform_id,
            "nonce": nonce,
            "iat": int(now),
            "exp": int(now + STATE_LIFETIME),
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def read(self, state: str) -> tuple[int, str]:
        """(platform id, nonce) of a state Sanad signed; refuses anything else."""
        try:
            claims = jwt.decode(
                state,
                self._key,
                algorithms=["HS256"],
                audience=STATE_AUDIENCE,
                options={"require": ["aud", "platform", "nonce", "exp"]},
            )
        except jwt.ExpiredSignatureError:
            raise LaunchRefused(RefusalCode.EXPIRED, "state") from None
        except jwt.PyJWTError:
            raise LaunchRefused(RefusalCode.BAD_STATE) from None
        if not isinstance(claims["platform"], int) or not isinstance(claims["nonce"], str):
            raise LaunchRefused(RefusalCode.BAD_STATE)
        return claims["platform"], claims["nonce"]
