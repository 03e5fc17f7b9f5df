"""Intake channels: the rules that decide what an arriving message is, with no I/O.

Email is recognised as an automatic message (auto-reply, bounce, loop) or a person's message, and
a person's message threads onto a ticket by the number in its subject or by its reply headers.
Webhook calls are signed (WhatsApp: hex HMAC-SHA256 of the raw body with the app secret; X: base64
HMAC-SHA256 with the consumer secret) and checked in constant time. WhatsApp allows free-form
replies only within 24 hours of the person's last message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from html import unescape

import nh3

from helpdesk.domain.secret_check import as_bytes, same_secret

TICKET_NUMBER = re.compile(r"\bSND-\d{4}-\d{6}\b")
MESSAGE_ID = re.compile(r"<[^<>\s]+>")


class EmailKind(StrEnum):
    PERSON = "person"
    AUTO_REPLY = "auto_reply"
    BOUNCE = "bounce"
    LOOP = "loop"


# Mail the helpdesk sends carries this header; seeing it come back in means a mail loop.
LOOP_HEADER = "X-Sanad-Loop"
_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")
_BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


def classify_email(headers: Mapping[str, str], own_addresses: Iterable[str]) -> EmailKind:
    """What kind of email this is, from its headers (names compared without case)."""
    h = {name.lower(): (value or "").strip() for name, value in headers.items()}
    sender = _address(h.get("from", ""))
    if h.get(LOOP_HEADER.lower()) or sender in {a.lower() for a in own_addresses}:
        return EmailKind.LOOP
    content_type = h.get("content-type", "").lower()
    if (
        sender.startswith(_BOUNCE_SENDERS)
        or content_type.startswith("multipart/report")
        or h.get("return-path", "") == "<>"
    ):
        return EmailKind.BOUNCE
    if (
        h.get("auto-submitted", "no").lower() not in ("", "no")
        or "x-autoreply" in h
        or "x-autorespond" in h
        or h.get("x-auto-response-suppress", "").lower() in ("all", "oof")
        or h.get("precedence", "").lower() in _BULK_PRECEDENCE
    ):
        return EmailKind.AUTO_REPLY
    return EmailKind.PERSON


def _address(value: str) -> str:
    match = re.search(r"<([^<>]*)>", value)
    return (match.group(1) if match else value).strip().lower()


def ticket_number_in(subject: str) -> str | None:
    match = TICKET_NUMBER.search(subject or "")
    return match.group(0) if match else None


def referenced_message_ids(in_reply_to: str, references: str) -> list[str]:
    """The Message-IDs a reply points at, nearest first (In-Reply-To, then References backwards)."""
    found = MESSAGE_ID.findall(in_reply_to or "") + MESSAGE_ID.findall(references or "")[::-1]
    return list(dict.fromkeys(found))


# Where a mail client starts quoting the message being answered (English and Arabic clients).
_QUOTE_HEADER = re.compile(
    r"^(On .{4,200} wrote:|في .{4,200} كتب:|-{2,} ?Original Message ?-{2,}|-{2,} ?الرسالة الأصلية ?-{2,}"
    r"|From: .+)$",
    re.IGNORECASE,
)


def without_quoted_reply(text: str) -> str:
    """A reply without the earlier messages it quotes; the whole text when nothing new is left."""
    kept = []
    for line in text.splitlines():
        if _QUOTE_HEADER.match(line.strip()):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    new = "\n".join(kept).strip()
    return new or text.strip()


_BLOCK_END = re.compile(r"</(p|div|li|tr|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """The readable text of an HTML email: scripts, styles and every tag removed by nh3."""
    kept = nh3.clean(html, tags={"p", "div", "li", "tr", "br", "h1", "h2", "h3", "blockquote"})
    with_breaks = _BLOCK_END.sub("\n", kept)
    text = unescape(nh3.clean(with_breaks, tags=set()))
    lines = [line.strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def whatsapp_signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>`, compared in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return same_secret(header.removeprefix("sha256="), expected)


def x_signature(body: bytes, consumer_secret: str) -> str:
    digest = hmac.new(consumer_secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()


def x_signature_valid(body: bytes, header: str | None, consumer_secret: str) -> bool:
    """`X-Twitter-Webhooks-Signature: sha256=<base64>`, compared in constant time."""
    return same_secret(header, x_signature(body, consumer_secret))


def x_crc_response(crc_token: str, consumer_secret: str) -> str:
    """The answer to X's challenge-response check: the token signed with the consumer secret."""
    return x_signature(as_bytes(crc_token), consumer_secret)


# WhatsApp's customer-service window: free-form messages only within 24 hours of the person's last.
SERVICE_WINDOW = timedelta(hours=24)


class ReplyRoute(StrEnum):
    FREE_FORM = "free_form"
    TEMPLATE = "template"
    EMAIL = "email"
    SMS = "sms"
    NONE = "none"


@dataclass(frozen=True)
class WhatsAppReplyOptions:
    template_configured: bool
    has_email: bool
    has_sms: bool  # an SMS gateway is configured and the requester has a phone number


def whatsapp_reply_route(
    last_inbound_at: datetime | None, now: datetime, options: WhatsAppReplyOptions
) -> ReplyRoute:
    """How a staff reply reaches someone who wrote on WhatsApp."""
    if last_inbound_at is not None and now - last_inbound_at < SERVICE_WINDOW:
        return ReplyRoute.FREE_FORM
    if options.template_configured:
        return ReplyRoute.TEMPLATE
    if options.has_email:
        return ReplyRoute.EMAIL
    if options.has_sms:
        return ReplyRoute.SMS
    return ReplyRoute.NONE
