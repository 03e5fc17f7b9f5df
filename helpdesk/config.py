"""Configuration, read once from the environment and handed down as one immutable object."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the variable."""


# The policy's default: a room issue no manager has claimed becomes a ticket after this long.
ROOM_UNCLAIMED_MINUTES = 10


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    help: str


# Every variable the application reads, with its default; `run.py --help` prints this list.
SETTINGS = (
    Setting(
        "DATABASE_URL",
        None,
        "database: sqlite://PATH or postgres://USER@HOST:PORT/DB; unset = VAR_DIR/sanad.sqlite3",
    ),
    Setting("REDIS_URL", None, "Redis for Socket.IO fan-out between processes; unset = in-process"),
    Setting(
        "SOCKETIO_CHANNEL",
        "sanad",
        "Redis pub/sub channel of the fan-out: one per deployment sharing a Redis server",
    ),
    Setting(
        "SECRET_KEY", None, "signs sessions; unset = generated once and kept in VAR_DIR/secret_key"
    ),
    Setting("INSTITUTE_TZ", "Asia/Riyadh", "the institute's time zone (IANA name)"),
    Setting(
        "BASE_URL", None, "public address, used in links sent to trainees; unset = http://HOST:PORT"
    ),
    Setting("HOST", "127.0.0.1", "address to listen on"),
    Setting("PORT", "8080", "port to listen on"),
    Setting(
        "TRUSTED_PROXIES",
        None,
        "reverse proxies whose X-Forwarded-For names the client (addresses or networks, "
        "comma-separated); unset = the connecting address is the client",
    ),
    Setting("VAR_DIR", "./var", "where the embedded defaults keep their files"),
    Setting("SMTP_HOST", None, "SMTP server for email out; unset = email is kept in the outbox"),
    Setting("SMTP_PORT", "25", "SMTP port"),
    Setting("SMTP_USER", None, "SMTP user name (optional)"),
    Setting("SMTP_PASSWORD", None, "SMTP password (optional)"),
    Setting("SMTP_TLS", "none", "none | starttls | tls"),
    Setting("MAIL_FROM", "support@sanad.local", "sender address of email to trainees"),
    Setting("LOG_LEVEL", "INFO", "DEBUG | INFO | WARNING | ERROR"),
    Setting(
        "ROOM_UNCLAIMED_MINUTES",
        str(ROOM_UNCLAIMED_MINUTES),
        "a room issue unclaimed this long becomes a helpdesk ticket",
    ),
    Setting(
        "ROOM_RATE_LIMIT", "30 per 10 seconds", "events one person may send in a live room (limits)"
    ),
    Setting(
        "SMS_GATEWAY_URL", None, "HTTP SMS gateway (POST JSON); unset = a call task for Level 1"
    ),
    Setting("SMS_GATEWAY_TOKEN", None, "bearer token for the SMS gateway (optional)"),
    Setting("SCHEDULER", "on", "on | off: this process runs the referral clock and the outbox"),
    Setting(
        "METRICS_TOKEN", None, "bearer token Prometheus presents at /metrics; unset = no /metrics"
    ),
    Setting(
        "PROMETHEUS_MULTIPROC_DIR",
        None,
        "directory where processes sharing a port pool their counters; set by run.py --workers",
    ),
)
# The intake channels; each stays off while its settings are unset.
CHANNEL_SETTINGS = (
    Setting(
        "SUPPORT_ADDRESSES", None, "addresses mail in is for, comma-separated; unset = MAIL_FROM"
    ),
    Setting("INBOUND_SMTP_PORT", None, "port of the SMTP listener for mail in; unset = off"),
    Setting("INBOUND_SMTP_HOST", "127.0.0.1", "address of the SMTP listener for mail in"),
    Setting("IMAP_HOST", None, "IMAP server polled for mail in; unset = off"),
    Setting("IMAP_PORT", "993", "IMAP port"),
    Setting("IMAP_USER", None, "IMAP user name"),
    Setting("IMAP_PASSWORD", None, "IMAP password"),
    Setting("IMAP_TLS", "tls", "none | starttls | tls"),
    Setting("IMAP_FOLDER", "INBOX", "IMAP folder polled"),
    Setting("IMAP_POLL_SECONDS", "60", "seconds between IMAP polls"),
    Setting("MAIL_MAX_BYTES", "26214400", "largest email taken in, in bytes"),
    Setting("ATTACHMENT_MAX_BYTES", "5242880", "largest attachment kept, in bytes"),
    Setting("WEB_FORM_RATE_LIMIT", "5/hour", "web form sendings per address, e.g. 5/hour"),
    Setting(
        "WHATSAPP_APP_SECRET", None, "WhatsApp app secret (checks webhook signatures); unset = off"
    ),
    Setting("WHATSAPP_VERIFY_TOKEN", None, "token WhatsApp's webhook handshake must present"),
    Setting("WHATSAPP_ACCESS_TOKEN", None, "Graph API access token for replies"),
    Setting("WHATSAPP_PHONE_NUMBER_ID", None, "the institute's WhatsApp phone number id"),
    Setting("WHATSAPP_API_BASE", "https://graph.facebook.com/v21.0", "Graph API base URL"),
    Setting("WHATSAPP_TEMPLATE", None, "template NAME:LANG sent outside the 24-hour window"),
    Setting("X_CONSUMER_SECRET", None, "X app consumer secret (CRC and signatures); unset = off"),
    Setting("X_ACCESS_TOKEN", None, "X user access token for direct-message replies"),
    Setting("X_ACCOUNT_ID", None, "the institute's X user id (its own messages are skipped)"),
    Setting("X_API_BASE", "https://api.x.com", "X API base URL"),
)
SETTINGS += CHANNEL_SETTINGS


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
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    metrics_token: str | None = field(default=None, repr=False)
    # Several processes on one port: each writes its counters there and /metrics adds them up.
    metrics_multiprocess_dir: Path | None = None
    # Socket.IO channel on Redis, also the prefix of the rate limits' keys. Pub/sub ignores the
    # Redis db number: two deployments (or test runs) on one Redis server need two channels.
    socketio_channel: str = "sanad"
    room_unclaimed_limit: timedelta = timedelta(minutes=ROOM_UNCLAIMED_MINUTES)
    # A manager who drops for a moment (a reload) is not "no manager online".
    room_no_manager_grace: timedelta = timedelta(minutes=1)
    room_rate_limit: str = "30 per 10 seconds"
    # The demo host page mints tokens for anyone: only `run.py demo` turns it on, never the environment.
    demo: bool = False
    channels: ChannelsConfig = field(default_factory=lambda: ChannelsConfig())

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        env = os.environ if environ is None else environ
        raw = {s.name: env.get(s.name) or s.default for s in SETTINGS}
        var_dir = Path(raw["VAR_DIR"])
        return cls(
            database_url=_database_url(raw["DATABASE_URL"] or f"sqlite://{var_dir}/sanad.sqlite3"),
            redis_url=_optional_url("REDIS_URL", raw["REDIS_URL"], ("redis", "rediss")),
            socketio_channel=_check(
                "SOCKETIO_CHANNEL",
                raw["SOCKETIO_CHANNEL"],
                lambda v: re.fullmatch(r"[A-Za-z0-9_.:-]{1,100}", v) is not None,
                "1-100 letters, digits or _ . : -",
            ),
            secret_key=raw["SECRET_KEY"] or _kept_secret(var_dir),
            institute_tz=_time_zone(raw["INSTITUTE_TZ"]),
            base_url=_optional_url(
                "BASE_URL",
                raw["BASE_URL"] or _listening_url(raw["HOST"], raw["PORT"]),
                ("http", "https"),
            ).rstrip("/"),
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
            channels=ChannelsConfig.from_raw(raw),
            sms_gateway_url=_optional_url(
                "SMS_GATEWAY_URL", raw["SMS_GATEWAY_URL"], ("http", "https")
            ),
            sms_gateway_token=raw["SMS_GATEWAY_TOKEN"],
            scheduler=_choice("SCHEDULER", raw["SCHEDULER"], ("on", "off")) == "on",
            trusted_proxies=_networks("TRUSTED_PROXIES", raw["TRUSTED_PROXIES"]),
            metrics_token=_metrics_token(raw["METRICS_TOKEN"]),
            metrics_multiprocess_dir=_directory(
                "PROMETHEUS_MULTIPROC_DIR", raw["PROMETHEUS_MULTIPROC_DIR"]
            ),
        )

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite://")


@dataclass(frozen=True)
class ChannelsConfig:
    support_addresses: tuple[str, ...] = ("support@sanad.local",)
    inbound_smtp_host: str = "127.0.0.1"
    inbound_smtp_port: int | None = None
    imap_host: str | None = None
    imap_port: int = 993
    imap_user: str | None = None
    imap_password: str | None = field(default=None, repr=False)
    imap_tls: str = "tls"
    imap_folder: str = "INBOX"
    imap_poll_seconds: int = 60
    mail_max_bytes: int = 25 * 1024**2
    attachment_max_bytes: int = 5 * 1024**2
    web_form_rate_limit: str = "5/hour"
    whatsapp_app_secret: str | None = field(default=None, repr=False)
    whatsapp_verify_token: str | None = field(default=None, repr=False)
    whatsapp_access_token: str | None = field(default=None, repr=False)
    whatsapp_phone_number_id: str | None = None
    whatsapp_api_base: str = "https://graph.facebook.com/v21.0"
    whatsapp_template: tuple[str, str] | None = None  # (name, language code)
    x_consumer_secret: str | None = field(default=None, repr=False)
    x_access_token: str | None = field(default=None, repr=False)
    x_account_id: str | None = None
    x_api_base: str = "https://api.x.com"

    @classmethod
    def from_raw(cls, raw: Mapping[str, str | None]) -> ChannelsConfig:
        addresses = raw["SUPPORT_ADDRESSES"] or raw["MAIL_FROM"]
        smtp_port = raw["INBOUND_SMTP_PORT"]
        template = raw["WHATSAPP_TEMPLATE"]
        return cls(
            support_addresses=tuple(
                _email("SUPPORT_ADDRESSES", a.strip().lower()) for a in addresses.split(",")
            ),
            inbound_smtp_host=raw["INBOUND_SMTP_HOST"],
            inbound_smtp_port=_integer("INBOUND_SMTP_PORT", smtp_port, 0, 65535)
            if smtp_port
            else None,
            imap_host=raw["IMAP_HOST"],
            imap_port=_integer("IMAP_PORT", raw["IMAP_PORT"], 1, 65535),
            imap_user=raw["IMAP_USER"],
            imap_password=raw["IMAP_PASSWORD"],
            imap_tls=_choice("IMAP_TLS", raw["IMAP_TLS"], ("none", "starttls", "tls")),
            imap_folder=raw["IMAP_FOLDER"],
            imap_poll_seconds=_integer("IMAP_POLL_SECONDS", raw["IMAP_POLL_SECONDS"], 1, 86400),
            mail_max_bytes=_integer("MAIL_MAX_BYTES", raw["MAIL_MAX_BYTES"], 1024, 2**31),
            attachment_max_bytes=_integer(
                "ATTACHMENT_MAX_BYTES", raw["ATTACHMENT_MAX_BYTES"], 1, 2**31
            ),
            web_form_rate_limit=_check(
                "WEB_FORM_RATE_LIMIT",
                raw["WEB_FORM_RATE_LIMIT"],
                lambda v: re.fullmatch(r"\d+/(second|minute|hour|day)", v) is not None,
                "COUNT/second|minute|hour|day, e.g. 5/hour",
            ),
            whatsapp_app_secret=raw["WHATSAPP_APP_SECRET"],
            whatsapp_verify_token=raw["WHATSAPP_VERIFY_TOKEN"],
            whatsapp_access_token=raw["WHATSAPP_ACCESS_TOKEN"],
            whatsapp_phone_number_id=raw["WHATSAPP_PHONE_NUMBER_ID"],
            whatsapp_api_base=_optional_url(
                "WHATSAPP_API_BASE", raw["WHATSAPP_API_BASE"], ("http", "https")
            ).rstrip("/"),
            whatsapp_template=tuple(
                _check("WHATSAPP_TEMPLATE", template, lambda v: ":" in v, "NAME:LANG").split(":", 1)
            )
            if template
            else None,
            x_consumer_secret=raw["X_CONSUMER_SECRET"],
            x_access_token=raw["X_ACCESS_TOKEN"],
            x_account_id=raw["X_ACCOUNT_ID"],
            x_api_base=_optional_url("X_API_BASE", raw["X_API_BASE"], ("http", "https")).rstrip(
                "/"
            ),
        )


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


def _networks(name: str, value: str | None) -> tuple[IPv4Network | IPv6Network, ...]:
    if not value:
        return ()
    try:
        return tuple(ip_network(part.strip(), strict=False) for part in value.split(","))
    except ValueError:
        raise ConfigError(
            f"{name}: expected IP addresses or networks, comma-separated, got {value!r}"
        ) from None


def _listening_url(host: str, port: str) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


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


def _metrics_token(value: str | None) -> str | None:
    if value is None:
        return None
    return _check("METRICS_TOKEN", value, lambda v: len(v) >= 16, "at least 16 characters")


def _directory(name: str, value: str | None) -> Path | None:
    if value is None:
        return None
    return Path(_check(name, value, lambda v: Path(v).is_dir(), "an existing directory"))


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
