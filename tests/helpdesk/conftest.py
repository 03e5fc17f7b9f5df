import pytest

from tests.helpdesk.smtp_sink import SmtpSink


@pytest.fixture
def smtp_sink():
    """A running SMTP sink; the test may stop() and start() it again."""
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
