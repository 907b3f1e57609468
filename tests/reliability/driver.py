"""Subprocess driver for crash tests: runs the pure pipelines (no Prefect) and prints a line before each stage.

``python tests/reliability/driver.py {taxonomies,postings,curate} HOME`` with CAREEROS_HOME=HOME in the
environment; the parent test reads the ``STAGE ...`` lines and kills this process with SIGKILL mid-way.
"""

from __future__ import annotations

import sys
from pathlib import Path


def stage(name: str) -> None:
    print(f"STAGE {name}", flush=True)


def taxonomies(home: Path) -> None:
    from careeros.graph.store import build_and_store
    from careeros.settings import get_settings
    from careeros.warehouse.provenance import new_run_id
    from careeros.warehouse.taxonomy_load import fingerprints, load_source

    wh, run_id = home / "warehouse.duckdb", new_run_id()
    for fp in fingerprints(get_settings().resolve_datasets()):
        stage(f"taxonomy:{fp.name}")
        summary = load_source(wh, home / "raw", fp, run_id)
        assert summary.status in ("succeeded", "skipped"), summary
    stage("graph")
    build_and_store(wh, run_id)


def postings(home: Path) -> None:
    from careeros.market import pipeline as P
    from careeros.settings import get_settings
    from careeros.warehouse.provenance import new_run_id

    wh, run_id = home / "warehouse.duckdb", new_run_id()
    s = get_settings()
    stage("postings:models")
    models = P.load_models()
    for src in P.posting_sources(s.resolve_datasets(), None, s.feeds_dir):
        stage(f"postings:{src.name}")
        summary = P.load_source(wh, src, run_id, models=models)
        assert summary.status in ("succeeded", "skipped", "partial"), summary
    stage("postings:demand")
    P.aggregate(wh, run_id)


def curate(home: Path) -> None:
    from careeros.evidence import curate as cu
    from careeros.memory.embedders import get_embedder
    from careeros.settings import get_settings
    from careeros.warehouse.provenance import new_run_id
    from tasks.evidence import _extractor, store_for

    s, run_id = get_settings(), new_run_id()
    wh, emb = s.warehouse_path, get_embedder()
    store = store_for(s.memory_dir, emb)
    stage("curate:read")
    gathered = cu.gather(cu.resolve_profile(s.home))
    prep = cu.select_new(wh, store, gathered.items)
    stage("curate:embed")
    prep = cu.embed_and_link(prep, wh, emb, _extractor(str(wh)) if prep.process else None)
    stage("curate:history")
    cu.write_history(wh, prep, gathered, run_id)
    stage("curate:memory")
    cu.sync_memory(wh, store, prep, run_id)


if __name__ == "__main__":
    what, home = sys.argv[1], Path(sys.argv[2])
    {"taxonomies": taxonomies, "postings": postings, "curate": curate}[what](home)
    stage("done")
