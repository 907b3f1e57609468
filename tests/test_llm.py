"""The LLM layer against a real OpenAI-compatible HTTP server on 127.0.0.1 (litellm Router, DuckDB ledger)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_llm_fakes import PRICES, USAGE, Advice, FakeOpenAI, llm_settings, make_client, running_fake

from careeros.llm import (
    NoDeterministicHandlerError,
    TierConfig,
    register_deterministic,
    unregister_deterministic,
    usage_summary,
)
from careeros.warehouse.db import read_frame


@pytest.fixture()
def fake_openai() -> Iterator[FakeOpenAI]:
    with running_fake() as srv:
        yield srv

GOOD = json.dumps({"summary": "focus on SQL", "actions": ["practice joins"], "confidence": 0.7})
CTX = {"goal": "data engineer in 3 months", "weekly_hours": 8}
CALL_COST = {t: USAGE[0] * p + USAGE[1] * c for t, (p, c) in PRICES.items()}


def _calls(settings) -> list[dict]:
    return read_frame(settings.warehouse_path, "SELECT * FROM llm_calls ORDER BY created_at").to_dicts()


def _ask(client, run_id: str = "run-1", ctx: dict | None = None, tier: str = "fast", **kw):
    return client.complete_structured("strategist", tier, "strategist.md.j2", ctx or CTX, Advice, run_id, **kw)


@pytest.fixture()
def deterministic_strategist():
    register_deterministic("strategist", lambda ctx, untrusted: Advice(summary="offline plan", confidence=0.4))
    yield
    unregister_deterministic("strategist")


def test_valid_json_is_validated_and_recorded(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai)
    fake_openai.script({"content": GOOD})
    res = _ask(make_client(s))
    assert res.output.summary == "focus on SQL" and res.status == "ok" and not res.degraded
    body = fake_openai.received[0]["body"]
    assert body["model"] == "fast-x" and body["response_format"] == {"type": "json_object"}
    assert '"confidence"' in body["messages"][1]["content"]  # the schema is in the prompt
    [row] = _calls(s)
    assert row["status"] == "ok" and row["model"] == "openai/fast-x" and row["provider"] == "litellm"
    assert (row["prompt_tokens"], row["completion_tokens"]) == USAGE
    assert row["cost_usd"] == pytest.approx(CALL_COST["fast"])
    assert row["run_id"] == "run-1" and row["request_hash"] == res.request_hash and not row["cache_hit"]


def test_malformed_json_is_repaired_once(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai)
    fake_openai.script({"content": '{"summary": "oops", "confidence": '}, {"content": "```json\n" + GOOD + "\n```"})
    res = _ask(make_client(s))
    assert res.status == "repaired" and res.output.confidence == 0.7
    assert len(fake_openai.received) == 2
    repair_prompt = fake_openai.received[1]["body"]["messages"][-1]["content"]
    assert "previous_answer" in repair_prompt and "<<<BEGIN UNTRUSTED DATA" in repair_prompt
    assert [r["status"] for r in _calls(s)] == ["failed", "repaired"]
    assert res.cost_usd == pytest.approx(2 * CALL_COST["fast"])


def test_invalid_after_repair_degrades(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch,
                                       deterministic_strategist) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai)
    fake_openai.script({"content": '{"summary": "x", "confidence": 7}'}, {"content": "not json"})
    res = _ask(make_client(s))
    assert res.degraded and res.output.summary == "offline plan" and "repair" in (res.reason or "")
    assert len(fake_openai.received) == 2  # exactly one repair retry
    assert [r["status"] for r in _calls(s)] == ["failed", "failed", "failed"]
    assert _calls(s)[-1]["provider"] == "deterministic"


def test_timeout_then_retry_succeeds(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai, llm_timeout_seconds=0.5)
    fake_openai.script({"sleep": 1.5, "content": GOOD}, {"content": GOOD})
    res = _ask(make_client(s))
    assert res.status == "ok" and not res.degraded
    assert fake_openai.models() == ["fast-x", "fast-x"]


@pytest.mark.parametrize("failure", [{"status": 500}, {"sleep": 1.2, "content": GOOD}], ids=["500", "timeout"])
def test_fallback_to_next_tier(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch, failure) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai, llm_timeout_seconds=0.5)
    fake_openai.script(failure, failure, {"content": GOOD})  # first try + 1 retry on fast, then deep
    res = _ask(make_client(s))
    assert fake_openai.models() == ["fast-x", "fast-x", "deep-x"]
    assert res.status == "fallback" and res.model == "openai/deep-x"
    [row] = _calls(s)
    assert row["status"] == "fallback" and row["cost_usd"] == pytest.approx(CALL_COST["deep"])


def test_no_fallback_when_configured_off(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch,
                                         deterministic_strategist) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai, llm_fallback="deep_to_fast", llm_num_retries=0)
    fake_openai.default = {"status": 500}
    res = _ask(make_client(s), tier="fast")
    assert fake_openai.models() == ["fast-x"]
    assert res.degraded and "model call failed" in (res.reason or "")
    statuses = [r["status"] for r in _calls(s)]
    assert statuses == ["failed", "failed"]


def test_budget_exhaustion_degrades_and_costs_stay_under_cap(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch, deterministic_strategist
) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai, llm_run_budget_usd=0.002,
                     llm_month_budget_usd=0.0024, llm_cache_enabled="false")
    fake_openai.default = {"content": GOOD}
    client = make_client(s)
    results = [_ask(client, "run-A", {**CTX, "i": i}) for i in range(8)]
    degraded = [r for r in results if r.degraded]
    answered = [r for r in results if not r.degraded]
    assert answered and degraded and results.index(degraded[0]) == len(answered)  # once spent, stays spent
    assert "run budget" in (degraded[0].reason or "") and degraded[0].output.summary == "offline plan"
    assert len(fake_openai.received) == len(answered)
    spent = usage_summary(s.warehouse_path, "run-A")["cost_usd"]
    assert 0 < spent <= s.llm_run_budget_usd
    assert spent == pytest.approx(len(answered) * CALL_COST["fast"])
    assert {r["status"] for r in _calls(s) if r["provider"] == "deterministic"} == {"budget_exceeded"}
    # a new run still meets the month cap
    more = [_ask(client, "run-B", {**CTX, "j": j}) for j in range(6)]
    assert any(r.degraded and "month budget" in (r.reason or "") for r in more)
    assert usage_summary(s.warehouse_path)["cost_usd"] <= s.llm_month_budget_usd
    print("\nFIGURES budget:", usage_summary(s.warehouse_path), "answered run-A:", len(answered))


def test_cache_hit_skips_the_server(fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai)
    fake_openai.script({"content": GOOD})
    client = make_client(s)
    first, second = _ask(client), _ask(client, "run-2")
    assert len(fake_openai.received) == 1
    assert not first.cache_hit and second.cache_hit and second.output == first.output
    rows = _calls(s)
    assert [r["cache_hit"] for r in rows] == [False, True] and rows[1]["cost_usd"] == 0
    assert rows[0]["request_hash"] == rows[1]["request_hash"]
    cache = read_frame(s.warehouse_path, "SELECT * FROM llm_cache").to_dicts()
    assert len(cache) == 1 and json.loads(cache[0]["response_json"])["summary"] == "focus on SQL"
    summary = usage_summary(s.warehouse_path)
    assert summary["cache_hit_ratio"] == 0.5
    print("\nFIGURES cache:", summary)


def test_no_model_configured_uses_registered_function(tmp_path: Path, monkeypatch) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", None)
    client = make_client(s)
    assert client.provider is None
    with pytest.raises(NoDeterministicHandlerError, match="register_deterministic"):
        _ask(client)
    register_deterministic("strategist", lambda ctx, u: {"summary": f"goal: {ctx['goal']}", "confidence": 0.5})
    try:
        res = _ask(client)
    finally:
        unregister_deterministic("strategist")
    assert res.provider == "deterministic" and res.output.summary.startswith("goal:") and not res.degraded
    [row] = _calls(s)
    assert row["provider"] == "deterministic" and row["cost_usd"] == 0 and row["status"] == "ok"


def test_module_level_entry_point_uses_settings(tmp_path: Path, monkeypatch) -> None:
    from careeros.llm import complete_structured

    llm_settings(monkeypatch, tmp_path / "home", None)
    register_deterministic("curriculum", lambda ctx, u: Advice(summary="weeks", confidence=0.6))
    try:
        res = complete_structured("curriculum", "deep", "curriculum.md.j2", {"gaps": ["sql"]}, Advice, "r")
    finally:
        unregister_deterministic("curriculum")
    assert res.output.summary == "weeks" and res.tier == "deep"


@pytest.mark.parametrize(("cfg", "local"), [
    (TierConfig("ollama/llama3.2"), True),
    (TierConfig("openai/x", api_base="http://127.0.0.1:8000/v1"), True),
    (TierConfig("openai/x", api_base="http://localhost:11434"), True),
    (TierConfig("openai/gpt-4o-mini"), False),
    (TierConfig("openai/x", api_base="https://api.example.com/v1"), False),
    (TierConfig("openai/x", api_base="http://127.0.0.1:8000/v1", local=False), False),
    (TierConfig("openai/gpt-4o-mini", local=True), True),
])
def test_local_model_detection(cfg: TierConfig, local: bool) -> None:
    assert cfg.is_local() is local
