"""Prefect tasks for taxonomy and wage ingestion (near one-liners over careeros.warehouse.taxonomy_load)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.graph import store
from careeros.metrics.analytics import publish_analytics as publish_analytics_snapshot
from careeros.taxonomy.common import LoadResult
from careeros.taxonomy.sources import SourceFingerprint
from careeros.warehouse import taxonomy_load as tl


@task(name="fingerprint-sources", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fingerprint_sources(datasets: Path, only: list[str] | None = None) -> list[SourceFingerprint]:
    """Hash each source's files."""
    return tl.fingerprints(datasets, only)


@task(name="check-unchanged", cache_policy=NO_CACHE)
def check_unchanged(warehouse: Path, fp: SourceFingerprint) -> bool:
    """Is this source version already loaded?"""
    return tl.check_unchanged(warehouse, fp)


@task(name="record-skip", cache_policy=NO_CACHE)
def record_skip(warehouse: Path, fp: SourceFingerprint, run_id: str, started_at: datetime) -> tl.SourceLoadSummary:
    """Record an unchanged source."""
    return tl.record_skip(warehouse, fp, run_id, started_at)


@task(name="keep-raw", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def keep_raw(warehouse: Path, raw_dir: Path, fp: SourceFingerprint, run_id: str) -> int:
    """Copy raw files into the content-addressed store."""
    return tl.store_raw(warehouse, raw_dir, fp, run_id)


@task(name="read-source", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_source(fp: SourceFingerprint) -> LoadResult:
    """Parse a source into frames."""
    return tl.read_source(fp)


@task(name="validate-source", cache_policy=NO_CACHE)
def validate_source(result: LoadResult, fp: SourceFingerprint, run_id: str, docs_dir: Path | None) -> tl.ValidationOutcome:
    """Great Expectations suites on the source's frames."""
    return tl.validate_source(result, fp, run_id, docs_dir)


@task(name="write-source", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def write_source(
    warehouse: Path, fp: SourceFingerprint, result: LoadResult, outcome: tl.ValidationOutcome, run_id: str,
    started_at: datetime, timings: dict[str, float] | None = None,
) -> tl.SourceLoadSummary:
    """Atomically replace the source's tables (or keep the previous version on DQ failure)."""
    return tl.write_source(warehouse, fp, result, outcome, run_id, started_at, timings)


@task(name="record-failure", cache_policy=NO_CACHE)
def record_failure(warehouse: Path, fp: SourceFingerprint, run_id: str, started_at: datetime,
                   error: str) -> tl.SourceLoadSummary:
    """Record a source that could not be read."""
    return tl.record_failure(warehouse, fp, run_id, started_at, error)


#: The source loop's stages as tasks: ``ingest-taxonomies`` runs :func:`careeros.warehouse.taxonomy_load.load_source`
#: with them.
STAGES = tl.TaxonomyStages(check_unchanged=check_unchanged, record_skip=record_skip, store_raw=keep_raw,
                           read_source=read_source, validate_source=validate_source, write_source=write_source,
                           record_failure=record_failure)


@task(name="build-graph", retries=1, retry_delay_seconds=3, cache_policy=NO_CACHE)
def build_graph(warehouse: Path, run_id: str, force: bool = False) -> tl.SourceLoadSummary:
    """Derive the skill-and-role graph when its inputs changed."""
    return store.build_and_store(warehouse, run_id, force)


@task(name="publish-analytics-snapshot", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_analytics(warehouse: Path, snapshot: Path) -> Path:
    """Checkpoint, then atomically publish the read-only analytics copy (with the analytics views)."""
    return publish_analytics_snapshot(warehouse=warehouse, dst=snapshot)
