"""Curation end to end on the sample operator (real DuckDB, real LanceDB, real files; no Prefect here):
re-curation is a no-op, a changed resume adds a version (old one still answered as of then), human
decisions survive re-curation, search returns provenance."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careeros.evidence import curate as cu
from careeros.evidence.history import HumanDecision, as_of_timestamp, items_as_of, links_as_of, reconciliation
from careeros.memory.embedders import get_embedder
from careeros.memory.search import Filters, search
from careeros.memory.store import MemoryStore, memory_version
from careeros.warehouse.db import connect, fetch_one


@pytest.fixture(scope="module")
def base_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built warehouse plus a warm skill-extractor cache (shared, read-only)."""
    home = tmp_path_factory.mktemp("ev-base")
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    return home


@pytest.fixture()
def ev(base_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> dict:
    from careeros.cli.init_cmd import install_sample_operator
    from careeros.settings import get_settings

    home = tmp_path / "home"
    shutil.copytree(base_home, home)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    monkeypatch.setenv("CAREEROS_EMBEDDER", "minilm")
    get_settings.cache_clear()
    profile = install_sample_operator(tmp_path / "operator")
    s = get_settings()
    emb = get_embedder()
    return {"home": home, "profile": profile, "op": profile.parent, "wh": s.warehouse_path,
            "store": MemoryStore(s.memory_dir, emb.name, emb.dim), "emb": emb}


def curate_once(ev: dict, run_id: str) -> dict:
    from careeros.market.reference import load_extractor

    prof = cu.resolve_profile(ev["home"], ev["profile"])
    g = cu.gather(prof)
    prep = cu.embed_and_link(cu.select_new(ev["wh"], ev["store"], g.items), ev["wh"], ev["emb"], load_extractor())
    out = {"run_id": run_id, "skipped": prep.skipped, "processed": len(prep.process)}
    out |= cu.write_history(ev["wh"], prep, g, run_id)
    out["memory"] = cu.sync_memory(ev["wh"], ev["store"], prep, run_id)
    return out


def _count(wh: Path, sql: str, params: list | None = None) -> int:
    with connect(wh) as con:
        row = fetch_one(con.execute(sql, params or []))
    return int(row[0]) if row else 0


def test_curation_then_recuration_is_a_noop(ev: dict) -> None:
    first = curate_once(ev, "run-a")
    assert first["items_new"] == 10 and first["quarantined"] == 0
    assert first["links_auto"] > 5 and first["links_pending"] > 0
    mem = first["memory"]
    assert mem["rows_total"] == mem["added"] > 15 and mem["tag"] == "run-run-a"
    versions = _count(ev["wh"], "SELECT count(*) FROM evidence_item")
    links = _count(ev["wh"], "SELECT count(*) FROM evidence_skill")
    second = curate_once(ev, "run-b")
    assert second["items_new"] == 0 and second["processed"] == 0 and second["skipped"] == 10
    assert second["memory"]["rows_total"] == mem["rows_total"] and second["memory"]["added"] == 0
    assert second["memory"]["version"] == mem["version"]  # no new LanceDB version either
    assert _count(ev["wh"], "SELECT count(*) FROM evidence_item") == versions
    assert _count(ev["wh"], "SELECT count(*) FROM evidence_skill") == links
    assert ev["store"].tags() == {"run-run-a": mem["version"], "run-run-b": mem["version"]}
    assert memory_version() == mem["version"]
    # the repo's declared dependencies are strong evidence; a resume-only claim is weaker
    with connect(ev["wh"]) as con:
        df = links_as_of(con, datetime.now(UTC))
    repo = df.filter(df["source_type"] == "repo")
    assert set(repo["status"].to_list()) == {"auto"} and repo["confidence"].min() >= 0.7
    assert df.filter(df["source_type"] == "note")["confidence"].max() < 0.7


def test_changed_resume_creates_a_second_version_and_old_one_stays(ev: dict) -> None:
    curate_once(ev, "run-1")
    between = datetime.now(UTC)
    time.sleep(0.05)
    resume = ev["op"] / "resume" / "resume.md"
    resume.write_text(resume.read_text() + "\n## Projects\n\nBuilt a Rust gRPC gateway for LightGBM model serving.\n")
    out = curate_once(ev, "run-2")
    assert out["items_new"] == 1 and out["processed"] == 1
    assert out["memory"]["superseded"] > 0 and out["memory"]["added"] > 0
    item_id = fetch_one_item(ev["wh"], str(resume.resolve()))
    assert _count(ev["wh"], "SELECT count(*) FROM evidence_item WHERE item_id = ?", [item_id]) == 2
    with connect(ev["wh"]) as con:
        old = items_as_of(con, between).filter(lambda_item(item_id))
        new = items_as_of(con, datetime.now(UTC)).filter(lambda_item(item_id))
    assert old.height == new.height == 1 and old["version_sha256"][0] != new["version_sha256"][0]
    # CLI: evidence show --as-of answers what the system believed then
    res = CliRunner().invoke(_app(), ["evidence", "show", "--as-of", between.isoformat(), "--json"])
    assert res.exit_code == 0, res.output
    shown = json.loads(res.stdout)
    assert {i["version_sha256"] for i in shown["items"] if i["item_id"] == item_id} == {old["version_sha256"][0]}
    # memory: current search sees the new text; the old snapshot is still there with --all-versions
    hits = search(ev["store"], ev["emb"], "Rust gRPC gateway LightGBM", k=3)
    assert hits and "LightGBM" in hits[0].text and hits[0].provenance.version_sha256 == new["version_sha256"][0]
    allv = search(ev["store"], ev["emb"], "Senior Backend Engineer Lisbon summary", k=20,
                  filters=Filters(sources=["resume"], current_only=False))
    assert old["version_sha256"][0] in {h.provenance.version_sha256 for h in allv}


def fetch_one_item(wh: Path, path: str) -> str:
    with connect(wh) as con:
        row = fetch_one(con.execute("SELECT item_id FROM evidence_item WHERE source_path = ? LIMIT 1", [path]))
    assert row
    return str(row[0])


def lambda_item(item_id: str):  # noqa: ANN201
    import polars as pl

    return pl.col("item_id") == item_id


def _app():  # noqa: ANN202
    from careeros.cli import app

    return app


def test_human_rejection_survives_recuration(ev: dict) -> None:
    curate_once(ev, "run-1")
    resume = ev["op"] / "resume" / "resume.md"
    item_id = fetch_one_item(ev["wh"], str(resume.resolve()))
    with connect(ev["wh"]) as con:
        links = links_as_of(con, datetime.now(UTC)).filter(lambda_item(item_id))
    auto = links.filter(links["status"] == "auto").row(0, named=True)
    pend = links.filter(links["status"] == "pending").row(0, named=True)
    stats = cu.apply_review(ev["wh"], ev["store"], [
        HumanDecision(link_id=auto["link_id"], decision="reject", note="claimed, not shown"),
        HumanDecision(link_id=pend["link_id"], decision="accept")], "review-1")
    assert stats["reject"] == 1 and stats["accept"] == 1 and stats["memory_rows_updated"] > 0
    rows = ev["store"].rows_for_items([item_id], ["skill_ids"]).to_pylist()
    assert all(auto["skill_id"] not in r["skill_ids"] for r in rows)
    # a new resume version re-runs automation on this item: the human decisions stay and win
    resume.write_text(resume.read_text() + "\nAlso: more " + auto["skill_label"] + " work in 2025.\n")
    out = curate_once(ev, "run-2")
    assert out["items_new"] == 1 and out["links_kept_human"] >= 2
    with connect(ev["wh"]) as con:
        now_links = links_as_of(con, datetime.now(UTC)).filter(lambda_item(item_id))
        rec = reconciliation(con)
        human_log = fetch_one(con.execute("SELECT count(*) FROM decision_log WHERE actor = 'human'"))
    cur = {r["skill_id"]: r for r in now_links.iter_rows(named=True)}
    assert cur[auto["skill_id"]]["status"] == "rejected" and cur[auto["skill_id"]]["decided_by"] == "human"
    assert cur[pend["skill_id"]]["status"] == "accepted"
    assert now_links.filter(now_links["skill_id"] == auto["skill_id"]).height == 1  # no automated twin
    assert auto["skill_id"] in rec["skill_id"].to_list()  # automation still thinks "auto": listed
    assert human_log and human_log[0] == 2
    res = CliRunner().invoke(_app(), ["evidence", "reconcile", "--json"])
    assert res.exit_code == 0 and auto["skill_id"] in res.stdout


def test_edit_decision_moves_the_link(ev: dict) -> None:
    curate_once(ev, "run-1")
    with connect(ev["wh"]) as con:
        pend = links_as_of(con, datetime.now(UTC), ["pending"]).row(0, named=True)
    cu.apply_review(ev["wh"], ev["store"], [HumanDecision(link_id=pend["link_id"], decision="edit",
                                                           skill_id="tech:python")], "review-1")
    with connect(ev["wh"]) as con:
        df = links_as_of(con, datetime.now(UTC)).filter(lambda_item(pend["item_id"]))
    st = {(r["skill_id"], r["status"], r["decided_by"]) for r in df.iter_rows(named=True)}
    assert (pend["skill_id"], "rejected", "human") in st and ("tech:python", "accepted", "human") in st


def test_search_filters_and_provenance(ev: dict) -> None:
    curate_once(ev, "run-1")
    hits = search(ev["store"], ev["emb"], "point-in-time correct training sets", k=5)
    assert hits
    for h in hits:
        p = h.provenance
        assert p.source_path and len(p.version_sha256) == 64 and p.run_id == "run-1" and p.created_at
    only_notes = search(ev["store"], ev["emb"], "feature store", k=5, filters=Filters(sources=["note"]))
    assert only_notes and {h.provenance.source_type for h in only_notes} == {"note"}
    kafka = search(ev["store"], ev["emb"], "streaming", k=10, filters=Filters(skills=["tech:apache-kafka"]))
    assert kafka and all("tech:apache-kafka" in h.skill_ids for h in kafka)
    window = search(ev["store"], ev["emb"], "feature pipelines", k=10,
                    filters=Filters(since=as_of_timestamp("2023-06-01"), until=as_of_timestamp("2024-12-31")))
    assert window and {h.provenance.source_type for h in window} == {"publication"}
    res = CliRunner().invoke(_app(), ["memory", "search", "fraud model drift monitoring", "--k", "3", "--json"])
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert len(got) == 3 and all("provenance" in g and g["provenance"]["source_path"] for g in got)


def test_quarantine_and_removed_items(ev: dict) -> None:
    curate_once(ev, "run-1")
    (ev["op"] / "notes" / "broken.pdf").write_bytes(b"\x89PNG not a pdf")
    (ev["op"] / "notes" / "2025-11-interview-retro.md").unlink()
    out = curate_once(ev, "run-2")
    assert out["quarantined"] == 1 and out["items_removed"] == 1
    with connect(ev["wh"]) as con:
        q = con.sql("SELECT reason FROM quarantine WHERE source = 'evidence'").pl()
    assert "is not a PDF" in q["reason"][0]
