"""Typed target titles (``careeros init --target``) against the occupations an expert accepts.

``data/eval/typed_targets.tsv``: a title a person might type and the O*NET-SOC prefixes that count as right
("Mechanic": automotive, diesel, industrial machinery or general maintenance mechanics). A development set (the
resolver's rules were changed after reading its misses), so the figure tracks regressions; it is no held-out measure.

Usage: CAREEROS_HOME=... .venv/bin/python benchmarks/eval_typed_targets.py [--show]
Prints JSON: top1 (share whose first match has an accepted prefix), n, and the misses.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from careeros.market.reference import load_normalizer  # noqa: E402

GOLD = ROOT / "data" / "eval" / "typed_targets.tsv"


def load_gold(path: Path = GOLD) -> list[tuple[str, list[str]]]:
    """(title, accepted SOC prefixes) rows; comment lines start with '#'."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        title, accepted = line.split("\t")
        rows.append((title.strip(), accepted.split()))
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--show", action="store_true", help="print every title with its first match")
    args = ap.parse_args()
    norm = load_normalizer()
    misses, hits = [], 0
    rows = load_gold()
    for title, accepted in rows:
        ms = norm.resolve_target(title, k=1)
        got = ms[0].soc_code if ms else None
        ok = got is not None and any(got.startswith(a) for a in accepted)
        hits += ok
        if not ok:
            misses.append({"title": title, "got": got, "got_title": ms[0].title if ms else None, "accepted": accepted})
        if args.show:
            print(f"{'ok  ' if ok else 'MISS'} {title} -> {got} {ms[0].title if ms else ''}", file=sys.stderr)
    print(json.dumps({"top1": round(hits / len(rows), 4) if rows else 0.0, "n": len(rows), "misses": misses}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
