"""One contract for every integration (calendar, portfolio site, repos, learning platforms).

An integration is a small service with four operations:

* ``preview(action)`` says what would change, touching nothing;
* ``apply(action, key)`` makes the change and returns a result carrying a **success signal** (a commit sha,
  event uids, a file hash: something the far side can be asked about later);
* ``verify(result)`` asks the far side whether the change is really there;
* ``rollback(result)`` undoes it (restores the previous commit, removes the events).

:func:`run_apply` and :func:`run_rollback` wrap them with the rules that hold for every integration:

* **idempotency**: the caller names each apply with a key (``idempotency_key(kind, payload)`` by default);
  a key already applied returns the stored result and calls nothing, so a retried or re-run flow is a no-op;
* **approval first**: an action whose ``leaves_machine`` is true runs only when the decision log holds a
  human approval of that key (:func:`record_approval`, written by the approval flow or the CLI);
* **retries**: :class:`TransientIntegrationError` is retried with exponential backoff and jitter
  (``CAREEROS_RETRY_*``); any other error is surfaced at once, recorded as a failed attempt;
* **decision log**: every apply, failure, verification and rollback is a ``decision_log`` row, and the
  ``integration_action`` table keeps the action, result and status per key (natural key, upserted).

Functions take an open DuckDB connection owned by the caller.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, runtime_checkable

import duckdb
from pydantic import BaseModel, Field

from careeros.warehouse.db import fetch_one

Status = Literal["applied", "failed", "rolled_back"]


class IntegrationError(RuntimeError):
    """An integration could not do what was asked (surfaced to the person, never swallowed)."""


class TransientIntegrationError(IntegrationError):
    """A failure worth retrying (a server not answering yet, a lock held by someone else)."""


class ApprovalRequired(IntegrationError):
    """An action that leaves the machine has no recorded human approval for its idempotency key."""


class Action(BaseModel):
    """What an integration is asked to do; ``payload`` is integration-specific and JSON-serialisable."""

    integration: str
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    leaves_machine: bool = False
    summary: str = ""


class Preview(BaseModel):
    """What ``apply`` would change, in words a person can approve."""

    action: Action
    changes: list[str] = Field(default_factory=list)
    noop: bool = False


class Result(BaseModel):
    """What ``apply`` (or ``rollback``) did; ``signal`` is the success signal that ``verify`` checks."""

    integration: str
    kind: str
    idempotency_key: str
    ok: bool
    signal: str = ""
    details: dict[str, Any] = Field(default_factory=dict)
    rollback: dict[str, Any] = Field(default_factory=dict, description="What rollback needs (previous state).")
    attempts: int = 1
    error: str | None = None
    replayed: bool = Field(default=False, description="True when the key was applied before: nothing was called.")
    at: datetime = Field(default_factory=lambda: datetime.now(UTC))


@runtime_checkable
class Integration(Protocol):
    """The contract every integration implements."""

    name: str

    def preview(self, action: Action) -> Preview:
        """What would change; touches nothing."""
        ...

    def apply(self, action: Action, idempotency_key: str) -> Result:
        """Make the change; raise :class:`TransientIntegrationError` for retryable failures."""
        ...

    def verify(self, result: Result) -> bool:
        """True when the far side shows the change described by ``result``."""
        ...

    def rollback(self, result: Result) -> Result:
        """Undo ``result``; the returned result describes the restored state."""
        ...


class RetryPolicy(BaseModel):
    """Exponential backoff with jitter for transient failures."""

    attempts: int = Field(default=3, ge=1)
    backoff_seconds: float = Field(default=2.0, ge=0)
    jitter_factor: float = Field(default=0.5, ge=0)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt ``attempt`` (1-based)."""
        base = self.backoff_seconds * (2 ** (attempt - 1))
        return base + random.uniform(0, base * self.jitter_factor)  # noqa: S311 - jitter, not security


def idempotency_key(action: Action) -> str:
    """A stable key of an action: the same integration, kind and payload give the same key."""
    body = json.dumps({"i": action.integration, "k": action.kind, "p": action.payload}, sort_keys=True, default=str)
    return f"{action.integration}:{action.kind}:" + hashlib.sha256(body.encode()).hexdigest()[:16]


def _log(con: duckdb.DuckDBPyConnection, actor: str, action: str, facts: dict[str, Any],
         run_id: str | None) -> None:
    from careeros.evidence.history import log_decision

    log_decision(con, actor, action, facts=facts, run_id=run_id)


def record_approval(con: duckdb.DuckDBPyConnection, key: str, actor: str, *, action: Action | None = None,
                    approved: bool = True, note: str = "", run_id: str | None = None) -> None:
    """Record a human decision on the action named ``key`` (what :func:`run_apply` checks before leaving)."""
    facts: dict[str, Any] = {"idempotency_key": key, "note": note}
    if action is not None:
        facts["integration"] = action.integration
        facts["kind"] = action.kind
        facts["summary"] = action.summary
    _log(con, actor, "integration_approved" if approved else "integration_rejected", facts, run_id)


def is_approved(con: duckdb.DuckDBPyConnection, key: str) -> bool:
    """True when the latest human decision on ``key`` approves it."""
    row = fetch_one(con.execute(
        "SELECT action FROM decision_log WHERE action IN ('integration_approved', 'integration_rejected')"
        " AND actor <> 'automation' AND json_extract_string(facts_json, '$.idempotency_key') = ?"
        " ORDER BY decided_at DESC LIMIT 1", [key]))
    return bool(row and row[0] == "integration_approved")


def stored(con: duckdb.DuckDBPyConnection, key: str) -> tuple[Status, Result] | None:
    """The status and last result recorded for ``key``, if any."""
    row = fetch_one(con.execute(
        "SELECT status, result_json FROM integration_action WHERE idempotency_key = ?", [key]))
    if row is None:
        return None
    return row[0], Result.model_validate_json(row[1])


def history(con: duckdb.DuckDBPyConnection, integration: str | None = None) -> list[dict[str, Any]]:
    """Every recorded action (newest first), optionally of one integration."""
    sql = ("SELECT idempotency_key, integration, kind, status, signal, summary, updated_at FROM integration_action"
           + (" WHERE integration = ?" if integration else "") + " ORDER BY updated_at DESC")
    cols = ["idempotency_key", "integration", "kind", "status", "signal", "summary", "updated_at"]
    return [dict(zip(cols, r, strict=True)) for r in con.execute(sql, [integration] if integration else []).fetchall()]


def _upsert(con: duckdb.DuckDBPyConnection, key: str, action: Action, status: Status, result: Result,
            run_id: str | None) -> None:
    con.execute(
        "INSERT INTO integration_action VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (idempotency_key) DO UPDATE SET status = excluded.status, signal = excluded.signal,"
        " result_json = excluded.result_json, run_id = excluded.run_id, updated_at = excluded.updated_at",
        [key, action.integration, action.kind, action.summary, action.model_dump_json(), status, result.signal,
         result.model_dump_json(), run_id, result.at])


def run_apply(con: duckdb.DuckDBPyConnection, integ: Integration, action: Action, key: str | None = None, *,
              retry: RetryPolicy | None = None, actor: str = "automation", run_id: str | None = None,
              sleep: Callable[[float], None] = time.sleep) -> Result:
    """Apply ``action`` through ``integ`` under the contract's rules (idempotent, approved, retried, logged)."""
    key = key or idempotency_key(action)
    prev = stored(con, key)
    if prev is not None and prev[0] == "applied":
        return prev[1].model_copy(update={"replayed": True})
    if action.leaves_machine and not is_approved(con, key):
        raise ApprovalRequired(
            f"{action.integration} {action.kind} leaves this machine and has no approval for {key}: "
            "approve it first (the approval run in the Prefect UI or `careeros approvals`).")
    retry = retry or RetryPolicy()
    last: Exception | None = None
    for attempt in range(1, retry.attempts + 1):
        try:
            result = integ.apply(action, key).model_copy(update={"attempts": attempt})
        except TransientIntegrationError as exc:
            last = exc
            if attempt < retry.attempts:
                sleep(retry.delay(attempt))
            continue
        except IntegrationError as exc:
            last = exc
            break
        if not result.ok:
            last = IntegrationError(result.error or "apply reported failure")
            break
        _upsert(con, key, action, "applied", result, run_id)
        _log(con, actor, "integration_applied", {"idempotency_key": key, "integration": action.integration,
                                                  "kind": action.kind, "signal": result.signal,
                                                  "attempts": attempt}, run_id)
        return result
    failed = Result(integration=action.integration, kind=action.kind, idempotency_key=key, ok=False,
                    attempts=attempt, error=str(last))
    _upsert(con, key, action, "failed", failed, run_id)
    _log(con, actor, "integration_failed", {"idempotency_key": key, "integration": action.integration,
                                             "kind": action.kind, "error": str(last), "attempts": attempt}, run_id)
    raise IntegrationError(f"{action.integration} {action.kind} failed after {attempt} attempt(s): {last}") from last


def run_verify(con: duckdb.DuckDBPyConnection, integ: Integration, key: str, *,
               run_id: str | None = None) -> bool:
    """Ask the far side whether the applied action ``key`` is still there; logged."""
    prev = stored(con, key)
    if prev is None or prev[0] != "applied":
        return False
    ok = bool(integ.verify(prev[1]))
    _log(con, "automation", "integration_verified" if ok else "integration_verify_failed",
         {"idempotency_key": key, "integration": prev[1].integration, "signal": prev[1].signal}, run_id)
    return ok


def run_rollback(con: duckdb.DuckDBPyConnection, integ: Integration, key: str, *, actor: str = "automation",
                 run_id: str | None = None) -> Result:
    """Undo the applied action ``key``; rolling back twice is a no-op returning the stored rollback."""
    prev = stored(con, key)
    if prev is None:
        raise IntegrationError(f"nothing recorded under {key}")
    status, result = prev
    if status == "rolled_back":
        return result.model_copy(update={"replayed": True})
    if status != "applied":
        raise IntegrationError(f"{key} is {status}; only an applied action can be rolled back")
    row = fetch_one(con.execute("SELECT action_json FROM integration_action WHERE idempotency_key = ?", [key]))
    action = Action.model_validate_json(row[0]) if row else Action(integration=result.integration, kind=result.kind)
    undone = integ.rollback(result)
    if not undone.ok:
        _log(con, actor, "integration_rollback_failed", {"idempotency_key": key, "error": undone.error}, run_id)
        raise IntegrationError(f"rollback of {key} failed: {undone.error}")
    _upsert(con, key, action, "rolled_back", undone, run_id)
    _log(con, actor, "integration_rolled_back", {"idempotency_key": key, "integration": result.integration,
                                                  "kind": result.kind, "signal": undone.signal}, run_id)
    return undone
