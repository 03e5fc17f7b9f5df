"""The scheduler inside the app: every few seconds, the referral clock sweep and the outbox worker.

Deadlines and notifications live in the database, so the loop keeps no state: a restart resumes
where it was, and several processes may run it (PostgreSQL row locks share the work).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from aiohttp import web

from helpdesk.adapters import database
from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.config import Config
from helpdesk.entrypoints import keys
from helpdesk.services.channel_replies import channel_senders
from helpdesk.services.delivery import Senders, deliver_due
from helpdesk.services.desk import ensure_settings, load_desk
from helpdesk.services.messages import MessageWriter
from helpdesk.services.referral_clock import sweep_referral_clock

log = logging.getLogger("sanad.scheduler")
EVERY_SECONDS = 2.0


def senders_from(config: Config, writer: MessageWriter) -> Senders:
    mailer = None
    if config.smtp_host:
        mailer = SmtpMailer(
            config.smtp_host,
            config.smtp_port,
            config.mail_from,
            username=config.smtp_user,
            password=config.smtp_password,
            use_tls=config.smtp_tls == "tls",
            start_tls={"starttls": True, "tls": False}.get(config.smtp_tls, False),
        )
    sms = (
        HttpSmsGateway(config.sms_gateway_url, config.sms_gateway_token)
        if config.sms_gateway_url
        else None
    )
    return Senders(writer, mailer, sms, WebhookSender(), channel_senders(config.channels))


async def _run(app: web.Application, senders: Senders) -> None:
    while True:
        now = datetime.now(UTC)
        try:
            clock = await sweep_referral_clock(now, bus=app[keys.BUS])
            sent = await deliver_due(now, senders)
            if clock.touched or sent.sent or sent.failed:
                log.info("referral clock %s; outbox %s", clock, sent)
        except Exception as error:
            if not database.unavailable(error):
                log.exception("scheduler round failed; trying again")
            else:
                log.warning("scheduler round waits: the database is unavailable")
        await asyncio.sleep(EVERY_SECONDS)


async def scheduler(app: web.Application):
    config = app[keys.CONFIG]
    await ensure_settings(config.institute_tz)
    # The first desk imports the holidays package's calendars (~0.4 s): at start-up, not in the
    # first request or sweep.
    await load_desk(datetime.now(UTC))
    task = None
    if config.scheduler:
        writer = MessageWriter(app[keys.CATALOGUES], config.base_url)
        task = asyncio.create_task(_run(app, senders_from(config, writer)))
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@dataclass(frozen=True)
class Job:
    """Another part's work on a clock (the live room's sweep): `run()` every `every` seconds in
    every process, whatever SCHEDULER says (it may keep this process's own state fresh)."""

    name: str
    every: float
    run: Callable[[], Awaitable[object]]


def setup_scheduler(app: web.Application, jobs: Sequence[Job] = ()) -> None:
    """Runs after the database is up (the composition root adds it after the database), with
    the jobs the composition root brings from other parts."""
    app.cleanup_ctx.append(scheduler)
    for job in jobs:
        app.cleanup_ctx.append(_scheduled(job))


def _scheduled(job: Job):
    async def repeat() -> None:
        while True:
            try:
                await job.run()
            except Exception as error:
                if not database.unavailable(error):
                    log.exception("%s failed; trying again", job.name)
                else:
                    log.warning("%s waits: the database is unavailable", job.name)
            await asyncio.sleep(job.every)

    async def running(app: web.Application):
        task = asyncio.create_task(repeat())
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return running
