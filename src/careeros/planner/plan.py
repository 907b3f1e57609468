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
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, TypeVar

import polars as pl
from pydantic import BaseModel, Field

from careeros.planner.artifacts import (
    _ORDINAL,
    Artifact,
    ArtifactTemplate,
    RoleContext,
    candidates,
    choose_artifacts,
    does_by_the_way,
    goal_credentials,
    instance_key,
    is_credential,
    is_degree,
    later_instance,
    plan_value,
)
from careeros.planner.assumptions import AssumptionSet
from careeros.planner.coach import CurrentRole, GoalTarget, TransitionPath, matches_goal, parse_goal, quarter
from careeros.planner.gaps import Gap, GapReport, brief_label, product_name, split_examples
from careeros.profile import Profile

TaskKind = Literal["learn", "build", "publish", "outreach", "interview_prep"]
Strategy = Literal["focus", "balanced", "fastest-first-evidence"]
STRATEGIES: tuple[Strategy, ...] = ("focus", "balanced", "fastest-first-evidence")
STRETCH_KINDS = frozenset({"talk", "open-source", "certification"})
MIN_CHUNK = 30  # minutes: never start a new work item in a smaller slot (fragmentation)
QUARTER = 15  # minutes: work sessions are whole quarter hours
STRATEGY_NAMES: dict[str, str] = {"fastest-first-evidence": "Fast", "balanced": "Balanced", "focus": "Deep"}


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
    field: str | None = Field(default=None, description="the field of the role's work products")
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
    name: str | None = None
    current_role: CurrentRole | None = None
    paths: list[TransitionPath] = Field(default_factory=list, description="current occupation -> each target")
    goal_targets: list[dict[str, Any]] = Field(default_factory=list, description="what the goal asks for and what "
                                                                               "the plan puts in")
    artifact_details: list[Artifact] = Field(default_factory=list)

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
    label: str = ""
    milestones: list[str] = field(default_factory=list)


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


#: a credential gap is not learned in a study session: the plan maps the route to it (who grants it, eligibility,
#: cost, dates, the first step booked) or, for one partly shown, confirms it and lists it; this long
CREDENTIAL_ROUTE_HOURS = {"missing": 3.0, "weak": 1.0, "stale": 1.0}


def _learn_hours(g: Gap, a: AssumptionSet) -> float:
    if is_credential(g.label):  # a partly shown licence the person does not name gets a whole route's hours
        return CREDENTIAL_ROUTE_HOURS[g.status if _credential_held(g.reason) else "missing"]
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
    goal: list[dict[str, Any]] = field(default_factory=list)
    #: targets (SOC codes) whose degree or programme is among the person's missing gaps
    no_degree: set[str] = field(default_factory=set)


#: the interview preparation of a person every one of whose targets needs a degree or programme they lack
ADMISSION_PREP = "Admission interview preparation"


def _missing_degree(g: Gap) -> bool:
    """A degree or accredited programme the person does not show at all (a plan maps its route first)."""
    return g.status == "missing" and is_degree(g.label)


def exams_after_degrees(cands: Sequence[Artifact], roles_of: Mapping[str, Sequence[str]], no_degree: set[str],
                        named: Mapping[str, str]) -> list[Artifact]:
    """Candidates without the exam preparation of credentials whose every role still lacks its degree.

    Such a licence or certification is sat after the programme: its route is mapped (a learn item), it is not studied
    for now (an ICU nurse applying to nurse anesthesia school sits the NBCRNA exam years later). A credential the goal
    names (``named``: skill id -> name) keeps its preparation.
    """
    def waits(c: Artifact) -> bool:
        roles = roles_of.get(c.skills[0], ())
        return c.template_id == "credential" and c.skills[0] not in named and bool(roles) and no_degree.issuperset(roles)

    return [c for c in cands if not waits(c)]


def _candidates(gaps: list[Gap], templates: Sequence[ArtifactTemplate], resolve: dict[str, str] | None,
                contexts: dict[str, RoleContext] | None, socs: Sequence[str], goal: str = "") -> list[Artifact]:
    """Candidates for the combined gaps (see :func:`careeros.planner.artifacts.candidates`)."""
    # two target titles of one occupation ("Welding Inspector", "Certified Welding Inspector") share its products
    ctxs = [contexts[c] for c in dict.fromkeys(socs) if c in contexts] if contexts else None
    return candidates(gaps, templates, resolve, ctxs, goal)


def quick_candidates(cands: Sequence[Artifact], weekly_hours: float) -> list[Artifact]:
    """What the fastest-first-evidence strategy chooses from: products done in about a week and a half.

    When none is, the small versions of every product (one or two skills each), not the cheapest bundles of the
    cheapest product alone: a web designer's first evidence may be a small responsive site, where the fifty cheapest
    candidates were all design-system pages (and the plan made two of them).
    """
    quick = [c for c in cands if c.hours <= 1.5 * weekly_hours]
    return quick or [c for c in cands if len(c.skills) <= 2]


def _goal_picks(targets: Sequence[GoalTarget], pool: Sequence[Artifact], gaps: Sequence[Gap],
                budget: float) -> tuple[list[Artifact], list[dict[str, Any]]]:
    """Artifacts the goal asks for by count and topic ("two public ML projects"), and what each target got.

    Best value per hour first; distinct products (or distinct instances of one product) with disjoint skills. Each
    of the ``count`` slots gets an equal share of what is left of the budget, so smaller versions are chosen
    rather than dropping one the person asked for.
    """
    sizes = {g.skill_id: g.size for g in gaps}
    picks: list[Artifact] = []
    report: list[dict[str, Any]] = []
    spent = 0.0
    n_slots = sum(t.count for t in targets)
    for t in targets:
        got: list[Artifact] = []
        fits = [c for c in pool if matches_goal(t, c.kind, c.topics, c.title) and c.id not in {x.id for x in picks}]
        for _ in range(t.count):
            share = (budget - spent) / max(1, n_slots)
            free = [c for c in fits if not any(instance_key(x) == instance_key(c) or set(x.skills) & set(c.skills)
                                               for x in [*picks, *got])]
            if not free:
                break
            base_v = plan_value([*picks, *got], sizes)
            def rank(c: Artifact, t: GoalTarget = t) -> int:  # products whose main topic is the goal's come first
                return next((i for i, x in enumerate(c.topics) if x.lower() in t.topics), len(c.topics))

            within = [c for c in free if c.hours <= share + 1e-9] or [min(free, key=lambda c: (rank(c), c.hours))]
            c = max(within, key=lambda c: (-rank(c), (plan_value([*picks, *got, c], sizes) - base_v) / c.hours,
                                           -c.hours))
            got.append(c)
            spent += c.hours
            n_slots -= 1
        n_slots -= t.count - len(got)
        picks += got
        report.append({"text": t.text, "count": t.count, "kind": t.kind, "topics": t.topics,
                       "planned": len(got), "artifacts": [c.id for c in got]})
    return picks, report


def _choose(strategy: Strategy, reports: Sequence[GapReport], a: AssumptionSet, templates: Sequence[ArtifactTemplate],
            resolve: dict[str, str] | None, core_hours: float, stretch_share: float, weekly_hours: float,
            max_gaps: int, contexts: dict[str, RoleContext] | None = None,
            targets: Sequence[GoalTarget] = (), goal: str = "", spare_hours: float = 0.0,
            parents: Mapping[str, Mapping[str, float]] | None = None) -> _Choice:
    """Artifacts and ordered work items for one strategy.

    ``parents``: the skill hierarchy (a skill id's broader skill ids); broader skills are learned and evidenced first.

    ``spare_hours``: hours a first schedule left to outreach beyond its weekly share (the products finished early);
    they go to study of the next largest gaps (see :func:`_outreach_slack`).
    """
    weights, _ = _role_weights(len(reports), strategy, a)
    bias = a.value("hours_estimate_bias", 1.0)
    combined: dict[str, Gap] = {}
    size: dict[str, float] = {}
    roles_of: dict[str, list[str]] = {}
    no_degree: set[str] = set()  # roles whose degree is among their missing gaps
    for w, rep in zip(weights, reports, strict=True):
        top = sorted(rep.gaps, key=lambda g: -g.size)[:max_gaps]
        if any(_missing_degree(g) for g in top):
            no_degree.add(rep.soc_code)
        total = sum(g.size for g in rep.gaps) or 1.0
        for g in top:
            combined.setdefault(g.skill_id, g)
            size[g.skill_id] = size.get(g.skill_id, 0.0) + w * g.size / total
            roles_of.setdefault(g.skill_id, []).append(rep.soc_code)
    gaps = [combined[s].model_copy(update={"size": size[s]}) for s in combined if size[s] > 0]
    cands = _candidates(gaps, templates, resolve, contexts, [r.soc_code for r in reports], goal)
    cands = exams_after_degrees(cands, roles_of, no_degree, goal_credentials(goal, gaps))
    # a skill practised in an artifact is partly learned while building: only this share is separate study
    in_artifact = a.value("learn_share_in_artifact", 0.5) if contexts else 1.0
    learn = {g.skill_id: _learn_hours(g, a) * bias * in_artifact for g in gaps}
    publish_h = a.value("publish_hours", 2.0) * bias

    def build_hours(art: Artifact) -> float:
        return art.hours * a.value(f"artifact_hours_multiplier.{art.kind}", 1.0) * bias

    def eff(art: Artifact) -> Artifact:
        return art.model_copy(update={"hours": build_hours(art) + _publish_hours(art, publish_h)
                                      + sum(learn.get(s, 0) for s in _learned_in(art))})

    effective = [eff(c) for c in cands]
    by_id = {c.id: c for c in cands}
    core_budget = core_hours * (1 - stretch_share)
    forced, goal_report = _goal_picks(targets, [c for c in effective if c.kind not in STRETCH_KINDS or
                                                any(t.kind == c.kind for t in targets)], gaps, core_hours)
    forced_ids = {x.id for x in forced}
    forced_ids |= {c.id for c in effective if instance_key(c) in {instance_key(x) for x in forced}}
    if strategy == "fastest-first-evidence":
        effective = quick_candidates(effective, weekly_hours)
    core_c = [c for c in effective if c.kind not in STRETCH_KINDS and c.id not in forced_ids]
    stretch_c = [c for c in effective if c.kind in STRETCH_KINDS and c.id not in forced_ids]

    def pick(pool: list[Artifact], gs: list[Gap], budget: float, held: Sequence[Artifact] = ()) -> list[Artifact]:
        if budget <= 0 or not pool:
            return []
        first = choose_artifacts(pool, gs, budget, fixed=[*forced, *held]).chosen
        # learning shared between artifacts was counted once per artifact: spend the double count once more
        shared = sum(x.hours for x in first) - _dedup_hours(first, learn, publish_h, by_id, build_hours)
        if shared > 1e-6:
            return choose_artifacts(pool, gs, budget + shared, fixed=[*forced, *held]).chosen
        return first

    def residual(arts: Sequence[Artifact]) -> list[Gap]:
        miss = {g.skill_id: 1.0 for g in gaps}
        for art in arts:
            for s in art.skills:
                if s in miss:
                    miss[s] *= 1 - art.strength
        return [g.model_copy(update={"size": g.size * miss[g.skill_id]}) for g in gaps if g.size * miss[g.skill_id] > 0]

    forced_h = _dedup_hours(forced, learn, publish_h, by_id, build_hours) if forced else 0.0
    core = forced + pick(core_c, residual(forced), core_budget - forced_h)
    stretch_share = stretch_share if forced_h <= core_budget else max(0.0, 1 - forced_h / core_hours)
    stretch = pick([c for c in stretch_c if instance_key(c) not in {instance_key(x) for x in core}], residual(core),
                   core_hours * stretch_share)
    # budget the stretch share did not use (nothing affordable) goes back to core work on the remaining gaps
    spare = core_hours - _dedup_hours([*core, *stretch], learn, publish_h, by_id, build_hours)
    if spare > 1.0:
        taken = {instance_key(x) for x in [*core, *stretch]}
        left = residual([*core, *stretch])
        extra = pick([c for c in core_c if instance_key(c) not in taken], left, spare, [*core, *stretch])
        # ... unless studying the largest gaps no product covers, in the hours it would take, closes more
        if extra and _study_beats(extra, [*core, *stretch], gaps, size, spare + spare_hours,
                                  _dedup_hours([*core, *stretch, *extra], learn, publish_h, by_id, build_hours)
                                  - _dedup_hours([*core, *stretch], learn, publish_h, by_id, build_hours), a, bias):
            extra = []
        core += extra
    chosen = [(by_id[x.id], False) for x in core] + [(by_id[x.id], True) for x in stretch]
    if strategy == "fastest-first-evidence":
        chosen.sort(key=lambda t: (t[1], t[0].id not in forced_ids, eff(t[0]).hours))
    # numbered ("(second)") in the order they are made, after any reordering
    chosen = [(_skills_in_order(art, parents or {}), st) for art, st in foundations_first(chosen, parents or {})]
    chosen = applications_first(chosen, {g.skill_id for g in gaps if _missing_degree(g)})
    # a tool the product's own practice names ("Deep learning (PyTorch, TensorFlow)") is used while building it
    tools = tools_used(chosen, combined, parents or {})
    seen: dict[str, int] = {}
    repeated = {t for t in (a.title for a, _ in chosen) if sum(1 for a, _ in chosen if a.title == t) > 1}
    first_task = {(c.template_id, tuple(c.soc_codes)): c.task for c in cands if not later_instance(c)}
    for i, (art, st) in enumerate(chosen):  # two instances of one product: "Machine-learning project (second)"
        seen[art.title] = seen.get(art.title, 0) + 1
        n = seen[art.title]
        if art.title not in repeated and later_instance(art):
            # a later instance chosen alone is the product itself: it mirrors the product's best-matching task
            lone = first_task.get((art.template_id, tuple(art.soc_codes)))
            if lone:
                art = art.model_copy(update={"task": lone})
                chosen[i] = (art, st)
        if art.title in repeated:  # each instance says what it centres on, so the two are not the same task twice
            focus = ", ".join(brief_label(x) for x in art.skill_labels[:3]) if art.skill_labels else ""
            upd: dict[str, Any] = {"done": f"{art.done.rstrip('.')}; this one centres on {focus}" if focus else art.done}
            if art.task and any(a.task == art.task for a, _ in chosen[:i]):
                upd["task"] = None  # an earlier instance quotes it already
            if n > 1:
                upd["title"] = f"{art.title} ({_ORDINAL.get(n, str(n))})"
            chosen[i] = (art.model_copy(update=upd), st)
    fam = {c: ctx.family for c, ctx in (contexts or {}).items()}
    plain = [x for x, _ in chosen]  # without the tools used by the way: those have no study hours of their own
    works: list[_Work] = []
    # learned in the product that uses them: a tool its practice names, a practice its done criteria require
    learned: set[str] = {s for ts in tools.values() for s in ts}
    learn_items: set[str] = set()
    floor = STUDY_MIN_SHARE * max((g.size for g in gaps), default=0.0)  # a marginal skill is practised, not studied
    for i, (art, is_stretch) in enumerate(chosen):
        socs = sorted({r for s in art.skills for r in roles_of.get(s, [])})
        f = next((fam[c] for c in [*art.soc_codes, *socs] if c in fam), None)
        deps = []
        for s in art.skills:
            gap = combined.get(s)
            if gap is None:
                continue
            if s not in _learned_in(art) or size.get(s, 0.0) < floor:
                learned.add(s)  # preparing for the exam is its study: no learn item of its own, now or later
                continue
            wid = f"learn:{s}"
            if s in learned:  # learned for an earlier product (a dependency), or prepared for in an exam (none)
                if s in learn_items:
                    deps.append(wid)
                continue
            learned.add(s)
            learn_items.add(s)
            deps.append(wid)
            works.append(_learn_work(gap, learn[s], roles_of.get(s, []), f, is_stretch))
        bid = f"build:{art.id}"
        done = art.done or f"{art.title}: finished and checked by someone who does this work"
        if tools.get(art.id):
            more: dict[str, Any] = {"skills": [*art.skills, *tools[art.id]]}
            if len(art.skill_labels) == len(art.skills):  # "Shows:" names them too, after what it centres on,
                said = " ".join(art.skill_labels).lower()  # unless named already ("Wireframing (Figma, ...)")
                more["skill_labels"] = [*art.skill_labels, *(combined[s].label for s in tools[art.id]
                                                            if combined[s].label.split(" (")[0].lower() not in said)]
            art = art.model_copy(update=more)
            chosen[i] = (art, is_stretch)
        works.append(_Work(bid, "build", art.title, quarter(build_hours(art) * 60), deps, socs, list(art.skills),
                           art.id, is_stretch, done=done[:1].upper() + done[1:], evidence=art.publish or art.proof,
                           milestones=list(art.milestones), label=art.title))
        if art.kind in SELF_STUDY_KINDS:
            continue  # a credential is studied for and booked, not published (the profile lists it once passed)
        pub_done = art.publish_done or (f.publish_done if f else "published and linked from your portfolio or profile")
        works.append(_Work(f"publish:{art.id}", "publish", f"Publish: {art.title}", quarter(publish_h * 60), [bid],
                           socs, list(art.skills), art.id, is_stretch,
                           done=pub_done[:1].upper() + pub_done[1:],
                           evidence=f"link to the published work ({art.publish or art.proof})", label=art.title))
    works += _study_items(gaps, learned, core_hours + spare_hours - _dedup_hours(plain, learn, publish_h, by_id,
                                                                                 build_hours),
                          a, bias, roles_of, fam, MAX_STUDY_ITEMS + (MORE_STUDY_ITEMS if spare_hours > 0 else 0),
                          parents)
    return _Choice(strategy, weights, chosen, works_routes_first(works, gaps), goal_report, no_degree)


def applications_first(chosen: list[tuple[Artifact, bool]], degrees: set[str]) -> list[tuple[Artifact, bool]]:
    """``chosen`` with the products that evidence a missing degree or programme (its application) made first.

    Admission gates the move: a psychiatric nurse applying to nurse practitioner school had two clinical audits and
    two care protocols planned in weeks 1-6 and her program application in weeks 7-8, after the deadlines a coach
    would have her meet first. The rest keep their order.
    """
    if not degrees:
        return chosen
    first = [c for c in chosen if set(c[0].skills) & degrees]
    return [*first, *(c for c in chosen if c not in first)] if first else chosen


#: a credential among this many largest gaps has its route mapped first: eligibility, applications and exam dates take
#: weeks to come back, so a coach checks them in week one (an X-ray technologist's ARRT CT route was in week 8)
ROUTE_FIRST_AMONG = 3


def works_routes_first(works: list[_Work], gaps: Sequence[Gap]) -> list[_Work]:
    """``works`` with the route items of credentials among the ``ROUTE_FIRST_AMONG`` largest gaps moved to the front.

    The route to a missing degree or accredited programme comes first of all, whatever its size: its application
    cycle is the longest wait, and the licence sat after it follows from it (an ICU nurse's route to nurse anesthesia
    school was mapped in week 2, after the route to the NBCRNA exam she sits after the programme).
    """
    top = {g.skill_id for g in sorted(gaps, key=lambda g: -g.size)[:ROUTE_FIRST_AMONG]}
    degrees = {g.skill_id for g in gaps if _missing_degree(g)}
    routes = [w for w in works if w.title.startswith(ROUTE_PREFIX) and not w.deps]
    first = [w for w in routes if set(w.skill_ids) & degrees]
    first += [w for w in routes if w not in first and set(w.skill_ids) & top]
    return [*first, *(w for w in works if w not in first)] if first else works


_T = TypeVar("_T")


def ancestors(skill: str, parents: Mapping[str, Mapping[str, float]]) -> set[str]:
    """Every broader skill of ``skill`` up the hierarchy (PyTorch -> deep learning -> machine learning ...)."""
    out: set[str] = set()
    frontier = [skill]
    while frontier:
        nxt = [p for c in frontier for p in parents.get(c, {}) if p not in out and p != skill]
        out.update(nxt)
        frontier = nxt
    return out


def foundations_order(skills: Sequence[str], parents: Mapping[str, Mapping[str, float]]) -> list[str]:
    """``skills`` with each broader skill before the narrower ones it underlies, otherwise in their order.

    A coach teaches machine learning before deep learning, and deep learning before GPU training optimisation.
    """
    return _topological(list(skills), lambda a, b: a in ancestors(b, parents))


def _skills_in_order(art: Artifact, parents: Mapping[str, Mapping[str, float]]) -> Artifact:
    """``art`` with its skills (and their labels) broader first: it is learned and described in that order."""
    order = foundations_order(art.skills, parents)
    if order == art.skills:
        return art
    upd: dict[str, Any] = {"skills": order}
    if len(art.skill_labels) == len(art.skills):
        at = {s: lab for s, lab in zip(art.skills, art.skill_labels, strict=True)}
        upd["skill_labels"] = [at[s] for s in order]
    return art.model_copy(update=upd)


def foundations_first(chosen: Sequence[tuple[Artifact, bool]],
                      parents: Mapping[str, Mapping[str, float]]) -> list[tuple[Artifact, bool]]:
    """Work products in order, one that evidences a broader skill before one that builds on it.

    A first ML project on model evaluation and machine learning, then the one on deep learning and GPU training,
    not the other way round. Core products stay before stretch ones; otherwise the chosen order is kept.
    """
    anc = {art.id: {p for s in art.skills for p in ancestors(s, parents)} for art, _ in chosen}

    def before(x: tuple[Artifact, bool], y: tuple[Artifact, bool]) -> bool:
        if x[1] != y[1]:
            return False
        return bool(set(x[0].skills) & anc[y[0].id]) and not set(y[0].skills) & anc[x[0].id]

    return _topological(list(chosen), before)


def _topological(items: list[_T], before: Callable[[_T, _T], bool]) -> list[_T]:
    """Stable order in which no item comes after one it must precede (the first free item each time)."""
    left = list(items)
    out: list[_T] = []
    while left:
        i = next((i for i, x in enumerate(left) if not any(before(y, x) for y in left if y is not x)), 0)
        out.append(left.pop(i))
    return out


def tools_used(chosen: Sequence[tuple[Artifact, bool]], gaps: Mapping[str, Gap],
               parents: Mapping[str, Mapping[str, float]]) -> dict[str, list[str]]:
    """Tool gaps each product uses by the way, and practices its definition of done requires, per artifact id.

    A tool gap is used in a product that evidences the practice the tool implies and whose requirement names the
    tool among its examples: a project on "Deep learning (PyTorch, TensorFlow, ...)" is built with PyTorch, so the
    plan does not list "PyTorch (or TensorFlow)" as left for a later plan. Only tools no chosen product covers.
    """
    covered = {s for art, _ in chosen for s in art.skills}
    out: dict[str, list[str]] = {}
    for sid, g in sorted(gaps.items(), key=lambda kv: -kv[1].size):
        # a practice the product's definition of done requires ("prototype tested with three people")
        host = next((art for art, _ in chosen if sid not in covered and does_by_the_way(art, g)), None)
        if host is not None:
            out.setdefault(host.id, []).append(sid)
            covered.add(sid)
            continue
        if sid in covered or g.kind not in ("technology", "tool"):
            continue
        name = g.label.split(" (")[0].strip().lower()
        if not name:
            continue
        for art, _ in chosen:
            hit = [p for p in parents.get(sid, {}) if p in art.skills and p in gaps
                   and name in (x.lower() for x in split_examples(gaps[p].label)[1])]
            if hit:
                out.setdefault(art.id, []).append(sid)
                covered.add(sid)
                break
    return out


#: how much of a gap a study item of its own closes, against a work product's ``strength`` (0.7-0.8): dated notes and
#: a worked example are weaker evidence than a finished product, but they do close part of the gap
STUDY_STRENGTH = 0.4
#: ... and spare budget goes to study rather than to a product only when the product's largest gap is under this share
#: of every gap that study would take up (see :func:`_study_beats`)
STUDY_OVER_PRODUCT = 0.5
#: ... and always when none of the product's gaps is among the STUDY_RANK_FAR largest while study would take up one of
#: the STUDY_RANK_TOP largest
STUDY_RANK_FAR, STUDY_RANK_TOP = 10, 5


def _study_picks(gaps: Sequence[Gap], covered: set[str], hours: float, a: AssumptionSet, bias: float) -> list[Gap]:
    """The gaps study items of their own would take up in ``hours``: as :func:`_study_items` picks them.

    The largest gaps no product covers first (none under ``STUDY_MIN_SHARE`` of the largest gap, no credential: its
    route is mapped, not studied), at most ``MAX_STUDY_ITEMS``.
    """
    out: list[Gap] = []
    for g in (g for g in _study_candidates(gaps, covered) if not is_credential(g.label)):
        h = _learn_hours(g, a) * bias
        if len(out) >= MAX_STUDY_ITEMS or h > hours:
            break
        hours -= h
        out.append(g)
    return out


def _study_beats(extra: Sequence[Artifact], chosen: Sequence[Artifact], gaps: Sequence[Gap], size: dict[str, float],
                 hours: float, extra_hours: float, a: AssumptionSet, bias: float) -> bool:
    """Whether the spare ``hours`` do more as study of the largest gaps no product covers than with ``extra``.

    With ``extra`` the plan closes its value and studies what the hours it leaves allow; without, it studies in all
    of them (each study item closes ``STUDY_STRENGTH`` of its gap). Only a product whose largest gap is under
    ``STUDY_OVER_PRODUCT`` of every gap that study would take up gives way ("Group session plan" for group
    facilitation while advance care planning and palliative care, a medical social worker's second and fourth gaps,
    go unstudied): a product on a gap near those is better evidence of it than notes, and it stays.
    """
    def studied(arts: Sequence[Artifact], h: float) -> float:
        covered = {k for x in arts for k in x.skills}
        return STUDY_STRENGTH * sum(g.size for g in _study_picks(gaps, covered, h, a, bias))

    picks = _study_picks(gaps, {k for x in chosen for k in x.skills}, hours, a, bias)
    if not picks:
        return False
    # by rank too: a product only on gaps far down the list does not take the hours a top gap's study needs (a DOT
    # checklist, gap 18, for a warehouse supervisor aiming at warehouse manager, while budget management, gap 2, went
    # unstudied: the two sizes were close, the ranks not)
    rank = {g.skill_id: i for i, g in enumerate(sorted(gaps, key=lambda g: -g.size))}
    if (min((rank.get(k, len(rank)) for x in extra for k in x.skills), default=len(rank)) >= STUDY_RANK_FAR
            and rank.get(picks[0].skill_id, len(rank)) < STUDY_RANK_TOP):
        return True
    if max((size.get(k, 0.0) for x in extra for k in x.skills), default=0.0) >= STUDY_OVER_PRODUCT * min(
            g.size for g in picks):
        return False
    with_extra = plan_value([*chosen, *extra], size) + studied([*chosen, *extra], hours - extra_hours)
    return plan_value(list(chosen), size) + STUDY_STRENGTH * sum(g.size for g in picks) > with_extra + 1e-9


#: at most this many gaps get study of their own (no work product) in one plan: a plan stays focused
MAX_STUDY_ITEMS = 4
#: and this many more when the weeks would otherwise go to outreach alone (see :func:`_outreach_slack`)
MORE_STUDY_ITEMS = 2


#: a gap smaller than this share of the largest gap gets no study item of its own (see :func:`_study_items`)
STUDY_MIN_SHARE = 0.25


def _study_candidates(gaps: Sequence[Gap], covered: set[str]) -> list[Gap]:
    """The gaps that may get study of their own, largest first; both study selections take them in this order.

    None ``covered`` and none under ``STUDY_MIN_SHARE`` of the largest gap (a coach does not fill spare hours with a
    marginal knowledge area or a tool example: "Communications and Media" for a nurse aiming at practitioner).
    """
    floor = STUDY_MIN_SHARE * max((g.size for g in gaps), default=0.0)
    return sorted((g for g in gaps if g.skill_id not in covered and g.size >= floor), key=lambda g: -g.size)


def _study_items(gaps: Sequence[Gap], learned: set[str], hours_left: float, a: AssumptionSet, bias: float,
                 roles_of: dict[str, list[str]], fam: dict[str, Any], limit: int = MAX_STUDY_ITEMS,
                 parents: Mapping[str, Mapping[str, float]] | None = None) -> list[_Work]:
    """Study of the largest gaps no chosen work product covers, in the core hours the products leave.

    A coach does not leave the next largest requirements to "a later plan" while the last weeks go to outreach
    alone: each gets its own study item (full learning hours, no product to share them with), largest gap first,
    as long as it fits what is left of the core hours. They come after the products' work, so the products keep
    their weeks. Outreach and interview preparation keep their shares (they are not part of the core hours).
    A gap's direct broader gaps (``parents``) that nothing covers yet are studied just before it.
    """
    out: list[_Work] = []
    by_id = {g.skill_id: g for g in gaps}
    picked = set(learned)
    # the route of a licence among the largest gaps keeps its hours whatever study comes first (see :func:`_route`)
    route = _route(gaps, by_id, picked, hours_left, a, bias, roles_of, fam, parents or {})
    if route is not None:
        hours_left -= route.minutes / 60
        picked.update(route.skill_ids)
    for g in _study_candidates(gaps, learned):
        # the practice it directly builds on, when the plan does not cover it yet, is studied first (deep learning
        # before GPU training optimisation); a tool is learned hands-on, not by its broader practice first
        # ... and a credential's route is its group's route too: one route item for "Social work licensure (LCSW)"
        # and its broader "Clinical licensure (LCSW, LPC)", not two
        under = [] if g.kind in ("technology", "tool") or is_credential(g.label) else [
            by_id[p] for p in (parents or {}).get(g.skill_id, {}) if p in by_id and p not in picked]
        for x in [*under, g]:
            if len(out) >= limit or hours_left < MIN_CHUNK / 60:
                return _with_route(out, route, by_id)
            if x.skill_id in picked or (is_credential(x.label) and _credential_kin(x.skill_id, parents or {}, by_id)
                                         & picked):
                continue
            h = _learn_hours(x, a) * bias
            if h > hours_left:
                if x is g:
                    break
                continue
            hours_left -= h
            picked.add(x.skill_id)
            socs = roles_of.get(x.skill_id, [])
            out.append(_learn_work(x, h, socs, next((fam[c] for c in socs if c in fam), None), False))
    return _with_route(out, route, by_id)


#: a licence among this many largest gaps gets its route mapped even when the study items are used up
ROUTE_AMONG_TOP = 10
#: a licence is the law's condition for practising ("Social work licensure (LCSW)"); a certification is a choice
_LICENCE = re.compile(r"\blicen[cs]", re.I)


def _route(gaps: Sequence[Gap], by_id: Mapping[str, Gap], picked: set[str], hours_left: float, a: AssumptionSet,
           bias: float, roles_of: dict[str, list[str]], fam: dict[str, Any],
           parents: Mapping[str, Mapping[str, float]]) -> _Work | None:
    """The route item of the largest licence among the ``ROUTE_AMONG_TOP`` gaps, its hours kept for it.

    A licence the target asks for ("Social work licensure (LCSW)" for a medical social worker) is no gap a coach
    leaves to a later plan because larger study items took the hours and the item count first: mapping its route
    takes a few hours. Licences only (the law's condition for the work); a certification ("CCM", "CPTD") competes with
    study as any gap does. One route (none for a licence a product or the goal covers), in hours still left.
    """
    for g in sorted(gaps, key=lambda g: -g.size)[:ROUTE_AMONG_TOP]:
        if not (is_credential(g.label) and _LICENCE.search(g.label.split("(")[0])):
            continue
        if g.skill_id in picked or _credential_kin(g.skill_id, parents, by_id) & picked:
            return None
        h = _learn_hours(g, a) * bias
        if h > hours_left:
            return None
        socs = roles_of.get(g.skill_id, [])
        return _learn_work(g, h, socs, next((fam[c] for c in socs if c in fam), None), False)
    return None


def _with_route(out: list[_Work], route: _Work | None, by_id: Mapping[str, Gap]) -> list[_Work]:
    """Study items with the route item in its place by gap size (largest first, as the items are)."""
    if route is None:
        return out
    size = by_id[route.skill_ids[0]].size
    at = next((i for i, w in enumerate(out) if w.skill_ids and w.skill_ids[0] in by_id
               and by_id[w.skill_ids[0]].size < size), len(out))
    return [*out[:at], route, *out[at:]]


def _credential_kin(skill_id: str, parents: Mapping[str, Mapping[str, float]], by_id: Mapping[str, Gap]) -> set[str]:
    """The credential gaps directly broader or narrower than ``skill_id`` (a licence and its licence group)."""
    kin = [*parents.get(skill_id, {}), *(c for c, ps in parents.items() if skill_id in ps)]
    return {y for y in kin if y in by_id and is_credential(by_id[y].label)}


def _tool_like(gap: Gap) -> bool:
    """Whether a gap is learned by using a product: a tool or technology, or a concept named by products.

    "PR and media monitoring software (Cision, Meltwater)" is; "Critical path scheduling (Primavera P6, CPM)" and
    "Public relations (press releases, ...)" are not (the first two examples must both read as products), nor work on
    equipment ("Ice machine repair (Manitowoc, Hoshizaki)").
    """
    if gap.kind in ("technology", "tool"):
        return True
    head, examples = split_examples(gap.label)[0], split_examples(gap.label)[1][:2]
    if _HANDS_ON_WORK.search(head):
        return False  # "Ice machine repair (Manitowoc, Hoshizaki)": the products are the equipment worked on
    return len(examples) == 2 and all(product_name(x) for x in examples)


#: a concept named for work done on equipment: its examples name the equipment, not software to learn
_HANDS_ON_WORK = re.compile(r"\b(?:repair|maintenance|installation|servicing|troubleshooting|overhaul|rebuild)s?\s*$",
                            re.IGNORECASE)


#: what a gap's reason says when the person's own evidence names the credential itself (not one of its group, not
#: the path to it)
_HELD = re.compile(r"named in your (?:resume|evidence)|you confirmed|added by you")
_NOT_HELD = re.compile(r"one credential of the group|still learning")


def _credential_held(reason: str) -> bool:
    """Whether a partly shown credential is one the person names (to confirm and list).

    Not one a current job, a lower licence or a related skill merely points to (whose route is mapped): a child
    welfare caseworker's occupation does not hold the LCSW her target asks for.
    """
    return bool(_HELD.search(reason or "")) and not _NOT_HELD.search(reason or "")


#: the title of a credential's route item (a missing licence or certification is earned, not studied)
ROUTE_PREFIX = "Map the route to "


def _learn_work(gap: Gap, hours: float, socs: list[str], family: Any, stretch: bool) -> _Work:
    """The learn item of one gap (for a work product, or study of its own): verb by status, the family's proof."""
    verb = {"missing": "Learn", "weak": "Deepen", "stale": "Refresh"}.get(gap.status, "Learn")
    brief = brief_label(gap.label)
    if is_credential(gap.label):
        # a licence or certification is earned through its granting body, not studied in a session: a missing one
        # gets its route mapped and the first step taken; one partly shown is confirmed and listed
        if gap.status == "missing" or not _credential_held(gap.reason):
            return _Work(f"learn:{gap.skill_id}", "learn", f"{ROUTE_PREFIX}{brief}", quarter(hours * 60), [],
                         socs, [gap.skill_id], None, stretch,
                         done=(f"A one-page route to {brief}: who grants it, eligibility (education, supervised "
                               "practice, exam), cost and dates; the first step booked or applied for"),
                         evidence=f"the route page and the booking or application for {brief}", label=gap.label)
        return _Work(f"learn:{gap.skill_id}", "learn", f"Confirm {brief} and list it", quarter(hours * 60), [], socs,
                     [gap.skill_id], None, stretch,
                     done=(f"{brief} confirmed current with the body that grants it and listed on your resume and "
                           "profile, or its renewal booked"),
                     evidence=f"the licence or certificate number, or the renewal booking, for {brief}",
                     label=gap.label)
    done = ((family.tool_done if family and family.tool_done and _tool_like(gap) else None)
            or (family.learn_done if family else "a worked example of {skill}, written up in one page")).replace(
        "{skill}", brief)
    return _Work(f"learn:{gap.skill_id}", "learn", f"{verb} {brief}", quarter(hours * 60), [], socs,
                 [gap.skill_id], None, stretch, done=done[:1].upper() + done[1:],
                 evidence=(family.learn_proof if family else "dated notes or exercises") + f" on {brief}",
                 label=gap.label)


#: artifact kinds whose preparation is the study itself (no separate learn item) and that are not published
SELF_STUDY_KINDS = frozenset({"certification"})


def _learned_in(art: Artifact) -> list[str]:
    """The skills an artifact's plan adds a learn item for (none for an exam: preparing for it is the study)."""
    return [] if art.kind in SELF_STUDY_KINDS else list(art.skills)


def _publish_hours(art: Artifact, publish_h: float) -> float:
    return 0.0 if art.kind in SELF_STUDY_KINDS else publish_h


def _dedup_hours(arts: Sequence[Artifact], learn: dict[str, float], publish_h: float, by_id: dict[str, Artifact],
                 build_hours: Any) -> float:
    skills = {s for x in arts for s in _learned_in(x)}
    return (sum(build_hours(by_id[x.id]) + _publish_hours(x, publish_h) for x in arts)
            + sum(learn.get(s, 0) for s in skills))


#: a split leaving less than this for a later week finishes this week instead (see :func:`schedule`)
TAIL_MINUTES = 60


def _borrow(tail: int, prep: int, out: int) -> tuple[int, int] | None:
    """Minutes (from prep, from outreach) that free ``tail`` minutes, each keeping a whole session or nothing."""
    for dp in range(min(prep, tail), -1, -QUARTER):
        do = tail - dp
        if do > out:
            break
        if all(v == 0 or v >= MIN_CHUNK for v in (prep - dp, out - do)):
            return dp, do
    return None


@dataclass
class _Sched:
    weeks: list[list[tuple[_Work, int, int, int]]]  # (work, minutes, part, parts) per week
    completed_week: dict[str, int]
    deferred: list[tuple[_Work, int]]


def schedule(works: Sequence[_Work], budget_minutes: int, horizon: int, prep_minutes: int, outreach_minutes: int,
             roles_label: str, roles: list[str], applicant: bool = False) -> _Sched:
    """List-schedule work items into weeks of exactly ``budget_minutes`` (prep/outreach absorb slack).

    Work sessions are whole quarter hours and never shorter than ``MIN_CHUNK``: an item is split only where both
    the slice and what is left are at least half an hour; the week's odd minutes go to interview preparation. A
    split that would leave less than ``TAIL_MINUTES`` for the next week finishes this week instead, with the time
    taken from this week's interview preparation and outreach.
    """
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
        prep += cap % QUARTER  # odd minutes: the work slots stay whole quarter hours
        cap -= cap % QUARTER
        done_now: set[str] = set()
        for w in works:
            if cap <= 0:
                break
            if left[w.id] <= 0 or not all(d in completed or d in done_now for d in w.deps):
                continue
            if cap < MIN_CHUNK and left[w.id] > cap:
                continue
            m = min(left[w.id], cap)
            if m < left[w.id]:  # a split: whole quarters, and leave at least a full session for later
                m -= m % QUARTER
                tail = left[w.id] - m
                give = _borrow(tail, prep, out) if m >= MIN_CHUNK and tail < TAIL_MINUTES else None
                if give is not None:
                    # finish it this week rather than leave a stub session for the next one: this week's interview
                    # preparation and outreach give up the time (what they keep is a whole session or nothing)
                    prep, out = prep - give[0], out - give[1]
                    cap += tail
                    m = left[w.id]
                elif tail < MIN_CHUNK:
                    m = left[w.id] - MIN_CHUNK
                if m < MIN_CHUNK:
                    continue
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
        # no session under half an hour: a stub of outreach goes to interview preparation, and a stub of preparation
        # to outreach
        if 0 < out < MIN_CHUNK:
            prep, out = prep + out, 0
        if 0 < prep < MIN_CHUNK and out:
            prep, out = 0, out + prep
        if out > 0:
            n = 0
            rows.append((_Work(f"outreach:w{wk}", "outreach", f"Outreach for {roles_label}", out,
                               [first_publish] if first_publish else [], roles), out))
            n += 1
        if prep > 0:
            prep_title = (f"{ADMISSION_PREP} for {roles_label} programs" if applicant
                          else f"Interview preparation for {roles_label}")
            rows.append((_Work(f"interview_prep:w{wk}", "interview_prep", prep_title,
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
        return Verification(done=(f"{n} personalised messages sent, each sharing" if n != 1 else
                                  "1 personalised message sent, sharing") + " your latest published work; "
                                 "replies logged", evidence="outbox or contacts log entries dated this week")
    if w.kind == "interview_prep":
        n = max(2, m // 15)
        if w.title.startswith(ADMISSION_PREP):
            return Verification(done=f"{n} admission interview questions answered aloud (why this role, why this "
                                     "program, a case from your own practice told as a STAR story), or one mock "
                                     "interview with a practitioner or adviser", evidence="dated prep notes with your answers")
        return Verification(done=f"{n} practice questions answered aloud, each with a STAR story from your own work, "
                                 "or one mock interview", evidence="dated prep notes with your answers")
    if part < parts:
        return Verification(done=_part_outcome(w, part, parts), evidence=w.evidence)
    return Verification(done=w.done, evidence=w.evidence)


def _part_outcome(w: _Work, part: int, parts: int) -> str:
    """What a finished part of a split work item leaves behind (an outcome, never time spent)."""
    name = brief_label(w.label) if w.label else w.title
    if w.kind == "build" and w.milestones:
        def step(p: int) -> int:
            return min(len(w.milestones) - 1, max(0, math.ceil(p / parts * len(w.milestones)) - 1))

        i = step(part)
        run = [p for p in range(1, parts + 1) if step(p) == i]
        if part < run[-1]:  # several sessions on one step: only the last one finishes it
            # an outcome that is not reached yet reads as the way towards it, never as if it were done
            core = re.sub(r"\s+(?:done|finished|complete[d]?)$", "", w.milestones[i])
            k = run.index(part) + 1
            if k == 1:
                return f"{name}: a first draft towards '{core}' saved, with what is left to do written down"
            return (f"{name}: the draft towards '{core}' taken further (session {k} of {len(run)}), with what is left "
                    "to do written down")
        return f"{name}: {w.milestones[i]}"
    if w.kind == "learn" and w.title.startswith(ROUTE_PREFIX):
        # a route is found out, not studied: its first part is the facts, the last the step taken
        return (f"{name}: who grants it and what it takes to be eligible found and noted" if part == 1
                else f"{name}: cost, dates and the first step written down (part {part})")
    if w.kind == "learn":
        return (f"{name}: the first part of the material worked through, with notes and one exercise done"
                if part == 1 else f"{name}: part {part} of the material worked through, with its exercise done")
    if w.kind == "publish":
        return (f"{name}: write-up drafted (the situation, what you did, the result) with the samples to show chosen"
                if part == 1 else f"{name}: write-up revised after one person's feedback (round {part - 1})")
    return f"{name}: a reviewable draft of " + ("the first section exists" if part == 1 else f"section {part} exists")


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


def _learned(title: str) -> str:
    """Week outcome wording of a learning task: "Learn X" -> "X learned"."""
    for verb, past in (("Learn ", "learned"), ("Deepen ", "deepened"), ("Refresh ", "refreshed")):
        if title.startswith(verb):
            return f"{title.removeprefix(verb)} {past}"
    if title.startswith(ROUTE_PREFIX):
        return f"route to {title.removeprefix(ROUTE_PREFIX)} mapped"
    if title.startswith("Confirm ") and title.endswith(" and list it"):
        return f"{title.removeprefix('Confirm ').removesuffix(' and list it')} confirmed and listed"
    return title


def _doing(title: str) -> str:
    """Week outcome wording of a learning task still under way: "Learn X" -> "learning X"."""
    if title.startswith(ROUTE_PREFIX):
        return f"mapping the route to {title.removeprefix(ROUTE_PREFIX)}"
    return f"learning {title.split(' ', 1)[-1]}"


def _session(minutes: float, budget: int) -> int:
    """A prep/outreach share as whole quarter hours, at least half an hour when the week has room for it."""
    q = int(minutes // QUARTER) * QUARTER
    return max(q, MIN_CHUNK) if budget >= 4 * MIN_CHUNK else q


#: outreach beyond its weekly share worth turning into study (hours over the whole plan)
SLACK_HOURS = 1.0


def _outreach_slack(b: _Built, weekly_hours: float, a: AssumptionSet) -> float:
    """Hours a schedule gave to outreach beyond its weekly share because no work was left for those weeks.

    The products and their learning front-load the plan (outreach waits for the first published work), so with a
    small budget the last weeks were outreach alone ("11 messages a week") while the next largest gaps sat beyond
    the plan. A coach keeps outreach at its share and spends the rest on those gaps.
    """
    budget = int(math.floor(weekly_hours * 60 + 1e-9))
    share = _session(budget * outreach_share(a), budget)
    extra = sum(max(0, t.minutes - share) for wk in b.weeks for t in wk.tasks if t.kind == "outreach")
    return extra / 60


def _assemble(choice: _Choice, reports: Sequence[GapReport], a: AssumptionSet, weekly_hours: float, horizon: int,
              start: date, own: dict[str, str] | None = None, fields: dict[str, str] | None = None) -> _Built:
    budget = int(math.floor(weekly_hours * 60 + 1e-9))
    prep_min = _session(budget * a.value("policy.interview_prep_share", 0.1), budget)
    out_min = _session(budget * outreach_share(a), budget)
    socs = [r.soc_code for r in reports]
    own = {r.soc_code: (own or {}).get(r.soc_code) or getattr(r, "role_title", None) or r.title or r.soc_code
           for r in reports}
    label = " / ".join(own[r.soc_code] for r in reports)
    # every target needs a degree or programme the person lacks: the interviews ahead are admission interviews
    applicant = bool(reports) and all(r.soc_code in choice.no_degree for r in reports)
    sched = schedule(choice.works, budget, horizon, prep_min, out_min, label, socs, applicant)
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
        # a build session that reaches one of the product's milestones says which ("... : submittal and RFI logs
        # built from the drawings"), not "well into" for the fifth week running
        reached = {w.id: out for w, _, part, parts in rows if w.kind == "build" and part < parts and w.milestones
                   and "draft towards" not in (out := _part_outcome(w, part, parts))}
        doing = [t.title if t.kind == "build" else _doing(t.title)
                 for t in tasks if t.kind in ("build", "learn") and t.part < t.parts and t.work_id not in reached]
        learned = [_learned(t.title) for t in tasks if t.kind == "learn" and t.part == t.parts]
        # in the order they happen: a product finished and published in one week is told once
        both = [x for x in built if x in published]
        bits = ([f"finished and published {'; '.join(both)}"] if both else []) + \
               ([f"finished {'; '.join(x for x in built if x not in both)}"] if len(built) > len(both) else []) + \
               ([f"published {'; '.join(x for x in published if x not in both)}"]
                if len(published) > len(both) else []) + \
               list(reached.values()) + ([f"well into {'; '.join(doing[:2])}"] if doing else [])
        if not bits:
            bits = [("; ".join(learned[:4]))] if learned else ["job search: outreach and interview preparation"]
        wstart = start + timedelta(weeks=i - 1)
        weeks.append(Week(week=i, start=wstart, end=wstart + timedelta(days=6), budget_hours=weekly_hours,
                          budget_minutes=budget, minutes=sum(t.minutes for t in tasks),
                          hours=round(sum(t.minutes for t in tasks) / 60, 4), tasks=tasks,
                          milestone=f"Week {i}: " + "; ".join(bits),
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
        roles.append(RoleSummary(soc_code=r.soc_code, title=own[r.soc_code], onet_title=r.title,
                                 field=(fields or {}).get(r.soc_code), priority=round(p, 4), weight=round(rw, 4),
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


def _tradeoff(b: _Built, others: Sequence[_Built], own_first: str) -> str:
    """One line: what this alternative buys and what it costs, against the others."""
    cov = sum(r.coverage_expected for r in b.roles) / max(1, len(b.roles))
    best_cov = max(sum(r.coverage_expected for r in o.roles) / max(1, len(o.roles)) for o in others)
    first = b.first_evidence
    firsts = [o.first_evidence for o in others if o.first_evidence]
    s = b.choice.strategy
    if s == "fastest-first-evidence":
        gain = "something public to show earliest" if first and firsts and first <= min(firsts) else \
            "quick, small pieces of work"
        cost = "but it closes fewer gaps" if cov + 1e-6 < best_cov else "and loses little coverage here"
        return f"{gain} (week {first or '-'}), {cost}."
    if len(b.roles) == 1:
        if s == "focus":
            return (f"all hours on the largest gaps of {own_first}, bigger pieces of work first "
                    f"({b.roles[0].coverage_expected:.0%} of its skills evidenced at the end).")
        return "with a single target this is the same as Deep."
    if s == "focus":
        return (f"goes deepest on {own_first} ({b.roles[0].coverage_expected:.0%} of its skills evidenced), "
                "at the cost of the other targets.")
    return "spreads the hours evenly over all targets, so no single one gets your full attention."


def _focus_path(p: TransitionPath, chosen: Sequence[tuple[Artifact, bool]]) -> TransitionPath:
    """The path's new ground as the skills this plan's work products build for that target (not what you keep)."""
    from careeros.planner.coach import explain_path

    keep = {x.lower() for x in [*p.shared_skills, *p.shared_technologies]}
    new = [lab for art, _ in chosen if p.to_soc in art.soc_codes or not art.soc_codes for lab in art.skill_labels]
    new = [x for x in dict.fromkeys(new) if x.lower() not in keep]
    if not new:  # no work product of this plan serves this target: its largest gaps are ahead, not covered
        q = p.model_copy()
        q.why = explain_path(q, planned=False)
        return q
    q = p.model_copy(update={"missing_skills": new[:6], "missing_technologies": []})
    q.why = explain_path(q)
    return q


def build_plan(profile: Profile, reports: Sequence[GapReport], templates: Sequence[ArtifactTemplate],
               assumptions: AssumptionSet, *, start: date | None = None, overrides: PlanOverrides | None = None,
               resolve: dict[str, str] | None = None, market_snapshot: dict[str, Any] | None = None,
               memory_version: int | None = None, created_at: datetime | None = None,
               strategies: Sequence[Strategy] = STRATEGIES, max_gaps: int = 25,
               contexts: dict[str, RoleContext] | None = None, role_titles: dict[str, str] | None = None,
               current: CurrentRole | None = None, paths: Sequence[TransitionPath] = (),
               limits: Sequence[str] = (), parents: Mapping[str, Mapping[str, float]] | None = None) -> Plan:
    """The best of the ranked alternatives as a :class:`Plan` (pure: no I/O).

    ``contexts`` (role tasks and field per SOC code) turn on field work products; ``role_titles`` are the person's
    own titles per SOC code; ``current`` / ``paths`` explain the move; ``limits`` are stated in the plan.
    """
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
    goal = profile.goal.statement
    # a credential the goal names ("Pass the CWI exam") is a target of its own, like "two projects"
    named = goal_credentials(goal, [g for r in reps for g in sorted(r.gaps, key=lambda g: -g.size)[:max_gaps]])
    targets = [*parse_goal(goal), *(GoalTarget(count=1, kind="certification", topics=[n.lower()],
                                               text=n if is_credential(n) else f"{n} exam")
                                    for n in dict.fromkeys(named.values()))]
    own = {r.soc_code: (role_titles or {}).get(r.soc_code) or getattr(r, "role_title", None) or r.title or r.soc_code
           for r in reps}
    fields = {c: ctx.family.field for c, ctx in (contexts or {}).items()}
    def build(s: Strategy, spare: float = 0.0) -> _Built:
        return _assemble(_choose(s, reps, assumptions, templates, resolve, core_hours, stretch_share, wh, max_gaps,
                                 contexts, targets, goal, spare, parents), reps, assumptions, wh, horizon, start, own, fields)

    built = []
    for s in strategies:
        b = build(s)
        spare = _outreach_slack(b, wh, assumptions)
        built.append(build(s, spare) if spare >= SLACK_HOURS else b)
    order = sorted(range(len(built)), key=lambda i: (-built[i].expected_value,
                                                      built[i].first_evidence or horizon + 1, i))
    best = built[order[0]]
    alts = []
    for rank, i in enumerate(order, start=1):
        b = built[i]
        name = STRATEGY_NAMES.get(b.choice.strategy, b.choice.strategy)
        alts.append(Alternative(
            rank=rank, strategy=b.choice.strategy, chosen=rank == 1, expected_value=b.expected_value,
            work_hours=b.work_hours, artifacts=len(b.choice.chosen), weeks_to_first_evidence=b.first_evidence,
            coverage_expected={r.soc_code: r.coverage_expected for r in b.roles}, risk=b.risk,
            summary=(f"{name}: {len(b.choice.chosen)} work product{'s' if len(b.choice.chosen) != 1 else ''} in "
                     f"{round(b.work_hours * 4) / 4:g} h; "
                     f"{_tradeoff(b, built, own[reps[0].soc_code])}")))
    by_kind: dict[str, float] = {}
    for wk in best.weeks:
        for t in wk.tasks:
            by_kind[t.kind] = by_kind.get(t.kind, 0) + t.minutes
    deferred = [{"work_id": w.id, "kind": w.kind, "title": w.title, "hours_left": round(m / 60, 2)}
                for w, m in best.sched.deferred]
    arts = {a_.id: a_ for a_, _ in best.choice.chosen}
    goal_rows = []
    for g in best.choice.goal:
        done_ids = [x for x in g["artifacts"] if f"build:{x}" in best.sched.completed_week]
        goal_rows.append({**g, "titles": [arts[x].title for x in g["artifacts"] if x in arts],
                          "finished_in_horizon": len(done_ids)})
    lim = list(limits)
    paths = [_focus_path(p, best.choice.chosen) for p in paths]
    for g in goal_rows:
        if g["planned"] < g["count"]:
            lim.append(f"Your goal asks for {g['text']}; only {g['planned']} fit the work of your target roles and the "
                       "hours available. Say which target matters most, or add hours, and the plan makes room.")
        elif g["finished_in_horizon"] < g["count"]:
            lim.append(f"Your goal asks for {g['text']}; at {wh:g} h a week only {g['finished_in_horizon']} can be "
                       f"finished within {horizon} weeks.")
    if deferred:
        hours_left = sum(float(d["hours_left"]) for d in deferred)  # type: ignore[arg-type,misc]
        lim.append(f"About {round(hours_left * 4) / 4:g} h of chosen work does not fit the {horizon} weeks; it is "
                   "listed at the end and moves into the next plan.")
    return Plan(
        plan_id=plan_id_for(profile), created_at=created, strategy=best.choice.strategy, goal=profile.goal.statement,
        inputs={**inputs, "stretch_share_target": stretch_share, "start": start.isoformat(),
                "timezone": profile.timezone, "dropped_roles": list(o.drop_roles), "focus_role": o.focus_role,
                "notes": list(o.notes)},
        roles=best.roles, weeks=best.weeks, deferred=deferred,
        totals={"hours": round(sum(wk.minutes for wk in best.weeks) / 60, 4),
                "by_kind_hours": {k: round(v / 60, 2) for k, v in sorted(by_kind.items())},
                "artifacts": [{"id": art.id, "kind": art.kind, "title": art.title, "stretch": st,
                               "skills": art.skill_labels, "done": art.done, "published_at": art.publish or art.proof,
                               "task": art.task, "field": art.field}
                              for art, st in best.choice.chosen]},
        outcomes=best.outcomes, risk=best.risk, alternatives=alts, assumptions=assumptions.used(),
        assumption_versions=assumptions.versions(), assumptions_fingerprint=assumptions.fingerprint(),
        market_snapshot=market_snapshot or {}, memory_version=memory_version, name=profile.name,
        current_role=current, paths=list(paths), goal_targets=goal_rows, limits=lim,
        artifact_details=[a_ for a_, _ in best.choice.chosen])


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
    """Title -> best O*NET-SOC code by the title normaliser, the titles read together (as `init --target` reads them).

    Call it before opening a warehouse connection: a first build of the normaliser's index reads the warehouse.
    """
    if not titles:
        return {}
    from careeros.market.reference import load_normalizer
    from careeros.planner.target_votes import resolve_person_targets

    norm = load_normalizer()
    # read together, as `careeros init --target` reads them (a guess beside sure targets, the skill map's second opinion)
    return {t: ms[0].soc_code for t, ms in zip(titles, resolve_person_targets(norm, list(titles), k=1), strict=True) if ms}


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
        source: Literal["market_value", "neutral"] = "neutral" if r.market_value_source == "neutral" else \
            "market_value"
        out.append(GapReport(soc_code=r.soc_code, title=r.title, gaps=gaps, coverage=r.coverage or r.coverage_before,
                             market_value_source=source))
    return out
