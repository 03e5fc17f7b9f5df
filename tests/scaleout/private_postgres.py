"""A PostgreSQL cluster of the test's own, on a free port, that the test may stop and start again
(the shared server is never restarted). Made with Debian's server binaries; as root, initdb and
postgres run as the `postgres` system user, since PostgreSQL refuses to run as root."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.processes import free_port


def _server_binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = _server_binaries()
        if self.bin is None:
            pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin) to start one")
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root without a `postgres` user to run PostgreSQL as")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.dir = Path(tempfile.mkdtemp(prefix="sanad-postgres-"))
        if self.as_user:
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/sanad"
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "-N")

    def _run(self, program: str, *args: object) -> None:
        command = [*self.as_user, str(self.bin / program), *map(str, args)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.dir)
        assert result.returncode == 0, f"{program}: {result.stdout}{result.stderr}"

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
            " -c fsync=off -c full_page_writes=off"
        )
        self._run(
            "pg_ctl", "-D", self.data, "-l", self.dir / "server.log", "-o", options, "-w", "start"
        )

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart does: open sessions are cut, their open
        transactions rolled back."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def create_database(self) -> None:
        self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "sanad")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)
