"""LTI 1.3 use cases: register a platform (by hand, or by LTI Dynamic Registration), approve or
disable it, begin a log-in, and launch a person into their placement's room.

Each LTI platform admits its people through a host platform row of its own (`lti-<id>`) whose
secret Sanad keeps: a launch ends with a host token Sanad signs for the launch's lifetime, and the
person continues on the same Socket.IO admission as every host platform's people.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from classroom_helper.adapters.host_tokens import mint_host_token
from classroom_helper.adapters.lti_jose import (
    STATE_LIFETIME,
    LoginStates,
    PlatformHttp,
    PlatformKeys,
    PlatformUnreachable,
    verify_id_token,
)
from classroom_helper.adapters.lti_orm import (
    LtiDeployment,
    LtiLogin,
    LtiPlacement,
    LtiPlatform,
    PlatformStatus,
)
from classroom_helper.domain import lti
from classroom_helper.domain.lti import LaunchRefused, RefusalCode
from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
from helpdesk.domain.institute import RoomRole
from helpdesk.i18n import N_

log = logging.getLogger("sanad.lti")

TOOL_NAME = "Sanad"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
MAX_URL = 500


class RegistrationError(ValueError):
    """A registration Sanad cannot take; the message is an English msgid for the reader, with
    values (msgids themselves) to put in it."""

    def __init__(self, message: str, **values: str):
        super().__init__(message)
        self.message, self.values = message, values


@dataclass(frozen=True)
class ToolUrls:
    """Where the platform reaches Sanad (absolute URLs)."""

    base: str

    @property
    def login(self) -> str:
        return f"{self.base}/lti/login"

    @property
    def launch(self) -> str:
        return f"{self.base}/lti/launch"

    @property
    def jwks(self) -> str:
        return f"{self.base}/lti/jwks"


def host_platform_id(platform_id: int) -> str:
    return f"lti-{platform_id}"


def _url(value: str, field: str, limit: int = MAX_URL) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if (
        parts.scheme not in ("https", "http")
        or not parts.netloc
        or len(value) > limit
        or parts.fragment
    ):
        raise RegistrationError(N_("%(field)s: not a web address Sanad can use."), field=field)
    return value


def _text(value: str, field: str, limit: int = 255) -> str:
    value = value.strip()
    if not value or len(value) > limit:
        raise RegistrationError(
            N_("%(field)s: required, at most %(limit)s characters."), field=field, limit=str(limit)
        )
    return value


def _deployment_ids(text: str) -> list[str]:
    ids = sorted({line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()})
    if not ids or any(len(i) > 255 for i in ids):
        raise RegistrationError(N_("Deployment ids: at least one, each at most 255 characters."))
    return ids


async def _keep_host_platform(platform: LtiPlatform) -> None:
    """The host platform row through which this platform's people enter rooms: active while the
    LTI platform is approved."""
    active = platform.status == PlatformStatus.APPROVED
    row = await HostPlatform.get_or_none(id=host_platform_id(platform.id))
    if row is None:
        await HostPlatform.create(
            id=host_platform_id(platform.id),
            name=f"LTI: {platform.name}"[:200],
            secret=secrets.token_urlsafe(32),
            is_active=active,
        )
    elif row.is_active != active:
        row.is_active = active
        await row.save(update_fields=["is_active"])


async def register_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    jwks_url: str,
    deployment_ids: str,
    manager_parameter: str = "",
    now: datetime,
) -> LtiPlatform:
    """Sanad's administrator registers a platform by hand: approved at once (they typed it)."""
    fields = {
        "name": _text(name, N_("Name"), 200),
        "issuer": _url(issuer, N_("Issuer"), 255),
        "client_id": _text(client_id, N_("Client id")),
        "auth_login_url": _url(auth_login_url, N_("Authentication request URL")),
        "jwks_url": _url(jwks_url, N_("Public keyset URL")),
        "manager_parameter": manager_parameter.strip()[:60],
    }
    ids = _deployment_ids(deployment_ids)
    async with in_transaction():
        if await LtiPlatform.exists(issuer=fields["issuer"], client_id=fields["client_id"]):
            raise RegistrationError(N_("This issuer and client id are registered already."))
        platform = await LtiPlatform.create(
            **fields, status=PlatformStatus.APPROVED, approved_at=now
        )
        for deployment_id in ids:
            await LtiDeployment.create(platform=platform, deployment_id=deployment_id)
        await _keep_host_platform(platform)
    log.info("lti: platform %s registered by hand (%s)", platform.id, platform.issuer)
    return platform


def tool_configuration(urls: ToolUrls, locale: str = "ar") -> dict:
    """What Sanad tells a platform about itself (LTI Dynamic Registration 1.0, section 3.4)."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": urls.login,
        "redirect_uris": [urls.launch],
        "client_name": TOOL_NAME,
        "jwks_uri": urls.jwks,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "",
        TOOL_CONFIGURATION: {
            "domain": urlsplit(urls.base).netloc,
            "target_link_uri": urls.launch,
            "description": "Help in the live class: technical issues to the room manager, "
            "questions to the trainer.",
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
            "messages": [
                {
                    "type": lti.RESOURCE_LINK_REQUEST,
                    "target_link_uri": urls.launch,
                    "label": "سند — Sanad",
                }
            ],
        },
    }


async def register_dynamically(
    http: PlatformHttp,
    urls: ToolUrls,
    openid_configuration: str,
    registration_token: str,
) -> LtiPlatform:
    """LTI Dynamic Registration: read the platform's configuration, post Sanad's, and keep the
    platform waiting for Sanad's administrator to approve it."""
    config_url = _url(openid_configuration, "openid_configuration")
    try:
        config = await http.get_json(config_url)
    except PlatformUnreachable as error:
        log.warning("lti: dynamic registration: %s", error)
        raise RegistrationError(N_("Sanad could not read the platform's configuration.")) from None
    if not isinstance(config, dict):
        raise RegistrationError(N_("The platform's configuration is not what LTI describes."))
    issuer = config.get("issuer")
    if (
        not isinstance(issuer, str)
        or len(issuer) > 255
        or not lti.is_same_origin_prefix(issuer, config_url)
    ):
        raise RegistrationError(N_("The platform's configuration does not belong to its issuer."))
    try:
        endpoints = {
            name: _url(str(config.get(name, "")), name)
            for name in ("authorization_endpoint", "jwks_uri", "registration_endpoint")
        }
        token_url = _url(str(config["token_endpoint"]), "token_endpoint")
    except (RegistrationError, KeyError):
        raise RegistrationError(
            N_("The platform's configuration is not what LTI describes.")
        ) from None
    described = config.get(PLATFORM_CONFIGURATION)
    product = described.get("product_family_code", "") if isinstance(described, dict) else ""
    try:
        answer = await http.post_json(
            endpoints["registration_endpoint"], tool_configuration(urls), registration_token
        )
    except PlatformUnreachable as error:
        log.warning("lti: dynamic registration refused by %s: %s", issuer, error)
        raise RegistrationError(N_("The platform refused Sanad's registration.")) from None
    client_id = answer.get("client_id") if isinstance(answer, dict) else None
    told = answer.get(TOOL_CONFIGURATION) if isinstance(answer, dict) else None
    deployment = told.get("deployment_id") if isinstance(told, dict) else None
    if not isinstance(client_id, str) or not client_id or len(client_id) > 255:
        raise RegistrationError(N_("The platform's answer has no client id."))
    async with in_transaction():
        # kept exactly as the platform writes it: its id_tokens' iss must equal it
        platform = await LtiPlatform.get_or_none(issuer=issuer, client_id=client_id)
        if platform is None:
            platform = await LtiPlatform.create(
                name=(str(product) or urlsplit(issuer).netloc)[:200],
                issuer=issuer,
                client_id=client_id,
                auth_login_url=endpoints["authorization_endpoint"],
                jwks_url=endpoints["jwks_uri"],
                token_url=token_url,
                dynamic=True,
                product=str(product)[:100],
            )
        if isinstance(deployment, str) and 0 < len(deployment) <= 255:
            await LtiDeployment.get_or_create(platform=platform, deployment_id=deployment)
        await _keep_host_platform(platform)
    log.info("lti: platform %s registered itself (%s), waiting for approval", platform.id, issuer)
    return platform


async def set_platform_status(platform_id: int, status: PlatformStatus, now: datetime) -> None:
    """The administrator approves a platform (its launches are taken) or disables it (refused)."""
    async with in_transaction():
        platform = await LtiPlatform.get_or_none(id=platform_id)
        if platform is None:
            raise RegistrationError(N_("No such platform."))
        platform.status = status
        if status == PlatformStatus.APPROVED and platform.approved_at is None:
            platform.approved_at = now
        await platform.save(update_fields=["status", "approved_at"])
        await _keep_host_platform(platform)
    log.info("lti: platform %s is now %s", platform_id, status)


async def save_platform_settings(platform_id: int, deployment_ids: str, manager_parameter: str):
    """The administrator edits a platform's deployments and its room-manager custom parameter."""
    ids = _deployment_ids(deployment_ids)
    async with in_transaction():
        platform = await LtiPlatform.get_or_none(id=platform_id)
        if platform is None:
            raise RegistrationError(N_("No such platform."))
        platform.manager_parameter = manager_parameter.strip()[:60]
        await platform.save(update_fields=["manager_parameter"])
        await LtiDeployment.filter(platform=platform).exclude(deployment_id__in=ids).delete()
        for deployment_id in ids:
            await LtiDeployment.get_or_create(platform=platform, deployment_id=deployment_id)


# --- log-in and launch -----------------------------------------------------------------------


async def _approved(issuer: str, client_id: str | None) -> LtiPlatform:
    query = LtiPlatform.filter(issuer=issuer)
    if client_id:
        query = query.filter(client_id=client_id)
    platforms = await query.order_by("id")
    if not platforms:
        raise LaunchRefused(RefusalCode.UNKNOWN_PLATFORM, f"{issuer} / {client_id}")
    approved = [p for p in platforms if p.status == PlatformStatus.APPROVED]
    if not approved:
        raise LaunchRefused(RefusalCode.PLATFORM_NOT_APPROVED, issuer)
    if len(approved) > 1:  # several registrations of one issuer: the platform must say which
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "client_id is needed")
    return approved[0]


@dataclass(frozen=True)
class LoginRedirect:
    url: str
    platform: LtiPlatform


async def begin_login(
    states: LoginStates,
    urls: ToolUrls,
    *,
    issuer: str,
    login_hint: str,
    target_link_uri: str,
    message_hint: str | None,
    client_id: str | None,
    now: datetime,
) -> LoginRedirect:
    """OIDC third-party initiated log-in (LTI Core 1.3, 5.1.1): the authentication request that
    sends the browser back to the platform, with a nonce for one launch."""
    if not issuer or not login_hint or not target_link_uri:
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "iss, login_hint and target_link_uri")
    if urlsplit(target_link_uri).netloc != urlsplit(urls.base).netloc:
        # never an open redirector
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "target_link_uri is not Sanad")
    platform = await _approved(issuer, client_id)
    nonce = secrets.token_urlsafe(32)
    async with in_transaction():
        await LtiLogin.filter(expires_at__lt=now).delete()
        await LtiLogin.create(
            nonce=nonce, platform=platform, expires_at=now + timedelta(seconds=STATE_LIFETIME)
        )
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": urls.launch,
        "login_hint": login_hint,
        "state": states.sign(platform.id, nonce, now.timestamp()),
        "nonce": nonce,
    }
    if message_hint is not None:
        query["lti_message_hint"] = message_hint
    separator = "&" if "?" in platform.auth_login_url else "?"
    return LoginRedirect(f"{platform.auth_login_url}{separator}{urlencode(query)}", platform)


@dataclass(frozen=True)
class LaunchedPerson:
    """Where a launch puts its person, with the pass the page hands to the widget or console."""

    room: RoomSession
    role: RoomRole
    token: str
    locale: str
    platform: LtiPlatform


def _new_room_id() -> str:
    return f"lti-{secrets.token_hex(8)}"


async def _placement_room(platform: LtiPlatform, launch: lti.Launch, now: datetime) -> RoomSession:
    """The placement's room, made at its first launch with the course's and the link's titles."""
    keys = {
        "platform": platform,
        "deployment_id": launch.deployment_id,
        "context_id": launch.context_id,
        "resource_link_id": launch.resource_link_id,
    }
    title = lti.room_title(launch)
    placement = await LtiPlacement.select_for_update().get_or_none(**keys)
    if placement is None:
        placement = await LtiPlacement.create(**keys, title=title, room_id=_new_room_id())
    room = await RoomSession.get_or_none(room_id=placement.room_id)
    end = now + lti.CLASS_LENGTH
    if room is None:
        return await RoomSession.create(
            room_id=placement.room_id, title=title, scheduled_start=now, scheduled_end=end
        )
    plan = lti.session_plan(room.state, room.scheduled_end, launch.role, now)
    if plan is lti.SessionPlan.EXTEND:
        room.scheduled_end = end
        await room.save(update_fields=["scheduled_end"])
    elif plan is lti.SessionPlan.NEW_ROOM:
        placement.generation += 1
        placement.room_id = _new_room_id()
        placement.title = title
        await placement.save(update_fields=["generation", "room_id", "title"])
        room = await RoomSession.create(
            room_id=placement.room_id, title=title, scheduled_start=now, scheduled_end=end
        )
    return room


async def launch(
    keys: PlatformKeys, states: LoginStates, *, id_token: str, state: str, now: datetime
) -> LaunchedPerson:
    """A resource link launch (LTI Core 1.3, 5.1.3 and 5.3): every check, then the person's room
    (made at the placement's first launch) and their pass. A refused launch creates nothing."""
    if not id_token or not state:
        raise LaunchRefused(RefusalCode.BAD_REQUEST, "id_token and state are required")
    platform_id, nonce = states.read(state)
    platform = await LtiPlatform.get_or_none(id=platform_id)
    if platform is None:
        raise LaunchRefused(RefusalCode.UNKNOWN_PLATFORM)
    if platform.status != PlatformStatus.APPROVED:
        raise LaunchRefused(RefusalCode.PLATFORM_NOT_APPROVED, platform.issuer)
    claims = await verify_id_token(
        id_token,
        keys,
        jwks_url=platform.jwks_url,
        issuer=platform.issuer,
        client_id=platform.client_id,
    )
    if claims["nonce"] != nonce:
        raise LaunchRefused(RefusalCode.BAD_STATE, "the nonce is not this log-in's")
    deployments = set(
        await LtiDeployment.filter(platform=platform).values_list("deployment_id", flat=True)
    )
    person = lti.read_launch(claims, deployments, platform.manager_parameter)
    for attempt in (1, 2):
        try:
            async with in_transaction():
                # used once: the second launch with this nonce finds no row
                used = await LtiLogin.filter(
                    nonce=nonce, platform=platform, expires_at__gte=now
                ).delete()
                if not used:
                    raise LaunchRefused(RefusalCode.REPLAYED)
                room = await _placement_room(platform, person, now)
                host = await HostPlatform.get(id=host_platform_id(platform.id))
            break
        except IntegrityError:  # two first launches of one placement at once: take the other's
            if attempt == 2:
                raise
    token = mint_host_token(
        host.id,
        host.secret,
        person_ref=lti.person_ref(platform.id, person.person_id),
        name=person.name,
        role=person.role,
        room_id=room.room_id,
        lifetime=lti.PASS_LIFETIME,
        email=person.email,
        locale=person.locale,
        now=now,
    )
    log.info(
        "lti: launch platform=%s deployment=%s room=%s role=%s",
        platform.id, person.deployment_id, room.room_id, person.role,
    )  # fmt: skip
    return LaunchedPerson(room, person.role, token, person.locale, platform)


def platform_origins(platform: LtiPlatform) -> list[str]:
    """Origins that may frame Sanad's launch pages: the platform's own addresses."""
    origins = []
    for url in (platform.issuer, platform.auth_login_url):
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
            if origin not in origins:
                origins.append(origin)
    return origins
