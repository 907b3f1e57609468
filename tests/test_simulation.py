"""Simulation: a synthetic person with known true rates over 26 weeks; posteriors converge and the plan adapts.

Pure functions only (no warehouse, no Prefect). Truth: reply rate 0.08 (prior mean 0.15), interview conversion
0.30 (prior mean 0.30), hours bias 1.4x (prior mean ~1.22), learning hours of a technology 18 h (prior 12 h).
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import polars as pl
import pytest

from careeros.metrics.outcomes import events_frame, make_event
from careeros.metrics.posteriors import posterior_update, with_updates
from careeros.planner.artifacts import load_catalogue
from careeros.planner.assumptions import default_assumptions
from careeros.planner.gaps import Gap, GapReport
from careeros.planner.plan import build_plan, outreach_share
from careeros.profile import Profile

pytestmark = pytest.mark.simulation

TRUTH = {"outreach_reply_rate": 0.08, "interview_conversion": 0.30, "offer_conversion": 0.20,
         "hours_estimate_bias": 1.4, "learn_hours.technology": 18.0}
WEEKS, SENT_PER_WEEK, SEED = 26, 15, 20260302
START = date(2026, 1, 5)  # a Monday


def simulate(seed: int = SEED, weeks: int = WEEKS) -> pl.DataFrame:
    """Outcome events of the synthetic person: outreach funnel, planned sessions, tasks done, hours logged."""
    rng = random.Random(seed)
    rows = []
    for w in range(weeks):
        monday = START + timedelta(weeks=w)
        friday = monday + timedelta(days=4)
        sent = SENT_PER_WEEK
        replied = sum(rng.random() < TRUTH["outreach_reply_rate"] for _ in range(sent))
        interviews = sum(rng.random() < TRUTH["interview_conversion"] for _ in range(replied))
        offers = sum(rng.random() < TRUTH["offer_conversion"] for _ in range(interviews))
        for kind, n in (("outreach_sent", sent), ("outreach_replied", replied), ("interview", interviews),
                        ("offer", offers)):
            if n:
                rows.append(make_event(kind, friday, "checkin", key=f"w{w}|{kind}", quantity=float(n)))
        actual = 0.0
        for i in range(4):
            est = round(rng.uniform(1.0, 4.0), 2)
            tid = f"build:w{w}-t{i}"
            rows.append(make_event("session_planned", monday, "calendar", key=f"uid-{tid}", task_id=tid, quantity=est))
            rows.append(make_event("task_done", friday, "checkin", key=tid, task_id=tid))
            actual += est * TRUTH["hours_estimate_bias"] * math.exp(rng.gauss(0.0, 0.25))
        rows.append(make_event("hours", friday, "checkin", key=f"w{w}|hours", quantity=round(actual, 2)))
        if w % 4 == 0:  # one technology learned every four weeks, hours logged on the learn task
            tid = f"learn:tech:s{w}"
            h = TRUTH["learn_hours.technology"] * TRUTH["hours_estimate_bias"] * math.exp(rng.gauss(0.0, 0.2))
            rows.append(make_event("task_done", friday, "cli", key=tid, task_id=tid, quantity=round(h, 2)))
    return events_frame(rows)


def _profile() -> Profile:
    return Profile.model_validate({"name": "Sim Person", "weekly_hours": 10, "horizon_weeks": 12,
                                   "risk_tolerance": "medium", "timezone": "UTC",
                                   "target_roles": [{"title": "Data Engineer", "soc_code": "15-1243.00"}],
                                   "goal": {"statement": "Land a data engineering role"}})


def _reports() -> list[GapReport]:
    rng = random.Random(7)
    gaps = []
    for i in range(12):
        w, mv = rng.uniform(0.2, 1), rng.uniform(0.3, 1)
        gaps.append(Gap(skill_id=f"tech:s{i}", label=f"Skill {i}", kind="technology", required=w * mv, weight=w,
                        market_value=mv, evidenced=0.0, size=w * mv, status="missing", reason="sim"))
    return [GapReport(soc_code="15-1243.00", title="Data Engineer", gaps=gaps, coverage=0.3,
                      market_value_source="neutral")]


def test_posteriors_converge_to_the_truth_and_the_plan_adapts() -> None:
    prior = default_assumptions()
    events = simulate()
    kinds = {f"tech:s{w}": "technology" for w in range(WEEKS)}
    updates = {u.assumption_id: u for u in posterior_update(prior, events, skill_kinds=kinds)}
    assert set(updates) >= {"outreach_reply_rate", "interview_conversion", "offer_conversion", "hours_estimate_bias",
                            "learn_hours.technology"}

    reply = updates["outreach_reply_rate"]
    assert abs(prior.value("outreach_reply_rate") - TRUTH["outreach_reply_rate"]) > 0.05  # the prior was wrong
    assert abs(reply.posterior_mean - TRUTH["outreach_reply_rate"]) < 0.03, reply.summary()
    assert reply.interval[0] <= TRUTH["outreach_reply_rate"] <= reply.interval[1], reply.summary()
    assert reply.evidence["trials"] == WEEKS * SENT_PER_WEEK

    conv = updates["interview_conversion"]  # ~30 replies only: a wider tolerance
    assert abs(conv.posterior_mean - TRUTH["interview_conversion"]) < 0.1, conv.summary()
    assert conv.interval[0] <= TRUTH["interview_conversion"] <= conv.interval[1], conv.summary()

    bias = updates["hours_estimate_bias"]
    assert bias.evidence["weeks"] == WEEKS
    assert abs(bias.posterior_mean - TRUTH["hours_estimate_bias"]) < 0.1, bias.summary()
    assert bias.interval[0] <= TRUTH["hours_estimate_bias"] <= bias.interval[1], bias.summary()

    learn = updates["learn_hours.technology"]  # 7 skills + a prior worth 2: pulled most of the way to the truth
    assert abs(learn.posterior_mean - TRUTH["learn_hours.technology"]) < 3.0, learn.summary()
    assert learn.posterior_mean > prior.value("learn_hours.technology")

    # the planner reads the posteriors: fewer replies per message -> more outreach, more hours per task
    post = with_updates(prior, updates.values())
    assert post.value("outreach_reply_rate") == pytest.approx(reply.posterior_mean)
    assert outreach_share(prior) == prior.value("policy.outreach_share")
    assert outreach_share(post) > outreach_share(prior)
    templates = load_catalogue()
    p_prior = build_plan(_profile(), _reports(), templates, prior, start=START)
    p_post = build_plan(_profile(), _reports(), templates, post, start=START)
    out_h = [sum(t.hours for w in p.weeks for t in w.tasks if t.kind == "outreach") for p in (p_prior, p_post)]
    assert p_post.outcomes.messages > p_prior.outcomes.messages, (p_prior.outcomes, p_post.outcomes)
    assert out_h[1] > out_h[0]
    assert p_post.assumptions_fingerprint != p_prior.assumptions_fingerprint
    assert {a["id"]: a["basis"] for a in p_post.assumptions}["outreach_reply_rate"] == "posterior"


def test_posteriors_track_the_truth_week_by_week() -> None:
    """The reply-rate error shrinks as evidence accumulates (prior-dominated early, data-dominated late)."""
    prior = default_assumptions()
    events = simulate()
    errors = []
    for weeks in (2, 8, 26):
        cut = START + timedelta(weeks=weeks)
        sub = events.filter(pl.col("occurred_at").dt.date() < cut)
        u = {x.assumption_id: x for x in posterior_update(prior, sub)}["outreach_reply_rate"]
        errors.append(abs(u.posterior_mean - TRUTH["outreach_reply_rate"]))
    assert errors[-1] < errors[0] and errors[-1] < 0.03, errors
