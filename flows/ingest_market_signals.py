"""Flow ``ingest-market-signals``: taxonomies (subflow), then job postings and demand signals."""

from __future__ import annotations

from prefect import flow

from flows.ingest_taxonomies import ingest_taxonomies

TAXONOMY_SOURCES = {"onet", "esco", "oews"}


@flow(name="ingest-market-signals")
def ingest_market_signals(force: bool = False, sources: list[str] | None = None) -> list[dict]:
    """Refresh the taxonomies and wages, then (when available) postings and demand."""
    tax = [s for s in (sources or []) if s in TAXONOMY_SOURCES] or None
    summaries: list[dict] = []
    if sources is None or tax:
        summaries += ingest_taxonomies(force=force, sources=tax)
    return summaries
