"""Embedders and the LanceDB chunk store on temp dirs (idempotent upserts, tags, checkout), plus init."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from careeros.memory.embedders import Embedder, _offline
from careeros.memory.search import Filters, fts_query, search
from careeros.memory.store import MemoryStore


@pytest.mark.parametrize("name", ["minilm", "wordllama"])
def test_offline_embedders(name: str) -> None:
    e = _offline(name)
    assert isinstance(e, Embedder)
    v = e.embed(["software developer", "software engineer", "registered nurse", ""])
    assert v.shape == (4, e.dim) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v[:3], axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3
    assert e.embed([]).shape == (0, e.dim)


def _rows(emb: Embedder, texts: list[str], version: str = "v1", item: str = "i1") -> list[dict]:
    vecs = emb.embed(texts)
    now = datetime(2025, 1, 1, tzinfo=UTC)
    return [{"chunk_id": f"{item}-{version}-{i}", "item_id": item, "version_sha256": version, "chunk_index": i,
             "title": "t", "text": t, "vector": v.tolist(), "source_type": "note", "source_path": "/x.md",
             "reliability": 0.4, "created_at": now, "ingested_at": now, "run_id": "r", "current": True,
             "skill_ids": ["tech:python"], "skill_conf": [0.5]} for i, (t, v) in enumerate(zip(texts, vecs, strict=True))]


def test_store_sync_is_idempotent_and_tagged(tmp_path: Path) -> None:
    emb = _offline("wordllama")
    st = MemoryStore(tmp_path / "mem", emb.name, emb.dim)
    texts = ["kafka streaming pipelines in python", "react dashboards", "pytorch training loops"]
    r1 = st.sync(_rows(emb, texts), {"i1": "v1"}, "run-1")
    assert (r1.added, r1.rows_total, r1.tag) == (3, 3, "run-run-1")
    r2 = st.sync(_rows(emb, texts), {"i1": "v1"}, "run-2")
    assert (r2.added, r2.updated, r2.rows_total, r2.version) == (0, 0, 3, r1.version)
    r3 = st.sync(_rows(emb, ["kafka streaming pipelines in go"], "v2"), {"i1": "v2"}, "run-3")
    assert (r3.added, r3.superseded, r3.rows_total) == (1, 3, 4)
    assert [h.text for h in search(st, emb, "kafka", k=5)] == ["kafka streaming pipelines in go"]
    assert len(search(st, emb, "kafka", k=5, filters=Filters(current_only=False))) >= 2
    # a run tag names the exact memory version: checkout shows what that run produced
    st.checkout("run-run-1")
    assert st.count() == 3
    st.latest()
    assert st.count() == 4 and set(st.tags()) == {"run-run-1", "run-run-2", "run-run-3"}
    assert st.update_links({"i1": [("tech:go", 1.0)]}) == 4
    assert st.update_links({"i1": [("tech:go", 1.0)]}) == 0


def test_fts_query_is_sanitised() -> None:
    assert fts_query('python "kafka AND (x') == "python kafka AND x"
    assert fts_query("C++ and C#") == "C++ and C#"


def test_init_non_interactive_writes_a_valid_profile(built_home: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch, settings_env: None) -> None:
    import shutil

    import typer
    from typer.testing import CliRunner

    from careeros.cli import init_cmd
    from careeros.profile import load_profile
    from careeros.settings import get_settings

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    get_settings.cache_clear()
    app = typer.Typer()
    init_cmd.register(app)

    @app.command("noop")
    def _noop() -> None:
        """Keep typer in multi-command mode."""

    res = CliRunner().invoke(app, ["init", "--sample", "--non-interactive", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    p = load_profile(home / "profile.toml")
    assert p.name == "Jordan Reyes" and len(p.target_roles) == 3
    assert all(r.soc_code for r in p.target_roles)
    for r, rep in zip(p.target_roles, out["roles"], strict=True):
        assert len(rep["top3"]) == 3 and r.confirmed == (rep["top3"][0]["score"] >= init_cmd.CONFIRM_THRESHOLD)
    assert all(Path(x).is_absolute() and Path(x).exists() for x in [*p.evidence_folders, *p.git_repos])


def test_resolve_roles_confirm_step() -> None:
    from careeros.cli.init_cmd import resolve_roles
    from careeros.market.titles import TitleMatch
    from careeros.profile import TargetRole

    def norm(title: str) -> list[TitleMatch]:
        s = 0.9 if title == "Data Engineer" else 0.3
        return [TitleMatch("15-1243.00", "Database Architects", s), TitleMatch("15-2051.00", "Data Scientists", 0.2),
                TitleMatch("15-1252.00", "Software Developers", 0.1)]

    roles = [TargetRole(title="Data Engineer"), TargetRole(title="ML Engineer"),
             TargetRole(title="Kept", soc_code="15-1252.00", confirmed=True)]
    got, _ = resolve_roles(roles, norm, choose=lambda role, m: 1)
    assert [(r.soc_code, r.confirmed) for r in got] == [("15-1243.00", True), ("15-2051.00", True),
                                                        ("15-1252.00", True)]
    got, _ = resolve_roles(roles, norm, choose=None)
    assert [(r.soc_code, r.confirmed) for r in got][1] == ("15-1243.00", False)


@pytest.mark.parametrize("v2_paths", ["true", "false"])
def test_memory_version_reads_manifests_like_lancedb(tmp_path: Path, v2_paths: str) -> None:
    """``careeros status`` reads the table version from manifest names (no lancedb import): same as lancedb's."""
    import lancedb
    import pyarrow as pa

    from careeros.memory.versions import table_version, version_from_manifests

    mdir = tmp_path / "memory"
    assert table_version(mdir, "chunks_x") is None  # no memory folder yet
    db = lancedb.connect(str(mdir), storage_options={"new_table_enable_v2_manifest_paths": v2_paths})
    assert table_version(mdir, "chunks_x") is None  # folder, no table

    def lance_version() -> int:
        return int(lancedb.connect(str(mdir)).open_table("chunks_x").version)

    tbl = db.create_table("chunks_x", pa.table({"id": ["a", "b"], "n": [1, 2]}))
    seen = [table_version(mdir, "chunks_x")]
    assert seen[-1] == lance_version()
    tbl.add(pa.table({"id": ["c"], "n": [3]}))
    tbl.update(where="id = 'a'", values={"n": 10})
    tbl.tags.create("run-1", tbl.version)
    seen.append(table_version(mdir, "chunks_x"))
    assert seen[-1] == lance_version() == seen[0] + 2
    tbl.restore(seen[0])  # a restore commits a new version
    assert table_version(mdir, "chunks_x") == lance_version() == seen[-1] + 1
    names = sorted(p.name for p in (mdir / "chunks_x.lance" / "_versions").glob("*.manifest"))
    assert all(len(n) == len("18446744073709551614.manifest") for n in names) == (v2_paths == "true"), names
    # files that are not committed manifests (a commit in progress) are ignored
    (mdir / "chunks_x.lance" / "_versions" / ".tmp_99.manifest_partial").write_bytes(b"")
    assert table_version(mdir, "chunks_x") == lance_version()
    assert version_from_manifests(tmp_path / "nothing.lance") is None


def test_deferred_validate_call_still_validates() -> None:
    """lancedb's REST client validators are built on first call, not at import: calls are validated the same."""
    from pydantic import ValidationError, validate_call

    from careeros.memory.lance import DEFERRED_PACKAGE, deferred_validate_call

    def make(module: str) -> object:
        def f(x: int, y: str = "a") -> str:
            return y * x

        f.__module__ = module
        return deferred_validate_call(validate_call)(f)

    deferred, eager = make(f"{DEFERRED_PACKAGE}.api.table_api"), make("somewhere.else")
    for fn in (deferred, eager):
        assert fn(2, y="b") == "bb" and fn("3") == "aaa"  # type: ignore[operator]
        with pytest.raises(ValidationError):
            fn("x")  # type: ignore[operator]
    assert deferred.__wrapped__.__module__ == f"{DEFERRED_PACKAGE}.api.table_api"  # type: ignore[attr-defined]
