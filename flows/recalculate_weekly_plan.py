"""Flow ``recalculate-weekly-plan``: propose the week-by-week plan, wait for approval, publish or re-plan.

The plan is stored as proposed; the run waits for a typed form under a markdown summary, then publishes
(markdown + .ics), re-plans with the notes of a change request (at most ``max_rounds``), or stops.

Ad-hoc runs pause (the process waits); runs from a deployment suspend (no process is pinned) and re-run from
the top when resumed: proposals are stored per (run id, round), decisions per (run id, round) and publishing is
idempotent, so the re-run reuses everything already done and answered pause keys return their stored input.
An approval is recorded, published and verified in one Prefect transaction (``tasks.planning.approve_and_publish``):
retried with exponential backoff, and rolled back (decision undone, previous files restored) when it keeps failing.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.planner.approval import PlanDecision, apply_change_request, summary_markdown
from careeros.planner.plan import PlanOverrides
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from flows.human import ask, from_deployment, run_input
from tasks import planning as t
from tasks.taxonomy import publish_analytics


@flow(name="recalculate-weekly-plan", log_prints=False)
@for_home
def recalculate_weekly_plan(profile_path: str | None = None, approval: bool = True, timeout: int = 86400,
                            poll_interval: int = 10, max_rounds: int = 3,
                            mode: Literal["auto", "pause", "suspend"] = "auto",
                            run_id: str | None = None, home: Any = None) -> dict[str, Any]:
    """Propose -> wait for a decision -> publish / re-plan with the notes / reject (at most ``max_rounds``)."""
    home = get_settings().home
    run_id = run_id or _run_id()
    suspend = mode == "suspend" or (mode == "auto" and from_deployment())
    profile = t.load_plan_profile(home, profile_path)
    overrides = PlanOverrides()
    out: dict[str, Any] = {"run_id": run_id, "rounds": [], "status": "proposed", "wait": "suspend" if suspend else "pause"}
    for rnd in range(max_rounds):
        plan = t.propose(home, profile, run_id, rnd, overrides, timeout)
        out.update(plan_id=plan.plan_id, version=plan.version, status="proposed")
        if not approval:
            break
        form = run_input(PlanDecision).with_initial_data(description=summary_markdown(plan, rnd, max_rounds),
                                                 weekly_hours=float(plan.inputs["weekly_hours"]))
        key = f"plan-approval-{rnd}"
        try:
            answer = ask(form, key=key, timeout=timeout, poll_interval=poll_interval, suspend=suspend)
        except FlowPauseTimeout:
            get_run_logger().warning("approval of plan v%s timed out: it stays proposed", plan.version)
            t.record(home, plan, "timed_out", "", None, run_id, rnd)
            out["status"] = "timed_out"
            break
        decided = {"round": rnd, "version": plan.version, "decision": answer.decision, "notes": answer.notes,
                   "weekly_hours": answer.weekly_hours}
        if answer.decision == "approve":
            # approval + files + check in one transaction, retried with backoff; rolled back when it keeps failing
            published = t.with_backoff(t.approve_and_publish)(home, plan, answer.notes, answer.weekly_hours, run_id,
                                                              rnd)
            out["rounds"].append(decided)
            out.update(status="approved", published=published)
            break
        t.record(home, plan, answer.decision, answer.notes, answer.weekly_hours, run_id, rnd)
        out["rounds"].append(decided)
        if answer.decision == "reject":
            out["status"] = "rejected"
            break
        out["status"] = "changes_requested"
        hours = answer.weekly_hours if answer.weekly_hours != plan.inputs["weekly_hours"] else None
        overrides = apply_change_request(overrides, answer.decision, answer.notes, hours,
                                         [(r.soc_code, r.title, r.onet_title) for r in plan.roles])
    publish_analytics(get_settings().warehouse_path, get_settings().analytics_path)
    create_markdown_artifact(markdown=_summary_md(out), key="recalculate-weekly-plan",
                             description="Weekly plan: proposal and decision")
    return out


def _summary_md(s: dict[str, Any]) -> str:
    lines = ["## Weekly plan", f"run `{s['run_id']}`: plan `{s.get('plan_id')}` v{s.get('version')} **{s['status']}**"]
    lines += [f"- round {r['round'] + 1}: v{r['version']} {r['decision']} {r['notes']!r}" for r in s["rounds"]]
    if s.get("published"):
        p = s["published"]
        lines.append(f"- published {p['markdown']} and {p['calendar']} ({p['events']} work sessions)")
    return "\n".join(lines)
