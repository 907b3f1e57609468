"""`careeros demo` never overwrites a person's profile and never records its decisions as a person's."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

pytestmark = pytest.mark.security

MINE = 'name = "Real Person"\n[goal]\nstatement = "My own goal, not the demo"\n[[target_roles]]\ntitle = "Nurse"\n'


def test_demo_refuses_a_home_with_a_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            settings_env: None) -> None:
    from careeros.cli import app
    from careeros.settings import get_settings

    home = tmp_path / "home"
    home.mkdir()
    (home / "profile.toml").write_text(MINE)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    get_settings.cache_clear()
    res = CliRunner().invoke(app, ["demo"])
    assert res.exit_code == 2, res.output
    assert "never overwrites" in res.output and "CAREEROS_HOME=" in res.output
    assert (home / "profile.toml").read_text() == MINE
    assert not (home / "warehouse.duckdb").exists()  # refused before doing anything


def test_decisions_in_a_demo_home_are_recorded_as_demo(tmp_path: Path) -> None:
    from careeros.agents.orchestrator import AgentRun, apply_decisions
    from careeros.demo_home import claim, decision_actor
    from careeros.warehouse.db import connect

    def actors(home: Path) -> set[str]:
        run = AgentRun(agent="strategist", effective_confidence=0.2, threshold=0.6, escalated=True, status="escalated")
        apply_decisions(home, "r1", [run], {"strategist": "accept", "approver": "demo operator"})
        with connect(home / "warehouse.duckdb", read_only=True) as con:
            return {r[0] for r in con.execute("SELECT actor FROM decision_log").fetchall()}

    demo, person = tmp_path / "demo", tmp_path / "person"
    claim(demo)
    person.mkdir()
    assert decision_actor(demo) == "demo" and decision_actor(person) == "human"
    assert actors(demo) == {"demo"}
    from careeros.settings import approver_identity

    assert actors(person) == {approver_identity()}  # a person's home records the home's identity
    claim(demo)  # the demo may re-run in its own home
