"""Redaction of personal data before remote calls and in logs."""

from __future__ import annotations

import logging

import pytest

from careeros.redact import RedactingFilter, redact


@pytest.mark.parametrize(("text", "gone", "mark"), [
    ("mail jordan.reyes@example.com now", "jordan.reyes@example.com", "[EMAIL]"),
    ("call +351 912 345 678 today", "912 345 678", "[PHONE]"),
    ("call (415) 555-0132", "555-0132", "[PHONE]"),
    ("call 415.555.0132", "415.555.0132", "[PHONE]"),
    ("at 221B Baker Street, London", "Baker Street", "[ADDRESS]"),
    ("at 1600 Pennsylvania Ave NW", "Pennsylvania", "[ADDRESS]"),
    ("Rua Augusta 274, Lisboa", "Augusta 274", "[ADDRESS]"),
    ("Hauptstraße 5, Berlin", "Hauptstraße 5", "[ADDRESS]"),
    ("https://api.example.com/v1?token=abc123&page=2", "abc123", "token=[REDACTED]"),
    ("https://h.io/x?api_key=zzz", "zzz", "[REDACTED]"),
    ("https://bob:hunter2@git.example.com/repo.git", "hunter2", "[REDACTED]@git.example.com"),
    ("https://h.io/reset/AbCdEf0123456789AbCdEf0123", "AbCdEf0123456789AbCdEf0123", "[REDACTED]"),
])
def test_redacts(text: str, gone: str, mark: str) -> None:
    out = redact(text)
    assert gone not in out and mark in out, out


@pytest.mark.parametrize("text", [
    "Worked 2018 - 2021 on Python 3.11", "40 million events per day, p95 7 ms", "Issued: 2025-06-14",
    "https://github.com/jreyes-example", "version 1.2.3 of polars",
])
def test_keeps_harmless_text(text: str) -> None:
    assert redact(text) == text


def test_logging_filter_redacts(caplog: pytest.LogCaptureFixture) -> None:
    log = logging.getLogger("careeros.test.redact")
    log.addFilter(RedactingFilter())
    with caplog.at_level(logging.INFO, logger="careeros.test.redact"):
        log.info("reading %s for %s", "/home/x/resume.md", "jordan@example.com")
    assert "jordan@example.com" not in caplog.text and "[EMAIL]" in caplog.text


def test_remote_embedder_refuses_personal_data_without_permission() -> None:
    from careeros.memory.embedders import LiteLLMEmbedder, RemoteDataRefused

    with pytest.raises(RemoteDataRefused):
        LiteLLMEmbedder("openai/text-embedding-3-small", 1536, allow_personal_data=False)
    e = LiteLLMEmbedder("openai/text-embedding-3-small", 1536, allow_personal_data=True)
    assert e.name.startswith("litellm-")  # constructed only; no network call here
