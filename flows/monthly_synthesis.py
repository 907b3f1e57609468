"""Flow ``monthly-synthesis``: which assumptions moved in the last month, what the plan would change, approval.

Approve stores a re-plan proposal through the planner (it then waits for the plan approval like any proposal);
reject keeps the current plan. Nothing to propose (no move, no plan change) completes without asking.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.metrics.synthesis import SynthesisDecision, has_changes, synthesis_markdown
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from flows.human import ask, from_deployment, run_input
from tasks import metrics as t
from tasks.taxonomy import publish_analytics


@flow(name="monthly-synthesis", log_prints=False)
@for_home
def monthly_synthesis(as_of: str | None = None, days: int = 30, profile_path: str | None = None,
                      approval: bool = True, timeout: int = 3 * 86400, poll_interval: int = 10,
                      mode: Literal["auto", "pause", "suspend"] = "auto",
                      home: str | None = None) -> dict[str, Any]:
    """Recalibration report -> approval -> re-plan proposal (approve) or nothing (reject / timeout)."""
    s = get_settings()
    run_id = _run_id()
    until = datetime.fromisoformat(as_of).astimezone(UTC) if as_of else datetime.now(UTC)
    since = until - timedelta(days=days)
    moves = t.assumption_moves(s.warehouse_path, since, until)
    change = t.plan_changes(s.home, profile_path)
    md = synthesis_markdown(moves, change, since, until)
    out: dict[str, Any] = {"run_id": run_id, "moves": moves, "status": "no changes", "proposal": None}
    if approval and has_changes(moves, change):
        form = run_input(SynthesisDecision).with_initial_data(description=md)
        try:
            answer = ask(form, key="synthesis-approval", timeout=timeout, poll_interval=poll_interval,
                         suspend=mode == "suspend" or (mode == "auto" and from_deployment()))
        except FlowPauseTimeout:
            get_run_logger().warning("monthly synthesis not answered: nothing proposed")
            out["status"] = "timed_out"
        else:
            facts = {"moves": [m["assumption_id"] for m in moves]}
            t.record_decision(s.warehouse_path, answer.decision, answer.notes, run_id, facts)
            out["status"] = "approved" if answer.decision == "approve" else "rejected"
            if answer.decision == "approve":
                out["proposal"] = t.propose_replan(s.home, profile_path, run_id, float(timeout))
    elif has_changes(moves, change):
        out["status"] = "report only"
    if out["status"] in ("approved", "rejected"):  # a decision (and maybe a proposal) was written
        out["snapshot"] = str(publish_analytics(s.warehouse_path, s.analytics_path))
    summary = md + f"\n\n**Outcome:** {out['status']}" + (
        f" — proposal `{out['proposal']['plan_id']}` v{out['proposal']['version']}" if out["proposal"] else "")
    create_markdown_artifact(markdown=summary, key="monthly-synthesis", description="Monthly synthesis")
    return out
