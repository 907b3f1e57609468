"""Expert persona benchmark: does the plan name the gaps a career expert would, and none the person plainly closed?

Personas: data/eval/personas/*.yaml (written by hand before any product output was read; see the README there).
For each persona in the chosen split this runs the CLI exactly as the held-out evaluation does, in a private
CAREEROS_HOME holding a copy of one warehouse:

    careeros init --resume RESUME.md --target T [--target T2 ...] --hours N --goal G --yes
    careeros evidence curate
    careeros plan --json --dry-run

and scores the plan's ``gaps`` (top 15 by rank) against ``must_gap`` (recall: an entry counts as found when any of
its alternatives matches any top-15 label) and ``must_not_gap`` (false gaps: entries matched in the top 15), with the
matcher in benchmarks/labelmatch.py. ``roles[].coverage`` is reported per role. A persona whose CLI call fails is
recorded with its error and counts recall 0; the script never stops on one persona.

Usage:
  .venv/bin/python benchmarks/eval_personas.py [--split test|train|dev|dev2|dev3|dev4|dev5|dev6|dev7|dev8|dev9|dev10|dev11|dev12|dev13|dev14|dev15|dev16|dev17|dev18|dev19|dev20|dev21|dev22|dev23|dev24|dev25|dev26|all] [--limit N] [--warehouse FILE]
                                               [--persona ID] [--out FILE] [--top 15]
The warehouse is built once (``careeros ingest`` into a temporary home) unless ``--warehouse`` names one.
Prints a per-field table on stderr and the JSON results on stdout (and to ``--out`` when given).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
PERSONAS = REPO / "data" / "eval" / "personas"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelmatch import entry_matches  # noqa: E402

TOP = 15
#: Prefect's message when a CLI call's ephemeral API server did not start in time (machine load, not the product)
EPHEMERAL_TIMEOUT = "Timed out while attempting to connect to ephemeral Prefect API server"


def load_personas(split: str = "test", directory: Path = PERSONAS) -> list[dict[str, Any]]:
    """Persona records of one split ("all" for every split), sorted by id."""
    out = []
    for p in sorted(directory.glob("*.yaml")):
        d = yaml.safe_load(p.read_text(encoding="utf-8"))
        if split == "all" or d["split"] == split:
            out.append(d)
    return out


def score_persona(persona: dict[str, Any], gaps: list[dict[str, Any]] | None, roles: list[dict[str, Any]] | None,
                  top: int = TOP) -> dict[str, Any]:
    """Recall of must_gap in the top gaps, false gaps from must_not_gap, coverage per role (pure)."""
    labels = [str(g.get("label", "")) for g in (gaps or [])[:top]]
    found, missed = [], []
    for entry in persona["must_gap"]:
        hit = entry_matches(entry, labels)
        (found if hit else missed).append({"entry": entry, "labels": hit})
    false = []
    for entry in persona["must_not_gap"]:
        hit = entry_matches(entry, labels)
        if hit:
            false.append({"entry": entry, "labels": hit})
    n = len(persona["must_gap"])
    return {
        "recall": round(len(found) / n, 4) if n else 0.0,
        "found": len(found), "must_gap": n, "missed": [m["entry"][0] for m in missed],
        "found_detail": found, "false_gaps": len(false), "false_detail": false,
        "coverage": [{"title": r.get("title"), "soc_code": r.get("soc_code"), "coverage": r.get("coverage"),
                      "coverage_after": r.get("coverage_after")} for r in (roles or [])],
        "top_labels": labels,
    }


def failed_result(persona: dict[str, Any], stage: str, error: str) -> dict[str, Any]:
    """The record of a persona whose CLI call failed: recall 0, the error kept."""
    return {"recall": 0.0, "found": 0, "must_gap": len(persona["must_gap"]),
            "missed": [e[0] for e in persona["must_gap"]], "found_detail": [], "false_gaps": 0, "false_detail": [],
            "coverage": [], "top_labels": [], "error": {"stage": stage, "message": error[-1500:]}}


def summarise(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Overall and per-field figures over persona results (each with "field" and the score_persona keys)."""
    def agg(rs: list[dict[str, Any]]) -> dict[str, Any]:
        if not rs:
            return {"n": 0}
        found, total = sum(r["found"] for r in rs), sum(r["must_gap"] for r in rs)
        covs = [c["coverage"] for r in rs for c in r["coverage"] if isinstance(c.get("coverage"), int | float)]
        return {"n": len(rs), "failed": sum(1 for r in rs if "error" in r),
                "recall_macro": round(sum(r["recall"] for r in rs) / len(rs), 4),
                "recall_micro": round(found / total, 4) if total else 0.0,
                "false_gaps": sum(r["false_gaps"] for r in rs),
                "personas_with_false_gaps": sum(1 for r in rs if r["false_gaps"]),
                "mean_coverage": round(sum(covs) / len(covs), 4) if covs else None}

    by_field: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in results:
        by_field[r["field"]].append(r)
    return {"overall": agg(results), "by_field": {f: agg(rs) for f, rs in sorted(by_field.items())}}


def parse_json_output(out: str) -> Any:
    """The JSON object a command printed: its whole stdout, else the last line-started JSON document in it."""
    text = out.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].lstrip().startswith("{"):
            try:
                return json.loads("\n".join(lines[i:]))
            except json.JSONDecodeError:
                continue
    raise ValueError("no JSON object in the output")


def _cli() -> str:
    exe = Path(sys.executable).parent / "careeros"
    return str(exe) if exe.exists() else "careeros"


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_cli(), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


def base_env(prefect_home: Path) -> dict[str, str]:
    """Environment for every CLI call: a private Prefect home, no telemetry, quiet progress bars."""
    return {**os.environ, "PREFECT_HOME": str(prefect_home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": os.environ.get(
                "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300"),
            "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
            "TQDM_DISABLE": "1", "LITELLM_LOCAL_MODEL_COST_MAP": "True"}


def build_warehouse(tmp: Path, prefect_home: Path, timeout: float) -> Path:
    """``careeros ingest`` into a fresh home once; returns its warehouse file."""
    home = tmp / "warehouse-home"
    env = {**base_env(prefect_home), "CAREEROS_HOME": str(home)}
    proc = _run(["ingest", "--quiet"], env, REPO, timeout)
    wh = home / "warehouse.duckdb"
    if proc.returncode != 0 or not wh.is_file():
        raise RuntimeError(f"careeros ingest failed ({proc.returncode}): {proc.stderr[-1500:]}")
    return wh


def run_persona(persona: dict[str, Any], warehouse: Path, tmp: Path, prefect_home: Path,
                timeout: float, top: int = TOP) -> tuple[dict[str, Any], dict[str, float]]:
    """Run init, curate and plan for one persona in a private home; score the plan (or record the failure)."""
    home = tmp / persona["id"]
    home.mkdir(parents=True)
    shutil.copyfile(warehouse, home / "warehouse.duckdb")
    resume = home / "resume.md"
    resume.write_text(persona["resume"], encoding="utf-8")
    env = {**base_env(prefect_home), "CAREEROS_HOME": str(home)}
    init = ["init", "--resume", str(resume)]
    for t in persona["targets"]:
        init += ["--target", t]
    init += ["--hours", str(persona["hours"]), "--goal", persona["goal"], "--yes"]
    times: dict[str, float] = {}
    plan_out = ""
    for stage, args in (("init", init), ("curate", ["evidence", "curate"]), ("plan", ["plan", "--json", "--dry-run"])):
        t0 = time.perf_counter()
        try:
            proc = _run(args, env, home, timeout)
            if proc.returncode != 0 and EPHEMERAL_TIMEOUT in proc.stderr:  # a busy machine, not the product: once more
                proc = _run(args, env, home, timeout)
        except subprocess.TimeoutExpired:
            times[stage] = round(time.perf_counter() - t0, 1)
            return failed_result(persona, stage, f"timed out after {timeout:.0f}s"), times
        except OSError as exc:
            return failed_result(persona, stage, f"could not start the CLI: {exc}"), times
        times[stage] = round(time.perf_counter() - t0, 1)
        if proc.returncode != 0:
            return failed_result(persona, stage, f"exit {proc.returncode}: {proc.stderr.strip() or proc.stdout.strip()}"), times
        plan_out = proc.stdout
    try:
        plan = parse_json_output(plan_out)
    except ValueError as exc:
        return failed_result(persona, "plan", f"{exc}: {plan_out[-500:]}"), times
    if not isinstance(plan, dict) or not isinstance(plan.get("gaps"), list):
        keys = sorted(plan) if isinstance(plan, dict) else type(plan).__name__
        return failed_result(persona, "plan", f"plan JSON has no 'gaps' list (keys: {keys})"), times
    roles = plan.get("roles") if isinstance(plan.get("roles"), list) else []
    gaps = [g for g in plan["gaps"] if isinstance(g, dict)]
    return score_persona(persona, gaps, roles, top), times


def print_table(results: list[dict[str, Any]], summary: dict[str, Any], top: int) -> None:
    """Per-persona and per-field tables on stderr."""
    err = sys.stderr
    print(f"{'persona':<44} {'recall@' + str(top):>9} {'false':>6} {'coverage':>18}  status", file=err)
    for r in results:
        cov = ",".join(f"{c['coverage']:.2f}" if isinstance(c.get("coverage"), int | float) else "-"
                       for c in r["coverage"]) or "-"
        status = f"FAILED at {r['error']['stage']}" if "error" in r else "ok"
        print(f"{r['id']:<44} {r['recall']:>9.3f} {r['false_gaps']:>6} {cov:>18}  {status}", file=err)
    print(f"\n{'field':<20} {'n':>3} {'failed':>6} {'recall':>7} {'micro':>7} {'false':>6} {'cov':>6}", file=err)
    for f, a in [*summary["by_field"].items(), ("ALL", summary["overall"])]:
        if not a.get("n"):
            continue
        cov = f"{a['mean_coverage']:.2f}" if a["mean_coverage"] is not None else "-"
        print(f"{f:<20} {a['n']:>3} {a['failed']:>6} {a['recall_macro']:>7.3f} {a['recall_micro']:>7.3f} "
              f"{a['false_gaps']:>6} {cov:>6}", file=err)


def run_persona_in_process(persona: dict[str, Any], warehouse: Path, homes: Path,
                           top: int = TOP) -> tuple[dict[str, Any], dict[str, float]]:
    """The same measure without the CLI: the profile ``careeros init --resume ... --yes`` writes (titles resolved
    by the title normaliser, the resume as the only evidence, no curation), then ``compute_plan`` read-only on
    ``warehouse`` (linked, never written). Minutes instead of an hour for a split; the CLI path stays the
    reference."""
    from careeros.market.reference import load_normalizer
    from careeros.planner.approval import compute_plan
    from careeros.planner.target_votes import resolve_person_targets
    from careeros.profile import Goal, Profile, TargetRole
    from careeros.settings import get_settings

    t0 = time.perf_counter()
    home = homes / persona["id"]
    (home / "evidence" / "resume").mkdir(parents=True, exist_ok=True)
    (home / "evidence" / "resume" / "resume.md").write_text(persona["resume"], encoding="utf-8")
    if not (home / "warehouse.duckdb").exists():
        os.symlink(warehouse.resolve(), home / "warehouse.duckdb")
    os.environ["CAREEROS_HOME"] = str(home)
    get_settings.cache_clear()
    norm = load_normalizer()
    roles = [TargetRole(title=t, soc_code=ms[0].soc_code, confirmed=True)
             for t, ms in zip(persona["targets"], resolve_person_targets(norm, list(persona["targets"])), strict=True)]
    profile = Profile(name="Persona", target_roles=roles, goal=Goal(statement=persona["goal"]),
                      weekly_hours=persona["hours"], horizon_weeks=12, evidence_folders=[home / "evidence" / "resume"])
    plan = compute_plan(home, profile, read_only=True)
    roles_out = [{"title": r.title, "soc_code": r.soc_code, "coverage": r.coverage, "coverage_after": r.coverage_after}
                 for r in plan.roles]
    return score_persona(persona, list(plan.gaps), roles_out, top), {"plan": round(time.perf_counter() - t0, 1)}


def main() -> int:
    """Run the benchmark over one split; print the table and the JSON results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["test", "train", "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14", "dev15", "dev16", "dev17", "dev18", "dev19", "dev20", "dev21", "dev22", "dev23", "dev24", "dev25", "dev26", "all"])
    ap.add_argument("--limit", type=int, default=0, help="only the first N personas of the split")
    ap.add_argument("--persona", action="append", default=[], help="only this persona id (repeatable)")
    ap.add_argument("--warehouse", type=Path, help="reuse this warehouse.duckdb instead of building one")
    ap.add_argument("--top", type=int, default=TOP, help="gaps considered per persona (default 15)")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per CLI call")
    ap.add_argument("--out", type=Path, help="also write the JSON results here")
    ap.add_argument("--in-process", action="store_true",
                    help="no CLI: build the init profile and call compute_plan on --warehouse (fast; no curation)")
    args = ap.parse_args()
    if args.in_process and args.warehouse is None:
        ap.error("--in-process needs --warehouse (a built warehouse.duckdb)")
    personas = load_personas(args.split)
    if args.persona:
        personas = [p for p in personas if p["id"] in set(args.persona)]
    if args.limit:
        personas = personas[: args.limit]
    t_start = time.perf_counter()
    results: list[dict[str, Any]] = []
    fatal = None
    with tempfile.TemporaryDirectory(prefix="careeros-personas-") as tmpdir:
        tmp = Path(tmpdir)
        prefect_home = tmp / "prefect-home"
        warehouse = args.warehouse
        build_s = 0.0
        if warehouse is None:
            t0 = time.perf_counter()
            try:
                warehouse = build_warehouse(tmp, prefect_home, args.timeout)
            except (RuntimeError, subprocess.TimeoutExpired, OSError) as exc:
                fatal = f"warehouse build failed: {exc}"
            build_s = round(time.perf_counter() - t0, 1)
        elif not warehouse.is_file():
            fatal = f"no warehouse at {warehouse}"
        for p in personas:
            if fatal:
                res, times = failed_result(p, "warehouse", fatal), {}
            else:
                try:
                    if args.in_process:
                        res, times = run_persona_in_process(p, warehouse, tmp / "homes", args.top)
                    else:
                        res, times = run_persona(p, warehouse, tmp / "homes", prefect_home, args.timeout, args.top)
                except Exception as exc:  # noqa: BLE001 - one persona must never stop the benchmark
                    res, times = failed_result(p, "harness", f"{type(exc).__name__}: {exc}"), {}
            results.append({"id": p["id"], "field": p["field"], "split": p["split"], "targets": p["targets"],
                            **res, "seconds": times})
            # each home holds its own caches (about 100 MB): all 294 at once filled a 21 GB disk
            shutil.rmtree(tmp / "homes" / p["id"], ignore_errors=True)
            print(f"[{len(results)}/{len(personas)}] {p['id']}: recall {res['recall']:.2f} false {res['false_gaps']}"
                  + (f" (failed at {res['error']['stage']})" if "error" in res else ""), file=sys.stderr)
            if args.out:  # partial results survive an interrupted run
                write_out(args.out, report(args, results, build_s, t_start, fatal, complete=False))
    out = report(args, results, build_s, t_start, fatal, complete=True)
    print_table(results, out, args.top)
    if args.out:
        write_out(args.out, out)
    print(json.dumps(out, indent=1))
    return 0


def report(args: argparse.Namespace, results: list[dict[str, Any]], build_s: float, t_start: float,
           fatal: str | None, complete: bool) -> dict[str, Any]:
    """The JSON results document (``complete`` is False while personas are still running)."""
    return {"split": args.split, "top": args.top, "personas": len(results), "complete": complete,
            **summarise(results), "warehouse_build_s": build_s, "wall_s": round(time.perf_counter() - t_start, 1),
            "fatal": fatal, "results": results}


def write_out(path: Path, doc: dict[str, Any]) -> None:
    """Write the JSON document atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    raise SystemExit(main())
