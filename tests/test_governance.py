"""Governance: profile versions with rollback; outreach drafts' edit history and retraction before sending."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careeros.cli import app
from careeros.warehouse.db import connect

PROFILE = '''name = "Ana Lima"
weekly_hours = {hours}
horizon_weeks = 12

[goal]
statement = "Move into health informatics within 3 months."

[[target_roles]]
title = "Health Informatics Specialist"
'''


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("CAREEROS_HOME", str(h))
    monkeypatch.setenv("CAREEROS_APPROVER", "ana")
    with connect(h / "warehouse.duckdb"):
        pass  # an empty warehouse (schema only) is all profile versions need
    (h / "profile.toml").write_text(PROFILE.format(hours=6), encoding="utf-8")
    return h


def _cli(*args: str) -> str:
    res = CliRunner().invoke(app, list(args))
    assert res.exit_code == 0, res.output
    return res.stdout


def test_profile_history_records_each_content_once_and_rollback_restores_it(home: Path) -> None:
    first = json.loads(_cli("profile", "history", "--json"))
    assert [v["version"] for v in first] == [1] and first[0]["actor"] == "ana"
    assert json.loads(_cli("profile", "history", "--json")) == first  # unchanged file: no new version
    (home / "profile.toml").write_text(PROFILE.format(hours=12), encoding="utf-8")  # the person edits it
    assert "-weekly_hours = 6" in _cli("profile", "history", "--diff", "1")
    out = json.loads(_cli("profile", "rollback", "1", "--json"))
    assert out["source"] == "rollback" and out["version"] == 3
    assert "weekly_hours = 6" in (home / "profile.toml").read_text()
    hist = json.loads(_cli("profile", "history", "--json"))
    assert [(v["version"], v["source"]) for v in hist] == [(1, "observed"), (2, "observed"), (3, "rollback")]
    # texts live among the person's files, not in the warehouse (whose copy is the analytics snapshot)
    assert len(list((home / "profile-versions").glob("v*.toml"))) == 3
    assert b"Ana Lima" not in (home / "warehouse.duckdb").read_bytes()
    # the rollback is itself undoable: version 2 (12 h) is still there
    _cli("profile", "rollback", "2", "--yes")
    assert "weekly_hours = 12" in (home / "profile.toml").read_text()
    with connect(home / "warehouse.duckdb") as con:
        acts = [r[0] for r in con.execute("SELECT action FROM decision_log WHERE action LIKE 'profile_%'"
                                          " ORDER BY decided_at").fetchall()]
    assert acts.count("profile_rollback") == 2


def test_rollback_to_a_version_that_no_longer_loads_is_refused(home: Path) -> None:
    from careeros.profile_history import RollbackError, record_text, rollback, store_for

    store = store_for(home)
    with connect(home / "warehouse.duckdb") as con:
        bad = record_text(con, store, 'name = "x"\nweekly_hours = -3\n', actor="ana", source="import")
        assert bad is not None
        before = (home / "profile.toml").read_text()
        with pytest.raises(RollbackError, match="no longer loads"):
            rollback(con, store, home / "profile.toml", bad.version, actor="ana")
        with pytest.raises(RollbackError, match="no profile version 99"):
            rollback(con, store, home / "profile.toml", 99, actor="ana")
        (store / next(p.name for p in store.glob(f"v{bad.version:04d}-*"))).unlink()
        with pytest.raises(RollbackError, match="is missing"):
            rollback(con, store, home / "profile.toml", bad.version, actor="ana")
    assert (home / "profile.toml").read_text() == before
    assert not list(home.glob(".profile.toml*"))  # no temp file left behind
    res = CliRunner().invoke(app, ["profile", "rollback", "99", "--yes"])
    assert res.exit_code == 2 and "no profile version 99" in res.output


def test_add_skill_edits_are_versions(home: Path, built_home: Path) -> None:
    import shutil

    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    _cli("evidence", "add-skill", "Python")
    hist = json.loads(_cli("profile", "history", "--json"))
    assert [v["source"] for v in hist][-2:] == ["observed", "written"]
    assert "add-skill" in hist[-1]["note"]
    _cli("profile", "rollback", str(hist[-2]["version"]), "--yes")
    assert "skills_added" not in (home / "profile.toml").read_text()


def test_outreach_edit_history_and_retraction(home: Path) -> None:
    from careeros.outbox import Draft, Outbox, OutboxError, human_decision

    ob = Outbox()
    d = ob.add_draft(Draft(draft_id="d1", to="lead@example.org", subject="Hello", body="Dear Sam, ..."))
    edited = ob.decide(human_decision(d.message_id, "edit", "ana", body="Dear Sam, shorter."))
    hist = json.loads(_cli("agents", "outreach", "history", "d1", "--json"))
    assert [(m["draft_version"], m["status"]) for m in hist] == [(1, "dropped"), (2, "approved")]
    assert hist[0]["body"] == "Dear Sam, ..." and hist[1]["body"] == "Dear Sam, shorter."
    assert "retracted" in _cli("agents", "outreach", "retract", edited.message_id)
    assert ob.get(edited.message_id).status == "dropped"
    assert ob.send(edited.message_id).status == "dropped"  # nothing goes out after a retraction
    res = CliRunner().invoke(app, ["agents", "outreach", "retract", edited.message_id])
    assert res.exit_code == 2 and "only an approved, unsent message" in res.output
    with pytest.raises(OutboxError, match="drop decision"):
        other = ob.add_draft(Draft(draft_id="d2", to="x@example.org", subject="Hi", body="Hi"))
        ob.decide(human_decision(other.message_id, "send", "ana"))
        ob.retract(human_decision(other.message_id, "send", "ana"))
