"""Providers answer one rendered request.

:class:`LiteLLMProvider` sends it to models through litellm's Router (retries, timeouts and tier fallbacks) and :class:`DeterministicProvider` (functions registered per purpose
by the agents, used when no model is configured, the budget is spent or the model fails).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, SecretStr

from careeros.llm.models import TIERS, NoDeterministicHandlerError, ProviderReply, Tier

if TYPE_CHECKING:
    from careeros.settings import Settings

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - a host name, not a bind
LOCAL_PREFIXES = ("ollama/", "ollama_chat/")


@dataclass(frozen=True)
class ProviderRequest:
    """One structured request: the rendered messages plus the inputs a deterministic function needs."""

    purpose: str
    tier: Tier
    messages: list[dict[str, str]]
    output_model: type[BaseModel]
    context: Mapping[str, Any] = field(default_factory=dict)
    untrusted: Mapping[str, str] = field(default_factory=dict)


class Provider(Protocol):
    """Answers a request with raw text (JSON expected) and usage facts."""

    name: str

    def model_for(self, tier: Tier) -> str:
        """The model name a tier resolves to (part of the cache key)."""
        ...

    def is_local(self, tier: Tier) -> bool:
        """True when the tier's model runs on this machine (no redaction needed)."""
        ...

    def estimate_cost(self, tier: Tier, messages: list[dict[str, str]], completion_tokens: int) -> float:
        """Upper-bound-ish USD estimate of the next request (0 when unpriced)."""
        ...

    def complete(self, request: ProviderRequest) -> ProviderReply:
        """Send the request and return the reply (raises on transport/model errors)."""
        ...


# ---------------------------------------------------------------- deterministic

DeterministicFn = Callable[[Mapping[str, Any], Mapping[str, str]], BaseModel | Mapping[str, Any]]
_HANDLERS: dict[str, DeterministicFn] = {}
_LOCK = threading.Lock()


def register_deterministic(purpose: str, fn: DeterministicFn | None = None) -> Any:
    """Register the offline function answering ``purpose``: ``fn(context, untrusted) -> model | dict``.

    Usable as a decorator (``@register_deterministic("strategist")``); a later registration replaces
    an earlier one (the agents register graph/planner-backed functions at import).
    """
    def deco(f: DeterministicFn) -> DeterministicFn:
        with _LOCK:
            _HANDLERS[purpose] = f
        return f

    return deco(fn) if fn is not None else deco


def unregister_deterministic(purpose: str) -> None:
    """Remove a registered function (tests)."""
    with _LOCK:
        _HANDLERS.pop(purpose, None)


def deterministic_handler(purpose: str) -> DeterministicFn | None:
    """The registered function for a purpose, if any."""
    return _HANDLERS.get(purpose)


class DeterministicProvider:
    """Answers from the registered per-purpose function; never touches the network."""

    name = "deterministic"

    def model_for(self, tier: Tier) -> str:  # noqa: D102
        return "deterministic"

    def is_local(self, tier: Tier) -> bool:  # noqa: D102
        return True

    def estimate_cost(self, tier: Tier, messages: list[dict[str, str]], completion_tokens: int) -> float:  # noqa: D102
        return 0.0

    def has(self, purpose: str) -> bool:
        """True when a function is registered for the purpose."""
        return purpose in _HANDLERS

    def complete(self, request: ProviderRequest) -> ProviderReply:  # noqa: D102
        fn = _HANDLERS.get(request.purpose)
        if fn is None:
            raise NoDeterministicHandlerError(
                f"No model answered and no deterministic function is registered for purpose "
                f"{request.purpose!r}. Configure CAREEROS_LLM_FAST_MODEL/CAREEROS_LLM_DEEP_MODEL or register "
                f"one with careeros.llm.register_deterministic({request.purpose!r}, fn)."
            )
        t0 = time.perf_counter()
        out = fn(request.context, request.untrusted)
        text = out.model_dump_json() if isinstance(out, BaseModel) else json.dumps(dict(out), default=str)
        return ProviderReply(text=text, model="deterministic", provider=self.name,
                             latency_ms=(time.perf_counter() - t0) * 1000, tier_used=request.tier)


# ---------------------------------------------------------------- litellm


@dataclass(frozen=True)
class TierConfig:
    """One tier's model: litellm model name, endpoint, key and optional custom prices per token."""

    model: str
    api_base: str | None = None
    api_key: SecretStr | None = None
    input_cost_per_token: float | None = None
    output_cost_per_token: float | None = None
    local: bool | None = None  # None = infer from api_base / model prefix

    def is_local(self) -> bool:
        """Local when forced, or an ollama model, or an api_base on the loopback interface."""
        if self.local is not None:
            return self.local
        if self.model.startswith(LOCAL_PREFIXES):
            return True
        if self.api_base:
            host = (urlsplit(self.api_base).hostname or "").lower()
            return host in LOCAL_HOSTS or host.startswith("127.")
        return False


def _import_litellm() -> Any:
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # never fetch the price map
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    return litellm


class LiteLLMProvider:
    """Models through ``litellm.Router``: one model group per tier, retries, timeout, tier fallbacks."""

    name = "litellm"

    def __init__(
        self,
        tiers: Mapping[Tier, TierConfig],
        *,
        fallback: str = "both",
        timeout_s: float = 60.0,
        num_retries: int = 1,
    ) -> None:
        if not tiers:
            raise ValueError("LiteLLMProvider needs at least one tier")
        # a missing tier answers with the other one
        self.tiers: dict[Tier, TierConfig] = {t: tiers.get(t) or next(iter(tiers.values())) for t in TIERS}
        self.fallback, self.timeout_s, self.num_retries = fallback, timeout_s, num_retries
        self._router: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(
        cls, settings: Settings, prices: Mapping[Tier, tuple[float, float]] | None = None
    ) -> LiteLLMProvider | None:
        """The provider for the configured tiers, or None when no model is configured."""
        tiers: dict[Tier, TierConfig] = {}
        for tier, model in (("fast", settings.llm_fast_model), ("deep", settings.llm_deep_model)):
            if model:
                price = (prices or {}).get(tier)  # type: ignore[call-overload]
                tiers[tier] = TierConfig(  # type: ignore[index]
                    model=model, api_base=settings.llm_api_base, api_key=settings.llm_api_key,
                    input_cost_per_token=price[0] if price else None,
                    output_cost_per_token=price[1] if price else None,
                    local=settings.llm_model_is_local,
                )
        if not tiers:
            return None
        return cls(tiers, fallback=settings.llm_fallback, timeout_s=settings.llm_timeout_seconds,
                   num_retries=settings.llm_num_retries)

    # -- facts
    def model_for(self, tier: Tier) -> str:  # noqa: D102
        return self.tiers[tier].model

    def is_local(self, tier: Tier) -> bool:  # noqa: D102
        # a fallback may answer from the other tier, so both must be local
        return all(self.tiers[t].is_local() for t in self._chain(tier))

    def secrets(self) -> list[str]:
        """Key strings to scrub from anything stored or logged."""
        return [c.api_key.get_secret_value() for c in self.tiers.values() if c.api_key]

    def _chain(self, tier: Tier) -> list[Tier]:
        other: Tier = "deep" if tier == "fast" else "fast"
        allowed = {"both": True, "fast_to_deep": tier == "fast", "deep_to_fast": tier == "deep", "none": False}
        distinct = self.tiers[other] != self.tiers[tier]
        return [tier, other] if allowed.get(self.fallback, False) and distinct else [tier]

    def estimate_cost(self, tier: Tier, messages: list[dict[str, str]], completion_tokens: int) -> float:
        """Prompt tokens (litellm's counter) and expected completion tokens at the tier's price."""
        cfg = self.tiers[tier]
        litellm = _import_litellm()
        try:
            prompt_tokens = int(litellm.token_counter(model=cfg.model, messages=messages))
        except Exception:  # noqa: BLE001 - unknown tokenizer: a rough 4 characters per token
            prompt_tokens = sum(len(m["content"]) for m in messages) // 4
        if cfg.input_cost_per_token is not None or cfg.output_cost_per_token is not None:
            return prompt_tokens * (cfg.input_cost_per_token or 0) + completion_tokens * (cfg.output_cost_per_token or 0)
        try:
            p, c = litellm.cost_per_token(model=cfg.model, prompt_tokens=prompt_tokens,
                                          completion_tokens=completion_tokens)
            return float(p) + float(c)
        except Exception:  # noqa: BLE001 - unpriced (local or unknown) models cost nothing here
            return 0.0

    # -- routing
    def _params(self, cfg: TierConfig) -> dict[str, Any]:
        params: dict[str, Any] = {"model": cfg.model, "timeout": self.timeout_s}
        if cfg.api_base:
            params["api_base"] = cfg.api_base
        params["api_key"] = cfg.api_key.get_secret_value() if cfg.api_key else "not-needed"
        if cfg.input_cost_per_token is not None:
            params["input_cost_per_token"] = cfg.input_cost_per_token
        if cfg.output_cost_per_token is not None:
            params["output_cost_per_token"] = cfg.output_cost_per_token
        return params

    def router(self) -> Any:
        """The litellm Router (built on first use: importing litellm takes seconds)."""
        with self._lock:
            if self._router is None:
                litellm = _import_litellm()
                model_list = [{"model_name": t, "litellm_params": self._params(self.tiers[t])} for t in TIERS]
                fallbacks = [{t: self._chain(t)[1:]} for t in TIERS if len(self._chain(t)) > 1]
                self._router = litellm.Router(
                    model_list=model_list, fallbacks=fallbacks, num_retries=self.num_retries,
                    timeout=self.timeout_s, retry_after=0, disable_cooldowns=True,
                )
            return self._router

    def complete(self, request: ProviderRequest) -> ProviderReply:
        """One routed chat completion in JSON mode; usage and cost from the response."""
        router = self.router()
        t0 = time.perf_counter()
        resp = router.completion(
            model=request.tier, messages=request.messages,
            response_format={"type": "json_object"}, drop_params=True,
        )
        latency = (time.perf_counter() - t0) * 1000
        hidden = getattr(resp, "_hidden_params", {}) or {}
        headers = hidden.get("additional_headers") or {}
        group = headers.get("x-litellm-model-group") or request.tier
        fallback = bool(int(headers.get("x-litellm-attempted-fallbacks") or 0)) or group != request.tier
        usage = getattr(resp, "usage", None)
        cost = hidden.get("response_cost")
        if cost is None:
            try:
                cost = _import_litellm().completion_cost(completion_response=resp)
            except Exception:  # noqa: BLE001 - unpriced model
                cost = 0.0
        used_tier: Tier = group if group in TIERS else request.tier
        return ProviderReply(
            text=resp.choices[0].message.content or "",
            model=self.tiers[used_tier].model, provider=self.name,
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            cost_usd=float(cost or 0.0), latency_ms=latency, fallback=fallback, tier_used=used_tier,
        )
