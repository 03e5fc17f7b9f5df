"""Configuration: defaults, every bad value named in one line, the command line."""

import subprocess
import sys

import pytest

from helpdesk.config import SETTINGS, Config, ConfigError
from tests.processes import ROOT


def test_defaults_are_the_embedded_ones(tmp_path):
    config = Config.from_env({"VAR_DIR": str(tmp_path)})
    assert config.database_url == f"sqlite://{tmp_path}/sanad.sqlite3"  # beside its other files
    assert config.redis_url is None
    assert str(config.institute_tz) == "Asia/Riyadh"
    assert (config.host, config.port) == ("127.0.0.1", 8080)


def test_secret_key_is_generated_once_and_kept(tmp_path):
    first = Config.from_env({"VAR_DIR": str(tmp_path)}).secret_key
    assert len(first) >= 32
    assert Config.from_env({"VAR_DIR": str(tmp_path)}).secret_key == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PORT", "eighty"),
        ("PORT", "70000"),
        ("INSTITUTE_TZ", "Mars/Olympus"),
        ("DATABASE_URL", "mysql://x@y/z"),
        ("REDIS_URL", "localhost:6379"),
        ("BASE_URL", "ftp://example.org"),
        ("SMTP_TLS", "maybe"),
        ("MAIL_FROM", "not-an-address"),
        ("LOG_LEVEL", "LOUD"),
        ("METRICS_TOKEN", "short"),
        ("PROMETHEUS_MULTIPROC_DIR", "/no/such/directory"),
        ("SOCKETIO_CHANNEL", "two words"),
    ],
)
def test_a_bad_value_names_its_variable(name, value, tmp_path):
    with pytest.raises(ConfigError, match=f"^{name}: expected"):
        Config.from_env({name: value, "VAR_DIR": str(tmp_path)})


def test_each_deployment_on_a_shared_redis_names_its_own_channel(tmp_path):
    assert Config.from_env({"VAR_DIR": str(tmp_path)}).socketio_channel == "sanad"
    config = Config.from_env({"SOCKETIO_CHANNEL": "institute-b", "VAR_DIR": str(tmp_path)})
    assert config.socketio_channel == "institute-b"


def test_postgresql_spelling_is_accepted():
    config = Config.from_env({"DATABASE_URL": "postgresql://u@h:5432/d", "SECRET_KEY": "k"})
    assert config.database_url == "postgres://u@h:5432/d"


def run_py(*args, env=None, cwd=ROOT):
    return subprocess.run(
        [sys.executable, str(ROOT / "run.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_help_lists_every_variable():
    result = run_py("--help")
    assert result.returncode == 0
    for setting in SETTINGS:
        assert setting.name in result.stdout


def test_bad_configuration_stops_start_up_with_one_line(tmp_path):
    result = run_py(env={"PORT": "eighty", "VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "sanad: configuration: PORT: expected a whole number 0-65535, got 'eighty'"
    )


def test_readme_documents_every_variable_and_ci_runs_its_test_command():
    readme = (ROOT / "README.md").read_text()
    for setting in SETTINGS:
        assert f"`{setting.name}`" in readme
    blocks = readme.split("```sh\n")
    start_command, test_command = (block.split("\n```")[0].strip() for block in blocks[1:3])
    assert "run.py demo" in start_command
    assert test_command in (ROOT / ".ci" / "run").read_text()


def test_links_point_where_the_app_listens_unless_base_url_says_otherwise():
    assert Config.from_env({"SECRET_KEY": "x", "PORT": "9000"}).base_url == "http://127.0.0.1:9000"
    public = Config.from_env({"SECRET_KEY": "x", "PORT": "9000", "BASE_URL": "https://s.example/"})
    assert public.base_url == "https://s.example"
