"""Markdown summaries of ingestion runs (used as Prefect artifacts and printed by the CLI)."""

from __future__ import annotations

from typing import Any


def ingest_markdown(summaries: list[dict[str, Any]], run_id: str) -> str:
    """A markdown table of what each source did in a run."""
    lines = [f"# Ingestion run `{run_id}`", "",
             "| source | version | status | rows read | rows written | quarantined | seconds | note |",
             "|---|---|---|---:|---:|---:|---:|---|"]
    for s in summaries:
        lines.append(
            f"| {s['source']} | {s['version']} | {s['status']} | {s.get('rows_read', 0):,} | "
            f"{s.get('rows_written', 0):,} | {s.get('rows_quarantined', 0):,} | {s.get('seconds', 0):.1f} | "
            f"{(s.get('message') or '').replace('|', '/')} |"
        )
    lines += ["", "Data: O*NET 29.3 (USDOL/ETA, CC BY 4.0); ESCO (European Commission); "
              "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics."]
    return "\n".join(lines)
