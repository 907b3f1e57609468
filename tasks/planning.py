"""Prefect tasks for the weekly plan (near one-liners over careeros.planner.approval / publish)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.tasks import exponential_backoff
from prefect.transactions import Transaction, transaction

from careeros.demo_home import decision_actor
from careeros.planner import approval as ap
from careeros.planner.plan import Plan, PlanOverrides
from careeros.planner.publish import (
    publication_files,
    publish_plan,
    restore_files,
    snapshot_files,
    verify_published,
)
from careeros.profile import Profile, load_profile
from careeros.settings import approver_identity, warehouse_file

log = logging.getLogger("careeros.tasks.planning")


@task(name="load-plan-profile", cache_policy=NO_CACHE)
def load_plan_profile(home: Path, profile_path: str | None) -> Profile:
    """The given profile, else $CAREEROS_HOME/profile.toml, else the sample operator."""
    return load_profile(Path(profile_path) if profile_path else ap.default_profile_path(home))


@task(name="propose-plan", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def propose(home: Path, profile: Profile, run_id: str, round_no: int, overrides: PlanOverrides,
            timeout_s: float | None) -> Plan:
    """Build and store the proposal of this run and round (reused when it already exists)."""
    plan = ap.propose_plan(home, profile, run_id, round_no, overrides, timeout_s)
    log.info("proposed plan %s v%s (round %d): %d weeks, %g h/week, strategy %s", plan.plan_id, plan.version,
             round_no + 1, len(plan.weeks), plan.inputs.get("weekly_hours", 0), plan.strategy)
    return plan


@task(name="record-plan-decision", retries=2, retry_delay_seconds=exponential_backoff(1), retry_jitter_factor=0.5,
      cache_policy=NO_CACHE)
def record(home: Path, plan: Plan, decision: str, notes: str, weekly_hours: float | None, run_id: str,
           round_no: int, actor: str | None = None) -> str:
    """Status change + approval row + decision log (idempotent per run and round; one DuckDB transaction).

    The actor is the home's identity (``CAREEROS_APPROVER`` or the OS user), never a name from the form.

    Inside a Prefect transaction the statuses before the decision are kept, so that a later step failing for
    good (publishing) rolls the decision back (:func:`undo_record`).
    """
    from careeros.warehouse.db import connect

    with connect(warehouse_file(home)) as con:
        if not ap.decision_recorded(con, run_id, round_no):
            _remember("plan_statuses_before", ap.status_snapshot(con, plan.plan_id))
        who = actor or decision_actor(Path(home), default=approver_identity())
        got = ap.record_decision(con, plan, decision, notes, weekly_hours, run_id, round_no, actor=who)
    log.info("plan %s v%s: %s recorded for %s", plan.plan_id, plan.version, got, who)
    return got


@record.on_rollback
def undo_record(txn: Transaction) -> None:
    """Undo the decision this task recorded (nothing when it found one already stored)."""
    from careeros.warehouse.db import connect

    before = txn.get("plan_statuses_before", None)
    if before is None:
        return
    params = txn.get("parameters", None) or {}
    plan, home = params["plan"], Path(params["home"])
    with connect(warehouse_file(home)) as con:
        ap.undo_decision(con, plan.plan_id, before, params["run_id"], params["round_no"])


@task(name="publish-plan", cache_policy=NO_CACHE)
def publish(home: Path, plan: Plan) -> dict[str, Any]:
    """Markdown + .ics under $CAREEROS_HOME/plans (stable UIDs: re-publishing updates, never duplicates).

    All-or-nothing (a failed write puts back the files already replaced). The files as they were before are kept
    for :func:`unpublish`, the rollback. No retries of its own: it runs inside :func:`approve_and_publish`'s
    transaction, which is what is retried (see there).
    """
    from careeros.warehouse.db import connect

    assert plan.version is not None
    with connect(warehouse_file(home)) as con:
        stored = ap.get_plan(con, plan.plan_id, plan.version) or plan
    plans_dir = Path(home) / "plans"
    _remember("plan_files_before", snapshot_files(list(publication_files(stored, plans_dir).values())))
    return publish_plan(stored, plans_dir)


@publish.on_rollback
def unpublish(txn: Transaction) -> None:
    """Put the plan files back as they were before this publication (a later step of the transaction failed)."""
    before = txn.get("plan_files_before", None)
    if before is not None:
        restore_files(before)


@task(name="verify-published-plan", cache_policy=NO_CACHE)
def verify(plan: Plan, published: dict[str, Any]) -> dict[str, Any]:
    """The published markdown is this plan's and the calendar holds its sessions once each (raises otherwise)."""
    return verify_published(plan, published)


@task(name="approve-and-publish", retries=3, retry_delay_seconds=exponential_backoff(2), retry_jitter_factor=0.5,
      cache_policy=NO_CACHE)
def approve_and_publish(home: Path, plan: Plan, notes: str, weekly_hours: float | None, run_id: str,
                        round_no: int) -> dict[str, Any]:
    """Record the approval, publish the files, verify them: one Prefect transaction, retried as a whole.

    A failure of any step rolls the transaction back (:func:`unpublish` restores the previous files,
    :func:`undo_record` removes the decision), so every attempt is all-or-nothing; transient failures are retried
    with exponential backoff and jitter (:func:`with_backoff`), and when they persist the flow fails with the
    warehouse and the plans folder as they were. The inner tasks do not retry themselves: in Prefect 3 a failed
    attempt of a task inside a transaction rolls the enclosing transaction back even when a retry then succeeds.
    """
    with transaction():
        record.with_options(retries=0)(home, plan, "approve", notes, weekly_hours, run_id, round_no)
        published = publish(home, plan)
        verify(plan, published)
    caldav = publish_caldav(home, plan, run_id)  # after the transaction: its failure never undoes the approval
    return published if caldav is None else {**published, "caldav": caldav}


@task(name="publish-plan-caldav", cache_policy=NO_CACHE)
def publish_caldav(home: Path, plan: Plan, run_id: str) -> dict[str, Any] | None:
    """The approved plan's sessions in the CalDAV calendar when ``CAREEROS_CALDAV_URL`` is set (else None).

    The plan approval counts as the approval of the calendar action; a failure is logged and returned, not raised.
    """
    from careeros.integrations.caldav_calendar import publish_approved_plan
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    if not get_settings().caldav_url:
        return None
    assert plan.version is not None
    try:
        with connect(warehouse_file(home)) as con:
            got = publish_approved_plan(con, ap.get_plan(con, plan.plan_id, plan.version) or plan, get_settings(),
                                        run_id=run_id)
    except Exception as exc:  # noqa: BLE001 - e.g. the warehouse locked: reported, the approval stands
        got = {"ok": False, "plan_id": plan.plan_id, "version": plan.version, "error": f"{type(exc).__name__}: {exc}"}
    if got is not None and not got.get("ok"):
        log.warning("plan %s v%s approved and published, but not in the CalDAV calendar: %s", plan.plan_id,
                    plan.version, got.get("error"))
    return got


def _remember(name: str, value: Any) -> None:
    """Keep a value on the running task's transaction (read by its rollback hook); no-op outside Prefect."""
    from prefect.transactions import get_transaction

    txn = get_transaction()
    if txn is not None:
        txn.set(name, value)
        from prefect.context import TaskRunContext

        ctx = TaskRunContext.get()
        if ctx is not None and ctx.parameters is not None:
            txn.set("parameters", dict(ctx.parameters))


def with_backoff(t: Any) -> Any:
    """``t`` with the retry backoff and jitter of the settings (tiny in tests, seconds in production)."""
    from careeros.settings import get_settings

    s = get_settings()
    return t.with_options(retry_delay_seconds=exponential_backoff(s.retry_backoff_seconds),
                          retry_jitter_factor=s.retry_jitter_factor)
