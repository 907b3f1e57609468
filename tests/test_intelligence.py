"""Career intelligence over the real warehouse: hierarchy, requirement profiles, evidence confidence, resume facts,
gaps, and the `init --resume` / `plan --json --dry-run` contract."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from careeros.evidence.resume_facts import experience_lines, is_role_title, read_resume
from careeros.graph.hierarchy import SkillHierarchy, build_hierarchy
from careeros.graph.ids import concept_id
from careeros.planner.gaps import ranked_gaps, requirement_gaps
from careeros.planner.person import person_skills
from careeros.planner.requirements import (
    SHRINK_K,
    RoleInputs,
    _blend,
    score_requirements,
)

REPO = Path(__file__).resolve().parents[1]
SAMPLE_RESUME = REPO / "data" / "sample_operator" / "resume" / "resume.md"

NURSE = """# Maria Lopez, RN

Registered nurse with 9 years in acute care, moving toward clinical informatics.

## Experience

### Registered Nurse, St. Mary's Medical Center (2017 - present)
- Assess and care for 5-6 patients per shift on a 32-bed medical-surgical unit; medication administration.
- Super-user for the Epic EHR rollout: trained 40 nurses on clinical documentation and order entry.
- Led a falls-prevention quality improvement project that cut falls by 22% in 12 months.

### Staff Nurse, County General Hospital (2015 - 2017)
- Patient assessment, triage and patient education in the emergency department.

## Education
BSN, State University (2015)

## Skills
Patient assessment, care planning, Epic, clinical documentation, HIPAA, Excel, patient education
"""


# ------------------------------------------------------------------------------------------- resume facts


def _scores(titles: list[str]) -> list[tuple[str | None, str | None, float]]:
    """A stand-in normaliser for the pure parser tests: employers score high on purpose (as the real one can)."""
    out: list[tuple[str | None, str | None, float]] = []
    for t in titles:
        low = t.lower()
        if "engineer" in low:
            out.append(("15-1252.00", "Software Developers", 0.8))
        elif "nurse" in low:
            out.append(("29-1141.00", "Registered Nurses", 0.9))
        else:
            out.append(("41-1011.00", "First-Line Supervisors of Retail Sales Workers", 0.95))
    return out


def test_resume_facts_titles_employers_years_and_seniority() -> None:
    f = read_resume(SAMPLE_RESUME.read_text(), _scores, today=date(2026, 11, 30))
    assert [e.title for e in f.experiences] == ["Senior Backend Engineer", "Backend Engineer"]
    assert f.experiences[0].current and f.experiences[0].employer == "Tidewater Payments"
    assert f.current_soc == "15-1252.00" and f.seniority == "senior"
    assert 8 <= f.years_experience <= 9.5  # 2018 - today, overlapping years counted once
    # a wrapped bullet is one bullet, with its quantified tail
    assert any("3 hours to 11 minutes" in b for b in f.experiences[0].bullets)


@pytest.mark.parametrize("line,title,employer", [
    ("**Registered Nurse** | St. Mary's Medical Center | Mar 2016 – Present", "Registered Nurse",
     "St. Mary's Medical Center"),
    ("Charge Nurse, County Hospital, 2012 - 2016", "Charge Nurse", "County Hospital"),
    ("### Senior Backend Engineer — Northwind Retail (2019–present)", "Senior Backend Engineer", "Northwind Retail"),
    # a rank with its occupational code in brackets, and role words outside office work
    ("**Supply Sergeant (92Y)**, U.S. Army — 2017–2025", "Supply Sergeant (92Y)", "U.S. Army"),
    ("**Staff Reporter**, The Lakeside Ledger — 2018–present", "Staff Reporter", "The Lakeside Ledger"),
    ("Medical Biller, Riverside Orthopedics, 2015 - 2020", "Medical Biller", "Riverside Orthopedics"),
])
def test_resume_title_is_the_role_part_not_the_employer(line: str, title: str, employer: str) -> None:
    f = read_resume(f"## Experience\n{line}\n- did things\n", _scores)
    assert f.experiences[0].title == title and f.experiences[0].employer == employer


def _gap_labels(built_home: Path, reference: object, title: str, soc: str, onet_title: str, text: str) -> list[str]:
    """Gap labels of a one-target profile for a resume text, over the real warehouse."""
    from careeros.planner.intelligence import TargetRoleRef, assess
    from careeros.profile import Profile
    from careeros.warehouse.db import connect

    profile = Profile.model_validate({"name": "P", "target_roles": [{"title": title, "soc_code": soc}],
                                      "goal": {"statement": f"Become a {title}"}})
    refs = [TargetRoleRef(title=title, soc_code=soc, onet_title=onet_title)]
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        return [str(g["label"]) for g in assess(con, profile, refs, reference, resume=text).gaps]


def test_one_credential_a_group_names_as_an_alternative_shows_the_group(built_home: Path, reference: object) -> None:
    """Over the real warehouse: "Crisis de-escalation certifications (CPI/CIT)" asks for CPI or CIT, so a
    paraprofessional certified in CPI Nonviolent Crisis Intervention does not have it as a gap when aiming at
    special education teacher; without the certification line she does."""
    body = ("# Ana Ruiz\n## Experience\n**Special Education Paraprofessional**, Desert Vista Middle School — 2019–present\n"
            "- Support 8 students with IEPs in inclusion classrooms; de-escalate incidents and keep behavior data.\n")

    def crisis_gap(text: str) -> bool:
        return any(lab.startswith("Crisis de-escalation certifications") for lab in _gap_labels(
            built_home, reference, "Special Education Teacher", "25-2057.00", "Special Education Teachers, Middle School",
            text))

    assert crisis_gap(body)
    assert not crisis_gap(body + "## Certifications\nCPI Nonviolent Crisis Intervention, 2021\n")


def test_a_groups_first_example_held_shows_the_group(built_home: Path, reference: object) -> None:
    """Over the real warehouse: an X-ray technologist with BLS aiming at CT technologist does not have "Life support
    certifications (BLS, ...)" as a gap (BLS is the credential the group means first); without BLS she does, and an
    advanced member alone (ACLS, PALS) is not the first example."""
    from careeros.graph.ids import concept_id
    from careeros.planner.intelligence import names_first_example
    from careeros.planner.requirements import concept_views

    body = ("# Lena Cho\n## Experience\n**Radiologic Technologist**, Mercy Regional — 2019–present\n"
            "- Perform 40 general radiography exams a shift; portable and fluoroscopy studies.\n")

    def listed(text: str) -> bool:
        return any(lab.startswith("Life support certifications") for lab in _gap_labels(
            built_home, reference, "CT Technologist", "29-2034.00", "Radiologic Technologists and Technicians", text))

    assert listed(body)
    assert not listed(body + "## Certifications\nARRT (R); BLS (American Heart Association), current\n")
    _, ex = concept_views()
    group = ex[concept_id("Life support certifications")]
    bls = "BLS for healthcare providers"
    assert names_first_example(group, bls, ex.get(concept_id(bls)))
    acls = "Advanced Cardiac Life Support (ACLS)"
    assert not names_first_example(group, acls, ex.get(concept_id(acls)))
    payroll, cpp = ex[concept_id("Payroll certification")], "Certified Payroll Professional (CPP)"
    assert names_first_example(payroll, cpp, ex.get(concept_id(cpp)))


def test_two_named_parts_of_a_broader_skill_show_it(built_home: Path, reference: object) -> None:
    """Over the real warehouse: a route driver whose resume names pre-trip inspections and defensive driving shows
    "Defensive driving and vehicle inspection" (either alone shows it only in part), so a Class A CDL driver plan does
    not list it; with only one of the two it stays a (partly shown) gap."""
    body = ("# Dee Carter\n## Experience\n**Route Delivery Driver**, Metro Beverage — 2020–present\n"
            "- Deliver 40 stops a day in a 26-foot box truck; load securing and pallet jack work.\n")

    def listed(text: str) -> bool:
        return any(lab.startswith("Defensive driving and vehicle inspection") for lab in _gap_labels(
            built_home, reference, "Class A CDL Driver", "53-3032.00", "Heavy and Tractor-Trailer Truck Drivers", text))

    assert listed(body + "- Complete daily pre-trip inspections.\n")
    assert not listed(body + "- Complete daily pre-trip inspections.\n- Completed the defensive driving course.\n")


def test_a_wording_at_another_level_adds_no_requirements_of_its_own(built_home: Path, reference: object) -> None:
    """Over the real warehouse: "Assistant Superintendent" beside "Construction Superintendent" (both Construction
    Managers) asks what a construction superintendent does; alone on that occupation its own title tied a school
    district assistant superintendent's concepts (school leadership, education law)."""
    from careeros.planner.intelligence import TargetRoleRef, assess
    from careeros.profile import Profile
    from careeros.warehouse.db import connect

    profile = Profile.model_validate({"name": "P", "target_roles": [{"title": "Construction Superintendent",
                                                                     "soc_code": "11-9021.00"}],
                                      "goal": {"statement": "Run job sites as a superintendent"}})
    text = "# Sam Ortiz\n## Experience\n**Carpentry Foreman**, Ridge Builders — 2015–present\n- Ran a crew of 12.\n"

    def labels(also: list[str]) -> list[str]:
        refs = [TargetRoleRef(title="Construction Superintendent", soc_code="11-9021.00",
                              onet_title="Construction Managers", also_titles=also)]
        with connect(built_home / "warehouse.duckdb", read_only=True) as con:
            found = assess(con, profile, refs, reference, resume=text)
        return [str(q.label) for p in found.profiles for q in p.requirements]

    school = ("School leadership", "Education law")
    assert not any(lab.startswith(school) for lab in labels(["Assistant Superintendent"]))
    assert labels(["Assistant Superintendent"]) == labels([])


@pytest.mark.parametrize("text,phrase", [
    ("- Lead a team of 5 staff accountants through the monthly close.", "Lead a team of 5"),
    ("- Led a 5-person crew on 40 custom homes.", "Led a 5-person crew"),
    ("- Supervise 38 operators across two shifts.", "Supervise 38 operators"),
    ("Managed 6 direct reports and a $2M budget.", "6 direct reports"),
    ("- Run a kitchen of 22 cooks for a 180-seat restaurant.", "Run a kitchen of 22 cooks"),
    ("- Ran a shift of 8 hours on the line.", None),
    # no number, or no people: nothing
    ("- Led the team's migration to Kubernetes.", None),
    ("- Managed the project budget of $40,000.", None),
    ("- Oversaw 12 projects for 3 clients.", None),
    # the people after what is led, in the same clause
    ("- Lead a K-5 school of 640 students and 58 staff; 64% low-income", "Lead a K-5 school of 640 students and 58 staff"),
    ("- Manage a 40-bed unit with 52 nurses.", "Manage a 40-bed unit with 52 nurses"),
    ("- Managed the rollout and 3 vendors.", None),
])
def test_leading_people_is_read_from_a_resume_line(text: str, phrase: str | None) -> None:
    from careeros.evidence.resume_facts import leads_people

    assert leads_people(text) == phrase


def test_a_resume_that_leads_people_holds_people_management(built_home: Path, reference: object) -> None:
    """Over the real warehouse: an HR manager who leads a 3-person team aiming at HR director holds people
    management; the same resume without the line does not show it."""
    body = "# T O\n## Experience\n**Human Resources Manager**, Lakefront Foods — 2020–present\n- Ran benefits renewal.\n"

    def people_gap(text: str) -> bool:
        return any(lab.startswith("People management") for lab in _gap_labels(
            built_home, reference, "HR Director", "11-3121.00", "Human Resources Managers", text))

    assert people_gap(body)
    assert not people_gap(body + "- Lead a team of 3 HR staff supporting 420 employees.\n")


@pytest.mark.parametrize("text,held", [
    ("# Priya Natarajan, RN, BSN\nRegistered Nurse\n", ["RN"]),
    ("# Ana Ruiz\n## Licenses and certifications\nRN (Michigan), BLS, ACLS\n", ["RN"]),
    ("# Ana Ruiz\n## Licenses\n- LVN, Texas\n", ["LVN"]),
    # letters that name someone else, or the way to a licence, show nothing
    ("# Maria Lopez\n## Experience\n- Report changes in condition to the RN and physician.\n"
     "- Enrolled in an LPN-to-RN bridge program.\n", []),
])
def test_a_licence_is_read_from_the_persons_post_nominal_letters(text: str, held: list[str]) -> None:
    from careeros.evidence.resume_facts import licence_post_nominals

    assert licence_post_nominals(text) == held


def test_a_nurses_licence_and_life_support_cards_are_no_gaps(built_home: Path, reference: object) -> None:
    """Over the real warehouse: a registered nurse aiming at nurse practitioner writes "RN" after her name and lists
    BLS and ACLS; neither the NCLEX-RN licence nor the life support group is a gap. Without those lines both are."""
    from careeros.planner.intelligence import TargetRoleRef, assess
    from careeros.profile import Profile
    from careeros.warehouse.db import connect

    body = ("## Experience\n**Registered Nurse, Med-Surg**, Mercy General Hospital — 2016–present\n"
            "- Care for 5-6 adult patients per shift: head-to-toe assessments, medication administration.\n")
    creds = "## Licenses and certifications\nRN (Michigan), BLS, ACLS\n"
    profile = Profile.model_validate({"name": "P", "target_roles": [{"title": "Nurse Practitioner",
                                                                     "soc_code": "29-1171.00"}],
                                      "goal": {"statement": "Become a nurse practitioner"}})
    refs = [TargetRoleRef(title="Nurse Practitioner", soc_code="29-1171.00", onet_title="Nurse Practitioners")]

    def gap_labels(text: str) -> set[str]:
        with connect(built_home / "warehouse.duckdb", read_only=True) as con:
            found = assess(con, profile, refs, reference, resume=text)
        return {g["label"].split(" (")[0] for g in found.gaps}

    asked = gap_labels("# Priya Natarajan\n" + body)
    assert {"NCLEX-RN license", "Life support certifications"} <= asked  # the target asks for both
    shown = gap_labels("# Priya Natarajan, RN, BSN\n" + body + creds)
    assert not {"NCLEX-RN license", "Life support certifications"} & shown


def test_two_line_experience_and_education_is_not_a_job() -> None:
    text = "## Experience\nClinical Informatics Champion\nValley Health · Jan 2020 – Dec 2021\n- Trained 40 nurses\n" \
           "## Education\nBSN, State University, 2008 - 2012\n"
    rows = experience_lines(text)
    assert len(rows) == 1 and rows[0][0].startswith("Clinical Informatics Champion")
    assert is_role_title("Senior Backend Engineer") and not is_role_title("Northwind Retail")


def test_a_line_that_opens_with_its_dates_belongs_to_the_title_line_above() -> None:
    """A nurse's resume gave "nights and rotating charge" as her current title: the dates line under her title line
    ("*August 2021 – Present* · 36 hrs/week, nights and rotating charge") carries hours and shifts, not the job."""
    text = ("## Clinical Experience\n\n**Registered Nurse III, Cardiovascular ICU** — North Star Medical Center, "
            "Minneapolis, MN\n*August 2021 – Present* · 36 hrs/week, nights and rotating charge\n- Care for 1–2 "
            "critically ill patients.\n\n**Registered Nurse, Medical ICU** — Hennepin Lakes Hospital\n*June 2019 – "
            "July 2021*\n- Cared for sepsis patients.\n")
    f = read_resume(text, _scores, today=date(2026, 11, 30))
    assert [e.title for e in f.experiences] == ["Registered Nurse III", "Registered Nurse"]
    assert f.current_titles == ["Registered Nurse III"] and f.current_soc == "29-1141.00"


def test_a_unit_after_the_title_is_no_employer_and_may_name_the_specialty() -> None:
    """ "Registered Nurse III, Cardiovascular ICU — North Star University Medical Center" names the unit after the
    comma and the employer after the dash: the employer was read as "Cardiovascular ICU" (an outreach draft would
    have named the unit as her company) and the specialty was lost, so an ICU nurse was credited with a general
    nurse's skills only. "Data Analyst, Northwind Retail — Chicago, IL" still names its employer after the comma; a
    unit whose reading is another occupation (a market segment after "Account Executive") leaves the title's."""
    def scores(titles: list[str]) -> list[tuple[str | None, str | None, float]]:
        out: list[tuple[str | None, str | None, float]] = []
        for t in titles:
            low = t.lower()
            if "icu" in low and "nurse" in low:
                out.append(("29-1141.03", "Critical Care Nurses", 0.86))
            elif "mid-market" in low:
                out.append(("11-2011.00", "Advertising and Promotions Managers", 0.7))
            else:
                out.extend(_scores([t]))
        return out

    text = ("## Experience\n\n**Registered Nurse III, Cardiovascular ICU** — North Star University Medical Center, "
            "Minneapolis, MN\n*August 2021 – Present*\n- Titrate vasoactive drips.\n\n"
            "**Registered Nurse, Medical-Surgical** — Lakeview Community Hospital, Arlington, TX\n*June 2019 – July "
            "2021*\n- Cared for eight patients.\n\nSenior Account Executive, Mid-Market — Ridgeline Security Software "
            "(2017 - 2019)\n\nData Analyst, Northwind Retail — Chicago, IL (2015 - 2017)\n")
    f = read_resume(text, scores, today=date(2026, 11, 30))
    got = [(e.title, e.unit, e.employer, e.soc_code) for e in f.experiences]
    assert got == [("Registered Nurse III", "Cardiovascular ICU", "North Star University Medical Center", "29-1141.03"),
                   ("Registered Nurse", "Medical-Surgical", "Lakeview Community Hospital", "29-1141.00"),
                   ("Senior Account Executive", "Mid-Market", "Ridgeline Security Software", "41-1011.00"),
                   ("Data Analyst", None, "Northwind Retail", "41-1011.00")]
    assert f.current_soc == "29-1141.03" and f.current_employers == ["North Star University Medical Center"]


def test_a_dated_bullet_is_not_a_job_but_a_bulleted_job_line_is() -> None:
    """A side-work bullet that carries dates ("- Help my uncle on handyman jobs (2022 - present)") is no current job;
    a job written as a bullet ("- Software Engineer, Acme (2015 - 2019)") still is, and bold is no bullet."""
    text = ("## Experience\n**Line Cook**, Alamo Street Grill (Jul 2021 - present)\n- Work the grill station.\n"
            "## Side Work\n- Help my uncle on weekend handyman jobs: replaced ceiling fans (2022 - present).\n"
            "- Software Engineer, Acme (2015 - 2019)\n")
    rows = experience_lines(text)
    assert [r[0].split(",")[0] for r in rows] == ["Line Cook", "Software Engineer"]
    f = read_resume(text, _scores, today=date(2026, 11, 30))
    assert f.current_titles == ["Line Cook"]


#: an invented resume laid out the way text pulled from a PDF or a resume site arrives: one long line, layout kept
#: as runs of spaces, a title-case "Experience" heading, a full-width dash, anonymised employers
FLAT_RESUME = (
    "REGISTERED NURSE\nREGISTERED NURSE     Summary     Compassionate nurse with 9 years on medical-surgical "
    "units.     Highlights     Patient assessment  Medication administration  Epic charting     Experience     "
    "Charge Nurse     Apr 2019   to   Current      Company Name   \uff0d   City  ,   State     Led a 28-bed unit "
    "of 12 nurses.  Cut falls by 30% in one year.     Staff Nurse     06/2015   to   03/2019      Company Name   "
    "\uff0d   City  ,   State     Cared for 5-6 patients per shift.     Education     Bachelor of Science  :   "
    "Nursing     2015      State University   \uff0d   City  ,   State")


def test_a_resume_on_one_line_with_layout_spaces_still_has_its_jobs() -> None:
    f = read_resume(FLAT_RESUME, _scores, today=date(2026, 11, 30))
    assert [e.title for e in f.experiences] == ["Charge Nurse", "Staff Nurse"]
    assert f.experiences[0].current and f.experiences[0].employer == "Company Name"
    assert f.current_soc == "29-1141.00" and 11 <= f.years_experience <= 12
    from careeros.planner.profile_match import title_lines
    segs = [s for _, ss, _ in title_lines(FLAT_RESUME) for s in ss]
    assert "Charge Nurse" in segs and "Staff Nurse" in segs
    assert not any("to" == s or s.endswith(" to") for s in segs)


# ---------------------------------------------------------------------------------------------- hierarchy


def test_hierarchy_over_the_real_graph(built_home: Path) -> None:
    from careeros.graph.hierarchy import load_hierarchy
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        h = load_hierarchy(con)
        ids = dict(con.sql("SELECT lower(label), skill_id FROM graph_skill WHERE kind = 'technology' AND lower(label) "
                           "IN ('postgresql', 'sql', 'django', 'python', 'pytorch', 'kubernetes')").fetchall())
    got = h.propagate({ids["postgresql"]: 1.0, ids["django"]: 1.0, ids["pytorch"]: 1.0, ids["kubernetes"]: 1.0})
    assert got[ids["sql"]] >= 0.85 and got[ids["python"]] >= 0.85
    assert got[concept_id("Deep learning")] > got[concept_id("Machine learning")] > 0.5
    assert got[concept_id("Containers")] >= 0.7
    # a skill the person removed neither receives nor passes evidence
    blocked = h.propagate({ids["pytorch"]: 1.0}, blocked={concept_id("Deep learning")})
    assert concept_id("Deep learning") not in blocked and concept_id("Machine learning") not in blocked
    # alternatives substitute in part (one cloud platform for another)
    assert any(len(ids_) >= 3 and 0 < f < 1 for ids_, f in h.alternatives)


@pytest.mark.parametrize(("label", "surface", "one"), [
    ("Life support certifications", "BLS certification", True),   # BLS is not ACLS or PALS
    ("Safety certifications", "OSHA 10", True),                     # nor OSHA 10 the OSHA 30 a lead needs
    ("PMP certification", "CAPM", True),
    ("PMP certification", "PMP certified", False),                  # the credential itself
    ("Teaching certification", "teaching license", False),
    ("Machine learning", "deep learning", False),                   # not a credential group
])
def test_one_credential_of_a_group_is_not_the_group(label: str, surface: str, one: bool) -> None:
    from careeros.planner.intelligence import one_credential_of_several

    assert one_credential_of_several(label, surface) is one


def test_a_resume_naming_one_credential_shows_the_group_in_part(reference: object) -> None:
    """A lead's OSHA 10 card is named in the resume: the safety certifications group (OSHA 30, CSP ...) counts as partly
    shown (a weak gap whose label drops OSHA 10 and names what is left), not as covered; a credential named as itself
    counts in full, and so does one the skill map keeps as its own concept (BLS, a child of the life support group)."""
    from careeros.graph.ids import concept_id
    from careeros.planner.gaps import COVERED_AT
    from careeros.planner.intelligence import CREDENTIAL_MEMBER, RESUME_NAMED, named_skills

    got = named_skills("Certifications: OSHA 10 card, BLS certification (AHA), PMP certified.\n", reference)
    assert got[concept_id("Safety certifications")][0] == CREDENTIAL_MEMBER < COVERED_AT
    assert got[concept_id("PMP certification")][0] == RESUME_NAMED >= COVERED_AT
    assert got[concept_id("BLS for healthcare providers")][0] == RESUME_NAMED


def test_a_credential_exam_in_progress_is_not_the_credential_held(reference: object) -> None:
    """"CPA exam: passed FAR and AUD" is two of four exam sections: the CPA licence stays a gap (a weak one), while a
    licensed CPA, or a PMP named as held, counts in full; the same rule holds for the evidence curator's links."""
    from careeros.graph.ids import concept_id
    from careeros.planner.gaps import COVERED_AT
    from careeros.planner.intelligence import RESUME_LEARNING, RESUME_NAMED, named_skills

    cpa = concept_id("CPA license")
    for text in ("CPA exam: passed FAR and AUD, 2024\n", "Passed CPA exam sections FAR and AUD (2022)\n",
                 "Education: B.S. Accounting. Currently pursuing the CPA license.\n", "CPA candidate (2 of 4 sections)\n"):
        got = named_skills(text, reference)
        assert got[cpa][0] == RESUME_LEARNING < COVERED_AT, text
    held = named_skills("Licensed CPA (California), 2019. PMP certified.\n", reference)
    assert held[cpa][0] == RESUME_NAMED and held[concept_id("PMP certification")][0] == RESUME_NAMED


def test_hierarchy_ignores_unknown_labels() -> None:
    table = {"concepts": [{"label": "Machine learning", "broader": ["Nonexistent thing"], "implied_by": ["PyTorch"]}],
             "hierarchy": {"Nope": {"Also nope": 0.9}}}
    h = build_hierarchy(table, {"pytorch": "tech:pytorch"})
    assert h.parents == {"tech:pytorch": {concept_id("Machine learning"): 0.8}}


def test_a_tool_named_with_its_vendor_implies_what_the_graph_names_without_it() -> None:
    """The skill map says BIM is implied by "Autodesk Revit"; the graph labels that tool "Revit" (tech:autodesk-revit):
    the edge is made, so a resume's Revit shows BIM."""
    table = {"concepts": [{"label": "Building information modeling (BIM)", "implied_by": ["Autodesk Revit"]}]}
    h = build_hierarchy(table, {"revit": "tech:autodesk-revit"})
    assert h.parents == {"tech:autodesk-revit": {concept_id("Building information modeling (BIM)"): 0.8}}


def test_a_narrower_concept_shows_part_of_its_broader_one() -> None:
    """A tool shows most of the practice it implies (Docker: containers); a narrower concept shows only part of its
    broader one (account management is some of sales, research planning some of user research), so the broader
    skill stays a weak gap an expert still names."""
    from careeros.graph.hierarchy import CONCEPT_EDGE_FACTOR, NARROWER_CONCEPT_FACTOR
    from careeros.planner.gaps import COVERED_AT

    table = {"concepts": [{"label": "Sales", "implied_by": ["Account management"]},
                          {"label": "Account management", "broader": ["Customer relations"]},
                          {"label": "Customer relations"},
                          {"label": "Containers", "implied_by": ["Docker"]}]}
    h = build_hierarchy(table, {"docker": "tech:docker"})
    am = concept_id("Account management")
    assert h.parents[am] == {concept_id("Sales"): NARROWER_CONCEPT_FACTOR,
                             concept_id("Customer relations"): NARROWER_CONCEPT_FACTOR}
    assert h.parents["tech:docker"] == {concept_id("Containers"): CONCEPT_EDGE_FACTOR}
    got = h.propagate({am: 0.9, "tech:docker": 0.9})
    assert got[concept_id("Sales")] < COVERED_AT <= got[concept_id("Containers")]


def test_a_construction_safety_card_and_court_e_filing_show_part_of_their_specialised_kin() -> None:
    """The shipped skill map: an OSHA 10/30 card (Safety certifications) shows part of construction site safety and
    of fall protection, state-court e-filing part of federal e-filing (CM/ECF), so an electrician foreman with OSHA
    30 is not told to learn OSHA 1926 from scratch, but the specialised practice stays a (weak) gap."""
    from careeros.graph.hierarchy import NARROWER_CONCEPT_FACTOR
    from careeros.graph.tech_labels import load_concept_table
    from careeros.planner.gaps import COVERED_AT

    h = build_hierarchy(load_concept_table(), {})
    for have, part in [("Safety certifications", "Construction site safety (OSHA 1926)"),
                       ("Safety certifications", "Fall protection systems"),
                       ("Court filing and e-filing", "Federal e-filing (CM/ECF and PACER)")]:
        assert h.parents[concept_id(have)][concept_id(part)] == NARROWER_CONCEPT_FACTOR, (have, part)
        assert 0 < h.propagate({concept_id(have): 0.9})[concept_id(part)] < COVERED_AT


# ------------------------------------------------------------------------------------- requirement profiles


def _inputs(n: int, share: float, onet_weight: float = 1.0) -> RoleInputs:
    pids = [f"p{i}" for i in range(n)]
    k = round(share * n)
    ps = pl.DataFrame({"posting_id": pids[:k], "skill_id": ["tech:x"] * k, "label": ["X"] * k,
                       "kind": ["technology"] * k, "commodity_title": ["X software"] * k},
                      schema={"posting_id": pl.String, "skill_id": pl.String, "label": pl.String, "kind": pl.String,
                              "commodity_title": pl.String})
    tech = pl.DataFrame({"skill_id": ["tech:x"], "label": ["X"], "weight": [onet_weight],
                         "commodity_title": ["X software"], "hot": [True], "in_demand": [True], "n_occupations": [5]})
    el = pl.DataFrame(schema={"skill_id": pl.String, "label": pl.String, "kind": pl.String, "importance": pl.Float64,
                              "mean_importance": pl.Float64})
    return RoleInputs("15-0000.00", "Test", el, tech, [], ["Test"], n, ps, {})


def _own_title_weights(onet_title: str, keywords: dict[str, tuple[str, list[str]]], own: str,
                       siblings: tuple[str, ...] = ()) -> dict[str, float]:
    """Requirement weights of an occupation without postings, read for a person whose own title is ``own``."""
    inp = _inputs(0, 0.0)
    inp.title = onet_title
    inp.titles = [onet_title]
    return {q.skill_id: q.weight for q in score_requirements(inp, _no_extract, role_keywords=keywords,
                                                             own_title=own, sibling_titles=siblings).requirements}


def _no_extract(texts: list[str]) -> list[list[tuple[str, str, str]]]:
    return [[] for _ in texts]


@pytest.mark.parametrize("share", [0.0, 0.1, 0.4])
def test_postings_pull_the_weight_away_from_onet_as_they_grow(share: float) -> None:
    onet_only = score_requirements(_inputs(0, 0.0), _no_extract).requirements[0].weight
    few = score_requirements(_inputs(5, share), _no_extract).requirements[0].weight
    many = score_requirements(_inputs(500, share), _no_extract).requirements[0].weight
    market = min(1.0, share / 0.25)
    # shrinkage: few postings stay near O*NET, many postings approach the market share
    assert abs(many - market) < abs(onet_only - market) + 1e-9
    assert abs(few - onet_only) <= abs(many - onet_only) + 1e-9
    assert _blend(0.3, share, 0) == 0.3 and abs(_blend(0.3, share, 10**6) - market) < 1e-3
    assert SHRINK_K > 0


def test_two_wordings_of_one_occupation_count_together() -> None:
    """'BI Developer' and 'Power BI Developer' are one occupation: the merged profile keeps what either wording
    asks for (Power BI itself from the second), a requirement both share once at its heaviest, core if core in
    either."""
    from careeros.planner.requirements import merge_profiles

    dispatch = _inputs(0, 0.0)
    dispatch.title, dispatch.titles = "Dispatchers", ["Dispatchers"]
    a = score_requirements(dispatch, _title_extract, own_title="Dispatcher")
    b = score_requirements(dispatch, _title_extract, own_title="Power BI Logistics Dispatcher")
    merged = merge_profiles(a, b)
    keys = [q.key for q in merged.requirements]
    assert len(keys) == len(set(keys)) and set(keys) == {q.key for q in a.requirements} | {q.key for q in b.requirements}
    for q in merged.requirements:
        versions = [x for p in (a, b) for x in p.requirements if x.key == q.key]
        assert q.weight == max(x.weight for x in versions)
        assert q.core == any(x.core for x in versions)
    assert "own:tech:power-bi" in keys and "concept:logistics" in keys
    assert "own:tech:power-bi" not in {q.key for q in a.requirements}
    assert [q.weight for q in merged.requirements] == sorted((q.weight for q in merged.requirements), reverse=True)
    assert merged.soc_code == a.soc_code


@pytest.fixture(scope="module")
def reference(built_home: Path) -> object:
    from careeros.market.skills import SkillExtractor
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        tech = con.sql("SELECT soc_code, example, hot_technology FROM onet_technology").pl()
        tools = con.sql("SELECT soc_code, example FROM onet_tool").pl()
        esco = con.sql("SELECT skill_uri, preferred_label, skill_type, text FROM esco_skill").pl()
    return SkillExtractor.build(tech, tools, esco)


@pytest.mark.parametrize("soc,own,expect", [
    ("15-1211.01", "Health Informatics Specialist", ["Health data standards", "Electronic health records"]),
    ("25-9031.00", "Instructional Designer", ["Instructional design", "E-learning development"]),
    ("13-2051.00", "Financial Analyst", ["Financial modeling"]),
])
def test_requirement_profiles_over_the_real_warehouse(built_home: Path, reference: object, soc: str, own: str,
                                                      expect: list[str]) -> None:
    from careeros.graph.hierarchy import load_hierarchy
    from careeros.planner.requirements import requirement_profile
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        h = load_hierarchy(con)
        prof = requirement_profile(con, soc, reference, h.alternatives, own_title=own)
    core = prof.core
    assert 12 <= len(core) <= 40
    labels = [r.label for r in core]
    for e in expect:
        assert any(lb.startswith(e) for lb in labels), (e, labels)
    # concepts compete with tools: the heaviest requirement of these roles is not a tool
    assert core[0].kind != "technology"
    # every requirement has its reasons and a weight in [0, 1]; core is heaviest-first
    assert all(r.reasons and 0 <= r.weight <= 1 for r in prof.requirements)
    assert [r.weight for r in core] == sorted((r.weight for r in core), reverse=True)
    # one office suite counts once, and generic office tools do not make the core of a professional role
    assert sum(1 for lb in labels if lb.startswith(("Excel", "Microsoft Outlook", "Microsoft Word"))) == 0


@pytest.mark.parametrize("title,soc,first,never", [
    ("Instructional Designer", "25-9031.00", "instructional designer", []),
    # ESCO's "interior architect" lists "construction manager" among its alternative labels: the preferred label wins
    ("Construction Manager", "11-9021.00", "construction manager", ["interior architect"]),
    # "machine engineer" (an alternative label of a maintenance engineer) is not "machine learning engineer"
    ("Senior Machine Learning Engineer", "15-2051.00", None, ["maintenance and repair engineer"]),
])
def test_esco_occupations_named_by_the_persons_title(built_home: Path, title: str, soc: str, first: str | None,
                                                     never: list[str]) -> None:
    from careeros.planner.requirements import esco_essentials, esco_occupations
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        occ = esco_occupations(con, title, soc)
        ess = esco_essentials(con, occ)
    names = [lb for _, lb, _ in occ]
    if first:
        assert names and names[0] == first, names
    assert not set(names) & set(never), names
    if occ:
        assert ess.height > 0 and ess["skill_id"].str.starts_with("esco:").all()
        # task phrases are told apart from knowledge by their opening verb
        tasks = dict(zip(ess["label"].to_list(), ess["task"].to_list(), strict=True))
        assert any(tasks.values()) and not all(tasks.values())


def test_esco_essentials_enter_the_instructional_designer_profile(built_home: Path, reference: object) -> None:
    from careeros.graph.hierarchy import load_hierarchy
    from careeros.planner.requirements import requirement_profile
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        prof = requirement_profile(con, "25-9031.00", reference, load_hierarchy(con).alternatives,
                                   own_title="Instructional Designer")
    from careeros.planner.requirements import ESCO_MAX_REQS, ESCO_STRONG_CONCEPT

    esco = [r for r in prof.requirements if any("in ESCO" in why for why in r.reasons)]
    assert esco, "no requirement carries an ESCO reason"
    standalone = [r for r in esco if r.skill_id.startswith("esco:")]
    # only knowledge (noun phrases) stands alone; no "conduct ..."/"identify ..." task phrase
    assert all(not r.label.lower().startswith(("conduct ", "identify ", "apply ", "use "))
               for r in standalone), [r.label for r in standalone]
    # ESCO fills in only where the curated concepts are thin
    strong = sum(1 for r in prof.requirements if r.kind == "concept" and r.weight >= ESCO_STRONG_CONCEPT)
    assert len(standalone) <= max(0, ESCO_MAX_REQS - strong)
    # a curated concept ESCO names essential is raised, not duplicated
    assert any(not r.skill_id.startswith("esco:") for r in esco)


@pytest.mark.parametrize("label,text,named", [
    ("use electronic health records", "Charted in electronic health records daily", True),
    ("learning management systems", "Administered our learning management system", True),
    ("labour legislation", "Knows labor law", False),
    ("data models", "Built dimensional data models for finance", True),
    ("analyse supply chain trends", "Analyzed supply chain trends quarterly", True),
    ("cognitive psychology", "psychology degree", False),
])
def test_phrase_named_is_plural_and_spelling_tolerant(label: str, text: str, named: bool, built_home: Path) -> None:
    from careeros.planner.intelligence import _norm_words, phrase_named
    from careeros.planner.requirements import task_verbs
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        verbs = task_verbs(con)  # the one verb list: O*NET work activities' first words
    assert {"use", "analyse", "analyze", "conduct"} <= verbs
    assert phrase_named(label, " " + " ".join(_norm_words(text)) + " ", verbs) is named


# ------------------------------------------------------------------------------------ evidence confidence


def test_links_named_in_resume_are_evidenced_and_learning_is_not(built_home: Path, reference: object) -> None:
    import numpy as np

    from careeros.evidence.linking import NAMED_IN_RESUME, link_item
    from careeros.evidence.models import Chunk, EvidenceItem

    text = ("Skills: Python, PostgreSQL, Docker, Git, statistics, PyTorch (learning).\n"
            "Moving into machine learning engineering.")
    item = EvidenceItem(item_id="resume:x", version_sha256="v1", source_type="resume", source_path="resume.md",
                        title="resume", text=text)
    chunks = [Chunk(chunk_id="c0", item_id="resume:x", version_sha256="v1", index=0, text=text)]

    class _Vec:
        def get(self, skills: dict[str, str]) -> dict[str, np.ndarray]:
            return {s: np.ones(4) / 2 for s in skills}

    links = {c.skill_label: c for c in link_item(item, chunks, np.ones((1, 4)) / 2, reference, _Vec())}
    for named in ("Python", "PostgreSQL", "Docker", "Git", "Statistics"):
        assert links[named].confidence >= NAMED_IN_RESUME and links[named].status == "auto", links[named]
    assert links["PyTorch"].status == "pending" and links["PyTorch"].confidence < 0.6
    assert links["Machine learning"].status == "pending"


def test_person_skills_accepted_full_pending_discounted_removed_blocked() -> None:
    h = SkillHierarchy()
    h.add("tech:pytorch", "concept:deep-learning", 0.8)
    links = pl.DataFrame({"skill_id": ["tech:a", "tech:b", "tech:pytorch", "tech:c"],
                          "confidence": [0.5, 0.6, 0.9, 0.9], "status": ["accepted", "pending", "auto", "rejected"],
                          "last_seen": [date(2026, 11, 1)] * 4, "source_type": ["resume"] * 4})
    p = person_skills(links, h, added=["tech:d"], removed=["concept:deep-learning"], as_of=date(2026, 11, 30))
    assert p.strength("tech:a") > 0.95  # a human accepted it: full confidence (minus a month of decay)
    assert 0.25 < p.strength("tech:b") < 0.31  # waiting for review: half
    assert p.strength("tech:c") == 0  # rejected
    assert p.strength("tech:d") == 1.0  # added by hand
    assert p.strength("concept:deep-learning") == 0  # removed by hand: nothing propagates into it


def test_gaps_rank_across_roles_with_priorities() -> None:
    from careeros.planner.requirements import Requirement, RequirementProfile

    def prof(soc: str, items: list[tuple[str, float]]) -> RequirementProfile:
        return RequirementProfile(soc_code=soc, title=soc, requirements=[
            Requirement(key=k, skill_id=k, label=k, kind="concept", members={k: 1.0}, weight=w, onet=w, core=True,
                        reasons=["test"]) for k, w in items])

    person = person_skills(pl.DataFrame({"skill_id": ["a"], "confidence": [0.95], "status": ["auto"],
                                         "last_seen": [None], "source_type": ["resume"]}), SkillHierarchy())
    r1 = requirement_gaps(prof("1", [("a", 0.9), ("b", 0.5), ("c", 0.4)]), person, "Role One")
    r2 = requirement_gaps(prof("2", [("c", 0.8), ("d", 0.6)]), person, "Role Two")
    assert [g.label for g in r1.gaps] == ["b", "c"] and r1.covered == ["a"]
    assert abs(r1.coverage - 0.9 * 0.95 / 1.8) < 1e-3
    ranked = ranked_gaps([r1, r2], [1.0, 0.7])
    assert [g["label"] for g in ranked] == ["c", "b", "d"]  # c: 0.8 x 0.7 + 0.25 x 0.4; b: 0.5; d: 0.42
    assert ranked[0]["roles"] == ["Role One", "Role Two"] and ranked[0]["role_title"] == "Role Two"
    assert all({"label", "skill_id", "soc_code", "role_title", "size", "status", "reason"} <= set(g) for g in ranked)


def test_two_targets_in_one_broad_occupation_share_a_priority() -> None:
    """'LIS Analyst' (Computer Systems Analysts) and 'Lab Informatics Analyst' (Health Informatics Specialists) name
    one move: the second does not rank below the first; the next different occupation takes the next step."""
    from careeros.planner.intelligence import ROLE_PRIORITY_DECAY, priorities

    d = ROLE_PRIORITY_DECAY
    assert priorities(3) == [1.0, d, d * d]
    assert priorities(3, socs=["15-1211.00", "15-1211.01", "13-1111.00"]) == [1.0, 1.0, d]
    assert priorities(3, socs=["13-1111.00", "15-1211.00", "15-1211.01"]) == [1.0, d, d]


# ---------------------------------------------------------------------------------------- the CLI contract


def test_cli_init_resume_curate_plan_contract(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              settings_env: None, prefect_server: None) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app
    from careeros.settings import get_settings

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    get_settings.cache_clear()
    resume = tmp_path / "maria.md"
    resume.write_text(NURSE)
    run = CliRunner().invoke
    # bad input: a clear error, exit 2, no profile
    for args in (["--resume", str(tmp_path / "missing.md")], ["--resume", str(tmp_path)]):
        res = run(app, ["init", *args, "--target", "Health Informatics Specialist", "--hours", "6", "--yes"])
        assert res.exit_code == 2 and "error:" in res.output and not (home / "profile.toml").exists(), res.output
    res = run(app, ["init", "--resume", str(resume), "--target", "zzqx qqzv", "--hours", "6", "--yes"])
    assert res.exit_code == 2 and "cannot resolve" in res.output
    res = run(app, ["init", "--resume", str(resume), "--target", "Health Informatics Specialist",
                    "--target", "Clinical Data Analyst", "--hours", "6", "--goal", "Move into informatics", "--yes",
                    "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert [r["title"] for r in info["roles"]] == ["Health Informatics Specialist", "Clinical Data Analyst"]
    assert all(r["soc_code"] for r in info["roles"])
    res = run(app, ["evidence", "curate", "--json"])
    assert res.exit_code == 0, res.output
    res = run(app, ["plan", "--json", "--dry-run"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    gaps, roles = d["gaps"], d["roles"]
    assert len(gaps) >= 15
    for g in gaps:
        assert {"label", "skill_id", "soc_code", "role_title", "size", "status", "reason"} <= set(g)
        assert g["status"] in ("missing", "weak", "stale") and g["size"] > 0
    assert [g["size"] for g in gaps] == sorted((g["size"] for g in gaps), reverse=True)
    assert {g["role_title"] for g in gaps} <= {"Health Informatics Specialist", "Clinical Data Analyst"}
    assert [r["title"] for r in roles] == ["Health Informatics Specialist", "Clinical Data Analyst"]
    assert all(0 <= r["coverage"] <= r["coverage_after"] <= 1 for r in roles)
    # what the resume names outright is never a gap
    top = " | ".join(g["label"].lower() for g in gaps[:15])
    # A label naming the skill outright, or as an example of a broader skill ("EHR systems (Epic, Cerner)"), is a
    # false gap; a specialism headed by the skill's name is something else the person lacks ("Epic EHR application
    # certification", "Epic reporting (Clarity/Caboodle)": a clinician who charts in Epic has neither).
    filler = {"ehr", "emr", "software", "system", "systems", "skills"}

    def names_it(label: str, has: str) -> bool:
        low = label.lower()
        if has not in low:
            return False
        head = low.split(" (")[0]
        return has not in head or not (set(head.replace("/", " ").split()) - filler - set(has.split()))

    for has in ("patient assessment", "epic", "hipaa", "clinical documentation"):
        assert not any(names_it(g["label"], has) for g in gaps[:15]), (has, top)
    # an informatics expert's gaps for a nurse
    assert "hl7" in top or "health data standards" in top
    # a person can add a skill by hand; the next plan credits it
    res = run(app, ["evidence", "add-skill", "Health data standards"])
    assert res.exit_code == 0, res.output
    d2 = json.loads(run(app, ["plan", "--json", "--dry-run"]).stdout)
    assert not any(g["label"].startswith("Health data standards") for g in d2["gaps"])
    res = run(app, ["evidence", "remove-skill", "no such skill at all"])
    assert res.exit_code == 2 and "unknown skill" in res.output


# ------------------------------------------------------------------ whose stack: the role's or the employer's


def _stack_inputs(soc: str, software: bool, tech_groups: dict[str, frozenset[str]]) -> RoleInputs:
    """50 postings of ``soc``: 20 name React (O*NET lists it for web developers only), 20 name "Dentrix" (the
    role's own tool, listed for this occupation), 20 name "Zed" (unknown to O*NET)."""
    rows = [(f"p{i}", sid, label, comm) for i in range(20) for sid, label, comm in (
        ("tech:react", "React", "Web platform development software"),
        ("tech:dentrix", "Dentrix", "Medical software"),
        ("tech:zed", "Zed", None))]
    ps = pl.DataFrame({"posting_id": [r[0] for r in rows], "skill_id": [r[1] for r in rows],
                       "label": [r[2] for r in rows], "kind": ["technology"] * len(rows),
                       "commodity_title": [r[3] for r in rows]},
                      schema={"posting_id": pl.String, "skill_id": pl.String, "label": pl.String, "kind": pl.String,
                              "commodity_title": pl.String})
    tech = pl.DataFrame({"skill_id": ["tech:python"], "label": ["Python"], "weight": [1.0],
                         "commodity_title": ["Object or component oriented development software"], "hot": [True],
                         "in_demand": [True], "n_occupations": [40]})
    el = pl.DataFrame(schema={"skill_id": pl.String, "label": pl.String, "kind": pl.String, "importance": pl.Float64,
                              "mean_importance": pl.Float64})
    return RoleInputs(soc, "Test", el, tech, [], ["Test"], 50, ps, {}, tech_groups=tech_groups, software=software)


def test_a_non_software_role_does_not_inherit_its_employers_stack() -> None:
    groups = {"tech:react": frozenset({"15-125"}), "tech:dentrix": frozenset({"11-911"})}
    manager = {q.skill_id: q for q in score_requirements(_stack_inputs("11-9111.00", False, groups),
                                                         _no_extract).requirements}
    # React: O*NET lists it only for other occupations -> not this role's; Dentrix: the role's own tool, kept;
    # Zed (O*NET does not know it) counts: most known posting tools were not foreign
    assert "tech:react" not in manager and "tech:dentrix" in manager and "tech:zed" in manager
    # Python, O*NET-listed: kept, but weighed down as a development tool of a role that is not a software role
    dev = score_requirements(_stack_inputs("15-1252.00", True, {**groups, "tech:react": frozenset({"15-125"})}),
                             _no_extract).requirements
    py_sw = next(q for q in dev if q.skill_id == "tech:python")
    assert abs(manager["tech:python"].weight - py_sw.weight * 0.3) < 1e-3
    assert any("does not program" in r for r in manager["tech:python"].reasons)
    # a software role keeps React: its broad occupation uses it
    assert any(q.skill_id == "tech:react" for q in dev)


def test_a_broad_class_of_development_tools_is_no_family_of_substitutes_in_a_software_role() -> None:
    """Java is not Python to an ML team: in a software role another member of O*NET's "object or component oriented
    development software" is a head start below the covered line; an office role's spreadsheet family stays one."""
    from careeros.planner.gaps import COVERED_AT
    from careeros.planner.requirements import LOOSE_MEMBER_CAP, MEMBER_FACTOR

    def family(software: bool, commodity: str) -> tuple[dict[str, float], float | None]:
        tech = pl.DataFrame({"skill_id": ["tech:python", "tech:java"], "label": ["Python", "Java"],
                             "weight": [1.0, 0.5], "commodity_title": [commodity] * 2, "hot": [True] * 2,
                             "in_demand": [True] * 2, "n_occupations": [40] * 2})
        el = pl.DataFrame(schema={"skill_id": pl.String, "label": pl.String, "kind": pl.String,
                                  "importance": pl.Float64, "mean_importance": pl.Float64})
        ps = pl.DataFrame(schema={"posting_id": pl.String, "skill_id": pl.String, "label": pl.String,
                                  "kind": pl.String, "commodity_title": pl.String})
        inp = RoleInputs("15-2051.00", "Test", el, tech, [], ["Test"], 0, ps, {}, software=software)
        return next((q.members, q.member_cap) for q in score_requirements(inp, _no_extract).requirements
                    if q.skill_id == "tech:python")

    dev = "Object or component oriented development software"
    assert family(True, dev) == ({"tech:python": 1.0, "tech:java": MEMBER_FACTOR}, LOOSE_MEMBER_CAP)
    assert LOOSE_MEMBER_CAP < COVERED_AT  # a member named at full strength is still a (small) gap
    assert family(False, dev)[1] is None and family(True, "Spreadsheet software")[1] is None


def test_a_concept_postings_name_for_other_roles_counts_less_outside_software() -> None:
    """20 of 50 postings name "AI agents", a concept the skill map keeps for AI engineers: for a sales role (outside
    software) the postings describe the employer's product, so it weighs OTHER_ROLES_MARKET_FACTOR of what it
    would; a software role, and a concept the map keeps for no role, keep the full market weight."""
    from careeros.planner.requirements import OTHER_ROLES_MARKET_FACTOR

    def inputs(soc: str, software: bool) -> RoleInputs:
        rows = [(f"p{i}", sid, label) for i in range(20) for sid, label in (
            ("concept:ai-agents", "AI agents"), ("concept:negotiation", "Negotiation"))]
        ps = pl.DataFrame({"posting_id": [r[0] for r in rows], "skill_id": [r[1] for r in rows],
                           "label": [r[2] for r in rows], "kind": ["concept"] * len(rows),
                           "commodity_title": [None] * len(rows)},
                          schema={"posting_id": pl.String, "skill_id": pl.String, "label": pl.String,
                                  "kind": pl.String, "commodity_title": pl.String})
        tech = pl.DataFrame(schema={"skill_id": pl.String, "label": pl.String, "weight": pl.Float64,
                                    "commodity_title": pl.String, "hot": pl.Boolean, "in_demand": pl.Boolean,
                                    "n_occupations": pl.Int64})
        el = pl.DataFrame(schema={"skill_id": pl.String, "label": pl.String, "kind": pl.String,
                                  "importance": pl.Float64, "mean_importance": pl.Float64})
        return RoleInputs(soc, "Test", el, tech, [], ["Test"], 50, ps, {}, software=software,
                          global_share={"concept:ai-agents": 0.1, "concept:negotiation": 0.1})

    keywords = {"concept:ai-agents": ("AI engineer", ["AI engineer", "LLM engineer"])}

    def weights(soc: str, software: bool, kw: dict[str, tuple[str, list[str]]]) -> dict[str, float]:
        return {q.skill_id: q.weight for q in score_requirements(inputs(soc, software), _no_extract,
                                                                 role_keywords=kw).requirements}

    sales, unmapped = weights("41-3091.00", False, keywords), weights("41-3091.00", False, {})
    assert sales["concept:ai-agents"] == pytest.approx(unmapped["concept:ai-agents"] * OTHER_ROLES_MARKET_FACTOR,
                                                       abs=1e-3)
    assert sales["concept:negotiation"] == pytest.approx(unmapped["concept:negotiation"], abs=1e-3)
    dev, dev_unmapped = weights("15-1252.00", True, keywords), weights("15-1252.00", True, {})
    assert dev["concept:ai-agents"] == pytest.approx(dev_unmapped["concept:ai-agents"], abs=1e-3)


def test_a_foreign_stack_drops_the_tools_onet_does_not_know() -> None:
    groups = {"tech:react": frozenset({"15-125"}), "tech:dentrix": frozenset({"15-125"})}
    got = {q.skill_id for q in score_requirements(_stack_inputs("11-9111.00", False, groups), _no_extract).requirements}
    assert "tech:zed" not in got and "tech:react" not in got


@pytest.mark.parametrize("title,core", [
    ("Dispatchers, Except Police, Fire, and Ambulance", "Dispatchers"),
    ("Secondary School Teachers, Except Special and Career/Technical Education", "Secondary School Teachers"),
    ("Software Developers", "Software Developers"),
])
def test_what_an_onet_title_excludes_is_not_matched(title: str, core: str) -> None:
    from careeros.planner.requirements import core_title

    assert core_title(title) == core
    police = {"concept:community-policing": ("Community policing", ["police"])}
    inp = _inputs(0, 0.0)
    inp.title, inp.titles = title, [title]
    got = {q.skill_id for q in score_requirements(inp, _no_extract, role_keywords=police).requirements}
    assert ("concept:community-policing" in got) == ("police" in core.lower())


@pytest.mark.parametrize("title,keyword,hit", [
    ("high school chemistry teacher", "chemist", False),  # teaches chemistry; no chemist
    ("computer engineering professor", "engineer", False),
    ("chemistry teachers, postsecondary", "chemist", False),
    ("qc chemist", "chemist", True),
    ("chemistry technician", "chemist", True),  # the stem still ties outside teaching titles
    ("engineering manager", "engineer", True),
    ("nurse educator", "nurse", True),  # the practitioner named in full still counts
    ("special education teacher", "special education", True),
])
def test_a_subject_taught_is_not_its_practitioners_role(title: str, keyword: str, hit: bool) -> None:
    from careeros.planner.requirements import _title_hit

    assert _title_hit(title, keyword) is hit


@pytest.mark.parametrize("title,own,tied", [
    ("Treasurers and Controllers", None, True),
    ("Air Traffic Controllers", None, False),
    ("Air Traffic Controllers", "Airport Tower Controller", False),
    ("Financial Managers", "Corporate Controller", True),
])
def test_a_role_keyword_can_rule_out_titles(title: str, own: str | None, tied: bool) -> None:
    """'controller -traffic -air -airport -tower': the finance concepts a controller owns are not an air traffic
    controller's, whether the O*NET title or the person's own title says controller."""
    close = {"concept:month-end-close": ("Month-end close", ["controller -traffic -air -airport -tower"])}
    inp = _inputs(0, 0.0)
    inp.title, inp.titles = title, [title]
    got = {q.skill_id for q in score_requirements(inp, _no_extract, role_keywords=close, own_title=own).requirements}
    assert ("concept:month-end-close" in got) == tied


# ------------------------------------------------------------------------- the person's own title and evidence


def _title_extract(texts: list[str]) -> list[list[tuple[str, str, str]]]:
    """A tiny extractor: 'logistics' (concept) and 'Power BI' (technology) wherever they are written."""
    out = []
    for t in texts:
        found = []
        if "logistics" in t.lower():
            found.append(("concept:logistics", "Logistics", "concept"))
        if "power bi" in t.lower():
            found.append(("tech:power-bi", "Power BI", "technology"))
        out.append(found)
    return out


def test_the_persons_own_title_names_requirements() -> None:
    inp = _inputs(0, 0.0)
    inp.title, inp.titles = "Dispatchers", ["Dispatchers"]
    prof = score_requirements(inp, _title_extract, own_title="Logistics Dispatcher")
    logistics = next(q for q in prof.requirements if q.skill_id == "concept:logistics")
    # the O*NET title does not name logistics; the person's own words for the role do
    assert logistics.weight == 1.0 and logistics.core
    assert any("your title" in r for r in logistics.reasons)
    bi = score_requirements(_inputs(0, 0.0), _title_extract, own_title="Power BI Developer").requirements
    own = next(q for q in bi if q.key == "own:tech:power-bi")
    # a tool the title names is required itself: another BI tool does not stand in for it
    assert own.members == {"tech:power-bi": 1.0} and own.weight == 1.0 and own.core
    assert not any(q.skill_id == "concept:logistics" for q in bi)


def test_a_niche_of_one_alternate_title_is_not_a_targets_requirement() -> None:
    """One specialty title among many ('Masonry Construction Manager' of 20) and nothing else names masonry: not what
    a Construction Project Manager must learn, but kept for the person's own occupation (niches=True) and for a
    title the specialty makes more specific ('Masonry Construction Manager' for a 'Construction Manager')."""
    def extract(texts: list[str]) -> list[list[tuple[str, str, str]]]:
        return [[("concept:masonry", "Masonry", "concept")] if "masonry" in t.lower() else [] for t in texts]

    inp = _inputs(0, 0.0)
    inp.title = "Construction Managers"
    inp.titles = ["Construction Managers", "Masonry Construction Manager",
                  *[f"Construction Superintendent {i}" for i in range(19)]]

    def has(**kw: object) -> bool:
        return any(q.skill_id == "concept:masonry" for q in score_requirements(inp, extract, **kw).requirements)

    assert not has(own_title="Construction Project Manager")
    assert has(own_title="Construction Project Manager", niches=True)
    assert has(own_title="Construction Manager")


def test_a_concept_expected_of_the_persons_own_title_outweighs_the_occupations() -> None:
    from careeros.planner.requirements import CURATED_OWN_TITLE_WEIGHT, CURATED_ROLE_WEIGHT

    keywords = {"concept:discharge-planning": ("Discharge planning", ["case manager"]),
                "concept:grant-writing": ("Grant writing", ["social and community service"])}
    inp = _inputs(0, 0.0)
    inp.title = "Social and Community Service Managers"
    inp.titles = [inp.title]
    got = {q.skill_id: q.weight for q in score_requirements(inp, _no_extract, role_keywords=keywords,
                                                             own_title="Healthcare Case Manager").requirements}
    assert got["concept:discharge-planning"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    assert got["concept:grant-writing"] == pytest.approx(CURATED_ROLE_WEIGHT)
    assert CURATED_OWN_TITLE_WEIGHT > CURATED_ROLE_WEIGHT


def test_gaps_outside_the_core_rank_after_core_gaps_of_the_same_weight() -> None:
    from careeros.planner.gaps import NON_CORE_FACTOR
    from careeros.planner.requirements import Requirement, RequirementProfile

    reqs = [Requirement(key=k, skill_id=k, label=k, kind="technology", members={k: 1.0}, weight=0.3, onet=0.3,
                        core=core, reasons=["test"]) for k, core in (("obscure tool", False), ("core tool", True))]
    person = person_skills(pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64,
                                                "status": pl.String, "last_seen": pl.Date,
                                                "source_type": pl.String}), SkillHierarchy())
    rep = requirement_gaps(RequirementProfile(soc_code="1", requirements=reqs), person, "Role")
    assert [g.label for g in rep.gaps] == ["core tool", "obscure tool"]
    assert rep.gaps[1].size == pytest.approx(0.3 * NON_CORE_FACTOR)


def test_a_tool_only_onets_example_list_names_is_no_gap_outside_the_core() -> None:
    """Epic Systems is a Hot Technology (economy-wide) and among O*NET's examples for accountants, because hospital
    accountants use it: not In Demand for the occupation, no posting, no ESCO skill. Outside the core it is not listed
    as a revenue accountant's gap; a tool the occupation's postings name still is."""
    from careeros.planner.requirements import Requirement, RequirementProfile

    reqs = [Requirement(key="epic", skill_id="epic", label="Epic Systems", kind="technology", members={"epic": 1.0},
                        weight=0.3, onet=0.3, hot=True, onet_only=True, reasons=["test"]),
            Requirement(key="alteryx", skill_id="alteryx", label="Alteryx", kind="technology",
                        members={"alteryx": 1.0}, weight=0.3, onet=0.3, postings=4, reasons=["test"])]
    person = person_skills(pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64,
                                                "status": pl.String, "last_seen": pl.Date,
                                                "source_type": pl.String}), SkillHierarchy())
    rep = requirement_gaps(RequirementProfile(soc_code="13-2011.00", requirements=reqs), person, "Revenue Accountant")
    assert [g.label for g in rep.gaps] == ["Alteryx"]


def test_in_demand_is_read_from_the_occupations_own_tool_weight() -> None:
    """The skill node's In Demand flag says some occupation's postings ask for the tool; the occupation's own edge
    weight says whether its postings do (Yardi is In Demand for property managers, not for accountants)."""
    from careeros.graph.build import TECH_BASE, TECH_HOT, TECH_IN_DEMAND

    def read(edge_weight: float) -> tuple[bool, bool]:
        q = score_requirements(_inputs(0, 0.0, onet_weight=edge_weight), _no_extract).requirements[0]
        return q.in_demand, q.onet_only

    assert read(TECH_BASE + TECH_HOT) == (False, True)  # Hot only: the node's In Demand is another occupation's
    assert read(TECH_BASE + TECH_IN_DEMAND) == (True, False)
    assert read(TECH_BASE + TECH_IN_DEMAND + TECH_HOT) == (True, False)


def test_the_current_occupations_concepts_are_partly_shown_its_tools_shown() -> None:
    from careeros.planner.gaps import COVERED_AT
    from careeros.planner.requirements import Requirement, RequirementProfile

    occ = RequirementProfile(soc_code="25-9043.00", title="Teaching Assistants", requirements=[
        Requirement(key=k, skill_id=k, label=k, kind=kind, members={k: 1.0}, weight=0.8, onet=0.8, core=True)
        for k, kind in (("concept:lesson-planning", "concept"), ("tech:google-classroom", "technology"))])
    empty = pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                 "last_seen": pl.Date, "source_type": pl.String})
    p = person_skills(empty, SkillHierarchy(), occupation=occ, occupation_years=10)
    # a paraprofessional has seen lesson planning without owning it; the classroom tool is simply used
    assert 0 < p.strength("concept:lesson-planning") < COVERED_AT <= p.strength("tech:google-classroom")


def test_years_in_an_occupation_do_not_show_its_credentials() -> None:
    """An apartment maintenance technician's occupation often holds the EPA 608 card, but only the person's own
    evidence shows they hold it: the card stays a whole gap while the occupation's other core concepts are partly
    shown."""
    from careeros.planner.requirements import Requirement, RequirementProfile

    occ = RequirementProfile(soc_code="49-9071.00", title="Maintenance and Repair Workers, General", requirements=[
        Requirement(key=k, skill_id=k, label=label, kind="concept", members={k: 1.0}, weight=0.8, onet=0.8, core=True)
        for k, label in (("concept:epa-608", "EPA 608 refrigerant certification"),
                         ("concept:electrical-troubleshooting", "Electrical troubleshooting"),
                         ("concept:forklift", "Forklift operation (forklift certification, forklift certified)"))])
    empty = pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                 "last_seen": pl.Date, "source_type": pl.String})
    p = person_skills(empty, SkillHierarchy(), occupation=occ, occupation_years=8)
    assert p.strength("concept:epa-608") == 0.0 < p.strength("concept:electrical-troubleshooting")
    assert p.strength("concept:forklift") == 0.0  # known by its certificate: held or not


def test_a_practice_one_of_whose_names_is_a_certificate_is_still_the_occupations_work() -> None:
    """An ICU nurse's plan listed IV therapy as missing: its label names "IV certification" among seven examples, so
    years of nursing were not allowed to show it. The practice is every nurse's daily work; only a credential by its
    name, first example or a third of its examples is held or not."""
    from careeros.planner.artifacts import names_held_credential
    from careeros.planner.requirements import Requirement, RequirementProfile

    iv = ("IV therapy (IV starts, infusion therapy, intravenous therapy, IV medication administration, IV "
          "certification, IV insertion, peripheral IV)")
    assert not names_held_credential(iv)
    assert names_held_credential("NCLEX-RN license (registered nurse license)")
    assert names_held_credential("Responsible alcohol service (TIPS certification, TIPS certified, carding)")
    occ = RequirementProfile(soc_code="29-1141.00", title="Registered Nurses", requirements=[
        Requirement(key="concept:iv", skill_id="concept:iv", label=iv, kind="concept", members={"concept:iv": 1.0},
                    weight=0.9, onet=0.9, core=True)])
    empty = pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                 "last_seen": pl.Date, "source_type": pl.String})
    assert person_skills(empty, SkillHierarchy(), occupation=occ, occupation_years=5).strength("concept:iv") > 0


def test_a_concept_central_to_the_current_occupation_and_peripheral_to_the_target_is_held() -> None:
    """A registered nurse aiming at nurse practitioner: patient care is central to nursing and peripheral to the
    practitioner's role (the target weighs it far less), so ten years of nursing show it; pharmacology both weigh alike,
    and the practitioner prescribes at a level nursing does not reach: still partly shown, a gap."""
    from careeros.planner.gaps import COVERED_AT
    from careeros.planner.person import OCCUPATION_HELD_RATIO
    from careeros.planner.requirements import Requirement, RequirementProfile

    def req(key: str, weight: float) -> Requirement:
        return Requirement(key=key, skill_id=key, label=key, kind="concept", members={key: 1.0}, weight=weight,
                           onet=weight, core=True)

    occ = RequirementProfile(soc_code="29-1141.00", title="Registered Nurses",
                             requirements=[req("concept:patient-care", 0.87), req("concept:pharmacology", 0.87)])
    empty = pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                 "last_seen": pl.Date, "source_type": pl.String})
    p = person_skills(empty, SkillHierarchy(), occupation=occ, occupation_years=10)
    peripheral = 0.87 * OCCUPATION_HELD_RATIO * 0.9
    target = RequirementProfile(soc_code="29-1171.00", title="Nurse Practitioners",
                                requirements=[req("concept:patient-care", peripheral), req("concept:pharmacology", 0.87)])
    rep = requirement_gaps(target, p, "Nurse Practitioner")
    assert [g.skill_id for g in rep.gaps] == ["concept:pharmacology"] and rep.gaps[0].status == "weak"
    assert "concept:patient-care" in rep.covered_ids
    assert p.held_as_in_occupation("concept:patient-care", peripheral) >= COVERED_AT
    assert p.held_as_in_occupation("concept:pharmacology", 0.87) == 0.0
    # a skill the person has not from the occupation, or with too few years for the full prior, is not lifted
    assert person_skills(empty, SkillHierarchy(), occupation=occ, occupation_years=0).held_as_in_occupation(
        "concept:patient-care", peripheral) < COVERED_AT


@pytest.mark.parametrize("text,label,found", [
    ("Head-to-toe assessments for 5-6 adult patients per shift.", "Patient assessment", True),
    ("Documented in Epic; super-user for the barcode scanning rollout.", "Epic Systems", True),
    ("It was an epic journey across the state.", "Epic Systems", False),
    ("## Licenses\nRN (Michigan), BLS, ACLS", "BLS for healthcare providers", True),
    ("Patient and family education on discharge and anticoagulation.", "Patient education", True),
])
def test_a_resume_names_a_skill_in_its_own_words(text: str, label: str, found: bool, reference: object) -> None:
    """A concept alias in the other number ("head-to-toe assessments"), a product named where only it can be meant
    ("documented in Epic") and a nurse's listed "BLS" (the healthcare provider course, not any life support card)
    count; a common word that happens to be a product's name does not."""
    from careeros.planner.intelligence import named_skills

    got = {lab for _, lab in named_skills(text, reference).values()}
    assert (label in got) == found, got


@pytest.mark.parametrize("line,own", [
    ("- Prepare the monthly trial balance and hand it to the outside CPA.", False),
    ("- Reviewed by our CPA each quarter.", False),
    ("## Certifications\nCPA (Ohio), 2019", True),
    ("Passed the CPA exam in 2021; licensed CPA since 2022.", True),
])
def test_someone_elses_credential_is_not_the_persons(line: str, own: bool, reference: object) -> None:
    from careeros.planner.intelligence import named_skills

    got = {label for _, label in named_skills(line, reference).values()}
    assert ("CPA license" in got) == own, got


def test_a_concept_without_examples_shows_its_shortest_distinct_aliases() -> None:
    from careeros.planner.requirements import alias_examples

    aliases = ["sales prospecting", "prospecting", "cold calling", "cold outreach", "outbound prospecting",
               "lead qualification"]
    # variants of the label ("sales prospecting") and of an example already picked ("cold outreach") are skipped
    assert alias_examples("Prospecting", aliases) == ["cold calling", "lead qualification"]
    assert alias_examples("Account management", ["account management", "upsell", "upselling", "QBRs"]) == \
        ["QBRs", "upsell"]
    assert alias_examples("Usability testing", ["usability tests", "usability test"]) == []
    # a name sharing a word with the label comes only after those that share none
    assert alias_examples("Usability testing", ["usability studies", "think-aloud protocol"]) == \
        ["think-aloud protocol", "usability studies"]
    # names that share no word with the label come first; "EHRs" and the label's acronym say nothing new
    assert alias_examples("Electronic health records", ["EHR", "EHRs", "EMR", "Epic charting", "EHR systems"], n=3) \
        == ["EMR", "Epic charting", "EHR systems"]
    assert alias_examples("SQL querying", ["SQL queries", "writing SQL", "joins"], n=2, shown=["SQL"]) == \
        ["joins", "SQL queries"]
    # a short everyday name inside a longer word of the label is a name of its own ("shop math")
    assert alias_examples("Machine shop mathematics", ["shop mathematics", "shop math"]) == ["shop math"]


def test_a_concept_shows_the_names_its_role_uses_first() -> None:
    """People management is "coaching staff" for a transit supervisor and "mentoring engineers" for an engineering
    manager: within each pass of ``alias_examples``, aliases in the words of the role's tasks and titles come first."""
    from careeros.planner.requirements import ConceptNames, concept_examples, role_words

    names = ConceptNames("People management", ("team leadership",),
                         ("mentoring engineers", "line management", "coaching staff"))
    transit = role_words(["Supervise bus operators and staff on the line; manage shift assignments"])
    software = role_words(["Engineering Managers", "Mentor software engineers and review their designs"])
    assert names.shown(transit, n=2) == ["team leadership", "coaching staff"]
    assert names.shown(transit, n=4) == ["team leadership", "coaching staff", "mentoring engineers", "line management"]
    assert names.shown(software, n=2) == ["team leadership", "mentoring engineers"]
    assert names.shown(n=1) == ["team leadership"]
    # every concept of the skill map shows at most EXAMPLES_SHOWN names, none of them the label's own words again
    from careeros.graph.tech_labels import load_concept_table
    from careeros.planner.requirements import EXAMPLES_SHOWN

    for cid, cn in concept_examples(load_concept_table()).items():
        shown = cn.shown()
        assert len(shown) <= EXAMPLES_SHOWN and len(set(shown)) == len(shown), (cid, shown)
        assert all(x.lower() != cn.label.lower() for x in shown), (cid, shown)


def test_a_bare_modifier_example_shows_as_the_whole_practice() -> None:
    """"Interpreting (consecutive, simultaneous)" reads "consecutive interpreting, simultaneous interpreting": an
    interpreter's coach names the practice. Names ("OFAC") and examples whose aliases add other words stay."""
    from careeros.planner.requirements import ConceptNames, whole_example

    aliases = ("consecutive interpreting", "simultaneous interpretation", "simultaneous interpreting", "sight translation")
    assert whole_example("Interpreting", "simultaneous", aliases) == "simultaneous interpreting"
    assert whole_example("Interpreting", "sight translation", aliases) == "sight translation"
    assert whole_example("Sanctions screening", "OFAC", ("OFAC screening",)) == "OFAC"
    assert whole_example("Recruiting", "sourcing", ("sourcing candidates",)) == "sourcing"
    names = ConceptNames("Interpreting", ("consecutive", "simultaneous", "sight translation"), aliases)
    assert names.shown(n=3) == ["consecutive interpreting", "simultaneous interpreting", "sight translation"]


def test_a_title_abbreviation_names_no_other_field(reference) -> None:
    """O*NET's "Direct Support Professional (DSP)" and a typed "DSO (Distribution System Operator)" are titles, not
    digital signal processing or days sales outstanding; an abbreviation naming the title's own credential stays."""
    from careeros.planner.requirements import _title_extract, extractor_fn, without_title_acronym

    assert without_title_acronym("Direct Support Professional (DSP)") == "Direct Support Professional"
    assert without_title_acronym("DSO (Distribution System Operator)") == "Distribution System Operator"
    assert without_title_acronym("Nurse (ICU)") == "Nurse (ICU)"
    ext = extractor_fn(reference)
    titles = ["Direct Support Professional (DSP)", "DSO (Distribution System Operator)", "Certified Personal Chef (CPC)",
              "Certified Public Accountant (CPA)"]
    raw, got = ext(titles), _title_extract(ext, titles)
    names = [{lb for _, lb, _ in f} for f in got]
    assert "Digital signal processing" in {lb for _, lb, _ in raw[0]} and not names[0]
    assert not names[1]
    assert "Coding certification" not in names[2] and "Chef" in names[2]
    assert "CPA license" in names[3]


@pytest.mark.parametrize("keyword,title,hit", [
    ("MLO", "MLOps Engineer", False),  # a mortgage loan originator is not the start of MLOps
    ("MLO", "Mortgage MLO", True),
    ("SDR", "SDRs Team Lead", True),
    ("actuar", "Actuarial Analyst", True),  # longer keywords stay word-start stems
])
def test_a_short_role_keyword_must_end_a_word(keyword: str, title: str, hit: bool) -> None:
    from careeros.planner.requirements import _keyword_rx

    assert bool(_keyword_rx(keyword).search(title.lower())) is hit


def test_curation_and_planning_share_the_credential_rule() -> None:
    from careeros.evidence.linking import others_credential

    text = "Hand the monthly trial balance to the outside CPA. Licensed CPA since 2019."
    first, second = text.index("CPA"), text.rindex("CPA")
    assert others_credential("CPA license", text, first) and not others_credential("CPA license", text, second)
    assert not others_credential("Python", "written to the outside Python", 26)  # only credentials


def test_a_specialty_title_discounts_what_only_the_occupations_other_titles_expect() -> None:
    """'Instructional Designer' among Instructional Coordinators: once the map expects several concepts of the
    person's own title, a concept it expects only of the occupation's title (K-12 instructional coaching) counts
    at SPECIALTY_FACTOR of the map's weight; a person titled like the occupation keeps it in full."""
    from careeros.planner.requirements import (
        CURATED_OWN_TITLE_WEIGHT,
        CURATED_ROLE_WEIGHT,
        SPECIALTY_FACTOR,
        SPECIALTY_MIN_OWN,
    )

    own = {f"concept:d{i}": (f"Design {i}", ["instructional designer"]) for i in range(SPECIALTY_MIN_OWN)}
    keywords = {**own, "concept:coaching": ("Instructional coaching", ["instructional coordinator"])}

    def weights(title: str) -> dict[str, float]:
        return _own_title_weights("Instructional Coordinators", keywords, title)

    designer, coordinator = weights("Instructional Designer"), weights("Instructional Coordinator")
    assert designer["concept:coaching"] == pytest.approx(CURATED_ROLE_WEIGHT * SPECIALTY_FACTOR)
    assert coordinator["concept:coaching"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    assert designer["concept:d0"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    # too few concepts of the person's own title: not a recognised specialty, nothing is discounted
    few = {"concept:d0": own["concept:d0"], "concept:coaching": keywords["concept:coaching"]}
    got = _own_title_weights("Instructional Coordinators", few, "Instructional Designer")
    assert got["concept:coaching"] == pytest.approx(CURATED_ROLE_WEIGHT)


def test_the_persons_other_wordings_of_a_role_name_its_specialty_together() -> None:
    """'Clinical SAS Programmer', 'Statistical Programmer' and 'SAS Programmer' all file under Computer Programmers:
    no wording alone ties enough concepts to read as a specialty, together they do, so what only the occupation
    expects (mainframe development) is discounted for every wording, not only for the most specific one."""
    from careeros.planner.requirements import CURATED_ROLE_WEIGHT, SPECIALTY_FACTOR

    keywords = {"concept:cdisc": ("Clinical statistical programming", ["clinical sas programmer",
                                                                       "statistical programmer"]),
                "concept:sas": ("SAS programming", ["sas programmer"]),
                "concept:biostat": ("Biostatistics", ["statistical programmer"]),
                "concept:mainframe": ("Mainframe development", ["computer programmer"])}
    alone = _own_title_weights("Computer Programmers", keywords, "SAS Programmer")
    together = _own_title_weights("Computer Programmers", keywords, "SAS Programmer",
                                  ("Clinical SAS Programmer", "Statistical Programmer"))
    assert alone["concept:mainframe"] == pytest.approx(CURATED_ROLE_WEIGHT)
    assert together["concept:mainframe"] == pytest.approx(CURATED_ROLE_WEIGHT * SPECIALTY_FACTOR)
    assert together["concept:sas"] == alone["concept:sas"]  # the wording's own ties keep their weight


def test_a_specialty_title_hears_the_occupations_alternate_titles_less() -> None:
    """An 'Analytics Engineer' filed under Data Scientists: the occupation's alternate titles that name machine
    learning speak for another specialty, so that signal counts at SPECIALTY_FACTOR; for a 'Data Scientist' in full."""
    from careeros.planner.requirements import SPECIALTY_FACTOR

    keywords = {f"concept:a{i}": (f"Analytics {i}", ["analytics engineer"]) for i in range(3)}

    def extract(texts: list[str]) -> list[list[tuple[str, str, str]]]:
        return [[("concept:ml", "Machine learning", "concept")] if "machine learning" in t.lower() else []
                for t in texts]

    inp = _inputs(0, 0.0)
    inp.title, inp.titles = "Data Scientists", ["Data Scientists", "Machine Learning Scientist", "Data Analyst"]

    def ml(own: str) -> float:
        reqs = score_requirements(inp, extract, role_keywords=keywords, own_title=own).requirements
        return next(q.weight for q in reqs if q.skill_id == "concept:ml")

    assert ml("Analytics Engineer") == pytest.approx(ml("Data Scientist") * SPECIALTY_FACTOR)


def test_a_child_of_a_larger_gap_gives_way() -> None:
    """A gap whose broader skill is a larger gap of the plan (HPLC under Analytical chemistry techniques) shrinks, so
    the top of the list is not the parent and its parts; less when the parent's label does not name it (Health data
    standards under Health informatics); a child whose parent the person shows keeps its size."""
    from careeros.planner.gaps import CHILD_OF_GAP_FACTOR, CHILD_UNNAMED_FACTOR, demote_children_of_gaps

    labels = {"concept:analytical-chemistry": "Analytical chemistry techniques (HPLC, GC-MS)", "concept:hplc": "HPLC",
              "concept:informatics": "Health informatics (health IT, nursing informatics)",
              "concept:standards": "Health data standards (HL7, FHIR)"}

    def gap(sid: str, size: float) -> dict[str, object]:
        return {"skill_id": sid, "label": labels.get(sid, sid), "size": size, "market_value": 0.0}

    parents = {"concept:hplc": {"concept:analytical-chemistry": 0.8}, "concept:gc": {"concept:analytical-chemistry": 0.8},
               "concept:sterilization": {"concept:sterile-processing": 0.8},
               "concept:standards": {"concept:informatics": 0.8}}
    gaps = [gap("concept:analytical-chemistry", 1.0), gap("concept:hplc", 0.9), gap("concept:sterilization", 0.85),
            gap("concept:other", 0.6)]
    out = demote_children_of_gaps(gaps, parents)
    assert [g["skill_id"] for g in out] == ["concept:analytical-chemistry", "concept:sterilization", "concept:other",
                                            "concept:hplc"]
    assert next(g for g in out if g["skill_id"] == "concept:hplc")["size"] == round(0.9 * CHILD_OF_GAP_FACTOR, 4)
    out = demote_children_of_gaps([gap("concept:informatics", 1.0), gap("concept:standards", 0.9)], parents)
    assert CHILD_OF_GAP_FACTOR < CHILD_UNNAMED_FACTOR < 1
    assert out[1]["size"] == round(0.9 * CHILD_UNNAMED_FACTOR, 4)


def test_a_generic_keyword_inside_a_specialty_title_counts_as_the_occupations() -> None:
    """'Fleet Maintenance Manager': a plant "maintenance manager" expects TPM; "fleet maintenance" says what the role
    is. Keywords that leave out a qualifier another keyword of the title covers weigh as the occupation's."""
    from careeros.planner.requirements import CURATED_OWN_TITLE_WEIGHT, CURATED_ROLE_WEIGHT

    keywords = {"concept:tpm": ("Total productive maintenance", ["maintenance manager"]),
                "concept:fleet": ("Fleet management", ["fleet maintenance", "fleet manager"])}

    def weights(own: str) -> dict[str, float]:
        return _own_title_weights("First-Line Supervisors of Mechanics", keywords, own)

    got = weights("Fleet Maintenance Manager")
    assert got["concept:fleet"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    assert got["concept:tpm"] == pytest.approx(CURATED_ROLE_WEIGHT)
    # the generic keyword alone is the title's own; so is what follows a comma ("..., Fleet Maintenance")
    assert weights("Maintenance Manager")["concept:tpm"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    got = weights("Maintenance Manager, Fleet Maintenance")
    assert got["concept:tpm"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT) == got["concept:fleet"]


def test_a_level_word_a_title_starts_with_qualifies_nothing() -> None:
    """'Senior Mechanical Engineer' beside a "senior mechanical engineer" keyword: "mechanical engineer" is the role
    itself, not a generic part of the title (a level word is no qualifier); "Staff Accountant" keeps its "staff"."""
    from careeros.planner.requirements import CURATED_OWN_TITLE_WEIGHT, CURATED_ROLE_WEIGHT

    keywords = {"concept:gdt": ("GD&T", ["mechanical engineer"]),
                "concept:lead": ("Design reviews", ["senior mechanical engineer"])}
    got = _own_title_weights("Mechanical Engineers", keywords, "Senior Mechanical Engineer")
    assert got["concept:gdt"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT) == got["concept:lead"]
    got = _own_title_weights("Mechanical Engineers", keywords, "Sr. Mechanical Engineer")
    assert got["concept:gdt"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    staff = {"concept:ledger": ("General ledger", ["accountant"]),
             "concept:staff": ("Account reconciliations", ["staff accountant"])}
    got = _own_title_weights("Accountants and Auditors", staff, "Staff Accountant")
    assert got["concept:ledger"] == pytest.approx(CURATED_ROLE_WEIGHT)


def test_a_design_tool_is_no_development_tool_of_a_designer(built_home: Path, reference: object) -> None:
    """O*NET files Figma under "Graphical user interface development software"; a graphic designer does not program,
    and Figma is still a designer's tool, not an employer's development stack."""
    from careeros.graph.hierarchy import load_hierarchy
    from careeros.planner.requirements import requirement_profile
    from careeros.warehouse.db import connect

    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        prof = requirement_profile(con, "27-1024.00", reference, load_hierarchy(con).alternatives,
                                   own_title="Graphic Designer")
    figma = [r for r in prof.requirements if "Figma" in r.label or "Figma" in r.member_labels]
    assert figma, [r.label for r in prof.requirements]
    assert not any("does not program" in why for r in figma for why in r.reasons)


def test_a_keywords_exclusions_rule_out_the_persons_own_title_too() -> None:
    """'medical and health services -veterinary' ties hospital accreditation to the O*NET title Medical and Health
    Services Managers, but not for a person whose own title is a veterinary practice manager, whatever occupation
    their title resolved to; a clinic manager keeps it."""
    keywords = {"concept:tjc": ("Joint Commission accreditation", ["medical and health services -veterinary"])}
    onet = "Medical and Health Services Managers"
    assert "concept:tjc" in _own_title_weights(onet, keywords, "Clinic Practice Manager")
    assert "concept:tjc" not in _own_title_weights(onet, keywords, "Veterinary Practice Manager")


def test_later_parts_of_the_map_add_roles_and_exclusions_to_earlier_concepts() -> None:
    from careeros.graph.tech_labels import with_added_roles


    base = [{"label": "Appraisal review", "roles": ["appraiser", "medical and health services"]}]
    got = with_added_roles(base, [{"label": "appraisal REVIEW", "roles": ["mortgage underwriter", "appraiser"],
                                   "exclude": {"medical and health services": ["veterinary", "animal"]}}])
    assert got[0]["roles"] == ["appraiser", "medical and health services -veterinary -animal", "mortgage underwriter"]
    assert base[0]["roles"] == ["appraiser", "medical and health services"]  # the loaded table is not mutated
    with pytest.raises(ValueError, match="no concept"):
        with_added_roles(base, [{"label": "Apraisal review", "roles": ["x"]}])
    with pytest.raises(ValueError, match="no role keyword"):
        with_added_roles(base, [{"label": "Appraisal review", "exclude": {"underwriter": ["x"]}}])
    # a keyword can be untied altogether (an exclusion of the keyword itself would tie nothing and read as a typo)
    got = with_added_roles(base, [{"label": "Appraisal review", "drop": ["Medical and Health Services"]}])
    assert got[0]["roles"] == ["appraiser"]
    with pytest.raises(ValueError, match="no role keyword"):
        with_added_roles(base, [{"label": "Appraisal review", "drop": ["underwriter"]}])


def test_a_gap_another_gap_names_whole_gives_way() -> None:
    """One gap told twice holds one slot: a tool after a gap whose label lists it ("SQL Server" after "PostgreSQL (or
    MySQL, SQL Server)", "Amazon Web Services" after "Cloud computing (Amazon Web Services, ...)") gives way, but a
    broader gap after a tool it names stays; a bare "Business Intelligence" hands its place to "Business intelligence
    (Tableau, ...)"; a name inside a longer example ("contract negotiation") is another thing; a child its larger
    parent shrank already is not shrunk twice."""
    from careeros.planner.gaps import CHILD_OF_GAP_FACTOR, fold_named_gaps

    def gap(label: str, size: float, sid: str | None = None) -> dict[str, object]:
        return {"skill_id": sid or label, "label": label, "size": size, "market_value": 0.0}

    gaps = [gap("Amazon Web Services", 1.0), gap("Negotiation", 0.9), gap("Business Intelligence", 0.8),
            gap("Contract administration (change orders, contract negotiation)", 0.7),
            gap("Business intelligence (Tableau, Power BI)", 0.5),
            gap("Cloud computing (Amazon Web Services, Microsoft Azure)", 0.3),
            gap("PostgreSQL (or MySQL, SQL Server)", 0.28), gap("SQL Server", 0.25)]
    size = {str(g["label"]): float(g["size"]) for g in fold_named_gaps(gaps)}
    assert size == {"Amazon Web Services": 1.0, "Negotiation": 0.9, "Business intelligence (Tableau, Power BI)": 0.8,
                    "Business Intelligence": round(0.8 * CHILD_OF_GAP_FACTOR, 4),
                    "Contract administration (change orders, contract negotiation)": 0.7,
                    "Cloud computing (Amazon Web Services, Microsoft Azure)": 0.3,
                    "PostgreSQL (or MySQL, SQL Server)": 0.28, "SQL Server": round(0.25 * CHILD_OF_GAP_FACTOR, 4)}
    out = fold_named_gaps(gaps)
    assert [float(g["size"]) for g in out] == sorted((float(g["size"]) for g in out), reverse=True)
    out = fold_named_gaps([gap("Cloud computing (Amazon Web Services)", 1.0), gap("Amazon Web Services", 0.9)])
    assert [float(g["size"]) for g in out] == [1.0, round(0.9 * CHILD_OF_GAP_FACTOR, 4)]
    # a product shown after its maker's name ("SAP Concur") is the product the smaller gap names
    out = fold_named_gaps([gap("Expense reporting (SAP Concur, Expensify)", 0.6), gap("Concur", 0.5),
                           gap("Payroll (ADP)", 0.45)])
    assert [float(g["size"]) for g in out] == [0.6, 0.45, round(0.5 * CHILD_OF_GAP_FACTOR, 4)]
    # two credentials that give themselves one code are one credential; an issuer's other credential is not
    out = fold_named_gaps([gap("Social work licensure (LCSW) (LMSW, ASWB exam)", 0.9), gap("Discharge planning", 0.8),
                           gap("Clinical licensure (LCSW, LPC) (independent clinical licensure)", 0.7),
                           gap("Case management certification (CCM) (CMSA)", 0.6)])
    assert [float(g["size"]) for g in out] == [0.9, 0.8, 0.6, round(0.7 * CHILD_OF_GAP_FACTOR, 4)]
    # a bare label that is the name another gives itself ("LIS") hands its place to the label that shows more
    out = fold_named_gaps([gap("LIS", 1.0), gap("HL7", 0.9),
                           gap("Clinical laboratory information systems (LIS) (Epic Beaker, Instrument Manager)", 0.3)])
    assert [(str(g["label"])[:10], float(g["size"])) for g in out] == [
        ("Clinical l", 1.0), ("HL7", 0.9), ("LIS", round(1.0 * CHILD_OF_GAP_FACTOR, 4))]
    # a name that opens a longer one is that one told twice, whichever ranks first; a credential named after a
    # skill is not the skill
    out = fold_named_gaps([gap("SQL querying (PostgreSQL, writing SQL)", 1.0), gap("Excel", 0.9), gap("SQL", 0.5),
                           gap("Spark", 0.45), gap("Spark data processing (PySpark)", 0.4),
                           gap("Google Analytics certification (GAIQ)", 0.35), gap("Google Analytics", 0.3)])
    assert [(str(g["label"]).split(" (")[0], float(g["size"])) for g in out] == [
        ("SQL querying", 1.0), ("Excel", 0.9), ("Spark data processing", 0.45),
        ("Google Analytics certification", 0.35), ("Google Analytics", 0.3),
        ("SQL", round(0.5 * CHILD_OF_GAP_FACTOR, 4)), ("Spark", round(0.45 * CHILD_OF_GAP_FACTOR, 4))]
    parents = {"aws": {"cloud": 0.8}}
    out = fold_named_gaps([gap("Cloud computing (Amazon Web Services)", 1.0, "cloud"),
                           gap("Amazon Web Services", 0.6, "aws")], parents)
    assert [float(g["size"]) for g in out] == [1.0, 0.6]


def test_an_occupations_market_counts_less_for_a_title_none_of_its_postings_has() -> None:
    """A "Salesforce Developer" filed under Web Developers: none of the occupation's postings is titled with what
    sets the title apart, so the market keeps OFF_TITLE_MARKET of its say and O*NET the rest; a "Web Developer" (no
    word sets it apart) and a title the postings share take the market in full."""
    from careeros.planner.requirements import OFF_TITLE_MARKET, distinguishing_words, market_relevance

    postings = ["Senior Frontend Engineer", "Full Stack Developer (React)", "Web Developer", "Backend Engineer (Go)",
                "Salesforce Developer", *(f"Software Engineer {i}" for i in range(45))]
    assert distinguishing_words("Senior Salesforce Developer", "Web Developers") == ["salesforce"]
    assert distinguishing_words("Web Developer", "Web Developers") == []
    assert market_relevance("Web Developer", "Web Developers", postings) == 1.0
    assert market_relevance("Salesforce Developer", "Web Developers", postings) == pytest.approx(1 / 50 / 0.2)
    assert market_relevance("Salesforce Developer", "Web Developers", postings[:4]) == 0.0
    assert market_relevance("Frontend Developer", "Web Developers", postings[:4]) == 1.0
    assert market_relevance("Salesforce Developer", "Web Developers", []) == 1.0
    inp = _inputs(500, 0.4, onet_weight=0.2)
    full = score_requirements(inp, _no_extract).requirements[0].weight
    inp.market_relevance = 0.0
    off = score_requirements(inp, _no_extract).requirements[0].weight
    onet = score_requirements(_inputs(0, 0.0, onet_weight=0.2), _no_extract).requirements[0].weight
    assert onet < off < full
    lam = 500 / (500 + SHRINK_K) * OFF_TITLE_MARKET
    assert off == pytest.approx(lam * 1.0 + (1 - lam) * onet, abs=1e-3)


def test_one_employers_postings_of_one_title_count_once(built_home: Path) -> None:
    """A job posted three times by one employer (three cities, or a re-post) is one job: twelve "Program Manager"
    postings, three of them one company's copies naming WebAssembly, are ten jobs, and WebAssembly is in one of them
    (10%), not in three of twelve (25%). Postings without an employer each count."""
    import duckdb

    from careeros.planner.requirements import MIN_POSTING_TEXT, role_inputs

    con = duckdb.connect()
    con.execute(f"ATTACH '{built_home / 'warehouse.duckdb'}' AS w (READ_ONLY)")
    con.execute("SET search_path = 'memory.main,w.main'")
    con.execute("CREATE TABLE posting (posting_id VARCHAR, raw_sha256 VARCHAR, is_current BOOLEAN, company VARCHAR, "
                "title VARCHAR, text VARCHAR, soc_code VARCHAR)")
    con.execute("CREATE TABLE posting_skill (posting_id VARCHAR, raw_sha256 VARCHAR, skill_id VARCHAR, label VARCHAR, "
                "kind VARCHAR)")
    text = "x" * MIN_POSTING_TEXT
    rows = [(f"wasm{i}", "Category Labs", "Program Manager") for i in range(3)]
    rows += [(f"p{i}", f"Employer {i}", "Program Manager") for i in range(7)]
    rows += [(f"anon{i}", None, "Senior Program Manager") for i in range(2)]
    for pid, company, title in rows:
        con.execute("INSERT INTO posting VALUES (?, 'h', true, ?, ?, ?, '11-9199.00')", [pid, company, title, text])
        if pid.startswith("wasm"):
            con.execute("INSERT INTO posting_skill VALUES (?, 'h', 'tech:webassembly', 'WebAssembly', 'technology')",
                        [pid])
    inp = role_inputs(con, "11-9199.00", "Program Manager")
    assert inp.market_from == "title" and inp.postings == 10
    ps = inp.posting_skills
    assert ps.filter(ps["skill_id"] == "tech:webassembly")["posting_id"].n_unique() == 1


def test_every_mention_of_a_credential_is_read(reference: object) -> None:
    """"CPhT" after the person's name is one word of a heading; "PTCB Certified Pharmacy Technician" under
    certifications names the credential itself (the issuer's short name beside every word of the label), so the
    credential counts in full whichever mention the extractor met first."""
    from careeros.graph.ids import concept_id
    from careeros.planner.intelligence import RESUME_NAMED, named_skills, one_credential_of_several

    text = "# Brandon Reyes, CPhT\n\n## Certifications\nPTCB Certified Pharmacy Technician (CPhT)\n"
    assert named_skills(text, reference)[concept_id("Pharmacy technician certification")][0] == RESUME_NAMED
    assert not one_credential_of_several("Pharmacy technician certification", "PTCB",
                                         "PTCB Certified Pharmacy Technician")
    assert one_credential_of_several("Pharmacy technician certification", "PTCB")  # no context: as before
    # a group stays a group: "Basic Life Support" names BLS, not the life support certifications group
    assert one_credential_of_several("Life support certifications", "BLS", "Basic Life Support (BLS)")
    assert one_credential_of_several("PMP certification", "CAPM", "Certified Associate in Project Management (CAPM)")


def test_an_example_that_is_the_labels_name_under_an_issuer_is_not_shown() -> None:
    """"CSPT certification (PTCB CSPT, ...)": "PTCB CSPT" says nothing the label does not, and reads to a PTCB-certified
    technician as if PTCB were the gap; "ServiceNow CSA" and "EPA 608 Universal" name something more and stay."""
    from careeros.planner.gaps import issuer_and_own_name, without_known_examples

    assert issuer_and_own_name("PTCB CSPT", "CSPT certification")
    assert not issuer_and_own_name("ServiceNow CSA", "ServiceNow certifications")
    assert not issuer_and_own_name("EPA 608 Universal", "EPA 608 refrigerant certification")
    assert not issuer_and_own_name("CSPT", "CSPT certification")
    assert (without_known_examples("CSPT certification (PTCB CSPT, sterile compounding exam)", {"phlebotomy"})
            == "CSPT certification (sterile compounding exam)")


def test_under_a_specialty_title_what_the_occupations_title_names_is_not_the_role_itself() -> None:
    """A "Media Planner" filed under Public Relations Specialists: once the map names the planner's own concepts,
    public relations (named by the occupation's title) counts at SPECIALTY_FACTOR, below them; a "Public Relations
    Specialist", whose own title names it, keeps it in full."""
    from careeros.planner.requirements import CURATED_OWN_TITLE_WEIGHT, SPECIALTY_FACTOR, SPECIALTY_MIN_OWN

    def extract(texts: list[str]) -> list[list[tuple[str, str, str]]]:
        return [[("concept:pr", "Public relations", "concept")] if "public relations" in t.lower() else []
                for t in texts]

    keywords = {f"concept:m{i}": (f"Media {i}", ["media planner"]) for i in range(SPECIALTY_MIN_OWN)}

    def weights(own: str) -> dict[str, float]:
        inp = _inputs(0, 0.0)
        inp.title = "Public Relations Specialists"
        inp.titles = [inp.title]
        return {q.skill_id: q.weight for q in score_requirements(inp, extract, role_keywords=keywords,
                                                                 own_title=own).requirements}

    planner, pr = weights("Media Planner"), weights("Public Relations Specialist")
    assert planner["concept:pr"] == pytest.approx(SPECIALTY_FACTOR)
    assert planner["concept:m0"] == pytest.approx(CURATED_OWN_TITLE_WEIGHT)
    assert planner["concept:m0"] > planner["concept:pr"]
    assert pr["concept:pr"] == pytest.approx(1.0)


def test_a_title_that_names_whom_the_role_serves_asks_what_the_role_does() -> None:
    """"Executive Assistant to the CEO" ties the skill map's executive-assistant items, not the chief executive's
    (P&L management, capital budgeting); "Return to Work Coordinator" is read whole."""
    from careeros.planner.requirements import concept_views, role_of
    from careeros.planner.target_votes import tied_concepts

    assert role_of("Executive Assistant to the CEO") == "Executive Assistant"
    assert role_of("Special Assistant to the President") == "Special Assistant"
    assert role_of("Return to Work Coordinator") == "Return to Work Coordinator"
    keywords = concept_views()[0]
    whole = {keywords[s][0] for s in tied_concepts("Executive Assistant to the CEO", keywords)}
    role = {keywords[s][0] for s in tied_concepts(role_of("Executive Assistant to the CEO"), keywords)}
    assert "P&L management" in whole - role and "Calendar and travel management" in role


@pytest.mark.parametrize("text,phrase", [
    ("- Manage a $4.1M site budget including $310K in Title I funds", "Manage a $4.1M site budget"),
    ("- Owned the $250K annual events budget.", "Owned the $250K annual events budget"),
    ("- Oversee an operating budget of $2M.", "Oversee an operating budget of $2"),
    # no amount, or no budget held: nothing
    ("- Delivered every project within budget.", None),
    ("- Prepared monthly budget reports.", None),
    ("- Managed $3M in inventory.", None),
])
def test_holding_a_budget_is_read_from_a_resume_line(text: str, phrase: str | None) -> None:
    from careeros.evidence.resume_facts import manages_budget

    assert manages_budget(text) == phrase


def test_a_resume_that_holds_a_budget_holds_budget_management(built_home: Path, reference: object) -> None:
    """Over the real warehouse: a buyer aiming at purchasing manager has budget management as a gap unless the
    resume says she holds a budget with its amount."""
    body = "# T O\n## Experience\n**Buyer**, Lakefront Foods — 2019–present\n- Source packaging from 40 suppliers.\n"

    def budget_gap(text: str) -> bool:
        return any(lab.startswith("Budget management") for lab in _gap_labels(
            built_home, reference, "Purchasing Manager", "11-3061.00", "Purchasing Managers", text))

    assert budget_gap(body)
    assert not budget_gap(body + "- Manage a $12M annual packaging budget.\n")


@pytest.mark.parametrize("title,thing", [
    ("Product Manager", True), ("Senior Account Manager", True), ("Case Manager", True), ("Brand Manager", True),
    ("Marketing Manager", False), ("Purchasing Manager", False), ("HR Manager", False), ("Director of Nursing", False),
])
def test_a_manager_of_a_thing_is_told_from_a_manager_of_people(title: str, thing: bool) -> None:
    from careeros.planner.requirements import manages_a_thing

    assert manages_a_thing(title) is thing


def test_a_management_occupation_asks_for_people_and_budget_management(built_home: Path, reference: object) -> None:
    """Over the real warehouse: O*NET rates managing people and money high for Purchasing Managers, so both are
    requirements of a "Purchasing Manager" (with that reason) whatever the skill map lists; a "Product Manager", filed
    under Marketing Managers, manages a product, and gets neither from the ratings."""
    from careeros.planner.requirements import concept_views, extractor_fn, role_inputs, score_requirements
    from careeros.warehouse.db import connect

    keywords, examples = concept_views()
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        def reasons(soc: str, title: str) -> dict[str, list[str]]:
            prof = score_requirements(role_inputs(con, soc, title), extractor_fn(reference), (), keywords,
                                      title, examples)
            return {q.skill_id: q.reasons for q in prof.requirements}

        buyer = reasons("11-3061.00", "Purchasing Manager")
        product = reasons("11-2021.00", "Product Manager")
    for cid in ("concept:people-management", "concept:budget-management"):
        assert any(r.startswith("O*NET rates Management of") for r in buyer[cid]), buyer.get(cid)
        assert not any(r.startswith("O*NET rates Management of") for r in product.get(cid, []))


def test_a_move_to_a_desk_makes_the_spreadsheet_a_first_gap(built_home: Path, reference: object) -> None:
    """Over the real warehouse: a head custodian (Janitors and Cleaners) whose resume names no office software, aiming
    at facilities coordinator (O*NET rates Computers and Electronics far higher there), has the spreadsheet lifted to
    a core requirement; not when the resume names Excel, nor for a move between two desk roles."""
    from careeros.planner.intelligence import desk_ratings, lift_spreadsheets_for_desk_move
    from careeros.planner.requirements import concept_views, extractor_fn, role_inputs, score_requirements
    from careeros.warehouse.db import connect

    keywords, examples = concept_views()
    body = ("# T O\n## Experience\n**Head Custodian**, Maple Grove Schools — 2016–present\n"
            "- Supervise 6 custodians across two buildings; floor care, boiler checks and setups for 30 events a year.\n")
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        def lifted(text: str, current: str) -> list[str]:
            prof = score_requirements(role_inputs(con, "11-3013.00", "Facilities Coordinator"), extractor_fn(reference),
                                      (), keywords, "Facilities Coordinator", examples)
            got = lift_spreadsheets_for_desk_move([prof], text, current, desk_ratings(con, [current, "11-3013.00"]))
            if got:
                sheet = next(q for q in prof.requirements if "tech:microsoft-excel" in q.members)
                assert sheet.core and sheet.weight >= 0.7 and "office software" in sheet.reasons[-1]
            return got

        assert lifted(body, "37-2011.00") == ["Facilities Managers"]
        assert lifted(body + "## Skills\nExcel, floor care\n", "37-2011.00") == []
        assert lifted(body, "13-1051.00") == []  # cost estimators work at a computer as much
        # an electrician becoming a fire alarm technician works with electronics, not at a desk
        prof = score_requirements(role_inputs(con, "49-2098.00", "Fire Alarm Technician"), extractor_fn(reference), (),
                                  keywords, "Fire Alarm Technician", examples)
        assert lift_spreadsheets_for_desk_move([prof], body, "47-2111.00",
                                               desk_ratings(con, ["47-2111.00", "49-2098.00"])) == []
        # a home health aide becoming a medical assistant is asked for the health record, not a spreadsheet
        prof = score_requirements(role_inputs(con, "31-9092.00", "Medical Assistant"), extractor_fn(reference), (),
                                  keywords, "Medical Assistant", examples)
        assert lift_spreadsheets_for_desk_move([prof], body, "31-1122.00",
                                               desk_ratings(con, ["31-1122.00", "31-9092.00"])) == []


def test_a_job_title_that_names_a_credential_holds_it(built_home: Path, reference: object) -> None:
    """Over the real warehouse: a resume whose job title is "Journeyman Electrician" holds the journeyman licence;
    an apprentice's does not, and an employer or plain job title names no credential."""
    from careeros.planner.intelligence import named_skills
    from careeros.planner.requirements import concept_views

    keywords, _ = concept_views()
    lic = {sid for sid, (label, _kw) in keywords.items() if label.lower().startswith("journeyman electrician")}
    assert lic, "the skill map names the journeyman electrician licence"
    held = named_skills("# T O\n## Experience\n**Journeyman Electrician**, Volt Bros — 2018–present\n- Wire homes.\n",
                        reference)
    apprentice = named_skills("# T O\n## Experience\n**Electrician Apprentice**, Volt Bros — 2018–present\n"
                              "- Wire homes.\n", reference)
    assert lic & set(held) and not lic & set(apprentice)


@pytest.mark.parametrize("title,tool", [("SQL Developer", None), ("Power BI Developer", "Power BI"),
                                        ("Salesforce Developer", "Salesforce")])
def test_a_tool_the_title_names_is_a_requirement_of_its_own_unless_it_is_the_role(
        built_home: Path, reference: object, title: str, tool: str | None) -> None:
    """Over the real warehouse: "Power BI Developer" asks for Power BI itself; "SQL Developer" is a role, though
    Oracle names a tool so, and asks for no tool called "SQL Developer"."""
    from careeros.planner.requirements import concept_views, extractor_fn, role_inputs, score_requirements
    from careeros.warehouse.db import connect

    keywords, examples = concept_views()
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        prof = score_requirements(role_inputs(con, "15-1252.00", title), extractor_fn(reference), (), keywords, title,
                                  examples)
    own = [q.label for q in prof.requirements if q.key.startswith("own:")]
    assert own == ([tool] if tool else [])


def test_a_field_concept_of_the_persons_own_occupation_is_shown_by_its_unqualified_name() -> None:
    """An HVAC technician who lists "brazing" and "electrical troubleshooting" has the occupation's "Torch and induction
    brazing" and "HVAC electrical troubleshooting"; only concepts the occupation prior credits qualify, a single word
    only as a whole list item and never a general one ("leadership" is no "Nursing leadership")."""
    from careeros.planner.intelligence import field_heads, field_named_concepts
    from careeros.planner.person import PersonSkills, SkillSource

    assert ("brazing", False) in field_heads("Torch and induction brazing")
    assert ("electrical troubleshooting", True) in field_heads("HVAC electrical troubleshooting (DDC)")
    assert ("social determinants of health", True) in field_heads("Social determinants of health screening")
    assert not any(h == "torch and induction" for h, _ in field_heads("Torch and induction brazing"))
    assert field_heads("Nursing leadership") == []
    occ = "core of your current occupation (Heating, Air Conditioning, and Refrigeration Mechanics and Installers)"
    person = PersonSkills(skills={
        "concept:brazing": SkillSource(strength=0.32, source=occ),
        "concept:hvac-electrical": SkillSource(strength=0.36, source=occ),
        "concept:nursing-leadership": SkillSource(strength=0.4, source=occ),
        "concept:induction": SkillSource(strength=0.4, source="implied by something"),
    })
    names = {"concept:brazing": "Torch and induction brazing", "concept:hvac-electrical": "HVAC electrical troubleshooting",
             "concept:nursing-leadership": "Nursing leadership", "concept:induction": "Induction brazing"}
    resume = ("Clean brazing and solid electrical troubleshooting.\n## Skills\nHeat pumps, brazing, leadership, "
              "electrical troubleshooting\n")
    got = dict(field_named_concepts(person, names, resume))
    assert got == {"concept:brazing": "brazing", "concept:hvac-electrical": "electrical troubleshooting"}
    # "brazing" said only inside a sentence is no list item: the one-word name does not count there
    assert "concept:brazing" not in dict(field_named_concepts(person, names, "I did some brazing on line sets.\n"))


def test_a_target_of_the_persons_own_occupation_withdraws_the_prior_from_its_specialty_items() -> None:
    """A talent acquisition specialist becoming an HR generalist (both Human Resources Specialists) has not run leave
    administration: what "HR Generalist" ties and "Talent Acquisition Specialist" does not loses the occupation prior;
    what the resume shows stays, and a target of another occupation changes nothing."""
    from careeros.planner.intelligence import untie_other_specialty
    from careeros.planner.person import PersonSkills, SkillSource
    from careeros.planner.requirements import RequirementProfile

    occ = "core of your current occupation (Human Resources Specialists)"
    keywords = {"concept:leave": ("Leave of absence administration", ["HR generalist"]),
                "concept:recruiting": ("Recruiting", ["talent acquisition", "HR generalist"]),
                "concept:hris": ("HR information systems", ["HR generalist"])}

    def person() -> PersonSkills:
        return PersonSkills(skills={
            "concept:leave": SkillSource(strength=0.29, source=occ),
            "concept:recruiting": SkillSource(strength=0.42, source=occ),
            "concept:hris": SkillSource(strength=0.9, source="named in your resume")},
            occupation_core={"concept:leave": (0.7, 0.48)})

    same = RequirementProfile(soc_code="13-1071.00", requirements=[])
    p = person()
    assert untie_other_specialty(p, [same], ["HR Generalist"], "13-1071.00", "Talent Acquisition Specialist",
                                 keywords) == ["concept:leave"]
    assert "concept:leave" not in p.skills and "concept:leave" not in p.occupation_core
    assert p.strength("concept:recruiting") == 0.42 and p.strength("concept:hris") == 0.9
    other = RequirementProfile(soc_code="11-3121.00", requirements=[])
    p = person()
    assert untie_other_specialty(p, [other], ["HR Generalist"], "13-1071.00", "Talent Acquisition Specialist",
                                 keywords) == []


def test_a_job_only_a_licence_holder_may_do_shows_the_licence() -> None:
    """A "Registered Nurse, Medical-Surgical" holds an RN licence even when the resume lists none (a PACU nurse's plan
    had "NCLEX-RN license" second); a graduate or student nurse does not yet."""
    from careeros.evidence.resume_facts import title_licences

    assert title_licences(["Registered Nurse, Medical-Surgical", "Charge Nurse"]) == ["NCLEX-RN license"]
    assert title_licences(["Licensed Practical Nurse"]) == ["NCLEX-PN license"]
    assert title_licences(["Graduate Registered Nurse", "Student Nurse Extern", "Nurse Recruiter"]) == []


@pytest.mark.parametrize(("text", "aimed"), [
    ("Looking to work year-round in tax resolution.", True),
    ("Seeking a role in revenue cycle management.", True),
    ("Eager to grow into lifecycle marketing.", True),
    ("Resolved 40 tax resolution cases a year.", False),
    ("Seeking subrogation recovery from carriers.", False),
    ("Looking to move my routing and security background into cloud networking.", True),
    ("Moved 40 branch routers into cloud networking in 2023.", False),
])
def test_a_skill_the_summary_only_aims_at_is_not_shown(text: str, aimed: bool) -> None:
    """A summary's "Looking to work year-round in tax resolution" is where the person wants to go, not what they did:
    read as aimed at (learning strength), like "moving into machine learning"."""
    from careeros.evidence.linking import learning_context

    skill = next(s for s in ("tax resolution", "revenue cycle management", "lifecycle marketing", "subrogation",
                             "cloud networking")
                 if s in text)
    at = text.index(skill)
    assert learning_context(text, at, at + len(skill)) is aimed


def test_a_hyphenated_wording_names_the_spaced_alias(reference: object) -> None:
    """A resume writes "new-hire paperwork" and "root-cause analysis" where the skill map holds "new hire paperwork"
    and "root cause analysis": a hyphen between two words reads as a space (positions in the text unchanged)."""
    text = "Processed new-hire paperwork for 40 hires; led root-cause analysis on scrap."
    got = {m.label: text[m.start:m.end] for m in reference.extract_all(text)}  # type: ignore[attr-defined]
    assert any(lab.startswith("HRIS transaction processing") for lab in got)
    assert got.get("Root cause analysis") == "root-cause analysis"


def test_a_cased_hyphenated_name_is_still_read_as_written(reference: object) -> None:
    """Reading hyphens as spaces must not lose a cased name written with its hyphen: "ICD-10" in a biller's resume is
    ICD-10 coding (the hyphen rule first made it fail the as-written check and the biller had ICD-10 as a gap)."""
    text = "Check CPT, ICD-10 and modifier pairing before submission."
    got = {m.label: text[m.start:m.end] for m in reference.extract_all(text)}  # type: ignore[attr-defined]
    assert got.get("ICD-10 coding") == "ICD-10"
