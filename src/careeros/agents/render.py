"""Each agent's output as the text a person reads, for one profile (offline, deterministic, no side effects).

Used by review renderers (``benchmarks/render_personas.py``) and tests: gather the facts once, run an agent's
offline function on them, and render the markdown without run headers or citations.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from careeros.agents import roles
from careeros.agents.facts import Facts, gather
from careeros.agents.models import AGENT_NAMES, AgentOutput


def agent_output(name: str, facts: Facts) -> AgentOutput:
    """One agent's offline output for the gathered facts (no model, no writes)."""
    spec = roles.AGENTS[name]
    inp, untrusted = spec.build(facts)
    return spec.offline(inp, untrusted)


def output_markdown(name: str, out: AgentOutput) -> str:
    """The human text of an output (what the person is asked to read and accept)."""
    from careeros.agents.orchestrator import AgentRun, output_text

    return output_text(AgentRun(agent=name, output=out.model_dump(mode="json"), confidence=out.confidence))


def render_agent(name: str, home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Render one agent's output for ``profile`` (facts gathered from ``home`` unless given)."""
    facts = facts or gather(Path(home), profile, "render", memory=False)
    return output_markdown(name, agent_output(name, facts))


def render_strategist(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Focus, milestones and risks, as the person reads them."""
    return render_agent("strategist", home, profile, facts)


def render_curriculum(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Learning path per gap (topics, practice, checkpoint) and the plan's steps in order."""
    return render_agent("curriculum", home, profile, facts)


def render_producer(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """A brief per planned artifact."""
    return render_agent("producer", home, profile, facts)


def render_outreach(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Ranked contacts and one draft per contact."""
    return render_agent("outreach", home, profile, facts)


def render_interview_prep(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Questions for the first target role and STAR stories from the resume."""
    return render_agent("interview_prep", home, profile, facts)


def render_evidence_curator(home: Path, profile: Any, facts: Facts | None = None) -> str:
    """Proposals for the evidence review."""
    return render_agent("evidence_curator", home, profile, facts)


def render_all(home: Path, profile: Any, facts: Facts | None = None) -> dict[str, str]:
    """Every agent's text for ``profile``, keyed by agent name (facts gathered once)."""
    facts = facts or gather(Path(home), profile, "render", memory=False)
    return {name: render_agent(name, home, profile, facts) for name in AGENT_NAMES}
