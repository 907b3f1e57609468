"""Prefect tasks of the monthly governance run (thin wrappers over careeros.metrics.governance)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.metrics import governance as gv
from careeros.warehouse.db import connect


@task(name="find-stale", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def find_stale(warehouse: Path, as_of: datetime, stale_days: int, revalidate_days: int) -> list[gv.Finding]:
    """Evidence on missing files, links to skills gone, stale assumptions, expired context."""
    with connect(warehouse) as con:
        return gv.find_stale(con, as_of, stale_days=stale_days, revalidate_days=revalidate_days)


@task(name="apply-approved-removals", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def apply_findings(warehouse: Path, findings: list[gv.Finding], approved: set[str], actor: str,
                   run_id: str) -> dict[str, int]:
    """Apply only the approved findings (one transaction, each logged)."""
    with connect(warehouse) as con:
        return gv.apply_findings(con, findings, approved, actor=actor, run_id=run_id)


@task(name="record-governance-decision", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record_decision(warehouse: Path, actor: str, decision: str, notes: str, approved: list[str], run_id: str) -> None:
    """The person's answer in the decision log (also when nothing is applied)."""
    from careeros.evidence.history import log_decision

    with connect(warehouse) as con:
        log_decision(con, actor, f"governance.{decision}", item_id="monthly-governance",
                     facts={"approved": sorted(approved), "notes": notes}, run_id=run_id)
