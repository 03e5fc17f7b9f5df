"""Fixtures of the fault tests: a seeded institute and Sanad processes that are always stopped."""

from __future__ import annotations

import signal
import uuid

import pytest

from tests.processes import SanadProcess
from tests.scaleout.institute import Institute, sanad_env, seed


@pytest.fixture
async def institute(database_url) -> Institute:
    return await seed(database_url)


@pytest.fixture
def sanad(tmp_path):
    """`sanad(database_url, **settings)` starts one more `run.py serve` of the same deployment
    (same settings, same Socket.IO channel on Redis); every one is stopped after the test."""
    channel = f"sanad-faults-{uuid.uuid4().hex}"
    processes: list[SanadProcess] = []

    def start(database_url: str, **settings: str) -> SanadProcess:
        env = sanad_env(database_url, tmp_path / "var", channel, **settings)
        processes.append(SanadProcess("serve", env=env))
        return processes[-1]

    yield start
    for process in processes:
        if process.process.poll() is None:
            process.stop(signal.SIGKILL)
