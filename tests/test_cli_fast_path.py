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
        json.dump({m: m in sys.modules for m in ("prefect", "litellm", "lancedb", "duckdb", "polars")}, fh)
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
    _memory_store(home / "memory")
    return home


def _memory_store(memory_dir: Path) -> None:
    """A one-chunk memory table, so ``status`` and ``memory search`` take their path for a home with memory."""
    from datetime import UTC, datetime

    from careeros.memory.embedders import MiniLMEmbedder
    from careeros.memory.store import MemoryStore

    now = datetime(2025, 1, 1, tzinfo=UTC)
    vector = [1.0] + [0.0] * (MiniLMEmbedder.dim - 1)
    MemoryStore(memory_dir, MiniLMEmbedder.name, MiniLMEmbedder.dim).sync(
        [{"chunk_id": "c1", "item_id": "i1", "version_sha256": "v1", "chunk_index": 0, "title": "notes",
          "text": "python pipeline with airflow", "vector": vector, "source_type": "note", "source_path": "/n.md",
          "reliability": 0.4, "created_at": now, "ingested_at": now, "run_id": "r1", "current": True,
          "skill_ids": ["tech:python"], "skill_conf": [0.9]}], {"i1": "v1"}, "r1")


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

#: slow libraries a command has no use for (``import lancedb`` alone takes 1.5-3 s here; DuckDB with Polars ~0.3 s)
NOT_IMPORTED = {
    "status": ["lancedb"],  # the memory version comes from the table's manifest names
    "plan --dry-run": ["lancedb"],
    "memory search": ["duckdb", "polars"],
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
    assert not [m for m in NOT_IMPORTED.get(name, []) if loaded[m]], f"{name} imported {NOT_IMPORTED[name]}"
    assert "Traceback" not in res.stderr, res.stderr[-3000:]
    assert not (fast_home / "prefect" / "server.json").exists()  # no server was started for it
