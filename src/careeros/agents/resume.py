"""What a resume says the person did: experience entries, their bullets ranked, and the current employer.

Pure functions over resume text (Markdown, or the flattened text of a PDF/DOCX). Only bullets under an
experience or projects section count: never the summary paragraph, the skills list or the header. Quantified
bullets that start with an action verb rank first (they make the best STAR stories).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from careeros.agents.models import Experience, ResumeBullet

_SECTION = {
    "experience": "experience", "work experience": "experience", "professional experience": "experience",
    "employment": "experience", "employment history": "experience", "work history": "experience",
    "career history": "experience", "clinical experience": "experience", "teaching experience": "experience",
    "relevant experience": "experience", "projects": "projects", "selected projects": "projects",
    "side projects": "projects", "key projects": "projects", "summary": "other", "profile": "other",
    "about": "other", "about me": "other", "skills": "other", "technical skills": "other", "education": "other",
    "certifications": "other", "licenses": "other", "licenses and certifications": "other", "languages": "other",
    "interests": "other", "publications": "other", "references": "other", "contact": "other",
    "professional summary": "other", "objective": "other", "awards": "other", "volunteering": "experience",
    "volunteer experience": "experience", "leadership": "experience",
}
_BULLET = re.compile(r"^\s*(?:[-*\u2022\u2023\u25aa\u25e6\u2013]|\d+[.)])\s+")
_YEAR = r"(?:19|20)\d{2}"
_PERIOD = re.compile(rf"\(?\s*((?:[A-Za-z]{{3,9}}\.?\s+)?{_YEAR})\s*(?:-|\u2013|\u2014|to)\s*"
                     rf"((?:[A-Za-z]{{3,9}}\.?\s+)?{_YEAR}|present|current|now|today)\s*\)?", re.IGNORECASE)
_CURRENT = re.compile(r"present|current|now|today", re.IGNORECASE)
#: numbers with units, percentages, money, durations, counts
QUANT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|percent|x\b|k\b|m\b|million|billion|hours?|h\b|minutes?|min\b|days?|"
                   r"weeks?|months?|years?|patients?|students?|learners?|clients?|accounts?|beds?|people|staff|"
                   r"nurses?|engineers?|teachers?|events?|transactions?|entries|invoices?)|[$\u20ac\u00a3]\s?\d|"
                   r"\bfrom\s+\S+.{0,30}\bto\s+\d|\bby half\b|\bhalved\b|\bdoubled\b|\btripled\b|\d",
                   re.IGNORECASE)
STRONG_QUANT = re.compile(r"\bby half\b|\bhalved\b|\bdoubled\b|\d+(?:[.,]\d+)?\s*(?:%|percent)|[$\u20ac\u00a3]\s?\d|"
                           r"\bfrom\s+\S+.{0,40}\bto\s+\S*\d|"
                           r"\d+(?:[.,]\d+)?\s*(?:hours?|minutes?|days?|weeks?|million|billion|k\b)", re.IGNORECASE)
_VERBS = {
    "built", "led", "ran", "cut", "made", "drove", "set", "wrote", "won", "grew", "taught", "saved", "shipped",
    "owned", "rebuilt", "rewrote", "brought", "took", "kept", "began", "chose", "oversaw", "spearheaded",
    "mentored", "coached", "trained", "launched", "designed", "created", "developed", "introduced", "reduced",
    "increased", "improved", "managed", "delivered", "implemented", "established", "streamlined", "automated",
    "migrated", "prepared", "reconciled", "audited", "administered", "assessed", "coordinated", "supervised",
    "planned", "organised", "organized", "negotiated", "raised", "lowered", "halved", "doubled", "tripled",
    "completed", "achieved", "resolved", "analysed", "analyzed", "operated", "maintained", "redesigned",
    "piloted", "facilitated", "educated", "cared", "triaged", "documented", "monitored", "closed", "produced",
    "presented", "published", "authored", "helped", "supported", "handled", "processed", "served",
}
#: repository/tool metadata that is never an accomplishment ("Languages: Python (7 files)")
_METADATA = re.compile(r"^\s*[A-Za-z][\w /&-]{1,30}:\s|\(\d+ files?\)|^https?://|@", re.IGNORECASE)


def _norm_heading(line: str) -> str:
    return re.sub(r"[^a-z ]", "", line.strip().lstrip("#").strip().lower()).strip()


def _section_of(line: str) -> str | None:
    """The section a heading line opens, or None when the line is not a section heading."""
    raw = line.strip()
    if not raw or _BULLET.match(raw):
        return None
    key = _norm_heading(raw.rstrip(":"))
    if raw.startswith("#") and raw.lstrip("#").startswith(" ") and len(raw) - len(raw.lstrip("#")) <= 2:
        return _SECTION.get(key, "other")
    if key in _SECTION and len(raw) <= 40:
        return _SECTION[key]
    return None


def parse_entry(line: str) -> Experience | None:
    """An experience header ("Title, Company (2021 - present)", "Title at Company | 2019-2021") or None."""
    text = line.strip().lstrip("#").strip().strip("*_").strip()
    m = _PERIOD.search(text)
    if not m or _BULLET.match(line):
        return None
    period = f"{m.group(1).strip()} - {m.group(2).strip()}"
    head = (text[: m.start()] + " " + text[m.end():]).strip(" ,|()\u00b7-\u2013\u2014")
    head = re.sub(r"\s*[|\u00b7]\s*$", "", head)
    title, company = head, ""
    for sep in (" at ", " @ ", ", ", " | ", " \u2014 ", " \u2013 ", " - ", " \u00b7 "):
        if sep in head:
            a, b = head.split(sep, 1)
            title, company = a.strip(" ,|"), b.strip(" ,|")
            break
    # markdown emphasis around the title or the company ("**Staff Reporter**, The Ledger") is not part of the name
    title, company = title.strip("*_ "), company.strip("*_ ")
    company = re.split(r"\s*[|\u00b7,]\s*", company)[0].strip() if company else ""
    if not title or len(title) > 90:
        return None
    end_year = _end_year(m.group(2))
    return Experience(title=title, company=company, period=period, current=bool(_CURRENT.fullmatch(m.group(2).strip())),
                      end_year=end_year)


def _end_year(text: str) -> int:
    if _CURRENT.fullmatch(text.strip()):
        return date.today().year + 1
    m = re.search(_YEAR, text)
    return int(m.group(0)) if m else 0


def _starts_with_verb(text: str) -> bool:
    first = re.sub(r"[^a-z]", "", text.split(" ", 1)[0].lower())
    return first in _VERBS or (first.endswith("ed") and len(first) > 4)


#: a measured change: a number next to a verb of change, a percentage, money or "from X to Y"
RESULT = re.compile(r"\d+(?:[.,]\d+)?\s*(?:%|percent)|[$\u20ac\u00a3]\s?\d|\bfrom\s+\S+.{0,40}\bto\s+\S*\d|"
                    r"\bby half\b|\bhalved\b|\bdoubled\b|\btripled\b|\b(?:cut|reduc\w*|fell|rose|sav\w*|improv\w*|"
                    r"increas\w*|decreas\w*|grew|dropped|lowered|raised|cleared|recovered)\b[^.;]{0,60}\d",
                    re.IGNORECASE)


def bullet_score(text: str) -> float:
    """How good a bullet is as a STAR story: a measured result, then any number, then an action verb."""
    s = 0.0
    if RESULT.search(text):
        s += 2.0
    elif QUANT.search(text):
        s += 1.0
    if _starts_with_verb(text):
        s += 1.0
    if len(text) < 40:
        s -= 0.5
    return s


def parse_resume(text: str, *, item_id: str = "", source_path: str = "") -> tuple[list[Experience], list[ResumeBullet]]:
    """Experience entries and their bullets (experience and projects sections only), in document order."""
    section: str | None = None
    has_sections = any(_section_of(line) for line in text.splitlines())
    entry: Experience | None = None
    experiences: list[Experience] = []
    bullets: list[tuple[str, str, Experience | None]] = []
    current: list[str] | None = None

    def flush() -> None:
        nonlocal current
        if current:
            bullets.append((" ".join(" ".join(current).split()), section or "experience", entry))
        current = None

    for raw in text.splitlines():
        line = raw.rstrip()
        sec = _section_of(line)
        if sec is not None and not parse_entry(line):
            flush()
            section, entry = sec, None
            continue
        if has_sections and section not in ("experience", "projects"):
            continue
        if not line.strip():
            flush()
            continue
        e = parse_entry(line) if not _BULLET.match(line) else None
        if e is not None:
            flush()
            entry = e
            experiences.append(e)
            continue
        if _BULLET.match(line):
            flush()
            current = [_BULLET.sub("", line).strip()]
        elif current is not None and not line.lstrip().startswith("#"):
            current.append(line.strip())  # hard-wrapped continuation of the bullet
        elif section == "projects" and not line.lstrip().startswith("#"):
            current = [line.strip()]  # a project described in a sentence
    flush()
    out: list[ResumeBullet] = []
    for n, (b, sec, e) in enumerate(bullets):
        if len(b) < 25 or _METADATA.search(b):
            continue
        out.append(ResumeBullet(text=b, section="projects" if sec == "projects" else "experience",
                                role=e.title if e else "", company=e.company if e else "",
                                period=e.period if e else "", current=bool(e and e.current),
                                quantified=bool(QUANT.search(b)), action_verb=_starts_with_verb(b),
                                score=round(bullet_score(b), 3), order=n, item_id=item_id,
                                source_path=source_path))
    return experiences, out


def current_employer(experiences: Sequence[Experience]) -> str | None:
    """The employer of the most recent experience entry that is still running (or ended this/last year)."""
    if not experiences:
        return None
    best = max(experiences, key=lambda e: (e.end_year, -experiences.index(e)))
    if best.company and (best.current or best.end_year >= date.today().year - 1):
        return best.company
    return None


def rank_bullets(bullets: Iterable[ResumeBullet]) -> list[ResumeBullet]:
    """Distinct bullets, best first (score, then current role, then document order)."""
    seen: set[str] = set()
    out = []
    for b in sorted(bullets, key=lambda b: (-b.score, not b.current, b.order)):
        key = re.sub(r"\W+", " ", b.text.lower()).strip()
        if key in seen:
            continue
        seen.add(key)
        out.append(b)
    return out


def company_key(name: str) -> str:
    """A company name reduced for comparison (case, punctuation, legal suffixes)."""
    s = re.sub(r"[^a-z0-9 ]", " ", name.lower())
    s = re.sub(r"\b(inc|llc|ltd|limited|gmbh|plc|corp|corporation|co|company|sa|ag|bv|the|llp|lp)\b", " ", s)
    return " ".join(s.split())


def same_company(a: str | None, b: str | None) -> bool:
    """True when two company names name the same organisation (after :func:`company_key`)."""
    ka, kb = company_key(a or ""), company_key(b or "")
    return bool(ka) and ka == kb
