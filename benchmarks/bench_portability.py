"""Export and import time and zip size for a home (``careeros export`` / ``careeros import``). Prints JSON and
writes benchmarks/results/portability.json.

Usage: CAREEROS_HOME=<a home with person data, e.g. after `careeros demo`> .venv/bin/python
benchmarks/bench_portability.py [--repeat 3] [--no-cli]

Measured: the domain calls in this process (median of ``--repeat``; every import into a fresh empty home, checked
to give the same table checksums as the source) and, once each, the CLI commands end to end in a fresh process
(interpreter start, imports, the work). The source home is only read.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = str(Path(sys.executable).parent / "careeros")


def main() -> int:
    """Time exports and imports of ``$CAREEROS_HOME`` and write the result."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-cli", action="store_true", help="Skip the end-to-end CLI timings.")
    args = ap.parse_args()
    import duckdb

    from careeros.portability import PERSON_TABLES, export_home, import_home, table_checksums
    from careeros.settings import Settings, get_settings

    src = get_settings()
    if not src.warehouse_path.is_file() and not (src.home / "profile.toml").is_file():
        print(f"no home with person data at {src.home}", file=sys.stderr)
        return 2
    with duckdb.connect(str(src.warehouse_path), read_only=True) as con:
        want = table_checksums(con, PERSON_TABLES)
    tmp = Path(tempfile.mkdtemp(prefix="bench-portability-"))
    zpath = tmp / "export.zip"
    exports, imports = [], []
    rep = None
    for _ in range(args.repeat):
        rep = export_home(src, zpath)
        exports.append(rep.seconds)
    assert rep is not None
    imp = None
    for i in range(args.repeat):
        target = Settings(home=tmp / f"import-{i}")
        imp = import_home(target, zpath)
        imports.append(imp.seconds)
        with duckdb.connect(str(target.warehouse_path), read_only=True) as con:
            if table_checksums(con, PERSON_TABLES) != want:
                print("round trip changed a table checksum", file=sys.stderr)
                return 1
    assert imp is not None
    out: dict[str, object] = {
        "benchmark": "portability", "home": src.home.resolve().name,  # the folder name only: no machine path in committed results
        "warehouse_bytes": src.warehouse_path.stat().st_size if src.warehouse_path.is_file() else 0,
        "rows": sum(rep.tables.values()), "memory_rows": sum(rep.memory.values()), "files": rep.files,
        "zip_bytes": rep.bytes, "zip_mb": round(rep.bytes / 2**20, 3),
        "export_seconds_median": round(statistics.median(exports), 3), "export_seconds": exports,
        "import_seconds_median": round(statistics.median(imports), 3), "import_seconds": imports,
        "round_trip_checksums_equal": True, "repeat": args.repeat,
    }
    if not args.no_cli:
        env = {**os.environ, "CAREEROS_HOME": str(src.home)}
        t0 = time.perf_counter()
        e = subprocess.run([CLI, "export", "--out", str(tmp / "cli.zip"), "--json"], env=env, capture_output=True,
                           text=True, check=False)
        out["cli_export_seconds"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        i = subprocess.run([CLI, "import", str(tmp / "cli.zip"), "--json"],
                           env={**env, "CAREEROS_HOME": str(tmp / "cli-home")}, capture_output=True, text=True,
                           check=False)
        out["cli_import_seconds"] = round(time.perf_counter() - t0, 3)
        out["cli_ok"] = e.returncode == 0 and i.returncode == 0
        if not out["cli_ok"]:
            out["cli_error"] = (e.stderr or i.stderr)[-400:]
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    res = ROOT / "benchmarks" / "results"
    res.mkdir(parents=True, exist_ok=True)
    (res / "portability.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))
    return 0 if out.get("cli_ok", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
