"""Flow ``ingest-taxonomies``: O*NET, ESCO and OEWS into the warehouse, then the skill-and-role graph."""

from __future__ import annotations

from uuid import UUID

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_progress_artifact, update_progress_artifact

from careeros.progress import report
from careeros.reports.ingest import ingest_markdown
from careeros.settings import get_settings
from careeros.warehouse.taxonomy_load import load_source
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from tasks import taxonomy as t


@flow(name="ingest-taxonomies", log_prints=False)
@for_home
def ingest_taxonomies(force: bool = False, sources: list[str] | None = None, run_id: str | None = None,
                      home: str | None = None) -> list[dict]:
    """Load each changed source (keep raw -> read -> validate -> write), rebuild the graph, publish a snapshot."""
    settings = get_settings()
    run_id = run_id or _run_id()
    warehouse, docs = settings.warehouse_path, settings.home / "data_docs"
    fps = t.fingerprint_sources(settings.resolve_datasets(), sources)
    progress: UUID = create_progress_artifact(  # type: ignore[assignment]  # sync call inside a sync flow
        progress=0.0, key="ingest-taxonomies-progress", description="Sources loaded")
    summaries = []
    for i, fp in enumerate(fps):
        def source_progress(message: str, i: int = i, name: str = fp.name) -> None:
            report(f"{name}: {message}", i / (len(fps) + 1))

        summaries.append(load_source(warehouse, settings.raw_dir, fp, run_id, docs, force, stages=t.STAGES,
                                     progress=source_progress))
        update_progress_artifact(progress, progress=100.0 * (i + 1) / (len(fps) + 1))
    report("graph: building", len(fps) / (len(fps) + 1))
    summaries.append(t.build_graph(warehouse, run_id, force))
    t.publish_analytics(warehouse, settings.analytics_path)
    update_progress_artifact(progress, progress=100.0)
    report("done", 1.0)
    out = [s.model_dump() for s in summaries]
    create_markdown_artifact(markdown=ingest_markdown(out, run_id), key="ingest-taxonomies-summary",
                             description="Taxonomy ingestion summary")
    return out
