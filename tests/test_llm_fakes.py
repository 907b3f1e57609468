"""A small OpenAI-compatible chat server on 127.0.0.1 for the LLM tests (scripted per test), plus settings helpers.

Imported by the other LLM and security tests (``from test_llm_fakes import ...``).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

# litellm reads its retry back-off at import: keep retries fast in tests (set before the lazy import)
os.environ.setdefault("INITIAL_RETRY_DELAY", "0.01")
os.environ.setdefault("MAX_RETRY_DELAY", "0.05")
os.environ.setdefault("JITTER", "0")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

FAKE_KEY = "sk-test-FAKE-KEY-0123456789abcdef"
PRICES = {"fast": (1e-6, 2e-6), "deep": (2e-6, 4e-6)}  # USD per prompt / completion token
USAGE = (100, 50)  # prompt, completion tokens the fake server reports


class FakeOpenAI:
    """``POST /v1/chat/completions`` answering from a queue of scripted replies; records every request.

    A script item is ``{"content": str}``, ``{"status": 500}`` or ``{"sleep": seconds, ...}``; when the
    queue is empty the server answers ``default`` (or 500 when there is none).
    """

    def __init__(self) -> None:
        self.queue: deque[dict[str, Any]] = deque()
        self.received: list[dict[str, Any]] = []
        self.default: dict[str, Any] | None = None
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                n = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(n) or b"{}")
                with fake._lock:
                    fake.received.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    item = fake.queue.popleft() if fake.queue else (fake.default or {"status": 500})
                if item.get("sleep"):
                    time.sleep(item["sleep"])
                status = int(item.get("status", 200))
                if status != 200:
                    data = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
                else:
                    data = json.dumps({
                        "id": f"cmpl-{len(fake.received)}", "object": "chat.completion", "created": 1,
                        "model": body.get("model", "?"),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": item["content"]}}],
                        "usage": {"prompt_tokens": USAGE[0], "completion_tokens": USAGE[1],
                                  "total_tokens": sum(USAGE)},
                    }).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.api_base = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def script(self, *items: dict[str, Any]) -> None:
        """Queue replies in order."""
        self.queue.extend(items)

    def models(self) -> list[str]:
        """Model names of the received requests, in order."""
        return [r["body"].get("model") for r in self.received]

    def received_text(self) -> str:
        """Everything the server received (bodies), as one string."""
        return "\n".join(json.dumps(r["body"], ensure_ascii=False) for r in self.received)

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def running_fake() -> Iterator[FakeOpenAI]:
    """A fresh scripted server, stopped on exit (wrap it in a fixture where needed)."""
    srv = FakeOpenAI()
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture()
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh scripted server per test."""
    with running_fake() as srv:
        yield srv


def llm_settings(
    monkeypatch: pytest.MonkeyPatch, home: Path, fake: FakeOpenAI | None, **extra: object
) -> Any:
    """Settings pointing both tiers at the fake server (or no model when ``fake`` is None)."""
    from careeros.settings import Settings, get_settings

    for key in list(os.environ):
        if key.startswith("CAREEROS_"):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    if fake is not None:
        monkeypatch.setenv("CAREEROS_LLM_FAST_MODEL", "openai/fast-x")
        monkeypatch.setenv("CAREEROS_LLM_DEEP_MODEL", "openai/deep-x")
        monkeypatch.setenv("CAREEROS_LLM_API_BASE", fake.api_base)
        monkeypatch.setenv("CAREEROS_LLM_API_KEY", FAKE_KEY)
        monkeypatch.setenv("CAREEROS_LLM_TIMEOUT_SECONDS", "1.0")
        monkeypatch.setenv("CAREEROS_LLM_NUM_RETRIES", "1")
    for k, v in extra.items():
        monkeypatch.setenv(f"CAREEROS_{k.upper()}", str(v))
    get_settings.cache_clear()
    return Settings()


def make_client(settings: Any, priced: bool = True) -> Any:
    """An LLMClient on the settings, with custom per-token prices so costs are non-zero."""
    from careeros.llm import LiteLLMProvider, LLMClient

    provider = LiteLLMProvider.from_settings(settings, prices=PRICES if priced else None)
    return LLMClient(settings, provider=provider, use_configured_provider=provider is not None)


class Advice(BaseModel):
    """Output model used by the LLM tests."""

    summary: str
    actions: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)


def test_fake_server_answers_scripted_replies(fake_openai: FakeOpenAI) -> None:
    import urllib.request

    fake_openai.script({"content": '{"a": 1}'}, {"status": 500})
    req = urllib.request.Request(f"{fake_openai.api_base}/chat/completions", data=b'{"model": "m"}',
                                 headers={"Content-Type": "application/json"})
    body = json.loads(urllib.request.urlopen(req, timeout=5).read())
    assert body["choices"][0]["message"]["content"] == '{"a": 1}'
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(req, timeout=5)
    assert fake_openai.models() == ["m", "m"]
