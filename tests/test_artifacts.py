"""Artifact catalogue and the budgeted set cover (hypothesis properties), plus the `plan artifacts` CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from careeros.planner.artifacts import (
    Artifact,
    choose_artifacts,
    instantiate,
    load_catalogue,
    plan_artifacts,
    plan_value,
)
from careeros.planner.gaps import Gap


def _gap(i: int, size: float, kind: str = "technology") -> Gap:
    return Gap(skill_id=f"s{i}", label=f"Skill {i}", kind=kind, required=size, weight=1.0, market_value=0.5,
               evidenced=0.0, size=size, status="missing", reason="test")


def test_catalogue_loads_and_extends(tmp_path: Path) -> None:
    base = load_catalogue()
    kinds = {t.kind for t in base}
    assert {"project", "write-up", "certification", "talk", "open-source"} <= kinds
    (tmp_path / "mine.yaml").write_text(
        "templates:\n  - id: my-demo\n    kind: project\n    title: Demo of {skill}\n    applies_to: [tool]\n"
        "    hours: 2\n    proof: video\n")
    ext = load_catalogue([tmp_path])
    assert len(ext) == len(base) + 1 and any(t.id == "my-demo" for t in ext)


def test_generic_templates_cover_any_gap() -> None:
    gaps = [_gap(0, 1.0, "technology"), _gap(1, 0.5, "tool"), _gap(2, 0.4, "skill"), _gap(3, 0.3, "knowledge")]
    cands = instantiate(load_catalogue(), gaps)
    covered = {s for c in cands for s in c.skills}
    assert covered == {g.skill_id for g in gaps}
    assert any("Skill 0" in c.title for c in cands)


gap_lists = st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8)
art_lists = st.lists(st.tuples(st.lists(st.integers(0, 7), min_size=1, max_size=3, unique=True),
                               st.floats(1, 40), st.floats(0.1, 1.0)), min_size=1, max_size=10)


@settings(max_examples=150, deadline=None)
@given(sizes=gap_lists, arts=art_lists, budget=st.floats(1, 80))
def test_set_cover_properties(sizes: list[float], arts: list[tuple[list[int], float, float]], budget: float) -> None:
    gaps = [_gap(i, s) for i, s in enumerate(sizes)]
    cands = [Artifact(id=f"a{j}", template_id="t", kind="project", title="t", hours=h, proof="p", strength=st_,
                      skills=[f"s{i}" for i in sk]) for j, (sk, h, st_) in enumerate(arts)]
    plan = choose_artifacts(cands, gaps, budget)
    sz = {g.skill_id: g.size for g in gaps}
    assert sum(a.hours for a in plan.chosen) <= budget + 1e-6
    for a in plan.chosen:
        assert any(s in sz for s in a.skills)  # every chosen artifact covers at least one gap
    assert len({a.id for a in plan.chosen}) == len(plan.chosen)
    # no worse than the best single affordable artifact (and so than the cheapest one)
    singles = [c for c in cands if c.hours <= budget and any(s in sz for s in c.skills)]
    if singles:
        assert plan.value_covered >= max(plan_value([c], sz) for c in singles) - 1e-4
        cheapest = min(singles, key=lambda c: c.hours)
        assert plan.value_covered >= plan_value([cheapest], sz) - 1e-4
    assert plan.value_covered == pytest.approx(plan_value(plan.chosen, sz), abs=1e-3)


def test_zero_budget_and_no_gaps() -> None:
    gaps = [_gap(0, 1.0)]
    assert plan_artifacts(gaps, 0.5).chosen == []
    assert plan_artifacts([], 100).chosen == []


def test_cli_contract(built_home: Path) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app
    from careeros.settings import get_settings

    # settings cached by an earlier in-process caller (another home) must not leak into this invocation
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(built_home.parent / "some-other-home"))
        get_settings.cache_clear()
        assert get_settings().home != built_home
    res = CliRunner().invoke(app, ["plan", "artifacts", "--role", "15-1252.00", "--json", "--hours", "40",
                                   "--have", "Python"], env={"CAREEROS_HOME": str(built_home)})
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout.strip().splitlines()[-1])
    assert obj["role"] == "15-1252.00" and obj["total_hours"] <= 40 and obj["chosen"]
    assert all(a["skills"] and a["hours"] > 0 for a in obj["chosen"])
    assert "tech:python" not in {s for a in obj["chosen"] for s in a["skills"]}


def test_a_product_binds_what_it_is_about_first() -> None:
    from careeros.planner.artifacts import Family, Product, RoleContext, field_candidates

    prod = Product(id="estimate-schedule", kind="project", title="Cost estimate and schedule",
                   skills=["construction", "estimat", "schedul"], skill_kinds=["concept"],
                   topics=["estimate", "schedule", "project"], bundle=2, hours=10, strength=0.8, done="d", publish="p")
    fam = Family(id="construction", field="construction", soc=["11-9021"], products=[prod])
    ctx = RoleContext(soc_code="11-9021.00", tasks=["Prepare cost estimates and schedules"], family=fam)
    gaps = [Gap(skill_id=f"s{i}", label=label, kind="concept", required=size, weight=1.0, market_value=0.5,
                evidenced=0.0, size=size, status="missing", reason="t")
            for i, (label, size) in enumerate([("Construction management", 0.9), ("Construction documentation", 0.8),
                                                ("Cost estimating", 0.5), ("Project scheduling", 0.4)])]
    arts = field_candidates(ctx, gaps)
    first = [a for a in arts if ":estimate-schedule:" in a.id]
    assert first and first[-1].skill_labels == ["Cost estimating", "Project scheduling"]
    assert first[-1].strength == 0.8
    # the broad construction skills go to the next instance, which shows none of the product's subject
    second = [a for a in arts if ":estimate-schedule#2:" in a.id]
    assert second[-1].skill_labels == ["Construction management", "Construction documentation"]
    assert second[-1].strength == round(0.8 * 0.6, 4)


def _missing_gap(sid: str, label: str, kind: str = "concept") -> Gap:
    """A missing gap of one requirement, sized 0.8."""
    return Gap(skill_id=sid, label=label, kind=kind, required=0.8, weight=1.0, market_value=0.5, evidenced=0.0,
               size=0.8, status="missing", reason="t")


def _bound(soc: str, gaps: list[Gap], tasks: list[str], own_title: str | None = None) -> dict[str, set[str]]:
    """Each field product offered for ``soc`` (its family, ``tasks`` as its statements) -> the gap skills it binds."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    ctx = RoleContext(soc_code=soc, family=family_for(soc, load_families()), tasks=tasks, own_title=own_title)
    out: dict[str, set[str]] = {}
    for a in field_candidates(ctx, gaps):
        out.setdefault(a.template_id, set()).update(a.skills)
    return out


def _gaps(items: list[tuple[str, float]]) -> list[Gap]:
    return [Gap(skill_id=f"s{i}", label=label, kind="concept", required=size, weight=1.0, market_value=0.5,
                evidenced=0.0, size=size, status="missing", reason="t") for i, (label, size) in enumerate(items)]


@pytest.mark.parametrize(("label", "credential"), [
    ("Compliance certifications (CCEP, CRCM, CAMS)", True),
    ("Advanced Cardiac Life Support (ACLS) (ACLS certification, ACLS certified)", True),
    ("Insurance licensing", True),
    ("School administrator licensure (administrative services credential, principal certification)", True),
    ("Actuarial exams and associateship (ASA/ACAS)", True),
    # an activity that mentions licences or exams is no credential to earn
    ("Regulatory filings and reporting (regulatory correspondence, licensing filings, regulatory submissions)", False),
    ("IT asset management (software license management, SAM)", False),
    ("Child care licensing and quality standards (licensing regulations)", False),
    ("FMLA notices and medical certification (WH-380, WH-382)", False),
    ("Patient rooming and exam assisting", False),
    ("Forklift operation (forklift certification, reach truck)", True),
    # a degree is earned through a programme, not studied in a session
    ("Library science degree (MLIS) (ALA-accredited MLIS, MLS degree)", True),
    ("Degree audit systems (DegreeWorks)", False),
    # a credential word far down the examples, or certificates the work issues, name no credential to earn
    ("Loan processing and conditions (conditions clearing, VOE, title ordering, flood certification)", False),
    ("Phytosanitary and plant quarantine inspection (phytosanitary certificates, PPQ)", False),
    ("Brewing and distilling qualifications (IBD certificates, Siebel)", True),
])
def test_which_gap_labels_name_a_credential(label: str, credential: bool) -> None:
    from careeros.planner.artifacts import is_credential

    assert is_credential(label) is credential


def test_a_work_product_never_binds_a_credential() -> None:
    """An EHR workflow redesign names 'epic' and 'ehr' among its skills, but it does not evidence an Epic
    certification: only the credential's own exam does."""
    from careeros.planner.artifacts import Family, Product, RoleContext, field_candidates

    prod = Product(id="ehr-workflow", kind="project", title="EHR workflow redesign", skills=["epic", "ehr"],
                   skill_kinds=["concept"], topics=["ehr"], bundle=3, hours=10, strength=0.8, done="d", publish="p")
    fam = Family(id="health-informatics", field="health informatics", soc=["15-1211"], products=[prod])
    ctx = RoleContext(soc_code="15-1211.01", tasks=["Develop guidelines for system implementation"], family=fam)
    gaps = _gaps([("Epic EHR application certification (ClinDoc, Ambulatory)", 0.9), ("EHR configuration", 0.8)])
    bound = {s for a in field_candidates(ctx, gaps) for s in a.skill_labels}
    assert bound == {"EHR configuration"}


def test_a_second_instance_takes_up_where_a_smaller_first_one_stops() -> None:
    """Two ML projects in a tight budget: the first on machine learning alone leaves model evaluation to the second
    (not the fifth-largest gap); every such second instance is one instance, never planned twice."""
    from careeros.planner.artifacts import Family, Product, RoleContext, field_candidates, instance_key

    prod = Product(id="ml", kind="project", title="Machine-learning project", skills=["machine learning", "model",
                   "regression", "deep learning", "statistic"], skill_kinds=["concept"], topics=["ml"], bundle=4,
                   hours=20, strength=0.8, done="d", publish="p")
    fam = Family(id="data", field="data", soc=["15-2051"], products=[prod])
    ctx = RoleContext(soc_code="15-2051.00", tasks=["Compare models"], family=fam)
    gaps = _gaps([("Machine learning", 0.9), ("Model evaluation", 0.85), ("Deep learning", 0.8),
                  ("Statistics", 0.7), ("Regression analysis", 0.5)])
    arts = field_candidates(ctx, gaps)
    firsts = [a for a in arts if ":ml:" in a.id]
    seconds = [a for a in arts if ":ml#2" in a.id]
    assert firsts[0].skill_labels == ["Machine learning"]
    assert ["Model evaluation"] in [a.skill_labels for a in seconds]
    assert len({instance_key(a) for a in seconds}) == 1 and instance_key(seconds[0]) != instance_key(firsts[0])


def test_field_products_follow_the_work_a_role_does() -> None:
    """The shipped work products: a programme manager's own task 'Propose ... modifications to project plans' does
    not make a policy brief (a political scientist's policy statements do, a programme manager gets a business
    case); production and inspection roles have a family of their own (an inspection report, not a case study)."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    fams = load_families()
    gaps = [Gap(skill_id="s1", label="Budget management", kind="concept", required=0.5, weight=1.0, market_value=0.5,
                evidenced=0.0, size=0.5, status="missing", reason="t"),
            Gap(skill_id="s2", label="Quality inspection and metrology", kind="concept", required=0.5, weight=1.0,
                market_value=0.5, evidenced=0.0, size=0.5, status="missing", reason="t")]

    def products(soc: str, tasks: list[str]) -> set[str]:
        ctx = RoleContext(soc_code=soc, tasks=tasks, family=family_for(soc, fams))
        return {a.template_id for a in field_candidates(ctx, gaps)}

    pm = products("13-1082.00", ["Propose, review, or approve modifications to project plans",
                                 "Monitor costs incurred by project staff to identify budget issues"])
    assert "management/policy-brief" not in pm and "management/business-case" in pm
    assert "management/policy-brief" in products("19-3094.00", ["Interpret and analyze policies, public issues, "
                                                                "legislation, or the operations of governments"])
    insp = products("51-9061.00", ["Inspect, test, or measure materials, products, installations, or work for "
                                   "conformance to specifications"])
    assert "production/inspection-report" in insp and not any(t.startswith("default/") for t in insp)
    # a catch-all product never claims to show a licence: only preparing for the credential does
    lic = Gap(skill_id="s3", label="Teaching certification (state teaching license)", kind="concept", required=0.9,
              weight=1.0, market_value=0.5, evidenced=0.0, size=0.9, status="missing", reason="t")
    ctx = RoleContext(soc_code="19-3094.00", tasks=["Interpret and analyze policies and legislation"],
                      family=family_for("19-3094.00", fams))
    arts = field_candidates(ctx, [*gaps, lic])
    assert arts and not [a for a in arts if "s3" in a.skills]


def test_what_a_product_is_about_is_read_from_a_requirements_name_and_first_examples() -> None:
    """A lesson module is about lessons and e-learning: 'Instructional coaching models (coaching cycles) (Impact
    Cycle, ..., modeling lessons)' names a lesson only far down its examples, so it is not bound ahead of larger
    gaps (a second module used to centre on coaching models); 'Deep learning (PyTorch, TensorFlow, transformer
    models)' names models among its first examples, so an ML project is about it."""
    from careeros.planner.artifacts import Family, Product, RoleContext, _leading, field_candidates

    assert _leading("Deep learning (PyTorch, TensorFlow, transformer models, neural network)") == (
        "Deep learning (PyTorch, TensorFlow, transformer models)")
    assert "lesson" not in _leading("Instructional coaching models (coaching cycles) (Impact Cycle, student-centered "
                                    "coaching, cognitive coaching, co-planning with teachers, modeling lessons)")
    prod = Product(id="lesson-module", kind="project", title="Interactive lesson module",
                   skills=["e-learning", "instructional", "needs analysis", "storyboard"],
                   skill_kinds=["concept"], topics=["module", "lesson", "e-learning"], bundle=2, hours=12,
                   strength=0.8, done="d", publish="p")
    fam = Family(id="education", field="education", soc=["25-"], products=[prod])
    ctx = RoleContext(soc_code="25-9031.00", tasks=["Develop instructional materials"], family=fam)
    gaps = _gaps([("E-learning development (Articulate Storyline, online courses)", 0.75),
                  ("Needs analysis (needs assessment, performance analysis)", 0.67),
                  ("Storyboarding", 0.62),
                  ("Instructional coaching models (coaching cycles) (Impact Cycle, student-centered coaching, "
                   "cognitive coaching, co-planning with teachers, modeling lessons)", 0.26)])
    arts = field_candidates(ctx, gaps)
    seconds = [a.skill_labels for a in arts if ":lesson-module#2" in a.id]
    assert seconds and not any(labels[0].startswith("Instructional coaching") for labels in seconds), seconds


def test_a_repeat_of_a_product_gives_way_to_another_product_that_costs_little_value() -> None:
    """Two press releases and a playbook show less of the work than a press release, a playbook and a campaign plan:
    a second instance is swapped for another product when the plan keeps 85% of its value, and a product the plan
    holds already (a goal's pick) counts as chosen."""
    from careeros.planner.artifacts import Artifact, _distinct_products

    def art(i: str, tmpl: str, skills: list[str], hours: float = 10) -> Artifact:
        return Artifact(id=f"27-3031.00:{i}", template_id=f"communications/{tmpl}", kind="project", title=tmpl,
                        hours=hours, proof="p", strength=0.7, skills=skills, soc_codes=["27-3031.00"])

    sizes = {"a": 1.0, "b": 1.0, "c": 0.9, "d": 0.2}
    press, press2 = art("press-kit:1", "press-kit", ["a"]), art("press-kit#2:1", "press-kit", ["b"])
    campaign, tiny = art("campaign-plan:1", "campaign-plan", ["c"]), art("survey:1", "survey", ["d"])
    got = _distinct_products([press, press2], [press, press2, campaign, tiny], sizes, 20)
    assert [a.id for a in got] == [press.id, campaign.id]
    # nothing near its value: the repeat stays
    assert _distinct_products([press, press2], [press, press2, tiny], sizes, 20) == [press, press2]
    # a product the goal's picks hold is a repeat too
    assert [a.id for a in _distinct_products([press2], [press2, campaign], sizes, 10, fixed=[press])] == [campaign.id]
    # another product's later instance takes the gaps its first instance would leave: a customer success manager's
    # second playbook gave way to nothing because the dashboard's first instance covered what the playbook did
    dash, dash2 = art("dashboard:1", "dashboard", ["a"]), art("dashboard#2@1:1", "dashboard", ["b"])
    got = _distinct_products([press, press2], [press, press2, dash, dash2], sizes, 20)
    assert [a.id for a in got] == [press.id, dash2.id]


def test_bookkeeping_hr_and_office_roles_get_products_of_their_own_work() -> None:
    """A bookkeeper's plan was two industry research notes: the note bound every concept gap (a reconciliation, a
    close) as if writing about an industry showed them. It binds knowledge areas and research-like skills only, and the
    sample ledger binds the bookkeeping work. Payroll, benefits and HR roles, and office and clerk roles, have families
    of their own (they had generic case studies and programme plans)."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    fams = load_families()

    gap = _missing_gap

    books = [gap("rec", "Account reconciliation (bank reconciliation)"), gap("close", "Month-end close"),
             gap("econ", "Economics and Accounting", "knowledge")]
    ctx = RoleContext(soc_code="43-3031.00", tasks=["Reconcile or note and report discrepancies found in records",
                                                    "Review industry and market trends"],
                      family=family_for("43-3031.00", fams))
    bound: dict[str, set[str]] = {}
    for a in field_candidates(ctx, books):
        bound.setdefault(a.template_id, set()).update(a.skills)
    assert {"rec", "close"} <= bound["finance/reconciled-ledger"]
    assert bound["finance/research-note"] == {"econ"}
    assert family_for("13-1141.00", fams).id == "hr" and family_for("11-3111.00", fams).id == "hr"
    assert family_for("43-4031.00", fams).id == "office-support"
    assert family_for("43-3031.00", fams).id == "finance" and family_for("43-5071.00", fams).id == "logistics"
    pay = RoleContext(soc_code="11-3111.00", tasks=["Direct preparation and distribution of payroll and wage records"],
                      family=family_for("11-3111.00", fams))
    assert "hr/payroll-audit" in {a.template_id for a in field_candidates(pay, [gap("mpt", "Multistate payroll tax compliance")])}


def test_a_product_the_title_names_comes_first() -> None:
    """A real estate paralegal's plan was a legal research memo and a policy: the closing file, about what the title
    says ("real estate"), evidences more. The sample ledger binds double-entry bookkeeping by name."""
    from careeros.planner.artifacts import (
        TITLE_TOPIC_GAIN,
        RoleContext,
        family_for,
        field_candidates,
        load_families,
    )

    fams = load_families()

    gap = _missing_gap

    tasks = ["Prepare legal documents, including briefs, pleadings, appeals, wills, contracts, and real estate "
             "closing statements"]
    gaps = [gap("close", "Real estate closing (title search, deed preparation)")]

    def strength(own: str | None) -> float:
        ctx = RoleContext(soc_code="23-2011.00", tasks=tasks, own_title=own, family=family_for("23-2011.00", fams))
        return max(a.strength for a in field_candidates(ctx, gaps) if a.template_id == "law-compliance/closing-file")

    assert strength("Real Estate Paralegal") == round(min(1.0, strength("Paralegal") * TITLE_TOPIC_GAIN), 4)
    books = RoleContext(soc_code="43-3031.00", tasks=["Review industry trends", "Reconcile records"],
                        family=family_for("43-3031.00", fams))
    arts = field_candidates(books, [gap("de", "Double-entry bookkeeping (debits and credits)", "knowledge")])
    assert "finance/reconciled-ledger" in {a.template_id for a in arts if "de" in a.skills}


def test_a_specialty_title_offers_its_own_work_products() -> None:
    """A "Patent Agent" is filed under Lawyers, whose O*NET tasks never say "patent": the person's own title offers
    the patent application draft and the office action response; a litigation associate's plan gets neither, and a
    facilities coordinator gets the facilities family's maintenance programme, not a programme plan."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    fams = load_families()
    gaps = [Gap(skill_id="s1", label="Patent prosecution (office actions, prior art)", kind="concept", required=0.5,
                weight=1.0, market_value=0.5, evidenced=0.0, size=0.5, status="missing", reason="t"),
            Gap(skill_id="s2", label="CMMS (Maximo, work orders)", kind="concept", required=0.5, weight=1.0,
                market_value=0.5, evidenced=0.0, size=0.4, status="missing", reason="t")]
    lawyer_tasks = ["Advise clients concerning business transactions, claim liability, advisability of prosecuting or "
                    "defending lawsuits, or legal rights and obligations", "Analyze the probable outcomes of cases"]

    def products(soc: str, own: str, tasks: list[str]) -> set[str]:
        ctx = RoleContext(soc_code=soc, own_title=own, tasks=tasks, family=family_for(soc, fams))
        return {a.template_id for a in field_candidates(ctx, gaps)}

    patent = products("23-1011.00", "Patent Agent", lawyer_tasks)
    assert {"law-compliance/patent-application", "law-compliance/office-action-response"} <= patent
    assert not {"law-compliance/patent-application", "law-compliance/office-action-response"} & products(
        "23-1011.00", "Litigation Associate", lawyer_tasks)
    fac = products("11-3013.00", "Facilities Coordinator", ["Direct or perform maintenance or repair activities",
                                                             "Acquire, distribute, or store supplies"])
    assert "facilities/pm-programme" in fac and "management/project-plan" not in fac
    # purchasing managers and school district administrators have families of their own, not the programme plan
    assert family_for("11-3061.00", fams).id == "procurement" and family_for("13-1023.00", fams).id == "procurement"
    assert family_for("11-9032.00", fams).id == "school-leadership" and family_for("11-9111.00", fams).id != "school-leadership"
    gaps.append(Gap(skill_id="s3", label="Pre-incident planning (NFPA 1620)", kind="concept", required=0.5,
                    weight=1.0, market_value=0.5, evidenced=0.0, size=0.3, status="missing", reason="t"))
    fire = products("33-2011.00", "Firefighter", ["Inspect buildings for fire hazards", "Prepare written reports"])
    assert "protective-service/pre-incident-plan" in fire and not any(p.startswith("default/") for p in fire)


def test_repair_technicians_get_service_case_logs_not_site_safety_plans() -> None:
    """A residential HVAC technician becoming a commercial refrigeration technician had "Site safety plan with risk
    assessment" as the plan's one product (the construction family's): installation, maintenance and repair roles
    (SOC 49-) have their own family, whose service case log binds the equipment work; "Ice machine repair (Manitowoc,
    Hoshizaki)" is learned on the equipment, not as a software tool."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families
    from careeros.planner.plan import _tool_like

    fams = load_families()

    gap = _missing_gap

    assert family_for("49-9021.00", fams).id == "repair" and family_for("49-1011.00", fams).id == "facilities"
    assert family_for("47-2111.00", fams).id == "construction"
    gaps = [gap("ice", "Ice machine repair (Manitowoc, Hoshizaki)"), gap("rack", "Supermarket rack refrigeration")]
    ctx = RoleContext(soc_code="49-9021.00", family=family_for("49-9021.00", fams),
                      tasks=["Test electrical circuits or components for continuity, using electrical test equipment",
                             "Repair or replace defective equipment, components, or wiring"])
    bound: dict[str, set[str]] = {}
    for a in field_candidates(ctx, gaps):
        bound.setdefault(a.template_id, set()).update(a.skills)
    assert {"ice", "rack"} <= bound["repair/service-case-log"]
    assert not _tool_like(gaps[0])
    assert _tool_like(gap("pr", "PR and media monitoring software (Cision, Meltwater)"))


def test_an_accountant_gets_a_ledger_not_a_valuation_model_and_a_dean_a_behavior_review() -> None:
    """A staff accountant's plan was a three-statement valuation model (Accountants and Auditors' tasks say "analyze
    financial information"): a product the person's title rules out is not offered. A school's dean of students gets a
    discipline and attendance review, not only a board presentation."""
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    fams = load_families()

    gap = _missing_gap

    gaps = [gap("fa", "Fixed assets and depreciation"), gap("fr", "Financial reporting (financial statements)"),
            gap("econ", "Economics and Accounting", "knowledge")]
    tasks = ["Analyze financial information detailing assets, liabilities, and capital",
             "Prepare, examine, or analyze accounting records, financial statements, or other financial reports"]

    def offered(title: str) -> set[str]:
        ctx = RoleContext(soc_code="13-2011.00", tasks=tasks, family=family_for("13-2011.00", fams), own_title=title)
        return {a.template_id for a in field_candidates(ctx, gaps)}

    assert "finance/financial-model" not in offered("Staff Accountant")
    assert "finance/reconciled-ledger" in offered("Staff Accountant")
    assert "finance/financial-model" in offered("Financial Analyst")
    dean = RoleContext(soc_code="11-9032.00", family=family_for("11-9032.00", fams), own_title="Dean of Students",
                       tasks=["Confer with parents and staff to discuss educational activities, policies, and student "
                              "behavioral or learning problems"])
    got = {a.template_id for a in field_candidates(dean, [gap("rp", "Restorative practices in schools"),
                                                          gap("att", "Attendance improvement and chronic absenteeism")])}
    assert "school-leadership/behavior-attendance-review" in got


def test_hands_on_clinical_gaps_are_evidenced_by_a_supervised_competency_log() -> None:
    """An X-ray technologist cross-training into CT had two "Evidence-based care protocol" write-ups for CT scanning,
    contrast administration and post-processing: hands-on clinical skills are shown by supervised cases signed off by
    a clinician (the way a unit cross-trains), while a protocol or patient-education sheet stays for knowledge; a
    clinical audit's data work is no competency."""
    from careeros.planner.artifacts import load_families

    gaps = [_missing_gap("ct", "Computed tomography (CT) imaging (CT angiography, CT protocols)"),
            _missing_gap("contrast", "Contrast media administration and reactions"),
            _missing_gap("excel", "Microsoft Excel", kind="technology")]
    log = _bound("29-2034.00", gaps, ["Operate or oversee operation of radiologic or magnetic imaging equipment to produce "
                                      "images", "Position patient on examining table and set up and adjust equipment"]
                 )["healthcare/competency-log"]
    assert {"ct", "contrast"} <= log and "excel" not in log
    product = next(p for f in load_families() if f.id == "healthcare" for p in f.products if p.id == "competency-log")
    assert "signed" in product.done and "no patient details" in product.publish


def test_a_loan_processor_works_a_practice_loan_file_not_a_generic_tracker() -> None:
    """A teller becoming a mortgage loan processor had a spreadsheet tracker and a desk procedure: a loan role's
    evidence is a composite loan file taken to clear-to-close; a receptionist's tasks offer no loan file."""
    gaps = [_missing_gap("cond", "Loan processing and conditions (conditions clearing, VOE)"),
            _missing_gap("trid", "TRID closing disclosures (Closing Disclosure, Loan Estimate)")]
    loans = _bound("43-4131.00", gaps, ["Verify and examine information and accuracy of loan application and closing documents"])
    assert {"cond", "trid"} <= loans["office-support/loan-file"]
    desk = _bound("43-4171.00", gaps, ["Greet persons entering establishment and determine nature of their business"])
    assert "office-support/loan-file" not in desk


def test_labor_relations_gaps_are_shown_by_a_grievance_worked_to_arbitration() -> None:
    """An HR generalist becoming a labor relations specialist got only an investigation file for a sample complaint:
    contract interpretation, grievances and arbitration are shown by a grievance worked through a real published
    collective bargaining agreement to an arbitration brief."""
    gaps = [_missing_gap("cba", "Collective bargaining and labor contracts (CBA administration, CBA interpretation)"),
            _missing_gap("arb", "Labor arbitration (grievance arbitration, labor arbitration hearings)")]
    bound = _bound("13-1075.00", gaps, ["Interpret contractual agreements for employers and employees engaged in "
                                        "collective bargaining or other labor relations processes"])
    assert {"cba", "arb"} <= bound["hr/grievance-brief"]


def test_a_code_enforcement_officer_works_an_inspection_case_file_not_a_site_safety_plan() -> None:
    """A maintenance supervisor becoming a code enforcement officer got the construction family's site safety plan:
    an inspector's evidence is a sample inspection cited to the code, with its notice of violation, re-inspection
    and hearing packet; a carpenter's tasks do not offer it."""
    gaps = [_missing_gap("ipmc", "International Property Maintenance Code (IPMC, property maintenance inspections)"),
            _missing_gap("ce", "Code enforcement (notices of violation, nuisance abatement)")]
    got = _bound("47-4011.00", gaps,
                 ["Inspect bridges, dams, highways, buildings, wiring, plumbing, electrical circuits, sewers, heating "
                 "systems, or foundations during and after construction for structural quality"],
                 "Code Enforcement Officer")
    assert {"ipmc", "ce"} <= got["construction/inspection-case"]
    assert "construction/inspection-case" not in _bound("47-2031.00", gaps, ["Measure and mark cutting lines on materials"],
                                                        "Carpenter")


def test_two_instances_of_a_product_never_show_the_same_skill_and_devops_gets_an_infrastructure_project() -> None:
    """A sysadmin becoming a DevOps engineer had two "Technical write-up" instances both on infrastructure as code
    and platform engineering (a second instance that started inside a larger first one): instances of one product
    take up different skills, and infrastructure as code is shown by an environment built from code with a deploy
    pipeline."""
    from careeros.planner.artifacts import Artifact, choose_artifacts, repeats_skills

    def art(i: str, skills: list[str], hours: float = 5) -> Artifact:
        return Artifact(id=f"15-1252.00:tech-write-up{i}", template_id="software/tech-write-up", kind="write-up",
                        title="W", hours=hours, proof="p", strength=0.5, skills=skills, soc_codes=["15-1252.00"])

    first, inside, beside = art(":2", ["iac", "idp"]), art("#2@1:1", ["idp"]), art("#2:1", ["k8s"])
    assert repeats_skills(inside, [first]) and not repeats_skills(beside, [first])
    gaps = [_missing_gap("iac", "Infrastructure as code (Terraform, IaC)"), _missing_gap("idp", "Platform engineering"),
            _missing_gap("k8s", "Container orchestration (Kubernetes)")]
    got = choose_artifacts([first, inside, beside, art(":1", ["iac"])], gaps, 100).chosen
    assert all(not repeats_skills(a, [b for b in got if b is not a]) for a in got)
    bound = _bound("15-1252.00", gaps, ["Modify existing software to correct errors, allow it to adapt to new hardware, "
                                        "or to upgrade interfaces and improve performance",
                                        "Deploy and maintain cloud infrastructure"])
    assert {"iac", "k8s"} <= bound["software/infrastructure"]


def test_a_plans_examiner_reviews_a_sample_commercial_set_not_a_cost_estimate() -> None:
    """A residential inspector becoming a commercial plans examiner got the construction family's cost estimate and
    schedule, an estimator's work: a plans examiner's evidence is a code analysis and a comment letter on a public
    drawing set, which binds the egress, occupancy and rated-assembly gaps; an estimator keeps the estimate."""
    gaps = [_missing_gap("egr", "Means of egress (occupant load, travel distance, exit width)"),
            _missing_gap("occ", "Occupancy classification and construction types (occupancy groups)"),
            _missing_gap("fra", "Fire-resistance-rated assemblies (fire-rated partitions)")]
    tasks = ["Review and interpret plans, blueprints, site layouts, specifications, or construction methods to ensure "
             "compliance to legal requirements and safety regulations"]
    got = _bound("47-4011.00", gaps, tasks, "Plans Examiner")
    assert {"egr", "occ", "fra"} <= got["construction/plan-review"]
    assert "construction/estimate-schedule" not in got
    assert "construction/estimate-schedule" in _bound("13-1051.00", [_missing_gap("est", "Cost estimating")],
                                                      ["Prepare estimates for use in selecting vendors or subcontractors"],
                                                      "Construction Estimator")


def test_a_degree_gets_its_route_mapped_and_no_exam_preparation() -> None:
    """A library associate's MLIS was bound into an "Interactive lesson module" and studied in sessions: a degree is
    a credential (its route is mapped), but no exam-preparation product is made for it, unlike a certification."""
    from careeros.planner.artifacts import credential_candidates, is_degree

    gaps = [_missing_gap("mlis", "Library science degree (MLIS) (ALA-accredited MLIS)"),
            _missing_gap("pmp", "Project management certification (PMP)")]
    assert is_degree(gaps[0].label) and not is_degree(gaps[1].label)
    assert [a.skills for a in credential_candidates(gaps)] == [["pmp"]]


def test_an_accredited_programme_of_study_is_a_degree_a_programme_someone_runs_is_not() -> None:
    """An ICU nurse applying to anesthesia school was planned "Learn Nurse anesthesia program" in study sessions: an
    accredited programme is enrolled in (its route mapped), like a degree; a compliance programme is run."""
    from careeros.planner.artifacts import credential_candidates, is_credential, is_degree

    assert is_degree("Nurse anesthesia program (COA-accredited DNP/DNAP)")
    assert is_degree("Accredited sonography program (CAAHEP)")
    assert is_degree("Nurse anesthesia program (COA-accredited DNP/DNAP) (DNP or DNAP nurse anesthesia program)")
    for label in ("Compliance program management", "Health professions program accreditation (CCNE, ACEN, CAAHEP)",
                  "ASCA National Model school counseling programs", "Affiliate marketing programs"):
        assert not is_degree(label) and not is_credential(label), label
    assert credential_candidates([_missing_gap("crna", "Nurse anesthesia program (COA-accredited DNP/DNAP)")]) == []


def test_a_cnc_programmer_programs_a_real_part_not_an_inspection_report() -> None:
    """A setup machinist becoming a CNC programmer got two "Inspection report" products (a QC inspector's): a
    programmer's evidence is one real part taken from CAM to verified, proven-out G-code."""
    gaps = [_missing_gap("cam", "CAM toolpath programming (Mastercam, Fusion 360 CAM)"),
            _missing_gap("ver", "CNC program verification and simulation (Vericut)"),
            _missing_gap("post", "CNC post processors (post editing)")]
    got = _bound("51-9162.00", gaps, ["Observe machines on trial runs or conduct computer simulations to ensure that "
                                      "programs and machinery will function properly"], "CNC Programmer")
    assert {"cam", "ver", "post"} <= got["production/cnc-program"]
    assert "production/inspection-report" not in got


def test_a_java_developer_service_binds_java_first_and_a_product_with_no_named_gap_is_not_offered() -> None:
    """A COBOL programmer becoming a Java developer got a "Small web service" bound to containers, REST design and
    cloud (its "service" and "software" topics read their examples) and no Java; the tool a title is named for comes
    first. A demand-generation manager got a press release bound to people management: a product none of whose named
    skills is a gap is not offered."""
    from careeros.planner.artifacts import title_subject

    gaps = [_missing_gap("java", "Java"), _missing_gap("ctr", "Containers (Docker, Kubernetes, software containers)"),
            _missing_gap("api", "API design (RESTful services, REST APIs)"),
            _missing_gap("jpa", "Java persistence (JPA/Hibernate)")]
    got = _bound("15-1252.00", gaps, ["Develop and direct software system testing and validation procedures"],
                 "Java Developer")
    assert "java" in got["software/service"]
    assert title_subject("Clinical Informatics Specialist", gaps) is None
    pm = [_missing_gap("ppl", "People management (staff supervision, team leadership)")]
    assert "communications/press-kit" not in _bound("11-2021.00", pm, ["Develop media relations and press releases"],
                                                    "Demand Generation Manager")


def test_an_enablement_manager_builds_a_training_program_and_a_research_administrator_a_proposal_package() -> None:
    """A SaaS account executive becoming a sales enablement manager got a payroll audit and an employee-relations
    file ("coaching" and "audit" read loosely); a department coordinator becoming a pre-award research administrator
    got no work product at all."""
    train = [_missing_gap("ld", "Learning evaluation (Kirkpatrick model, training evaluation)"),
             _missing_gap("ramp", "Sales onboarding and ramp programs (sales bootcamps)"),
             _missing_gap("rp", "Sales role-play and call coaching (sales role-plays)")]
    got = _bound("11-3131.00", train, ["Develop and organize training manuals, multimedia visual aids, and other "
                                       "educational materials"], "Sales Enablement Manager")
    assert {"ld", "ramp", "rp"} <= got["hr/training-program"]
    assert not {"hr/payroll-audit", "hr/er-case", "hr/hiring-kit"} & set(got)
    pre = [_missing_gap("pa", "Pre-award proposal administration (budget justifications, Grants.gov submission)"),
           _missing_gap("cs", "Cost sharing and matching funds (mandatory cost share)")]
    assert {"pa", "cs"} <= _bound("13-1199.00", pre, [], "Pre-Award Research Administrator")["management/proposal-package"]


def test_a_medical_slp_logs_supervised_swallow_cases() -> None:
    """A school SLP becoming a medical SLP got two care protocols for dysphagia, speaking valves and VitalStim: hands-on
    swallow work is shown by a supervised competency log, as a nurse's or a technologist's is."""
    gaps = [_missing_gap("dys", "Dysphagia management (swallow evaluation, clinical swallow evaluation)"),
            _missing_gap("pmv", "Tracheostomy speaking valves (Passy-Muir) (cuff deflation trials)")]
    got = _bound("29-1127.00", gaps, ["Administer hearing or speech and language evaluations, tests, or examinations "
                                      "to patients"], "Medical Speech-Language Pathologist")
    assert {"dys", "pmv"} <= got["healthcare/competency-log"]


@pytest.mark.parametrize(("soc", "own", "task", "gap", "made", "not_made"), [
    # a product manager (filed under marketing managers) writes a spec and a roadmap, not a press kit
    ("11-2021.00", "Technical Product Manager", "Develop pricing strategies for products or services",
     "Product roadmap (roadmap planning)", "communications/product-spec", "communications/campaign-plan"),
    # an HRIS analyst configures the HR system; a recruiter's interview kit is another job
    ("13-1071.00", "HRIS Analyst", "Maintain and update human resources documents, such as organizational charts",
     "HRIS configuration (Workday, HR system implementation)", "hr/hris-config", "hr/hiring-kit"),
    # a leave specialist's file is a leave case, not an employee-relations investigation
    ("13-1141.00", "Leave of Absence Specialist", "Advise staff on leave of absence policies",
     "FMLA administration (FMLA eligibility, designation notices)", "hr/leave-case-file", "hr/er-case"),
    # an admissions director plans recruitment and yield, not a K-12 board presentation
    ("11-9033.00", "Associate Director of Admissions", "Recruit, hire, train, and terminate departmental personnel",
     "Strategic enrollment planning (enrollment funnel, yield)", "school-leadership/enrollment-plan",
     "school-leadership/board-presentation"),
    # a transportation planner studies a corridor, not a generic policy brief
    ("19-3099.01", "Transportation Planner", "Analyze information related to transportation, such as land use policies",
     "Active transportation and complete streets planning (vision zero)", "management/corridor-study",
     "management/policy-brief"),
    # a pharmacist works dosing consults; a nurse's care protocol is not offered
    ("29-1051.00", "Clinical Pharmacist", "Assess patient drug therapy and dosing",
     "Clinical pharmacokinetics and dosing (vancomycin AUC dosing)", "healthcare/pk-dosing-consults",
     "healthcare/care-protocol"),
    # a cloud network engineer builds a network from code, not a served ML model
    ("15-1241.00", "Cloud Network Engineer", "Design and implement network infrastructure in the cloud",
     "Cloud networking (AWS VPC, Azure VNet, transit gateway)", "software/cloud-network-lab", "software/ml-deploy"),
    # a packaging designer's dieline and mock-up, not a usability report
    ("27-1024.00", "Packaging Designer", "Design packaging and labels for products",
     "Dielines and die-cut artwork setup", "design/packaging-redesign", "design/usability-report"),
    # an associate attorney's writing sample is a motion; a paralegal's litigation file is not offered
    ("23-1011.00", "Insurance Defense Associate", "Present evidence to defend clients in civil litigation",
     "Summary judgment practice (Rule 56)", "law-compliance/litigation-motion", "law-compliance/litigation-file"),
    # a dealership service manager (filed with supervisors of mechanics) works the department's numbers, not a
    # building's preventive maintenance programme (session 47's blind split)
    ("49-1011.00", "Service Manager", "Compile operational or personnel records, such as time and production records",
     "Service department P&L and fixed absorption (dealer financial statement)", "facilities/service-dept-pnl",
     "facilities/pm-programme"),
    ("49-1011.00", "Automotive Service Manager", "Determine schedules, sequences, and assignments for work activities",
     "Technician pay plans (flat-rate and hourly)", "facilities/tech-productivity", "facilities/building-walkthrough"),
    # a network security engineer builds a segmented lab with firewall policy and detections, not a cloud network
    ("15-1299.05", "Network Security Engineer", "Develop and implement security controls to protect network infrastructure",
     "Firewall rule and policy management (Tufin, AlgoSec)", "software/security-lab", "software/cloud-network-lab"),
    # an incident responder works an incident end to end; a GRC analyst assesses controls against a framework
    ("15-1212.00", "Incident Response Analyst", "Investigate security incidents and breaches",
     "Incident handling lifecycle (NIST SP 800-61)", "software/incident-investigation", "software/ml-project"),
    ("15-1212.00", "GRC Analyst", "Assess security risks and compliance with policies and standards",
     "Security risk assessment (NIST 800-30, risk registers)", "software/control-assessment", "software/service"),
    # a Jamf administrator builds a device management lab, not an LMS sandbox (its SSO patterns bound Platform SSO)
    # (session 48's blind split)
    ("15-1244.00", "Jamf Administrator", "Install, configure, and maintain user software and hardware",
     "macOS identity and Platform SSO (Jamf Connect) (Kerberos SSO extension)", "software/endpoint-lab",
     "software/lms-sandbox"),
    # a cloud security engineer builds a cloud security baseline; a network security engineer does not (session 49)
    ("15-1299.05", "Cloud Security Engineer", "Develop and implement security controls to protect cloud infrastructure",
     "Cloud network security (security groups, NACLs, AWS WAF)", "software/cloud-security-lab", "software/cloud-network-lab"),
    ("15-1299.05", "Network Security Engineer", "Develop and implement security controls to protect network infrastructure",
     "Firewall rule and policy management (Tufin, AlgoSec)", "software/security-lab", "software/cloud-security-lab"),
    # a nurse surveyor's evidence is a mock survey written as cited deficiencies, not only compliance memos
    ("13-1041.00", "Nurse Surveyor", "Inspect facilities for compliance with licensing laws and regulations",
     "Long-term care regulations (F-tags, state survey)", "law-compliance/mock-survey", "software/service"),
    # a Title IX investigator (equal opportunity officers) works a complaint file, not a catalogue explainer
    ("13-1041.03", "Title IX Investigator", "Investigate employment practices or alleged violations of laws",
     "Evidence standards and credibility assessment (preponderance of the evidence)", "hr/er-case", "software/service"),
    # scientists and statisticians had only the default family's generic case study; technical writers got it too
    ("19-4021.00", "Research Associate", "Conduct experiments and assays on biological samples in the laboratory",
     "qPCR assay development", "science/lab-protocol", "default/case-study"),
    ("15-2041.01", "Biostatistician", "Analyze clinical or survey data using statistical approaches",
     "Survival analysis (Cox proportional hazards, Kaplan-Meier)", "science/reproducible-analysis", "science/lab-protocol"),
    ("19-1042.00", "Medical Science Liaison", "Conduct laboratory experiments and assays, and present research findings",
     "Scientific writing (manuscripts)", "science/research-proposal", "science/lab-protocol"),
    ("27-3042.00", "Technical Writer", "Write technical documentation and user guides for software",
     "Docs-as-code (Markdown, Git)", "communications/docs-set", "communications/press-kit"),
])
def test_a_roles_own_work_product_comes_before_a_neighbouring_jobs(soc: str, own: str, task: str, gap: str,
                                                                     made: str, not_made: str) -> None:
    """Found by rendering the plans of session 46's blind split: each of these titles was given another job's work
    (a marketing campaign for a product manager, a recruiter's kit for an HRIS analyst, a served ML model for a
    network engineer ...). The role's own product binds the gap; the neighbouring job's is not offered."""
    got = _bound(soc, [_missing_gap("g", gap)], [task], own)
    assert "g" in got.get(made, set()), sorted(got)
    assert not_made not in got


def test_a_memo_on_one_contract_is_planned_once() -> None:
    """An ASC 606 memo names its one subject: a second memo "on" the next skills would be the same memo told twice
    (a revenue accountant's plan had two). Products whose done criterion does not (two ML projects) keep two."""
    gaps = [_missing_gap(k, lab) for k, lab in [("rr", "Revenue recognition (ASC 606)"),
                                                 ("q2c", "Quote-to-cash process (CPQ, order forms)"),
                                                 ("ras", "Revenue automation software (Zuora Revenue)"),
                                                 ("ic", "Internal controls (COSO)"), ("fr", "Financial reporting"),
                                                 ("jes", "Journal entries (accruals, adjusting entries)")]]
    from careeros.planner.artifacts import RoleContext, family_for, field_candidates, load_families

    ctx = RoleContext(soc_code="13-2011.00", family=family_for("13-2011.00", load_families()), own_title="Revenue Accountant",
                      tasks=["Prepare, examine, or analyze accounting records, financial statements, or other financial reports"])
    memos = {a.id.rsplit(":", 1)[0] for a in field_candidates(ctx, gaps) if a.template_id == "finance/revenue-recognition-memo"}
    assert memos == {"13-2011.00:revenue-recognition-memo"}


def test_a_catch_all_write_up_does_not_stand_for_what_a_project_of_the_field_shows() -> None:
    """A data scientist's plan had two "Technical write-up of a design decision" and no model: the write-up's
    catch-all bound machine learning, which a write-up argues but a machine-learning project shows. What a project of
    the family names is left to the project; the write-up keeps what no project names (experiment design)."""
    gaps = [_missing_gap("ml", "Machine learning (scikit-learn, XGBoost)"),
            _missing_gap("ab", "Experimentation and A/B testing (experiment design)")]
    got = _bound("15-2051.00", gaps, ["Apply feature selection algorithms to models predicting outcomes of interest",
                                      "Recommend data-driven solutions to key stakeholders"], "Data Scientist")
    assert "ml" in got["software/ml-project"]
    assert got["software/tech-write-up"] == {"ab"}


def test_a_dealership_service_departments_work_is_offered_by_its_titles_only() -> None:
    """Supervisors of mechanics (49-1011) include a plant's maintenance supervisor and a dealership's service manager:
    a maintenance supervisor keeps the building and plant products and is never handed a dealer P&L."""
    gaps = [_missing_gap("b", "Budget management (cost control, budget planning)"),
            _missing_gap("pm", "Preventive maintenance (PM schedules, work orders)")]
    task = "Compile operational or personnel records, such as time and production records, or repair statistics"
    for own, offered, withheld in (("Maintenance Supervisor", "facilities/pm-programme", "facilities/service-dept-pnl"),
                                   ("Service Manager", "facilities/service-dept-pnl", "facilities/pm-programme")):
        got = _bound("49-1011.00", gaps, [task], own)
        assert offered in got and withheld not in got, (own, sorted(got))


def test_an_applicant_to_a_graduate_program_gets_the_application_not_a_pharmacists_work() -> None:
    """An ICU nurse applying to nurse anesthesia school was planned a P&T drug monograph and pharmacokinetic dosing
    consults (a nurse anesthetist's statements name drugs and doses) and no application. A pharmacist's products are
    offered by pharmacists' statements or titles only; the program and its degree are bound by the application."""
    gaps = [_missing_gap("prog", "Nurse anesthesia program (COA-accredited DNP/DNAP) (CRNA school)"),
            _missing_gap("deg", "Graduate nursing degree (MSN/DNP)"),
            _missing_gap("ph", "Anesthesia pharmacology (volatile agents and neuromuscular blockers)"),
            _missing_gap("dose", "Pharmacokinetic dosing (vancomycin dosing, renal dosing)")]
    crna = _bound("29-1151.00", gaps, ["Administer anesthetic or sedation medications, controlling dosage",
                                       "Select appropriate medications or anesthesia for patients"], "CRNA")
    assert {"prog", "deg"} <= crna.get("healthcare/program-application", set()), sorted(crna)
    assert not {"healthcare/drug-monograph", "healthcare/pk-dosing-consults"} & set(crna)
    pharm = _bound("29-1051.00", gaps, ["Analyze prescribed drug therapy to identify interactions"], "Clinical Pharmacist")
    assert "dose" in pharm.get("healthcare/pk-dosing-consults", set()), sorted(pharm)
