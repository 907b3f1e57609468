"""Hacker News "Who is hiring?" posts (JSONL gz: id, source, posted_unix, run_date, text_html).

The first line of a post is usually ``Company | Role | Location | Salary`` but the order, the separators
(``|``, `` - ``, ``—``) and the parts present vary. The header is split into parts and each part is
classified (url, salary, employment type, visa, location/remote, role, other); the first "other" part is
the company. A role part may name several roles ("Senior Backend Engineer, ML Engineer & Product
Designer"): one posting is emitted per role, sharing company, location, salary and text. When the header
names no concrete role ("Multiple roles") the body is scanned for role lines ("Staff Engineer -> url",
bulleted lists, "Roles: A, B") and for "hiring a <Role>" phrases.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from careeros.market.sources.base import (
    ParsedPosting,
    ParseError,
    PostingSource,
    RawRecord,
    json_object,
    posting_id,
)
from careeros.market.sources.parsing import (
    experience_from_title,
    guess_country,
    html_to_text,
    parse_location,
    parse_remote,
    parse_salary,
)
from careeros.warehouse.provenance import sha256_file

HN_FILE = "job-postings-hn-2026/hn_jobs_2026.jsonl.gz"

_ROLE_NOUNS = (
    r"engineers?|eng|engs|developers?|devs?|designers?|scientists?|researchers?|analysts?|architects?|managers?|"
    r"leads?|head of [\w &/-]+|directors?|vp|cto|cfo|coo|ceo|cpo|cmo|ciso|(?:co-?)?founders?|"
    r"swes?|sres?|sdes?|"
    r"devops|devsecops|programmers?|administrators?|sysadmins?|consultants?|specialists?|recruiters?|"
    r"marketers?|writers?|editors?|interns?|internships?|technicians?|accountants?|counsel|attorneys?|lawyers?|"
    r"paralegals?|nurses?|physicians?|doctors?|clinicians?|account executives?|aes?|sdrs?|bdrs?|"
    r"representatives?|reps?|coordinators?|officers?|associates?|strategists?|operators?|producers?|artists?|"
    r"animators?|testers?|qa|mlops|gtm|member of technical staff|mts|pms?|tpms?|fdes?|hackers?|generalists?|"
    r"experts?|advocates?|evangelists?|owners?|instructors?|teachers?|tutors?|mechanics?|machinists?|ops|"
    r"mathematicians?|statisticians?|economists?|quants?|traders?|chemists?|biologists?|physicists?|"
    r"modell?ers?|illustrators?|copywriters?|assistants?|mles?|mle's|faculty|professors?|lecturers?|postdocs?|planners?|buyers?|controllers?|auditors?|"
    r"actuaries|advisors?|advisers?|therapists?|pharmacists?|psychologists?|counselors?|chefs?|"
    r"ux research|growth|sales|marketing|customer success|business development|partnerships"
)
_ROLE_RE = re.compile(rf"(?<![\w.])(?:{_ROLE_NOUNS})(?![\w])", re.I)
# department words alone do not make a title ("growth", "sales")
_WEAK_ROLE_RE = re.compile(
    r"^(growth|sales|marketing|ops|partnerships|customer success|business development|ux research|eng|engs)$",
    re.I,
)
_GENERIC_ROLE = re.compile(
    r"\b(multiple|various|several|many|numerous|lots of|all|open|a few|\d+)\s+(open\s+)?"
    r"(\w+\s+)?(roles?|positions?|openings?|jobs|opportunities|vacancies)\b"
    r"|^(roles?|positions?|hiring|we'?re hiring|"
    r"engineering|product|product & engineering|engineering roles)$",
    re.I,
)
_URL_PART = re.compile(
    r"^(?:https?://\S+|www\.\S+|[\w-]+(?:\.[\w-]+)*\.(?:com|io|ai|co|dev|org|net|tech|app|so|xyz|fm|bio|health|"
    r"de|uk|fr|eu|me|sh|gg|run|inc|ly|us|vc|cloud|systems|studio|work|jobs|careers)(?:/\S*)?)$",
    re.I,
)
_EMPLOYMENT = re.compile(
    r"\b(full[- ]?time|part[- ]?time|contract(?:or|ors)?(?:[- ]to[- ]hire)?|freelance|internships?|permanent|"
    r"perm|temporary|temp|ft|pt|fte|w2|1099|b2b|salaried|employee|contract/full[- ]time)\b",
    re.I,
)
_VISA = re.compile(
    r"\b(visa|sponsorship|sponsor|citizens?(hip)?|clearance|green card|work authori[sz]ation)\b", re.I
)
_REGION = re.compile(
    r"\b(europe|eu|emea|apac|latam|americas|north america|worldwide|global|anywhere|international|"
    r"time ?zones?|gmt|utc|cet|est|pst)\b",
    re.I,
)
_HIRING_PHRASE = re.compile(
    r"\b(?:is|are|we'?re|we are|currently)?\s*(?:hiring|looking for|seeking|searching for)\s+"
    r"(?:an?\s+|our\s+(?:first\s+|next\s+)?|(?:two|three|several|multiple)\s+|for\s+(?:an?\s+)?)?"
    r"((?:[A-Z][\w/+#.-]*|and|&|of|/)(?:\s+(?:[A-Z][\w/+#.-]*|and|&|of|/)){0,7})",
)
_IS_HIRING = re.compile(
    r"^(?P<company>.{2,60}?)\s+(?:is|are)\s+(?:now\s+|still\s+)?hiring\b[:\s]*(?P<rest>.*)$", re.I
)
_AT_COMPANY = re.compile(
    r"^(?P<role>.{3,80}?)\s+(?:at|@)\s+(?P<company>[A-Z0-9][\w.&' -]{1,50}?)(?:,|\s*$|\s+\()", re.S
)
_SEEKER = re.compile(r"^(i\s|i'|hi,? i\b|seeking work|looking for work|freelancer available)", re.I)
_PROSE_COMPANY = re.compile(
    r"^(?:(?i:at)\s+(?P<company>[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*){0,3}),"
    r"|(?!(?:We|Our|They|This|It|You)\b)(?P<company2>[A-Z][\w.&'-]*(?:\s+(?:[A-Z][\w.&'-]*|of|the|and|&)){0,3})(?:\s+\([^)]*\))?\s+(?:is|are)\s)",
)
_NON_POST = re.compile(r"^\s*(\[(flagged|dead|deleted)\]|@\w+)", re.I)
_BULLET = re.compile(r"^\s*(?:[-*•·▪►>]|\d+[.)/])\s*")
_URL_IN = re.compile(r"(?:https?://|www\.)\S+", re.I)
_SECTION_LABEL = re.compile(
    r"^(stack|tech stack|tech|requirements?|about|apply|email|contact|benefits|salary|compensation|location|"
    r"visa|who|what|why|how|we|you|our|the|tools|perks|interview|process|note|p\.?s\.?)\b",
    re.I,
)
_ROLE_LIST_LABEL = re.compile(
    r"^\s*(?:open\s+|current\s+|featured\s+)?"
    r"(?:roles?|positions?|openings?|hiring(?:\s+for)?|we'?re hiring(?:\s+for)?|"
    r"looking for|jobs)\s*:\s*(.*)$",
    re.I,
)


def _strip_parens(s: str) -> str:
    prev = None
    while prev != s:
        prev = s
        s = re.sub(r"\s*[(\[][^()\[\]]*[)\]]", "", s)
    return re.sub(r"\s+", " ", s).strip()


def _singular(title: str) -> str:
    words = title.split()
    if not words:
        return title
    last = re.sub(r"'s$", "", words[-1])
    words[-1] = last
    low = last.lower()
    if low.endswith("ies") and len(low) > 4:
        words[-1] = last[:-3] + ("Y" if last.isupper() else "y")
    elif (
        low.endswith("s")
        and not low.endswith(("ss", "ops", "sales", "us", "analytics", "ics"))
        and len(low) > 3
    ):
        words[-1] = last[:-1]
    elif low in {"engs", "swes", "sres", "pms", "tpms", "fdes", "devs", "sdes"}:
        words[-1] = last[:-1]
    return " ".join(words)


def _clean_title(t: str) -> str:
    t = _URL_IN.sub("", t)
    t = re.sub(r"^\W+|[\s:;,.\-–—→>*]+$", "", t.strip())
    t = re.sub(r"^(?:multiple|several|various|many|\d+x?|\d+ open|two|three)\s+", "", t, flags=re.I)
    t = re.sub(r"^(?:we'?re\s+)?hiring\s*:?\s*", "", t, flags=re.I)
    t = re.sub(r"^(?:an?|the)\s+", "", t, flags=re.I)
    t = re.sub(r"\s+(?:roles?|positions?|openings?)$", "", t, flags=re.I)
    return re.sub(r"\s+", " ", t).strip(" -–—:*")


_NOT_TITLE_START = re.compile(
    r"^(collaborate|work|working|build|building|design|develop|help|own|drive|ship|create|manage|join|write|"
    r"partner|make|you|we|our|your|their|experience|experienced in|strong|knowledge|ability|familiarity|"
    r"proficiency|understanding|bachelor|degree|excellent|deep|solid|hands-on|passion|i|if|as|the|this|that|"
    r"a|an|to|for|with|no|not|must|should|will|can|are|is|about|email|apply|contact|please|send|reach)\b",
    re.I,
)
_TITLE_END = re.compile(rf"(?:{_ROLE_NOUNS})", re.I)


def is_title(s: str) -> bool:
    """True when ``s`` reads like a job title: short, not a sentence, ending in a role noun."""
    core = _strip_parens(s)
    core = re.split(r",\s|\s[-–—]\s|:\s", core, maxsplit=1)[0].strip(" .:-*")
    core = re.sub(r"'s$", "s", core)
    words = core.split()
    if not words or len(words) > 8 or _NOT_TITLE_START.match(core) or _WEAK_ROLE_RE.match(core):
        return False
    return any(m.end() == len(core) for m in _TITLE_END.finditer(core))


def split_roles(part: str, allow_weak: bool = False) -> list[str]:
    """Split a role phrase into role titles ("Staff, Fullstack & Frontend Engineers" -> three titles)."""
    text = re.sub(r"^\s*\[(.*)\]\s*$", r"\1", part.strip())
    text = re.sub(r":\s*\[(.*)\]", r": \1", text)
    text = _strip_parens(text)
    text = re.sub(r"^(?:multiple\s+)?(?:openings?|roles?|positions?|hiring)\s*:\s*", "", text, flags=re.I)
    frags = [
        f.strip()
        for f in re.split(r",|;|\s+&\s+|\s+and\s+|\s+\+\s+|\s+•\s+|\s+·\s+|\s+or\s+", text)
        if f.strip()
    ]
    # "Founding Engineer / AI Engineer": a slash between two full titles separates roles
    split: list[str] = []
    for f in frags:
        pieces = [x.strip() for x in re.split(r"\s+/\s+", f)]
        split += pieces if len(pieces) > 1 and all(is_title(x) for x in pieces) else [f]
    frags = [
        f
        for f in split
        if not re.fullmatch(r"(?:and\s+)?(?:many|much|lots)\s+more|others|etc\.?|more", f, re.I)
    ]
    if not frags:
        return []
    last = frags[-1]
    last_words = last.split()
    distribute = (
        len(frags) > 1
        and _ROLE_RE.search(last)
        and last_words[-1].lower().endswith("s")
        and len(last_words) >= 2
    )
    roles: list[str] = []
    for i, f in enumerate(frags):
        weak = bool(_WEAK_ROLE_RE.match(f))
        if not _ROLE_RE.search(f) or (weak and not allow_weak):
            if distribute and i < len(frags) - 1 and len(f.split()) <= 3:
                f = f"{f} {' '.join(last_words[1:])}"
            else:
                continue
        t = _clean_title(f)
        if not t or len(t.split()) > 9 or (_WEAK_ROLE_RE.match(t) and not allow_weak):
            continue
        roles.append(_singular(t))
    seen: set[str] = set()
    out = []
    for r in roles:
        if r.lower() not in seen:
            seen.add(r.lower())
            out.append(r)
    return out


def _classify(part: str) -> str:
    p = part.strip()
    bare = _strip_parens(p) or p.strip("[]() ")
    if not bare:
        return "other"
    if len(bare.split()) > 12:
        return "prose"
    if _URL_PART.match(bare) or (_URL_IN.fullmatch(p)):
        return "url"
    sal = parse_salary(p)
    if sal.found and not _ROLE_RE.search(_URL_IN.sub("", bare)):
        return "salary"
    if (
        _EMPLOYMENT.search(bare)
        and len(_EMPLOYMENT.sub("", bare).split()) <= 2
        and not _ROLE_RE.search(_EMPLOYMENT.sub("", bare))
    ):
        return "employment"
    if parse_remote(p):
        return "location"
    if _VISA.search(p) and not _ROLE_RE.search(bare):
        return "visa"
    if _ROLE_RE.search(bare) and not _WEAK_ROLE_RE.match(bare):
        return "role"
    if guess_country(p) or _REGION.search(p):
        return "location"
    if _GENERIC_ROLE.search(bare):
        return "generic"
    return "other"


def _split_top(text: str, pattern: str) -> list[str]:
    """Split ``text`` on ``pattern`` outside parentheses and brackets."""
    out, depth, start = [], 0, 0
    rx = re.compile(pattern)
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = rx.match(text, i)
            if m and m.end() > i:
                out.append(text[start:i])
                start = i = m.end()
                continue
        i += 1
    out.append(text[start:])
    return out


def _paren_location(part: str) -> str | None:
    """A location given in parentheses inside another part ("Engineer (Remote, LATAM)")."""
    for inner in re.findall(r"[(\[]([^()\[\]]*)[)\]]", part):
        if parse_remote(inner) or guess_country(inner) or _REGION.search(inner):
            return inner
    return None


def _employment_type(parts: list[str]) -> str | None:
    for p in parts:
        m = _EMPLOYMENT.search(p)
        if not m:
            continue
        w = m.group(1).lower().replace(" ", "-")
        if w.startswith("full") or w in {"ft", "fte", "permanent", "perm", "salaried", "employee", "w2"}:
            return "full-time"
        if w.startswith("part") or w == "pt":
            return "part-time"
        if w.startswith("intern"):
            return "internship"
        if w.startswith(("contract", "freelance", "1099", "b2b", "temp")):
            return "contract"
    return None


_COMPANY_SUFFIX = re.compile(
    r"\b(inc|llc|ltd|gmbh|corp|co|technologies|technology|labs|systems|software|health|robotics|group|ai|"
    r"financial|capital|bank|university|institute|foundation)\b\.?$",
    re.I,
)


def _clean_company(s: str) -> str | None:
    s = re.sub(r"^\s*\[(.*)\]\s*$", r"\1", s.strip())
    s = re.sub(r"\*+", "", s)
    s = _strip_parens(s)
    s = _URL_IN.sub("", s)
    s = re.sub(r"^(?:company|hiring company)\s*:\s*", "", s, flags=re.I)
    s = re.sub(r",?\s+\(?YC\s*[A-Z]?\d{2}\)?$", "", s).strip(" -–—:,;")
    if not s or len(s) > 60 or len(s.split()) > 7:
        return None
    return s


def _cut_role_line(s: str) -> str:
    """The title part of a role line: before links, arrows, " - ", "|", ":" and the first sentence end."""
    s = re.split(r"\s*(?:→|-+>|—>|=>|\s[-–—]\s|\||:\s?|\(?(?:https?://|www\.))", s, maxsplit=1)[0]
    s = re.split(r"\.\s", s, maxsplit=1)[0]
    s = re.sub(r"\s+(?:for|to|who|with|in|at|on)\s+.*$", "", s)
    s = re.sub(r"\s+role$", "", s.strip(), flags=re.I)
    return s.strip(" :-–—*.")


def _body_roles(lines: list[str]) -> list[str]:
    roles: list[str] = []
    for line in lines:
        m = _ROLE_LIST_LABEL.match(line)
        if m:
            if m.group(1).strip():
                roles += [r for r in split_roles(_cut_role_line(m.group(1))) if is_title(r)]
            continue
        s = _BULLET.sub("", line).strip()
        s = re.sub(r"^\[[^\]]*\]\s*", "", s)  # "[Leadership] Engineering Manager"
        s = _cut_role_line(s)
        if not s or len(s) > 90 or not is_title(s):
            continue
        found = split_roles(s)
        roles += [r for r in found if is_title(r)] or ([_clean_title(s)] if "," in s else [])
        if len(roles) >= 20:
            break
    return [_singular(r) for r in roles if r]


_HIRE_PHRASE = re.compile(
    r"\b(?:hiring|looking for|looking to (?:hire|add)|seeking|searching for|to hire|need|needs)\s+"
    r"(?:(?:an?|our|first|next|two|three|four|five|several|multiple|more|additional|experienced|talented|"
    r"exceptional|great|full-time|part-time|\d+)\s+)*"
    r"(?P<r>[^.;:!?\n()]{3,90})",
    re.I,
)
_PHRASE_STOP = re.compile(
    r"\s+(?:to|who|with|for|in|at|on|that|across|from|based|located|like|as|whose|which|\u2014|-)\s+.*$", re.I
)


def _phrase_roles(text: str) -> list[str]:
    for m in _HIRE_PHRASE.finditer(text):
        cand = _PHRASE_STOP.sub("", m.group("r")).strip(" ,")
        cand = _EMPLOYMENT.sub("", cand).strip()
        roles = [r for r in split_roles(cand) if is_title(r)]
        if roles:
            return roles
    return []


def _body_salary(lines: list[str]):
    for line in lines:
        if re.search(
            r"salary|compensation|\bcomp\b|\bpay\b|\bbase\b|range|\bote\b|per hour|/hr|/year|k\b", line, re.I
        ):
            s = parse_salary(line, require_currency=True)
            if s.found or s.warnings:
                return s
    return None


def parse_hn_post(record: dict, raw_sha256: str, source: str = "hn") -> list[ParsedPosting]:
    """Parse one HN post dict into one posting per role (raises ParseError for non-posts)."""
    rid = record.get("id")
    html_text = record.get("text_html")
    if rid is None:
        raise ParseError("missing id")
    if not isinstance(html_text, str) or not html_text.strip():
        raise ParseError("missing or empty text_html")
    text = html_to_text(html_text)
    if _NON_POST.match(text):
        raise ParseError("not a job post: flagged/deleted or a reply")
    if _SEEKER.match(text):
        raise ParseError("not a job post: job seeker")
    lines = text.split("\n")
    header = lines[0].strip()
    body = lines[1:]
    if len(header) > 220 and "|" not in header[:220]:
        # a prose opening: keep its first sentence as the header
        first = re.split(r"(?<=[.!?])\s", header, maxsplit=1)
        header, body = first[0][:300], ([first[1]] if len(first) > 1 else []) + body
    header = header.strip("* ")
    header = re.sub(r"\s*\[\s*([^\[\]]*\|[^\[\]]*?)\s*\]\s*$", r" | \1", header)

    if header.count("|") >= 1:
        parts = [q.strip(" *") for p in header.split("|") for q in _split_top(p, r"\s+—\s+")]
    else:
        parts = [p.strip(" *") for p in _split_top(header, r"\s+[—–]\s+|\s+-{1,2}\s+|\s+•\s+|\s+·\s+")]
    parts = [p for p in parts if p]
    warnings: list[str] = []

    company: str | None = None
    roles: list[str] = []
    role_context: dict[str, str] = {}
    locs: list[str] = []
    salary = None
    generic = False
    kinds = [_classify(p) for p in parts]

    # "Acme is hiring a Staff Engineer" / "Senior Analyst at Acme, the ..." / "Founding Engineer @ Acme"
    m_is = _IS_HIRING.match(parts[0]) if parts else None
    if m_is:
        company = _clean_company(m_is.group("company"))
        rest = m_is.group("rest")
        if rest:
            rest = re.sub(r"^(?:again!?|now)\W*", "", rest, flags=re.I)
            rest = re.sub(r"^(?:an?|for|the)\s+", "", rest, flags=re.I)
            found = [r for r in split_roles(_PHRASE_STOP.sub("", rest)) if is_title(r)]
            if found:
                roles += found
            elif rest.strip():
                generic = True
            if parse_remote(rest) or guess_country(rest):
                locs.append(_paren_location(rest) or rest)
        parts, kinds = parts[1:], kinds[1:]
    elif parts:
        m_at = _AT_COMPANY.match(parts[0])
        if m_at and _ROLE_RE.search(m_at.group("role")):
            company = _clean_company(m_at.group("company"))
            roles += split_roles(m_at.group("role"))
            tail = parts[0][m_at.end("company") :]
            if parse_remote(tail) or guess_country(tail):
                locs.append(tail)
            parts, kinds = parts[1:], kinds[1:]
    if (
        company is None
        and parts
        and kinds[0] == "role"
        and (_COMPANY_SUFFIX.search(_strip_parens(parts[0])) or (len(parts) > 1 and "role" in kinds[1:3]))
    ):
        # "Architect Financial Technologies | ...": a role-looking first part with a company suffix,
        # or followed by a real role part, is the company
        kinds[0] = "other"

    for i, (part, kind) in enumerate(zip(parts, kinds, strict=True)):
        if kind in {"other", "url"} and company is None and i <= 1:
            company = (
                _clean_company(part)
                if kind == "other"
                else _clean_company(re.sub(r"^(?:https?://)?(?:www\.)?", "", part).split("/")[0])
            )
            continue
        if kind == "role" or (
            kind == "other" and company is not None and _WEAK_ROLE_RE.match(_strip_parens(part))
        ):
            found = split_roles(part, allow_weak=True)
            for r in found:
                role_context.setdefault(r, part)
            roles += found
            if _GENERIC_ROLE.search(part):
                generic = True
            loc_in_role = _paren_location(part)
            if loc_in_role:
                locs.append(loc_in_role)
        elif kind == "generic":
            generic = True
        elif kind == "location":
            locs.append(part)
        elif kind == "salary" and salary is None:
            salary = parse_salary(part)
    if company is None and parts and kinds and kinds[0] == "role" and len(parts) > 1:
        # "Data Analyst | Redistricting Data Hub | Remote (US)": the company follows the role
        for part, kind in zip(parts[1:], kinds[1:], strict=True):
            if kind == "other":
                company = _clean_company(part)
                break
    if company is None:
        m_co = _PROSE_COMPANY.match(text)
        if m_co:
            company = _clean_company(m_co.group("company") or m_co.group("company2"))

    if not roles or generic:
        extra = _body_roles(body)
        if not extra and not roles:
            extra = _phrase_roles(" ".join(lines[:8]))
        for r in extra:
            if r.lower() not in {x.lower() for x in roles}:
                roles.append(r)
    if not roles and not company:
        raise ParseError("not a job post: no company or role found in header")
    if len(parts) <= 1 and not roles and not m_is:
        raise ParseError("not a job post: header has no fields")
    if salary is None:
        salary = _body_salary(body[:40])
    if salary is not None:
        warnings += salary.warnings

    location, country, remote = None, None, None
    if locs:
        parsed = [parse_location(x) for x in locs]
        location = "; ".join(p[0] for p in parsed if p[0]) or None
        country = next((p[1] for p in parsed if p[1]), None)
        remote = parse_remote(" ".join(locs))
    if remote is None:
        remote = parse_remote(
            " ".join(p for p, k in zip(parts, kinds, strict=True) if k in {"employment", "other"})
        )
    if remote is None:
        for line in body[:40]:
            lm = re.match(r"^\s*(?:location|remote|where|work model|office)\s*:\s*(.+)$", line, re.I)
            if lm:
                loc2, country2, remote = parse_location(lm.group(1))
                location = location or loc2
                country = country or country2
                break

    employment = _employment_type(parts)
    posted = record.get("posted_unix")
    try:
        posted_at = datetime.fromtimestamp(int(posted), UTC) if posted is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        posted_at = None
        warnings.append(f"bad posted_unix: {posted!r}")
    url = f"https://news.ycombinator.com/item?id={rid}"
    attrs = {k: record.get(k) for k in ("source", "run_date") if record.get(k) is not None}
    if not roles:
        roles = [None]  # type: ignore[list-item]
        warnings.append("no role title found")
    out = []
    for idx, role in enumerate(roles[:25]):
        level = experience_from_title(role) or experience_from_title(
            _strip_parens(role_context.get(role or "", ""))
        )
        if level is None and role is not None:
            ctx = role_context.get(role, "")
            level = experience_from_title(re.sub(r"[()]", " ", ctx)) if ctx else None
        out.append(
            ParsedPosting(
                posting_id=posting_id(source, str(rid), idx),
                source=source,
                source_record_id=str(rid),
                role_index=idx,
                raw_sha256=raw_sha256,
                company=company,
                title=role,
                location=location,
                country=country,
                remote=remote,  # type: ignore[arg-type]
                salary_min=salary.min if salary else None,
                salary_max=salary.max if salary else None,
                salary_currency=salary.currency if salary and salary.found else None,
                salary_period=salary.period if salary and salary.found else None,  # type: ignore[arg-type]
                experience_level=level,  # type: ignore[arg-type]
                employment_type=employment,
                posted_at=posted_at,
                text=text,
                url=url,
                attributes=attrs,
                parse_warnings=list(warnings),
            )
        )
    return out


class HNSource(PostingSource):
    """HN "Who is hiring?" JSONL(.gz) file: one raw record per line, one posting per role."""

    name = "hn"
    version = "1"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def from_datasets(cls, datasets: Path) -> HNSource:
        """The source over the bundled dataset folder."""
        return cls(Path(datasets) / HN_FILE)

    def source_files(self) -> list[str]:
        """The JSONL file read."""
        return [str(self.path)]

    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield each non-empty line as a raw record (malformed lines too: parsing rejects them)."""
        file_sha = sha256_file(self.path)
        opener = gzip.open if self.path.suffix == ".gz" else open
        with opener(self.path, "rt", encoding="utf-8", errors="replace") as fh:
            for lineno, line in enumerate(fh, start=1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                m = re.search(r'"id"\s*:\s*"?(\d+)', line)
                rid = m.group(1) if m else f"line-{lineno}"
                yield RawRecord.make(self.name, rid, line, str(self.path), file_sha)

    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one JSON line into postings (one per role)."""
        return parse_hn_post(json_object(raw.raw_json), raw.raw_sha256, self.name)
