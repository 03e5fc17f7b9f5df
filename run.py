#!/usr/bin/env python3
"""Sanad's entry point: start the application, prepare its database, or mint a test token."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

import uvloop
from aiohttp import web

from helpdesk.config import Config, ConfigError, settings_help

log = logging.getLogger("sanad")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "makemigrations":
        return _makemigrations(args.rest)
    try:
        config = Config.from_env()
    except ConfigError as error:
        print(f"sanad: configuration: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=config.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    from helpdesk.adapters.database import DatabaseError

    try:
        if args.command == "migrate":
            for name in asyncio.run(_migrate(config, args.target)):
                print(f"applied {name}")
            return 0
        if args.command == "mint-token":
            print(asyncio.run(_mint_token(config, args)))
            return 0
        if args.command == "demo":
            config = _with(config, demo=True)
            asyncio.run(_prepare_demo(config))
        if args.workers > 1:
            return _supervise_workers(config, args)
        return _serve(config, reuse_port=args.reuse_port)
    except (DatabaseError, ValueError) as error:
        print(f"sanad: {error}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run.py",
        description="Sanad: the support system of a training institute's live virtual classrooms.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, help_text in (
        ("serve", "start the application (the default)"),
        ("demo", "migrate, seed the demo institute, and start with the demo host page"),
    ):
        serve = commands.add_parser(name, help=help_text)
        serve.add_argument(
            "--workers", type=int, default=1, help="processes sharing the port (PostgreSQL + Redis)"
        )
        serve.add_argument("--reuse-port", action="store_true", help=argparse.SUPPRESS)
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("target", nargs="?", help="only up to this migration (app.name)")
    make = commands.add_parser(
        "makemigrations", help="write migrations for changed models (developers)"
    )
    make.add_argument("rest", nargs=argparse.REMAINDER)
    mint = commands.add_parser(
        "mint-token", help="sign a host token for testing, with a platform's secret"
    )
    mint.add_argument("--platform", default="demo")
    mint.add_argument("--room", required=True)
    mint.add_argument("--role", choices=["trainee", "trainer", "manager"], default="trainee")
    mint.add_argument("--sub", required=True, help="the person's id on the host platform")
    mint.add_argument("--name", required=True)
    mint.add_argument("--email", default="")
    mint.add_argument("--locale", default="")
    mint.add_argument("--minutes", type=int, default=120)
    parser.set_defaults(command="serve", workers=1, reuse_port=False)
    return parser


def _with(config: Config, **changes) -> Config:
    from dataclasses import replace

    return replace(config, **changes)


async def _migrate(config: Config, target: str | None = None) -> list[str]:
    from classroom_helper.bootstrap import tortoise_config
    from helpdesk.adapters import database

    orm = tortoise_config(config)
    context = await database.connect(orm)
    try:
        return await database.migrate(orm, target)
    finally:
        await context.close_connections()


async def _prepare_demo(config: Config) -> None:
    from classroom_helper.bootstrap import tortoise_config
    from helpdesk.adapters import database
    from helpdesk.services.demo import seed_demo_institute

    orm = tortoise_config(config)
    context = await database.connect(orm)
    try:
        for name in await database.migrate(orm):
            print(f"applied {name}")
        passwords = await seed_demo_institute()
    finally:
        await context.close_connections()
    if passwords:
        print("Demo staff accounts (passwords are shown this once):")
        for email, password in passwords.items():
            print(f"  {email:<36} {password}")
    print(f"Open {config.base_url}/ and follow 'Try the demo'.")


async def _mint_token(config: Config, args: argparse.Namespace) -> str:
    from classroom_helper.adapters.host_tokens import mint_host_token
    from classroom_helper.bootstrap import tortoise_config
    from helpdesk.adapters import database
    from helpdesk.adapters.orm.institute import HostPlatform
    from helpdesk.domain.institute import RoomRole

    context = await database.connect(tortoise_config(config))
    try:
        platform = await HostPlatform.get_or_none(id=args.platform)
    finally:
        await context.close_connections()
    if platform is None:
        raise ValueError(f"no host platform {args.platform!r}")
    return mint_host_token(
        platform.id,
        platform.secret,
        person_ref=args.sub,
        name=args.name,
        role=RoomRole(args.role),
        room_id=args.room,
        email=args.email,
        locale=args.locale,
        lifetime=timedelta(minutes=args.minutes),
    )


def _supervise_workers(config: Config, args: argparse.Namespace) -> int:
    """N processes on one port (SO_REUSEPORT): the kernel spreads connections among them.

    They share state only through PostgreSQL and Redis, so one that dies loses nothing; it is restarted.
    """
    if config.uses_sqlite or not config.redis_url:
        print(
            "sanad: --workers above 1 needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
            file=sys.stderr,
        )
        return 2
    # A fresh directory where the workers pool what they count, so that /metrics answers the
    # whole port whichever worker a scrape reaches (docs/deploy.md); a replaced worker's counts stay.
    metrics_dir = tempfile.mkdtemp(prefix="sanad-metrics-")
    environ = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": metrics_dir}
    command = [sys.executable, __file__, "serve", "--reuse-port"]

    def start_worker() -> subprocess.Popen:
        return subprocess.Popen(command, env=environ)

    workers = [start_worker() for _ in range(args.workers)]
    stopping = False

    def stop(signum, _frame):
        nonlocal stopping
        stopping = True
        for worker in workers:
            worker.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while not stopping:
        for index, worker in enumerate(workers):
            if worker.poll() is not None and not stopping:
                log.warning(
                    "worker %s exited with %s; starting another", worker.pid, worker.returncode
                )
                workers[index] = start_worker()
        time.sleep(0.5)
    status = max(worker.wait() for worker in workers)
    shutil.rmtree(metrics_dir, ignore_errors=True)
    return status


def _serve(config: Config, reuse_port: bool = False) -> int:
    from classroom_helper.bootstrap import build_app

    try:
        # run_app handles SIGTERM: stop accepting, finish in-flight requests, run cleanup (DB, Redis).
        web.run_app(
            build_app(config),
            loop=uvloop.new_event_loop(),
            host=config.host,
            port=config.port,
            access_log=None,  # our own request log line carries the request id
            shutdown_timeout=10,
            reuse_port=reuse_port or None,
            print=lambda text: log.info(text.strip()),
        )
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            print(
                f"sanad: {config.host}:{config.port} is already in use (set PORT or HOST)",
                file=sys.stderr,
            )
        else:
            print(
                f"sanad: cannot listen on {config.host}:{config.port}: {error.strerror}",
                file=sys.stderr,
            )
        return 1
    return 0


def _makemigrations(rest: list[str]) -> int:
    from tortoise.cli.cli import main as tortoise_main

    sys.argv = [
        "tortoise",
        "-c",
        "classroom_helper.bootstrap.TORTOISE_ORM",
        "makemigrations",
        *rest,
    ]
    tortoise_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
