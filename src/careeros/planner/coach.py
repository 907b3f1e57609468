"""Plan text a coach would sign: goal targets, the current role, transition paths, hours and human wording.

Pure functions over strings and pydantic models (readers take an open connection or a loaded model).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field

from careeros.planner.gaps import brief_label

NUMBER_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "couple of": 2, "several": 3}
#: goal noun (regex) -> artifact kind
NOUNS: tuple[tuple[str, str], ...] = (
    (r"projects?|portfolio pieces?|case stud(?:y|ies)|dashboards?|modules?|prototypes?|work samples?|models?|menus?"
     r"|campaigns?", "project"),
    (r"articles?|posts?|write-?ups?|blog posts?|briefs?|papers?|press releases?", "write-up"),
    (r"talks?|presentations?|workshops?", "talk"),
    (r"certifications?|certificates?|credentials?", "certification"),
    (r"pull requests?|open[- ]source contributions?|contributions?", "open-source"),
)
#: nouns that name a kind of work product themselves ("three case studies" asks for case studies, not any project)
NOUN_TOPICS = (("case stud", "case study"), ("dashboard", "dashboard"), ("module", "module"),
               ("prototype", "prototype"), ("brief", "brief"), ("model", "model"), ("menu", "menu"),
               ("campaign", "campaign"), ("press release", "press release"))
FILLER = {"public", "open", "small", "new", "strong", "real", "solid", "portfolio", "published", "good", "great",
          "end-to-end", "and", "of", "the", "as", "my", "own", "shipped", "visible", "complete", "finished"}
#: abbreviations a goal may use -> words the work-product topics use
TOPIC_ALIASES = {"ml": ["ml", "machine learning"], "ai": ["ai", "machine learning", "ml"], "ux": ["ux", "case study"],
                 "mlops": ["mlops", "ml"], "data": ["data"], "bi": ["dashboard", "analysis"]}
INTERNAL_ID = re.compile(r"\b(?:learn|build|publish|outreach|interview_prep):\S+|\b(?:tech|tool|onet|esco|concept):"
                         r"[A-Za-z0-9._\-]+")


class GoalTarget(BaseModel):
    """A countable thing the goal asks for ("two public ML projects")."""

    count: int = Field(ge=1)
    kind: str
    topics: list[str] = Field(default_factory=list)
    text: str


def parse_goal(statement: str) -> list[GoalTarget]:
    """Countable targets in a goal statement: number (digit or word) + up to four words + a work-product noun."""
    out: list[GoalTarget] = []
    low = statement.lower()
    nums = "|".join(sorted((re.escape(k) for k in NUMBER_WORDS), key=len, reverse=True))
    nouns = "|".join(n for n, _ in NOUNS)
    stop = rf"(?:\d+|{nums}|months?|weeks?|years?|days?|with|within|in|by|for|and|or)\b"
    pat = re.compile(rf"\b(\d+|{nums})\s+((?:(?!{stop})[\w+/-]+\s+){{0,4}}?)({nouns})\b")
    for m in pat.finditer(low):
        raw = m.group(1)
        count = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        if not 1 <= count <= 10:
            continue
        kind = next(k for n, k in NOUNS if re.fullmatch(n, m.group(3)))
        words = [w for w in m.group(2).split() if w not in FILLER]
        topics: list[str] = [t for n, t in NOUN_TOPICS if m.group(3).startswith(n)]
        for w in words:
            topics += TOPIC_ALIASES.get(w, [w])
        out.append(GoalTarget(count=count, kind=kind, topics=list(dict.fromkeys(topics)),
                              text=statement[m.start():m.end()]))
    return out


def matches_goal(target: GoalTarget, kind: str, topics: Sequence[str], title: str) -> bool:
    """Whether an artifact (kind, topics, title) counts towards a goal target."""
    if kind != target.kind:
        return False
    if not target.topics:
        return True
    have = {t.lower() for t in topics} | set(re.findall(r"[a-z]+", title.lower()))
    return any(t in have or t in title.lower() for t in target.topics)


def fmt_hours(minutes: float) -> str:
    """Human duration rounded to the quarter hour: "45 min", "1.5 h", "2 h", "1.25 h"."""
    q = max(15, int(round(minutes / 15)) * 15)
    if q < 60:
        return f"{q} min"
    h = q / 60
    return f"{h:g} h"


def quarter(minutes: float) -> int:
    """Minutes rounded to the quarter hour (at least 30: no session shorter than half an hour)."""
    return max(30, int(round(minutes / 15)) * 15)


def scrub(text: str) -> str:
    """Remove internal ids (``learn:tech:python``, ``tech:python``, ``onet:2.A.1.a``, ``esco:<uuid>``) from text."""
    return re.sub(r"(?<=\S) {2,}", " ", INTERNAL_ID.sub("", text)).rstrip()


# ------------------------------------------------------------------------------------------- the current role


class CurrentRole(BaseModel):
    """The person's current (most recent) role as read from the resume (:mod:`careeros.evidence.resume_facts`)."""

    title: str
    employer: str | None = None
    soc_code: str | None = None
    onet_title: str | None = None



# ------------------------------------------------------------------------------------------- transition paths


class TransitionPath(BaseModel):
    """Why a move from the current occupation to a target occupation makes sense (or what makes it a stretch)."""

    from_soc: str
    from_title: str
    from_own_title: str | None = None
    to_soc: str
    to_title: str
    to_own_title: str | None = None
    rank: int | None = Field(default=None, description="position of the target among the current occupation's "
                                                       "related occupations (1 = closest)")
    of: int | None = None
    shared_skills: list[str] = Field(default_factory=list)
    missing_skills: list[str] = Field(default_factory=list)
    shared_technologies: list[str] = Field(default_factory=list)
    missing_technologies: list[str] = Field(default_factory=list)
    wage_ratio: float | None = None
    job_zone_step: int | None = None
    why: str = ""


def _closeness(rank: int | None, of: int | None) -> str:
    if rank is None or not of:
        return "a move between fields"
    share = rank / of
    if rank <= 10:
        return f"a well-trodden move (among the 10 occupations closest to yours, #{rank})"
    if share <= 0.05:
        return f"a realistic move (in the closest 5% of occupations, #{rank} of {of})"
    if share <= 0.2:
        return f"a reachable move (in the closest fifth of occupations, #{rank} of {of})"
    return f"a bigger step (#{rank} of {of} by similarity), so the plan leans on evidence you build"


def _join(xs: Sequence[str], n: int = 4) -> str:
    xs = list(xs)[:n]
    return ", ".join(xs[:-1]) + (" and " if len(xs) > 1 else "") + xs[-1] if xs else ""


def explain_path(p: TransitionPath, planned: bool = True) -> str:
    """One short paragraph: how close the move is, what carries over, what is new, pay and preparation.

    ``planned``: the new ground named is what this plan's work covers (else the target's largest gaps, which the
    plan's weeks do not reach).
    """
    src = p.from_own_title or p.from_title
    dst = p.to_own_title or p.to_title
    bits = [f"From {src} to {dst} is {_closeness(p.rank, p.of)}."]
    # the person's own strengths (four of them when no tools are listed beside them), each with one example
    carried = [*p.shared_skills[:3], *p.shared_technologies[:2]] if p.shared_technologies else p.shared_skills[:4]
    if carried:
        bits.append(f"What carries over: {_join([brief_label(x, 1) for x in carried], 5)}.")
    keep = {x.lower() for x in carried}
    new = [x for x in [*p.missing_skills[:4], *p.missing_technologies[:3]] if x.lower() not in keep]
    if new:
        # "adds", not "new ground": some of them the person already shows in part (an electrician's OSHA card)
        bits.append(("What this plan's work adds: " if planned else
                     "Still to add, beyond this plan's weeks: ") + f"{_join([brief_label(x) for x in new], 5)}.")
    if p.wage_ratio:
        if p.wage_ratio >= 1.1:
            bits.append(f"Typical pay is about {p.wage_ratio:.1f}x yours.")
        elif p.wage_ratio <= 0.9:
            bits.append(f"Typical pay is about {p.wage_ratio:.1f}x yours: weigh that against the other reasons.")
        else:
            bits.append("Typical pay is about the same.")
    if p.job_zone_step:
        bits.append("It usually asks for more preparation than your current role." if p.job_zone_step > 0 else
                    "It usually asks for less formal preparation than your current role.")
    return " ".join(bits)


def transition_path(model: Any, from_soc: str, to_soc: str, from_own: str | None = None,
                    to_own: str | None = None) -> TransitionPath | None:
    """The path between two occupations from a loaded :class:`~careeros.planner.transitions.TransitionModel`."""
    import numpy as np

    idx = model.data.index
    i, j = idx.get(from_soc), idx.get(to_soc)
    if i is None or j is None or i == j:
        return None
    row = model.scores[i]
    finite = np.isfinite(row)
    rank = int((row[finite] > row[j]).sum()) + 1
    ex = model.explain(i, j)
    p = TransitionPath(from_soc=from_soc, from_title=model.data.title[i], from_own_title=from_own, to_soc=to_soc,
                       to_title=model.data.title[j], to_own_title=to_own, rank=rank, of=int(finite.sum()),
                       shared_skills=list(ex.get("shared_skills", [])), missing_skills=list(ex.get("missing_skills", [])),
                       shared_technologies=list(ex.get("shared_technologies", [])),
                       missing_technologies=list(ex.get("missing_technologies", [])),
                       wage_ratio=ex.get("wage_ratio"), job_zone_step=ex.get("job_zone_step"))
    p.why = explain_path(p)
    return p
