"""Intake: whatever a channel receives is stored raw first, then becomes a ticket or a reply on one.

`receive` writes the raw message and nothing else, so a channel can acknowledge as soon as it
returns; `process` turns it into a ticket (or a message on an existing ticket) in one transaction;
`process_pending` is the retry worker's pass over what is still unprocessed. The same external id on
the same channel is stored once, so retried webhooks and re-fetched mail never make two tickets.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from helpdesk.adapters.channels.attachments import (
    AttachmentRefused,
    AttachmentStore,
    checked_type,
    safe_filename,
)
from helpdesk.adapters.channels.email_in import parse_email
from helpdesk.adapters.channels.whatsapp import GraphClient
from helpdesk.adapters.orm.channels import Attachment, InboundMessage, OutboundMessage
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.channels import (
    EmailKind,
    classify_email,
    referenced_message_ids,
    ticket_number_in,
    without_quoted_reply,
)
from helpdesk.domain.contacts import InvalidContact, email_address
from helpdesk.domain.notifications import gives_up, retry_delay
from helpdesk.domain.tickets import (
    ACTIVE,
    Category,
    Channel,
    ContactPreference,
    Requester,
    Status,
    TicketKind,
)
from helpdesk.services.bus import AfterCommit, MessageBus
from helpdesk.services.tickets import (
    MAX_SUBJECT,
    MAX_TEXT,
    changed_event,
    open_ticket,
)
from helpdesk.services.timeline import SYSTEM, Actor, record

log = logging.getLogger(__name__)

# A worker that took a message and died lets it go after this long.
CLAIM_TIME = timedelta(minutes=5)


class Outcome(StrEnum):
    OPENED = "opened"  # a new ticket
    REPLY = "reply"  # a message on an existing ticket
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    LOOP = "loop"
    FAILED = "failed"  # gave up after repeated errors; kept for staff to look at


@dataclass(frozen=True)
class Intake:
    """What processing needs from outside: where files go, our own addresses, the bus."""

    attachments: AttachmentStore
    bus: MessageBus  # the consoles hear of every ticket and reply through it
    own_addresses: tuple[str, ...] = ()
    attachment_max_bytes: int = 5 * 1024**2
    whatsapp: GraphClient | None = None  # fetches the files people send on WhatsApp


@dataclass(frozen=True)
class Received:
    inbound_id: int
    duplicate: bool


@dataclass(frozen=True)
class Processed:
    outcome: Outcome
    ticket: Ticket | None


@dataclass(frozen=True)
class Upload:
    """A file already written to the attachment store, to be linked to the message."""

    filename: str
    content_type: str
    storage_name: str
    size: int
    sha256: str


async def receive(
    channel: Channel,
    external_id: str,
    payload: bytes,
    *,
    sender: str = "",
    uploads: list[Upload] | tuple[Upload, ...] = (),
    now: datetime | None = None,
) -> Received:
    """Store what arrived, exactly once per (channel, external id)."""
    now = now or datetime.now(UTC)
    external_id = _text(external_id)
    try:
        async with in_transaction():
            inbound = await InboundMessage.create(
                channel=channel,
                external_id=external_id[:300],
                sender=_text(sender)[:300],
                payload=payload,
                received_at=now,
            )
            for upload in uploads:
                await Attachment.create(
                    inbound_message=inbound,
                    filename=upload.filename,
                    content_type=upload.content_type,
                    size=upload.size,
                    sha256=upload.sha256,
                    storage_name=upload.storage_name,
                    created_at=now,
                )
    except IntegrityError:
        existing = await InboundMessage.get(channel=channel, external_id=external_id[:300])
        return Received(existing.id, duplicate=True)
    return Received(inbound.id, duplicate=False)


async def receive_web_form(
    intake: Intake,
    external_id: str,
    form: dict,
    files: list[tuple[str, str, bytes]],
    *,
    sender: str = "",
    now: datetime | None = None,
) -> Ticket | None:
    """A checked web form and its checked files: stored, then made a ticket at once.

    Returns None when processing must wait for the retry worker (the form is kept)."""
    uploads = []
    for filename, content_type, data in files:  # the bytes first: the row must point at a file
        stored = intake.attachments.save(data)
        uploads.append(
            Upload(filename, content_type, stored.storage_name, stored.size, stored.sha256)
        )
    received = await receive(
        Channel.WEB_FORM,
        external_id,
        json.dumps(form).encode(),
        sender=sender,
        uploads=uploads,
        now=now,
    )
    if received.duplicate:  # the same form again: its files are already kept once
        for upload in uploads:
            intake.attachments.path(upload.storage_name).unlink(missing_ok=True)
    await process(received.inbound_id, intake, now)
    inbound = await InboundMessage.get(id=received.inbound_id).prefetch_related("ticket")
    return inbound.ticket


async def receive_email(raw: bytes, now: datetime | None = None) -> Received:
    """Store an email as it arrived; MalformedEmail (nothing stored) when it cannot be read."""
    mail = parse_email(raw)
    return await receive(Channel.EMAIL, mail.message_id, raw, sender=mail.sender_address, now=now)


async def process(inbound_id: int, intake: Intake, now: datetime | None = None) -> Processed | None:
    """Turn one stored message into a ticket or a reply; None when another worker holds it or it
    is done. A failure is recorded on the message and tried again later with back-off."""
    now = now or datetime.now(UTC)
    claimed = (
        await InboundMessage.filter(id=inbound_id, processed_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lte=now))
        .update(claimed_until=now + CLAIM_TIME, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    inbound = await InboundMessage.get(id=inbound_id)
    held = AfterCommit()  # the consoles hear of the ticket once this transaction is committed
    try:
        incoming = await _read(inbound, intake)
        async with in_transaction():
            if isinstance(incoming, Outcome):
                result = Processed(incoming, None)
            else:
                channel = Channel(inbound.channel)
                result = await _into_ticket(inbound, channel, incoming, intake, held, now)
            inbound.processed_at = now
            inbound.outcome = result.outcome
            inbound.ticket = result.ticket
            inbound.claimed_until = None
            inbound.error = ""
            await inbound.save()
    except Exception as error:
        log.exception("intake: message %s (%s) failed", inbound.id, inbound.channel)
        failed = gives_up(inbound.attempts)
        await InboundMessage.filter(id=inbound.id).update(
            error=f"{type(error).__name__}: {error}"[:2000],
            claimed_until=now + retry_delay(inbound.attempts),
            processed_at=now if failed else None,
            outcome=Outcome.FAILED if failed else "",
        )
        return Processed(Outcome.FAILED, None) if failed else None
    await held.release_to(intake.bus)
    return result


async def process_pending(intake: Intake, now: datetime | None = None, batch: int = 50) -> int:
    """The retry worker's pass: process what is unprocessed and free. Returns how many were done."""
    now = now or datetime.now(UTC)
    waiting = (
        await InboundMessage.filter(processed_at=None)
        .filter(Q(claimed_until=None) | Q(claimed_until__lte=now))
        .order_by("id")
        .limit(batch)
        .values_list("id", flat=True)
    )
    done = 0
    for inbound_id in waiting:
        if await process(inbound_id, intake, now) is not None:
            done += 1
    return done


# -- one message, by channel ---------------------------------------------------------------------


@dataclass
class _Incoming:
    """A message in the helpdesk's words, whatever channel brought it."""

    requester: Requester
    subject: str
    body: str
    kind: TicketKind = TicketKind.INQUIRY
    category: Category = Category.OTHER
    thread: Ticket | None = None  # the ticket the channel's own threading found
    # (name, content type, bytes) of files that came with it; bytes None: too large to fetch
    files: list[tuple[str, str, bytes | None]] = field(default_factory=list)


async def _read(inbound: InboundMessage, intake: Intake) -> _Incoming | Outcome:
    """The message in the helpdesk's words, or why it makes no ticket. Outside any transaction:
    it may fetch files from the channel, which must not hold the database."""
    channel = Channel(inbound.channel)
    if channel == Channel.EMAIL:
        return await _email(inbound, intake)
    if channel == Channel.WEB_FORM:
        return _web_form(inbound)
    if channel == Channel.WHATSAPP:
        return await _whatsapp(inbound, intake)
    if channel == Channel.X:
        return await _x(inbound)
    raise ValueError(f"no intake for channel {channel}")


async def _email(inbound: InboundMessage, intake: Intake) -> _Incoming | Outcome:
    mail = parse_email(bytes(inbound.payload))
    kind = classify_email(mail.headers, intake.own_addresses)
    if kind != EmailKind.PERSON:
        return Outcome(kind.value)
    requester = Requester(
        name=mail.sender_name[:200], email=mail.sender_address, locale=_locale_of(mail.text)
    )
    thread = None
    number = ticket_number_in(mail.subject)
    if number:  # only its requester threads by number: a stranger cannot write into a ticket
        thread = await Ticket.get_or_none(number=number, requester_email=_stored(mail))
    references = referenced_message_ids(mail.in_reply_to, mail.references)
    if thread is None and references:
        thread = await _ticket_by_reference(Channel.EMAIL, references)
    return _Incoming(
        requester=requester,
        subject=mail.subject or mail.text[:80] or "(no subject)",
        body=mail.text,
        thread=thread,
        files=[(f.filename, f.content_type, f.data) for f in mail.files],
    )


def _stored(mail) -> str:
    """The sender's address as tickets store it."""
    try:
        return email_address(mail.sender_address)
    except InvalidContact:
        return mail.sender_address


async def _ticket_by_reference(channel: Channel, external_ids: list[str]) -> Ticket | None:
    """The ticket of the nearest referenced message, ours (a staff reply) or theirs."""
    inbound = dict(
        await InboundMessage.filter(
            channel=channel, external_id__in=external_ids, ticket_id__not_isnull=True
        ).values_list("external_id", "ticket_id")
    )
    outbound = dict(
        await OutboundMessage.filter(channel=channel, external_id__in=external_ids).values_list(
            "external_id", "ticket_id"
        )
    )
    for external_id in external_ids:
        ticket_id = inbound.get(external_id) or outbound.get(external_id)
        if ticket_id:
            return await Ticket.get(id=ticket_id)
    return None


def _web_form(inbound: InboundMessage) -> _Incoming:
    form = json.loads(bytes(inbound.payload))
    return _Incoming(
        requester=Requester(
            name=form["name"],
            email=form.get("email", ""),
            phone=form.get("phone", ""),
            contact_preference=ContactPreference(form.get("contact_preference", "email")),
            locale=form.get("locale", "ar"),
        ),
        subject=form["subject"],
        body=form["description"],
        kind=TicketKind(form["kind"]),
        category=Category(form["category"]),
    )


async def _whatsapp(inbound: InboundMessage, intake: Intake) -> _Incoming:
    data = json.loads(bytes(inbound.payload))
    message, contact = data["message"], data.get("contact") or {}
    phone = "+" + message["from"]
    text = _whatsapp_text(message)
    thread = (
        await Ticket.filter(channel=Channel.WHATSAPP, requester_phone=phone, status__in=ACTIVE)
        .order_by("-id")
        .first()
    )
    name = (contact.get("profile") or {}).get("name") or phone
    files = await _whatsapp_file(message, intake)
    return _Incoming(
        requester=Requester(
            name=name[:200],
            phone=phone,
            contact_preference=ContactPreference.PHONE,
            locale=_locale_of(text),
        ),
        subject=text.splitlines()[0][:80] if text.strip() else "WhatsApp",
        body=text,
        thread=thread,
        files=files,
    )


async def _whatsapp_file(message: dict, intake: Intake) -> list[tuple[str, str, bytes | None]]:
    """The picture or document a person sent, fetched from WhatsApp (a failure retries later)."""
    media = message.get(message.get("type", ""))
    if intake.whatsapp is None or not isinstance(media, dict) or "id" not in media:
        return []
    fetched = await intake.whatsapp.download_media(media["id"], intake.attachment_max_bytes)
    if fetched is None:  # larger than allowed: not fetched, and named as refused
        return [(media.get("filename") or message["type"], "", None)]
    content_type, data = fetched
    extension = mimetypes.guess_extension(content_type.split(";")[0]) or ""
    return [(media.get("filename") or f"{message['type']}{extension}", content_type, data)]


def _whatsapp_text(message: dict) -> str:
    kind = message.get("type", "")
    if kind == "text":
        return message["text"]["body"]
    media = message.get(kind) or {}
    caption = media.get("caption", "") if isinstance(media, dict) else ""
    # The timeline says what came; the file itself is fetched into the ticket's attachments.
    return f"[{kind}] {caption}".strip()


async def _x(inbound: InboundMessage) -> _Incoming:
    data = json.loads(bytes(inbound.payload))
    event, user = data["event"], data.get("user") or {}
    create = event["message_create"]
    sender_id = create["sender_id"]
    text = create["message_data"]["text"]
    ref = f"x:{sender_id}"
    thread = (
        await Ticket.filter(channel=Channel.X, requester_ref=ref, status__in=ACTIVE)
        .order_by("-id")
        .first()
    )
    name = user.get("name") or user.get("screen_name") or ref
    return _Incoming(
        requester=Requester(name=name[:200], ref=ref, locale=_locale_of(text)),
        subject=text.splitlines()[0][:80] if text.strip() else "X",
        body=text,
        thread=thread,
    )


async def _into_ticket(
    inbound: InboundMessage,
    channel: Channel,
    incoming: _Incoming,
    intake: Intake,
    bus: MessageBus,
    now: datetime,
) -> Processed:
    thread = incoming.thread
    while thread is not None and thread.status == Status.MERGED and thread.merged_into_id:
        thread = await Ticket.get(id=thread.merged_into_id)  # write where the case lives now
    body = _text(incoming.body)[:MAX_TEXT]
    if thread is not None and thread.status in ACTIVE:
        writer = Actor("requester", _text(incoming.requester.name), channel=channel)
        # The timeline already holds what an email reply quotes; the raw message keeps it all.
        reply = without_quoted_reply(body) if channel == Channel.EMAIL else body
        await record(thread, writer, "requester_reply", now, body=reply, public=True)
        await _keep_files(inbound, thread, incoming, intake, now)
        await bus.publish(changed_event(thread, "requester_reply"))
        return Processed(Outcome.REPLY, thread)
    ticket = await open_ticket(
        kind=incoming.kind,
        category=incoming.category,
        channel=channel,
        requester=replace(incoming.requester, name=_text(incoming.requester.name) or "?"),
        subject=_text(incoming.subject).strip()[:MAX_SUBJECT] or channel.value,
        description=body,
        now=now,
        flag_bad_contact=True,  # the sender cannot be asked again: Level 1 checks the contact
        bus=bus,
    )
    if thread is not None:  # the conversation's ticket was already finished: a follow-up
        await _internal_note(ticket, "follow_up_of", thread.number, now)
    else:
        await _offer_merge(ticket, now)
    await _keep_files(inbound, ticket, incoming, intake, now)
    return Processed(Outcome.OPENED, ticket)


async def _offer_merge(ticket: Ticket, now: datetime) -> None:
    """One open ticket per requester per category: a second one is flagged for Level 1 to merge."""
    same_person = Q()
    if ticket.requester_email:
        same_person |= Q(requester_email=ticket.requester_email)
    if ticket.requester_phone:
        same_person |= Q(requester_phone=ticket.requester_phone)
    if ticket.requester_ref:
        same_person |= Q(requester_ref=ticket.requester_ref)
    if not same_person.children:
        return
    other = (
        await Ticket.filter(same_person, category=ticket.category, status__in=ACTIVE)
        .exclude(id=ticket.id)
        .order_by("-id")
        .first()
    )
    if other is not None:
        await _internal_note(ticket, "merge_offered", other.number, now)


async def _internal_note(ticket: Ticket, action: str, value: str, now: datetime) -> None:
    await record(ticket, SYSTEM, action, now, new=value)


async def _keep_files(
    inbound: InboundMessage, ticket: Ticket, incoming: _Incoming, intake: Intake, now: datetime
) -> None:
    """Link uploaded files to the ticket; write the files that came inside the raw message."""
    await Attachment.filter(inbound_message=inbound).update(ticket=ticket)
    refused = []
    for index, (name, _declared, data) in enumerate(incoming.files):
        filename = safe_filename(name)
        try:
            if data is None or len(data) > intake.attachment_max_bytes:
                raise AttachmentRefused("too_large", filename)
            content_type = checked_type(filename, data[:16])
        except AttachmentRefused as refusal:
            refused.append(f"{refusal.filename} ({refusal.code})")
            continue
        # A name made from the message: processing it again rewrites the same file.
        stored = intake.attachments.save(data, storage_name=f"m{inbound.id}-{index}")
        await Attachment.update_or_create(
            storage_name=stored.storage_name,
            defaults={
                "ticket": ticket,
                "inbound_message": inbound,
                "filename": filename,
                "content_type": content_type,
                "size": stored.size,
                "sha256": stored.sha256,
                "created_at": now,
            },
        )
    if refused:
        await _internal_note(ticket, "attachments_refused", ", ".join(refused)[:200], now)


def _text(value: str) -> str:
    """Text as PostgreSQL can keep it: a NUL character (it refuses them) is dropped."""
    return value.replace("\x00", "")


def _locale_of(text: str) -> str:
    """Arabic when the text has Arabic letters: replies then go out in the writer's language."""
    return "ar" if any("\u0600" <= ch <= "\u06ff" for ch in text) else "en"


async def try_again(
    inbound_id: int, intake: Intake, now: datetime | None = None
) -> Processed | None:
    """Level 1 asks for a message that failed, or waits for its retry, to be processed now.

    LookupError when there is no such message."""
    now = now or datetime.now(UTC)
    if not await InboundMessage.exists(id=inbound_id):
        raise LookupError(inbound_id)
    await (
        InboundMessage.filter(id=inbound_id)
        .filter(Q(processed_at=None) | Q(outcome=Outcome.FAILED))
        .update(processed_at=None, outcome="", claimed_until=None)
    )
    return await process(inbound_id, intake, now)


async def needing_attention(limit: int = 100) -> list[InboundMessage]:
    """What did not become a ticket: failed or still waiting, then automatic mail, newest first."""
    stuck = (
        await InboundMessage.filter(Q(processed_at=None) | Q(outcome=Outcome.FAILED))
        .order_by("-id")
        .limit(limit)
    )
    automatic = (
        await InboundMessage.filter(outcome__in=(Outcome.AUTO_REPLY, Outcome.BOUNCE, Outcome.LOOP))
        .order_by("-id")
        .limit(limit)
    )
    return stuck + automatic
