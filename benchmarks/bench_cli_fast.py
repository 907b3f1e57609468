"""Start-up of the commands that need no orchestration: time to first output and total, each in a fresh process.

Runs against ``$CAREEROS_HOME`` (a built warehouse); writes its own small inputs and, when the home has no
profile, a small one. Target: under 2 s to first output on an idle 2-core machine. Also reports whether the
command imported ``prefect`` (it must not) and the time of ``careeros --help`` and of ``import prefect`` for scale.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
CLI = str(Path(PY).parent / "careeros")

PROBE = """
import atexit, json, sys
out = sys.argv[1]
sys.argv = ["careeros", *json.loads(sys.argv[2])]
atexit.register(lambda: open(out, "w").write(json.dumps({"prefect": "prefect" in sys.modules})))
from careeros.cli import main
main()
"""


def first_output(cmd: list[str], env: dict[str, str]) -> dict[str, object]:
    """Seconds until the first byte on stdout or stderr, and until exit."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None and proc.stderr is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    sel.register(proc.stderr, selectors.EVENT_READ)
    first = None
    open_pipes = 2
    while open_pipes:
        for key, _ in sel.select():
            chunk = os.read(key.fileobj.fileno(), 65536)  # type: ignore[union-attr]
            if not chunk:
                sel.unregister(key.fileobj)
                open_pipes -= 1
            elif first is None:
                first = time.perf_counter() - t0
    rc = proc.wait()
    return {"first_output_s": round(first, 3) if first is not None else None,
            "total_s": round(time.perf_counter() - t0, 3), "rc": rc}


def main() -> int:
    """Time each command three times (median) and print one JSON object."""
    home = Path(os.environ.get("CAREEROS_HOME", ".careeros")).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    (tmp / "titles.txt").write_text("Sr. SWE\nRN - ICU Night Shift\n")
    (tmp / "posting.txt").write_text("Go, Postgres and k8s on AWS")
    (tmp / "resume.txt").write_text("Data analyst: SQL, Python, pandas, dashboards, statistics.")
    profile = home / "profile.toml"
    if not profile.is_file():
        profile = tmp / "profile.toml"
        profile.write_text('name = "Sam"\nweekly_hours = 6\nhorizon_weeks = 4\n[goal]\nstatement = "Data science"\n'
                           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n')
    commands = {
        "help": ["--help"],
        "status": ["status", "--json"],
        "titles": ["titles", "normalize", str(tmp / "titles.txt"), "--top", "2"],
        "skills": ["skills", "extract", str(tmp / "posting.txt")],
        "profile_match": ["profile", "match", str(tmp / "resume.txt"), "--k", "3"],
        "memory_search": ["memory", "search", "python pipeline", "--json"],
        "plan_dry_run": ["plan", "--dry-run", "--json", "--profile", str(profile)],
        "report": ["report", "--out", str(tmp / "report.html")],
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["CAREEROS_HOME"] = str(home)
    out: dict[str, object] = {}
    for name, args in commands.items():
        runs = [first_output([CLI, *args], env) for _ in range(3)]
        firsts = sorted(float(r["first_output_s"] or r["total_s"]) for r in runs)  # type: ignore[arg-type]
        totals = sorted(float(r["total_s"]) for r in runs)  # type: ignore[arg-type]
        marker = tmp / f"{name}.json"
        subprocess.run([PY, "-c", PROBE, str(marker), json.dumps(args)], env=env, capture_output=True, check=False)
        imported = json.loads(marker.read_text())["prefect"] if marker.is_file() else None
        out[name] = {"first_output_s": firsts[1], "total_s": totals[1], "rc": runs[-1]["rc"],
                     "imports_prefect": imported, "under_2s": firsts[1] < 2.0}
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", "import prefect"], env=env, check=True)
    out["import_prefect_s"] = round(time.perf_counter() - t0, 3)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))
    return 0 if not any(isinstance(v, dict) and v.get("imports_prefect") for v in out.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
