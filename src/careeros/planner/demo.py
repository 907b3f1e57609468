"""The planning step of `careeros demo`: propose, wait for approval, answer it through the real input path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def demo_plan_step(echo: Callable[[str], None]) -> dict[str, Any]:
    """Run recalculate-weekly-plan ad hoc (pause), approve it via resume_flow_run, return what was published."""
    from careeros.cli.approvals import resume, waiting_runs
    from careeros.demo import run_paused_flow
    from flows.recalculate_weekly_plan import recalculate_weekly_plan

    def approve_waiting() -> None:
        for run in waiting_runs("recalculate-weekly-plan"):
            resume(run["flow_run_id"], "approve", notes="approved by the demo operator")
            echo(f"    plan approved for flow run {run['flow_run_id']}")

    out = run_paused_flow(recalculate_weekly_plan, {"poll_interval": 1, "timeout": 600, "mode": "pause"},
                          approve_waiting)
    pub = out.get("published") or {}
    if pub:
        echo(f"    published {pub.get('markdown')} and {pub.get('calendar')} ({pub.get('events')} work sessions)")
    return {"status": out.get("status"), "plan_id": out.get("plan_id"), "version": out.get("version"),
            "published": pub}
