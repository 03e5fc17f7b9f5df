"""The outbox worker: sends what is due, with retries and back-off; every attempt is on the timeline.

Rows are claimed for a short lease in one transaction (SKIP LOCKED on PostgreSQL, so several
processes share the work), sent outside any transaction (a slow SMTP server must not hold the
database), and the outcome recorded in another.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from helpdesk.adapters.mailer import DeliveryFailed, SmtpMailer
from helpdesk.adapters.orm.desk import Notification, Webhook
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.domain.notifications import Medium, gives_up, retry_delay
from helpdesk.domain.tickets import Channel
from helpdesk.services.channel_replies import (
    CONVERSATION_MEDIUMS,
    ChannelSenders,
    email_thread_headers,
    remember_sent,
)
from helpdesk.services.messages import MessageWriter
from helpdesk.services.tickets import SYSTEM, record

PENDING, SENT, FAILED = "pending", "sent", "failed"
CALL_OPEN, CALL_DONE = "call_open", "call_done"  # a call task waiting for, or done by, Level 1
LEASE = timedelta(minutes=2)


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


@dataclass(frozen=True)
class OutboxFigures:
    """What waits in the outbox, by medium (every medium, zero included)."""

    backlog: dict[str, int]  # pending, and call tasks waiting for Level 1
    retrying: dict[str, int]  # pending again after a failed attempt
    failed: dict[str, int]  # given up after the last attempt; kept for staff to look at
    oldest_pending_seconds: float  # 0 when nothing is pending


async def outbox_figures(now: datetime) -> OutboxFigures:
    mediums = [str(m) for m in (*Medium, *CONVERSATION_MEDIUMS)]
    backlog, retrying, failed = (dict.fromkeys(mediums, 0) for _ in range(3))
    by_state = Notification.filter(state__in=[PENDING, CALL_OPEN, FAILED]).annotate(n=Count("id"))
    for state, medium, n in await by_state.group_by("state", "medium").values_list(
        "state", "medium", "n"
    ):
        (failed if state == FAILED else backlog)[medium] = n
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
    result = DeliveryResult()
    for row in await _claim(now, senders, batch):
        if row.medium == Medium.SMS and senders.sms is None:
            await _make_call_task(row, now)
            result.call_tasks += 1
            continue
        try:
            await _send(row, senders, now)
        except DeliveryFailed as error:
            await _record_attempt(row, now, str(error))
            result.failed += 1
        else:
            await _record_attempt(row, now, None)
            result.sent += 1
    return result


async def _send(row: Notification, senders: Senders, now: datetime) -> None:
    if row.medium == Medium.EMAIL:
        email = senders.writer.email(row.kind, row.locale, row.payload)
        headers = await email_thread_headers(
            row.ticket_id, row.recipient, senders.mailer.sender, row.kind
        )
        message_id = await senders.mailer.send(
            row.recipient, email.subject, email.text, email.html, headers
        )
        await remember_sent(Channel.EMAIL, row.ticket_id, message_id, row.recipient)
    elif row.medium in CONVERSATION_MEDIUMS and senders.channels is not None:
        await senders.channels.send(row, senders, now)
    elif row.medium == Medium.SMS:
        await senders.sms.send(row.recipient, senders.writer.sms(row.kind, row.locale, row.payload))
    elif row.medium == Medium.WEBHOOK:
        hook = await Webhook.get_or_none(id=int(row.recipient), is_active=True)
        if hook is None:
            raise DeliveryFailed("the webhook was removed or switched off")
        await senders.webhooks.deliver(
            hook.url, hook.secret, row.kind, f"n{row.id}", row.payload, int(time.time())
        )


async def _record_attempt(row: Notification, now: datetime, error: str | None) -> None:
    async with in_transaction():
        row.attempts += 1
        row.claimed_until = None
        if error is None:
            row.state, row.done_at, row.last_error = SENT, now, ""
        else:
            row.last_error = error[:2000]
            if gives_up(row.attempts):
                row.state = FAILED
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
        await row.save()
        if row.ticket_id is not None:
            await record(
                await row.ticket,
                SYSTEM,
                "notification_sent" if error is None else "notification_failed",
                now,
                old=row.kind,
                new=f"{row.medium}:{row.recipient}",
                body=error or "",
            )


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
