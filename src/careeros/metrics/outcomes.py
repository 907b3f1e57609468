"""Outcome capture: what actually happened (tasks done, hours, outreach, interviews, offers), one row per event.

Every event has an idempotent ``event_id`` = hash of (kind, source, natural key): re-importing the outbox, re-publishing
a plan or repeating a CLI command on the same day stores nothing new. Builders are pure (they return Polars frames);
:func:`record_events` and the ``import_*`` helpers take an open warehouse connection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import polars as pl

Kind = Literal["task_done", "hours", "outreach_sent", "outreach_replied", "interview", "offer", "rejection", "note",
               "session_planned"]
Source = Literal["checkin", "cli", "outbox", "calendar"]
KINDS: tuple[str, ...] = ("task_done", "hours", "outreach_sent", "outreach_replied", "interview", "offer",
                          "rejection", "note", "session_planned")
SOURCES: tuple[str, ...] = ("checkin", "cli", "outbox", "calendar", "learning")
#: Reply kinds (``outbox_replies.kind``) that count as a human reply; auto replies and bounces do not.
HUMAN_REPLIES = frozenset({"positive", "neutral", "negative", "interview", "rejection"})

SCHEMA: dict[str, Any] = {
    "event_id": pl.String, "occurred_at": pl.Datetime("us", "UTC"), "kind": pl.String, "plan_id": pl.String,
    "task_id": pl.String, "quantity": pl.Float64, "notes": pl.String, "source": pl.String,
    "recorded_at": pl.Datetime("us", "UTC"),
}
COLUMNS = tuple(SCHEMA)


def event_id(kind: str, source: str, key: str) -> str:
    """Idempotency key of an event: hash of kind, source and its natural key."""
    return hashlib.sha256(f"{kind}\x1f{source}\x1f{key}".encode()).hexdigest()[:32]


def _utc(at: datetime | date) -> datetime:
    if not isinstance(at, datetime):
        at = datetime.combine(at, time(12, 0))
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def empty_events() -> pl.DataFrame:
    """An empty events frame with the table's schema."""
    return pl.DataFrame(schema=SCHEMA)


def make_event(kind: str, occurred_at: datetime | date, source: str = "cli", key: str | None = None,
               plan_id: str | None = None, task_id: str | None = None, quantity: float | None = None,
               notes: str | None = None, recorded_at: datetime | None = None) -> dict[str, Any]:
    """One validated event row; the default natural key is (day, plan, task, quantity, notes)."""
    if kind not in KINDS:
        raise ValueError(f"unknown outcome kind {kind!r} (one of {', '.join(KINDS)})")
    if source not in SOURCES:
        raise ValueError(f"unknown outcome source {source!r} (one of {', '.join(SOURCES)})")
    if quantity is not None and quantity < 0:
        raise ValueError("quantity must be >= 0")
    at = _utc(occurred_at)
    if key is None:
        key = json.dumps([at.date().isoformat(), plan_id, task_id, quantity, notes])
    return {"event_id": event_id(kind, source, key), "occurred_at": at, "kind": kind, "plan_id": plan_id,
            "task_id": task_id, "quantity": None if quantity is None else float(quantity), "notes": notes,
            "source": source, "recorded_at": _utc(recorded_at or datetime.now(UTC))}


def events_frame(rows: Iterable[dict[str, Any]]) -> pl.DataFrame:
    """Event rows -> frame with the table schema (duplicates by event_id dropped, first kept)."""
    rows = list(rows)
    if not rows:
        return empty_events()
    return pl.DataFrame(rows, schema=SCHEMA).unique("event_id", keep="first", maintain_order=True)


# ------------------------------------------------------------------------------------------ importers (pure)


def from_outbox(outbox: pl.DataFrame, replies: pl.DataFrame, recorded_at: datetime | None = None) -> pl.DataFrame:
    """Outbox rows (message_id, status, sent_at) and replies (message_id, received_at, kind) -> events.

    A sent message -> ``outreach_sent``; a human reply -> ``outreach_replied`` (first reply per message only);
    reply kinds ``interview``/``rejection`` also -> ``interview``/``rejection``. Keys are message ids.
    """
    rows: list[dict[str, Any]] = []
    if outbox.height:
        for r in outbox.filter((pl.col("status") == "sent") & pl.col("sent_at").is_not_null()).iter_rows(named=True):
            rows.append(make_event("outreach_sent", r["sent_at"], "outbox", key=r["message_id"], quantity=1.0,
                                   notes=f"message {r['message_id']}", recorded_at=recorded_at))
    if replies.height:
        human = replies.filter(pl.col("kind").is_in(list(HUMAN_REPLIES))).sort("received_at")
        first = human.unique("message_id", keep="first", maintain_order=True)
        for r in first.iter_rows(named=True):
            rows.append(make_event("outreach_replied", r["received_at"], "outbox", key=r["message_id"], quantity=1.0,
                                   notes=f"{r['kind']} reply to {r['message_id']}", recorded_at=recorded_at))
        for kind in ("interview", "rejection"):
            for r in human.filter(pl.col("kind") == kind).unique("message_id", keep="first",
                                                                  maintain_order=True).iter_rows(named=True):
                rows.append(make_event(kind, r["received_at"], "outbox", key=r["message_id"], quantity=1.0,
                                       notes=f"reply to {r['message_id']}", recorded_at=recorded_at))
    return events_frame(rows)


def from_sessions(plan_id: str, version: int | None, sessions: Sequence[dict[str, Any]],
                  recorded_at: datetime | None = None) -> pl.DataFrame:
    """Published work sessions (``careeros.planner.publish.sessions``) -> ``session_planned`` events.

    The key is the calendar UID plus the plan version, so re-publishing the same version adds nothing, and a new
    version's sessions never collide with (and move) an older version's past sessions; quantity is the session's
    hours. :func:`import_plan_sessions` drops the superseded version's sessions from the new version's start.
    """
    rows = [make_event("session_planned", s["start"], "calendar", key=f"{s['uid']}|v{version}", plan_id=plan_id,
                       task_id=s["task_id"], quantity=round(s["minutes"] / 60, 4),
                       notes=f"v{version} week {s['week']}: {s['title']}", recorded_at=recorded_at)
            for s in sessions]
    return events_frame(rows)


def from_checkin(run_id: str, day: date, done: Sequence[str] = (), hours: float | None = None,
                 outcomes: dict[str, int] | None = None, plan_id: str | None = None,
                 notes: str | None = None) -> pl.DataFrame:
    """A daily check-in (tasks done, hours, outcome counts) -> events keyed by the check-in run id."""
    rows = [make_event("task_done", day, "checkin", key=f"{plan_id}|{t}", plan_id=plan_id, task_id=t)
            for t in done]
    if hours:
        rows.append(make_event("hours", day, "checkin", key=f"{run_id}|hours", plan_id=plan_id, quantity=hours,
                               notes=notes))
    for kind, n in (outcomes or {}).items():
        if n:
            rows.append(make_event(kind, day, "checkin", key=f"{run_id}|{kind}", plan_id=plan_id, quantity=float(n)))
    return events_frame(rows)


# ------------------------------------------------------------------------------------------ storage


def record_events(con: Any, events: pl.DataFrame) -> int:
    """Insert events, skipping ids already stored (idempotent). Returns how many rows are new."""
    if events.height == 0:
        return 0
    frame = events.select(COLUMNS)  # noqa: F841 - read by name by DuckDB
    before = con.execute("SELECT count(*) FROM outcome_event").fetchall()[0][0]
    con.execute(f"INSERT INTO outcome_event ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM frame "
                "ON CONFLICT DO NOTHING")
    after = con.execute("SELECT count(*) FROM outcome_event").fetchall()[0][0]
    return int(after - before)


def read_events(con: Any) -> pl.DataFrame:
    """All stored events (empty frame with the schema when none)."""
    df = con.sql(f"SELECT {', '.join(COLUMNS)} FROM outcome_event ORDER BY occurred_at, event_id").pl()
    return df.cast({"occurred_at": SCHEMA["occurred_at"], "recorded_at": SCHEMA["recorded_at"]}) if df.height \
        else empty_events()


def import_outbox(con: Any) -> int:
    """Import sent outbox messages and their replies as outcome events; returns new rows."""
    outbox = con.sql("SELECT message_id, status, sent_at FROM outbox").pl()
    replies = con.sql("SELECT message_id, received_at, kind FROM outbox_replies").pl()
    return record_events(con, from_outbox(outbox, replies))


def import_plan_sessions(con: Any, plan: Any) -> int:
    """Import an approved plan version's work sessions as ``session_planned`` events; returns new rows.

    The approved version owns the days from its first session on: planned sessions of other versions (or plans)
    on those days are deleted first, so planned hours never mix versions after a re-plan. Sessions before it
    stay: they are what was planned then. (These rows are derived from ``plan_version``, which keeps every
    version, so nothing is lost.)
    """
    from careeros.planner.publish import sessions

    frame = from_sessions(plan.plan_id, plan.version, sessions(plan))
    if frame.height == 0:
        return 0
    ids = frame.select("event_id")  # noqa: F841 - read by name by DuckDB
    from zoneinfo import ZoneInfo

    # from the start of the version's first day (in the plan's time zone), not its first session's hour
    first = frame["occurred_at"].min()
    tz = ZoneInfo(plan.inputs.get("timezone") or "UTC")
    start = datetime.combine(first.astimezone(tz).date(), time(0), tz).astimezone(UTC)  # type: ignore[union-attr]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM outcome_event WHERE kind = 'session_planned' AND source = 'calendar' "
                    "AND occurred_at >= ? AND event_id NOT IN (SELECT event_id FROM ids)", [start])
        new = record_events(con, frame)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return new
