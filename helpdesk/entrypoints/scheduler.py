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
from functools import partial

from aiohttp import web

from helpdesk.adapters import database
from helpdesk.adapters.channels.replies import channel_senders
from helpdesk.adapters.mailer import SmtpMailer
from helpdesk.adapters.sms import HttpSmsGateway
from helpdesk.adapters.webhooks import WebhookSender
from helpdesk.config import Config
from helpdesk.entrypoints import keys
from helpdesk.services.delivery import Senders, deliver_due
from helpdesk.services.desk import ensure_settings, load_desk
from helpdesk.services.messages import MessageWriter
from helpdesk.services.referral_clock import sweep_referral_clock

log = logging.getLogger("sanad.scheduler")
EVERY_SECONDS = 2.0
STOP_WAIT = 10.0  # seconds a round in progress may take to finish when the app stops


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


async def _round(app: web.Application, senders: Senders) -> None:
    now = datetime.now(UTC)
    clock = await sweep_referral_clock(now, bus=app[keys.BUS])
    sent = await deliver_due(now, senders)
    if clock.touched or sent.sent or sent.failed:
        log.info("referral clock %s; outbox %s", clock, sent)


async def scheduler(app: web.Application):
    config = app[keys.CONFIG]
    await ensure_settings(config.institute_tz)
    # The first desk imports the holidays package's calendars (~0.4 s): at start-up, not in the
    # first request or sweep.
    await load_desk(datetime.now(UTC))
    if not config.scheduler:
        yield
        return
    writer = MessageWriter(app[keys.CATALOGUES], config.base_url)
    round_ = partial(_round, app, senders_from(config, writer))
    async with _every("scheduler round", EVERY_SECONDS, round_):
        yield


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
    async def running(app: web.Application):
        async with _every(job.name, job.every, job.run):
            yield

    return running


@contextlib.asynccontextmanager
async def _every(name: str, seconds: float, round_: Callable[[], Awaitable[object]]):
    """`round_()` every `seconds` while the block runs; a round that fails is logged and the
    next one comes all the same. When the block ends, a round in progress may finish (for up to
    STOP_WAIT seconds): cut in the middle, a send would be left in doubt and a database
    connection busy, which holds the pool's closing for the pool's own time limit."""
    stopping = asyncio.Event()

    async def repeat() -> None:
        while not stopping.is_set():
            try:
                await round_()
            except Exception as error:
                if not database.unavailable(error):
                    log.exception("%s failed; trying again", name)
                else:
                    log.warning("%s waits: the database is unavailable", name)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await stopping.wait()

    task = asyncio.create_task(repeat())
    try:
        yield
    finally:
        stopping.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(STOP_WAIT):
                await asyncio.shield(task)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
