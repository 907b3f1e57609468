"""Minimal artifacts: choose the smallest-effort set of artifacts that closes the most valuable gaps.

Templates come from ``data/artifacts/catalogue.yaml`` plus any ``*.yaml`` in extra folders (default
``$CAREEROS_HOME/artifacts``). Generic templates are parametrised by skill (``{skill}``/``{skills}``) and
instantiated for the gaps of matching kind, so any gap can be covered; curated templates name their skills.

Value model (submodular): an artifact evidences each covered skill with its ``strength``; the value of a
set is sum over gaps of size x (1 - prod(1 - strength of chosen artifacts covering the gap)). Selection is
greedy by marginal value per hour with a lazy heap, then an improvement pass (drop artifacts that add
nothing, try 1-for-1 and 1-for-2 swaps that raise value within budget or keep value for fewer hours), and
finally the better of that and the best single affordable artifact (the classic budgeted-greedy guard).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field

from careeros.planner.gaps import Gap

log = logging.getLogger("careeros.planner")

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[3] / "data" / "artifacts" / "catalogue.yaml"
Kind = Literal["project", "write-up", "certification", "talk", "open-source", "course"]


class ArtifactTemplate(BaseModel):
    """One catalogue entry (generic when ``applies_to`` is set, curated when ``skills`` is)."""

    id: str
    kind: Kind
    title: str
    hours: float = Field(gt=0)
    hours_per_extra_skill: float = Field(default=0.0, ge=0)
    proof: str
    strength: float = Field(default=0.7, gt=0, le=1)
    applies_to: list[str] = Field(default_factory=list)
    bundle: int = Field(default=1, ge=1, le=10)
    skills: list[str] = Field(default_factory=list)


class Artifact(BaseModel):
    """A concrete candidate artifact: a template bound to the skills it evidences."""

    id: str
    template_id: str
    kind: str
    title: str
    hours: float
    proof: str
    strength: float
    skills: list[str]
    skill_labels: list[str] = Field(default_factory=list)


class ArtifactPlan(BaseModel):
    """The chosen artifacts and what they cover."""

    soc_code: str | None = None
    hours_budget: float
    total_hours: float
    value_total: float = Field(description="sum of gap sizes considered")
    value_covered: float
    chosen: list[Artifact]
    uncovered: list[str] = Field(default_factory=list, description="gap skill ids no chosen artifact covers")


def load_catalogue(extra_dirs: Iterable[Path] = (), base: Path = DEFAULT_CATALOGUE) -> list[ArtifactTemplate]:
    """Templates from the base catalogue plus ``*.yaml``/``*.yml`` files in extra folders (later ids win)."""
    files = [base] if base.is_file() else []
    for d in extra_dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files += sorted([*d.glob("*.yaml"), *d.glob("*.yml")])
    out: dict[str, ArtifactTemplate] = {}
    for f in files:
        data = yaml.safe_load(f.read_text(encoding="utf-8")) or {}
        items = data.get("templates", []) if isinstance(data, dict) else data
        for item in items or []:
            t = ArtifactTemplate.model_validate(item)
            out[t.id] = t
    return list(out.values())


def instantiate(templates: Sequence[ArtifactTemplate], gaps: Sequence[Gap],
                resolve: dict[str, str] | None = None) -> list[Artifact]:
    """Candidate artifacts for these gaps: generic templates per gap skill (and bundles), curated ones as named.

    ``resolve`` maps lower-cased labels to skill ids for curated templates that name skills by label.
    """
    res = resolve or {}
    by_id = {g.skill_id: g for g in gaps}
    ranked = sorted(gaps, key=lambda g: -g.size)
    out: list[Artifact] = []
    for t in templates:
        if t.applies_to:
            fit = [g for g in ranked if g.kind in t.applies_to]
            for g in fit:
                out.append(Artifact(id=f"{t.id}:{g.skill_id}", template_id=t.id, kind=t.kind,
                                    title=t.title.replace("{skills}", g.label).replace("{skill}", g.label),
                                    hours=t.hours, proof=t.proof, strength=t.strength, skills=[g.skill_id],
                                    skill_labels=[g.label]))
            if t.bundle > 1:
                for n in range(2, min(t.bundle, len(fit)) + 1):
                    grp = fit[:n]
                    labels = [g.label for g in grp]
                    out.append(Artifact(
                        id=f"{t.id}:top{n}", template_id=t.id, kind=t.kind,
                        title=t.title.replace("{skills}", ", ".join(labels)).replace("{skill}", labels[0]),
                        hours=t.hours + t.hours_per_extra_skill * (n - 1), proof=t.proof, strength=t.strength,
                        skills=[g.skill_id for g in grp], skill_labels=labels))
        elif t.skills:
            ids = [s if s in by_id else res.get(s.lower(), s) for s in t.skills]
            covered = [s for s in dict.fromkeys(ids) if s in by_id]
            if covered:
                out.append(Artifact(id=t.id, template_id=t.id, kind=t.kind, title=t.title, hours=t.hours,
                                    proof=t.proof, strength=t.strength, skills=covered,
                                    skill_labels=[by_id[s].label for s in covered]))
    return out


def plan_value(chosen: Sequence[Artifact], sizes: dict[str, float]) -> float:
    """Submodular value: sum over gaps of size x (1 - prod(1 - strength))."""
    miss = dict.fromkeys(sizes, 1.0)
    for a in chosen:
        for s in a.skills:
            if s in miss:
                miss[s] *= 1.0 - a.strength
    return sum(sizes[s] * (1.0 - m) for s, m in miss.items())


def _greedy(cands: Sequence[Artifact], sizes: dict[str, float], budget: float) -> list[Artifact]:
    """Lazy-heap greedy by marginal value per hour within the budget."""
    miss = dict.fromkeys(sizes, 1.0)

    def gain(a: Artifact) -> float:
        return sum(sizes[s] * miss[s] * a.strength for s in a.skills if s in miss)

    heap = [(-gain(a) / a.hours, i) for i, a in enumerate(cands)]
    heapq.heapify(heap)
    chosen: list[Artifact] = []
    spent = 0.0
    while heap:
        neg, i = heapq.heappop(heap)
        a = cands[i]
        if spent + a.hours > budget + 1e-9:
            continue
        cur = gain(a) / a.hours
        if cur <= 1e-12:
            continue
        if heap and cur < -heap[0][0] - 1e-12:  # stale key: re-insert with the fresh marginal ratio
            heapq.heappush(heap, (-cur, i))
            continue
        chosen.append(a)
        spent += a.hours
        for s in a.skills:
            if s in miss:
                miss[s] *= 1.0 - a.strength
    return chosen


def _better(v1: float, h1: float, v0: float, h0: float) -> bool:
    return v1 > v0 + 1e-9 or (abs(v1 - v0) <= 1e-9 and h1 < h0 - 1e-9)


def _improve(chosen: list[Artifact], cands: Sequence[Artifact], sizes: dict[str, float],
             budget: float, rounds: int = 3) -> list[Artifact]:
    """Local search: drop useless artifacts, then 1-for-1 and 1-for-2 swaps (first improvement)."""
    cur = list(chosen)

    def hours(xs: Sequence[Artifact]) -> float:
        return sum(a.hours for a in xs)

    for _ in range(rounds):
        changed = False
        # drop artifacts whose removal loses no value (smaller effort for the same result)
        for a in list(cur):
            rest = [b for b in cur if b is not a]
            if plan_value(rest, sizes) >= plan_value(cur, sizes) - 1e-9:
                cur = rest
                changed = True
        v0, h0 = plan_value(cur, sizes), hours(cur)
        ids = {a.id for a in cur}
        outside = [c for c in cands if c.id not in ids]
        # cheap prefilter: only candidates that touch a gap
        outside = [c for c in outside if any(s in sizes for s in c.skills)][:400]
        for a in list(cur):
            rest = [b for b in cur if b is not a]
            hr = hours(rest)
            for c in outside:
                if hr + c.hours <= budget + 1e-9:
                    v1 = plan_value([*rest, c], sizes)
                    if _better(v1, hr + c.hours, v0, h0):
                        cur, v0, h0, changed = [*rest, c], v1, hr + c.hours, True
                        break
            if changed:
                break
        if not changed:
            # try adding any affordable candidate (budget left over after swaps)
            for c in outside:
                if h0 + c.hours <= budget + 1e-9 and plan_value([*cur, c], sizes) > v0 + 1e-9:
                    cur, v0, h0, changed = [*cur, c], plan_value([*cur, c], sizes), h0 + c.hours, True
        if not changed:
            break
    return cur


def choose_artifacts(candidates: Sequence[Artifact], gaps: Sequence[Gap], hours_budget: float,
                     soc_code: str | None = None) -> ArtifactPlan:
    """Weighted budgeted set cover of the gaps by candidate artifacts (see module docstring)."""
    sizes = {g.skill_id: g.size for g in gaps if g.size > 0}
    cands = [c for c in candidates if c.hours > 0 and any(s in sizes for s in c.skills)]
    chosen = _improve(_greedy(cands, sizes, hours_budget), cands, sizes, hours_budget)
    singles = [c for c in cands if c.hours <= hours_budget + 1e-9]
    if singles:
        best = max(singles, key=lambda c: (plan_value([c], sizes), -c.hours))
        if _better(plan_value([best], sizes), best.hours, plan_value(chosen, sizes), sum(a.hours for a in chosen)):
            chosen = [best]
    chosen.sort(key=lambda a: (-plan_value([a], sizes) / a.hours, a.id))
    covered = {s for a in chosen for s in a.skills}
    return ArtifactPlan(
        soc_code=soc_code, hours_budget=hours_budget, total_hours=round(sum(a.hours for a in chosen), 2),
        value_total=round(sum(sizes.values()), 4), value_covered=round(plan_value(chosen, sizes), 4),
        chosen=chosen, uncovered=[g.skill_id for g in sorted(gaps, key=lambda g: -g.size)
                                  if g.skill_id in sizes and g.skill_id not in covered])


def plan_artifacts(gaps: Sequence[Gap], hours_budget: float, templates: Sequence[ArtifactTemplate] | None = None,
                   resolve: dict[str, str] | None = None, soc_code: str | None = None,
                   max_gaps: int = 25) -> ArtifactPlan:
    """Instantiate templates for the largest ``max_gaps`` gaps and choose the artifacts."""
    top = sorted(gaps, key=lambda g: -g.size)[:max_gaps]
    tmpl = load_catalogue() if templates is None else templates
    return choose_artifacts(instantiate(tmpl, top, resolve), top, hours_budget, soc_code)

