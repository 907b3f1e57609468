"""Career intelligence: the person against each target role's requirement profile, as ranked gaps and coverage.

The person is their resume facts, their stated and implied skills and their current occupation.

:func:`assess` reads what it needs from an open warehouse connection and the person's resume text; the
reference models (skill extractor, title normaliser) are passed in. Everything it returns is plain data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from careeros.evidence.linking import credential_in_progress, learning_context, others_credential
from careeros.evidence.resume_facts import (
    POST_NOMINAL_LICENCES,
    ResumeFacts,
    leads_people,
    licence_post_nominals,
    manages_budget,
    read_resume,
    title_licences,
)
from careeros.graph.hierarchy import SkillHierarchy, load_hierarchy
from careeros.market.titles import only_level_apart
from careeros.planner.artifacts import mentions_credential
from careeros.planner.gaps import (
    OCCUPATION_SOURCES,
    RoleGapReport,
    demote_children_of_gaps,
    fold_named_gaps,
    ranked_gaps,
    requirement_gaps,
)
from careeros.planner.person import PRIOR_BASE, PRIOR_MAX, PRIOR_PER_YEAR, PersonSkills, person_skills
from careeros.planner.requirements import (
    ConceptNames,
    RequirementProfile,
    concept_views,
    esco_essentials,
    esco_occupations,
    extractor_fn,
    merge_profiles,
    phrase_stems,
    role_inputs,
    score_requirements,
)
from careeros.profile import Profile

#: role priority decay: the first target role counts 1, the second 0.7, the third 0.49
ROLE_PRIORITY_DECAY = 0.7
RESUME_NAMED = 0.9
RESUME_LEARNING = 0.45
#: job/employer header lines of a resume ("### Backend Engineer, Brightline Logistics (2018 - 2021)")
_HEADER_LINE = re.compile(r"^[#*\s]*[^\n]{0,120}?(?:19|20)\d\d\s*(?:[-–—]|to)\s*(?:(?:19|20)\d\d|present|current|now)"
                          r"[^\n]*$", re.IGNORECASE | re.MULTILINE)
#: extractor score of a named skill (context-only surfaces such as "Snowflake" score 0.78-0.8)
NAMED_MIN_SCORE = 0.75
_PREFERRED_SUFFIX = {".md": 0, ".markdown": 0, ".txt": 1, ".docx": 2, ".pdf": 3}
#: office software a resume may name; one that names none, of someone moving from work away from a desk into a role
#: that works at one, says the spreadsheet is a real first gap (a custodian becoming a facilities coordinator)
_OFFICE_TOOLS = re.compile(r"\b(?:excel|spreadsheets?|microsoft office|ms office|office 365|microsoft 365|m365|"
                           r"microsoft word|ms word|outlook|powerpoint|google (?:sheets|docs|workspace|suite)|g suite|"
                           r"quickbooks|access database)\b", re.IGNORECASE)
#: O*NET knowledge "Computers and Electronics": the target's importance at least DESK_MIN and DESK_STEP above the
#: person's current occupation's makes the move one to a desk
COMPUTERS_ELEMENT = "2.C.3.a"
DESK_MIN, DESK_STEP = 3.0, 0.6
#: ... and the knowledge "Administrative" (clerical procedures, forms, records) at least ADMIN_MIN and ADMIN_STEP above:
#: "Computers and Electronics" alone also rates the electronics of a fire alarm installer's trade
ADMIN_ELEMENT = "2.C.1.b"
ADMIN_MIN, ADMIN_STEP = 2.7, 0.4
#: health care practitioners and support (29-, 31-): their desk software is the health record, which the skill map asks
#: for already; a home health aide becoming a medical assistant is asked for the EHR, not a spreadsheet
CLINICAL_GROUPS = ("29-", "31-")
#: the weight the spreadsheet requirement gets then (about the skill map's own expectation of a role)
DESK_SPREADSHEET_WEIGHT = 0.7
SPREADSHEET_ID = "tech:microsoft-excel"


def desk_ratings(con: Any, soc_codes: Sequence[str]) -> dict[str, tuple[float, float]]:
    """O*NET importance of the knowledge "Computers and Electronics" and "Administrative" per occupation (both rated)."""
    if not soc_codes:
        return {}
    rows = con.execute("SELECT soc_code, element_id, importance FROM onet_element_rating WHERE element_id IN (?, ?) "
                       "AND soc_code IN (" + ",".join("?" * len(soc_codes)) + ") AND importance IS NOT NULL",
                       [COMPUTERS_ELEMENT, ADMIN_ELEMENT, *soc_codes]).fetchall()
    got: dict[str, dict[str, float]] = {}
    for soc, element, imp in rows:
        got.setdefault(str(soc), {})[str(element)] = float(imp)
    return {soc: (v[COMPUTERS_ELEMENT], v[ADMIN_ELEMENT]) for soc, v in got.items()
            if COMPUTERS_ELEMENT in v and ADMIN_ELEMENT in v}


def lift_spreadsheets_for_desk_move(profiles: Sequence[RequirementProfile], resume: str | None, current_soc: str | None,
                                    ratings: dict[str, tuple[float, float]]) -> list[str]:
    """Raise the spreadsheet requirement of each target a move to a desk makes it first for, in place.

    Only when the resume names no office software at all and the target rates "Computers and Electronics" at least
    DESK_MIN and DESK_STEP above the current occupation, and "Administrative" at least ADMIN_MIN and ADMIN_STEP above
    (``ratings``: :func:`desk_ratings`). Returns the titles of the occupations lifted.
    """
    if not resume or not current_soc or _OFFICE_TOOLS.search(resume) or current_soc not in ratings:
        return []
    cur_ce, cur_admin = ratings[current_soc]
    lifted = []
    for prof in profiles:
        if prof.soc_code not in ratings or prof.soc_code.startswith(CLINICAL_GROUPS):
            continue
        ce, admin = ratings[prof.soc_code]
        if ce < DESK_MIN or ce - cur_ce < DESK_STEP or admin < ADMIN_MIN or admin - cur_admin < ADMIN_STEP:
            continue
        for q in prof.requirements:
            if q.kind == "technology" and SPREADSHEET_ID in q.members:
                q.weight = max(q.weight, DESK_SPREADSHEET_WEIGHT)
                q.core = True
                q.reasons.append(f"your resume names no office software, and this role works at a desk far more than "
                                 f"your current one (O*NET Computers and Electronics {ce:.1f}/5 against {cur_ce:.1f}/5, "
                                 f"Administrative {admin:.1f}/5 against {cur_admin:.1f}/5)")
                lifted.append(prof.title or prof.soc_code)
                break
    return lifted


@dataclass
class TargetRoleRef:
    """A target role: the person's own title and its O*NET-SOC code and title.

    ``also_titles``: the person's other wordings of the same occupation ("Power BI Developer" beside "BI
    Developer"); what they name counts too (see :func:`~careeros.planner.requirements.merge_profiles`).
    """

    title: str
    soc_code: str
    onet_title: str | None = None
    also_titles: list[str] = field(default_factory=list)


@dataclass
class Assessment:
    """The person against their target roles."""

    facts: ResumeFacts | None
    current_soc: str | None
    current_title: str | None
    person: PersonSkills
    profiles: list[RequirementProfile]
    reports: list[RoleGapReport]
    priorities: list[float]
    gaps: list[dict[str, Any]] = field(default_factory=list)
    limits: list[str] = field(default_factory=list)
    #: the skill hierarchy's broader skills per skill id (the plan learns broader skills first)
    parents: dict[str, dict[str, float]] = field(default_factory=dict)

    def roles_json(self) -> list[dict[str, Any]]:
        """One entry per target role: the person's title, the SOC, coverage of its core requirements."""
        return [{"title": r.role_title, "soc_code": r.soc_code, "onet_title": r.title, "coverage": r.coverage,
                 "coverage_after": r.coverage, "core_size": r.core_size, "postings": p.soc_postings,
                 "covered": r.covered, "priority": round(pr, 4)}
                for r, p, pr in zip(self.reports, self.profiles, self.priorities, strict=True)]


def priorities(n: int, decay: float = ROLE_PRIORITY_DECAY, socs: Sequence[str] = ()) -> list[float]:
    """Priority of each target role in order: 1, decay, decay^2 ...

    With ``socs``, a role in the same O*NET broad occupation as an earlier one ("LIS Analyst" as Computer Systems
    Analysts 15-1211.00, "Lab Informatics Analyst" as Health Informatics Specialists 15-1211.01) is the same move
    named twice: it keeps the earlier one's priority, and the next different occupation takes the next step.
    """
    out: list[float] = []
    seen: dict[str, float] = {}
    step = 0
    for i in range(n):
        broad = socs[i][:7] if i < len(socs) else f"#{i}"
        if broad not in seen:
            seen[broad] = decay ** step
            step += 1
        out.append(seen[broad])
    return out


def find_resume(profile: Profile) -> Path | None:
    """The person's current resume among their evidence folders (undated name, then Markdown first)."""
    from careeros.evidence.readers import classify

    found: list[Path] = []
    for folder in profile.evidence_folders:
        folder = Path(folder)
        paths = [folder] if folder.is_file() else sorted(folder.rglob("*")) if folder.is_dir() else []
        found += [p for p in paths if p.is_file() and not p.is_symlink() and classify(p) == "resume"]
    if not found:
        return None
    this_year = date.today().year

    def rank(p: Path) -> tuple[int, int, str]:
        years = [int(y) for y in re.findall(r"(?:19|20)\d\d", p.stem)]
        old = int(bool(years) and max(years) < this_year)
        return old, _PREFERRED_SUFFIX.get(p.suffix.lower(), 9), p.name

    return sorted(found, key=rank)[0]


def resume_text(profile: Profile) -> str | None:
    """Text of the person's resume (see :func:`find_resume`), or None."""
    from careeros.evidence.readers import document_text

    path = find_resume(profile)
    if path is None:
        return None
    try:
        return document_text(path)
    except Exception:  # noqa: BLE001 - an unreadable resume is reported by curate; plan without it
        return None


#: words by which a job title names a credential its holder has ("Journeyman Electrician", "Licensed Practical Nurse")
_TITLE_CREDENTIAL = re.compile(r"\b(?:journeyman|journeyperson|journey-level|master|licensed|certified|registered|"
                               r"chartered)\b", re.IGNORECASE)


def named_skills(text: str, extractor: Any) -> dict[str, tuple[float, str]]:
    """Skills named outright in a resume: skill id -> (strength, label).

    Every mention is read and the strongest counts. Mentions qualified as learning or aspiration count less; names
    inside job/employer header lines (an employer called "Brightline Logistics") do not count.
    """
    headers = [(m.start(), m.end()) for m in _HEADER_LINE.finditer(text)]
    out: dict[str, tuple[float, str]] = {}
    mentions = extractor.extract_all(text) if hasattr(extractor, "extract_all") else extractor.extract(text)
    for m in mentions:
        if m.kind not in ("technology", "concept") or m.score < NAMED_MIN_SCORE:
            continue
        if any(a <= m.start < b for a, b in headers) and not (
                m.kind == "concept" and _TITLE_CREDENTIAL.search(m.text) and mentions_credential(m.label)):
            continue  # ... unless the job title itself names a credential ("Journeyman Electrician", "Registered Nurse")
        if others_credential(m.label, text, m.start):
            continue
        s = RESUME_LEARNING if (learning_context(text, m.start, m.end)
                                or credential_in_progress(m.label, text, m.start, m.end)) else RESUME_NAMED
        if m.kind == "concept" and one_credential_of_several(m.label, m.text, _around(text, m.start, m.end)):
            s = min(s, CREDENTIAL_MEMBER)
        if s > out.get(m.skill_id, (0.0, ""))[0]:
            out[m.skill_id] = (s, m.label)
    return out


#: a credential group ("Life support certifications", "Safety certifications", "EMT and paramedic certification")
_CREDENTIAL_GROUP = re.compile(r"\b(?:certifications?|licen[cs]es?|licensure|licensing|credentials?)\b", re.IGNORECASE)
#: words every credential label has: they name no particular credential
_CREDENTIAL_WORDS = frozenset({"certi", "licen", "crede", "regis", "exam"})
#: what one named credential of a group shows of the group: BLS is not ACLS, OSHA 10 not OSHA 30, EMT-B not paramedic
CREDENTIAL_MEMBER = 0.5


def _name_alternatives(label: str) -> set[str]:
    """The alternatives a label's closing parentheses name, upper-cased; empty when it names none.

    "Crisis de-escalation certifications (CPI/CIT)" -> CPI, CIT.
    """
    m = re.search(r"\(([^()]+)\)\s*$", label)
    return {x.strip().upper() for x in re.split(r"[/,]", m[1]) if x.strip()} if m else set()


#: a label naming several credentials: "Life support certifications", "Trade licenses and certifications"
_SEVERAL_CREDENTIALS = re.compile(r"\b(?:certifications|licen[cs]es|credentials)\b|\band\b", re.IGNORECASE)
#: characters either side of a named credential read as its context (the rest of its line)
CREDENTIAL_CONTEXT = 40


def _around(text: str, start: int, end: int, width: int = CREDENTIAL_CONTEXT) -> str:
    """The text within ``width`` characters of a match, on its own line."""
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", end)
    return text[max(a, start - width):min(b if b >= 0 else len(text), end + width)]


def names_first_example(group: ConceptNames | None, member: str, member_names: ConceptNames | None = None) -> bool:
    """Whether a credential ``member`` is its group's first example: the credential the group means first.

    "BLS for healthcare providers" is what "Life support certifications (BLS, ...)" means for an imaging
    technologist or a nurse; ACLS or PALS, further down, are their own requirements where a role asks for them. The
    member's label or one of its aliases opens with the example ("BLS for ...", "BLS certification"), or its closing
    parentheses name it ("Certified Payroll Professional (CPP)" of "Payroll certification (CPP, FPC)").
    """
    if group is None or not group.examples:
        return False
    first = _norm_words(group.examples[0])
    if not first:
        return False
    forms = [member, *(member_names.aliases if member_names else ())]
    return (any(_norm_words(f)[:len(first)] == first for f in forms)
            or group.examples[0].strip().upper() in _name_alternatives(member))


def one_credential_of_several(label: str, surface: str, context: str = "") -> bool:
    """Whether ``surface`` names one credential of a credential group ``label`` rather than the group itself.

    "BLS certification" of "Life support certifications", "OSHA 10" of "Safety certifications", "CCNA" of
    "Networking certifications": the surface shares no word of the label besides the credential words. "PMP
    certified" of "PMP certification" and "teaching license" of "Teaching certification" name the credential itself.
    A label naming one credential ("Pharmacy technician certification") is named by its issuer's short name too when
    the words around it (``context``) hold every word of the label: "PTCB Certified Pharmacy Technician".
    """
    if not _CREDENTIAL_GROUP.search(label):
        return False
    own = phrase_stems(label) - _CREDENTIAL_WORDS
    if not own or phrase_stems(surface) & own:
        return False
    return not (context and not _SEVERAL_CREDENTIALS.search(label) and own <= phrase_stems(context))


_US = {"analyse": "analyze", "analysing": "analyzing", "organise": "organize", "organisation": "organization",
       "programme": "program", "programmes": "programs", "modelling": "modeling", "visualisation": "visualization",
       "optimise": "optimize", "behaviour": "behavior", "centre": "center", "colour": "color", "licence": "license",
       "paediatrics": "pediatrics", "practise": "practice", "utilise": "utilize", "prioritise": "prioritize"}
#: leading verbs of ESCO skill labels ("use electronic health records" is named as "electronic health records")
def _norm_words(text: str) -> list[str]:
    return [_US.get(w, w) for w in re.findall(r"[a-z0-9+#]+", text.lower())]


def phrase_named(label: str, text_words: str, verbs: frozenset[str]) -> bool:
    """Whether a skill label (or its object, without a leading verb) occurs in the text, plural-tolerant.

    ``text_words``: the text as space-joined :func:`_norm_words`, padded with spaces; ``verbs``: the words that
    open task phrases (:func:`careeros.planner.requirements.task_verbs`), dropped from a label of 3+ words.
    """
    words = _norm_words(label)
    forms = [words]
    if len(words) >= 3 and words[0] in verbs:
        forms.append(words[1:])
    for f in forms:
        if not f:
            continue
        stem = " ".join(f)
        alts = {stem, stem[:-1] if stem.endswith("s") and not stem.endswith("ss") else stem + "s"}
        if any(f" {a} " in text_words for a in alts):
            return True
    return False


#: words that open no skill phrase of their own ("and induction brazing", "of health screening")
_JOINERS = frozenset({"and", "or", "of", "for", "in", "the", "with", "to", "a", "an", "on", "at", "by"})
#: one-word remainders too general to name a field's skill alone: "leadership" does not show "Nursing leadership"
_GENERIC_HEADS = frozenset({
    "management", "leadership", "planning", "design", "analysis", "systems", "operations", "compliance",
    "documentation", "reporting", "testing", "maintenance", "safety", "training", "repair", "installation", "care",
    "assessment", "development", "control", "controls", "coordination", "administration", "communication", "writing",
    "research", "support", "service", "services", "sales", "marketing", "strategy", "programs", "program", "practice",
    "law", "regulations", "standards", "procedures", "policy", "technology", "software", "equipment", "tools",
    "troubleshooting", "inspection", "inspections", "monitoring", "evaluation", "instruction", "teaching", "screening",
    "scheduling", "budgeting", "accounting", "engineering", "security", "quality", "data", "knowledge", "theory"})
#: a field-qualified concept's label minus its qualifier, read from the front ("HVAC electrical troubleshooting" ->
#: "electrical troubleshooting") or, when three or more words stay, minus a general closing word ("Social determinants
#: of health screening" -> "social determinants of health")
FIELD_HEAD_MIN_WORDS = 3


def _resume_items(resume: str) -> set[str]:
    """The whole items of the resume's lists and lines (normalised words, space-joined)."""
    items: set[str] = set()
    for line in resume.splitlines():
        line = re.sub(r"^[\s#>*\-•·]+", "", line)
        line = line.split(":", 1)[1] if ":" in line[:40] else line
        for part in re.split(r"[,;|•·]", line):
            words = _norm_words(part)
            if words:
                items.add(" ".join(words))
    return items


def field_heads(label: str) -> list[tuple[str, bool]]:
    """The label's shorter names (normalised), each with where it may stand.

    True: anywhere in the resume; False: only as a whole list item (a single distinctive word, "brazing", "pricing").
    """
    words = _norm_words(re.sub(r"\([^)]*\)", " ", label))
    out: list[tuple[str, bool]] = []
    for i in range(1, len(words)):
        tail = words[i:]
        if tail[0] in _JOINERS:
            continue
        if len(tail) >= 2:
            out.append((" ".join(tail), True))
        elif tail[0] not in _GENERIC_HEADS and len(tail[0]) >= 5:
            out.append((tail[0], False))
    if len(words) > FIELD_HEAD_MIN_WORDS and words[-1] in _GENERIC_HEADS and words[-2] not in _JOINERS:
        out.append((" ".join(words[:-1]), True))
    return out


def field_named_concepts(person: PersonSkills, names: Mapping[str, str], resume: str) -> list[tuple[str, str]]:
    """Core concepts of the person's current occupation that their resume names without the field's qualifier.

    Someone in the trade who lists "brazing" and "electrical troubleshooting" has the occupation's "Torch and induction
    brazing" and "HVAC electrical troubleshooting"; an underwriter who makes "pricing decisions" its "Insurance rating
    and pricing". Only concepts the occupation already credits (its core, at the partial prior) qualify, so the
    field is the person's own. (skill id, the phrase named) pairs.
    """
    text = " " + " ".join(_norm_words(resume)) + " "
    items = _resume_items(resume)
    out: list[tuple[str, str]] = []
    for sid, src in person.skills.items():
        if not sid.startswith("concept:") or not src.source.startswith(OCCUPATION_SOURCES):
            continue
        for head, anywhere in field_heads(str(names.get(sid, ""))):
            forms = {head, head[:-1] if head.endswith("s") and not head.endswith("ss") else head + "s"}
            if any((f" {f} " in text) if anywhere else (f in items) for f in forms):
                out.append((sid, head))
                break
    return out


def untie_other_specialty(person: PersonSkills, profiles: Sequence[RequirementProfile], titles: Sequence[str],
                          current_soc: str, current_title: str | None,
                          keywords: Mapping[str, tuple[str, list[str]]]) -> list[str]:
    """Withdraw the occupation prior from what a target title of the person's own occupation names and theirs does not.

    Within one occupation the specialties differ: a talent acquisition specialist and an HR generalist are both Human
    Resources Specialists, but leave administration, ADA accommodations and wage-and-hour law are the generalist's
    work; a residential HVAC technician has not serviced supermarket racks. What the target title ties in the skill
    map and the person's own current title does not is a specialty they have not shown: the occupation's prior (a
    guess about what its people do) does not vouch for it; the resume still may. The skill ids withdrawn.
    """
    from careeros.planner.target_votes import tied_concepts

    mine = set(tied_concepts(current_title, keywords)) if current_title else set()
    out: list[str] = []
    for prof, title in zip(profiles, titles, strict=True):
        if prof.soc_code != current_soc:
            continue
        for sid in set(tied_concepts(title, keywords)) - mine:
            src = person.skills.get(sid)
            if src is not None and src.source.startswith(OCCUPATION_SOURCES):
                del person.skills[sid]
                person.occupation_core.pop(sid, None)
                out.append(sid)
    return sorted(out)


def esco_person_offers(con: Any, person: PersonSkills, current_title: str | None, current_soc: str | None,
                       years: float, resume: str | None, profiles: Sequence[RequirementProfile]) -> None:
    """ESCO skills the person has, offered to ``person``.

    The essential skills of their current job's ESCO occupation (at the occupation prior) and every ESCO
    requirement of the target roles their resume names.
    """
    if current_title or current_soc:
        prior = min(PRIOR_MAX, PRIOR_BASE + PRIOR_PER_YEAR * max(0.0, years))
        cur = esco_essentials(con, esco_occupations(con, current_title, current_soc or ""))
        for sid, occ in cur.select("skill_id", "occupation").unique("skill_id").sort("skill_id").iter_rows():
            person.offer(sid, prior, f"essential for '{occ}' in ESCO (your current job)")
    if resume:
        from careeros.planner.requirements import task_verbs

        text, verbs = " " + " ".join(_norm_words(resume)) + " ", task_verbs(con)
        for prof in profiles:
            for req in prof.requirements:
                if req.skill_id.startswith("esco:") and phrase_named(req.label, text, verbs):
                    person.offer(req.skill_id, RESUME_NAMED, "named in your resume")


def evidence_links(con: Any) -> pl.DataFrame:
    """Current evidence links with their status and the type of evidence they come from."""
    from careeros.warehouse.db import table_exists

    schema = {"skill_id": pl.String, "confidence": pl.Float64, "status": pl.String, "last_seen": pl.Date,
              "source_type": pl.String}
    if not table_exists(con, "evidence_skill"):
        return pl.DataFrame(schema=schema)
    df = con.sql(
        "SELECT l.skill_id, l.confidence, l.status, CAST(coalesce(i.content_at, l.valid_from) AS DATE) AS last_seen, "
        "i.source_type FROM evidence_skill l LEFT JOIN evidence_item i ON i.item_id = l.item_id "
        "AND i.version_sha256 = l.version_sha256 AND i.valid_to IS NULL WHERE l.valid_to IS NULL").pl()
    return df.cast({k: v for k, v in schema.items() if k in df.columns}, strict=False) if df.height else \
        pl.DataFrame(schema=schema)


def skill_names(con: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(lower-cased label -> id for technology and concept nodes, id -> label for every node)."""
    df = con.sql("SELECT skill_id, label, kind FROM graph_skill").pl()
    names = dict(zip(df["skill_id"].to_list(), df["label"].to_list(), strict=True))
    labels: dict[str, str] = {}
    for sid, lab, _kind in df.sort(pl.col("kind").replace_strict(
            {"concept": 0, "technology": 1}, default=2, return_dtype=pl.Int8)).iter_rows():
        labels.setdefault(str(lab).lower(), sid)
    return labels, names


def assess(con: Any, profile: Profile, roles: Sequence[TargetRoleRef], extractor: Any,
           score_titles: Callable[[list[str]], list[tuple[str | None, str | None, float]]] | None = None,
           resume: str | None = None, hierarchy: SkillHierarchy | None = None,
           as_of: date | None = None, match_occupation: Callable[[str], str | None] | None = None) -> Assessment:
    """Requirement profiles of the target roles, the person's skills and the ranked gaps.

    The current occupation is ``match_occupation(resume)`` when given (the profile matcher reads titles, skills
    and text together), else the occupation of the most recent job title.
    """
    extract = extractor_fn(extractor)
    hier = hierarchy or load_hierarchy(con)
    keywords, examples = concept_views()
    labels, names = skill_names(con)
    limits: list[str] = []
    facts = read_resume(resume, score_titles) if resume and score_titles else None
    if not resume:
        limits.append("no resume found in your evidence folders: gaps rest on your other evidence only")
    current_soc = facts.current_soc if facts else None
    if resume and match_occupation is not None:
        matched = match_occupation(resume)
        if matched and not (current_soc and current_soc[:7] == matched[:7] and matched.endswith(".00")):
            # ... unless the resume's own reading of the current job is a specialty of the matched occupation (the unit
            # after the title, "Registered Nurse III, Cardiovascular ICU", or the title itself, "ICU Nurse")
            current_soc = matched
    current_title = facts.current_titles[0] if facts and facts.current_titles else None
    occupation = None
    if current_soc:
        # the person's own occupation with its specialty niches: what it credits is what its people may well do
        occupation = score_requirements(role_inputs(con, current_soc, current_title), extract, hier.alternatives, keywords,
                                        current_title, examples, niches=True)
    links = evidence_links(con)
    rejected = set(links.filter(pl.col("status") == "rejected")["skill_id"].to_list()) if links.height else set()
    added = list(getattr(profile, "skills_added", []) or [])
    removed = list(getattr(profile, "skills_removed", []) or [])
    person = person_skills(
        links, hier, added=added, removed=removed, occupation=occupation,
        occupation_years=(facts.years_experience if facts else 0.0),
        labels=labels, names=names, as_of=as_of)
    if resume:
        named = {sid: v for sid, v in named_skills(resume, extractor).items() if sid not in rejected}
        direct = {sid: s for sid, (s, _) in named.items()}
        for sid, (s, _) in named.items():
            member = s == CREDENTIAL_MEMBER
            why = ("named in your resume" if s >= RESUME_NAMED else
                   "one credential of the group named in your resume" if member else
                   "named in your resume as still learning")
            person.offer(sid, s, why)
            cur = person.skills.get(sid)
            if member and cur is not None and cur.strength > s and cur.source.startswith("named in"):
                # the curated link of the same resume mention says "named" too: one credential of a group (BLS)
                # shows that one, not the group the target asks for (ACLS, PALS); a person's own confirmation stands
                person.skills[sid] = cur.model_copy(update={"strength": s, "source": why})
        for sid, s in hier.propagate(direct, blocked=set(person.removed)).items():
            if sid not in direct:
                src = next((c for c in hier.implied_by(sid) if c in direct), None)
                person.offer(sid, s, f"implied by {names.get(src, src) if src else 'your resume'}")
        # two credentials of one group named outright (BLS and ACLS) show the group itself ("Life support
        # certifications"): one shows only itself (CREDENTIAL_MEMBER), two are the group a target asks for
        # and so do two named parts of any broader skill: "pre-trip inspections" and "defensive driving" are
        # "Defensive driving and vehicle inspection", which either alone shows only in part
        members: dict[str, list[tuple[str, str]]] = {}  # group -> (member's name, member's id)
        for sid, (s, _) in named.items():
            if s >= RESUME_NAMED and sid not in person.removed:
                for parent in hier.parents.get(sid, {}):
                    if parent.startswith("concept:"):
                        members.setdefault(parent, []).append((str(names.get(sid, sid)), sid))
        for parent, kin in members.items():
            got = [g for g, _ in kin]
            # ... and one credential is enough when the group's own name offers it as an alternative: "Crisis
            # de-escalation certifications (CPI/CIT)" asks for CPI or CIT, and "Nonviolent Crisis Intervention
            # (CPI/Mandt)" is CPI; or when it is the group's first example: BLS of "Life support certifications"
            # for an imaging technologist (a role asking for ACLS names ACLS itself)
            group = _CREDENTIAL_GROUP.search(str(names.get(parent, ""))) is not None
            either = _name_alternatives(str(names.get(parent, ""))) if group else set()
            if (len(set(got)) >= 2 or any(either & _name_alternatives(g) for g in got)
                    or (group and any(names_first_example(examples.get(parent), g, examples.get(c)) for g, c in kin))) \
                    and parent not in person.removed:
                person.offer(parent, RESUME_NAMED, f"named in your resume ({', '.join(sorted(set(got))[:3])})")
        # the occupation's own concepts named without its qualifier ("brazing" for a refrigeration technician)
        for sid, head in field_named_concepts(person, names, resume):
            if sid not in rejected and sid not in person.removed:
                person.offer(sid, RESUME_NAMED, f"named in your resume ('{head}')")
        # leading people, said with how many ("Lead a team of 5", "Supervise 38 operators"): people management, which
        # no skills line names
        lead = leads_people(resume)
        pm = labels.get("people management")
        if lead and pm and pm not in rejected and pm not in person.removed:
            person.offer(pm, RESUME_NAMED, f"named in your resume ('{lead}')")
        # holding a budget, said with its amount ("Manage a $4.1M site budget"): budget management
        budget = manages_budget(resume)
        bm = labels.get("budget management")
        if budget and bm and bm not in rejected and bm not in person.removed:
            person.offer(bm, RESUME_NAMED, f"named in your resume ('{budget}')")
        # a licence written as the person's post-nominal letters ("Priya Natarajan, RN, BSN")
        for letters in licence_post_nominals(resume):
            lic = labels.get(POST_NOMINAL_LICENCES[letters].lower())
            if lic and lic not in rejected and lic not in person.removed:
                person.offer(lic, RESUME_NAMED, f"named in your resume ({letters})")
        # ... or shown by a job only its holders may do ("Registered Nurse, Medical-Surgical")
        for label in title_licences([e.title for e in facts.experiences] if facts else []):
            lic = labels.get(label.lower())
            if lic and lic not in rejected and lic not in person.removed:
                person.offer(lic, RESUME_NAMED, "shown by your job title")
    profiles: list[RequirementProfile] = []
    titles: list[str] = []
    for r in roles:
        wordings = [r.title, *r.also_titles]
        prof = score_requirements(role_inputs(con, r.soc_code, r.title), extract, hier.alternatives, keywords, r.title,
                                  examples, sibling_titles=r.also_titles)
        # a wording that is another's role at another level adds no requirement of its own: "Assistant
        # Superintendent" beside "Construction Superintendent" asks what a construction superintendent does, not what
        # a school district's assistant superintendent does. A broader wording of the same role keeps its say: "School
        # Principal" beside "Middle School Principal" ties the school leadership items the longer title ranks lower
        own = [t for t in r.also_titles if not any(only_level_apart(t, w) for w in wordings if w != t)]
        if own:
            prof = merge_profiles(prof, *(score_requirements(role_inputs(con, r.soc_code, t), extract,
                                                             hier.alternatives, keywords, t, examples,
                                                             sibling_titles=[w for w in wordings if w != t])
                                          for t in own))
            verb = "names" if len(r.also_titles) == 1 else "name"
            limits.append(f"{' and '.join(repr(t) for t in r.also_titles)} {verb} the same occupation as '{r.title}' "
                          f"({prof.title or r.soc_code}): one role, with what each title asks for")
        if not prof.core:
            limits.append(f"{r.title}: no requirements known for {r.soc_code}")
            continue
        if prof.soc_postings == 0:
            limits.append(f"{r.title}: no postings for {prof.title or r.soc_code} in the warehouse; "
                          "requirements rest on O*NET only")
        profiles.append(prof)
        titles.append(r.title)
    if current_soc:
        untie_other_specialty(person, profiles, titles, current_soc, current_title, keywords)
    esco_person_offers(con, person, current_title, current_soc, facts.years_experience if facts else 0.0, resume,
                       profiles)
    if resume and current_soc:
        lift_spreadsheets_for_desk_move(profiles, resume, current_soc,
                                        desk_ratings(con, [current_soc, *(p.soc_code for p in profiles)]))
    reports = [requirement_gaps(prof, person, t, names, resume) for prof, t in zip(profiles, titles, strict=True)]
    prio = priorities(len(reports), socs=[r.soc_code for r in reports])
    return Assessment(facts=facts, current_soc=current_soc, current_title=current_title, person=person,
                      profiles=profiles, reports=reports, priorities=prio,
                      gaps=fold_named_gaps(demote_children_of_gaps(ranked_gaps(reports, prio), hier.parents), hier.parents),
                      limits=limits, parents=hier.parents)
