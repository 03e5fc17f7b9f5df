"""What goes back out through a channel: email headers that thread, and a record of what was sent
so that the requester's answer threads back onto its ticket."""

from __future__ import annotations

from datetime import UTC, datetime

from helpdesk.adapters.orm.channels import InboundMessage, OutboundMessage
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.domain.channels import LOOP_HEADER
from helpdesk.domain.notifications import NotificationKind
from helpdesk.domain.tickets import Channel

# Mail clients cope with long References, but a few dozen ids are all a thread needs.
REFERENCES_KEPT = 20
_TICKETED = ("opened", "reply")


async def email_thread_headers(
    ticket_id: int | None, recipient: str, sender: str, kind: str
) -> dict[str, str]:
    """Headers of an email about a ticket: the loop mark always; to the requester, In-Reply-To
    and References to the conversation so far; Auto-Submitted on automatic acknowledgements."""
    headers = {LOOP_HEADER: sender}
    if kind != NotificationKind.REPLY:  # RFC 3834: a notice no person wrote
        headers["Auto-Submitted"] = "auto-generated"
    ticket = await Ticket.get_or_none(id=ticket_id) if ticket_id else None
    if kind == NotificationKind.CREATED and ticket is not None and ticket.channel == Channel.EMAIL:
        headers["Auto-Submitted"] = "auto-replied"  # the answer to their email
    if ticket is None or ticket.requester_email.lower() != recipient.lower():
        return headers
    theirs = await InboundMessage.filter(
        ticket_id=ticket.id, channel=Channel.EMAIL, outcome__in=_TICKETED
    ).values_list("external_id", "received_at")
    ours = await OutboundMessage.filter(ticket_id=ticket.id, channel=Channel.EMAIL).values_list(
        "external_id", "sent_at"
    )
    thread = [message_id for message_id, _ in sorted(theirs + ours, key=lambda m: m[1])]
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread[-REFERENCES_KEPT:])
    return headers


async def last_whatsapp_message_at(sender: str) -> datetime | None:
    """When this WhatsApp number last wrote to us (the 24-hour window counts from it)."""
    last = (
        await InboundMessage.filter(channel=Channel.WHATSAPP, sender=sender)
        .order_by("-received_at")
        .first()
    )
    return last.received_at if last else None


async def remember_sent(
    channel: Channel,
    ticket_id: int | None,
    external_id: str,
    recipient: str,
    route: str = "",
    now: datetime | None = None,
) -> None:
    if ticket_id is None or not external_id:
        return
    await OutboundMessage.create(
        channel=channel,
        ticket_id=ticket_id,
        external_id=external_id,
        recipient=recipient,
        route=route or channel.value,
        sent_at=now or datetime.now(UTC),
    )
