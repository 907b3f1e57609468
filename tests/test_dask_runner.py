"""Postings ingestion partitioned by source on ``prefect_dask.DaskTaskRunner`` gives the same warehouse.

(a) the ``ingest-postings`` flow on the default task runner, (b) a partitioned flow on a local Dask cluster where
the per-source validate/enrich tasks run concurrently on the workers while the DuckDB work (land, parse, write,
aggregate) stays serialized in the flow (DuckDB is single-writer). Both start from copies of the same built home
and the same small subset of the real postings; their warehouses must have equal table checksums.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect import flow

# The small datasets and the shared model cache of the postings pipeline tests (module-scoped fixtures).
from test_postings_pipeline import _home, models_home, small_datasets  # noqa: F401

from careeros.market import pipeline as P
from careeros.ops import table_checksums

prefect_dask = pytest.importorskip("prefect_dask")


@flow(name="ingest-postings-partitioned", log_prints=False)
def ingest_postings_partitioned(run_id: str) -> list[dict]:
    """Per source: land + parse serialized, validate + enrich submitted concurrently, then writes serialized."""
    from careeros.settings import get_settings
    from careeros.warehouse import loading
    from tasks import postings as t

    settings = get_settings()
    wh = settings.warehouse_path
    srcs = P.posting_sources(settings.resolve_datasets(), None, settings.feeds_dir)
    started = {s.name: loading.now_utc() for s in srcs}
    landed = [t.land(wh, s, run_id) for s in srcs]  # writes posting_raw: one at a time
    batches = [t.parse(wh, s) for s in srcs]  # reads the warehouse: before any worker starts
    P.load_models()  # warm the in-process model cache once (threads of a processes=False cluster share it)
    validated = [t.validate.submit(b, run_id, None) for b in batches]
    enriched = [t.enrich.submit(v) for v in validated]
    # All compute finishes before the first write: an enrich task still running would open the warehouse
    # (read-only, for its model-cache key) while the writer holds it read-write.
    done = [(v.result(), e.result()) for v, e in zip(validated, enriched, strict=True)]
    summaries = [t.finish(wh, lnd, [t.write_chunk(wh, lnd, v, e, run_id)], run_id, started[lnd.source], {})
                 for lnd, (v, e) in zip(landed, done, strict=True)]  # one writer, in source order
    summaries.append(t.aggregate(wh, run_id))
    return [s.model_dump() for s in summaries]


def test_dask_partitioned_ingest_matches_default_runner(
    prefect_server: None, models_home: Path, small_datasets: Path,  # noqa: F811
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from careeros.warehouse.provenance import new_run_id
    from flows.ingest_postings import ingest_postings

    home_a = _home(models_home, tmp_path_factory, small_datasets, monkeypatch)
    state = ingest_postings(return_state=True)
    assert state.is_completed()
    assert {s["status"] for s in state.result()} == {"succeeded"}

    home_b = _home(models_home, tmp_path_factory, small_datasets, monkeypatch)
    runner = prefect_dask.DaskTaskRunner(
        cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": False, "dashboard_address": ":0"})
    state_b = ingest_postings_partitioned.with_options(task_runner=runner)(new_run_id(), return_state=True)
    assert state_b.is_completed()
    summaries = state_b.result()
    assert {s["source"]: s["status"] for s in summaries} == {
        "hn": "succeeded", "linkedin": "succeeded", "usajobs": "succeeded", P.DEMAND_SOURCE: "succeeded"}

    a = table_checksums(home_a / "warehouse.duckdb")
    b = table_checksums(home_b / "warehouse.duckdb")
    assert a.keys() == b.keys()
    assert {k for k in a if a[k] != b[k]} == set()
