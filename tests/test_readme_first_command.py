"""README's first command, run as a newcomer would: a fresh directory, a fresh virtual environment."""

import os
import shutil
import signal
import subprocess
import time
import urllib.request

import pytest

from tests.processes import ROOT, free_port

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(os.environ.get("DATABASE_URL")),
        reason="the first command uses the embedded defaults: it runs once, in the embedded leg",
    ),
]


def test_readme_first_command_starts_the_demo(tmp_path):
    start_command = (ROOT / "README.md").read_text().split("```sh\n")[1].split("\n```")[0].strip()
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    checkout = tmp_path / "sanad"
    for name in tracked.stdout.split():
        if (ROOT / name).is_file():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, checkout / name)
    port = free_port()
    process = subprocess.Popen(
        start_command,
        shell=True,
        cwd=checkout,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path), "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        page = _wait_for_page(f"http://127.0.0.1:{port}/", process, timeout=300)
        assert '<html lang="ar" dir="rtl">' in page
        assert "/demo" in page
    finally:
        subprocess.run(["pkill", "-TERM", "-s", str(process.pid)], check=False)
        process.wait(30)
    assert "Demo staff accounts" in process.stdout.read()


def _wait_for_page(url: str, process: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(
                f"the command ended ({process.returncode}):\n{process.stdout.read()}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    raise AssertionError("the demo did not answer in time")
