"""Prefect tasks for the weekly plan (near one-liners over careeros.planner.approval / publish)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.planner import approval as ap
from careeros.planner.plan import Plan, PlanOverrides
from careeros.planner.publish import publish_plan
from careeros.profile import Profile, load_profile


@task(name="load-plan-profile", cache_policy=NO_CACHE)
def load_plan_profile(home: Path, profile_path: str | None) -> Profile:
    """The given profile, else $CAREEROS_HOME/profile.toml, else the sample operator."""
    return load_profile(Path(profile_path) if profile_path else ap.default_profile_path(home))


@task(name="propose-plan", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def propose(home: Path, profile: Profile, run_id: str, round_no: int, overrides: PlanOverrides,
            timeout_s: float | None) -> Plan:
    """Build and store the proposal of this run and round (reused when it already exists)."""
    return ap.propose_plan(home, profile, run_id, round_no, overrides, timeout_s)


@task(name="record-plan-decision", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record(home: Path, plan: Plan, decision: str, notes: str, weekly_hours: float | None, run_id: str,
           round_no: int) -> str:
    """Status change + approval row + decision log (idempotent per run and round)."""
    from careeros.warehouse.db import connect

    with connect(Path(home) / "warehouse.duckdb") as con:
        return ap.record_decision(con, plan, decision, notes, weekly_hours, run_id, round_no)


@task(name="publish-plan", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def publish(home: Path, plan: Plan) -> dict[str, Any]:
    """Markdown + .ics under $CAREEROS_HOME/plans (stable UIDs: re-publishing updates, never duplicates)."""
    from careeros.warehouse.db import connect

    assert plan.version is not None
    with connect(Path(home) / "warehouse.duckdb") as con:
        stored = ap.get_plan(con, plan.plan_id, plan.version) or plan
    return publish_plan(stored, Path(home) / "plans")
