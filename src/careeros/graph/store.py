"""Derive the graph tables inside the warehouse (skip when the input sources are unchanged)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from careeros.graph.build import GRAPH_VERSION, build_graph
from careeros.graph.tech_labels import DEFAULT_ALIASES_PATH, concept_paths
from careeros.warehouse import loading
from careeros.warehouse.db import connect
from careeros.warehouse.provenance import Provenance
from careeros.warehouse.taxonomy_load import SourceLoadSummary

GRAPH_SOURCE = "careeros-graph"
INPUT_SOURCES = ("onet", "esco", "oews")
INPUT_TABLES = ("onet_occupation", "onet_alternate_title", "onet_element_rating", "onet_element", "onet_technology",
                "onet_tool", "esco_occupation", "esco_skill", "esco_occupation_skill", "oews_wage")
GRAPH_TABLES = ("graph_occupation", "graph_skill", "graph_occupation_skill", "graph_esco_onet_crosswalk")


def graph_fingerprint(warehouse: Path) -> tuple[str, str] | None:
    """(version, sha256) of the graph implied by the loaded input versions; None if an input is missing."""
    with connect(warehouse) as con:
        rows = dict(con.execute("SELECT source, source_sha256 FROM source_versions").fetchall())
    if any(s not in rows for s in INPUT_SOURCES):
        return None
    h = hashlib.sha256(f"graph-v{GRAPH_VERSION}".encode())
    for ref in (DEFAULT_ALIASES_PATH, *concept_paths()):  # labels and curated nodes come from these
        if ref.exists():
            h.update(ref.read_bytes())
    for s in INPUT_SOURCES:
        h.update(f"{s}:{rows[s]}\n".encode())
    return f"v{GRAPH_VERSION}", h.hexdigest()


def build_and_store(warehouse: Path, run_id: str, force: bool = False) -> SourceLoadSummary:
    """Rebuild the graph tables from the warehouse's taxonomy tables when their inputs changed."""
    started = loading.now_utc()
    fp = graph_fingerprint(warehouse)
    if fp is None:
        return SourceLoadSummary(source=GRAPH_SOURCE, version="-", sha256="-", status="failed",
                                 message="graph needs onet, esco and oews loaded first")
    version, sha = fp
    with connect(warehouse) as con:
        if not force and loading.is_unchanged(con, GRAPH_SOURCE, sha):
            loading.record_run(con, run_id, GRAPH_SOURCE, "skipped", started, source_version=version,
                               source_sha256=sha, message="inputs unchanged")
            return SourceLoadSummary(source=GRAPH_SOURCE, version=version, sha256=sha, status="skipped")
        inputs = {t: con.sql(f"SELECT * EXCLUDE (_source, _source_version, _source_sha256, _run_id, _loaded_at) "
                             f"FROM {t}").pl() for t in INPUT_TABLES}
    tables = build_graph(inputs)
    prov = Provenance(GRAPH_SOURCE, version, sha, run_id, loading.now_utc())
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            counts = loading.replace_source_tables(con, tables, prov)
            loading.record_source_version(con, prov, [{"name": s} for s in INPUT_SOURCES], counts)
            loading.record_run(con, run_id, GRAPH_SOURCE, "succeeded", started, source_version=version,
                               source_sha256=sha, rows_read=sum(t.height for t in inputs.values()),
                               rows_written=sum(counts.values()))
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SourceLoadSummary(source=GRAPH_SOURCE, version=version, sha256=sha, status="succeeded",
                             rows_written=sum(counts.values()), tables=counts,
                             seconds=round((loading.now_utc() - started).total_seconds(), 3))
