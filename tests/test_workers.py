"""Several processes on one port: they share state only through PostgreSQL and Redis."""

import os
import signal
import subprocess
import time

import pytest

from tests.processes import SanadProcess
from tests.test_configuration import run_py

pytestmark = pytest.mark.slow
needs_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="several processes need PostgreSQL and Redis (the CI's second leg)",
)


def test_several_workers_refuse_the_embedded_database(tmp_path):
    result = run_py("serve", "--workers", "2", env={"VAR_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "needs PostgreSQL" in result.stderr


@needs_postgres
def test_workers_share_the_port_and_a_killed_one_is_replaced(database_url, tmp_path):
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "VAR_DIR": str(tmp_path),
    }
    sanad = SanadProcess("serve", "--workers", "2", env=env)
    try:
        sanad.wait_until_ready()
        workers = _children(sanad.process.pid)
        assert len(workers) == 2
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            len(_children(sanad.process.pid)) != 2 or workers[0] in _children(sanad.process.pid)
        ):
            time.sleep(0.2)
        assert len(_children(sanad.process.pid)) == 2
        assert sanad.get("/readyz")[0] == 200
    finally:
        assert sanad.stop() == 0


def _children(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in result.stdout.split()]
