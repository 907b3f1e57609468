"""A second opinion on a typed target title: the occupations the skill map's experts tie its words to.

The title ranker reads words, so a specialty title whose rarest word belongs to another trade lands there: "Stroke
Coordinator" is a woodworking machine operator ("stroke" sanders), "Demand Generation Manager" a hydroelectric
production manager (power "demand" and "generation"), "Sourcer" an apparel patternmaker. The careeros skill map knows
better: its curated role keywords tie "demand generation" to demand generation, marketing automation and account-based
marketing, whose other role keywords ("marketing manager", "growth marketing") are titles of Marketing Managers.

:func:`skill_map_votes` counts, for each occupation, the concepts a title's own words tie (at least ``VOTE_MIN``) whose
role keywords, other than those the title itself says, name one of the occupation's titles (O*NET title, alternate and
reported titles). :func:`vote_override` takes the occupation most of them name when the ranker's pick is named by few of
them (``PICK_SHARE``): the pick shares almost nothing with what the skill map expects of the title. Pure functions over
the title index (:class:`TitleNormalizer`) and the concept views (:func:`careeros.planner.requirements.concept_views`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

#: a title must tie at least this many concepts of the skill map for their votes to count
VOTE_MIN = 3
#: the ranker's pick stands when more than this share of them name it
PICK_SHARE = 0.2
#: ... and the occupation taken must be named by at least this share of them
VOTE_SHARE = 0.5
#: two occupations named alike by at least this share: the one among the ranker's candidates
CLEAR_SHARE = 0.75


class KeywordIndex:
    """Occupations whose titles (as the title index cleaned them) contain a role keyword on word boundaries."""

    def __init__(self, alias_text: Sequence[str], alias_soc: Sequence[int], codes: Sequence[str]) -> None:
        self._text = [f" {t} " for t in alias_text]
        self._soc = [codes[int(i)] for i in alias_soc]
        words: dict[str, set[int]] = defaultdict(set)
        for i, t in enumerate(alias_text):
            for w in t.split():
                words[w].add(i)
        self._words = dict(words)
        self._cache: dict[str, frozenset[str]] = {}

    def occupations(self, keyword: str) -> frozenset[str]:
        """SOC codes with a title containing ``keyword`` (already cleaned like the titles)."""
        got = self._cache.get(keyword)
        if got is not None:
            return got
        toks = keyword.split()
        rows: set[int] | None = None
        for w in sorted(toks, key=lambda w: len(self._words.get(w, ()))):
            hit = self._words.get(w)
            if not hit:
                rows = set()
                break
            rows = set(hit) if rows is None else rows & hit
            if not rows:
                break
        pad = f" {keyword} "
        got = frozenset(self._soc[i] for i in (rows or ()) if pad in self._text[i])
        self._cache[keyword] = got
        return got


def tied_concepts(title: str, keywords: dict[str, tuple[str, list[str]]]) -> dict[str, set[str]]:
    """Concept id -> the curated role keywords of it that match the title (the rule requirement profiles use)."""
    from careeros.planner.requirements import _title_hit, keyword_parts

    low = title.lower()
    out: dict[str, set[str]] = {}
    for sid, (_label, keys) in keywords.items():
        for k0 in keys:
            k, unless = keyword_parts(k0)
            if k.lower() in low and _title_hit(low, k, unless):
                out.setdefault(sid, set()).add(k0)
    return out


def skill_map_votes(title: str, keywords: dict[str, tuple[str, list[str]]], index: KeywordIndex,
                    clean: Any) -> tuple[int, dict[str, int]]:
    """(concepts the title ties, {SOC: how many of them name one of its titles in their role keywords})."""
    from careeros.planner.requirements import keyword_parts

    tied = tied_concepts(title, keywords)
    votes: dict[str, int] = defaultdict(int)
    for sid, said in tied.items():
        socs: set[str] = set()
        for k0 in keywords[sid][1]:
            if k0 in said:
                continue  # a keyword the title itself says restates the title: the other roles of the concept vote
            ck = clean(keyword_parts(k0)[0])
            if ck:
                socs |= index.occupations(ck)
        for s in socs:
            votes[s] += 1
    return len(tied), dict(votes)


def vote_override(pick: str, n_tied: int, votes: dict[str, int], candidates: Sequence[str] = ()) -> str | None:
    """The occupation to take instead of ``pick``, or None.

    Only when the title ties at least ``VOTE_MIN`` concepts, at most ``PICK_SHARE`` of them name a title of ``pick``
    (one of seven "User Researcher" concepts names an operations research analyst's title), and one occupation
    is named by at least ``VOTE_SHARE`` of them, more often than any other (or as often, by ``CLEAR_SHARE`` of them,
    and among the ranker's candidates while the other is not, or ranked before it).
    """
    if n_tied < VOTE_MIN or votes.get(pick, 0) > PICK_SHARE * n_tied or not votes:
        return None
    rank = {c: i for i, c in enumerate(candidates)}
    order = sorted(votes, key=lambda s: (-votes[s], rank.get(s, len(rank)), s))  # stable among equals
    best = order[0]
    if votes[best] < VOTE_SHARE * n_tied:
        return None
    if len(order) > 1 and votes[order[1]] == votes[best] and not (best in rank and votes[best] >= CLEAR_SHARE * n_tied):
        return None  # two occupations named alike: no clear second opinion, unless nearly all concepts name both and
        # the ranker has one of them among its candidates ("User Researcher": UX designers, not research assistants)
    return best
