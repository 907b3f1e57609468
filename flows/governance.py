"""Flow ``monthly-governance``: find stale state, propose removals in a paused run, apply only what is approved.

Nothing stale completes without asking. Timeout or ``apply_none`` changes nothing. See
``careeros.metrics.governance`` for what counts as stale and what approving each finding does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.metrics.governance import GovernanceDecision, findings_markdown, parse_selection
from careeros.settings import approver_identity, get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from flows.human import ask, from_deployment, run_input
from tasks import governance as t
from tasks.taxonomy import publish_analytics

#: the form (the Prefect twin of the domain's decision model)
GovernanceDecisionInput = run_input(GovernanceDecision)


@flow(name="monthly-governance", log_prints=False)
@for_home
def monthly_governance(as_of: str | None = None, stale_days: int = 365, revalidate_days: int = 90,
                       approval: bool = True, timeout: int = 7 * 86400, poll_interval: int = 10,
                       mode: Literal["auto", "pause", "suspend"] = "auto",
                       home: str | None = None) -> dict[str, Any]:
    """Find -> ask (a paused run listing every finding) -> apply the approved ones -> report."""
    s = get_settings()
    run_id = _run_id()
    at = datetime.fromisoformat(as_of).astimezone(UTC) if as_of else datetime.now(UTC)
    findings = t.find_stale(s.warehouse_path, at, stale_days, revalidate_days)
    md = findings_markdown(findings)
    out: dict[str, Any] = {"run_id": run_id, "findings": [f.model_dump() for f in findings], "status": "nothing stale",
                           "applied": {}}
    if findings and not approval:
        out["status"] = "report only"
    elif findings:
        form = GovernanceDecisionInput.with_initial_data(description=md)
        approved: set[str] = set()
        for attempt in range(3):  # an answer naming unknown ids is shown again with the reason
            try:
                answer = ask(form, key=f"governance-approval{'-' + str(attempt + 1) if attempt else ''}",
                             timeout=timeout, poll_interval=poll_interval,
                             suspend=mode == "suspend" or (mode == "auto" and from_deployment()))
            except FlowPauseTimeout:
                get_run_logger().warning("governance proposal not answered: nothing changed")
                out["status"] = "timed_out"
                break
            try:
                approved = parse_selection(findings, answer.decision, answer.selected)
            except ValueError as exc:
                form = GovernanceDecisionInput.with_initial_data(description=f"**{exc}**\n\n{md}")
                continue
            who = approver_identity()
            t.record_decision(s.warehouse_path, who, answer.decision, answer.notes, sorted(approved), run_id)
            out["applied"] = t.apply_findings(s.warehouse_path, findings, approved, who, run_id) if approved else {}
            out["status"] = "applied" if approved else "nothing approved"
            out["snapshot"] = str(publish_analytics(s.warehouse_path, s.analytics_path))
            break
    applied = ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in out["applied"].items()) or "nothing"
    create_markdown_artifact(markdown=f"{md}\n\n**Outcome:** {out['status']} (applied: {applied})",
                             key="monthly-governance", description="Monthly governance")
    return out
