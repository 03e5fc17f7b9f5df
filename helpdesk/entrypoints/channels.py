"""Intake entry points: the public web form, attachment downloads, channel webhooks, phone calls.

Views only check and translate: each stores what arrived through the intake service, which turns it
into a ticket.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import secrets
from datetime import UTC, datetime
from urllib.parse import quote, unquote

import aiohttp_jinja2
from aiohttp import BodyPartReader, web
from pydantic import BaseModel, ValidationError, field_validator

from helpdesk.adapters.channels.attachments import (
    MAX_FILES,
    AttachmentRefused,
    checked_type,
    safe_filename,
)
from helpdesk.adapters.channels.whatsapp import WhatsAppWebhook
from helpdesk.adapters.channels.x import XWebhook
from helpdesk.adapters.database import row_id
from helpdesk.adapters.orm.channels import Attachment
from helpdesk.domain.channels import whatsapp_signature_valid, x_crc_response, x_signature_valid
from helpdesk.domain.contacts import InvalidContact, email_address, phone_number
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.secret_check import same_secret
from helpdesk.domain.tickets import Category, Channel, ContactPreference, TicketKind
from helpdesk.entrypoints import keys
from helpdesk.entrypoints.auth import current_staff
from helpdesk.entrypoints.console import LEVEL1, staff_actor
from helpdesk.entrypoints.csrf import checked_form, csrf_token, form_of
from helpdesk.entrypoints.errors import error_text, path_id
from helpdesk.entrypoints.problems import problem
from helpdesk.i18n import N_
from helpdesk.services import intake as intake_service
from helpdesk.services import phone_calls
from helpdesk.services.intake import process, receive, receive_web_form
from helpdesk.services.messages import CATEGORY_NAMES, CHANNEL_NAMES, KIND_NAMES
from helpdesk.services.outbox import tracking_path
from helpdesk.services.tickets import Actor, InvalidInput

log = logging.getLogger("sanad.channels")

# -- the web form --------------------------------------------------------------------------------

# The kinds a person may send from the public form; the words are the helpdesk's own.
FORM_KINDS = {
    kind: KIND_NAMES[kind]
    for kind in (
        TicketKind.COMPLAINT,
        TicketKind.SUGGESTION,
        TicketKind.TECHNICAL_ISSUE,
        TicketKind.INQUIRY,
    )
}
KIND_HINTS = {
    TicketKind.COMPLAINT: N_("Something went wrong with a service of the institute."),
    TicketKind.SUGGESTION: N_("An idea to make training better."),
    TicketKind.TECHNICAL_ISSUE: N_("The platform, your account or a live session does not work."),
    TicketKind.INQUIRY: N_("Ask about registration, courses or certificates."),
}
CATEGORIES = {Category(value): name for value, name in CATEGORY_NAMES.items()}
# The fields each kind of message asks for, beyond the person's name and contact.
KIND_FIELDS = {
    TicketKind.COMPLAINT: ("category", "course", "subject", "description"),
    TicketKind.SUGGESTION: ("category", "subject", "description"),
    TicketKind.TECHNICAL_ISSUE: ("category", "device", "subject", "description"),
    TicketKind.INQUIRY: ("category", "subject", "description"),
}
FIELD_ERRORS = {
    "category": N_("Choose what your message is about."),
    "name": N_("Write your name."),
    "email": N_("Write a valid email address."),
    "phone": N_("Write a valid phone number, digits only, with the country code."),
    "contact": N_("Give an email address or a phone number so that we can reply."),
    "contact_preference": N_("Choose how we should reply."),
    "subject": N_("Write a subject of 3 to 200 characters."),
    "description": N_("Describe it in 10 to 5000 characters."),
    "course": N_("The course name is too long."),
    "device": N_("The device description is too long."),
    "attachments": N_(
        "Attach at most 5 files: PDF, pictures, text or Word documents, each within the size limit."
    ),
}
FIELD_LIMIT = 20_000  # bytes of one text field


class ContactForm(BaseModel):
    category: Category  # no silent default: the person says what it is about
    name: str
    email: str = ""
    phone: str = ""
    contact_preference: ContactPreference = ContactPreference.EMAIL
    subject: str
    description: str
    course: str = ""
    device: str = ""

    @field_validator("*", mode="before")
    @classmethod
    def stripped(cls, value):
        return value.strip() if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def has_name(cls, value: str) -> str:
        if not 1 <= len(value) <= 200:
            raise ValueError("name")
        return value

    @field_validator("email")
    @classmethod
    def email_shape(cls, value: str) -> str:
        try:
            return email_address(value)
        except InvalidContact:
            raise ValueError("email") from None

    @field_validator("phone")
    @classmethod
    def phone_shape(cls, value: str) -> str:
        try:
            return phone_number(value)
        except InvalidContact:
            raise ValueError("phone") from None

    @field_validator("subject")
    @classmethod
    def subject_length(cls, value: str) -> str:
        if not 3 <= len(value) <= 200:
            raise ValueError("subject")
        return value

    @field_validator("description")
    @classmethod
    def description_length(cls, value: str) -> str:
        if not 10 <= len(value) <= 5000:
            raise ValueError("description")
        return value

    @field_validator("course", "device")
    @classmethod
    def short(cls, value: str) -> str:
        if len(value) > 200:
            raise ValueError("too long")
        return value


def _kind(request: web.Request) -> TicketKind:
    try:
        kind = TicketKind(request.match_info["kind"].replace("-", "_"))
    except ValueError:
        raise web.HTTPNotFound() from None
    if kind not in FORM_KINDS:
        raise web.HTTPNotFound()
    return kind


@aiohttp_jinja2.template("channels/contact_choose.html")
async def contact_choose(request: web.Request) -> dict:
    return {"kinds": FORM_KINDS, "hints": KIND_HINTS}


async def contact_form(request: web.Request) -> web.Response:
    kind = _kind(request)
    return await _render_form(request, kind, {}, set(), 200)


async def _render_form(
    request: web.Request, kind: TicketKind, values: dict, errors: set[str], status: int
) -> web.Response:
    config = request.app[keys.CONFIG].channels
    context = {
        "kind": kind,
        "kind_label": FORM_KINDS[kind],
        "fields": KIND_FIELDS[kind],
        "categories": CATEGORIES,
        "values": values,
        "errors": {name: FIELD_ERRORS.get(name, FIELD_ERRORS["contact"]) for name in errors},
        "csrf": await csrf_token(request),
        "nonce": secrets.token_urlsafe(16),
        "max_files": MAX_FILES,
        "max_megabytes": round(config.attachment_max_bytes / 1024**2, 1),
    }
    return aiohttp_jinja2.render_template(
        "channels/contact_form.html", request, context, status=status
    )


async def contact_send(request: web.Request) -> web.Response:
    kind = _kind(request)
    app = request.app
    config = app[keys.CONFIG].channels
    values, files, too_many = await _read_form(request, config.attachment_max_bytes)
    expected = await csrf_token(request)
    if not same_secret(values.get("csrf", ""), expected):
        log.warning("web form: refused without a valid CSRF token from %s", request.remote)
        raise web.HTTPForbidden(text="csrf")
    if values.get("website"):  # the honeypot: people never see this field, robots fill it in
        log.warning("web form: honeypot filled from %s", request.remote)
        raise web.HTTPBadRequest(text="spam")
    if not await app[keys.INTAKE_RATE_LIMIT].hit("web_form", request.remote or "unknown"):
        log.warning("web form: rate limit reached by %s", request.remote)
        raise web.HTTPTooManyRequests()
    allowed = {"name", "email", "phone", "contact_preference", *KIND_FIELDS[kind]}
    errors: set[str] = set()
    try:
        form = ContactForm(**{k: v for k, v in values.items() if k in allowed})
    except ValidationError as invalid:
        errors = {str(e["loc"][0]) for e in invalid.errors()}
    if not values.get("email", "").strip() and not values.get("phone", "").strip():
        errors.add("contact")  # someone we cannot answer
    checked = []
    for filename, data in files:
        try:
            if len(data) > config.attachment_max_bytes:
                raise AttachmentRefused("too_large", filename)
            checked.append((filename, checked_type(filename, data[:16]), data))
        except AttachmentRefused:
            errors.add("attachments")
    if too_many:
        errors.add("attachments")
    if errors:
        shown = {k: v for k, v in values.items() if k in allowed}
        return await _render_form(request, kind, shown, errors, 422)

    payload = {
        "kind": kind.value,
        **form.model_dump(mode="json", exclude={"course", "device"}),
        "description": _with_extras(form),
        "locale": request["locale"],
    }
    # The form's own nonce, bound to this session: sending it twice stores it once.
    nonce = str(values.get("nonce", ""))[:64] or secrets.token_urlsafe(16)
    ticket = await receive_web_form(
        app[keys.INTAKE],
        hashlib.sha256(f"{expected}:{nonce}".encode()).hexdigest(),
        payload,
        checked,
        sender=form.email or form.phone,
    )
    return aiohttp_jinja2.render_template(
        "channels/contact_sent.html",
        request,
        {
            "ticket": ticket,
            "tracking_path": tracking_path(ticket) if ticket else "",
            "base_url": app[keys.CONFIG].base_url,
        },
    )


def _with_extras(form: ContactForm) -> str:
    extras = [("Course", form.course), ("Device and browser", form.device)]
    lines = [f"{label}: {value}" for label, value in extras if value]
    return "\n".join([form.description, "", *lines]) if lines else form.description


async def _read_form(
    request: web.Request, max_file_bytes: int
) -> tuple[dict[str, str], list[tuple[str, bytes]], bool]:
    """Text fields and files of a multipart form, read as a stream with limits on each part."""
    if request.content_type == "application/x-www-form-urlencoded":  # a form without files
        return {k: str(v) for k, v in (await form_of(request)).items()}, [], False
    if not request.content_type.startswith("multipart/"):
        raise web.HTTPBadRequest(text="expected a form")
    values: dict[str, str] = {}
    files: list[tuple[str, bytes]] = []
    too_many = False
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader) or not part.name:
            continue
        if part.filename is not None:
            data = await _read_part(part, max_file_bytes + 1)  # one byte more: too large
            if not part.filename and not data:
                continue  # the empty file input of a form sent without files
            if len(files) >= MAX_FILES:
                too_many = True
                continue
            # Browsers send the name as UTF-8; some clients percent-encode it (RFC 5987).
            files.append((safe_filename(unquote(part.filename)), data))
        else:
            data = await _read_part(part, FIELD_LIMIT)
            values[part.name] = data.decode("utf-8", "replace")
    return values, files, too_many


async def _read_part(part: BodyPartReader, limit: int) -> bytes:
    """At most `limit` + 1 bytes of a part (one more than allowed says it was too large)."""
    data = bytearray()
    while chunk := await part.read_chunk(64 * 1024):
        if len(data) <= limit:
            data += chunk[: limit + 1 - len(data)]
    return bytes(data)


# -- attachments ---------------------------------------------------------------------------------


async def attachment(request: web.Request) -> web.StreamResponse:
    """A file of a ticket, for staff or for the requester holding the ticket's tracking key."""
    attachment_id = row_id(request.match_info["id"])
    if attachment_id is None:
        raise web.HTTPNotFound()
    found = await Attachment.get_or_none(id=attachment_id).prefetch_related("ticket")
    if found is None or found.ticket is None:
        raise web.HTTPNotFound()
    key = request.query.get("key", "")
    requester = same_secret(key, found.ticket.tracking_secret)
    if not requester and await current_staff(request) is None:
        raise web.HTTPNotFound()  # not "forbidden": do not say that the file exists
    path = request.app[keys.INTAKE].attachments.path(found.storage_name)
    response = web.FileResponse(path)
    response.content_type = found.content_type
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(found.filename)}"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- webhooks ------------------------------------------------------------------------------------


def _refuse(request: web.Request, channel: str, status: int, reason: str) -> web.Response:
    """Forged, unsigned or malformed calls: refused, logged, nothing stored."""
    log.warning("%s webhook refused (%s) from %s", channel, reason, request.remote)
    return problem(
        status, {401: "Unauthorized", 403: "Forbidden"}.get(status, "Bad Request"), reason
    )


async def _take_in(
    request: web.Request, channel: Channel, messages: list[dict], external_id, sender
) -> web.Response:
    """Store each message (once per external id), then process it; the call is answered 200.

    Processing usually takes milliseconds; when it does not (a slow media download), the answer
    does not wait for it, so the platform does not time out and send the call again."""
    intake = request.app[keys.INTAKE]
    new = []
    for message in messages:
        received = await receive(
            channel,
            external_id(message),
            json.dumps(message, ensure_ascii=False).encode(),
            sender=sender(message),
        )
        if not received.duplicate:
            new.append(asyncio.create_task(process(received.inbound_id, intake)))
    if new:
        _still_processing.update(new)
        for task in new:
            task.add_done_callback(_still_processing.discard)
        await asyncio.wait(new, timeout=PROCESSING_WAIT)  # a failure is retried later anyway
    return web.json_response({"received": len(messages), "new": len(new)})


PROCESSING_WAIT = 5.0  # seconds a webhook's answer waits for its messages to be processed
_still_processing: set[asyncio.Task] = set()  # kept referenced until done


async def whatsapp_verify(request: web.Request) -> web.Response:
    """Meta's subscription handshake: echo the challenge when the verify token matches."""
    config = request.app[keys.CONFIG].channels
    if not config.whatsapp_app_secret or not config.whatsapp_verify_token:
        raise web.HTTPNotFound()
    token = request.query.get("hub.verify_token", "")
    if request.query.get("hub.mode") != "subscribe" or not same_secret(
        token, config.whatsapp_verify_token
    ):
        return _refuse(request, "whatsapp", 403, "verify token does not match")
    return web.Response(text=request.query.get("hub.challenge", ""))


async def whatsapp_webhook(request: web.Request) -> web.Response:
    config = request.app[keys.CONFIG].channels
    if not config.whatsapp_app_secret:
        raise web.HTTPNotFound()
    body = await request.read()
    signature = request.headers.get("X-Hub-Signature-256")
    if not signature:
        return _refuse(request, "whatsapp", 401, "no X-Hub-Signature-256")
    if not whatsapp_signature_valid(body, signature, config.whatsapp_app_secret):
        return _refuse(request, "whatsapp", 403, "X-Hub-Signature-256 does not match")
    try:
        payload = WhatsAppWebhook.model_validate_json(body)
    except ValidationError as invalid:
        return _refuse(
            request, "whatsapp", 400, f"malformed payload: {invalid.error_count()} errors"
        )
    return await _take_in(
        request,
        Channel.WHATSAPP,
        payload.messages(),
        external_id=lambda m: m["message"]["id"],
        sender=lambda m: m["message"]["from"],
    )


async def x_crc(request: web.Request) -> web.Response:
    """X's challenge-response check, asked when the webhook is registered and every so often."""
    config = request.app[keys.CONFIG].channels
    if not config.x_consumer_secret:
        raise web.HTTPNotFound()
    token = request.query.get("crc_token", "")
    if not token:
        return _refuse(request, "x", 400, "no crc_token")
    return web.json_response({"response_token": x_crc_response(token, config.x_consumer_secret)})


async def x_webhook(request: web.Request) -> web.Response:
    config = request.app[keys.CONFIG].channels
    if not config.x_consumer_secret:
        raise web.HTTPNotFound()
    body = await request.read()
    signature = request.headers.get("X-Twitter-Webhooks-Signature")
    if not signature:
        return _refuse(request, "x", 401, "no X-Twitter-Webhooks-Signature")
    if not x_signature_valid(body, signature, config.x_consumer_secret):
        return _refuse(request, "x", 403, "X-Twitter-Webhooks-Signature does not match")
    try:
        payload = XWebhook.model_validate_json(body)
    except ValidationError as invalid:
        return _refuse(request, "x", 400, f"malformed payload: {invalid.error_count()} errors")
    return await _take_in(
        request,
        Channel.X,
        payload.messages(config.x_account_id),
        external_id=lambda m: m["event"]["id"],
        sender=lambda m: m["event"]["message_create"]["sender_id"],
    )


# -- phone calls (Level 1) -----------------------------------------------------------------------


async def calls_page(request: web.Request, error: str = "", status: int = 200) -> web.Response:
    """Level 1's calls: find the caller's open tickets, log a call on one, the call-backs due."""
    staff = await staff_actor(request, *LEVEL1)
    phone = request.query.get("phone", "").strip()[:40]
    context = {
        "me": staff,
        "roles": StaffRole,
        "csrf_token": await csrf_token(request),
        "phone": phone,
        "caller_tickets": await phone_calls.open_tickets_of_caller(phone),
        "callbacks": await phone_calls.open_callbacks(),
        "now": datetime.now(UTC),
        "error": error,
    }
    response = aiohttp_jinja2.render_template(
        "channels/calls.html", request, context, status=status
    )
    response.headers["Cache-Control"] = "no-store"
    return response


async def log_call(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)
    gettext = _translate(request)
    due_text = str(form.get("callback_due", "")).strip()
    try:
        due = _local_time(due_text, request.app[keys.CONFIG].institute_tz) if due_text else None
        ticket = await phone_calls.log_call(
            str(form.get("number", "")),
            Actor.of_staff(staff, channel=Channel.PHONE),
            str(form.get("summary", "")),
            callback_due=due,
            callback_phone=str(form.get("callback_phone", "")),
        )
    except (InvalidInput, ValueError) as error:
        return await calls_page(request, error_text(gettext, error), 400)
    raise web.HTTPSeeOther(f"/console/tickets/{ticket.number}")


async def promise_callback(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)
    try:
        due = _local_time(str(form.get("due", "")), request.app[keys.CONFIG].institute_tz)
        await phone_calls.promise_callback(
            str(form.get("number", "")),
            Actor.of_staff(staff, channel=Channel.PHONE),
            due,
            str(form.get("phone", "")),
            str(form.get("note", "")),
        )
    except InvalidInput as error:
        return await calls_page(request, error_text(_translate(request), error), 400)
    raise web.HTTPSeeOther("/console/calls")


async def callback_done(request: web.Request) -> web.StreamResponse:
    staff = await staff_actor(request, *LEVEL1)
    form = await checked_form(request)
    try:
        await phone_calls.complete_callback(
            path_id(request, "task_id"),
            Actor.of_staff(staff, channel=Channel.PHONE),
            str(form.get("outcome", "")),
        )
    except InvalidInput as error:
        return await calls_page(request, error_text(_translate(request), error), 409)
    raise web.HTTPSeeOther("/console/calls")


def _local_time(value: str, tz) -> datetime:
    """A datetime-local field, read in the institute's time zone."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(N_("Give the call-back time as a date and a time.")) from None
    return (moment.replace(tzinfo=tz) if moment.tzinfo is None else moment).astimezone(UTC)


def _translate(request: web.Request):
    catalogues, locale = request.app[keys.CATALOGUES], request.get("locale", "ar")
    return lambda message, **values: catalogues.gettext(locale, message, **values)


# -- what did not become a ticket (Level 1) ------------------------------------------------------

OUTCOME_NAMES = {
    "waiting": N_("Waiting to be processed"),
    "failed": N_("Failed; kept for you to look at"),
    "auto_reply": N_("Automatic reply"),
    "bounce": N_("Undelivered mail report"),
    "loop": N_("Our own mail coming back"),
}


async def inbound_page(request: web.Request) -> web.Response:
    staff = await staff_actor(request, *LEVEL1)
    context = {
        "me": staff,
        "roles": StaffRole,
        "csrf_token": await csrf_token(request),
        "messages": await intake_service.needing_attention(),
        "channel_names": CHANNEL_NAMES,
        "outcome_names": OUTCOME_NAMES,
    }
    response = aiohttp_jinja2.render_template("channels/inbound.html", request, context)
    response.headers["Cache-Control"] = "no-store"
    return response


async def inbound_try_again(request: web.Request) -> web.StreamResponse:
    await staff_actor(request, *LEVEL1)
    await checked_form(request)
    try:
        await intake_service.try_again(path_id(request, "id"), request.app[keys.INTAKE])
    except LookupError:
        raise web.HTTPNotFound() from None
    raise web.HTTPSeeOther("/console/inbound")
