"""Commands that need no orchestration never import Prefect (``import prefect`` alone takes seconds).

Each command runs in a fresh interpreter (the console-script entry, ``careeros.cli.main``) on a home with the
session warehouse and a profile; after it, ``prefect`` must not be in ``sys.modules``. A command may fail for
lack of data (no memory yet): what is checked is that its code path stays clear of Prefect.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import atexit, json, sys
out = sys.argv[1]
sys.argv = ["careeros", *json.loads(sys.argv[2])]
def report():
    with open(out, "w") as fh:
        json.dump({"prefect": "prefect" in sys.modules, "litellm": "litellm" in sys.modules}, fh)
atexit.register(report)
from careeros.cli import main
main()
"""


@pytest.fixture(scope="module")
def fast_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("fast") / "home"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    if (built_home / "cache").is_dir():
        shutil.copytree(built_home / "cache", home / "cache")
    (home / "profile.toml").write_text(
        'name = "Sam"\nweekly_hours = 6\nhorizon_weeks = 4\n[goal]\nstatement = "Become a data scientist"\n'
        '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n', encoding="utf-8")
    (home / "titles.txt").write_text("Sr. SWE\nRN - ICU Night Shift\n", encoding="utf-8")
    (home / "posting.txt").write_text("Go, Postgres and k8s on AWS", encoding="utf-8")
    (home / "resume.txt").write_text("Data analyst: SQL, Python, pandas, dashboards, statistics.", encoding="utf-8")
    return home


COMMANDS = {
    "status": ["status", "--json"],
    "titles": ["titles", "normalize", "{home}/titles.txt", "--top", "2"],
    "skills": ["skills", "extract", "{home}/posting.txt"],
    "profile match": ["profile", "match", "{home}/resume.txt", "--k", "3"],
    "memory search": ["memory", "search", "python pipeline", "--json"],
    "plan --dry-run": ["plan", "--dry-run", "--json"],
    "plan": ["plan", "--json"],
    "report": ["report", "--out", "{home}/report.html"],
}


@pytest.mark.parametrize("name", list(COMMANDS))
def test_command_never_imports_prefect(fast_home: Path, tmp_path: Path, name: str) -> None:
    args = [a.replace("{home}", str(fast_home)) for a in COMMANDS[name]]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAREEROS_"))}
    env.update(CAREEROS_HOME=str(fast_home), PYTHONPATH=str(REPO), TQDM_DISABLE="1")
    marker = tmp_path / "modules.json"
    res = subprocess.run([sys.executable, "-c", PROBE, str(marker), json.dumps(args)], env=env, cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert marker.is_file(), res.stdout[-2000:] + res.stderr[-2000:]
    loaded = json.loads(marker.read_text())
    assert not loaded["prefect"], f"{name} imported prefect:\n{res.stderr[-2000:]}"
    assert not loaded["litellm"], f"{name} imported litellm"
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert not (fast_home / "prefect" / "server.json").exists()  # no server was started for it
