"""Configuration, read once from the environment and handed down as one immutable object."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


# Every variable the application reads, with its default; `run.py --help` prints this list.
SETTINGS = (
    Setting(
        "DATABASE_URL",
        "sqlite://./var/sanad.sqlite3",
        "database: sqlite://PATH or postgres://USER@HOST:PORT/DB",
    ),
    Setting("REDIS_URL", None, "Redis for Socket.IO fan-out between processes; unset = in-process"),
    Setting(
        "SECRET_KEY", None, "signs sessions; unset = generated once and kept in VAR_DIR/secret_key"
    ),
    Setting("INSTITUTE_TZ", "Asia/Riyadh", "the institute's time zone (IANA name)"),
    Setting("BASE_URL", "http://127.0.0.1:8080", "public address, used in links sent to trainees"),
    Setting("HOST", "127.0.0.1", "address to listen on"),
    Setting("PORT", "8080", "port to listen on"),
    Setting("VAR_DIR", "./var", "where the embedded defaults keep their files"),
    Setting("SMTP_HOST", None, "SMTP server for email out; unset = email is kept in the outbox"),
    Setting("SMTP_PORT", "25", "SMTP port"),
    Setting("SMTP_USER", None, "SMTP user name (optional)"),
    Setting("SMTP_PASSWORD", None, "SMTP password (optional)"),
    Setting("SMTP_TLS", "none", "none | starttls | tls"),
    Setting("MAIL_FROM", "support@sanad.local", "sender address of email to trainees"),
    Setting("LOG_LEVEL", "INFO", "DEBUG | INFO | WARNING | ERROR"),
    Setting(
        "ROOM_UNCLAIMED_MINUTES", "10", "a room issue unclaimed this long becomes a helpdesk ticket"
    ),
    Setting(
        "ROOM_RATE_LIMIT", "30 per 10 seconds", "events one person may send in a live room (limits)"
    ),
    Setting(
        "SMS_GATEWAY_URL", None, "HTTP SMS gateway (POST JSON); unset = a call task for Level 1"
    ),
    Setting("SMS_GATEWAY_TOKEN", None, "bearer token for the SMS gateway (optional)"),
    Setting("SCHEDULER", "on", "on | off: this process runs the referral clock and the outbox"),
)


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str | None
    secret_key: str
    institute_tz: ZoneInfo
    base_url: str
    host: str
    port: int
    var_dir: Path
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None = field(repr=False)
    smtp_tls: str
    mail_from: str
    log_level: str
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = field(default=None, repr=False)
    scheduler: bool = True
    # Socket.IO channel on Redis; tests give each run its own (pub/sub is global across Redis dbs).
    socketio_channel: str = "sanad"
    room_unclaimed_limit: timedelta = timedelta(minutes=10)
    # A manager who drops for a moment (a reload) is not "no manager online".
    room_no_manager_grace: timedelta = timedelta(minutes=1)
    room_rate_limit: str = "30 per 10 seconds"
    # The demo host page mints tokens for anyone: only `run.py demo` turns it on, never the environment.
    demo: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.name) or s.default for s in SETTINGS}
        var_dir = Path(raw["VAR_DIR"])
        return cls(
            database_url=_database_url(raw["DATABASE_URL"]),
            redis_url=_optional_url("REDIS_URL", raw["REDIS_URL"], ("redis", "rediss")),
            secret_key=raw["SECRET_KEY"] or _kept_secret(var_dir),
            institute_tz=_time_zone(raw["INSTITUTE_TZ"]),
            base_url=_optional_url("BASE_URL", raw["BASE_URL"], ("http", "https")).rstrip("/"),
            host=raw["HOST"],
            port=_integer("PORT", raw["PORT"], 0, 65535),
            var_dir=var_dir,
            smtp_host=raw["SMTP_HOST"],
            smtp_port=_integer("SMTP_PORT", raw["SMTP_PORT"], 1, 65535),
            smtp_user=raw["SMTP_USER"],
            smtp_password=raw["SMTP_PASSWORD"],
            smtp_tls=_choice("SMTP_TLS", raw["SMTP_TLS"], ("none", "starttls", "tls")),
            mail_from=_email("MAIL_FROM", raw["MAIL_FROM"]),
            log_level=_choice(
                "LOG_LEVEL", raw["LOG_LEVEL"].upper(), ("DEBUG", "INFO", "WARNING", "ERROR")
            ),
            room_unclaimed_limit=timedelta(
                minutes=_integer("ROOM_UNCLAIMED_MINUTES", raw["ROOM_UNCLAIMED_MINUTES"], 1, 1440)
            ),
            room_rate_limit=_rate_limit("ROOM_RATE_LIMIT", raw["ROOM_RATE_LIMIT"]),
            sms_gateway_url=_optional_url(
                "SMS_GATEWAY_URL", raw["SMS_GATEWAY_URL"], ("http", "https")
            ),
            sms_gateway_token=raw["SMS_GATEWAY_TOKEN"],
            scheduler=_choice("SCHEDULER", raw["SCHEDULER"], ("on", "off")) == "on",
        )

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")


def _check(name: str, value: str, ok: Callable[[str], bool], expected: str) -> str:
    if not ok(value):
        raise ConfigError(f"{name}: expected {expected}, got {value!r}")
    return value


def _integer(name: str, value: str, low: int, high: int) -> int:
    _check(
        name, value, lambda v: v.isdigit() and low <= int(v) <= high, f"a whole number {low}-{high}"
    )
    return int(value)


def _choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    return _check(name, value, lambda v: v in choices, "one of " + ", ".join(choices))


def _rate_limit(name: str, value: str) -> str:
    from limits import parse

    def ok(v: str) -> bool:
        try:
            parse(v)
        except ValueError:
            return False
        return True

    return _check(name, value, ok, "a rate such as '30 per 10 seconds'")


def _email(name: str, value: str) -> str:
    return _check(
        name, value, lambda v: v.count("@") == 1 and "." in v.split("@")[1], "an email address"
    )


def _optional_url(name: str, value: str | None, schemes: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    ok = parts.scheme in schemes and bool(parts.hostname)
    return _check(
        name, value, lambda _: ok, "a URL starting with " + " or ".join(f"{s}://" for s in schemes)
    )


def _database_url(value: str) -> str:
    if value.startswith("sqlite://"):
        return _check("DATABASE_URL", value, lambda v: len(v) > len("sqlite://"), "sqlite://PATH")
    if value.startswith("postgresql://"):  # the common spelling; tortoise knows "postgres://"
        value = "postgres://" + value.removeprefix("postgresql://")
    _optional_url("DATABASE_URL", value, ("postgres",))
    return value


def _time_zone(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"INSTITUTE_TZ: expected an IANA time zone such as Asia/Riyadh, got {value!r}"
        ) from None


def _kept_secret(var_dir: Path) -> str:
    """A key made on first start and kept, so sessions survive restarts without a literal in the code."""
    path = var_dir / "secret_key"
    try:
        if path.exists():
            return path.read_text().strip()
        var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key
    except OSError as error:
        raise ConfigError(
            f"SECRET_KEY: unset, and {path} cannot be kept ({error.strerror})"
        ) from None


def settings_help() -> str:
    width = max(len(s.name) for s in SETTINGS)
    lines = [f"  {s.name:<{width}}  {s.help} (default: {s.default or 'unset'})" for s in SETTINGS]
    return "environment variables:\n" + "\n".join(lines)
