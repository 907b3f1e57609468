"""Subprocess driver for crash tests: runs the pure pipelines (no Prefect) and prints a line before each stage.

``python tests/reliability/driver.py {taxonomies,postings,curate,plan} HOME`` with CAREEROS_HOME=HOME in the
environment; the parent test reads the ``STAGE ...`` lines and kills this process with SIGKILL mid-way.
``plan`` can also kill itself at an exact point: ``CRASH_AT`` = ``after-propose`` (plan_version stored, nothing
decided), ``mid-decision`` (approval row written, decision log not yet, inside record_decision) or
``publish-replace:N`` (just before the N-th file rename of publishing: its temp file is on disk).
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
    cu.write_history(wh, prep, gathered, run_id, profile_file=cu.default_profile_path(s.home))  # as the flow does
    stage("curate:memory")
    cu.sync_memory(wh, store, prep, run_id)


def _die() -> None:
    import os
    import signal

    print("CRASH", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def plan(home: Path) -> None:
    """What the recalculate-weekly-plan flow does for an approved plan (same functions as tasks.planning)."""
    import os
    import sys as _sys

    from careeros.planner import approval as ap
    from careeros.planner import publish as pub
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    run_id, crash = os.environ.get("PLAN_RUN_ID", "plan-run"), os.environ.get("CRASH_AT", "")
    wh = home / "warehouse.duckdb"
    stage("plan:propose")
    proposal = ap.propose_plan(home, load_profile(ap.default_profile_path(home)), run_id, 0, None, None)
    if crash == "after-propose":
        _die()
    stage("plan:decide")
    if crash == "mid-decision":
        real = ap.table_exists

        def table_exists(con: object, name: str) -> bool:
            if _sys._getframe(1).f_code.co_name == "record_decision":  # after the approval row, before the log
                _die()
            return real(con, name)

        ap.table_exists = table_exists  # type: ignore[assignment]
    with connect(wh) as con:
        ap.record_decision(con, proposal, "approve", "looks good", None, run_id, 0)
    stage("plan:publish")
    if crash.startswith("publish-replace:"):
        nth, real_os = int(crash.split(":")[1]), os

        class _Os:
            calls = 0

            def __getattr__(self, name: str) -> object:
                return getattr(real_os, name)

            def replace(self, src: object, dst: object) -> None:
                _Os.calls += 1
                if _Os.calls == nth:
                    _die()
                real_os.replace(src, dst)  # type: ignore[arg-type]

        pub.os = _Os()  # type: ignore[assignment]
    with connect(wh) as con:
        assert proposal.version is not None
        stored = ap.get_plan(con, proposal.plan_id, proposal.version)
    assert stored is not None
    published = pub.publish_plan(stored, home / "plans")
    stage("plan:verify")
    pub.verify_published(stored, published)


if __name__ == "__main__":
    what, home = sys.argv[1], Path(sys.argv[2])
    {"taxonomies": taxonomies, "postings": postings, "curate": curate, "plan": plan}[what](home)
    stage("done")
