"""Evaluate (and optionally tune) occupation transitions against proxy gold lists.

Proxies (O*NET's curated Related Occupations list is withheld on purpose):
  hand   data/eval/transitions_gold.csv: plausible transitions written from domain judgement for 72
         occupations across families; split train/test (weights are tuned on train only).
  broad  occupations in the same SOC broad group (e.g. 15-125x) as weak positives (group bonus makes this
         partly circular: reported for completeness).
  isco   O*NET occupations whose rank-1 crosswalked ESCO occupations share an ISCO-08 unit group.

Usage:
  CAREEROS_HOME=/tmp/plan-home .venv/bin/python benchmarks/eval_transitions.py [--fit]
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "data" / "eval" / "transitions_gold.csv"


def load_hand(path: Path = GOLD) -> dict[str, dict[str, list[str]]]:
    """{split: {soc: [related...]}} from the hand-curated CSV."""
    out: dict[str, dict[str, list[str]]] = defaultdict(dict)
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(ln for ln in f if not ln.startswith("#")):
            out[row["split"]][row["soc_code"]] = row["related"].split()
    return out


def broad_proxy(soc: list[str]) -> dict[str, list[str]]:
    """Same SOC broad group (siblings), for occupations that have at least two siblings."""
    groups: dict[str, list[str]] = defaultdict(list)
    for s in soc:
        groups[s[:6]].append(s)
    return {s: [t for t in groups[s[:6]] if t != s] for s in soc if len(groups[s[:6]]) >= 3}


def isco_proxy(con) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """O*NET occupations sharing an ISCO unit group through rank-1 crosswalk pairs."""
    rows = con.sql(
        "SELECT DISTINCT c.soc_code, e.isco_group FROM graph_esco_onet_crosswalk c "
        "JOIN esco_occupation e USING (occupation_uri) WHERE c.rank = 1 AND c.confidence >= 0.45").fetchall()
    by_isco: dict[str, set[str]] = defaultdict(set)
    for soc, isco in rows:
        if isco:
            by_isco[isco].add(soc)
    gold: dict[str, set[str]] = defaultdict(set)
    for socs in by_isco.values():
        if len(socs) > 12:  # very large unit groups say little
            continue
        for s in socs:
            gold[s] |= socs - {s}
    return {s: sorted(g) for s, g in gold.items() if g}


def evaluate(model, gold: dict[str, list[str]], k: int = 10) -> float:  # type: ignore[no-untyped-def]
    from careeros.planner.transitions import recall_at_k

    idx = model.related_indices(k)
    d = model.data
    pred = {d.soc[i]: [d.soc[j] for j in idx[i]] for i in range(len(d.soc)) if d.soc[i] in gold}
    return recall_at_k(pred, gold, k)


def fit(model, train: dict[str, list[str]], aux: dict[str, list[str]] | None, rounds: int = 3) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Coordinate ascent over a coarse grid per weight (train split only; aux breaks ties)."""
    from careeros.planner.transitions import combine, top_k

    sig, st = model.signals, model.struct
    soc = model.data.soc
    rows = [soc.index(s) for s in train]
    gold_sets = [set(train[s]) for s in train]
    aux_rows = [soc.index(s) for s in (aux or {})]
    aux_sets = [set(aux[s]) for s in (aux or {})] if aux else []

    def objective(w: dict[str, float]) -> float:
        sc = combine({k: v[rows + aux_rows] for k, v in sig.items()},
                     {k: v[rows + aux_rows] for k, v in st.items()}, w)
        for r, i in enumerate(rows + aux_rows):
            sc[r, i] = -np.inf
        idx = top_k(sc, 10)
        hand = np.mean([len({soc[j] for j in idx[r]} & g) / min(10, len(g)) for r, g in enumerate(gold_sets)])
        ax = np.mean([len({soc[j] for j in idx[len(rows) + r]} & g) / min(10, len(g))
                      for r, g in enumerate(aux_sets)]) if aux_sets else 0.0
        return float(hand + 0.1 * ax)

    grid = {
        "skill": [0, 0.25, 0.5, 1.0, 1.5, 2.0], "skill_raw": [0, 0.5, 1.0, 2.0], "tech": [0, 0.15, 0.3, 0.6, 1.0],
        "tool": [0, 0.15, 0.3, 0.6], "dwa": [0, 0.5, 1.0, 1.5, 2.0], "esco": [0, 0.15, 0.3, 0.6, 1.0],
        "text": [0, 0.25, 0.5, 1.0, 1.5], "title": [0, 0.15, 0.3, 0.6, 1.0], "broad": [0, 0.05, 0.1, 0.2, 0.3],
        "minor": [0, 0.025, 0.05, 0.1, 0.2], "major": [0, 0.025, 0.05, 0.1], "jz": [0, 0.025, 0.05, 0.1, 0.2],
        "wage": [0, 0.025, 0.05, 0.1, 0.2], "residual": [0, 0.1, 0.2, 0.5],
    }
    w = dict(model.weights)
    best = objective(w)
    for rnd in range(rounds):
        improved = False
        for key, values in grid.items():
            for v in values:
                if v == w.get(key):
                    continue
                trial = {**w, key: v}
                val = objective(trial)
                if val > best + 1e-9:
                    best, w, improved = val, trial, True
        print(f"round {rnd}: objective {best:.4f} {json.dumps(w)}", file=sys.stderr)
        if not improved:
            break
    return w


def main() -> None:
    """Print recall@10 per proxy for the cosine baseline and the combined model."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit", action="store_true", help="tune weights on the train split and report them")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = ap.parse_args()
    from careeros.planner.transitions import TransitionModel, load_model
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    t0 = time.time()
    model = load_model()
    print(f"model ready in {time.time() - t0:.1f}s", file=sys.stderr)
    hand = load_hand()
    with connect(get_settings().warehouse_path, read_only=True) as con:
        isco = isco_proxy(con)
    broad = broad_proxy(model.data.soc)
    baseline = TransitionModel(model.data, weights={"skill_raw": 1.0}, signals=model.signals)
    models = {"cosine_baseline": baseline, "combined": model}
    for name in ("skill", "dwa", "tech", "esco", "text", "title"):
        models[f"only_{name}"] = TransitionModel(model.data, weights={name: 1.0}, signals=model.signals)
    if args.fit:
        w = fit(model, hand["train"], None)
        models["fitted"] = TransitionModel(model.data, weights=w, signals=model.signals)
        print("fitted weights:", json.dumps(w))
    res = {}
    for name, m in models.items():
        res[name] = {"hand_train": evaluate(m, hand["train"]), "hand_test": evaluate(m, hand["test"]),
                     "isco": evaluate(m, isco), "broad": evaluate(m, broad)}
    print(f"{'model':<16} {'hand_train':>10} {'hand_test':>10} {'isco':>8} {'broad':>8}")
    for name, r in res.items():
        print(f"{name:<16} {r['hand_train']:>10.3f} {r['hand_test']:>10.3f} {r['isco']:>8.3f} {r['broad']:>8.3f}")
    print(f"(rows: hand train {len(hand['train'])}, test {len(hand['test'])}; isco {len(isco)}; broad {len(broad)})")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    _ = itertools  # keep import for grid experiments


if __name__ == "__main__":
    main()
