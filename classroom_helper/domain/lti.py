"""LTI 1.3 launches, in the live room's words: which launches Sanad accepts (1EdTech LTI Core 1.3,
resource link launches only), who the person is in the room, and which room their placement is.

Pure: the claims come in already verified (signature, issuer, audience, expiry, nonce) by the
adapter; this module reads what they say.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from helpdesk.domain.institute import RoomRole, RoomState

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
VERSION = CLAIM + "version"
DEPLOYMENT_ID = CLAIM + "deployment_id"
RESOURCE_LINK = CLAIM + "resource_link"
CONTEXT = CLAIM + "context"
ROLES = CLAIM + "roles"
CUSTOM = CLAIM + "custom"
LAUNCH_PRESENTATION = CLAIM + "launch_presentation"
TARGET_LINK_URI = CLAIM + "target_link_uri"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
LTI_VERSION = "1.3.0"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
LEARNER = f"{MEMBERSHIP}#Learner"
INSTRUCTOR = f"{MEMBERSHIP}#Instructor"
# LIS v2 names a sub-role as <role>#<sub-role>; some platforms send the older form with a slash.
TEACHING_ASSISTANTS = frozenset(
    {
        f"{MEMBERSHIP}/Instructor#TeachingAssistant",
        f"{MEMBERSHIP}#Instructor#TeachingAssistant",
        f"{MEMBERSHIP}#TeachingAssistant",
    }
)

# A launch admits its person for the length of a class plus a margin (the platform's id_token
# itself lives a minute or so: it only carries the person to Sanad).
PASS_LIFETIME = timedelta(hours=3)
# A placement's room session starts at its first launch and lasts as long as a pass.
CLASS_LENGTH = PASS_LIFETIME
MAX_REF = 100  # RoomSession.room_id, a person's ref
MAX_NAME = 200
MAX_TITLE = 300


class RefusalCode(StrEnum):
    """Why a launch (or its log-in) is refused; each has a page that says what to tell whom."""

    UNKNOWN_PLATFORM = "unknown_platform"
    PLATFORM_NOT_APPROVED = "platform_not_approved"
    BAD_REQUEST = "bad_request"
    BAD_STATE = "bad_state"
    BAD_SIGNATURE = "bad_signature"
    KEYS_UNREACHABLE = "keys_unreachable"
    WRONG_AUDIENCE = "wrong_audience"
    EXPIRED = "expired"
    REPLAYED = "replayed"
    UNKNOWN_DEPLOYMENT = "unknown_deployment"
    WRONG_MESSAGE_TYPE = "wrong_message_type"
    WRONG_VERSION = "wrong_version"
    MISSING_CLAIM = "missing_claim"
    MISSING_ROLE = "missing_role"


class LaunchRefused(Exception):
    def __init__(self, code: RefusalCode, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Launch:
    """What a valid resource link launch says, trimmed to what Sanad keeps."""

    deployment_id: str
    context_id: str
    context_title: str
    resource_link_id: str
    resource_link_title: str
    person_id: str
    name: str
    email: str
    locale: str
    role: RoomRole


def _text(value: object, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _required(claims: dict, name: str) -> object:
    if name not in claims:
        raise LaunchRefused(RefusalCode.MISSING_CLAIM, name)
    return claims[name]


def room_role(roles: list[str], custom: dict, manager_parameter: str, person: set[str]) -> RoomRole:
    """Teaching assistants (or the people the activity's chosen custom parameter lists) run the
    room; instructors teach; learners are trainees. Any other role is refused."""
    if manager_parameter:
        listed = custom.get(manager_parameter)
        if isinstance(listed, str):
            names = {item.strip().lower() for item in listed.split(",") if item.strip()}
            if names & {p.lower() for p in person if p}:
                return RoomRole.ROOM_MANAGER
    if TEACHING_ASSISTANTS & set(roles):
        return RoomRole.ROOM_MANAGER
    if INSTRUCTOR in roles or "Instructor" in roles:
        return RoomRole.TRAINER
    if LEARNER in roles or "Learner" in roles:
        return RoomRole.TRAINEE
    raise LaunchRefused(RefusalCode.MISSING_ROLE, ", ".join(roles)[:200])


def person_locale(tag: object) -> str:
    """The platform's language for this person: English when it says so, else Arabic."""
    if isinstance(tag, str) and tag[:2].lower() == "en":
        return "en"
    return "ar"


def read_launch(claims: dict, deployments: set[str], manager_parameter: str = "") -> Launch:
    """The launch a verified id_token carries, if Sanad takes it (LTI Core 1.3, section 5)."""
    if _required(claims, MESSAGE_TYPE) != RESOURCE_LINK_REQUEST:
        raise LaunchRefused(RefusalCode.WRONG_MESSAGE_TYPE, str(claims[MESSAGE_TYPE])[:100])
    if _required(claims, VERSION) != LTI_VERSION:
        raise LaunchRefused(RefusalCode.WRONG_VERSION, str(claims[VERSION])[:100])
    deployment = _required(claims, DEPLOYMENT_ID)
    if not isinstance(deployment, str) or deployment not in deployments:
        raise LaunchRefused(RefusalCode.UNKNOWN_DEPLOYMENT, str(deployment)[:255])
    link = _required(claims, RESOURCE_LINK)
    if not isinstance(link, dict) or not _text(link.get("id"), 255):
        raise LaunchRefused(RefusalCode.MISSING_CLAIM, RESOURCE_LINK)
    person_id = _text(claims.get("sub"), 255)
    if not person_id:  # an anonymous launch: nobody to admit
        raise LaunchRefused(RefusalCode.MISSING_CLAIM, "sub")
    roles = _required(claims, ROLES)
    if not isinstance(roles, list):
        raise LaunchRefused(RefusalCode.MISSING_ROLE)
    context = claims.get(CONTEXT) if isinstance(claims.get(CONTEXT), dict) else {}
    custom = claims.get(CUSTOM) if isinstance(claims.get(CUSTOM), dict) else {}
    presentation = claims.get(LAUNCH_PRESENTATION)
    email = _text(claims.get("email"), 254)
    role = room_role([r for r in roles if isinstance(r, str)], custom, manager_parameter,
                     {person_id, email})  # fmt: skip
    name = _text(claims.get("name"), MAX_NAME) or " ".join(
        part for part in (_text(claims.get("given_name"), 100), _text(claims.get("family_name"), 100))
        if part
    )  # fmt: skip
    return Launch(
        deployment_id=deployment,
        context_id=_text(context.get("id"), 255),
        context_title=_text(context.get("title"), MAX_TITLE) or _text(context.get("label"), 100),
        resource_link_id=_text(link["id"], 255),
        resource_link_title=_text(link.get("title"), MAX_TITLE),
        person_id=person_id,
        name=name or email or person_id[:MAX_NAME],
        email=email,
        locale=person_locale(presentation.get("locale") if isinstance(presentation, dict) else ""),
        role=role,
    )


def room_title(launch: Launch) -> str:
    """The room's title from the course's and the link's titles."""
    parts = [p for p in (launch.context_title, launch.resource_link_title) if p]
    return " — ".join(parts)[:MAX_TITLE] or launch.resource_link_id[:MAX_TITLE]


def person_ref(platform_id: int, person_id: str) -> str:
    """A person from a platform: their platform's number keeps two platforms' ids apart."""
    return f"lti:{platform_id}:{person_id}"[:MAX_REF]


class SessionPlan(StrEnum):
    KEEP = "keep"  # the room's session stays as it is
    EXTEND = "extend"  # its scheduled end moves to a class length from now
    NEW_ROOM = "new_room"  # it closed: the placement gets a fresh room


def session_plan(
    state: RoomState, scheduled_end: datetime, role: RoomRole, now: datetime
) -> SessionPlan:
    """What a launch does to its placement's room session. Staff bring a closed placement back
    (a new room) and keep a running one going; a trainee changes nothing."""
    if role is RoomRole.TRAINEE:
        return SessionPlan.KEEP
    if state == RoomState.CLOSED:
        return SessionPlan.NEW_ROOM
    return SessionPlan.EXTEND if scheduled_end < now + CLASS_LENGTH else SessionPlan.KEEP


def is_same_origin_prefix(issuer: str, configuration_url: str) -> bool:
    """LTI Dynamic Registration 1.0, 3.5.1: the configuration URL must belong to the issuer."""
    issuer = issuer.rstrip("/")
    return bool(issuer) and (
        configuration_url == issuer or configuration_url.startswith(issuer + "/")
    )
