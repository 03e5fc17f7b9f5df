"""Debian's dovecot-imapd on loopback, with a throw-away configuration, mailbox and port."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path

from tests.processes import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "support", "mailbox-password"

CONFIG = """\
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {uid}
default_internal_user = dovecot
default_login_user = dovenull
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


class Dovecot:
    def __init__(self, root: Path):
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        mail_user = pwd.getpwnam("nobody")
        for name in ("run", "state", "mail", "home"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        for name in ("mail", "home"):
            os.chown(self.root / name, mail_user.pw_uid, mail_user.pw_gid)
        os.chmod(self.root, 0o755)
        (self.root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        config = self.root / "dovecot.conf"
        config.write_text(
            CONFIG.format(
                root=self.root, port=self.port, uid=mail_user.pw_uid, gid=mail_user.pw_gid
            )
        )
        self.process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        self.stop()
        log = (
            (self.root / "dovecot.log").read_text() if (self.root / "dovecot.log").exists() else ""
        )
        raise RuntimeError(f"dovecot did not start: {log[-2000:]}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def connect(self) -> imaplib.IMAP4:
        connection = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        connection.login(USER, PASSWORD)
        return connection

    def deliver(self, raw: bytes) -> None:
        """Put a message in the inbox, unseen, as the mail server would."""
        connection = self.connect()
        try:
            status, _ = connection.append("INBOX", "", None, raw)
            assert status == "OK"
        finally:
            connection.logout()

    def mark_all_unseen(self) -> None:
        connection = self.connect()
        try:
            connection.select("INBOX")
            connection.store("1:*", "-FLAGS", r"(\Seen)")
        finally:
            connection.logout()

    def seen_count(self) -> int:
        connection = self.connect()
        try:
            connection.select("INBOX")
            _, data = connection.search(None, "SEEN")
            return len(data[0].split())
        finally:
            connection.logout()


def available() -> bool:
    return shutil.which(DOVECOT) is not None
