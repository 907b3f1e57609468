"""Prefect tasks for job-posting ingestion (near one-liners over careeros.market.pipeline)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import task
from prefect.cache_policies import NO_CACHE

from careeros.market import pipeline as p
from careeros.market.sources import PostingSource
from careeros.warehouse.taxonomy_load import SourceLoadSummary


@task(name="posting-sources", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def posting_sources(datasets: Path, only: list[str] | None = None, feeds_dir: Path | None = None) -> list[PostingSource]:
    """The bundled posting sources whose files exist, plus the user's feed files."""
    return p.posting_sources(datasets, only, feeds_dir)


@task(name="land-postings", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def land(warehouse: Path, source: PostingSource, run_id: str, batch_size: int = p.BATCH_SIZE,
         force: bool = False) -> p.Landed:
    """Stream raw records into posting_raw (new versions only)."""
    return p.land(warehouse, source, run_id, batch_size, force=force)


@task(name="parse-postings", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def parse(warehouse: Path, source: PostingSource, batch_size: int = p.BATCH_SIZE, limit: int | None = None,
          first_index: int = 0) -> list[p.Batch]:
    """Parse the next ``limit`` unprocessed raw versions into batches."""
    return p.parse(warehouse, source, batch_size, limit=limit, first_index=first_index)


@task(name="validate-postings", cache_policy=NO_CACHE)
def validate(batches: list[p.Batch], run_id: str, docs_dir: Path | None = None) -> list[p.ValidatedBatch]:
    """Row checks and GX per batch; stop batches over the quarantine threshold."""
    return p.validate_chunk(batches, run_id, docs_dir)


@task(name="enrich-postings", cache_policy=NO_CACHE)
def enrich(validated: list[p.ValidatedBatch], models: tuple[Any, Any] | None = None) -> p.Enriched:
    """Title normalisation and skill extraction."""
    return p.enrich(validated, models)


@task(name="write-postings-chunk", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def write_chunk(warehouse: Path, landed: p.Landed, validated: list[p.ValidatedBatch], enriched: p.Enriched,
                run_id: str) -> p.ChunkWritten:
    """Upsert one chunk's postings and skills, quarantine, mark its raw versions processed."""
    return p.write_chunk(warehouse, landed, validated, enriched, run_id)


@task(name="finish-postings", retries=2, retry_delay_seconds=3, cache_policy=NO_CACHE)
def finish(warehouse: Path, landed: p.Landed, chunks: list[p.ChunkWritten], run_id: str, started_at: datetime,
           timings: dict[str, float]) -> SourceLoadSummary:
    """Record the source version and the run."""
    return p.finish(warehouse, landed, chunks, run_id, started_at, timings)


@task(name="record-postings-skip", cache_policy=NO_CACHE)
def record_skip(warehouse: Path, landed: p.Landed, run_id: str, started_at: datetime) -> SourceLoadSummary:
    """Record an unchanged posting source."""
    return p.record_skip(warehouse, landed, run_id, started_at)


@task(name="record-postings-failure", cache_policy=NO_CACHE)
def record_failure(warehouse: Path, source: PostingSource, run_id: str, started_at: datetime,
                   error: str) -> SourceLoadSummary:
    """Record a posting source whose load raised."""
    return p.record_failure(warehouse, source, run_id, started_at, error)


#: The source loop's stages as tasks: ``ingest-postings`` runs :func:`careeros.market.pipeline.load_source` with them.
STAGES = p.PostingStages(land=land, parse=parse, validate=validate, enrich=enrich, write_chunk=write_chunk,
                         finish=finish, record_skip=record_skip, record_failure=record_failure)


@task(name="aggregate-demand", retries=1, retry_delay_seconds=3, cache_policy=NO_CACHE)
def aggregate(warehouse: Path, run_id: str, force: bool = False) -> SourceLoadSummary:
    """Recompute demand_weekly, demand_overall, demand_trends and market_value."""
    return p.aggregate(warehouse, run_id, force)


@task(name="rising-skills", cache_policy=NO_CACHE)
def rising_skills(warehouse: Path, n: int = 10) -> list[dict]:
    """Top rising skills by 12-week trend."""
    return p.rising_skills(warehouse, n).to_dicts()
