"""The shape of every client event (docs/realtime-protocol.md): types, lengths, enums, size caps.

Every event carries `cid`, the client-made id that makes a retried send harmless."""

import json
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationError,
)

from classroom_helper.domain.content_questions import AnswerAudience
from classroom_helper.domain.errors import RoomError
from classroom_helper.domain.room_issues import IssueCategory
from helpdesk.domain.contacts import without_bidi_controls

ISSUE_TEXT_MAX = 2000
QUESTION_TEXT_MAX = 1000
MESSAGE_MAX = 2000
REASON_MAX = 500
DIAGNOSTICS_MAX_BYTES = 4096
DIAGNOSTICS_MAX_KEYS = 40
DIAGNOSTICS_VALUE_MAX = 500

# Control characters other than tab and newline have no place in what people write (and NUL
# is refused by PostgreSQL text columns).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# What no database column takes: NUL, and lone surrogates (a JSON "\ud800" decodes to one).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean(text: str) -> str:
    if _UNSTORABLE.search(text):
        raise ValueError("text with a character that cannot be stored (NUL or a lone surrogate)")
    return without_bidi_controls(_CONTROL.sub("", text)).strip()


def _storable(data: Any, depth: int = 0) -> bool:
    """No string anywhere in the event (keys included) holds what a database cannot store."""
    if isinstance(data, str):
        return not _UNSTORABLE.search(data)
    if depth > 8:
        return True  # the models refuse anything nested this deep
    if isinstance(data, dict):
        return all(_storable(k, depth + 1) and _storable(v, depth + 1) for k, v in data.items())
    if isinstance(data, list | tuple):
        return all(_storable(v, depth + 1) for v in data)
    return True


def _text(max_length: int, min_length: int = 0) -> Any:
    return Annotated[
        str,
        Field(strict=True),
        AfterValidator(_clean),
        StringConstraints(min_length=min_length, max_length=max_length),
    ]


ClientId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$"), Field(strict=True)]
ItemId = Annotated[int, Field(strict=True, ge=1, le=2**31 - 1)]
DiagnosticKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,64}$")]
DiagnosticValue = (
    Annotated[str, StringConstraints(max_length=DIAGNOSTICS_VALUE_MAX)]
    | Annotated[int, Field(strict=True)]
    | Annotated[float, Field(strict=True, allow_inf_nan=False)]
    | StrictBool
    | None
)


def _capped(diagnostics: dict[str, Any]) -> dict[str, Any]:
    if len(diagnostics) > DIAGNOSTICS_MAX_KEYS:
        raise ValueError(f"at most {DIAGNOSTICS_MAX_KEYS} diagnostics")
    size = len(json.dumps(diagnostics, ensure_ascii=False).encode())
    if size > DIAGNOSTICS_MAX_BYTES:
        raise ValueError(f"diagnostics take {size} bytes; at most {DIAGNOSTICS_MAX_BYTES}")
    return {key: _clean(v) if isinstance(v, str) else v for key, v in diagnostics.items()}


Diagnostics = Annotated[dict[DiagnosticKey, DiagnosticValue], AfterValidator(_capped)]


class ClientEvent(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    cid: ClientId


class Sync(BaseModel):
    """Reading changes nothing, so `cid` is optional here."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    cid: ClientId | None = None
    last_seq: Annotated[int, Field(strict=True, ge=0)] | None = None


class SessionChange(ClientEvent):
    pass


class RaiseIssue(ClientEvent):
    category: IssueCategory
    text: _text(ISSUE_TEXT_MAX) = ""
    diagnostics: Diagnostics = Field(default_factory=dict)


class OnIssue(ClientEvent):
    issue_id: ItemId


class IssueMessage(OnIssue):
    text: _text(MESSAGE_MAX, 1)


class ResolveIssue(OnIssue):
    note: _text(MESSAGE_MAX) = ""


class ReopenIssue(OnIssue):
    text: _text(MESSAGE_MAX) = ""


class OnIncident(ClientEvent):
    incident_id: ItemId


class IncidentMessage(OnIncident):
    text: _text(MESSAGE_MAX, 1)


class ResolveIncident(OnIncident):
    note: _text(MESSAGE_MAX) = ""


class AskQuestion(ClientEvent):
    text: _text(QUESTION_TEXT_MAX, 1)
    hide_name: StrictBool = False


class OnQuestion(ClientEvent):
    question_id: ItemId


class AnswerQuestion(OnQuestion):
    text: _text(MESSAGE_MAX, 1)
    audience: AnswerAudience = AnswerAudience.ROOM


class DismissQuestion(OnQuestion):
    reason: _text(REASON_MAX, 1)


# event name → the payload it must carry
EVENTS: dict[str, type[BaseModel]] = {
    "room.sync": Sync,
    "session.open": SessionChange,
    "session.close": SessionChange,
    "issue.raise": RaiseIssue,
    "issue.claim": OnIssue,
    "issue.message": IssueMessage,
    "issue.resolve": ResolveIssue,
    "issue.escalate": ResolveIssue,
    "issue.reroute": OnIssue,
    "issue.confirm": OnIssue,
    "issue.reopen": ReopenIssue,
    "issue.withdraw": OnIssue,
    "incident.resolve": ResolveIncident,
    "incident.message": IncidentMessage,
    "question.ask": AskQuestion,
    "question.upvote": OnQuestion,
    "question.answer": AnswerQuestion,
    "question.answer_live": OnQuestion,
    "question.dismiss": DismissQuestion,
    "question.reroute": OnQuestion,
}


class InvalidPayload(RoomError):
    """The event's data is not what the protocol asks for."""

    code = "invalid_payload"


def parse(event: str, data: Any) -> BaseModel:
    """Validate a client event's data, or raise InvalidPayload saying which fields are wrong."""
    model = EVENTS.get(event)
    if model is None:
        raise RoomError(f"Unknown event {event!r}.", code="unknown_event")
    if not isinstance(data, dict):
        raise InvalidPayload("The event's data must be an object.")
    if not _storable(data):
        raise InvalidPayload(f"Invalid {event}: text with NUL or a lone surrogate.")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        fields = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'data'}: {e['msg']}"
            for e in error.errors()[:5]
        )
        raise InvalidPayload(f"Invalid {event}: {fields}") from None
