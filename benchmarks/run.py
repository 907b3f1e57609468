"""careeros benchmarks (``make bench``): each case runs in a fresh subprocess; results go to benchmarks/results/."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
PY = sys.executable

WAREHOUSE_BUILD = """
import json, time
from careeros.settings import Settings
from careeros.graph.store import build_and_store
from careeros.warehouse.provenance import new_run_id
from careeros.warehouse.taxonomy_load import fingerprints, load_source
from pathlib import Path
home = Path({home!r}); s = Settings(home=home)
t0 = time.perf_counter(); run = new_run_id(); out = {{}}
for fp in fingerprints(s.resolve_datasets()):
    t = time.perf_counter(); r = load_source(s.warehouse_path, s.raw_dir, fp, run); out[fp.name] = [r.status, round(time.perf_counter() - t, 2)]
t = time.perf_counter(); g = build_and_store(s.warehouse_path, run); out["graph"] = [g.status, round(time.perf_counter() - t, 2)]
out["total_seconds"] = round(time.perf_counter() - t0, 2)
print(json.dumps(out))
"""

POSTINGS_INGEST = WAREHOUSE_BUILD.replace('print(json.dumps(out))', """
from careeros.market.pipeline import posting_sources, run_postings
t = time.perf_counter()
res = run_postings(s.warehouse_path, posting_sources(s.resolve_datasets()), run)
out["postings_seconds"] = round(time.perf_counter() - t, 2)
out["postings"] = {{r.source: [r.status, r.rows_read, r.rows_written, r.rows_quarantined] for r in res}}
print(json.dumps(out))
""")

THROUGHPUT = """
import json, time, gzip
import polars as pl
from careeros.market.reference import load_extractor, load_normalizer
from careeros.market.skills import html_to_text
from careeros.settings import Settings
s = Settings()
norm = load_normalizer(); ext = load_extractor()
ds = s.resolve_datasets()
titles = pl.read_csv(ds / "job-postings-linkedin-2023" / "job_postings.csv.gz", infer_schema=False)["title"].drop_nulls().unique().sort().to_list()[:20000]
t = time.perf_counter(); norm.normalize(titles, k=5); dt = time.perf_counter() - t
posts = [json.loads(l)["text_html"] for l in gzip.open(ds / "job-postings-hn-2026" / "hn_jobs_2026.jsonl.gz", "rt")]
t = time.perf_counter(); n = sum(len(ext.extract(p)) for p in posts); de = time.perf_counter() - t
print(json.dumps({"titles": len(titles), "titles_per_s_unseen": round(len(titles) / dt), "postings": len(posts),
                  "postings_per_s": round(len(posts) / de), "skills_found": n}))
"""


def run_case(name: str, code: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``code`` in a child Python; return its JSON output plus wall time and the child's peak RSS."""
    code += "\nimport resource as _r, sys as _s\nprint('__RSS__', _r.getrusage(_r.RUSAGE_SELF).ru_maxrss, file=_s.stderr)\n"
    t0 = time.perf_counter()
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **(env or {})}, check=False)
    wall = time.perf_counter() - t0
    peak = max([int(ln.split()[1]) for ln in proc.stderr.splitlines() if ln.startswith("__RSS__")] or [0])
    if proc.returncode != 0:
        print(proc.stderr[-3000:], file=sys.stderr)
        return {"name": name, "ok": False, "error": proc.stderr[-500:]}
    res = {"name": name, "ok": True, "wall_seconds": round(wall, 2),
           "peak_rss_mb": round(peak / 1024, 1), "detail": parse_output(proc.stdout)}
    return res


def parse_output(out: str) -> object:
    """The case's result: its whole stdout as JSON, else the last JSON document in it, else its last lines."""
    text = out.strip()
    if not text:
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):  # the last line opening a JSON document (one-line or indented)
        if lines[i].lstrip().startswith(("{", "[")):
            try:
                return json.loads("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
    return "\n".join(lines[-40:])


def cli_case(name: str, args: list[str], env: dict[str, str]) -> dict[str, object]:
    """Time a CLI command end to end (includes starting the home's Prefect server where the command runs a flow)."""
    t0 = time.perf_counter()
    proc = subprocess.run([str(Path(PY).parent / "careeros"), *args], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, **env}, check=False)
    return {"name": name, "ok": proc.returncode == 0, "wall_seconds": round(time.perf_counter() - t0, 2),
            "stderr_tail": proc.stderr[-400:] if proc.returncode else "", "stdout_tail": proc.stdout[-1500:]}


def main() -> int:
    """Run every benchmark and write one JSON file per case plus a summary."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        results.append(run_case("warehouse_build", WAREHOUSE_BUILD.format(home=str(home))))
        results.append(run_case("warehouse_rebuild_noop", WAREHOUSE_BUILD.format(home=str(home))))
        results.append(run_case("postings_ingest", POSTINGS_INGEST.format(home=str(Path(tmp) / "home2"))))
        one_core = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
        results.append(run_case("extraction_normalisation_throughput", THROUGHPUT,
                                env={"CAREEROS_HOME": str(home), **one_core}))
        for script in ("bench_plan.py", "bench_memory.py", "bench_cli_fast.py"):
            path = REPO / "benchmarks" / script
            code = f"import runpy, sys; sys.argv = [{str(path)!r}]; runpy.run_path({str(path)!r}, run_name='__main__')"
            results.append(run_case(script.removesuffix(".py"), code, env={"CAREEROS_HOME": str(home)}))
        # 1M synthetic postings through the pure pipeline (CAREEROS_BENCH_SCALE_N=0 skips it): ~15 min
        scale_n = int(os.environ.get("CAREEROS_BENCH_SCALE_N", "1000000"))
        if scale_n > 0:
            path = REPO / "benchmarks" / "bench_scale.py"
            out = Path(tmp) / "scale.json"
            argv = [str(path), "--n", str(scale_n), "--out", str(out)]
            code = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({str(path)!r}, run_name='__main__')"
            res = run_case("scale", code, env={"CAREEROS_HOME": str(home)})
            if out.is_file():
                res["detail"] = json.loads(out.read_text())
            results.append(res)
        env = {"CAREEROS_HOME": str(Path(tmp) / "cli-home"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        results.append(cli_case("cli_ingest_with_prefect", ["ingest", "--quiet"], env))
        results.append(cli_case("cli_ingest_noop_with_prefect", ["ingest", "--quiet"], env))
        # the whole demo (7 steps, answers its own approvals) on a fresh home: what `make demo` runs after the venv
        results.append(cli_case("demo_end_to_end", ["demo"], {**env, "CAREEROS_HOME": str(Path(tmp) / "demo-home")}))
        # export / import of the demo home (the person's data after the demo): time and zip size
        path = REPO / "benchmarks" / "bench_portability.py"
        code = f"import runpy, sys; sys.argv = [{str(path)!r}]; runpy.run_path({str(path)!r}, run_name='__main__')"
        results.append(run_case("bench_portability", code, env={"CAREEROS_HOME": str(Path(tmp) / "demo-home")}))
        for script, args in (("eval_skills.py", ["--split", "test"]), ("eval_skills.py", ["--blind"]),
                             ("eval_titles.py", []), ("eval_transitions.py", []), ("eval_profile_match.py", []),
                             ("eval_title_requirements.py", ["--split", "test"]), ("eval_typed_targets.py", [])):
            path = REPO / "benchmarks" / script
            if path.exists():
                argv = [str(path), *args]
                code = f"import runpy, sys; sys.argv = {argv!r}; runpy.run_path({str(path)!r}, run_name='__main__')"
                name = script.removesuffix(".py") + ("_blind" if "--blind" in args else "")
                results.append(run_case(name, code, env={"CAREEROS_HOME": str(home)}))
        # expert personas (test split) through the CLI on a copy of the warehouse `careeros ingest` built above
        path = REPO / "benchmarks" / "eval_personas.py"
        argv = [str(path), "--split", "test", "--warehouse", str(Path(tmp) / "cli-home" / "warehouse.duckdb")]
        code = (f"import runpy, sys; sys.argv = {argv!r}\ntry:\n    runpy.run_path({str(path)!r}, run_name='__main__')\n"
                "except SystemExit:\n    pass\n")
        results.append(run_case("eval_personas", code))
    for r in results:
        (RESULTS / f"{r['name']}.json").write_text(json.dumps({**meta, **r}, indent=2))
    summary = {**meta, "results": results}
    (RESULTS / "summary.json").write_text(json.dumps(summary, indent=2))
    for r in results:
        print(f"{r['name']:<32} ok={r['ok']!s:<5} wall={r.get('wall_seconds', '-'):>7}s "
              f"peak_rss={r.get('peak_rss_mb', '-')} MB")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
