"""Email out through aiosmtplib: one message with a plain-text part and an HTML alternative."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib

from helpdesk.domain.contacts import is_sendable_email


class DeliveryFailed(Exception):
    """The message did not leave. The outbox tries again later, unless `permanent`: the address
    or the message itself is wrong, and trying again would fail the same way."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    use_tls: bool = False
    start_tls: bool | None = None  # None: upgrade when the server offers it
    timeout: float = 15.0

    async def send(
        self, to: str, subject: str, text: str, html: str, headers: Mapping[str, str] = {}
    ) -> str:
        """Send and return the Message-ID (a reply by email can refer to it)."""
        if not is_sendable_email(to):
            raise DeliveryFailed(f"not a valid email address: {to[:300]!r}", permanent=True)
        try:
            message = self._message(to, subject, text, html, headers)
        except (ValueError, TypeError) as error:  # a header the email library refuses to write
            raise DeliveryFailed(
                f"the message cannot be written: {error}", permanent=True
            ) from None
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                start_tls=self.start_tls,
                timeout=self.timeout,
                # The sender's domain greets the server. Left out, aiosmtplib asks
                # `socket.getfqdn()` on a thread for every message: a reverse DNS lookup, which
                # on a host without DNS waits for the resolver's timeouts, and a thread that
                # the event loop's shutdown then waits for.
                local_hostname=self._domain,
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            # 5xx for the address: the server will never take it (4xx: it may, later)
            permanent = all(500 <= r.code < 600 for r in error.recipients)
            raise DeliveryFailed(f"SMTP refused {to!r}: {error}", permanent=permanent) from None
        except (aiosmtplib.SMTPException, OSError, ValueError) as error:
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {error}") from error
        return message["Message-ID"]

    @property
    def _domain(self) -> str:
        return self.sender.rpartition("@")[2] or "localhost"

    def _message(
        self, to: str, subject: str, text: str, html: str, headers: Mapping[str, str]
    ) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = make_msgid(domain=self._domain)
        for name, value in headers.items():  # threading and loop headers (channels)
            message[name] = value
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message
