"""Gap analysis: a target role's required skills against the skills a person has evidenced.

required value of skill s for role r  = edge weight w(r, s) (importance, 0-1) x market value mv(s, r)
                                         x learnability l(s)
                                         (``market_value`` table when present, else a neutral 0.5;
                                         l = how much a plan can close the gap by deliberate work: 1.0 for
                                         technologies, less for broad knowledge areas, 0.15 for O*NET
                                         foundational skills such as Reading Comprehension or Speaking,
                                         which professionals evidence through their work, not a study task)
evidenced strength of s               = max over evidence rows of confidence x recency
                                         (recency = 0.5 ** (age_days / half_life_days); undated rows count 1)
gap size                              = required value x (1 - evidenced strength)

Gaps are returned largest first, each with a reason. Pure functions over Polars frames; the caller opens the
warehouse (see :func:`role_requirements`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field

NEUTRAL_MARKET_VALUE = 0.5
#: (skill id prefix, learnability); first match wins, default 0.8.
LEARNABILITY: tuple[tuple[str, float], ...] = (
    ("tech:", 1.0),
    ("onet:2.B.3", 0.8),   # technical skills: programming, technology design, quality control analysis ...
    ("onet:2.C", 0.5),     # knowledge areas: broad (Mathematics, English Language, Computers and Electronics)
    ("onet:2.", 0.15),     # basic, social, complex-problem-solving, systems and resource-management skills
    ("tool:", 0.5),
    ("esco:", 0.8),
)


def learnability(skill_id: str) -> float:
    """How far deliberate study and projects can close a gap in this skill (see the module docstring)."""
    for prefix, value in LEARNABILITY:
        if skill_id.startswith(prefix):
            return value
    return 0.8
HALF_LIFE_DAYS = 365.0


class Gap(BaseModel):
    """One missing or weak skill for a target role."""

    skill_id: str
    label: str
    kind: str
    required: float = Field(ge=0, description="edge weight x market value x learnability")
    weight: float = Field(ge=0, le=1, description="occupation->skill edge weight (importance)")
    market_value: float = Field(ge=0, le=1)
    evidenced: float = Field(ge=0, le=1, description="best confidence x recency among evidence")
    size: float = Field(ge=0, description="required x (1 - evidenced)")
    status: Literal["missing", "weak", "stale"]
    reason: str


class GapReport(BaseModel):
    """All gaps for one target role, largest first, with the coverage already achieved."""

    soc_code: str
    title: str | None = None
    gaps: list[Gap]
    coverage: float = Field(ge=0, le=1, description="share of required value already evidenced")
    market_value_source: Literal["market_value", "neutral"]


def evidence_frame(skills: Any, labels: dict[str, str] | None = None) -> pl.DataFrame:
    """Normalise evidence input to a frame (skill_id, confidence, last_seen).

    Accepts a Polars frame with ``skill_id`` (``confidence`` and ``last_seen`` optional) or a plain list of
    skill ids / labels (profile-only use: confidence 1, undated). Labels resolve through ``labels``
    (lower-cased label -> skill_id).
    """
    if isinstance(skills, pl.DataFrame):
        df = skills
        if "confidence" not in df.columns:
            df = df.with_columns(pl.lit(1.0).alias("confidence"))
        if "last_seen" not in df.columns:
            df = df.with_columns(pl.lit(None, pl.Date).alias("last_seen"))
        return df.select("skill_id", pl.col("confidence").cast(pl.Float64), "last_seen")
    lab = labels or {}
    ids = []
    for s in skills or []:
        s = str(s).strip()
        ids.append(s if ":" in s else lab.get(s.lower(), s))
    return pl.DataFrame({"skill_id": ids, "confidence": [1.0] * len(ids),
                         "last_seen": [None] * len(ids)}, schema={"skill_id": pl.String, "confidence": pl.Float64,
                                                                  "last_seen": pl.Date})


def evidenced_strength(evidence: pl.DataFrame, as_of: date | None = None,
                       half_life_days: float = HALF_LIFE_DAYS) -> pl.DataFrame:
    """Per skill: max(confidence x recency), recency halving every ``half_life_days`` (undated: 1)."""
    today = as_of or date.today()
    if evidence.height == 0:
        return pl.DataFrame(schema={"skill_id": pl.String, "evidenced": pl.Float64, "age_days": pl.Float64})
    ls = pl.col("last_seen")
    if evidence.schema["last_seen"] == pl.Datetime or isinstance(evidence.schema["last_seen"], pl.Datetime):
        ls = ls.dt.date()
    elif evidence.schema["last_seen"] == pl.String:
        ls = ls.str.to_date(strict=False)
    age = (pl.lit(today) - ls).dt.total_days().cast(pl.Float64).clip(lower_bound=0)
    return (evidence.with_columns(age.alias("age_days"))
            .with_columns((pl.col("confidence").clip(0, 1)
                           * pl.when(pl.col("age_days").is_null()).then(1.0)
                           .otherwise(0.5 ** (pl.col("age_days") / half_life_days))).alias("evidenced"))
            .group_by("skill_id").agg(pl.col("evidenced").max(), pl.col("age_days").min()))


def compute_gaps(
    soc_code: str,
    requirements: pl.DataFrame,
    evidence: Any,
    market_value: pl.DataFrame | None = None,
    as_of: date | datetime | None = None,
    labels: dict[str, str] | None = None,
    title: str | None = None,
    min_size: float = 0.0,
    weak_below: float = 0.6,
    half_life_days: float = HALF_LIFE_DAYS,
) -> GapReport:
    """Gaps of a role: ``requirements`` has skill_id, label, kind, weight for the role's edges.

    ``market_value`` (skill_id, market_value[, soc_code]) is optional; missing values are neutral (0.5).
    ``evidence`` is a frame (skill_id, confidence, last_seen) or a list of skill ids/labels.
    """
    if isinstance(as_of, datetime):
        as_of = as_of.date()
    ev = evidenced_strength(evidence_frame(evidence, labels), as_of, half_life_days)
    req = requirements.select("skill_id", "label", "kind", pl.col("weight").cast(pl.Float64)).unique(
        "skill_id", keep="first", maintain_order=True)
    mv_source: Literal["market_value", "neutral"] = "neutral"
    if market_value is not None and market_value.height:
        mv = market_value
        if "soc_code" in mv.columns:
            mv = mv.filter(pl.col("soc_code") == soc_code)
        mv = mv.group_by("skill_id").agg(pl.col("market_value").max())
        if mv.height:
            mv_source = "market_value"
        req = req.join(mv, on="skill_id", how="left")
    else:
        req = req.with_columns(pl.lit(None, pl.Float64).alias("market_value"))
    req = (req.with_columns(pl.col("market_value").fill_null(NEUTRAL_MARKET_VALUE).clip(0, 1))
           .join(ev, on="skill_id", how="left")
           .with_columns(pl.col("evidenced").fill_null(0.0).clip(0, 1))
           .with_columns(pl.col("skill_id").map_elements(learnability, return_dtype=pl.Float64).alias("learn"))
           .with_columns((pl.col("weight").clip(0, 1) * pl.col("market_value") * pl.col("learn")).alias("required"))
           .with_columns((pl.col("required") * (1 - pl.col("evidenced"))).alias("size")))
    total = float(req["required"].sum() or 0.0)
    covered = float((req["required"] * req["evidenced"]).sum() or 0.0)
    gaps: list[Gap] = []
    status: Literal["missing", "weak", "stale"]
    for r in req.sort(["size", "skill_id"], descending=[True, False]).iter_rows(named=True):
        if r["size"] <= min_size or r["evidenced"] >= 1.0:
            continue
        if r["evidenced"] == 0:
            status, why = "missing", "no evidence yet"
        elif r["age_days"] is not None and r["age_days"] > half_life_days:
            status, why = "stale", f"last evidenced {int(r['age_days'])} days ago"
        elif r["evidenced"] < weak_below:
            status, why = "weak", f"evidence strength {r['evidenced']:.2f} (low confidence)"
        else:
            status, why = "weak", f"evidence strength {r['evidenced']:.2f}"
        mv_txt = "neutral market value" if mv_source == "neutral" else f"market value {r['market_value']:.2f}"
        gaps.append(Gap(
            skill_id=r["skill_id"], label=r["label"], kind=r["kind"], required=round(r["required"], 4),
            weight=round(min(max(r["weight"], 0.0), 1.0), 4), market_value=round(r["market_value"], 4),
            evidenced=round(r["evidenced"], 4), size=round(r["size"], 4), status=status,
            reason=f"{why}; importance {r['weight']:.2f}, {mv_txt}, learnability {r['learn']:.2f}"))
    return GapReport(soc_code=soc_code, title=title, gaps=gaps,
                     coverage=round(covered / total, 4) if total > 0 else 1.0, market_value_source=mv_source)


def role_requirements(con: Any, soc_code: str, min_weight: float = 0.0,
                      relations: tuple[str, ...] = ("onet_rating", "onet_rating_imputed", "onet_technology",
                                                    "esco_essential")) -> pl.DataFrame:
    """A role's required skills (skill_id, label, kind, weight, relation) from the warehouse graph."""
    marks = ", ".join("?" for _ in relations)
    return con.sql(
        f"SELECT e.skill_id, s.label, s.kind, e.weight, e.relation FROM graph_occupation_skill e "
        f"JOIN graph_skill s USING (skill_id) WHERE e.soc_code = ? AND e.relation IN ({marks}) "
        f"AND e.weight >= ? ORDER BY e.weight DESC, s.label", params=[soc_code, *relations, min_weight]).pl()


def market_values(con: Any, soc_code: str) -> pl.DataFrame | None:
    """The role's market values when the ``market_value`` table exists and has rows, else None."""
    from careeros.warehouse.db import table_exists

    if not table_exists(con, "market_value"):
        return None
    df = con.sql("SELECT skill_id, soc_code, market_value FROM market_value WHERE soc_code = ?",
                 params=[soc_code]).pl()
    return df if df.height else None


def label_index(con: Any) -> dict[str, str]:
    """Lower-cased skill label -> skill id (technology labels win over ESCO on a clash)."""
    df = con.sql("SELECT skill_id, label, kind FROM graph_skill ORDER BY CASE kind WHEN 'technology' THEN 0 "
                 "WHEN 'skill' THEN 1 WHEN 'knowledge' THEN 2 ELSE 3 END DESC").pl()
    return {lab.lower(): sid for sid, lab in zip(df["skill_id"].to_list(), df["label"].to_list(), strict=True)}


# ------------------------------------------------------------------ gaps against a requirement profile

#: evidence at or above this strength closes a requirement for the gap list (coverage still counts the rest)
COVERED_AT = 0.65
#: evidence that is the current occupation's core, not the person's own (see careeros.planner.person): a tool the
#: occupation uses is assumed, not shown (O*NET's knowledge ratings of it describe the work itself and stay shown)
OCCUPATION_SOURCES = ("core of your current occupation",)
#: a partly shown skill is still most of a gap: a skill shown at half strength keeps 0.59 of its size, not 0.5 (what
#: a coach names for a move is rarely closed by a passing mention, an implied tool or one's current occupation);
#: chosen on the development persona splits (0.6-0.8 gave the same gains, 1.5 and above lost)
WEAK_GAP_POWER = 0.75
#: requirements outside the core set are still listed as (smaller) gaps from this weight on
MIN_LISTED_WEIGHT = 0.1
#: knowledge areas and O*NET technical skills are closed by work over time more than by a study task
ELEMENT_LEARNABILITY = 0.6
#: a requirement outside the role's core (a tool only O*NET's long example list names, a filler) is listed as a
#: gap at this share of its size: what the role is about comes first
NON_CORE_FACTOR = 0.6


class RoleGap(Gap):
    """A gap of one target role against its requirement profile (a :class:`Gap` with its context)."""

    key: str = ""
    soc_code: str = ""
    role_title: str | None = None
    onet_title: str | None = None
    postings: int = 0
    soc_postings: int = 0
    members: list[str] = Field(default_factory=list)
    considered: list[str] = Field(default_factory=list, description="the evidence that was weighed")
    core: bool = Field(default=True, description="whether the requirement is in the role's core set")


class RoleGapReport(GapReport):
    """A :class:`GapReport` whose gaps are :class:`RoleGap` and whose coverage is against the core set."""

    gaps: list[RoleGap]  # type: ignore[assignment]
    role_title: str | None = None
    total_required: float = 0.0
    core_size: int = 0
    covered: list[str] = Field(default_factory=list, description="core requirements already evidenced")
    covered_ids: list[str] = Field(default_factory=list, description="their skill ids, in the same order")
    covered_assumed: list[str] = Field(default_factory=list, description="the covered skill ids only the person's "
                                                                          "current occupation vouches for")


def _element_or_tool(kind: str, skill_id: str) -> float:
    return ELEMENT_LEARNABILITY if skill_id.startswith("onet:") else 1.0


#: a trailing activity word an example may carry that the person's own words leave out ("vital signs monitoring")
_ACTIVITY_TAIL = re.compile(r"\s+(?:monitoring|procedures|techniques|skills|tracking|checks|systems?)$")
#: a company word after a product's name ("Epic Systems", "Tyler Technologies")
_VENDOR_TAIL = re.compile(r"\s+(?:systems|software|technologies|corporation|corp|inc|solutions|labs)$")
#: a suite vendor's name before its product ("Microsoft Excel" is called Excel)
_VENDOR_HEAD = re.compile(r"^(?:microsoft|adobe|google|autodesk|oracle|intuit|apple|ibm)\s+(?=\S)")
#: words that carry no content in a skill phrase (compared without them)
MINOR_WORDS = frozenset({"and", "or", "of", "the", "for", "in", "to", "with", "on", "a", "an", "as", "at", "by"})
_EXAMPLES = re.compile(r"^(?P<base>.+?) \((?P<ex>(?!or )[^()]+)\)$")
#: the parts of an example that names two things ("calipers and micrometers", "LAN/WAN")
_EXAMPLE_PARTS = re.compile(r"\s+(?:and|&)\s+|\s*/\s*", re.IGNORECASE)
#: a credential's code: letters with a + or digits ("security+", "a+", "az-104"); a bare word ("aws" in "AWS
#: Lambda", "power" in "Power BI") is not one
_CREDENTIAL_CODE = re.compile(r"[a-z][a-z0-9-]*[+#0-9][a-z0-9+#-]*")
#: how a credential's name is often written out ("OSHA 10-hour", "BLS certification", "CDL license")
_CREDENTIAL_TAIL = re.compile(r"[-\s]+(?:hours?|hr|certification|certified|certificate|card|license|licence)$",
                              re.IGNORECASE)


def split_examples(label: str) -> tuple[str, list[str]]:
    """A label and the examples in its brackets: "X (A, B)" -> ("X", ["A", "B"]).

    A tool family ("X (or Y, Z)") or a label without brackets gives (label, []).
    """
    m = _EXAMPLES.match(label)
    ex = [e.strip() for e in m["ex"].split(",") if e.strip()] if m else []
    return (m["base"], ex) if m and ex else (label, [])


#: first words of examples that name a document or a rule, not a product ("Form I-9", "Section 504")
_NOT_PRODUCT_WORDS = frozenset({"form", "section", "rule", "standard", "part", "title", "chapter", "schedule"})


def product_name(name: str) -> bool:
    """Whether an example reads like a product one can install ("Adobe Captivate", "Tableau").

    Not a practice ("cold calling"), a standard's acronym ("AICC", "cmi5", "PLCs") or a name that ends in a common
    noun ("MOON notice", "Medicare observation status", "Boolean search", "PI planning"): products name every word
    ("Power BI", "Microsoft Project").
    """
    words = name.split()
    if not words or not words[0][:1].isupper() or words[0].lower() in _NOT_PRODUCT_WORDS:
        return False
    if len(words) > 1 and words[-1].isalpha() and words[-1].islower():
        return False
    acronym = len(words) == 1 and (name.rstrip("s").isupper() or len(name) <= 3)  # "AICC", "PLCs", "SQL"
    return not acronym


def narrower_form(label: str, of: str) -> bool:
    """Whether requirement ``label`` is a narrower form of ``of`` by name, or ``of`` of it.

    "Construction contract administration (AIA/FIDIC)" and "Contract administration (change orders, ...)": one name
    holds the other whole. "Project management" and "Program management" are two things.
    """
    a, b = (f" {plain_words(x.split(' (')[0])} " for x in (label, of))
    return a.strip() != "" and b.strip() != "" and a != b and (a in b or b in a)


def brief_label(label: str, n: int = 2) -> str:
    """A gap's label with at most ``n`` of its examples, for a sentence.

    "learn Contract administration (change orders, contract compliance)": the gap list keeps all of them. Tool
    families ("X (or Y, Z)") are left alone.
    """
    base, ex = split_examples(label)
    return label if len(ex) <= n else f"{base} ({', '.join(ex[:n])})"


#: an example of at most this many words that names a tool (or a skill of two words or more) the person shows is
#: shown (see :func:`without_known_examples`)
CONTAINED_MAX_WORDS = 5
_STEM_END = re.compile(r"(?<=[a-z]{3})(?:ing|ies|es|ed|s)$")
#: two or three words of an example named within this many words of each other in the person's own text show it
NEARBY_WORDS = 5


def _stem(word: str) -> str:
    return _STEM_END.sub("", word)[:5] if len(word) >= 4 else word


def own_text_stems(text: str) -> list[str]:
    """The person's own text as a list of loose word stems ("defended 30 depositions": defen, 30, depos)."""
    return [_stem(w) for w in re.findall(r"[a-z0-9+#]+", text.lower())]


def named_nearby(example: str, stems: list[str], window: int = NEARBY_WORDS) -> bool:
    """Whether the two or three content words of ``example`` occur within ``window`` words of each other in ``stems``.

    ``stems``: see :func:`own_text_stems`; any order and form: "defending depositions" in "took and defended 30
    depositions", "mentoring engineers" in "Mentoring: onboarded 5 engineers".
    """
    words = [_stem(w) for w in re.findall(r"[a-z0-9+#]+", example.lower()) if w not in MINOR_WORDS]
    if not 2 <= len(words) <= 3 or any(len(w) < 3 for w in words):
        return False
    first, rest = words[0], set(words[1:])
    for i, w in enumerate(stems):
        if w == first and rest <= set(stems[max(0, i - window):i + window + 1]):
            return True
    return False


#: a line of the person's own text that lists things (a resume's skills line) holds at least this many items
LIST_MIN_ITEMS = 3
#: ... each of at most this many words
LIST_ITEM_MAX_WORDS = 4
_LIST_SPLIT = re.compile(r"\s*[,;|\u2022\u00b7]\s*")
_LIST_LEAD = re.compile(r"^\s*(?:[-*\u2022]\s*)?(?:[A-Za-z][\w /&-]{0,30}:\s*)?")
_ITEM_PARENS = re.compile(r"\s*\(([^()]*)\)")


def listed_terms(text: str) -> frozenset[str]:
    """What the person lists outright in their own text, lower case.

    The items of lines that list things ("Skills: Food safety, ServSafe, staff training, catering"), of one to four
    words; an item's bracketed short form counts too ("National Electrical Code (NEC)": both).

    A sentence with a comma or two is no list (at least LIST_MIN_ITEMS items); a long item is a phrase, not a name.
    """
    out: set[str] = set()
    for line in text.splitlines():
        items = [x.strip(" .-*") for x in _LIST_SPLIT.split(_LIST_LEAD.sub("", line, count=1))]
        items = [x for x in items if x]
        if len(items) < LIST_MIN_ITEMS:
            continue
        for item in items:
            for name in (_ITEM_PARENS.sub("", item), *_ITEM_PARENS.findall(item)):
                words = name.lower().split()
                if 1 <= len(words) <= LIST_ITEM_MAX_WORDS and len(name) >= 3 and re.search(r"[a-z]", name, re.I):
                    out.add(" ".join(words))
    return frozenset(out)


def own_stem_pairs(stems: list[str]) -> frozenset[str]:
    """Two words in a row of the person's own text (stems, no minor words): see :func:`without_known_examples`."""
    return frozenset(f"{a} {b}" for a, b in zip(stems, stems[1:], strict=False)
                     if len(a) >= 3 and len(b) >= 3 and a not in MINOR_WORDS and b not in MINOR_WORDS)


def issuer_and_own_name(example: str, base: str) -> bool:
    """Whether an example is the label's own name under an issuer's acronym: "PTCB CSPT" of "CSPT certification".

    It says nothing the label does not (and reads, to someone who holds another PTCB credential, as if PTCB were the
    gap). Only acronyms count ("PTCB", "CSPT"): "ServiceNow CSA" and "EPA 608 Universal" name something more.
    """
    words = example.split()
    own = {w.lower() for w in re.findall(r"[A-Za-z0-9+#]+", base)}
    rest = [w for w in words if w.lower() not in own]
    return len(words) >= 2 and len(rest) == 1 and all(_acronym(w) for w in words)


def _acronym(word: str) -> bool:
    """An all-capital name of 3+ letters ("PTCB", "CSPT")."""
    return len(word) >= 3 and word.isupper() and word.isalpha()


#: words (stems) that say nothing beyond the two words before them in an example: how a skill is used or shown
_PAIR_REST = frozenset(_stem(w) for w in (
    "interpretation reading analysis management certification certificate training skills techniques procedures "
    "practices systems software tools methods principles basics fundamentals documentation review planning "
    "operation operations maintenance setup use handling").split())


def without_known_examples(label: str, known: set[str], tools: set[str] | frozenset[str] = frozenset(),
                           own_stems: list[str] | None = None, listed: frozenset[str] = frozenset(),
                           own_pairs: frozenset[str] | None = None) -> str:
    """A gap's label without the examples the person already shows.

    "Dental office operations (Dentrix, Eaglesoft)" for someone who uses Dentrix every day reads as if Dentrix were
    the gap: it becomes "Dental office operations (Eaglesoft)". ``known`` holds lower-case labels of what the person
    shows; an example counts as shown when it is one of them or (from 4 letters) part of one ("Dentrix" in
    "Henry Schein Dentrix"). An example that is a tool in ``tools`` (lower-case names of the tools the person uses)
    and one more word goes too: "Epic build" is no example of what an Epic super-user lacks. Tool families
    ("X (or Y, Z)") are left alone. ``own_stems`` (the person's own text, :func:`own_text_stems`): an example of
    two or three words all named close together in it is shown too (:func:`named_nearby`), and so is one of three
    words or more holding two words in a row of it ("wiring diagram interpretation" for someone who reads wiring
    diagrams). ``listed`` (:func:`listed_terms` of the person's own text): an example that is, or names inside it, an
    item the person lists is shown ("kinetic typography" for someone who lists typography, "sell-through analysis" for
    someone who lists sell-through).
    """
    base, ex = split_examples(label)
    if not ex or not known:
        return label
    low = label.lower()
    contained = [k for k in (*tools, *(k for k in known if len(k.split()) >= 2 and len(k.split()) <= 4),
                             *listed) if len(k) >= 3 and k in low]
    if own_pairs is None:  # computed once per person by the caller; here when called alone
        own_pairs = own_stem_pairs(own_stems) if own_stems else frozenset()
    every = "\n".join(known)  # a plain substring test before any pattern: most examples are in no label at all
    own_set = frozenset(own_stems or ())

    def adds_nothing(rest: list[str]) -> bool:
        """Whether an example's words beside a pair the person wrote say nothing more (see below)."""
        return all(w in MINOR_WORDS or _stem(w) in own_set or _stem(w) in _PAIR_REST for w in rest)

    def shown(example: str) -> bool:
        e = example.lower()
        if e in known or e in listed:
            return True
        head = _ACTIVITY_TAIL.sub("", e)  # "vital signs monitoring" is shown by "vital signs"
        for x in {e, head}:
            if (len(x) < 3 and not re.search(r"[+#]", x)) or x not in every:  # "A+" and "C#" are names, "R" is not
                continue
            rx = re.compile(rf"(?<![a-z0-9]){re.escape(x)}(?![a-z0-9])")
            if any(rx.search(k) for k in known):
                return True
        # a tool the person uses and one more word ("Epic build"); a longer name is another product of the vendor
        # ("LinkedIn Sales Navigator")
        if any(re.fullmatch(rf"{re.escape(t)}\s+\S+|\S+\s+{re.escape(t)}", e) for t in tools if len(t) >= 3 and t in e):
            return True
        if own_stems and named_nearby(e, own_stems):
            return True
        # a short example naming, inside it, a tool or a skill of two or more words the person shows ("SQL
        # transformation layer" for a SQL user, "chain of custody for samples" for someone who keeps one): it reads
        # as if that were the gap; a tool's name followed by a capitalised name is another product of the vendor
        # ("LinkedIn Sales Navigator")
        product = len(example.split()) > 2 and example.split()[1][:1].isupper()
        if len(e.split()) <= CONTAINED_MAX_WORDS and any(
                k != e and re.search(rf"(?<![a-z0-9]){re.escape(k)}(?![a-z0-9])", e)
                and not (product and k in tools and e.startswith(k + " ")) for k in contained):
            return True
        # a longer example naming, inside it, two words the person shows ("case management" in "nursing case
        # management certification")
        words = re.findall(r"[a-z0-9+#/]+", e)
        if len(words) < 3:
            return False
        plain = re.findall(r"[a-z0-9+#]+", e)
        stems = [_stem(w) for w in plain]
        for j, (a, b) in enumerate(zip(stems, stems[1:], strict=False)):
            # the pair shows it when the example's other words say nothing more ("wiring diagram interpretation"
            # for someone who reads wiring diagrams), not when they name the thing ("machine shop math" for someone
            # who hands parts to the machine shop)
            if f"{a} {b}" in own_pairs and adds_nothing(plain[:j] + plain[j + 2:]):
                return True
        for j, (a, b) in enumerate(zip(words, words[1:], strict=False)):
            pair = f"{a} {b}"
            if len(a) < 3 or len(b) < 3 or a in MINOR_WORDS or b in MINOR_WORDS or pair not in every:
                continue
            if own_set and not adds_nothing(words[:j] + words[j + 2:]):
                continue  # the example's other words name more than the person wrote (see above)
            rx = re.compile(rf"(?<![a-z0-9]){re.escape(pair)}(?![a-z0-9])")
            if any(rx.search(k) for k in known):
                return True
        return False

    def shown_in_parts(e: str) -> bool:
        if shown(e):
            return True
        # "calipers and micrometers" for someone who names both; "OSHA 10-hour" for someone who holds OSHA 10
        parts = [p for p in _EXAMPLE_PARTS.split(e) if p]
        if len(parts) > 1 and all(shown(p) for p in parts):
            return True
        bare = _CREDENTIAL_TAIL.sub("", e)
        if bare != e and len(bare) >= 2 and shown(bare):
            return True
        # a credential under its issuer's name ("CompTIA Security+", "Cisco CCNA") for someone who names it bare
        words = e.lower().split()
        return len(words) == 2 and any(_CREDENTIAL_CODE.fullmatch(w) is not None and shown(w) for w in words)

    keep = [e for e in ex if not shown_in_parts(e) and not issuer_and_own_name(e, base)]
    # a concept's own name may carry examples too: "Spark data processing (PySpark, Spark SQL) (...)"
    inner = (without_known_examples(base, known, tools, own_stems, listed, own_pairs) if _EXAMPLES.match(base)
             else base)
    if len(keep) == len(ex) and inner == base:
        return label
    return f"{inner} ({', '.join(keep)})" if keep else inner


#: a label's lead name of at least this many words, written in the person's own text, shows the requirement
LEAD_MIN_WORDS = 2
_LEAD_SPLIT = re.compile(r",|;| and | & |/")
#: a lead's last word that names the kind of thing that carries a practice, not the practice
_LEAD_HEADS = frozenset({"frameworks", "framework", "systems", "system", "software", "platforms", "tools", "methods",
                         "techniques", "strategies"})


def label_lead(label: str) -> str:
    """The name a requirement's label leads with, in plain words ("" when it is shorter than LEAD_MIN_WORDS).

    "Accounts receivable and credit control (AR aging, DSO)" -> "accounts receivable"; "Visual acuity, pupil and color
    vision testing" -> "visual acuity"; "Tonometry (IOP measurement)" -> "" (one word: a word is no name to find).
    """
    lead = plain_words(_LEAD_SPLIT.split(label.split(" (")[0], maxsplit=1)[0])
    return lead if len(lead.split()) >= LEAD_MIN_WORDS else ""


def writes_lead(label: str, listed_plain: str) -> bool:
    """Whether an item the person lists says the label's lead name whole.

    ``listed_plain``: the person's :func:`listed_terms` in :func:`plain_words`, each padded with spaces, joined by "|".
    A gap list that says "Accounts receivable ... missing" to someone whose skills line says "accounts receivable"
    reads as if the tool had not read the resume: the name they wrote is the requirement's own (what else the label
    bundles, "credit control", is its detail, not what an expert names first). Only what they list: a sentence may
    name the lead as a goal ("Backend Developer moving towards machine learning engineer work").
    """
    lead = label_lead(label)
    if not lead:
        return False
    if f" {lead} " in listed_plain:
        return True
    # the practice the person lists, named with the kind of thing that carries it ("Classroom management
    # frameworks" for someone who lists classroom management)
    words = lead.split()
    return (len(words) > LEAD_MIN_WORDS and words[-1] in _LEAD_HEADS
            and f" {' '.join(words[:-1])} " in listed_plain)


def requirement_gaps(profile: Any, person: Any, role_title: str | None = None,
                     names: dict[str, str] | None = None, own_words: str | None = None) -> RoleGapReport:
    """Gaps of a role's core requirements against the person's skills.

    ``profile`` is a :class:`~careeros.planner.requirements.RequirementProfile`, ``person`` a
    :class:`~careeros.planner.person.PersonSkills`.

    evidenced = best over the requirement's members of strength x the member's share of credit;
    size = weight x learnability x (1 - evidenced) ** WEAK_GAP_POWER; coverage = sum(weight x evidenced) / sum(weight)
    over the core.
    ``own_words`` (the person's resume): examples it names are dropped from a gap's label.
    """
    nm = names or {}
    known = {str(nm.get(sid, sid)).lower() for sid, src in person.skills.items()
             if getattr(src, "strength", 0.0) >= COVERED_AT}
    named = {sid: str(nm.get(sid, sid)).lower() for sid, src in person.skills.items()  # what the person names
             if getattr(src, "strength", 0.0) >= COVERED_AT and str(getattr(src, "source", "")).startswith("named")}
    # the tools, and a one-word skill, which reads like a tool in an example ("kinetic typography" for a
    # typographer, "remote troubleshooting" for a help-desk hand)
    tools = {w for sid, w in named.items() if sid.startswith("tech:") or (len(w) >= 6 and " " not in w)}
    tools |= {_VENDOR_TAIL.sub("", t) for t in tools}  # "Epic Systems" is called Epic
    tools |= {_VENDOR_HEAD.sub("", t) for t in tools}  # "Microsoft Excel": Excel ("advanced Excel" is no new tool)
    own_stems = own_text_stems(own_words) if own_words else None
    listed = listed_terms(own_words) if own_words else frozenset()
    own_pairs = own_stem_pairs(own_stems) if own_stems else frozenset()
    if own_words:  # what the person's own resume names is no example of what they lack ("docketing")
        known.add(" ".join(own_words.lower().split()))
    listed_plain = "|".join(f" {plain_words(t)} " for t in sorted(listed))
    gaps: list[RoleGap] = []
    covered: list[str] = []
    covered_ids: list[str] = []
    covered_assumed: list[str] = []
    total = got = 0.0
    for req in profile.requirements:
        if not req.core and (req.weight < MIN_LISTED_WEIGHT or req.onet_only):
            continue
        best, best_sid = 0.0, None
        for sid, f in req.members.items():
            v = max(person.strength(sid), person.held_as_in_occupation(sid, req.weight)) * f
            if f < 1.0 and req.member_cap is not None:
                v = min(v, req.member_cap)
            if v > best:
                best, best_sid = v, sid
        learn = _element_or_tool(req.kind, req.skill_id)
        required = req.weight * learn * (1.0 if req.core else NON_CORE_FACTOR)
        if best < COVERED_AT and listed_plain and writes_lead(req.label, listed_plain):
            best, best_sid = 1.0, None  # the person lists what the label leads with: shown, and counted so
        if req.core:  # coverage is measured against the core set only
            total += req.weight
            got += req.weight * min(best, 1.0)
        if best >= COVERED_AT:
            if req.core:
                # what the person shows: "Google Sheets" for a spreadsheet family Excel leads, not "Excel"
                ids = list(req.members)
                own = (req.member_labels[ids.index(best_sid)] if best_sid and best_sid != req.skill_id
                       and len(req.member_labels) == len(ids) else req.label)
                covered.append(own)
                covered_ids.append(best_sid if own != req.label and best_sid else req.skill_id)
                src = person.skills.get(best_sid) if best_sid else None
                if src is not None and str(src.source).startswith(OCCUPATION_SOURCES):
                    covered_assumed.append(covered_ids[-1])
            continue
        src = person.skills.get(best_sid) if best_sid else None
        age = src.age_days if src else None
        considered = ([f"{nm.get(best_sid, best_sid)}: {src.source} (strength {src.strength:.2f})"]
                      if src and best_sid else [])
        if best <= 0.05:
            status: Literal["missing", "weak", "stale"] = "missing"
            why = "no evidence yet"
        elif age is not None and age > HALF_LIFE_DAYS * 2:
            status, why = "stale", f"last shown {int(age)} days ago"
        else:
            status, why = "weak", f"partly shown ({considered[0]})" if considered else "partly shown"
        reason = "; ".join([why, *req.reasons])
        gaps.append(RoleGap(
            skill_id=req.skill_id, label=without_known_examples(req.label, known, tools, own_stems, listed, own_pairs),
            kind=req.kind,
            required=round(required, 4),
            weight=round(req.weight, 4), market_value=round(min(1.0, req.posting_share or 0.0), 4),
            evidenced=round(min(best, 1.0), 4), size=round(required * (1 - min(best, 1.0)) ** WEAK_GAP_POWER, 4),
            status=status,
            reason=reason, key=req.key, soc_code=profile.soc_code, role_title=role_title or profile.title,
            onet_title=profile.title, postings=req.postings, soc_postings=req.soc_postings,
            members=list(req.members), considered=considered, core=req.core))
    # equal sizes (many curated concepts share the skill map's weight): what more postings ask for first
    gaps.sort(key=lambda g: (-g.size, -g.market_value, g.label.lower()))
    return RoleGapReport(
        soc_code=profile.soc_code, title=profile.title, role_title=role_title or profile.title, gaps=gaps,
        coverage=round(got / total, 4) if total > 0 else 1.0, market_value_source="market_value",
        total_required=round(total, 4), core_size=len(profile.core), covered=covered, covered_ids=covered_ids,
        covered_assumed=covered_assumed)


#: share of a gap's size in other target roles added to its largest size (see :func:`ranked_gaps`)
SHARED_GAP_BONUS = 0.25


def gap_rank(d: dict[str, Any]) -> tuple[float, float, str]:
    """Sort key of a ranked gap: largest first, then what more postings ask for, then by label."""
    return -float(d["size"]), -float(d["market_value"]), str(d["label"]).lower()


#: a gap whose broader skill is a larger gap of the same plan, and whose name that gap's label shows, counts this
#: much: the broader gap's label names it already ("Analytical chemistry techniques (HPLC, GC-MS ...)"), and the
#: top of the list stays for other items
CHILD_OF_GAP_FACTOR = 0.6
#: ... and one whose name it does not show counts this much (a part of it the list would otherwise not name)
CHILD_UNNAMED_FACTOR = 0.8


def plain_words(text: str) -> str:
    """Lower-case words of a label, one space apart (for whole-word containment)."""
    return " ".join(re.findall(r"[a-z0-9+#]+", text.lower()))


def demote_children_of_gaps(gaps: list[dict[str, Any]], parents: dict[str, dict[str, float]]) -> list[dict[str, Any]]:
    """Ranked gaps with each gap whose broader skill is a larger gap shrunk by CHILD_OF_GAP_FACTOR, re-ranked.

    ``gaps`` are ranked largest first; ``parents`` maps a skill id to its broader skill ids. A child whose parent the
    person shows (no parent gap) stays as it is, and so does one the parent's label does not name: "Health data
    standards (HL7, FHIR)" under "Health informatics (health IT, nursing informatics)" is a gap of its own.
    """
    size_of = {str(g["skill_id"]): float(g["size"]) for g in gaps}
    label_of = {str(g["skill_id"]): f" {plain_words(str(g['label']))} " for g in gaps}
    out = []
    for g in gaps:
        sid, size = str(g["skill_id"]), float(g["size"])
        head, examples = split_examples(str(g["label"]))
        names = [f" {plain_words(x)} " for x in (head, *examples) if plain_words(x)]
        larger = [p for p in parents.get(sid, {}) if size_of.get(p, 0.0) >= size]
        if larger:
            named = any(n in label_of.get(p, "") for p in larger for n in names)
            g = {**g, "size": round(size * (CHILD_OF_GAP_FACTOR if named else CHILD_UNNAMED_FACTOR), 4)}
        out.append(g)
    out.sort(key=gap_rank)
    return out


#: a tool family's label: "PostgreSQL (or MySQL, SQL Server)"
_FAMILY = re.compile(r"^(?P<base>.+?) \(or (?P<ex>[^()]+)\)$")


def label_names(label: str) -> tuple[str, frozenset[str], frozenset[str]]:
    """A gap label's own name, the names it gives itself and every name it shows, in plain words.

    "Cloud computing (Amazon Web Services, Microsoft Azure)" is "cloud computing" and shows that name and both
    examples; "Clinical laboratory information systems (LIS) (Epic Beaker)" calls itself "clinical laboratory
    information systems lis", "clinical laboratory information systems" and "lis"; "PostgreSQL (or MySQL, SQL
    Server)" is "postgresql" and shows the three tools.
    """
    fam = _FAMILY.match(label)
    if fam:
        head, shown = fam["base"], [e.strip() for e in fam["ex"].split(",")]
    else:
        head, shown = split_examples(label)
    own = plain_words(head)
    inner = _EXAMPLES.match(head)
    selves = frozenset(x for x in (own, *((plain_words(inner["base"]), plain_words(inner["ex"])) if inner else ()))
                       if x)
    return own, selves, selves | frozenset(x for x in (plain_words(e) for e in shown) if x)


#: words that make a label a credential, not the skill it is named after ("Google Analytics certification")
_CREDENTIAL_WORDS = frozenset("certification certificate certified credential credentials license licensure licence "
                              "registration registry exam".split())


def _leading_name(own: str, larger: str) -> bool:
    """Whether the plain name ``own`` opens the plain name ``larger`` whole, and ``larger`` names no credential.

    "SQL" opens "SQL querying", "Spark" "Spark data processing", "Coordinate measuring machine" "Coordinate measuring
    machine (CMM) programming": learning the larger is learning the smaller. "Google Analytics" is not shown by
    "Google Analytics certification (GAIQ)".
    """
    return (bool(own) and larger.startswith(own + " ")
            and not _CREDENTIAL_WORDS & set(larger.split()))


def _credential_codes(label: str) -> frozenset[str]:
    """The codes a credential's label gives itself in its first brackets: two naming one code are one credential.

    "Social work licensure (LCSW) (LMSW, ...)" -> LCSW; "Clinical licensure (LCSW, LPC) (...)" -> LCSW, LPC.
    """
    head, _ = split_examples(label)
    inner = _EXAMPLES.match(head)
    if inner is None or not _CREDENTIAL_WORDS & set(plain_words(inner["base"]).split()):
        return frozenset()
    return frozenset(re.findall(r"\b[A-Z][A-Z0-9]{2,}\b", inner["ex"]))


def _named_with_maker(own: str, shown: frozenset[str]) -> bool:
    """Whether a larger gap shows ``own`` after one word of its maker: the same product, told twice.

    "Concur" and "Expense reporting (SAP Concur, Expensify)".
    """
    return len(own) >= 4 and any(x.endswith(" " + own) and len(x.split()) == len(own.split()) + 1 for x in shown)


def fold_named_gaps(gaps: list[dict[str, Any]], parents: dict[str, dict[str, float]] | None = None) -> list[dict[str, Any]]:
    """Ranked gaps where a gap that a larger gap's label names whole gives way.

    "Figma" after "Wireframing and prototyping (Figma, mockups ...)", "SQL Server" after "PostgreSQL (or MySQL, SQL
    Server)", "SQL" after "SQL querying (PostgreSQL ...)" (a name that opens the larger one's): one gap told twice. The smaller is shrunk by CHILD_OF_GAP_FACTOR, as a named child of a larger gap
    is, so the top of the list holds other items. Names are compared whole ("negotiation" is not "contract
    negotiation"). A broader gap is never shrunk for a tool it names that ranks above it ("Deep learning (PyTorch,
    TensorFlow ...)" stays after "PyTorch"). When the larger gap is a bare name the smaller one gives itself, the one
    that shows more takes the larger size and the bare one gives way ("Business Intelligence" and "Business
    intelligence (Tableau, Power BI)", "LIS" and "Clinical laboratory information systems (LIS) (Epic Beaker)").
    A gap gives way once, and only to a gap that has not given way itself; one :func:`demote_children_of_gaps`
    shrank already under its larger parent (``parents``) stays as it is.
    """
    names = [label_names(str(g["label"])) for g in gaps]
    codes = [_credential_codes(str(g["label"])) for g in gaps]
    out = [dict(g) for g in gaps]
    order = sorted(range(len(out)), key=lambda i: gap_rank(out[i]))
    shrunk: set[int] = set()
    for pos, i in enumerate(order):
        own, selves, shown = names[i]
        sid = str(out[i]["skill_id"])
        for j in order[:pos]:
            if j in shrunk:
                continue
            own_j, _, shown_j = names[j]
            if (own_j in selves and len(shown) > len(shown_j)) or _leading_name(own_j, own):
                # the larger one is the smaller one's own name, bare ("LIS" and "Clinical laboratory information
                # systems (LIS) (Epic Beaker ...)"): the label that says more takes the place
                out[i]["size"], out[j]["size"] = out[j]["size"], round(float(out[j]["size"]) * CHILD_OF_GAP_FACTOR, 4)
                shrunk.add(j)
                break
            if (own not in shown_j and not _leading_name(own, own_j) and not _named_with_maker(own, shown_j)
                    and not codes[i] & codes[j]):
                continue
            if str(out[j]["skill_id"]) not in (parents or {}).get(sid, {}):
                out[i]["size"] = round(float(out[i]["size"]) * CHILD_OF_GAP_FACTOR, 4)
                shrunk.add(i)
            break
    out.sort(key=gap_rank)
    return out


def ranked_gaps(reports: list[RoleGapReport], priorities: list[float], top: int | None = None) -> list[dict[str, Any]]:
    """Gaps of all target roles in one list, largest first: size x the role's priority (first role = 1).

    A requirement several roles share appears once, described by the role where it is largest, with
    size = largest + 0.25 x the others (serving several targets helps, but a generic item must not outrank a
    central one by appearing everywhere), and every role it serves listed under ``roles``. "Shared" means the same
    skill (its label may name other examples in each role) or the same label (a concept and a tool family can both
    be called "Project management").
    """
    best: dict[str, tuple[float, RoleGap]] = {}
    total: dict[str, float] = {}
    roles: dict[str, list[str]] = {}
    key_of: dict[str, str] = {}  # skill id or lower-cased label -> the entry's key
    for rep, prio in zip(reports, priorities, strict=True):
        for g in rep.gaps:
            label = g.label.strip().lower()
            k = key_of.get(g.skill_id) or key_of.get(label) or label
            key_of.setdefault(g.skill_id, k)
            key_of.setdefault(label, k)
            size = g.size * prio
            total[k] = total.get(k, 0.0) + size
            roles.setdefault(k, []).append(g.role_title or g.soc_code)
            if k not in best or size > best[k][0]:
                best[k] = (size, g)
    total = {k: best[k][0] + SHARED_GAP_BONUS * (t - best[k][0]) for k, t in total.items()}
    out: list[dict[str, Any]] = [{"label": g.label, "skill_id": g.skill_id, "soc_code": g.soc_code, "role_title": g.role_title,
            "onet_title": g.onet_title, "size": round(total[k], 4), "status": g.status, "reason": g.reason,
            "kind": g.kind, "weight": g.weight, "market_value": g.market_value, "evidenced": g.evidenced,
            "postings": g.postings,
            "soc_postings": g.soc_postings, "members": g.members, "considered": g.considered, "roles": roles[k],
            "core": g.core}
           for k, (_, g) in best.items()]
    out.sort(key=gap_rank)
    return out[:top] if top else out
