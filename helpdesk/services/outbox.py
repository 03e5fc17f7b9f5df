"""The outbox: notifications are written in the transaction of the change that causes them.

Each `notify_` function here is called inside that transaction; `helpdesk.services.delivery`
sends them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from helpdesk.adapters.orm.desk import Notification, Webhook
from helpdesk.adapters.orm.institute import Staff
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.notifications import (
    Medium,
    NotificationKind,
    conversation_channel,
    requester_medium,
)
from helpdesk.domain.tickets import ContactPreference

# Requester notifications that also go to subscribed webhooks, under these event names.
WEBHOOK_EVENTS = {
    NotificationKind.CREATED: "ticket.created",
    NotificationKind.REFERRED: "ticket.referred",
    NotificationKind.ESCALATED: "ticket.escalated",
    NotificationKind.RESOLVED: "ticket.resolved",
    NotificationKind.CLOSED: "ticket.closed",
}


def tracking_path(ticket: Ticket) -> str:
    return f"/track/{ticket.number}?key={ticket.tracking_secret}"


def _snapshot(ticket: Ticket, **extra: object) -> dict:
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": str(ticket.status),
        "name": ticket.requester_name,
        "tracking_path": tracking_path(ticket),
        **extra,
    }


async def notify_requester(
    ticket: Ticket, kind: NotificationKind, now: datetime, **extra: object
) -> list[Notification]:
    """Tell the requester on their preferred contact; tell subscribed webhooks too."""
    webhooks = await Webhook.filter(is_active=True) if kind in WEBHOOK_EVENTS else []
    return await _stored(requester_notifications(ticket, kind, now, webhooks, **extra))


async def notify_department_managers(
    ticket: Ticket, department_id: int, kind: NotificationKind, now: datetime
) -> list[Notification]:
    managers = await department_managers([department_id])
    return await _stored(manager_notifications(ticket, managers.get(department_id, []), kind, now))


async def _stored(rows: list[Notification]) -> list[Notification]:
    for row in rows:
        await row.save()
    return rows


async def department_managers(department_ids: Iterable[int]) -> dict[int, list[Staff]]:
    """The active managers of each department, by department id."""
    managers: dict[int, list[Staff]] = {}
    for manager in await Staff.filter(
        department_id__in=list(department_ids), role=StaffRole.DEPARTMENT_MANAGER, is_active=True
    ).order_by("id"):
        managers.setdefault(manager.department_id, []).append(manager)
    return managers


# The builders below make the outbox rows without storing them: the referral sweep stores a whole
# batch's rows in one statement.


def requester_notifications(
    ticket: Ticket,
    kind: NotificationKind,
    now: datetime,
    webhooks: Iterable[Webhook],
    **extra: object,
) -> list[Notification]:
    made = []
    medium = requester_medium(
        ContactPreference(ticket.contact_preference), ticket.requester_email, ticket.requester_phone
    )
    recipient = ticket.requester_email if medium == Medium.EMAIL else ticket.requester_phone
    on_channel = conversation_channel(  # a WhatsApp or X conversation is answered there
        ticket.channel, ticket.requester_phone, ticket.requester_ref
    )
    if on_channel is not None:
        medium, recipient = on_channel
    if medium is not None:
        made.append(
            Notification(
                ticket=ticket,
                kind=kind,
                medium=medium,
                recipient=recipient,
                locale=ticket.requester_locale,
                payload=_snapshot(ticket, **extra),
                next_attempt_at=now,
                created_at=now,
            )
        )
    if kind in WEBHOOK_EVENTS:
        made += _webhook_notifications(ticket, WEBHOOK_EVENTS[kind], now, webhooks)
    return made


def manager_notifications(
    ticket: Ticket, managers: list[Staff], kind: NotificationKind, now: datetime
) -> list[Notification]:
    return [
        Notification(
            ticket=ticket,
            kind=kind,
            medium=Medium.EMAIL,
            recipient=manager.email,
            locale=manager.locale,
            payload=_snapshot(ticket, name=manager.name, staff=True),
            next_attempt_at=now,
            created_at=now,
        )
        for manager in managers
    ]


def _webhook_notifications(
    ticket: Ticket, event: str, now: datetime, webhooks: Iterable[Webhook]
) -> list[Notification]:
    payload = {
        "event": event,
        "ticket": {
            "number": ticket.number,
            "status": str(ticket.status),
            "level": int(ticket.level),
            "kind": str(ticket.kind),
            "category": str(ticket.category),
            "channel": str(ticket.channel),
            "department_id": ticket.department_id,
        },
        "occurred_at": now.isoformat(),
    }
    return [
        Notification(
            ticket=ticket,
            kind=event,
            medium=Medium.WEBHOOK,
            recipient=str(hook.id),
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in webhooks
        if event in hook.events
    ]
