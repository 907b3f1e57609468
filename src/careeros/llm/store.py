"""DuckDB persistence of the LLM layer: the ``llm_calls`` ledger, the ``llm_cache`` and budget sums.

Rows never hold secrets or unredacted personal data: errors pass through :func:`scrub`, the request is
stored only as a hash, and responses are cached only when redaction would not change them.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from careeros.redact import redact
from careeros.warehouse.db import connect, fetch_one


def request_hash(model: str, messages: list[dict[str, str]], schema: dict[str, Any]) -> str:
    """Hash of model + messages + output schema: the cache key (the request itself is never stored)."""
    blob = json.dumps({"model": model, "messages": messages, "schema": schema}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def scrub(text: str | None, secrets: Iterable[str] = ()) -> str | None:
    """Remove secrets and personal data from a message that will be stored or logged."""
    if text is None:
        return None
    out = str(text)
    for s in secrets:
        if s:
            out = out.replace(s, "[REDACTED]")
    return redact(out)[:2000]


def record_call(
    warehouse: Path,
    *,
    run_id: str | None,
    purpose: str,
    tier: str,
    model: str,
    provider: str,
    status: str,
    prompt_tokens: int = 0,
    completion_tokens: int = 0,
    cost_usd: float = 0.0,
    latency_ms: float = 0.0,
    cache_hit: bool = False,
    error: str | None = None,
    request_hash: str | None = None,
    secrets: Iterable[str] = (),
) -> str:
    """Append one row to ``llm_calls`` and return its call id."""
    call_id = uuid.uuid4().hex
    with connect(warehouse) as con:
        con.execute(
            "INSERT INTO llm_calls (call_id, run_id, purpose, tier, model, provider, prompt_tokens,"
            " completion_tokens, cost_usd, latency_ms, cache_hit, status, error, request_hash, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [call_id, run_id, purpose, tier, model, provider, int(prompt_tokens), int(completion_tokens),
             float(cost_usd), float(latency_ms), bool(cache_hit), status, scrub(error, secrets), request_hash,
             datetime.now(UTC)],
        )
    return call_id


def cache_get(warehouse: Path, key: str) -> str | None:
    """The cached response JSON for a request hash, if any."""
    with connect(warehouse) as con:
        row = fetch_one(con.execute("SELECT response_json FROM llm_cache WHERE request_hash = ?", [key]))
    return row[0] if row else None


def cache_put(warehouse: Path, key: str, model: str, purpose: str, response_json: str) -> bool:
    """Store a validated response; refused (False) when it contains personal data redaction would remove."""
    if redact(response_json) != response_json:
        return False
    with connect(warehouse) as con:
        con.execute(
            "INSERT INTO llm_cache (request_hash, model, purpose, response_json, created_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (request_hash) DO UPDATE SET response_json = excluded.response_json,"
            " created_at = excluded.created_at",
            [key, model, purpose, response_json, datetime.now(UTC)],
        )
    return True


def spent_usd(warehouse: Path, *, run_id: str | None = None, month_of: datetime | None = None) -> float:
    """Sum of recorded cost for one run, or for the calendar month (UTC) containing ``month_of``."""
    with connect(warehouse) as con:
        if run_id is not None:
            row = fetch_one(con.execute("SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE run_id = ?", [run_id]))
        else:
            when = (month_of or datetime.now(UTC)).astimezone(UTC)
            start = datetime(when.year, when.month, 1, tzinfo=UTC)
            end = datetime(when.year + (when.month == 12), when.month % 12 + 1, 1, tzinfo=UTC)
            row = fetch_one(con.execute(
                "SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE created_at >= ? AND created_at < ?",
                [start, end],
            ))
    return float(row[0]) if row else 0.0


def mean_completion_tokens(warehouse: Path, purpose: str, model: str, default: int = 256) -> int:
    """Average completion tokens of earlier answered calls (used to estimate the next call's cost)."""
    with connect(warehouse) as con:
        row = fetch_one(con.execute(
            "SELECT avg(completion_tokens) FROM llm_calls WHERE purpose = ? AND model = ? AND NOT cache_hit"
            " AND completion_tokens > 0",
            [purpose, model],
        ))
    return int(row[0]) if row and row[0] is not None else default


def usage_summary(warehouse: Path, run_id: str | None = None) -> dict[str, Any]:
    """Calls, cost and cache hit ratio (all runs, or one run)."""
    where, params = ("WHERE run_id = ?", [run_id]) if run_id else ("", [])
    with connect(warehouse) as con:
        row = fetch_one(con.execute(
            f"SELECT count(*), coalesce(sum(cost_usd), 0), coalesce(sum(CASE WHEN cache_hit THEN 1 ELSE 0 END), 0)"
            f" FROM llm_calls {where}", params,
        ))
    calls, cost, hits = (row or (0, 0.0, 0))
    return {"calls": int(calls), "cost_usd": float(cost), "cache_hits": int(hits),
            "cache_hit_ratio": (int(hits) / int(calls)) if calls else 0.0}
