"""The outbox worker: sends what is due, with retries and back-off; every attempt is on the timeline.

Each row stands alone. Whatever one notification raises is recorded on that row (the attempt, the
reason, the next try) and the round goes on with the next one; a row that can never be sent (an
address no server takes, a message that cannot be written) ends `failed` at once, one that keeps
failing ends `failed` after MAX_ATTEMPTS, and Level 1 sees both in its console.

Exactly once. Rows are claimed for a short lease in one transaction (SKIP LOCKED on PostgreSQL),
which only shares the work between processes. What guards against a second send is the row's own
state: just before a notification is sent, one statement moves it from `pending` to `sending` and
counts the attempt (`UPDATE ... WHERE state = 'pending'`: one process wins, however many hold an
expired lease on it), and only afterwards is the outcome recorded. So once a server has accepted a
message, nothing can send it again: not a recording that fails, not a lease that ran out while a
slow server took its time, not a second process. The price, chosen on purpose: a process that dies
between the send and the record leaves the row `sending`; after SEND_LIMIT the row is given up as
`failed` ("interrupted; it may have been sent") and an agent decides. At most once, never twice
(docs/helpdesk.md).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from helpdesk.adapters.channels.replies import ChannelSenders
from helpdesk.adapters.mailer import DeliveryFailed, SmtpMailer
from helpdesk.adapters.orm.desk import Notification, Webhook
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.channels import ReplyRoute, WhatsAppReplyOptions, whatsapp_reply_route
from helpdesk.domain.contacts import InvalidContact, email_address, phone_number
from helpdesk.domain.notifications import (
    CONVERSATION_MEDIUMS,
    WHATSAPP,
    Medium,
    X,
    gives_up,
    retry_delay,
)
from helpdesk.domain.tickets import Channel
from helpdesk.i18n import N_
from helpdesk.services.channel_replies import (
    email_thread_headers,
    last_whatsapp_message_at,
    remember_sent,
)
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import InvalidInput
from helpdesk.services.timeline import SYSTEM, Actor, record

log = logging.getLogger("sanad.outbox")

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CALL_OPEN, CALL_DONE = "call_open", "call_done"  # a call task waiting for, or done by, Level 1
LEASE = timedelta(minutes=2)  # a batch's claim: shares the work, guards nothing
# Far longer than any sender's timeout: a row still `sending` after this was interrupted.
SEND_LIMIT = timedelta(minutes=10)
INTERRUPTED = "interrupted while sending: it may or may not have reached the recipient"


@dataclass(frozen=True)
class Senders:
    writer: MessageWriter
    mailer: SmtpMailer | None  # None: email waits in the outbox until SMTP is configured
    sms: HttpSmsGateway | None  # None: phone notifications become call tasks for Level 1
    webhooks: WebhookSender
    channels: ChannelSenders | None = None  # replies on WhatsApp and X (issue 5)


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    call_tasks: int = 0
    interrupted: int = 0


@dataclass(frozen=True)
class Sent:
    """What the server answered, kept so that the requester's answer threads back."""

    channel: Channel | None = None  # None: nothing to thread (SMS, webhooks)
    external_id: str = ""
    recipient: str = ""
    route: str = ""


@dataclass(frozen=True)
class OutboxFigures:
    """What waits in the outbox, by medium (every medium, zero included)."""

    backlog: dict[str, int]  # pending or being sent, and call tasks waiting for Level 1
    retrying: dict[str, int]  # pending again after a failed attempt
    failed: dict[str, int]  # given up after the last attempt; kept for staff to look at
    oldest_pending_seconds: float  # 0 when nothing is pending


async def outbox_figures(now: datetime) -> OutboxFigures:
    mediums = [str(m) for m in (*Medium, *CONVERSATION_MEDIUMS)]
    backlog, retrying, failed = (dict.fromkeys(mediums, 0) for _ in range(3))
    waiting = Notification.filter(state__in=[PENDING, SENDING, CALL_OPEN, FAILED])
    for state, medium, n in (
        await waiting.annotate(n=Count("id"))
        .group_by("state", "medium")
        .values_list("state", "medium", "n")
    ):
        target = failed if state == FAILED else backlog
        target[medium] = target.get(medium, 0) + n
    again = Notification.filter(state=PENDING, attempts__gt=0).annotate(n=Count("id"))
    retrying.update(await again.group_by("medium").values_list("medium", "n"))
    oldest = (
        await Notification.filter(state=PENDING)
        .order_by("created_at")
        .first()
        .values_list("created_at", flat=True)
    )
    waited = (now - oldest).total_seconds() if oldest else 0.0
    return OutboxFigures(backlog, retrying, failed, max(waited, 0.0))


async def _claim(now: datetime, senders: Senders, batch: int) -> list[Notification]:
    mediums = [Medium.SMS, Medium.WEBHOOK] + ([Medium.EMAIL] if senders.mailer else [])
    mediums += list(CONVERSATION_MEDIUMS) if senders.channels else []
    async with in_transaction():
        rows = (
            await Notification.filter(state=PENDING, medium__in=mediums, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("next_attempt_at", "id")
            .limit(batch)
            .select_for_update(skip_locked=True)
        )
        for row in rows:
            row.claimed_until = now + LEASE
            await row.save(update_fields=["claimed_until"])
    return rows


async def deliver_due(now: datetime, senders: Senders, *, batch: int = 50) -> DeliveryResult:
    now = now.astimezone(UTC)  # SQLite compares timestamps as text: filter in the stored zone
    result = DeliveryResult(interrupted=await _give_up_interrupted(now))
    for row in await _claim(now, senders, batch):
        try:
            await _deliver(row, senders, now, result)
        except Exception:  # recording this row failed; its state says where it stopped
            log.exception("outbox: notification %s could not be recorded", row.id)
            result.failed += 1
    return result


async def _deliver(row: Notification, senders: Senders, now: datetime, result) -> None:
    if row.medium == Medium.SMS and senders.sms is None:
        await _make_call_task(row, now)
        result.call_tasks += 1
        return
    if not await _begin_attempt(row, now):
        return  # another process took it first
    try:
        sent = await _send(row, senders, now)
    except DeliveryFailed as error:
        await _record_failure(row, now, str(error), permanent=error.permanent)
        result.failed += 1
    except Exception as error:  # raised on our side before the send: the attempt failed
        log.exception("outbox: notification %s", row.id)
        await _record_failure(row, now, f"{type(error).__name__}: {error}", permanent=False)
        result.failed += 1
    else:
        await _record_sent(row, now, sent)
        result.sent += 1


async def _begin_attempt(row: Notification, now: datetime) -> bool:
    """The fence: `pending` → `sending` in one statement, the attempt counted before the send."""
    started = await Notification.filter(id=row.id, state=PENDING, next_attempt_at__lte=now).update(
        state=SENDING, attempts=F("attempts") + 1, claimed_until=now + SEND_LIMIT
    )
    if not started:
        return False
    await row.refresh_from_db(fields=["attempts", "state"])
    return True


async def _send(row: Notification, senders: Senders, now: datetime) -> Sent:
    """Sends, and does nothing after the network call: whatever raises here, nothing left."""
    if row.medium == Medium.EMAIL:
        return await _email(row, senders, row.recipient)
    if row.medium in CONVERSATION_MEDIUMS and senders.channels is not None:
        return await _conversation(row, senders, senders.channels, now)
    if row.medium == Medium.SMS:
        text = senders.writer.sms(row.kind, row.locale, row.payload)
        return Sent(None, await senders.sms.send(row.recipient, text), row.recipient)
    if row.medium == Medium.WEBHOOK:
        hook = await Webhook.get_or_none(id=int(row.recipient), is_active=True)
        if hook is None:
            raise DeliveryFailed("the webhook was removed or switched off", permanent=True)
        await senders.webhooks.deliver(
            hook.url, hook.secret, row.kind, f"n{row.id}", row.payload, int(time.time())
        )
        return Sent()
    raise DeliveryFailed(f"no way to send {row.medium!r}", permanent=True)


async def _email(row: Notification, senders: Senders, to: str) -> Sent:
    email = senders.writer.email(row.kind, row.locale, row.payload)
    headers = await email_thread_headers(row.ticket_id, to, senders.mailer.sender, row.kind)
    message_id = await senders.mailer.send(to, email.subject, email.text, email.html, headers)
    return Sent(Channel.EMAIL, message_id, to)


async def _conversation(
    row: Notification, senders: Senders, clients: ChannelSenders, now: datetime
) -> Sent:
    """A WhatsApp or X conversation is answered there; outside WhatsApp's 24-hour window, by its
    approved template, else by email, else by SMS."""
    text = _message_text(row, senders)
    if row.medium == X:
        if clients.x is None:
            raise DeliveryFailed("X is switched off")
        return Sent(
            Channel.X, await clients.x.send_direct_message(row.recipient, text), row.recipient
        )
    ticket = await Ticket.get(id=row.ticket_id)
    route = whatsapp_reply_route(
        await last_whatsapp_message_at(row.recipient) if clients.whatsapp else None,
        now,
        WhatsAppReplyOptions(
            template_configured=bool(clients.whatsapp and clients.whatsapp_template),
            has_email=bool(ticket.requester_email and senders.mailer),
            has_sms=senders.sms is not None,
        ),
    )
    if route == ReplyRoute.FREE_FORM:
        wamid = await clients.whatsapp.send_text(row.recipient, text)
    elif route == ReplyRoute.TEMPLATE:
        name, language = clients.whatsapp_template
        wamid = await clients.whatsapp.send_template(row.recipient, name, language, [ticket.number])
    elif route == ReplyRoute.EMAIL:
        return await _email(row, senders, ticket.requester_email)
    elif route == ReplyRoute.SMS:
        return Sent(None, await senders.sms.send("+" + row.recipient, text), row.recipient)
    else:
        raise DeliveryFailed(
            "outside WhatsApp's 24-hour window, with no template, email or SMS to fall back on"
        )
    return Sent(Channel.WHATSAPP, wamid, row.recipient, route)


def _message_text(row: Notification, senders: Senders) -> str:
    """The staff's words when it is a reply, then the line that says what happened and the link."""
    line = senders.writer.sms(row.kind, row.locale, row.payload)
    reply = str(row.payload.get("reply", "")).strip()
    return f"{reply}\n\n{line}" if reply else line


async def _record_sent(row: Notification, now: datetime, sent: Sent) -> None:
    done = {"state": SENT, "done_at": now, "last_error": "", "claimed_until": None}
    try:
        async with in_transaction():
            await Notification.filter(id=row.id, state=SENDING).update(**done)
            if sent.channel is not None:
                await remember_sent(
                    sent.channel, row.ticket_id, sent.external_id, sent.recipient, sent.route, now
                )
            await _on_timeline(row, "notification_sent", now)
    except Exception:
        # It left: at the least it must never leave again (the row stays `sending` otherwise,
        # which is safe too: it is given up, never sent, after SEND_LIMIT).
        log.exception("outbox: notification %s was sent; recording it failed", row.id)
        await Notification.filter(id=row.id, state=SENDING).update(**done)


async def _record_failure(row: Notification, now: datetime, reason: str, *, permanent: bool):
    given_up = permanent or gives_up(row.attempts)
    outcome = {"state": FAILED if given_up else PENDING, "last_error": reason[:2000]}
    if not given_up:
        outcome["next_attempt_at"] = now + retry_delay(row.attempts)
    async with in_transaction():
        await Notification.filter(id=row.id, state=SENDING).update(claimed_until=None, **outcome)
        await _on_timeline(row, "notification_failed", now, reason)
        if given_up:
            await _on_timeline(row, "notification_given_up", now, reason)


async def _give_up_interrupted(now: datetime) -> int:
    """Rows left `sending` by a process that stopped mid-send: failed, for an agent to decide."""
    stuck = await Notification.filter(state=SENDING, claimed_until__lt=now)
    for row in stuck:
        async with in_transaction():
            gone = Notification.filter(id=row.id, state=SENDING, claimed_until__lt=now)
            if await gone.update(state=FAILED, last_error=INTERRUPTED, claimed_until=None):
                await _on_timeline(row, "notification_given_up", now, INTERRUPTED)
    return len(stuck)


async def _on_timeline(row: Notification, action: str, now: datetime, reason: str = "") -> None:
    if row.ticket_id is not None:
        ticket = await Ticket.get(id=row.ticket_id)
        await record(
            ticket, SYSTEM, action, now, old=row.kind, new=f"{row.medium}:{row.recipient}",
            body=reason,
        )  # fmt: skip


async def _make_call_task(row: Notification, now: datetime) -> None:
    async with in_transaction():
        row.medium, row.state, row.claimed_until = Medium.CALL_TASK, CALL_OPEN, None
        await row.save()
        if row.ticket_id is not None:
            await record(
                await row.ticket, SYSTEM, "call_task", now, old=row.kind, new=row.recipient
            )


async def complete_call_task(notification_id: int, actor, outcome: str, now: datetime) -> None:
    """Level 1 phoned the requester: the task leaves the queue and the call is on the timeline."""
    async with in_transaction():
        row = (
            await Notification.filter(id=notification_id, state=CALL_OPEN)
            .select_for_update()
            .first()
        )
        if row is None:
            raise LookupError("no such open call task")
        row.state, row.done_at, row.attempts = CALL_DONE, now, row.attempts + 1
        await row.save()
        if row.ticket_id is not None:
            await record(
                await row.ticket, actor, "called_requester", now, old=row.kind, new=row.recipient,
                body=outcome.strip()[:2000],
            )  # fmt: skip


async def failed_notifications(limit: int = 100) -> list[Notification]:
    """What could not be sent, newest first, for Level 1 to correct and send again."""
    return (
        await Notification.filter(state=FAILED, ticket_id__isnull=False)
        .exclude(medium=Medium.WEBHOOK)
        .order_by("-next_attempt_at", "-id")
        .limit(limit)
        .prefetch_related("ticket")
    )


async def send_again(notification_id: int, actor: Actor, recipient: str, now: datetime) -> None:
    """An agent corrected the contact of a failed notification: it is tried again, from the
    first attempt, and the ticket keeps the corrected contact for what follows."""
    now = now.astimezone(UTC)
    async with in_transaction():
        row = (
            await Notification.filter(id=notification_id, state=FAILED).select_for_update().first()
        )
        if row is None or row.ticket_id is None or row.medium == Medium.WEBHOOK:
            raise LookupError("no such failed notification")
        try:
            recipient = _checked_recipient(row.medium, recipient)
        except InvalidContact as error:
            raise InvalidInput(error.message, what=error.what) from None
        ticket = await Ticket.filter(id=row.ticket_id).select_for_update().first()
        old = row.recipient
        if row.medium == Medium.EMAIL and ticket.requester_email == old:
            ticket.requester_email = recipient
        elif row.medium == Medium.SMS and ticket.requester_phone == old:
            ticket.requester_phone = recipient
        elif row.medium == WHATSAPP and ticket.requester_phone.lstrip("+") == old:
            ticket.requester_phone = recipient
            recipient = recipient.lstrip("+")
        ticket.contact_flag = ""
        await ticket.save(update_fields=["requester_email", "requester_phone", "contact_flag"])
        row.recipient, row.state, row.attempts, row.last_error = recipient, PENDING, 0, ""
        row.next_attempt_at, row.claimed_until, row.done_at = now, None, None
        await row.save()
        await record(ticket, actor, "notification_resent", now, old=old, new=recipient)


def _checked_recipient(medium: str, recipient: str) -> str:
    """The corrected contact, through the same validator as every door (InvalidContact)."""
    if medium == Medium.EMAIL:
        checked = email_address(recipient)
    elif medium in (Medium.SMS, WHATSAPP):
        checked = phone_number(recipient)
    else:
        checked = recipient.strip()[:300]  # an X account: its id, as X gave it
    if not checked:
        raise InvalidContact(N_("%(what)s is required"), N_("recipient"))
    return checked
