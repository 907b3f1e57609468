"""The skill map's votes on a person's typed target titles (see :mod:`careeros.market.title_votes`).

The title index and the vote rule are the market's; which concepts a title ties, and so who votes, is the skill map's
(:func:`careeros.planner.requirements.concept_views`), so the votes are counted here. :func:`resolve_person_targets` is
:func:`careeros.market.titles.resolve_targets` with this second opinion: what `careeros init` and the plan use.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from careeros.market.title_votes import KeywordIndex, vote_override
from careeros.market.titles import (
    TARGETS_GUESS,
    TitleMatch,
    TitleNormalizer,
    clean_title,
    resolve_targets,
    sense_of,
)
from careeros.planner.requirements import _title_hit, concept_views, keyword_parts


def tied_concepts(title: str, keywords: Mapping[str, tuple[str, list[str]]]) -> dict[str, set[str]]:
    """Concept id -> the curated role keywords of it that match the title (the rule requirement profiles use)."""
    low = title.lower()
    out: dict[str, set[str]] = {}
    for sid, (_label, keys) in keywords.items():
        for k0 in keys:
            k, unless = keyword_parts(k0)
            if k.lower() in low and _title_hit(low, k, unless):
                out.setdefault(sid, set()).add(k0)
    return out


def _loses_a_number(keyword: str, cleaned: str) -> bool:
    """Whether cleaning dropped a number the keyword says.

    "office 365 administrator" cleans to "office administrator", an office clerk's title: no vote for what a Microsoft
    365 administrator is.
    """
    return any(t.isdigit() for t in re.findall(r"[a-z0-9]+", keyword.lower())) and not any(
        c.isdigit() for c in cleaned)


def skill_map_votes(title: str, keywords: dict[str, tuple[str, list[str]]], index: KeywordIndex,
                    clean: Any) -> tuple[int, dict[str, int]]:
    """(concepts the title ties, {SOC: how many of them name one of its titles in their role keywords})."""
    tied = tied_concepts(title, keywords)
    votes: dict[str, int] = defaultdict(int)
    for sid, said in tied.items():
        socs: set[str] = set()
        for k0 in keywords[sid][1]:
            if k0 in said:
                continue  # a keyword the title itself says restates the title: the other roles of the concept vote
            k = keyword_parts(k0)[0]
            ck = clean(k)
            if ck and not _loses_a_number(k, ck):
                socs |= index.occupations(ck)
        for s in socs:
            votes[s] += 1
    return len(tied), dict(votes)


def skill_map_second_opinion(norm: TitleNormalizer, title: str, ms: list[TitleMatch]) -> list[TitleMatch]:
    """A target's candidates, the occupation the skill map names first when it never names the ranker's pick.

    See :mod:`careeros.market.title_votes`: "Demand Generation Manager" is a marketing manager, not a hydroelectric
    production manager. The occupation taken has the pick's score, at most ``TARGETS_GUESS`` (a second opinion,
    never sure), or its own if higher, and the ranker's candidates follow.
    """
    if not ms or not isinstance(title, str) or not title.strip():
        return ms
    if sense_of(title, clean_title(title)) == ms[0].soc_code:
        return ms  # a curated title sense is the reading ("Nurse Surveyor": compliance officers, whatever its votes)
    n_tied, votes = skill_map_votes(title, concept_views()[0], norm.keyword_index(), clean_title)
    take = vote_override(ms[0].soc_code, n_tied, votes, [m.soc_code for m in ms])
    if take is None:
        return ms
    have = next((m for m in ms if m.soc_code == take), None)
    idx = norm._index_of_code()
    if have is None and take not in idx:
        return ms
    score = max(have.score if have else 0.0, min(ms[0].score, TARGETS_GUESS))
    first = TitleMatch(take, have.title if have else norm.titles[idx[take]], score)
    return [first, *(m for m in ms if m.soc_code != take)]


def resolve_person_targets(norm: TitleNormalizer, titles: list[str], k: int = 3) -> list[list[TitleMatch]]:
    """A person's target titles resolved and read together, each with the skill map's second opinion."""
    return resolve_targets(norm, titles, k, second_opinion=lambda t, ms: skill_map_second_opinion(norm, t, ms))
