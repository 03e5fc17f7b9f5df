"""Real Sanad processes for tests that need one: start run.py, wait until it answers, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
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

    def output(self) -> str:
        if self.process.poll() is None:
            self.stop()
        return self.process.stdout.read()
