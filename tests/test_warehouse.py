"""Migrations, loaders on the real datasets, skip-if-unchanged, quarantine and GX failure handling."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import duckdb
import pytest

from careeros.taxonomy.sources import SOURCES, fingerprint, source_by_name
from careeros.warehouse.db import connect, ensure_schema, fetch_one
from careeros.warehouse.migrations import MIGRATIONS
from careeros.warehouse.provenance import PROVENANCE_COLUMNS, new_run_id
from careeros.warehouse.taxonomy_load import load_source


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    first = ensure_schema(con)
    second = ensure_schema(con)
    assert first == [v for v, _, _ in MIGRATIONS]
    assert second == []
    assert fetch_one(con.execute("SELECT count(*) FROM schema_migrations")) == (len(MIGRATIONS),)
    con.close()
    with connect(path) as c2:  # reopening applies nothing new
        assert fetch_one(c2.execute("SELECT count(*) FROM schema_migrations")) == (len(MIGRATIONS),)


@pytest.mark.parametrize(
    ("source", "table", "expected"),
    [
        ("onet", "onet_occupation", 1016),
        ("onet", "onet_alternate_title", 56560),
        ("onet", "onet_technology", 32681),
        ("onet", "onet_task", 18796),
        ("onet", "onet_reported_title", 7796),
        ("onet", "onet_tool", 41662),
        ("esco", "esco_occupation", 3039),
        ("esco", "esco_skill", 13939),
        ("oews", "oews_wage", 1104 + 235695),
    ],
)
def test_loaders_on_real_data(built_home: Path, source: str, table: str, expected: int) -> None:
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        n = fetch_one(con.execute(f"SELECT count(*) FROM {table}"))[0]
        src = con.execute(f"SELECT DISTINCT _source FROM {table}").fetchall()
    assert n == expected
    assert src == [(source,)]


def test_every_derived_row_has_provenance(built_home: Path) -> None:
    with connect(built_home / "warehouse.duckdb", read_only=True) as con:
        for spec in SOURCES:
            for table in spec.tables:
                cols = [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]
                assert set(PROVENANCE_COLUMNS) <= set(cols), table
                nulls = fetch_one(con.execute(
                    f"SELECT count(*) FROM {table} WHERE _source_sha256 IS NULL OR _run_id IS NULL"
                ))[0]
                assert nulls == 0
        files = fetch_one(con.execute("SELECT count(*), count(DISTINCT sha256) FROM raw_files"))
    assert files[0] == files[1] > 30  # raw files kept, content-addressed


def test_second_load_is_a_noop(home_copy: Path, datasets: Path) -> None:
    wh = home_copy / "warehouse.duckdb"
    with connect(wh, read_only=True) as con:
        before = con.execute("SELECT source, source_sha256, loaded_at FROM source_versions ORDER BY 1").fetchall()
        n_before = fetch_one(con.execute("SELECT count(*) FROM onet_alternate_title"))[0]
    run = new_run_id()
    for spec in SOURCES:
        assert load_source(wh, home_copy / "raw", fingerprint(spec, datasets), run).status == "skipped"
    with connect(wh, read_only=True) as con:
        after = con.execute("SELECT source, source_sha256, loaded_at FROM source_versions ORDER BY 1").fetchall()
        assert fetch_one(con.execute("SELECT count(*) FROM onet_alternate_title"))[0] == n_before
        statuses = con.execute("SELECT DISTINCT status FROM ingest_runs WHERE run_id = ?", [run]).fetchall()
    assert before == after
    assert statuses == [("skipped",)]


def _copy_source(datasets: Path, tmp: Path, folder: str) -> Path:
    dst = tmp / "datasets"
    for spec in SOURCES:
        src = datasets / spec.folder
        if spec.folder == folder:
            shutil.copytree(src, dst / spec.folder)
        else:
            (dst / spec.folder).parent.mkdir(parents=True, exist_ok=True)
            (dst / spec.folder).symlink_to(src)
    return dst


def test_gx_critical_failure_keeps_previous_version(home_copy: Path, datasets: Path, tmp_path: Path) -> None:
    wh = home_copy / "warehouse.duckdb"
    corrupt = _copy_source(datasets, tmp_path, "onet-29.3")
    occ = corrupt / "onet-29.3" / "occupation_data.csv.gz"
    lines = gzip.decompress(occ.read_bytes()).decode().splitlines(keepends=True)
    occ.write_bytes(gzip.compress("".join(lines[:11]).encode()))  # 10 occupations: far below the expected range
    with connect(wh, read_only=True) as con:
        before = fetch_one(con.execute("SELECT source_sha256 FROM source_versions WHERE source = 'onet'"))
    run = new_run_id()
    summary = load_source(wh, home_copy / "raw", fingerprint(source_by_name("onet"), corrupt), run)
    assert summary.status == "failed"
    assert "previous version kept" in (summary.message or "")
    with connect(wh, read_only=True) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM onet_occupation"))[0] == 1016
        assert fetch_one(con.execute("SELECT source_sha256 FROM source_versions WHERE source = 'onet'")) == before
        q = con.execute("SELECT table_name, reason FROM quarantine WHERE run_id = ?", [run]).fetchall()
        dq = fetch_one(con.execute(
            "SELECT count(*) FROM dq_results WHERE run_id = ? AND critical AND NOT success", [run]
        ))[0]
        status = fetch_one(con.execute("SELECT status FROM ingest_runs WHERE run_id = ? AND source = 'onet'", [run]))
    assert ("onet_occupation" in {t for t, _ in q}) and any("critical expectation" in r for _, r in q)
    assert dq >= 1
    assert status == ("failed",)


def test_bad_rows_are_quarantined_with_reason(home_copy: Path, datasets: Path, tmp_path: Path) -> None:
    wh = home_copy / "warehouse.duckdb"
    corrupt = _copy_source(datasets, tmp_path, "onet-29.3")
    alt = corrupt / "onet-29.3" / "alternate_titles.csv.gz"
    text = gzip.decompress(alt.read_bytes()).decode()
    text += "15-12XX.00,Software Developers,Broken Code Title,,08\n"
    alt.write_bytes(gzip.compress(text.encode()))
    run = new_run_id()
    summary = load_source(wh, home_copy / "raw", fingerprint(source_by_name("onet"), corrupt), run)
    assert summary.status == "succeeded"
    assert summary.rows_quarantined == 1
    with connect(wh, read_only=True) as con:
        rows = con.execute("SELECT table_name, reason, record_json FROM quarantine WHERE run_id = ?", [run]).fetchall()
        assert fetch_one(con.execute("SELECT count(*) FROM onet_alternate_title"))[0] == 56560
    assert rows[0][0] == "onet_alternate_title"
    assert rows[0][1] == "invalid O*NET-SOC code"
    assert "Broken Code Title" in rows[0][2]


def test_missing_file_fails_clearly_and_keeps_previous(home_copy: Path, datasets: Path, tmp_path: Path) -> None:
    wh = home_copy / "warehouse.duckdb"
    corrupt = _copy_source(datasets, tmp_path, "esco-1.2.0")
    (corrupt / "esco-1.2.0" / "occupations_en.csv.gz").unlink()
    summary = load_source(wh, home_copy / "raw", fingerprint(source_by_name("esco"), corrupt), new_run_id())
    assert summary.status == "failed"
    assert "occupations_en" in (summary.message or "")
    with connect(wh, read_only=True) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM esco_occupation"))[0] == 3039


def test_official_onet_text_release_is_accepted(datasets: Path, tmp_path: Path) -> None:
    """Loaders accept O*NET's tab-delimited text files (e.g. 'Occupation Data.txt')."""
    import polars as pl

    from careeros.taxonomy.common import read_table

    src = pl.read_csv(datasets / "onet-29.3" / "occupation_data.csv.gz", infer_schema=False)
    src.write_csv(tmp_path / "Occupation Data.txt", separator="\t")
    files: list[Path] = []
    df = read_table(tmp_path, "occupation_data", "Occupation Data", files)
    assert df.height == 1016 and files[0].name == "Occupation Data.txt"
