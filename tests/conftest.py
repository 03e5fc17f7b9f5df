"""Fixtures: the real application, built as run.py builds it, served on a real port.

The database is migrated once per session and emptied before each test. Set DATABASE_URL and
REDIS_URL to run the same suite on PostgreSQL and Redis (the CI does both).
"""

from __future__ import annotations

import asyncio
import os
import re
import uuid
from dataclasses import replace

import pytest
from playwright.async_api import async_playwright
from tortoise.contrib.test import truncate_all_models

from classroom_helper.bootstrap import build_app, tortoise_config
from helpdesk.adapters import database
from helpdesk.config import Config
from helpdesk.domain.institute import StaffRole
from helpdesk.services.staff import create_staff
from tests.helpdesk.smtp_sink import SmtpSink

TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = (
        os.environ.get("DATABASE_URL") or f"sqlite://{tmp_path_factory.mktemp('db')}/sanad.sqlite3"
    )
    config = Config.from_env({"DATABASE_URL": url, "SECRET_KEY": "x"})

    async def migrate():
        orm = tortoise_config(config)
        context = await database.connect(orm)
        try:
            await database.migrate(orm)
        finally:
            await context.close_connections()

    asyncio.run(migrate())
    return config.database_url


@pytest.fixture
def app_config(database_url, tmp_path) -> Config:
    config = Config.from_env(
        {
            "DATABASE_URL": database_url,
            "REDIS_URL": os.environ.get("REDIS_URL", ""),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "VAR_DIR": str(tmp_path / "var"),
            "PORT": "0",
            "LOG_LEVEL": "WARNING",
            # Tests that need the referral clock and the outbox worker turn them on.
            "SCHEDULER": "off",
        }
    )
    return replace(config, socketio_channel=f"sanad-test-{uuid.uuid4().hex}")


@pytest.fixture
def serve(app_config, aiohttp_server):
    """`await serve(config)`: the real app built from that config (default: the test config) on a
    real port, on an emptied database.

    Emptied before the app starts: its background workers must not hold rows while TRUNCATE waits
    for every table (a deadlock on PostgreSQL)."""

    async def start(config: Config = app_config):
        context = await database.connect(tortoise_config(config))
        try:
            await truncate_all_models()
        finally:
            await context.close_connections()
        return await aiohttp_server(build_app(config))

    return start


@pytest.fixture
async def server(serve):
    """The real app on a real port, with an empty database."""
    return await serve()


@pytest.fixture
def smtp_sink():
    """A real aiosmtpd server on loopback that keeps what it receives; a test may stop() and
    start() it again."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
async def client(server, aiohttp_client):
    return await aiohttp_client(server)


@pytest.fixture
async def browser(client):
    """Debian's Chromium through Playwright (never `playwright install`, which cannot download here).

    It depends on `client` so that it closes first: the app's server waits for the pages' sockets."""
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--headless=new"]
        )
        yield chromium
        await chromium.close()


@pytest.fixture
def staff_member():
    """Makes a staff member: `await staff_member(StaffRole.LEVEL1_AGENT, department=...)`."""

    async def make(role: StaffRole, *, email: str | None = None, department=None, name: str = ""):
        return await create_staff(
            email=email or f"{role.value}-{uuid.uuid4().hex[:8]}@sanad.test",
            name=name or f"Test {role.value}",
            role=role,
            password=TEST_PASSWORD,
            department=department,
        )

    return make


async def login_csrf(client) -> str:
    """The CSRF token of the log-in form, as a browser would read it."""
    page = await (await client.get("/staff/login")).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.fixture
def log_in_as(client, staff_member):
    """Logs the test client in as a new staff member of that role; returns the Staff."""

    async def log_in(role: StaffRole, **details):
        staff = await staff_member(role, **details)
        response = await client.post(
            "/staff/login",
            data={
                "email": staff.email,
                "password": TEST_PASSWORD,
                "next": "/",
                "csrf": await login_csrf(client),
            },
            allow_redirects=False,
        )
        assert response.status == 303, await response.text()
        return staff

    return log_in
