"""Role agents (strategist, curriculum, producer, outreach, interview prep, evidence curator) and the orchestrator.

Agents are typed functions over facts the orchestrator gathered; each runs through the LLM layer under its
purpose (offline: a deterministic function built from the graph, the plan and memory). Only the orchestrator
writes: files, decisions and outreach drafts (drafts only; sending always needs a person).
"""

from careeros.agents.models import AGENT_NAMES, AgentOutput, Citation

__all__ = ["AGENT_NAMES", "AgentOutput", "Citation"]
