"""Server mode: time to bring the stack up, throughput of N concurrent flow runs with 1 vs 2 workers, worker RSS.

``python benchmarks/bench_server.py --template HOME [--runs 4]``: HOME is a built careeros home (warehouse with
the taxonomies; its title/skill models are built into it when missing). Each of the N runs is
``ingest-postings`` of a 40-posting feed in its own copy of HOME (so no run waits for another's writer slot):
land, parse, validate (GX), enrich, write, demand, snapshot. The stack lives in a temporary directory and is
stopped at the end. Results: ``benchmarks/results/server.json``. Not part of ``make bench`` (a few minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _feed(home: Path, i: int, n: int = 40) -> None:
    (home / "feeds").mkdir(parents=True, exist_ok=True)
    titles = ["Data Engineer", "Registered Nurse", "Accountant", "Teacher"]
    with (home / "feeds" / "jobs.jsonl").open("w") as f:
        for k in range(n):
            f.write(json.dumps({"id": f"{i}-{k}", "title": titles[k % 4], "location": "Remote",
                                "description": f"{titles[k % 4]} posting {k}"}) + "\n")


def _batch(stack, homes: list[Path]) -> dict:  # type: ignore[no-untyped-def]
    from prefect import get_client
    from prefect.deployments import run_deployment

    from careeros.ops.pgserver import descendants, rss_mb

    peak: dict[str, float] = {}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for i, wpid in stack.worker_pids().items():
                kids = descendants(wpid)
                peak[f"worker-{i}"] = max(peak.get(f"worker-{i}", 0.0), rss_mb(wpid))
                peak[f"worker-{i}+runs"] = max(peak.get(f"worker-{i}+runs", 0.0),
                                               rss_mb(wpid) + sum(rss_mb(k) for k in kids))
                for k in kids:
                    peak["one-flow-run"] = max(peak.get("one-flow-run", 0.0), rss_mb(k))
            time.sleep(0.5)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    t0 = time.perf_counter()
    ids = [run_deployment("ingest-postings/ingest-postings-manual", timeout=0,
                          parameters={"home": str(h), "sources": ["feed-jobs"], "force": True}).id for h in homes]
    with get_client(sync_client=True) as client:
        while True:
            states = [client.read_flow_run(i).state for i in ids]
            if all(s.is_final() for s in states):
                break
            time.sleep(0.5)
    wall = time.perf_counter() - t0
    stop.set()
    th.join(5)
    assert all(s.is_completed() for s in states), [s.type for s in states]
    return {"runs": len(ids), "wall_s": round(wall, 1), "runs_per_min": round(60 * len(ids) / wall, 2),
            "peak_rss_mb": {k: round(v, 1) for k, v in sorted(peak.items())}}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--template", type=Path, required=True, help="a built careeros home")
    ap.add_argument("--runs", type=int, default=4)
    args = ap.parse_args()
    os.environ["CAREEROS_HOME"] = str(args.template.resolve())
    from careeros.market import pipeline as P
    from careeros.ops.pgserver import Stack
    from careeros.settings import get_settings

    get_settings.cache_clear()
    P.load_models()  # cached in the template, so every copy has them
    root = Path(tempfile.mkdtemp(prefix="careeros-bench-server-"))
    root.chmod(0o711)
    stack = Stack(root / "server-home")
    out: dict = {"runs": args.runs, "cpus": os.cpu_count()}
    try:
        t0 = time.perf_counter()
        state = stack.up(workers=2, schedules=False)
        out["up_s"] = round(time.perf_counter() - t0, 1)
        out["up_timings"] = state["timings"]
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        homes = []
        for i in range(args.runs):
            h = root / f"home-{i}"
            shutil.copytree(args.template, h, ignore=shutil.ignore_patterns("server", "pg", "analytics.duckdb"))
            _feed(h, i)
            homes.append(h)
        with temporary_settings(updates={PREFECT_API_URL: stack.api_url, PREFECT_API_AUTH_STRING: stack.auth_string}):
            _batch(stack, homes[:1])  # warm-up (OS caches, first imports)
            out["two_workers"] = _batch(stack, homes)
            stack.stop_worker(2)
            out["one_worker"] = _batch(stack, homes)
    finally:
        t = time.perf_counter()
        left = stack.down()
        out["down_s"] = round(time.perf_counter() - t, 1)
        out["left_after_down"] = left
        shutil.rmtree(root, ignore_errors=True)
    path = REPO / "benchmarks" / "results" / "server.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
