"""``complete_structured``: render a prompt, ask a model for JSON, validate, repair once, record, budget.

Order of a call: render (untrusted text quoted) -> redact when the model is remote and personal data may
not leave -> request hash -> cache -> budget check -> model (Router: retries, timeout, tier fallback) ->
validate -> one repair retry -> on any failure, or when the budget is spent, the deterministic provider
answers and the result is flagged ``degraded`` with a reason. Every request is a row in ``llm_calls``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from careeros.llm import store
from careeros.llm.models import (
    TIERS,
    CallStatus,
    NoDeterministicHandlerError,
    OutputInvalidError,
    ProviderReply,
    StructuredResult,
    T,
    Tier,
)
from careeros.llm.prompts import output_schema, render_messages, render_repair
from careeros.llm.providers import DeterministicProvider, LiteLLMProvider, Provider, ProviderRequest
from careeros.redact import redact
from careeros.settings import Settings, get_settings

log = logging.getLogger("careeros.llm")


def _strip_fences(text: str) -> str:
    s = text.strip()
    if s.startswith("```"):
        s = s.split("\n", 1)[1] if "\n" in s else ""
        if s.rstrip().endswith("```"):
            s = s.rstrip()[:-3]
    return s.strip()


def parse_output(text: str, output_model: type[T]) -> T:
    """Validate a model answer (JSON, optionally in a markdown fence) against the output model."""
    try:
        return output_model.model_validate_json(_strip_fences(text))
    except ValidationError as exc:
        raise OutputInvalidError(str(exc)) from None


def _redact_messages(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    return [{**m, "content": redact(m["content"])} for m in messages]


class LLMClient:
    """The LLM layer for one settings object: providers, budgets, cache and the call ledger."""

    def __init__(
        self,
        settings: Settings | None = None,
        provider: Provider | None = None,
        *,
        use_configured_provider: bool = True,
    ) -> None:
        self.settings = settings or get_settings()
        if provider is None and use_configured_provider:
            provider = LiteLLMProvider.from_settings(self.settings)
        self.provider = provider
        self.deterministic = DeterministicProvider()
        self.warehouse = self.settings.warehouse_path
        #: the last rendered messages as sent (tests and the security scan read it)
        self.last_messages: list[dict[str, str]] = []

    # -------------------------------------------------------------- helpers
    def _secrets(self) -> list[str]:
        out = [self.settings.llm_api_key.get_secret_value()] if self.settings.llm_api_key else []
        secrets = getattr(self.provider, "secrets", None)
        return out + (list(secrets()) if callable(secrets) else [])

    def _record(self, **kw: Any) -> str:
        return store.record_call(self.warehouse, secrets=self._secrets(), **kw)

    def _budget_reason(self, run_id: str | None, estimate: float) -> str | None:
        s = self.settings
        if run_id is not None:
            run_spent = store.spent_usd(self.warehouse, run_id=run_id)
            if run_spent + estimate > s.llm_run_budget_usd:
                return (f"LLM run budget reached: spent ${run_spent:.4f} of ${s.llm_run_budget_usd:.4f} for this run "
                        f"(next call estimated ${estimate:.4f}); answered by the deterministic provider")
        month_spent = store.spent_usd(self.warehouse, month_of=datetime.now(UTC))
        if month_spent + estimate > s.llm_month_budget_usd:
            return (f"LLM month budget reached: spent ${month_spent:.4f} of ${s.llm_month_budget_usd:.4f} this month "
                    f"(next call estimated ${estimate:.4f}); answered by the deterministic provider")
        return None

    def _degrade(
        self, req: ProviderRequest, run_id: str | None, reason: str, status: CallStatus, key: str | None,
        call_ids: list[str], cost: float,
    ) -> StructuredResult[Any]:
        """Answer with the deterministic provider; the result is flagged degraded with the reason."""
        if not self.deterministic.has(req.purpose):
            raise NoDeterministicHandlerError(
                f"{reason}. No deterministic function is registered for purpose {req.purpose!r} "
                f"(careeros.llm.register_deterministic)."
            )
        reply = self.deterministic.complete(req)
        output = parse_output(reply.text, req.output_model)
        call_ids.append(self._record(
            run_id=run_id, purpose=req.purpose, tier=req.tier, model=reply.model, provider=reply.provider,
            status=status, latency_ms=reply.latency_ms, error=reason, request_hash=key,
        ))
        log.warning("llm %s degraded to deterministic: %s", req.purpose, store.scrub(reason, self._secrets()))
        return StructuredResult(
            output=output, purpose=req.purpose, tier=req.tier, model=reply.model, provider=reply.provider,
            status=status, degraded=True, reason=reason, cost_usd=cost, call_ids=call_ids, request_hash=key,
        )

    # -------------------------------------------------------------- the call
    def complete_structured(
        self,
        purpose: str,
        tier: Tier,
        template: str,
        context: Mapping[str, Any],
        output_model: type[T],
        run_id: str | None,
        *,
        untrusted: Mapping[str, str] | None = None,
    ) -> StructuredResult[T]:
        """Render ``template``, get a JSON answer valid for ``output_model``, record the call(s)."""
        if tier not in TIERS:
            raise ValueError(f"unknown tier {tier!r}; expected one of {TIERS}")
        untrusted = dict(untrusted or {})
        messages = render_messages(template, context, output_model, untrusted, purpose=purpose)
        schema = output_schema(output_model)

        if self.provider is None:  # offline: the deterministic provider is the normal path
            req = ProviderRequest(purpose, tier, messages, output_model, context, untrusted)
            self.last_messages = messages
            offline = self.deterministic.complete(req)
            output = parse_output(offline.text, output_model)
            cid = self._record(run_id=run_id, purpose=purpose, tier=tier, model=offline.model,
                               provider=offline.provider, status="ok", latency_ms=offline.latency_ms)
            return StructuredResult(output=output, purpose=purpose, tier=tier, model=offline.model,
                                    provider=offline.provider, status="ok", call_ids=[cid])

        provider = self.provider
        remote = not provider.is_local(tier)
        if remote and not self.settings.allow_remote_personal_data:
            messages = _redact_messages(messages)
        self.last_messages = messages
        req = ProviderRequest(purpose, tier, messages, output_model, context, untrusted)
        model = provider.model_for(tier)
        key = store.request_hash(model, messages, schema)
        call_ids: list[str] = []

        # cache
        if self.settings.llm_cache_enabled:
            t0 = time.perf_counter()
            cached = store.cache_get(self.warehouse, key)
            if cached is not None:
                try:
                    hit: T | None = parse_output(cached, output_model)
                except OutputInvalidError:
                    hit = None  # the schema drifted: ask again
                if hit is not None:
                    call_ids.append(self._record(
                        run_id=run_id, purpose=purpose, tier=tier, model=model, provider=provider.name,
                        status="ok", cache_hit=True, latency_ms=(time.perf_counter() - t0) * 1000,
                        request_hash=key,
                    ))
                    return StructuredResult(output=hit, purpose=purpose, tier=tier, model=model,
                                            provider=provider.name, status="ok", cache_hit=True,
                                            call_ids=call_ids, request_hash=key)

        spent = 0.0
        pending_messages = messages
        for attempt in (0, 1):  # the first answer and exactly one repair retry
            expected = store.mean_completion_tokens(self.warehouse, purpose, model)
            estimate = provider.estimate_cost(tier, pending_messages, expected)
            reason = self._budget_reason(run_id, estimate)
            if reason:
                return self._degrade(req, run_id, reason, "budget_exceeded", key, call_ids, spent)
            t0 = time.perf_counter()
            try:
                reply: ProviderReply = provider.complete(
                    ProviderRequest(purpose, tier, pending_messages, output_model, context, untrusted))
            except Exception as exc:  # noqa: BLE001 - any model/transport failure degrades
                err = f"{type(exc).__name__}: {exc}"
                call_ids.append(self._record(
                    run_id=run_id, purpose=purpose, tier=tier, model=model, provider=provider.name,
                    status="failed", latency_ms=(time.perf_counter() - t0) * 1000, error=err, request_hash=key,
                ))
                return self._degrade(req, run_id, f"model call failed ({type(exc).__name__})", "failed", key,
                                     call_ids, spent)
            spent += reply.cost_usd
            try:
                output = parse_output(reply.text, output_model)
            except OutputInvalidError as exc:
                call_ids.append(self._record(
                    run_id=run_id, purpose=purpose, tier=tier, model=reply.model, provider=reply.provider,
                    status="failed", prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
                    cost_usd=reply.cost_usd, latency_ms=reply.latency_ms, error=f"invalid output: {exc}",
                    request_hash=key,
                ))
                if attempt == 1:
                    return self._degrade(req, run_id, "model output invalid after one repair retry", "failed",
                                         key, call_ids, spent)
                repair = render_repair(reply.text, str(exc), output_model)
                if remote and not self.settings.allow_remote_personal_data:
                    repair = redact(repair)
                pending_messages = [*messages, {"role": "user", "content": repair}]
                continue
            status: CallStatus = "repaired" if attempt == 1 else ("fallback" if reply.fallback else "ok")
            call_ids.append(self._record(
                run_id=run_id, purpose=purpose, tier=tier, model=reply.model, provider=reply.provider,
                status=status, prompt_tokens=reply.prompt_tokens, completion_tokens=reply.completion_tokens,
                cost_usd=reply.cost_usd, latency_ms=reply.latency_ms, request_hash=key,
            ))
            if self.settings.llm_cache_enabled:
                store.cache_put(self.warehouse, key, model, purpose, output.model_dump_json())
            log.info("llm %s tier=%s model=%s status=%s cost=%.6f", purpose, tier, reply.model, status,
                     reply.cost_usd)
            return StructuredResult(output=output, purpose=purpose, tier=tier, model=reply.model,
                                    provider=reply.provider, status=status, cost_usd=spent, call_ids=call_ids,
                                    request_hash=key)
        raise AssertionError("unreachable")  # pragma: no cover


_DEFAULT: tuple[int, LLMClient] | None = None
_DEFAULT_LOCK = threading.Lock()


def default_client(settings: Settings | None = None) -> LLMClient:
    """A client for the given (or current cached) settings; rebuilt when the settings object changes."""
    global _DEFAULT
    settings = settings or get_settings()
    with _DEFAULT_LOCK:
        if _DEFAULT is None or _DEFAULT[0] != id(settings):
            _DEFAULT = (id(settings), LLMClient(settings))
        return _DEFAULT[1]


def complete_structured(
    purpose: str,
    tier: Tier,
    template: str,
    context: Mapping[str, Any],
    output_model: type[T],
    run_id: str | None,
    *,
    untrusted: Mapping[str, str] | None = None,
    settings: Settings | None = None,
) -> StructuredResult[T]:
    """Module-level entry point: :meth:`LLMClient.complete_structured` on the default client."""
    return default_client(settings).complete_structured(
        purpose, tier, template, context, output_model, run_id, untrusted=untrusted
    )


def result_json(result: StructuredResult[Any]) -> str:
    """The result's output and call facts as JSON (for run artifacts)."""
    return json.dumps({"output": result.output.model_dump(mode="json"), "llm": result.artifact_note()})
