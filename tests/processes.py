"""Real Sanad processes for tests that need one: start run.py, wait until it answers, stop it."""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SanadProcess:
    """`python run.py ARGS` with its own environment; output kept for assertions."""

    def __init__(self, *args: str, env: dict[str, str], cwd: Path = ROOT):
        self.port = int(env.get("PORT", "0")) or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **env, "PORT": str(self.port), "PYTHONUNBUFFERED": "1"}
        full_env.pop("DATABASE_URL", None) if "DATABASE_URL" not in env else None
        full_env.pop("REDIS_URL", None) if "REDIS_URL" not in env else None
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "run.py"), *args],
            cwd=cwd,
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Read as it comes: a process that logs a lot (a database outage) must not block on a
        # full pipe.
        self._lines: list[str] = []
        self._reader = threading.Thread(target=self._lines.extend, args=(self.process.stdout,))
        self._reader.start()

    def wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"sanad exited {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.base_url + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError("sanad did not answer in time")

    def get(self, path: str) -> tuple[int, str]:
        with urllib.request.urlopen(self.base_url + path, timeout=5) as response:
            return response.status, response.read().decode()

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: the process ends at once, as in a crash; nothing of it runs any more."""
        self.stop(signal.SIGKILL)

    def output(self) -> str:
        if self.process.poll() is None:
            self.stop()
        self._reader.join()
        return "".join(self._lines)


async def seed_open_room(database_url: str, title: str) -> tuple[str, str]:
    """An emptied database with a host platform and an open room, for tests that start their own
    processes: (the platform's secret, the room id). Emptied before any process starts: TRUNCATE
    waits for every table, and the processes' workers would hold rows."""
    from tortoise.contrib.test import truncate_all_models

    from classroom_helper.bootstrap import tortoise_config
    from helpdesk.adapters import database
    from helpdesk.adapters.orm.institute import HostPlatform, RoomSession
    from helpdesk.config import Config
    from helpdesk.domain.institute import RoomState

    orm = tortoise_config(Config.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "x"}))
    context = await database.connect(orm)
    try:
        await truncate_all_models()
        platform = await HostPlatform.create(id="lms", name="LMS", secret=secrets.token_urlsafe(32))
        now = datetime.now(UTC)
        room = await RoomSession.create(
            room_id=f"room-{uuid.uuid4().hex[:8]}",
            title=title,
            scheduled_start=now,
            scheduled_end=now + timedelta(hours=2),
            state=RoomState.OPEN,
            opened_at=now,
        )
        return platform.secret, room.room_id
    finally:
        await context.close_connections()
