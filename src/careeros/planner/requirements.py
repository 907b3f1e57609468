"""Role requirement profiles: what a target occupation really asks for, from O*NET and from real postings.

A requirement is one thing an expert would name for the role: a concept-level skill (machine learning,
curriculum design, HL7/FHIR), a knowledge area, or a *family* of tools that substitute for one another (one
cloud platform, one BI tool, one e-learning authoring tool: O*NET technology examples grouped by their
commodity class, plus the curated alternatives in ``data/skill_concepts.yaml``).

Each requirement blends two views, with shrinkage toward O*NET when few postings exist::

    onet    in [0, 1]  technology: the O*NET edge weight of its best member (Hot/In-Demand flags) x 0.6 x
                                   specificity (an example listed for 850 of 1,016 occupations, such as
                                   Excel, says little about this one: 0.3 + 0.7 x idf, idf = log(N/n) / log(N/5))
                       concept:    share of the occupation's task statements and work activities naming it
                                   (x 3, capped at 1); 1.0 when the O*NET title or the person's own title for
                                   the role names it ("Logistics Dispatcher": logistics), 0.2 x min(1, share
                                   / 0.1) + 5 x share of alternate titles naming it (capped at 0.85; a niche
                                   named by 2 of 58 titles stays below the core), or 0.7 when a curated
                                   ``roles`` keyword of the concept appears in the occupation's titles (0.8 when
                                   it appears in the person's own title: "Healthcare Case Manager" says more
                                   than the broader occupation it was filed under)
                       knowledge / technical skill elements: distinctiveness, (importance - mean importance
                                   of the element over all occupations) / 2.5, capped to [0, 1], x 0.8
    market  in [0, 1]  share of the occupation's postings with a description naming the requirement (any
                       member) / 0.25, capped
    weight  = lam x market + (1 - lam) x onet          lam = n / (n + K) x (r + (1 - r) x 0.3),
              n = postings for the occupation, K = 25      (elements have no posting signal: weight = onet)

    r (market relevance): when the market is the occupation's postings rather than the title's own, the share of
    them titled with a word that sets the person's title apart from the occupation's (/ 0.2, capped at 1; 1 when no
    word does). A "Salesforce Developer" is filed under Web Developers, whose postings are React and Go jobs: none is
    titled "Salesforce", so the market keeps 0.3 of its say and O*NET and the curated concepts the rest.

ESCO essential skills: the ESCO occupations whose label (or an alternative label) is the person's own title for
the role ("Instructional Designer" -> ESCO "instructional designer") name what the EU's occupational experts
consider essential for it ("instructional design models", "create SCORM packages", "identify training needs").
Each knowledge item becomes a requirement of weight 0.35 x (0.5 + 0.5 x specificity) x (0.5 + 0.5 x share of the matched ESCO
occupations naming it), specificity = 1 - log(df/5) / log(200/5) over the number of ESCO occupations ``df`` naming it
essential (skills essential almost everywhere, "use different communication channels", drop out; transversal and
language skills are left out). An ESCO skill whose label names a curated concept raises that concept instead.
ESCO items fill in where the curated concepts know little of a role: at most 8, one fewer per concept requirement
of weight >= 0.4.

Whose stack: many postings of non-software roles come from software companies and name the employer's stack
("Marketing Manager" at a startup: React, Rust). A technology only postings name is left out when O*NET lists it
only for other broad occupations (none sharing this one's first six SOC characters), and one O*NET does not know
is left out when most known ones were foreign that way. For a role that does not program (O*NET rates its
Programming skill below 2.5: help desk, engineering managers, marketing managers), development tool families (languages, frameworks, databases, cloud and
deployment, by O*NET commodity class) keep 0.3 of their weight; the design tools O*NET files there (Figma) are a
designer's own. O*NET titles are matched without their
exclusion clause ("Dispatchers, Except Police, ..." names no police work).

A tool the person's own title names ("Power BI Developer", "Salesforce Administrator") is a core requirement of its
own, weight 1.0, that no other member of its family stands in for.

Role keywords of the person's own title that leave out a qualifier another keyword of it covers are its generic
part ("maintenance manager" in "Fleet Maintenance Manager", which "fleet maintenance" names): their concepts weigh as
the occupation's (CURATED_ROLE_WEIGHT), the specialty's as the title's own.

A management or first-line supervisor occupation that O*NET rates high for managing people (money) asks for people
(budget) management of everyone in it, weight CURATED_ROLE_WEIGHT, whatever its title's words (LEAD_ELEMENT_CONCEPTS);
not for a title that manages a thing ("Product Manager", "Account Manager"). Under a specialty title whose words few
of the occupation's postings carry ("Embedded Software Engineer" among Software Developers' postings), the
occupation's development tool families count SPECIALTY_FACTOR of their weight: they speak for its other specialties.

The **core set** is the 20-40 heaviest requirements (those with weight >= 0.2, at least 20, at most 40);
coverage is measured against it. Every requirement carries its reasons and the postings count behind it.
Pure scoring over Polars frames (:func:`score_requirements`); :func:`role_inputs` reads them from an open
warehouse connection.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import polars as pl
from pydantic import BaseModel, Field

from careeros.evidence.resume_facts import ROLE_NOUNS, is_role_title
from careeros.graph.build import TECH_BASE, TECH_IN_DEMAND
from careeros.market.title_aliases import SENIORITY, SENIORITY_KEEP
from careeros.planner.gaps import MINOR_WORDS, plain_words

SHRINK_K = 25.0
#: the market's share of a weight keeps this much when none of the occupation's postings is titled with the words
#: that set the person's own title apart from the occupation's ("Salesforce Developer" filed under Web Developers,
#: whose postings ask for React and Go): those postings describe other jobs of the occupation
OFF_TITLE_MARKET = 0.3
SATURATION_SHARE = 0.25
TECH_ONET_SCALE = 0.5
ELEMENT_ONET_SCALE = 0.6
ELEMENT_SPREAD = 2.5
CONCEPT_TASK_GAIN = 3.0
ALT_TITLE_BASE, ALT_TITLE_GAIN, ALT_TITLE_MAX = 0.2, 5.0, 0.85
#: share of alternate titles that must match a curated role keyword for it to count without the main titles
ALT_KEYWORD_SHARE = 0.1
CURATED_ROLE_WEIGHT = 0.7
#: a curated concept expected of the person's own title ("Healthcare Case Manager" -> discharge planning) says more
#: than one expected of the O*NET occupation the title was filed under (which may be a broad neighbour)
CURATED_OWN_TITLE_WEIGHT = 0.8
#: what a management or supervisory occupation asks of everyone in it, read off its O*NET resource-management skill
#: ratings rather than its title's words: (O*NET element, concept, least importance). A "Purchasing Manager" or a
#: "Marketing Manager" leads a team and spends a budget whether or not the skill map lists that title for it; the
#: thresholds are the lower quartile (people) and the median (money) of the 11- management occupations' ratings
LEAD_ELEMENT_CONCEPTS: tuple[tuple[str, str, float], ...] = (
    ("onet:2.B.5.d", "concept:people-management", 3.25),   # Management of Personnel Resources
    ("onet:2.B.5.b", "concept:budget-management", 2.88),   # Management of Financial Resources
)
#: words before "manager" (or "director") that make a title one that manages a thing, not people: an account, a
#: product, a case load ("Account Manager" is filed under Sales Managers, "Product Manager" under Marketing Managers)
IC_MANAGER_WORDS = frozenset("""product products project projects program programs account accounts case care brand
category territory relationship relationships portfolio community social media content partner partnership
partnerships channel success engagement campaign campaigns grant grants contract contracts proposal release change
configuration asset assets property properties listing listings event events catering menu merchandise
utilization""".split())


def leads_occupation(soc_code: str) -> bool:
    """A management occupation (11-) or a first-line supervisor one (minor group 1 of the groups 33-53)."""
    major = soc_code[:2]
    return major == "11" or (major.isdigit() and 33 <= int(major) <= 53 and soc_code[3:4] == "1")


def manages_a_thing(title: str) -> bool:
    """Whether a "manager"/"director"/"lead" title's qualifier is a thing managed, not a team.

    "Product Manager", "Senior Account Manager", "Case Manager" are; "Marketing Manager", "Purchasing Manager" are not.
    """
    words = re.findall(r"[a-z]+", title.lower())
    for i, w in enumerate(words):
        if w in {"manager", "managers", "director", "lead", "owner", "coordinator"} and i > 0 and \
                words[i - 1] in IC_MANAGER_WORDS:
            return True
    return False


#: at most this much more for a curated concept that O*NET's tasks or titles or ESCO also name
CURATED_CORROBORATION = 0.1
#: corroboration (of 1) for a curated concept whose role keywords tie ALT_KEYWORD_SHARE of the occupation's alternate
#: titles or more (less in proportion): what the occupation's titles broadly expect before what one of them does
CURATED_TITLES_GAIN = 0.3
#: a person's title that is a specialty of its occupation ("Instructional Designer" among Instructional
#: Coordinators, "Machine Learning Engineer" among Data Scientists): when the skill map expects at least
#: SPECIALTY_MIN_OWN concepts of the title itself, what it expects only of the occupation's other titles
#: ("instructional coaching" of K-12 coordinators) counts at this share of the map's weight, and so does what the
#: occupation's alternate titles name. The person's other wordings of the same role count towards SPECIALTY_MIN_OWN
#: ("Clinical SAS Programmer", "Statistical Programmer" and "SAS Programmer" together name a specialty)
SPECIALTY_MIN_OWN = 3
SPECIALTY_FACTOR = 0.6
#: below this market relevance a specialty title's occupation-wide tools count SPECIALTY_FACTOR of their weight
SPECIALTY_MARKET_RELEVANCE = 0.5
#: a posting-only concept counts fully at this lift over postings in general, and at least this factor
FULL_LIFT, MIN_LIFT_FACTOR = 2.0, 0.3
#: postings that must name a concept O*NET does not for it to become a requirement
MIN_MARKET_CONCEPT_POSTINGS = 5
N_OCCUPATIONS = 1016
CORE_MIN, CORE_MAX, CORE_WEIGHT = 12, 40, 0.25
#: technology families only O*NET lists (no posting names them) that may enter the core (In Demand for the occupation)
MAX_ONET_ONLY_TECH_IN_CORE = 6
#: an O*NET technology edge this heavy is flagged In Demand for that occupation (the graph's tech weight; the skill
#: node's own flag says only that some occupation's postings ask for it, and Hot Technology is economy-wide)
OCCUPATION_IN_DEMAND_WEIGHT = TECH_BASE + TECH_IN_DEMAND
#: a family member whose own posting share is at least this share of the leader's counts as the leader
CO_LEADER_SHARE = 0.5
#: other members of a family substitute in part
MEMBER_FACTOR = 0.8
#: ... but in a software role a broad O*NET class of development tools is no family of substitutes: Java is not
#: Python to an ML team, Docker not Kubernetes, GitHub not either; another member there is a head start, never the
#: tool itself: its credit stops below the gaps' COVERED_AT (0.65) whatever the evidence (curated alternatives such
#: as PyTorch or TensorFlow are not capped)
LOOSE_MEMBER_CAP = 0.64
#: O*NET commodity classes of software development tools (languages, frameworks, databases, cloud and deployment)
DEV_COMMODITIES = frozenset({
    "Object or component oriented development software", "Development environment software",
    "Web platform development software", "Data base management system software", "Application server software",
    "Cloud-based management software", "Configuration management software",
    "Object oriented data base management software", "Program testing software", "File versioning software",
    "Transaction server software", "Portal server software", "Graphical user interface development software",
    "Operating system software"})
#: broad O*NET classes whose members a software role does not take for one another (DEV_COMMODITIES and the query,
#: analysis and BI classes that lump SQL with NumPy, MATLAB with MLflow)
LOOSE_COMMODITIES = DEV_COMMODITIES | {"Data base user interface and query software", "Analytical or scientific software",
                                       "Business intelligence and data analysis software"}
#: design and prototyping tools O*NET files under "Graphical user interface development software": a graphic or UX
#: designer's own tools, not a development stack (lower-cased O*NET example names)
DESIGN_TOOLS = frozenset({"figma", "graphical user interface gui design software", "adobe xd", "invision",
                          "axure rp", "balsamiq", "sketch"})
#: O*NET commodity classes of everyday office and communication tools (listed for hundreds of occupations)
EVERYDAY_COMMODITIES = frozenset({
    "Spreadsheet software", "Office suite software", "Word processing software", "Electronic mail software",
    "Presentation software", "Internet browser software", "Calendar and scheduling software",
    "Video conferencing software", "Instant messaging software", "Cloud-based data access and sharing software",
    "Desktop communications software", "Document management software", "Time accounting software",
    "Optical character reader OCR or scanning software", "Project management software"})
#: weight kept by an everyday tool family that only O*NET's example list names (no posting of the role does):
#: nobody changes careers for FaceTime or SharePoint
EVERYDAY_ONET_ONLY_FACTOR = 0.3
#: weight kept by a development tool family of a role that is not a software role (its O*NET list and its
#: postings name development tools because such roles often sit in software companies)
NON_SOFTWARE_DEV_FACTOR = 0.3
#: weight kept by a concept only postings name, for a role outside software, when the skill map keeps the concept for
#: other roles (see score_requirements)
OTHER_ROLES_MARKET_FACTOR = 0.4

#: O*NET elements that name a learnable field or technique (knowledge areas, technical skills); basic, social
#: and problem-solving skills are evidenced through work, and no coach names them as a transition gap
ELEMENT_PREFIXES = ("onet:2.C", "onet:2.B.3")
#: minimum postings naming a technology for it to join a role's families from the market alone
MIN_MARKET_POSTINGS = 3
MIN_MARKET_SHARE = 0.02
#: characters of description a posting needs to count for skill shares
MIN_POSTING_TEXT = 300
#: postings titled like the person's own title needed to use them as the market instead of the occupation's
MIN_TITLE_POSTINGS = 10
#: an occupation's market counts in full for a title when this share of its postings is titled with the words that
#: set the title apart (less: in proportion, down to OFF_TITLE_MARKET)
TITLED_SHARE = 0.2
_TITLE_STOP = frozenset("a an and the of for in to with senior sr junior jr lead staff principal i ii iii".split())
#: expert knowledge (a concept named by the role's titles or the curated map) keeps this share of its O*NET
#: weight however rarely postings spell it out
EXPERT_FLOOR = 0.75
#: role priorities (data/role_priorities.yaml): a key requirement weighs at least KEY_FLOOR, plus up to KEY_GAIN for
#: the first of the occupation's key list (half of it for the last); under a specialty title (the person's title names
#: at least SPECIALTY_MIN_OWN concepts of its own) only the gain, halved; an off-role one keeps OFF_ROLE_FACTOR
KEY_FLOOR = 0.7
KEY_GAIN = 0.15
OFF_ROLE_FACTOR = 0.3
#: ESCO essential skills of the occupations matching the person's own title (see the module docstring)
ESCO_WEIGHT = 0.35
ESCO_DF_FULL, ESCO_DF_ZERO = 5, 200
ESCO_MAX_REQS = 8
ESCO_STRONG_CONCEPT = 0.4
ESCO_MATCH_MIN = 0.8
ESCO_MAX_OCCUPATIONS = 3
ESCO_CROSSWALK_MIN = 0.8
#: an ESCO essential skill that names a concept the skill map expects of other roles only (ESCO's "information
#: architecture" for an AI engineer is the UX concept of site maps and card sorting) counts at this share
ESCO_OTHER_ROLES_FACTOR = 0.5


class Requirement(BaseModel):
    """One requirement of a role: a skill, or a family of substitutable tools, with its weight and reasons."""

    key: str = Field(description="stable key: the skill id, or family:<slug> for a tool family")
    skill_id: str = Field(description="the representative skill (the family's most asked-for member)")
    label: str
    kind: str
    members: dict[str, float] = Field(default_factory=dict, description="skill id -> share of credit it earns")
    member_labels: list[str] = Field(default_factory=list)
    member_cap: float | None = Field(default=None, description="most credit a member earning less than full credit "
                                                                 "gives (a head start, not the tool)")
    weight: float = Field(ge=0, le=1)
    onet: float = Field(ge=0, le=1)
    posting_share: float | None = None
    postings: int = 0
    soc_postings: int = 0
    hot: bool = False
    in_demand: bool = False
    trend: float | None = None
    importance: float | None = Field(default=None, description="O*NET importance (1-5) for element requirements")
    core: bool = False
    reasons: list[str] = Field(default_factory=list)
    #: a tool family only O*NET's example list names for the occupation: no posting, no ESCO skill, not In Demand for
    #: it (outside the core it is not listed as a gap: "Epic Systems" for a revenue accountant)
    onet_only: bool = False


class RequirementProfile(BaseModel):
    """A role's requirements, heaviest first; ``core`` marks the set coverage is measured against."""

    soc_code: str
    title: str | None = None
    soc_postings: int = 0
    requirements: list[Requirement]
    #: concepts the person's own title rules out (see :func:`score_requirements`), kept for :func:`merge_profiles`
    ruled_out: list[str] = Field(default_factory=list)

    @property
    def core(self) -> list[Requirement]:
        """The core requirements."""
        return [r for r in self.requirements if r.core]


@dataclass
class RoleInputs:
    """What :func:`score_requirements` needs for one occupation (frames as read by :func:`role_inputs`)."""

    soc_code: str
    title: str | None
    elements: pl.DataFrame  # skill_id, label, kind, importance, mean_importance
    tech: pl.DataFrame  # skill_id, label, weight, commodity_title, hot, in_demand, n_occupations
    texts: list[str]  # task statements, work activities (one unit each)
    titles: list[str]  # the occupation's title and alternate titles
    postings: int
    posting_skills: pl.DataFrame  # posting_id, skill_id, label, kind, commodity_title
    trends: dict[str, float]
    global_share: dict[str, float] | None = None  # skill id -> share of all described postings naming it
    market_from: str = "occupation"  # "title": postings titled like the person's own title
    # ESCO essential skills of the ESCO occupations matching the title: occupation_uri, occupation, skill_id,
    # label, kind, df (ESCO occupations naming the skill essential)
    esco: pl.DataFrame | None = None
    # technology skill id -> SOC broad occupations ("15-125", "11-904") O*NET lists it for (posting
    # technologies only; a technology O*NET does not know has no entry)
    tech_groups: dict[str, frozenset[str]] = field(default_factory=dict)
    # a role that programs (:func:`is_software_role`): development tools count for it in full; for other roles
    # they are the employer's stack, not the role's
    software: bool = True
    # share of the occupation's postings titled with a word of the person's own title that the occupation's title
    # lacks ("salesforce" among Web Developers postings); 1.0 when the market is the title's own or nothing sets
    # the title apart
    market_relevance: float = 1.0


_EXCEPT = re.compile(r",?\s+except\b.*$", re.I)


def core_title(title: str) -> str:
    """An occupation title without its exclusion clause ("Teachers, Except Special Education" -> "Teachers")."""
    return _EXCEPT.sub("", title).strip() or title


_TO_WHOM = re.compile(r"\s+to\s+(?:the|a|an)\s+\S.*$", re.I)


def role_of(title: str) -> str:
    """A person's title without whom the role serves.

    "Executive Assistant to the CEO" asks what an executive assistant does, not what a chief executive does (P&L,
    capital budgeting).
    """
    return _TO_WHOM.sub("", title).strip() or title


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _family_key(skill_id: str, commodity: str | None, alt_of: dict[str, str]) -> str:
    if skill_id in alt_of:
        return alt_of[skill_id]
    return f"family:{_slug(commodity)}" if commodity else skill_id


def _blend(onet: float, share: float | None, n: int, relevance: float = 1.0) -> float:
    if share is None or n <= 0:
        return onet
    market = min(1.0, share / SATURATION_SHARE)
    lam = n / (n + SHRINK_K) * (relevance + (1.0 - relevance) * OFF_TITLE_MARKET)
    return lam * market + (1.0 - lam) * onet


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


#: a role keyword's occupation scope: " @11-9033" or " @11-9032/25-2"
_KEYWORD_SOCS = re.compile(r"\s@([0-9./-]+)")


@lru_cache(maxsize=8192)
def keyword_parts(keyword: str) -> tuple[str, tuple[str, ...]]:
    """A role keyword and the title words (matched at word starts) that rule it out.

    ``"controller -traffic -air"`` ties "Financial Controller" but not "Air Traffic Controllers" or "Airport Tower
    Controller".
    """
    first, *rest = _KEYWORD_SOCS.sub("", keyword).split(" -")
    return first.strip(), tuple(r.strip().lower() for r in rest if r.strip())


def keyword_socs(keyword: str) -> tuple[str, ...]:
    """The occupations a role keyword is scoped to (SOC code prefixes after " @", "/"-separated); empty: any.

    ``"dean of students @11-9033"`` ties a college's dean of students (Education Administrators, Postsecondary), not a
    high school's, whose title is the same words (Kindergarten through Secondary, 11-9032).
    """
    m = _KEYWORD_SOCS.search(keyword)
    return tuple(x for x in m.group(1).split("/") if x) if m else ()


def keyword_fits(keyword: str, soc_code: str) -> bool:
    """Whether a role keyword may tie a role of ``soc_code`` (``keyword_socs``)."""
    socs = keyword_socs(keyword)
    return not socs or soc_code.startswith(socs)


#: the last words of titles of people who teach a subject ("Chemistry Teacher", "Engineering Professor")
TEACHING_HEADS = frozenset("teacher teachers instructor instructors professor professors tutor tutors lecturer "
                           "lecturers educator educators faculty".split())


def _title_hit(title: str, keyword: str, unless: tuple[str, ...] = ()) -> bool:
    """Whether a (lower-cased) title names a role keyword and none of the words that rule it out.

    A keyword naming a practitioner ("chemist", "engineer", "architect") ties the subject named after it
    ("chemistry", "engineering") except in the title of someone who teaches the subject: a chemistry teacher is
    no chemist.
    """
    if not (keyword.lower() in title and _keyword_rx(keyword).search(title) is not None
            and not any(_keyword_rx(u).search(title) for u in unless)):
        return False
    words = title.split(",")[0].split()  # "chemistry teachers, postsecondary"
    last = keyword.lower().split()[-1]
    if words and words[-1] in TEACHING_HEADS and last not in TEACHING_HEADS and last in ROLE_NOUNS:
        return _whole_keyword_rx(keyword).search(title) is not None
    return True


@lru_cache(maxsize=1024)
def _whole_keyword_rx(keyword: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(keyword.lower())}(?:s|es)?\b")


@lru_cache(maxsize=4096)
def _keyword_rx(keyword: str) -> re.Pattern[str]:
    """A role keyword as a word-start regex (compiled once; a plan checks thousands).

    A short keyword (an acronym: "MLO", "SDR", "PM") must also end a word, plural allowed: "MLO" is a mortgage loan
    originator, not the start of "MLOps".
    """
    kw = re.escape(keyword.lower())
    return re.compile(rf"\b{kw}(?:s?\b)" if len(keyword) <= 4 else rf"\b{kw}")


#: words that only say a title's level (seniority words that keep the occupation, "assistant" or "chief", are no
#: level words here, and neither is "staff", the role's own name in "Staff Accountant" and "Staff Nurse")
LEVEL_ONLY_WORDS = frozenset(SENIORITY - SENIORITY_KEEP - {"staff"})


def _leading_level_words(title: str) -> int:
    """How many of a title's first words only say its level ("Sr. Staff Accountant": 1), never its last word."""
    words = title.lower().split()
    n = 0
    while n < len(words) - 1 and words[n].strip(".,") in LEVEL_ONLY_WORDS:
        n += 1
    return n


def _keyword_start(title: str, keyword: str) -> int:
    """Index of the title word where a role keyword's first match starts (0 when it does not match).

    0 after a comma too: in "Product Manager, Construction Software" what follows the comma qualifies the whole title.
    """
    m = _keyword_rx(keyword).search(title)
    return 0 if m is None or "," in title[:m.start()] else len(title[:m.start()].split())


def score_requirements(inp: RoleInputs, extract: Callable[[list[str]], list[list[tuple[str, str, str]]]],
                       alternatives: Sequence[tuple[list[str], float]] = (),
                       role_keywords: dict[str, tuple[str, list[str]]] | None = None,
                       own_title: str | None = None, examples: dict[str, ConceptNames] | None = None,
                       priorities: dict[str, RolePriority] | None = None, niches: bool = False,
                       sibling_titles: Sequence[str] = ()) -> RequirementProfile:
    """Score every requirement of a role (see the module docstring) and mark the core set.

    ``extract`` maps texts to lists of (skill_id, label, kind) found in each (the skill extractor);
    ``alternatives`` are curated groups of substitutable technologies (skill ids, factor); ``role_keywords``
    maps concept ids to (label, title keywords of the roles that expect the concept), matched against
    ``own_title`` (the person's words for the role) and the O*NET title; ``examples`` (concept id -> names)
    are shown with a concept's label ("Health data standards (HL7, FHIR)"); ``priorities`` (O*NET-SOC code ->
    :class:`RolePriority`, default ``data/role_priorities.yaml``) order what the occupation asks first.
    ``niches``: keep a concept that only one alternate title among many names (a specialty of a few, dropped from a
    target's requirements; kept when the profile is of the person's own occupation). ``sibling_titles``: the
    person's other wordings of the same role, which help decide whether the titles name a specialty.
    """
    n = int(inp.postings)
    reqs: list[Requirement] = []
    own_title = role_of(own_title) if own_title else own_title
    sibling_titles = [role_of(t) for t in sibling_titles if t]
    # ---- O*NET elements: knowledge areas and technical skills
    for r in inp.elements.iter_rows(named=True):
        sid = r["skill_id"]
        if not sid.startswith(ELEMENT_PREFIXES) or r["importance"] is None:
            continue
        imp = float(r["importance"])
        mean = float(r.get("mean_importance") or 1.0)
        onet = max(0.0, min(1.0, (imp - mean) / ELEMENT_SPREAD)) * ELEMENT_ONET_SCALE
        reqs.append(Requirement(
            key=sid, skill_id=sid, label=r["label"], kind=r["kind"], members={sid: 1.0}, weight=round(onet, 4),
            onet=round(onet, 4), soc_postings=n, importance=imp,
            reasons=[f"O*NET importance {imp:.1f}/5 for this occupation (average over occupations {mean:.1f})"]))
    # ---- concepts: named in the occupation's tasks/work activities/titles and in its postings
    unit_hits: dict[str, int] = {}
    labels: dict[str, tuple[str, str]] = {}
    texts = [t for t in inp.texts if t]
    for found in extract(texts):
        for sid, label, kind in {(s, lb, k) for s, lb, k in found}:
            labels[sid] = (label, kind)
            unit_hits[sid] = unit_hits.get(sid, 0) + 1
    title_hits: set[str] = set()
    alt_hits: dict[str, int] = {}
    alt_from: dict[str, str] = {}  # a concept -> an alternate title naming it
    # "Dispatchers, Except Police, Fire, and Ambulance": what O*NET's title excludes is not what the role asks for
    match_titles = [core_title(t) if i == 0 and inp.title else t for i, t in enumerate(inp.titles)]
    for i, found in enumerate(_title_extract(extract, match_titles)):
        for sid, label, kind in {(s, lb, k) for s, lb, k in found}:
            labels[sid] = (label, kind)
            if i == 0 and inp.title:
                title_hits.add(sid)
            else:
                alt_hits[sid] = alt_hits.get(sid, 0) + 1
                alt_from.setdefault(sid, match_titles[i])
    # the person's own title names the role as exactly as anything can ("Logistics Dispatcher": logistics)
    own_hits: set[str] = set()
    own_tools: dict[str, str] = {}
    if own_title:
        for sid, label, kind in _title_extract(extract, [own_title])[0]:
            if kind == "concept":
                labels[sid] = (label, kind)
                own_hits.add(sid)
            elif kind == "technology" and not is_role_title(label):
                # "Power BI Developer": Power BI itself, not any BI tool; a tool named like a role ("SQL Developer",
                # Oracle's) is the role in a title
                own_tools[sid] = label
    n_alt = max(1, len(inp.titles) - (1 if inp.title else 0))
    # curated role keywords: the person's own title and the O*NET title count; alternate titles only when
    # many of them match (one "Clinical Quality Auditor" among 50 titles does not make auditing core)
    main = [core_title(t).lower() for t in (own_title, inp.title) if t]
    own = own_title.lower() if own_title else None
    alts = [t.lower() for t in inp.titles[1 if inp.title else 0:]]
    curated: dict[str, str] = {}
    curated_own: set[str] = set()
    ruled_out: set[str] = set()  # concepts a keyword would tie but for words of the person's own title
    own_start: dict[str, int] = {}  # a concept the own title ties -> the first title word its keywords cover
    # thousands of keywords against a few dozen titles: a plain substring test first (a keyword absent from every
    # title cannot match its word-start pattern), the pattern only where the words occur
    all_main, all_alts = "\n".join(main), "\n".join(alts)
    siblings = [core_title(t).lower() for t in sibling_titles if t]
    all_siblings = "\n".join(siblings)
    sibling_own: set[str] = set()  # concepts the person's other wordings of the role tie
    kw_alts: dict[str, set[int]] = {}  # a concept -> the alternate titles its role keywords tie
    # the level words a title starts with ("Senior", "Founding") qualify nothing: "mechanical engineer" in "Senior
    # Mechanical Engineer" is no generic part of the title beside a "senior mechanical engineer" keyword
    own_level = _leading_level_words(own) if own else 0
    for sid, (label, keywords) in (role_keywords or {}).items():
        for k0 in keywords:
            if "@" in k0 and not keyword_fits(k0, inp.soc_code):
                continue
            k, unless = keyword_parts(k0)
            kl = k.lower()
            in_main, in_alts = kl in all_main, kl in all_alts
            if kl in all_siblings and any(_title_hit(t, k, unless) for t in siblings):
                sibling_own.add(sid)
            if not (in_main or in_alts):
                continue
            alt_hit = [i for i, t in enumerate(alts) if _title_hit(t, k, unless)] if in_alts else []
            if alt_hit:
                kw_alts.setdefault(sid, set()).update(alt_hit)
            if own and unless and any(u in own and _keyword_rx(u).search(own) for u in unless):
                # the words that rule a keyword out rule out the person's role too: "medical and health services
                # -veterinary" ties no hospital accreditation to a Veterinary Practice Manager, whatever occupation
                # that title resolves to
                if (in_main and any(_title_hit(t, k, ()) for t in main)) or alt_hit:
                    ruled_out.add(sid)
                continue
            if (in_main and any(_title_hit(t, k, unless) for t in main)) or (
                    in_alts and len(alt_hit) >= ALT_KEYWORD_SHARE * len(alts)):
                curated.setdefault(sid, k)
                labels.setdefault(sid, (label, "concept"))
                if own and _title_hit(own, k, unless):
                    curated[sid] = k
                    curated_own.add(sid)
                    own_start[sid] = min(own_start.get(sid, 99), max(0, _keyword_start(own, k) - own_level))
    # keywords that leave out a qualifier other keywords of the title cover are the generic part of it: in "Fleet
    # Maintenance Manager" a plant "maintenance manager" expects TPM and storerooms, "fleet maintenance" says what the
    # role is; such ties count as the occupation's, not the title's own
    first_own = min(own_start.values(), default=0)
    generic_own = {sid for sid, i in own_start.items() if i > first_own}
    own_words = set(_title_tokens(core_title(own_title))) if own_title else set()
    specialty = (len(curated_own | sibling_own) >= SPECIALTY_MIN_OWN and own is not None and inp.title is not None
                 and _title_tokens(core_title(own_title or "")) != _title_tokens(core_title(inp.title)))
    # a management or supervisory occupation that rates managing people (money) high asks for it of everyone
    lead_backed: dict[str, str] = {}
    if leads_occupation(inp.soc_code) and not (own_title and manages_a_thing(own_title)) and inp.elements.height:
        rated = dict(zip(inp.elements["skill_id"].to_list(), inp.elements["importance"].to_list(), strict=True))
        element_label = dict(zip(inp.elements["skill_id"].to_list(), inp.elements["label"].to_list(), strict=True))
        for element, cid, least in LEAD_ELEMENT_CONCEPTS:
            rating = rated.get(element)
            if rating is None or float(rating) < least or cid in ruled_out or cid not in (role_keywords or {}):
                continue
            lead_backed[cid] = (f"O*NET rates {element_label.get(element, element)} {float(rating):.1f}/5 for this "
                                "occupation")
            labels.setdefault(cid, ((role_keywords or {})[cid][0], "concept"))
    esco_boost, esco_reqs = _esco_requirements(inp, extract, labels)
    ps = inp.posting_skills
    share_of: dict[str, float] = {}
    count_of: dict[str, int] = {}
    if ps.height and n > 0:
        counts = ps.group_by("skill_id").agg(pl.col("posting_id").n_unique().alias("c"),
                                             pl.col("label").first(), pl.col("kind").first())
        for sid, c, label, kind in counts.iter_rows():
            count_of[sid] = int(c)
            share_of[sid] = c / n
            labels.setdefault(sid, (label, kind))
    vocab: frozenset[str] | None = None  # the role's words, read once a concept needs them
    for sid, (label, kind) in sorted(labels.items()):
        if kind != "concept":
            continue
        task_share = unit_hits.get(sid, 0) / max(len(texts), 1)
        onet = min(1.0, CONCEPT_TASK_GAIN * task_share)
        lift = None
        if sid in own_hits:
            onet = 1.0
        elif sid in title_hits:
            # what the occupation's title names is the role itself, unless the person's title names a specialty of
            # its own: a "Media Planner" filed under Public Relations Specialists, a "Healthcare Compliance
            # Specialist" under Compensation, Benefits, and Job Analysis Specialists is no PR or job-analysis role
            onet = SPECIALTY_FACTOR if specialty else 1.0
        elif alt_hits.get(sid):
            # a few specialised alternate titles ("Special Education Coordinator" in 2 of 58) name a niche of the
            # occupation, not what it asks of everyone: the base counts in full only from ALT_KEYWORD_SHARE on
            # under a specialty title the occupation's other titles speak for other specialties ("Machine Learning
            # Engineer" among a data scientist's titles says little of an analytics engineer)
            alt_share = alt_hits[sid] / n_alt
            onet = max(onet, min(ALT_TITLE_MAX, ALT_TITLE_BASE * min(1.0, alt_share / ALT_KEYWORD_SHARE)
                                 + ALT_TITLE_GAIN * alt_share) * (SPECIALTY_FACTOR if specialty else 1.0))
        if sid in curated:
            # the skill map's expectation, a little more when O*NET's tasks, its titles or ESCO say so too (many
            # concepts of a role share the map's weight; corroboration orders them)
            # ... and more the more of the occupation's titles the map expects it of ("Consolidation" of controllers
            # and comptrollers too before "Accounts payable operations" of an accounting manager only)
            kw_share = len(kw_alts.get(sid, ())) / max(len(alts), 1)
            corroborated = min(1.0, CONCEPT_TASK_GAIN * task_share + (0.5 if sid in esco_boost else 0.0)
                               + (0.5 if alt_hits.get(sid) else 0.0)
                               + CURATED_TITLES_GAIN * min(1.0, kw_share / ALT_KEYWORD_SHARE))
            base = CURATED_OWN_TITLE_WEIGHT if sid in curated_own - generic_own else CURATED_ROLE_WEIGHT * (
                SPECIALTY_FACTOR if specialty else 1.0)
            onet = max(onet, base + CURATED_CORROBORATION * corroborated)
        if sid in lead_backed:
            onet = max(onet, CURATED_ROLE_WEIGHT + CURATED_CORROBORATION * min(1.0, CONCEPT_TASK_GAIN * task_share))
        kept_for_roles = bool((role_keywords or {}).get(sid, ("", []))[1])  # the skill map names roles for it
        other_roles = sid in esco_boost and sid not in curated and kept_for_roles
        if sid in esco_boost:
            onet = max(onet, esco_boost[sid][0] * (ESCO_OTHER_ROLES_FACTOR if other_roles else 1.0))
        share = share_of.get(sid, 0.0) if n else None
        w = _blend(onet, share, n, inp.market_relevance)
        if sid in curated or sid in title_hits or sid in own_hits or sid in esco_boost:
            w = max(w, EXPERT_FLOOR * onet)
        if sid in lead_backed:
            # postings seldom spell out that a manager manages people or money: the market does not weigh it down
            w = max(w, CURATED_ROLE_WEIGHT)
        if onet == 0 and count_of.get(sid, 0) < MIN_MARKET_CONCEPT_POSTINGS:
            continue  # a handful of postings (often one multi-role post) is noise, not a requirement
        if (not niches and alt_hits.get(sid) == 1 and n_alt * ALT_KEYWORD_SHARE >= 1 and not unit_hits.get(sid)
                and not ({sid} & (curated.keys() | esco_boost.keys() | title_hits | own_hits))
                and count_of.get(sid, 0) < MIN_MARKET_CONCEPT_POSTINGS
                and not (own_words and own_words <= set(_title_tokens(alt_from.get(sid, ""))))):
            # one specialty title among many ("Masonry Construction Manager" of 34) and nothing else: the niche of
            # a few, not what the occupation asks of someone entering it, unless it is the person's own title made
            # more specific ("Clinical Statistical Programmer" for a "Statistical Programmer")
            continue
        if onet == 0 and share and inp.global_share:
            # named only by postings: count it as far as this occupation names it more than postings in general
            # do ("customer service" in 8% of postings everywhere is not a data-science requirement)
            lift = share / max(inp.global_share.get(sid, share), 1e-9)
            w *= max(MIN_LIFT_FACTOR, min(1.0, lift / FULL_LIFT))
            if not inp.software and kept_for_roles:
                # the skill map keeps it for other roles, none of them this one: postings of a role outside software
                # name it because they sit in companies that make it ("AI agents", "SSO" in a SaaS account
                # executive's postings describe the product, not the job)
                w *= OTHER_ROLES_MARKET_FACTOR
        why = []
        if sid in own_hits:
            why.append(f"named in your title for the role ('{own_title}')")
        if sid in title_hits:
            why.append("named in the occupation's title")
        elif alt_hits.get(sid):
            why.append(f"named in {alt_hits[sid]} of {n_alt} alternate titles")
        if sid in curated:
            why.append(f"expected of '{curated[sid]}' roles (careeros skill map)")
        if sid in lead_backed:
            why.append(lead_backed[sid])
        if sid in esco_boost:
            why.append(esco_boost[sid][1] + ("; the careeros skill map names it for other roles" if other_roles else ""))
        if unit_hits.get(sid):
            why.append(f"named in {unit_hits[sid]} of {len(texts)} O*NET tasks and work activities")
        if n:
            why.append(f"in {_pct(share or 0.0)} of {n} postings"
                       + (" with this title" if inp.market_from == "title" else "")
                       + (f" ({lift:.1f}x postings in general)" if lift is not None else ""))
        names = (examples or {}).get(sid)
        if names is not None and vocab is None:
            vocab = role_words([*texts, *inp.titles, own_title or ""])
        ex = names.shown(vocab or frozenset()) if names is not None else []
        # a label that names its standard already ("Construction site safety (OSHA 1926)") does not repeat it
        ex = [e for e in ex if f" {plain_words(e)} " not in f" {plain_words(label)} "]
        shown = f"{label} ({', '.join(ex)})" if ex else label
        reqs.append(Requirement(key=sid, skill_id=sid, label=shown, kind="concept", members={sid: 1.0},
                                weight=round(w, 4), onet=round(onet, 4), posting_share=share,
                                postings=count_of.get(sid, 0), soc_postings=n, trend=inp.trends.get(sid),
                                reasons=why))
    # ESCO's knowledge fills in where the curated concepts know little of the role: one ESCO item fewer for each
    # strong concept requirement (a machine learning role has plenty; a facilities manager may have none)
    strong = sum(1 for q in reqs if q.kind == "concept" and q.weight >= ESCO_STRONG_CONCEPT)
    reqs.extend(esco_reqs[:max(0, ESCO_MAX_REQS - strong)])
    # ---- technology families (O*NET commodity classes + curated alternatives)
    alt_of: dict[str, str] = {}
    for alt_ids, _f in alternatives:
        alt_key = "family:" + _slug("-".join(sorted(alt_ids))[:60])
        for member in alt_ids:
            alt_of.setdefault(member, alt_key)
    tech = inp.tech
    members: dict[str, dict[str, Any]] = {}
    for r in tech.iter_rows(named=True):
        n_occ = max(1, int(r.get("n_occupations") or 1))
        idf = max(0.0, min(1.0, math.log(N_OCCUPATIONS / n_occ) / math.log(N_OCCUPATIONS / 5)))
        members[r["skill_id"]] = {"label": r["label"], "onet": float(r["weight"] or 0.0) * (0.3 + 0.7 * idf),
                                  "commodity": r["commodity_title"], "hot": bool(r["hot"]),
                                  "in_demand": bool(r["in_demand"])
                                  and float(r["weight"] or 0.0) >= OCCUPATION_IN_DEMAND_WEIGHT - 1e-9}
    if ps.height and n > 0:
        techs = ps.filter(pl.col("kind") == "technology").group_by("skill_id").agg(
            pl.col("posting_id").n_unique().alias("c"), pl.col("label").first(), pl.col("commodity_title").first())
        market_only = [(sid, label, commodity) for sid, c, label, commodity in techs.iter_rows()
                       if sid not in members and c >= MIN_MARKET_POSTINGS and c / n >= MIN_MARKET_SHARE]
        # the postings of a non-software role name their employer's stack ("Marketing Manager" at a startup:
        # React, Rust): a technology O*NET lists only for other occupations (none in this one's broad
        # group) is not the role's; one O*NET does not know counts unless most known ones were the employer's
        group = inp.soc_code[:6]
        foreign = {sid for sid, _, _ in market_only if inp.tech_groups.get(sid) and group not in inp.tech_groups[sid]}
        known = sum(1 for sid, _, _ in market_only if inp.tech_groups.get(sid))
        foreign_stack = len(foreign) > known - len(foreign)
        for sid, label, commodity in market_only:
            if sid in foreign or (foreign_stack and not inp.tech_groups.get(sid)):
                continue
            members[sid] = {"label": label, "onet": 0.0, "commodity": commodity, "hot": False, "in_demand": False}
    alt_keys = set(alt_of.values())
    families: dict[str, list[str]] = {}
    for sid, m in members.items():
        families.setdefault(_family_key(sid, m["commodity"], alt_of), []).append(sid)
    fam_postings: dict[str, int] = {}
    if ps.height and n > 0:
        fam_of = {sid: k for k, ids in families.items() for sid in ids}
        fp = (ps.filter(pl.col("skill_id").is_in(list(fam_of)))
              .with_columns(pl.col("skill_id").replace_strict(fam_of, return_dtype=pl.String).alias("fam"))
              .group_by("fam").agg(pl.col("posting_id").n_unique().alias("c")))
        fam_postings = dict(zip(fp["fam"].to_list(), fp["c"].to_list(), strict=True))
    for key, ids in sorted(families.items()):
        ids.sort(key=lambda s: (-count_of.get(s, 0), -members[s]["onet"], members[s]["label"]))
        lead = ids[0]
        onet = max(members[s]["onet"] for s in ids) * TECH_ONET_SCALE
        share = fam_postings.get(key, 0) / n if n else None
        w = _blend(onet, share, n, inp.market_relevance)
        esco_w, esco_why = max((esco_boost.get(s, (0.0, "")) for s in ids), key=lambda b: b[0])
        w = max(w, esco_w)
        lead_c = count_of.get(lead, 0)
        comm = next((members[s]["commodity"] for s in ids if members[s]["commodity"]), None)
        loose = inp.software and key not in alt_keys and comm in LOOSE_COMMODITIES
        factors = {s: 1.0 if (s == lead or (lead_c and count_of.get(s, 0) >= CO_LEADER_SHARE * lead_c)) else
                   MEMBER_FACTOR for s in ids}
        top_onet = members[lead]["onet"]
        named = [members[s]["label"] for s in ids if factors[s] >= 1.0
                 or (not lead_c and members[s]["onet"] >= 0.8 * top_onet)][:3]
        label = named[0] if len(named) == 1 else f"{named[0]} (or {', '.join(named[1:])})"
        dev_tool = (not inp.software and comm in DEV_COMMODITIES
                    and not any(members[s]["label"].lower() in DESIGN_TOOLS for s in ids))
        if dev_tool:
            w *= NON_SOFTWARE_DEV_FACTOR
        # under a specialty title the occupation's tool lists and postings speak for its other specialties: an
        # "Embedded Software Engineer" filed under Software Developers is asked for RTOS and JTAG, not React
        # (when few of the occupation's postings carry the words that set the title apart)
        # development tools only: a "Transaction Advisory Senior" among financial analysts still needs their BI tools
        other_specialties = (specialty and inp.market_from != "title" and inp.market_relevance < SPECIALTY_MARKET_RELEVANCE
                             and not esco_w and comm in DEV_COMMODITIES)
        if other_specialties:
            w *= SPECIALTY_FACTOR
        everyday = comm in EVERYDAY_COMMODITIES and not fam_postings.get(key, 0)
        if everyday:
            w *= EVERYDAY_ONET_ONLY_FACTOR
        hot = any(members[s]["hot"] for s in ids)
        dem = any(members[s]["in_demand"] for s in ids)
        why = []
        if onet > 0:
            why.append("O*NET technology for this occupation" + (" (Hot Technology)" if hot else "")
                       + (" (In Demand)" if dem else ""))
        if n:
            why.append(f"in {_pct(share or 0.0)} of {n} postings"
                       + (" with this title" if inp.market_from == "title" else ""))
        if esco_why:
            why.append(esco_why)
        if comm and len(ids) > 1:
            why.append(f"any {comm.lower()} counts ({len(ids)} alternatives)")
        if dev_tool:
            why.append("a development tool, weighed down: this role does not program (O*NET)")
        if other_specialties:
            why.append("weighed down: your title names a specialty of the occupation, whose tools these are in general")
        if everyday:
            why.append("an everyday office tool no posting names, weighed down")
        reqs.append(Requirement(
            key=key, skill_id=lead, label=label, kind="technology", members=factors,
            member_labels=[members[s]["label"] for s in ids], member_cap=LOOSE_MEMBER_CAP if loose else None, weight=round(w, 4), onet=round(onet, 4),
            posting_share=share, postings=fam_postings.get(key, 0), soc_postings=n, hot=hot, in_demand=dem,
            trend=inp.trends.get(lead), reasons=why,
            onet_only=onet > 0 and not fam_postings.get(key, 0) and not dem and not esco_w))
    for sid, label in sorted(own_tools.items()):
        reqs.append(Requirement(
            key=f"own:{sid}", skill_id=sid, label=label, kind="technology", members={sid: 1.0}, member_labels=[label],
            weight=1.0, onet=1.0, soc_postings=n, reasons=[f"named in your title for the role ('{own_title}')"]))
    # ---- what hiring managers name first for the occupation rises above the many concepts that share the skill map's
    # weight; what plainly belongs to another occupation (a dental practice system for registered nurses) falls away
    pri = (role_priorities() if priorities is None else priorities).get(inp.soc_code)
    if pri is not None:
        # what the person's own title rules out is no key requirement of their role: an adjunct or community college
        # instructor is hired to teach, not for the research a professor's occupation asks first
        _apply_priorities(reqs, pri, specialty, ruled_out - curated.keys())
    # ---- rank, merge duplicates (a concept and a technology can share a member), mark the core
    reqs.sort(key=lambda q: (-q.weight, q.label.lower(), q.key))
    seen: set[str] = set()
    out: list[Requirement] = []
    for q in reqs:
        if q.key in seen:
            continue
        seen.add(q.key)
        out.append(q)
    # the core: the heaviest requirements (weight >= 0.25; at least 12, at most 40), with at most 8 tool
    # families that only O*NET's long example lists name (they would crowd out what the role is about)
    onet_only = 0
    core: list[Requirement] = []
    for q in out:
        if q.weight <= 0 or len(core) >= CORE_MAX:
            break
        filling = q.weight < CORE_WEIGHT
        if filling and len(core) >= CORE_MIN:
            break
        if q.kind == "technology" and not q.postings and not q.key.startswith("own:"):
            # a tool only O*NET lists joins the core when O*NET flags it In Demand for this occupation, a few at
            # most, and never just to fill the core up (Hot Technology is economy-wide: Epic is hot, and listed for
            # accountants, because hospital accountants use it)
            if filling or not q.in_demand or onet_only >= MAX_ONET_ONLY_TECH_IN_CORE:
                continue
            onet_only += 1
        core.append(q)
    for q in core:
        q.core = True
    return RequirementProfile(soc_code=inp.soc_code, title=inp.title, soc_postings=n, requirements=out,
                              ruled_out=sorted(ruled_out - curated.keys()))


class RolePriority(NamedTuple):
    """One occupation's role priorities (``data/role_priorities.yaml``).

    ``key``: what a hiring manager names first for someone entering the occupation (skill ids, most important first);
    ``off``: what in its requirement list belongs to another occupation.
    """

    key: tuple[str, ...]
    off: frozenset[str]


@lru_cache(maxsize=2)
def _role_priorities(path: str, mtime_ns: int) -> dict[str, RolePriority]:
    from careeros.resources import load_yaml

    data = load_yaml(Path(path)) or {}
    out: dict[str, RolePriority] = {}
    for soc, e in (data.get("occupations") or {}).items():
        e = e or {}
        out[str(soc)] = RolePriority(key=tuple(str(x) for x in e.get("key") or ()),
                                     off=frozenset(str(x) for x in e.get("off") or ()))
    return out


def role_priorities() -> dict[str, RolePriority]:
    """``data/role_priorities.yaml`` as O*NET-SOC code -> :class:`RolePriority` (empty when the file is absent)."""
    from careeros.resources import data_path

    p = data_path("role_priorities.yaml")
    return _role_priorities(str(p), p.stat().st_mtime_ns) if p.exists() else {}


def _apply_priorities(reqs: list[Requirement], pri: RolePriority, specialty: bool,
                      ruled_out: set[str] | frozenset[str] = frozenset()) -> None:
    """Lift an occupation's key requirements (the first most) and weigh down its off-role ones, in place.

    ``ruled_out``: concepts the person's own title rules out (a skill-map keyword's excluded words): off-role.
    """
    keys = [sid for sid in pri.key if sid not in ruled_out]
    rank = {sid: i for i, sid in enumerate(keys)}
    n = max(1, len(keys))
    off = pri.off | frozenset(ruled_out)
    for q in reqs:
        ids = (q.skill_id, *q.members)
        i = min((rank[s] for s in ids if s in rank), default=None)
        if i is not None:
            gain = KEY_GAIN * (1.0 - i / (2 * n))
            w = q.weight + gain * 0.5 if specialty else max(q.weight, KEY_FLOOR) + gain
            q.weight = round(min(1.0, w), 4)
            q.reasons.append(f"among the first things hiring managers ask of this occupation (#{i + 1} of "
                             f"{len(keys)}, careeros role priorities)")
        elif any(s in off for s in ids):
            q.weight = round(q.weight * OFF_ROLE_FACTOR, 4)
            q.reasons.append("weighed down: it belongs to other occupations more than this one (careeros role "
                             "priorities)")


def merge_profiles(first: RequirementProfile, *others: RequirementProfile) -> RequirementProfile:
    """One occupation's profiles under several of the person's wordings, as one profile.

    "BI Developer" and "Power BI Developer" are one occupation, but the second names Power BI: what any wording
    asks for counts. A requirement in several keeps its heaviest version; it is core when it is core in any.
    """
    best: dict[str, Requirement] = {}
    core: set[str] = set()
    # what one wording rules out ("Adjunct Math Instructor": no research grants) is read from that wording, however
    # another ("Mathematics Faculty") weighs it: the narrower wording says what the person wants
    off = {sid for prof in (first, *others) for sid in prof.ruled_out}
    for prof in (first, *others):
        narrow = set(prof.ruled_out)
        for q in prof.requirements:
            ruled = q.key in off or q.skill_id in off
            if ruled and not (q.key in narrow or q.skill_id in narrow):
                continue  # the ruling wording's version stands
            if q.core:
                core.add(q.key)
            if q.key not in best or (q.weight > best[q.key].weight) != ruled:
                best[q.key] = q
    reqs = [q.model_copy(update={"core": q.key in core}) for q in best.values()]
    reqs.sort(key=lambda q: (-q.weight, q.label.lower(), q.key))
    return RequirementProfile(soc_code=first.soc_code, title=first.title,
                              soc_postings=max(p.soc_postings for p in (first, *others)), requirements=reqs,
                              ruled_out=sorted(off))


# ------------------------------------------------------------------------------------------------ readers


def _esco_requirements(inp: RoleInputs, extract: Callable[[list[str]], list[list[tuple[str, str, str]]]],
                       labels: dict[str, tuple[str, str]]) -> tuple[dict[str, tuple[float, str]], list[Requirement]]:
    """ESCO essential skills of the title's ESCO occupations.

    Returns boosts for the curated concepts and tools their labels name, and requirements for the rest (the
    heaviest :data:`ESCO_MAX_REQS` knowledge items).
    """
    esco = inp.esco
    if esco is None or not esco.height:
        return {}, []
    n_occ = max(1, esco["occupation_uri"].n_unique())
    if "task" not in esco.columns:
        esco = esco.with_columns(pl.lit(False).alias("task"))
    per = esco.group_by("skill_id").agg(pl.col("label").first(), pl.col("kind").first(), pl.col("df").first(),
                                        pl.col("task").first(),
                                        pl.col("occupation").unique().sort().alias("occs")).sort("skill_id")
    found = extract([str(x) for x in per["label"].to_list()])
    boost: dict[str, tuple[float, str]] = {}
    scored: list[Requirement] = []
    span = math.log(ESCO_DF_ZERO / ESCO_DF_FULL)
    for r, hits in zip(per.iter_rows(named=True), found, strict=True):
        df = max(int(r["df"] or 1), 1)
        spec = 1.0 - math.log(max(df, ESCO_DF_FULL) / ESCO_DF_FULL) / span
        if spec <= 0:
            continue
        occs = list(r["occs"])
        w = ESCO_WEIGHT * (0.5 + 0.5 * min(1.0, spec)) * (0.5 + 0.5 * len(occs) / n_occ)
        where = ", ".join(f"'{o}'" for o in occs[:2])
        why = f"essential for {where} in ESCO (the EU's skills classification; essential in {df} ESCO occupations)"
        concepts = [(sid, lb) for sid, lb, kind in hits if kind == "concept"]
        if concepts:
            for sid, lb in concepts:
                if w > boost.get(sid, (0.0, ""))[0]:
                    boost[sid] = (w, why)
                labels.setdefault(sid, (lb, "concept"))
            continue
        tools = [sid for sid, _, kind in hits if kind == "technology"]
        if tools:
            for sid in tools:  # a tool: raises its technology family
                if w > boost.get(sid, (0.0, ""))[0]:
                    boost[sid] = (w, why)
            continue
        if r["task"]:
            continue  # ESCO's competences are task phrases ("persuade clients with alternatives"): knowledge only
        label = str(r["label"])
        scored.append(Requirement(key=r["skill_id"], skill_id=r["skill_id"], label=label[:1].upper() + label[1:],
                                  kind=str(r["kind"] or "skill"), members={r["skill_id"]: 1.0}, weight=round(w, 4),
                                  onet=round(w, 4), soc_postings=int(inp.postings), reasons=[why]))
    scored.sort(key=lambda q: (-q.weight, q.label))
    return boost, scored[:ESCO_MAX_REQS]


def _title_tokens(text: str) -> tuple[str, ...]:
    words = [w for w in re.findall(r"[a-z0-9+#]+", text.lower()) if w not in _TITLE_STOP]
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


def _title_match(title: tuple[str, ...], label: tuple[str, ...]) -> float:
    """How well an ESCO occupation label names the person's title (1 = the same words)."""
    if not title or not label:
        return 0.0
    if label == title:
        return 1.0
    if len(label) >= 2 and len(label) < len(title) and title[-len(label):] == label:
        return 0.8 + 0.1 * len(label) / len(title)  # "corporate instructional designer" ends with the label
    if len(title) >= 2 and len(label) == len(title) + 1 and any(label[:i] + label[i + 1:] == title
                                                               for i in range(len(label))):
        return 0.8  # "big data engineer" for "data engineer", "registered general nurse" for "registered nurse"
    return 0.0


#: graph sha -> (ESCO occupations with tokenised labels, task-phrase verbs); built once per warehouse graph
_ESCO_REFERENCE: dict[str, tuple[list[tuple[str, str, tuple[str, ...], list[tuple[str, ...]]]], frozenset[str]]] = {}


def _esco_reference(con: Any) -> tuple[list[tuple[str, str, tuple[str, ...], list[tuple[str, ...]]]], frozenset[str]]:
    """ESCO occupation labels, tokenised, and the verbs that open task phrases, cached per graph sha.

    A plan looks up 2-4 titles; each used to re-read and re-tokenise 3,039 occupations and their alternative labels.
    """
    from careeros.planner.data import cached, graph_sha
    from careeros.settings import get_settings

    key = graph_sha(con)
    if key not in _ESCO_REFERENCE:
        # also on disk, keyed by the graph sha (its inputs include ESCO and O*NET) and this module's code (the
        # tokeniser): a CLI call reads it back instead of tokenising the labels again (~0.3 s)
        code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
        got = (cached(get_settings().cache_dir, key, f"esco-reference-{code}", lambda: _build_esco_reference(con))
               if key != "none" else None)
        _ESCO_REFERENCE.clear()  # one warehouse graph at a time
        _ESCO_REFERENCE[key] = got if isinstance(got, tuple) else _build_esco_reference(con)
    return _ESCO_REFERENCE[key]


def _build_esco_reference(con: Any) -> tuple[list[tuple[str, str, tuple[str, ...], list[tuple[str, ...]]]],
                                             frozenset[str]]:
    occs = [(uri, pref, _title_tokens(pref), [_title_tokens(a) for a in alts or []]) for uri, pref, alts in
            con.execute("SELECT occupation_uri, preferred_label, alt_labels FROM esco_occupation "
                        "ORDER BY occupation_uri").fetchall()]
    # ESCO's skill types are partly reconstructed here ("conduct educational activities" typed knowledge), so
    # a label is a task phrase when its first word opens O*NET work activities, which always start with a
    # verb ("Conduct ...", "Identify ...", "Apply ..."; British spellings added)
    verbs = {str(w) for (w,) in con.execute(
        "SELECT DISTINCT lower(split_part(dwa_title, ' ', 1)) FROM onet_dwa").fetchall()}
    verbs |= {w.replace("yze", "yse").replace("ize", "ise") for w in verbs} | {
        "use", "apply", "teach", "ensure", "work", "combine", "persuade", "define", "comply"}
    return occs, frozenset(verbs)


def task_verbs(con: Any) -> frozenset[str]:
    """The words that open task phrases (O*NET work activities' first words, British spellings added)."""
    return _esco_reference(con)[1]


def esco_occupations(con: Any, title: str | None, soc_code: str) -> list[tuple[str, str, float]]:
    """ESCO occupations (uri, label, score) the title names, best first.

    When no ESCO label names the title, the occupation's strongest crosswalk matches.
    """
    from careeros.warehouse.db import table_exists

    if not table_exists(con, "esco_occupation") or not table_exists(con, "esco_occupation_skill"):
        return []
    tt = _title_tokens(title or "")
    best: dict[str, tuple[str, float]] = {}
    if tt:
        for uri, pref, pref_tokens, alt_tokens in _esco_reference(con)[0]:
            score = _title_match(tt, pref_tokens)
            for a in alt_tokens:
                score = max(score, 0.95 * _title_match(tt, a))
            if score >= ESCO_MATCH_MIN:
                best[uri] = (pref, score)
    top = max((sc for _, sc in best.values()), default=0.0)
    # only the best tier: an occupation named by its preferred label outranks others that merely list the title
    # among their alternative labels (ESCO's "interior architect" lists "construction manager")
    out = sorted(((u, lb, sc) for u, (lb, sc) in best.items() if sc >= top - 0.01),
                 key=lambda x: (-x[2], x[1]))[:ESCO_MAX_OCCUPATIONS]
    if not out and table_exists(con, "graph_esco_onet_crosswalk"):
        out = [(u, lb, float(c)) for u, lb, c in con.execute(
            "SELECT occupation_uri, esco_label, confidence FROM graph_esco_onet_crosswalk WHERE soc_code = ? "
            "AND confidence >= ? ORDER BY confidence DESC, esco_label LIMIT 2", [soc_code, ESCO_CROSSWALK_MIN]).fetchall()]
    return out


def esco_essentials(con: Any, occupations: Sequence[tuple[str, str, float]]) -> pl.DataFrame:
    """Essential ESCO skills of ``occupations`` (no transversal or language skills) with their ``df``."""
    schema = {"occupation_uri": pl.String, "occupation": pl.String, "skill_id": pl.String, "label": pl.String,
              "kind": pl.String, "df": pl.Int64, "task": pl.Boolean}
    if not occupations:
        return pl.DataFrame(schema=schema)
    uris = [u for u, _, _ in occupations]
    names = {u: lb for u, lb, _ in occupations}
    rows = con.execute(
        "WITH df AS (SELECT skill_uri, count(DISTINCT occupation_uri) AS df FROM esco_occupation_skill "
        "WHERE relation_type = 'essential' GROUP BY 1) "
        "SELECT os.occupation_uri, os.skill_uri, s.preferred_label, s.skill_type, df.df FROM esco_occupation_skill os "
        "JOIN esco_skill s ON s.skill_uri = os.skill_uri JOIN df ON df.skill_uri = os.skill_uri "
        "WHERE os.relation_type = 'essential' AND os.occupation_uri IN (SELECT unnest(?)) "
        "AND coalesce(s.reuse_level, '') <> 'transversal' "
        "AND NOT list_contains(coalesce(s.collections, []), 'language') ORDER BY 1, 2", [uris]).fetchall()
    verbs = _esco_reference(con)[1]
    return pl.DataFrame([{"occupation_uri": u, "occupation": names[u], "skill_id": "esco:" + k.rsplit("/", 1)[-1],
                          "label": lb, "kind": "knowledge" if (t or "") == "knowledge" else "skill", "df": int(d),
                          "task": lb.lower().split(" ", 1)[0] in verbs or lb.lower().split(" ", 1)[0].endswith("ly")}
                         for u, k, lb, t, d in rows], schema=schema)


#: O*NET's "Programming" skill element, and the importance (1-5) from which a role counts as one that programs:
#: software developers 4.1, QA testers 3.6, data scientists and health informatics specialists 2.9, information
#: security analysts 2.6; help-desk and network support specialists 2.25, mechanical engineers 2.4, engineering
#: managers 1.9
PROGRAMMING_ELEMENT, PROGRAMMING_ROLE_MIN = "onet:2.B.3.e", 2.5


def is_software_role(soc_code: str, elements: pl.DataFrame | None = None) -> bool:
    """A role that programs: O*NET rates its Programming skill at ``PROGRAMMING_ROLE_MIN`` or more.

    Without a rating: a computer occupation (SOC 15-) or one whose work-product family is a software family.
    """
    from careeros.planner.artifacts import family_for

    if elements is not None and elements.height:
        got = elements.filter(pl.col("skill_id") == PROGRAMMING_ELEMENT)["importance"].drop_nulls()
        if got.len():
            return float(got.max()) >= PROGRAMMING_ROLE_MIN  # type: ignore[arg-type]
    return soc_code.startswith("15-") or family_for(soc_code, _families()).software


@lru_cache(maxsize=1)
def _families() -> list[Any]:
    from careeros.planner.artifacts import load_families

    return load_families()


def own_title_words(own_title: str | None) -> list[str]:
    """The words of a person's title for a role that postings titled like it must share (no stop words)."""
    return [w for w in re.findall(r"[a-z0-9+#]+", (own_title or "").lower()) if w not in _TITLE_STOP]


def distinguishing_words(own_title: str | None, occupation_title: str | None) -> list[str]:
    """Words of the person's own title for a role that set it apart from the occupation it was filed under.

    Not a role word (developer, analyst, manager ...), not a stop word, and not in the occupation's title:
    "Salesforce Developer" under Web Developers -> ["salesforce"]; "Web Developer" -> [].
    """
    from careeros.market.titles import role_heads

    occ = (occupation_title or "").lower()
    return [w for w in own_title_words(own_title)
            if w not in role_heads() and not re.search(rf"\b{re.escape(w)}", occ)]


def market_relevance(own_title: str | None, occupation_title: str | None, posting_titles: Sequence[str]) -> float:
    """How far the occupation's postings describe the person's own role, in [0, 1].

    The share of the postings titled with a word :func:`distinguishing_words` finds, / TITLED_SHARE, capped at 1;
    1.0 when nothing sets the title apart or there are no postings. "Salesforce Developer" against Web Developers
    postings titled "Senior Frontend Engineer", "Full Stack Developer (React)": 0.
    """
    words = distinguishing_words(own_title, occupation_title)
    if not words or not posting_titles:
        return 1.0
    rx = re.compile("|".join(rf"\b{re.escape(w)}" for w in words))
    hit = sum(1 for t in posting_titles if rx.search((t or "").lower()))
    return min(1.0, hit / len(posting_titles) / TITLED_SHARE)


#: one employer's postings of one title count once (a job posted in three cities, or three times, is one job): the
#: unit postings are counted in when a role's market is read
_POSTING_KEY = ("coalesce(lower(trim(p.company)) || '|' || lower(trim(p.title)), p.posting_id)")


def role_inputs(con: Any, soc_code: str, own_title: str | None = None) -> RoleInputs:
    """Read one occupation's requirement inputs from an open warehouse connection.

    The market is the postings titled like ``own_title`` when there are at least ``MIN_TITLE_POSTINGS`` of
    them, else the occupation's postings; one employer's postings of one title count as one (``_POSTING_KEY``).
    """
    from careeros.warehouse.db import fetch_one, table_exists

    row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?", [soc_code]))
    title = row[0] if row else None
    elements = con.sql(
        "WITH m AS (SELECT skill_id, avg(importance) AS mean_importance FROM graph_occupation_skill "
        "WHERE relation = 'onet_rating' GROUP BY skill_id) "
        "SELECT e.skill_id, s.label, s.kind, e.importance, m.mean_importance FROM graph_occupation_skill e "
        "JOIN graph_skill s USING (skill_id) LEFT JOIN m USING (skill_id) "
        "WHERE e.soc_code = ? AND e.relation IN ('onet_rating', 'onet_rating_imputed')",
        params=[soc_code]).pl()
    tech = con.sql(
        "SELECT e.skill_id, s.label, e.weight, s.commodity_title, coalesce(s.hot_technology, false) AS hot, "
        "coalesce(s.in_demand, false) AS in_demand, s.n_occupations FROM graph_occupation_skill e JOIN graph_skill s "
        "USING (skill_id) WHERE e.soc_code = ? AND e.relation = 'onet_technology'", params=[soc_code]).pl()
    texts = [r[0] for r in con.execute(
        "SELECT task FROM onet_task WHERE soc_code = ? ORDER BY task_id", [soc_code]).fetchall()]
    texts += [r[0] for r in con.execute(
        "SELECT DISTINCT d.dwa_title FROM onet_task_dwa t JOIN onet_dwa d USING (dwa_id) WHERE t.soc_code = ? "
        "ORDER BY 1", [soc_code]).fetchall()]
    titles = ([title] if title else []) + [r[0] for r in con.execute(
        "SELECT alternate_title FROM onet_alternate_title WHERE soc_code = ? ORDER BY 1", [soc_code]).fetchall()]
    n = 0
    market_from = "occupation"
    relevance = 1.0
    ps = pl.DataFrame(schema={"posting_id": pl.String, "skill_id": pl.String, "label": pl.String, "kind": pl.String,
                              "commodity_title": pl.String})
    if table_exists(con, "posting") and table_exists(con, "posting_skill"):
        # only postings with a description can name skills (LinkedIn 2023 rows and USAJOBS summaries cannot);
        # postings titled like the person's own title are the market when there are enough of them ("Product
        # Manager" postings, whichever occupation the normaliser filed them under), else the occupation's
        where, params = "p.soc_code = ?", [soc_code]
        words = own_title_words(own_title)
        if words:
            cond = " AND ".join("regexp_matches(lower(p.title), ?)" for _ in words)
            wparams = [rf"\b{re.escape(w)}" for w in words]
            got = fetch_one(con.execute(
                f"SELECT count(DISTINCT {_POSTING_KEY}) FROM posting p WHERE p.is_current AND {cond} "
                f"AND length(p.text) >= {MIN_POSTING_TEXT}", wparams))
            if got and int(got[0]) >= MIN_TITLE_POSTINGS:
                where, params, market_from = cond, wparams, "title"
        titled = [r[1] for r in con.execute(
            f"SELECT {_POSTING_KEY}, any_value(p.title) FROM posting p WHERE p.is_current AND {where} "
            f"AND length(p.text) >= {MIN_POSTING_TEXT} GROUP BY 1", params).fetchall()]
        n = len(titled)
        if n and market_from == "occupation":
            relevance = market_relevance(own_title, title, titled)
        if n:
            ps = con.sql(
                f"SELECT DISTINCT {_POSTING_KEY} AS posting_id, k.skill_id, coalesce(g.label, k.label) AS label, "
                "coalesce(g.kind, k.kind) AS kind, g.commodity_title FROM posting p "
                "JOIN posting_skill k ON k.posting_id = p.posting_id AND k.raw_sha256 = p.raw_sha256 "
                f"LEFT JOIN graph_skill g ON g.skill_id = k.skill_id WHERE p.is_current AND {where} "
                f"AND length(p.text) >= {MIN_POSTING_TEXT}",
                params=params).pl()
    tech_groups: dict[str, frozenset[str]] = {}
    tech_ids = ps.filter(pl.col("kind") == "technology")["skill_id"].unique().to_list() if ps.height else []
    if tech_ids:
        tech_groups = {sid: frozenset(g) for sid, g in con.execute(
            "SELECT skill_id, list(DISTINCT substr(soc_code, 1, 6)) FROM graph_occupation_skill "
            "WHERE relation = 'onet_technology' AND list_contains(?, skill_id) GROUP BY 1", [tech_ids]).fetchall()}
    glob: dict[str, float] = {}
    if n:
        total = fetch_one(con.execute(
            f"SELECT count(DISTINCT posting_id) FROM posting WHERE is_current AND length(text) >= {MIN_POSTING_TEXT}"))
        tot = int(total[0]) if total else 0
        if tot:
            glob = {sid: c / tot for sid, c in con.execute(
                "SELECT k.skill_id, count(DISTINCT p.posting_id) FROM posting p JOIN posting_skill k "
                "ON k.posting_id = p.posting_id AND k.raw_sha256 = p.raw_sha256 WHERE p.is_current "
                f"AND length(p.text) >= {MIN_POSTING_TEXT} AND k.kind = 'concept' GROUP BY 1").fetchall()}
    trends: dict[str, float] = {}
    if table_exists(con, "demand_trends"):
        cols = {r[0] for r in con.sql("DESCRIBE demand_trends").fetchall()}
        col = next((c for c in ("trend_12w", "slope_12w", "change_12w", "trend") if c in cols), None)
        if col and "soc_code" in cols:
            for sid, v in con.execute(f"SELECT skill_id, {col} FROM demand_trends WHERE soc_code = ?",
                                      [soc_code]).fetchall():
                if v is not None and not (isinstance(v, float) and math.isnan(v)):
                    trends[sid] = float(v)
    esco = esco_essentials(con, esco_occupations(con, own_title or title, soc_code))
    return RoleInputs(soc_code=soc_code, title=title, elements=elements, tech=tech, texts=texts, titles=titles,
                      postings=n, posting_skills=ps, trends=trends, global_share=glob, market_from=market_from,
                      esco=esco, tech_groups=tech_groups, software=is_software_role(soc_code, elements),
                      market_relevance=relevance)


def extractor_fn(extractor: Any) -> Callable[[list[str]], list[list[tuple[str, str, str]]]]:
    """Adapt a :class:`~careeros.market.skills.SkillExtractor` to :func:`score_requirements`' ``extract``."""

    def run(texts: list[str]) -> list[list[tuple[str, str, str]]]:
        return [[(m.skill_id, m.label, m.kind) for m in ms] for ms in extractor.extract_many(texts)]

    return run


def role_keywords(table: dict[str, Any]) -> dict[str, tuple[str, list[str]]]:
    """Concept id -> (label, role title keywords) from the concept table's ``roles`` lists."""
    from careeros.graph.ids import concept_id

    return {concept_id(str(c["label"])): (str(c["label"]), [str(k) for k in c["roles"]])
            for c in table.get("concepts") or [] if c.get("roles")}


#: how many distinct aliases ``alias_examples`` picks unless told
ALIAS_EXAMPLES = 2
#: names shown with a concept gap: its own examples, filled up with distinct aliases to this many. A coach names what
#: a skill means in practice ("AML and KYC (BSA/AML, KYC, OFAC screening, transaction monitoring)"), and the
#: person finds the words postings use for it.
EXAMPLES_SHOWN = 8


_SUFFIX = re.compile(r"(?<=[a-z]{3})(?:ing|ies|es|ed|s)$")


def phrase_stems(text: str) -> set[str]:
    """Content words of a phrase, compared loosely.

    Long words by a 5-letter stem after a plural or -ing/-ed ending ("tests" is "testing"); short words (acronyms)
    whole, without a plural s ("EHRs" is "EHR").
    """
    out = set()
    for w in re.findall(r"[a-z0-9+#]+", text.lower()):
        if w in MINOR_WORDS:
            continue
        if len(w) >= 4 and not (len(w) == 4 and w.endswith("s")):
            out.add(_SUFFIX.sub("", w)[:5])
        elif len(w) >= 2:
            out.add(w[:-1] if len(w) > 2 and w.endswith("s") else w)
    return out


def _initials(text: str) -> str:
    return "".join(w[0] for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in MINOR_WORDS)


_ACRONYM_AFTER = re.compile(r"^(?P<words>[^()]+?)\s*\((?P<ab>[A-Za-z]{2,6})\)\s*$")
_ACRONYM_BEFORE = re.compile(r"^(?P<ab>[A-Za-z]{2,6})\s*\((?P<words>[^()]+)\)\s*$")


def without_title_acronym(title: str) -> str:
    """A job title without its own abbreviation (the initials of the title's words).

    "Direct Support Professional (DSP)" is not digital signal processing, "Certified Personal Chef (CPC)" not the
    coding credential, "DSO (Distribution System Operator)" not days sales outstanding.
    """
    for rx in (_ACRONYM_AFTER, _ACRONYM_BEFORE):
        m = rx.match(title or "")
        if m and _initials(m["words"]) == m["ab"].lower():
            return m["words"].strip()
    return title


#: words any credential shares ("Certified Personal Chef" and "Coding certification" name different things)
_CREDENTIAL_STEMS = frozenset({"certi", "licen", "regis", "accre"})


def _title_extract(extract: Callable[[list[str]], list[list[tuple[str, str, str]]]],
                   titles: list[str]) -> list[list[tuple[str, str, str]]]:
    """What ``extract`` finds in job titles, less what only the title's own abbreviation names in another field.

    "Direct Support Professional (DSP)": DSP is digital signal processing only when the concept shares no word with
    the title ("Certified Nursing Assistant (CNA)" keeps the CNA credential, which names the nursing assistant).
    """
    found = extract(titles)
    short = {i: without_title_acronym(t) for i, t in enumerate(titles)}
    changed = [i for i, t in short.items() if t != titles[i]]
    if not changed:
        return found
    plain = extract([short[i] for i in changed])
    for i, got in zip(changed, plain, strict=True):
        keep = {sid for sid, _, _ in got}
        words = phrase_stems(short[i]) - _CREDENTIAL_STEMS
        found[i] = [(sid, lb, k) for sid, lb, k in found[i] if sid in keep or phrase_stems(lb) & words]
    return found


def alias_examples(label: str, aliases: Sequence[str], n: int = ALIAS_EXAMPLES,
                   shown: Sequence[str] = (), prefer: frozenset[str] | set[str] = frozenset()) -> list[str]:
    """The ``n`` shortest aliases that say something the label and the names ``shown`` with it do not.

    "Prospecting": cold calling, lead qualification. Aliases sharing no content word with what is shown come first,
    then those adding at least one new word ("SQL queries" after "SQL querying (SQL)"). Skipped: variants with no
    new content word ("sales prospecting", "LAN and WAN" after "LAN/WAN", "EHRs" after "EHR") and the label's own
    acronym ("EHR" for "Electronic health records"). Within each pass, names in the words of the role (``prefer``:
    stems of its tasks and titles, see ``role_words``) come first: a transit supervisor's people management reads
    "coaching staff", not "mentoring engineers".
    """
    acronym = _initials(label)
    seen = phrase_stems(" ".join([label, *shown])) | ({acronym} if len(acronym) > 1 else set())
    own = f" {plain_words(label)} "
    # an alias the label says word for word adds nothing; one inside a longer word of it does ("shop math" beside
    # "Machine shop mathematics" is the everyday name)
    cands = [(a, st, w) for a, st, w in ((a, phrase_stems(a), plain_words(a)) for a in aliases)
             if st and w and f" {w} " not in own and not (" " not in w and w.rstrip("s") == acronym)]
    cands.sort(key=lambda c: (-(len(c[1] & prefer) / len(c[1])), len(c[0]), c[0].lower()))
    picked: list[str] = []
    # first the names that share no word with what is shown, then those that add at least one new word
    for strict in (True, False):
        for a, st, _ in cands:
            if len(picked) >= n:
                return picked
            if a in picked or st <= seen or (strict and st & seen):
                continue
            picked.append(a)
            seen |= st
    return picked


def whole_example(label: str, example: str, aliases: Sequence[str]) -> str:
    """A bare modifier example as the whole phrase the concept's aliases write it with the label's own words.

    "Interpreting (consecutive, simultaneous)" reads "consecutive interpreting, simultaneous interpreting": people
    and postings name the practice, not the modifier. Only a lower-case example (a name such as "OFAC" or "Yardi"
    stays as it is) whose alias adds nothing but words of the label; the shortest such alias.
    """
    x = example.strip()
    if not x or x != x.lower():
        return example
    own = phrase_stems(label)
    low = x.lower()
    best = None
    for a in aliases:
        al = a.lower()
        rest = al[len(low) + 1:] if al.startswith(low + " ") else al[:-len(low) - 1] if al.endswith(" " + low) else None
        st = phrase_stems(rest) if rest else set()
        if st and st <= own and al != label.lower() and (best is None or len(a) < len(best)):
            best = a
    return best or example


@dataclass(frozen=True)
class ConceptNames:
    """What is shown with a concept's label: its own examples, then distinct aliases up to ``EXAMPLES_SHOWN``."""

    label: str
    examples: tuple[str, ...]
    aliases: tuple[str, ...]

    @cached_property
    def whole_examples(self) -> tuple[str, ...]:
        """Its examples other than the label, each as the whole practice (``whole_example``), once per concept."""
        out: list[str] = []
        seen: set[str] = set()
        for x in self.examples:
            w = whole_example(self.label, x, self.aliases) if x.lower() != self.label.lower() else ""
            if w and w.lower() not in seen:
                out.append(w)
                seen.add(w.lower())
        return tuple(out)

    def shown(self, prefer: frozenset[str] | set[str] = frozenset(), n: int = EXAMPLES_SHOWN) -> list[str]:
        """The names shown, aliases in the words of the role first (``prefer``, see ``alias_examples``)."""
        ex = list(self.whole_examples[:n])
        if len(ex) < n:
            ex += alias_examples(self.label, self.aliases, n=n - len(ex), shown=ex, prefer=prefer)
        return ex


def concept_examples(table: dict[str, Any]) -> dict[str, ConceptNames]:
    """Concept id -> the names shown with it.

    Its ``examples`` (else the first technologies that imply it), filled up to ``EXAMPLES_SHOWN`` with its shortest
    distinct aliases (``ConceptNames.shown``): what the concept means in practice, in the words postings use.
    """
    from careeros.graph.ids import concept_id

    out = {}
    for c in table.get("concepts") or []:
        label = str(c["label"])
        ex = tuple(str(x) for x in (c.get("examples") or (c.get("implied_by") or [])[:2]))
        aliases = tuple(str(a) for a in [*(c.get("cased") or []), *(c.get("aliases") or [])])
        if ex or aliases:
            out[concept_id(label)] = ConceptNames(label, ex, aliases)
    return out


def role_words(texts: Sequence[str]) -> frozenset[str]:
    """Stems of the words of a role's tasks, work activities and titles (what ``ConceptNames.shown`` prefers)."""
    out: set[str] = set()
    for t in texts:
        if t:
            out |= phrase_stems(t)
    return frozenset(out)


def requirement_profile(con: Any, soc_code: str, extractor: Any, alternatives: Sequence[tuple[list[str], float]] = (),
                        keywords: dict[str, tuple[str, list[str]]] | None = None,
                        own_title: str | None = None) -> RequirementProfile:
    """The requirement profile of one occupation from an open warehouse connection."""
    role_kw, examples = concept_views()
    return score_requirements(role_inputs(con, soc_code, own_title), extractor_fn(extractor), alternatives,
                              role_kw if keywords is None else keywords, own_title, examples)


def concept_views() -> tuple[dict[str, tuple[str, list[str]]], dict[str, ConceptNames]]:
    """``role_keywords`` and ``concept_examples`` of the concept table, built once per version of its files.

    Parsing and copying the concept table took about a third of a second per plan (1.6 s in a new process);
    callers only read these views.
    """
    from careeros.graph.tech_labels import concept_paths

    key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in concept_paths())
    return _concept_views(key)


@lru_cache(maxsize=2)
def _concept_views(key: tuple[tuple[str, int, int], ...]) -> tuple[dict[str, tuple[str, list[str]]],
                                                                   dict[str, ConceptNames]]:
    """Built from the concept table, or read from the cache file named by the table's and this code's bytes.

    Parsing the table's YAML took about 1.6 s of a first plan in a new process; the pickled views load in a tenth.
    """
    from careeros import graph
    from careeros.diskcache import pickled
    from careeros.graph.tech_labels import load_concept_table
    from careeros.settings import get_settings

    h = hashlib.sha256(b"concept-views\n")
    for path, _, _ in key:
        h.update(Path(path).read_bytes())
    for code in (Path(__file__), Path(graph.__file__).parent / "tech_labels.py"):
        h.update(code.read_bytes())

    def build() -> tuple[dict[str, tuple[str, list[str]]], dict[str, ConceptNames]]:
        table = load_concept_table()
        return role_keywords(table), concept_examples(table)

    return pickled(get_settings().cache_dir / f"concept-views-{h.hexdigest()[:16]}.pkl", build,
                   lambda got: isinstance(got, tuple) and len(got) == 2)
