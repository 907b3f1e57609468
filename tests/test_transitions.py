"""Transitions: table-driven sanity on the real warehouse, and the `occupations related` CLI contract."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def model(built_home: Path) -> Iterator[object]:
    """One transition model over the session warehouse (CAREEROS_HOME pointed at it for the module)."""
    from careeros.planner.transitions import load_model
    from careeros.settings import get_settings

    old = os.environ.get("CAREEROS_HOME")
    os.environ["CAREEROS_HOME"] = str(built_home)
    get_settings.cache_clear()
    yield load_model()
    if old is None:
        os.environ.pop("CAREEROS_HOME", None)
    else:
        os.environ["CAREEROS_HOME"] = old
    get_settings.cache_clear()


@pytest.mark.parametrize(("soc", "expected_any", "need"), [
    ("15-1252.00", {"15-1251.00", "15-1253.00", "15-1254.00", "15-1299.08", "15-1299.07"}, 2),
    ("29-1141.00", {"29-1171.00", "29-2061.00"}, 2),
    ("47-2111.00", {"47-3013.00", "49-9051.00", "49-2095.00"}, 1),
    ("53-3032.00", {"53-3033.00"}, 1),
    ("13-2011.00", {"13-2031.00", "13-2061.00", "43-3031.00", "11-3031.01"}, 2),
    ("25-2021.00", {"25-2022.00", "25-2012.00"}, 1),
])
def test_related_sanity(model, soc: str, expected_any: set[str], need: int) -> None:  # type: ignore[no-untyped-def]
    rel = model.related(soc, k=10)
    codes = [r.soc_code for r in rel]
    assert soc not in codes
    assert len(codes) == 10 == len(set(codes))
    assert len(expected_any & set(codes)) >= need, codes
    assert [r.score for r in rel] == sorted((r.score for r in rel), reverse=True)


def test_explanation_fields(model) -> None:  # type: ignore[no-untyped-def]
    r = model.related("15-1252.00", k=3)[0]
    for key in ("shared_skills", "missing_skills", "wage_ratio", "job_zone_step", "shared_technologies"):
        assert key in r.explanation
    assert r.explanation["wage_ratio"] is None or r.explanation["wage_ratio"] > 0


def test_never_itself_all(model) -> None:  # type: ignore[no-untyped-def]
    idx = model.related_indices(10)
    assert idx.shape == (len(model.data.soc), 10)
    assert not (idx == __import__("numpy").arange(len(model.data.soc))[:, None]).any()


def test_recall_helper() -> None:
    from careeros.planner.transitions import recall_at_k

    assert recall_at_k({"a": ["x", "y", "z"]}, {"a": ["x", "q"]}, k=10) == 0.5
    assert recall_at_k({"a": ["x"]}, {"a": ["x"]}, k=10) == 1.0


def test_cli_contract(model, built_home: Path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from careeros.cli import app

    runner = CliRunner()
    env = {"CAREEROS_HOME": str(built_home)}
    res = runner.invoke(app, ["occupations", "related", "15-1252.00", "--k", "5"], env=env)
    assert res.exit_code == 0, res.output
    obj = json.loads(res.stdout.strip())
    assert obj["soc_code"] == "15-1252.00" and len(obj["related"]) == 5
    for r in obj["related"]:
        assert isinstance(r["soc_code"], str) and isinstance(r["title"], str) and isinstance(r["score"], float)
    res = runner.invoke(app, ["occupations", "related", "--all", "--k", "10"], env=env)
    assert res.exit_code == 0
    lines = [json.loads(ln) for ln in res.stdout.splitlines() if ln.strip()]
    assert len(lines) == len(model.data.soc) >= 1000
    assert all(len(o["related"]) == 10 and o["soc_code"] not in {r["soc_code"] for r in o["related"]} for o in lines)
    bad = runner.invoke(app, ["occupations", "related", "99-9999.99"], env=env)
    assert bad.exit_code == 2
