"""Load taxonomy and wage sources into the warehouse, stage by stage (Prefect tasks wrap these)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
from pydantic import BaseModel

from careeros.taxonomy.common import LoadResult
from careeros.taxonomy.sources import SOURCES, SourceFingerprint, SourceSpec, fingerprint, source_by_name
from careeros.warehouse import loading
from careeros.warehouse.db import connect
from careeros.warehouse.provenance import Provenance


class SourceLoadSummary(BaseModel):
    """What happened to one source in one run."""

    source: str
    version: str
    sha256: str
    status: str  # succeeded | skipped | failed
    rows_read: int = 0
    rows_written: int = 0
    rows_quarantined: int = 0
    seconds: float = 0.0
    message: str | None = None
    tables: dict[str, int] = {}


@dataclass
class ValidationOutcome:
    """The data-quality verdict on a source's tables (critical failures stop its load)."""

    ok: bool
    failed_tables: set[str] = field(default_factory=set)
    results: pl.DataFrame | None = None
    failures: list[dict[str, object]] = field(default_factory=list)


def fingerprints(datasets: Path, only: list[str] | None = None) -> list[SourceFingerprint]:
    """Fingerprint every registered source (or the named ones)."""
    specs = [source_by_name(n) for n in only] if only else list(SOURCES)
    return [fingerprint(spec, datasets) for spec in specs]


def check_unchanged(warehouse: Path, fp: SourceFingerprint) -> bool:
    """True when the warehouse already holds this exact version of the source."""
    with connect(warehouse) as con:
        return loading.is_unchanged(con, fp.name, fp.sha256)


def store_raw(warehouse: Path, raw_dir: Path, fp: SourceFingerprint, run_id: str) -> int:
    """Keep the source's raw files (content-addressed) before any transformation."""
    with connect(warehouse) as con:
        return loading.keep_raw(con, fp.name, [(f.path, f.sha256, f.bytes) for f in fp.files], raw_dir, run_id)


def read_source(fp: SourceFingerprint) -> LoadResult:
    """Parse a source folder into typed frames and rejected rows."""
    return source_by_name(fp.name).reader(fp.folder)


def validate_source(result: LoadResult, fp: SourceFingerprint, run_id: str, docs_dir: Path | None) -> ValidationOutcome:
    """Run the Great Expectations suites of every table of the source."""
    from careeros.quality.gx import validate_tables

    report = validate_tables(result.tables, source=fp.name, run_id=run_id, data_docs_dir=docs_dir)
    failures: list[dict[str, object]] = [
        {"table": r.table_name, "expectation": r.expectation, "column": r.column_name,
         "unexpected_count": r.unexpected_count, "details": r.details_json}
        for r in report.results if r.critical and not r.success
    ]
    return ValidationOutcome(report.ok, set(report.failed_critical_tables()), report.to_polars(), failures)


def write_source(
    warehouse: Path,
    fp: SourceFingerprint,
    result: LoadResult,
    outcome: ValidationOutcome,
    run_id: str,
    started_at: datetime,
    timings: dict[str, float] | None = None,
) -> SourceLoadSummary:
    """Write a validated source atomically; on a critical DQ failure keep the previous version and quarantine."""
    spec: SourceSpec = source_by_name(fp.name)
    prov = Provenance(fp.name, fp.version, fp.sha256, run_id, loading.now_utc())
    quarantine = list(result.quarantine)
    t0 = time.perf_counter()
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            if outcome.results is not None and outcome.results.height:
                loading.insert_frame(con, "dq_results", outcome.results)
            if not outcome.ok:
                quarantine.extend(_dq_quarantine(outcome))
                n_q = loading.add_quarantine(con, run_id, fp.name, quarantine)
                msg = "critical data-quality expectations failed on " + ", ".join(sorted(outcome.failed_tables))
                msg += "; previous version kept"
                loading.record_run(
                    con, run_id, fp.name, "failed", started_at, source_version=fp.version, source_sha256=fp.sha256,
                    rows_read=result.rows_read, rows_quarantined=n_q, message=msg, timings=timings,
                )
                con.execute("COMMIT")
                return SourceLoadSummary(source=fp.name, version=fp.version, sha256=fp.sha256, status="failed",
                                         rows_read=result.rows_read, rows_quarantined=n_q, message=msg,
                                         seconds=_secs(started_at))
            missing = set(spec.tables) - set(result.tables)
            if missing:
                raise ValueError(f"reader for {fp.name} did not produce tables {sorted(missing)}")
            counts = loading.replace_source_tables(con, {t: result.tables[t] for t in spec.tables}, prov)
            n_q = loading.add_quarantine(con, run_id, fp.name, quarantine)
            files = [{"name": f.path.name, "sha256": f.sha256, "bytes": f.bytes} for f in fp.files]
            loading.record_source_version(con, prov, files, counts)
            timings = dict(timings or {}, write=round(time.perf_counter() - t0, 3))
            loading.record_run(
                con, run_id, fp.name, "succeeded", started_at, source_version=fp.version, source_sha256=fp.sha256,
                rows_read=result.rows_read, rows_written=sum(counts.values()), rows_quarantined=n_q,
                timings=timings,
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SourceLoadSummary(source=fp.name, version=fp.version, sha256=fp.sha256, status="succeeded",
                             rows_read=result.rows_read, rows_written=sum(counts.values()), rows_quarantined=n_q,
                             tables=counts, seconds=_secs(started_at))


def record_skip(warehouse: Path, fp: SourceFingerprint, run_id: str, started_at: datetime) -> SourceLoadSummary:
    """Record that a source was unchanged and skipped."""
    msg = "unchanged since last load (same sha256)"
    with connect(warehouse) as con:
        loading.record_run(con, run_id, fp.name, "skipped", started_at, source_version=fp.version,
                           source_sha256=fp.sha256, message=msg)
    return SourceLoadSummary(source=fp.name, version=fp.version, sha256=fp.sha256, status="skipped", message=msg)


def record_failure(warehouse: Path, fp: SourceFingerprint, run_id: str, started_at: datetime, error: str) -> SourceLoadSummary:
    """Record a source whose load raised (unreadable files, schema drift): previous version stays."""
    with connect(warehouse) as con:
        loading.record_run(con, run_id, fp.name, "failed", started_at, source_version=fp.version,
                           source_sha256=fp.sha256, message=error[:2000])
    return SourceLoadSummary(source=fp.name, version=fp.version, sha256=fp.sha256, status="failed", message=error)


def _dq_quarantine(outcome: ValidationOutcome) -> list[pl.DataFrame]:
    rows = [
        {"table_name": str(f["table"]), "record_key": None,
         "reason": f"failed critical expectation {f['expectation']}"
                   + (f" on column {f['column']}" if f.get("column") else "")
                   + (f" ({f['unexpected_count']} unexpected rows)" if f.get("unexpected_count") is not None else ""),
         "record_json": json.dumps(f, default=str)}
        for f in outcome.failures
    ]
    return [pl.DataFrame(rows, schema={"table_name": pl.String, "record_key": pl.String, "reason": pl.String,
                                       "record_json": pl.String})] if rows else []


def _secs(started_at: datetime) -> float:
    return round((loading.now_utc() - started_at).total_seconds(), 3)


@dataclass(frozen=True)
class TaxonomyStages:
    """The stages of one source's load, as callables with the signatures of the functions above.

    :meth:`direct` runs them in-process; the ``ingest-taxonomies`` flow passes its Prefect tasks
    (``tasks/taxonomy.py`` ``STAGES``), so the loop of :func:`load_source` is written once and both paths share it.
    """

    check_unchanged: Callable[..., bool]
    record_skip: Callable[..., SourceLoadSummary]
    store_raw: Callable[..., int]
    read_source: Callable[..., LoadResult]
    validate_source: Callable[..., ValidationOutcome]
    write_source: Callable[..., SourceLoadSummary]
    record_failure: Callable[..., SourceLoadSummary]

    @classmethod
    def direct(cls) -> TaxonomyStages:
        """The plain functions of this module (looked up when called, so a test can swap one)."""
        return cls(check_unchanged=check_unchanged, record_skip=record_skip, store_raw=store_raw,
                   read_source=read_source, validate_source=validate_source, write_source=write_source,
                   record_failure=record_failure)


def _no_progress(message: str) -> None:
    """Default progress hook of :func:`load_source`: nothing."""


def load_source(
    warehouse: Path, raw_dir: Path, fp: SourceFingerprint, run_id: str, docs_dir: Path | None = None,
    force: bool = False, stages: TaxonomyStages | None = None, progress: Callable[[str], None] = _no_progress,
) -> SourceLoadSummary:
    """All stages for one source: check -> keep raw -> read -> validate -> write.

    A source that cannot be kept, read or validated is recorded as failed (the previous version stays) and
    never raises: a broken source must not take the others down.
    """
    st = stages or TaxonomyStages.direct()
    started = loading.now_utc()
    progress("checking")
    if not force and st.check_unchanged(warehouse, fp):
        return st.record_skip(warehouse, fp, run_id, started)
    progress("loading")
    timings: dict[str, float] = {}
    try:
        t = time.perf_counter()
        st.store_raw(warehouse, raw_dir, fp, run_id)
        timings["keep_raw"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        result = st.read_source(fp)
        timings["read"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        outcome = st.validate_source(result, fp, run_id, docs_dir)
        timings["validate"] = round(time.perf_counter() - t, 3)
    except Exception as exc:  # a broken source must not take the others down
        return st.record_failure(warehouse, fp, run_id, started, f"{type(exc).__name__}: {exc}")
    return st.write_source(warehouse, fp, result, outcome, run_id, started, timings)
