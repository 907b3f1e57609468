"""The six role agents: typed input builders and the offline (deterministic) answer of each.

Each agent is one :func:`careeros.llm.complete_structured` call under its purpose. With no model configured
(or when the budget is spent / the model fails) the functions registered here answer from the graph, the
plan and memory. They read only their typed input; untrusted text (contact notes, postings, evidence
chunks) is used as data at most (sentence extraction), never as instructions, and no agent has a handle on
the outbox, the warehouse or another agent: the orchestrator alone writes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from careeros.agents.facts import Facts
from careeros.agents.fields import FIELD_TOOL, OFFICE_TOOL, Field, field_by_key, field_for, in_sentence
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
    LearningPath,
    LinkProposal,
    MessageDraft,
    Milestone,
    OutreachInput,
    OutreachOutput,
    PersonFacts,
    PlanFact,
    ProducerInput,
    ProducerOutput,
    Question,
    RankedContact,
    ResumeBullet,
    RiskItem,
    RoleFact,
    StarStory,
    StrategistInput,
    StrategistOutput,
    TaskStatement,
    WorkItem,
)
from careeros.agents.resume import QUANT, RESULT, same_company
from careeros.evidence.resume_facts import ROLE_NOUNS
from careeros.llm import Tier, register_deterministic
from careeros.planner.artifacts import GREEN_TASK, folds_under, is_credential
from careeros.planner.gaps import MINOR_WORDS, brief_label, product_name, split_examples
from careeros.planner.requirements import phrase_stems

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
            if not g.edge:
                continue  # a requirement from the postings side has no graph edge to cite
            out.append(Citation(ref=_edge(r.soc_code, g.skill_id),
                                note=f"{g.label}: {g.status} for {r.title or r.soc_code} (gap {g.size:.2f})"))
            if g.market_value_cited:
                out.append(Citation(ref=f"market_value:{g.skill_id}/{r.soc_code}",
                                    note=f"market value {g.market_value:.2f}"))
    return out


# ------------------------------------------------------------------------------------------ person and field


def _person(p: PersonFacts | None, roles: list[RoleFact], goal: str = "") -> PersonFacts:
    """The person facts of an input (older inputs without them: derived from the roles)."""
    if p is not None:
        return p
    first = roles[0].soc_code if roles else None
    f = field_for(first)
    return PersonFacts(name="", goal=goal, target_titles=[r.title or r.soc_code for r in roles],
                       role_titles={r.soc_code: r.title or r.soc_code for r in roles}, field=f.key,
                       software=f.software)


def _field(p: PersonFacts, soc: str | None = None) -> Field:
    return field_for(soc) if soc else field_by_key(p.field)


def _title(p: PersonFacts, r: RoleFact) -> str:
    return p.role_titles.get(r.soc_code) or r.title or "the target role"


def _join(items: list[str], last: str = "and") -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


_NUM = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine",
        10: "ten", 11: "eleven", 12: "twelve"}


def _months(weeks: int) -> str:
    m = max(1, round(weeks / 4.345))
    return "a month" if m == 1 else f"{_NUM.get(m, str(m))} months"


_GOAL_SPAN = re.compile(r"\b(?:within|in|over)\s+(?:the\s+next\s+)?(?P<n>\d+|an?|one|two|three|four|five|six|seven|"
                        r"eight|nine|ten|eleven|twelve|eighteen)\s+(?P<unit>weeks?|months?|years?)\b", re.IGNORECASE)


def goal_span(goal: str) -> tuple[str, float] | None:
    """The time frame a goal names, in the person's words and in weeks ("within 6 months" -> ("6 months", 26.1))."""
    m = _GOAL_SPAN.search(goal or "")
    if not m:
        return None
    words = {v: k for k, v in _NUM.items()} | {"a": 1, "an": 1, "eighteen": 18}
    raw = m.group("n").lower()
    n = int(raw) if raw.isdigit() else words.get(raw, 0)
    if n <= 0:
        return None
    unit = m.group("unit").lower().rstrip("s")
    weeks = n * {"week": 1.0, "month": 4.345, "year": 52.18}[unit]
    return f"{m.group('n')} {m.group('unit')}", weeks


def _hours(h: float) -> str:
    q = round(h * 4) / 4
    return f"{q:g} h"


def _goal_counts(goal: str) -> list[tuple[int, str]]:
    """Counted deliverables the goal names ("two public ML projects" -> (2, "public ML projects"))."""
    words = {v: k for k, v in _NUM.items()}
    out = []
    for m in re.finditer(r"\b(\d+|one|two|three|four|five|six)\s+((?:[\w-]+\s+){0,3}?"
                         r"(?:projects?|case stud(?:y|ies)|articles?|posts?|certifications?|certificates?|"
                         r"portfolio pieces?|lesson plans?|modules?|talks?|papers?))\b", goal, re.IGNORECASE):
        n = int(m.group(1)) if m.group(1).isdigit() else words.get(m.group(1).lower(), 0)
        if n:
            out.append((n, m.group(2)))
    return out


# ------------------------------------------------------------------------------------------ strategist

#: the plan's note for a session that works towards a stage without finishing it (see ``planner.plan._part_outcome``)
_PROGRESS_NOTE = re.compile(r": (?:a first draft towards|the draft towards) '")


#: done criteria that count time spent, not an outcome (a session slice of the plan)
_TIME_SPENT = re.compile(r"\bh of progress\b|^\d+(?:\.\d+)?\s*h\b|\bcommits or notes dated\b", re.IGNORECASE)


def _clean_task_title(title: str) -> str:
    return re.sub(r"\s*\((?:missing|weak|stale|part \d+/\d+)[^)]*\)", "", title).strip()


def _merge_publish(titles: list[str]) -> list[str]:
    """"X" and "Publish: X" in one month read "X (built and published)"; a lone "Publish: X" reads "X published"."""
    out: list[str] = []
    for t in titles:
        if t.startswith("Publish: "):
            base = t.removeprefix("Publish: ")
            if base in out:
                out[out.index(base)] = f"{base} (built and published)"
            else:
                out.append(f"{base} published")
        else:
            out.append(t)
    return out


#: the longest month milestone title (the strategist's output) before it is cut at a word
MILESTONE_TITLE_MAX = 300


def strategist_offline(inp: StrategistInput, untrusted: Mapping[str, str]) -> StrategistOutput:
    """Milestones = plan weeks grouped by month with their verification points; focus and risks in the person's terms."""
    plan = inp.plan
    person = _person(inp.person, inp.roles, inp.goal)
    months: dict[int, list[Any]] = {}
    for t in plan.tasks:
        months.setdefault((t.week - 1) // WEEKS_PER_MONTH + 1, []).append(t)
    milestones, cites = [], [Citation(ref=f"plan:{plan.plan_id}@v{plan.version}",
                                      note=f"{plan.strategy} plan, {plan.weekly_hours:g} h/week x {plan.horizon_weeks}")]
    for m, tasks in sorted(months.items()):
        weeks = sorted({t.week for t in tasks})
        key = [t for t in tasks if t.kind in ("build", "publish")] or [t for t in tasks if t.kind == "learn"] or tasks
        deliverables = _merge_publish(list(dict.fromkeys(_clean_task_title(t.title) for t in key)))[:4]
        # a month is checked by what it finishes, not by a session's progress note
        verification = list(dict.fromkeys(f"Week {t.week}: {t.done}" for t in key
                                          if t.done and not _TIME_SPENT.search(t.done)
                                          and not _PROGRESS_NOTE.search(t.done)))[:4]
        if not verification and key:  # only session slices this month: the outcome is a first version to show
            verification = [f"Week {weeks[-1]}: a first version of '{deliverables[0]}' you can show someone"]
        refs = [_task_ref(plan, t.task_id) for t in key[:4]]
        # a month names what it teaches by the skills' names; their examples are in the gap list and the curriculum
        learned = list(dict.fromkeys(split_examples(re.sub(r"^(?:Learn|Deepen|Refresh) ", "",
                                                           _clean_task_title(t.title)))[0]
                                     for t in tasks if t.kind == "learn"))[:2]
        title = (f"Month {m}: " + ("; ".join(deliverables[:2]) if key is not tasks else "applications and interviews")
                 + (f" (learning {_join(learned)})" if learned else ""))
        if len(title) > MILESTONE_TITLE_MAX:  # cut at a word, never inside one
            title = title[:MILESTONE_TITLE_MAX].rsplit(" ", 1)[0].rstrip(",;(") + " …"
        milestones.append(Milestone(month=m, title=title, weeks=weeks, deliverables=deliverables,
                                    verification=verification, task_refs=refs))
        cites += [Citation(ref=r, note=f"month {m} milestone") for r in refs[:2]]
    hours = _hours(plan.weekly_hours)
    risks: list[RiskItem] = []
    if plan.overrun_p80_hours > plan.work_hours * 1.05:
        over = plan.overrun_p80_hours - plan.work_hours
        risks.append(RiskItem(risk=f"At {hours} a week the work may run over: in a bad case it takes about "
                                   f"{over:.0f} h more than planned ({plan.overrun_p80_hours:.0f} h instead of "
                                   f"{plan.work_hours:.0f} h), roughly {over / max(plan.weekly_hours, 1):.0f} extra "
                                   "week(s)",
                              likelihood="high" if over > plan.weekly_hours * 2 else "medium",
                              mitigation="Log your hours in the daily check-in; if you are more than a week behind by "
                                         "week 4, drop the last piece of work in the plan rather than the step where "
                                         "you share it"))
    if plan.deferred:
        risks.append(RiskItem(risk=f"{len(plan.deferred)} piece(s) of work do not fit in {plan.horizon_weeks} weeks "
                                   f"at {hours} a week: " + "; ".join(_clean_task_title(d) for d in plan.deferred[:3]),
                              likelihood="high",
                              mitigation="Add hours per week, or narrow the plan to your first target role"))
    for r in inp.roles:
        if r.coverage_expected < 0.3:
            top = _join([in_sentence(brief_label(g.label), g.kind) for g in r.gaps[:3]])
            risks.append(RiskItem(risk=f"{_title(person, r)}: your evidence covers {r.coverage_before:.0%} of what the "
                                       f"role asks for and the plan lifts it only to {r.coverage_expected:.0%} "
                                       f"(largest gaps: {top})",
                                  likelihood="medium" if r.coverage_expected >= 0.15 else "high",
                                  mitigation=f"Apply for {_title(person, r)} roles where your current strengths "
                                             f"already match, and ask for a plan focused on {_title(person, r)} if it "
                                             "matters most to you"))
    neutral = not any(g.market_value_cited for r in inp.roles for g in r.gaps)
    if neutral:
        risks.append(RiskItem(risk="There are no job postings for your target roles in the data yet, so the order of "
                                   "what to learn rests on the occupation profile alone", likelihood="medium",
                              mitigation="Add postings you are interested in (careeros ingest, or a feed file) before "
                                         "the next weekly plan"))
    first_pub = min((t.week for t in plan.tasks if t.kind == "publish"), default=None)
    if first_pub is None or first_pub > 4:
        f0 = _field(person, inp.roles[0].soc_code if inp.roles else None)
        risks.append(RiskItem(risk="Nothing you can show to an employer before week "
                                   f"{first_pub or plan.horizon_weeks}", likelihood="medium",
                              mitigation=f"In the first two weeks, write up one thing you have already done and "
                                         f"{f0.publish}"))
    if plan.stretch_share > 0.25:
        risks.append(RiskItem(risk=f"{plan.stretch_share:.0%} of your hours go to stretch work", likelihood="medium",
                              mitigation="Do the stretch items after the core pieces and drop them first"))
    built = sum(1 for a in plan.artifacts if str(a.get("kind")) in ("project", "open-source"))
    for n, what in _goal_counts(inp.goal):
        if "project" in what.lower() and built < n:
            risks.append(RiskItem(risk=f"Your goal asks for {_NUM.get(n, n)} {what}; the plan has {built} project(s)",
                                  likelihood="high", mitigation="Ask for a re-plan that keeps the projects your goal "
                                                                "names, or change the goal"))
    focus_role = inp.roles[0] if inp.roles else None
    targets = _join([person.role_titles.get(r.soc_code) or r.title or "" for r in inp.roles], "or")
    if focus_role:
        begins = plan_order(plan)  # what the plan starts on first, not the largest gaps it reaches in week 10
        first = sorted((g for g in focus_role.gaps if g.skill_id in begins), key=lambda g: begins[g.skill_id])
        gaps = _join([in_sentence(brief_label(g.label), g.kind) for g in (first or focus_role.gaps)[:3]])
        focus = (f"{_title(person, focus_role)} first: with {hours} a week for {plan.horizon_weeks} weeks, learn "
                 f"{gaps} and show them in work you can share.")
    else:
        focus = "No target role could be matched to an occupation yet: check the role titles in your profile."
    why = []
    if focus_role:
        gain = focus_role.coverage_expected - focus_role.coverage_before
        span = goal_span(inp.goal)
        if span is None or abs(span[1] - plan.horizon_weeks) <= 2:
            aim = f"You aim at {targets} within {span[0] if span else _months(plan.horizon_weeks)}; "
        elif span[1] > plan.horizon_weeks:  # the person's time frame, not the plan's: this plan is its first stretch
            aim = (f"You aim at {targets} within {span[0]}, and this plan covers the first "
                   f"{_months(plan.horizon_weeks)} of that. ")
        else:
            aim = f"You aim at {targets} within {span[0]}, and this plan runs {plan.horizon_weeks} weeks. "
        why.append(f"{aim}{_title(person, focus_role)} comes first in your profile and in the plan" + (
                       f", which takes your evidence from {focus_role.coverage_before:.0%} to "
                       f"{focus_role.coverage_expected:.0%} of what the role asks for." if gain >= 0.05 else "."))
        if person.current_title:
            why.append(f"Your experience as {_a(person.current_title)} already counts; the plan adds what it does "
                       "not show yet.")
        for n, what in _goal_counts(inp.goal):
            why.append(f"Your goal names {_NUM.get(n, n)} {what}: they are the checkpoints that matter most.")
    if inp.recent:  # short-term context: what the person decided or reported lately, best first
        why.append("Since the last plan: " + "; ".join(x.rstrip(".") for x in inp.recent[:3]) + ".")
    missing = [] if not neutral else ["job postings for the target roles"]
    conf = 0.85 - (0.15 if neutral else 0) - (0.1 if plan.deferred else 0) - (0.05 if plan.status != "approved" else 0)
    return StrategistOutput(confidence=_clip(conf), rationale=cites + _gap_citations(inp.roles), focus=focus,
                            milestones=milestones, risks=risks, insufficient_data=missing, why=why)


# ------------------------------------------------------------------------------------------ curriculum


#: a task names a skill when it shares one of the label's own words and their rarity among the role's tasks adds up
#: to this (a word in one task of 25: about 2.8 per word, twice for the label's own words; in 15 of 25: about 0.5)
TASK_MATCH_MIN = 2.0
#: interview questions drawn from the role's task statements: up to this many that name the role's skills, and
#: at least TASK_QUESTIONS_LEAST (O*NET's first tasks fill up)
TASK_QUESTIONS, TASK_QUESTIONS_LEAST = 6, 3
#: a resume line is framed as one of the role's tasks when they share this many content words ("designed ... to
#: state standards" and a task "designed to meet ... district standards" share two)
STAR_TASK_MIN = 3


#: words that say nothing about what a task or a resume line is about ("such", "new", "using")
_GENERIC_STEMS = frozenset(phrase_stems("from into onto up per via such other others new use used using related "
                                        "various including include within across all any each more most their your"))


#: activities nearly every occupation's tasks name: one of them alone does not tie a task to a skill
_BROAD_STEMS = frozenset(phrase_stems("develop development manage management design plan planning system systems "
                                      "data project process program work service support information operations"))


#: the people a task serves, kept apart from the activity ("types of learners" is not "learning evaluation")
_PEOPLE = frozenset({"learner", "student", "patient", "client", "customer", "user", "employee", "worker", "member",
                     "child", "children", "trainee"})


def content_stems(text: str) -> set[str]:
    """The words of a text that say what it is about, compared loosely (see :func:`phrase_stems`).

    A role noun or the people served stay themselves: "report status to managers" is not about "budget management",
    nor "collaborate with developers" about "relational database development".
    """
    out: set[str] = set()
    # "e-learning", "e-commerce": one word, not "learning" (a prefix of one or two letters joins the word)
    for w in re.findall(r"[a-z0-9+#]+", re.sub(r"\b([a-z]{1,2})-(?=[a-z]{3})", r"\1", text.lower())):
        base = w[:-1] if w.endswith("s") else w
        if base in ROLE_NOUNS or base in _PEOPLE:
            out.add(f"role:{base}")
        else:
            out |= phrase_stems(w)
    return out - _GENERIC_STEMS


def _names_skill(own: set[str], extra: set[str], bag: set[str]) -> bool:
    """A task names a skill when it has the label's one word, or two of its words, or one and an example's word.

    One word of several is a modifier more often than the subject: "Needs analysis" is not a task about "student
    educational needs", "Design systems" not one that develops "system interaction diagrams", "Large language
    models" not one that processes "large sets of data". With an example's word, the label's word must be more than
    an activity every role names ("development" with "stored procedures" is not a database task).
    """
    hit = own & bag
    return bool(hit) and (len(own) < 2 or len(hit) >= 2 or (bool(extra & bag) and bool(hit - _BROAD_STEMS)))


def _tasks_about(label: str, tasks: list[TaskStatement], k: int = 1) -> list[str]:
    """O*NET task statements of the role that name a skill best.

    Words compared loosely ("budgeting" is "budget"), each weighed by how few of the role's tasks use it (a
    construction manager's tasks all say "project"), the label's own words twice its examples': "Project budgeting
    (budget tracking, ...)" is used where a task says "budget estimates", not where it says "review projects".
    """
    head, examples = split_examples(label)
    own = content_stems(head)
    extra = content_stems(" ".join(examples)) - own
    words = own | extra
    bags = [content_stems(t.task) for t in tasks]
    n = len(bags)
    idf = {w: math.log((n + 1) / (0.5 + sum(1 for b in bags if w in b))) for w in words}
    scored = sorted(((sum(idf[w] * (2.0 if w in own else 1.0) for w in words & b), i, t.task)
                     for i, (t, b) in enumerate(zip(tasks, bags, strict=True)) if _names_skill(own, extra, b)),
                    key=lambda x: (-x[0], x[1]))
    return [t.rstrip(".") for sc, _, t in scored[:k] if sc >= TASK_MATCH_MIN]


_GREEN_ROLE = re.compile(r"\bgreen\b|sustainab|renewable|\benergy\b|environment|\bLEED\b|solar|\bwind\b|climate",
                         re.IGNORECASE)


def relevant_tasks(tasks: list[TaskStatement], labels: list[str], k: int, least: int = 0) -> list[TaskStatement]:
    """Up to ``k`` tasks of a role that name most of what it asks for, in O*NET's order (core tasks first).

    An Instructional Designer filed under Instructional Coordinators is asked about curricula and training
    materials, not about the coordinators' "advise and teach students": a task counts by the role's skill labels
    it names (:func:`_tasks_about`'s measure); tasks that name none only fill up to ``least``, in O*NET's order.
    O*NET's green-economy tasks come last unless the role's skills are about green work.
    """
    if len(tasks) <= least:
        return list(tasks)
    at: dict[str, int] = {}
    for j, x in enumerate(tasks):
        at.setdefault(x.task.rstrip("."), j)
    score = [0.0] * len(tasks)
    for label in dict.fromkeys(labels):
        for t in _tasks_about(label, tasks, k=3):
            score[at[t]] += 1.0
    # O*NET's green-economy tasks ("financial analyses related to investments in green construction") describe a
    # niche of the occupation: for a role whose skills are not about green work they come after every other task
    niche = (set() if any(_GREEN_ROLE.search(label) for label in labels)
             else {i for i, x in enumerate(tasks) if GREEN_TASK.search(x.task)})
    ranked = sorted(range(len(tasks)), key=lambda i: (i in niche, -score[i], i))[:k]
    keep = [i for n, i in enumerate(ranked) if score[i] > 0 or n < least]
    return [tasks[i] for i in sorted(keep)]


def _parts_of(core: str, examples: list[str]) -> list[str]:
    """The examples of a label that name a part of it, not the same thing again.

    "Prospecting (cold calling, lead qualification)": parts. "Clinical data analysis (patient data, healthcare data)",
    "EHR configuration (clinical system configuration, EHR optimization)" or "Backward design (Understanding by
    Design) (UbD)": other names for it (they share its words, or are its initials).
    """
    own = content_stems(core)

    def initials(text: str) -> set[str]:
        return {"".join(w[0] for w in re.findall(r"[a-z0-9]+", x.lower()) if keep or w not in MINOR_WORDS)
                for x in re.split(r"[()]", text) if x.strip() for keep in (False, True)}

    names = initials(core) | {i for x in examples for i in initials(x) if len(x.split()) > 1}
    # "DCF" beside "discounted cash flow", "FP&A" beside "financial planning and analysis": one item, not two
    return [x for x in examples if not (content_stems(x) & own)
            and re.sub(r"[^a-z0-9]", "", x.lower()) not in names]


def learning_path(g: GapFact, role_title: str, f: Field, tasks: list[TaskStatement]) -> tuple[list[str], str, str]:
    """(topics in order, practice, checkpoint) for one gap, in the words of the field."""
    topics, practice, check = _learning_path(g, role_title, f, tasks)
    return [t[:1].upper() + t[1:] for t in topics], practice[:1].upper() + practice[1:], check[:1].upper() + check[1:]


#: a task statement longer than this many words is cut to its gist when it is quoted in a learning path
TASK_GIST_WORDS = 14
_VERB_SERIES = re.compile(r"^([a-z]+)(?:, [a-z]+)+,? (and|or) ([a-z]+) ")
_PURPOSE = re.compile(r",? (?:in order to|so that|to ensure|to support|to improve|to meet|to determine|to identify|"
                      r"to provide|to assist|to help|to maintain|to promote|to facilitate|for use|"
                      r"(?:using|with|through) (?:\w+ )?(?:methods|techniques|tools|means|sources|procedures) such as|"
                      r"such as|including|"
                      r"according to|in accordance with|in collaboration with|in coordination with) ")


def task_gist(task: str, keep: set[str] | frozenset[str] = frozenset()) -> str:
    """A long O*NET task statement as a reader takes it in, lower-case first word.

    "Design, develop, select, test, implement, and evaluate new or modified informatics solutions ... to support
    patients, health care professionals, and ..." reads "design and evaluate new or modified informatics solutions
    ...": a run of verbs keeps its first and last, and a purpose clause ("to support", "in order to", "such as")
    goes, as long as what is left still names the words in ``keep`` (the skill the task was chosen for).
    """
    t = task[0].lower() + task[1:] if task else task
    if len(t.split()) <= TASK_GIST_WORDS:
        return t
    short = _VERB_SERIES.sub(lambda m: f"{m[1]} {m[2]} {m[3]} ", t, count=1)
    m = _PURPOSE.search(short)
    if m and len(short[:m.start()].split()) >= 4 and keep <= content_stems(short[:m.start()]):
        short = short[:m.start()]
    return short if keep <= content_stems(short) else t


def _learning_path(g: GapFact, role_title: str, f: Field, tasks: list[TaskStatement]) -> tuple[list[str], str, str]:
    label = in_sentence(brief_label(g.label), g.kind)
    used_in = _tasks_about(label, tasks)
    anchor = task_gist(used_in[0], content_stems(split_examples(label)[0]) & content_stems(used_in[0])) \
        if used_in else ""
    where = (f"as when {_a(role_title)} has to {anchor}" if used_in
             else f"the way {_a(role_title)} uses it week to week")
    if g.kind in ("technology", "tool") and OFFICE_TOOL.search(label) and not f.software:
        topics = [f"{label} essentials: the features {_a(role_title)} uses every week",
                  f"{label} for a real task, {where}",
                  f"Shortcuts, templates and checks in {label}"]
        low = label.lower()
        if re.search(r"powerpoint|slides|keynote|prezi", low):
            practice = f"Prepare a 10-minute teaching session for your {f.team} in {label} and give it"
            check = "You give the session and two colleagues tell you what they will do differently"
        elif re.search(r"outlook|teams|zoom|slack|webex|e-?mail|calendar", low):
            practice = f"Run one recurring part of your week in {label}: meetings, follow-ups and shared notes"
            check = f"For four weeks every follow-up from your meetings is tracked in {label} and none is missed"
        elif re.search(r"word|docs|pages|acrobat|onenote", low):
            practice = f"Write one template your {f.team} needs (a handover sheet, a checklist, a letter) in {label}"
            check = f"A colleague uses your {label} template for a real task without asking you how it works"
        else:
            practice = f.office_practice.format(label=label)
            check = f"A colleague uses your {label} file for a real task without asking you how it works"
        return topics, practice, check
    own = FIELD_TOOL.get(f.key)
    if g.kind in ("technology", "tool") and not f.software and own is not None and not own.search(label):
        topics = [f"What {label} is for and where {_a(role_title)} meets it",
                  f"{label} in practice, {where}",
                  f"Checks and common mistakes with {label}"]
        return (topics, f"Use {label} for one real task in your {f.work} and keep notes on what it changed",
                f"A colleague repeats the task with {label} from your notes and gets the same result")
    if g.kind in ("technology", "tool"):
        if f.software:
            topics = [f"{label} fundamentals: work through the official tutorial end to end",
                      f"{label} in practice, {where}",
                      f"Testing, debugging and performance with {label}"]
        else:
            topics = [f"Getting around {label}: the screens, records and shortcuts you will use daily",
                      f"{label} in practice, {where}",
                      f"Checks and reports in {label}: catching errors before someone else does"]
        return topics, f.tool_practice.format(label=label), f.tool_check.format(label=label)
    if g.kind == "knowledge":
        topics = [f"Core concepts and vocabulary of {label}",
                  f"{label} at work, {where}",
                  f"Current standards, guidelines and common mistakes in {label}"]
        check = (f"Explain {label} to {f.reviewer} in ten minutes, with one example from {f.practice}, "
                 "and score 80% or more on a practice test")
        return topics, f.knowledge_practice.format(label=label), check
    # a licence or certification: an exam (read on the whole label: "Accreditation in Public Relations (APR) (...,
    # IABC certification)" names its kind among examples the short label leaves out)
    if not g.skill_id.startswith("onet:") and (is_credential(label) or is_credential(g.label)):
        core, examples = split_examples(label)
        alt = f" (or {_join(examples, 'or')})" if examples else ""
        topics = [f"What {core}{alt} requires: eligibility, the exam outline and how to book it, from the "
                  "certifying body's own pages",
                  "The exam outline domain by domain with one prep course or the official study guide",
                  "A timed practice exam, then the domains under the passing mark studied again"]
        return (topics, "Two full practice exams under exam conditions, each with a list of what it got wrong",
                "A practice exam at or above the passing mark, and the exam booked")
    if not g.skill_id.startswith("onet:"):  # a concept (financial modeling, patient care, instructional design)
        core, examples = split_examples(label)
        if len(examples) > 1 and all(product_name(x) for x in examples):
            # "E-learning development (Articulate Storyline, Adobe Captivate)": start with a tool
            first = (f"{core[:1].upper() + core[1:]} hands-on: pick one of {_join(examples, 'or')} (a free trial "
                     f"or community edition is enough) and work through its getting-started course")
        elif len(parts := _parts_of(core, examples)) > 1:  # "Prospecting (cold calling, lead qualification)"
            first = (f"{core[:1].upper() + core[1:]} through its parts ({_join(parts)}): the steps and vocabulary "
                     "of each, from one course module or textbook chapter")
        elif len(examples) > 1:  # "Clinical data analysis (patient data, healthcare data)": other names, not parts
            first = (f"Foundations of {core}: the standard method and its vocabulary ({', '.join(examples)}), from one "
                     "course module or textbook chapter")
        elif examples:  # "Instructional design (ADDIE)": the named method is the way in
            first = (f"{core[:1].upper() + core[1:]} through {examples[0]}: its steps and vocabulary from one course "
                     "module or textbook chapter")
        else:
            first = (f"Foundations of {core}: the standard method and its vocabulary (one course module or textbook "
                     "chapter)")
        topics = [first, f"One realistic case worked end to end with {core}, {where}",
                  f"Your work set beside a published example of {core}, and the differences fixed"]
        check = (f"{f.reviewer[0].upper() + f.reviewer[1:]} reviews your {core} piece and every point they raise "
                 "is fixed")
        return topics, f.concept_practice.format(label=core), check
    topics = [f"What good {label} looks like for {_a(role_title)}: study two worked examples",
              f"Deliberate practice of {label} on {f.practice}",
              f"Feedback on your {label} from {f.reviewer}"]
    check = f"{f.reviewer[0].upper() + f.reviewer[1:]} observes or reviews one piece of your {label} and signs it off"
    return topics, f.skill_practice.format(label=label), check


def _left_behind(kind: str, title: str, skill_ids: list[str], labels: Mapping[str, str]) -> str:
    """What a step leaves behind when the plan only counts time for it (an outcome, never hours)."""
    skills = _join([labels.get(s, "") for s in skill_ids])
    if kind == "learn":
        return f"Your notes and worked exercises on {skills or 'the topic'}, dated"
    if kind == "publish":
        return "The finished piece shared and linked from your profile"
    return f"A first version of '{_clean_task_title(title)}' you can show someone"


def plan_order(plan: PlanFact) -> dict[str, int]:
    """Skill id -> the position at which the plan's learning and building first works on it."""
    out: dict[str, int] = {}
    for t in sorted(plan.tasks, key=lambda t: t.week):  # stable: the plan's own order within a week
        if t.kind in ("learn", "build"):
            for s in t.skill_ids:
                out.setdefault(s, len(out))
    return out


def curriculum_offline(inp: CurriculumInput, untrusted: Mapping[str, str]) -> CurriculumOutput:
    """Learning -> project -> publish steps in the plan's order, and per gap a topic sequence, practice and checkpoint."""
    plan = inp.plan
    person = _person(inp.person, inp.roles)
    labels = {**inp.skill_labels, **_labels(inp.roles)}
    seen: dict[str, CurriculumStep] = {}
    for t in plan.tasks:
        if t.kind not in ("learn", "build", "publish"):
            continue
        work = t.task_id.split("#", 1)[0]
        if work in seen:
            seen[work].hours = round(seen[work].hours + t.hours, 2)
            continue
        kind = {"learn": "learn", "build": "project", "publish": "publish"}[t.kind]
        seen[work] = CurriculumStep(order=len(seen) + 1, week=t.week, kind=kind, title=_clean_task_title(t.title),  # type: ignore[arg-type]
                                    skills=[labels.get(s, s) for s in t.skill_ids], hours=t.hours,
                                    evidence_created=next((x for x in (t.evidence, t.done)
                                                           if x and not _TIME_SPENT.search(x)),
                                                          _left_behind(kind, t.title, t.skill_ids, labels)),
                                    after=t.depends_on,
                                    task_ref=_task_ref(plan, t.task_id))
    steps = list(seen.values())
    for st in steps:
        st.hours = round(round(st.hours * 4) / 4, 2)
    covered = {s for t in plan.tasks for s in t.skill_ids}
    top = [(r, g) for r in inp.roles for g in r.gaps[:5]]
    missing = list(dict.fromkeys(g.label for _, g in top if g.skill_id not in covered))
    share = 1 - len(missing) / len(top) if top else 0.0
    paths: list[LearningPath] = []
    done: set[str] = set()
    # every gap the plan works on, in the order it starts on them (machine learning before deep learning), then the
    # largest gaps it leaves for later
    begins = plan_order(plan)
    worked = sorted(((r, g) for r in inp.roles for g in r.gaps if g.skill_id in begins),
                    key=lambda rg: begins[rg[1].skill_id])
    for r, g in [*worked, *top]:
        if g.skill_id in done or len(paths) >= 8:
            continue
        done.add(g.skill_id)
        if g.skill_id not in begins and any(folds_under(g.label, p.skill) for p in paths):
            continue  # a narrower form of a path already given, left for later: one path covers both
        f = _field(person, r.soc_code)
        topics, practice, check = learning_path(g, _title(person, r), f, inp.tasks.get(r.soc_code, []))
        mine = [t for t in plan.tasks if g.skill_id in t.skill_ids]
        paths.append(LearningPath(skill=g.label, skill_ref=_edge(r.soc_code, g.skill_id), role=_title(person, r),
                                  topics=topics, practice=practice, checkpoint=check,
                                  weeks=sorted({t.week for t in mine}),
                                  hours=round(round(sum(t.hours for t in mine) * 4) / 4, 2),
                                  task_refs=[_task_ref(plan, t.task_id) for t in mine[:3]]))
    cites = [Citation(ref=s.task_ref, note=f"step {s.order}: {s.kind}") for s in steps[:12]]
    cites += [Citation(ref=_edge(r.soc_code, g.skill_id), note=f"{g.label} sequenced") for r, g in top
              if g.skill_id in covered and g.edge][:6]
    citable = {_edge(r.soc_code, g.skill_id) for r, g in top if g.edge}
    cites += [Citation(ref=p.skill_ref, note=f"learning path for {p.skill}") for p in paths
              if p.skill_ref in citable and p.skill_ref not in {c.ref for c in cites}]
    return CurriculumOutput(confidence=_clip(0.5 + 0.45 * share) if steps else (0.4 if paths else 0.2),
                            rationale=cites, steps=steps, paths=paths, skills_without_evidence_path=missing,
                            insufficient_data=[] if steps else ["the plan has no learning or build tasks"])


# ------------------------------------------------------------------------------------------ producer


def _slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return "-".join(s.split("-")[:6]) or "artifact"


def producer_offline(inp: ProducerInput, untrusted: Mapping[str, str]) -> ProducerOutput:
    """One brief per plan artifact: scope, a README (or cover note) to start with, an acceptance checklist."""
    plan = inp.plan
    person = _person(inp.profile, inp.roles, plan.goal)
    briefs, cites = [], []
    arts_by_soc: dict[str, str] = {}
    for r in inp.roles:
        for g in r.gaps:
            arts_by_soc.setdefault(g.skill_id, r.soc_code)
    for art in plan.artifacts:
        aid = str(art.get("id"))
        tasks = [t for t in plan.tasks if t.artifact_id == aid]
        build = [t for t in tasks if t.kind == "build"]
        pub = [t for t in tasks if t.kind == "publish"]
        raw = art.get("skills")
        skills = [brief_label(str(s)) for s in raw] if isinstance(raw, list) else []
        title, kind = _clean_task_title(str(art.get("title"))), str(art.get("kind"))
        soc = next((arts_by_soc[sid] for t in build for sid in t.skill_ids if sid in arts_by_soc),
                   inp.roles[0].soc_code if inp.roles else None)
        f = _field(person, soc)
        hours = sum(t.hours for t in build)
        weeks = sorted({t.week for t in tasks})
        repo = _slug(title)
        is_writeup = kind in ("write-up", "talk", "certification", "course")
        if f.software and not is_writeup:
            layout = ["src/               the code", "tests/             tests that run in CI",
                      "data/README.md     where the (public or synthetic) data comes from",
                      "docs/results.md    the numbers"]
        elif f.software:
            layout = ["docs/post.md        the write-up", "docs/figures/       diagrams and numbers",
                      "NOTES.md            sources"]
        else:
            layout = ["summary.md          one page: the situation, what you did, the result",
                      "work/               the piece itself (plans, forms, samples) with personal data removed",
                      "sources.md          guidelines, standards and references you used"]
        goal_line = (f"Part of {inp.person}'s move toward "
                     f"{_join([person.role_titles.get(r.soc_code) or r.title or '' for r in inp.roles], 'or')}.")
        readme = "\n".join([
            f"# {title}", "", goal_line, "",
            "## What this shows", *[f"- {s}" for s in skills], "",
            "## Layout", "```", *layout, "```", "",
            "## Status", f"Planned for week(s) {', '.join(map(str, weeks)) or '-'} ({_hours(hours)} of work).",
        ])
        # what the finished piece must show: each stage's outcome and the last session's definition of done, then
        # where it is shared; a session's progress note ("a first draft towards ... saved") is no acceptance test,
        # and the place it is published is the publish step's outcome when there is one
        acceptance = [a for a in dict.fromkeys([*(t.done for t in build if t.done and not _PROGRESS_NOTE.search(t.done)),
                                                *(t.evidence for t in build if t.evidence and not pub),
                                                *(t.done for t in pub if t.done)]) if not _TIME_SPENT.search(a)]
        if f.software:
            acceptance += ["README states the problem, the approach and one measured result",
                           "Each listed skill is visible in the artifact (code, figure or paragraph)"]
            if not is_writeup:
                acceptance.append("Tests run in CI and pass on a clean checkout")
        else:
            acceptance += ["The summary states the situation, what you did and one result you can measure",
                           f"Each listed skill is visible in the piece and {f.reviewer} has looked at it",
                           "No personal data of patients, learners, clients or colleagues in anything you share"]
        briefs.append(ArtifactBrief(artifact_id=aid, title=title, kind=kind,
                                    scope=f"{kind} showing {_join(skills) or 'the target skills'}; about "
                                          f"{_hours(hours)} of work, then {f.publish}",
                                    skills=skills, repo_name=repo, readme=readme, acceptance=acceptance, weeks=weeks,
                                    workspace="repository" if f.software else "folder"))
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


def _article(word: str) -> str:
    head = word.split(" ", 1)[0]
    if len(head) > 1 and head[:2].isupper():  # an acronym is read letter by letter: "an MLOps", "a UX"
        return "an" if head[0] in "AEFHILMNORSX" else "a"
    return "an" if word[:1].lower() in "aeio" else "a"


def _a(title: str) -> str:
    """``title`` with its indefinite article ("an Instructional Designer", "a Nurse Practitioner")."""
    return f"{_article(title)} {title}"


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _work_line(w: WorkItem) -> str:
    if w.kind == "publication":
        where = f" ({w.summary}{', ' + w.year if w.year else ''})" if w.summary else (f" ({w.year})" if w.year else "")
        return f'I recently published "{w.title}"{where}.'
    if w.kind == "repository":
        summary = w.summary.rstrip(".")
        return f"I have published {w.title}" + (f", {_lower_first(summary)}." if summary else ".")
    return f"I recently completed {w.title}."


def _pick_evidence(words: set[str], works: list[WorkItem], bullets: list[ResumeBullet], prefer_numbers: bool,
                   used: dict[str, int], avoid_company: str = "") -> tuple[str, str]:
    """(sentence, citation) of the person's work most relevant to a contact (published work first)."""
    cands: list[tuple[float, str, str, str]] = []
    for w in works:
        if w.kind == "certificate" and not prefer_numbers:
            continue
        overlap = min(2.0, 0.5 * len(words & _tokens(f"{w.title} {w.summary}")))
        base = 1.5 if w.kind in ("publication", "repository") else 0.5
        cands.append((overlap + base - 0.6 * used.get(w.ref or w.title, 0), w.ref, _work_line(w), w.ref or w.title))
    for b in bullets[:6]:
        if avoid_company and b.company and same_company(b.company, avoid_company):
            continue  # they were there: tell them something new
        overlap = min(2.0, 0.5 * len(words & _tokens(b.text)))
        base = (1.0 if prefer_numbers else 0.3) + 0.5 * b.score
        text = b.text.rstrip(".")
        where = f" at {b.company}" if b.company and not b.current else ""
        line = (f"In my current role I {_lower_first(text)}." if b.current
                else f"In a previous role{where} I {_lower_first(text)}.")
        cands.append((overlap + base - 0.6 * used.get(b.text, 0), b.ref, line, b.text))
    if not cands:
        return "", ""
    cands.sort(key=lambda c: -c[0])
    score, ref, line, key = cands[0]
    used[key] = used.get(key, 0) + 1
    return line, ref


def outreach_offline(inp: OutreachInput, untrusted: Mapping[str, str]) -> OutreachOutput:
    """Rank the person's own contacts (company hiring for the targets, role, relation); one draft per contact.

    Each draft is written for that contact: their role and company (never the person's own employer as if it
    were theirs), the person's most relevant published work or resume result, and an ask that fits the
    contact. The goal is paraphrased, never pasted. Posting fields count only as company/title matches;
    contact notes are never used (third-party text).
    """
    postings = _postings_data(untrusted)
    person = _person(inp.profile, inp.roles, inp.goal)
    works, bullets = person_works(inp, untrusted), person_bullets(inp, untrusted)
    f = _field(person, inp.roles[0].soc_code if inp.roles else None)
    socs = {r.soc_code for r in inp.roles}
    by_company: dict[str, list[dict[str, Any]]] = {}
    for p in postings:
        by_company.setdefault(str(p.get("company", "")).strip().lower(), []).append(p)
    own_titles = [*inp.target_titles] or [r.title or "" for r in inp.roles]
    role_words = set().union(set(), *[_tokens(x) for x in [*own_titles, *(r.title or "" for r in inp.roles)]])
    ranked, cites = [], []
    for c in inp.contacts:
        comp = by_company.get(c.company.strip().lower(), []) if c.company else []
        target = [p for p in comp if p.get("soc_code") in socs]
        company_w = 1.0 if target else (0.5 if comp else 0.0)
        rw = _tokens(c.role)
        role = len(rw & role_words) / max(1, len(rw)) if rw else 0.0
        if "recruiter" in rw:
            role = max(role, 0.5)
        rel_w = max([v for k, v in _RELATION.items() if k in c.relation.lower()] or [0.5])
        score = _clip(0.45 * company_w + 0.35 * role + 0.2 * rel_w)
        reasons = []
        if target:
            reasons.append(f"{c.company} has {len(target)} posting(s) for the target roles")
        elif comp:
            reasons.append(f"{c.company} is hiring (other roles)")
        if role:
            reasons.append(f"role '{c.role}' overlaps the target roles ({role:.0%})")
        if same_company(c.company, person.current_employer):
            reasons.append("works at your current employer")
        reasons.append(f"relation: {c.relation or 'unknown'}")
        ranked.append((score, c, target or comp, reasons))
    ranked.sort(key=lambda x: (-x[0], x[1].name))
    out_ranked = [RankedContact(contact_id=c.contact_id, name=c.name, company=c.company, score=s, reasons=r)
                  for s, c, _, r in ranked]
    targets = _join(own_titles, "or")
    # the person's own time frame when the goal names one ("within 6 months"), else the plan's
    span = goal_span(inp.goal or person.goal)
    months = re.sub(r"^(?:an?|one)\s+", "", span[0] if span else _months(person.horizon_weeks),  # "the next year"
                    flags=re.IGNORECASE)
    move = (f"I'm working on a move from my {person.current_title} role into {targets} roles over the next {months}"
            if person.current_title else f"I'm working on a move into {targets} roles over the next {months}")
    drafts = []
    used: dict[str, int] = {}
    seen: set[str] = set()
    for s, c, posts, _ in ranked[: inp.max_drafts]:
        if c.contact_id in seen:
            continue
        seen.add(c.contact_id)
        first = c.name.split()[0]
        rel = c.relation.lower()
        internal = same_company(c.company, person.current_employer)
        company = "" if internal else c.company
        their_role = _header_safe(c.role, 80)
        is_recruiter = "recruit" in rel or "recruit" in c.role.lower() or "talent" in c.role.lower()
        hiring = [p for p in posts if p.get("soc_code") in socs  # only postings for the person's targets,
                  and not _INSTRUCTION.search(str(p.get("title", ""))) and "@" not in str(p.get("title", ""))]
        post_title = _header_safe(str(hiring[0].get("title", "")), 80) if hiring else ""
        words = _tokens(f"{c.role} {post_title}") | (role_words if is_recruiter else set())
        evidence, ev_ref = _pick_evidence(words, works, bullets, prefer_numbers=is_recruiter or not f.software,
                                          used=used, avoid_company=c.company)
        # opening: who they are to the person
        a_role = f"{_article(their_role)} {their_role}" if their_role else ""
        if internal:
            opener = (f"I've been following your work as {a_role} and wanted to ask you about it."
                      if their_role else "I hope your week is going well.")
        elif "former colleague" in rel:
            opener = "It's been a while since we worked together; I hope you're well" + (
                f" and that things are good at {company}." if company else ".")
        elif "manager" in rel:
            opener = ("I hope you're well" + (f" and that things are good at {company}" if company else "")
                      + ". I still use a lot of what I learned working for you.")
        elif "mentor" in rel:
            opener = "I hope you're well; I'd value your advice again."
        elif "friend" in rel:
            opener = "Hope all is well with you" + (f" and that you're enjoying {company}!" if company else "!")
        elif is_recruiter:
            opener = (f"I'm reaching out because of your work as {a_role}" + (f" at {company}." if company else ".")
                      if their_role else "I'm reaching out because you recruit for roles like the ones I'm aiming at.")
        elif "meetup" in rel or "conference" in rel or "alumni" in rel or "acquaint" in rel:
            opener = "We met a while back" + (f", and I've since followed what {company} is doing." if company
                                               else "; I hope you're well.")
        else:
            opener = "I hope you're well" + (f" and that things are good at {company}." if company else ".")
        # the ask: what this contact can actually help with
        if internal:
            ask = (f"Would you have 20 minutes in the next two weeks to tell me what your work as {a_role} asks of "
                   "you day to day, and what you'd learn first in my place?")
            subject = f"Your work as {a_role}: 20 minutes?" if their_role else f"Advice on a move into {targets}"
        elif hiring and company:
            ask = (f"I saw {company} is hiring for {_article(post_title)} {post_title}. Would you have 20 minutes in the next two weeks to "
                   f"tell me how the {f.team} works and what they look for?")
            subject = f"The {post_title} opening at {company}"
        elif is_recruiter:
            ask = (f"If you are working on {targets} searches, could we have a 15-minute call about what your "
                   "clients look for? I'm happy to send my resume first.")
            subject = f"{targets} roles: a short introduction"
        elif "manager" in rel or "mentor" in rel:
            ask = (f"Would you be open to a 20-minute call about which of my strengths you'd lean on in {_a(targets)} "
                   "role, and whether you'd be a reference when the time comes?")
            subject = f"Advice on a move into {targets}"
        elif role_words & _tokens(c.role):
            ask = (f"Would you have 20 minutes in the next two weeks to tell me what your work as {a_role} looks "
                   "like day to day, and what you'd learn first in my place?")
            subject = f"Your work as {a_role}" + (f" at {company}" if company else "") + ": 20 minutes?"
        else:
            first_target = own_titles[0] if own_titles else targets
            ask = ("Would you have 20 minutes in the next two weeks to tell me how " + (company or "your organisation")
                   + f" organises its {first_target} work, and who there you'd suggest I talk to?")
            subject = "A question about " + (f"{first_target} roles at {company}" if company else f"{targets} roles")
        opener = opener.replace("..", ".")  # a company name ending in "Co." closes the sentence itself
        body = [f"Hi {first},", "", opener, "", move + "." + (" " + evidence if evidence else ""), "", ask, "",
                "Thanks,", inp.person]
        drafts.append(MessageDraft(contact_id=c.contact_id, to=c.email, subject=_header_safe(subject, 200),
                                   body="\n".join(body), evidence_ref=ev_ref))
        cites.append(Citation(ref=f"contact:{c.contact_id}", note=f"{c.name} ({c.company}) score {s:.2f}"))
        cites += [Citation(ref=f"posting:{p['posting_id']}", note="hiring signal") for p in posts[:2] if p.get("posting_id")]
        if ev_ref and ev_ref not in {x.ref for x in cites}:
            cites.append(Citation(ref=ev_ref, note="work named in the drafts"))
    top = [s for s, *_ in ranked[:3]]
    missing = []
    if not postings:
        missing.append("no postings for the target roles or the contacts' companies")
    if not inp.contacts:
        missing.append("no contacts file (profile contacts_file)")
    if not works and not bullets:
        missing.append("no published work or resume bullets to point to")
    conf = (0.35 + 0.6 * (sum(top) / len(top))) if top else 0.1
    if not postings:
        conf = min(conf, 0.5)
    return OutreachOutput(confidence=_clip(conf), rationale=cites, ranked=out_ranked, drafts=drafts,
                          insufficient_data=missing)


# ------------------------------------------------------------------------------------------ interview prep

_TASK_Q = ["Tell me about a time you had to {t}.", "How would you approach this in our {team}: {T}",
           "Walk me through how you {t}, step by step."]
#: resume lines that read like instructions to a model are never turned into stories or drafts
_INJECTION = re.compile(r"\b(ignore|disregard|instructions?|assistant|prompt|password|api key|approve[ds]?|"
                        r"confidence)\b", re.IGNORECASE)


def person_bullets(inp: Any, untrusted: Mapping[str, str]) -> list[ResumeBullet]:
    """Resume bullets of an input (typed field, else the ``resume_bullets`` data block), minus injection-like lines."""
    bullets = list(getattr(inp, "bullets", None) or [])
    if not bullets and untrusted.get("resume_bullets"):
        try:
            bullets = [ResumeBullet.model_validate(b) for b in json.loads(untrusted["resume_bullets"])]
        except (ValueError, TypeError):
            bullets = []
    return [b for b in bullets if not _INJECTION.search(b.text)]


def person_works(inp: Any, untrusted: Mapping[str, str]) -> list[WorkItem]:
    """Published work of an input (typed field, else the ``published_work`` data block), minus injection-like items."""
    works = list(getattr(inp, "works", None) or [])
    if not works and untrusted.get("published_work"):
        try:
            works = [WorkItem.model_validate(w) for w in json.loads(untrusted["published_work"])]
        except (ValueError, TypeError):
            works = []
    return [w for w in works if not _INJECTION.search(f"{w.title} {w.summary}")]
_RESULT_CLAUSE = re.compile(r",\s+(?=(?:cutting|reducing|raising|saving|improving|increasing|lowering|growing|"
                            r"bringing|resulting|which|leading to|so that|achieving|helping|halving|doubling|"
                            r"processing|handling|serving|keeping|retaining|generating|adding|boosting|exceeding|"
                            r"beating|winning|earning|shortening|eliminating|preventing|recovering|securing)\b)",
                            re.IGNORECASE)
#: a target met, inside one clause ("Closed 38 new accounts a year at 112% of quota"): the attainment is the result
_ATTAINMENT = re.compile(r"\s+(?:at|to|for)\s+(?=\d+(?:\.\d+)?\s?%\s+of\s+(?:the\s+)?(?:annual\s+|sales\s+)?"
                         r"(?:quota|target|plan|goal|budget)\b)", re.IGNORECASE)
_HOW = re.compile(r"\s(?=(?:by|through|after)\s+\w+ing\b)", re.IGNORECASE)
#: "through" + any means, after a measured change ("Cut food cost from 34% to 29% through menu engineering")
_THROUGH = re.compile(r"\s(?=through\s+\w)", re.IGNORECASE)


#: O*NET knowledge areas as a person says them ("your knowledge of medicine", not "apply Medicine and Dentistry");
#: an area not listed reads lower-cased
_KNOWLEDGE_SAID = {
    "administration and management": "management (planning, coordinating people and resources)",
    "administrative": "office and administrative procedures", "customer and personal service": "customer service",
    "education and training": "teaching and training methods",
    "english language": "written and spoken English", "law and government": "the laws and regulations of your field",
    "medicine and dentistry": "medicine (diagnosis, treatment and clinical practice)",
    "personnel and human resources": "HR practice (recruiting, pay, employee relations)",
    "public safety and security": "safety and security procedures",
    "therapy and counseling": "therapy and counselling methods", "computers and electronics": "computers and software",
    "engineering and technology": "engineering principles", "mechanical": "machines and tools",
    "production and processing": "production processes and quality control",
}


def _skill_question(g: GapFact, f: Field) -> str:
    name = brief_label(g.label)
    if g.kind == "technology":
        return (f"What have you built with {name}, and what would you do differently now?" if f.software else
                f"How have you used {name} in your daily work, and what would you set up differently now?")
    if g.kind == "tool":
        return (f"How have you used {name} in a real project?" if f.software else
                f"When did you last use {name}, and what did you check before relying on it?")
    if g.kind == "knowledge":
        work = f.work if f.work.startswith("day-to-day") else f"day-to-day {f.work}"  # "day-to-day work", once
        if g.skill_id.startswith("onet:"):  # an O*NET knowledge area: in the words a person uses
            said = _KNOWLEDGE_SAID.get(name.lower(), name.lower())
            return f"Where does your knowledge of {said} come into your {work}? Give one example."
        return f"How do you apply {name} in your {work}?"
    if g.skill_id.startswith("onet:"):  # an O*NET skill ("Systems Evaluation") reads lower-cased mid-sentence
        name = name.lower()
    return f"Give an example where your {name} changed the outcome of a situation at work."


def _new_skill_question(g: GapFact) -> str:
    """The question on a required skill the person has not shown yet.

    Not "how have you used Procore in your daily work" but what they will say when asked, from this plan's work and
    what they already do.
    """
    name = brief_label(g.label)
    if g.kind in ("technology", "tool"):
        return (f"You will likely be asked about {name}. What will you show of it from this plan's work, and which "
                "tool you already use does a similar job?")
    return (f"You will likely be asked how you would apply {name}. Which piece of this plan's work, and which "
            "situation from your own work, would you describe?")


_THEN = re.compile(r"\s(?:that|which|so that|used by|saving|with no|leaving|resulting in)\s", re.IGNORECASE)


def star_parts(text: str) -> tuple[str, str]:
    """(action, result) of a resume bullet in the person's own words (result empty when nothing is measured)."""
    t = " ".join(text.split()).rstrip(".")
    parts = [p.strip() for p in re.split(r";\s+", t) if p.strip()]
    if len(parts) >= 2:
        measured = [p for p in parts[1:] if QUANT.search(p)]
        if measured:
            return parts[0], "; ".join(measured)
        if not QUANT.search(parts[0]):  # nothing measured: two things done, not an action and its result
            return t, ""
        if not RESULT.search(parts[0]):  # a size first ("Delivered 40 stops a day; handled invoices") is no result
            return t, ""
        return "; ".join(parts[1:]), parts[0]
    m = _RESULT_CLAUSE.search(t)
    if m:
        return t[: m.start()], t[m.end():]
    m = _ATTAINMENT.search(t)
    if m and m.start() > 10:
        head, _, rest = t[m.end():].partition(",")  # "112% of quota, tracked in Salesforce": the how stays with it
        return (t[: m.start()] + ("," + rest if rest else "")).strip(), head.strip()
    m = _HOW.search(t)
    if not (m and QUANT.search(t[: m.start()])):
        m = next((x for x in _THROUGH.finditer(t) if RESULT.search(t[: x.start()])), None)
    if m and QUANT.search(t[: m.start()]):
        how = re.sub(r"^(?:by|through|after)\s+", "", t[m.end():], flags=re.IGNORECASE)
        return how[:1].upper() + how[1:], t[: m.start()]
    for sep in (", and ", " and "):
        i = t.rfind(sep)
        if i > 20 and ((QUANT.search(t[i:]) and not QUANT.search(t[:i])) or RESULT.search(t[i:])):
            return t[:i], t[i + len(sep):]
    ms = list(_THEN.finditer(t))
    if ms and ms[-1].start() > 20:
        m = ms[-1]
        tail = t[m.start():].strip()
        if QUANT.search(tail) or tail.lower().startswith("with no"):
            tail = re.sub(r"^(?:that|which)\s+", "It ", tail, flags=re.IGNORECASE)
            return t[: m.start()], tail[:1].upper() + tail[1:]
    return t, ""


def interview_offline(inp: InterviewInput, untrusted: Mapping[str, str]) -> InterviewOutput:
    """Questions from the role's O*NET tasks and skills, phrased for its field; STAR stories from resume bullets."""
    role = inp.role
    person = _person(inp.person, [role])
    f = _field(person, role.soc_code)
    title = _title(person, role)
    questions, cites = [], []
    asked_tasks = relevant_tasks(inp.tasks, [g.label for g in [*inp.skills, *role.gaps]], TASK_QUESTIONS,
                                 TASK_QUESTIONS_LEAST)
    for i, t in enumerate(asked_tasks):
        # asked the way an interviewer says it: a long task statement by its gist, not O*NET's full sentence
        low = task_gist(t.task.rstrip(".")) if t.task else t.task
        q = _TASK_Q[i % len(_TASK_Q)].format(t=low, T=(low[:1].upper() + low[1:] + ".") if low else t.task,
                                             team=f.team)
        ref = f"onet_task:{t.soc_code}/{t.task_id}"
        questions.append(Question(question=q, kind="task", source_ref=ref))
        cites.append(Citation(ref=ref, note="O*NET task of the target role"))
    with_ev = 0
    # everyday office tools (Outlook, Word, Excel basics) are not what an interviewer asks about
    asked = [g for g in inp.skills if not (g.kind in ("technology", "tool") and OFFICE_TOOL.search(g.label))]
    not_shown = {g.skill_id for g in role.gaps if g.status == "missing"}
    bullets = person_bullets(inp, untrusted)
    for g in asked:
        ev = [h.ref for h in inp.evidence if g.skill_id in h.skill_ids or h.query == g.label][:2]
        ev += [b.ref for b in bullets if b.ref and _tokens(g.label) <= _tokens(b.text)][:1]
        with_ev += bool(ev)
        ref = _edge(role.soc_code, g.skill_id)
        # a tool the person does not show (beyond the role's top gaps too) is asked as new ground, not "how have you";
        # one a resume bullet names is shown
        named = any(_tokens(g.label) and _tokens(g.label) <= _tokens(b.text) for b in bullets)
        shown = bool(ev) or named or (g.skill_id not in not_shown
                                      and (g.status != "missing" or g.kind not in ("technology", "tool")))
        questions.append(Question(question=_skill_question(g, f) if shown else _new_skill_question(g),
                                  kind="skill", source_ref=ref,
                                  evidence_refs=list(dict.fromkeys(ev))))
        cites.append(Citation(ref=ref, note=f"required skill {g.label}"))
    weak = [g for g in role.gaps if g.status == "missing"][:3]
    for g in weak:
        questions.append(Question(question=f"This role asks for {in_sentence(brief_label(g.label), g.kind)}. How are you getting up "
                                           "to speed with it?",
                                  kind="gap", source_ref=_edge(role.soc_code, g.skill_id)))
    # STAR stories: the person's own quantified bullets, most relevant to this role first
    role_words = set().union(set(), *[_tokens(t.task) for t in inp.tasks], *[_tokens(g.label) for g in inp.skills])
    labels = [*inp.skills, *role.gaps]
    scored = sorted(bullets, key=lambda b: (-(b.score + 0.25 * min(4, len(_tokens(b.text) & role_words))),
                                                not b.current, b.order))
    stories: list[StarStory] = []
    for b in scored:
        if len(stories) >= 4:
            break
        action, result = star_parts(b.text)
        bw = _tokens(b.text)
        skills = list(dict.fromkeys(g.label for g in labels if _tokens(g.label) and _tokens(g.label) <= bw))[:4]
        bc = content_stems(b.text)
        best_task = max(inp.tasks, key=lambda t: len(content_stems(t.task) & bc), default=None)
        overlap = len(content_stems(best_task.task) & bc) if best_task else 0
        if best_task is not None and overlap >= STAR_TASK_MIN:
            task_line = (f"Frame it as the {title} task \"{best_task.task.rstrip('.')}\": say what was expected of "
                         "you, by whom, and by when.")
        elif result and RESULT.search(result):
            task_line = (f"Set the scene for \"{result.rstrip('.')}\": what the situation was before, who needed "
                         "it, and what was asked of you.")
        else:
            task_line = (f"Say what was expected of you and why it mattered, in terms {_a(title)} interviewer "
                         "recognises.")
        answers = [q.question for q in questions if q.kind != "gap" and len(_tokens(q.question) & bw) >= 3]
        if best_task is not None and overlap >= 3:
            task_ref = f"onet_task:{best_task.soc_code}/{best_task.task_id}"
            answers = [q.question for q in questions if q.source_ref == task_ref] + answers
        answers = list(dict.fromkeys(answers))[:2]
        where = f"{b.role} at {b.company}" if b.company else (b.role or "A project of yours")
        situation = (f"{where} ({b.period})." if b.period else f"{where}.")
        result = result[:1].upper() + result[1:]
        res = (result + "." if result and not result.endswith(".") else result) or (
            f"Add the measured result before the interview ({f.story_hint}).")
        ref = b.ref or next((h.ref for h in inp.evidence
                             if b.text[:40].lower() in " ".join(untrusted.get(h.ref, "").split()).lower()), "")
        head = re.split(r"[;,]", b.text)[0]
        head = head if len(head) <= 90 else head[:90].rsplit(" ", 1)[0] + " ..."
        stories.append(StarStory(title=f"{b.company or b.role or 'Project'}: {head}", evidence_ref=ref or "resume",
                                 skills=skills, situation=situation, task=task_line,
                                 action=action + ("." if not action.endswith(".") else ""), result=res,
                                 source_text=b.text, answers=answers))
        if ref:
            cites.append(Citation(ref=ref, note=f"STAR story from the resume: {head[:60]}"))
    share = with_ev / len(asked) if asked else 0.0
    quantified = sum(1 for s_ in stories if QUANT.search(s_.source_text))
    conf = 0.35 + 0.3 * share + (0.15 if len(stories) >= 2 else 0.0) + (0.1 if quantified >= 2 else 0.0)
    missing = []
    if not bullets:
        missing.append("no accomplishment bullets found in a resume (add 3-5 bullets with numbers to the "
                       "experience section)")
    elif quantified < 2:
        missing.append("fewer than two resume bullets with a measured result")
    if not inp.tasks:
        missing.append("no O*NET tasks for the target role")
    return InterviewOutput(confidence=_clip(conf), rationale=cites, role=title, questions=questions, stories=stories,
                           weak_spots=[in_sentence(brief_label(g.label), g.kind) for g in weak], insufficient_data=missing)


# ------------------------------------------------------------------------------------------ evidence curator


def curator_offline(inp: CuratorInput, untrusted: Mapping[str, str]) -> CuratorOutput:
    """Propose accept / reject / defer for pending links (a person decides in the curate-evidence review)."""
    props, cites = [], []
    for link in inp.links:
        need = _join([inp.role_titles.get(s, s) for s in link.required_by])
        if link.corroborated and link.required_by and link.confidence >= 0.4:
            p, why = "accept", f"corroborated by another item and required by {need}"
        elif link.confidence < 0.3 and not link.required_by:
            p, why = "reject", f"weak ({link.confidence:.2f}) and not required by any target role"
        elif link.required_by and link.confidence >= 0.5:
            p, why = "accept", f"confidence {link.confidence:.2f} and required by {need}"
        else:
            p, why = "defer", f"confidence {link.confidence:.2f}; a person should look at the evidence"
        props.append(LinkProposal(link_id=link.link_id, skill_id=link.skill_id, proposal=p, reason=why,  # type: ignore[arg-type]
                                  skill_label=link.skill_label))  # type: ignore[arg-type]
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
    return StrategistInput(goal=f.goal, plan=f.plan, roles=f.roles, person=f.profile, recent=f.recent), {}


def _curriculum_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return CurriculumInput(plan=f.plan, roles=f.roles, person=f.profile, tasks=f.tasks,
                           skill_labels=f.skill_labels), {}


def _producer_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return ProducerInput(person=f.person, plan=f.plan, roles=f.roles, profile=f.profile), {}


def _evidence_data(f: Facts, bullets: int = 8) -> dict[str, str]:
    """The person's resume bullets and published work as data blocks (documents are data, never instructions)."""
    out = {}
    if f.bullets:
        out["resume_bullets"] = json.dumps([b.model_dump(mode="json") for b in f.bullets[:bullets]], sort_keys=True)
    if f.works:
        out["published_work"] = json.dumps([w.model_dump(mode="json") for w in f.works[:8]], sort_keys=True)
    return out


def _outreach_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    untrusted = {"postings": json.dumps(f.postings, sort_keys=True)} if f.postings else {}
    for c in f.contacts:
        if f.contact_notes.get(c.contact_id):
            untrusted[f"contact_notes:{c.contact_id}"] = f.contact_notes[c.contact_id]
    hl = [h for h in f.evidence if h.source_type in ("repo", "publication", "note")][:2]
    untrusted.update(_evidence_data(f, 6))
    return OutreachInput(person=f.person, goal=f.goal, target_titles=f.target_titles, roles=f.roles,
                         contacts=f.contacts, highlights=hl, profile=f.profile), untrusted


def _interview_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    role = f.roles[0] if f.roles else RoleFact(soc_code="none")
    untrusted = {h.ref: f.chunk_texts[h.ref] for h in f.evidence if h.ref in f.chunk_texts}
    untrusted.update(_evidence_data(f, 10))
    return InterviewInput(role=role, tasks=f.tasks.get(role.soc_code, []), skills=f.role_skills.get(role.soc_code, []),
                          evidence=f.evidence, person=f.profile), untrusted


def _curator_in(f: Facts) -> tuple[BaseModel, dict[str, str]]:
    return CuratorInput(links=f.pending_links, role_titles=f.profile.role_titles if f.profile else {}), {}


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
