"""CLI polish: ``--version``, the source versions ``status`` prints, and input validation of ``careeros log``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import profile_home
from typer.testing import CliRunner

import careeros
from careeros.cli import app
from careeros.cli.core import version_label

PROFILE = ('name = "Log Tester"\nweekly_hours = 6\nhorizon_weeks = 4\ntimezone = "UTC"\n[goal]\n'
           'statement = "Move into data science"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n')


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_version() -> None:
    res = _run("--version")
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == f"careeros {careeros.__version__}"


@pytest.mark.parametrize(("raw", "shown"), [("4", "v4"), ("v4", "v4"), ("V4", "V4"), ("29.3", "v29.3"),
                                            ("1.2.0", "v1.2.0"), ("vintage-2025", "vvintage-2025")])
def test_version_label_has_one_v(raw: str, shown: str) -> None:
    assert version_label(raw) == shown


def test_status_prints_no_double_v(built_home: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> None:
    monkeypatch.setenv("CAREEROS_HOME", str(built_home))
    res = _run("status")
    assert res.exit_code == 0, res.output
    lines = [ln for ln in res.stdout.splitlines() if ln.startswith("  ") and "rows=" in ln]
    assert lines, res.stdout
    assert not any(" vv" in ln for ln in lines), lines


# ------------------------------------------------------------------------------------------ log: validation


@pytest.fixture()
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    return home


FUTURE = (datetime.now(UTC).date() + timedelta(days=5)).isoformat()


@pytest.mark.parametrize(("args", "message"), [
    (("hours", "0"), "more than 0"),
    (("hours", "--", "-2"), "more than 0"),
    (("hours", "25"), "at most 24"),
    (("hours", "nan"), "more than 0"),
    (("hours", "2", "--date", "2026-13-01"), "YYYY-MM-DD"),
    (("hours", "2", "--date", "yesterday"), "YYYY-MM-DD"),
    (("hours", "2", "--date", FUTURE), "in the future"),
    (("hours", "2", "--date", "1899-01-01"), "check the year"),
    (("hours", "2", "--note", "   "), "--note is empty"),
    (("hours", "2", "--note", "x" * 600), "keep it under"),
    (("outreach", "waved"), "unknown outreach event"),
    (("outreach", "sent", "--n", "0"), "--n must be between"),
    (("outreach", "sent", "--n", "100000"), "--n must be between"),
    (("interview", "--date", FUTURE), "in the future"),
    (("offer", "--note", ""), "--note is empty"),
    (("done", "t1", "--hours", "0"), "more than 0"),
    (("done", "t1", "--hours", "500"), "at most 168"),
    (("done", "  "), "task id is empty"),
    (("done", "foo"), "no plan"),
])
def test_log_refuses_bad_input_before_writing(empty_home: Path, args: tuple[str, ...], message: str) -> None:
    res = _run("log", *args)
    assert res.exit_code == 2, res.output
    assert message in res.stderr, res.stderr
    assert res.stderr.startswith("error: ") and "Traceback" not in res.output
    assert not (empty_home / "warehouse.duckdb").exists(), "nothing may be written on bad input"


def test_log_good_input_is_recorded_once(empty_home: Path) -> None:
    from careeros.warehouse.db import connect

    for args in (("hours", "1.5", "--note", "reading  papers"), ("outreach", "sent", "--n", "3"), ("interview",)):
        res = _run("log", *args)
        assert res.exit_code == 0 and res.stdout.startswith("logged "), res.output
        again = _run("log", *args)
        assert again.exit_code == 0 and again.stdout.startswith("already logged"), again.output
    with connect(empty_home / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("SELECT kind, quantity, notes FROM outcome_event ORDER BY kind").fetchall()
    assert rows == [("hours", 1.5, "reading papers"), ("interview", 1.0, None), ("outreach_sent", 3.0, None)]


# ------------------------------------------------------------------------------------------ log done: task ids


@pytest.fixture()
def plan_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Any:
    from careeros.planner.approval import default_profile_path, propose_plan, set_status
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    home = profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE)
    plan = propose_plan(home, load_profile(default_profile_path(home)), "setup", 0)
    with connect(home / "warehouse.duckdb") as con:
        set_status(con, plan.plan_id, plan.version, "approved")
    return home, plan


def test_log_done_unknown_task_lists_how_to_find_ids(plan_home: Any) -> None:
    from careeros.warehouse.db import connect

    home, plan = plan_home
    res = _run("log", "done", "foo")
    assert res.exit_code == 2, res.output
    assert "no task 'foo'" in res.stderr and "careeros plan --json" in res.stderr
    shown = [t.id for t in plan.weeks[0].tasks][:3]
    assert all(t in res.stderr for t in shown), res.stderr  # the plan's own ids are listed
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM outcome_event WHERE kind = 'task_done'").fetchall() == [(0,)]


def test_log_done_known_task_records_its_plan(plan_home: Any) -> None:
    from careeros.warehouse.db import connect

    home, plan = plan_home
    task = plan.weeks[0].tasks[0].id
    res = _run("log", "done", task, "--hours", "1.5")
    assert res.exit_code == 0 and f"logged task done {task}" in res.stdout, res.output
    assert _run("log", "done", task, "--hours", "1.5").stdout.startswith("already logged")
    wrong = _run("log", "done", task, "--plan", "no-such-plan")
    assert wrong.exit_code == 2 and "not part of plan 'no-such-plan'" in wrong.stderr, wrong.output
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("SELECT task_id, plan_id, quantity FROM outcome_event WHERE kind = 'task_done'").fetchall()
    assert rows == [(task, plan.plan_id, 1.5)]
