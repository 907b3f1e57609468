"""Self-updating assumptions: posteriors of the planner's numbers from measured outcomes (pure, conjugate).

Every posterior is computed from the registry **prior** plus **all** evidence to date (never from the previous
posterior), so a re-run on the same data gives the same numbers and :func:`apply_updates` writes nothing: no
version bump without new evidence. Models:

* **Rates** (``outreach_reply_rate``, ``interview_conversion``, ``offer_conversion``): Beta-Binomial. The prior
  ``Beta(a, b)`` from ``data/assumptions.yaml`` counts as ``a + b`` pseudo-trials (prior strength); the posterior
  is ``Beta(a + k, b + n - k)``. Trials: messages sent -> human replies -> interviews -> offers; each numerator is
  capped by its denominator (interviews from other channels do not push a conversion above 1).
* **Hours-estimate bias** (``hours_estimate_bias``, actual / estimated): log-normal observations with a
  Normal-Inverse-Gamma prior on the log ratios. One observation per week: hours logged that week (``hours`` events
  plus hours on done tasks that had an estimate) / planned hours of the tasks completed that week; log ratios are winsorised to [-log 5, log 5] (one forgotten log or a typo cannot
  swing the estimate). The registry ``lognormal(mu, sigma)`` gives ``m0 = mu`` and the prior spread of the mean;
  the NIG prior assumes a week-to-week noise of ``NOISE_SD`` in log space (``alpha0 = 2``, ``beta0 = NOISE_SD^2``,
  ``kappa0 = NOISE_SD^2 / sigma^2`` pseudo-weeks). The stored posterior is ``lognormal(m_n, s_n)`` with ``s_n`` the
  scale of the marginal Student-t of the mean log bias, so the value tends to the geometric-mean bias.
* **Learning hours per skill kind** (``learn_hours.<kind>``): hours to learn one skill ~ ``Gamma(k, theta)`` with the
  prior's shape ``k`` known and an inverse-gamma prior on the scale worth ``LEARN_PRIOR_SKILLS`` skills; the
  posterior mean is ``(n0 * prior mean + sum x) / (n0 + n)``, stored as ``gamma(k, mean / k)``. Observations are
  learn tasks marked done with their hours, divided by the status factor (weak / stale skills need a share of the
  hours) and by the current hours bias (the planner multiplies learning hours by the bias: no double count).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from careeros.planner.assumptions import Assumption, AssumptionSet, Distribution

#: rate assumption -> (numerator kind, denominator kind) in the funnel
FUNNEL: dict[str, tuple[str, str]] = {
    "outreach_reply_rate": ("outreach_replied", "outreach_sent"),
    "interview_conversion": ("interview", "outreach_replied"),
    "offer_conversion": ("offer", "interview"),
}
BIAS_ID = "hours_estimate_bias"
NOISE_SD = 0.35            # assumed week-to-week sd of log(actual / estimated) in the NIG prior
ALPHA0 = 2.0
MAX_LOG_RATIO = math.log(5.0)
LEARN_PRIOR_SKILLS = 2.0   # prior strength of learn_hours.<kind>, in skills
DIGITS = 6                 # posterior parameters are rounded: stable comparison -> idempotent updates


@dataclass
class Evidence:
    """What the outcomes say, as counts and observations (all time up to ``as_of``)."""

    counts: dict[str, float] = field(default_factory=dict)        # funnel kind -> total quantity
    bias_log_ratios: list[float] = field(default_factory=list)    # one per week with hours and finished tasks
    bias_weeks: list[str] = field(default_factory=list)
    learn_hours: dict[str, list[float]] = field(default_factory=dict)  # skill kind -> full-learning-equivalent hours


@dataclass
class Update:
    """A computed posterior with the evidence it used."""

    assumption_id: str
    posterior: Distribution
    model: str
    evidence: dict[str, Any]
    prior_mean: float
    posterior_mean: float
    interval: tuple[float, float]

    def summary(self) -> str:
        """One line: id, prior -> posterior mean, interval and evidence."""
        ev = ", ".join(f"{k}={v}" for k, v in self.evidence.items() if not isinstance(v, list))
        return (f"{self.assumption_id}: {self.prior_mean:.4g} -> {self.posterior_mean:.4g} "
                f"(95% {self.interval[0]:.4g}-{self.interval[1]:.4g}; {ev})")


# ------------------------------------------------------------------------------------------ conjugate updates


def beta_update(prior: Distribution, k: float, n: float) -> Distribution:
    """Beta-Binomial: ``Beta(a + k, b + n - k)`` (k capped to [0, n])."""
    p = prior.params
    k = min(max(k, 0.0), n)
    return Distribution.model_validate({"family": "beta", "a": round(p["a"] + k, DIGITS),
                                        "b": round(p["b"] + n - k, DIGITS)})


def beta_interval(d: Distribution, level: float = 0.95) -> tuple[float, float]:
    """Equal-tailed credible interval of a Beta."""
    from scipy.stats import beta

    p, t = d.params, (1 - level) / 2
    return float(beta.ppf(t, p["a"], p["b"])), float(beta.ppf(1 - t, p["a"], p["b"]))


def nig_update(prior: Distribution, ys: Iterable[float], noise_sd: float = NOISE_SD,
               alpha0: float = ALPHA0) -> tuple[Distribution, dict[str, float]]:
    """Normal-Inverse-Gamma update of the mean log ratio; returns ``lognormal(m_n, s_n)`` and the NIG parameters."""
    p = prior.params
    m0, s0 = p["mu"], max(p["sigma"], 1e-6)
    beta0 = noise_sd ** 2 * (alpha0 - 1)
    kappa0 = noise_sd ** 2 / s0 ** 2
    y = [min(max(v, -MAX_LOG_RATIO), MAX_LOG_RATIO) for v in ys]
    n = len(y)
    ybar = sum(y) / n if n else 0.0
    ss = sum((v - ybar) ** 2 for v in y)
    kn, an = kappa0 + n, alpha0 + n / 2
    mn = (kappa0 * m0 + n * ybar) / kn
    bn = beta0 + ss / 2 + kappa0 * n * (ybar - m0) ** 2 / (2 * kn)
    scale = math.sqrt(bn / (an * kn))  # marginal Student-t scale of the mean
    post = Distribution.model_validate({"family": "lognormal", "mu": round(mn, DIGITS), "sigma": round(scale, DIGITS)})
    return post, {"kappa": kn, "alpha": an, "beta": bn, "dof": 2 * an}


def nig_interval(d: Distribution, dof: float, level: float = 0.95) -> tuple[float, float]:
    """Credible interval of the bias multiplier ``exp(mean log ratio)`` (Student-t on the log scale)."""
    from scipy.stats import t as student_t

    p, q = d.params, student_t.ppf(1 - (1 - level) / 2, dof)
    return math.exp(p["mu"] - q * p["sigma"]), math.exp(p["mu"] + q * p["sigma"])


def gamma_mean_update(prior: Distribution, xs: Iterable[float],
                      strength: float = LEARN_PRIOR_SKILLS) -> tuple[Distribution, dict[str, float]]:
    """Known-shape Gamma hours with an inverse-gamma prior on the scale: shrunk mean, stored as ``gamma(k, m/k)``."""
    p = prior.params
    k, m0 = p["shape"], p["shape"] * p["scale"]
    x = [max(v, 0.0) for v in xs]
    mean = (strength * m0 + sum(x)) / (strength + len(x))
    return (Distribution.model_validate({"family": "gamma", "shape": k, "scale": round(mean / k, DIGITS)}),
            {"a": strength * k + len(x) * k + 1, "b": strength * m0 + sum(x)})


def gamma_mean_interval(extra: dict[str, float], shape: float, level: float = 0.95) -> tuple[float, float]:
    """Credible interval of the mean hours ``k * theta`` with ``theta ~ InvGamma(a, b)``."""
    from scipy.stats import invgamma

    t = (1 - level) / 2
    return (shape * float(invgamma.ppf(t, extra["a"], scale=extra["b"])),
            shape * float(invgamma.ppf(1 - t, extra["a"], scale=extra["b"])))


# ------------------------------------------------------------------------------------------ evidence (pure)


def _work_id(task_id: str) -> str:
    return task_id.split("#", 1)[0]


def evidence_from_events(events: pl.DataFrame, skill_kinds: Mapping[str, str] | None = None,
                         learn_status: Mapping[str, str] | None = None,
                         status_factor: Mapping[str, float] | None = None, bias: float = 1.0) -> Evidence:
    """Funnel counts, weekly log bias ratios and learning-hours observations from outcome events.

    ``skill_kinds``: skill id -> kind (technology, tool, skill, knowledge); ``learn_status``: skill id -> gap status
    at planning time (missing, weak, stale); ``status_factor``: status -> share of the hours; ``bias``: the current
    hours-estimate bias (learning observations are divided by it).
    """
    ev = Evidence()
    if events.height == 0:
        return ev
    df = events.with_columns(pl.col("occurred_at").cast(pl.Datetime("us", "UTC")).dt.date().alias("day"),
                             pl.col("quantity").cast(pl.Float64))
    for kind in {k for pair in FUNNEL.values() for k in pair}:
        sel = df.filter(pl.col("kind") == kind)
        ev.counts[kind] = float(sel["quantity"].fill_null(1.0).sum() or 0.0) if sel.height else 0.0
    # planning fallacy: per week, hours logged vs planned hours of the tasks finished that week
    est = (df.filter((pl.col("kind") == "session_planned") & pl.col("task_id").is_not_null())
           .group_by("task_id").agg(pl.col("quantity").fill_null(0.0).sum().alias("est")))
    done = (df.filter((pl.col("kind") == "task_done") & pl.col("task_id").is_not_null())
            .group_by("task_id").agg(pl.col("day").min().alias("done_day")))
    week = (pl.col("day") - pl.duration(days=pl.col("day").dt.weekday() - 1)).alias("week")
    fin = done.join(est, on="task_id", how="inner").with_columns(
        (pl.col("done_day") - pl.duration(days=pl.col("done_day").dt.weekday() - 1)).alias("week"))
    est_w = fin.group_by("week").agg(pl.col("est").sum())
    # hours on a task the plan never estimated (off-plan work) cannot be compared with an estimate
    estimated = est["task_id"].to_list()
    act_w = (df.filter((pl.col("kind") == "hours")
                       | ((pl.col("kind") == "task_done") & pl.col("task_id").is_in(estimated)))
             .with_columns(week)
             .group_by("week").agg(pl.col("quantity").fill_null(0.0).sum().alias("actual")))
    for r in est_w.join(act_w, on="week", how="inner").sort("week").iter_rows(named=True):
        if r["est"] > 0 and r["actual"] > 0:
            ev.bias_log_ratios.append(math.log(r["actual"] / r["est"]))
            ev.bias_weeks.append(r["week"].isoformat())
    # learning hours: learn work items done with hours recorded on their task_done events
    learn = (df.filter((pl.col("kind") == "task_done") & pl.col("task_id").str.starts_with("learn:")
                       & pl.col("quantity").is_not_null())
             .with_columns(pl.col("task_id").map_elements(_work_id, return_dtype=pl.String).alias("work"))
             .group_by("work").agg(pl.col("quantity").sum()))
    factors = {"missing": 1.0, **(status_factor or {})}
    for r in learn.sort("work").iter_rows(named=True):
        skill = r["work"].removeprefix("learn:")
        kind_of = (skill_kinds or {}).get(skill)
        if kind_of is None or r["quantity"] <= 0:
            continue
        share = factors.get((learn_status or {}).get(skill, "missing"), 1.0) or 1.0
        ev.learn_hours.setdefault(kind_of, []).append(r["quantity"] / share / max(bias, 1e-6))
    return ev


# ------------------------------------------------------------------------------------------ posteriors (pure)


def compute_updates(assumptions: AssumptionSet, evidence: Evidence) -> list[Update]:
    """Posterior of every assumption the evidence informs (none without evidence)."""
    out: list[Update] = []
    c = evidence.counts
    for aid, (num, den) in FUNNEL.items():
        a = assumptions.get(aid)
        n = c.get(den, 0.0)
        if a is None or a.prior.family != "beta" or n <= 0:
            continue
        k = min(c.get(num, 0.0), n)
        post = beta_update(a.prior, k, n)
        out.append(Update(aid, post, "beta-binomial", {"successes": k, "trials": n, "prior_strength":
                                                       sum(a.prior.params.values())},
                          a.prior.mean(), post.mean(), beta_interval(post)))
    a = assumptions.get(BIAS_ID)
    if a is not None and a.prior.family == "lognormal" and evidence.bias_log_ratios:
        post, nig = nig_update(a.prior, evidence.bias_log_ratios)
        ys = evidence.bias_log_ratios
        out.append(Update(BIAS_ID, post, "lognormal / normal-inverse-gamma",
                          {"weeks": len(ys), "geometric_mean_ratio": round(math.exp(sum(ys) / len(ys)), 4),
                           "first_week": evidence.bias_weeks[0] if evidence.bias_weeks else None,
                           "last_week": evidence.bias_weeks[-1] if evidence.bias_weeks else None,
                           "kappa": round(nig["kappa"], 4), "dof": round(nig["dof"], 2)},
                          a.prior.mean(), post.mean(), nig_interval(post, nig["dof"])))
    for kind, xs in sorted(evidence.learn_hours.items()):
        a = assumptions.get(f"learn_hours.{kind}")
        if a is None or a.prior.family != "gamma" or not xs:
            continue
        post, g = gamma_mean_update(a.prior, xs)
        out.append(Update(a.id, post, "gamma known-shape / inverse-gamma scale",
                          {"skills": len(xs), "mean_hours": round(sum(xs) / len(xs), 3),
                           "prior_strength_skills": LEARN_PRIOR_SKILLS},
                          a.prior.mean(), post.mean(), gamma_mean_interval(g, a.prior.params["shape"])))
    return out


def with_updates(assumptions: AssumptionSet, updates: Iterable[Update]) -> AssumptionSet:
    """A copy of the set with the posteriors applied (version + 1 each): what the planner would read next."""
    items: dict[str, Assumption] = dict(assumptions.items)
    for u in updates:
        a = items.get(u.assumption_id)
        if a is not None:
            items[u.assumption_id] = a.model_copy(update={"posterior": u.posterior, "version": a.version + 1})
    return AssumptionSet(items=items)


def posterior_update(assumptions: AssumptionSet, events: pl.DataFrame, **kw: Any) -> list[Update]:
    """Evidence from events, then posteriors (learning hours deflated by the bias the set implies)."""
    kw.setdefault("status_factor", {"weak": assumptions.value("learn_factor.weak", 0.4),
                                    "stale": assumptions.value("learn_factor.stale", 0.25)})
    if "bias" in kw:
        return compute_updates(assumptions, evidence_from_events(events, **kw))
    prior = assumptions.get(BIAS_ID)
    bias = prior.prior.mean() if prior is not None else 1.0
    ev = evidence_from_events(events, **kw, bias=bias)
    if ev.bias_log_ratios and prior is not None:
        bias = nig_update(prior.prior, ev.bias_log_ratios)[0].mean()
        ev = evidence_from_events(events, **kw, bias=bias)
    return compute_updates(assumptions, ev)


# ------------------------------------------------------------------------------------------ warehouse


def _same(stored: str | None, post: Distribution) -> bool:
    import json

    if not stored:
        return False
    old = json.loads(stored)
    new = post.as_dict()
    return old.get("family") == new["family"] and all(
        abs(float(old.get(k, math.nan)) - float(v)) <= 10 ** -DIGITS for k, v in new.items() if k != "family")


def apply_updates(con: Any, updates: Iterable[Update], run_id: str | None = None,
                  source: str = "retrospective-metrics") -> list[dict[str, Any]]:
    """Write each changed posterior through ``set_posterior`` (version bump + history with the evidence)."""
    from careeros.planner.assumptions import fetch_posterior, set_posterior

    out = []
    for u in updates:
        if _same(fetch_posterior(con, u.assumption_id), u.posterior):
            out.append({"assumption_id": u.assumption_id, "changed": False, "version": None,
                        "prior_mean": u.prior_mean, "posterior_mean": u.posterior_mean})
            continue
        v = set_posterior(con, u.assumption_id, u.posterior, f"{source}: {u.model}", run_id,
                          meta={"model": u.model, "evidence": u.evidence, "interval_95": list(u.interval),
                                "prior_mean": u.prior_mean, "posterior_mean": u.posterior_mean})
        out.append({"assumption_id": u.assumption_id, "changed": True, "version": v,
                    "prior_mean": u.prior_mean, "posterior_mean": u.posterior_mean})
    return out


def _learn_context(con: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Skill id -> kind (graph) and skill id -> gap status (from learn task titles of stored plans)."""
    import json

    from careeros.warehouse.db import table_exists

    kinds: dict[str, str] = {}
    status: dict[str, str] = {}
    if not table_exists(con, "plan_version"):
        return kinds, status
    for (pj,) in con.execute("SELECT plan_json FROM plan_version ORDER BY version").fetchall():
        for w in json.loads(pj).get("weeks", []):
            for t in w.get("tasks", []):
                if t.get("kind") == "learn":
                    m = re.search(r"\((missing|weak|stale)\)\s*$", t.get("title", ""))
                    if m:
                        status[t["work_id"].removeprefix("learn:")] = m.group(1)
    if status and table_exists(con, "graph_skill"):
        ids = list(status)
        rows = con.execute(f"SELECT skill_id, kind FROM graph_skill WHERE skill_id IN ({', '.join('?' * len(ids))})",
                           ids).fetchall()
        kinds = {s: k for s, k in rows}
    return kinds, status


def update_posteriors(warehouse: Path, run_id: str | None = None) -> list[dict[str, Any]]:
    """Read outcomes and the registry, compute posteriors and store the changed ones; returns one row each."""
    from careeros.metrics.outcomes import read_events
    from careeros.planner.assumptions import load_assumptions
    from careeros.warehouse.db import connect

    with connect(Path(warehouse)) as con:
        assumptions = load_assumptions(con)
        kinds, status = _learn_context(con)
        updates = posterior_update(assumptions, read_events(con), skill_kinds=kinds, learn_status=status)
        rows = apply_updates(con, updates, run_id)
    by_id = {u.assumption_id: u for u in updates}
    for r in rows:
        u = by_id[r["assumption_id"]]
        r.update(model=u.model, interval_low=u.interval[0], interval_high=u.interval[1], evidence=u.evidence)
    return rows
