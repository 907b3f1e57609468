"""Posterior assumptions (pure conjugate updates, idempotent storage), the planner's outreach rule, standup logic."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from careeros.metrics import posteriors as P
from careeros.metrics.outcomes import events_frame, make_event, record_events
from careeros.planner.assumptions import Distribution, default_assumptions, load_assumptions, sync_assumptions
from careeros.planner.plan import outreach_share
from careeros.warehouse.db import connect

BETA = Distribution.model_validate({"family": "beta", "a": 3.0, "b": 17.0})


@pytest.mark.parametrize(("k", "n", "a", "b"), [(0, 0, 3, 17), (2, 10, 5, 25), (10, 10, 13, 17), (12, 10, 13, 17),
                                                (0, 50, 3, 67)])
def test_beta_update_adds_successes_and_failures(k: float, n: float, a: float, b: float) -> None:
    post = P.beta_update(BETA, k, n)
    assert post.params == {"a": a, "b": b}


def test_nig_update_shrinks_to_the_data_and_clips_outliers() -> None:
    prior = Distribution.model_validate({"family": "lognormal", "mu": 0.15, "sigma": 0.3})
    none, _ = P.nig_update(prior, [])
    assert none.params["mu"] == pytest.approx(0.15)
    many, nig = P.nig_update(prior, [math.log(1.5)] * 200)
    assert abs(math.exp(many.params["mu"]) - 1.5) < 0.01 and many.params["sigma"] < 0.02 and nig["dof"] == 204
    wild, _ = P.nig_update(prior, [math.log(1.2)] * 10 + [math.log(1000.0)])
    assert math.exp(wild.params["mu"]) < 1.6  # one absurd week (clipped at 5x) cannot swing the bias far


def test_gamma_mean_update_is_a_weighted_mean() -> None:
    prior = Distribution.model_validate({"family": "gamma", "shape": 4.0, "scale": 3.0})  # mean 12
    post, _ = P.gamma_mean_update(prior, [20.0, 22.0], strength=2.0)
    assert post.mean() == pytest.approx((2 * 12 + 42) / 4) and post.params["shape"] == 4.0


def test_evidence_caps_funnel_and_uses_estimated_tasks_only() -> None:
    d = date(2026, 3, 2)
    ev = events_frame([
        make_event("outreach_sent", d, "cli", quantity=10), make_event("outreach_replied", d, "cli", quantity=3),
        make_event("interview", d, "cli", quantity=5),  # interviews from elsewhere: conversion capped at 1
        make_event("session_planned", d, "calendar", key="u1", task_id="build:a", quantity=2.0),
        make_event("task_done", d + timedelta(days=2), "checkin", key="a", task_id="build:a"),
        make_event("hours", d + timedelta(days=2), "checkin", key="h", quantity=3.0),
        make_event("task_done", d, "cli", key="l", task_id="learn:tech:x#2", quantity=8.0),  # not estimated
    ])
    e = P.evidence_from_events(ev, skill_kinds={"tech:x": "technology"}, learn_status={"tech:x": "weak"},
                               status_factor={"weak": 0.5}, bias=2.0)
    assert e.counts["outreach_sent"] == 10 and e.bias_log_ratios == [pytest.approx(math.log(1.5))]
    assert e.learn_hours == {"technology": [pytest.approx(8.0)]}  # 8 h / 0.5 (weak) / 2.0 (bias)
    ups = {u.assumption_id: u for u in P.compute_updates(default_assumptions(), e)}
    assert ups["interview_conversion"].evidence == {"successes": 3.0, "trials": 3.0, "prior_strength": 10.0}
    assert "offer_conversion" in ups and ups["offer_conversion"].evidence["trials"] == 5.0


def test_outreach_share_follows_the_funnel() -> None:
    a = default_assumptions()
    assert outreach_share(a) == a.value("policy.outreach_share")
    low = P.with_updates(a, [P.Update("outreach_reply_rate", P.beta_update(a.get("outreach_reply_rate").prior, 5, 100),
                                      "t", {}, 0.15, 0.0667, (0, 1))])
    high = P.with_updates(a, [P.Update("outreach_reply_rate", P.beta_update(a.get("outreach_reply_rate").prior, 60, 100),
                                       "t", {}, 0.15, 0.5, (0, 1))])
    assert outreach_share(a) < outreach_share(low) <= 0.4
    assert outreach_share(high) == pytest.approx(a.value("policy.outreach_share") / 2)


def test_update_posteriors_bumps_versions_once_and_records_evidence(tmp_path: Path) -> None:
    wh = tmp_path / "warehouse.duckdb"
    t0 = datetime(2026, 3, 2, 12, tzinfo=UTC)
    rows = [make_event("outreach_sent", t0 + timedelta(days=i), "cli", quantity=10) for i in range(5)]
    rows += [make_event("outreach_replied", t0 + timedelta(days=i), "cli", quantity=1) for i in range(5)]
    with connect(wh) as con:
        sync_assumptions(con)
        record_events(con, events_frame(rows))
    first = {r["assumption_id"]: r for r in P.update_posteriors(wh, "run-1")}
    assert first["outreach_reply_rate"]["changed"] and first["outreach_reply_rate"]["version"] == 2
    assert first["outreach_reply_rate"]["posterior_mean"] == pytest.approx((3 + 5) / (20 + 50))
    again = P.update_posteriors(wh, "run-2")
    assert not any(r["changed"] for r in again)  # same data: no version bump
    with connect(wh) as con:
        record_events(con, events_frame([make_event("outreach_sent", t0 + timedelta(days=9), "cli", quantity=10)]))
    third = {r["assumption_id"]: r for r in P.update_posteriors(wh, "run-3")}
    assert third["outreach_reply_rate"]["changed"] and third["outreach_reply_rate"]["version"] == 3
    assert not third["interview_conversion"]["changed"]
    with connect(wh) as con:
        hist = con.execute("SELECT version, change, meta_json, run_id FROM assumption_history "
                           "WHERE assumption_id = 'outreach_reply_rate' ORDER BY version").fetchall()
        a = load_assumptions(con).get("outreach_reply_rate")
    assert [(v, c, r) for v, c, _, r in hist] == [(1, "created", None), (2, "posterior", "run-1"),
                                                  (3, "posterior", "run-3")]
    meta = json.loads(hist[-1][2])
    assert meta["evidence"] == {"successes": 5.0, "trials": 60.0, "prior_strength": 20.0}
    assert a is not None and a.version == 3 and a.value == pytest.approx(8 / 80)


def test_standup_ranks_overdue_and_blocked() -> None:
    from careeros.metrics.standup import build_standup, standup_markdown
    from careeros.planner.plan import Plan

    def task(tid: str, kind: str, deps: list[str] | None = None) -> dict:
        return {"id": tid, "work_id": tid.split("#")[0], "kind": kind, "title": tid, "minutes": 60, "hours": 1.0,
                "depends_on": deps or [], "verification": {"done": "d", "evidence": "e"}}

    start = date(2026, 3, 2)
    weeks = [{"week": i + 1, "start": start + timedelta(weeks=i), "end": start + timedelta(weeks=i, days=6),
              "budget_hours": 3, "budget_minutes": 180, "minutes": 180, "hours": 3, "tasks": ts, "milestone": "m",
              "verification": {"definition_of_done": ["d"], "evidence": ["e"]}}
             for i, ts in enumerate([
                 [task("learn:a", "learn"), task("build:x", "build", ["learn:a"]), task("outreach:w1", "outreach")],
                 [task("learn:b", "learn"), task("build:y", "build", ["learn:b"]), task("publish:x", "publish",
                                                                                       ["build:x"])]])]
    plan = Plan.model_validate({
        "plan_id": "p", "version": 2, "status": "proposed", "created_at": datetime(2026, 3, 1, tzinfo=UTC),
        "strategy": "focus", "goal": "g", "inputs": {}, "roles": [], "weeks": weeks, "totals": {},
        "outcomes": {"messages": 0, "replies": 0, "interviews": 0, "offers": 0, "p_at_least_one_offer": 0},
        "risk": {"level": "low", "stretch_share": 0, "stretch_hours": 0, "overrun_p80_hours": 0},
        "alternatives": [], "assumptions": [], "assumption_versions": {}, "assumptions_fingerprint": "x"})
    s = build_standup(plan, {"awaiting_approval": True, "message": "plan v2 is waiting"}, {"learn:a"},
                      date(2026, 3, 10))
    assert s.week == 2 and s.flagged
    assert [a.task_id for a in s.actions] == ["build:x", "learn:b"]  # overdue first; build:y waits on learn:b
    assert [b.task_id for b in s.blocked] == ["publish:x"] and [o.task_id for o in s.overdue] == ["build:x"]
    md = standup_markdown(s)
    assert "not approved" in md and "waiting" in md and "build:x" in md
