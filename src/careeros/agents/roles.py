"""The six role agents: typed input builders and the offline (deterministic) answer of each.

Each agent is one :func:`careeros.llm.complete_structured` call under its purpose. With no model configured
(or when the budget is spent / the model fails) the functions registered here answer from the graph, the
plan and memory. They read only their typed input; untrusted text (contact notes, postings, evidence
chunks) is used as data at most (sentence extraction), never as instructions, and no agent has a handle on
the outbox, the warehouse or another agent: the orchestrator alone writes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from careeros.agents.facts import Facts
from careeros.agents.models import (
    AgentName,
    AgentOutput,
    ArtifactBrief,
    Citation,
    CuratorInput,
    CuratorOutput,
    CurriculumInput,
    CurriculumOutput,
    CurriculumStep,
    GapFact,
    InterviewInput,
    InterviewOutput,
    LinkProposal,
    MessageDraft,
    Milestone,
    OutreachInput,
    OutreachOutput,
    PlanFact,
    ProducerInput,
    ProducerOutput,
    Question,
    RankedContact,
    RiskItem,
    RoleFact,
    StarStory,
    StrategistInput,
    StrategistOutput,
)
from careeros.llm import Tier, register_deterministic

WEEKS_PER_MONTH = 4
#: sentences that read like instructions are never copied out of untrusted text
_INSTRUCTION = re.compile(r"\b(ignore|disregard|approve[ds]?|send|e-?mail|forward|system|assistant|instruction|"
                          r"prompt|password|api key|delete|publish now|override)\b", re.IGNORECASE)


def _edge(soc: str, skill: str) -> str:
    return f"graph_occupation_skill:{soc}/{skill}"


def _task_ref(plan: PlanFact, task_id: str) -> str:
    return f"plan_task:{plan.plan_id}/{task_id}"


def _clip(x: float) -> float:
    return round(min(1.0, max(0.0, x)), 3)


def _labels(roles: list[RoleFact], extra: Mapping[str, list[GapFact]] | None = None) -> dict[str, str]:
    out = {g.skill_id: g.label for r in roles for g in r.gaps}
    for gs in (extra or {}).values():
        out.update({g.skill_id: g.label for g in gs})
    return out


def _gap_citations(roles: list[RoleFact], per_role: int = 3) -> list[Citation]:
    out = []
    for r in roles:
        for g in r.gaps[:per_role]:
            out.append(Citation(ref=_edge(r.soc_code, g.skill_id),
                                note=f"{g.label}: {g.status} for {r.title or r.soc_code} (gap {g.size:.2f})"))
            if g.market_value_cited:
                out.append(Citation(ref=f"market_value:{g.skill_id}/{r.soc_code}",
                                    note=f"market value {g.market_value:.2f}"))
    return out


# ------------------------------------------------------------------------------------------ strategist


def strategist_offline(inp: StrategistInput, untrusted: Mapping[str, str]) -> StrategistOutput:
    """Milestones = plan weeks grouped by month with their verification points; risks from plan and gaps."""
    plan = inp.plan
    months: dict[int, list[Any]] = {}
    for t in plan.tasks:
        months.setdefault((t.week - 1) // WEEKS_PER_MONTH + 1, []).append(t)
    milestones, cites = [], [Citation(ref=f"plan:{plan.plan_id}@v{plan.version}",
                                      note=f"{plan.strategy} plan, {plan.weekly_hours:g} h/week x {plan.horizon_weeks}")]
    for m, tasks in sorted(months.items()):
        weeks = sorted({t.week for t in tasks})
        key = [t for t in tasks if t.kind in ("build", "publish")] or [t for t in tasks if t.kind == "learn"] or tasks
        deliverables = list(dict.fromkeys(t.title for t in key))[:4]
        verification = list(dict.fromkeys(f"W{t.week}: {t.done}" for t in key if t.done))[:4]
        refs = [_task_ref(plan, t.task_id) for t in key[:4]]
        learned = list(dict.fromkeys(t.title.removeprefix("Learn ") for t in tasks if t.kind == "learn"))[:2]
        title = (f"Month {m}: " + ("; ".join(deliverables[:2]) if key is not tasks else "job search")
                 + (f" (learning {', '.join(learned)})" if learned else ""))
        milestones.append(Milestone(month=m, title=title[:300], weeks=weeks, deliverables=deliverables,
                                    verification=verification, task_refs=refs))
        cites += [Citation(ref=r, note=f"month {m} milestone") for r in refs[:2]]
    risks: list[RiskItem] = []
    if plan.overrun_p80_hours > plan.work_hours * 1.05:
        over = plan.overrun_p80_hours - plan.work_hours
        risks.append(RiskItem(risk=f"Estimates run over: at the 80th percentile the work takes {over:.0f} h more "
                                   f"than planned ({plan.overrun_p80_hours:.0f} h vs {plan.work_hours:.0f} h)",
                              likelihood="high" if over > plan.weekly_hours * 2 else "medium",
                              mitigation="Log hours in the daily check-in; if week 4 is behind by more than one "
                                         "week, cut the last artifact of the plan rather than the publish steps"))
    if plan.deferred:
        risks.append(RiskItem(risk=f"{len(plan.deferred)} work items do not fit the horizon: "
                                   + "; ".join(plan.deferred[:3]), likelihood="high",
                              mitigation="Raise weekly hours or drop the lowest-priority role in the next plan"))
    for r in inp.roles:
        if r.coverage_expected < 0.3:
            top = ", ".join(g.label for g in r.gaps[:3])
            risks.append(RiskItem(risk=f"{r.title or r.soc_code}: coverage only {r.coverage_before:.0%} -> "
                                       f"{r.coverage_expected:.0%} after the plan (largest gaps: {top})",
                                  likelihood="medium" if r.coverage_expected >= 0.15 else "high",
                                  mitigation="Apply where the evidenced skills already match; request a 'focus on "
                                             "<role>' re-plan if this role matters most"))
    neutral = not any(g.market_value_cited for r in inp.roles for g in r.gaps)
    if neutral:
        risks.append(RiskItem(risk="Market values are neutral (no posting demand for these roles yet), so the gap "
                                   "ranking reflects O*NET importance only", likelihood="medium",
                              mitigation="Ingest postings (careeros ingest, or feeds) before the next weekly plan"))
    first_pub = min((t.week for t in plan.tasks if t.kind == "publish"), default=None)
    if first_pub is None or first_pub > 4:
        risks.append(RiskItem(risk=f"First public evidence only in week {first_pub or '-'}", likelihood="medium",
                              mitigation="Publish a short write-up of existing work in the first two weeks"))
    if plan.stretch_share > 0.25:
        risks.append(RiskItem(risk=f"Stretch work is {plan.stretch_share:.0%} of the hours", likelihood="medium",
                              mitigation="Keep stretch items after the core artifacts; drop them first"))
    focus_role = inp.roles[0] if inp.roles else None
    focus = (f"{focus_role.title or focus_role.soc_code}: close " + ", ".join(g.label for g in focus_role.gaps[:3])
             if focus_role else "no target role resolved")
    missing = [] if not neutral else ["market values (postings) for the target roles"]
    conf = 0.85 - (0.15 if neutral else 0) - (0.1 if plan.deferred else 0) - (0.05 if plan.status != "approved" else 0)
    return StrategistOutput(confidence=_clip(conf), rationale=cites + _gap_citations(inp.roles), focus=focus,
                            milestones=milestones, risks=risks, insufficient_data=missing)


# ------------------------------------------------------------------------------------------ curriculum


def curriculum_offline(inp: CurriculumInput, untrusted: Mapping[str, str]) -> CurriculumOutput:
    """Learning -> project -> publish steps in the plan's order, each with the evidence it creates."""
    plan = inp.plan
    labels = _labels(inp.roles)
    seen: dict[str, CurriculumStep] = {}
    for t in plan.tasks:
        if t.kind not in ("learn", "build", "publish"):
            continue
        work = t.task_id.split("#", 1)[0]
        if work in seen:
            seen[work].hours = round(seen[work].hours + t.hours, 2)
            continue
        kind = {"learn": "learn", "build": "project", "publish": "publish"}[t.kind]
        seen[work] = CurriculumStep(order=len(seen) + 1, week=t.week, kind=kind, title=t.title,  # type: ignore[arg-type]
                                    skills=[labels.get(s, s) for s in t.skill_ids], hours=t.hours,
                                    evidence_created=t.evidence or t.done, after=t.depends_on,
                                    task_ref=_task_ref(plan, t.task_id))
    steps = list(seen.values())
    covered = {s for t in plan.tasks for s in t.skill_ids}
    top = [(r, g) for r in inp.roles for g in r.gaps[:5]]
    missing = list(dict.fromkeys(g.label for _, g in top if g.skill_id not in covered))
    share = 1 - len(missing) / len(top) if top else 0.0
    cites = [Citation(ref=s.task_ref, note=f"step {s.order}: {s.kind}") for s in steps[:12]]
    cites += [Citation(ref=_edge(r.soc_code, g.skill_id), note=f"{g.label} sequenced") for r, g in top
              if g.skill_id in covered][:6]
    return CurriculumOutput(confidence=_clip(0.5 + 0.45 * share) if steps else 0.2, rationale=cites, steps=steps,
                            skills_without_evidence_path=missing,
                            insufficient_data=[] if steps else ["the plan has no learning or build tasks"])


# ------------------------------------------------------------------------------------------ producer


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return "-".join(s.split("-")[:6]) or "artifact"


def producer_offline(inp: ProducerInput, untrusted: Mapping[str, str]) -> ProducerOutput:
    """One brief per plan artifact: scope, a README to start the repository with, an acceptance checklist."""
    plan = inp.plan
    briefs, cites = [], []
    for art in plan.artifacts:
        aid = str(art.get("id"))
        tasks = [t for t in plan.tasks if t.artifact_id == aid]
        build = [t for t in tasks if t.kind == "build"]
        pub = [t for t in tasks if t.kind == "publish"]
        raw = art.get("skills")
        skills = [str(s) for s in raw] if isinstance(raw, list) else []
        title, kind = str(art.get("title")), str(art.get("kind"))
        hours = sum(t.hours for t in build)
        weeks = sorted({t.week for t in tasks})
        repo = _slug(title)
        is_writeup = kind in ("write-up", "talk", "certification")
        layout = (["docs/post.md        the write-up", "docs/figures/       diagrams and numbers", "NOTES.md            sources"]
                  if is_writeup else
                  ["src/               the code", "tests/             tests that run in CI",
                   "data/README.md     where the (public or synthetic) data comes from", "docs/results.md    the numbers"])
        readme = "\n".join([
            f"# {repo}", "", f"{title}.", "",
            f"Part of {inp.person}'s plan: {plan.goal}", "",
            "## What this shows", *[f"- {s}" for s in skills], "",
            "## Layout", "```", *layout, "```", "",
            "## Status", f"Planned for week(s) {', '.join(map(str, weeks)) or '-'} ({hours:.1f} h of build time).",
        ])
        acceptance = list(dict.fromkeys([*(t.done for t in build if t.done), *(t.evidence for t in build if t.evidence),
                                          *(t.done for t in pub if t.done)]))
        acceptance += ["README states the problem, the approach and one measured result",
                       "Each listed skill is visible in the artifact (code, figure or paragraph)"]
        if not is_writeup:
            acceptance.append("Tests run in CI and pass on a clean checkout")
        briefs.append(ArtifactBrief(artifact_id=aid, title=title, kind=kind,
                                    scope=f"{kind} demonstrating {', '.join(skills) or 'the target skills'}; about "
                                          f"{hours:.0f} h of build time, then publish and link from the profile",
                                    skills=skills, repo_name=repo, readme=readme, acceptance=acceptance, weeks=weeks))
        cites += [Citation(ref=_task_ref(plan, t.task_id), note=f"brief for {aid}") for t in (build[:1] + pub[:1])]
    conf = 0.8 if briefs and all(b.weeks for b in briefs) else (0.5 if briefs else 0.2)
    return ProducerOutput(confidence=conf, rationale=cites + _gap_citations(inp.roles, 2), briefs=briefs,
                          insufficient_data=[] if briefs else ["the plan has no artifacts"])


# ------------------------------------------------------------------------------------------ outreach

_RELATION = {"former colleague": 1.0, "colleague": 1.0, "former manager": 1.0, "manager": 0.9, "mentor": 0.9,
             "friend": 0.8, "meetup": 0.6, "recruiter": 0.6, "alumni": 0.6, "acquaintance": 0.4}
_STOP = {"of", "and", "the", "a", "for", "in", "at", "senior", "staff", "lead", "principal", "junior", "ii", "iii"}


def _tokens(text: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z]+", text.lower()) if w not in _STOP and len(w) > 1}


def _postings_data(untrusted: Mapping[str, str]) -> list[dict[str, Any]]:
    try:
        data = json.loads(untrusted.get("postings") or "[]")
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []


def _header_safe(text: str, limit: int = 120) -> str:
    return " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", text).split())[:limit]


def outreach_offline(inp: OutreachInput, untrusted: Mapping[str, str]) -> OutreachOutput:
    """Rank the person's own contacts by company (hiring for the targets), role and relation; draft messages.

    Posting fields count only as company/title matches; contact notes are never used (third-party text).
    """
    postings = _postings_data(untrusted)
    socs = {r.soc_code for r in inp.roles}
    by_company: dict[str, list[dict[str, Any]]] = {}
    for p in postings:
        by_company.setdefault(str(p.get("company", "")).strip().lower(), []).append(p)
    role_words = set().union(set(), *[_tokens(x) for x in [*inp.target_titles, *(r.title or "" for r in inp.roles)]])
    ranked, cites = [], []
    for c in inp.contacts:
        comp = by_company.get(c.company.strip().lower(), []) if c.company else []
        target = [p for p in comp if p.get("soc_code") in socs]
        company = 1.0 if target else (0.5 if comp else 0.0)
        rw = _tokens(c.role)
        role = len(rw & role_words) / max(1, len(rw)) if rw else 0.0
        if "recruiter" in rw:
            role = max(role, 0.5)
        rel = max([v for k, v in _RELATION.items() if k in c.relation.lower()] or [0.5])
        score = _clip(0.45 * company + 0.35 * role + 0.2 * rel)
        reasons = []
        if target:
            reasons.append(f"{c.company} has {len(target)} posting(s) for the target roles")
        elif comp:
            reasons.append(f"{c.company} is hiring (other roles)")
        if role:
            reasons.append(f"role '{c.role}' overlaps the target roles ({role:.0%})")
        reasons.append(f"relation: {c.relation or 'unknown'}")
        ranked.append((score, c, target or comp, reasons))
    ranked.sort(key=lambda x: (-x[0], x[1].name))
    out_ranked = [RankedContact(contact_id=c.contact_id, name=c.name, company=c.company, score=s, reasons=r)
                  for s, c, _, r in ranked]
    highlight = inp.highlights[0] if inp.highlights else None
    drafts = []
    for s, c, posts, _ in ranked[: inp.max_drafts]:
        if s < 0.3:
            break
        first = c.name.split()[0]
        title = str(posts[0].get("title", "")) if posts else ""
        own = inp.target_titles[0] if inp.target_titles else (inp.roles[0].title if inp.roles else None)
        role_name = _header_safe(title, 80) or _header_safe(own or "engineering", 80)
        subject = _header_safe(f"Question about {role_name} roles at {c.company}" if c.company
                               else f"Catching up: {role_name} work", 200)
        lines = [f"Hi {first},", ""]
        lines.append(f"I hope things are going well at {c.company}." if c.company else "I hope you are well.")
        lines += ["", f"I'm working toward this goal: {inp.goal}"]
        if highlight:
            lines.append(f"Most relevant so far: {highlight.title} ({highlight.source_type}).")
        ask = (f"I saw {c.company} is hiring for {role_name}. Would you have 20 minutes in the next two weeks to tell "
               "me how the team works and what they look for?") if posts else (
               "Would you have 20 minutes in the next two weeks for a short call about how your team works?")
        lines += ["", ask, "", "Thanks,", inp.person]
        drafts.append(MessageDraft(contact_id=c.contact_id, to=c.email, subject=subject, body="\n".join(lines)))
        cites.append(Citation(ref=f"contact:{c.contact_id}", note=f"{c.name} ({c.company}) score {s:.2f}"))
        cites += [Citation(ref=f"posting:{p['posting_id']}", note="hiring signal") for p in posts[:2] if p.get("posting_id")]
    if highlight:
        cites.append(Citation(ref=highlight.ref, note="evidence named in the drafts"))
    top = [s for s, *_ in ranked[: inp.max_drafts]]
    missing = []
    if not postings:
        missing.append("no postings for the target roles or the contacts' companies")
    if not inp.contacts:
        missing.append("no contacts file (profile contacts_file)")
    conf = (0.35 + 0.6 * (sum(top) / len(top))) if top else 0.1
    if not postings:
        conf = min(conf, 0.5)
    return OutreachOutput(confidence=_clip(conf), rationale=cites, ranked=out_ranked, drafts=drafts,
                          insufficient_data=missing)


# ------------------------------------------------------------------------------------------ interview prep

_SKILL_Q = {
    "technology": "What have you built with {label}, and what would you do differently now?",
    "tool": "How have you used {label} in a real project?",
    "skill": "Give an example where your {label} changed the outcome of a project.",
    "knowledge": "How do you apply {label} in your day-to-day engineering work?",
}
_TASK_Q = ["Tell me about a time you had to {t}.", "How would you approach this in our team: {T}",
           "Walk me through how you {t}, step by step."]


_ACTION = re.compile(r"^(?:[A-Z][a-z]+ed|Built|Led|Wrote|Shipped|Ran|Made|Drove|Set up|Taught|Grew|Cut|Won)\b")
_RESULT = re.compile(r"\d|\b(cut|reduc|improv|faster|saved|increas|decreas|from .+ to)\w*", re.IGNORECASE)
_PERSONAL = re.compile(r"@|\+?\d[\d ()-]{7,}\d|https?://")


def _sentences(text: str) -> list[str]:
    """Sentences of an evidence chunk, without instruction-like or personal-data lines."""
    text = re.sub(r"(?m)^#+ .*$", "\n", text)  # headings are not sentences
    text = re.sub(r"(?<![\n.:])\n(?![\n\-*#])", " ", text)  # re-join hard-wrapped lines
    out = []
    for p in re.split(r"(?<=[.!?])\s+|\n+", text):
        p = " ".join(p.strip(" -*#>").split())
        if 25 <= len(p) <= 300 and not _INSTRUCTION.search(p) and not _PERSONAL.search(p):
            out.append(p)
    return out


def interview_offline(inp: InterviewInput, untrusted: Mapping[str, str]) -> InterviewOutput:
    """Questions from the role's O*NET tasks and skills; STAR outlines from the best evidence chunks."""
    role = inp.role
    questions, cites = [], []
    for i, t in enumerate(inp.tasks[:6]):
        low = t.task[0].lower() + t.task[1:].rstrip(".")
        q = _TASK_Q[i % len(_TASK_Q)].format(t=low, T=t.task)
        words = _tokens(t.task)
        ev = [h.ref for h in inp.evidence if len(words & _tokens(h.title + " " + h.query)) >= 2][:2]
        ref = f"onet_task:{t.soc_code}/{t.task_id}"
        questions.append(Question(question=q, kind="task", source_ref=ref, evidence_refs=ev))
        cites.append(Citation(ref=ref, note="O*NET task of the target role"))
    with_ev = 0
    for g in inp.skills:
        ev = [h.ref for h in inp.evidence if g.skill_id in h.skill_ids or h.query == g.label][:2]
        with_ev += bool(ev)
        ref = _edge(role.soc_code, g.skill_id)
        questions.append(Question(question=_SKILL_Q.get(g.kind, _SKILL_Q["skill"]).format(label=g.label),
                                  kind="skill", source_ref=ref, evidence_refs=ev))
        cites.append(Citation(ref=ref, note=f"required skill {g.label}"))
    weak = [g for g in role.gaps if g.status == "missing"][:3]
    for g in weak:
        questions.append(Question(question=f"This role needs {g.label}. How are you getting up to speed with it?",
                                  kind="gap", source_ref=_edge(role.soc_code, g.skill_id)))
    labels = {g.skill_id: g.label for g in [*inp.skills, *role.gaps]}
    stories: list[StarStory] = []
    used: set[str] = set()
    for h in inp.evidence:
        if h.source_path in used or h.title in used or len(stories) >= 4:
            continue
        sents = _sentences(untrusted.get(h.ref, ""))
        acts = [s for s in sents if _ACTION.match(s)] or sents
        if not acts:
            continue
        used |= {h.source_path, h.title}
        action = next((s for s in acts if _RESULT.search(s)), acts[0])
        result = next((s for s in sents if s != action and _RESULT.search(s)),
                      "Quantify the outcome (time, cost, quality) before the interview")
        skills = [labels[s] for s in h.skill_ids if s in labels][:4] or [h.query]
        stories.append(StarStory(title=h.title[:200], evidence_ref=h.ref, skills=skills,
                                 situation=f"{h.title} ({h.source_type})"[:300],
                                 task=f"Show {', '.join(skills[:2])} for a {role.title or role.soc_code} role"[:300],
                                 action=action, result=result))
        cites.append(Citation(ref=h.ref, note=f"STAR story: {h.title[:80]}"))
    share = with_ev / len(inp.skills) if inp.skills else 0.0
    conf = 0.35 + 0.45 * share + (0.15 if len(stories) >= 2 else 0.0)
    missing = [] if inp.evidence else ["no evidence in memory (run curate-evidence)"]
    return InterviewOutput(confidence=_clip(conf), rationale=cites, role=role.title or role.soc_code,
                           questions=questions, stories=stories, weak_spots=[g.label for g in weak],
                           insufficient_data=missing)


# ------------------------------------------------------------------------------------------ evidence curator


def curator_offline(inp: CuratorInput, untrusted: Mapping[str, str]) -> CuratorOutput:
    """Propose accept / reject / defer for pending links (a person decides in the curate-evidence review)."""
    props, cites = [], []
    for link in inp.links:
        if link.corroborated and link.required_by and link.confidence >= 0.4:
            p, why = "accept", f"corroborated by another item and required by {', '.join(link.required_by)}"
        elif link.confidence < 0.3 and not link.required_by:
            p, why = "reject", f"weak ({link.confidence:.2f}) and not required by any target role"
        elif link.required_by and link.confidence >= 0.5:
            p, why = "accept", f"confidence {link.confidence:.2f} and required by {', '.join(link.required_by)}"
        else:
            p, why = "defer", f"confidence {link.confidence:.2f}; a person should look at the evidence"
        props.append(LinkProposal(link_id=link.link_id, skill_id=link.skill_id, proposal=p, reason=why))  # type: ignore[arg-type]
        cites.append(Citation(ref=f"evidence_skill:{link.link_id}", note=f"{link.skill_label}: {p}"))
    decisive = sum(p.proposal != "defer" for p in props) / len(props) if props else 0.0
    return CuratorOutput(confidence=_clip(0.3 + 0.6 * decisive) if props else 0.9, rationale=cites, proposals=props,
                         insufficient_data=[] if props else [])


# ------------------------------------------------------------------------------------------ registry


@dataclass(frozen=True)
class AgentSpec:
    """How to run one agent: purpose, tier, template, types, its input builder and offline function."""

    name: AgentName
    tier: Tier
    input_model: type[BaseModel]
    output_model: type[AgentOutput]
    build: Callable[[Facts], tuple[BaseModel, dict[str, str]]]
    offline: Callable[[Any, Mapping[str, str]], AgentOutput]

    @property
    def template(self) -> str:
        """The prompt template of the purpose."""
        return f"{self.name}.md.j2"


def _strategist_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return StrategistInput(goal=f.goal, plan=f.plan, roles=f.roles), {}


def _curriculum_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return CurriculumInput(plan=f.plan, roles=f.roles), {}


def _producer_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return ProducerInput(person=f.person, plan=f.plan, roles=f.roles), {}


def _outreach_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    untrusted = {"postings": json.dumps(f.postings, sort_keys=True)} if f.postings else {}
    for c in f.contacts:
        if f.contact_notes.get(c.contact_id):
            untrusted[f"contact_notes:{c.contact_id}"] = f.contact_notes[c.contact_id]
    hl = [h for h in f.evidence if h.source_type in ("repo", "publication", "note")][:2]
    return OutreachInput(person=f.person, goal=f.goal, target_titles=f.target_titles, roles=f.roles,
                         contacts=f.contacts, highlights=hl), untrusted


def _interview_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    role = f.roles[0] if f.roles else RoleFact(soc_code="none")
    untrusted = {h.ref: f.chunk_texts[h.ref] for h in f.evidence if h.ref in f.chunk_texts}
    return InterviewInput(role=role, tasks=f.tasks.get(role.soc_code, []), skills=f.role_skills.get(role.soc_code, []),
                          evidence=f.evidence), untrusted


def _curator_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return CuratorInput(links=f.pending_links), {}


AGENTS: dict[str, AgentSpec] = {
    "strategist": AgentSpec("strategist", "deep", StrategistInput, StrategistOutput, _strategist_in, strategist_offline),
    "curriculum": AgentSpec("curriculum", "fast", CurriculumInput, CurriculumOutput, _curriculum_in, curriculum_offline),
    "producer": AgentSpec("producer", "fast", ProducerInput, ProducerOutput, _producer_in, producer_offline),
    "outreach": AgentSpec("outreach", "fast", OutreachInput, OutreachOutput, _outreach_in, outreach_offline),
    "interview_prep": AgentSpec("interview_prep", "fast", InterviewInput, InterviewOutput, _interview_in,
                                interview_offline),
    "evidence_curator": AgentSpec("evidence_curator", "fast", CuratorInput, CuratorOutput, _curator_in,
                                  curator_offline),
}


def register(spec: AgentSpec) -> None:
    """Register one agent's offline function as the deterministic answer for its purpose."""
    def handler(context: Mapping[str, Any], untrusted: Mapping[str, str]) -> AgentOutput:
        return spec.offline(spec.input_model.model_validate(context["input"]), untrusted)

    register_deterministic(spec.name, handler)


def register_all() -> None:
    """Register every agent's offline function with the LLM layer (idempotent; done at import)."""
    for spec in AGENTS.values():
        register(spec)


register_all()
