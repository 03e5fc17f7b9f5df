from dataclasses import replace

import pytest

from helpdesk.adapters.channels.attachments import AttachmentStore
from helpdesk.services.bus import MessageBus
from helpdesk.services.intake import Intake
from tests.channels.mail import SUPPORT


@pytest.fixture
def intake(tmp_path) -> Intake:
    return Intake(
        attachments=AttachmentStore(tmp_path / "var"), bus=MessageBus(), own_addresses=(SUPPORT,)
    )


@pytest.fixture
def serve_with(app_config, serve):
    """The real app with changed channel settings, on an emptied database."""

    async def serve_changed(scheduler: bool = False, **channel_settings):
        channels = replace(app_config.channels, **channel_settings)
        return await serve(replace(app_config, channels=channels, scheduler=scheduler))

    return serve_changed
