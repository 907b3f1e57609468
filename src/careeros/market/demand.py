"""Skill demand by occupation and week, demand trends and a skill market value (pure Polars).

Inputs: a postings frame (``posting_id, posted_at, soc_code, salary_min, salary_max, remote`` and
optionally ``salary_currency``) and a posting-skills frame (``posting_id, skill_id``). Each posting counts
once per skill however often the skill was matched. Rows with ``soc_code = '*'`` aggregate all
occupations; postings without a ``soc_code`` count only there.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import polars as pl

#: Soc code of the all-occupations rows.
ALL_SOC = "*"
#: Default currency for salary statistics (postings in other currencies do not enter the quantiles).
SALARY_CURRENCY = "USD"
#: Trend windows in weeks.
TREND_WINDOWS = (4, 12)
#: Weights of the market-value components (they sum to 1, so the value stays in [0, 1]).
MARKET_VALUE_WEIGHTS = {"demand": 0.40, "trend": 0.20, "flag": 0.15, "wage": 0.25}
#: Share of postings at which the demand component reaches 1 - 1/e (~0.63).
DEMAND_SHARE_SCALE = 0.10

_MEASURES = [
    "postings",
    "soc_postings",
    "share_of_postings",
    "salary_median",
    "salary_p25",
    "salary_p75",
    "salary_n",
    "remote_share",
]


def _prepare(postings: pl.DataFrame, currency: str | None) -> pl.DataFrame:
    cols = postings.columns
    mid = pl.mean_horizontal(pl.col("salary_min").cast(pl.Float64), pl.col("salary_max").cast(pl.Float64))
    if currency is not None and "salary_currency" in cols:
        mid = pl.when(pl.col("salary_currency") == currency).then(mid).otherwise(None)
    posted = pl.col("posted_at")
    if postings.schema.get("posted_at") == pl.Date:
        posted = posted.cast(pl.Datetime("us"))
    return postings.select(
        pl.col("posting_id").cast(pl.String),
        posted.alias("posted_at"),
        pl.col("soc_code").cast(pl.String)
        if "soc_code" in cols
        else pl.lit(None, pl.String).alias("soc_code"),
        mid.alias("salary_mid"),
        pl.when(pl.col("remote").is_null())
        .then(None)
        .otherwise(pl.col("remote") == "remote")
        .alias("is_remote")
        if "remote" in cols
        else pl.lit(None, pl.Boolean).alias("is_remote"),
    ).unique("posting_id", keep="first", maintain_order=True)


def _with_all_soc(p: pl.DataFrame) -> pl.DataFrame:
    return pl.concat(
        [p.filter(pl.col("soc_code").is_not_null()), p.with_columns(pl.lit(ALL_SOC).alias("soc_code"))]
    )


def _aggregate(p: pl.DataFrame, posting_skills: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    p = _with_all_soc(p)
    totals = p.group_by(keys).agg(pl.col("posting_id").n_unique().alias("soc_postings"))
    skills = posting_skills.select(
        pl.col("posting_id").cast(pl.String), pl.col("skill_id").cast(pl.String)
    ).unique()
    joined = p.join(skills, on="posting_id", how="inner")
    agg = joined.group_by(["skill_id", *keys]).agg(
        pl.col("posting_id").n_unique().alias("postings"),
        pl.col("salary_mid").median().alias("salary_median"),
        pl.col("salary_mid").quantile(0.25, interpolation="linear").alias("salary_p25"),
        pl.col("salary_mid").quantile(0.75, interpolation="linear").alias("salary_p75"),
        pl.col("salary_mid").count().alias("salary_n"),
        pl.col("is_remote").cast(pl.Float64).mean().alias("remote_share"),
    )
    out = agg.join(totals, on=keys, how="left").with_columns(
        (pl.col("postings") / pl.col("soc_postings")).alias("share_of_postings"),
        pl.col("postings").cast(pl.Int64),
        pl.col("soc_postings").cast(pl.Int64),
        pl.col("salary_n").cast(pl.Int64),
    )
    return out.select("skill_id", *keys, *_MEASURES).sort(["skill_id", *keys])


def demand_weekly(
    postings: pl.DataFrame, posting_skills: pl.DataFrame, currency: str | None = SALARY_CURRENCY
) -> pl.DataFrame:
    """Demand by skill_id x soc_code x ISO week (``week_start`` = Monday, UTC).

    Measures: ``postings`` (distinct postings with the skill), ``soc_postings`` (all postings of that
    soc_code that week, with or without skills), ``share_of_postings`` (= postings / soc_postings),
    ``salary_median``/``salary_p25``/``salary_p75`` (linear-interpolated quantiles of salary midpoints,
    mean of min and max or the one present, only salaries in ``currency`` when the frame has
    ``salary_currency``; ``currency=None`` uses all), ``salary_n`` and ``remote_share`` (share of
    postings with ``remote == "remote"`` among those with a known remote status).
    Postings without ``posted_at`` are excluded here; they count in :func:`demand_overall`.
    """
    p = _prepare(postings, currency).filter(pl.col("posted_at").is_not_null())
    p = p.with_columns(pl.col("posted_at").dt.truncate("1w").dt.date().alias("week_start")).drop("posted_at")
    return _aggregate(p, posting_skills, ["soc_code", "week_start"])


def demand_overall(
    postings: pl.DataFrame, posting_skills: pl.DataFrame, currency: str | None = SALARY_CURRENCY
) -> pl.DataFrame:
    """The measures of :func:`demand_weekly` over all postings, dated or not, by skill_id x soc_code."""
    return _aggregate(_prepare(postings, currency).drop("posted_at"), posting_skills, ["soc_code"])


def trends(
    demand: pl.DataFrame, windows: tuple[int, ...] = TREND_WINDOWS, as_of: date | None = None
) -> pl.DataFrame:
    """4- and 12-week demand trends per skill_id x soc_code from a :func:`demand_weekly` frame.

    With ``ref`` the week of ``as_of`` (default: the latest ``week_start`` in the frame), for each window
    N the recent window is weeks ``ref-N+1 .. ref`` and the previous one ``ref-2N+1 .. ref-N``:

    - ``trend_{N}w = ln((recent + 1) / (previous + 1))``: log-ratio of posting counts with add-one
      smoothing (0 = flat, +0.69 ~ doubled; a skill first seen with 3 postings gets ln 4 = 1.39);
    - ``share_trend_{N}w = ln(((recent + 1) / (recent_total + 2))``
      ``/ ((previous + 1) / (previous_total + 2)))``:
      the same on the Laplace-smoothed share of the occupation's postings, which ignores swings in
      overall volume (e.g. HN's monthly threads); totals come from ``soc_postings``.

    Also returned: ``postings_{N}w``, ``postings_prev_{N}w`` and ``as_of_week``.
    """
    if demand.is_empty():
        return pl.DataFrame(schema={"skill_id": pl.String, "soc_code": pl.String, "as_of_week": pl.Date})
    ref = as_of - timedelta(days=as_of.weekday()) if as_of is not None else demand["week_start"].max()
    assert isinstance(ref, date)
    totals = demand.select("soc_code", "week_start", "soc_postings").unique(["soc_code", "week_start"])
    keys = demand.select("skill_id", "soc_code").unique()
    out = keys
    for n in windows:
        recent_lo, prev_lo, prev_hi = (
            ref - timedelta(weeks=n - 1),
            ref - timedelta(weeks=2 * n - 1),
            ref - timedelta(weeks=n),
        )

        def window(
            frame: pl.DataFrame, lo: date, hi: date, col: str, name: str, by: list[str]
        ) -> pl.DataFrame:
            return (
                frame.filter(pl.col("week_start").is_between(lo, hi))
                .group_by(by)
                .agg(pl.col(col).sum().alias(name))
            )

        r = window(demand, recent_lo, ref, "postings", "r", ["skill_id", "soc_code"])
        q = window(demand, prev_lo, prev_hi, "postings", "q", ["skill_id", "soc_code"])
        rt = window(totals, recent_lo, ref, "soc_postings", "rt", ["soc_code"])
        qt = window(totals, prev_lo, prev_hi, "soc_postings", "qt", ["soc_code"])
        out = (
            out.join(r, on=["skill_id", "soc_code"], how="left")
            .join(q, on=["skill_id", "soc_code"], how="left")
            .join(rt, on="soc_code", how="left")
            .join(qt, on="soc_code", how="left")
            .with_columns(pl.col("r", "q", "rt", "qt").fill_null(0).cast(pl.Float64))
            .with_columns(
                pl.col("r").cast(pl.Int64).alias(f"postings_{n}w"),
                pl.col("q").cast(pl.Int64).alias(f"postings_prev_{n}w"),
                ((pl.col("r") + 1) / (pl.col("q") + 1)).log().alias(f"trend_{n}w"),
                (((pl.col("r") + 1) / (pl.col("rt") + 2)) / ((pl.col("q") + 1) / (pl.col("qt") + 2)))
                .log()
                .alias(f"share_trend_{n}w"),
            )
            .drop("r", "q", "rt", "qt")
        )
    return out.with_columns(pl.lit(ref).alias("as_of_week")).sort(["skill_id", "soc_code"])


def _soc_key(col: str) -> pl.Expr:
    # "15-1252.00" (O*NET), "15-1252" (SOC) and "151252" (OEWS) share the first six digits
    digits = pl.col(col).cast(pl.String).str.replace_all(r"\D", "").str.slice(0, 6)
    return pl.when(digits.str.len_chars() > 0).then(digits).otherwise(pl.col(col).cast(pl.String))


def market_value(
    demand: pl.DataFrame, trends: pl.DataFrame, technology_flags: pl.DataFrame, wages: pl.DataFrame
) -> pl.DataFrame:
    """Market value in [0, 1] of each skill_id x soc_code: a weighted sum of four components in [0, 1].

    - ``demand_component = 1 - exp(-share / DEMAND_SHARE_SCALE)``: saturating in the share of the
      occupation's postings asking for the skill (``demand_overall``, or pooled over the weeks of a
      ``demand_weekly`` frame); 10% of postings -> 0.63, 30% -> 0.95;
    - ``trend_component = 0.5 + 0.5 * tanh(share_trend_12w)`` (``trend_12w`` when the share trend is
      absent): 0.5 is flat, rising demand -> 1, falling -> 0; 0.5 when unknown;
    - ``flag_component = 0.5 * hot_technology + 0.5 * in_demand`` (O*NET technology flags; 0 when absent);
    - ``wage_component``: percentile rank of the occupation's median wage among all ``wages`` rows
      ((rank - 0.5) / n); 0.5 for ``soc_code = '*'`` or occupations without a wage. Codes match on their
      first six digits, so O*NET, SOC and OEWS codes join.

    ``market_value = sum(MARKET_VALUE_WEIGHTS[c] * component_c)``: demand 0.40, trend 0.20, flags 0.15,
    wage 0.25 -- current demand dominates, wage and direction refine it, flags break ties between
    similarly demanded skills.
    """
    if "week_start" in demand.columns:
        totals = demand.select("soc_code", "week_start", "soc_postings").unique(["soc_code", "week_start"])
        tot = totals.group_by("soc_code").agg(pl.col("soc_postings").sum().alias("__tot"))
        base = demand.group_by("skill_id", "soc_code").agg(pl.col("postings").sum()).join(tot, on="soc_code")
        base = base.with_columns((pl.col("postings") / pl.col("__tot")).alias("share_of_postings")).drop(
            "__tot"
        )
    else:
        base = demand.select("skill_id", "soc_code", "share_of_postings")
    base = base.select("skill_id", "soc_code", "share_of_postings")
    trend_col = "share_trend_12w" if "share_trend_12w" in trends.columns else "trend_12w"
    if not trends.is_empty() and trend_col in trends.columns:
        base = base.join(
            trends.select("skill_id", "soc_code", pl.col(trend_col).alias("__trend")),
            on=["skill_id", "soc_code"],
            how="left",
        )
    else:
        base = base.with_columns(pl.lit(None, pl.Float64).alias("__trend"))
    flags = technology_flags.group_by("skill_id").agg(
        pl.col("hot_technology").cast(pl.Boolean).fill_null(False).any().cast(pl.Float64).alias("__hot"),
        pl.col("in_demand").cast(pl.Boolean).fill_null(False).any().cast(pl.Float64).alias("__dem"),
    )
    w = wages.filter(pl.col("median_wage").is_not_null()).with_columns(_soc_key("soc_code").alias("__key"))
    w = w.group_by("__key").agg(pl.col("median_wage").mean())
    n = max(w.height, 1)
    w = w.with_columns(((pl.col("median_wage").rank("average") - 0.5) / n).alias("__wage"))
    out = (
        base.join(flags, on="skill_id", how="left")
        .with_columns(_soc_key("soc_code").alias("__key"))
        .join(w.select("__key", "__wage"), on="__key", how="left")
        .with_columns(
            (1 - (-pl.col("share_of_postings").fill_null(0) / DEMAND_SHARE_SCALE).exp()).alias(
                "demand_component"
            ),
            (0.5 + 0.5 * pl.col("__trend").tanh()).fill_null(0.5).alias("trend_component"),
            (0.5 * pl.col("__hot").fill_null(0) + 0.5 * pl.col("__dem").fill_null(0)).alias("flag_component"),
            pl.when(pl.col("soc_code") == ALL_SOC)
            .then(0.5)
            .otherwise(pl.col("__wage").fill_null(0.5))
            .alias("wage_component"),
        )
    )
    wt = MARKET_VALUE_WEIGHTS
    assert math.isclose(sum(wt.values()), 1.0)
    value = (
        wt["demand"] * pl.col("demand_component")
        + wt["trend"] * pl.col("trend_component")
        + wt["flag"] * pl.col("flag_component")
        + wt["wage"] * pl.col("wage_component")
    ).clip(0.0, 1.0)
    return out.select(
        "skill_id",
        "soc_code",
        value.alias("market_value"),
        "demand_component",
        "trend_component",
        "flag_component",
        "wage_component",
    ).sort(["soc_code", "market_value", "skill_id"], descending=[False, True, False])
