"""recalculate-weekly-plan against the real Prefect test server: approve, request changes, reject, time out.

Each flow runs in a background thread; the test polls the API until the run is Paused, then answers through
the real input path (``resume_flow_run`` with ``run_input``, as the UI and ``careeros approvals`` do).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import profile_home

PROFILE = ('name = "Flow Tester"\nweekly_hours = 8\nhorizon_weeks = 4\ntimezone = "Europe/Lisbon"\n[goal]\n'
           'statement = "Move into data engineering"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n'
           '[[target_roles]]\ntitle = "Database Architect"\nsoc_code = "15-1243.00"\n')


#: hang guards, not speed assertions: on two busy cores a plan on a cold title index took over 90 s to pause (CI, session 47)
HANG_S = 900


@pytest.fixture()
def plan_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    return profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE)


class Run:
    """A flow run in a background thread."""

    def __init__(self, **kwargs: Any) -> None:
        from flows.recalculate_weekly_plan import recalculate_weekly_plan

        self.box: dict[str, Any] = {}
        kwargs.setdefault("poll_interval", 1)
        kwargs.setdefault("timeout", HANG_S)  # how long the paused run waits for the test's answer
        self.th = threading.Thread(target=lambda: self.box.update(
            state=recalculate_weekly_plan(**kwargs, return_state=True)), daemon=True)
        self.th.start()

    def result(self) -> dict[str, Any]:
        self.th.join(timeout=HANG_S)
        assert "state" in self.box, "the flow run did not finish within the hang guard"
        state = self.box["state"]
        assert state.is_completed(), state
        return state.result()


def _wait_paused(key: str, seen: set[str] | None = None, timeout: float = HANG_S) -> dict[str, Any]:
    from careeros.cli.approvals import waiting_runs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in waiting_runs("recalculate-weekly-plan"):
            if r["pause_key"] == key and r["flow_run_id"] not in (seen or set()) and r["description"]:
                return r
        time.sleep(0.5)
    raise AssertionError(f"the flow never paused with key {key}")


def _statuses(home: Path) -> list[tuple[int, str]]:
    from careeros.warehouse.db import connect

    with connect(home / "warehouse.duckdb", read_only=True) as con:
        return [(v, s) for v, s in con.execute("SELECT version, status FROM plan_version ORDER BY version").fetchall()]


_SEEN: set[str] = set()


def test_approve_publishes_markdown_and_calendar(prefect_server: None, plan_home: Path) -> None:
    from icalendar import Calendar
    from typer.testing import CliRunner

    from careeros.cli import app

    run = Run()
    waiting = _wait_paused("plan-approval-0", _SEEN)
    _SEEN.add(waiting["flow_run_id"])
    assert "Weekly plan" in waiting["description"] and "Alternatives" in waiting["description"]
    listed = CliRunner().invoke(app, ["approvals", "list", "--flow", "recalculate-weekly-plan"])
    assert waiting["flow_run_id"] in listed.output
    res = CliRunner().invoke(app, ["approvals", "approve", waiting["flow_run_id"][:12], "--notes", "looks good"])
    assert res.exit_code == 0, res.output
    out = run.result()
    assert out["status"] == "approved" and out["rounds"][0]["decision"] == "approve"
    assert _statuses(plan_home) == [(1, "approved")]
    ics = Path(out["published"]["calendar"])
    uids = [str(e["UID"]) for e in Calendar.from_ical(ics.read_bytes()).walk("VEVENT")]
    assert len(uids) == len(set(uids)) == out["published"]["events"] > 0
    assert Path(out["published"]["markdown"]).is_file()
    # re-publishing the approved plan updates the same events: no duplicates
    from careeros.planner.approval import get_plan
    from careeros.planner.publish import publish_plan
    from careeros.warehouse.db import connect

    with connect(plan_home / "warehouse.duckdb", read_only=True) as con:
        plan = get_plan(con, out["plan_id"], out["version"])
    assert plan is not None
    again = publish_plan(plan, plan_home / "plans")
    uids2 = [str(e["UID"]) for e in Calendar.from_ical(Path(again["calendar"]).read_bytes()).walk("VEVENT")]
    assert uids2 == uids and len(list((plan_home / "plans").glob("*.ics"))) == 1


def test_request_changes_then_approve(prefect_server: None, plan_home: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    run = Run()
    first = _wait_paused("plan-approval-0", _SEEN)
    _SEEN.add(first["flow_run_id"])
    resume_flow_run(first["flow_run_id"], run_input={"decision": "request_changes",
                                                     "notes": "drop database architects please",
                                                     "weekly_hours": 5.0})
    second = _wait_paused("plan-approval-1")
    assert second["flow_run_id"] == first["flow_run_id"] and "5 h/week" in second["description"]
    resume_flow_run(second["flow_run_id"], run_input={"decision": "approve", "notes": "", "weekly_hours": None})
    out = run.result()
    assert out["status"] == "approved" and [r["decision"] for r in out["rounds"]] == ["request_changes", "approve"]
    assert _statuses(plan_home) == [(1, "changes_requested"), (2, "approved")]
    from careeros.planner.approval import get_plan
    from careeros.warehouse.db import connect

    with connect(plan_home / "warehouse.duckdb", read_only=True) as con:
        v2 = get_plan(con, out["plan_id"], 2)
        log = con.execute("SELECT action FROM decision_log WHERE item_id = ? ORDER BY decided_at",
                          [out["plan_id"]]).fetchall()
    assert v2 is not None and [r.soc_code for r in v2.roles] == ["15-2051.00"]
    assert v2.inputs["weekly_hours"] == 5.0 and all(w.minutes == 300 for w in v2.weeks)
    assert v2.diff and v2.diff["roles_removed"] == ["15-1243.00"] and v2.diff["inputs"]["weekly_hours"] == [8.0, 5.0]
    assert log == [("plan.request_changes",), ("plan.approve",)]


def test_reject(prefect_server: None, plan_home: Path) -> None:
    from careeros.cli.approvals import resume

    run = Run()
    w = _wait_paused("plan-approval-0", _SEEN)
    _SEEN.add(w["flow_run_id"])
    resume(w["flow_run_id"], "reject", "not now")
    out = run.result()
    assert out["status"] == "rejected" and _statuses(plan_home) == [(1, "rejected")]
    assert not (plan_home / "plans").exists()


def test_timeout_leaves_the_plan_proposed(prefect_server: None, plan_home: Path) -> None:
    from careeros.planner.approval import plan_status
    from careeros.warehouse.db import connect

    run = Run(timeout=3)
    run.th.join(timeout=HANG_S)
    assert "state" in run.box, "the flow run did not finish within the hang guard"
    state = run.box["state"]
    # the server fails a run whose pause expired ("completed and never resumed"); the plan itself stays open
    assert state.is_completed() or "never resumed" in (state.message or ""), state
    assert _statuses(plan_home) == [(1, "timed_out")]
    with connect(plan_home / "warehouse.duckdb") as con:
        st = plan_status(con)
    assert st["status"] == "timed_out" and st["awaiting_approval"] and "still a proposal" in st["message"]
