"""What goes back out through a channel: email headers that thread, and a record of what was sent
so that the requester's answer threads back onto its ticket."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from helpdesk.adapters.channels.whatsapp import GraphClient
from helpdesk.adapters.channels.x import XClient
from helpdesk.adapters.mailer import DeliveryFailed
from helpdesk.adapters.orm.channels import InboundMessage, OutboundMessage
from helpdesk.adapters.orm.tickets import Ticket
from helpdesk.config import ChannelsConfig
from helpdesk.domain.channels import (
    LOOP_HEADER,
    ReplyRoute,
    WhatsAppReplyOptions,
    whatsapp_reply_route,
)
from helpdesk.domain.notifications import NotificationKind
from helpdesk.domain.tickets import Channel

if TYPE_CHECKING:
    from helpdesk.adapters.orm.desk import Notification
    from helpdesk.services.delivery import Senders

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


# Outbox mediums of conversations that are answered where they started.
WHATSAPP, X = "whatsapp", "x"
CONVERSATION_MEDIUMS = (WHATSAPP, X)


def conversation_channel(ticket: Ticket) -> tuple[str, str] | None:
    """(medium, recipient) for a ticket that came by WhatsApp or X; None for the others."""
    if ticket.channel == Channel.WHATSAPP and ticket.requester_phone:
        return WHATSAPP, ticket.requester_phone.lstrip("+")
    if ticket.channel == Channel.X and ticket.requester_ref.startswith("x:"):
        return X, ticket.requester_ref.removeprefix("x:")
    return None


@dataclass(frozen=True)
class ChannelSenders:
    """The outbox's way to answer on WhatsApp and X (either may be off: None)."""

    whatsapp: GraphClient | None = None
    whatsapp_template: tuple[str, str] | None = None  # (name, language)
    x: XClient | None = None

    async def send(self, row: Notification, senders: Senders, now: datetime) -> None:
        ticket = await Ticket.get(id=row.ticket_id)
        text = _message_text(row, senders)
        if row.medium == X:
            if self.x is None:
                raise DeliveryFailed("X is switched off")
            event_id = await self.x.send_direct_message(row.recipient, text)
            await remember_sent(Channel.X, ticket.id, event_id, row.recipient, now=now)
            return
        await self._whatsapp(row, ticket, text, senders, now)

    async def _whatsapp(
        self, row: Notification, ticket: Ticket, text: str, senders: Senders, now: datetime
    ) -> None:
        last = (
            await InboundMessage.filter(channel=Channel.WHATSAPP, sender=row.recipient)
            .order_by("-received_at")
            .first()
        )
        route = whatsapp_reply_route(
            last.received_at if last and self.whatsapp else None,
            now,
            WhatsAppReplyOptions(
                template_configured=bool(self.whatsapp and self.whatsapp_template),
                has_email=bool(ticket.requester_email and senders.mailer),
                has_sms=senders.sms is not None,
            ),
        )
        if route == ReplyRoute.FREE_FORM:
            wamid = await self.whatsapp.send_text(row.recipient, text)
        elif route == ReplyRoute.TEMPLATE:
            name, language = self.whatsapp_template
            wamid = await self.whatsapp.send_template(
                row.recipient, name, language, [ticket.number]
            )
        elif route == ReplyRoute.EMAIL:
            email = senders.writer.email(row.kind, row.locale, row.payload)
            recipient = ticket.requester_email
            headers = await email_thread_headers(
                ticket.id, recipient, senders.mailer.sender, row.kind
            )
            message_id = await senders.mailer.send(
                recipient, email.subject, email.text, email.html, headers
            )
            await remember_sent(Channel.EMAIL, ticket.id, message_id, recipient, now=now)
            return
        elif route == ReplyRoute.SMS:
            await senders.sms.send("+" + row.recipient, text)
            return
        else:
            raise DeliveryFailed(
                "outside WhatsApp's 24-hour window, with no template, email or SMS to fall back on"
            )
        await remember_sent(Channel.WHATSAPP, ticket.id, wamid, row.recipient, route, now)


def _message_text(row: Notification, senders: Senders) -> str:
    """The staff's words when it is a reply, then the line that says what happened and the link."""
    line = senders.writer.sms(row.kind, row.locale, row.payload)
    reply = str(row.payload.get("reply", "")).strip()
    return f"{reply}\n\n{line}" if reply else line


def channel_senders(config: ChannelsConfig) -> ChannelSenders:
    """Built from the channels' configuration: a client for each channel that is switched on."""
    whatsapp = GraphClient.from_config(config)
    x = (
        XClient(config.x_api_base, config.x_access_token)
        if config.x_consumer_secret and config.x_access_token
        else None
    )
    return ChannelSenders(whatsapp, config.whatsapp_template, x)
