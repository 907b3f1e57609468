"""The postings pipeline (pure stages, then the ingest-postings flow) on a small subset of the real postings."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from careeros.market import pipeline as P
from careeros.market.sources import GenericFeedSource
from careeros.warehouse.db import connect, fetch_one
from careeros.warehouse.provenance import new_run_id

N_HN, N_LINKEDIN, N_USAJOBS_JSONL, N_USAJOBS_PARQUET = 200, 500, 200, 100
MALFORMED = '{"id": 999999999, "text_html": "truncated'
DEMAND = ("demand_weekly", "demand_overall", "demand_trends", "market_value")


def _head_lines_gz(src: Path, dst: Path, n: int, extra: list[str] = ()) -> None:
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        lines = [next(fh).rstrip("\n") for _ in range(n)]
    with gzip.open(dst, "wt", encoding="utf-8") as out:
        out.write("\n".join([*lines, *extra]) + "\n")


@pytest.fixture(scope="module")
def small_datasets(datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Taxonomy folders symlinked; the first rows of each posting source in the same file formats."""
    root = tmp_path_factory.mktemp("datasets")
    for name in ("onet-29.3", "esco-1.2.0", "bls-oews-2025"):
        (root / name).symlink_to(datasets / name)
    hn = root / "job-postings-hn-2026"
    hn.mkdir()
    _head_lines_gz(datasets / "job-postings-hn-2026/hn_jobs_2026.jsonl.gz", hn / "hn_jobs_2026.jsonl.gz", N_HN,
                   [MALFORMED])
    li_src, li = datasets / "job-postings-linkedin-2023", root / "job-postings-linkedin-2023"
    li.mkdir()
    for f in li_src.iterdir():
        if f.name != "job_postings.csv.gz":
            (li / f.name).symlink_to(f)
    jobs = pl.read_csv(li_src / "job_postings.csv.gz", infer_schema=False, n_rows=N_LINKEDIN)
    with gzip.open(li / "job_postings.csv.gz", "wb") as fh:
        jobs.write_csv(fh)
    us_src, us = datasets / "job-postings-usajobs", root / "job-postings-usajobs"
    us.mkdir()
    _head_lines_gz(us_src / "usajobs_2024_2025_partial.jsonl.gz", us / "usajobs_2024_2025_partial.jsonl.gz",
                   N_USAJOBS_JSONL)
    pl.read_parquet(us_src / "historical_jobs_2016.parquet").head(N_USAJOBS_PARQUET).write_parquet(
        us / "historical_jobs_2016.parquet")
    return root


@pytest.fixture(scope="module")
def models_home(built_home: Path) -> Path:
    """Build the title and skill models once into the shared home's cache, so every copy has them."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CAREEROS_HOME", str(built_home))
    from careeros.settings import get_settings

    get_settings.cache_clear()
    try:
        P.load_models()
    finally:
        mp.undo()
        get_settings.cache_clear()
    return built_home


def _home(models_home: Path, tmp_path_factory: pytest.TempPathFactory, small: Path,
          mp: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home") / "h"
    shutil.copytree(models_home, home)
    mp.setenv("CAREEROS_HOME", str(home))
    mp.setenv("CAREEROS_DATASETS", str(small))
    from careeros.settings import get_settings

    get_settings.cache_clear()
    return home


def table_counts(wh: Path) -> dict[str, int]:
    tables = ("posting_raw", "posting", "posting_skill", "quarantine", "posting_raw_state", *DEMAND)
    with connect(wh, read_only=True) as con:
        return {t: fetch_one(con.execute(f"SELECT count(*) FROM {t}"))[0] for t in tables}  # type: ignore[index]


def demand_checksum(wh: Path) -> dict[str, tuple]:
    """Order-independent checksum of the value columns of each demand table."""
    out = {}
    with connect(wh, read_only=True) as con:
        for t in DEMAND:
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
                "ORDER BY ordinal_position",
                [t]).fetchall() if not r[0].startswith("_") and r[0] != "computed_at"]
            quoted = ", ".join(f'"{c}"' for c in cols)
            out[t] = fetch_one(con.execute(f"SELECT count(*), sum(hash({quoted})) FROM {t}"))
    return out


@pytest.fixture(scope="module")
def pure_run(models_home: Path, small_datasets: Path, tmp_path_factory: pytest.TempPathFactory):
    """The pure pipeline (no Prefect) on the subset: first run, plain re-run, forced re-run."""
    mp = pytest.MonkeyPatch()
    home = _home(models_home, tmp_path_factory, small_datasets, mp)
    wh = home / "warehouse.duckdb"
    try:
        sources = P.posting_sources(small_datasets)
        first = P.run_postings(wh, sources, new_run_id())
        after_first = (table_counts(wh), demand_checksum(wh))
        second = P.run_postings(wh, sources, new_run_id())
        after_second = (table_counts(wh), demand_checksum(wh))
        third = P.run_postings(wh, sources, new_run_id(), force=True)
        after_third = (table_counts(wh), demand_checksum(wh))
        yield {"wh": wh, "first": first, "second": second, "third": third, "after": [after_first, after_second,
                                                                                     after_third]}
    finally:
        mp.undo()
        from careeros.settings import get_settings

        get_settings.cache_clear()


def test_first_run_fills_postings_skills_and_demand(pure_run) -> None:
    by = {s.source: s for s in pure_run["first"]}
    assert set(by) == {"hn", "linkedin", "usajobs", P.DEMAND_SOURCE}
    assert by["hn"].rows_read == N_HN + 1
    assert by["linkedin"].rows_read == N_LINKEDIN
    assert by["usajobs"].rows_read == N_USAJOBS_JSONL + N_USAJOBS_PARQUET
    assert all(s.status == "succeeded" for s in by.values()), by
    counts, _ = pure_run["after"][0]
    assert counts["posting_raw"] == N_HN + 1 + N_LINKEDIN + N_USAJOBS_JSONL + N_USAJOBS_PARQUET
    assert counts["posting"] >= N_LINKEDIN + N_USAJOBS_JSONL + N_USAJOBS_PARQUET + N_HN * 0.9
    assert counts["posting_raw_state"] == counts["posting_raw"]
    assert counts["posting_skill"] > 300 and counts["demand_weekly"] > 0 and counts["market_value"] > 0
    with connect(pure_run["wh"], read_only=True) as con:
        filled = con.sql("SELECT source, avg((soc_code IS NOT NULL)::INT) AS f FROM posting GROUP BY source").pl()
        assert filled["f"].min() > 0.8, filled
        # LinkedIn skill categories are not graph skills: they stay on the posting, never in posting_skill
        li = fetch_one(con.execute(
            "SELECT count(*) FROM posting_skill WHERE posting_id LIKE 'linkedin:%' AND skill_id NOT LIKE '%:%'"))
        assert li == (0,)
        prov = fetch_one(con.execute("SELECT count(*) FROM posting_skill WHERE _run_id IS NULL OR _source IS NULL"))
        assert prov == (0,)
        runs = con.sql("SELECT source, status, rows_read, rows_written, timings_json FROM ingest_runs "
                       "WHERE source IN ('hn', 'linkedin', 'usajobs')").pl()
        assert runs.height == 9 and {"land", "parse", "validate", "write"} <= set(json.loads(runs["timings_json"][0]))


def test_malformed_line_is_quarantined_with_reason(pure_run) -> None:
    with connect(pure_run["wh"], read_only=True) as con:
        rows = con.execute("SELECT source, table_name, reason, record_json FROM quarantine "
                           "WHERE record_key = ?", ["999999999"]).fetchall()
    assert len(rows) == 1
    source, table, reason, record = rows[0]
    assert (source, table, record) == ("hn", "posting_raw", MALFORMED)
    assert reason.startswith("invalid JSON")


def test_rerun_changes_nothing(pure_run) -> None:
    first, second, third = pure_run["after"]
    assert second == first
    assert third == first  # even a forced re-run (streams every record again) adds nothing
    assert {s.source: s.status for s in pure_run["second"]} == {
        "hn": "skipped", "linkedin": "skipped", "usajobs": "skipped", P.DEMAND_SOURCE: "skipped"}
    assert all(s.rows_written == 0 for s in pure_run["third"] if s.source != P.DEMAND_SOURCE)


def test_batch_over_threshold_is_stopped_whole(pure_run, tmp_path: Path) -> None:
    wh = pure_run["wh"]
    lines = [json.dumps({"id": f"ok{i}", "title": "Data Engineer", "company": "Acme"}) for i in range(6)]
    lines += ["{broken", json.dumps({"id": "s1", "title": "Engineer", "salary_min": 5_000_000}),
              json.dumps({"id": "t1", "title": "Chef", "posted_at": "2001-01-01"}), "[1, 2]"]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n")
    summary = P.load_source(wh, GenericFeedSource(feed, name="feedx"), new_run_id())
    assert summary.status == "failed" and "stopped" in (summary.message or "")
    assert summary.rows_quarantined == len(lines) and summary.rows_written == 0
    with connect(wh, read_only=True) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM posting WHERE source = 'feedx'")) == (0,)
        reasons = [r[0] for r in con.execute("SELECT reason FROM quarantine WHERE source = 'feedx'").fetchall()]
        states = {r[0] for r in con.execute("SELECT status FROM posting_raw_state WHERE source = 'feedx'").fetchall()}
    assert len(reasons) == len(lines) and all(r.startswith("batch stopped: ") for r in reasons)
    assert "rows failed checks" in reasons[0] and any("posted_at outside" in r for r in reasons)
    assert states == {"stopped"}


def test_row_checks_quarantine_single_rows_below_threshold(tmp_path: Path) -> None:
    from careeros.market.sources.base import POSTING_SCHEMA

    def posting(i: int, **kw) -> dict:
        return {"posting_id": f"f:{i}:0", "source": "f", "source_record_id": str(i), "raw_sha256": f"h{i}",
                "title": "Engineer", **kw}

    rows = [posting(i) for i in range(9)] + [posting(9, salary_min=200_000.0, salary_max=100_000.0)]
    frame = pl.DataFrame(rows, schema={k: POSTING_SCHEMA[k] for k in
                                       ("posting_id", "source", "source_record_id", "raw_sha256", "title",
                                        "salary_min", "salary_max")})
    frame = frame.with_columns(pl.lit(None, dt).alias(c) for c, dt in POSTING_SCHEMA.items() if c not in frame.columns)
    keys = frame.select("source", "source_record_id", "raw_sha256")
    empty = pl.DataFrame(schema={"source": pl.String, "source_record_id": pl.String, "reason": pl.String,
                                 "raw_json": pl.String})
    v = P.validate(P.Batch("f", 0, keys, frame.select(list(POSTING_SCHEMA)), empty), "run", threshold=0.2, gx=False)
    assert not v.stopped and v.valid.height == 9
    assert v.quarantine["reason"].to_list() == ["salary_min > salary_max"]
    assert v.state.filter(pl.col("status") == "quarantined")["source_record_id"].to_list() == ["9"]


def test_flow_runs_on_prefect_server(prefect_server: None, pure_run, models_home: Path, small_datasets: Path,
                                     tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(models_home, tmp_path_factory, small_datasets, monkeypatch)
    from flows.ingest_postings import ingest_postings

    state = ingest_postings(return_state=True)
    assert state.is_completed()
    summaries = state.result()
    assert {s["source"]: s["status"] for s in summaries} == {
        "hn": "succeeded", "linkedin": "succeeded", "usajobs": "succeeded", P.DEMAND_SOURCE: "succeeded"}
    assert table_counts(home / "warehouse.duckdb") == pure_run["after"][0][0]
    assert demand_checksum(home / "warehouse.duckdb") == pure_run["after"][0][1]
    from careeros.cli.core import status_dict

    c = status_dict(home)["counts"]
    assert c["postings"] == pure_run["after"][0][0]["posting"]
    assert c["postings_quarantined"] >= 1 and c["demand_rows"] == pure_run["after"][0][0]["demand_weekly"]


def test_user_feed_files_become_sources(tmp_path: Path) -> None:
    from careeros.market.pipeline import feed_sources

    feeds = tmp_path / "feeds"
    feeds.mkdir()
    (feeds / "My Saved Jobs.jsonl").write_text('{"id": "a1", "title": "Data Engineer"}\n')
    (feeds / "notes.txt").write_text("not a feed")
    srcs = feed_sources(feeds)
    assert [s.name for s in srcs] == ["feed-my-saved-jobs"]
    raws = list(srcs[0].iter_raw())
    assert len(raws) == 1 and raws[0].source_record_id == "a1"
    assert feed_sources(tmp_path / "missing") == []


def content_checksum(wh: Path) -> dict[str, tuple]:
    """Order-independent checksum of what a load decides (not when or by which run)."""
    with connect(wh, read_only=True) as con:
        return {
            "posting": fetch_one(con.execute(
                "SELECT count(*), sum(hash(posting_id, raw_sha256, is_current, soc_code, title, salary_min)) "
                "FROM posting")),
            "posting_skill": fetch_one(con.execute(
                "SELECT count(*), sum(hash(posting_id, raw_sha256, skill_id, score, start)) FROM posting_skill")),
            "state": fetch_one(con.execute(
                "SELECT count(*), sum(hash(source, source_record_id, raw_sha256, status)) FROM posting_raw_state")),
            "quarantine": fetch_one(con.execute("SELECT count(*), sum(hash(record_key, reason)) FROM quarantine")),
        }


@pytest.fixture(scope="module")
def one_chunk(models_home: Path, small_datasets: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Reference: every source in one chunk (checksums after the first pure run)."""
    mp = pytest.MonkeyPatch()
    home = _home(models_home, tmp_path_factory, small_datasets, mp)
    try:
        P.run_postings(home / "warehouse.duckdb", P.posting_sources(small_datasets), new_run_id())
        return {"tables": table_counts(home / "warehouse.duckdb"), "content": content_checksum(home / "warehouse.duckdb"),
                "demand": demand_checksum(home / "warehouse.duckdb")}
    finally:
        mp.undo()


def test_small_chunks_give_the_same_warehouse(one_chunk: dict, models_home: Path, small_datasets: Path,
                                              tmp_path_factory: pytest.TempPathFactory,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(models_home, tmp_path_factory, small_datasets, monkeypatch)
    wh = home / "warehouse.duckdb"
    out = P.run_postings(wh, P.posting_sources(small_datasets), new_run_id(), chunk_rows=120)
    by = {s.source: s for s in out}
    assert all(s.status == "succeeded" for s in by.values()), by
    assert by["linkedin"].rows_read == N_LINKEDIN
    with connect(wh, read_only=True) as con:
        chunks = dict(con.execute("SELECT source, json_extract(timings_json, '$.chunks')::INT FROM ingest_runs "
                                  "WHERE source IN ('hn', 'linkedin', 'usajobs')").fetchall())
    assert chunks == {"hn": 2, "linkedin": 5, "usajobs": 3}  # 201, 500, 300 raw records in chunks of 120
    assert content_checksum(wh) == one_chunk["content"]
    assert table_counts(wh) == one_chunk["tables"] and demand_checksum(wh) == one_chunk["demand"]


def test_failed_chunk_keeps_earlier_chunks_and_the_next_run_resumes(one_chunk: dict, models_home: Path,
                                                                     small_datasets: Path,
                                                                     tmp_path_factory: pytest.TempPathFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = _home(models_home, tmp_path_factory, small_datasets, monkeypatch)
    wh = home / "warehouse.duckdb"
    linkedin = [s for s in P.posting_sources(small_datasets) if s.name == "linkedin"]
    real_enrich, calls = P.enrich, []

    def flaky(validated, models=None):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("model server went away")
        return real_enrich(validated, models)

    monkeypatch.setattr(P, "enrich", flaky)
    failed = P.load_source(wh, linkedin[0], new_run_id(), chunk_rows=120)
    assert failed.status == "failed" and "2 chunk(s) written before" in (failed.message or "")
    with connect(wh, read_only=True) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM posting_raw_state WHERE source = 'linkedin'")) == (240,)
    monkeypatch.setattr(P, "enrich", real_enrich)
    resumed = P.run_postings(wh, P.posting_sources(small_datasets), new_run_id(), chunk_rows=120)
    by = {s.source: s for s in resumed}
    assert by["linkedin"].status == "succeeded" and by["linkedin"].tables["posting"] == N_LINKEDIN - 240
    assert content_checksum(wh) == one_chunk["content"]
    assert table_counts(wh) == one_chunk["tables"] and demand_checksum(wh) == one_chunk["demand"]
