"""Plan recalculation time for 3 target roles without Prefect (goal < 2 s). Prints JSON, writes results/plan.json.

Usage: CAREEROS_HOME=<home with a built warehouse> .venv/bin/python benchmarks/bench_plan.py [--repeat N]
Measured: reading inputs (assumptions, gaps of 3 roles, labels, market snapshot) + building the plan (3 ranked
strategies) = one recalculation; build alone is reported too. Role titles are resolved before timing (the title
normaliser's index is a cached, separate cost).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROLES = [("Data Scientist", "15-2051.00"), ("Database Architect", "15-1243.00"), ("Software Developer", "15-1252.00")]


def main() -> int:
    """Time recalculations and write the result."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    from careeros.planner.approval import compute_plan
    from careeros.planner.artifacts import load_catalogue
    from careeros.planner.assumptions import load_assumptions
    from careeros.planner.gaps import label_index
    from careeros.planner.plan import build_plan, gap_reports, market_snapshot, resolve_roles
    from careeros.profile import Profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    if not s.warehouse_path.is_file():
        print(f"no warehouse at {s.warehouse_path}", file=sys.stderr)
        return 2
    prof = Profile.model_validate({"name": "Bench", "weekly_hours": 8, "horizon_weeks": 12,
                                   "goal": {"statement": "Bench the planner"},
                                   "target_roles": [{"title": t, "soc_code": c} for t, c in ROLES]})
    full, build = [], []
    plan = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        plan = compute_plan(s.home, prof, read_only=True)
        full.append(time.perf_counter() - t0)
    with connect(s.warehouse_path, read_only=True) as con:
        a = load_assumptions(con, read_only=True)
        reps = gap_reports(con, resolve_roles(con, prof))
        labels, snap = label_index(con), market_snapshot(con)
    tm = load_catalogue()
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        build_plan(prof, reps, tm, a, resolve=labels, market_snapshot=snap)
        build.append(time.perf_counter() - t0)
    assert plan is not None
    out = {"benchmark": "plan_recalculation", "roles": len(ROLES), "weeks": len(plan.weeks),
           "tasks": sum(len(w.tasks) for w in plan.weeks), "strategies": len(plan.alternatives),
           "recalc_seconds_median": round(statistics.median(full), 4), "recalc_seconds_max": round(max(full), 4),
           "build_seconds_median": round(statistics.median(build), 4), "repeat": args.repeat, "goal_seconds": 2.0,
           "pass": max(full) < 2.0}
    res = ROOT / "benchmarks" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / "plan.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
