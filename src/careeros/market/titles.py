"""Job-title normalisation to O*NET-SOC occupations.

Pipeline per title: ``split_roles`` (multi-role strings) -> ``clean_title`` (abbreviations, seniority,
posting noise, light stemming) -> candidate retrieval over O*NET titles, alternate titles, short titles and
reported titles (word uni/bi-gram TF-IDF, exact alias lookup, wordllama embedding of occupation centroids)
-> a logistic ranker over match features (word/char similarity, head-noun agreement, exact match and its
ambiguity, OEWS employment prior, ...) whose weights were learned on the train split of
``data/eval/titles_gold.csv`` -> Platt-calibrated top score (probability that the top match is right).

A title that says nothing but one of the common titles whose O*NET listing misleads (``data/title_senses.yaml``:
"Account Executive" is listed only under Advertising and Promotions Managers) takes the occupation the file names.

Multi-role strings ("Backend / Frontend Engineer") are scored per role; the first role is preferred and a
later role wins only when its calibrated score beats the first role's by the decay factor (0.85 per role).
"""

from __future__ import annotations

import html
import io
import math
import pickle
import re
import threading
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from careeros.market.title_aliases import (
    ABBREVIATIONS,
    AMBIGUOUS_SHORT,
    NOISE,
    NOISE_PHRASES,
    SENIORITY,
    SENIORITY_KEEP,
    TRAILING_NOISE,
    US_STATE_CODES,
)
from careeros.resources import own_path

if TYPE_CHECKING:
    import polars as pl

    from careeros.market.title_votes import KeywordIndex

__all__ = ["TitleMatch", "TitleNormalizer", "clean_title", "split_roles", "FEATURES", "resolve_targets",
           "resolve_targets_together", "targets_apart"]

#: 7: a small header pickle, then the index state with ``base_prior`` packed (:class:`_KeyDistribution`); the state
#: loads 5x faster than format 5's and is unpickled on first use (see :meth:`TitleNormalizer.load`); 9, 10: each
#: occupation's words (titles, description, tasks) for :meth:`TitleNormalizer.resolve_target`; 11: credentials
#: written as titles (BCBA, LCSW ...) and "product owner" expanded when cleaning; 12: how many O*NET sources
#: attest each alias (ranker features ``attested``, ``attested_gap``); 15: technology words in each occupation's words;
#: 16: technology words that few occupations' own text uses count too; 17: unless a title uses them; 18: the words lent
#: from tools kept apart (``occ_lent``); 19: "ecommerce", "elearning", "ediscovery" cleaned as O*NET writes them
#: ("e commerce"); 20: "securities" and "humanities" kept plural (a securities analyst is no security analyst)
_FORMAT_VERSION = 20
#: guards the first use of a lazily loaded index (a process may share one normaliser between threads)
_STATE_LOCK = threading.Lock()
_ROLE_DECAY = 0.85
_N_CAND_WORD = 12
_N_CAND_EMB = 4

FEATURES = [
    "w_max", "w_occ", "c_best", "c_occ", "exact", "exact_amb", "emb_cent", "emb_occ", "log_emp", "is_00",
    "log_n_alias", "head_best", "head_occ", "w_gap", "hits", "inv_rank", "q_cov", "exact_occ",
    "head_occ2", "exact_head", "mgr_mgr", "nomgr_mgr", "sup_sup", "nosup_sup", "grp_major", "grp_minor",
    "emp_weak", "pr_full", "pr_bi", "pr_uni", "pr_n_full", "pr_n_bi", "attested", "attested_gap",
]
#: sources an occupation's own title counts as (O*NET lists up to about four for a well-attested alternate title)
ATTESTED_OCCUPATION_TITLE = 3.0
#: smoothing of the learned label prior P(soc | key) towards the O*NET alias distribution of the key
_PRIOR_ALPHA = 3.0

#: a person's target title resolves to a match whose titles end in its role word when that match scores at least
#: this share of the best one (see TitleNormalizer.resolve_target), among this many candidates
TARGET_HEAD_RATIO = 0.3
#: role words of a manager's title (see TitleNormalizer._manager_of_field) and how many ranker candidates it reads
_MANAGER_HEADS = frozenset({"manager", "director"})
TARGET_MANAGER_CANDIDATES = 12
TARGET_MANAGER_SCORE_POWER = 0.25
TARGET_CANDIDATES = 5
#: a candidate that is an O*NET specialty the typed title does not name, where O*NET gives the title to a broad
#: occupation too, counts this share of its score (see TitleNormalizer._narrower_specialties)
TARGET_SPECIALTY_FACTOR = 0.25
#: candidates within this share of the best one's score are near-tied: the far more common one (employment, log scale
#: over the largest: TARGET_NEAR_TIE_EMP) comes first (see TitleNormalizer._commoner_of_near_tie)
TARGET_NEAR_TIE = 0.95
TARGET_NEAR_TIE_EMP = 0.1
#: a title O*NET gives to this many occupations or more ("Machine Operator": 43) tells them apart by little but the
#: ranker's occupation features: candidates within this share of the best count as near-tied (Shoe Machine Operators
#: at 0.74 gave way to none, Packaging and Filling Machine Operators at 0.68 now come first)
TARGET_MANY_OWNERS = 5
TARGET_NEAR_TIE_MANY = 0.8
#: an O*NET catch-all occupation ("Managers, All Other"), no broad occupation a typed title means
_CATCH_ALL = re.compile(r",\s*all other\b", re.I)
#: "Role of Field" ("Director of Nursing", "Adjunct Professor of Psychology"): see TitleNormalizer._role_of_field
_ROLE_OF = re.compile(r"^\s*(?P<role>[^,()]+?)\s+of\s+(?:the\s+)?(?P<field>[^,()]+?)\s*$", re.IGNORECASE)
#: the field-first reading of a "Role of Field" title is taken at this share of the title's own first score or more
OF_FIELD_RATIO = 0.9
#: "Executive Assistant to the CEO", "Special Assistant to the Dean": the role, then whom it serves
_TO_WHOM = re.compile(r"\s+to\s+(?:the\s+|a\s+)?(?=\w)", re.I)
#: words of an O*NET title that do not narrow it
_GENERIC_TITLE_WORDS = frozenset({"all", "other", "except", "general", "related", "worker"})
#: a best match this sure stays first ("BI Developer" is a Business Intelligence Analyst at 0.88)
TARGET_SURE = 0.6
#: a match at TARGET_SURE or above stays first against a candidate the word order puts above it with words of its
#: tools only when it scores more than this many times that candidate's score (5 chosen on train2 of
#: data/eval/titles_gold.csv, where 3 lost a typed target; see TitleNormalizer._resolve_one)
TARGET_SURE_RATIO = 5.0
#: a target's candidates are ordered by score x ((FLOOR + share of the title's words the occupation uses anywhere) /
#: (FLOOR + 1)) ** POWER: with no floor, an occupation that lacks one rare word fell to 0 whatever its score ("Staff
#: Backend Engineer", Software Developers 0.87, went below Web Developers 0.10; "Revenue Management Analyst",
#: Management Analysts 0.95, below Tax Examiners 0.02, whose text says "revenue"). Chosen on the train split of
#: data/eval/titles_gold.csv with its O*NET titles removed from the index: those held-out titles' top-1 0.574 -> 0.580.
TARGET_WORDS_POWER = 3.0
TARGET_WORDS_FLOOR = 0.3
_WORD_STOP = frozenset("a an and the of for in to with or on at by senior sr junior jr lead staff principal i ii iii iv "
                       "entry level".split())
_WORD_SUFFIX = re.compile(r"(?<=[a-z]{4})(?:ies|ing|ers|er|(?<=[sxz])es|(?<=[cs]h)es|(?<!s)s)$")
#: a technology example's word counts as a word of the occupations that list it when at most this many occupations'
#: own text (description, tasks) uses it and no O*NET title does (chosen on train2 of data/eval/titles_gold.csv: 0 ->
#: 10 moved resolve_target top-1 there 0.556 -> 0.563, train 0.965 -> 0.967, typed targets unchanged at 0.925)
TECH_WORD_OWN_MAX = 10
#: a word most occupations use says nothing either way: only rarity above this counts (log(N/n); 1.5 = 22%)
TARGET_WORDS_IDF_FLOOR = 1.5


def _word_splits(w: str) -> list[tuple[str, str]]:
    """``w`` cut into two parts of three letters or more ("stockbroker": stock + broker, and the other cuts)."""
    return [(w[:i], w[i:]) for i in range(3, len(w) - 2)]


def _uses_word(words: frozenset[str], w: str) -> bool:
    """Whether an occupation whose content words are ``words`` uses ``w``, written closed or apart.

    O*NET may write apart what a person writes closed ("health care" / "healthcare", "work flow" / "workflow").
    """
    if w in words:
        return True
    return any(a in words and _WORD_SUFFIX.sub("", b) in words for a, b in _word_splits(w))


def _content_words(text: str) -> set[str]:
    """A text's content words, plural and agent endings stripped ("installers" and "installing" are "install")."""
    return {_WORD_SUFFIX.sub("", w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _WORD_STOP}

#: Ranker parameters, learned on the TRAIN split only (``benchmarks/eval_titles.py --fit --write``).
MODEL_PATH = own_path("title_ranker.json")


@lru_cache(maxsize=1)
def _default_model() -> dict[str, Any]:
    import json

    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


#: the score a title sense (data/title_senses.yaml) gives the occupation it names: curated, so sure
TITLE_SENSE_SCORE = 0.9


@lru_cache(maxsize=1)
def title_senses() -> dict[str, str]:
    """Cleaned title -> O*NET-SOC code of the common titles whose O*NET listing misleads (``data/title_senses.yaml``).

    "Account Executive" is an O*NET alternate title of Advertising and Promotions Managers only; people so titled
    sell. A missing or unreadable file gives no senses (the normaliser then reads titles as O*NET lists them).
    """
    import yaml

    from careeros.resources import data_path, load_yaml

    try:
        doc = load_yaml(data_path("title_senses.yaml")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    out: dict[str, str] = {}
    for e in doc.get("senses") or []:
        if isinstance(e, dict) and isinstance(e.get("title"), str) and re.fullmatch(r"\d{2}-\d{4}\.\d{2}",
                                                                                     str(e.get("soc", ""))):
            key = clean_title(e["title"])
            if key:
                out[key] = str(e["soc"])
    return out


def sense_of(title: str, key: str) -> str | None:
    """The O*NET-SOC code a title sense gives ``title`` (cleaned to ``key``), when it says nothing else."""
    code = title_senses().get(key)
    return code if code is not None and _says_only(title, key) else None


def _says_only(title: str, key: str) -> bool:
    """Whether ``title`` says nothing but ``key`` (its cleaned form) and seniority or posting noise.

    "Senior Account Executive" says only "account executive"; "Lead Teacher - Early Childhood Education" cleans to
    "teacher" too but names the kind of teacher, so a title sense does not apply to it.
    """
    said = {_stem(t) for t in _raw_tokens(title) if t not in NOISE and t not in SENIORITY and not t.isdigit()}
    return said <= set(key.split())


@dataclass(frozen=True)
class TitleMatch:
    """One candidate occupation for a title: O*NET-SOC code, O*NET title and a confidence in [0, 1]."""

    soc_code: str
    title: str
    score: float


# ----------------------------------------------------------------------------------------------- cleaning

_PHRASE_RE = re.compile("|".join(f"(?:{p})" for p in NOISE_PHRASES))
_URL_RE = re.compile(r"https?://\S+|www\.\S+|\S+\.(?:com|io|ai|org|net|co|dev)\b\S*")
_MONEY_RE = re.compile(r"[$€£]\s*[\d.,]+\s*[kmKM]?(?:\s*/\s*\w+)?|\b\d[\d.,]*\s*[kK]\b|\b\d+\s*%")
_HASHNUM_RE = re.compile(r"#\s*\d+|\b\d{4,}\b|\b\d+(?:st|nd|rd|th)\b")
_TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
#: (trigger substring of the lower-cased title, pattern, replacement): a pattern is only tried when its
#: trigger occurs, which skips most of the substitutions on most titles
_SPECIAL = [
    ("+", re.compile(r"c\+\+", re.I), " cplusplus "), ("#", re.compile(r"c#", re.I), " csharp "),
    (".net", re.compile(r"(?<![a-z])\.net\b", re.I), " dotnet "),
    ("node", re.compile(r"\bnode\.?js\b", re.I), " nodejs "),
    ("&", re.compile(r"\bfp&a\b", re.I), " financial planning analysis "),
    ("&", re.compile(r"\bp&c\b", re.I), " property casualty "),
    ("&", re.compile(r"\br&d\b", re.I), " research development "),
    ("head of", re.compile(r"\bhead of\b", re.I), " director of "),
    # the Scrum role O*NET does not list: its nearest title ("Owner" alone is an alternate title of Urologists)
    ("owner", re.compile(r"\bproduct owner\b", re.I), " product manager "),
    ("u.s.", re.compile(r"\bu\.s\.", re.I), " us "), ("sr.", re.compile(r"\bsr\.", re.I), " senior "),
    ("jr.", re.compile(r"\bjr\.", re.I), " junior "),
    ("end", re.compile(r"\b(back|front)[\s-]?end\b", re.I), r" \1end "),
    ("stack", re.compile(r"\bfull[\s-]?stack\b", re.I), " fullstack "),
    ("ops", re.compile(r"\bdev[\s-]?ops\b", re.I), " devops "),
]


#: a person's target resolved below this score gives way to an occupation another of their targets resolved to surely
TARGETS_TOGETHER_SURE = 0.7


def resolve_targets_together(matches: list[list[TitleMatch]]) -> list[int]:
    """Which candidate to take for each of one person's targets, read together.

    A person's targets name one field: an unsure target ("Performance Test Engineer": aerospace engineers 0.64,
    software developers 0.42) whose candidates, within TARGET_HEAD_RATIO of its best, include the occupation another
    of the person's targets resolved to surely ("Performance Engineer": software developers 0.80) takes that one.
    Returns an index into each target's candidates (0 when nothing changes).
    """
    sure = {ms[0].soc_code for ms in matches if ms and ms[0].score >= TARGETS_TOGETHER_SURE}
    picks: list[int] = []
    for ms in matches:
        pick = 0
        if ms and ms[0].score < TARGETS_TOGETHER_SURE and ms[0].soc_code not in sure:
            pick = next((j for j, m in enumerate(ms[1:], 1)
                         if m.soc_code in sure and m.score >= TARGET_HEAD_RATIO * ms[0].score), 0)
        picks.append(pick)
    return picks


#: a target at or above this score keeps its occupation even when it stands apart from the person's other targets
TARGETS_APART_SURE = 0.9
#: candidates read per target when the targets are read together (a person sees the first k)
TARGETS_READ = 6
#: below this a target is a guess: a sure target of the person in the same major group names the role better
TARGETS_GUESS = 0.5


def _surer_field_first(whole: list[TitleMatch], inv: list[TitleMatch]) -> list[TitleMatch]:
    """A "Role of Field" title's field-first reading when about as sure as the title's own (``OF_FIELD_RATIO``)."""
    return inv if inv and (not whole or inv[0].score >= OF_FIELD_RATIO * whole[0].score) else whole


def _tier(soc_code: str) -> int:
    """0 for management, business, professional and healthcare occupations (SOC 11-29), 1 for the rest."""
    return 0 if soc_code[:2] < "31" else 1


def targets_apart(matches: list[list[TitleMatch]], unsure: frozenset[int] = frozenset()) -> list[list[TitleMatch]]:
    """A target that stands apart from the person's other targets takes the occupation they name.

    ``matches`` are each target's candidates, the one taken first. Another target must be sure
    (``TARGETS_TOGETHER_SURE``) and this one below ``TARGETS_APART_SURE``; then, with at least two other targets
    (two targets alone are two fields as often as one):

    - the others share one major group and this one's is another: a candidate another target took, at any score
      ("LIS Analyst" beside two laboratory information systems titles: computer systems analysts, not financial
      analysts);
    - its major group is no other target's and, unlike all of theirs, on the other side of SOC 31 (office and
      professional work against service, trades and transport): the surest other target's occupation ("Agile
      Delivery Lead" beside "Scrum Master" and "Agile Project Manager" is no light truck driver; "Operator in
      Training" beside two water treatment operator titles is no training specialist);
    - it is a guess (under ``TARGETS_GUESS``), the others share one major group and this one's is another: the
      surest other target's occupation ("Transaction Advisory Senior", title examiners at 0.13, beside two financial
      due diligence titles of financial analysts); so too when its occupation's O*NET text never says a distinctive
      word of its title (``unsure``, indices): "Solo Practitioner" beside "Managing Attorney" and "Owner, Family Law
      Practice" is a lawyer, not a nurse practitioner (0.62), whose text never says "solo";

    - no other target is sure, but two or more others name one occupation and this one's major group is another: that
      occupation ("Development Services Technician" beside "Permit Technician" and "Permit Specialist");

    and with any number of targets:

    - it is a guess (under ``TARGETS_GUESS``) and a sure target shares its major group: that target's occupation
      ("Content Designer" beside "UX Writer": technical writers, not set designers).
    """
    picks = [ms[0] if ms else None for ms in matches]
    out: list[list[TitleMatch]] = []
    for i, ms in enumerate(matches):
        others = [q for j, q in enumerate(picks) if j != i and q is not None]
        sure = sorted((q for q in others if q.score >= TARGETS_TOGETHER_SURE), key=lambda q: -q.score)
        groups = {q.soc_code[:2] for q in others}
        if ms and not sure and len(others) >= 2 and len({q.soc_code for q in others}) == 1 \
                and ms[0].soc_code[:2] not in groups and ms[0].score < TARGETS_APART_SURE:
            # two other targets that name one occupation are as good as a sure one: "Development Services
            # Technician" (medical equipment repairers, 0.63) beside "Permit Technician" and "Permit Specialist"
            # (court, municipal and license clerks, 0.59 each) is a permit technician of a development services office
            take0 = max(others, key=lambda q: q.score)
            out.append([take0, *(m for m in ms if m.soc_code != take0.soc_code)])
            continue
        if not ms or not sure or ms[0].score >= TARGETS_APART_SURE or ms[0].soc_code in {q.soc_code for q in sure}:
            out.append(ms)
            continue
        p = ms[0]
        take: TitleMatch | None = None
        if len(others) >= 2 and p.soc_code[:2] not in groups:
            if len(groups) == 1:
                taken = {q.soc_code for q in others}
                take = next((m for m in ms[1:] if m.soc_code in taken), None)
            if take is None and all(_tier(q.soc_code) != _tier(p.soc_code) for q in others):
                take = sure[0]
            if take is None and len(groups) == 1 and (p.score < TARGETS_GUESS or i in unsure):
                take = sure[0]
        if take is None and p.score < TARGETS_GUESS:
            take = next((q for q in sure if q.soc_code[:2] == p.soc_code[:2]), None)
        out.append(ms if take is None else [take, *(m for m in ms if m.soc_code != take.soc_code)])
    return out


#: words that only place a role within its kind: seniority and level (``SENIORITY``, "assistant" and "associate"
#: included) and the sales segments ("Mid-Market", "Enterprise", "SMB", "Territory" Account Executive)
LEVEL_WORDS = frozenset(SENIORITY) | frozenset(
    "mid market midmarket enterprise smb strategic territory regional inside outside named key global national".split())


def _written_words(title: str) -> list[str]:
    """A title's words as written (lower case, no cleaning): what ``level_variant`` compares."""
    return re.findall(r"[a-z0-9]+", title.lower())


def level_variant(title: str, other: str) -> bool:
    """Whether ``title`` is ``other``'s role at another level.

    Its words as written, ``LEVEL_WORDS`` aside, are all words of ``other``, which ends in the same role word
    ("Assistant Superintendent" of "Construction Superintendent", "Mid-Market Account Executive" of "Account
    Executive", "Math Teacher" of "High School Math Teacher"). As written, not as cleaned: "iOS Developer" and
    "Mobile App Developer" both clean to mobile developers, but "iOS" says more.
    """
    if not isinstance(title, str) or not isinstance(other, str) or not clean_title(title) or not clean_title(other):
        return False
    a, b = _written_words(title), _written_words(other)
    return bool(a and b and a[-1] == b[-1] and set(a) - set(b) <= LEVEL_WORDS and set(a) - LEVEL_WORDS)


def only_level_apart(title: str, other: str) -> bool:
    """Whether ``title`` is ``other`` with level words added (``level_variant``, and it says one more word).

    "Assistant Superintendent" of "Construction Superintendent" says "assistant"; "School Principal" of "Middle School
    Principal" says nothing more: it is the broader wording of the same role, not another level of it.
    """
    if not level_variant(title, other):
        return False
    return bool(set(_written_words(title)) - set(_written_words(other)))


def same_role_as_sibling(titles: list[str], matches: list[list[TitleMatch]]) -> list[list[TitleMatch]]:
    """A target that is another target's role at another level (``level_variant``) takes that target's occupation.

    "Assistant Superintendent" beside "Construction Superintendent" is a construction assistant superintendent, not
    a school district's (Education Administrators); "Mid-Market Account Executive" beside "Account Executive" is the
    same sales role; "Math Teacher" beside "High School Math Teacher" a high school teacher, not a middle school
    one. Not the plain role beside itself at another level: "Dean of Students" keeps its own reading beside "Assistant
    Dean of Students" (a college's title more often). It takes the other's occupation when the other is sure
    (``TARGETS_TOGETHER_SURE``), at least as
    sure as this one, and its occupation is among this one's candidates ("Engineering Manager" stays an engineering
    manager beside "Software Engineering Manager" read as a software developer), or this one is a guess
    (``TARGETS_GUESS``): "Math Coach" beside "Math Instructional Coach" coaches teachers, though no candidate of its
    own (sports coaches, adult basic education teachers) says so.
    """
    out: list[list[TitleMatch]] = []
    for i, ms in enumerate(matches):
        take: TitleMatch | None = None
        if ms:
            for j, other in enumerate(matches):
                if j == i or not other or other[0].soc_code == ms[0].soc_code:
                    continue
                q = other[0]
                more = set(_written_words(titles[j])) - set(_written_words(titles[i]))
                if more and more <= LEVEL_WORDS:
                    continue  # the other is this very role at another level ("Assistant Dean of Students" beside
                    # "Dean of Students"): its reading says nothing more about the field
                if (q.score >= TARGETS_TOGETHER_SURE and q.score >= ms[0].score and level_variant(titles[i], titles[j])
                        and (any(m.soc_code == q.soc_code for m in ms) or ms[0].score <= TARGETS_GUESS)):
                    if take is None or q.score > take.score:
                        take = q
        out.append(ms if take is None else [take, *(m for m in ms if m.soc_code != take.soc_code)])
    return out


def resolve_targets(norm: TitleNormalizer, titles: list[str], k: int = 3,
                    second_opinion: Callable[[str, list[TitleMatch]], list[TitleMatch]] | None = None,
                    ) -> list[list[TitleMatch]]:
    """Each of one person's target titles resolved, then read together.

    ``resolve_target`` per title, then ``resolve_targets_together``, ``targets_apart`` and
    ``same_role_as_sibling``: the candidate taken comes first.
    """
    found = [norm.resolve_target(t, k=max(k, TARGETS_READ)) for t in titles]
    if second_opinion is not None:  # each title's own read first (the skill map's, careeros.planner.target_votes)
        found = [second_opinion(t, ms) for t, ms in zip(titles, found, strict=True)]
    picks = resolve_targets_together([ms[:k] for ms in found])
    read = [[ms[j], *ms[:j], *ms[j + 1:]] if ms else ms for ms, j in zip(found, picks, strict=True)]
    unsure = frozenset(i for i, (t, ms) in enumerate(zip(titles, read, strict=True))
                       if ms and norm.misses_a_word(t, ms[0].soc_code))
    read = targets_apart(read, unsure)
    for _ in range(2):  # a target that took another's occupation speaks for it in turn (read until nothing changes)
        again = targets_apart(read, unsure)
        if [ms[0].soc_code if ms else None for ms in again] == [ms[0].soc_code if ms else None for ms in read]:
            break
        read = again
    return [ms[:k] for ms in same_role_as_sibling(titles, read)]


def _ascii(s: str) -> str:
    s = html.unescape(s)
    s = unicodedata.normalize("NFKD", s)
    return s.encode("ascii", "ignore").decode("ascii")


#: plurals that name something else than their singular: "Securities Analyst" (finance) is no "Security Analyst"
_NO_STEM = frozenset({"securities", "humanities"})


def _stem(tok: str) -> str:
    if tok in _NO_STEM:
        return tok
    if len(tok) > 4 and tok.endswith("ies"):
        return tok[:-3] + "y"
    if len(tok) > 3 and tok.endswith("s") and not tok.endswith(("ss", "us", "is", "ics")):
        return tok[:-1]
    return tok


def _raw_tokens(text: str) -> list[str]:
    s = _ascii(text)
    s = _URL_RE.sub(" ", s)
    s = _MONEY_RE.sub(" ", s)
    s = _HASHNUM_RE.sub(" ", s)
    low = s.lower()
    for trigger, rx, rep in _SPECIAL:
        if trigger in low:
            s = rx.sub(rep, s)
            low = s.lower()
    low = _PHRASE_RE.sub(" ", low)
    # keep original case only to decide on ambiguous short abbreviations ("IT", "OR")
    case_map = {m.group(0).lower(): m.group(0) for m in _TOKEN_RE.finditer(s)}
    all_caps = s.upper() == s
    out: list[str] = []
    for tok in _TOKEN_RE.findall(low):
        if tok in ABBREVIATIONS:
            if tok in AMBIGUOUS_SHORT and (all_caps or not case_map.get(tok, "").isupper()):
                out.append(tok)
                continue
            out.extend(ABBREVIATIONS[tok].split())
        else:
            out.append(tok)
    return out


_LEVELS = {"i", "ii", "iii", "iv", "v", "vi", "vii"}
#: after "deputy", the words that make a sworn officer of it ("Deputy Sheriff", "Deputy U.S. Marshal", "Deputy"
#: alone); before any other role it is a level ("Deputy Director", "Deputy Title IX Coordinator", "Deputy Court
#: Clerk"), and USAJOBS' "Deputy Director" postings were filed under police patrol officers
_DEPUTY_SWORN = {"sheriff", "sheriffs", "marshal", "marshall", "marshals", "constable", "coroner", "warden", "jailer",
                 "police", "patrol"}  # "U.S." is posting noise, gone before this is read


def _finish(tokens: list[str]) -> list[str]:
    toks = [t for t in tokens if t not in NOISE and not t.isdigit()]
    while toks and toks[-1] in TRAILING_NOISE:
        toks.pop()
    kept: list[str] = []
    for i, t in enumerate(toks):
        if t == "deputy" and i < len(toks) - 1 and toks[i + 1] not in _DEPUTY_SWORN and toks[i + 1:] != ["chief"]:
            continue  # a level before another role ("Deputy Chief" alone stays: a police or fire rank)
        if t in SENIORITY and t not in SENIORITY_KEEP and (i < len(toks) - 1 or t in _LEVELS) and kept:
            continue
        if t in SENIORITY and t not in SENIORITY_KEEP and i < len(toks) - 1:
            continue
        # alone these say nothing of the role ("Principal" alone is a school principal and stays)
        if t in {"senior", "sr", "junior", "jr", "supervisory", "founding", "staff", "lead"} \
                and i == len(toks) - 1 and len(kept) == 0:
            continue
        kept.append(_stem(t))
    # drop dangling connectors
    while kept and kept[-1] in {"of", "and", "or", "in", "on"}:
        kept.pop()
    while kept and kept[0] in {"of", "and", "or", "in", "on"}:
        kept.pop(0)
    return kept


def clean_title(title: str) -> str:
    """Normalise a job title: ASCII, lower case, abbreviations expanded, seniority and posting noise removed."""
    if not isinstance(title, str) or not title.strip():
        return ""
    return _clean_cached(title)


@lru_cache(maxsize=200_000)
def _clean_cached(title: str) -> str:
    return " ".join(_finish(_raw_tokens(title)))


_SEG_SPLIT = re.compile(r"\s+[-\u2013\u2014|]+\s+|\s*[|:]\s*|\s+-|-\s+|\s*//\s*|\s*\u2192\s*|!+")
#: Anything that can split a title into segments or roles, or hide a parenthetical (fast path otherwise).
_SPLIT_CHARS = re.compile(r"[-|:/!&+,;(\[\]\x00\u2192]|\s(?:or|and)\s", re.I)
_ROLE_SPLIT = re.compile(r"\s*(?:/|&|\+|,|;)\s*|\s+(?:or|and)\s+", re.I)


def _mask_parens(s: str) -> tuple[str, list[str]]:
    parts: list[str] = []

    def rep(m: re.Match[str]) -> str:
        parts.append(m.group(0))
        return f" \x00{len(parts) - 1}\x00 "

    prev = None
    while prev != s:
        prev = s
        s = re.sub(r"\([^()]*\)|\[[^\[\]]*\]", rep, s)
    return s, parts


def _unmask(s: str, parts: list[str]) -> str:
    if "\x00" not in s:
        return s
    for _ in range(3):
        s = re.sub(r"\x00(\d+)\x00", lambda m: parts[int(m.group(1))], s)
    return s


#: a US state's postal code closing a title after a comma ("Premier Banker - Media Branch, PA"): a place, not a
#: physician assistant
_STATE_TAIL = re.compile(r",\s*(?:" + "|".join(sorted(US_STATE_CODES)) + r")\s*\)?\s*$")


def split_roles(title: str, heads: frozenset[str] | None = None) -> list[str]:
    """Split a posting title into role strings ("Backend / Frontend Engineer" -> two roles), noise segments dropped."""
    if not isinstance(title, str) or not title.strip():
        return []
    heads = heads if heads is not None else _default_heads()
    plain = _STATE_TAIL.sub("", _ascii(title))
    if not _SPLIT_CHARS.search(plain):  # one segment, one piece: the title itself (most titles)
        return [plain.strip()] if clean_title(plain) else []
    masked, parts = _mask_parens(plain)

    def has_head(text: str) -> bool:
        return any(t in heads for t in clean_title(_unmask(text, parts)).split())

    segs = [s.strip() for s in _SEG_SPLIT.split(masked) if s and s.strip()]
    role_segs = [s for s in segs if has_head(s)]
    if not role_segs:
        role_segs = [s for s in segs if clean_title(_unmask(s, parts))]
    if not role_segs:
        return []
    # a segment after the first that only qualifies the first ("Physician - General Surgeon") is merged
    text = " ".join(role_segs[:2]) if len(role_segs) > 1 and len(role_segs[1].split()) <= 3 else role_segs[0]
    pieces = [p.strip() for p in _ROLE_SPLIT.split(text) if p and p.strip()]
    with_head = [has_head(p) for p in pieces]
    if len(pieces) < 2 or sum(with_head) < 2:
        return [_unmask(text, parts).strip()]
    roles: list[str] = []
    for i, p in enumerate(pieces):
        if with_head[i]:
            roles.append(_unmask(p, parts).strip())
            continue
        nxt = next((pieces[j] for j in range(i + 1, len(pieces)) if with_head[j]), None)
        if nxt is None:
            continue
        head_tok = _raw_tokens(_unmask(nxt, parts))
        head_tok = [t for t in head_tok if _stem(t) in heads]
        if head_tok and clean_title(_unmask(p, parts)):
            roles.append(f"{_unmask(p, parts).strip()} {head_tok[-1]}")
    return roles or [_unmask(text, parts).strip()]


_HEADS_CACHE: dict[str, frozenset[str]] = {}


def role_heads() -> frozenset[str]:
    """Words that name the kind of role a title ends in (engineer, analyst, manager, nurse ...)."""
    return _default_heads()


def _default_heads() -> frozenset[str]:
    return _HEADS_CACHE.get("heads", frozenset({
        "engineer", "developer", "manager", "director", "analyst", "specialist", "scientist", "designer",
        "nurse", "technician", "assistant", "officer", "administrator", "architect", "consultant",
        "representative", "coordinator", "accountant", "attorney", "lawyer", "teacher", "physician",
        "supervisor", "clerk", "driver", "operator", "mechanic", "president", "executive", "programmer",
        "tester", "marketer", "writer", "editor", "researcher", "economist", "statistician", "pharmacist",
    }))


# ------------------------------------------------------------------------------------------- the index


def _ngrams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a}_{b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def _char_grams(text: str) -> list[str]:
    s = f" {text} "
    return [s[i:i + 3] for i in range(len(s) - 2)] + [s[i:i + 4] for i in range(len(s) - 3)]


class _Vectorizer:
    """Minimal TF-IDF (sublinear tf, smooth idf, L2) with a frozen vocabulary."""

    def __init__(self, docs: list[list[str]]) -> None:
        df: Counter[str] = Counter()
        for d in docs:
            df.update(set(d))
        self.vocab = {t: i for i, t in enumerate(sorted(df))}
        n = len(docs)
        self.idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in sorted(df)], dtype=np.float32)

    def transform(self, docs: list[list[str]]) -> sp.csr_matrix:
        get = self.vocab.get
        ids = [[get(t, -1) for t in d] for d in docs]
        lens = np.fromiter((len(d) for d in ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter((i for d in ids for i in d), dtype=np.int64, count=int(lens.sum()))
        doc = np.repeat(np.arange(len(docs), dtype=np.int64), lens)
        ok = flat >= 0
        n_v = len(self.vocab)
        keys, counts = np.unique(doc[ok] * n_v + flat[ok], return_counts=True)
        row, col = keys // n_v, keys % n_v
        val = (1.0 + np.log(counts)).astype(np.float32) * self.idf[col]
        nrm = np.sqrt(np.bincount(row, weights=val.astype(np.float64) ** 2, minlength=len(docs)))
        val = (val / np.maximum(nrm[row], 1e-12)).astype(np.float32)
        indptr = np.zeros(len(docs) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=len(docs)), out=indptr[1:])
        return sp.csr_matrix((val, col.astype(np.int32), indptr), shape=(len(docs), n_v))


def _word_vectors(words: list[str]) -> np.ndarray:
    """Per-word wordllama vectors (sum of the word's token embeddings); build time only.

    wordllama embeds a text as the mean of its (SentencePiece) token embeddings and every word is tokenised
    on its own, so the direction of a text's embedding is the sum of these per-word vectors: queries are
    embedded with this table alone and wordllama is never loaded at query time.
    """
    import wordllama
    from wordllama import WordLlama  # heavy-ish import kept lazy

    wl = WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    emb = np.asarray(wl.embedding, dtype=np.float32)
    out = np.zeros((len(words), emb.shape[1]), dtype=np.float32)
    for i, enc in enumerate(wl.tokenizer.encode_batch(words, add_special_tokens=False)):
        ids = np.asarray(enc.ids, dtype=np.int64)[np.asarray(enc.attention_mask, dtype=bool)]  # no padding
        ids = np.clip(ids, 0, emb.shape[0] - 1)
        if len(ids):
            out[i] = emb[ids].sum(axis=0)
    return out


def _bag(docs: list[list[str]], vocab: dict[str, int], weights: np.ndarray | None = None) -> sp.csr_matrix:
    """Token-count matrix (or, with ``weights``, a binary matrix scaled by per-token weights)."""
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for d in docs:
        c = Counter(vocab[t] for t in d if t in vocab)
        indices.extend(c)
        data.extend(c.values() if weights is None else (float(weights[i]) for i in c))
        indptr.append(len(indices))
    return sp.csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32),
                          np.array(indptr, dtype=np.int64)), shape=(len(docs), len(vocab)))


def _rowdot(a: sp.csr_matrix, ia: np.ndarray, b: sp.csr_matrix, ib: np.ndarray) -> np.ndarray:
    """Dot products of rows ``a[ia[i]]`` and ``b[ib[i]]``."""
    if len(ia) == 0:
        return np.zeros(0, dtype=np.float32)
    return np.asarray(a[ia].multiply(b[ib]).sum(axis=1), dtype=np.float32).ravel()


def _l2(x: np.ndarray) -> np.ndarray:
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-6)


def _alias_variants(text: str) -> list[str]:
    """An alternate title plus its parenthetical-free form and (if a title) the parenthetical itself."""
    out = [text]
    if "(" in text:
        inner = re.findall(r"\(([^()]*)\)", text)
        out.append(re.sub(r"\([^()]*\)", " ", text))
        out.extend(i for i in inner if len(i.split()) >= 2)
    return out


def _occ_heads(title: str) -> set[str]:
    """Head nouns of an O*NET occupation title ("Mechanics and Installers" -> {mechanic, installer})."""
    t = re.sub(r",\s*(?:all other|except\b.*|and\b.*)$", "", title, flags=re.I)
    t = re.split(r"\s+(?:of|for|in|to)\s+|,", t, maxsplit=1)[0]
    heads = set()
    for part in re.split(r"\s+(?:and|or)\s+|/", t):
        toks = clean_title(part).split()
        if toks:
            heads.add(toks[-1])
    return heads


_MGR_WORDS = frozenset({"manager", "director", "president", "vice", "chief", "head", "superintendent"})
_SUP_WORDS = frozenset({"supervisor", "foreman", "forewoman", "foreperson"})
#: role words that say a level or a kind of job, not a trade or profession ("X Coordinator" is whatever X is)
_GENERIC_HEADS = _MGR_WORDS | _SUP_WORDS | frozenset(
    "coordinator specialist administrator officer associate assistant representative lead consultant analyst "
    "advisor adviser agent partner owner worker staff professional generalist liaison navigator".split())
#: role words of people who keep a thing running, read as its mechanic when their own reading misses the thing
_MECHANIC_OF = frozenset({"technician", "tech", "machinist"})
_CACHE_SIZE = 100_000
#: Distinct queries scored together (dense query x occupation arrays of this many rows stay cache-friendly).
_BLOCK = 1024
_K_CACHE = 5


def _tree_logits(F: np.ndarray, m: dict[str, Any]) -> np.ndarray:
    """Raw score of a gradient-boosted tree ensemble stored as flat node arrays (see eval_titles.fit).

    Leaves point to themselves with an infinite threshold, so every row walks ``depth`` steps in all trees
    at once.
    """
    arr = m.get("_arrays")
    if arr is None:
        arr = m["_arrays"] = (
            np.asarray(m["roots"], dtype=np.int64), np.asarray(m["feature"], dtype=np.int64),
            np.asarray(m["threshold"], dtype=np.float32), np.asarray(m["left"], dtype=np.int64),
            np.asarray(m["right"], dtype=np.int64), np.asarray(m["value"], dtype=np.float64))
    roots, feat, thr, left, right, value = arr
    if len(F) == 0:
        return np.zeros(0, dtype=np.float64)
    F = np.ascontiguousarray(F)
    flat = F.ravel()
    base = (np.arange(len(F), dtype=np.int64) * F.shape[1])[:, None]
    node = np.broadcast_to(roots, (len(F), len(roots)))
    for _ in range(int(m["depth"])):  # 1-D takes: much cheaper than 2-D fancy indexing
        go_left = flat.take(base + feat.take(node)) <= thr.take(node)
        node = np.where(go_left, left.take(node), right.take(node))
    return value.take(node).sum(axis=1) + float(m["baseline"])


def _prior_keys(toks: list[str]) -> tuple[str, str, str]:
    """Keys of the learned label prior: the whole cleaned title, its last two words and its last word."""
    return " ".join(toks), "2:" + " ".join(toks[-2:]), "1:" + (toks[-1] if toks else "")


class _KeyDistribution(Mapping[str, tuple[np.ndarray, np.ndarray]]):
    """key -> (occupation indices, shares of the key's rows), packed into three flat arrays.

    The index holds ~34,000 keys; as a dict of small arrays it pickled as ~69,000 numpy objects and unpickling them
    took most of the title index's load time (0.4-0.8 s per CLI call). Lookups return views of the packed arrays:
    the same values and dtypes (int64 indices, float32 shares) as the dict they replace.
    """

    def __init__(self, pos: dict[str, int], offsets: np.ndarray, index: np.ndarray, share: np.ndarray) -> None:
        self._pos, self._off, self._index, self._share = pos, offsets, index, share

    @classmethod
    def from_items(cls, items: list[tuple[str, np.ndarray, np.ndarray]]) -> _KeyDistribution:
        """Pack (key, occupation indices, shares) triples (key order kept)."""
        lens = np.fromiter((len(ix) for _, ix, _ in items), dtype=np.int64, count=len(items))
        offsets = np.zeros(len(items) + 1, dtype=np.int64)
        np.cumsum(lens, out=offsets[1:])
        index = np.concatenate([ix for _, ix, _ in items]) if items else np.zeros(0, dtype=np.int64)
        share = np.concatenate([sh for _, _, sh in items]) if items else np.zeros(0, dtype=np.float32)
        return cls({k: i for i, (k, _, _) in enumerate(items)}, offsets, index.astype(np.int64, copy=False),
                   share.astype(np.float32, copy=False))

    def __getitem__(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        i = self._pos[key]
        a, b = int(self._off[i]), int(self._off[i + 1])
        return self._index[a:b], self._share[a:b]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pos)

    def __len__(self) -> int:
        return len(self._pos)


def _key_distribution(pairs: list[tuple[str, int]]) -> _KeyDistribution:
    """Map each key to (occupation indices, share of the key's rows), from (key, occupation) pairs."""
    by: dict[str, Counter[int]] = {}
    for k, o in pairs:
        by.setdefault(k, Counter())[o] += 1
    items = []
    for k, c in by.items():
        n = sum(c.values())
        items.append((k, np.fromiter(c.keys(), dtype=np.int64, count=len(c)),
                      np.fromiter((v / n for v in c.values()), dtype=np.float32, count=len(c))))
    return _KeyDistribution.from_items(items)


class _LRU(OrderedDict):  # type: ignore[type-arg]
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)

    def hit(self, key: Any) -> Any:
        v = self.get(key)
        if v is not None:
            self.move_to_end(key)
        return v


class TitleNormalizer:
    """Maps free-text job titles to ranked O*NET-SOC occupations with calibrated confidence."""

    # index state (set by ``build`` / ``load``)
    alias_text: list[str]
    alias_soc: np.ndarray
    exact: dict[str, list[int]]
    occ_exact: dict[str, list[int]]
    word: _Vectorizer
    char: _Vectorizer
    WT: sp.csr_matrix
    Wocc: sp.csr_matrix
    Cocc: sp.csr_matrix
    C_all: sp.csr_matrix
    TU: sp.csr_matrix
    uvocab: dict[str, int]
    unigram_vocab: list[str]
    uidf: np.ndarray
    last_all: np.ndarray
    occ_tok_keys: np.ndarray
    occ_head_keys: np.ndarray
    WE: np.ndarray
    E_cent: np.ndarray
    E_occ: np.ndarray
    occ_group: dict[str, np.ndarray]
    tok_group: dict[str, np.ndarray]
    base_prior: Mapping[str, tuple[np.ndarray, np.ndarray]]
    log_n_alias: np.ndarray
    is_00: np.ndarray
    is_mgr: np.ndarray
    is_sup: np.ndarray
    log_emp: np.ndarray
    attested: np.ndarray
    occ_words: list[frozenset[str]]
    occ_lent: list[frozenset[str]]
    word_idf: dict[str, float]

    def __init__(self) -> None:
        self.codes: list[str] = []
        self.titles: list[str] = []
        self.model = _default_model()
        self.heads: frozenset[str] = frozenset()

    @property
    def model(self) -> dict[str, Any]:
        """Ranker parameters (setting them clears the result cache)."""
        self._materialize()
        return self.__dict__["model_params"]

    @model.setter
    def model(self, m: dict[str, Any]) -> None:
        self._materialize()
        self.__dict__["model_params"] = m
        self.__dict__.pop("_results", None)

    def _materialize(self) -> None:
        """Unpickle the index state of a normaliser from :meth:`load` (a no-op once loaded, or when built)."""
        if "_pending" not in self.__dict__:
            return
        with _STATE_LOCK:
            pending = self.__dict__.get("_pending")
            if pending is not None:
                self.__dict__.update(pickle.loads(pending))  # noqa: S301 - our own cache file
                del self.__dict__["_pending"]

    def __getstate__(self) -> dict[str, Any]:
        self._materialize()  # pickling or copying a loaded normaliser copies its index, never the pending bytes
        return dict(self.__dict__)

    def __getattr__(self, name: str) -> Any:
        # only reached for an attribute not set yet: the index state of a loaded normaliser, on first use
        if name.startswith("__") or "_pending" not in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self._materialize()
        return getattr(self, name)

    # ------------------------------------------------------------------------------------------ build
    @classmethod
    def build(
        cls,
        occupations: pl.DataFrame,
        alternate_titles: pl.DataFrame,
        reported_titles: pl.DataFrame,
        tasks: pl.DataFrame | None = None,
        employment: pl.DataFrame | None = None,
        model: dict[str, Any] | None = None,
        technology: pl.DataFrame | None = None,
    ) -> TitleNormalizer:
        """Build the index from O*NET frames (and optional OEWS employment: occupation_code, tot_emp).

        ``technology`` (O*NET technology skills: soc_code, example) lends a typed target the words of the tools an
        occupation lists, where no occupation's own text uses them (see ``resolve_target``).
        """
        import polars as pl

        self = cls()
        occ = occupations.select("soc_code", "title").unique("soc_code").sort("soc_code")
        self.codes = occ["soc_code"].to_list()
        self.titles = occ["title"].to_list()
        idx = {c: i for i, c in enumerate(self.codes)}
        n_occ = len(self.codes)
        if model is not None:
            self.model = model

        # alias strings (cleaned) per occupation, and how many O*NET sources attest each: "Line Cook" is an
        # alternate title of five cook occupations, named by three sources for restaurant cooks and one or two for
        # the others; reported titles (incumbents' own words) count once more
        pairs: dict[tuple[str, int], float] = {}
        attested: dict[tuple[str, int], float] = {}

        def add(text: Any, code: Any, w: float, sources: float = 1.0) -> None:
            if not isinstance(text, str) or code not in idx:
                return
            for v in _alias_variants(text):
                c = clean_title(v)
                if c:
                    key = (c, idx[code])
                    pairs[key] = max(pairs.get(key, 0.0), w)
                    attested[key] = attested.get(key, 0.0) + sources

        def n_sources(value: Any) -> float:
            return float(len([p for p in str(value).split(",") if p.strip()])) if value else 1.0

        for code, title in zip(self.codes, self.titles, strict=True):
            add(title, code, 1.0, ATTESTED_OCCUPATION_TITLE)
            # "Engineers, All Other" style: singular form of a plural title, without the qualifier
            add(re.sub(r",.*$", "", title), code, 1.0, 0.0)
        has_src = "sources" in alternate_titles.columns
        for code, alt, short, src in alternate_titles.select(
                "soc_code", "alternate_title", "short_title",
                pl.col("sources") if has_src else pl.lit(None).alias("sources")).iter_rows():
            add(alt, code, 0.9, n_sources(src))
            add(short, code, 0.8, 0.0)
        for code, rep in reported_titles.select("soc_code", "reported_title").iter_rows():
            add(rep, code, 0.95)
        keys = sorted(pairs)
        self.alias_text = [k[0] for k in keys]
        self.alias_soc = np.array([k[1] for k in keys], dtype=np.int32)
        # rows as in C_all (every alias, then every occupation title): log of the sources behind the row's alias
        occ_att = np.array([attested.get((clean_title(t), i), 0.0) for i, t in enumerate(self.titles)])
        self.attested = np.log1p(np.concatenate([np.array([attested[k] for k in keys]), occ_att])).astype(np.float32)
        occ_clean = [clean_title(t) for t in self.titles]
        self.exact = {}
        for t, s in keys:
            self.exact.setdefault(t, []).append(s)
        self.occ_exact = {}
        for i, t in enumerate(occ_clean):
            self.occ_exact.setdefault(t, []).append(i)

        # head nouns: tokens that mostly end O*NET titles
        last: Counter[str] = Counter()
        anyc: Counter[str] = Counter()
        for t in set(self.alias_text):
            toks = t.split()
            last[toks[-1]] += 1
            anyc.update(set(toks))
        self.heads = frozenset(t for t, n in last.items() if n >= 3 and n / anyc[t] >= 0.5)

        alias_toks = [t.split() for t in self.alias_text]
        occ_toks = [t.split() for t in occ_clean]
        self.word = _Vectorizer([_ngrams(t) for t in alias_toks])
        self.WT = self.word.transform([_ngrams(t) for t in alias_toks]).T.tocsr()
        self.char = _Vectorizer([_char_grams(t) for t in self.alias_text])
        self.Wocc = self.word.transform([_ngrams(t) for t in occ_toks])
        self.Cocc = self.char.transform([_char_grams(t) for t in occ_clean])
        # rows: every alias, then every occupation title (used when an occupation has no matching alias)
        self.C_all = sp.vstack([self.char.transform([_char_grams(t) for t in self.alias_text]), self.Cocc]).tocsr()
        uni = sorted({t for toks in alias_toks + occ_toks for t in toks})
        self.uvocab = {t: i for i, t in enumerate(uni)}
        self.unigram_vocab = uni
        n_uni = len(uni)
        self.uidf = np.array([self.word.idf[self.word.vocab[t]] if t in self.word.vocab else 0.0 for t in uni],
                             dtype=np.float32)
        rows_toks = alias_toks + occ_toks
        counts = _bag(rows_toks, self.uvocab)
        tub = counts.copy()
        tub.data[:] = 1.0
        self.TU = tub
        self.last_all = np.array([self.uvocab[t[-1]] if t else -1 for t in rows_toks], dtype=np.int64)
        self.occ_tok_keys = np.unique(np.array(
            [i * n_uni + self.uvocab[t] for i, toks in enumerate(occ_toks) for t in toks], dtype=np.int64))
        self.occ_head_keys = np.unique(np.array(
            [i * n_uni + self.uvocab[h] for i, t in enumerate(self.titles) for h in _occ_heads(t)
             if h in self.uvocab], dtype=np.int64))

        # embeddings: per-word table; occupation title and centroid of its aliases
        self.WE = _word_vectors(uni)
        e_alias = _l2(np.asarray(counts[: len(alias_toks)] @ self.WE))
        cent = np.zeros((n_occ, e_alias.shape[1]), dtype=np.float32)
        np.add.at(cent, self.alias_soc, e_alias)
        self.E_cent = _l2(cent)
        self.E_occ = _l2(np.asarray(counts[len(alias_toks):] @ self.WE))

        # occupation-group distribution of each token (from the aliases): P(group | token), smoothed
        self.occ_group = {}
        self.tok_group = {}
        for name, width in (("major", 2), ("minor", 5)):
            labels = sorted({c[:width] for c in self.codes})
            g_of = np.array([labels.index(c[:width]) for c in self.codes], dtype=np.int64)
            ta = tub[: len(alias_toks)].tocoo()
            m = np.zeros((n_uni, len(labels)), dtype=np.float32)
            np.add.at(m, (ta.col, g_of[self.alias_soc[ta.row]]), 1.0)
            m = (m + 0.1) / (m.sum(axis=1, keepdims=True) + 0.1 * len(labels))
            self.occ_group[name] = g_of
            self.tok_group[name] = m

        # O*NET alias distribution of occupations given the last one / two words of a title (prior smoothing)
        self.base_prior = _key_distribution(
            [(k, int(s)) for t, s in zip(self.alias_text, self.alias_soc.tolist(), strict=True)
             for k in _prior_keys(t.split())[1:]])

        # priors
        n_alias = np.bincount(self.alias_soc, minlength=n_occ).astype(np.float32)
        self.log_n_alias = np.log1p(n_alias) / max(float(np.log1p(n_alias).max()), 1.0)
        self.is_00 = np.array([c.endswith(".00") for c in self.codes], dtype=np.float32)
        self.is_mgr = np.array([c.startswith("11-") for c in self.codes], dtype=np.float32)
        self.is_sup = np.array([t.lower().startswith("first-line supervisors") for t in self.titles],
                               dtype=np.float32)
        self.log_emp = self._employment_prior(employment if employment is not None else pl.DataFrame())

        # the words each occupation uses anywhere (titles, description, tasks) and how rare each word is: a
        # target title whose distinctive word an occupation never uses does not name it ("Legal Operations
        # Specialist" is no Airfield Operations Specialist, an "Electric Vehicle Technician" no RV technician)
        words: list[set[str]] = [_content_words(t) for t in self.titles]
        titled: dict[str, set[int]] = {}  # a word of O*NET titles and alternate titles -> the occupations using it
        for i, ws in enumerate(words):
            for w in ws:
                titled.setdefault(w, set()).add(i)
        if "description" in occupations.columns:
            for code, desc in occupations.select("soc_code", "description").iter_rows():
                if code in idx and isinstance(desc, str):
                    words[idx[code]] |= _content_words(desc)
        for code, alt in alternate_titles.select("soc_code", "alternate_title").iter_rows():
            if code in idx and isinstance(alt, str):
                words[idx[code]] |= _content_words(alt)
                for w in _content_words(alt):
                    titled.setdefault(w, set()).add(idx[code])
        if tasks is not None and {"soc_code", "task"} <= set(tasks.columns):
            for code, task in tasks.select("soc_code", "task").iter_rows():
                if code in idx and isinstance(task, str):
                    words[idx[code]] |= _content_words(task)
        # a word few occupations' own text uses (TECH_WORD_OWN_MAX) but technology examples do names the tool a role
        # works with ("Linux Engineer", "Unix Administrator", "SAP Developer"): an occupation listing that tool uses
        # the word. Before, only words no occupation's own text used counted, so "sap" (the maple sap of forest
        # workers' tasks) was no word of Software Developers, who list SAP ERP, and "SAP Developer" resolved to
        # Forest and Conservation Workers. A word an O*NET title uses is not lent: "Salesforce Developer" is an
        # alternate title of Web Developers, and O*NET says so; lent to every occupation listing Salesforce, it let
        # "Salesforce Platform Developer" go to Software Developers beside a "Salesforce Developer" target
        lent: list[set[str]] = [set() for _ in words]  # words an occupation has from its tools only
        if technology is not None and {"soc_code", "example"} <= set(technology.columns):
            own_df: Counter[str] = Counter(w for ws in words for w in ws)
            tool_words = [(idx[code], _content_words(example)) for code, example in
                          technology.select("soc_code", "example").iter_rows()
                          if code in idx and isinstance(example, str)]
            listing: dict[str, set[int]] = {}  # a tool word -> the occupations listing a tool so named
            for i, ws in tool_words:
                for w in ws:
                    listing.setdefault(w, set()).add(i)
            for i, ws in tool_words:
                # a title naming the tool where the tool is listed keeps the word ("Salesforce Developer" of Web
                # Developers); a title using it in another sense ("Sap Gatherer" of forest workers) does not
                lent[i] |= {w for w in ws if own_df[w] == 0 or (
                    own_df[w] <= TECH_WORD_OWN_MAX and not (titled.get(w, set()) & listing[w]))} - words[i]
            for ws, ls in zip(words, lent, strict=True):
                ws |= ls
        self.occ_words = [frozenset(w) for w in words]
        self.occ_lent = [frozenset(w) for w in lent]
        df: Counter[str] = Counter(w for ws in words for w in ws)
        self.word_idf = {w: math.log(n_occ / c) for w, c in df.items()}
        return self

    def _employment_prior(self, employment: pl.DataFrame) -> np.ndarray:
        import polars as pl

        out = np.zeros(len(self.codes), dtype=np.float32)
        if employment.height == 0:
            return out
        df = employment
        if "area_type" in df.columns:
            df = df.filter(pl.col("area_type") == "N")
        code_col = "occupation_code" if "occupation_code" in df.columns else "oews_code"
        emp = {str(c).replace("-", ""): float(v) for c, v in df.select(code_col, "tot_emp").iter_rows()
               if c is not None and v is not None}
        for i, c in enumerate(self.codes):
            d = c[:7].replace("-", "")
            v = emp.get(d) or emp.get(d[:5] + "0") or emp.get(d[:4] + "00") or 0.0
            # specialised O*NET codes (.01 ...) share their SOC's employment; damp them
            out[i] = math.log1p(v) if c.endswith(".00") else math.log1p(v) - 2.0
        return np.maximum(out, 0.0) / max(float(out.max()), 1.0)

    # ------------------------------------------------------------------------------------ scoring
    def _fix_typos(self, toks: list[str]) -> list[str]:
        """Known words for unknown ones of six letters or more.

        A close known word (a typo), else two known words written as one ("Stockbroker": stock broker, which O*NET
        writes apart).
        """
        out = []
        for t in toks:
            if t in self.word.vocab or len(t) < 6 or t.isdigit():
                out.append(t)
                continue
            fixed = self._closest(t)
            out.extend([fixed] if fixed != t else self._compound(t))
        return out

    def _compound(self, tok: str) -> list[str]:
        """``tok`` as two known words of three letters or more (the most even split), else as it is."""
        known = [(a, b) for a, b in _word_splits(tok) if a in self.word.vocab and b in self.word.vocab]
        if not known:
            return [tok]
        a, b = max(known, key=lambda ab: min(len(ab[0]), len(ab[1])))
        return [a, b]

    def _closest(self, tok: str) -> str:
        cache: dict[str, str] = self.__dict__.setdefault("_typo_cache", {})
        if tok not in cache:
            from rapidfuzz import fuzz, process

            # a typo keeps the first letter and about the length: compare within that bucket only
            buckets: dict[tuple[str, int], list[str]] = self.__dict__.setdefault("_typo_buckets", {})
            if not buckets:
                for w in self.unigram_vocab:
                    buckets.setdefault((w[0], len(w)), []).append(w)
            pool = [w for d in (-2, -1, 0, 1, 2) for w in buckets.get((tok[0], len(tok) + d), ())]
            hit = process.extractOne(tok, pool, scorer=fuzz.ratio, score_cutoff=89)
            cache[tok] = hit[0] if hit else tok
        return cache[tok]

    def _features(self, cleaned: list[str], ties: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidates of a batch of cleaned queries: query index, occupation index and feature rows.

        Fully vectorised over the batch; rows are grouped by query (ascending) then occupation index. ``inv_rank``
        breaks ties of the word score by occupation index, as the ranker was fitted; with ``ties`` tied candidates
        share their best rank instead (see ``resolve_target``).
        """
        n_occ = len(self.codes)
        n_alias = len(self.alias_soc)
        n_uni = len(self.unigram_vocab)
        nq = len(cleaned)
        toks = [self._fix_typos(c.split()) for c in cleaned]
        qtext = [" ".join(t) for t in toks]
        live = np.array([bool(t) for t in qtext], dtype=bool)
        Q = self.word.transform([_ngrams(t) for t in toks])
        Qc = self.char.transform([_char_grams(t) for t in qtext])
        Qw = _bag(toks, self.uvocab, self.uidf)
        Eq = _l2(np.asarray(_bag(toks, self.uvocab) @ self.WE))
        emb_cent_all = Eq @ self.E_cent.T

        # best alias per (query, occupation): one scatter-max over the sparse similarity matrix
        S = (Q @ self.WT).tocoo()
        key = S.row.astype(np.int64) * n_occ + self.alias_soc[S.col]
        Wmax = np.zeros(nq * n_occ, dtype=np.float32)
        np.maximum.at(Wmax, key, S.data)
        BR = np.full(nq * n_occ, -1, dtype=np.int64)
        is_best = S.data >= Wmax[key]
        BR[key[is_best]] = S.col[is_best]
        HITS = np.bincount(key[S.data >= 0.6], minlength=nq * n_occ)
        Wmax2 = Wmax.reshape(nq, n_occ)

        cand = np.zeros((nq, n_occ), dtype=bool)
        rows = np.arange(nq)[:, None]
        cand[rows, np.argpartition(-Wmax2, _N_CAND_WORD, axis=1)[:, :_N_CAND_WORD]] = True
        cand[rows, np.argpartition(-emb_cent_all, _N_CAND_EMB, axis=1)[:, :_N_CAND_EMB]] = True
        ex_q, ex_o, xo_q, xo_o = [], [], [], []
        n_ex = np.zeros(nq, dtype=np.float32)
        for qi, q in enumerate(qtext):
            ex = self.exact.get(q)
            if ex:
                ex_q.extend([qi] * len(ex))
                ex_o.extend(ex)
                n_ex[qi] = len(ex)
            xo = self.occ_exact.get(q)
            if xo:
                xo_q.extend([qi] * len(xo))
                xo_o.extend(xo)
        cand[ex_q, ex_o] = True
        PR, n_full, n_bi = self._prior_matrix(toks)
        cand |= (PR.max(axis=0) >= 0.1).reshape(nq, n_occ)
        cand[~live] = False
        QI, OC = np.nonzero(cand)
        flat = QI * n_occ + OC
        m = len(QI)

        wm = Wmax[flat]
        br = BR[flat]
        R = np.where(br >= 0, br, n_alias + OC)
        top = Wmax2.max(axis=1)
        exm = np.zeros((nq, n_occ), dtype=bool)
        exm[ex_q, ex_o] = True
        exact = exm[QI, OC].astype(np.float32)
        exm[:] = False
        exm[xo_q, xo_o] = True
        exact_occ = exm[QI, OC].astype(np.float32)

        qlast = np.array([self.uvocab.get(t[-1], -1) if t else -1 for t in toks], dtype=np.int64)[QI]
        known = qlast >= 0
        head_best = (known & (self.last_all[R] == qlast)).astype(np.float32)
        head_occ = (known & np.isin(OC * n_uni + qlast, self.occ_tok_keys)).astype(np.float32)
        head_occ2 = (known & np.isin(OC * n_uni + qlast, self.occ_head_keys)).astype(np.float32)
        qw_sum = np.asarray(Qw.sum(axis=1), dtype=np.float32).ravel()
        q_cov = _rowdot(Qw, QI, self.TU, R) / np.maximum(qw_sum[QI], 1e-6)

        # rank of each candidate's word score within its query (ties by occupation index)
        order = np.lexsort((OC, -wm, QI))
        start = np.searchsorted(QI, QI)
        rank = np.empty(m, dtype=np.float32)
        if ties:  # a tied candidate takes the rank of the first of its tie group (no word in common: no tie)
            ws, qs = wm[order], QI[order]
            new = np.ones(m, dtype=bool)
            new[1:] = (qs[1:] != qs[:-1]) | (ws[1:] != ws[:-1]) | (ws[1:] <= 0)
            first = np.maximum.accumulate(np.where(new, np.arange(m), 0))
            rank[order] = first - start[order]
        else:
            rank[order] = np.arange(m) - start[order]

        # how well attested the best-matching alias is, against the best attested among the query's top-scoring
        # candidates (the ambiguous "Line Cook": which of the occupations naming it is named most)
        att = np.where(wm > 0, self.attested[R], 0.0).astype(np.float32)
        att_top = np.zeros(nq, dtype=np.float32)
        at_top = wm >= top[QI] - 1e-6
        np.maximum.at(att_top, QI[at_top], att[at_top])

        qset = [set(t) for t in toks]
        mgr_q = np.array([bool(s & _MGR_WORDS) for s in qset], dtype=np.float32)[QI]
        sup_q = np.array([bool(s & _SUP_WORDS) for s in qset], dtype=np.float32)[QI]
        groups = []
        for name in ("major", "minor"):
            P = np.asarray(Qw @ self.tok_group[name]) / np.maximum(qw_sum[:, None], 1e-6)
            groups.append(P[QI, self.occ_group[name][OC]])
        is_mgr, is_sup, log_emp = self.is_mgr[OC], self.is_sup[OC], self.log_emp[OC]

        F = np.column_stack([
            wm, _rowdot(self.Wocc, OC, Q, QI), _rowdot(self.C_all, R, Qc, QI), _rowdot(self.Cocc, OC, Qc, QI),
            exact, exact / np.maximum(n_ex[QI], 1.0), emb_cent_all[QI, OC],
            np.einsum("ij,ij->i", Eq[QI], self.E_occ[OC]), log_emp, self.is_00[OC], self.log_n_alias[OC],
            head_best, head_occ, wm - top[QI], np.log1p(HITS[flat]), 1.0 / (1.0 + rank), q_cov, exact_occ,
            head_occ2, exact * head_occ2, mgr_q * is_mgr, (1.0 - mgr_q) * is_mgr, sup_q * is_sup,
            (1.0 - sup_q) * is_sup, groups[0], groups[1], log_emp * (1.0 - top[QI]),
            PR[0, flat], PR[1, flat], PR[2, flat], np.log1p(n_full[QI]), np.log1p(n_bi[QI]),
            att, att - att_top[QI],
        ]).astype(np.float32)
        return QI, OC, F

    def _prior_table(self) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
        """The model's learned label prior (key -> {soc: count}) as occupation-index arrays (cached)."""
        m = self.model
        tab = m.get("_prior")
        if tab is None:
            idx = {c: i for i, c in enumerate(self.codes)}
            tab = {}
            for key, counts in (m.get("prior") or {}).items():
                ok = [(idx[c], float(n)) for c, n in counts.items() if c in idx]
                if ok:
                    tab[key] = (np.array([o for o, _ in ok], dtype=np.int64),
                                np.array([n for _, n in ok], dtype=np.float32), float(sum(n for _, n in ok)))
            m["_prior"] = tab
        return tab

    def _prior_matrix(self, toks: list[list[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Smoothed label prior P(occupation | key) for the full title, last two and last word (3 x nq*n_occ).

        P = (n(key, occ) + alpha * base(key, occ)) / (n(key) + alpha): n counts the train postings whose
        cleaned title has this key, base is the O*NET alias distribution of the key (not for the full title).
        """
        n_occ = len(self.codes)
        nq = len(toks)
        prior = self._prior_table()
        base = self.base_prior
        a = _PRIOR_ALPHA
        n_key = np.zeros((3, nq), dtype=np.float64)
        keys_l: list[np.ndarray] = []
        vals_l: list[np.ndarray] = []
        for qi, t in enumerate(toks):
            if not t:
                continue
            for fi, key in enumerate(_prior_keys(t)):
                tr = prior.get(key)
                n = tr[2] if tr is not None else 0.0
                n_key[fi, qi] = n
                if tr is not None:
                    keys_l.append((fi * nq + qi) * n_occ + tr[0])
                    vals_l.append(tr[1] / (n + a))
                b = base.get(key) if fi else None
                if b is not None:
                    keys_l.append((fi * nq + qi) * n_occ + b[0])
                    vals_l.append(b[1] * (a / (n + a)))
        if keys_l:
            P = np.bincount(np.concatenate(keys_l), weights=np.concatenate(vals_l), minlength=3 * nq * n_occ)
        else:
            P = np.zeros(3 * nq * n_occ, dtype=np.float64)
        return P.reshape(3, nq * n_occ).astype(np.float32), n_key[0], n_key[1]

    def prior_keys(self, titles: list[str]) -> list[tuple[str, str, str] | None]:
        """Label-prior keys of each title's first role (None for an empty title); used to learn the prior."""
        out: list[tuple[str, str, str] | None] = []
        for t in titles:
            roles = self._roles(t)
            toks = self._fix_typos(roles[0].split()) if roles else []
            out.append(_prior_keys(toks) if toks else None)
        return out

    def _logits(self, F: np.ndarray) -> np.ndarray:
        m = self.model
        if m.get("kind") == "trees":
            return _tree_logits(F, m)
        z = (F - np.asarray(m["mean"], dtype=np.float32)) / np.asarray(m["scale"], dtype=np.float32)
        return z @ np.asarray(m["coef"], dtype=np.float32) + float(m["intercept"])

    def _score_cleaned(self, cleaned: list[str], k: int, ties: bool = False) -> list[list[TitleMatch]]:
        """Top-k matches of each cleaned query string (served from / stored in an LRU cache)."""
        slot = "_results_ties" if ties else "_results"
        cache: _LRU = self.__dict__.get(slot) or self.__dict__.setdefault(slot, _LRU(_CACHE_SIZE))
        kk = max(k, _K_CACHE)
        todo = [c for c in dict.fromkeys(cleaned) if (hit := cache.hit(c)) is None or len(hit[1]) < min(k, hit[0])]
        for i in range(0, len(todo), _BLOCK):  # blocks keep the dense query x occupation arrays in cache
            self._score_block(todo[i:i + _BLOCK], kk, cache, ties)
        return [cache.hit(c)[1][:k] for c in cleaned]

    def _score_block(self, todo: list[str], kk: int, cache: _LRU, ties: bool = False) -> None:
        """Score one block of distinct cleaned queries and store each one's best ``kk`` matches in ``cache``."""
        if todo:
            QI, OC, F = self._features(todo, ties)
            z = self._logits(F) if len(QI) else np.zeros(0, dtype=np.float32)
            a, b = self.model["platt"]
            order = np.lexsort((-z, QI))
            q_sorted = QI[order]
            bounds = np.searchsorted(q_sorted, np.arange(len(todo) + 1))
            # vectorised over every query: keep each query's best kk, calibrate the best, scale the rest
            keep = (np.arange(len(order)) - bounds[q_sorted]) < kk
            sel, qk = order[keep], q_sorted[keep]
            zs = z[sel].astype(np.float64)
            p = 1.0 / (1.0 + np.exp(-zs))
            first = np.searchsorted(qk, np.arange(len(todo) + 1))
            lead = np.minimum(first[:-1], max(len(zs) - 1, 0))
            z0, p0 = (zs[lead], p[lead]) if len(zs) else (np.zeros(len(todo)), np.ones(len(todo)))
            top = 1.0 / (1.0 + np.exp(-(a * z0 + b)))
            scores = (top[qk] * p / np.maximum(p0[qk], 1e-9)).tolist() if len(zs) else []
            occ = OC[sel].tolist()
            codes, titles = self.codes, self.titles
            for qi, c in enumerate(todo):
                lo, hi = int(first[qi]), int(first[qi + 1])
                cache.put(c, (int(bounds[qi + 1] - bounds[qi]), [
                    TitleMatch(codes[o], titles[o], round(s, 4)) for o, s in zip(occ[lo:hi], scores[lo:hi], strict=True)]))

    def _roles(self, title: Any) -> list[str]:
        """Cleaned role strings of a raw title (cached)."""
        if not isinstance(title, str):
            return []
        cache: _LRU = self.__dict__.get("_roles_cache") or self.__dict__.setdefault(
            "_roles_cache", _LRU(_CACHE_SIZE))
        hit = cache.hit(title)
        if hit is None:
            try:
                roles = split_roles(title, self.heads)
            except Exception:  # noqa: BLE001 - never raise on odd input
                roles = []
            hit = tuple(c for c in (clean_title(r) for r in roles) if c)[:6]
            cache.put(title, hit)
        return list(hit)

    def _index_of_code(self) -> dict[str, int]:
        """O*NET-SOC code -> index of the occupation (built on first use, kept out of the saved index)."""
        got = self.__dict__.get("_code_index")
        if got is None:
            got = self.__dict__.setdefault("_code_index", {c: i for i, c in enumerate(self.codes)})
        return got

    def keyword_index(self) -> KeywordIndex:
        """Occupations by the role keywords their titles contain (built on first use, kept out of the saved index)."""
        from careeros.market.title_votes import KeywordIndex

        got = self.__dict__.get("_keyword_index")
        if got is None:
            got = self.__dict__.setdefault("_keyword_index", KeywordIndex(self.alias_text, list(self.alias_soc),
                                                                          self.codes))
        return got

    def _with_sense(self, ms: list[TitleMatch], code: str) -> list[TitleMatch]:
        """``ms`` with the occupation a title sense names first, at TITLE_SENSE_SCORE or the best score if higher."""
        idx = self._index_of_code()
        if code not in idx:
            return ms
        first = TitleMatch(code, self.titles[idx[code]], max([TITLE_SENSE_SCORE, *(m.score for m in ms)]))
        return [first, *(m for m in ms if m.soc_code != code)]

    def normalize(self, titles: list[str], k: int = 5, ties: bool = False) -> list[list[TitleMatch]]:
        """Rank O*NET-SOC occupations for each title (best first); empty or garbage titles give [].

        ``ties``: candidates tied on the word score (a title that is an O*NET alternate title of nine occupations,
        as "Data Analyst" is) share their rank instead of the lowest code winning it; used for titles a person
        writes (targets, resume titles), not posting titles, on which the ranker was fitted with the plain rank.
        """
        k = max(int(k), 1)
        roles_per = [self._roles(t) for t in titles]
        scored = dict(zip(uniq := list(dict.fromkeys(c for r in roles_per for c in r)),
                          self._score_cleaned(uniq, k, ties) if uniq else [], strict=True))
        out: list[list[TitleMatch]] = []
        for title, roles in zip(titles, roles_per, strict=True):
            sense = sense_of(title, roles[0]) if roles else None
            if sense is not None:
                out.append(self._with_sense(scored[roles[0]], sense)[:k])
                continue
            if len(roles) <= 1:
                out.append(list(scored[roles[0]]) if roles else [])
                continue
            best: dict[str, TitleMatch] = {}
            for i, r in enumerate(roles):
                w = _ROLE_DECAY ** i
                for m in scored[r]:
                    s = m.score * w
                    if m.soc_code not in best or best[m.soc_code].score < s:
                        best[m.soc_code] = TitleMatch(m.soc_code, m.title, round(s, 4))
            out.append(sorted(best.values(), key=lambda m: -m.score)[:k])
        if ties:  # a person's "Director of Nursing" in a resume reads as their target would (see _role_of_field)
            for i, title in enumerate(titles):
                field_first = self._field_first(title)
                if field_first is not None and not (roles_per[i] and sense_of(title, roles_per[i][0]) is not None):
                    out[i] = _surer_field_first(out[i], self.normalize([field_first], k=k, ties=False)[0])
        return out

    def _field_first(self, title: Any) -> str | None:
        """"Nursing Director" for "Director of Nursing" (see :meth:`_role_of_field`); None for any other title."""
        m = _ROLE_OF.match(title) if isinstance(title, str) else None
        if m is None:
            return None
        rtoks, ftoks = clean_title(m["role"]).split(), clean_title(m["field"]).split()
        if not rtoks or rtoks[-1] not in self.heads or not 1 <= len(ftoks) <= 4:
            return None
        whole = clean_title(title)
        if whole in self.exact or whole in self.occ_exact:
            return None  # a title O*NET or the labelled postings write so ("Clerk of Court") is read as written
        return f"{m['field']} {m['role']}"

    def _role_then_qualifier(self, title: str, k: int) -> list[TitleMatch] | None:
        """A "Role, qualifier" or "Role to the Whom" title keeps an occupation its role part allows.

        "Senior Product Manager, Payments" is a product manager who works on payments, not a billing clerk;
        "Product Manager, Construction Software" is no software developer. The part before the first comma must be a
        role of two words or more ending in a role word (``heads``; "Engineer, Civil" is read whole). "Executive
        Assistant to the CEO" is an executive assistant, not a chief executive: the part before " to " must end in a
        role word ("Return to Work Coordinator" is read whole). The whole title's first candidate stands when it is
        among the role part's candidates within ``TARGET_HEAD_RATIO`` of its first ("Data Analyst, Marketing" may
        stay a business intelligence analyst), or a specialty of one of them; otherwise the role part's candidates
        are taken. None when the title has no such form.
        """
        if not isinstance(title, str):
            return None
        to = _TO_WHOM.search(title)
        if to is not None and "," not in title[:to.start()]:
            role, qual, least = title[:to.start()], title[to.end():], 1
        elif "," in title:
            role, _, qual = title.partition(",")
            least = 2
        else:
            return None
        rtoks = clean_title(role).split()
        if len(rtoks) < least or rtoks[-1] not in self.heads or not clean_title(qual):
            return None
        whole = self._resolve_one(title, k)
        ms = self._resolve_one(role, k=max(k, TARGET_CANDIDATES))
        if not ms:
            return whole
        # a specialty of one of them counts as it ("Registered Nurse, ICU": critical care nurses)
        close = {m.soc_code[:7] for m in ms if m.score >= TARGET_HEAD_RATIO * ms[0].score}
        return whole if whole and whole[0].soc_code[:7] in close else ms[:k]

    def resolve_target(self, title: str, k: int = 3) -> list[TitleMatch]:
        """Matches of a role title a person types as a target, the role kind it names first.

        Candidates are ordered by score x (the rarity-weighted share of the title's words the occupation uses in its
        titles, description or tasks) ** TARGET_WORDS_POWER: an "Electric Vehicle Technician" is no RV technician,
        whose O*NET text never says "electric".

        A title ends in the kind of role ("Veterinary Practice Manager" is a manager): when the best match is unsure,
        its titles never end in that word (Veterinarians) and another match within TARGET_HEAD_RATIO of its score does
        (Medical and Health Services Managers), that one comes first, unless the best match uses every distinctive
        word of the title and the other misses one ("Contracting Officer" stays a purchasing role). For a person's own
        target only: posting titles keep the ranker's order.
        """
        qualified = self._role_then_qualifier(title, k)
        if qualified is not None:
            return qualified
        inverted = self._role_of_field(title, k)
        return inverted if inverted is not None else self._resolve_one(title, k)

    def _role_of_field(self, title: str, k: int) -> list[TitleMatch] | None:
        """A "Role of Field" title read as "Field Role" when that reading is about as sure or surer.

        O*NET and postings mostly write the field first: "Director of Nursing" was Managers, All Other (0.68),
        "Nursing Director" is Medical and Health Services Managers (0.96); "Adjunct Professor of Psychology" was a
        recreation and fitness teacher, "Adjunct Psychology Professor" is a psychology teacher. The part before " of " must end in a role word (``heads``) and the field be one to
        four words; the field-first reading is taken when its first score is at least ``OF_FIELD_RATIO`` of the
        title's own ("Head of Product" stays a product manager: "Product Head" reads as a head cook). None when the
        title has no such form or is itself a title O*NET or the labelled postings use.
        """
        field_first = self._field_first(title)
        if field_first is None:
            return None
        key = clean_title(title)
        if key and sense_of(title, key) is not None:
            return None  # a curated sense of the whole title stands ("Director of Residence Life": not residential advisors)
        whole, inv = self._resolve_one(title, k), self._resolve_one(field_first, k)
        head = clean_title(field_first).split()[-1]
        if whole and inv and head in _MANAGER_HEADS and inv[0].soc_code.startswith("11-") \
                and not whole[0].soc_code.startswith("11-") \
                and not self.is_sup[self._index_of_code()[whole[0].soc_code]]:
            # the whole reading ignored the role word: "Director of Pharmacy" read whole was Pharmacy Aides (0.90),
            # whose titles name no director; read field first, it is a manager of that field (a first-line
            # supervisor occupation is one: "Director of Housekeeping" stays with housekeeping supervisors)
            titled, _ = self._head_words()
            if head not in titled.get(whole[0].soc_code, ()) and head not in self._alias_words().get(whole[0].soc_code, ()):
                return inv
        return _surer_field_first(whole, inv)

    def _alias_words(self) -> dict[str, set[str]]:
        """SOC -> every word of its indexed titles ("Director of Photography" gives camera operators "director")."""
        got = self.__dict__.get("_alias_words_by_soc")
        if got is None:
            got = {}
            for text, occ in zip(self.alias_text, self.alias_soc.tolist(), strict=True):
                got.setdefault(self.codes[occ], set()).update(text.split())
            self.__dict__["_alias_words_by_soc"] = got
        return got

    def _resolve_one(self, title: str, k: int) -> list[TitleMatch]:
        """:meth:`resolve_target` of a title read whole (:meth:`_resolve_words`, then :meth:`_manager_of_field`)."""
        ms = self._resolve_words(title, k)
        toks = clean_title(title).split() if isinstance(title, str) else []
        if not toks or sense_of(title, " ".join(toks)) is not None:  # a curated sense of the whole title stands
            return ms[:k]
        ms = self._mechanic_of_thing(title, toks, ms, k)
        if len(ms) >= 2 and toks[-1] in _MANAGER_HEADS:
            ms = self._manager_of_field(title, toks[-1], ms)
        elif ms and len(toks) >= 2 and toks[-1] in _SUP_WORDS:
            ms = self._supervisor_of_field(toks, ms)
        return ms[:k]

    def _mechanic_of_thing(self, title: str, toks: list[str], ms: list[TitleMatch], k: int) -> list[TitleMatch]:
        """A technician or machinist of a vehicle read as its mechanic, when the title's own reading misses that.

        "Bus Technician" was Bus Drivers (0.74), "Locomotive Technician" Locomotive Engineers (0.93) and "Locomotive
        Machinist" Machinists (0.90): the thing's word wins the ranker's vote, and O*NET files the people who keep the
        thing running under "X Mechanic" (Bus and Truck Mechanics lists "Locomotive Mechanic", "Transit Mechanic").
        When the pick's titles never name the role word, or its text never says a distinctive word of the title, the
        title read with "mechanic" for the role word is taken if that reading is sure, names a mechanic occupation
        and uses every distinctive word of it. A "CNC Machinist" or "Pharmacy Technician" reads as written.
        """
        if not ms or toks[-1] not in _MECHANIC_OF or len(toks) < 2:
            return ms
        titled, ends = self._head_words()
        pick = ms[0].soc_code
        if (toks[-1] in titled.get(pick, ()) or toks[-1] in ends.get(pick, ())) and not self.misses_a_word(title, pick):
            return ms
        variant = " ".join([*toks[:-1], "mechanic"])
        alt = self._resolve_words(variant, k)
        if (not alt or alt[0].soc_code == pick or alt[0].score < TARGET_SURE or self.misses_a_word(variant, alt[0].soc_code)
                or "mechanic" not in titled.get(alt[0].soc_code, set()) | ends.get(alt[0].soc_code, set())):
            return ms
        return [alt[0], *(m for m in ms if m.soc_code != alt[0].soc_code)]

    def _supervisors(self) -> dict[str, list[str]]:
        """SOC major group -> its first-line supervisor occupations (O*NET titles "First-Line Supervisors of ...")."""
        got = self.__dict__.get("_sup_by_group")
        if got is None:
            got = {}
            for code, name in zip(self.codes, self.titles, strict=True):
                if name.startswith("First-Line Supervisors"):
                    got.setdefault(code[:2], []).append(code)
            self.__dict__["_sup_by_group"] = got
        return got

    def _supervisor_of_field(self, toks: list[str], ms: list[TitleMatch]) -> list[TitleMatch]:
        """A supervisor's title read as the first-line supervisors of the field its other words name.

        "Front Desk Supervisor" and "Emergency Communications Supervisor" were First-Line Supervisors of Production
        and Operating Workers (0.39, 0.28): "supervisor" alone is most often theirs, and their O*NET text never says
        "front desk" or "emergency". When the pick is a first-line supervisor occupation whose text misses a
        distinctive word of the title's other words, and those words alone read as an occupation of another SOC major
        group (hotel desk clerks, public safety telecommunicators: 43), the person supervises that field: the
        group's supervisor occupation nearest that occupation in O*NET wording (First-Line Supervisors of Office and
        Administrative Support Workers). A title whose pick says its words stays ("Production Supervisor", "Shipping
        Supervisor").
        """
        pick = ms[0].soc_code
        groups = self._supervisors()
        if pick not in groups.get(pick[:2], ()):
            return ms
        field = " ".join(toks[:-1])
        if not self.misses_a_word(field, pick):
            return ms
        of = self.normalize([field], k=1)[0]
        if not of or of[0].soc_code[:2] == pick[:2] or not groups.get(of[0].soc_code[:2]):
            return ms
        best = max(groups[of[0].soc_code[:2]], key=lambda c: self._field_similarity(of[0].soc_code, c))
        idx = self._index_of_code()
        first = TitleMatch(best, self.titles[idx[best]], ms[0].score)
        return [first, *(m for m in ms if m.soc_code != best)]

    def _resolve_words(self, title: str, k: int) -> list[TitleMatch]:
        """The ranker's candidates for a title read whole, reordered by the words of the title they use."""
        ms = self.normalize([title], k=max(k, TARGET_CANDIDATES), ties=True)[0]
        toks = clean_title(title).split() if isinstance(title, str) else []
        if sense_of(title, " ".join(toks)) is not None:
            return ms[:k]  # a curated sense of the whole title stands
        missing: dict[str, bool] = {}  # per match: whether its O*NET text misses a distinctive word of the title
        if len(ms) > 1:
            idx = self._index_of_code()
            # the title's words the occupation uses anywhere, weighed by their rarity: an occupation that never
            # says "legal" is no legal operations role, however well "operations specialist" matches its titles
            rarity = self._word_rarity(toks)
            total = sum(rarity.values())
            if total > 0:
                used = {m.soc_code: sum(r for w, r in rarity.items() if _uses_word(self.occ_words[idx[m.soc_code]], w))
                        / total for m in ms}
                # hand-labelled real titles outrank O*NET's wording: the postings titled exactly so were labelled
                # this occupation (Software Developers' O*NET text never says "back end"; "Backend Engineer"
                # postings are software developers)
                key = self.prior_keys([title])[0]
                seen = (self.model.get("prior") or {}).get(key[0], {}) if key else {}
                n_seen = sum(seen.values())
                for code, n in seen.items():
                    if code in used and n_seen >= 2 and n >= 2 * n_seen / 3:
                        used[code] = 1.0
                damped = self._narrower_specialties(ms, toks)
                ms = sorted(ms, key=lambda m: -m.score * ((TARGET_WORDS_FLOOR + used[m.soc_code])
                                                          / (1.0 + TARGET_WORDS_FLOOR)) ** TARGET_WORDS_POWER
                            * (TARGET_SPECIALTY_FACTOR if m.soc_code in damped else 1.0))
                missing = {c: u < 1.0 for c, u in used.items()}
                # the word order is a soft factor: a sure match does not give way to one it outscores many times over
                # when what the other has and it lacks are only words of the other's tools ("Agile Project Manager":
                # Project Management Specialists at 0.91 fell below Architectural and Engineering Managers at 0.14,
                # whose "Agile PLM" software says "agile"); a word of the other's own text keeps its say ("Fleet
                # Operations Manager" is a transportation manager, whose tasks say "fleet", not General and
                # Operations Managers at 0.87)
                best = max(ms, key=lambda m: m.score)
                if best.score >= TARGET_SURE and ms[0] is not best and ms[0].score * TARGET_SURE_RATIO < best.score:
                    first, other = self.occ_words[idx[ms[0].soc_code]], self.occ_words[idx[best.soc_code]]
                    edge = {w for w, r in rarity.items() if r > 0 and _uses_word(first, w) and not _uses_word(other, w)}
                    if edge and edge <= self.occ_lent[idx[ms[0].soc_code]]:
                        ms = [best, *(m for m in ms if m is not best)]
            ms = self._commoner_of_near_tie(ms, idx, set(self.exact.get(" ".join(toks), ())))
            # an occupation with no civilian employment (military) only for a title that is its own
            own = set(self.exact.get(" ".join(toks), ()))
            ms = sorted(ms, key=lambda m: self.log_emp[idx[m.soc_code]] <= 0 and idx[m.soc_code] not in own)
        if len(ms) < 2 or not toks or toks[-1] not in self.heads:
            return ms[:k]
        titled, ends = self._head_words()
        head = toks[-1]
        # the words of the title an occupation's text uses reorder the candidates, but they do not hand the role to
        # an occupation none of whose titles name the role word over one whose titles do and that the ranker scored
        # higher: "Aesthetic Nurse" is a registered nurse (0.90) whose O*NET text never says "aesthetic", not a
        # skincare specialist (0.22); "RPA Developer" a software developer (0.93), not a camera operator (0.01)
        # whose tools say "RPA". Only for a role word that names a trade or profession: a supervisor, coordinator or
        # specialist of something is what that something is ("Sterile Processing Supervisor": medical equipment
        # preparers, not production supervisors)
        if head not in _GENERIC_HEADS and not (head in titled.get(ms[0].soc_code, ())
                                               or head in ends.get(ms[0].soc_code, ())):
            owner = next((m for m in ms[1:] if m.score > ms[0].score
                          and (head in titled.get(m.soc_code, ()) or head in ends.get(m.soc_code, ()))), None)
            if owner is not None:
                ms = [owner, *(m for m in ms if m is not owner)]
        if ms[0].score >= TARGET_SURE:
            return ms[:k]
        # a first match that uses every distinctive word of the title does not give way to one that misses one (a
        # "Contracting Officer" is a purchasing role, not a police officer, whose text never says "contract")
        keep = not missing.get(ms[0].soc_code, True)
        # the role word in the occupation's own title first ("Policy Analyst" is listed as an alternate title of
        # insurance policy clerks, but Political Scientists and policy analysts are analysts), then in any of its
        # alternate titles
        for heads_of in (titled, ends):
            if head in heads_of.get(ms[0].soc_code, ()):
                return ms[:k]
            for j, m in enumerate(ms[1:], 1):
                if keep and missing.get(m.soc_code, False):
                    continue
                if m.score >= TARGET_HEAD_RATIO * ms[0].score and head in heads_of.get(m.soc_code, ()):
                    return [m, *ms[:j], *ms[j + 1:]][:k]
        return ms[:k]

    def _manager_of_field(self, title: str, head: str, ms: list[TitleMatch]) -> list[TitleMatch]:
        """A manager's title read as the management occupation of the field its other words name.

        "Radiology Manager" matched Radiologic Technologists (0.81) on "radiology", though no title of theirs names a
        manager; "Surgical Services Manager" matched Surgical Assistants. When the pick is no management occupation
        (SOC 11) and none of its titles ends in the title's role word, the person means a manager of that field: the
        management occupation among the ranker's first TARGET_MANAGER_CANDIDATES whose O*NET wording is nearest the
        pick's (rare words weigh more, :meth:`_field_similarity`), times its ranker score to a small power
        (TARGET_MANAGER_SCORE_POWER: the ranker's score says little across fields; "Sterile Processing Manager" gave
        Computer and Information Systems Managers 0.16 on "processing") -- Medical and Health Services Managers for
        all three, not Managers, All Other, which the ranker scored higher.
        """
        pick = ms[0].soc_code
        titled, ends = self._head_words()
        if pick.startswith("11-") or head in titled.get(pick, ()) or head in ends.get(pick, ()):
            return ms
        wide = self.normalize([title], k=TARGET_MANAGER_CANDIDATES, ties=True)[0]
        managers = [m for m in wide if m.soc_code.startswith("11-")]
        if not managers:
            return ms
        near = {m.soc_code: self._field_similarity(pick, m.soc_code) for m in managers}
        best = max(managers, key=lambda m: m.score ** TARGET_MANAGER_SCORE_POWER * near[m.soc_code])
        if near[best.soc_code] <= 0:
            return ms
        return [best, *(m for m in ms if m.soc_code != best.soc_code)]

    def _field_similarity(self, a: str, b: str) -> float:
        """Cosine of two occupations' O*NET words, each weighed by its rarity over occupations (log N/df)."""
        weights = self.__dict__.get("_word_idf")
        if weights is None:  # squared rarity weights of every O*NET word, and each occupation's norm, built once
            df: dict[str, int] = {}
            for ws in self.occ_words:
                for w in ws:
                    df[w] = df.get(w, 0) + 1
            n = len(self.occ_words)
            weights = {w: math.log(n / c) ** 2 for w, c in df.items()}
            self.__dict__["_word_norm"] = [math.sqrt(sum(weights[w] for w in ws)) for ws in self.occ_words]
            weights = self.__dict__.setdefault("_word_idf", weights)
        norms = self.__dict__["_word_norm"]
        idx = self._index_of_code()
        if a not in idx or b not in idx:
            return 0.0
        ia, ib = idx[a], idx[b]
        den = norms[ia] * norms[ib]
        return sum(weights[w] for w in self.occ_words[ia] & self.occ_words[ib]) / den if den > 0 else 0.0

    def misses_a_word(self, title: str, soc_code: str) -> bool:
        """Whether an occupation's O*NET text never uses a distinctive word of the title.

        "Solo" of "Solo Practitioner" for Nurse Practitioners: the words :meth:`resolve_target` weighs, at the same
        rarity floor.
        """
        idx = self._index_of_code().get(soc_code)
        if idx is None or not isinstance(title, str):
            return False
        return any(r > 0 and not _uses_word(self.occ_words[idx], w)
                   for w, r in self._word_rarity(clean_title(title).split()).items())

    def _word_rarity(self, toks: list[str]) -> dict[str, float]:
        """A cleaned title's content words, each with its rarity past TARGET_WORDS_IDF_FLOOR (0 for a common word).

        Abbreviations are expanded ("Sr. RN").
        """
        return {w: max(0.0, self.word_idf.get(w, math.log(len(self.codes))) - TARGET_WORDS_IDF_FLOOR)
                for w in _content_words(" ".join(toks))}

    def _head_words(self) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """(SOC -> head words of its O*NET title, SOC -> last words of its indexed titles), built once."""
        titled = self.__dict__.get("_title_heads")
        if titled is None:
            titled = self.__dict__.setdefault("_title_heads", {c: _occ_heads(t) for c, t in zip(self.codes, self.titles,
                                                                                             strict=True)})
        ends = self.__dict__.get("_alias_heads")
        if ends is None:
            ends = {}
            for text, occ in zip(self.alias_text, self.alias_soc.tolist(), strict=True):
                ends.setdefault(self.codes[occ], set()).add(text.rsplit(" ", 1)[-1])
            self.__dict__["_alias_heads"] = ends
        return titled, ends

    def _narrower_specialties(self, ms: list[TitleMatch], toks: list[str]) -> set[str]:
        """Candidates that are an O*NET specialty the typed title does not name.

        A specialty (a code past .00: Wind Energy Development Managers, Climate Change Policy Analysts) is a narrower
        kind of its occupation. When O*NET gives the typed title to a broad (.00, not "All Other") occupation as well
        whose own title names the title's role word ("Business Development Manager" is an alternate title of Sales
        Managers and Marketing Managers too) and the title says none of the words that make the specialty's own title
        narrower ("wind", "energy"), the person means the broad occupation. A title that does say them keeps the
        specialty; where no broad occupation's own title names the role ("Cloud Engineer": Computer Programmers,
        Computer Network Support Specialists) the specialty keeps its place.
        """
        own = [self.codes[i] for i in self.exact.get(" ".join(toks), ())]
        broad = [c for c in own if c.endswith(".00") and not _CATCH_ALL.search(self.titles[self.codes.index(c)])]
        if not any(toks[-1] in _occ_heads(self.titles[self.codes.index(c)]) for c in broad):
            return set()
        said = _content_words(" ".join(toks))
        return {m.soc_code for m in ms if not m.soc_code.endswith(".00") and _content_words(m.title) - said
                and not (_content_words(m.title) - said) <= _GENERIC_TITLE_WORDS}

    def _commoner_of_near_tie(self, ms: list[TitleMatch], idx: dict[str, int], own: set[int]) -> list[TitleMatch]:
        """Candidates within TARGET_NEAR_TIE of the best one, the far more common occupation first.

        A one-word title O*NET gives to many occupations ("Mechanic") scores them nearly alike; the person most likely
        means the kind of the role most people do (industrial machinery or automotive mechanics, not farm equipment
        mechanics, a twentieth of them). Only among occupations O*NET gives the title to (``own``, indices), the first
        among them, and only when employment differs by TARGET_NEAR_TIE_EMP (log scale, a factor of about 4.5) or
        more. A title of common words only ("Service Technician") is read so too (it was skipped with the word order,
        and went to Medical Equipment Repairers, not automotive service technicians); one O*NET gives to
        TARGET_MANY_OWNERS occupations or more counts candidates within TARGET_NEAR_TIE_MANY as near-tied.
        """
        if len(ms) < 2:
            return ms
        top = ms[0].score
        tie = TARGET_NEAR_TIE_MANY if len(own) >= TARGET_MANY_OWNERS else TARGET_NEAR_TIE
        near = [m for m in ms if m.score >= tie * top and idx[m.soc_code] in own]
        if len(near) < 2 or idx[ms[0].soc_code] not in own:
            return ms
        best = max(near, key=lambda m: self.log_emp[idx[m.soc_code]])
        if self.log_emp[idx[best.soc_code]] - self.log_emp[idx[ms[0].soc_code]] < TARGET_NEAR_TIE_EMP:
            return ms
        return [best, *(m for m in ms if m is not best)]

    def candidate_features(self, titles: list[str]) -> list[tuple[list[str], np.ndarray]]:
        """Candidate codes and feature rows of each title's first role (used to fit the ranker)."""
        cleaned = []
        for t in titles:
            roles = self._roles(t)
            cleaned.append(roles[0] if roles else "")
        QI, OC, F = self._features(cleaned)
        bounds = np.searchsorted(QI, np.arange(len(cleaned) + 1))
        return [([self.codes[o] for o in OC[bounds[i]:bounds[i + 1]]], F[bounds[i]:bounds[i + 1]])
                for i in range(len(cleaned))]

    # ---------------------------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        """Pickle the built index to ``path`` (a header with the format, then the state)."""
        self._materialize()
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        tmp = path.with_suffix(path.suffix + ".tmp")
        with tmp.open("wb") as f:
            pickle.dump({"version": _FORMAT_VERSION}, f, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> TitleNormalizer:
        """Load an index written by ``save`` (raises ValueError on a format mismatch).

        The file is read now and its index state (~50 MB of arrays, ~0.2 s to unpickle) on first use: ``careeros
        plan`` loads the normaliser for a resume most profiles do not have.
        """
        data = Path(path).read_bytes()
        head = io.BytesIO(data)
        try:
            obj = pickle.load(head)  # noqa: S301 - our own cache file
        except Exception as exc:  # noqa: BLE001 - a truncated or foreign file
            raise ValueError(f"{path}: not a title index ({exc})") from exc
        if not isinstance(obj, dict) or obj.get("version") != _FORMAT_VERSION or head.tell() >= len(data):
            raise ValueError(f"{path}: not a title index of format {_FORMAT_VERSION}")
        self = cls.__new__(cls)
        self.__dict__["_pending"] = memoryview(data)[head.tell():]
        return self
