"""The official Engine.IO and Socket.IO protocol test suites (mocha, in ../shared/protocol-suites/)
against the product's Socket.IO server (bootstrap.socketio_server, served as their reference
server: reference_server.py) and against stock python-socketio of the pinned version: every test
stock passes must pass with ours too (docs/realtime-protocol.md: what stock fails, and why).
With REDIS_URL set (the PostgreSQL + Redis leg), ours runs with its Redis fan-out."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT
from tests.protocol.reference_server import PATHS

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

# ../shared/protocol-suites beside the clone (CI), or beside a folder above it (a git worktree);
# or where PROTOCOL_SUITES says.
SUITES = Path(
    os.environ.get("PROTOCOL_SUITES")
    or next(
        (
            p / "shared" / "protocol-suites"
            for p in ROOT.parents
            if (p / "shared" / "protocol-suites").is_dir()
        ),
        ROOT.parent / "shared" / "protocol-suites",
    )
)
# Written in the suites themselves (`const URL = "http://localhost:3000"`): not settable.
PORT = 3000
CACHE = ROOT / ".cache" / "protocol-suites"  # gitignored: the copies and their node_modules
NPM, NODE = shutil.which("npm"), shutil.which("node")
# Decided by when python-engineio's check (every pingTimeout / sessions) comes after the suite's one
# poll, for stock and ours alike: test_heartbeat.py checks the same promise by its states.
TIMER_PHASE = {
    "Engine.IO protocol heartbeat HTTP long-polling closes the session upon ping timeout",
    "Engine.IO protocol heartbeat HTTP long-polling should close the session upon ping timeout",
}


@pytest.fixture(scope="module")
def suites() -> Path:
    """The suites copied where they can be written (shared/ is read-only in CI), with one
    `npm ci` for both (their lock files differ only in the package's name), kept between runs
    while the lock file is the same."""
    if not SUITES.is_dir():
        pytest.fail(f"the protocol suites are missing: expected at {SUITES}")
    if NPM is None or NODE is None:
        pytest.fail("node and npm are needed to run the protocol suites")
    for suite in PATHS:
        target = CACHE / f"{suite}-protocol"
        target.mkdir(parents=True, exist_ok=True)
        for name in ("test-suite.js", "node-imports.js", "package.json"):
            shutil.copyfile(SUITES / f"{suite}-protocol" / name, target / name)
    lock = SUITES / "socket.io-protocol" / "package-lock.json"
    installed = CACHE / "package-lock.json"
    if not (installed.exists() and filecmp.cmp(lock, installed, shallow=False)):
        shutil.copyfile(SUITES / "socket.io-protocol" / "package.json", CACHE / "package.json")
        shutil.copyfile(lock, installed)
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=CACHE,
            check=True,
            timeout=600,
        )
    return CACHE


def run_suite(suites: Path, suite: str, stock: bool) -> dict[str, bool]:
    """Each test's full title → passed, with the reference server running on port 3000."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            probe.bind(("127.0.0.1", PORT))
        except OSError:
            pytest.fail(
                f"port {PORT} is taken: the protocol suites connect to http://localhost:{PORT} "
                "(written in them); stop what listens there and run again"
            )
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.protocol.reference_server", suite, "--port", str(PORT)]
        + (["--stock"] if stock else [])
        # the PostgreSQL + Redis leg: ours with its fan-out through Redis
        + (
            ["--redis", os.environ["REDIS_URL"]]
            if os.environ.get("REDIS_URL") and not stock
            else []
        ),
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    report = suites / f"{suite}-{'stock' if stock else 'ours'}.json"
    try:
        wait_for_server(server, f"http://localhost:{PORT}{PATHS[suite]}?EIO=4&transport=polling")
        report.unlink(missing_ok=True)
        mocha = subprocess.run(
            [
                NODE,
                str(suites / "node_modules" / "mocha" / "bin" / "mocha"),
                "test-suite.js",
                "--exit",
                "--reporter=json",
                f"--reporter-option=output={report}",
                # the suites' timings are tight (300 ms pings): a machine busy with other work
                # can make a test miss one by chance
                "--retries=2",
            ],
            cwd=suites / f"{suite}-protocol",
            timeout=600,
            capture_output=True,
            text=True,
        )
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    if not report.exists():
        pytest.fail(
            f"mocha wrote no report for the {suite} suite:\n{mocha.stdout}{mocha.stderr}\n"
            f"the server said:\n{output}"
        )
    results = json.loads(report.read_text())
    outcomes = {test["fullTitle"]: True for test in results["passes"]}
    outcomes.update({test["fullTitle"]: False for test in results["failures"]})
    return outcomes


def wait_for_server(server: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + 120  # the import alone is slow on a busy machine
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the reference server exited:\n{server.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("the reference server did not answer in time")


@pytest.mark.parametrize("suite", sorted(PATHS))
def test_every_protocol_test_stock_passes_passes_with_ours(suites, suite):
    started = time.monotonic()
    stock = run_suite(suites, suite, stock=True)
    ours = run_suite(suites, suite, stock=False)
    assert set(ours) == set(stock), "both runs count the same tests"
    assert len(stock) > 10, stock
    print(  # what stock fails too (docs/realtime-protocol.md)
        f"\n{suite}: stock fails {sorted(t for t, passed in stock.items() if not passed)};"
        f"\nours fails {sorted(t for t, passed in ours.items() if not passed)}"
    )
    failing_only_here = sorted(
        title
        for title, passed in stock.items()
        if passed and not ours[title] and title not in TIMER_PHASE
    )
    # A test on the edge of its timing gets two more runs, each a whole run as stock had: alone,
    # it would meet the server's timers at another moment (python-engineio closes a silent
    # polling session at its next 200 ms check, which the test's one poll may come before).
    for _ in range(2):
        if failing_only_here:
            again = run_suite(suites, suite, stock=False)
            failing_only_here = [title for title in failing_only_here if not again[title]]
    print(f"{suite}: {time.monotonic() - started:.0f} s")
    assert not failing_only_here, failing_only_here
