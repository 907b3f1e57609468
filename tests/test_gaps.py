"""Gap analysis on hand-computed tiny frames (pure), plus the warehouse-backed helpers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from careeros.planner.gaps import compute_gaps, evidence_frame

REQ = pl.DataFrame({
    "skill_id": ["tech:python", "tech:sql", "onet:2.A.2.a", "tech:go"],
    "label": ["Python", "SQL", "Critical Thinking", "Go"],
    "kind": ["technology", "technology", "skill", "technology"],
    "weight": [1.0, 0.8, 0.5, 0.4],
})
AS_OF = date(2026, 1, 1)


def test_hand_computed_neutral_market_value() -> None:
    ev = pl.DataFrame({"skill_id": ["tech:python", "tech:sql"], "confidence": [1.0, 0.5],
                       "last_seen": [date(2026, 1, 1), date(2025, 1, 1)]})
    rep = compute_gaps("15-1252.00", REQ, ev, as_of=AS_OF)
    by = {g.skill_id: g for g in rep.gaps}
    assert "tech:python" not in by  # fully evidenced today
    # SQL: required 0.8*0.5=0.4; evidenced 0.5 * 0.5**(365/365) = 0.25 -> size 0.3, stale? age 365 = half-life
    assert by["tech:sql"].required == pytest.approx(0.4)
    assert by["tech:sql"].evidenced == pytest.approx(0.25)
    assert by["tech:sql"].size == pytest.approx(0.3)
    assert by["tech:sql"].status == "weak"
    # Critical Thinking is foundational (learnability 0.15): 0.5 * 0.5 * 0.15
    assert by["onet:2.A.2.a"].size == pytest.approx(0.0375) and by["onet:2.A.2.a"].status == "missing"
    assert by["tech:go"].size == pytest.approx(0.2)
    assert [g.skill_id for g in rep.gaps] == ["tech:sql", "tech:go", "onet:2.A.2.a"]
    total = 0.5 + 0.4 + 0.0375 + 0.2
    assert rep.coverage == pytest.approx((0.5 + 0.4 * 0.25) / total, abs=1e-4)
    assert rep.market_value_source == "neutral"


def test_market_value_and_stale() -> None:
    mv = pl.DataFrame({"skill_id": ["tech:go", "tech:python"], "soc_code": ["15-1252.00", "15-1252.00"],
                       "market_value": [1.0, 0.2]})
    ev = pl.DataFrame({"skill_id": ["tech:go"], "confidence": [1.0], "last_seen": [date(2023, 1, 1)]})
    rep = compute_gaps("15-1252.00", REQ, ev, market_value=mv, as_of=AS_OF)
    by = {g.skill_id: g for g in rep.gaps}
    assert rep.market_value_source == "market_value"
    assert by["tech:go"].market_value == 1.0 and by["tech:go"].status == "stale"
    assert by["tech:python"].required == pytest.approx(0.2)
    assert by["tech:sql"].market_value == 0.5  # missing value -> neutral


def test_plain_list_with_labels() -> None:
    ev = evidence_frame(["Python", "onet:2.A.2.a"], {"python": "tech:python"})
    assert ev["skill_id"].to_list() == ["tech:python", "onet:2.A.2.a"]
    rep = compute_gaps("x", REQ, ["Python", "SQL"], labels={"python": "tech:python", "sql": "tech:sql"})
    assert {g.skill_id for g in rep.gaps} == {"onet:2.A.2.a", "tech:go"}


def test_empty_evidence() -> None:
    rep = compute_gaps("x", REQ, [])
    assert len(rep.gaps) == 4 and rep.coverage == 0.0


def test_a_gap_label_drops_the_examples_the_person_already_shows() -> None:
    from careeros.planner.gaps import without_known_examples as w

    assert w("Dental office operations (Dentrix, Eaglesoft)", {"henry schein dentrix"}) == \
        "Dental office operations (Eaglesoft)"
    assert w("Dental office operations (Dentrix)", {"dentrix"}) == "Dental office operations"
    assert w("Health data standards (HL7, FHIR)", {"python"}) == "Health data standards (HL7, FHIR)"
    assert w("React (or Node.js)", {"react"}) == "React (or Node.js)"  # a tool family names alternatives
    assert w("Statistics (R)", {"rust"}) == "Statistics (R)"  # short names only match whole labels
    # an example naming a tool the person uses, or two words of what the person shows, is no gap of theirs
    assert w("EHR configuration (Epic build, order set build)", {"epic"}, {"epic"}) == \
        "EHR configuration (order set build)"
    assert w("Case manager credential (CCM, nursing case management certification)",
             {"apply case management", "social work"}) == "Case manager credential (CCM)"
    assert w("EHR configuration (Epic build)", {"epic"}) == "EHR configuration (Epic build)"  # a skill, not a tool
    assert w("Prospecting (LinkedIn Sales Navigator)", {"linkedin"}, {"linkedin"}) == \
        "Prospecting (LinkedIn Sales Navigator)"  # another product of the vendor
    # an example naming two things the person names, or a credential written out ("OSHA 10-hour" for OSHA 10)
    resume = {"used calipers, micrometers and height gauges daily; certifications: osha 10 construction"}
    assert w("Metrology (gauge R&R, calipers and micrometers)", resume) == "Metrology (gauge R&R)"
    assert w("Safety certifications (OSHA 30, OSHA 10-hour, CSP)", resume) == "Safety certifications (OSHA 30, CSP)"
    assert w("Networking (LAN/WAN, VLANs)", {"set up the office lan"}) == "Networking (LAN/WAN, VLANs)"  # only half
    # a credential code under its issuer's name, for someone who names the code bare; a bare word is no code
    certs = {"certifications: security+, a+ (comptia)"}
    assert w("Security certifications (CompTIA Security+, CISSP)", certs) == "Security certifications (CISSP)"
    assert w("IT support certifications (A+ certification, HDI)", certs) == "IT support certifications (HDI)"
    assert w("Cloud computing (AWS Lambda, Azure Functions)", {"used aws daily"}) == \
        "Cloud computing (AWS Lambda, Azure Functions)"


def test_a_sentence_names_a_gap_with_two_of_its_examples() -> None:
    from careeros.metrics.learning import task_subject
    from careeros.planner.gaps import brief_label

    long = "Contract administration (change orders, contract compliance, contract negotiation, contracts management)"
    assert brief_label(long) == "Contract administration (change orders, contract compliance)"
    assert brief_label("Statistics (R)") == "Statistics (R)" and brief_label("SQL") == "SQL"
    assert brief_label("React (or Node.js, Vue, Angular)") == "React (or Node.js, Vue, Angular)"
    # a course named after the skill closes its learn task whatever examples the task's title shows
    assert task_subject(f"Learn {long}") == "Contract administration"
    assert task_subject("Deepen React (or Vue)") == "React (or Vue)"


def test_a_gap_label_drops_examples_the_persons_own_resume_names() -> None:
    from careeros.graph.hierarchy import SkillHierarchy
    from careeros.planner.gaps import requirement_gaps
    from careeros.planner.person import person_skills
    from careeros.planner.requirements import Requirement, RequirementProfile

    req = Requirement(key="c", skill_id="concept:court-clerk-procedures",
                      label="Court clerk procedures (court records, docketing)",
                      kind="concept", members={"concept:court-clerk-procedures": 1.0}, weight=0.7, onet=0.7, core=True)
    person = person_skills(pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                                "last_seen": pl.Date, "source_type": pl.String}), SkillHierarchy())
    prof = RequirementProfile(soc_code="23-2011.00", requirements=[req])
    assert requirement_gaps(prof, person, "Paralegal").gaps[0].label == req.label
    got = requirement_gaps(prof, person, "Paralegal", own_words="Skills: calendaring,\nDocketing, e-filing")
    assert got.gaps[0].label == "Court clerk procedures (court records)"
    # a tool the person names under its vendor's name: "advanced Excel" is no new tool for a Microsoft Excel user
    def one_gap(sid: str, label: str, has: str, has_name: str) -> str:
        """The label of one core requirement's gap for a person whose resume names only ``has``."""
        req = Requirement(key="r", skill_id=sid, kind="concept", weight=0.7, onet=0.7, core=True, label=label,
                          members={sid: 1.0})
        who = person_skills(pl.DataFrame({"skill_id": [has], "confidence": [0.9], "status": ["auto"],
                                          "last_seen": [None], "source_type": ["resume"]},
                                         schema_overrides={"last_seen": pl.Date}), SkillHierarchy())
        got = requirement_gaps(RequirementProfile(soc_code="00-0000.00", requirements=[req]), who, "Role",
                               names={has: has_name})
        return got.gaps[0].label

    assert one_gap("concept:spreadsheet-modeling", "Spreadsheet modeling (pivot tables, advanced Excel)",
                   "tech:microsoft-excel", "Microsoft Excel") == "Spreadsheet modeling (pivot tables)"
    # a one-word skill the person names outright reads like a tool in an example: "kinetic typography" is no
    # example of what a typographer lacks
    assert one_gap("concept:motion-graphics", "Motion graphics (After Effects, kinetic typography, lower thirds)",
                   "concept:typography", "Typography") == "Motion graphics (After Effects, lower thirds)"


def test_a_skill_two_target_roles_share_is_one_gap_whatever_examples_each_role_names() -> None:
    """Two target roles each miss "Applied behavior analysis", labelled with the examples each role's postings
    name: the combined list holds it once (both roles under ``roles``), so it takes one of the top slots, not two."""
    from careeros.planner.gaps import SHARED_GAP_BONUS, RoleGap, RoleGapReport, ranked_gaps

    def gap(label: str, skill_id: str, size: float, soc: str) -> RoleGap:
        return RoleGap(skill_id=skill_id, label=label, kind="concept", required=size, weight=0.8, market_value=1.0,
                       evidenced=0.0, size=size, status="missing", reason="-", soc_code=soc, role_title=soc)

    a = RoleGapReport(soc_code="A", gaps=[gap("ABA (discrete trial training, VB-MAPP)", "concept:aba", 0.8, "A"),
                                          gap("Ethics", "concept:ethics", 0.5, "A")],
                      coverage=0.1, market_value_source="market_value")
    b = RoleGapReport(soc_code="B", gaps=[gap("ABA (VB-MAPP, skill acquisition)", "concept:aba", 0.6, "B"),
                                          gap("Ethics", "concept:ethics-b", 0.2, "B")],
                      coverage=0.1, market_value_source="market_value")
    out = ranked_gaps([a, b], [1.0, 1.0])
    assert [g["skill_id"] for g in out] == ["concept:aba", "concept:ethics"]
    assert out[0]["label"] == "ABA (discrete trial training, VB-MAPP)" and out[0]["roles"] == ["A", "B"]
    assert out[0]["size"] == pytest.approx(0.8 + SHARED_GAP_BONUS * 0.6)
    assert out[1]["roles"] == ["A", "B"]  # same label, other skill id: still one entry


def test_role_priorities_lift_key_requirements_and_weigh_down_off_role_ones() -> None:
    """Among requirements that share the skill map's weight, the occupation's key ones come first (the first most);
    one that belongs to another occupation falls; under a specialty title the lift is small."""
    from careeros.planner.requirements import (
        KEY_FLOOR,
        OFF_ROLE_FACTOR,
        Requirement,
        RolePriority,
        _apply_priorities,
    )

    def req(sid: str, w: float) -> Requirement:
        return Requirement(key=sid, skill_id=sid, label=sid, kind="concept", members={sid: 1.0}, weight=w, onet=w)

    pri = RolePriority(key=("concept:nclex", "concept:pharmacology", "tech:epic"),
                       off=frozenset({"tech:dentrix"}))
    reqs = [req("concept:hipaa", 0.7), req("concept:pharmacology", 0.7), req("concept:nclex", 0.7),
            req("tech:epic", 0.2), req("tech:dentrix", 0.4)]
    _apply_priorities(reqs, pri, specialty=False)
    w = {q.skill_id: q.weight for q in reqs}
    assert w["concept:nclex"] > w["concept:pharmacology"] > w["tech:epic"] > w["concept:hipaa"] == 0.7
    assert w["tech:epic"] > KEY_FLOOR and all(q.weight <= 1.0 for q in reqs)
    assert w["tech:dentrix"] == round(0.4 * OFF_ROLE_FACTOR, 4)
    assert any("hiring managers" in r for r in reqs[2].reasons)
    # a specialty title ("Mortgage Underwriter" among loan officers): the occupation's key list lifts only a little
    spec = [req("concept:nclex", 0.5)]
    _apply_priorities(spec, pri, specialty=True)
    assert 0.5 < spec[0].weight < KEY_FLOOR


def test_an_example_the_persons_own_words_name_close_together_is_shown() -> None:
    from careeros.planner.gaps import named_nearby, own_text_stems
    from careeros.planner.gaps import without_known_examples as w

    own = own_text_stems("- Mentoring: onboarded 5 engineers and coached 2 juniors.\n"
                         "- Took and defended 30 depositions, including corporate designees.")
    assert named_nearby("defending depositions", own) and named_nearby("mentoring engineers", own)
    assert not named_nearby("coaching staff", own)  # "staff" is nowhere
    assert not named_nearby("depositions", own)  # one word: only the exact name counts (see known)
    far = own_text_stems("mentoring was part of a long list of duties I had there before I met several engineers")
    assert not named_nearby("mentoring engineers", far)
    assert w("People management (staff supervision, mentoring engineers, coaching staff)", {"x"}, set(), own) == \
        "People management (staff supervision, coaching staff)"
    assert w("Trial advocacy (jury trials, defending depositions)", {"x"}, set(), own) == "Trial advocacy (jury trials)"
    # a short example naming a tool, or a skill of two words or more, the person shows reads as if that were the gap
    assert w("Bloomberg Terminal (BQL, Bloomberg Excel add-in)", {"excel"}, {"excel"}) == "Bloomberg Terminal (BQL)"
    assert w("Lab documentation (lab notebooks, chain of custody for samples)", {"chain of custody"}) == \
        "Lab documentation (lab notebooks)"
    assert w("Email marketing (Mailchimp, email campaigns)", {"marketing"}) == "Email marketing (Mailchimp, email campaigns)"
    # a tool's name followed by plain words is the tool at work ("SQL transformation layer" for a SQL user); followed
    # by a capitalised name, another product of the vendor
    assert w("Analytics engineering with dbt (dbt Core, SQL transformation layer)", {"sql"}, {"sql"}) == \
        "Analytics engineering with dbt (dbt Core)"
    assert w("Sales prospecting (LinkedIn Sales Navigator, cold calling)", {"linkedin"}, {"linkedin"}) == \
        "Sales prospecting (LinkedIn Sales Navigator, cold calling)"
    # a concept whose own name carries examples loses the shown ones there too
    assert w("Spark data processing (PySpark, Spark SQL) (Structured Streaming, PySpark programming)", {"sql"},
             {"sql"}) == "Spark data processing (PySpark) (Structured Streaming, PySpark programming)"


def test_a_partly_shown_skill_stays_most_of_a_gap() -> None:
    """A requirement the person shows at half strength (an implied tool, a passing mention) keeps more than half of
    its size: it still ranks above a missing requirement of a little more than half its weight, and below the same
    requirement missing outright. Coverage credits the evidence as it is."""
    from careeros.graph.hierarchy import SkillHierarchy
    from careeros.planner.gaps import requirement_gaps
    from careeros.planner.person import person_skills
    from careeros.planner.requirements import Requirement, RequirementProfile

    def req(sid: str, weight: float) -> Requirement:
        return Requirement(key=sid, skill_id=sid, label=sid.split(":")[1], kind="concept", members={sid: 1.0},
                           weight=weight, onet=weight, core=True)

    shown = person_skills(pl.DataFrame({"skill_id": ["concept:performance-management"], "confidence": [0.5],
                                        "status": ["auto"], "last_seen": [None], "source_type": ["resume"]},
                                       schema_overrides={"last_seen": pl.Date}), SkillHierarchy())
    half = shown.strength("concept:performance-management")
    assert 0.3 < half < 0.65  # partly shown, not covered
    prof = RequirementProfile(soc_code="11-3121.00", requirements=[
        req("concept:performance-management", 0.8), req("concept:hr-policy", 0.8 * (1 - half) + 0.02)])
    got = requirement_gaps(prof, shown, "HR Manager")
    by = {g.skill_id: g for g in got.gaps}
    weak, other = by["concept:performance-management"], by["concept:hr-policy"]
    assert weak.status == "weak" and other.status == "missing"
    assert weak.size > weak.required * (1 - half)
    assert weak.size < weak.required
    assert [g.skill_id for g in got.gaps][0] == "concept:performance-management"
    assert got.coverage == pytest.approx(0.8 * half / (0.8 + other.weight), abs=1e-3)


def test_an_example_naming_what_the_person_lists_is_no_example_of_what_they_lack() -> None:
    """A resume's skills line names things the extractor knows no skill for (typography, sell-through, ServSafe): a
    gap's example that is or holds one of them reads as if that were the gap, and goes; the gap itself stays. Two
    words in a row of the person's own text inside a longer example show it too ("wiring diagrams")."""
    from careeros.planner.gaps import listed_terms, own_text_stems, without_known_examples

    resume = ("## Experience\n- Graphic design for consumer brands, 6 years; led a rebrand for 18 SKUs.\n"
              "- 12-volt diagnostics with a multimeter and wiring diagrams.\n"
              "Skills: Photoshop, Illustrator, typography, layout, Sell-through, ServSafe, "
              "National Electrical Code (NEC), 2015\n")
    listed = listed_terms(resume)
    assert {"typography", "sell-through", "servsafe", "national electrical code", "nec"} <= listed
    assert "2015" not in listed  # no name
    assert not any(len(x.split()) > 4 for x in listed)  # a sentence with commas is no list
    stems = own_text_stems(resume)

    def drop(label: str) -> str:
        return without_known_examples(label, {"photoshop"}, frozenset(), stems, listed)

    assert drop("Motion graphics (After Effects, kinetic typography, lower thirds)") == \
        "Motion graphics (After Effects, lower thirds)"
    assert drop("Retail buying (sell-through analysis, open to buy)") == "Retail buying (open to buy)"
    assert drop("Responsible alcohol service (TIPS, ServSafe Alcohol)") == "Responsible alcohol service (TIPS)"
    assert drop("Electrical diagnostics (voltage drop testing, wiring diagram interpretation)") == \
        "Electrical diagnostics (voltage drop testing)"
    # two of the person's words in a row inside an example show it only when its other words add nothing: an
    # assembler who hands parts to the machine shop has no machine shop math
    shop = own_text_stems("- Inspect housings received from the machine shop\nSkills: assembly, torque wrenches")
    assert without_known_examples("Machine shop mathematics (machine shop math, shop trigonometry)",
                                  {"x y"}, frozenset(), shop, frozenset()) == \
        "Machine shop mathematics (machine shop math, shop trigonometry)"
    # what the person does not list stays, and so does the gap's own name
    assert drop("Typography systems (type scales, variable fonts)") == "Typography systems (type scales, variable fonts)"
    assert drop("Open to buy planning (OTB, markdown optimization)") == "Open to buy planning (OTB, markdown optimization)"


def test_what_carries_over_names_the_member_the_person_shows() -> None:
    """A spreadsheet family Excel leads is covered by Google Sheets: the covered list names Google Sheets, not Excel."""
    from careeros.graph.hierarchy import SkillHierarchy
    from careeros.planner.gaps import requirement_gaps
    from careeros.planner.person import person_skills
    from careeros.planner.requirements import Requirement, RequirementProfile

    fam = Requirement(key="family:spreadsheet-software", skill_id="tech:microsoft-excel", label="Excel",
                      kind="technology", members={"tech:microsoft-excel": 1.0, "tech:google-sheets": 0.8},
                      member_labels=["Excel", "Google Sheets"], weight=0.6, onet=0.6, core=True)
    sql = Requirement(key="tech:sql", skill_id="tech:sql", label="SQL", kind="technology",
                      members={"tech:sql": 1.0}, member_labels=["SQL"], weight=0.6, onet=0.6, core=True)
    shown = person_skills(pl.DataFrame({"skill_id": ["tech:google-sheets", "tech:sql"], "confidence": [1.0, 1.0],
                                        "status": ["accepted", "accepted"], "last_seen": [None, None],
                                        "source_type": ["resume", "resume"]},
                                       schema_overrides={"last_seen": pl.Date}), SkillHierarchy())
    got = requirement_gaps(RequirementProfile(soc_code="43-6014.00", requirements=[fam, sql]), shown)
    assert not got.gaps
    assert got.covered == ["Google Sheets", "SQL"]
    assert got.covered_ids == ["tech:google-sheets", "tech:sql"]


def test_a_tool_only_the_current_occupation_vouches_for_is_covered_but_assumed() -> None:
    """A backend developer's occupation uses Kubernetes: covered for coverage, but marked assumed, so the plan does
    not tell the person that Kubernetes carries over when the resume only names Docker."""
    from careeros.planner.gaps import requirement_gaps
    from careeros.planner.person import PersonSkills, SkillSource
    from careeros.planner.requirements import Requirement, RequirementProfile

    def tool(sid: str, label: str) -> Requirement:
        return Requirement(key=sid, skill_id=sid, label=label, kind="technology", members={sid: 1.0},
                           member_labels=[label], weight=0.6, onet=0.6, core=True)

    person = PersonSkills(skills={
        "tech:kubernetes": SkillSource(strength=0.7, source="core of your current occupation (Web Developers)"),
        "tech:docker": SkillSource(strength=0.9, source="named in your resume")})
    got = requirement_gaps(RequirementProfile(soc_code="15-2051.00", requirements=[
        tool("tech:kubernetes", "Kubernetes"), tool("tech:docker", "Docker")]), person)
    assert got.covered == ["Kubernetes", "Docker"] and got.coverage == pytest.approx((0.7 + 0.9) / 2)
    assert got.covered_assumed == ["tech:kubernetes"]


def test_a_requirement_whose_lead_name_the_person_writes_is_no_gap() -> None:
    """An assistant property manager whose skills line says "accounts receivable" was told "Accounts receivable and
    credit control ... missing" (the phrase is an alias of Financial accounting, not of that bundle): the name a
    label leads with, of two words or more, written whole in the person's own text shows the requirement. A one-word
    lead ("Tonometry"), a lead the text only half says ("Virtual facilitation" for "facilitation") or one a sentence
    names as a goal does not."""
    from careeros.graph.hierarchy import SkillHierarchy
    from careeros.planner.gaps import label_lead, requirement_gaps
    from careeros.planner.person import person_skills
    from careeros.planner.requirements import Requirement, RequirementProfile

    assert label_lead("Accounts receivable and credit control (AR aging, DSO)") == "accounts receivable"
    assert label_lead("Visual acuity, pupil and color vision testing") == "visual acuity"
    assert label_lead("Tonometry (IOP measurement)") == ""
    from careeros.planner.gaps import writes_lead
    assert writes_lead("Classroom management frameworks (CHAMPS)", " lesson planning | classroom management ")
    assert not writes_lead("Document management systems (iManage)", " document ")  # one word is no name
    reqs = [Requirement(key=k, skill_id=f"concept:{k}", label=label, kind="concept", members={f"concept:{k}": 1.0},
                        weight=0.8, onet=0.8, core=True)
            for k, label in (("ar", "Accounts receivable and credit control (AR aging, DSO)"),
                             ("vf", "Virtual facilitation (webinar delivery)"), ("tono", "Tonometry (IOP measurement)"))]
    person = person_skills(pl.DataFrame(schema={"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String,
                                                "last_seen": pl.Date, "source_type": pl.String}), SkillHierarchy())
    prof = RequirementProfile(soc_code="11-9141.00", requirements=reqs)
    own = "Skills: Yardi Voyager, accounts receivable, facilitation, tonometry, vendor management"
    got = requirement_gaps(prof, person, "Community Association Manager", own_words=own)
    assert {g.skill_id for g in got.gaps} == {"concept:vf", "concept:tono"}
    assert got.covered == ["Accounts receivable and credit control (AR aging, DSO)"]
    assert got.coverage == round(1 / 3, 4)  # what the list shows the role's coverage counts too
    assert {g.skill_id for g in requirement_gaps(prof, person, "Community Association Manager").gaps} == {
        "concept:ar", "concept:vf", "concept:tono"}
    # a sentence that names the lead as a goal is no evidence: only what the person lists counts
    goal = "Assistant property manager moving towards accounts receivable work.\nSkills: Yardi, leasing, Excel"
    assert "concept:ar" in {g.skill_id for g in requirement_gaps(prof, person, "Community Association Manager",
                                                                  own_words=goal).gaps}


def test_a_wording_that_rules_a_requirement_out_settles_it_for_the_role() -> None:
    """"Adjunct Math Instructor" rules out the research grants "professor" ties; "Mathematics Faculty", a wording
    of the same occupation, still weighs them: merged, the narrower wording's version stands."""
    from careeros.planner.requirements import Requirement, RequirementProfile, merge_profiles

    def req(key: str, w: float) -> Requirement:
        return Requirement(key=key, skill_id=key, label=key, kind="concept", members={key: 1.0}, weight=w, onet=w,
                           core=w >= 0.25)

    adjunct = RequirementProfile(soc_code="25-1022.00", requirements=[req("concept:teaching", 0.9),
                                                                       req("concept:nsf-grants", 0.15)],
                                 ruled_out=["concept:nsf-grants"])
    faculty = RequirementProfile(soc_code="25-1022.00", requirements=[req("concept:teaching", 0.8),
                                                                       req("concept:nsf-grants", 0.5)])
    for merged in (merge_profiles(adjunct, faculty), merge_profiles(faculty, adjunct)):
        got = {q.key: q for q in merged.requirements}
        assert got["concept:nsf-grants"].weight == 0.15 and not got["concept:nsf-grants"].core
        assert got["concept:teaching"].weight == 0.9
