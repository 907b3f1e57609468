"""Retries with backoff and transactional rollback of plan publishing, against the real Prefect test server.

recalculate-weekly-plan records an approval, publishes the markdown + .ics and verifies them in one Prefect
transaction (``tasks.planning.approve_and_publish``), retried with exponential backoff. A transient failure is
retried and ends like a run without failure; a persistent one fails the flow and the rollback hooks leave the
warehouse and the plans folder as they were (decision undone, previous files restored).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import profile_home

pytestmark = [pytest.mark.reliability]

PROFILE = ('name = "Rollback Tester"\nweekly_hours = 8\nhorizon_weeks = 4\ntimezone = "Europe/Lisbon"\n[goal]\n'
           'statement = "Move into data engineering"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n')


@pytest.fixture()
def plan_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    return profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE,
                        CAREEROS_RETRY_BACKOFF_SECONDS="0.05")  # 0.05, 0.1, 0.2 s instead of 2, 4, 8)


def run_approved(timeout: float = 120) -> Any:
    """Run the flow in a thread, approve its proposal through resume_flow_run, return the final state."""
    from careeros.cli.approvals import resume, waiting_runs
    from flows.recalculate_weekly_plan import recalculate_weekly_plan

    box: dict[str, Any] = {}
    th = threading.Thread(target=lambda: box.update(state=recalculate_weekly_plan(
        poll_interval=1, timeout=120, mode="pause", return_state=True)), daemon=True)
    th.start()
    deadline = time.monotonic() + timeout
    answered = False
    while th.is_alive() and time.monotonic() < deadline:
        if not answered:
            for r in waiting_runs("recalculate-weekly-plan"):
                if r["pause_key"] == "plan-approval-0" and r["description"]:
                    resume(r["flow_run_id"], "approve", notes="ok")
                    answered = True
        th.join(0.5)
    assert not th.is_alive() and answered, "the flow never paused or never finished"
    return box["state"]


def warehouse_state(home: Path) -> dict[str, Any]:
    from careeros.warehouse.db import connect

    with connect(home / "warehouse.duckdb", read_only=True) as con:
        return {
            "versions": con.execute("SELECT version, status, approved_at IS NULL FROM plan_version "
                                    "ORDER BY version").fetchall(),
            "approvals": con.execute("SELECT count(*) FROM plan_approval").fetchall()[0][0],
            "decisions": con.execute("SELECT count(*) FROM decision_log WHERE action LIKE 'plan.%'").fetchall()[0][0],
        }


def files(home: Path) -> dict[str, bytes]:
    d = home / "plans"
    return {p.name: p.read_bytes() for p in sorted(d.iterdir())} if d.is_dir() else {}


def plan_id(home: Path) -> str:
    from careeros.planner.plan import plan_id_for
    from careeros.profile import load_profile

    return plan_id_for(load_profile(home / "profile.toml"))


def seed_previous_publication(home: Path) -> dict[str, bytes]:
    """Files of an earlier publication the rollback must put back (and an unrelated file it must not touch)."""
    plans = home / "plans"
    plans.mkdir()
    (plans / "current.md").write_text("# previous plan\n")
    (plans / f"{plan_id(home)}.ics").write_text("BEGIN:VCALENDAR\nEND:VCALENDAR\n")
    (plans / "notes.txt").write_text("mine\n")
    return files(home)


class Flaky:
    """Raises OSError on the first ``n`` calls (n=None: always), then calls through."""

    def __init__(self, real: Any, n: int | None, only: str = "") -> None:
        self.real, self.n, self.only, self.calls, self.failed = real, n, only, 0, 0

    def __call__(self, path: Path, data: bytes) -> None:
        if self.only in path.name:
            self.calls += 1
            if self.n is None or self.calls <= self.n:
                self.failed += 1
                raise OSError(f"injected write failure #{self.calls} on {path.name}")
        self.real(path, data)


def test_transient_publish_failure_is_retried_and_ends_like_a_clean_run(
        prefect_server: None, plan_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.planner import publish as P
    from careeros.planner.approval import get_plan
    from careeros.warehouse.db import connect

    flaky = Flaky(P._atomic_write, n=2, only=".ics")  # the calendar write fails twice, then works
    monkeypatch.setattr(P, "_atomic_write", flaky)
    t0 = time.monotonic()
    state = run_approved()
    assert state.is_completed(), state
    out = state.result()
    assert flaky.failed == 2 and out["status"] == "approved"
    # the same result as a run without failure: one approved version, one approval, one log entry, the files of
    # that version (re-rendered here from the stored plan), no leftovers
    assert warehouse_state(plan_home) == {"versions": [(1, "approved", False)], "approvals": 1, "decisions": 1}
    with connect(plan_home / "warehouse.duckdb", read_only=True) as con:
        plan = get_plan(con, out["plan_id"], out["version"])
    assert plan is not None
    monkeypatch.setattr(P, "_atomic_write", flaky.real)
    ref = P.publish_plan(plan, plan_home / "reference")
    got = files(plan_home)
    assert sorted(got) == sorted(p.name for p in (plan_home / "reference").iterdir())
    assert all(got[Path(v).name] == Path(v).read_bytes() for v in (ref["markdown"], ref["calendar"]))
    assert out["published"]["events"] == ref["events"] > 0
    assert time.monotonic() - t0 < 60


def test_persistent_publish_failure_fails_the_flow_and_rolls_everything_back(
        prefect_server: None, plan_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.planner import publish as P

    before_files = seed_previous_publication(plan_home)
    flaky = Flaky(P._atomic_write, n=None, only=".ics")  # markdown written, calendar never: a half publication
    monkeypatch.setattr(P, "_atomic_write", flaky)
    state = run_approved()
    assert state.is_failed(), state
    assert flaky.failed == 4  # the first attempt and 3 retries
    assert files(plan_home) == before_files  # the new markdown files were removed, current.md restored
    # the approval was undone: the version is a proposal again, no approval row, no decision log entry
    assert warehouse_state(plan_home) == {"versions": [(1, "proposed", True)], "approvals": 0, "decisions": 0}


def test_failure_after_publishing_rolls_back_the_published_files(
        prefect_server: None, plan_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing succeeds, the verification after it keeps failing: the publish task's on_rollback hook restores
    the previous files and the record task's hook undoes the approval."""
    import tasks.planning as TP

    before_files = seed_previous_publication(plan_home)
    calls: list[int] = []

    def broken_verify(plan: Any, published: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        assert Path(published["calendar"]).read_bytes() != before_files[Path(published["calendar"]).name]
        raise ValueError("injected: the published calendar does not check out")

    monkeypatch.setattr(TP, "verify_published", broken_verify)
    state = run_approved()
    assert state.is_failed(), state
    assert len(calls) == 4  # every attempt published, then failed verification, then rolled back
    assert files(plan_home) == before_files
    assert warehouse_state(plan_home) == {"versions": [(1, "proposed", True)], "approvals": 0, "decisions": 0}
