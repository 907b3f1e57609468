import math
from datetime import UTC, date, datetime

import polars as pl
import pytest

from careeros.market.demand import (
    ALL_SOC,
    MARKET_VALUE_WEIGHTS,
    demand_overall,
    demand_weekly,
    market_value,
    trends,
)

W1 = datetime(2026, 1, 6, 12, tzinfo=UTC)  # Tuesday -> week of Mon 2026-01-05
W2 = datetime(2026, 1, 14, 9, tzinfo=UTC)  # Wednesday -> week of Mon 2026-01-12


@pytest.fixture()
def postings() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "posting_id": ["p1", "p2", "p3", "p4", "p5", "p6", "p7"],
            "posted_at": [W1, W1, W1, W2, W2, W2, None],
            "soc_code": ["A", "A", "B", "A", "A", "A", "A"],
            "salary_min": [100.0, 80.0, None, 120.0, 150.0, None, 200.0],
            "salary_max": [120.0, 100.0, None, 140.0, None, None, 200.0],
            "remote": ["remote", "onsite", "remote", "remote", "hybrid", None, "remote"],
        },
        schema_overrides={"posted_at": pl.Datetime("us", "UTC")},
    )


@pytest.fixture()
def skills() -> pl.DataFrame:
    pairs = [
        ("p1", "python"),
        ("p1", "python"),
        ("p2", "python"),
        ("p4", "python"),
        ("p5", "python"),
        ("p7", "python"),
        ("p1", "sql"),
        ("p3", "sql"),
        ("p6", "sql"),
        ("p4", "rust"),
        ("p5", "rust"),
    ]
    return pl.DataFrame(pairs, schema=["posting_id", "skill_id"], orient="row")


def row(df: pl.DataFrame, **kw) -> dict:
    out = df.filter(*[pl.col(k) == v for k, v in kw.items()])
    assert out.height == 1, (kw, out)
    return out.row(0, named=True)


def test_weekly_counts_share_salary_remote(postings, skills):
    d = demand_weekly(postings, skills)
    r = row(d, skill_id="python", soc_code="A", week_start=date(2026, 1, 5))
    assert (r["postings"], r["soc_postings"], r["share_of_postings"]) == (2, 2, 1.0)
    assert r["salary_median"] == 100.0 and r["salary_p25"] == 95.0 and r["salary_p75"] == 105.0
    assert r["remote_share"] == 0.5
    r = row(d, skill_id="python", soc_code="A", week_start=date(2026, 1, 12))
    assert r["postings"] == 2 and r["soc_postings"] == 3
    assert math.isclose(r["share_of_postings"], 2 / 3)
    assert r["salary_median"] == 140.0  # midpoints 130 and 150 (min only)
    r = row(d, skill_id="sql", soc_code="A", week_start=date(2026, 1, 12))
    assert r["salary_median"] is None and r["remote_share"] is None and r["salary_n"] == 0
    r = row(d, skill_id="sql", soc_code=ALL_SOC, week_start=date(2026, 1, 5))
    assert r["postings"] == 2 and r["soc_postings"] == 3 and r["remote_share"] == 1.0
    # the undated posting p7 is not in weekly demand
    assert d.filter(pl.col("skill_id") == "python", pl.col("soc_code") == "A")["postings"].sum() == 4


def test_overall_includes_undated(postings, skills):
    d = demand_overall(postings, skills)
    r = row(d, skill_id="python", soc_code="A")
    assert (r["postings"], r["soc_postings"]) == (5, 6)
    assert r["salary_median"] == 130.0  # 110, 90, 130, 150, 200
    assert row(d, skill_id="python", soc_code=ALL_SOC)["soc_postings"] == 7


def test_currency_filter(postings, skills):
    p = postings.with_columns(pl.Series("salary_currency", ["USD", "EUR", None, "USD", "USD", None, "USD"]))
    d = demand_weekly(p, skills)
    assert row(d, skill_id="python", soc_code="A", week_start=date(2026, 1, 5))["salary_median"] == 110.0
    assert demand_weekly(p, skills, currency=None).filter(pl.col("salary_n") > 0).height > 0


def test_trend_sign(postings, skills):
    t = trends(demand_weekly(postings, skills), windows=(1,))
    assert row(t, skill_id="rust", soc_code=ALL_SOC)["trend_1w"] > 0  # 0 -> 2 postings
    assert row(t, skill_id="sql", soc_code=ALL_SOC)["trend_1w"] < 0  # 2 -> 1
    assert row(t, skill_id="python", soc_code=ALL_SOC)["trend_1w"] == 0  # 2 -> 2
    assert math.isclose(row(t, skill_id="rust", soc_code=ALL_SOC)["trend_1w"], math.log(3))
    t4 = trends(demand_weekly(postings, skills))
    r = row(t4, skill_id="python", soc_code="A")
    assert (r["postings_4w"], r["postings_prev_4w"]) == (4, 0)
    assert r["as_of_week"] == date(2026, 1, 12)


def test_market_value(postings, skills):
    weekly = demand_weekly(postings, skills)
    flags = pl.DataFrame(
        {"skill_id": ["python", "rust"], "hot_technology": [True, True], "in_demand": [True, False]}
    )
    wages = pl.DataFrame({"soc_code": ["A", "B", "C"], "median_wage": [150_000.0, 50_000.0, 90_000.0]})
    # O*NET codes in postings join OEWS codes in wages on their six digits
    oews = pl.DataFrame({"soc_code": ["151252", "291141"], "median_wage": [150_000.0, 50_000.0]})
    onet = postings.with_columns(pl.col("soc_code").replace({"A": "15-1252.00", "B": "29-1141.00"}))
    mv2 = market_value(demand_overall(onet, skills), trends(demand_weekly(onet, skills)), flags, oews)
    assert row(mv2, skill_id="python", soc_code="15-1252.00")["wage_component"] == 0.75
    mv = market_value(demand_overall(postings, skills), trends(weekly), flags, wages)
    assert math.isclose(sum(MARKET_VALUE_WEIGHTS.values()), 1.0)
    assert mv["market_value"].is_between(0, 1).all()
    py, sq = row(mv, skill_id="python", soc_code="A"), row(mv, skill_id="sql", soc_code="A")
    assert py["market_value"] > sq["market_value"]
    assert py["flag_component"] == 1.0 and sq["flag_component"] == 0.0
    assert math.isclose(py["wage_component"], 2.5 / 3)
    assert math.isclose(row(mv, skill_id="sql", soc_code="B")["wage_component"], 0.5 / 3)
    assert row(mv, skill_id="python", soc_code=ALL_SOC)["wage_component"] == 0.5
    expected = sum(MARKET_VALUE_WEIGHTS[k] * py[f"{k}_component"] for k in MARKET_VALUE_WEIGHTS)
    assert math.isclose(py["market_value"], expected)
    # a weekly frame is pooled over weeks
    assert market_value(weekly, trends(weekly), flags, wages).height > 0
