"""daily-standup, retrospective-metrics and monthly-synthesis against the real Prefect test server.

Flows that wait for input run in a background thread; the test polls the API until the run is Paused and answers
through the real input path (``resume_flow_run`` with ``run_input``, as the UI does).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import profile_home

PROFILE = ('name = "Standup Tester"\nweekly_hours = 8\nhorizon_weeks = 4\ntimezone = "UTC"\n[goal]\n'
           'statement = "Move into data engineering"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n')


@pytest.fixture()
def flow_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    return profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE)


class Run:
    """A flow run in a background thread."""

    def __init__(self, fn: Callable[..., Any], **kwargs: Any) -> None:
        self.box: dict[str, Any] = {}
        self.th = threading.Thread(target=lambda: self.box.update(state=fn(**kwargs, return_state=True)), daemon=True)
        self.th.start()

    def result(self, timeout: float = 120) -> dict[str, Any]:
        self.th.join(timeout=timeout)
        state = self.box["state"]
        assert state.is_completed(), state
        return state.result()


_SEEN: set[str] = set()


def _wait_paused(flow: str, key: str, timeout: float = 90) -> dict[str, Any]:
    from careeros.cli.approvals import waiting_runs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in waiting_runs(flow):
            if r["pause_key"] == key and r["flow_run_id"] not in _SEEN and r["description"]:
                _SEEN.add(r["flow_run_id"])
                return r
        time.sleep(0.5)
    raise AssertionError(f"{flow} never paused with key {key}")


def _approved_plan(home: Path) -> Any:
    from careeros.planner.approval import default_profile_path, propose_plan, set_status
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    plan = propose_plan(home, load_profile(default_profile_path(home)), "setup", 0)
    with connect(home / "warehouse.duckdb") as con:
        set_status(con, plan.plan_id, plan.version, "approved")
    return plan


def test_daily_standup_with_checkin(prefect_server: None, flow_home: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    from careeros.warehouse.db import connect
    from flows.daily_standup import daily_standup

    plan = _approved_plan(flow_home)
    day = plan.weeks[0].start + timedelta(days=1)
    run = Run(daily_standup, day=day.isoformat(), poll_interval=1, timeout=120)
    waiting = _wait_paused("daily-standup", "daily-checkin")
    assert "Today's three actions" in waiting["description"] and plan.plan_id in waiting["description"]
    first = plan.weeks[0].tasks[0].id
    resume_flow_run(waiting["flow_run_id"], run_input={
        "tasks_done": [first], "hours": 2.5, "outreach_sent": 4, "outreach_replied": 1, "interviews": 0, "offers": 0,
        "notes": "good day"})
    out = run.result()
    assert out["checkin"] == "recorded" and out["events"] == 4 and not out["flagged"]
    assert 1 <= len(out["actions"]) <= 3 and first in out["actions"]
    with connect(flow_home / "warehouse.duckdb", read_only=True) as con:
        got = dict(con.execute("SELECT kind, sum(coalesce(quantity, 1)) FROM outcome_event WHERE source = 'checkin' "
                               "GROUP BY kind").fetchall())
        task = con.execute("SELECT task_id, plan_id FROM outcome_event WHERE kind = 'task_done'").fetchall()
    assert got == {"task_done": 1, "hours": 2.5, "outreach_sent": 4, "outreach_replied": 1}
    from careeros.metrics.analytics import open_analytics

    with open_analytics(Path(out["snapshot"])) as snap:  # the check-in reached the analysts' snapshot
        assert snap.execute("SELECT count(*) FROM analytics.outcome_events WHERE source = 'checkin'").fetchall() \
            == [(4,)]
    assert task == [(first, plan.plan_id)]
    from careeros.metrics.standup import gather_standup

    assert first not in [a.task_id for a in gather_standup(flow_home / "warehouse.duckdb", day).actions]


def test_daily_standup_checkin_times_out(prefect_server: None, flow_home: Path) -> None:
    from careeros.warehouse.db import connect
    from flows.daily_standup import daily_standup

    state = daily_standup(day="2026-03-03", poll_interval=1, timeout=2, return_state=True)
    assert state.is_completed(), state
    out = state.result()
    assert out["checkin"] == "timed_out" and out["events"] == 0 and out["plan_id"] is None
    with connect(flow_home / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM outcome_event").fetchall()[0][0] == 0


def _synthetic_outcomes(home: Path, weeks: int = 6) -> None:
    from careeros.metrics.outcomes import events_frame, make_event, record_events
    from careeros.warehouse.db import connect

    start = datetime.now(UTC).date() - timedelta(weeks=weeks)
    rows = []
    for w in range(weeks):
        d = start + timedelta(weeks=w)
        rows += [make_event("outreach_sent", d, "cli", key=f"s{w}", quantity=12),
                 make_event("outreach_replied", d, "cli", key=f"r{w}", quantity=1 + w % 2),
                 make_event("session_planned", d, "calendar", key=f"u{w}", task_id=f"build:t{w}", quantity=3.0),
                 make_event("task_done", d + timedelta(days=3), "checkin", key=f"t{w}", task_id=f"build:t{w}"),
                 make_event("hours", d + timedelta(days=3), "checkin", key=f"h{w}", quantity=4.2)]
    rows.append(make_event("interview", start + timedelta(weeks=3), "cli", key="i1", quantity=1))
    with connect(home / "warehouse.duckdb") as con:
        record_events(con, events_frame(rows))


def test_retrospective_metrics_end_to_end(prefect_server: None, flow_home: Path) -> None:
    from careeros.graph.queries import counts
    from careeros.warehouse.db import connect
    from flows.retrospective_metrics import retrospective_metrics

    _synthetic_outcomes(flow_home)
    out = retrospective_metrics()
    assert out["metric_rows"] > 0 and Path(out["snapshot"]).is_file()
    assert set(out["changed"]) >= {"outreach_reply_rate", "interview_conversion", "hours_estimate_bias"}
    with connect(flow_home / "warehouse.duckdb", read_only=True) as con:
        weeks = con.execute("SELECT count(DISTINCT period_start) FROM metrics_weekly WHERE period = 'week'").fetchall()
        reply = con.execute("SELECT version, posterior_json FROM assumption WHERE assumption_id = "
                            "'outreach_reply_rate'").fetchall()[0]
        c = counts(con)
    assert weeks[0][0] >= 6 and reply[0] == 2 and '"a": 12.0' in reply[1]  # 3 + 9 replies of 72 sent
    assert c["metrics_weeks"] == weeks[0][0] and c["assumption_updates"] > 0
    again = retrospective_metrics(publish=False)
    assert again["changed"] == []  # no new outcomes: no version bump


def test_monthly_synthesis_approve_stores_a_replan_proposal(prefect_server: None, flow_home: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    from careeros.planner.assumptions import set_posterior, sync_assumptions
    from careeros.warehouse.db import connect
    from flows.monthly_synthesis import monthly_synthesis

    with connect(flow_home / "warehouse.duckdb") as con:
        sync_assumptions(con)
        set_posterior(con, "outreach_reply_rate", {"family": "beta", "a": 9.0, "b": 91.0}, "test",
                      meta={"evidence": {"successes": 6, "trials": 80}})
    run = Run(monthly_synthesis, poll_interval=1, timeout=120)
    waiting = _wait_paused("monthly-synthesis", "synthesis-approval")
    assert "outreach_reply_rate" in waiting["description"] and "-40%" in waiting["description"]
    resume_flow_run(waiting["flow_run_id"], run_input={"decision": "approve", "notes": "go"})
    out = run.result()
    assert out["status"] == "approved" and out["moves"][0]["assumption_id"] == "outreach_reply_rate"
    prop = out["proposal"]
    with connect(flow_home / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("SELECT status, run_id FROM plan_version WHERE plan_id = ? AND version = ?",
                           [prop["plan_id"], prop["version"]]).fetchall()
        log = con.execute("SELECT action FROM decision_log WHERE item_id = 'monthly-synthesis'").fetchall()
    assert rows == [("proposed", out["run_id"])] and log == [("synthesis.approve",)]
