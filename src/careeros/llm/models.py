"""Value types of the LLM layer: tiers, call statuses, results and errors."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Tier = Literal["fast", "deep"]
CallStatus = Literal["ok", "repaired", "failed", "fallback", "budget_exceeded"]
TIERS: tuple[Tier, ...] = ("fast", "deep")

T = TypeVar("T", bound=BaseModel)


class LLMError(RuntimeError):
    """Base class of LLM-layer errors."""


class NoDeterministicHandlerError(LLMError):
    """No model is configured (or usable) and no deterministic function is registered for the purpose."""


class OutputInvalidError(LLMError):
    """A model answer was not valid JSON for the output model (carries the validation message)."""


class ProviderReply(BaseModel):
    """What one provider request returned: raw text plus usage and routing facts."""

    model_config = ConfigDict(frozen=True)

    text: str
    model: str
    provider: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    fallback: bool = False
    tier_used: str | None = None


class StructuredResult(BaseModel, Generic[T]):
    """The validated answer of :func:`complete_structured` and how it was obtained."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    output: T
    purpose: str
    tier: Tier
    model: str
    provider: str
    status: CallStatus
    cache_hit: bool = False
    degraded: bool = False
    reason: str | None = Field(default=None, description="Why the answer is degraded (for the run artifact).")
    cost_usd: float = 0.0
    call_ids: list[str] = Field(default_factory=list)
    request_hash: str | None = None

    def artifact_note(self) -> dict[str, Any]:
        """A small JSON-able summary to attach to a run artifact."""
        return {
            "purpose": self.purpose, "tier": self.tier, "model": self.model, "provider": self.provider,
            "status": self.status, "cache_hit": self.cache_hit, "degraded": self.degraded,
            "reason": self.reason, "cost_usd": round(self.cost_usd, 6),
        }
