"""Shared setup for the agents tests (no tests here): the sample operator, curated, with a stored plan and a few
synthetic postings, built once per session and copied per test."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

#: SOC codes of the sample operator's roles (the title normaliser's answer; fixed here to skip loading it)
SOCS = {"Machine Learning Engineer": "15-2051.00", "Data Engineer": "15-1243.00", "MLOps Engineer": "15-1252.00"}


def _pin_socs(profile: Path) -> None:
    text = profile.read_text()
    for title, soc in SOCS.items():
        text = text.replace(f'title = "{title}"\n', f'title = "{title}"\nsoc_code = "{soc}"\nconfirmed = true\n')
    profile.write_text(text)


def add_postings(warehouse: Path, rows: list[tuple[str, str, str, str, str]]) -> None:
    """Insert current postings (posting_id, company, title, soc_code, text)."""
    from careeros.warehouse.db import connect

    now = datetime.now(UTC)
    with connect(warehouse) as con:
        for pid, company, title, soc, text in rows:
            con.execute("INSERT INTO posting (posting_id, raw_sha256, source, source_record_id, role_index, company, "
                        "title, soc_code, text, is_current, posted_at, _source, _source_version, _source_sha256, "
                        "_run_id, _loaded_at) VALUES (?, ?, 'test-feed', ?, 0, ?, ?, ?, ?, true, ?, 'test-feed', "
                        "'1', 'x', 'test', ?)", [pid, "sha-" + pid, pid, company, title, soc, text, now, now])


POSTINGS = [
    ("p-northwind-1", "Northwind Analytics", "Data Engineer (Airflow, dbt)", "15-1243.00",
     "We build batch pipelines with Airflow and dbt on Snowflake."),
    ("p-lumen-1", "Lumen Health", "MLOps Engineer", "15-1252.00", "Deploy models on Kubernetes with MLflow."),
    ("p-tidewater-1", "Tidewater Payments", "Machine Learning Engineer", "15-2051.00",
     "Fraud models in production; PyTorch, feature stores."),
]


def build_base(built_home: Path, dest: Path) -> Path:
    """Copy the warehouse, install + curate the sample operator, store a plan, add postings."""
    from careeros.cli.init_cmd import install_sample_operator
    from careeros.evidence import curate as cu
    from careeros.market.reference import load_extractor
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.planner.approval import compute_plan, save_plan
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    dest.mkdir(parents=True)
    shutil.copyfile(built_home / "warehouse.duckdb", dest / "warehouse.duckdb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(dest))
        mp.setenv("CAREEROS_EMBEDDER", "minilm")
        get_settings.cache_clear()
        try:
            profile_path = install_sample_operator(dest / "sample_operator")
            _pin_socs(profile_path)
            shutil.copyfile(profile_path, dest / "profile.toml")
            text = (dest / "profile.toml").read_text()
            for rel in ("resume", "notes", "publications", "certificates", "repos/feature-store-lite", "contacts.csv"):
                text = text.replace(f'"{rel}"', f'"sample_operator/{rel}"')
            (dest / "profile.toml").write_text(text)
            prof = load_profile(dest / "profile.toml")
            s = get_settings()
            emb = get_embedder()
            store = MemoryStore(s.memory_dir, emb.name, emb.dim)
            g = cu.gather(prof)
            prep = cu.embed_and_link(cu.select_new(s.warehouse_path, store, g.items), s.warehouse_path, emb,
                                     load_extractor())
            cu.write_history(s.warehouse_path, prep, g, "curate-test")
            cu.sync_memory(s.warehouse_path, store, prep, "curate-test")
            add_postings(s.warehouse_path, POSTINGS)
            plan = compute_plan(dest, prof)
            with connect(s.warehouse_path) as con:
                save_plan(con, plan, "approved", "plan-test", 0)
        finally:
            get_settings.cache_clear()
    return dest


def use_home(base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the base home as CAREEROS_HOME."""
    from careeros.settings import get_settings

    home = tmp_path / "home"
    shutil.copytree(base, home, symlinks=True)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    monkeypatch.setenv("CAREEROS_EMBEDDER", "minilm")
    for var in ("CAREEROS_LLM_FAST_MODEL", "CAREEROS_LLM_DEEP_MODEL", "CAREEROS_SMTP_HOST"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    return home


_BASES: dict[str, Path] = {}


def shared_base(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:func:`build_base` once per test session (shared by the agents and the agents security tests)."""
    key = str(built_home)
    if key not in _BASES:
        _BASES[key] = build_base(built_home, tmp_path_factory.mktemp("agents") / "home")
    return _BASES[key]


PERSONAS = Path(__file__).parent / "fixtures" / "personas"


def build_persona(warehouse: Path, persona: str, dest: Path) -> Path:
    """A home for one persona fixture (nurse, teacher, accountant): warehouse copy, profile, curated evidence, an
    approved plan."""
    from careeros.cli.skills import load_extractor
    from careeros.evidence import curate as cu
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.planner.approval import compute_plan, save_plan
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    dest.mkdir(parents=True)
    shutil.copyfile(warehouse, dest / "warehouse.duckdb")
    shutil.copytree(PERSONAS / persona, dest / "persona")
    shutil.copyfile(dest / "persona" / "profile.toml", dest / "profile.toml")
    text = (dest / "profile.toml").read_text()
    for rel in ("resume", "contacts.csv"):
        text = text.replace(f'"{rel}"', f'"persona/{rel}"')
    (dest / "profile.toml").write_text(text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(dest))
        mp.setenv("CAREEROS_EMBEDDER", "minilm")
        get_settings.cache_clear()
        try:
            prof = load_profile(dest / "profile.toml")
            s = get_settings()
            emb = get_embedder()
            store = MemoryStore(s.memory_dir, emb.name, emb.dim)
            g = cu.gather(prof)
            prep = cu.embed_and_link(cu.select_new(s.warehouse_path, store, g.items), s.warehouse_path, emb,
                                     load_extractor())
            cu.write_history(s.warehouse_path, prep, g, "curate-test")
            cu.sync_memory(s.warehouse_path, store, prep, "curate-test")
            plan = compute_plan(dest, prof)
            with connect(dest / "warehouse.duckdb") as con:
                save_plan(con, plan, "approved", "plan-test", 0)
        finally:
            get_settings.cache_clear()
    return dest
