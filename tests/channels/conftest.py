from dataclasses import replace

import pytest
from tortoise.contrib.test import truncate_all_models

from classroom_helper.bootstrap import build_app
from helpdesk.adapters.channels.attachments import AttachmentStore
from helpdesk.services.intake import Intake
from tests.channels.mail import SUPPORT
from tests.helpdesk.smtp_sink import SmtpSink


@pytest.fixture
def intake(tmp_path) -> Intake:
    return Intake(attachments=AttachmentStore(tmp_path / "var"), own_addresses=(SUPPORT,))


@pytest.fixture
def serve_with(app_config, aiohttp_server):
    """The real app with changed channel settings, on an emptied database."""

    async def serve(scheduler: bool = False, **channel_settings):
        channels = replace(app_config.channels, **channel_settings)
        config = replace(app_config, channels=channels, scheduler=scheduler)
        server = await aiohttp_server(build_app(config))
        await truncate_all_models()
        return server

    return serve


@pytest.fixture
def smtp_sink():
    """A real aiosmtpd server on loopback that keeps what it receives."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
