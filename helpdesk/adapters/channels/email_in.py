"""Email in: reading an RFC 5322 message, the SMTP listener (aiosmtpd) and IMAP polling."""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import hashlib
import imaplib
import logging
import re
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr

from aiosmtpd.smtp import SMTP, Envelope, Session

from helpdesk.domain.channels import html_to_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmailFile:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    sender_name: str
    sender_address: str
    subject: str
    text: str
    headers: dict[str, str]
    in_reply_to: str = ""
    references: str = ""
    files: list[EmailFile] = field(default_factory=list)


class MalformedEmail(ValueError):
    pass


def message_id_of(raw: bytes) -> str:
    """The Message-ID, or a stable stand-in made from the bytes when the sender gave none."""
    headers = email.message_from_bytes(raw, policy=email.policy.compat32)
    found = re.search(r"<[^<>\s]+>", str(headers.get("Message-ID", "")))
    return found.group(0) if found else "<sha256-" + hashlib.sha256(raw).hexdigest() + "@sanad>"


def parse_email(raw: bytes) -> ParsedEmail:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or message.get("From") is None:
        raise MalformedEmail("no From header")
    name, address = parseaddr(str(message.get("From", "")))
    if "@" not in address:
        raise MalformedEmail("the From header has no address")
    return ParsedEmail(
        message_id=message_id_of(raw),
        sender_name=name.strip() or address.split("@")[0],
        sender_address=address.strip().lower(),
        subject=str(message.get("Subject", "")).strip(),
        text=_body_text(message),
        headers={k: str(v) for k, v in message.items()},
        in_reply_to=str(message.get("In-Reply-To", "")),
        references=str(message.get("References", "")),
        files=list(_files(message)),
    )


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: keep what can be read
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    if part.get_content_type() == "text/html":
        return html_to_text(content)
    return content.replace("\r\n", "\n").strip()


def _files(message: EmailMessage):
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True) or b""
        yield EmailFile(part.get_filename() or "attachment", part.get_content_type(), data)


def recipients(addresses: list[str]) -> set[str]:
    return {address.lower() for _, address in getaddresses(addresses)}


# -- the SMTP listener ---------------------------------------------------------------------------

Receiver = Callable[[bytes], Awaitable[object]]


class _IntakeHandler:
    """Accepts mail for the support addresses only; answers 250 once the raw message is stored."""

    def __init__(self, addresses: tuple[str, ...], receive: Receiver):
        self.addresses = {a.lower() for a in addresses}
        self.receive = receive

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address, options):
        if address.lower() not in self.addresses:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        try:
            await self.receive(envelope.original_content or envelope.content)
        except MalformedEmail as error:
            return f"550 5.6.0 {error}"
        except Exception:
            log.exception("mail in: could not store a message from %s", envelope.mail_from)
            return "451 4.3.0 cannot store the message now, try again later"
        return "250 OK: received"


async def start_smtp_listener(
    host: str, port: int, addresses: tuple[str, ...], max_bytes: int, receive: Receiver
) -> asyncio.Server:
    """An aiosmtpd server on the running event loop (the app's), not in a thread of its own."""
    handler = _IntakeHandler(addresses, receive)
    loop = asyncio.get_running_loop()
    return await loop.create_server(
        lambda: SMTP(handler, data_size_limit=max_bytes, hostname="sanad", loop=loop),
        host=host,
        port=port,
        reuse_port=True,  # each process of the app may listen on the same port
    )


# -- IMAP polling --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str
    tls: str = "tls"  # none | starttls | tls
    folder: str = "INBOX"
    timeout: float = 30.0

    def _connect(self) -> imaplib.IMAP4:
        if self.tls == "tls":
            connection = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=ssl.create_default_context(), timeout=self.timeout
            )
        else:
            connection = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.tls == "starttls":
                connection.starttls(ssl.create_default_context())
        connection.login(self.user, self.password)
        return connection

    def unseen(self) -> list[tuple[bytes, bytes]]:
        """(uid, raw message) of every unseen message; reading does not mark them seen."""
        connection = self._connect()
        try:
            connection.select(self.folder)
            _, data = connection.uid("SEARCH", None, "UNSEEN")
            found = []
            for uid in data[0].split():
                _, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is not None:
                    found.append((uid, raw))
            return found
        finally:
            _log_out(connection)

    def mark_seen(self, uids: list[bytes]) -> None:
        if not uids:
            return
        connection = self._connect()
        try:
            connection.select(self.folder)
            connection.uid("STORE", b",".join(uids), "+FLAGS", r"(\Seen)")
        finally:
            _log_out(connection)


def _log_out(connection: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        connection.logout()


async def poll_mailbox(mailbox: ImapMailbox, receive: Receiver) -> int:
    """Store every unseen message, then mark them seen: a crash in between re-fetches, and the
    Message-ID keeps a re-fetched message from counting twice. Returns how many were fetched."""
    messages = await asyncio.to_thread(mailbox.unseen)
    stored = []
    for uid, raw in messages:
        try:
            await receive(raw)
            stored.append(uid)
        except Exception:
            log.exception("mail in (IMAP): could not store message uid %s", uid.decode())
    await asyncio.to_thread(mailbox.mark_seen, stored)
    return len(messages)
