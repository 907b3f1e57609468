"""kill -9 during evidence curation, then re-run: the evidence tables and the LanceDB row count equal a clean
run's. The evidence lives in one shared folder (same paths, so same item ids) and each run has its own home."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from careeros.ops.checksums import row_counts, table_checksums

from .conftest import CLI, child_env, driver, run_and_kill, run_ok

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.usefixtures("cpu_load")]

EVIDENCE_TABLES = ["evidence_item", "evidence_skill", "decision_log", "quarantine"]


def memory_rows(home: Path) -> dict[str, int]:
    """Rows per LanceDB table under the home's memory folder."""
    import lancedb

    db = lancedb.connect(str(home / "memory"))
    return {name: db.open_table(name).count_rows() for name in db.table_names()}


@pytest.fixture(scope="module")
def evidence_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from careeros.cli.init_cmd import install_sample_operator

    root = tmp_path_factory.mktemp("operator") / "sample_operator"
    install_sample_operator(root)
    return root


def make_home(built_home: Path, evidence: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    shutil.copyfile(built_home / "warehouse.duckdb", dst / "warehouse.duckdb")
    if (built_home / "cache").is_dir():
        shutil.copytree(built_home / "cache", dst / "cache")
    text = (evidence / "profile.toml").read_text()
    for rel in ("resume", "notes", "publications", "certificates", "repos/feature-store-lite"):
        text = text.replace(f'"{rel}"', f'"{evidence / rel}"')
    (dst / "profile.toml").write_text(text)
    return dst


@pytest.fixture(scope="module")
def curate_ref(built_home: Path, evidence_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = make_home(built_home, evidence_dir, tmp_path_factory.mktemp("ref") / "home")
    run_ok(driver("curate", home), child_env(home))
    return home


def assert_same_evidence(got: Path, ref: Path) -> None:
    a = table_checksums(got / "warehouse.duckdb", EVIDENCE_TABLES)
    b = table_checksums(ref / "warehouse.duckdb", EVIDENCE_TABLES)
    assert row_counts(got / "warehouse.duckdb", EVIDENCE_TABLES) == row_counts(ref / "warehouse.duckdb",
                                                                               EVIDENCE_TABLES)
    assert a == b, "differ: " + ", ".join(t for t in a if a[t] != b[t])
    assert memory_rows(got) == memory_rows(ref) and sum(memory_rows(ref).values()) > 0


def test_kill_between_warehouse_and_memory_then_rerun(built_home: Path, evidence_dir: Path, curate_ref: Path,
                                                      tmp_path: Path) -> None:
    home = make_home(built_home, evidence_dir, tmp_path / "home")
    env = child_env(home)
    run_and_kill(driver("curate", home), env, "STAGE curate:embed", delay=0.5)  # while embedding and linking
    # warehouse history committed, memory sync under way: the worst place to die
    run_and_kill(driver("curate", home), env, "STAGE curate:memory", delay=0.3)
    run_ok(driver("curate", home), env)
    assert_same_evidence(home, curate_ref)
    # and a further run changes nothing
    run_ok(driver("curate", home), env)
    assert_same_evidence(home, curate_ref)


def test_kill_careeros_evidence_curate_then_rerun(built_home: Path, evidence_dir: Path, curate_ref: Path,
                                                  tmp_path: Path) -> None:
    """The real CLI (``careeros evidence curate``, review off by default), killed once LanceDB writes begin."""
    home = make_home(built_home, evidence_dir, tmp_path / "home")
    cmd = [str(CLI) if CLI.exists() else sys.executable, "evidence", "curate"]

    def memory_started() -> bool:
        return (home / "memory").is_dir() and any((home / "memory").iterdir())

    run_and_kill(cmd, child_env(home), "memory folder", delay=0.0, ready=memory_started)
    res = run_ok([*cmd, "--json"], child_env(home))
    assert '"items_read"' in res.stdout
    assert_same_evidence(home, curate_ref)
