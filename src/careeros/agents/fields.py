"""The field a target role belongs to, and the words agents use for it.

An agent writing for a nurse talks about the unit, patients and charting; for a teacher about the classroom
and lessons; for an accountant about the close, ledgers and reconciliations. Only software roles get
repositories, tests and deployments. The field comes from the O*NET-SOC major group (plus the computer and
mathematical minor groups), so any occupation maps to one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from careeros.planner.artifacts import Family

#: words that mark text as written for a software job (checked on every agent output for other fields); "service"
#: alone is everyone's word (customer service, service providers, food service), a software service is "small
#: service" / "web service"
SOFTWARE_WORDS: tuple[str, ...] = (
    "deploy", "deployed", "deployment", "small service", "web service", "web services", "api", "apis", "repository", "repo", "microservice",
    "microservices", "endpoint", "endpoints", "engineering work", "codebase", "pull request", "ci",
    "unit tests", "tests run", "clean checkout", "src/", "tests/", "backend", "production code",
)
_SOFTWARE_RE = re.compile(r"(?<![\w/])(" + "|".join(re.escape(w) for w in sorted(SOFTWARE_WORDS, key=len,
                                                                                   reverse=True)) + r")(?![\w])",
                          re.IGNORECASE)


def software_words(text: str) -> list[str]:
    """The software words found in ``text`` (lower-cased, in order of appearance)."""
    return [m.group(1).lower() for m in _SOFTWARE_RE.finditer(text)]


#: internal ids that must never reach a person's text (graph skill ids, plan work ids, citation refs)
INTERNAL_ID = re.compile(r"\b(?:tech|onet|esco|concept|learn|build|publish|plan_task|graph_occupation_skill|market_value|"
                         r"onet_task|evidence_item|evidence_skill|memory|contact|posting|art|gen)[:#][\w.\-/:@#]+")


def internal_ids(text: str) -> list[str]:
    """Internal ids found in ``text`` (skill ids such as ``tech:python``, work ids such as ``learn:...``)."""
    return [m.group(0) for m in INTERNAL_ID.finditer(text)]


@dataclass(frozen=True)
class Field:
    """How to talk about work in one field."""

    key: str
    software: bool
    work: str  # "your day-to-day {work}"
    team: str  # "in our {team}"
    workplace: str  # "at your {workplace}"
    practice: str  # what practice happens on
    reviewer: str  # who signs off a checkpoint
    portfolio: str  # where finished work is shown
    publish: str  # how a finished piece is shared
    tool_practice: str  # "{tool}" practice task
    tool_check: str  # "{tool}" checkpoint
    knowledge_practice: str  # "{label}" practice task
    skill_practice: str  # "{label}" practice task
    story_hint: str  # what a good STAR result measures
    office_practice: str = "Use {label} for one real task at work and keep the before and after"
    concept_practice: str = "Apply {label} to one real case and write a one-page summary of what you did and found"


_SOFTWARE = Field(
    key="software", software=True, work="engineering work", team="team", workplace="company",
    practice="a small project of your own", reviewer="a senior engineer",
    portfolio="a public repository linked from your profile", publish="push it with a README and link it",
    tool_practice="Rebuild one piece of your current work with {label} in a small public repository",
    tool_check="The project runs from a clean checkout with its tests passing and a README that shows one result",
    knowledge_practice="Apply {label} to one real dataset or system and write down what changed",
    skill_practice="Use {label} on one real problem at work and write a short case note",
    story_hint="time saved, errors avoided, users or volume handled",
        office_practice="Automate one report you produce by hand today with {label}",
        concept_practice="Apply {label} to one public dataset or system in a small project",
)

_FIELDS: dict[str, Field] = {
    "healthcare": Field(
        key="healthcare", software=False, work="clinical practice", team="unit", workplace="hospital",
        practice="simulated patient cases and supervised shifts", reviewer="a preceptor or charge nurse",
        portfolio="your professional portfolio (CV, case summaries, certificates)",
        publish="add it to your professional portfolio and bring it to interviews",
        tool_practice="Document three simulated patient encounters in {label}'s training environment",
        tool_check="A preceptor reviews your documentation in {label} and signs it off as complete and accurate",
        knowledge_practice="Work through two patient cases where {label} changes the care plan and write up your "
                           "reasoning",
        skill_practice="Practise {label} on your next shifts and debrief one situation with a senior colleague",
        story_hint="patient outcomes, safety events, length of stay or time to treatment",
        office_practice="Build a unit audit tally or staff rota in {label}, with no patient identifiers",
        concept_practice="Apply {label} to two de-identified patient cases and write up your reasoning",
    ),
    "education": Field(
        key="education", software=False, work="teaching", team="school", workplace="school",
        practice="lessons you plan and teach", reviewer="a head of department or instructional coach",
        portfolio="your teaching portfolio (lesson plans, learner work, observation notes)",
        publish="add it to your teaching portfolio and share it with your department",
        tool_practice="Build one complete lesson or module in {label} and run it with a small group",
        tool_check="Learners complete the module in {label} and you have their results and one colleague's feedback",
        knowledge_practice="Plan one lesson sequence that applies {label} and note what learners got right and wrong",
        skill_practice="Practise {label} in three lessons and ask a colleague to observe one of them",
        story_hint="learner results, attendance, completion or time saved for colleagues",
        office_practice="Build a gradebook, seating plan or lesson resource in {label} and use it with one class",
        concept_practice="Plan and teach one lesson sequence that uses {label} and collect the learners' work",
    ),
    "learning_design": Field(
        key="learning_design", software=False, work="learning design work", team="learning team",
        workplace="organisation", practice="short modules you design and test with learners",
        reviewer="an experienced instructional designer or learning lead",
        portfolio="your learning-design portfolio (storyboards, playable module previews, evaluation results)",
        publish="add it to your portfolio with a playable preview and a short design rationale",
        tool_practice="Build one short module in {label} and test it with two learners",
        tool_check="Two learners complete the module in {label} and you have their results and one reviewer's notes",
        knowledge_practice="Design one short module that applies {label} and note what the test learners got wrong",
        skill_practice="Use {label} on one real training request and ask an instructional designer for feedback",
        story_hint="learner completion, assessment scores, time to competence or support requests avoided",
        office_practice="Build a storyboard or evaluation tracker in {label} for one module",
        concept_practice="Design one short module that uses {label}, test it with two learners and note what you "
                         "changed",
    ),
    "finance": Field(
        key="finance", software=False, work="accounting and finance work", team="team", workplace="firm",
        practice="sample ledgers and real month-end tasks", reviewer="a senior accountant or controller",
        portfolio="your professional portfolio (work samples with client data removed, certificates)",
        publish="add it to your portfolio with client data removed",
        tool_practice="Post a month of sample transactions in {label} and reconcile every account",
        tool_check="The trial balance ties out in {label} and the reconciliation report needs no manual fixes",
        knowledge_practice="Work through two cases where {label} decides the treatment and write up the entries",
        skill_practice="Use {label} on one live close or review task and note what you would do differently",
        story_hint="days to close, errors found, money recovered or audit findings",
        office_practice="Build a reconciliation or variance schedule in {label} from a month of sample data",
        concept_practice="Build one piece of {label} from a listed company's public filings, with your assumptions written down",
    ),
    "business": Field(
        key="business", software=False, work="day-to-day work", team="team", workplace="organisation",
        practice="real tasks from your current job and small case studies", reviewer="a manager or mentor",
        portfolio="your portfolio of case studies", publish="add it to your portfolio as a short case study",
        tool_practice="Use {label} for one real task end to end and keep the before/after",
        tool_check="A colleague can repeat the task from your notes in {label} and gets the same result",
        knowledge_practice="Write a one-page case showing how {label} changes a decision you have seen made",
        skill_practice="Practise {label} on one real situation and ask for feedback from a colleague",
        story_hint="money saved, time saved, people affected or quality improved",
    ),
    "design": Field(
        key="design", software=False, work="design work", team="studio", workplace="studio",
        practice="briefs you take on", reviewer="a senior designer or art director",
        portfolio="your design portfolio", publish="add it to your portfolio with the brief and the result",
        tool_practice="Take one brief from sketch to final in {label}",
        tool_check="The final files in {label} are reviewed by a senior designer and ready to hand over",
        knowledge_practice="Redo one past piece applying {label} and write down what changed",
        skill_practice="Practise {label} on one brief and present it for critique",
        story_hint="audience reached, engagement, time to deliver or client approval",
    ),
    "communications": Field(
        key="communications", software=False, work="communications work", team="communications team",
        workplace="organisation", practice="real briefs and sample campaigns",
        reviewer="a communications lead or public relations manager",
        portfolio="your communications portfolio (releases, campaign plans and published pieces with their results)",
        publish="add it to your portfolio with the brief and the result",
        tool_practice="Use {label} on one real brief end to end and keep what it produced",
        tool_check="A communications colleague follows your {label} notes on a new brief and gets a usable result",
        knowledge_practice="Write a one-page case showing how {label} shaped one campaign or story you know well",
        skill_practice="Practise {label} on one real brief and ask a communications lead for critique",
        story_hint="coverage earned, audience reached, engagement, sign-ups or deadlines met",
        office_practice="Build a media list, content calendar or coverage tracker in {label} for one real brief",
        concept_practice="Apply {label} to one real brief and write a one-page summary of what you did and what it "
                         "achieved",
    ),
    "trades": Field(
        key="trades", software=False, work="work on site", team="crew", workplace="site",
        practice="supervised jobs", reviewer="a supervisor or journeyman",
        portfolio="your record of completed jobs and certificates",
        publish="add it to your record of work with photos and sign-off",
        tool_practice="Complete three supervised jobs using {label} and log each one",
        tool_check="A supervisor signs off a job done with {label} without rework",
        knowledge_practice="Study {label} against the code or standard and pass a practice test",
        skill_practice="Practise {label} on supervised jobs and get a sign-off",
        story_hint="jobs completed, rework avoided, safety record or time saved",
    ),
    "science": Field(
        key="science", software=False, work="research work", team="lab", workplace="lab",
        practice="a small study or analysis", reviewer="a senior researcher",
        portfolio="your publications and research portfolio",
        publish="write it up and share it with your lab or at a seminar",
        tool_practice="Run one small analysis or protocol with {label} and record the method",
        tool_check="A colleague repeats your {label} protocol from your notes and gets the same result",
        knowledge_practice="Review three recent papers on {label} and summarise what they mean for your work",
        skill_practice="Practise {label} on one study and present it at a lab meeting",
        story_hint="results found, samples processed, time saved or papers produced",
    ),
    "health_informatics": Field(
        key="health_informatics", software=False, work="informatics work", team="informatics team",
        workplace="health system", practice="de-identified data and workflow case studies",
        reviewer="a clinical informatics lead",
        portfolio="your informatics portfolio (de-identified dashboards, workflow maps, mapping tables)",
        publish="add it to your portfolio as a case study with no patient identifiers",
        tool_practice="Build one de-identified report or documentation workflow in {label}'s training environment",
        tool_check="An informatics colleague repeats your {label} report from your notes and gets the same figures",
        knowledge_practice="Apply {label} to one de-identified clinical workflow and write up what it changes",
        skill_practice="Use {label} on one real informatics request and debrief it with a clinical informatics lead",
        story_hint="documentation time saved, data quality, system adoption or patient-safety measures",
        office_practice="Build a de-identified audit tally or measure dashboard in {label}",
        concept_practice="Apply {label} to one de-identified clinical dataset or workflow and write a one-page summary",
    ),
    "hospitality": Field(
        key="hospitality", software=False, work="day-to-day running of a kitchen, floor or venue", team="team",
        workplace="venue", practice="real shifts, menus and weeks of numbers",
        reviewer="a general manager or food and beverage director",
        portfolio="your operations record (costed menus, schedules, checklists and the results they moved)",
        publish="share it with the manager you report to and summarise it on your professional profile",
        tool_practice="Run one real task (an order, a schedule or a day's sales report) end to end in {label}",
        tool_check="A shift lead repeats the task in {label} from your notes and gets the same result",
        knowledge_practice="Work one real week of your venue's numbers through {label} and note what you would change",
        skill_practice="Practise {label} on real shifts and ask your general manager for feedback",
        story_hint="food or labor cost, covers served, guest scores, turnover or inspection results",
        office_practice="Build an order guide, schedule or cost sheet in {label} for your own venue",
        concept_practice="Apply {label} to one real shift or menu and write a one-page summary of what changed",
    ),
    "sales": Field(
        key="sales", software=False, work="selling and account work", team="sales team", workplace="company",
        practice="real accounts, calls and deals", reviewer="a sales manager or senior account executive",
        portfolio="your sales record (account plans, sequences and forecasts, with the results they moved)",
        publish="share it with a sales manager you know and summarise it on your professional profile",
        tool_practice="Run one real task (a pipeline update, a sequence or an account report) end to end in {label}",
        tool_check="A sales colleague repeats the task in {label} from your notes and gets the same result",
        knowledge_practice="Work one real account or deal through {label} and note what you would do next",
        skill_practice="Practise {label} on real calls or a role-play and ask a sales manager for feedback",
        story_hint="quota attainment, pipeline created, win rate, deal size or meetings booked",
        office_practice="Build an account list, call tracker or forecast sheet in {label} for your own territory",
        concept_practice="Apply {label} to one real account or call and write a one-page note on what changed",
    ),
    "care": Field(
        key="care", software=False, work="day-to-day work with clients", team="team", workplace="organisation",
        practice="supervised cases", reviewer="a supervisor",
        portfolio="your record of training and supervised cases",
        publish="add it to your professional record",
        tool_practice="Use {label} on three supervised cases and keep notes",
        tool_check="Your supervisor reviews your {label} records and signs them off",
        knowledge_practice="Write up two cases where {label} changed what you did",
        skill_practice="Practise {label} with clients and discuss one case in supervision",
        story_hint="clients helped, outcomes improved or time saved",
    ),
}

#: SOC major group -> field key (15 is split below: computer and data science roles are software)
_MAJOR = {"11": "business", "13": "finance", "17": "science", "19": "science", "21": "care", "23": "business",
          "25": "education", "27": "design", "29": "healthcare", "31": "healthcare", "33": "care", "35": "care",
          "37": "trades", "39": "care", "41": "business", "43": "business", "45": "trades", "47": "trades",
          "49": "trades", "51": "trades", "53": "trades", "55": "care"}


#: general office and communication tools: practised on a real task, not on field-specific records
OFFICE_TOOL = re.compile(r"\b(excel|word|outlook|powerpoint|office|access|sheets|docs|slides|teams|zoom|sharepoint|"
                         r"acrobat|spreadsheet|e-?mail|onenote|keynote|numbers|pages|webex|slack)\b", re.IGNORECASE)


#: tools that belong to a field's own work (records, learning platforms, ledgers): practised on field tasks
FIELD_TOOL = {
    "healthcare": re.compile(r"\b(ehr|emr|records?|chart\w*|epic|meditech|cerner|eclinicalworks|clinical|pharmacy|"
                             r"documentation|pyxis|omnicell)\b", re.IGNORECASE),
    "education": re.compile(r"\b(classroom|learning|lms|canvas|moodle|blackboard|articulate|storyline|captivate|"
                            r"authoring|course\w*|quiz\w*|schoology|seesaw|kahoot)\b", re.IGNORECASE),
    "finance": re.compile(r"\b(quickbooks|sap|netsuite|oracle|ledger|accounting|tax|erp|xero|sage|hyperion|"
                          r"bloomberg|intacct|workday|concur)\b", re.IGNORECASE),
}
FIELD_TOOL["learning_design"] = FIELD_TOOL["education"]  # the same learning platforms and authoring tools
FIELD_TOOL["health_informatics"] = FIELD_TOOL["healthcare"]  # records systems and clinical documentation


def short_label(label: str) -> str:
    """A skill label without its listed alternatives ("Epic Systems (or MEDITECH)" -> "Epic Systems")."""
    return re.sub(r"\s*\(or [^)]*\)", "", label).strip() or label


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
#: a word written capitalised this many times as often as in lower case is a name (see :func:`proper_words`)
PROPER_MAJORITY = 4


@lru_cache(maxsize=1)
def proper_words() -> frozenset[str]:
    """Words the concept table always writes capitalised: names ("Medicaid", "Epic", "Agile"), not concepts.

    A word counts when aliases and examples, and labels past their first word, write it capitalised ("MAGI Medicaid",
    "Medicare billing") twice or more and at least PROPER_MAJORITY times as often as in lower case (aliases match
    without case, so a few are typed in lower case: "medicare cost reports"; role keywords are not read).
    """
    from careeros.graph.tech_labels import load_concept_table

    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for c in load_concept_table()["concepts"]:
        for i, w in enumerate(_WORD.findall(str(c.get("label", "")))):
            if w.islower():
                lower[w] += 1
            elif i > 0 and w[1:].islower():
                capital[w] += 1
        for phrase in [*(c.get("aliases") or []), *(c.get("examples") or [])]:
            for w in _WORD.findall(str(phrase)):
                if w.islower():
                    lower[w] += 1
                elif w[:1].isupper() and w[1:].islower():
                    capital[w] += 1
    return frozenset(w for w, n in capital.items() if n >= max(2, PROPER_MAJORITY * lower[w.lower()]))


def in_sentence(label: str, kind: str) -> str:
    """A skill label as it reads mid-sentence: concepts lower-cased ("public health"), names kept.

    "Excel" and "Medicaid eligibility" (see :func:`proper_words`) keep their capitals.
    """
    label = short_label(label)
    words = re.sub(r"\s*\([^)]*\)", "", label).split()  # the head decides: "Clinical terminologies (LOINC, ...)"
    concept = kind not in ("technology", "tool") or len(words) > 1
    if concept and words and words[0][:1].isupper() and words[0][1:].islower() \
            and all(w.islower() or not w[:1].isalpha() for w in words[1:]) \
            and words[0].rstrip(",:;") not in proper_words():
        return label[:1].lower() + label[1:]
    return label


def is_software(soc_code: str | None) -> bool:
    """True for computer occupations (15-12xx), software/web/data roles (15-11xx) and data scientists (15-2051)."""
    s = soc_code or ""
    return s.startswith("15-1") or s.startswith("15-2051")


#: work-product families (data/artifacts/work_products.yaml) whose field words differ from their SOC group's
_FAMILY_FIELD = {"health-informatics": "health_informatics", "design": "design"}
#: ... and families whose words any occupation in them takes (public relations specialists, reporters, marketing
#: managers and fundraisers write for an audience: neither studio critique nor general business wording; chefs,
#: restaurant and lodging managers run a venue: neither casework nor office wording; salespeople work accounts and
#: deals)
_FAMILY_FIELD_ANY = {"communications": "communications", "hospitality": "hospitality", "sales": "sales"}


@lru_cache(maxsize=256)
def _family(soc_code: str) -> Family:
    from careeros.planner.artifacts import family_for, load_families

    return family_for(soc_code, load_families())


def field_for(soc_code: str | None) -> Field:
    """The field of an O*NET-SOC code (unknown or missing: general business wording, never software).

    A computer occupation whose work products are not software (Health Informatics Specialists make clinical
    dashboards and workflow specifications; web and game designers make designs) takes its work-product family's
    words, so agents and artifacts agree on the field; so does any occupation of the communications family (public
    relations, writing and editing, marketing, fundraising).
    """
    s = soc_code or ""
    fam = _family(s) if s else None
    if fam is not None and not is_software(s) and fam.id in _FAMILY_FIELD_ANY:
        return _FIELDS[_FAMILY_FIELD_ANY[fam.id]]
    if fam is not None and is_software(s):
        if not fam.software and fam.id in _FAMILY_FIELD:
            return _FIELDS[_FAMILY_FIELD[fam.id]]
        return _SOFTWARE
    if s.startswith("15-"):
        return _FIELDS["science"]  # actuaries, statisticians, operations research
    if s.startswith(("25-9031", "13-1151")):  # instructional coordinators, training and development specialists
        return _FIELDS["learning_design"]
    if s.startswith("13-2"):
        return _FIELDS["finance"]
    if s.startswith("13-"):
        return _FIELDS["business"]
    return _FIELDS[_MAJOR.get(s[:2], "business")]


def field_by_key(key: str) -> Field:
    """A field by its key (``software``, ``healthcare``, ``education``, ``finance`` ...); unknown: business."""
    return _SOFTWARE if key == "software" else _FIELDS.get(key, _FIELDS["business"])
