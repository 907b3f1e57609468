"""The ingest-taxonomies flow against a real Prefect test server, and `careeros status --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture()
def env_home(home_copy: Path, datasets: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    monkeypatch.setenv("CAREEROS_HOME", str(home_copy))
    monkeypatch.setenv("CAREEROS_DATASETS", str(datasets))
    from careeros.settings import get_settings

    get_settings.cache_clear()
    return home_copy


def test_ingest_flow_skips_unchanged_sources(prefect_server: None, env_home: Path) -> None:
    from flows.ingest_taxonomies import ingest_taxonomies

    out = ingest_taxonomies(return_state=True)
    assert out.is_completed()
    summaries = out.result()
    assert {s["source"]: s["status"] for s in summaries} == {
        "onet": "skipped", "esco": "skipped", "oews": "skipped", "careeros-graph": "skipped"}
    assert (env_home / "analytics.duckdb").exists()


def test_status_json_contract(env_home: Path) -> None:
    from careeros.cli import app

    res = CliRunner().invoke(app, ["status", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["warehouse"].endswith("warehouse.duckdb")
    names = {s["name"] for s in info["sources"]}
    assert {"onet", "esco", "oews"} <= names
    for s in info["sources"]:
        assert len(s["sha256"]) == 64 and s["rows"] > 0 and s["version"] and s["loaded_at"]
    c = info["counts"]
    assert c["occupations"] >= 1016
    assert c["skills"] >= 13939 + 1016
    assert c["esco_skills"] >= 13939
    assert c["technology_rows"] >= 30000
    assert c["occupation_skills"] > 100000 and c["wages"] > 200000
    assert c["wage_coverage"] >= 0.95
