"""What a resume says about its owner: job titles with employers and dates, years, seniority, named skills.

Pure text functions. Job titles are recognised on experience lines that carry a date range ("Senior Backend
Engineer — Tidewater Payments (2019–present)", "Registered Nurse | St. Mary's | Mar 2015 - Jun 2024", or a
title line followed by an "Employer · 2019 – present" line); which part of a line is the title is decided by the
title normaliser's confidence, passed in as a function so this module needs no model.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, Field

_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}
_MON = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_POINT = rf"(?:{_MON}\s+)?(?:\d{{1,2}}/)?(?:19|20)\d\d"
_END = rf"(?:{_POINT}|present|current|now|today|ongoing)"
#: a date range on an experience line ("Mar 2015 - Jun 2024", "01/2016 to Current"); the profile matcher uses it too
RANGE = re.compile(rf"\(?\s*({_POINT})\s*(?:–|—|-|to|until|\u2013|\u2014)\s*({_END})\s*\)?", re.IGNORECASE)
_SINCE = re.compile(rf"\(?\s*since\s+({_POINT})\s*\)?", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:\s[—–|·•@]\s|\s-\s|,\s|\sat\s|\t| \| )\s*")
_MD = re.compile(r"^[#>*\-\s]+|[*_`]+")
#: a bullet ("- ", "* ", "• "), not markdown bold ("**Line Cook**")
_BULLET_LINE = re.compile(r"^\s*(?:[-•]|\*(?!\*))\s")
_SENIORITY = (
    ("executive", re.compile(r"\b(chief|vp|vice president|cto|ceo|cfo|coo)\b", re.I)),
    ("director", re.compile(r"\b(director|head of)\b", re.I)),
    ("manager", re.compile(r"\b(manager|supervisor|superintendent|charge nurse|department head)\b", re.I)),
    ("lead", re.compile(r"\b(lead|principal|staff|architect)\b", re.I)),
    ("senior", re.compile(r"\b(senior|sr\.?|iii|iv)\b", re.I)),
    ("junior", re.compile(r"\b(junior|jr\.?|intern|trainee|apprentice|assistant|graduate)\b", re.I)),
)
_SECTION = re.compile(r"^\s*#{1,4}\s*(.+?)\s*$|^\s*([A-Z][A-Z &/]{3,40})\s*$")
_EXPERIENCE_HEADS = re.compile(r"experience|employment|work history|career|positions", re.I)
_OTHER_HEADS = re.compile(r"education|skills|certific|licen|publications|projects|training|awards|languages|"
                          r"volunteer|interests|summary|profile|references", re.I)


class Experience(BaseModel):
    """One job on a resume."""

    title: str
    employer: str | None = None
    start: date | None = None
    end: date | None = None
    current: bool = False
    soc_code: str | None = None
    soc_title: str | None = None
    title_score: float | None = None
    bullets: list[str] = Field(default_factory=list)
    unit: str | None = Field(default=None, description="the unit or specialty written after the title "
                             "('Registered Nurse, Cardiovascular ICU — North Star Medical Center')")

    @property
    def years(self) -> float:
        """Length of the job in years (0 when undated)."""
        if self.start is None:
            return 0.0
        end = self.end or date.today()
        return max(0.0, (end - self.start).days / 365.25)


class ResumeFacts(BaseModel):
    """Titles, occupations, years and seniority read from a resume."""

    experiences: list[Experience] = Field(default_factory=list)
    current_titles: list[str] = Field(default_factory=list)
    current_employers: list[str] = Field(default_factory=list)
    years_experience: float = 0.0
    seniority: str = "mid"
    occupations: dict[str, float] = Field(default_factory=dict, description="SOC code -> years in it")

    @property
    def current_soc(self) -> str | None:
        """The occupation of the most recent job (when the title resolved)."""
        for e in self.experiences:
            if e.soc_code:
                return e.soc_code
        return None


def _parse_point(text: str, end: bool = False) -> date | None:
    t = text.strip().lower()
    if t in ("present", "current", "now", "today", "ongoing"):
        return None
    y = re.search(r"(19|20)\d\d", t)
    if not y:
        return None
    month = 12 if end else 1
    m = re.match(r"([a-z]{3})", t)
    if m and m.group(1) in _MONTHS:
        month = _MONTHS[m.group(1)]
    mm = re.match(r"(\d{1,2})/", t)
    if mm and 1 <= int(mm.group(1)) <= 12:
        month = int(mm.group(1))
    return date(int(y.group(0)), month, 28 if end else 1)


#: last words of job titles (role nouns); a part of an experience line ending in one is the title
ROLE_NOUNS = frozenset("""
accountant administrator advisor adviser agent aide analyst apprentice architect artist assistant associate attorney
auditor author buyer captain carpenter cashier chef chemist clerk clinician coach coordinator consultant controller
counselor counsellor courier curator dentist designer developer dietitian director dispatcher driver economist editor
educator electrician engineer estimator examiner executive facilitator fellow firefighter foreman founder generalist
guard head hygienist inspector instructor intern investigator journalist laborer lawyer lead lecturer librarian
machinist manager marketer mechanic midwife nurse officer operator organizer paralegal paramedic partner pharmacist
photographer physician physicist planner plumber practitioner president principal producer professor programmer
psychologist recruiter representative researcher scientist secretary specialist statistician steward strategist
superintendent supervisor surgeon surveyor teacher technician technologist therapist trainer translator tutor
underwriter welder worker writer rn lpn cna ceo cto cfo coo vp sre dba
reporter correspondent copywriter bookkeeper teller receptionist cook baker bartender barista housekeeper janitor
custodian caregiver nanny interpreter adjuster appraiser actuary broker banker trader scheduler planner merchandiser
stocker packer loader handler carrier conductor pilot attendant deckhand ranger warden deputy detective trooper
sergeant corporal lieutenant commander soldier sailor airman marine chaplain pastor minister lobbyist advocate
liaison navigator scribe transcriptionist coder biller processor sonographer radiographer phlebotomist optician
audiologist chiropractor veterinarian pathologist emt assembler fabricator installer repairer millwright pipefitter
ironworker roofer painter mason landscaper groundskeeper owner proprietor entrepreneur freelancer contractor
dishwasher butcher concierge valet hostess server
""".split())


_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")
#: level words written after a role ("Registered Nurse III", "Engineer II")
_LEVEL_SUFFIXES = frozenset({"i", "ii", "iii", "iv", "v", "vi"})


def is_role_title(text: str) -> bool:
    """True when ``text`` ends in a role noun ("Senior Backend Engineer", "Registered Nurse, RN")."""
    # a trailing code or note in brackets is no part of the role ("Supply Sergeant (92Y)", "Nurse (PRN)")
    words = re.findall(r"[a-z]+", _TRAILING_NOTE.sub("", text).lower())
    while len(words) > 1 and words[-1] in _LEVEL_SUFFIXES:
        words.pop()  # a level after the role ("Registered Nurse III", "Analyst II") is no part of it
    return bool(words) and (words[-1] in ROLE_NOUNS or words[-1].rstrip("s") in ROLE_NOUNS)


def seniority_of(title: str) -> str:
    """Seniority word class of a job title (executive ... junior; "mid" when none)."""
    for name, rx in _SENIORITY:
        if rx.search(title):
            return name
    return "mid"


@dataclass
class _Line:
    text: str
    section: str = ""
    bullets: list[str] = field(default_factory=list)


def _clean(line: str) -> str:
    return _MD.sub("", line).strip(" :—–-|")


#: a run of 3+ spaces inside a long line is a layout break (text pulled out of a PDF or a web page puts a
#: whole resume on one line: "HR Administrator     Dec 2013   to   Current      Company Name   -   City")
_LAYOUT_GAP = re.compile(r"[ \t\u00a0\u3000]{3,}")
#: a heading alone on its line in title case ("Experience", "Work History", "Education")
_PLAIN_HEAD = re.compile(
    r"^\s*(?:professional |work |relevant )?(?:experience|employment(?: history)?|work history|career history|"
    r"education(?: and training)?|skills|technical skills|skill highlights|certifications?|licen[cs]es?|summary|"
    r"professional summary|highlights|accomplishments|objective|profile|projects|publications|awards|languages|"
    r"interests|additional information|volunteer(?: experience)?|affiliations|references)\s*:?\s*$", re.IGNORECASE)
LONG_LINE = 120


def _one_range(m: re.Match[str]) -> str:
    g = m.group(0)
    lead, trail = g[:len(g) - len(g.lstrip())], g[len(g.rstrip()):]
    return lead + re.sub(r"\s+", " ", g.strip()) + trail


def layout_lines(text: str) -> list[str]:
    """The text's lines, long lines split at layout gaps (3+ spaces).

    Full-width and non-breaking spaces and full-width dashes are folded to plain ones first.
    """
    text = text.replace("\uff0d", "-").replace("\u00a0", " ").replace("\u3000", " ")
    text = RANGE.sub(_one_range, text)  # "Dec 2013   to   Current" is one range, not three layout pieces
    out: list[str] = []
    for ln in text.splitlines():
        if len(ln) > LONG_LINE and _LAYOUT_GAP.search(ln.strip()):
            out += [p for p in _LAYOUT_GAP.split(ln) if p.strip()]
        else:
            out.append(ln)
    return out


def _line_above(lines: list[str], i: int) -> str:
    """The nearest of the two lines above line ``i`` that says something (a job's title line), else ""."""
    return next((x for x in reversed(lines[max(0, i - 2):i]) if _clean(x)), "")


def _is_title_line(line: str) -> bool:
    """A line that may hold a job's title: not empty, dated, a bullet or a section heading."""
    return bool(line) and not (RANGE.search(line) or _BULLET_LINE.match(line) or _SECTION.match(line))


def experience_lines(text: str) -> list[tuple[str, str, str | None, list[str]]]:
    """(line without dates, start text, end text, bullets) for every dated line in experience-like sections."""
    lines = layout_lines(text)
    section = ""
    out: list[tuple[str, str, str | None, list[str]]] = []
    for i, raw in enumerate(lines):
        sec = _SECTION.match(raw) or _PLAIN_HEAD.match(raw)
        if sec and not RANGE.search(raw):
            head = ((sec.group(1) or sec.group(2) or "") if sec.re is _SECTION else raw).strip()
            if _EXPERIENCE_HEADS.search(head):
                section = "experience"
            elif _OTHER_HEADS.search(head):
                section = "other"
            continue
        if section == "other":
            continue
        m = RANGE.search(raw) or _SINCE.search(raw)
        if not m:
            continue
        if _BULLET_LINE.match(raw) and not any(
                is_role_title(p) for p in _SPLIT.split(_clean(raw[: m.start()]))):
            continue  # a dated bullet ("- Help my uncle on handyman jobs (2022 - present)") is no job line
        start = m.group(1)
        end = m.group(2) if m.re is RANGE else "present"
        rest = _clean(raw[: m.start()].rstrip() + " — " + raw[m.end():].lstrip())  # the range parts the line
        rest = re.sub(r"\(\s*\)", "", rest).strip(" ,;:—–-|·")
        if len(rest) < 3 and i > 0:  # "Employer · dates" under a title line, or dates alone
            prev = _clean(_line_above(lines, i))
            rest = f"{prev} — {rest}".strip(" —") if rest else prev
            nxt = next((x.strip() for x in lines[i + 1:i + 3] if _clean(x)), "")
            if (not _SPLIT.search(rest) and 2 < len(nxt) <= 40 and not nxt.endswith(".") and not RANGE.search(nxt)
                    and not nxt.startswith(("-", "*", "•")) and not _SECTION.match(nxt) and not _PLAIN_HEAD.match(nxt)):
                rest = f"{rest} — {_clean(nxt)}"  # title / dates / employer, each on its own layout line
        elif i > 0 and not _clean(raw[: m.start()]).strip(" ,;:—–-|·") and _is_title_line(
                title_line := _line_above(lines, i)):
            # a line that opens with its dates ("*August 2021 – Present* · 36 hrs/week, nights and rotating charge")
            # says when, and perhaps hours or shifts: the job is the line above it ("**Registered Nurse III, CVICU** —
            # North Star Medical Center"), not "nights and rotating charge"
            rest = f"{_clean(title_line)} — {rest}"
        elif i > 0 and not _SPLIT.search(rest):
            prev = _clean(lines[i - 1])
            if prev and not RANGE.search(lines[i - 1]) and not lines[i - 1].lstrip().startswith(("-", "*", "•")):
                rest = f"{prev} — {rest}"
        bullets: list[str] = []
        for nxt in lines[i + 1:]:
            s = nxt.strip()
            if not s:
                if bullets:
                    break
                continue
            if s.startswith(("-", "*", "•")):
                if bullet := s.lstrip("-*• ").strip():
                    bullets.append(bullet)
            elif bullets and nxt[:1].isspace() and not _SECTION.match(nxt):
                bullets[-1] = f"{bullets[-1]} {s}"  # a wrapped bullet line
            elif RANGE.search(s) or _SECTION.match(nxt):
                break
        if rest:
            out.append((rest, start, end, bullets))
    return out


#: how sure the title normaliser must be of a unit's specialty occupation ("Cardiovascular ICU Registered Nurse")
SPECIALTY_MIN_SCORE = 0.5
#: words an organisation's name carries (a hospital, a school, a firm), not a unit or a market segment inside one
_ORG_WORDS = re.compile(
    r"\b(?:hospitals?|health(?:care)?|clinics?|schools?|elementary|academy|university|college|inc|llc|llp|"
    r"ltd|corp(?:oration)?|company|co|group|bank|partners|services|software|systems|solutions|technologies|"
    r"contractors|office|agency|county|city of|district|foundation|association|institute|pharmacy|laborator(?:y|ies)|"
    r"labs|firm|center|centre|regional|community|department of|state of)(?![\w-])|&", re.I)


def _unit_and_employer(line: str, parts: list[str], i: int) -> tuple[str, str] | None:
    """(unit, employer) when the title ``parts[i]`` is followed by a unit and then the employer.

    "Registered Nurse III, Cardiovascular ICU — North Star University Medical Center, Minneapolis, MN" names the unit
    after a comma and the employer after the dash; "Data Analyst, Northwind Retail — Chicago, IL" names the employer
    after the comma. The unit carries no organisation word and the part after the dash does.
    """
    if i + 2 >= len(parts):
        return None
    unit, after = parts[i + 1], parts[i + 2]
    joined = re.search(rf"{re.escape(parts[i])}\s*,\s*{re.escape(unit)}\s+[—–|]\s+{re.escape(after)}", line)
    if not joined or len(unit) > 60 or _ORG_WORDS.search(unit) or not _ORG_WORDS.search(after):
        return None
    if unit.count("(") > unit.count(")"):
        unit = unit[:unit.rindex("(")]  # "Commercial (Lead, ...": the parenthesis runs past the part
    return unit.strip(), after


def read_resume(text: str, score_titles: Callable[[list[str]], list[tuple[str | None, str | None, float]]],
                today: date | None = None) -> ResumeFacts:
    """Facts of a resume; ``score_titles`` maps strings to (soc_code, soc_title, confidence) for each."""
    rows = experience_lines(text)
    parts_per = [[p for p in _SPLIT.split(line) if len(p) >= 2][:4] for line, *_ in rows]
    flat = [p for parts in parts_per for p in parts]
    scores = score_titles(flat) if flat else []
    k = 0
    exps: list[Experience] = []
    for (line, start, end, bullets), parts in zip(rows, parts_per, strict=True):
        cand = list(zip(parts, scores[k:k + len(parts)], strict=True))
        k += len(parts)
        if not cand:
            continue
        # the title is the first part that ends in a role noun ("Data Analyst", not "Northwind Retail", which the
        # normaliser may score higher); failing that, the part the normaliser is surest of
        roleish = [j for j, (p, _) in enumerate(cand) if is_role_title(p)]
        best_i = roleish[0] if roleish else max(range(len(cand)), key=lambda j: (cand[j][1][2] - 0.02 * j))
        title, (soc, soc_title, conf) = cand[best_i]
        others = [p for j, (p, _) in enumerate(cand) if j != best_i]
        employer = others[0] if others else None
        unit_emp = _unit_and_employer(line, parts, best_i)
        unit = None
        if unit_emp is not None:
            unit, employer = unit_emp
        e_end = _parse_point(end, end=True) if end else None
        exps.append(Experience(title=title.strip(), employer=employer, start=_parse_point(start), end=e_end,
                               current=end is not None and e_end is None, soc_code=soc if conf >= 0.2 else None,
                               soc_title=soc_title if conf >= 0.2 else None, title_score=round(conf, 4),
                               bullets=bullets, unit=unit))
    # a unit that names a specialty O*NET lists within the title's occupation ("Registered Nurse III, Cardiovascular
    # ICU": critical care nurses, within registered nurses) files the job there; a unit that names another
    # occupation's work, or none, leaves the title's reading
    with_unit = [e for e in exps if e.unit and e.soc_code]
    for e, (soc, soc_title, conf) in zip(with_unit, score_titles([f"{e.unit} {e.title}" for e in with_unit])
                                         if with_unit else [], strict=True):
        if (soc and e.soc_code and soc != e.soc_code and soc[:7] == e.soc_code[:7] and not soc.endswith(".00")
                and conf >= SPECIALTY_MIN_SCORE):
            e.soc_code, e.soc_title = soc, soc_title
    far = date(1900, 1, 1)
    exps.sort(key=lambda e: (not e.current, -(e.end or today or date.today()).toordinal(),
                             -(e.start or far).toordinal()))
    occupations: dict[str, float] = {}
    for e in exps:
        if e.soc_code:
            occupations[e.soc_code] = round(occupations.get(e.soc_code, 0.0) + e.years, 2)
    starts = [e.start for e in exps if e.start]
    years = 0.0
    if starts:
        # union of the dated spans (overlapping jobs count once)
        spans = sorted((e.start, e.end or today or date.today()) for e in exps if e.start)
        cur_s, cur_e = spans[0]
        for s, en in spans[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, en)
            else:
                years += (cur_e - cur_s).days / 365.25
                cur_s, cur_e = s, en
        years += (cur_e - cur_s).days / 365.25
    current = [e for e in exps if e.current] or exps[:1]
    return ResumeFacts(
        experiences=exps, current_titles=[e.title for e in current],
        current_employers=[e.employer for e in current if e.employer],
        years_experience=round(years, 1), seniority=seniority_of(current[0].title) if current else "mid",
        occupations=occupations)


#: a licence held, written the way licensed people write it: after their name ("Priya Natarajan, RN, BSN") or as a line
#: of a licences / certifications section ("RN (Michigan)", "- LPN, Texas"); the label of the licence it shows
POST_NOMINAL_LICENCES = {"RN": "NCLEX-RN license", "LPN": "NCLEX-PN license", "LVN": "NCLEX-PN license"}
#: job titles only a licence holder may be employed under: having worked as one shows the licence
TITLE_LICENCES = ((re.compile(r"\bregistered nurse\b", re.I), "NCLEX-RN license"),
                  (re.compile(r"\blicensed (?:practical|vocational) nurse\b", re.I), "NCLEX-PN license"))


def title_licences(titles: Sequence[str]) -> list[str]:
    """The licence labels the person's job titles show (``TITLE_LICENCES``).

    A "Registered Nurse, Med-Surg" holds an RN licence whether or not the resume lists it; a "Graduate Registered Nurse"
    or "Student Nurse" does not yet.
    """
    out: list[str] = []
    for t in titles:
        if re.search(r"\b(?:student|graduate|intern|extern)\b", t, re.I):
            continue
        out += [label for rx, label in TITLE_LICENCES if rx.search(t)]
    return list(dict.fromkeys(out))
_POST_NOMINAL = re.compile(r"(?<![\w-])(" + "|".join(POST_NOMINAL_LICENCES) + r")(?![\w-])")
_LICENCE_HEAD = re.compile(r"licen[cs]|certif|credential", re.I)


def licence_post_nominals(text: str) -> list[str]:
    """Licences a resume shows its owner holds by their post-nominal letters (keys of POST_NOMINAL_LICENCES).

    Only where such letters name the person: in the name line (the first non-empty line, after a comma) or at the
    start of a line under a licences / certifications heading. "Report changes to the RN", "LPN-to-RN bridge" or "RN
    supervisor" in a bullet show nothing.
    """
    out: list[str] = []
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if lines:
        name_line = lines[0]
        if "," in name_line:
            out += [m.group(1) for m in _POST_NOMINAL.finditer(name_line.split(",", 1)[1])]
    section = ""
    for ln in lines:
        head = _SECTION.match(ln)
        if head:
            section = (head.group(1) or head.group(2) or "")
            continue
        if _LICENCE_HEAD.search(section):
            m = re.match(r"\s*(?:[-*\u2022]\s*)?(" + "|".join(POST_NOMINAL_LICENCES) + r")(?![\w-])\s*(?:[(,;:]|$)", ln)
            if m:
                out.append(m.group(1))
    return list(dict.fromkeys(out))


_LEAD_VERB = (r"(?:lead|leads|led|leading|manage|manages|managed|managing|supervise|supervises|supervised|supervising|"
              r"oversee|oversees|oversaw|overseeing|direct|directs|directed|directing|run|runs|ran|running)")
_PEOPLE = ("staff|employees|associates|nurses|technicians|engineers|agents|representatives|reps|workers|drivers|"
           "operators|analysts|accountants|teachers|cashiers|servers|cooks|generalists|coordinators|specialists|"
           "mechanics|electricians|carpenters|laborers|tellers|designers|developers|assistants|aides|"
           "paraprofessionals|supervisors|managers|millwrights|writers|editors|recruiters|paralegals")
#: a resume line that says its owner leads people, with how many: "Lead a team of 5", "Led a 5-person crew",
#: "Supervise 38 operators", "6 direct reports"
_LEADS_PEOPLE = [
    re.compile(r"\b\d+\s+direct\s+reports\b", re.I),
    re.compile(r"\b" + _LEAD_VERB + r"\s+(?:a\s+|an\s+|the\s+|my\s+)?(?:[\w&/-]+\s+){0,2}?(?:team|staff|crew|department)"
               r"\s+of\s+\d+", re.I),
    re.compile(r"\b" + _LEAD_VERB + r"\s+(?:a\s+|an\s+)?\d+[- ](?:person|member|people)\s+(?:[\w&/-]+\s+){0,2}?"
               r"(?:team|staff|crew|department)\b", re.I),
    re.compile(r"\b" + _LEAD_VERB + r"\s+\d+\s+(?:[\w-]+\s+){0,2}?(?:" + _PEOPLE + r")\b", re.I),
    # "Run a kitchen of 22 cooks", "Managed a shift of 12 associates"
    re.compile(r"\b" + _LEAD_VERB + r"\s+(?:a\s+|an\s+|the\s+|my\s+)?(?:[\w&/-]+\s+){0,2}?(?:kitchen|shift|unit|store|branch|"
               r"office|floor|shop|group|line|section)\s+of\s+\d+\s+(?:[\w-]+\s+)?(?:" + _PEOPLE + r"|cooks)\b", re.I),
    # "Lead a K-5 school of 640 students and 58 staff", "Manage a 40-bed unit with 52 nurses": the people after what
    # is led, in the same clause
    re.compile(r"\b" + _LEAD_VERB + r"\s+(?:a\s+|an\s+|the\s+|my\s+)?[^.;\n]{0,60}?\b(?:and|with|including)\s+\d[\d,]*\s+"
               r"(?:[\w-]+\s+)?(?:" + _PEOPLE + r")\b", re.I),
]


def leads_people(text: str) -> str | None:
    """The first phrase of a resume that shows its owner leads people, or None.

    "Lead a team of 5", "Supervise 38 operators", "Led a 5-person crew", "6 direct reports". A number is required:
    "led the team's migration" or "managed the project" says nothing of staff.
    """
    for rx in _LEADS_PEOPLE:
        m = rx.search(text)
        if m:
            return m.group(0)
    return None


_BUDGET_VERB = (r"(?:manage|manages|managed|managing|own|owns|owned|owning|oversee|oversees|oversaw|overseeing|"
                r"administer|administers|administered|administering|control|controls|controlled|develop|develops|"
                r"developed|build|builds|built|plan|plans|planned|prepare|prepares|prepared|direct|directs|directed|"
                r"run|runs|ran|hold|holds|held|responsible\s+for)")
#: a resume line that says its owner holds a budget, with its size: "Manage a $4.1M site budget", "Owned the $250K
#: annual events budget", "budget of $1.2M"
_MANAGES_BUDGET = [
    re.compile(r"\b" + _BUDGET_VERB + r"\s+(?:a\s+|an\s+|the\s+|my\s+)?(?:\$|USD\s*|£|€)\s?\d[\d.,]*\s*(?:[kmb]|million|"
               r"billion|thousand)?\b\s*(?:[\w&/-]+\s+){0,3}?budgets?\b", re.I),
    re.compile(r"\b" + _BUDGET_VERB + r"\s+(?:a\s+|an\s+|the\s+|my\s+)?(?:[\w&/-]+\s+){0,3}?budgets?\s+of\s+(?:\$|USD\s*|£|€)"
               r"\s?\d", re.I),
]


def manages_budget(text: str) -> str | None:
    """The first phrase of a resume that shows its owner holds a budget, with its size, or None.

    "Manage a $4.1M site budget", "Owned the $250K annual events budget", "Oversee an operating budget of $2M". An
    amount is required: "stayed within budget" or "budget reports" says nothing of holding one.
    """
    for rx in _MANAGES_BUDGET:
        m = rx.search(text)
        if m:
            return m.group(0)
    return None


def normaliser_scores(normalizer: object) -> Callable[[Sequence[str]], list[tuple[str | None, str | None, float]]]:
    """Adapt a title normaliser to :func:`read_resume`'s ``score_titles``."""

    def score(titles: Sequence[str]) -> list[tuple[str | None, str | None, float]]:
        out: list[tuple[str | None, str | None, float]] = []
        for ms in normalizer.normalize(list(titles), k=1):  # type: ignore[attr-defined]
            out.append((ms[0].soc_code, ms[0].title, float(ms[0].score)) if ms else (None, None, 0.0))
        return out

    return score
