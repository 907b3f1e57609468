"""The week-by-week plan: target-role gaps + artifacts -> weeks of tasks that fit the hours budget exactly.

Pipeline (pure, see :func:`build_plan`):

1. Per strategy (``focus`` on role 1, ``balanced``, ``fastest-first-evidence``) role weights combine the
   roles' gaps into one gap list (size = sum over roles of weight x size / role gap total).
2. Candidate artifacts (``artifacts.instantiate``) get an effective cost in hours: catalogue hours x kind
   multiplier x estimate bias + publish hours + learning hours of the skills they evidence (all from the
   assumptions registry). Core artifacts are chosen by weighted set cover within (1 - stretch share) of
   the core budget; stretch artifacts (talks, open source, certifications) within the stretch share, on the
   gaps the core leaves open. The stretch share comes from the risk tolerance.
3. Work items (learn -> build -> publish per artifact; outreach after the first publish; interview prep)
   are list-scheduled week by week in whole minutes: every week sums to exactly ``floor(60 x weekly
   hours)`` minutes (never more); interview prep and outreach absorb slack. The outreach share follows the
   measured funnel (:func:`outreach_share`: a lower reply rate or conversion means more messages per interview).
4. Alternatives are ranked by expected value (priority-weighted coverage gained per role), ties broken
   by the week of the first published evidence; the best one is the plan, the others are its trade-offs.

Readers at the end take an open warehouse connection (never open one).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field

from careeros.planner.artifacts import Artifact, ArtifactTemplate, choose_artifacts, instantiate, plan_value
from careeros.planner.assumptions import AssumptionSet
from careeros.planner.gaps import Gap, GapReport
from careeros.profile import Profile

TaskKind = Literal["learn", "build", "publish", "outreach", "interview_prep"]
Strategy = Literal["focus", "balanced", "fastest-first-evidence"]
STRATEGIES: tuple[Strategy, ...] = ("focus", "balanced", "fastest-first-evidence")
STRETCH_KINDS = frozenset({"talk", "open-source", "certification"})
MIN_CHUNK = 30  # minutes: never start a new work item in a smaller slot (fragmentation)


class Verification(BaseModel):
    """How a task (or week) is checked: the definition of done and the evidence it must leave."""

    done: str
    evidence: str


class PlanTask(BaseModel):
    """One task in one week (a work item may be split over several weeks: ``part``/``parts``)."""

    id: str
    work_id: str
    kind: TaskKind
    title: str
    minutes: int = Field(ge=1)
    hours: float
    depends_on: list[str] = Field(default_factory=list, description="work ids finished before this starts")
    soc_codes: list[str] = Field(default_factory=list)
    skill_ids: list[str] = Field(default_factory=list)
    artifact_id: str | None = None
    stretch: bool = False
    part: int = 1
    parts: int = 1
    verification: Verification


class WeekVerification(BaseModel):
    """The week's verification point."""

    definition_of_done: list[str]
    evidence: list[str]


class Week(BaseModel):
    """One week of the plan."""

    week: int
    start: date
    end: date
    budget_hours: float
    budget_minutes: int
    minutes: int
    hours: float
    tasks: list[PlanTask]
    milestone: str
    verification: WeekVerification
    expected_coverage: dict[str, float] = Field(default_factory=dict)


class RoleSummary(BaseModel):
    """A target role in the plan and what the plan does for it."""

    soc_code: str
    title: str | None = Field(default=None, description="the person's own title for the role")
    onet_title: str | None = None
    priority: float
    weight: float = Field(description="share of the combined gap value given to this role by the strategy")
    coverage_before: float
    coverage_expected: float
    coverage: float = Field(default=0.0, description="share of the role's core requirements evidenced now")
    coverage_after: float = Field(default=0.0, description="expected coverage when the plan is done")
    value_covered: float
    market_value_source: str


class Risk(BaseModel):
    """Risk trade-off of a plan."""

    level: Literal["low", "medium", "high"]
    stretch_share: float
    stretch_hours: float
    overrun_p80_hours: float = Field(description="planned work hours at the 80th percentile of the estimate bias")


class Alternative(BaseModel):
    """A ranked alternative and its trade-offs."""

    rank: int
    strategy: Strategy
    chosen: bool
    expected_value: float
    work_hours: float
    artifacts: int
    weeks_to_first_evidence: int | None
    coverage_expected: dict[str, float]
    risk: Risk
    summary: str


class Outcomes(BaseModel):
    """Expected job-search funnel over the horizon (assumption means)."""

    messages: int
    replies: float
    interviews: float
    offers: float
    p_at_least_one_offer: float


class Plan(BaseModel):
    """A versioned week-by-week plan."""

    plan_id: str
    version: int | None = None
    status: str = "draft"
    created_at: datetime
    strategy: Strategy
    goal: str
    inputs: dict[str, Any]
    roles: list[RoleSummary]
    weeks: list[Week]
    deferred: list[dict[str, Any]] = Field(default_factory=list, description="work that did not fit the horizon")
    totals: dict[str, Any]
    outcomes: Outcomes
    risk: Risk
    alternatives: list[Alternative]
    assumptions: list[dict[str, Any]]
    assumption_versions: dict[str, int]
    assumptions_fingerprint: str
    market_snapshot: dict[str, Any] = Field(default_factory=dict)
    memory_version: int | None = None
    run_id: str | None = None
    diff: dict[str, Any] | None = None
    gaps: list[dict[str, Any]] = Field(default_factory=list, description="ranked gaps across all target roles")
    person: dict[str, Any] = Field(default_factory=dict, description="what careeros read about the person")
    limits: list[str] = Field(default_factory=list, description="what the plan could not take into account")

    def content_sha(self) -> str:
        """Hash of what the plan asks the person to do (ignores version, status, timestamps, diff)."""
        body = self.model_dump(mode="json", exclude={"version", "status", "created_at", "diff", "run_id"})
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


class PlanOverrides(BaseModel):
    """Adjustments from a change request (or the CLI) applied on top of the profile."""

    weekly_hours: float | None = Field(default=None, gt=0, le=80)
    horizon_weeks: int | None = Field(default=None, ge=1, le=52)
    risk_tolerance: Literal["low", "medium", "high"] | None = None
    drop_roles: list[str] = Field(default_factory=list, description="SOC codes removed from the plan")
    focus_role: str | None = None
    notes: list[str] = Field(default_factory=list)


# ---------------------------------------------------------------------------------------------- helpers


def plan_id_for(profile: Profile) -> str:
    """Stable plan id of a person (one plan, many versions)."""
    return "plan-" + hashlib.sha256(profile.name.strip().lower().encode()).hexdigest()[:10]


def next_monday(d: date) -> date:
    """The Monday on or after ``d``."""
    return d + timedelta(days=(7 - d.weekday()) % 7)


def _role_weights(n: int, strategy: Strategy, a: AssumptionSet) -> tuple[list[float], list[float]]:
    """(strategy weights, ranking priorities), both summing to 1."""
    decay = a.value("policy.role_priority_decay", 0.7)
    prio = [decay ** i for i in range(n)]
    tot = sum(prio)
    prio = [p / tot for p in prio]
    if n == 1:
        return [1.0], prio
    if strategy == "focus":
        f = a.value("policy.focus_share", 0.75)
        rest = sum(prio[1:])
        return [f] + [(1 - f) * p / rest for p in prio[1:]], prio
    if strategy == "balanced":
        return [1.0 / n] * n, prio
    return prio, prio


@dataclass
class _Work:
    id: str
    kind: TaskKind
    title: str
    minutes: int
    deps: list[str] = field(default_factory=list)
    soc_codes: list[str] = field(default_factory=list)
    skill_ids: list[str] = field(default_factory=list)
    artifact_id: str | None = None
    stretch: bool = False
    done: str = ""
    evidence: str = ""


OUTREACH_SHARE_MAX = 0.4


def _prior_mean(a: AssumptionSet, key: str, default: float) -> float:
    got = a.get(key)
    return got.prior.mean() if got is not None else default


def outreach_share(a: AssumptionSet) -> float:
    """Share of weekly hours for outreach: the policy share, scaled by how many messages an interview takes.

    The policy share is calibrated on the prior funnel: it implies a target of ``share x hours / hours per message
    x prior reply rate x prior interview conversion`` interviews a week. Messages needed for that target are
    ``target / (reply rate x interview conversion)`` with the current values (posterior means once measured), so
    the share is ``policy share x prior yield / current yield``, clamped to [policy / 2, max(policy,
    ``policy.outreach_share_max`` (default 0.4))] so learning and building keep most of the hours. With no
    posterior the share is exactly the policy's.
    """
    base = a.value("policy.outreach_share", 0.15)
    cur = a.value("outreach_reply_rate", 0.15) * a.value("interview_conversion", 0.3)
    ref = _prior_mean(a, "outreach_reply_rate", 0.15) * _prior_mean(a, "interview_conversion", 0.3)
    cap = max(base, a.value("policy.outreach_share_max", OUTREACH_SHARE_MAX))
    if cur <= 0:
        return cap
    if abs(cur - ref) <= 1e-12:
        return base
    return min(max(base * ref / cur, base / 2), cap)


def _minutes(hours: float) -> int:
    return max(1, int(round(hours * 60)))


def _learn_hours(g: Gap, a: AssumptionSet) -> float:
    base = a.value(f"learn_hours.{g.kind}", a.value("learn_hours.skill", 6.0))
    factor = {"missing": 1.0, "weak": a.value("learn_factor.weak", 0.4),
              "stale": a.value("learn_factor.stale", 0.25)}[g.status]
    return base * factor


@dataclass
class _Choice:
    strategy: Strategy
    weights: list[float]
    chosen: list[tuple[Artifact, bool]]  # (artifact with catalogue hours, stretch?)
    works: list[_Work]


def _choose(strategy: Strategy, reports: Sequence[GapReport], a: AssumptionSet, templates: Sequence[ArtifactTemplate],
            resolve: dict[str, str] | None, core_hours: float, stretch_share: float, weekly_hours: float,
            max_gaps: int) -> _Choice:
    """Artifacts and ordered work items for one strategy."""
    weights, _ = _role_weights(len(reports), strategy, a)
    bias = a.value("hours_estimate_bias", 1.0)
    combined: dict[str, Gap] = {}
    size: dict[str, float] = {}
    roles_of: dict[str, list[str]] = {}
    for w, rep in zip(weights, reports, strict=True):
        top = sorted(rep.gaps, key=lambda g: -g.size)[:max_gaps]
        total = sum(g.size for g in rep.gaps) or 1.0
        for g in top:
            combined.setdefault(g.skill_id, g)
            size[g.skill_id] = size.get(g.skill_id, 0.0) + w * g.size / total
            roles_of.setdefault(g.skill_id, []).append(rep.soc_code)
    gaps = [combined[s].model_copy(update={"size": size[s]}) for s in combined if size[s] > 0]
    cands = instantiate(templates, gaps, resolve)
    learn = {g.skill_id: _learn_hours(g, a) * bias for g in gaps}
    publish_h = a.value("publish_hours", 2.0) * bias

    def build_hours(art: Artifact) -> float:
        return art.hours * a.value(f"artifact_hours_multiplier.{art.kind}", 1.0) * bias

    def eff(art: Artifact) -> Artifact:
        return art.model_copy(update={"hours": build_hours(art) + publish_h + sum(learn.get(s, 0) for s in art.skills)})

    effective = [eff(c) for c in cands]
    if strategy == "fastest-first-evidence":
        quick = [c for c in effective if c.hours <= 1.5 * weekly_hours]
        effective = quick or sorted(effective, key=lambda c: c.hours)[:50]
    by_id = {c.id: c for c in cands}
    core_c = [c for c in effective if c.kind not in STRETCH_KINDS]
    stretch_c = [c for c in effective if c.kind in STRETCH_KINDS]
    core_budget = core_hours * (1 - stretch_share)

    def pick(pool: list[Artifact], gs: list[Gap], budget: float) -> list[Artifact]:
        if budget <= 0 or not pool:
            return []
        first = choose_artifacts(pool, gs, budget).chosen
        # learning shared between artifacts was counted once per artifact: spend the double count once more
        shared = sum(x.hours for x in first) - _dedup_hours(first, learn, publish_h, by_id, build_hours)
        if shared > 1e-6:
            return choose_artifacts(pool, gs, budget + shared).chosen
        return first

    core = pick(core_c, gaps, core_budget)
    miss = {g.skill_id: 1.0 for g in gaps}
    for art in core:
        for s in art.skills:
            if s in miss:
                miss[s] *= 1 - art.strength
    residual = [g.model_copy(update={"size": g.size * miss[g.skill_id]}) for g in gaps if g.size * miss[g.skill_id] > 0]
    stretch = pick(stretch_c, residual, core_hours * stretch_share)
    # budget the stretch share did not use (nothing affordable) goes back to core work on the remaining gaps
    spare = core_hours - _dedup_hours([*core, *stretch], learn, publish_h, by_id, build_hours)
    if spare > 1.0:
        for art in stretch:
            for s in art.skills:
                if s in miss:
                    miss[s] *= 1 - art.strength
        taken = {x.id for x in core}
        rest = [g.model_copy(update={"size": g.size * miss[g.skill_id]}) for g in gaps
                if g.size * miss[g.skill_id] > 0]
        core += pick([c for c in core_c if c.id not in taken], rest, spare)
    chosen = [(by_id[x.id], False) for x in core] + [(by_id[x.id], True) for x in stretch]
    if strategy == "fastest-first-evidence":
        chosen.sort(key=lambda t: (t[1], eff(t[0]).hours))
    works: list[_Work] = []
    learned: set[str] = set()
    for art, is_stretch in chosen:
        socs = sorted({r for s in art.skills for r in roles_of.get(s, [])})
        deps = []
        for s in art.skills:
            gap = combined.get(s)
            if gap is None:
                continue
            wid = f"learn:{s}"
            deps.append(wid)
            if s in learned:
                continue
            learned.add(s)
            works.append(_Work(
                wid, "learn", f"Learn {gap.label} ({gap.status})", _minutes(learn[s]), [], roles_of.get(s, []), [s],
                None, is_stretch,
                done=f"Worked through material and exercises on {gap.label}; can explain and apply it",
                evidence=f"dated learning notes or exercise repository on {gap.label} in an evidence folder"))
        bid = f"build:{art.id}"
        works.append(_Work(bid, "build", art.title, _minutes(build_hours(art)), deps, socs, list(art.skills),
                           art.id, is_stretch, done=f"{art.title}: finished to its definition",
                           evidence=art.proof))
        works.append(_Work(f"publish:{art.id}", "publish", f"Publish: {art.title}", _minutes(publish_h), [bid], socs,
                           list(art.skills), art.id, is_stretch,
                           done="Published and linked from the portfolio/profile",
                           evidence=f"public URL of the artifact ({art.proof})"))
    return _Choice(strategy, weights, chosen, works)


def _dedup_hours(arts: Sequence[Artifact], learn: dict[str, float], publish_h: float, by_id: dict[str, Artifact],
                 build_hours: Any) -> float:
    skills = {s for x in arts for s in x.skills}
    return sum(build_hours(by_id[x.id]) + publish_h for x in arts) + sum(learn.get(s, 0) for s in skills)


@dataclass
class _Sched:
    weeks: list[list[tuple[_Work, int, int, int]]]  # (work, minutes, part, parts) per week
    completed_week: dict[str, int]
    deferred: list[tuple[_Work, int]]


def schedule(works: Sequence[_Work], budget_minutes: int, horizon: int, prep_minutes: int, outreach_minutes: int,
             roles_label: str, roles: list[str]) -> _Sched:
    """List-schedule work items into weeks of exactly ``budget_minutes`` (prep/outreach absorb slack)."""
    left = {w.id: w.minutes for w in works}
    completed: dict[str, int] = {}
    first_publish: str | None = next((w.id for w in works if w.kind == "publish"), None)
    weeks: list[list[tuple[_Work, int, int, int]]] = []
    alloc_log: dict[str, list[int]] = {}
    for wk in range(1, horizon + 1):
        rows: list[tuple[_Work, int]] = []
        prep = min(prep_minutes, budget_minutes)
        outreach_on = first_publish is not None and completed.get(first_publish, horizon + 1) < wk
        out = min(outreach_minutes, budget_minutes - prep) if outreach_on else 0
        cap = budget_minutes - prep - out
        done_now: set[str] = set()
        for w in works:
            if cap <= 0:
                break
            if left[w.id] <= 0 or not all(d in completed or d in done_now for d in w.deps):
                continue
            if cap < MIN_CHUNK and left[w.id] > cap:
                continue
            m = min(left[w.id], cap)
            left[w.id] -= m
            cap -= m
            rows.append((w, m))
            alloc_log.setdefault(w.id, []).append(wk)
            if left[w.id] == 0:
                done_now.add(w.id)
        for wid in done_now:
            completed[wid] = wk
        if cap > 0:  # slack: outreach once there is something to show, else more interview prep
            if first_publish is not None and first_publish in completed:
                out += cap
            else:
                prep += cap
        if out > 0:
            n = 0
            rows.append((_Work(f"outreach:w{wk}", "outreach", f"Outreach for {roles_label}", out,
                               [first_publish] if first_publish else [], roles), out))
            n += 1
        if prep > 0:
            rows.append((_Work(f"interview_prep:w{wk}", "interview_prep", f"Interview preparation for {roles_label}",
                               prep, [], roles), prep))
        weeks.append([(w, m, 0, 0) for w, m in rows])
    # parts numbering over the whole horizon
    seen: dict[str, int] = {}
    out_weeks = []
    for rows4 in weeks:
        new = []
        for w, m, _, _ in rows4:
            seen[w.id] = seen.get(w.id, 0) + 1
            new.append((w, m, seen[w.id], len(alloc_log.get(w.id, [1]))))
        out_weeks.append(new)
    deferred = [(w, left[w.id]) for w in works if left[w.id] > 0]
    return _Sched(out_weeks, completed, deferred)


def _coverage(rep: GapReport, arts: Sequence[Artifact]) -> tuple[float, float]:
    """(value covered, expected coverage) of a role given finished artifacts."""
    sizes = {g.skill_id: g.size for g in rep.gaps}
    value = plan_value(list(arts), sizes)
    gap_total = sum(sizes.values())
    if gap_total <= 0 or rep.coverage >= 1:
        return value, rep.coverage
    total_required = float(getattr(rep, "total_required", 0.0) or 0.0) or gap_total / (1 - rep.coverage)
    return value, min(1.0, rep.coverage + value / total_required)


def _task_verification(w: _Work, m: int, part: int, parts: int, out_msg_h: float) -> Verification:
    if w.kind == "outreach":
        n = max(1, int(m / 60 / out_msg_h))
        return Verification(done=f"{n} personalised messages sent (sharing the latest published artifact); replies logged",
                            evidence="outbox / contacts log entries dated this week")
    if w.kind == "interview_prep":
        return Verification(done=f"{max(1, m // 30)} practice questions answered aloud or one mock interview",
                            evidence="dated prep notes with answers (STAR stories, technical drills)")
    if part < parts:
        return Verification(done=f"{m / 60:.1f} h of progress on '{w.title}' (part {part}/{parts})",
                            evidence="commits or notes dated this week")
    return Verification(done=w.done, evidence=w.evidence)


@dataclass
class _Built:
    choice: _Choice
    sched: _Sched
    weeks: list[Week]
    roles: list[RoleSummary]
    expected_value: float
    work_hours: float
    first_evidence: int | None
    risk: Risk
    outcomes: Outcomes


def _assemble(choice: _Choice, reports: Sequence[GapReport], a: AssumptionSet, weekly_hours: float, horizon: int,
              start: date) -> _Built:
    budget = int(math.floor(weekly_hours * 60 + 1e-9))
    prep_min = int(budget * a.value("policy.interview_prep_share", 0.1))
    out_min = int(budget * outreach_share(a))
    socs = [r.soc_code for r in reports]
    label = ", ".join(getattr(r, "role_title", None) or r.title or r.soc_code for r in reports)
    sched = schedule(choice.works, budget, horizon, prep_min, out_min, label, socs)
    msg_h = a.value("outreach_hours_per_message", 0.5)
    arts = {art.id: art for art, _ in choice.chosen}
    weeks: list[Week] = []
    for i, rows in enumerate(sched.weeks, start=1):
        tasks = []
        for w, m, part, parts in rows:
            tid = w.id if parts <= 1 else f"{w.id}#{part}"
            tasks.append(PlanTask(id=tid, work_id=w.id, kind=w.kind, title=w.title, minutes=m, hours=round(m / 60, 4),
                                  depends_on=list(w.deps), soc_codes=w.soc_codes, skill_ids=w.skill_ids,
                                  artifact_id=w.artifact_id, stretch=w.stretch, part=part, parts=parts,
                                  verification=_task_verification(w, m, part, parts, msg_h)))
        finished = [aid for aid in arts if sched.completed_week.get(f"build:{aid}", horizon + 1) <= i]
        cov = {r.soc_code: round(_coverage(r, [arts[x] for x in finished])[1], 4) for r in reports}
        published = [t.title.removeprefix("Publish: ") for t in tasks if t.kind == "publish" and t.part == t.parts]
        built = [t.title for t in tasks if t.kind == "build" and t.part == t.parts]
        doing = [t.title for t in tasks if t.kind in ("build", "learn") and t.part < t.parts]
        bits = ([f"published: {'; '.join(published)}"] if published else []) + \
               ([f"finished: {'; '.join(built)}"] if built else []) + \
               ([f"in progress: {'; '.join(doing[:2])}"] if doing else [])
        if not bits:
            bits = ["learning: " + "; ".join(t.title for t in tasks if t.kind == "learn")[:200]] if any(
                t.kind == "learn" for t in tasks) else ["job search: outreach and interview preparation"]
        wstart = start + timedelta(weeks=i - 1)
        weeks.append(Week(week=i, start=wstart, end=wstart + timedelta(days=6), budget_hours=weekly_hours,
                          budget_minutes=budget, minutes=sum(t.minutes for t in tasks),
                          hours=round(sum(t.minutes for t in tasks) / 60, 4), tasks=tasks,
                          milestone=f"Week {i}: " + " | ".join(bits),
                          verification=WeekVerification(
                              definition_of_done=[t.verification.done for t in tasks],
                              evidence=list(dict.fromkeys(t.verification.evidence for t in tasks))),
                          expected_coverage=cov))
    _, prio = _role_weights(len(reports), choice.strategy, a)
    done_arts = [arts[x] for x in arts if f"build:{x}" in sched.completed_week]
    roles, ev = [], 0.0
    for r, rw, p in zip(reports, choice.weights, prio, strict=True):
        value, cov_after = _coverage(r, done_arts)
        ev += p * (cov_after - r.coverage)
        roles.append(RoleSummary(soc_code=r.soc_code, title=getattr(r, "role_title", None) or r.title,
                                 onet_title=r.title, priority=round(p, 4), weight=round(rw, 4),
                                 coverage=r.coverage, coverage_after=round(cov_after, 4),
                                 coverage_before=r.coverage, coverage_expected=round(cov_after, 4),
                                 value_covered=round(value, 4), market_value_source=r.market_value_source))
    core_kinds = ("learn", "build", "publish")
    all_tasks = [t for wk in weeks for t in wk.tasks]
    work_min = sum(t.minutes for t in all_tasks if t.kind in core_kinds)
    stretch_min = sum(t.minutes for t in all_tasks if t.stretch)
    pubs = [wk for wid, wk in sched.completed_week.items() if wid.startswith("publish:")]
    share = stretch_min / work_min if work_min else 0.0
    bias = a.get("hours_estimate_bias")
    p80 = (bias.prior.quantile(0.8) / bias.prior.mean()) if bias and not bias.posterior else 1.25
    risk = Risk(level="low" if share < 0.15 else "medium" if share < 0.3 else "high", stretch_share=round(share, 4),
                stretch_hours=round(stretch_min / 60, 2), overrun_p80_hours=round(work_min / 60 * p80, 2))
    msgs = sum(int(t.minutes / 60 / msg_h) for t in all_tasks if t.kind == "outreach")
    p_offer = a.value("outreach_reply_rate", 0.15) * a.value("interview_conversion", 0.3) * a.value("offer_conversion", 0.2)
    rep_ = msgs * a.value("outreach_reply_rate", 0.15)
    intv = rep_ * a.value("interview_conversion", 0.3)
    outcomes = Outcomes(messages=msgs, replies=round(rep_, 2), interviews=round(intv, 2),
                        offers=round(intv * a.value("offer_conversion", 0.2), 3),
                        p_at_least_one_offer=round(1 - (1 - p_offer) ** msgs, 4))
    return _Built(choice, sched, weeks, roles, round(ev, 6), round(work_min / 60, 2), min(pubs) if pubs else None,
                  risk, outcomes)


def effective_inputs(profile: Profile, overrides: PlanOverrides | None = None) -> dict[str, Any]:
    """Weekly hours, horizon and risk tolerance after overrides."""
    o = overrides or PlanOverrides()
    return {"weekly_hours": o.weekly_hours or profile.weekly_hours,
            "horizon_weeks": o.horizon_weeks or profile.horizon_weeks,
            "risk_tolerance": o.risk_tolerance or profile.risk_tolerance}


def build_plan(profile: Profile, reports: Sequence[GapReport], templates: Sequence[ArtifactTemplate],
               assumptions: AssumptionSet, *, start: date | None = None, overrides: PlanOverrides | None = None,
               resolve: dict[str, str] | None = None, market_snapshot: dict[str, Any] | None = None,
               memory_version: int | None = None, created_at: datetime | None = None,
               strategies: Sequence[Strategy] = STRATEGIES, max_gaps: int = 25) -> Plan:
    """The best of the ranked alternatives as a :class:`Plan` (pure: no I/O)."""
    o = overrides or PlanOverrides()
    inputs = effective_inputs(profile, o)
    reps = [r for r in reports if r.soc_code not in set(o.drop_roles)]
    if o.focus_role and any(r.soc_code == o.focus_role for r in reps):
        reps.sort(key=lambda r: r.soc_code != o.focus_role)
    if not reps:
        raise ValueError("no target role left to plan for")
    created = created_at or datetime.now(UTC)
    start = start or next_monday(created.date())
    wh, horizon = float(inputs["weekly_hours"]), int(inputs["horizon_weeks"])
    stretch_share = assumptions.value(f"policy.stretch_share.{inputs['risk_tolerance']}", 0.25)
    core_share = 1 - assumptions.value("policy.interview_prep_share", 0.1) - outreach_share(assumptions)
    core_hours = wh * horizon * core_share
    built = [_assemble(_choose(s, reps, assumptions, templates, resolve, core_hours, stretch_share, wh, max_gaps),
                       reps, assumptions, wh, horizon, start) for s in strategies]
    order = sorted(range(len(built)), key=lambda i: (-built[i].expected_value,
                                                      built[i].first_evidence or horizon + 1, i))
    best = built[order[0]]
    alts = []
    for rank, i in enumerate(order, start=1):
        b = built[i]
        alts.append(Alternative(
            rank=rank, strategy=b.choice.strategy, chosen=rank == 1, expected_value=b.expected_value,
            work_hours=b.work_hours, artifacts=len(b.choice.chosen), weeks_to_first_evidence=b.first_evidence,
            coverage_expected={r.soc_code: r.coverage_expected for r in b.roles}, risk=b.risk,
            summary=(f"{b.choice.strategy}: {len(b.choice.chosen)} artifacts, {b.work_hours:g} h of learn/build/publish, "
                     f"first evidence week {b.first_evidence or '-'}, expected value {b.expected_value:.3f}, "
                     f"stretch {b.risk.stretch_share:.0%}")))
    by_kind: dict[str, float] = {}
    for wk in best.weeks:
        for t in wk.tasks:
            by_kind[t.kind] = by_kind.get(t.kind, 0) + t.minutes
    deferred = [{"work_id": w.id, "kind": w.kind, "title": w.title, "hours_left": round(m / 60, 2)}
                for w, m in best.sched.deferred]
    return Plan(
        plan_id=plan_id_for(profile), created_at=created, strategy=best.choice.strategy, goal=profile.goal.statement,
        inputs={**inputs, "stretch_share_target": stretch_share, "start": start.isoformat(),
                "timezone": profile.timezone, "dropped_roles": list(o.drop_roles), "focus_role": o.focus_role,
                "notes": list(o.notes)},
        roles=best.roles, weeks=best.weeks, deferred=deferred,
        totals={"hours": round(sum(wk.minutes for wk in best.weeks) / 60, 4),
                "by_kind_hours": {k: round(v / 60, 2) for k, v in sorted(by_kind.items())},
                "artifacts": [{"id": art.id, "kind": art.kind, "title": art.title, "stretch": st,
                               "skills": art.skill_labels} for art, st in best.choice.chosen]},
        outcomes=best.outcomes, risk=best.risk, alternatives=alts, assumptions=assumptions.used(),
        assumption_versions=assumptions.versions(), assumptions_fingerprint=assumptions.fingerprint(),
        market_snapshot=market_snapshot or {}, memory_version=memory_version)


def diff_plans(prev: Plan | dict[str, Any] | None, cur: Plan) -> dict[str, Any]:
    """What changed against the previous version: work items added/removed/re-timed, inputs, strategy."""
    if prev is None:
        return {"previous_version": None, "first_version": True}
    p = prev if isinstance(prev, Plan) else Plan.model_validate(prev)

    def works(plan: Plan) -> dict[str, tuple[float, int]]:
        out: dict[str, tuple[float, int]] = {}
        for wk in plan.weeks:
            for t in wk.tasks:
                if t.kind in ("outreach", "interview_prep"):
                    continue
                h, first = out.get(t.work_id, (0.0, wk.week))
                out[t.work_id] = (h + t.hours, min(first, wk.week))
        return out

    a, b = works(p), works(cur)
    changed = [{"work_id": k, "hours": [round(a[k][0], 2), round(b[k][0], 2)], "start_week": [a[k][1], b[k][1]]}
               for k in sorted(set(a) & set(b)) if abs(a[k][0] - b[k][0]) > 1e-6 or a[k][1] != b[k][1]]
    inputs = {k: [p.inputs.get(k), cur.inputs.get(k)] for k in ("weekly_hours", "horizon_weeks", "risk_tolerance")
              if p.inputs.get(k) != cur.inputs.get(k)}
    return {"previous_version": p.version, "strategy": [p.strategy, cur.strategy] if p.strategy != cur.strategy else None,
            "inputs": inputs, "roles_added": sorted({r.soc_code for r in cur.roles} - {r.soc_code for r in p.roles}),
            "roles_removed": sorted({r.soc_code for r in p.roles} - {r.soc_code for r in cur.roles}),
            "added": sorted(set(b) - set(a)), "removed": sorted(set(a) - set(b)), "changed": changed,
            "assumptions_changed": sorted(k for k, v in cur.assumption_versions.items()
                                          if p.assumption_versions.get(k) != v)}


# ---------------------------------------------------------------------------------------------- readers


#: Links still waiting for a human count at this fraction of their confidence: unreviewed evidence is
#: weaker than confirmed evidence, but a plan should not send someone to learn what they plainly use.
PENDING_LINK_DISCOUNT = 0.5


def current_evidence(con: Any) -> pl.DataFrame:
    """Current evidence links (skill_id, confidence, last_seen): accepted at 1.0, auto as linked, pending discounted."""
    from careeros.warehouse.db import table_exists

    empty = pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "last_seen": pl.Date})
    if not table_exists(con, "evidence_skill"):
        return empty
    df = con.sql(
        "SELECT l.skill_id, CASE WHEN l.status = 'pending' THEN l.confidence * ? WHEN l.status = 'accepted' THEN 1.0 "
        "ELSE l.confidence END AS confidence, "
        "coalesce(i.content_at, l.valid_from) AS last_seen FROM evidence_skill l "
        "LEFT JOIN evidence_item i ON i.item_id = l.item_id AND i.version_sha256 = l.version_sha256 "
        "AND i.valid_to IS NULL WHERE l.valid_to IS NULL AND l.status IN ('auto', 'accepted', 'pending')",
        params=[PENDING_LINK_DISCOUNT]).pl()
    if df.height == 0:
        return empty
    return df.with_columns(pl.col("last_seen").cast(pl.Date, strict=False))


def market_snapshot(con: Any) -> dict[str, Any]:
    """Source versions (sha) the plan's market data came from, with one combined sha."""
    from careeros.warehouse.db import table_exists

    if not table_exists(con, "source_versions"):
        return {"sources": {}, "sha": None}
    rows = con.execute("SELECT source, source_version, source_sha256 FROM source_versions ORDER BY source").fetchall()
    srcs = {s: {"version": v, "sha256": sha[:16]} for s, v, sha in rows}
    blob = json.dumps(srcs, sort_keys=True)
    mv = table_exists(con, "market_value")
    return {"sources": srcs, "sha": hashlib.sha256(blob.encode()).hexdigest()[:16], "market_value_table": mv}


def guess_socs(titles: Sequence[str]) -> dict[str, str]:
    """Title -> best O*NET-SOC code by the title normaliser.

    Call it before opening a warehouse connection: a first build of the normaliser's index reads the warehouse.
    """
    if not titles:
        return {}
    from careeros.cli.titles import load_normalizer

    out = {}
    for t, ms in zip(titles, load_normalizer().normalize(list(titles), k=1), strict=True):
        if ms:
            out[t] = ms[0].soc_code
    return out


def resolve_roles(con: Any, profile: Profile, guessed: dict[str, str] | None = None) -> list[tuple[str, str | None]]:
    """(soc_code, title) of each target role: the confirmed code, else the guessed one (see :func:`guess_socs`)."""
    from careeros.warehouse.db import fetch_one

    out: list[tuple[str, str | None]] = []
    for r in profile.target_roles:
        code = r.soc_code or (guessed or {}).get(r.title)
        if not code:
            continue
        row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?", [code]))
        if code not in [c for c, _ in out]:
            out.append((code, row[0] if row else None))
    return out


def gap_reports(con: Any, roles: Sequence[tuple[str, str | None]], evidence: pl.DataFrame | None = None,
                as_of: date | None = None) -> list[GapReport]:
    """Gap report of every role against the current evidence."""
    from careeros.planner.gaps import compute_gaps, market_values, role_requirements

    ev = current_evidence(con) if evidence is None else evidence
    out = []
    for code, title in roles:
        req = role_requirements(con, code)
        if req.height == 0:
            continue
        out.append(compute_gaps(code, req, ev, market_values(con, code), as_of=as_of, title=title))
    return out


def plan_gap_reports(plan: Plan) -> list[GapReport]:
    """The plan's own gaps (ranked across roles, from :mod:`careeros.planner.intelligence`) as one report per role.

    Agents and reports use these, so every output names the same gaps as the plan. Empty when the plan was
    made before gaps were stored with it (callers then fall back to :func:`gap_reports`).
    """
    if not plan.gaps:
        return []
    out = []
    for r in plan.roles:
        names = {r.title, r.onet_title, r.soc_code}
        gaps = [Gap(skill_id=g["skill_id"], label=g["label"], kind=g.get("kind") or "concept",
                    required=float(g.get("weight") or g["size"]), weight=min(1.0, float(g.get("weight") or 0.0)),
                    market_value=0.5, evidenced=min(1.0, float(g.get("evidenced") or 0.0)), size=float(g["size"]),
                    status=g["status"], reason=g["reason"])
                for g in plan.gaps if g.get("soc_code") == r.soc_code or names & set(g.get("roles") or [])]
        out.append(GapReport(soc_code=r.soc_code, title=r.title, gaps=gaps, coverage=r.coverage or r.coverage_before,
                             market_value_source=r.market_value_source if r.market_value_source in (
                                 "market_value", "neutral") else "market_value"))
    return out
