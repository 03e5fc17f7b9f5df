"""ruff, configured in pyproject.toml, finds nothing to say."""

import subprocess
import sys

from tests.processes import ROOT


def test_lint_and_format_are_clean():
    for command in (["check", "."], ["format", "--check", "."]):
        result = subprocess.run(
            [sys.executable, "-m", "ruff", *command], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr
