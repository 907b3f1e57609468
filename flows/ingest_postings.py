"""Flow ``ingest-postings``: job postings (land -> parse -> validate -> enrich -> write) per source, then demand."""

from __future__ import annotations

from uuid import UUID

import polars as pl
from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

from careeros.market.pipeline import load_source, postings_markdown
from careeros.progress import report
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from tasks import postings as t
from tasks.taxonomy import publish_analytics


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
        def source_progress(message: str, fraction: float, i: int = i, name: str = src.name) -> None:
            report(f"{name}: {message}", (i + fraction) / steps)

        summaries.append(load_source(warehouse, src, run_id, force, docs_dir=docs, stages=t.STAGES,
                                     progress=source_progress))
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
