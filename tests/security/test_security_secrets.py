"""Redaction before remote calls and a secret scan: the API key never lands in tables, logs, prompts or files."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_llm_fakes import FAKE_KEY, Advice, FakeOpenAI, llm_settings, make_client, running_fake

from careeros.llm import register_deterministic, unregister_deterministic
from careeros.warehouse.db import read_frame

pytestmark = pytest.mark.security


@pytest.fixture()
def fake_openai() -> Iterator[FakeOpenAI]:
    with running_fake() as srv:
        yield srv

EMAIL, PHONE = "jane.doe@example.com", "+1 415 555 0134"
RESUME = f"Jane Doe, data engineer. Contact: {EMAIL}, phone {PHONE}. 221B Baker Street, London."
GOOD = json.dumps({"summary": "ok", "confidence": 0.5})


def _ask(client, ctx=None, untrusted=None, run_id="r"):
    return client.complete_structured("evidence_curator", "fast", "evidence_curator.md.j2",
                                      ctx or {"owner_email": EMAIL}, Advice, run_id,
                                      untrusted=untrusted or {"resume": RESUME})


@pytest.mark.parametrize(("extra", "redacted"), [
    ({"llm_model_is_local": "false"}, True),                                        # remote model
    ({"llm_model_is_local": "false", "allow_remote_personal_data": "true"}, False),  # user allowed it
    ({}, False),                                                                   # 127.0.0.1 counts as local
])
def test_personal_data_is_redacted_before_remote_calls(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch, extra: dict, redacted: bool
) -> None:
    s = llm_settings(monkeypatch, tmp_path / "home", fake_openai, **extra)
    fake_openai.script({"content": '{"summary": "bad"'}, {"content": GOOD})  # the repair message too
    res = _ask(make_client(s))
    assert res.status == "repaired" and len(fake_openai.received) == 2
    seen = fake_openai.received_text()
    for needle in (EMAIL, "415 555 0134", "Baker Street"):
        assert (needle not in seen) is redacted, needle
    if redacted:
        assert "[EMAIL]" in seen and "[PHONE]" in seen


def test_api_key_never_stored_logged_rendered_or_written(
    fake_openai: FakeOpenAI, tmp_path: Path, monkeypatch, caplog, capsys
) -> None:
    caplog.set_level(logging.DEBUG)
    home = tmp_path / "home"
    s = llm_settings(monkeypatch, home, fake_openai, llm_model_is_local="false", llm_num_retries=0,
                     llm_fallback="none")
    register_deterministic("evidence_curator", lambda ctx, u: Advice(summary="offline", confidence=0.1))
    try:
        client = make_client(s)
        prompts: list[str] = []
        fake_openai.script({"content": GOOD})                               # ok (cached afterwards)
        _ask(client, run_id="r1")
        prompts.append(json.dumps(client.last_messages))
        _ask(client, run_id="r2")                                           # cache hit
        fake_openai.script({"content": "nope"}, {"content": GOOD})          # repaired
        _ask(client, {"owner_email": EMAIL, "n": 2}, run_id="r3")
        prompts.append(json.dumps(client.last_messages))
        fake_openai.script({"status": 500})                                 # failed -> degraded, error recorded
        res = _ask(client, {"owner_email": EMAIL, "n": 3}, run_id="r4")
        prompts.append(json.dumps(client.last_messages))
        assert res.degraded
    finally:
        unregister_deterministic("evidence_curator")

    # the key did reach the server, as an auth header only
    assert any(FAKE_KEY in json.dumps(r["headers"]) for r in fake_openai.received)
    assert FAKE_KEY not in fake_openai.received_text()
    calls = read_frame(s.warehouse_path, "SELECT * FROM llm_calls")
    cache = read_frame(s.warehouse_path, "SELECT * FROM llm_cache")
    assert calls.height == 6 and cache.height >= 1
    for frame in (calls, cache):
        dumped = json.dumps(frame.to_dicts(), default=str)
        assert FAKE_KEY not in dumped and EMAIL not in dumped and "415 555" not in dumped
    assert FAKE_KEY not in caplog.text and EMAIL not in caplog.text
    out = capsys.readouterr()
    assert FAKE_KEY not in out.out + out.err
    assert all(FAKE_KEY not in p for p in prompts)
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files
    for f in files:
        assert FAKE_KEY.encode() not in f.read_bytes(), f
