"""The committed widget in static/ is exactly what widget/ builds, and it stays within its size budget."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WIDGET = ROOT / "widget"
STATIC = ROOT / "static"
FIRST_LOAD_BUDGET = 15 * 1024  # the Help button: loader, styles and the Arabic catalogue
WHOLE_BUDGET = 60 * 1024  # everything, with the Socket.IO client
CI = os.environ.get("CI", "").lower() == "true"


def built_files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("widget*.js"))}


def gzipped_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6, mtime=0))


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory) -> dict[str, bytes]:
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        if CI:
            pytest.fail("node and npm are needed in CI to check the widget build")
        pytest.skip(
            "node/npm are not installed on this machine: the widget build cannot be checked"
        )
    if not (WIDGET / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WIDGET, check=True)
    out = tmp_path_factory.mktemp("widget-build")
    subprocess.run([npm, "run", "--silent", "build", "--", str(out)], cwd=WIDGET, check=True)
    return built_files(out)


def test_committed_static_widget_is_the_build_of_the_source_byte_for_byte(fresh_build):
    committed = built_files(STATIC)
    assert sorted(committed) == sorted(fresh_build), (
        "run `npm run build` in widget/ and commit static/"
    )
    for name, data in fresh_build.items():
        assert committed[name] == data, (
            f"static/{name} differs from the source: rebuild and commit it"
        )


def test_the_build_is_reproducible(fresh_build, tmp_path):
    subprocess.run(
        [shutil.which("npm"), "run", "--silent", "build", "--", str(tmp_path)],
        cwd=WIDGET,
        check=True,
    )
    assert built_files(tmp_path) == fresh_build


def test_the_widget_keeps_its_size_budget():
    files = built_files(STATIC)
    first_load = gzipped_size(files["widget.js"])
    (app,) = [data for name, data in files.items() if name.startswith("widget-app-")]
    whole = first_load + gzipped_size(app)
    print(f"widget first load {first_load} B gz, whole widget {whole} B gz")
    assert first_load <= FIRST_LOAD_BUDGET
    assert whole <= WHOLE_BUDGET


def test_widget_source_is_formatted(fresh_build):
    """Prettier is to the widget what ruff format is to the Python (pinned in package.json)."""
    check = subprocess.run(
        [shutil.which("npm"), "run", "--silent", "check-format"],
        cwd=WIDGET,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
