"""Data-quality expectations for the taxonomy tables, declared as data (one suite per loaded table).

Each :class:`ExpectationSpec` names a Great Expectations 1.x expectation class and its keyword arguments;
``careeros.quality.gx`` turns them into GX objects. ``critical`` marks structural checks (row counts,
not-null keys, key patterns/uniqueness, value ranges) whose failure should stop a publish; softer,
``mostly``-based checks are informational.

Row-count ranges are generous around the counts observed in the bundled releases (O*NET 29.3, ESCO 1.2.0,
OEWS 2025). Observed facts the suites rely on: every declared key below is unique in the real data except
``onet_alternate_title`` (soc_code, alternate_title), which repeats twice with different short titles, so
that pair is a soft check and the critical key includes ``short_title``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SOC_REGEX = r"^\d{2}-\d{4}\.\d{2}$"
OEWS_CODE_REGEX = r"^\d{6}$"
ONET_ELEMENT_REGEX = r"^\d(\.[A-Za-z0-9]+)*$"
DWA_REGEX = r"^4\.A\.[0-9a-z.]+\.I\d{2}\.D\d{2}$"
IWA_REGEX = r"^4\.A\.[0-9a-z.]+\.I\d{2}$"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
ESCO_OCCUPATION_URI_REGEX = rf"^http://data\.europa\.eu/esco/occupation/{_UUID}$"
ESCO_SKILL_URI_REGEX = rf"^http://data\.europa\.eu/esco/skill/{_UUID}$"
#: Skill-hierarchy concepts: ESCO skills/skill groups or ISCED-F field groups.
ESCO_CONCEPT_URI_REGEX = rf"^http://data\.europa\.eu/esco/(skill/{_UUID}|isced-f/\d{{2,4}})$"


class ExpectationSpec(BaseModel):
    """One expectation on one table: GX class name, its kwargs and whether a failure is critical."""

    model_config = ConfigDict(frozen=True)

    table: str
    expectation: str = Field(description="Great Expectations class name, e.g. ExpectColumnValuesToBeUnique")
    kwargs: dict[str, Any] = Field(default_factory=dict)
    critical: bool = True

    @property
    def column_name(self) -> str | None:
        """The column(s) the expectation is about (comma-joined for multi-column ones), else None."""
        if "column" in self.kwargs:
            return str(self.kwargs["column"])
        if "column_list" in self.kwargs:
            return ",".join(self.kwargs["column_list"])
        if "column_A" in self.kwargs:
            return f"{self.kwargs['column_A']},{self.kwargs['column_B']}"
        return None


# ----------------------------------------------------------------------------- builders


def _columns(t: str, cols: list[str]) -> ExpectationSpec:
    # exact_match=False: every declared column must exist; extra (e.g. provenance) columns are allowed.
    return ExpectationSpec(
        table=t, expectation="ExpectTableColumnsToMatchSet", kwargs={"column_set": cols, "exact_match": False}
    )


def _rows(t: str, lo: int, hi: int | None = None) -> ExpectationSpec:
    return ExpectationSpec(
        table=t, expectation="ExpectTableRowCountToBeBetween", kwargs={"min_value": lo, "max_value": hi}
    )


def _not_null(t: str, col: str, mostly: float | None = None) -> ExpectationSpec:
    kw: dict[str, Any] = {"column": col}
    if mostly is not None:
        kw["mostly"] = mostly
    return ExpectationSpec(
        table=t, expectation="ExpectColumnValuesToNotBeNull", kwargs=kw, critical=mostly is None
    )


def _keys_not_null(t: str, *cols: str) -> list[ExpectationSpec]:
    return [_not_null(t, c) for c in cols]


def _unique(t: str, col: str, critical: bool = True) -> ExpectationSpec:
    return ExpectationSpec(
        table=t, expectation="ExpectColumnValuesToBeUnique", kwargs={"column": col}, critical=critical
    )


def _compound_unique(t: str, cols: list[str], mostly: float | None = None) -> ExpectationSpec:
    kw: dict[str, Any] = {"column_list": cols}
    if mostly is not None:
        kw["mostly"] = mostly
    return ExpectationSpec(
        table=t, expectation="ExpectCompoundColumnsToBeUnique", kwargs=kw, critical=mostly is None
    )


def _regex(t: str, col: str, regex: str, critical: bool = True) -> ExpectationSpec:
    return ExpectationSpec(
        table=t,
        expectation="ExpectColumnValuesToMatchRegex",
        kwargs={"column": col, "regex": regex},
        critical=critical,
    )


def _between(
    t: str,
    col: str,
    lo: float | None,
    hi: float | None,
    *,
    strict_min: bool = False,
    critical: bool = True,
) -> ExpectationSpec:
    kw: dict[str, Any] = {"column": col, "min_value": lo, "max_value": hi}
    if strict_min:
        kw["strict_min"] = True
    return ExpectationSpec(table=t, expectation="ExpectColumnValuesToBeBetween", kwargs=kw, critical=critical)


def _in_set(t: str, col: str, values: list[Any], critical: bool = True) -> ExpectationSpec:
    return ExpectationSpec(
        table=t,
        expectation="ExpectColumnValuesToBeInSet",
        kwargs={"column": col, "value_set": values},
        critical=critical,
    )


def _soc(t: str) -> list[ExpectationSpec]:
    return [_not_null(t, "soc_code"), _regex(t, "soc_code", SOC_REGEX)]


# ----------------------------------------------------------------------------- suites


def _onet() -> list[ExpectationSpec]:
    s: list[ExpectationSpec] = []

    t = "onet_occupation"
    s += [
        _columns(t, ["soc_code", "title", "description", "job_zone", "oews_code", "is_detailed"]),
        _rows(t, 900, 1200),
        *_soc(t),
        _unique(t, "soc_code"),
        *_keys_not_null(t, "title", "oews_code", "is_detailed"),
        _regex(t, "oews_code", OEWS_CODE_REGEX),
        _between(t, "job_zone", 1, 5),
        _not_null(t, "job_zone", mostly=0.85),
        _unique(t, "title", critical=False),
    ]

    t = "onet_alternate_title"
    s += [
        _columns(t, ["soc_code", "alternate_title", "short_title", "sources"]),
        _rows(t, 40_000, 80_000),
        *_soc(t),
        _not_null(t, "alternate_title"),
        _compound_unique(t, ["soc_code", "alternate_title", "short_title"]),
        # O*NET 29.3 repeats two titles with and without a short title.
        _compound_unique(t, ["soc_code", "alternate_title"], mostly=0.999),
    ]

    t = "onet_reported_title"
    s += [
        _columns(t, ["soc_code", "reported_title", "shown_in_my_next_move"]),
        _rows(t, 5_000, 12_000),
        *_soc(t),
        _not_null(t, "reported_title"),
        _compound_unique(t, ["soc_code", "reported_title"]),
    ]

    t = "onet_element_rating"
    s += [
        _columns(
            t,
            [
                "soc_code",
                "domain",
                "element_id",
                "element_name",
                "importance",
                "level",
                "n_respondents",
                "not_relevant",
                "recommend_suppress",
                "rating_date",
                "domain_source",
            ],
        ),
        _rows(t, 45_000, 80_000),
        *_soc(t),
        *_keys_not_null(t, "domain", "element_id", "element_name"),
        _regex(t, "element_id", ONET_ELEMENT_REGEX),
        _in_set(t, "domain", ["skill", "knowledge"]),
        _compound_unique(t, ["soc_code", "element_id"]),
        _between(t, "importance", 1, 5),
        _between(t, "level", 0, 7),
        _between(t, "n_respondents", 1, None),
        _not_null(t, "importance", mostly=0.99),
        _not_null(t, "level", mostly=0.99),
        _not_null(t, "n_respondents", mostly=0.95),
    ]

    t = "onet_element"
    s += [
        _columns(t, ["element_id", "element_name", "description"]),
        _rows(t, 400, 1_000),
        _not_null(t, "element_id"),
        _unique(t, "element_id"),
        _regex(t, "element_id", ONET_ELEMENT_REGEX),
        _not_null(t, "element_name"),
    ]

    for t in ("onet_technology", "onet_tool"):
        cols = ["soc_code", "example", "commodity_code", "commodity_title"]
        lo, hi = (20_000, 50_000) if t == "onet_technology" else (25_000, 60_000)
        s += [
            _columns(t, cols + (["hot_technology", "in_demand"] if t == "onet_technology" else [])),
            _rows(t, lo, hi),
            *_soc(t),
            _not_null(t, "example"),
            _compound_unique(t, ["soc_code", "example"]),
            _regex(t, "commodity_code", r"^\d{8}$", critical=False),
            _not_null(t, "commodity_code", mostly=0.99),
        ]
        if t == "onet_technology":
            s += _keys_not_null(t, "hot_technology", "in_demand")

    t = "onet_task"
    s += [
        _columns(t, ["soc_code", "task_id", "task", "task_type", "incumbents_responding"]),
        _rows(t, 15_000, 25_000),
        *_soc(t),
        _not_null(t, "task_id"),
        _unique(t, "task_id"),
        _regex(t, "task_id", r"^\d+$"),
        _not_null(t, "task"),
        _in_set(t, "task_type", ["Core", "Supplemental"]),
        _between(t, "incumbents_responding", 0, None),
        _not_null(t, "task_type", mostly=0.9),
    ]

    t = "onet_task_dwa"
    s += [
        _columns(t, ["soc_code", "task_id", "dwa_id"]),
        _rows(t, 15_000, 35_000),
        *_soc(t),
        *_keys_not_null(t, "task_id", "dwa_id"),
        _regex(t, "dwa_id", DWA_REGEX),
        _compound_unique(t, ["soc_code", "task_id", "dwa_id"]),
    ]

    t = "onet_dwa"
    s += [
        _columns(t, ["dwa_id", "dwa_title", "iwa_id", "iwa_title", "element_id", "element_name"]),
        _rows(t, 1_500, 3_000),
        _not_null(t, "dwa_id"),
        _unique(t, "dwa_id"),
        _regex(t, "dwa_id", DWA_REGEX),
        _not_null(t, "dwa_title"),
        _regex(t, "iwa_id", IWA_REGEX, critical=False),
        _regex(t, "element_id", ONET_ELEMENT_REGEX, critical=False),
    ]

    t = "onet_education"
    s += [
        _columns(t, ["soc_code", "scale_id", "category", "share"]),
        _rows(t, 25_000, 50_000),
        *_soc(t),
        *_keys_not_null(t, "scale_id", "category"),
        _in_set(t, "scale_id", ["RL", "RW", "PT", "OJ"]),
        _between(t, "category", 1, 12),
        _between(t, "share", 0, 100),
        _compound_unique(t, ["soc_code", "scale_id", "category"]),
    ]
    return s


def _esco() -> list[ExpectationSpec]:
    s: list[ExpectationSpec] = []

    t = "esco_occupation"
    s += [
        _columns(
            t,
            [
                "occupation_uri",
                "isco_group",
                "preferred_label",
                "alt_labels",
                "definition",
                "description",
                "code",
            ],
        ),
        _rows(t, 2_500, 4_000),
        _not_null(t, "occupation_uri"),
        _unique(t, "occupation_uri"),
        _regex(t, "occupation_uri", ESCO_OCCUPATION_URI_REGEX),
        _not_null(t, "preferred_label"),
        _regex(t, "isco_group", r"^\d{4}$"),
        _not_null(t, "isco_group", mostly=0.99),
        _regex(t, "code", r"^\d{4}(\.\d+)+$", critical=False),
        _unique(t, "preferred_label", critical=False),
    ]

    t = "esco_skill"
    s += [
        _columns(
            t,
            [
                "skill_uri",
                "preferred_label",
                "label_source",
                "skill_type",
                "skill_type_source",
                "reuse_level",
                "text",
                "collections",
            ],
        ),
        _rows(t, 12_000, 20_000),
        _not_null(t, "skill_uri"),
        _unique(t, "skill_uri"),
        _regex(t, "skill_uri", ESCO_SKILL_URI_REGEX),
        *_keys_not_null(t, "preferred_label", "label_source"),
        _in_set(t, "skill_type", ["skill/competence", "knowledge"]),
        _in_set(t, "reuse_level", ["transversal", "cross-sector", "sector-specific", "occupation-specific"]),
        # ESCO 1.2.0 as bundled types about half the skills (via relations and collections).
        _not_null(t, "skill_type", mostly=0.4),
    ]

    t = "esco_occupation_skill"
    s += [
        _columns(t, ["occupation_uri", "skill_uri", "relation_type"]),
        _rows(t, 90_000, 180_000),
        *_keys_not_null(t, "occupation_uri", "skill_uri", "relation_type"),
        _regex(t, "occupation_uri", ESCO_OCCUPATION_URI_REGEX),
        _regex(t, "skill_uri", ESCO_SKILL_URI_REGEX),
        _in_set(t, "relation_type", ["essential", "optional"]),
        _compound_unique(t, ["occupation_uri", "skill_uri"]),
    ]

    t = "esco_skill_relation"
    s += [
        _columns(t, ["skill_uri", "related_uri", "relation_type"]),
        _rows(t, 3_000, 10_000),
        *_keys_not_null(t, "skill_uri", "related_uri"),
        _regex(t, "skill_uri", ESCO_SKILL_URI_REGEX),
        _regex(t, "related_uri", ESCO_SKILL_URI_REGEX),
        _in_set(t, "relation_type", ["essential", "optional"]),
        _compound_unique(t, ["skill_uri", "related_uri"]),
        _not_null(t, "relation_type", mostly=0.95),
    ]

    t = "esco_skill_broader"
    kinds = ["KnowledgeSkillCompetence", "SkillGroup"]
    s += [
        _columns(t, ["concept_uri", "concept_type", "broader_uri", "broader_type"]),
        _rows(t, 15_000, 30_000),
        *_keys_not_null(t, "concept_uri", "broader_uri"),
        _regex(t, "concept_uri", ESCO_CONCEPT_URI_REGEX),
        _regex(t, "broader_uri", ESCO_CONCEPT_URI_REGEX),
        _in_set(t, "concept_type", kinds),
        _in_set(t, "broader_type", kinds),
        _compound_unique(t, ["concept_uri", "broader_uri"]),
    ]

    t = "esco_skill_group"
    s += [
        _columns(t, ["group_uri", "preferred_label", "code", "description"]),
        _rows(t, 400, 1_000),
        _not_null(t, "group_uri"),
        _unique(t, "group_uri"),
        _regex(t, "group_uri", ESCO_CONCEPT_URI_REGEX),
        _not_null(t, "preferred_label"),
        _unique(t, "code", critical=False),
        _not_null(t, "description", mostly=0.7),
    ]
    return s


def _oews() -> list[ExpectationSpec]:
    t = "oews_wage"
    annual = ["a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90"]
    return [
        _columns(
            t,
            [
                "area_type",
                "area_code",
                "area_name",
                "occupation_code",
                "occupation_name",
                "tot_emp",
                *annual,
                "h_mean",
                "h_median",
                "jobs_1000",
                "loc_quotient",
                "annual_only",
            ],
        ),
        _rows(t, 100_000),
        *_keys_not_null(t, "area_type", "area_code", "occupation_code"),
        _in_set(t, "area_type", ["N", "S", "M"]),
        _regex(t, "area_code", r"^\d{7}$"),
        _regex(t, "occupation_code", OEWS_CODE_REGEX),
        _compound_unique(t, ["area_type", "area_code", "occupation_code"]),
        *[_between(t, c, 0, None, strict_min=True) for c in annual],
        _between(t, "a_median", 10_000, 1_000_000),
        _between(t, "a_mean", 10_000, 1_000_000),
        _between(t, "h_mean", 0, None, strict_min=True),
        _between(t, "h_median", 0, None, strict_min=True),
        _between(t, "tot_emp", 0, None),
        _between(t, "jobs_1000", 0, 1000),
        _between(t, "loc_quotient", 0, None),
        _not_null(t, "a_median", mostly=0.95),
        _not_null(t, "tot_emp", mostly=0.95),
        ExpectationSpec(
            table=t,
            expectation="ExpectColumnPairValuesAToBeGreaterThanB",
            kwargs={
                "column_A": "a_pct90",
                "column_B": "a_pct10",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            critical=False,
        ),
    ]


#: Name of the suite run on each parsed batch of job postings (not a warehouse table).
POSTING_BATCH = "posting_batch"
#: Bounds of the posting-batch checks (the pipeline's row-level checks use the same numbers).
POSTED_AT_MIN = datetime(2010, 1, 1, tzinfo=UTC)
POSTED_AT_FUTURE_DAYS = 7
SALARY_ANNUAL_MIN = 1_000.0
SALARY_ANNUAL_MAX = 2_000_000.0
TEXT_MAX_CHARS = 200_000


def posted_at_max(today: date | None = None) -> datetime:
    """Latest plausible ``posted_at``: today (UTC) plus :data:`POSTED_AT_FUTURE_DAYS`."""
    today = today or datetime.now(UTC).date()
    return datetime.combine(today + timedelta(days=POSTED_AT_FUTURE_DAYS), time.max, tzinfo=UTC)


def posting_batch_suite(today: date | None = None) -> list[ExpectationSpec]:
    """Checks on one parsed postings batch (``postings_frame`` columns plus ``text_length``).

    Critical: the batch's structure (columns, non-null keys, unique ``(posting_id, raw_sha256)``). The
    row-level checks (title, dates, salaries, text length) are informational here because the pipeline
    quarantines the failing rows one by one and stops the whole batch when too many fail.
    """
    t = POSTING_BATCH
    row = {"critical": False}
    return [
        _columns(t, ["posting_id", "source", "source_record_id", "raw_sha256", "title", "posted_at",
                     "salary_min", "salary_max", "text_length"]),
        _rows(t, 1),
        *_keys_not_null(t, "posting_id", "source", "raw_sha256"),
        _compound_unique(t, ["posting_id", "raw_sha256"]),
        _not_null(t, "title", mostly=1.0),
        ExpectationSpec(table=t, expectation="ExpectColumnValueLengthsToBeBetween",
                        kwargs={"column": "title", "min_value": 1}, **row),
        _between(t, "posted_at", POSTED_AT_MIN, posted_at_max(today), **row),  # type: ignore[arg-type]
        _between(t, "salary_min", SALARY_ANNUAL_MIN, SALARY_ANNUAL_MAX, **row),
        _between(t, "salary_max", SALARY_ANNUAL_MIN, SALARY_ANNUAL_MAX, **row),
        ExpectationSpec(
            table=t, expectation="ExpectColumnPairValuesAToBeGreaterThanB",
            kwargs={"column_A": "salary_max", "column_B": "salary_min", "or_equal": True,
                    "ignore_row_if": "either_value_is_missing"}, **row),
        _between(t, "text_length", 0, TEXT_MAX_CHARS, **row),
    ]


def _build() -> dict[str, list[ExpectationSpec]]:
    suites: dict[str, list[ExpectationSpec]] = {}
    for spec in (*_onet(), *_esco(), *_oews(), *posting_batch_suite()):
        suites.setdefault(spec.table, []).append(spec)
    return suites


#: Table name -> its expectations, in declaration order.
SUITES: dict[str, list[ExpectationSpec]] = _build()


def suite_for(table: str) -> list[ExpectationSpec]:
    """The expectations declared for ``table`` (empty if the table has no suite)."""
    return list(SUITES.get(table, []))
