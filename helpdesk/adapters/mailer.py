"""Email out through aiosmtplib: one message with a plain-text part and an HTML alternative."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import aiosmtplib


class DeliveryFailed(Exception):
    """The message did not leave; the outbox will try again later."""


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
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        domain = self.sender.rpartition("@")[2] or "localhost"
        message["Message-ID"] = make_msgid(domain=domain)
        for name, value in headers.items():  # threading and loop headers (channels)
            message[name] = value
        message.set_content(text)
        message.add_alternative(html, subtype="html")
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
                local_hostname=domain,
            )
        except (aiosmtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"SMTP {self.host}:{self.port}: {error}") from error
        return message["Message-ID"]
