"""Retrospective metrics per week and month, from outcome events, evidence links and plans (pure Polars).

Rates come with counts and a Jeffreys interval (Beta(k + 1/2, n - k + 1/2), 95 %); a rate over fewer than
``MIN_SAMPLE`` trials is stored as NULL with status ``insufficient data`` (its counts and interval stay visible).
Output is long: one row per (period, period_start, metric); see docs/analytics.md for each metric's definition.
:func:`compute_and_store_metrics` is the only function that opens the warehouse.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import polars as pl

MIN_SAMPLE = 5
CI_LEVEL = 0.95
Period = Literal["week", "month"]

METRIC_SCHEMA: dict[str, Any] = {
    "period": pl.String, "period_start": pl.Date, "period_end": pl.Date, "metric": pl.String, "value": pl.Float64,
    "numerator": pl.Float64, "denominator": pl.Float64, "n": pl.Int64, "ci_low": pl.Float64, "ci_high": pl.Float64,
    "status": pl.String, "note": pl.String,
}
#: metric name -> one-line definition (also printed in docs/analytics.md).
METRICS: dict[str, str] = {
    "outreach_sent": "messages sent in the period",
    "outreach_replied": "messages that got a first human reply in the period",
    "interviews": "interviews in the period",
    "offers": "offers in the period",
    "rejections": "rejections in the period",
    "outreach_reply_rate": "replied / sent, Jeffreys 95% interval; NULL when sent < 5",
    "interview_conversion": "interviews / replies, Jeffreys 95% interval; NULL when replies < 5",
    "skill_acquisition_velocity": "gap skills that became evidenced (first current evidence link) per week",
    "evidence_to_opportunity_ratio": "new evidence items / opportunities (replies + interviews)",
    "plan_adherence": "planned tasks due in the period (last session) that were done by its end / those due",
    "hours_actual": "hours logged (hours events + hours given with task_done)",
    "hours_planned": "hours of published work sessions in the period",
    "hours_actual_vs_estimated": "hours_actual / hours_planned",
    "time_to_impact_days": "days from the first plan publish to the first interview (period 'all')",
}


def jeffreys_interval(k: int, n: int, level: float = CI_LEVEL) -> tuple[float | None, float | None]:
    """Jeffreys interval of a binomial rate (k of n); (None, None) when n == 0; ends clamped at k = 0 / k = n."""
    if n <= 0:
        return None, None
    # the Beta quantile is the inverse regularised incomplete beta function; scipy.special imports in a fraction
    # of the time scipy.stats takes (seconds on a busy machine, paid by every `careeros report`)
    from scipy.special import betaincinv

    k = min(max(k, 0), n)
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(betaincinv(k + 0.5, n - k + 0.5, a))
    hi = 1.0 if k == n else float(betaincinv(k + 0.5, n - k + 0.5, 1 - a))
    return round(lo, 4), round(hi, 4)


def rate_row(metric: str, k: float, n: float, min_sample: int = MIN_SAMPLE) -> dict[str, Any]:
    """A rate metric: value k/n (NULL when n < min_sample), counts and the Jeffreys interval."""
    ki, ni = int(round(k)), int(round(n))
    lo, hi = jeffreys_interval(min(ki, ni), ni)
    if ni == 0:
        status, value = "no data", None
    elif ni < min_sample:
        status, value = "insufficient data", None
    else:
        status, value = "ok", round(min(ki / ni, 1.0), 4)
    return {"metric": metric, "value": value, "numerator": float(ki), "denominator": float(ni), "n": ni,
            "ci_low": lo, "ci_high": hi, "status": status,
            "note": f"{ki} of {ni}" + (f" (needs n >= {min_sample})" if status == "insufficient data" else "")}


def _count_row(metric: str, v: float, note: str | None = None) -> dict[str, Any]:
    return {"metric": metric, "value": round(float(v), 4), "numerator": float(v), "denominator": None,
            "n": int(round(v)), "ci_low": None, "ci_high": None, "status": "ok", "note": note}


def _ratio_row(metric: str, num: float, den: float, note: str = "") -> dict[str, Any]:
    ok = den > 0
    return {"metric": metric, "value": round(num / den, 4) if ok else None, "numerator": float(num),
            "denominator": float(den), "n": int(round(den)), "ci_low": None, "ci_high": None,
            "status": "ok" if ok else "no data", "note": note or None}


def period_start(d: date, period: Period) -> date:
    """Monday of the ISO week, or the first of the month."""
    return d - timedelta(days=d.weekday()) if period == "week" else d.replace(day=1)


def period_end(start: date, period: Period) -> date:
    """Last day of the period that starts on ``start``."""
    if period == "week":
        return start + timedelta(days=6)
    nxt = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return nxt - timedelta(days=1)


def _periods(first: date, last: date, period: Period) -> list[date]:
    out, cur = [], period_start(first, period)
    while cur <= last:
        out.append(cur)
        cur = period_end(cur, period) + timedelta(days=1)
    return out


def _day(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Datetime("us", "UTC")).dt.date().alias("day")


def _daily(df: pl.DataFrame, col: str) -> pl.DataFrame:
    return df.with_columns(_day(col)) if df.height else df.with_columns(pl.lit(None, pl.Date).alias("day"))


def _sum_between(df: pl.DataFrame, start: date, end: date, value: str | None = None, default: float = 1.0) -> float:
    """Rows in [start, end], or the sum of ``value`` (a missing quantity counts ``default``: one event)."""
    if df.height == 0:
        return 0.0
    sel = df.filter(pl.col("day").is_between(start, end))
    if value is None:
        return float(sel.height)
    return float(sel[value].fill_null(default).sum() or 0.0)


def compute_metrics(events: pl.DataFrame, evidence_links: pl.DataFrame | None = None,
                    evidence_items: pl.DataFrame | None = None, gap_skills: Iterable[str] | None = None,
                    published_at: datetime | None = None, as_of: date | None = None,
                    periods: Iterable[Period] = ("week", "month"), min_sample: int = MIN_SAMPLE) -> pl.DataFrame:
    """Metrics per week and month from ``as_of``'s data backwards to the first dated input.

    ``events``: outcome events (kind, occurred_at, task_id, quantity). ``evidence_links``: skill_id, valid_from of
    auto/accepted links. ``evidence_items``: item_id, valid_from. ``gap_skills``: skills the plan targets (None: all).
    ``published_at``: first plan publish (default: first ``session_planned`` event).
    """
    as_of = as_of or datetime.now(UTC).date()
    ev = _daily(events, "occurred_at")
    links = evidence_links if evidence_links is not None else pl.DataFrame(
        schema={"skill_id": pl.String, "valid_from": pl.Datetime("us", "UTC")})
    items = evidence_items if evidence_items is not None else pl.DataFrame(
        schema={"item_id": pl.String, "valid_from": pl.Datetime("us", "UTC")})
    if gap_skills is not None:
        links = links.filter(pl.col("skill_id").is_in(list(gap_skills)))
    # a skill "becomes evidenced" at its first link; an item is new at its first version
    first_skill = _daily(links.group_by("skill_id").agg(pl.col("valid_from").min()) if links.height else links,
                         "valid_from")
    first_item = _daily(items.group_by("item_id").agg(pl.col("valid_from").min()) if items.height else items,
                        "valid_from")

    def kind(k: str) -> pl.DataFrame:
        return ev.filter(pl.col("kind") == k) if ev.height else ev

    sent, replied, interviews = kind("outreach_sent"), kind("outreach_replied"), kind("interview")
    offers, rejections, done, hours = kind("offer"), kind("rejection"), kind("task_done"), kind("hours")
    planned = kind("session_planned")
    # a task is due in the period of its last planned session, and done at its first task_done event
    due = (planned.filter(pl.col("task_id").is_not_null()).group_by("task_id").agg(pl.col("day").max())
           if planned.height else pl.DataFrame(schema={"task_id": pl.String, "day": pl.Date}))
    done_at = (done.filter(pl.col("task_id").is_not_null()).group_by("task_id").agg(pl.col("day").min().alias("done"))
               if done.height else pl.DataFrame(schema={"task_id": pl.String, "done": pl.Date}))
    due = due.join(done_at, on="task_id", how="left")

    dates = [d for df in (ev, first_skill, first_item) if df.height for d in df["day"].drop_nulls().to_list()]
    dates = [d for d in dates if d <= as_of]
    rows: list[dict[str, Any]] = []
    if not dates:
        return pl.DataFrame(schema=METRIC_SCHEMA)
    for per in periods:
        for start in _periods(min(dates), as_of, per):
            end = period_end(start, per)
            base = {"period": per, "period_start": start, "period_end": end}
            n_sent = _sum_between(sent, start, end, "quantity")
            n_rep = _sum_between(replied, start, end, "quantity")
            n_int = _sum_between(interviews, start, end, "quantity")
            got = [
                _count_row("outreach_sent", n_sent), _count_row("outreach_replied", n_rep),
                _count_row("interviews", n_int), _count_row("offers", _sum_between(offers, start, end, "quantity")),
                _count_row("rejections", _sum_between(rejections, start, end, "quantity")),
                rate_row("outreach_reply_rate", n_rep, n_sent, min_sample),
                rate_row("interview_conversion", n_int, n_rep, min_sample),
            ]
            weeks = ((end - start).days + 1) / 7
            skills_new = _sum_between(first_skill, start, end)
            got.append({**_ratio_row("skill_acquisition_velocity", skills_new, weeks,
                                     f"{int(skills_new)} gap skills newly evidenced"), "n": int(skills_new)})
            got.append(_ratio_row("evidence_to_opportunity_ratio", _sum_between(first_item, start, end),
                                  n_rep + n_int, "new evidence items per reply or interview"))
            due_now = due.filter(pl.col("day").is_between(start, end)) if due.height else due
            n_due = due_now.height
            n_done = due_now.filter(pl.col("done") <= end).height if n_due else 0
            adherence = rate_row("plan_adherence", n_done, n_due, 1)
            got.append(adherence)
            actual = (_sum_between(hours, start, end, "quantity", 0.0)
                      + _sum_between(done, start, end, "quantity", 0.0))
            est = _sum_between(planned, start, end, "quantity", 0.0)
            got += [_count_row("hours_actual", actual), _count_row("hours_planned", est),
                    _ratio_row("hours_actual_vs_estimated", actual, est)]
            rows += [{**base, **r} for r in got]
    rows.append(_time_to_impact(planned, interviews, published_at, as_of))
    return pl.DataFrame(rows, schema=METRIC_SCHEMA)


def _time_to_impact(planned: pl.DataFrame, interviews: pl.DataFrame, published_at: datetime | None,
                    as_of: date) -> dict[str, Any]:
    pub: date | None = published_at.date() if isinstance(published_at, datetime) else published_at
    if pub is None and planned.height:
        pub = planned["day"].min()  # type: ignore[assignment]
    first: date | None = None
    if pub is not None and interviews.height:
        after = interviews.filter(pl.col("day") >= pub)
        first = after["day"].min() if after.height else None  # type: ignore[assignment]
    row = {"period": "all", "period_start": pub or as_of, "period_end": as_of, "metric": "time_to_impact_days",
           "value": None, "numerator": None, "denominator": None, "n": 0, "ci_low": None, "ci_high": None,
           "status": "no data", "note": "no published plan yet" if pub is None else "no interview yet"}
    if pub is not None and first is not None:
        days = float((first - pub).days)
        row.update(value=days, numerator=days, n=1, status="ok", note=f"published {pub}, first interview {first}")
    return row


# ------------------------------------------------------------------------------------------ warehouse


def read_inputs(con: Any) -> dict[str, Any]:
    """Everything :func:`compute_metrics` needs, read from an open warehouse connection."""
    from careeros.metrics.outcomes import read_events

    links = con.sql("SELECT skill_id, valid_from FROM evidence_skill WHERE status IN ('auto', 'accepted')").pl()
    items = con.sql("SELECT item_id, valid_from FROM evidence_item").pl()
    gap: set[str] | None = None
    published = None
    plan = _latest_plan_json(con)
    if plan is not None:
        gap = {s for w in plan.get("weeks", []) for t in w.get("tasks", []) for s in t.get("skill_ids", [])} or None
    row = con.execute("SELECT min(approved_at) FROM plan_version WHERE approved_at IS NOT NULL").fetchall()
    if row and row[0][0] is not None:
        published = row[0][0]
    return {"events": read_events(con), "evidence_links": links, "evidence_items": items, "gap_skills": gap,
            "published_at": published}


def _latest_plan_json(con: Any) -> dict[str, Any] | None:
    import json

    rows = con.execute("SELECT plan_json FROM plan_version ORDER BY (status = 'approved') DESC, "
                       "coalesce(approved_at, created_at) DESC LIMIT 1").fetchall()
    return json.loads(rows[0][0]) if rows else None


def sync_outcomes(con: Any) -> dict[str, int]:
    """Import outbox sends/replies and the latest approved plan's sessions into ``outcome_event`` (idempotent)."""
    from careeros.metrics.outcomes import import_outbox, import_plan_sessions
    from careeros.planner.approval import latest_plan

    out = {"outbox": import_outbox(con), "sessions": 0}
    plan = latest_plan(con, None, ("approved",))
    if plan is not None:
        out["sessions"] = import_plan_sessions(con, plan)
    return out


def store_metrics(con: Any, metrics: pl.DataFrame, run_id: str | None) -> int:
    """Replace the stored rows of the periods in ``metrics`` (one transaction); returns rows written."""
    frame = metrics.with_columns(pl.lit(run_id, pl.String).alias("run_id"),  # noqa: F841 - read by DuckDB
                                 pl.lit(datetime.now(UTC)).alias("computed_at"))
    cols = [*METRIC_SCHEMA, "run_id", "computed_at"]
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM metrics_weekly")
        con.execute(f"INSERT INTO metrics_weekly ({', '.join(cols)}) SELECT {', '.join(cols)} FROM frame")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return metrics.height


def compute_and_store_metrics(warehouse: Path, run_id: str | None = None, as_of: date | None = None) -> pl.DataFrame:
    """Import outcomes (outbox, approved plan), compute the metrics and store them in ``metrics_weekly``."""
    from careeros.warehouse.db import connect

    with connect(Path(warehouse)) as con:
        sync_outcomes(con)
        metrics = compute_metrics(**read_inputs(con), as_of=as_of)
        store_metrics(con, metrics, run_id)
    return metrics
