"""A second opinion on a typed target title: the occupations the skill map's experts tie its words to.

The title ranker reads words, so a specialty title whose rarest word belongs to another trade lands there: "Stroke
Coordinator" is a woodworking machine operator ("stroke" sanders), "Demand Generation Manager" a hydroelectric
production manager (power "demand" and "generation"), "Sourcer" an apparel patternmaker. The careeros skill map knows
better: its curated role keywords tie "demand generation" to demand generation, marketing automation and account-based
marketing, whose other role keywords ("marketing manager", "growth marketing") are titles of Marketing Managers.

:func:`careeros.planner.target_votes.skill_map_votes` counts, for each occupation, the concepts a title's own words tie (at least ``VOTE_MIN``) whose
role keywords, other than those the title itself says, name one of the occupation's titles (O*NET title, alternate and
reported titles). :func:`vote_override` takes the occupation most of them name when the ranker's pick is named by few of
them (``PICK_SHARE``): the pick shares almost nothing with what the skill map expects of the title. This module holds
the pure parts over the title index (:class:`KeywordIndex`, :func:`vote_override`); the votes themselves read the skill
map's role keywords, a planner concern (:mod:`careeros.planner.target_votes`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

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
