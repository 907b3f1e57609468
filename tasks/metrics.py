"""Prefect tasks for outcomes, metrics, posteriors, the standup and the monthly synthesis (thin wrappers)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.metrics import posteriors as post
from careeros.metrics import standup as su
from careeros.metrics import synthesis as sy
from careeros.settings import warehouse_file


@task(name="gather-standup", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def gather_standup(warehouse: Path, day: date) -> su.Standup:
    """Today's actions, blocked/overdue items and plan approvals."""
    return su.gather_standup(warehouse, day)


@task(name="record-checkin", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record_checkin(warehouse: Path, run_id: str, day: date, checkin: dict[str, Any], plan_id: str | None) -> int:
    """Check-in -> outcome events (idempotent per run)."""
    return su.record_checkin(warehouse, run_id, day, checkin, plan_id)


@task(name="compute-metrics", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def compute_metrics(warehouse: Path, run_id: str, as_of: date | None) -> list[dict[str, Any]]:
    """Import outcomes, compute and store ``metrics_weekly``; returns the rows of the latest week."""
    from careeros.metrics.metrics import compute_and_store_metrics

    m = compute_and_store_metrics(warehouse, run_id, as_of)
    return post_rows(m)


def post_rows(m: Any) -> list[dict[str, Any]]:
    """The latest week's metric rows as plain dicts (table artifact)."""
    import polars as pl

    week = m.filter(pl.col("period") == "week")
    if week.height == 0:
        return []
    last = week.filter(pl.col("period_start") == week["period_start"].max())
    return [{k: (v.isoformat() if isinstance(v, date) else v) for k, v in r.items()}
            for r in last.select("period_start", "metric", "value", "n", "ci_low", "ci_high", "status")
            .iter_rows(named=True)]


@task(name="update-posteriors", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def update_posteriors(warehouse: Path, run_id: str) -> list[dict[str, Any]]:
    """Posterior assumptions from all outcomes (writes only those that changed)."""
    return post.update_posteriors(warehouse, run_id)


@task(name="weekly-report-markdown", retries=1, cache_policy=NO_CACHE)
def report_markdown(warehouse: Path, week: str | None) -> str:
    """The weekly report as markdown."""
    from careeros.reports.report import gather_report_data
    from careeros.reports.report import report_markdown as md

    return md(gather_report_data(warehouse, week))


@task(name="assumption-moves", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def assumption_moves(warehouse: Path, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Assumptions that moved since ``since``."""
    from careeros.warehouse.db import connect

    with connect(warehouse) as con:
        return sy.assumption_moves(con, since, until)


@task(name="plan-change-summary", retries=1, cache_policy=NO_CACHE)
def plan_changes(home: Path, profile_path: str | None) -> dict[str, Any]:
    """Re-plan with today's assumptions (stored nothing) and compare with the current plan."""
    from careeros.planner.approval import compute_plan, default_profile_path, latest_plan
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    profile = load_profile(Path(profile_path) if profile_path else default_profile_path(home))
    with connect(warehouse_file(home)) as con:
        current = latest_plan(con, None, ("approved",))
    try:
        candidate = compute_plan(home, profile)
    except (FileNotFoundError, ValueError):
        candidate = None
    return sy.plan_change_summary(current, candidate)


@task(name="propose-replan", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def propose_replan(home: Path, profile_path: str | None, run_id: str, timeout_s: float | None) -> dict[str, Any]:
    """Store a re-plan proposal through the planner (idempotent per run)."""
    from careeros.planner.approval import default_profile_path, propose_plan
    from careeros.profile import load_profile

    profile = load_profile(Path(profile_path) if profile_path else default_profile_path(home))
    plan = propose_plan(home, profile, run_id, 0, None, timeout_s)
    return {"plan_id": plan.plan_id, "version": plan.version, "status": plan.status}


@task(name="record-synthesis-decision", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record_decision(warehouse: Path, decision: str, notes: str, run_id: str, facts: dict[str, Any]) -> None:
    """Decision log entry of the synthesis (once per run)."""
    from careeros.warehouse.db import connect

    with connect(warehouse) as con:
        sy.record_synthesis_decision(con, decision, notes, run_id, facts)
