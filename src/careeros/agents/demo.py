"""The agents step of `careeros demo`: run-agents ad hoc, answer its escalation through the real input path."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def demo_agents_step(echo: Callable[[str], None]) -> dict[str, Any]:
    """Run the run-agents flow; accept escalated outputs via resume_flow_run (as a person would); report."""
    from prefect.flow_runs import resume_flow_run

    from careeros.agents.models import AGENT_NAMES
    from careeros.cli.approvals import waiting_runs
    from careeros.demo import run_paused_flow
    from flows.run_agents import run_agents

    def answer() -> None:
        for run in waiting_runs("run-agents"):
            if run.get("pause_key") != "agents-escalation":
                continue
            # the summary table names the escalated agents (the outputs below it may hold tables of their own)
            agents = list(dict.fromkeys(
                name for line in (run.get("description") or "").splitlines() if line.startswith("| ")
                for name in [line.split("|")[1].strip()] if name in AGENT_NAMES))
            resume_flow_run(run["flow_run_id"], run_input={**{a: "accept" for a in agents},
                                                           "notes": "demo"})
            echo(f"    escalation answered for flow run {run['flow_run_id']}: accepted {', '.join(agents)}")

    out = run_paused_flow(run_agents, {"poll_interval": 1, "timeout": 600}, answer)
    for r in out["runs"]:
        echo(f"    {r['agent']:<17} {r['status']:<18} confidence {r['effective_confidence']:.2f}")
    echo(f"    outputs in {out['folder']}; {len(out['drafts'])} outreach draft(s) in the outbox (not sent)")
    return {"run_id": out["run_id"], "folder": out["folder"], "drafts": len(out["drafts"]),
            "statuses": {r["agent"]: r["status"] for r in out["runs"]}, "seconds": out["seconds"]}
