"""Pure read queries over the skill-and-role graph (take an open DuckDB connection, return Polars)."""

from __future__ import annotations

import duckdb
import polars as pl

from careeros.warehouse.db import fetch_one

US_STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "Virgin Islands",
}


def skills_of_occupation(
    con: duckdb.DuckDBPyConnection, soc_code: str, kind: str | None = None, limit: int = 50,
    taxonomy: str | None = None,
) -> pl.DataFrame:
    """Skills of an occupation ranked by edge weight (optionally one kind and/or one taxonomy)."""
    return con.sql(
        """
        SELECT e.skill_id, s.label, s.kind, s.taxonomy, e.weight, e.importance, e.level, e.relation,
               s.hot_technology, s.in_demand
        FROM graph_occupation_skill e JOIN graph_skill s USING (skill_id)
        WHERE e.soc_code = ? AND (? IS NULL OR s.kind = ?) AND (? IS NULL OR s.taxonomy = ?)
        ORDER BY e.weight DESC, e.importance DESC NULLS LAST, s.label
        LIMIT ?
        """,
        params=[soc_code, kind, kind, taxonomy, taxonomy, limit],
    ).pl()


def occupations_needing_skill(con: duckdb.DuckDBPyConnection, skill: str, limit: int = 50) -> pl.DataFrame:
    """Occupations that need a skill (by id, or by exact label/alias, case-insensitive), by edge weight."""
    return con.sql(
        """
        WITH target AS (
          SELECT skill_id FROM graph_skill
          WHERE skill_id = ? OR lower(label) = lower(?) OR list_contains(list_transform(aliases, lambda x: lower(x)), lower(?))
        )
        SELECT e.soc_code, o.title, e.skill_id, e.weight, e.relation, o.median_wage, o.employment
        FROM graph_occupation_skill e JOIN target USING (skill_id) JOIN graph_occupation o USING (soc_code)
        ORDER BY e.weight DESC, o.employment DESC NULLS LAST
        LIMIT ?
        """,
        params=[skill, skill, skill, limit],
    ).pl()


def occupation_wage(con: duckdb.DuckDBPyConnection, soc_code: str, state: str | None = None) -> dict[str, object]:
    """Annual wage figures of an occupation, national or for a state (postal code or name).

    The OEWS code is the SOC code without dash and suffix; when OEWS publishes only the broad group
    (e.g. 13-1020 for 13-1021/13-1022), that group's figures are returned and ``wage_code`` says so.
    """
    occ = fetch_one(con.execute("SELECT wage_code, title FROM graph_occupation WHERE soc_code = ?", [soc_code]))
    if occ is None:
        raise KeyError(f"unknown O*NET-SOC code {soc_code}")
    code = occ[0] or soc_code[:7].replace("-", "")
    if state is None:
        where, params = "area_type = 'N'", [code]
    else:
        name = US_STATES.get(state.upper(), state)
        where, params = "area_type = 'S' AND lower(area_name) = lower(?)", [name, code]
    row = fetch_one(con.execute(
        f"""SELECT area_name, occupation_code, occupation_name, tot_emp, a_pct10, a_pct25, a_median, a_pct75,
                   a_pct90, a_mean, h_median FROM oews_wage WHERE {where} AND occupation_code = ?""",
        params,
    ))
    if row is None:
        return {"soc_code": soc_code, "title": occ[1], "area": state or "National", "wage_code": code,
                "median": None}
    keys = ["area", "wage_code", "wage_title", "employment", "p10", "p25", "median", "p75", "p90", "mean",
            "hourly_median"]
    return {"soc_code": soc_code, "title": occ[1], **dict(zip(keys, row, strict=True))}


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of the main warehouse tables (missing tables count 0)."""
    queries = {
        "occupations": "SELECT count(*) FROM graph_occupation",
        "skills": "SELECT count(*) FROM graph_skill",
        "esco_skills": "SELECT count(*) FROM graph_skill WHERE taxonomy = 'esco'",
        "technology_skills": "SELECT count(*) FROM graph_skill WHERE kind = 'technology'",
        "technology_rows": "SELECT count(*) FROM onet_technology",
        "occupation_skills": "SELECT count(*) FROM graph_occupation_skill",
        "wages": "SELECT count(*) FROM oews_wage",
        "occupations_with_wage": "SELECT count(*) FROM graph_occupation WHERE median_wage IS NOT NULL",
        "crosswalk_pairs": "SELECT count(*) FROM graph_esco_onet_crosswalk WHERE rank = 1",
        "alternate_titles": "SELECT count(*) FROM onet_alternate_title",
        "tasks": "SELECT count(*) FROM onet_task",
        "quarantined": "SELECT count(*) FROM quarantine",
        "evidence_items": "SELECT count(*) FROM evidence_item WHERE valid_to IS NULL",
        "evidence_skill_links": "SELECT count(*) FROM evidence_skill WHERE valid_to IS NULL",
        "postings": "SELECT count(*) FROM posting WHERE is_current",
        "postings_quarantined": "SELECT count(*) FROM quarantine "
                                "WHERE source IN (SELECT DISTINCT source FROM posting_raw)",
        "demand_rows": "SELECT count(*) FROM demand_weekly",
        "metrics_weeks": "SELECT count(DISTINCT period_start) FROM metrics_weekly WHERE period = 'week'",
        "assumption_updates": "SELECT count(*) FROM assumption_history",
    }
    out: dict[str, int] = {}
    for key, sql in queries.items():
        try:
            row = fetch_one(con.execute(sql))
            out[key] = int(row[0]) if row else 0
        except duckdb.CatalogException:
            out[key] = 0
    return out
