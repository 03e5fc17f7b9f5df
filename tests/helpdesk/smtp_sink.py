"""A real aiosmtpd server on loopback that keeps what it receives; it can stop and restart."""

from __future__ import annotations

import email
import email.policy
import socket

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self.greetings: list[str] = []  # the name each sender gave in its EHLO
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.greetings.append(session.host_name)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def start(self) -> None:
        # a name for its greeting: without one aiosmtpd looks up the host's (DNS) at each connection
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, server_hostname="smtp-sink.test"
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None
