"""Memory benchmarks: retrieval quality of both offline embedders on the sample operator, embedding
throughput, hybrid-search latency at 100k chunks, and curation time of the sample operator.

    .venv/bin/python benchmarks/bench_memory.py [--rows 100000] [--queries 60]

Prints JSON and writes benchmarks/results/memory.json. Curation time needs a built warehouse
(CAREEROS_HOME, `careeros ingest`); without one it is reported as null.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

#: query -> substrings; a chunk is relevant when its text contains any of them (case-insensitive).
RETRIEVAL_SET = {
    "streaming event ingestion with Kafka": ["40 million events", "Streaming Feature Pipelines"],
    "deep learning training loop experience": ["autograd", "convolutional network"],
    "serving a model with low latency": ["low-latency scoring API", "served it with onnxruntime"],
    "avoid label leakage when building training data": ["Point-in-time correctness", "point-in-time correct"],
    "feature drift monitoring": ["population stability", "drift monitoring"],
    "cloud machine learning certification": ["AWS Certified Machine Learning"],
    "workflow orchestration for batch ETL": ["Apache Airflow"],
    "weaknesses found in interviews": ["weaker on offline evaluation"],
    "infrastructure as code": ["Terraform"],
    "single-machine analytics engines comparison": ["comparison of DuckDB and Polars"],
    "frontend dashboard for drift": ["React drift dashboard", "react"],
    "experiment tracking": ["MLflow"],
    "mentoring and leading a migration to microservices": ["Mentored four engineers"],
    "university degree": ["BSc Computer Science"],
    "command line tool written in Go": ["Go CLI (fslctl)"],
}


def sample_items() -> list:
    from careeros.cli.init_cmd import install_sample_operator
    from careeros.evidence.readers import discover, read_all
    from careeros.profile import load_profile

    tmp = Path(tempfile.mkdtemp(prefix="bench-op-"))
    prof = load_profile(install_sample_operator(tmp / "op"))
    items, bad = read_all(discover(prof.evidence_folders, prof.git_repos))
    assert not bad, bad
    return items, prof, tmp


def eval_retrieval(items: list, name: str) -> dict:
    from careeros.evidence.chunking import chunk_item
    from careeros.memory.embedders import _offline
    from careeros.memory.search import search
    from careeros.memory.store import MemoryStore

    emb = _offline(name)
    store = MemoryStore(Path(tempfile.mkdtemp(prefix=f"bench-{name}-")), emb.name, emb.dim)
    rows, texts = [], []
    now = datetime.now(UTC)
    for it in items:
        for c in chunk_item(it):
            texts.append(f"{it.title}\n{c.text}")
            rows.append({"chunk_id": c.chunk_id, "item_id": it.item_id, "version_sha256": it.version_sha256,
                         "chunk_index": c.index, "title": it.title, "text": c.text, "source_type": it.source_type,
                         "source_path": it.source_path, "reliability": it.reliability, "created_at": it.content_at,
                         "ingested_at": now, "run_id": "bench", "current": True, "skill_ids": [], "skill_conf": []})
    vecs = emb.embed(texts)
    for r, v in zip(rows, vecs, strict=True):
        r["vector"] = v.tolist()
    store.sync(rows, {r["item_id"]: r["version_sha256"] for r in rows}, "bench")
    out = {}
    for mode in ("vector", "hybrid"):
        recalls, hits = [], []
        for q, subs in RETRIEVAL_SET.items():
            rel = {r["chunk_id"] for r in rows if any(s.lower() in r["text"].lower() for s in subs)}
            assert rel, q
            if mode == "vector":
                import numpy as np

                qv = emb.embed([q])[0]
                order = np.argsort(-(vecs @ qv))[:5]
                top = [rows[i]["chunk_id"] for i in order]
            else:
                top = [h.chunk_id for h in search(store, emb, q, k=5)]
            got = len(rel & set(top))
            recalls.append(got / min(len(rel), 5))
            hits.append(1.0 if got else 0.0)
        out[mode] = {"recall@5": round(statistics.mean(recalls), 3), "hit@5": round(statistics.mean(hits), 3)}
    out["chunks"] = len(rows)
    return out


def throughput(items: list, name: str, n: int = 1000) -> float:
    from careeros.evidence.chunking import chunk_item
    from careeros.memory.embedders import _offline

    emb = _offline(name)
    texts = [c.text for it in items for c in chunk_item(it)]
    texts = (texts * (n // len(texts) + 1))[:n]
    emb.embed(texts[:32])  # warm-up
    t0 = time.perf_counter()
    emb.embed(texts)
    return round(n / (time.perf_counter() - t0), 1)


def search_latency(items: list, n_rows: int, n_queries: int) -> dict:
    import numpy as np

    from careeros.evidence.chunking import chunk_item
    from careeros.memory.embedders import _offline
    from careeros.memory.search import Filters, search
    from careeros.memory.store import MemoryStore

    rng = random.Random(7)
    emb = _offline("wordllama")
    sentences = [s.strip() for it in items for c in chunk_item(it) for s in c.text.replace("\n", " ").split(". ")
                 if len(s.strip()) > 20]
    store = MemoryStore(Path(tempfile.mkdtemp(prefix="bench-100k-")), emb.name, emb.dim)
    base = datetime(2024, 1, 1, tzinfo=UTC)
    sources = ["repo", "publication", "certificate", "resume", "note"]
    t0 = time.perf_counter()
    batch = 20000
    for start in range(0, n_rows, batch):
        texts = [". ".join(rng.sample(sentences, 3)) for _ in range(min(batch, n_rows - start))]
        vecs = emb.embed(texts)
        rows = [{"chunk_id": f"c{start + i}", "item_id": f"i{(start + i) // 5}", "version_sha256": "v",
                 "chunk_index": i % 5, "title": "synthetic", "text": t, "vector": v.tolist(),
                 "source_type": sources[(start + i) % 5], "source_path": f"/synthetic/{(start + i) // 5}",
                 "reliability": 0.5, "created_at": base + timedelta(hours=start + i),
                 "ingested_at": base, "run_id": "bench", "current": True,
                 "skill_ids": ["tech:python"] if i % 3 == 0 else ["tech:apache-kafka"], "skill_conf": [0.8]}
                for i, (t, v) in enumerate(zip(texts, vecs, strict=True))]
        store.table.add(rows)
    build_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.build_fts()
    fts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    indexed = store.build_vector_index()
    vindex_s = time.perf_counter() - t0
    queries = list(RETRIEVAL_SET) * (n_queries // len(RETRIEVAL_SET) + 1)
    res = {}
    for label, flt in (("unfiltered", None), ("filtered", Filters(sources=["repo", "resume"], skills=["tech:python"]))):
        search(store, emb, "warm up", k=10, filters=flt)
        lat = []
        for q in queries[:n_queries]:
            t = time.perf_counter()
            search(store, emb, q, k=10, filters=flt)
            lat.append((time.perf_counter() - t) * 1000)
        res[label] = {"p50_ms": round(float(np.percentile(lat, 50)), 2), "p95_ms": round(float(np.percentile(lat, 95)), 2)}
    return {"rows": store.count(), "build_s": round(build_s, 1), "fts_index_s": round(fts_s, 1),
            "vector_index": "IVF_HNSW_SQ cosine" if indexed else "none (brute force)",
            "vector_index_s": round(vindex_s, 1), "queries": n_queries, **res}


def curation_time(prof, tmp: Path) -> dict | None:
    from careeros.settings import get_settings

    wh = get_settings().warehouse_path
    if not wh.is_file():
        return None
    home = tmp / "home"
    home.mkdir()
    shutil.copyfile(wh, home / "warehouse.duckdb")
    os.environ["CAREEROS_HOME"] = str(home)
    get_settings.cache_clear()
    from careeros.evidence import curate as cu
    from careeros.market.reference import load_extractor
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore

    s = get_settings()
    emb, ext = get_embedder(), load_extractor()
    store = MemoryStore(s.memory_dir, emb.name, emb.dim)
    out = {"embedder": emb.name}
    for label in ("first_run_s", "rerun_noop_s"):
        t0 = time.perf_counter()
        g = cu.gather(prof)
        prep = cu.embed_and_link(cu.select_new(s.warehouse_path, store, g.items), s.warehouse_path, emb, ext)
        cu.write_history(s.warehouse_path, prep, g, label)
        cu.sync_memory(s.warehouse_path, store, prep, label)
        out[label] = round(time.perf_counter() - t0, 2)
    out["chunks"] = store.count()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=60)
    args = ap.parse_args()
    items, prof, tmp = sample_items()
    result = {
        "machine": {"cpus": os.cpu_count()},
        "retrieval": {n: eval_retrieval(items, n) for n in ("minilm", "wordllama")},
        "retrieval_queries": len(RETRIEVAL_SET),
        "embed_chunks_per_s": {n: throughput(items, n) for n in ("minilm", "wordllama")},
        "search_latency": search_latency(items, args.rows, args.queries),
        "curation_sample_operator": curation_time(prof, tmp),
    }
    text = json.dumps(result, indent=2)
    print(text)
    out = REPO / "benchmarks" / "results" / "memory.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n")


if __name__ == "__main__":
    main()
