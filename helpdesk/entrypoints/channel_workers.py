"""The channels' background work, started and stopped with the app: the SMTP listener, IMAP
polling, and the retry worker that processes whatever inbound message is still unprocessed.

Every process may listen for SMTP (the port is shared); polling IMAP and retrying run only in the
process that runs the scheduler (SCHEDULER=on), like the helpdesk's other background work."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from helpdesk.adapters.channels.attachments import AttachmentStore
from helpdesk.adapters.channels.email_in import ImapMailbox, poll_mailbox, start_smtp_listener
from helpdesk.adapters.channels.whatsapp import GraphClient
from helpdesk.config import Config
from helpdesk.entrypoints import keys
from helpdesk.services.bus import MessageBus
from helpdesk.services.intake import Intake, process, process_pending, receive_email

log = logging.getLogger("sanad.channels")
RETRY_SECONDS = 30


def build_intake(config: Config, bus: MessageBus) -> Intake:
    return Intake(
        attachments=AttachmentStore(config.var_dir),
        own_addresses=config.channels.support_addresses,
        attachment_max_bytes=config.channels.attachment_max_bytes,
        bus=bus,
        whatsapp=GraphClient.from_config(config.channels),
    )


async def channel_workers(app: web.Application):
    config, scheduler = app[keys.CONFIG].channels, app[keys.CONFIG].scheduler
    intake = app[keys.INTAKE]

    async def mail_in(raw: bytes) -> None:
        received = await receive_email(raw)  # stored: the sender may now be told "250"
        if not received.duplicate:
            asyncio.get_running_loop().create_task(process(received.inbound_id, intake))

    tasks = []
    if scheduler:
        tasks.append(asyncio.create_task(_every(RETRY_SECONDS, lambda: process_pending(intake))))
    app[keys.SMTP_LISTENER] = None
    if config.inbound_smtp_port is not None:
        app[keys.SMTP_LISTENER] = await start_smtp_listener(
            config.inbound_smtp_host,
            config.inbound_smtp_port,
            config.support_addresses,
            config.mail_max_bytes,
            mail_in,
        )
    if config.imap_host and scheduler:
        mailbox = ImapMailbox(
            host=config.imap_host,
            port=config.imap_port,
            user=config.imap_user or "",
            password=config.imap_password or "",
            tls=config.imap_tls,
            folder=config.imap_folder,
        )
        tasks.append(
            asyncio.create_task(
                _every(config.imap_poll_seconds, lambda: poll_mailbox(mailbox, mail_in))
            )
        )
    try:
        yield
    finally:
        if app[keys.SMTP_LISTENER] is not None:
            app[keys.SMTP_LISTENER].close()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await app[keys.INTAKE_RATE_LIMIT].close()


async def _every(seconds: float, work: Callable[[], Awaitable[object]]) -> None:
    while True:
        try:
            await work()
        except Exception:
            log.exception("channels: background work failed; trying again in %s s", seconds)
        await asyncio.sleep(seconds)
