"""Flow ``ingest-market-signals``: taxonomies (subflow), then job postings and demand signals (subflow)."""

from __future__ import annotations

from prefect import flow

from flows.homes import for_home
from flows.ingest_postings import ingest_postings
from flows.ingest_taxonomies import ingest_taxonomies

TAXONOMY_SOURCES = {"onet", "esco", "oews"}
POSTINGS = "postings"


@flow(name="ingest-market-signals")
@for_home
def ingest_market_signals(force: bool = False, sources: list[str] | None = None,
                          home: str | None = None) -> list[dict]:
    """Refresh the taxonomies and wages, then postings and demand.

    ``sources``: taxonomy names (onet, esco, oews) select taxonomies, ``postings`` selects the postings;
    None runs everything.
    """
    tax = [s for s in (sources or []) if s in TAXONOMY_SOURCES] or None
    summaries: list[dict] = []
    if sources is None or tax:
        summaries += ingest_taxonomies(force=force, sources=tax)
    if sources is None or POSTINGS in sources:
        summaries += ingest_postings(force=force)
    return summaries
