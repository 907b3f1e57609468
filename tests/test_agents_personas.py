"""Agent outputs a coach would sign, for the sample operator and three non-software personas (nurse, teacher,
accountant; fixtures in tests/fixtures/personas): STAR stories drawn from resume bullets, one outreach draft per
contact never addressed to the person's own employer and never pasting the goal, no internal ids, no software
wording outside software, learning paths per gap, the strategist in the person's own terms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from test_agents_support import build_persona, shared_base

from careeros.agents.checks import human_strings, quality_issues, shares_run
from careeros.agents.facts import Facts, gather
from careeros.agents.fields import internal_ids, software_words
from careeros.agents.models import AGENT_NAMES
from careeros.agents.render import agent_output, render_all
from careeros.agents.roles import goal_span

PERSONAS = ["sample", "nurse", "teacher", "accountant"]
_HOMES: dict[str, Path] = {}


@pytest.fixture(scope="module")
def persona_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    def get(name: str) -> Path:
        if name not in _HOMES:
            if name == "sample":
                _HOMES[name] = shared_base(built_home, tmp_path_factory)
            else:
                _HOMES[name] = build_persona(built_home / "warehouse.duckdb", name,
                                             tmp_path_factory.mktemp(f"persona-{name}") / "home")
        return _HOMES[name]
    return get


def _use(home: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from careeros.profile import load_profile
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(home))
    monkeypatch.setenv("CAREEROS_EMBEDDER", "minilm")
    for var in ("CAREEROS_LLM_FAST_MODEL", "CAREEROS_LLM_DEEP_MODEL"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    return load_profile(home / "profile.toml")


@pytest.fixture(params=PERSONAS)
def case(request: pytest.FixtureRequest, persona_home: Any, monkeypatch: pytest.MonkeyPatch,
         settings_env: None) -> tuple[str, Path, Any, Facts]:
    home = persona_home(request.param)
    profile = _use(home, monkeypatch)
    return request.param, home, profile, gather(home, profile, "persona-test", memory=False)


def _norm(text: str) -> str:
    return " ".join(text.split()).lower()


def test_every_output_passes_the_coach_checks(case: tuple[str, Path, Any, Facts]) -> None:
    name, _, _, facts = case
    assert facts.profile is not None and facts.profile.software == (name == "sample")
    for agent in AGENT_NAMES:
        out = agent_output(agent, facts).model_dump(mode="json")
        assert quality_issues(agent, out, facts) == [], (name, agent)
        text = "\n".join(human_strings(out))
        assert internal_ids(text) == [], (name, agent, internal_ids(text))
        assert not re.search(r"\b\d{2}-\d{4}\.\d{2}\b", text), (name, agent)  # no SOC codes either


def test_star_stories_are_drawn_from_quantified_resume_bullets(case: tuple[str, Path, Any, Facts]) -> None:
    name, _, _, facts = case
    out = agent_output("interview_prep", facts)
    bullets = {_norm(b.text) for b in facts.bullets}
    assert len(out.stories) >= 3, name
    for s in out.stories:
        assert _norm(s.source_text) in bullets, (name, s.source_text)
        assert "Languages:" not in s.source_text and "files)" not in s.source_text
        assert s.situation and s.task and s.action and s.result
    # the quantified bullets come first: at least two stories carry a measured result in the person's words
    measured = [s for s in out.stories if re.search(r"\d", s.result) and _norm(s.result.rstrip(".")) in
                _norm(s.source_text)]
    assert len(measured) >= 2, [s.result for s in out.stories]
    summary = {"sample": "Backend engineer with 7 years", "nurse": "Registered nurse with 9 years",
               "teacher": "Secondary mathematics teacher with 10 years", "accountant": "CPA-track staff accountant"}
    assert not any(summary[name].lower() in _norm(s.source_text) for s in out.stories)
    # questions come from the role's O*NET tasks
    assert sum(q.source_ref.startswith("onet_task:") for q in out.questions) >= 3


def test_outreach_one_draft_per_contact_never_to_the_own_employer(case: tuple[str, Path, Any, Facts]) -> None:
    name, _, _, facts = case
    out = agent_output("outreach", facts)
    employer = facts.profile.current_employer if facts.profile else None
    assert employer, name
    assert sorted(d.contact_id for d in out.drafts) == sorted(c.contact_id for c in facts.contacts)
    assert {d.to for d in out.drafts} == {c.email for c in facts.contacts}
    assert len({d.body for d in out.drafts}) == len(out.drafts)  # each draft written for its contact
    colleagues = {c.contact_id for c in facts.contacts if _norm(c.company) == _norm(employer)}
    assert colleagues, "each fixture has a contact at the person's own employer"
    for d in out.drafts:
        text = f"{d.subject}\n{d.body}"
        assert _norm(employer) not in _norm(text), (name, d.subject)
        assert not shares_run(text, facts.goal), (name, d.body)
        assert d.evidence_ref, "every draft points to a piece of the person's work"
        c = next(c for c in facts.contacts if c.contact_id == d.contact_id)
        if c.contact_id not in colleagues and c.company:
            assert c.company in text  # personalised with the contact's own company
        if name != "sample":
            assert software_words(text) == [], (name, software_words(text))
        span = goal_span(facts.goal)
        if span is not None:  # the person's own time frame, not the plan's horizon
            said = re.sub(r"^(?:an?|one)\s+", "", span[0], flags=re.IGNORECASE)
            assert f"over the next {said}" in d.body, (name, d.body)


def test_curriculum_has_a_learning_path_per_gap(case: tuple[str, Path, Any, Facts]) -> None:
    name, _, _, facts = case
    out = agent_output("curriculum", facts)
    planned = {s for t in facts.plan.tasks if t.kind in ("learn", "build") for s in t.skill_ids}
    gaps = {g.label for r in facts.roles for i, g in enumerate(r.gaps) if i < 5 or g.skill_id in planned}
    assert out.paths and {p.skill for p in out.paths} <= gaps
    # in the order the plan takes them up (what it leaves for later last), not by gap size
    firsts = [min(p.weeks) if p.weeks else 10**6 for p in out.paths]
    assert firsts == sorted(firsts), [(p.skill, p.weeks) for p in out.paths]
    for p in out.paths:
        assert len(p.topics) == 3 and p.practice and p.checkpoint
        assert not re.search(r"\b\d+(\.\d+)?\s*h\b|hours? (spent|of progress)", p.checkpoint), p.checkpoint
        if name != "sample":
            assert software_words(" ".join([*p.topics, p.practice, p.checkpoint])) == [], p


def test_strategist_speaks_in_the_persons_terms(case: tuple[str, Path, Any, Facts]) -> None:
    _, _, profile, facts = case
    out = agent_output("strategist", facts)
    first = profile.target_roles[0].title
    assert out.focus.startswith(first) and f"{profile.weekly_hours:g} h a week" in out.focus
    # the focus names what the plan starts with, in the plan's order
    from careeros.planner.gaps import brief_label

    start = next(s for t in sorted(facts.plan.tasks, key=lambda t: t.week) if t.kind in ("learn", "build")
                 for s in t.skill_ids)
    label = next((g.label for g in facts.roles[0].gaps if g.skill_id == start), None)
    if label:
        assert brief_label(label).lower() in out.focus.lower(), (label, out.focus)
    assert any(first in w for w in out.why)
    text = " ".join([out.focus, *out.why, *(r.risk + " " + r.mitigation for r in out.risks)])
    assert profile.goal.statement not in text and internal_ids(text) == []
    span = goal_span(profile.goal.statement)  # the person's own time frame, never replaced by the plan's
    if span is not None:
        assert any(f"within {span[0]}" in w for w in out.why), (span, out.why)


def test_an_artifact_brief_accepts_outcomes_not_progress_notes(case: tuple[str, Path, Any, Facts]) -> None:
    """A brief's acceptance checklist holds the stages a finished piece shows and where it is shared, never a
    session's progress note ('a first draft towards ... saved'), and no line twice; so do the strategist's monthly
    checks."""
    out = agent_output("producer", case[3])
    assert out.briefs
    for b in out.briefs:
        assert b.acceptance and len(b.acceptance) == len(set(b.acceptance))
        assert not [a for a in b.acceptance if "draft towards" in a], b.acceptance
    checks = [v for m in agent_output("strategist", case[3]).milestones for v in m.verification]
    assert checks and not [v for v in checks if "draft towards" in v], checks  # a month is checked by what it finishes


def test_a_learning_path_says_its_weeks_as_ranges_and_what_its_hours_are() -> None:
    """'(weeks 4, 5, 6, 7, 8, 9, 10, 11, 28 h)' read as 28 hours of study for one gap; the curriculum now says
    '(weeks 4-11: 28 h of study and work that uses it)'."""
    from careeros.agents.orchestrator import week_ranges

    assert week_ranges([4, 5, 6, 7, 8, 9, 10, 11]) == "4-11"
    assert week_ranges([5, 1, 2, 3]) == "1-3, 5" and week_ranges([11, 12]) == "11, 12" and week_ranges([3]) == "3"
    from careeros.agents.orchestrator import AgentRun, agent_markdown

    out = {"paths": [{"skill": "Feature engineering", "role": "Machine Learning Engineer", "weeks": [12], "hours": 7.25,
                      "topics": ["a", "b", "c"], "practice": "p", "checkpoint": "c"}], "steps": []}
    md = agent_markdown(AgentRun.model_construct(agent="curriculum", status="ok", output=out, effective_confidence=0.9,
                                                 confidence=0.9, threshold=0.6, citations_total=0, unresolved=[],
                                                 llm={}, error=None), "run-1")
    assert "(week 12: 7.25 h of study and work that uses it)" in md, md


def test_a_goals_time_frame_is_read_in_the_persons_words() -> None:
    """'within 6 months' is the person's time frame: the strategist repeats it and says how much of it a 12-week plan
    covers, instead of 'within three months' (the plan's horizon)."""
    assert goal_span("Move from policy work into program management within 6 months.") == ("6 months", 6 * 4.345)
    assert goal_span("Land a product manager role at a SaaS company in a year")[0] == "a year"  # type: ignore[index]
    assert goal_span("Become a charge nurse within the next eighteen months")[0] == "eighteen months"  # type: ignore[index]
    assert goal_span("Two public ML projects as evidence") is None
    assert goal_span("Use my 8 years of teaching") is None


def test_render_functions_give_every_agents_text(case: tuple[str, Path, Any, Facts]) -> None:
    from careeros.agents import render

    name, home, profile, facts = case
    texts = render_all(home, profile, facts)
    assert set(texts) == set(AGENT_NAMES) and all(texts.values())
    assert "From your resume:" in texts["interview_prep"] and "How to close each gap" in texts["curriculum"]
    assert "of study and work that uses it)" in texts["curriculum"]
    assert render.render_outreach(home, profile, facts) == texts["outreach"]
    assert "<details>" not in texts["strategist"]  # no citation block in the person's text


def test_a_learning_path_picks_a_tool_only_among_products() -> None:
    from careeros.agents.fields import field_for
    from careeros.agents.models import GapFact
    from careeros.agents.roles import learning_path

    f = field_for("41-4012.00")

    def first(label: str) -> str:
        g = GapFact(skill_id="concept:x", label=label, kind="concept", size=0.5, status="missing", market_value=0.0)
        return learning_path(g, "Sales Development Representative", f, [])[0][0]

    assert "pick one of Articulate Storyline or Adobe Captivate" in first(
        "E-learning development (Articulate Storyline, Adobe Captivate)")
    # examples that are practices or standards are the parts to learn, never a "free trial" to pick
    for label in ("Prospecting (cold calling, lead qualification)", "SCORM and xAPI (AICC, cmi5)",
                  "HR operations (E-Verify, Form I-9)"):
        text = first(label)
        assert "pick one of" not in text and "free trial" not in text and "through its parts" in text, text


def test_a_credential_is_learned_as_an_exam_not_as_a_craft() -> None:
    """'PMP certification (CAPM, PRINCE2)' is prepared for (eligibility, exam outline, practice exams, booking), not
    'applied to one real case' or 'compared with a published example'."""
    from careeros.agents.fields import field_for
    from careeros.agents.models import GapFact
    from careeros.agents.roles import learning_path

    g = GapFact(skill_id="concept:pmp", label="PMP certification (CAPM, PRINCE2)", kind="concept", size=0.5,
                status="missing", market_value=0.0)
    topics, practice, check = learning_path(g, "Construction Project Manager", field_for("11-9021.00"), [])
    text = " ".join([*topics, practice, check]).lower()
    assert "eligibility" in text and "practice exam" in text and "booked" in check.lower()
    assert "or capm or prince2" in topics[0].lower()
    assert "published example" not in text and "real case" not in text


def test_a_learning_path_cites_the_task_that_names_the_skill() -> None:
    """'Project budgeting' is practised where the role's tasks speak of budgets, not where they share only the
    word every task of the role uses ('project'); a skill no task names gets no made-up task."""
    from careeros.agents.fields import field_for
    from careeros.agents.models import GapFact, TaskStatement
    from careeros.agents.roles import learning_path

    tasks = [TaskStatement(soc_code="11-9021.00", task_id=str(i), task=t) for i, t in enumerate([
        "Inspect or review projects to monitor compliance with environmental regulations.",
        "Plan, schedule, or coordinate construction project activities to meet deadlines.",
        "Prepare and submit budget estimates, progress reports, or cost tracking reports.",
        "Confer with owners, contractors, or design professionals to resolve matters, such as construction problems.",
        "Direct and supervise construction project workers.",
    ])]
    f = field_for("11-9021.00")

    def topics(label: str) -> str:
        g = GapFact(skill_id="concept:x", label=label, kind="concept", size=0.5, status="missing", market_value=0.0)
        return " ".join(learning_path(g, "Construction Project Manager", f, tasks)[0]).lower()

    budget = topics("Project budgeting (budget tracking, EAC, estimate to complete)")
    assert "budget estimates" in budget and "environmental" not in budget
    docs = topics("Construction documentation (submittals, as-built drawings)")
    assert "has to" not in docs and "week to week" in docs  # 'construction' is in most tasks; 'as' names nothing


def test_one_word_of_a_label_does_not_tie_a_task_to_the_skill() -> None:
    """A modifier shared with a task is not the skill: 'Needs analysis' is not practised where a task buys materials
    for 'student educational needs', 'Budget management' not where a status report goes 'to managers', 'Large
    language models' not where 'large sets of data' are processed. Two of the label's words, or one and an
    example's, do tie it ('Budget management (cost control, ...)' and 'monitor costs ... budget issues')."""
    from careeros.agents.fields import field_for
    from careeros.agents.models import GapFact, TaskStatement
    from careeros.agents.roles import learning_path

    def topics(soc: str, title: str, label: str, texts: list[str]) -> str:
        tasks = [TaskStatement(soc_code=soc, task_id=str(i), task=t) for i, t in enumerate(texts)]
        g = GapFact(skill_id="concept:x", label=label, kind="concept", size=0.5, status="missing", market_value=0.0)
        return " ".join(learning_path(g, title, field_for(soc), tasks)[0]).lower()

    coordinators = [
        "Recommend, order, or authorize purchase of instructional materials, supplies, equipment, and visual aids "
        "designed to meet student educational needs and district standards.",
        "Adapt instructional content or delivery methods for different levels or types of learners.",
        "Plan and conduct teacher training programs and conferences dealing with new classroom procedures.",
    ]
    needs = topics("25-9031.00", "Instructional Designer", "Needs analysis (needs assessment)", coordinators)
    assert "has to" not in needs, needs
    evaluation = topics("25-9031.00", "Instructional Designer", "Learning evaluation (Kirkpatrick levels)",
                        coordinators)
    assert "has to" not in evaluation, evaluation  # 'learners' are people; 'levels' alone ties nothing
    pm = [
        "Report project status, such as budget, resources, technical issues, or customer satisfaction, to managers.",
        "Monitor costs incurred by project staff to identify budget issues.",
        "Analyze, manipulate, or process large sets of data using statistical software.",
        "Plan, schedule, or coordinate project activities to meet deadlines.",
        "Confer with project personnel to identify or resolve problems.",
        "Assign duties, responsibilities, and spans of authority to project personnel.",
    ]
    budget = topics("13-1082.00", "Program Manager", "Budget management (cost control, budget planning)", pm)
    assert "monitor costs" in budget, budget
    llm = topics("15-2051.00", "Machine Learning Engineer", "Large language models (LangChain, RAG pipelines)", pm)
    assert "has to" not in llm, llm


def test_a_learning_path_studies_parts_not_other_names_of_a_skill() -> None:
    """'Prospecting (cold calling, lead qualification)' is learned part by part; 'Clinical data analysis (patient
    data, healthcare data)' and 'Backward design (Understanding by Design) (UbD)' name one thing twice, so they are
    learned as one method with its vocabulary, not 'through its parts'."""
    from careeros.agents.fields import field_for
    from careeros.agents.models import GapFact
    from careeros.agents.roles import learning_path

    def first(label: str, soc: str) -> str:
        g = GapFact(skill_id="concept:x", label=label, kind="concept", size=0.5, status="missing", market_value=0.0)
        return learning_path(g, "Someone", field_for(soc), [])[0][0]

    assert "through its parts (cold calling and lead qualification)" in first(
        "Prospecting (cold calling, lead qualification)", "41-3091.00")
    for label, soc in [("Clinical data analysis (patient data, healthcare data)", "15-1211.01"),
                       ("EHR configuration (clinical system configuration, EHR optimization)", "15-1211.01"),
                       ("Backward design (Understanding by Design) (UbD, wiggins and mctighe)", "25-9031.00"),
                       ("Financial modeling (DCF, discounted cash flow)", "13-2051.00")]:
        text = first(label, soc)
        assert "through its parts" not in text and text.startswith("Foundations of"), text


def test_a_knowledge_question_says_day_to_day_once_in_every_field() -> None:
    """'Where does your knowledge of building and construction come into your day-to-day work?', never '...
    day-to-day day-to-day work' (a field whose work is already called day-to-day work), and an O*NET knowledge area
    in the words a person uses ('medicine', not 'Medicine and Dentistry'; 'systems evaluation' mid-sentence)."""
    from careeros.agents.fields import _FIELDS
    from careeros.agents.models import GapFact
    from careeros.agents.roles import _skill_question

    g = GapFact(skill_id="onet:2.C.3.d", label="Building and Construction", kind="knowledge", size=0.5,
                status="missing", market_value=0.0)
    for f in _FIELDS.values():
        q = _skill_question(g, f)
        assert q.count("day-to-day") == 1, q
        assert "knowledge of building and construction" in q, q
    med = GapFact(skill_id="onet:2.C.5.b", label="Medicine and Dentistry", kind="knowledge", size=0.5,
                  status="missing", market_value=0.0)
    q = _skill_question(med, _FIELDS["healthcare"])
    assert "Dentistry" not in q and "knowledge of medicine" in q, q
    sk = GapFact(skill_id="onet:2.B.4.h", label="Systems Evaluation", kind="skill", size=0.5, status="missing",
                 market_value=0.0)
    assert "your systems evaluation changed" in _skill_question(sk, _FIELDS["healthcare"])


def test_interview_task_questions_come_from_tasks_that_name_the_roles_skills() -> None:
    """Among a broad occupation's tasks, the interview asks about those that name what the role asks for (an
    Instructional Designer about needs assessments and instructional materials), in O*NET's order; others fill up
    only to a least number of questions."""
    from careeros.agents.models import TaskStatement
    from careeros.agents.roles import relevant_tasks

    texts = [
        "Advise and teach students.",
        "Conduct needs assessments and strategic learning assessments to develop the basis for curriculum development.",
        "Address public audiences to explain program objectives and to elicit support.",
        "Analyze performance data to determine effectiveness of instructional systems, courses, or materials.",
        "Observe work of teaching staff to evaluate performance.",
    ]
    tasks = [TaskStatement(soc_code="25-9031.00", task_id=str(i), task=t) for i, t in enumerate(texts)]
    labels = ["Needs analysis (needs assessment, performance analysis)", "Instructional design (ADDIE, course design)"]
    picked = [t.task for t in relevant_tasks(tasks, labels, 2)]
    assert picked == [texts[1], texts[3]]
    assert [t.task for t in relevant_tasks(tasks, labels, 6)] == [texts[1], texts[3]]  # only what names a skill ...
    assert [t.task for t in relevant_tasks(tasks, labels, 6, least=3)][:1] == [texts[0]]  # ... or O*NET's first


def test_a_green_economy_task_is_asked_only_of_a_green_role(built_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """O*NET's green-economy tasks are a niche of an occupation: a financial analyst is asked about financial models,
    not "financial analyses related to investments in green construction", unless the role's skills are about green
    work (over the real O*NET tasks of Financial and Investment Analysts)."""
    import duckdb

    from careeros.agents import roles
    from careeros.agents.models import TaskStatement

    with duckdb.connect(str(built_home / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("SELECT task_id, task FROM onet_task WHERE soc_code = '13-2051.00' ORDER BY task_id").fetchall()
    tasks = [TaskStatement(soc_code="13-2051.00", task_id=str(i), task=t) for i, t in rows]
    labels = ["Financial analysis (FP&A, financial planning and analysis, ratio analysis, profitability analysis)",
              "Financial modeling (DCF, discounted cash flow, valuation models)",
              "Investment analysis (equity research, asset allocation, portfolio analysis)"]

    def green(picked: list[TaskStatement]) -> list[str]:
        return [t.task for t in picked if " green " in f" {t.task.lower()} "]

    assert green(tasks)
    assert not green(roles.relevant_tasks(tasks, labels, roles.TASK_QUESTIONS))
    assert green(roles.relevant_tasks(tasks, [*labels, "Green building (LEED)"], len(tasks)))
    monkeypatch.setattr(roles, "_GREEN_ROLE", re.compile("financial", re.IGNORECASE))  # the rule keeps it out
    assert green(roles.relevant_tasks(tasks, labels, roles.TASK_QUESTIONS))


def test_an_interview_asks_a_long_task_by_its_gist() -> None:
    """An interviewer does not read out O*NET's 40-word task statement: a long task is asked by its gist (a run of
    verbs by its first and last, the purpose clause dropped); a short one as it is."""
    from careeros.agents.models import InterviewInput, RoleFact, TaskStatement
    from careeros.agents.roles import TASK_GIST_WORDS, interview_offline

    long_task = ("Design, develop, select, test, implement, and evaluate new or modified informatics solutions, data "
                 "structures, and decision-support mechanisms to support patients, health care professionals, and "
                 "their information management and human-computer and human-technology interactions within health "
                 "care contexts.")
    short_task = "Analyze patient data to improve nursing services."
    role = RoleFact(title="Clinical Informatics Specialist", soc_code="15-1211.01", gaps=[])
    inp = InterviewInput(role=role, tasks=[TaskStatement(soc_code="15-1211.01", task_id=str(i), task=t)
                                           for i, t in enumerate([long_task, short_task])],
                         skills=[], evidence=[], bullets=[])
    asked = [q.question for q in interview_offline(inp, {}).questions if q.kind == "task"]
    assert len(asked) == 2
    assert "informatics solutions" in asked[0] and "human-technology" not in asked[0]
    assert len(asked[0].split()) < len(long_task.split()) and len(long_task.split()) > TASK_GIST_WORDS
    assert short_task in asked[1]


def test_a_star_story_is_framed_as_a_task_only_when_they_share_what_they_are_about() -> None:
    """'Designed a ... curriculum aligned to state standards' is not the task of buying materials 'designed to meet
    ... district standards' (they share 'designed', 'to' and 'standards'): the story sets its own scene instead."""
    from careeros.agents.models import GapFact, InterviewInput, ResumeBullet, RoleFact, TaskStatement
    from careeros.agents.roles import interview_offline

    task = ("Recommend, order, or authorize purchase of instructional materials, supplies, equipment, and visual aids "
            "designed to meet student educational needs and district standards.")
    bullet = "Designed a 10-unit biology curriculum aligned to state standards; pass rates rose from 71% to 86%."
    role = RoleFact(title="Instructional Designer", soc_code="25-9031.00", gaps=[
        GapFact(skill_id="concept:ubd", label="Backward design (UbD)", kind="concept", size=0.5, status="missing",
                market_value=0.0)])
    inp = InterviewInput(role=role, tasks=[TaskStatement(soc_code="25-9031.00", task_id="1", task=task)], skills=[],
                         evidence=[], bullets=[ResumeBullet(text=bullet, role="High School Science Teacher",
                                                            company="Riverside Unified", quantified=True, score=1.0,
                                                            current=True)])
    out = interview_offline(inp, {})
    assert out.stories and "district standards" not in out.stories[0].task, out.stories[0].task


def test_interview_questions_skip_everyday_office_tools(case: tuple[str, Path, Any, Facts]) -> None:
    """Nobody is asked in an interview how they use Outlook: skill questions name the role's real tools and skills."""
    from careeros.agents.fields import OFFICE_TOOL

    _, home, _, facts = case
    out = agent_output("interview_prep", facts)
    asked = [q.question for q in out.questions if q.kind == "skill"]
    assert not [q for q in asked if OFFICE_TOOL.search(q.split(" in your", 1)[0])], asked
    # nor about what every occupation rates high: a knowledge or skill question names one this role needs more than
    # the average occupation does (O*NET ratings in the warehouse)
    from careeros.agents.facts import DISTINCT_MIN_LIFT
    from careeros.warehouse.db import connect

    soc = facts.roles[0].soc_code
    asked_ids = [q.source_ref.rsplit("/", 1)[-1] for q in out.questions if q.kind == "skill"]
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        lift = dict(con.execute(
            "WITH m AS (SELECT skill_id, avg(weight) AS mw FROM graph_occupation_skill WHERE relation IN "
            "('onet_rating', 'onet_rating_imputed') GROUP BY 1) SELECT e.skill_id, e.weight - m.mw FROM "
            "graph_occupation_skill e JOIN m USING (skill_id) WHERE e.soc_code = ? AND e.relation IN "
            "('onet_rating', 'onet_rating_imputed')", [soc]).fetchall())
    rated = [sid for sid in asked_ids if sid in lift]
    assert all(lift[sid] >= DISTINCT_MIN_LIFT for sid in rated), (rated, asked)


def test_a_computer_occupation_whose_work_is_not_software_takes_its_work_product_field() -> None:
    """Health Informatics Specialists sit in SOC 15-1 but make clinical dashboards and workflow specifications: the
    agents talk about informatics work and a clinical informatics lead, as the artifact family does, never about
    repositories or engineering work."""
    from careeros.agents.fields import field_for, software_words
    from careeros.planner.artifacts import family_for, load_families

    for soc in ("15-1211.01", "15-1255.00", "15-1252.00", "29-1141.00"):
        f = field_for(soc)
        assert f.software == family_for(soc, load_families()).software, soc
    hi = field_for("15-1211.01")
    assert hi.key == "health_informatics"
    words = " ".join(v for v in vars(hi).values() if isinstance(v, str))
    assert not software_words(words), software_words(words)


def test_a_long_task_is_quoted_by_its_gist_and_keeps_the_skill_it_was_chosen_for() -> None:
    from careeros.agents.roles import content_stems, task_gist

    long = ("Design, develop, select, test, implement, and evaluate new or modified informatics solutions, data "
            "structures, and decision-support mechanisms to support patients, health care professionals, and their "
            "information management within health care contexts")
    assert task_gist(long) == ("design and evaluate new or modified informatics solutions, data structures, and "
                               "decision-support mechanisms")
    # the purpose clause stays when the skill is named only there
    kept = task_gist(long, content_stems("health care") & content_stems(long))
    assert kept.startswith("design and evaluate") and "health care" in kept
    plan = ("Develop or update project plans including information such as objectives, technologies, schedules, "
            "funding, and staffing")
    assert task_gist(plan) == "develop or update project plans"
    assert task_gist("Monitor costs incurred by project staff") == "monitor costs incurred by project staff"
    # "using methods such as ..." goes whole, not leaving "using methods"
    assert task_gist("Assess staffing needs and recruit staff, using methods such as newspaper advertisements or "
                     "attendance at job fairs.") == "assess staffing needs and recruit staff"


def test_a_required_tool_the_person_has_not_shown_is_asked_as_what_they_will_say() -> None:
    """An electrician moving into construction management is not asked 'How have you used Procore in your daily
    work?': a required skill that is a missing gap with no evidence gets a question on what they will show of it; a
    skill their resume shows keeps the usual question."""
    from careeros.agents.models import GapFact, InterviewInput, ResumeBullet, RoleFact
    from careeros.agents.roles import interview_offline

    procore = GapFact(skill_id="tech:procore", label="Procore", kind="technology", size=0.5, status="missing",
                      market_value=0.0)
    bluebeam = GapFact(skill_id="tech:bluebeam", label="Bluebeam Revu", kind="technology", size=0.0, status="missing",
                       market_value=0.0)
    role = RoleFact(title="Construction Project Manager", soc_code="11-9021.00", gaps=[procore])
    bullet = "Marked up 40 drawing sets in Bluebeam Revu for change orders, cutting RFI turnaround from 5 to 2 days."
    inp = InterviewInput(role=role, tasks=[], skills=[procore, bluebeam], evidence=[],
                         bullets=[ResumeBullet(text=bullet, role="Electrical Foreman", company="Desert Power",
                                               quantified=True, score=1.0, current=True)])
    asked = {q.source_ref.rsplit("/", 1)[-1]: q.question for q in interview_offline(inp, {}).questions
             if q.kind == "skill"}
    assert "daily work" not in asked["tech:procore"] and "plan's work" in asked["tech:procore"], asked
    assert "How have you used Bluebeam Revu" in asked["tech:bluebeam"], asked


def test_interview_questions_skip_imputed_areas_the_roles_tasks_never_speak_of(built_home: Path) -> None:
    """O*NET imputes the ratings of occupations it has not surveyed: a project management specialist's most
    distinctive knowledge area comes out as Transportation. An interviewer would not ask a programme manager about
    it; an imputed area its tasks speak of (a financial analyst's economics and accounting) is still asked about."""
    from careeros.agents.facts import _spoken_of
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        ids = dict(con.execute("SELECT label, skill_id FROM graph_skill WHERE taxonomy = 'onet' AND label IN "
                               "('Transportation', 'Economics and Accounting', 'Systems Analysis')").fetchall())
        pm = _spoken_of(con, "13-1082.00", [ids["Transportation"], ids["Systems Analysis"]])
        fa = _spoken_of(con, "13-2051.00", [ids["Economics and Accounting"]])
    assert pm == [ids["Systems Analysis"]]
    assert fa == [ids["Economics and Accounting"]]


def test_a_missing_tool_beyond_the_top_gaps_is_new_ground_but_an_onet_area_keeps_its_question() -> None:
    """The reporter was asked 'How have you used Canva in your daily work?' because Canva ranked past the role's top
    gaps; a tool she does not show is asked as what she will show. O*NET's broad areas (a nurse's Medicine and
    Dentistry, rated low on her evidence) keep the usual question: they are not tools to be shown."""
    from careeros.agents.models import GapFact, InterviewInput, RoleFact
    from careeros.agents.roles import interview_offline

    canva = GapFact(skill_id="tech:canva", label="Canva", kind="technology", size=0.4, status="missing",
                    market_value=0.0)
    media = GapFact(skill_id="onet:knowledge:2.C.9.b", label="Communications and Media", kind="knowledge", size=0.1,
                    status="missing", market_value=0.0)
    role = RoleFact(title="Public Relations Specialist", soc_code="27-3031.00", gaps=[])
    inp = InterviewInput(role=role, tasks=[], skills=[canva, media], evidence=[], bullets=[])
    asked = {q.source_ref.rsplit("/", 1)[-1]: q.question for q in interview_offline(inp, {}).questions
             if q.kind == "skill"}
    assert asked["tech:canva"].startswith("You will likely be asked about Canva"), asked
    assert asked["onet:knowledge:2.C.9.b"].startswith("Where does your knowledge of communications and media"), asked
