"""Prefect tasks for the role agents (near one-liners over careeros.agents)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.agents import orchestrator as o
from careeros.agents.facts import Facts, gather
from careeros.agents.models import ContactFact
from careeros.profile import Profile, load_profile


@task(name="load-agents-profile", cache_policy=NO_CACHE)
def load_agents_profile(home: Path, profile_path: str | None) -> Profile:
    """The given profile, else $CAREEROS_HOME/profile.toml, else the sample operator."""
    from careeros.planner.approval import default_profile_path

    return load_profile(Path(profile_path) if profile_path else default_profile_path(home))


@task(name="gather-agent-facts", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def gather_facts(home: Path, profile: Profile, run_id: str, memory: bool = True) -> Facts:
    """One read of plan, gaps, tasks, postings, contacts, pending links and memory."""
    return gather(home, profile, run_id, memory=memory)


@task(name="run-agent", cache_policy=NO_CACHE)
def run_agent(name: str, facts: Facts, run_id: str, home: Path,
              thresholds: Mapping[str, float] | None = None) -> o.AgentRun:
    """One agent through the LLM layer (offline: its deterministic function), citations checked."""
    return o.run_agent(name, facts, run_id, home, thresholds)


@task(name="record-agent-decisions", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def record_decisions(home: Path, run_id: str, runs: list[o.AgentRun], answer: dict[str, Any] | None) -> list[o.AgentRun]:
    """A person's accept/reject per escalated output (decision_log; idempotent per run and agent)."""
    return o.apply_decisions(home, run_id, runs, answer)


@task(name="queue-outreach-drafts", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def queue_outreach(run_id: str, runs: list[o.AgentRun], contacts: list[ContactFact]) -> list[str]:
    """Drafts of an applied outreach output into the outbox, as drafts (idempotent by message id)."""
    return o.queue_outreach(run_id, runs, contacts)


@task(name="store-agent-outputs", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE)
def store_outputs(home: Path, report: o.AgentsReport) -> str:
    """Markdown + JSON per agent under $CAREEROS_HOME/agents/<run_id>/."""
    return str(o.write_outputs(home, report))


@task(name="apply-outreach-review", retries=1, retry_delay_seconds=1, cache_policy=NO_CACHE)
def apply_outreach_review(answer: dict[str, Any]) -> dict[str, str]:
    """A person's send/drop per message from the flow form (sending only what they chose)."""
    return o.apply_outreach_review(answer)
