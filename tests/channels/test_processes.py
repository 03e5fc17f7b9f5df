"""`run.py` as deployed: two processes listen on one SMTP port, and mail sent there becomes a ticket."""

import re
import signal
import smtplib
import sqlite3
import time

import pytest

from tests.channels.mail import SUPPORT, email_bytes
from tests.processes import SanadProcess, free_port

pytestmark = pytest.mark.slow


def test_mail_to_running_processes_becomes_a_ticket(tmp_path):
    database = tmp_path / "sanad.sqlite3"
    smtp_port = free_port()
    env = {
        "DATABASE_URL": f"sqlite://{database}",
        "VAR_DIR": str(tmp_path),
        "INBOUND_SMTP_PORT": str(smtp_port),
        "SUPPORT_ADDRESSES": SUPPORT,
        "SCHEDULER": "off",
    }
    migrate = SanadProcess("migrate", env=env)
    assert migrate.process.wait(60) == 0, migrate.output()
    processes = [SanadProcess(env=env), SanadProcess(env=env)]
    try:
        for sanad in processes:
            sanad.wait_until_ready()  # the second one binds the same SMTP port too
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=10) as smtp:
            refused = smtp.sendmail("huda@example.org", [SUPPORT], email_bytes(subject="Login"))
        assert refused == {}
        row, deadline = None, time.monotonic() + 10
        while row is None and time.monotonic() < deadline:
            with sqlite3.connect(database) as db:
                row = db.execute("SELECT number, subject, channel FROM ticket").fetchone()
            time.sleep(0.1)
        assert row is not None and re.fullmatch(r"SND-\d{4}-\d{6}", row[0])
        assert row[1:] == ("Login", "email")
    finally:
        codes = [sanad.stop(signal.SIGTERM) for sanad in processes]
    assert codes == [0, 0]
    assert all("Traceback" not in sanad.output() for sanad in processes)
