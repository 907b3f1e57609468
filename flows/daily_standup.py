"""Flow ``daily-standup`` (weekdays): today's three actions, blocked items, approvals, then an optional check-in.

The check-in is a typed form (tasks done, hours, outreach sent/replied, interviews, offers, notes) under the
standup's markdown. No answer before ``timeout`` means no check-in: the run still completes. The run pauses (the process waits,
default 4 h) so an unanswered check-in can end cleanly; ``mode="suspend"`` (or ``"auto"`` from a deployment)
frees the process instead, re-runs from the top when resumed (the standup is read-only and the check-in is keyed
by the run id: nothing is stored twice), but an expired suspension is failed by the server.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.metrics.standup import CheckIn, standup_markdown
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home, pause_flow_run, suspend_flow_run
from flows.human import from_deployment, run_input
from tasks import metrics as t
from tasks.taxonomy import publish_analytics


def _back_to_running() -> None:
    """After an expired pause the server still holds the run Paused and refuses to let it finish normally.

    An unanswered check-in is not a failure: force the run back to Running so it completes.
    """
    from prefect import get_client
    from prefect.runtime import flow_run
    from prefect.states import Running

    if flow_run.id:
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(flow_run.id, Running(), force=True)


@flow(name="daily-standup", log_prints=False)
@for_home
def daily_standup(day: str | None = None, checkin: bool = True, timeout: int = 4 * 3600, poll_interval: int = 10,
                  mode: Literal["auto", "pause", "suspend"] = "pause",
                  home: str | None = None) -> dict[str, Any]:
    """Standup -> markdown artifact -> optional check-in (typed input, times out to 'no check-in')."""
    s = get_settings()
    today = date.fromisoformat(day) if day else datetime.now(UTC).date()
    run_id = _run_id()
    standup = t.gather_standup(s.warehouse_path, today)
    md = standup_markdown(standup)
    create_markdown_artifact(markdown=md, key="daily-standup", description="Daily standup")
    out: dict[str, Any] = {"run_id": run_id, "day": today.isoformat(), "plan_id": standup.plan_id,
                           "version": standup.version, "flagged": standup.flagged,
                           "actions": [a.task_id for a in standup.actions], "blocked": [b.task_id for b in standup.blocked],
                           "checkin": "skipped", "events": 0}
    if not checkin:
        return out
    form = run_input(CheckIn).with_initial_data(description=md)
    try:
        if mode == "suspend" or (mode == "auto" and from_deployment()):
            answer = suspend_flow_run(wait_for_input=form, timeout=timeout, key="daily-checkin")
        else:
            answer = pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=poll_interval,
                                    key="daily-checkin")
    except FlowPauseTimeout:
        get_run_logger().info("no check-in today (timed out after %s s)", timeout)
        _back_to_running()
        out["checkin"] = "timed_out"
        return out
    data = answer.model_dump(include={"tasks_done", "hours", "outreach_sent", "outreach_replied", "interviews",
                                      "offers", "notes"})
    out.update(checkin="recorded", answer=data,
               events=t.record_checkin(s.warehouse_path, run_id, today, data, standup.plan_id))
    out["snapshot"] = str(publish_analytics(s.warehouse_path, s.analytics_path))
    create_markdown_artifact(markdown=md + f"\n\n**Check-in:** {out['events']} events recorded: {data}",
                             key="daily-standup", description="Daily standup with check-in")
    return out
