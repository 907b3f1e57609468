"""Graph queries on known facts of the real datasets."""

from __future__ import annotations

from pathlib import Path

import pytest

from careeros.graph import queries
from careeros.warehouse.db import connect, fetch_one


@pytest.fixture(scope="module")
def con(built_home: Path):  # type: ignore[no-untyped-def]
    with connect(built_home / "warehouse.duckdb", read_only=True) as c:
        yield c


def test_software_developers_need_python(con) -> None:  # type: ignore[no-untyped-def]
    tech = queries.skills_of_occupation(con, "15-1252.00", kind="technology", limit=500)
    assert "tech:python" in tech["skill_id"].to_list()
    assert tech["weight"].is_sorted(descending=True)


def test_skills_ranked_by_weight_include_onet_elements(con) -> None:  # type: ignore[no-untyped-def]
    sk = queries.skills_of_occupation(con, "15-1252.00", kind="skill", limit=10, taxonomy="onet")
    assert sk.height == 10
    assert sk["weight"].is_sorted(descending=True)
    assert "Programming" in sk["label"].to_list()


def test_national_median_wage_of_software_developers(con) -> None:  # type: ignore[no-untyped-def]
    w = queries.occupation_wage(con, "15-1252.00")
    assert w["median"] == 135980
    assert w["employment"] == 1687890


def test_state_wage_by_postal_code_and_name(con) -> None:  # type: ignore[no-untyped-def]
    ca = queries.occupation_wage(con, "15-1252.00", state="CA")
    assert ca["area"] == "California" and ca["median"] and ca["median"] > 135980
    assert queries.occupation_wage(con, "15-1252.00", state="California")["median"] == ca["median"]


def test_broad_group_wage_fallback(con) -> None:  # type: ignore[no-untyped-def]
    w = queries.occupation_wage(con, "13-1021.00")  # OEWS publishes only 13-1020
    assert w["wage_code"] == "131020" and w["median"]


def test_occupations_needing_python(con) -> None:  # type: ignore[no-untyped-def]
    occ = queries.occupations_needing_skill(con, "tech:python", limit=2000)
    assert "15-1252.00" in occ["soc_code"].to_list()
    assert occ.height > 50


def test_counts_meet_the_done_criteria(con) -> None:  # type: ignore[no-untyped-def]
    c = queries.counts(con)
    assert c["occupations"] >= 1016
    assert c["esco_skills"] >= 13939
    assert c["technology_rows"] >= 30000
    assert c["occupations_with_wage"] / c["occupations"] >= 0.95


def test_crosswalk_known_pairs(con) -> None:  # type: ignore[no-untyped-def]
    rows = dict(con.execute(
        "SELECT esco_label, soc_code FROM graph_esco_onet_crosswalk WHERE rank = 1 AND esco_label IN "
        "('baker', 'construction manager', 'hospital social worker')"
    ).fetchall())
    assert rows["baker"] == "51-3011.00"
    assert rows["construction manager"] == "11-9021.00"
    assert rows["hospital social worker"] == "21-1022.00"
    conf = fetch_one(con.execute("SELECT min(confidence), max(confidence) FROM graph_esco_onet_crosswalk"))
    assert 0 <= conf[0] <= conf[1] <= 1
