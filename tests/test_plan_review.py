"""Plans a coach would sign: rendered for review personas over the real warehouse, plus the bad-input cases.

The review set (``data/eval/review_personas`` and the sample operator) is rendered by
``benchmarks/render_personas.py`` with real evidence curation; the checks read the markdown a person reads.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import REPO, profile_home

from careeros.planner.artifacts import load_families
from careeros.planner.coach import fmt_hours, parse_goal, scrub
from careeros.planner.gaps import Gap, GapReport

sys.path.insert(0, str(REPO / "benchmarks"))
import render_personas as rp  # noqa: E402

#: words that mark software-service advice; allowed only when the target field is software
SOFTWARE_WORDS = re.compile(r"\b(?:deploy\w*|microservices?|APIs?|endpoints?|Docker|Kubernetes|repositor(?:y|ies)|CI"
                            r"|CI/CD|pull requests?|commits?|GitHub|(?:small|web|micro|backend|REST) services?)\b")
#: O*NET labels and trade terms ("debt service coverage") that contain a listed word without meaning software
ALLOWED = re.compile(r"Customer and Personal Service|Service Orientation|Health Services|Human Services|debt service"
                     r"|Tin Can API", re.I)  # the e-learning standard's other name (xAPI)
INTERNAL_IDS = re.compile(r"\b(?:learn|build|publish):\S|\b(?:tech|tool|onet|esco|concept):[A-Za-z0-9]")
TASK_LINE = re.compile(r"^- \[ \] \*\*(?P<kind>[^*]+)\*\*: .* — (?P<dur>\d+(?:\.\d+)? (?:h|min))(?: \(stretch\))?\. "
                       r"Done when: (?P<done>.*?)\.(?: Builds on: .*)?$")
NOT_OUTCOME = re.compile(r"\bh of progress\b|\bhours?\b(?![- ]of[- ]service)|\b\d+(?:\.\d+)? ?h\b|\bminutes\b"
                         r"|\btime spent\b", re.I)  # "hours of service" is the drivers' rule, not time spent


# ------------------------------------------------------------------------------------------------ pure parts


@pytest.mark.parametrize(("goal", "count", "kind", "topic"), [
    ("Land an ML role within 3 months, with two public ML projects as evidence.", 2, "project", "ml"),
    ("Get a UX job within 4 months with three case studies in my portfolio.", 3, "project", "case study"),
    ("Become an analyst with 2 financial models.", 2, "project", "financial"),
    ("Move into clinical informatics with a clinical-data dashboard.", 1, "project", "dashboard"),
    ("Publish three articles on data quality.", 3, "write-up", None),
    ("Become a head chef within a year, with two menus I designed.", 2, "project", "menu"),
    ("Move into PR with three press releases I wrote.", 3, "write-up", "press release"),
])
def test_goal_counts_and_nouns(goal: str, count: int, kind: str, topic: str | None) -> None:
    got = parse_goal(goal)
    assert len(got) == 1 and got[0].count == count and got[0].kind == kind
    assert topic is None or topic in got[0].topics
    assert not parse_goal("Land a data role within 3 months")  # months are not work products


@pytest.mark.parametrize(("minutes", "text"), [(45, "45 min"), (90, "1.5 h"), (120, "2 h"), (75, "1.25 h"),
                                               (2, "15 min"), (3.2 * 60, "3.25 h")])
def test_hours_read_like_hours(minutes: float, text: str) -> None:
    assert fmt_hours(minutes) == text


def test_internal_ids_are_scrubbed() -> None:
    assert scrub("after learn:tech:python and esco:0990d0a7-63f7 then onet:2.A.1.a x") == "after and then x"


def test_families_by_soc_prefix_not_occupation() -> None:
    fams = load_families()
    from careeros.planner.artifacts import family_for

    assert family_for("15-1211.01", fams).id == "health-informatics"  # longest prefix beats 15-12
    assert family_for("15-1252.00", fams).software
    assert family_for("29-1141.00", fams).id == "healthcare"
    assert family_for("35-1011.00", fams).id == "hospitality"  # chefs: the kitchen and venue products
    assert family_for("13-1041.00", fams).id == "law-compliance"  # beats 13-1 (management)
    assert family_for("23-2011.00", fams).id == "law-compliance"  # paralegals and lawyers: no programme plans
    assert family_for("13-1041.01", fams).id == "management"  # environmental compliance inspectors are not
    assert family_for("41-3091.00", fams).id == "sales" and family_for("11-2022.00", fams).id == "sales"
    assert family_for("43-5032.00", fams).id == "logistics" and family_for("13-1081.02", fams).id == "logistics"
    assert family_for("21-1022.00", fams).id == "social-services"  # not programme plans for a social worker
    assert family_for("11-9151.00", fams).id == "management"  # ... while their managers keep them
    assert family_for("39-5012.00", fams).id == "personal-care"  # hairdressers: a service portfolio, not a case study
    assert family_for("55-3016.00", fams).id == "default"  # military occupations: no field template
    assert not any(f.software for f in fams if f.id != "software")
    # a prefix two families claim goes to whichever is listed first: each prefix belongs to one family
    prefixes = [p for f in fams for p in f.soc]
    assert len(prefixes) == len(set(prefixes)), sorted(p for p in set(prefixes) if prefixes.count(p) > 1)


def test_sessions_are_whole_quarter_hours() -> None:
    from careeros.planner.artifacts import load_catalogue
    from careeros.planner.assumptions import default_assumptions
    from careeros.planner.plan import build_plan
    from careeros.profile import Profile

    prof = Profile.model_validate({"name": "Q", "target_roles": [{"title": "Data Role", "soc_code": "15-1243.00"}],
                                   "weekly_hours": 7, "horizon_weeks": 8,
                                   "goal": {"statement": "Land a data role with two projects"}})
    gaps = [Gap(skill_id=f"tech:s{i}", label=f"Skill {i}", kind="technology", required=0.5, weight=0.5,
                market_value=0.5, evidenced=0.0, size=0.5 - i / 100, status="missing", reason="t") for i in range(12)]
    rep = GapReport(soc_code="15-1243.00", title="Database Architects", gaps=gaps, coverage=0.2,
                    market_value_source="neutral")
    plan = build_plan(prof, [rep], load_catalogue(), default_assumptions(), start=date(2026, 1, 5))
    for wk in plan.weeks:
        assert wk.minutes == 7 * 60
        for t in wk.tasks:
            assert t.minutes >= 30 and t.minutes % 15 == 0, (t.title, t.minutes)
            assert not NOT_OUTCOME.search(t.verification.done), t.verification.done
    assert plan.goal_targets and plan.goal_targets[0]["planned"] == 2


# ------------------------------------------------------------------------------------------------ bad input


def _plan(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str) -> tuple[object, str]:
    from careeros.planner.approval import compute_plan
    from careeros.planner.publish import plan_markdown
    from careeros.profile import load_profile

    home = profile_home(built_home, tmp_path / "home", monkeypatch, profile)
    plan = compute_plan(home, load_profile(home / "profile.toml"), read_only=True)
    return plan, plan_markdown(plan)


NO_RESUME = """name = "Ana No Resume"
weekly_hours = 6
[goal]
statement = "Become a financial analyst within 6 months."
[[target_roles]]
title = "Financial Analyst"
soc_code = "13-2051.00"
"""

NO_TEMPLATE = """name = "Sam Stylist"
weekly_hours = 5
[goal]
statement = "Become a senior stylist within a year, with a portfolio of colour work."
[[target_roles]]
title = "Hair Stylist"
soc_code = "39-5012.00"
"""
CHEF = """name = "Sam Chef"
weekly_hours = 5
[goal]
statement = "Become a head chef within a year, with two menus I designed."
[[target_roles]]
title = "Head Chef"
soc_code = "35-1011.00"
"""


def test_profile_without_resume_still_plans_with_its_limits(built_home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    plan, md = _plan(built_home, tmp_path, monkeypatch, NO_RESUME)
    assert plan.weeks and plan.artifact_details
    assert any("no resume" in x.lower() for x in plan.limits)
    assert any("no postings" in x.lower() or "no job postings" in x.lower() for x in plan.limits)  # none in tests
    assert "## Limits of this plan" in md and "no resume" in md.lower()
    assert not SOFTWARE_WORDS.search(ALLOWED.sub("", md)), SOFTWARE_WORDS.search(ALLOWED.sub("", md))


def test_field_without_template_still_plans_with_its_limits(built_home: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.planner import artifacts

    # every civilian occupation with task statements now has a field family: take hairdressers' away to plan a field
    # that has none (its products then come from the occupation's own tasks)
    families = artifacts.load_families
    monkeypatch.setattr(artifacts, "load_families", lambda *a, **k: [f for f in families(*a, **k) if f.id != "personal-care"])
    plan, md = _plan(built_home, tmp_path, monkeypatch, NO_TEMPLATE)
    assert plan.weeks and plan.artifact_details
    assert any("no work-product template" in x for x in plan.limits)
    assert all(a.task for a in plan.artifact_details)  # anchored to the occupation's own tasks
    assert not SOFTWARE_WORDS.search(ALLOWED.sub("", md))
    assert not INTERNAL_IDS.search(md)


def test_kitchen_and_venue_work_for_a_chef(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A head chef's plan is built from the kitchen's and venue's own work products (a costed menu, a labor
    schedule, an operations manual, guest standards), in the words of that field, with no template limit."""
    plan, md = _plan(built_home, tmp_path, monkeypatch, CHEF)
    assert plan.artifact_details and not any("no work-product template" in x for x in plan.limits)
    hospitality = {p.title for f in load_families() if f.id == "hospitality" for p in f.products}
    assert {a.title.split(" (")[0] for a in plan.artifact_details} <= hospitality, plan.artifact_details
    assert not SOFTWARE_WORDS.search(ALLOWED.sub("", md))
    assert not INTERNAL_IDS.search(md)


def test_plan_artifacts_uses_profile_hours_and_evidence(built_home: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    from careeros.cli import app

    home = profile_home(built_home, tmp_path / "home", monkeypatch, NO_RESUME)
    res = CliRunner().invoke(app, ["plan", "artifacts", "--role", "13-2051.00", "--json", "--have", "Excel"])
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout.strip().splitlines()[-1])
    assert obj["hours_budget_source"] == "profile" and obj["hours_budget"] < 120
    assert obj["hours_budget"] == pytest.approx(6 * 12 * (1 - 0.1 - 0.15), rel=0.2)
    assert obj["field"] == "finance and accounting" and obj["chosen"]
    assert "tech:microsoft-excel" not in {s for a in obj["chosen"] for s in a["skills"]}
    assert all(a["done"] and not NOT_OUTCOME.search(a["done"]) for a in obj["chosen"])
    assert (home / "profile.toml").is_file()


# ------------------------------------------------------------------------------------------------ review set


@pytest.fixture(scope="module")
def rendered(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[rp.Persona, str]]:
    """Every review persona's plan, rendered over a copy of the session warehouse with real evidence curation."""
    from careeros.settings import get_settings

    work = tmp_path_factory.mktemp("personas")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(work / "_base"))
        base = rp.prepare_base(built_home / "warehouse.duckdb", work / "_base")
        out = {}
        for p in rp.personas():
            out[p.slug] = (p, rp.render_persona(base, p, work, kinds=("plan",))["plan"])
            AGENTS[p.slug] = rp.agent_review(work / p.slug, rp.load(p))
    get_settings.cache_clear()
    return out


#: persona slug -> agent name -> (text, coach-check problems), filled by ``rendered``
AGENTS: dict[str, dict[str, tuple[str, list[str]]]] = {}


def test_every_agent_output_of_every_review_persona_passes_the_coach_checks(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    from careeros.agents.models import AGENT_NAMES

    assert set(AGENTS) == set(rendered)
    for slug, outputs in AGENTS.items():
        assert set(outputs) == set(AGENT_NAMES), slug
        for name, (text, issues) in outputs.items():
            assert text.strip(), (slug, name)
            assert issues == [], (slug, name, issues)
            assert not INTERNAL_IDS.search(text), (slug, name, INTERNAL_IDS.search(text))


def test_review_set_spans_fields(rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    fields = {p.field for p, _ in rendered.values()}
    assert len(rendered) >= 8 and len(fields) >= 5, fields


def test_review_plans_read_like_a_coach_wrote_them(rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    for slug, (persona, md) in rendered.items():
        assert not INTERNAL_IDS.search(md), (slug, INTERNAL_IDS.search(md))
        if not persona.software:
            hit = SOFTWARE_WORDS.search(ALLOWED.sub("", md))
            assert hit is None, (slug, md[max(0, hit.start() - 80):hit.end() + 80])
        tasks = [m for m in (TASK_LINE.match(line) for line in md.splitlines()) if m]
        assert tasks, slug
        for m in tasks:
            n, unit = m.group("dur").split()
            minutes = float(n) * (60 if unit == "h" else 1)
            assert minutes >= 30 and minutes % 15 == 0, (slug, m.group(0))
            assert not NOT_OUTCOME.search(m.group("done")), (slug, m.group("done"))
        assert "Done when:" in md and "## Other ways to use the same hours" in md
        alt_lines = [x for x in md.split("## Other ways to use the same hours")[1].split("##")[0].splitlines()
                     if x.startswith("- **")]
        assert len(alt_lines) == 3 and all(x.count(";") >= 1 for x in alt_lines), (slug, alt_lines)
        # a session of a longer step says which outcome it works towards, never that the outcome is done
        assert "under way —" not in md, slug
        parts = re.findall(r"draft towards '([^']*)'", md)
        assert all(p and not p.endswith(" done") for p in parts), slug
        # "what this plan's work adds" names what the plan's work products show, nothing else
        made = md.split("## What you will make")[1].split("## Week by week")[0] if "## What you will make" in md else ""
        adds = re.findall(r"What this plan's work adds: ([^(,.]+)", md)
        assert "New ground" not in md and adds, slug
        for first in adds:
            assert first.strip() in made, (slug, first)
        # the transition from the current role is explained from the resume
        assert "Today you work as" in md and ("From " in md or "same occupation" in md), slug


def test_sample_operator_plan_has_the_two_ml_projects_its_goal_asks_for(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    _, md = rendered["sample-operator"]
    assert "You asked for **two public ML projects**: the plan puts in 2 of 2" in md
    made = md.split("## What you will make")[1].split("## Week by week")[0]
    assert len(re.findall(r"^\d+\. \*\*(?:Machine-learning project|Model served)", made, re.M)) >= 2, made
    assert "Senior Backend Engineer" in md and "Machine Learning Engineer (O*NET: Data Scientists" in md


# O*NET's basic skills by their own names ("Writing", not the concept "Writing and editing (copyediting)")
GENERIC_BASICS = re.compile(r"\b(?:English Language|Reading Comprehension|Active Listening|Speaking|Writing|"
                            r"Critical Thinking)\b(?! and editing)")


def test_what_carries_over_is_what_the_person_shows_of_the_target(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """A coach names the person's own strengths that the target asks for, not the reading and listening every job
    shares: the data analyst carries SQL into data engineering, the teacher curriculum design."""
    said = {}
    for slug, (_, md) in rendered.items():
        for m in re.finditer(r"What carries over: (.+?)\. ", md):
            assert not GENERIC_BASICS.search(m.group(1)), (slug, m.group(1))
            said[slug] = said.get(slug, "") + m.group(1)
    assert len(said) >= 6, sorted(said)
    assert "SQL" in said["analyst-data-engineer"]
    assert "Curriculum design" in said["teacher-instructional-designer"]


GAP_LINE = re.compile(r"^- (?P<label>.+?)(?: \(partly shown\))? — (?P<what>this plan: .+|not in this plan's weeks)$")


def test_every_role_lists_what_it_asks_for_and_what_the_plan_does_about_it(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """Not only the gaps the plan's work covers: the role's largest requirements, each with this plan's answer."""
    for slug, (_, md) in rendered.items():
        heading = md.split("## Where you are heading")[1].split("## What you will make")[0]
        assert "What it asks for that you do not show yet" in heading, slug
        lines = [m for m in (GAP_LINE.match(x) for x in heading.splitlines()) if m]
        assert 3 <= len(lines) <= 10 * heading.count("### "), (slug, heading)
        covered = [m for m in lines if m.group("what").startswith("this plan")]
        assert covered, (slug, heading)  # the plan works on some of the largest
        made = md.split("## What you will make")[1].split("## Week by week")[0]
        for m in covered:  # what it names is in the plan
            for title in re.findall(r"\*(.+?)\*", m.group("what")):
                assert f"**{title}**" in made or title in md.split("## Week by week")[1], (slug, title)


ONET_KNOWLEDGE = re.compile(r"\b(?:Philosophy and Theology|History and Archeology|Sociology and Anthropology|"
                            r"Medicine and Dentistry|Fine Arts|Foreign Language|Geography|Food Production|"
                            r"Telecommunications|Transportation|Building and Construction|Biology|Chemistry|Physics|"
                            r"Psychology|Economics and Accounting|Law and Government|Public Safety and Security|"
                            r"Administration and Management|Customer and Personal Service|Communications and Media)\b")


def test_smaller_items_name_concepts_not_onets_broad_areas(rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """'Smaller items: Philosophy and Theology, History and Archeology ...' for an instructional designer is no advice:
    O*NET's broad knowledge and skill areas among a role's small gaps are counted, like its long tool lists."""
    lines = [(slug, m.group(1)) for slug, (_, md) in rendered.items()
             for m in re.finditer(r"^Smaller items: (.+)$", md, re.M)]
    assert lines
    for slug, line in lines:
        assert not ONET_KNOWLEDGE.search(line), (slug, line)
    assert any("broad knowledge or skill area" in line for _, line in lines), lines


@pytest.mark.parametrize(("expected", "noun", "text"), [
    (6.45, "reply", "about 6 replies"), (1.94, "interview", "about 2 interviews"),
    (1.4, "interview", "1 or 2 interviews"), (0.4, "interview", "fewer than one interview"),
    (1.1, "reply", "about 1 reply")])
def test_expected_counts_read_as_whole_people(expected: float, noun: str, text: str) -> None:
    from careeros.planner.publish import _about

    assert _about(expected, noun) == text


SESSION = re.compile(r"^- \[ \] \*\*(?P<kind>Build|Learn|Publish)\*\*: (?P<title>.+?) \(session \d+ of \d+\) — .*"
                     r"Done when: (?P<done>.*?)\.(?: Builds on: .*)?$")


def test_no_two_pieces_of_work_or_sessions_promise_the_same_outcome(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """Two instances of one product say what each centres on; sessions of one item never repeat a done text."""
    for slug, (_, md) in rendered.items():
        made = md.split("## What you will make")[1].split("## Week by week")[0]
        dones = re.findall(r"^   - Done when: (.+)$", made, re.M)
        assert len(dones) == len(set(dones)), (slug, dones)
        assert not re.search(r"\b1 personalised messages\b", md), slug
        seen: dict[tuple[str, str], list[str]] = {}
        for m in (SESSION.match(x) for x in md.splitlines()):
            if m:
                seen.setdefault((m.group("kind"), m.group("title")), []).append(m.group("done"))
        for key, texts in seen.items():
            assert len(texts) == len(set(texts)), (slug, key, texts)


def _made(md: str) -> str:
    return md.split("## What you will make")[1].split("## Week by week")[0]


def test_products_show_what_they_are_named_for_and_broader_skills_come_first(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """What a coach checks in the products: the ML engineer's first project is on machine learning, the deep
    learning one after it, and the deep learning work is where PyTorch is used (not 'not in this plan's weeks');
    a nurse's EHR workflow redesign shows clinical workflows; a teacher's second module is not about coaching
    models, a gap far down the list."""
    md = rendered["backend-ml-engineer"][1]
    items = re.findall(r"^\d+\. \*\*(.+?)\*\*\n(?:   - .*\n)*?   - Shows: (.+)$", _made(md), re.M)
    assert items and items[0][0] == "Machine-learning project", items
    assert items[0][1].startswith("Machine learning"), items
    deep = [i for i, (_, shows) in enumerate(items) if "Deep learning" in shows]
    gpu = [i for i, (_, shows) in enumerate(items) if "GPU training" in shows]
    assert deep and (not gpu or min(gpu) >= min(deep)), items
    assert not re.search(r"^- PyTorch \(or TensorFlow\) — not in this plan's weeks", md, re.M)
    nurse = _made(rendered["nurse-health-informatics"][1])
    workflow = nurse.split("**EHR workflow redesign and data-mapping specification**")
    assert len(workflow) == 2 and "Clinical workflows" in re.split(r"\n\d+\. ", workflow[1])[0], nurse
    assert "centres on Instructional coaching" not in rendered["teacher-instructional-designer"][1]


def test_a_write_ups_publish_step_is_a_post_not_a_repository() -> None:
    """The software field publishes its projects as repositories, but its design write-up is a post and its
    dashboard a public link: the publish step says so (it said 'Public repository with README' for an article)."""
    from careeros.planner.artifacts import Gap, RoleContext, family_for, field_candidates, load_families

    soc = "15-1243.00"
    ctx = RoleContext(soc_code=soc, tasks=["Document and recommend database designs"],
                      family=family_for(soc, load_families()))
    gap = Gap(skill_id="s1", label="Data modeling (schema design)", kind="concept", required=0.5, weight=1.0,
              market_value=0.5, evidenced=0.0, size=0.5, status="missing", reason="t")
    arts = {a.template_id: a for a in field_candidates(ctx, [gap])}
    assert "post" in arts["software/tech-write-up"].publish_done
    assert "repository" not in arts["software/tech-write-up"].publish_done


def test_a_narrower_form_of_a_larger_gap_is_listed_under_it() -> None:
    """'Construction contract administration (AIA/FIDIC)' two lines below 'Contract administration' read as the same
    gap twice: it is listed under it, so the role's ten lines name ten things; a credential and two different
    practices ('Project management', 'Program management') stay apart."""
    from careeros.planner.gaps import narrower_form
    from careeros.planner.publish import fold_narrower

    assert narrower_form("Construction contract administration (AIA/FIDIC) (AIA A201, change orders)",
                         "Contract administration (change orders, contract compliance)")
    assert narrower_form("Data analysis (EDA)", "Clinical data analysis (patient data)")
    assert not narrower_form("Program management (program planning)", "Project management (project delivery)")
    assert not narrower_form("Contract administration", "Contract administration (change orders)")
    gaps = [{"label": "Contract administration (change orders)", "skill_id": "a"},
            {"label": "Construction management (site management)", "skill_id": "b"},
            {"label": "Construction contract administration (AIA/FIDIC) (AIA A201)", "skill_id": "c"},
            {"label": "Construction management certification (CCM) (CMAA CCM)", "skill_id": "d"}]
    folded = fold_narrower(gaps)
    assert [(g["skill_id"], [x["skill_id"] for x in under]) for g, under in folded] == [
        ("a", ["c"]), ("b", []), ("d", [])]


def test_what_a_products_definition_of_done_requires_is_shown_by_it(
        rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """A UX case study whose done criteria test the prototype with three people shows usability testing; a lesson
    module whose first milestone is a storyboard shows storyboarding: neither is 'not in this plan's weeks'."""
    from careeros.planner.artifacts import Artifact, does_by_the_way
    from careeros.planner.gaps import Gap

    def gap(label: str) -> Gap:
        return Gap(skill_id="x", label=label, kind="concept", required=0.5, weight=1.0, market_value=0.5,
                   evidenced=0.0, size=0.5, status="missing", reason="t")

    est = Artifact(id="e", template_id="construction/estimate", kind="project", title="Cost estimate and schedule",
                   hours=12, proof="p", strength=0.8, skills=["a"], inherent=["critical path", "cost estimat"])
    assert does_by_the_way(est, gap("Critical path scheduling (Primavera P6, CPM, resource leveling)"))
    assert not does_by_the_way(est, gap("Contract administration (change orders, contract compliance, claims, critical path disputes)"))
    assert not does_by_the_way(est, gap("Certified Cost Estimator certification (cost estimating)"))
    ux = rendered["graphic-designer-ux"][1]
    assert re.search(r"^- Usability testing .* — this plan: \*Portfolio case study", ux, re.M), ux
    teach = rendered["teacher-instructional-designer"][1]
    assert re.search(r"^- Storyboarding — this plan: \*Interactive lesson module", teach, re.M), teach


def test_a_weeks_line_tells_what_happens_in_order(rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """A product finished and published in one week is told once, in that order; a build session that reaches one
    of the product's milestones names it instead of 'well into' week after week."""
    lines = [ln for _, md in rendered.values() for ln in re.findall(r"By the end of the week: (.+)", md)]
    assert lines
    for ln in lines:
        for m in re.finditer(r"published ([^;]+)", ln):
            assert f"finished {m.group(1)}" not in ln, ln
    reached = [ln for ln in lines if re.match(r"[A-Z][^;:]+: [a-z]", ln) and " learned" not in ln]
    assert reached, lines


def test_a_tool_is_learned_by_making_something_in_it(rendered: dict[str, tuple[rp.Persona, str]]) -> None:
    """Learning a field's tool ends in something made with it ("a media list ... built in PR and media monitoring
    software (Cision, Meltwater)"), not "a short piece applying" it; a practice keeps the field's own outcome."""
    _, md = rendered["reporter-public-relations"]
    tool = re.findall(r"\*\*Learn\*\*: PR and media monitoring software[^\n]*Done when: ([^\n]+)", md)
    assert tool and all("built in PR and media monitoring software" in d for d in tool), tool
    practice = re.findall(r"\*\*Learn\*\*: Public relations \([^\n]*Done when: ([^\n]+)", md)
    assert practice and all(d.startswith("A short piece applying") for d in practice), practice
