"""Flow ``run-agents``: the role agents as tasks, one orchestrator that merges, escalates and writes.

gather facts -> one task per agent -> escalate outputs below their policy threshold (the run pauses with a
typed accept/reject form) -> outreach drafts of an accepted output into the outbox (drafts only) -> files and
markdown artifacts -> optionally a per-message send/drop form for the drafts (a person's decision; never
automatic). Ad-hoc runs pause; nothing here suspends, so no deployment is needed to answer.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.agents.orchestrator import (
    AgentsReport,
    agent_markdown,
    agent_names,
    escalation_form,
    escalation_markdown,
    outreach_form,
    outreach_markdown,
    summary_markdown,
)
from careeros.redact import redact
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from flows.human import ask, run_input
from tasks import agents as t
from tasks.taxonomy import publish_analytics


@flow(name="run-agents", log_prints=False)
@for_home
def run_agents(profile_path: str | None = None, agents: list[str] | None = None, escalate: bool = True,
               timeout: int = 3600, poll_interval: int = 10, thresholds: dict[str, float] | None = None,
               outreach_review: bool = False, run_id: str | None = None,
               home: Any = None) -> dict[str, Any]:
    """Run the agents, escalate low confidence to a person, queue outreach drafts, store the outputs."""
    t0 = time.perf_counter()
    home = get_settings().home
    run_id = run_id or _run_id()
    started = datetime.now(UTC)
    names = agent_names(agents)
    profile = t.load_agents_profile(home, profile_path)
    facts = t.gather_facts(home, profile, run_id, memory=any(a in names for a in ("interview_prep", "outreach")))
    runs = [t.run_agent.with_options(name=f"agent-{n}")(n, facts, run_id, home, thresholds) for n in names]
    agents_s = sum(r.seconds for r in runs)
    escalated = [r for r in runs if r.escalated]
    if escalated and escalate:
        form = run_input(escalation_form(escalated), name="AgentsEscalation").with_initial_data(
            description=redact(escalation_markdown(escalated, run_id)))
        try:
            answer = ask(form, key="agents-escalation", timeout=timeout, poll_interval=poll_interval)
            runs = t.record_decisions(home, run_id, runs, answer.model_dump())
        except FlowPauseTimeout:
            get_run_logger().warning("escalation timed out: %d output(s) stay unapplied", len(escalated))
    drafts = t.queue_outreach(run_id, runs, facts.contacts)
    report = AgentsReport(run_id=run_id, started_at=started, plan=f"{facts.plan.plan_id}@v{facts.plan.version}",
                          runs=runs, drafts=drafts, seconds=round(time.perf_counter() - t0, 3),
                          agents_seconds=round(agents_s, 3))
    report.folder = t.store_outputs(home, report)
    # artifacts and form descriptions live on the Prefect server: contacts' addresses and phone numbers are
    # redacted there (the .md/.json files under agents/ and the outbox keep them for the person)
    for r in runs:
        create_markdown_artifact(markdown=redact(agent_markdown(r, run_id)), key=f"agent-{r.agent.replace('_', '-')}",
                                 description=f"{r.agent} output ({r.status})")
    create_markdown_artifact(markdown=redact(summary_markdown(report)), key="run-agents",
                             description="Agents run summary")
    out = report.model_dump(mode="json")
    if outreach_review and drafts:
        form = run_input(outreach_form(drafts), name="OutreachReview").with_initial_data(
            description=redact(outreach_markdown(drafts)))
        try:
            answer = ask(form, key="agents-outreach-review", timeout=timeout, poll_interval=poll_interval)
            out["outreach_review"] = t.apply_outreach_review(answer.model_dump())
        except FlowPauseTimeout:
            out["outreach_review"] = "timed out: drafts stay in the outbox"
    publish_analytics(get_settings().warehouse_path, get_settings().analytics_path)
    return out
