"""The whole test suite, as README's second command and CI run it.

Installs what the tests need beyond pip (Debian's chromium for the browser tests, npm and the widget's
pinned build tools to check the committed widget against its source), then runs pytest
twice: on the embedded defaults (SQLite, in-process Socket.IO), and on PostgreSQL + Redis, starting
either service if it is down. In CI (CI=true) both legs are required; elsewhere a machine without
PostgreSQL or Redis runs the first leg and says so.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get("SANAD_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("SANAD_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEBIAN_PACKAGES = {
    "/usr/bin/chromium": "chromium",
    "/usr/sbin/dovecot": "dovecot-imapd",
    "/usr/bin/npm": "npm",
}
WIDGET = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "widget")


def main() -> int:
    install_debian_packages()
    install_widget_build_tools()
    pytest_args = sys.argv[1:]
    legs = [("embedded defaults (SQLite, in-process Socket.IO)", {})]
    if ensure_services():
        legs.append(("PostgreSQL + Redis", {"DATABASE_URL": POSTGRES_URL, "REDIS_URL": REDIS_URL}))
    elif CI:
        print("tests: PostgreSQL or Redis cannot be started; CI needs both", flush=True)
        return 1
    else:
        print("tests: PostgreSQL or Redis is not available here: running the SQLite leg only")
    status = 0
    for title, extra_env in legs:
        print(f"\n=== tests on {title} ===", flush=True)
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        code = subprocess.call(
            [sys.executable, "-m", "pytest", *pytest_args], env={**env, **extra_env}
        )
        if code != 0:  # pytest's 5 (no tests ran) is a failure too
            print(f"tests on {title}: pytest exited {code}", flush=True)
            status = 1
    return status


def install_debian_packages() -> None:
    missing = [package for path, package in DEBIAN_PACKAGES.items() if not os.path.exists(path)]
    if not missing or not shutil.which("apt-get") or os.geteuid() != 0:
        return
    print(f"tests: installing {', '.join(missing)} from Debian's packages", flush=True)
    quiet = {"stdout": subprocess.DEVNULL}
    subprocess.call(["apt-get", "update", "-qq"], **quiet)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.call(["apt-get", "install", "-y", "-qq", *missing], env=env, **quiet)


def install_widget_build_tools() -> None:
    """The widget's pinned build tools and axe-core (package-lock.json), so that the tests can
    rebuild it and compare with the committed static/widget*.js (tests/widget/test_build.py) and
    check pages for accessibility; installed again when the lock file changed."""
    npm = shutil.which("npm")
    installed = os.path.join(WIDGET, "node_modules", ".package-lock.json")  # npm writes it
    wanted = os.path.join(WIDGET, "package-lock.json")
    if npm and (
        not os.path.exists(installed) or os.path.getmtime(installed) < os.path.getmtime(wanted)
    ):
        print("tests: installing the widget's build tools (npm ci)", flush=True)
        subprocess.call([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=WIDGET)


def ensure_services() -> bool:
    """PostgreSQL and Redis answer on loopback, started here if they were down."""
    starts = {
        5432: "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
        6379: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    }
    for port, command in starts.items():
        if not listening(port) and shutil.which(command.split()[0]):
            subprocess.call(
                command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 20
            while not listening(port) and time.monotonic() < deadline:
                time.sleep(0.2)
    return all(listening(port) for port in starts)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    sys.exit(main())
