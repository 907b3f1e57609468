"""Title requirement recall: does a typed target title's requirement profile name what blind experts name for it?

Gold: ``data/eval/title_requirements_gold.yaml``: 120 common mid-level titles across four field groups (healthcare
and social services; business, finance and law; technology, engineering and design; trades, operations, public
sector and education), each with 7-10 role-defining requirements written by career coaches who saw no careeros
output (alternatives per entry). A title resolves to its O*NET occupation the way ``careeros init --target`` does
(alone, not beside other targets), its requirement profile is scored the way the planner scores it, and an entry is
found when one of its alternatives matches one of the profile's first ``--top`` labels (``labelmatch``, the persona
benchmark's rule). Reported: macro recall per split and field, and the share of titles whose occupation the
normaliser resolved.

The skill map may be fitted to ``train`` titles only; ``test`` is read as a mean (``--show`` refuses it).

Usage:
  CAREEROS_HOME=/tmp/plan-home .venv/bin/python benchmarks/eval_title_requirements.py [--split test] [--top 20]
      [--show] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "data" / "eval" / "title_requirements_gold.yaml"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from labelmatch import entry_matches  # noqa: E402


def load_gold(path: Path = GOLD) -> list[dict[str, Any]]:
    """The gold titles (title, field, split, must)."""
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("titles") or [])


def evaluate(gold: list[dict[str, Any]], warehouse: Path, top: int) -> list[dict[str, Any]]:
    """One row per title: its occupation, recall of its entries in the profile's first ``top`` labels, misses."""
    from careeros.graph.hierarchy import load_hierarchy
    from careeros.graph.tech_labels import load_concept_table
    from careeros.market.reference import load_extractor, load_normalizer
    from careeros.planner.requirements import (
        concept_examples,
        extractor_fn,
        role_inputs,
        role_keywords,
        score_requirements,
    )
    from careeros.planner.target_votes import resolve_person_targets
    from careeros.warehouse.db import connect

    norm, extract = load_normalizer(), extractor_fn(load_extractor())
    table = load_concept_table()
    keywords, examples = role_keywords(table), concept_examples(table)
    rows: list[dict[str, Any]] = []
    with connect(warehouse, read_only=True) as con:
        alternatives = load_hierarchy(con).alternatives
        for g in gold:
            title, must = str(g["title"]), [list(map(str, e)) for e in g["must"]]
            found = resolve_person_targets(norm, [title])[0]
            if not found:
                rows.append({"title": title, "field": g["field"], "split": g["split"], "soc_code": None,
                             "recall": 0.0, "missed": [e[0] for e in must]})
                continue
            soc = found[0].soc_code
            prof = score_requirements(role_inputs(con, soc, title), extract, alternatives, keywords, title, examples)
            labels = [q.label for q in prof.requirements[:top]]
            missed = [e[0] for e in must if not entry_matches(e, labels)]
            rows.append({"title": title, "field": g["field"], "split": g["split"], "soc_code": soc,
                         "occupation": found[0].title, "recall": round(1 - len(missed) / len(must), 4),
                         "missed": missed})
    return rows


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Macro recall overall, per split and per field."""
    def mean(xs: list[float]) -> float:
        return round(sum(xs) / len(xs), 4) if xs else 0.0

    out: dict[str, Any] = {"titles": len(rows), "recall_macro": mean([float(r["recall"]) for r in rows])}
    for key in ("split", "field"):
        groups: dict[str, list[float]] = {}
        for r in rows:
            groups.setdefault(str(r[key]), []).append(float(r["recall"]))
        out[f"by_{key}"] = {k: {"recall_macro": mean(v), "titles": len(v)} for k, v in sorted(groups.items())}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--split", choices=["train", "test", "all"], default="all")
    ap.add_argument("--top", type=int, default=20, help="profile labels read per title (default 20)")
    ap.add_argument("--warehouse", type=Path, help="built warehouse (default CAREEROS_HOME's)")
    ap.add_argument("--show", action="store_true", help="print each train title's misses")
    ap.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = ap.parse_args(argv)
    if args.show and args.split != "train":
        ap.error("--show reads train titles only (test is held out)")
    from careeros.settings import get_settings

    warehouse = args.warehouse or get_settings().warehouse_path
    gold = [g for g in load_gold() if args.split == "all" or g["split"] == args.split]
    t0 = time.perf_counter()
    rows = evaluate(gold, warehouse, args.top)
    res = {**summarise(rows), "top": args.top, "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(res, indent=2))
    if args.show:
        for r in rows:
            print(f"{float(r['recall']):.2f} {r['title']} -> {r['soc_code']} {r.get('occupation', '')} | missed: "
                  f"{r['missed']}")
    if args.json:
        held = [{k: v for k, v in r.items() if k != "missed"} if r["split"] == "test" else r for r in rows]
        args.json.write_text(json.dumps({**res, "rows": held}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
