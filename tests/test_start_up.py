"""Start-up and shut-down of the real process: each failure is one clear line and a non-zero exit."""

import asyncio
import signal
import socket
import sqlite3

import socketio

from classroom_helper.bootstrap import tortoise_config
from helpdesk.adapters import database
from helpdesk.adapters.orm.institute import Course, Department, HostPlatform, RoomSession, Staff
from helpdesk.config import Config
from helpdesk.services.demo import seed_demo_institute
from tests.processes import SanadProcess, free_port
from tests.test_configuration import run_py


def sqlite_env(tmp_path, **more):
    return {"DATABASE_URL": f"sqlite://{tmp_path}/sanad.sqlite3", "VAR_DIR": str(tmp_path), **more}


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_an_unmigrated_database_is_refused_with_what_to_run(tmp_path):
    result = run_py(env=sqlite_env(tmp_path, PORT=str(free_port())))
    assert result.returncode == 1
    assert one_line(result).endswith("run: python run.py migrate")


def test_a_newer_schema_is_refused(tmp_path):
    env = sqlite_env(tmp_path, PORT=str(free_port()))
    assert run_py("migrate", env=env).returncode == 0
    with sqlite3.connect(tmp_path / "sanad.sqlite3") as db:
        db.execute(
            "INSERT INTO tortoise_migrations (app, name, applied_at) VALUES ('helpdesk', '9999_from_the_future', '2030-01-01')"
        )
    result = run_py(env=env)
    assert result.returncode == 1
    assert "newer than this version" in one_line(result)


def test_an_unreachable_database_is_one_line(tmp_path):
    env = {
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/x",
        "VAR_DIR": str(tmp_path),
    }
    result = run_py("migrate", env=env)
    assert result.returncode == 1
    assert one_line(result).startswith("sanad: cannot reach the database")


def test_a_port_in_use_is_one_line(tmp_path):
    env = sqlite_env(tmp_path)
    assert run_py("migrate", env=env).returncode == 0
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_py(env={**env, "PORT": str(taken.getsockname()[1])})
    assert result.returncode == 1
    assert "is already in use" in one_line(result)


def test_migrate_twice_changes_nothing_the_second_time(tmp_path):
    env = sqlite_env(tmp_path)
    first = run_py("migrate", env=env)
    assert "applied helpdesk.0001_initial" in first.stdout
    second = run_py("migrate", env=env)
    assert second.returncode == 0
    assert second.stdout == ""


def test_sigterm_stops_cleanly_and_requests_are_logged_without_tokens(tmp_path):
    sanad = SanadProcess("demo", env=sqlite_env(tmp_path))
    sanad.wait_until_ready()
    status, page = sanad.get("/demo/rooms/demo-room/trainee?name=Layla%20Hassan")
    assert status == 200
    token = page.split('data-token="')[1].split('"')[0]
    assert sanad.stop(signal.SIGTERM) == 0
    output = sanad.output()
    assert "GET /demo/rooms/demo-room/trainee 200" in output
    assert token not in output
    assert "Traceback" not in output
    assert "Demo staff accounts (passwords are shown this once)" in output


async def test_seeding_twice_creates_nothing_twice(database_url, tmp_path):
    orm = tortoise_config(Config.from_env({"DATABASE_URL": database_url, "SECRET_KEY": "k"}))
    context = await database.connect(orm)
    try:
        from tortoise.contrib.test import truncate_all_models

        await truncate_all_models()
        first = await seed_demo_institute()
        counts = [
            await m.all().count() for m in (Department, Staff, Course, RoomSession, HostPlatform)
        ]
        second = await seed_demo_institute()
        again = [
            await m.all().count() for m in (Department, Staff, Course, RoomSession, HostPlatform)
        ]
        # the demo staff run the demo room: they log in and open its consoles
        room = await RoomSession.get(room_id="demo-room")
        manager = await Staff.get(id=int(room.room_manager_ref.removeprefix("staff:")))
        trainer = await Staff.get(id=int(room.trainer_ref.removeprefix("staff:")))
    finally:
        await context.close_connections()
    assert len(first) == 7 and second == {}
    assert counts == again == [2, 7, 1, 1, 1]
    assert (manager.email, trainer.email) == ("elearning.agent@sanad.local", "trainer@sanad.local")
    assert room.room_manager_name == manager.name


async def test_sigterm_tells_connected_people_to_go_at_once(tmp_path):
    """A rolling restart: the live room's clients are disconnected by the server straight away (so
    that they reconnect to another process), not left to time out."""
    sanad = SanadProcess("demo", env=sqlite_env(tmp_path))
    sanad.wait_until_ready()
    _, page = sanad.get("/demo/rooms/demo-room/trainee?name=Layla%20Hassan")
    token = page.split('data-token="')[1].split('"')[0]
    told = asyncio.Event()
    trainee = socketio.AsyncClient(reconnection=False)
    trainee.on("disconnect", lambda *reason: told.set())
    await trainee.connect(
        sanad.base_url, auth={"token": token, "room": "demo-room"}, transports=["websocket"]
    )
    sanad.process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(told.wait(), timeout=5)
    assert await asyncio.to_thread(sanad.process.wait, 15) == 0
    assert "Traceback" not in sanad.output()
