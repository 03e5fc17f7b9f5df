"""Schema migrations: a database made by the first release upgrades to this one without losing rows."""

import sqlite3

from tests.test_configuration import run_py


def test_the_first_schema_upgrades_keeping_its_rows(tmp_path):
    env = {"DATABASE_URL": f"sqlite://{tmp_path}/old.sqlite3", "VAR_DIR": str(tmp_path)}
    first = run_py("migrate", "helpdesk.0001_initial", env=env)
    assert first.returncode == 0, first.stderr
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        db.execute(
            "INSERT INTO department (code, name_ar, name_en, created_at) VALUES ('reg', 'التسجيل', 'Registration', '2026-01-01')"
        )
        db.execute(
            "INSERT INTO course (code, title_ar, title_en) VALUES ('C-1', 'دورة', 'A course')"
        )
    upgraded = run_py("migrate", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    with sqlite3.connect(tmp_path / "old.sqlite3") as db:
        assert db.execute("SELECT name_ar FROM department WHERE code = 'reg'").fetchone() == (
            "التسجيل",
        )
        assert db.execute("SELECT title_en FROM course").fetchall() == [("A course",)]
    assert run_py("migrate", env=env).stdout == ""
