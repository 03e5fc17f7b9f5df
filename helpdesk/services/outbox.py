"""The outbox: notifications are written in the transaction of the change that causes them.

Each function here is called inside that transaction; `helpdesk.services.delivery` sends them.
"""

from __future__ import annotations

from datetime import datetime

from helpdesk.adapters.orm.desk import Notification, Webhook
from helpdesk.adapters.orm.institute import Staff
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.institute import StaffRole
from helpdesk.domain.notifications import Medium, NotificationKind, requester_medium
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
    made = []
    medium = requester_medium(
        ContactPreference(ticket.contact_preference), ticket.requester_email, ticket.requester_phone
    )
    if medium is not None:
        made.append(
            await Notification.create(
                ticket=ticket,
                kind=kind,
                medium=medium,
                recipient=ticket.requester_email
                if medium == Medium.EMAIL
                else ticket.requester_phone,
                locale=ticket.requester_locale,
                payload=_snapshot(ticket, **extra),
                next_attempt_at=now,
                created_at=now,
            )
        )
    if kind in WEBHOOK_EVENTS:
        made += await _notify_webhooks(ticket, WEBHOOK_EVENTS[kind], now)
    return made


async def notify_department_managers(
    ticket: Ticket, department_id: int, kind: NotificationKind, now: datetime
) -> list[Notification]:
    managers = await Staff.filter(
        department_id=department_id, role=StaffRole.DEPARTMENT_MANAGER, is_active=True
    )
    return [
        await Notification.create(
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


async def _notify_webhooks(ticket: Ticket, event: str, now: datetime) -> list[Notification]:
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
        await Notification.create(
            ticket=ticket,
            kind=event,
            medium=Medium.WEBHOOK,
            recipient=str(hook.id),
            payload=payload,
            next_attempt_at=now,
            created_at=now,
        )
        for hook in await Webhook.filter(is_active=True)
        if event in hook.events
    ]
