"""Flow ``ingest-postings``: job postings (land -> parse -> validate -> enrich -> write) per source, then demand."""

from __future__ import annotations

import time
from uuid import UUID

import polars as pl
from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

from careeros.market.pipeline import CHUNK_ROWS, postings_markdown
from careeros.progress import report
from careeros.settings import get_settings
from careeros.warehouse import loading
from careeros.warehouse.provenance import new_run_id
from flows.homes import for_home
from tasks import postings as t
from tasks.taxonomy import publish_analytics


def _run_id() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else new_run_id()


@flow(name="ingest-postings", log_prints=False)
@for_home
def ingest_postings(force: bool = False, sources: list[str] | None = None, run_id: str | None = None,
                    home: str | None = None) -> list[dict]:
    """Load each posting source's new record versions, recompute demand, publish a snapshot."""
    settings = get_settings()
    run_id = run_id or _run_id()
    warehouse, docs = settings.warehouse_path, settings.home / "data_docs"
    srcs = t.posting_sources(settings.resolve_datasets(), sources, settings.feeds_dir)
    progress: UUID = create_progress_artifact(  # type: ignore[assignment]  # sync call inside a sync flow
        progress=0.0, key="ingest-postings-progress", description="Posting sources loaded")
    steps = len(srcs) + 1
    summaries = []
    for i, src in enumerate(srcs):
        started = loading.now_utc()
        report(f"{src.name}: landing", i / steps)
        try:
            landed = t.land(warehouse, src, run_id, force)
            if landed.skipped:
                summaries.append(t.record_skip(warehouse, landed, run_id, started))
            else:
                timings = {"land": landed.seconds, "parse": 0.0, "validate": 0.0}
                chunks: list = []
                index = 0
                while True:  # chunk by chunk: memory bounded by CHUNK_ROWS, a crash resumes after the last chunk
                    report(f"{src.name}: parsing (chunk {len(chunks) + 1})", (i + 0.2) / steps)
                    t0 = time.perf_counter()
                    batches = t.parse(warehouse, src, CHUNK_ROWS, index)
                    t1 = time.perf_counter()
                    timings["parse"] = round(timings["parse"] + t1 - t0, 3)
                    if not batches:
                        break
                    index += len(batches)
                    n_raw = sum(b.raw_keys.height for b in batches)
                    report(f"{src.name}: validating (chunk {len(chunks) + 1})", (i + 0.4) / steps)
                    validated = t.validate(batches, run_id, docs)
                    timings["validate"] = round(timings["validate"] + time.perf_counter() - t1, 3)
                    del batches
                    report(f"{src.name}: titles and skills (chunk {len(chunks) + 1})", (i + 0.6) / steps)
                    enriched = t.enrich(validated)
                    report(f"{src.name}: writing (chunk {len(chunks) + 1})", (i + 0.9) / steps)
                    chunks.append(t.write_chunk(warehouse, landed, validated, enriched, run_id))
                    del validated, enriched
                    if n_raw < CHUNK_ROWS:
                        break
                summaries.append(t.finish(warehouse, landed, chunks, run_id, started, timings))
        except Exception as exc:  # a broken source must not take the others down
            summaries.append(t.record_failure(warehouse, src, run_id, started, f"{type(exc).__name__}: {exc}"))
        update_progress_artifact(progress, progress=100.0 * (i + 1) / steps)
    report("demand: aggregating", len(srcs) / steps)
    summaries.append(t.aggregate(warehouse, run_id, force))
    publish_analytics(warehouse, settings.analytics_path)
    update_progress_artifact(progress, progress=100.0)
    report("done", 1.0)
    out = [s.model_dump() for s in summaries]
    rising = pl.DataFrame(t.rising_skills(warehouse))
    create_markdown_artifact(markdown=postings_markdown(out, rising, run_id), key="ingest-postings-summary",
                             description="Postings ingestion summary")
    return out
