"""Great Expectations data-quality suites on the real taxonomy tables and on corrupted copies."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from careeros.quality.gx import DQ_COLUMNS, ValidationReport, validate_tables
from careeros.quality.suites import SUITES, suite_for
from careeros.taxonomy.esco import read_esco
from careeros.taxonomy.oews import read_oews
from careeros.taxonomy.onet import read_onet

EXPECTED_TABLES = {
    "onet_occupation", "onet_alternate_title", "onet_reported_title", "onet_element_rating", "onet_technology",
    "onet_tool", "onet_task", "onet_task_dwa", "onet_dwa", "onet_education", "onet_element", "esco_occupation",
    "esco_skill", "esco_occupation_skill", "esco_skill_relation", "esco_skill_broader", "esco_skill_group",
    "oews_wage",
}  # fmt: skip


@pytest.fixture(scope="module")
def tables(datasets: Path) -> dict[str, pl.DataFrame]:
    out: dict[str, pl.DataFrame] = {}
    out.update(read_onet(datasets / "onet-29.3").tables)
    out.update(read_esco(datasets / "esco-1.2.0").tables)
    out.update(read_oews(datasets / "bls-oews-2025").tables)
    return out


@pytest.fixture(scope="module")
def real_report(tables: dict[str, pl.DataFrame]) -> ValidationReport:
    return validate_tables(tables, source="taxonomy", run_id="test-real")


def _corrupt(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Copies of some tables, each with one deliberate defect."""

    def set_first(df: pl.DataFrame, col: str, value: object) -> pl.DataFrame:
        idx = pl.int_range(pl.len()) == 0
        return df.with_columns(
            pl.when(idx).then(pl.lit(value, dtype=df.schema[col])).otherwise(pl.col(col)).alias(col)
        )

    t = tables
    return {
        "onet_occupation": set_first(t["onet_occupation"], "soc_code", "11-101.00"),  # bad SOC code
        "onet_element_rating": set_first(t["onet_element_rating"], "importance", 9.0),  # out of 1-5
        "oews_wage": set_first(t["oews_wage"], "a_median", -5.0),  # negative wage
        "esco_skill": set_first(t["esco_skill"], "skill_uri", None),  # null key
        "onet_task_dwa": pl.concat([t["onet_task_dwa"], t["onet_task_dwa"].head(3)]),  # duplicated key rows
        "onet_task": pl.concat([t["onet_task"], t["onet_task"].slice(10, 2)]),  # duplicated primary key
        "esco_occupation_skill": set_first(t["esco_occupation_skill"], "relation_type", "mandatory"),
        "onet_dwa": t["onet_dwa"].head(10),  # far too few rows
        "onet_element": t["onet_element"].drop("element_name"),  # missing column
        # Only a soft (mostly-based) check fails here: the table must not count as critically failed.
        "esco_skill_group": t["esco_skill_group"].with_columns(
            pl.lit(None, dtype=pl.String).alias("description")
        ),
    }


@pytest.fixture(scope="module")
def bad_report(tables: dict[str, pl.DataFrame]) -> ValidationReport:
    return validate_tables(_corrupt(tables), source="taxonomy", run_id="test-bad")


def _failed(report: ValidationReport, table: str, expectation: str, column: str | None) -> list:
    return [
        r
        for r in report.results
        if r.table_name == table
        and r.expectation == expectation
        and r.column_name == column
        and not r.success
    ]


def test_every_loaded_table_has_a_suite(tables: dict[str, pl.DataFrame]) -> None:
    assert set(SUITES) == EXPECTED_TABLES | {"posting_batch"}  # posting_batch: see test_postings_pipeline
    assert EXPECTED_TABLES <= set(tables)
    import great_expectations.expectations as gxe

    for name, specs in SUITES.items():
        assert specs == suite_for(name)
        kinds = {s.expectation for s in specs}
        assert {"ExpectTableRowCountToBeBetween", "ExpectTableColumnsToMatchSet"} <= kinds, name
        for s in specs:
            assert s.table == name
            getattr(gxe, s.expectation)(**s.kwargs)  # valid class and kwargs
            if "mostly" in s.kwargs:
                assert not s.critical
    assert suite_for("no_such_table") == []


def test_real_tables_pass_every_critical_expectation(real_report: ValidationReport) -> None:
    failed = [
        (r.table_name, r.expectation, r.column_name, r.details_json[:300]) for r in real_report.failures(True)
    ]
    assert failed == []
    assert real_report.ok and real_report.failed_critical_tables() == set()
    assert {r.table_name for r in real_report.results} == EXPECTED_TABLES
    assert len(real_report.results) == sum(len(SUITES[t]) for t in EXPECTED_TABLES)
    # Known soft finding: two O*NET alternate titles repeat with and without a short title.
    soft = next(
        r
        for r in real_report.results
        if r.table_name == "onet_alternate_title" and r.column_name == "soc_code,alternate_title"
    )
    assert soft.success and not soft.critical and soft.unexpected_count == 4


def test_real_validation_reports_its_time(real_report: ValidationReport) -> None:
    # ~690k rows across 18 tables; ~4 s plus a one-off ~8 s GX import on an idle 2-core machine. No bound here:
    # wall time depends on the machine's load (no test may depend on timing).
    assert real_report.seconds > 0


@pytest.mark.parametrize(
    ("table", "expectation", "column", "count"),
    [
        ("onet_occupation", "ExpectColumnValuesToMatchRegex", "soc_code", 1),
        ("onet_element_rating", "ExpectColumnValuesToBeBetween", "importance", 1),
        ("oews_wage", "ExpectColumnValuesToBeBetween", "a_median", 1),
        ("esco_skill", "ExpectColumnValuesToNotBeNull", "skill_uri", 1),
        ("onet_task_dwa", "ExpectCompoundColumnsToBeUnique", "soc_code,task_id,dwa_id", 6),
        ("onet_task", "ExpectColumnValuesToBeUnique", "task_id", 4),
        ("esco_occupation_skill", "ExpectColumnValuesToBeInSet", "relation_type", 1),
        ("onet_dwa", "ExpectTableRowCountToBeBetween", None, None),
        ("onet_element", "ExpectTableColumnsToMatchSet", None, None),
    ],
)
def test_corruption_fails_the_right_critical_expectation(
    bad_report: ValidationReport, table: str, expectation: str, column: str | None, count: int | None
) -> None:
    hits = _failed(bad_report, table, expectation, column)
    assert hits, f"{table}: {expectation}({column}) did not fail"
    assert all(h.critical for h in hits)
    assert count in {h.unexpected_count for h in hits}
    assert table in bad_report.failed_critical_tables()
    assert json.loads(hits[0].details_json)["kwargs"]


def test_corruption_report_flags_only_corrupted_tables(
    bad_report: ValidationReport, tables: dict[str, pl.DataFrame]
) -> None:
    assert not bad_report.ok
    assert bad_report.failed_critical_tables() == {
        "onet_occupation", "onet_element_rating", "oews_wage", "esco_skill", "onet_task_dwa", "onet_task",
        "esco_occupation_skill", "onet_dwa", "onet_element",
    }  # fmt: skip
    # The negative wage breaks both "> 0" and "10,000-1,000,000"; the null URI is not also a regex failure.
    assert len(_failed(bad_report, "oews_wage", "ExpectColumnValuesToBeBetween", "a_median")) == 2
    assert not _failed(bad_report, "esco_skill", "ExpectColumnValuesToMatchRegex", "skill_uri")
    soft = _failed(bad_report, "esco_skill_group", "ExpectColumnValuesToNotBeNull", "description")
    assert len(soft) == 1 and not soft[0].critical
    assert soft[0].unexpected_count == tables["esco_skill_group"].height


def test_report_frame_matches_dq_results(real_report: ValidationReport) -> None:
    import duckdb

    from careeros.warehouse.db import ensure_schema

    frame = real_report.to_polars()
    assert tuple(frame.columns) == DQ_COLUMNS
    assert frame.height == len(real_report.results)
    assert frame["run_id"].unique().to_list() == ["test-real"]
    assert frame["source"].unique().to_list() == ["taxonomy"]
    assert frame.schema["critical"] == pl.Boolean and frame.schema["unexpected_count"] == pl.Int64
    assert frame["validated_at"].null_count() == 0
    con = duckdb.connect()
    try:
        ensure_schema(con)
        con.execute("INSERT INTO dq_results BY NAME SELECT * FROM frame")
        assert con.sql("SELECT count(*) FROM dq_results").fetchall() == [(frame.height,)]
        stored = con.sql("SELECT * FROM dq_results WHERE NOT success").pl()
        assert stored.height == frame.filter(~pl.col("success")).height
    finally:
        con.close()


def test_tables_without_suite_are_ignored() -> None:
    report = validate_tables({"not_a_table": pl.DataFrame({"a": [1]})}, source="x", run_id="r")
    assert report.results == [] and report.ok
    assert tuple(report.to_polars().columns) == DQ_COLUMNS


def test_data_docs_written(
    tables: dict[str, pl.DataFrame], tmp_path: Path, capfd: pytest.CaptureFixture
) -> None:
    report = validate_tables(
        {"esco_occupation": tables["esco_occupation"], "onet_element": tables["onet_element"]},
        source="taxonomy",
        run_id="test-docs",
        data_docs_dir=tmp_path / "docs",
    )
    assert report.ok
    assert report.data_docs_index and report.data_docs_index.endswith("index.html")
    index = Path(report.data_docs_index.removeprefix("file://"))
    assert index.is_file() and index.is_relative_to(tmp_path / "docs")
    assert list(index.parent.rglob("validations/**/*.html"))
    err = capfd.readouterr().err
    assert "Calculating Metrics" not in err  # no tqdm progress bars
