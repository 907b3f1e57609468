"""Evaluate (and optionally tune) resume -> occupation matching on data/eval/resumes_gold.jsonl.

The resumes are synthetic (written by the careeros team, realistic formats) with the occupation of the
most recent role as gold. Weights are tuned on the train split only; test figures are reported.

Usage:
  CAREEROS_HOME=/tmp/plan-home .venv/bin/python benchmarks/eval_profile_match.py [--fit] [--show]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLD = REPO / "data" / "eval" / "resumes_gold.jsonl"


def topk_acc(scores: list[np.ndarray], gold: list[int], k: int) -> float:
    """Share of rows whose gold index is in the top k."""
    hits = [g in np.argsort(-s, kind="stable")[:k] for s, g in zip(scores, gold, strict=True)]
    return float(np.mean(hits)) if hits else 0.0


def main() -> None:
    """Print top-1/top-3 for the TF-IDF baseline, single signals and the combined matcher, per split."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--fit", action="store_true")
    ap.add_argument("--show", action="store_true", help="print misses on test")
    args = ap.parse_args()
    from careeros.planner.profile_match import load_matcher

    t0 = time.time()
    m = load_matcher()
    print(f"matcher ready in {time.time() - t0:.1f}s", file=sys.stderr)
    rows = [json.loads(ln) for ln in GOLD.read_text(encoding="utf-8").splitlines() if ln.strip()]
    t0 = time.time()
    sigs = [m.signals(r["text"]) for r in rows]
    print(f"{len(rows)} resumes scored in {time.time() - t0:.2f}s", file=sys.stderr)
    gold = [m.data.index[r["soc_code"]] for r in rows]
    split = [r["split"] for r in rows]

    def run(w: dict[str, float], which: str) -> tuple[float, float]:
        sel = [i for i, s in enumerate(split) if s == which]
        sc = [m.combine(sigs[i], w) for i in sel]
        g = [gold[i] for i in sel]
        return topk_acc(sc, g, 1), topk_acc(sc, g, 3)

    configs = {"tfidf_baseline": {"text": 1.0}, "title_only": {"title": 1.0}, "skills_only": {"skills": 1.0},
               "combined": m.weights}
    if args.fit:
        best, bw = -1.0, None
        for t, s, x in itertools.product([0.5, 1.0, 1.5, 2.0], [0, 0.1, 0.2, 0.3, 0.5, 0.8],
                                         [0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5]):
            w = {"title": t, "skills": s, "text": x}
            a1, a3 = run(w, "train")
            obj = a1 + 0.25 * a3
            if obj > best + 1e-9:
                best, bw = obj, w
        print("fitted weights:", json.dumps(bw))
        configs["fitted"] = bw  # type: ignore[assignment]
    print(f"{'config':<16} {'train@1':>8} {'train@3':>8} {'test@1':>8} {'test@3':>8}")
    for name, w in configs.items():
        tr, te = run(w, "train"), run(w, "test")
        print(f"{name:<16} {tr[0]:>8.3f} {tr[1]:>8.3f} {te[0]:>8.3f} {te[1]:>8.3f}")
    print(f"(train {split.count('train')}, test {split.count('test')})")
    if args.show:
        for i, r in enumerate(rows):
            sc = m.combine(sigs[i])
            top = int(np.argmax(sc))
            if top != gold[i]:
                print(f"MISS {r['split']} {r['id']}: gold {r['soc_code']} got {m.data.soc[top]} {m.data.title[top]}; "
                      f"lines={[(tl.segment, tl.matches[0][:2] if tl.matches else None) for tl in sigs[i]['_lines']][:3]}")


if __name__ == "__main__":
    main()
