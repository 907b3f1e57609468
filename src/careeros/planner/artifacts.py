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
import math
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from careeros.planner.gaps import Gap, brief_label, narrower_form, split_examples
from careeros.resources import data_path, load_yaml

log = logging.getLogger("careeros.planner")

DEFAULT_CATALOGUE = data_path("artifacts", "catalogue.yaml")
DEFAULT_PRODUCTS = data_path("artifacts", "work_products.yaml")
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
    software: bool = Field(default=False, description="only offered when a target role is a software/data role")
    done: str = ""


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
    done: str = Field(default="", description="observable definition of done")
    publish: str = Field(default="", description="where the finished artifact is published")
    publish_done: str = Field(default="", description="the publish step's outcome, when not the field's own")
    inherent: list[str] = Field(default_factory=list, description="patterns of practices its done criteria require")
    task: str | None = Field(default=None, description="the target occupation's own task statement it mirrors")
    field: str | None = None
    software: bool = False
    milestones: list[str] = Field(default_factory=list, description="outcomes of the parts of a split build")
    topics: list[str] = Field(default_factory=list)
    soc_codes: list[str] = Field(default_factory=list)


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
        data = load_yaml(f) or {}
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
                                    skill_labels=[g.label], done=t.done, publish=t.proof, software=t.software))
            if t.bundle > 1:
                for n in range(2, min(t.bundle, len(fit)) + 1):
                    grp = fit[:n]
                    labels = [g.label for g in grp]
                    out.append(Artifact(
                        id=f"{t.id}:top{n}", template_id=t.id, kind=t.kind,
                        title=t.title.replace("{skills}", ", ".join(labels)).replace("{skill}", labels[0]),
                        hours=t.hours + t.hours_per_extra_skill * (n - 1), proof=t.proof, strength=t.strength,
                        skills=[g.skill_id for g in grp], skill_labels=labels, done=t.done, publish=t.proof,
                        software=t.software))
        elif t.skills:
            ids = [s if s in by_id else res.get(s.lower(), s) for s in t.skills]
            covered = [s for s in dict.fromkeys(ids) if s in by_id]
            if covered:
                out.append(Artifact(id=t.id, template_id=t.id, kind=t.kind, title=t.title, hours=t.hours,
                                    proof=t.proof, strength=t.strength, skills=covered,
                                    skill_labels=[by_id[s].label for s in covered], done=t.done,
                                    publish=t.proof, software=t.software))
    return out


def plan_value(chosen: Sequence[Artifact], sizes: dict[str, float]) -> float:
    """Submodular value: sum over gaps of size x (1 - prod(1 - strength))."""
    miss = dict.fromkeys(sizes, 1.0)
    for a in chosen:
        for s in a.skills:
            if s in miss:
                miss[s] *= 1.0 - a.strength
    return sum(sizes[s] * (1.0 - m) for s, m in miss.items())


def instance_key(a: Artifact) -> str:
    """One instance of a field product (its bundle sizes ":1", ":2" ... are alternatives of each other).

    Never two products: else one inspection report would be planned twice, as "(second)", over the same skill. A
    second instance that takes up where a smaller first one stops ("#2@1") is the same second instance.
    """
    return a.id.rsplit(":", 1)[0].split("@", 1)[0] if "/" in a.template_id else a.id


def later_instance(a: Artifact) -> bool:
    """A second or later instance of a field product ("15-2051.00:ml-project#2:1", "...#2@1:2")."""
    parts = a.id.split(":")
    return "/" in a.template_id and len(parts) >= 3 and "#" in parts[-2]


def repeats_skills(a: Artifact, others: Sequence[Artifact]) -> bool:
    """Whether ``a`` is another instance of a field product one of ``others`` is, on a skill that one shows already.

    Two "Technical write-up" instances on infrastructure as code are one write-up told twice: a second instance
    takes up other skills ("#2@1" starts where a smaller first one stops, not inside a larger one).
    """
    return "/" in a.template_id and any(
        b.template_id == a.template_id and b.soc_codes == a.soc_codes and instance_key(b) != instance_key(a)
        and set(a.skills) & set(b.skills) for b in others)


def _greedy(cands: Sequence[Artifact], sizes: dict[str, float], budget: float) -> list[Artifact]:
    """Lazy-heap greedy by marginal value per hour within the budget (one bundle size per product instance)."""
    miss = dict.fromkeys(sizes, 1.0)
    taken: set[str] = set()

    def gain(a: Artifact) -> float:
        return sum(sizes[s] * miss[s] * a.strength for s in a.skills if s in miss)

    heap = [(-gain(a) / a.hours, i) for i, a in enumerate(cands)]
    heapq.heapify(heap)
    chosen: list[Artifact] = []
    spent = 0.0
    while heap:
        neg, i = heapq.heappop(heap)
        a = cands[i]
        if spent + a.hours > budget + 1e-9 or instance_key(a) in taken or repeats_skills(a, chosen):
            continue
        cur = gain(a) / a.hours
        if cur <= 1e-12:
            continue
        if heap and cur < -heap[0][0] - 1e-12:  # stale key: re-insert with the fresh marginal ratio
            heapq.heappush(heap, (-cur, i))
            continue
        chosen.append(a)
        taken.add(instance_key(a))
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
            keys = {instance_key(b) for b in rest}
            for c in outside:
                if hr + c.hours <= budget + 1e-9 and instance_key(c) not in keys and not repeats_skills(c, rest):
                    v1 = plan_value([*rest, c], sizes)
                    if _better(v1, hr + c.hours, v0, h0):
                        cur, v0, h0, changed = [*rest, c], v1, hr + c.hours, True
                        break
            if changed:
                break
        if not changed:
            # try adding any affordable candidate (budget left over after swaps)
            keys = {instance_key(b) for b in cur}
            for c in outside:
                if (h0 + c.hours <= budget + 1e-9 and instance_key(c) not in keys and not repeats_skills(c, cur)
                        and plan_value([*cur, c], sizes) > v0 + 1e-9):
                    keys.add(instance_key(c))
                    cur, v0, h0, changed = [*cur, c], plan_value([*cur, c], sizes), h0 + c.hours, True
        if not changed:
            break
    return cur


#: a second instance of a product gives way to another product when the plan keeps at least this share of its value
DISTINCT_PRODUCT_SHARE = 0.85


def _product(a: Artifact) -> tuple[str, tuple[str, ...]]:
    return a.template_id, tuple(a.soc_codes)


def _distinct_products(chosen: list[Artifact], cands: Sequence[Artifact], sizes: dict[str, float],
                       budget: float, fixed: Sequence[Artifact] = ()) -> list[Artifact]:
    """Chosen artifacts, a repeat of a product swapped for another product where that costs little.

    A portfolio of a press release, a crisis playbook and a campaign plan shows more of the work than two press
    releases and a playbook. The swap keeps the budget and ``DISTINCT_PRODUCT_SHARE`` of the plan's value. ``fixed``
    are artifacts the plan holds already (a goal's picks, the products chosen before spare hours are spent): a goal
    that asks for two of a kind is met there, and a product it holds counts as chosen.
    """
    cur = list(chosen)
    held = {_product(b) for b in fixed}
    for a in [x for x in chosen if later_instance(x) or _product(x) in held]:
        rest = [b for b in cur if b is not a]
        used = {_product(b) for b in rest} | held
        if _product(a) not in used:
            continue  # chosen alone it is the product itself, no repeat
        room = budget - sum(b.hours for b in rest)
        # any instance of another product: a later one chosen alone is that product on the gaps its first instance
        # would leave (a "Customer health dashboard" on KPIs and ticketing, not on the customer success the
        # playbook already covers), and it is titled as the product itself
        others = [c for c in cands if _product(c) not in used and c.hours <= room + 1e-9]
        if not others:
            continue
        best = max(others, key=lambda c: (plan_value([*rest, c], sizes), -c.hours))
        if plan_value([*rest, best], sizes) >= DISTINCT_PRODUCT_SHARE * plan_value(cur, sizes):
            cur = [*rest, best]
    return cur


def choose_artifacts(candidates: Sequence[Artifact], gaps: Sequence[Gap], hours_budget: float,
                     soc_code: str | None = None, fixed: Sequence[Artifact] = ()) -> ArtifactPlan:
    """Weighted budgeted set cover of the gaps by candidate artifacts (see module docstring).

    ``fixed``: artifacts the plan holds already (a goal's picks, earlier choices), so their products are not repeated
    lightly.
    """
    sizes = {g.skill_id: g.size for g in gaps if g.size > 0}
    cands = [c for c in candidates if c.hours > 0 and any(s in sizes for s in c.skills) and not repeats_skills(c, fixed)]
    chosen = _improve(_greedy(cands, sizes, hours_budget), cands, sizes, hours_budget)
    singles = [c for c in cands if c.hours <= hours_budget + 1e-9]
    if singles:
        best = max(singles, key=lambda c: (plan_value([c], sizes), -c.hours))
        if _better(plan_value([best], sizes), best.hours, plan_value(chosen, sizes), sum(a.hours for a in chosen)):
            chosen = [best]
    chosen = _distinct_products(chosen, cands, sizes, hours_budget, fixed)
    chosen.sort(key=lambda a: (-plan_value([a], sizes) / a.hours, a.id))
    covered = {s for a in chosen for s in a.skills}
    return ArtifactPlan(
        soc_code=soc_code, hours_budget=hours_budget, total_hours=round(sum(a.hours for a in chosen), 2),
        value_total=round(sum(sizes.values()), 4), value_covered=round(plan_value(chosen, sizes), 4),
        chosen=chosen, uncovered=[g.skill_id for g in sorted(gaps, key=lambda g: -g.size)
                                  if g.skill_id in sizes and g.skill_id not in covered])


def plan_artifacts(gaps: Sequence[Gap], hours_budget: float, templates: Sequence[ArtifactTemplate] | None = None,
                   resolve: dict[str, str] | None = None, soc_code: str | None = None,
                   max_gaps: int = 25, context: RoleContext | None = None) -> ArtifactPlan:
    """Instantiate templates (and the role's field work products) for the largest gaps and choose the artifacts."""
    top = sorted(gaps, key=lambda g: -g.size)[:max_gaps]
    tmpl = load_catalogue() if templates is None else templates
    return choose_artifacts(candidates(top, tmpl, resolve, [context] if context else None), top, hours_budget,
                            soc_code)



# ------------------------------------------------------------------------- work products from the role's own work


class Product(BaseModel):
    """A field work-product template (``data/artifacts/work_products.yaml``)."""

    id: str
    kind: Kind
    title: str
    tasks: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    skill_kinds: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    bundle: int = Field(default=3, ge=1, le=10)
    hours: float = Field(gt=0)
    hours_per_extra_skill: float = Field(default=0.0, ge=0)
    strength: float = Field(default=0.7, gt=0, le=1)
    done: str
    publish: str
    #: the publish step's outcome when it is not the family's (a write-up is a post, not a repository)
    publish_done: str = ""
    milestones: list[str] = Field(default_factory=list)
    #: practices its definition of done makes the person do whatever it centres on (a case study's usability test, a
    #: cost estimate's critical-path schedule): patterns on a requirement's name and first examples
    inherent: list[str] = Field(default_factory=list)
    #: patterns on the person's own title for the role that offer the product when the occupation's statements do
    #: not name its work: a "Patent Agent" is filed under Lawyers, whose O*NET tasks never say "patent"
    title_words: list[str] = Field(default_factory=list)
    #: patterns on the person's own title for the role that withhold the product: a "Staff Accountant" (Accountants and
    #: Auditors, whose tasks say "analyze financial information") closes books, it does not value listed companies
    unless_title_words: list[str] = Field(default_factory=list)
    #: how many instances a plan may hold: 1 for a piece of work whose definition of done names its one subject (an
    #: ASC 606 memo on one contract: a second memo "on" other skills would be the same memo told twice)
    instances: int = Field(default=2, ge=1, le=3)


class Family(BaseModel):
    """A field (SOC group / job family) and the work products people in it make."""

    id: str
    field: str
    software: bool = False
    soc: list[str] = Field(default_factory=list)
    learn_done: str = "a worked example of {skill}, written up in one page"
    #: the outcome of learning a tool or technology of the field ({skill}), when it differs from ``learn_done``
    #: ("a short piece applying Cision for a real audience" reads wrong: a media list built in it does not)
    tool_done: str | None = None
    learn_proof: str = "dated notes"
    publish_done: str = "shared on your portfolio page or professional profile"
    products: list[Product]


class RoleContext(BaseModel):
    """What a target occupation's work looks like: its task statements, DWAs and ESCO skills, and its field."""

    soc_code: str
    title: str | None = None
    own_title: str | None = None
    tasks: list[str] = Field(default_factory=list, description="task statements, most important first")
    dwas: list[str] = Field(default_factory=list)
    esco: list[str] = Field(default_factory=list)
    family: Family


def load_families(path: Path = DEFAULT_PRODUCTS) -> list[Family]:
    """Field families from the work-products YAML (the ``default`` family last)."""
    data = load_yaml(path) or {}
    fams = [Family.model_validate(f) for f in data.get("families", [])]
    return sorted(fams, key=lambda f: f.id == "default")


def family_for(soc_code: str, families: Sequence[Family]) -> Family:
    """The family whose longest SOC prefix matches ``soc_code``; the ``default`` family when none does."""
    best: tuple[int, Family] | None = None
    for f in families:
        for p in f.soc:
            if soc_code.startswith(p) and (best is None or len(p) > best[0]):
                best = (len(p), f)
    if best:
        return best[1]
    default = next((f for f in families if f.id == "default"), None)
    if default is None:
        raise ValueError("work-product catalogue has no default family")
    return default


def role_context(con: Any, soc_code: str, families: Sequence[Family], own_title: str | None = None) -> RoleContext:
    """Read a role's tasks (core first, most incumbents first), DWAs and ESCO essential skills (open connection)."""
    from careeros.warehouse.db import fetch_one, table_exists

    def rows(sql: str) -> list[str]:
        return [r[0] for r in con.execute(sql, [soc_code]).fetchall() if r[0]]  # type: ignore[attr-defined]

    title_row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?",  # type: ignore[attr-defined]
                                      [soc_code])) if table_exists(con, "graph_occupation") else None
    tasks = rows("SELECT task FROM onet_task WHERE soc_code = ? ORDER BY (task_type = 'Core') DESC, "
                 "incumbents_responding DESC NULLS LAST, task_id") if table_exists(con, "onet_task") else []
    dwas = rows("SELECT DISTINCT d.dwa_title FROM onet_task_dwa t JOIN onet_dwa d USING (dwa_id) "
                "WHERE t.soc_code = ? ORDER BY 1") if table_exists(con, "onet_dwa") else []
    esco: list[str] = []
    if table_exists(con, "graph_esco_onet_crosswalk") and table_exists(con, "esco_occupation_skill"):
        esco = rows("SELECT DISTINCT s.preferred_label FROM graph_esco_onet_crosswalk c "
                    "JOIN esco_occupation_skill o ON o.occupation_uri = c.occupation_uri AND "
                    "o.relation_type = 'essential' JOIN esco_skill s ON s.skill_uri = o.skill_uri "
                    "WHERE c.soc_code = ? AND c.rank = 1 ORDER BY 1")
    return RoleContext(soc_code=soc_code, title=title_row[0] if title_row else None, own_title=own_title,
                       tasks=tasks, dwas=dwas, esco=esco, family=family_for(soc_code, families))


#: O*NET's green-economy task statements describe a niche of the occupation (also read by the interview agent)
GREEN_TASK = re.compile(r"\bgreen\b", re.I)


def _match_statements(patterns: Sequence[str], statements: Sequence[str]) -> list[str]:
    """Statements that match the patterns: more matches first, then the given (importance) order; niche ones last."""
    regs = [re.compile(p, re.I) for p in patterns]
    scored = []
    for i, s in enumerate(statements):
        n = sum(1 for r in regs if r.search(s))
        if n:
            scored.append((bool(GREEN_TASK.search(s)), -min(n, 2), i, s))
    return [s for *_, s in sorted(scored)]


_ORDINAL = {2: "second", 3: "third", 4: "fourth"}
_STATEMENT_STOP = frozenset({"with", "from", "that", "such", "their", "other", "using", "into", "data", "work",
                             "based", "systems", "system", "about", "which", "these", "those", "through", "process",
                             "processes", "processing", "management", "managing", "develop", "development",
                             "developing", "including", "various", "related"})


@lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    """Content-word stems (first five letters of words of four or more) of a label or a task statement."""
    return frozenset(w[:5] for w in re.findall(r"[a-z]{4,}", text.lower()) if w not in _STATEMENT_STOP)


#: the least word evidence (summed inverse document frequency over the role's statements) for a statement to be
#: the one an instance mirrors: one word few statements use, or several common ones
TASK_MATCH_MIN = 1.0


def _task_for(matched: Sequence[str], inst: int, labels: Sequence[str], anchored: bool = True) -> str | None:
    """The task statement an instance mirrors: the matching statement sharing most words with its skills.

    A second ML project on GPU training does not quote a feature-selection task.

    Words are weighed by how few of the statements use them; below ``TASK_MATCH_MIN`` the first instance takes the
    product's best-matching statement if it shares any word, and otherwise no statement when the statements were
    matched to the product (``anchored``): the product's best match names work this instance may not do. Statements
    that were not matched (a field with no template: the role's first tasks) keep their order. A later instance does
    not take the first statement while another one shares as many words.
    """
    if not matched:
        return None
    want = set().union(*(_stems(brief_label(x)) for x in labels)) if labels else set()  # what the plan shows
    stems = [_stems(s) for s in matched]
    # a word most of the role's statements use ("instructional" for instructional coordinators) says little
    df: dict[str, int] = {}
    for st in stems:
        for w in st & want:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log((len(matched) + 1) / (n + 0.5)) for w, n in df.items()}
    # task statements and work activities (capitalised sentences), not ESCO's skill phrases ("internal risk
    # management policy")
    pool = [i for i in range(len(matched)) if not (inst and i == 0 and len(matched) > 1) and matched[i][:1].isupper()]
    score = {i: sum(idf[w] for w in stems[i] & want) for i in pool}
    best = max(pool, key=lambda i: (score[i], -i), default=None)
    if best is not None and score[best] >= TASK_MATCH_MIN:
        return matched[best]
    if not anchored:
        return matched[min(inst, len(matched) - 1)]
    # the product's best-matching statement, for its first instance and when it shares a word with what it shows
    return matched[0] if inst == 0 and stems[0] & want else None


def _short_task(text: str, limit: int = 140) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " ..."


#: a product whose subject topics the person's own title for the role names evidences its skills this much more
TITLE_TOPIC_GAIN = 1.15
#: topics that say what kind of product it is, not what it is about
_FORM_TOPICS = frozenset({"write-up", "writeup", "project", "portfolio", "case study", "talk", "course",
                          "certification", "open-source", "open source", "oss", "report", "plan", "sample",
                          "post", "note", "module", "workshop"})


#: how many of a requirement label's examples say what it is about (see :func:`_leading`)
LEADING_EXAMPLES = 3


def _leading(label: str) -> str:
    """A requirement's name with its first few examples: "Deep learning (PyTorch, TensorFlow, transformer models)".

    The examples further down a label are what postings also call it, not what it is about.
    """
    return brief_label(label, LEADING_EXAMPLES)


def folds_under(label: str, host: str) -> bool:
    """Whether requirement ``label`` is listed under ``host`` as a narrower form of it (:func:`narrower_form`).

    A credential is never folded, nor folds another ("Construction management certification (CCM)" is not a form of
    construction management).
    """
    return not is_credential(label) and not is_credential(host) and narrower_form(label, host)


def does_by_the_way(art: Artifact, gap: Gap) -> bool:
    """Whether making ``art`` exercises ``gap`` whatever the artifact centres on (its ``inherent`` practices).

    Read on the requirement's name and first examples: "Critical path scheduling (Primavera P6, CPM, ...)" is done in
    a cost estimate whose critical-path schedule is part of its definition of done. Never a credential.
    """
    if not art.inherent or is_credential(gap.label):
        return False
    text = _leading(gap.label)
    return any(re.search(rf"(?<![a-z0-9])(?:{p})", text, re.I) for p in art.inherent)


def _topic_rx(topics: Sequence[str]) -> re.Pattern[str] | None:
    """A pattern for a product's subject topics by their stems ("estimate" -> "estimat", "schedule" -> "schedul")."""
    stems = []
    for t in topics:
        t = t.lower().strip()
        if not t or t in _FORM_TOPICS:
            continue
        stem = re.sub(r"(?:ing|es|e|s)$", "", t) if len(t) > 4 else t
        stems.append(re.escape(stem))
    return re.compile(rf"(?<![a-z0-9])(?:{'|'.join(stems)})", re.I) if stems else None


#: words of a role title that say its level, not its subject ("Senior", "II"); its kind ("Developer") are role heads
_TITLE_PLAIN = frozenset({"senior", "junior", "lead", "principal", "staff", "associate", "chief", "head", "entry",
                          "level", "and", "the", "for", "with", "iii"})


def title_subject(own_title: str | None, gaps: Sequence[Gap] = ()) -> re.Pattern[str] | None:
    """A pattern for the tool the person's own title for a role is named for.

    "Java" of "Java Developer", "Tableau" of "Tableau Developer": a title word that is itself one of the role's gaps.
    None for a title that names only a kind of role or a field ("Software Engineer", "Clinical Informatics Specialist").
    """
    from careeros.market.titles import role_heads

    heads = role_heads()
    named = {split_examples(g.label)[0].strip().lower() for g in gaps}
    words = [w for w in re.findall(r"[a-z0-9+#]+", (own_title or "").lower())
             if len(w) >= 3 and w not in _TITLE_PLAIN and w not in heads and w in named]
    return (re.compile(rf"(?<![a-z0-9])(?:{'|'.join(map(re.escape, words))})(?![a-z0-9])", re.I)
            if words else None)


def field_candidates(ctx: RoleContext, gaps: Sequence[Gap], instances: int = 2) -> list[Artifact]:
    """Candidate artifacts for one role: its family's work products bound to the gap skills they evidence.

    Each product is anchored to the role's own best-matching task statement (or DWA / ESCO skill); a product
    whose task patterns match nothing the role does is not offered. Skills whose label matches the product's
    patterns are bound with full strength (bundles of 1..``bundle``, largest gaps first); past them, gaps of the
    product's skill kinds are bound at 60% strength. ``instances`` > 1 adds further instances ("(second)") on the
    next skills and the next matching task (so a goal can ask for two projects of one kind).
    """
    fam = ctx.family
    statements = [*ctx.tasks, *ctx.dwas, *ctx.esco]
    ranked = sorted(gaps, key=lambda g: -g.size)
    lead = {g.skill_id: _leading(g.label) for g in ranked}  # read once, matched against every product's patterns
    subject_rx = title_subject(ctx.own_title, gaps)
    # in software, what a project of the field names is shown by doing it: a catch-all write-up ("Technical write-up
    # of a design decision") argues a choice, it does not evidence machine learning to a data science team as a model
    # does (other fields' catch-all write-ups, a quality-improvement case study, are work of their own)
    done_in_projects = {g.skill_id for p in fam.products if fam.software and p.kind == "project"
                        and not _title_names(p.unless_title_words, ctx.own_title)
                        for g in ranked if any(r != ".*" and re.search(rf"(?<![a-z0-9])(?:{r})", lead[g.skill_id], re.I)
                                               for r in p.skills)}
    out: list[Artifact] = []
    for p in fam.products:
        if _title_names(p.unless_title_words, ctx.own_title):
            continue
        matched = _match_statements(p.tasks, statements) if p.tasks else list(ctx.tasks[:instances])
        if p.tasks and not matched and not _title_names(p.title_words, ctx.own_title):
            continue
        regs = [(r == ".*", re.compile(rf"(?<![a-z0-9])(?:{r})", re.I)) for r in p.skills]
        # a named pattern binds any kind; the catch-all binds only the product's skill kinds; neither binds a licence
        # or certification (a lesson module does not evidence a teaching licence, nor a workflow redesign an Epic
        # certification: only the credential does)
        # read on the requirement's name and first examples (``_leading``): an alias far down its list is what
        # postings also call it, not what it is ("machine learning pipelines" does not make MLOps a modelling skill)
        # ... but a degree's route is what a product that names degrees by pattern is about (an application to a
        # graduate program)
        strong = [g for g in ranked if any(
            rx.search(lead[g.skill_id]) and (not wild or g.kind in p.skill_kinds)
            and (p.kind == "certification" or not is_credential(g.label) or (not wild and is_degree(g.label)))
            for wild, rx in regs)]
        # what the product is about comes first: a "Cost estimate and schedule" binds cost estimating and
        # scheduling before the broad "Construction management" its patterns also match
        topic = _topic_rx(p.topics)
        # ... by the requirement's name and its first examples, not one far down its list ("Instructional coaching
        # models (Impact Cycle, ..., modeling lessons)" is not what a lesson module is about)
        about = {g.skill_id for g in strong if topic is not None and topic.search(lead[g.skill_id])}
        # ... and before it, the tool the person's own title for the role is named for: a "Java Developer"'s service
        # binds Java, Java builds and JPA before the containers and REST design its "service" topic also reads
        subject = {g.skill_id for g in strong if subject_rx is not None and subject_rx.search(lead[g.skill_id])}
        about |= subject
        # a product about what the person's own title for the role names ("Real Estate Paralegal": a closing file)
        # is what a hiring manager asks to see first
        gain = TITLE_TOPIC_GAIN if topic is not None and ctx.own_title and topic.search(ctx.own_title) else 1.0
        n_topic = len(about)
        strong.sort(key=lambda g: (g.skill_id not in subject, g.skill_id not in about))  # stable: largest first
        catch_all_only = fam.software and all(r == ".*" for r in p.skills) and p.kind != "project"
        if catch_all_only:
            strong = [g for g in strong if g.skill_id not in done_in_projects]
        bound = {g.skill_id for g in strong}
        weak = [g for g in ranked if g.kind in p.skill_kinds and g.skill_id not in bound
                and not is_credential(g.label) and not (catch_all_only and g.skill_id in done_in_projects)]
        fit = strong + weak  # named skills first; later instances may fall back to skills of the product's kinds
        if not strong and not any(wild for wild, _ in regs):
            continue  # a product none of whose named skills is a gap evidences nothing ("People management" in a press kit)
        if not fit:
            continue
        n_strong, lo = len(strong), 0
        pools: list[tuple[int, str, list[Gap], float]] = []
        for inst in range(min(instances, p.instances)):
            pool = fit[lo:lo + p.bundle]
            if not pool:
                break
            if lo < n_strong:  # named skills only in this instance: full strength ...
                pool = pool[:n_strong - lo]
                # ... unless the product is about something (its topics) and this instance has none of it
                strength = p.strength if not n_topic or lo < n_topic else round(p.strength * 0.6, 4)
            else:
                strength = round(p.strength * 0.6, 4)
            if inst == 1:
                # the second instance may also take up where a smaller first one stops: a first "Machine-learning
                # project" on machine learning alone leaves model evaluation, the next largest gap, to the second
                for j in range(1, min(lo, n_strong)):
                    extra = fit[j:min(j + p.bundle, n_strong)]
                    pools.append((inst, f"@{j}", extra, p.strength if not n_topic or j < n_topic
                                  else round(p.strength * 0.6, 4)))
            lo += len(pool)
            pools.append((inst, "", pool, strength))
        for inst, offset, pool, strength in pools:
            suffix = f"#{inst + 1}{offset}" if inst else ""
            title = p.title  # plans number repeated products ("(second)") only when both are chosen
            for n in range(1, len(pool) + 1):
                grp = pool[:n]
                labels = [g.label for g in grp]
                task = _task_for(matched, inst, labels, bool(p.tasks))
                out.append(Artifact(
                    id=f"{ctx.soc_code}:{p.id}{suffix}:{n}", template_id=f"{fam.id}/{p.id}", kind=p.kind,
                    title=title.replace("{skills}", ", ".join(labels)), strength=round(min(1.0, strength * gain), 4),
                    hours=p.hours + p.hours_per_extra_skill * (n - 1), proof=p.publish, skills=[g.skill_id for g in grp],
                    skill_labels=labels, done=p.done, publish=p.publish, publish_done=p.publish_done,
                    inherent=p.inherent,
                    task=_short_task(task) if task else None, field=fam.field, software=fam.software,
                    milestones=list(p.milestones), topics=list(p.topics), soc_codes=[ctx.soc_code]))
    return out


def _title_names(patterns: Sequence[str], own_title: str | None) -> bool:
    """Whether the person's own title for the role matches one of a product's title patterns.

    ``title_words`` offer the product by them, ``unless_title_words`` withhold it.
    """
    return bool(own_title) and any(re.search(w, own_title or "", re.I) for w in patterns)


#: the words that name a credential ("PMP certification", "NCLEX-PN license", "Life support certifications")
_CREDENTIAL_WORDS = r"certifications?|certificates?|certified|licen[cs](?:e|es|ure)|credentials?"
#: in a label's own name: those words anywhere, "exams" anywhere ("Actuarial exams and associateship"), "licensing"
#: or "exam" only as its last word ("Insurance licensing"; not "Child care licensing and quality standards",
#: "Patient rooming and exam assisting")
_CREDENTIAL_HEAD = re.compile(rf"\b(?:{_CREDENTIAL_WORDS}|exams)\b|\b(?:licen[cs]ing|exam)\s*$", re.I)
#: in one of its examples: those words as the example's last word ("ACLS certified", "forklift license"; not
#: "licensing filings", "software license management", "comprehensive eye exams")
_CREDENTIAL_EXAMPLE = re.compile(rf"\b(?:{_CREDENTIAL_WORDS})\s*$", re.I)
#: certificates a piece of work issues or checks, not a credential a person holds: "phytosanitary certificates",
#: "borrowing base certificates", "good standing certificates" (a lower-case word before the plural; "IBD
#: certificates" are qualifications)
_DOCUMENT_CERTIFICATES = re.compile(r"\b[a-z][a-z-]*\s+certificates\s*$")
#: ... and in a label's name: a leave file's "medical certification" is the doctor's form (FMLA WH-380), not a
#: credential ("FMLA notices and medical certification")
_DOCUMENT_CERTIFICATION_HEAD = re.compile(r"\bmedical certifications?\b", re.I)


def mentions_credential(label: str) -> bool:
    """Whether a gap label names a credential anywhere: in its name or in any of its examples.

    "Six Sigma (DMAIC, ..., green belt certification)" does. What a person's occupation lends everyone in it leaves
    such an item out (belts and licences are earned one by one); a plan prepares for an exam only what
    :func:`is_credential` names.
    """
    head, examples = split_examples(label)
    return bool(_CREDENTIAL_HEAD.search(head)) or any(_CREDENTIAL_EXAMPLE.search(e) for e in examples)


#: share of a practice's examples that name a credential from which the practice reads as the credential itself
#: ("Responsible alcohol service (TIPS certification, TIPS certified, ...)")
CREDENTIAL_EXAMPLE_SHARE = 1 / 3


def names_held_credential(label: str) -> bool:
    """Whether a gap label is a credential a person holds or not, rather than a practice one of whose names is one.

    By its name or first example (:func:`is_credential`), or by a third or more of its examples. "IV therapy (IV
    starts, infusion therapy, ..., IV certification)" is a nurse's daily practice; the one certificate among its
    names is how some people show it.
    """
    if is_credential(label):
        return True
    _, examples = split_examples(label)
    named = sum(1 for e in examples if _CREDENTIAL_EXAMPLE.search(e) and not _DOCUMENT_CERTIFICATES.search(e))
    return bool(examples) and named / len(examples) >= CREDENTIAL_EXAMPLE_SHARE


#: a degree a programme grants, named as the label's last word ("Library science degree (MLIS)", "Nursing degree
#: (BSN/ADN)"; not "Degree audit and transfer credit")
_DEGREE_HEAD = re.compile(r"\bdegree(?:\s*\([^()]*\))?\s*$", re.I)


#: a programme of study by name: "Accredited sonography program (CAAHEP)", "Nurse anesthesia program (COA-accredited
#: DNP/DNAP)"; not a programme someone runs ("Compliance program management") or accredits ("... program accreditation")
_PROGRAM_HEAD = re.compile(r"\bprogram(?:me)?(\s*\([^()]*\))?\s*$", re.I)
_ACCREDITED = re.compile(r"\baccredited\b", re.I)


def is_degree(label: str) -> bool:
    """Whether a gap label names a degree: earned through an accredited programme, with no exam to prepare for.

    A degree by name ("Counseling master's degree (CACREP-accredited)") or an accredited programme of study, by its
    head ("Accredited sonography program (CAAHEP)") or its first example ("Nurse anesthesia program (COA-accredited
    DNP/DNAP)"): a nurse applying to anesthesia school enrols, she does not "learn" the programme in study sessions.
    """
    head, examples = split_examples(label)
    if _DEGREE_HEAD.search(head):
        return True
    m = _PROGRAM_HEAD.search(head)
    return m is not None and (head.lower().startswith("accredited ") or _ACCREDITED.search(m.group(1) or "") is not None
                              or bool(examples and _ACCREDITED.search(examples[0])))


def is_credential(label: str) -> bool:
    """Whether a gap label names a credential: a licence, certification or exam a body grants.

    "Compliance certifications (CCEP, CRCM)", "Advanced Cardiac Life Support (ACLS) (ACLS certification)" and
    "Insurance licensing" do; "Regulatory filings and reporting (regulatory correspondence, licensing filings)" and
    "IT asset management (software license management)" do not.
    """
    head, examples = split_examples(label)
    if _CREDENTIAL_HEAD.search(_DOCUMENT_CERTIFICATION_HEAD.sub("", head)) or is_degree(label):
        return True
    # ... or by its first example, the credential the practice is known by ("Forklift operation (forklift
    # certification, ...)"); one credential-like word further down names a document or a step of the work: "Loan
    # processing and conditions (conditions clearing, VOE, ..., flood certification)", "Sales and use tax compliance
    # (..., exemption certificates)"
    first = examples[0] if examples else ""
    return bool(_CREDENTIAL_EXAMPLE.search(first)) and not _DOCUMENT_CERTIFICATES.search(first)


#: words of a goal that asks for a credential ("Pass the CWI exam"); the credential's name must stand within
#: GOAL_CREDENTIAL_WINDOW characters of one. The verbs count only for a gap that is a credential itself ("pass
#: interviews with PyTorch" does not ask for a PyTorch exam; "earn the PMP" asks for the PMP)
GOAL_CREDENTIAL_RX = re.compile(r"\b(?:exams?|certif\w*|licen[cs]\w*|credentials?)\b", re.I)
GOAL_CREDENTIAL_VERBS = re.compile(r"\b(?:pass(?:ed|ing)?|earn(?:ed|ing)?|get|getting|obtain(?:ed|ing)?|sit)\b", re.I)
GOAL_CREDENTIAL_WINDOW = 30
#: an acronym or a name with capitals and digits: how credentials are named (PMP, CAPM, NCLEX-PN, aPHR, CWI, D1.1)
_CRED_NAME = re.compile(r"(?<![\w-])(?=[\w.+/-]*[A-Z][\w.+/-]*[A-Z0-9])[A-Za-z][\w.+/-]*[A-Za-z0-9](?![\w-])")
#: title prefix of a credential's preparation (the plan renders it as the task's verb)
EXAM_PREP = "Exam preparation: "
CREDENTIAL_HOURS = 30.0
CREDENTIAL_STRENGTH = 0.7
CREDENTIAL_DONE = ("eligibility and the exam outline checked with the certifying body, two timed practice exams "
                   "scored at or above the passing mark, and the exam (or the required course) booked")
CREDENTIAL_MILESTONES = ["eligibility, exam outline and a study schedule set",
                         "first timed practice exam scored and the weak areas listed",
                         "a practice exam at the passing mark and the exam booked"]


def credential_names(label: str) -> list[str]:
    """The names a credential gap goes by: acronyms and capitalised code-like names in its label and examples."""
    return list(dict.fromkeys(m.group(0) for m in _CRED_NAME.finditer(label) if len(m.group(0)) >= 2))


def goal_credentials(goal: str, gaps: Sequence[Gap]) -> dict[str, str]:
    """Gap skill id -> the credential name the goal asks for.

    "Pass the CWI exam" names CWI of a weld-inspection gap; empty when the goal asks for no exam, certificate or
    licence.
    """
    def windows(rx: re.Pattern[str]) -> list[str]:
        w = GOAL_CREDENTIAL_WINDOW
        return [goal[max(0, m.start() - w):m.end() + w] for m in rx.finditer(goal or "")]

    strong, verbs = windows(GOAL_CREDENTIAL_RX), windows(GOAL_CREDENTIAL_VERBS)
    out: dict[str, str] = {}
    for g in gaps if strong or verbs else ():
        near = strong + (verbs if is_credential(g.label) else [])
        for name in credential_names(g.label):
            rx = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
            if any(rx.search(w) for w in near):
                out.setdefault(g.skill_id, name)
                break
    if strong and not out:  # "Get certified and hired as a special education teacher": the role's largest credential
        creds = sorted((g for g in gaps if is_credential(g.label)), key=lambda g: -g.size)
        if creds:
            names = credential_names(creds[0].label)
            out[creds[0].skill_id] = names[0] if names else creds[0].label
    return out


def credential_candidates(gaps: Sequence[Gap], goal: str = "") -> list[Artifact]:
    """Preparation for each credential gap and for any gap whose credential the goal names.

    A study plan, practice exams and the exam booked; field-neutral: a nurse's NCLEX, a programme manager's PMP, a
    welder's CWI.
    """
    named = goal_credentials(goal, gaps)
    out: list[Artifact] = []
    for g in gaps:
        focus = named.get(g.skill_id)
        if (focus is None and not is_credential(g.label)) or is_degree(g.label):
            continue  # a degree's route is mapped by its learn item: there is no exam to prepare for
        what = f"the {focus} exam" if focus and not is_credential(g.label) else g.label
        names = [n.lower() for n in credential_names(g.label)]
        out.append(Artifact(
            id=f"credential:{g.skill_id}", template_id="credential", kind="certification",
            title=f"{EXAM_PREP}{what}", hours=CREDENTIAL_HOURS, proof="the credential, or the exam booking and "
            "practice-exam scores until it is passed", strength=CREDENTIAL_STRENGTH, skills=[g.skill_id],
            skill_labels=[g.label], done=CREDENTIAL_DONE, publish="the credential on your professional profile once "
            "passed", milestones=list(CREDENTIAL_MILESTONES),
            topics=["certification", "exam", "credential", *names]))
    return out


def candidates(gaps: Sequence[Gap], templates: Sequence[ArtifactTemplate], resolve: dict[str, str] | None,
               contexts: Sequence[RoleContext] | None, goal: str = "") -> list[Artifact]:
    """Field work products of each role (when role contexts are known) plus curated catalogue entries that fit.

    Without contexts the whole catalogue is instantiated. With contexts, generic catalogue templates give way to
    the roles' own work products, and software-only entries are offered only when a target role is a
    software/data role; when no product fits, the field-neutral generic templates are the fallback.
    """
    creds = credential_candidates(gaps, goal)
    if not contexts:
        return instantiate(templates, gaps, resolve) + creds
    software = any(c.family.software for c in contexts)
    curated = [t for t in templates if t.skills and (software or not t.software)]
    out = [a for c in contexts for a in field_candidates(c, gaps)]
    seen = {a.id for a in out}
    out += [a for a in instantiate(curated, gaps, resolve) if a.id not in seen]
    if not out:
        out = instantiate([t for t in templates if not t.software and not t.skills], gaps, resolve)
    return out + creds
