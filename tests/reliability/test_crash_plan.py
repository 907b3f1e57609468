"""kill -9 while an approved plan is recorded and published, then re-run: the warehouse equals a clean run's
(table checksums), the published files equal a clean run's (.ics with unique UIDs, markdown), nothing duplicated.

The driver (``driver.py plan``) does what recalculate-weekly-plan does for an approved plan: propose (plan_version
+ plan_task), record the approval (status, plan_approval, decision_log), publish markdown + .ics, verify. It kills
itself with SIGKILL at an exact point (``CRASH_AT``); the re-run is the same run again (same run id, as when a
crashed flow run is retried or a suspended one re-runs from the top).
"""

from __future__ import annotations

import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from careeros.ops.checksums import row_counts, table_checksums

from .conftest import REPO, child_env, driver, run_and_kill, run_ok

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.usefixtures("cpu_load")]

PROFILE = ('name = "Crash Tester"\nweekly_hours = 8\nhorizon_weeks = 4\ntimezone = "Europe/Lisbon"\n[goal]\n'
           'statement = "Move into data engineering"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n'
           '[[target_roles]]\ntitle = "Database Architect"\nsoc_code = "15-1243.00"\n')
PLAN_TABLES = ["plan_version", "plan_task", "plan_approval", "decision_log"]


def make_home(built_home: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    shutil.copyfile(built_home / "warehouse.duckdb", dst / "warehouse.duckdb")
    (dst / "profile.toml").write_text(PROFILE)
    return dst


def run_crash(home: Path, crash_at: str) -> str:
    """Run the plan driver until it kills itself at ``crash_at``; the output seen."""
    res = subprocess.run(driver("plan", home), env=child_env(home, CRASH_AT=crash_at, PLAN_RUN_ID="run-1"),
                         cwd=REPO, capture_output=True, text=True, timeout=900)  # a hang guard, as run_and_kill's
    out = res.stdout + res.stderr
    assert res.returncode == -signal.SIGKILL, f"exit {res.returncode}, not killed at {crash_at}: {out[-3000:]}"
    assert "CRASH" in out and "STAGE done" not in out, out[-3000:]
    return out


def rerun(home: Path) -> None:
    run_ok(driver("plan", home), child_env(home, PLAN_RUN_ID="run-1"))


@pytest.fixture(scope="module")
def plan_ref(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One clean, uninterrupted run."""
    home = make_home(built_home, tmp_path_factory.mktemp("plan-ref") / "home")
    run_ok(driver("plan", home), child_env(home, PLAN_RUN_ID="clean-run"))
    return home


def _checksums(home: Path) -> dict[str, str]:
    """Checksums of every warehouse table. plan_json embeds the computation time and run id: it is left out,
    content_sha (the hash of the plan's content) stands for it."""
    wh = home / "warehouse.duckdb"
    import duckdb

    con = duckdb.connect(str(wh), read_only=True)
    try:
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                          "'plan_version'").fetchall()]
    finally:
        con.close()
    return table_checksums(wh, columns={"plan_version": [c for c in cols if c != "plan_json"]})


def _ics_events(path: Path) -> list[str]:
    """The calendar's events with DTSTAMP (the plan's computation time) removed."""
    text = re.sub(r"^DTSTAMP[^\n]*\n", "", path.read_text().replace("\r\n", "\n"), flags=re.M)
    return sorted(text.split("BEGIN:VEVENT")[1:])


def assert_same_as_clean(home: Path, ref: Path) -> None:
    a, b = _checksums(home), _checksums(ref)
    assert a == b, "tables differ from a clean run: " + ", ".join(sorted(t for t in set(a) | set(b)
                                                                        if a.get(t) != b.get(t)))
    counts = row_counts(home / "warehouse.duckdb", PLAN_TABLES)
    assert counts == row_counts(ref / "warehouse.duckdb", PLAN_TABLES)
    assert counts["plan_version"] == 1 and counts["plan_approval"] == 1 and counts["plan_task"] > 0
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        assert con.execute("SELECT status FROM plan_version").fetchall() == [("approved",)]
        assert con.execute("SELECT count(*) FROM decision_log WHERE action = 'plan.approve'").fetchall() == [(1,)]
        dup = con.execute("SELECT count(*) FROM (SELECT plan_id, version, task_id FROM plan_task GROUP BY ALL "
                          "HAVING count(*) > 1)").fetchall()
        assert dup == [(0,)]
    finally:
        con.close()
    # the same files, nothing half-written left behind
    names = sorted(p.name for p in (home / "plans").iterdir())
    assert names == sorted(p.name for p in (ref / "plans").iterdir())
    assert not [n for n in names if ".tmp-" in n]
    for md in (ref / "plans").glob("*.md"):
        assert (home / "plans" / md.name).read_bytes() == md.read_bytes(), md.name
    (ics,) = (home / "plans").glob("*.ics")
    from icalendar import Calendar

    uids = [str(e["UID"]) for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    assert len(uids) == len(set(uids)) > 0
    assert _ics_events(ics) == _ics_events(ref / "plans" / ics.name)


def _count(home: Path, sql: str) -> int:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        return int(con.execute(sql).fetchall()[0][0])
    finally:
        con.close()


@pytest.mark.parametrize("crash_at", ["after-propose", "mid-decision", "publish-replace:1", "publish-replace:3"])
def test_kill_while_publishing_plan_then_rerun(built_home: Path, plan_ref: Path, tmp_path: Path,
                                               crash_at: str) -> None:
    home = make_home(built_home, tmp_path / "home")
    run_crash(home, crash_at)
    # the crash point is real: the plan version is stored, publishing is unfinished
    assert _count(home, "SELECT count(*) FROM plan_version") == 1
    if crash_at == "mid-decision":  # the approval row was written but its transaction never committed
        assert _count(home, "SELECT count(*) FROM plan_approval") == 0
        assert _count(home, "SELECT count(*) FROM plan_version WHERE status = 'proposed'") == 1
    if crash_at.startswith("publish-replace"):
        assert _count(home, "SELECT count(*) FROM plan_approval") == 1
        assert [p for p in (home / "plans").iterdir() if ".tmp-" in p.name], "no half-published temp file"
        assert not list((home / "plans").glob("*.ics"))
    rerun(home)
    assert_same_as_clean(home, plan_ref)
    rerun(home)  # and one more run changes nothing
    assert_same_as_clean(home, plan_ref)


def test_sigkill_from_outside_during_publishing_then_rerun(built_home: Path, plan_ref: Path, tmp_path: Path) -> None:
    """The parent kills the process group as soon as publishing starts (timing not chosen by the child)."""
    home = make_home(built_home, tmp_path / "home")
    run_and_kill(driver("plan", home), child_env(home, PLAN_RUN_ID="run-1"), "STAGE plan:publish", delay=0.0)
    rerun(home)
    assert_same_as_clean(home, plan_ref)
