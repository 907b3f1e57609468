"""Short-term context: the agents' working notes for a run or a week, kept apart from long-term memory.

Long-term memory (LanceDB) holds the person's evidence, versioned and kept. Short-term context holds what
happened lately and matters for the next few days (decisions taken, check-ins, open escalations) in the
``context_buffer`` table, each entry with a scope (``run:<id>`` or ``week:<yyyy>-W<ww>``), a reliability and an
expiry. Expired entries are never returned and are removed by the monthly governance run.

Retrieval weighs **recency and reliability**: ``score = reliability * 0.5 ** (age_hours / half_life_hours)``.
A human decision (reliability 1.0) from yesterday outranks an automated note (0.5) from today; a week-old
check-in has half the weight of today's with the default half-life of 72 h. Ties break by newest first.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import duckdb
from pydantic import BaseModel, Field

#: Reliability of an entry by where it came from.
RELIABILITY = {"human_decision": 1.0, "checkin": 0.9, "escalation": 0.8, "automation": 0.5}
DEFAULT_TTL = timedelta(days=7)
HALF_LIFE_HOURS = 72.0


class ContextEntry(BaseModel):
    """One short-term note with its weight at retrieval time."""

    entry_id: str
    scope: str
    kind: str
    text: str
    reliability: float
    facts: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    expires_at: datetime
    score: float = 0.0


def week_scope(d: date | datetime) -> str:
    """``week:<iso year>-W<iso week>`` of a day."""
    y, w, _ = (d.date() if isinstance(d, datetime) else d).isocalendar()
    return f"week:{y}-W{w:02d}"


def run_scope(run_id: str) -> str:
    """``run:<run id>``."""
    return f"run:{run_id}"


def add(con: duckdb.DuckDBPyConnection, scope: str, kind: str, text: str, *, reliability: float | None = None,
        ttl: timedelta = DEFAULT_TTL, facts: dict[str, Any] | None = None, at: datetime | None = None,
        key: str | None = None) -> str:
    """Add (or refresh) one entry; the same scope, kind and key (default: the text) is one entry."""
    at = at or datetime.now(UTC)
    rel = reliability if reliability is not None else RELIABILITY.get(kind, 0.5)
    eid = hashlib.sha256(f"{scope}\x1f{kind}\x1f{key or text}".encode()).hexdigest()[:24]
    con.execute("INSERT INTO context_buffer VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (entry_id) DO UPDATE SET"
                " text = excluded.text, reliability = excluded.reliability, facts_json = excluded.facts_json,"
                " created_at = excluded.created_at, expires_at = excluded.expires_at",
                [eid, scope, kind, text, rel, json.dumps(facts or {}, sort_keys=True, default=str), at, at + ttl])
    return eid


def recent(con: duckdb.DuckDBPyConnection, scopes: list[str] | None = None, *, as_of: datetime | None = None,
           k: int = 10, half_life_hours: float = HALF_LIFE_HOURS) -> list[ContextEntry]:
    """The ``k`` best unexpired entries (optionally of some scopes), by recency-weighted reliability."""
    at = as_of or datetime.now(UTC)
    sql = ("SELECT entry_id, scope, kind, text, reliability, facts_json, created_at, expires_at FROM context_buffer"
           " WHERE expires_at > ? AND created_at <= ?")
    params: list[Any] = [at, at]
    if scopes:
        sql += " AND scope IN (SELECT unnest(?::VARCHAR[]))"
        params.append(scopes)
    out = []
    for eid, scope, kind, text, rel, fj, created, exp in con.execute(sql, params).fetchall():
        age_h = max(0.0, (at - created).total_seconds() / 3600)
        out.append(ContextEntry(entry_id=eid, scope=scope, kind=kind, text=text, reliability=rel,
                                facts=json.loads(fj or "{}"), created_at=created, expires_at=exp,
                                score=rel * 0.5 ** (age_h / half_life_hours)))
    out.sort(key=lambda e: (-e.score, -e.created_at.timestamp(), e.entry_id))
    return out[:k]


_PHRASES = {
    "plan.approve": "approved the plan", "plan.reject": "rejected the plan",
    "plan.request_changes": "asked for changes to the plan", "synthesis.approve": "approved the monthly re-plan",
    "synthesis.reject": "kept the plan at the monthly review", "agents.accept": "accepted the {item} output",
    "agents.reject": "rejected the {item} output", "outbox.send": "approved a message",
    "outbox.edit": "edited and approved a message", "outbox.drop": "dropped a message",
    "link_accepted": "confirmed a skill in your evidence", "link_rejected": "rejected a skill link",
    "link_edited": "corrected a skill link", "link_deferred": "put a skill link aside",
    "profile_written": "changed your profile", "profile_rollback": "rolled your profile back",
    "integration_approved": "approved publishing ({kind})", "integration_rejected": "declined publishing ({kind})",
}


def decision_phrase(action: str, item: str | None, facts: dict[str, Any]) -> str:
    """A decision-log action in plain words (unknown actions: the action name, dots as spaces)."""
    phrase = _PHRASES.get(action)
    if phrase is None:
        return action.replace(".", " ").replace("_", " ")
    who = (item or "").rsplit("/", 1)[-1].replace("_", " ") if item and "/" in item else "agent"
    return phrase.format(item=who, kind=facts.get("kind", ""))


def refresh_week(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None, days: int = 7) -> int:
    """Fill this week's scope from the warehouse: the person's decisions and check-ins of the last ``days``.

    The same decision taken several times on one day is one entry ("you confirmed a skill in your evidence
    (15 times)"). Idempotent (entries are keyed by day and wording, or by the outcome row). Returns the number
    of entries written.
    """
    at = as_of or datetime.now(UTC)
    since = at - timedelta(days=days)
    scope = week_scope(at)
    n = 0
    grouped: dict[str, tuple[datetime, int, str, str]] = {}  # key -> (latest time, count, actor, action)
    for when, actor, action, item, facts in con.execute(
            "SELECT decided_at, actor, action, item_id, facts_json FROM decision_log"
            " WHERE decided_at > ? AND decided_at <= ? AND actor <> 'automation' ORDER BY decided_at",
            [since, at]).fetchall():
        f = json.loads(facts or "{}") or {}
        note = f.get("notes") or f.get("note")
        text = f"{when:%a %d %b}: you {decision_phrase(action, item, f)}" + (f" ({note})" if note else "")
        _, count, _, _ = grouped.get(text, (when, 0, actor, action))
        grouped[text] = (when, count + 1, actor, action)
    for text, (when, count, actor, action) in grouped.items():
        add(con, scope, "human_decision", text + (f" ({count} times)" if count > 1 else ""), at=when, key=text,
            facts={"actor": actor, "action": action, "count": count}, ttl=at - when + timedelta(days=days))
        n += 1
    for eid, when, kind, task, qty, notes in con.execute(
            "SELECT event_id, occurred_at, kind, task_id, quantity, notes FROM outcome_event"
            " WHERE source IN ('checkin', 'cli') AND occurred_at > ? AND occurred_at <= ? ORDER BY occurred_at",
            [since, at]).fetchall():
        what = {"task_done": f"done: {task}", "hours": f"{qty:g} h worked" if qty is not None else "hours logged"}
        text = f"{when:%a %d %b}: " + what.get(kind, kind.replace("_", " ")) + (f" ({notes})" if notes else "")
        add(con, scope, "checkin", text, at=when, key=eid, facts={"kind": kind, "task_id": task},
            ttl=at - when + timedelta(days=days))
        n += 1
    return n
