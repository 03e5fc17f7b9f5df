import pytest

from helpdesk.adapters.channels.attachments import AttachmentStore
from helpdesk.services.intake import Intake
from tests.channels.mail import SUPPORT


@pytest.fixture
def intake(tmp_path) -> Intake:
    return Intake(attachments=AttachmentStore(tmp_path / "var"), own_addresses=(SUPPORT,))
