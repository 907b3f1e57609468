"""The portfolio site: content from a real warehouse and profile, rendering, and publishing to a real bare git remote."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from careeros.cli import app
from careeros.integrations.contract import (
    ApprovalRequired,
    IntegrationError,
    record_approval,
    run_apply,
    run_rollback,
    run_verify,
    stored,
)
from careeros.integrations.portfolio import (
    EMPTY_TREE,
    GitPortfolio,
    build_site,
    collect_site,
    display_remote,
    is_local_remote,
    publish_action,
)
from careeros.profile import load_profile
from careeros.warehouse.db import connect

SECRET = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
PROFILE = """name = "Ada Tester"
email = "ada@example.org"
location = "Lisbon"
headline = "Data engineer moving into ML engineering"
summary = "I build pipelines.\\n\\nI like tests."
{extra}
[goal]
statement = "Land an ML engineering role"

[[target_roles]]
title = "Machine Learning Engineer"

[[target_roles]]
title = "Data Engineer"
"""
TS = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _git(*args: str) -> str:
    env = {"PATH": os.environ["PATH"], "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent"}
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True, env=env).stdout


def _item(con: Any, item_id: str, title: str, source_type: str, meta: dict[str, Any], day: int,
          closed: bool = False) -> None:
    con.execute("INSERT INTO evidence_item VALUES (?, 'v1', ?, ?, ?, ?, 100, 1, 0.9, ?, 'r1', ?, ?)",
                [item_id, source_type, f"/home/ada/private/{item_id}", title, datetime(2026, 2, day, tzinfo=UTC),
                 json.dumps(meta), TS, TS if closed else None])


def _link(con: Any, item_id: str, skill_id: str, label: str, status: str, conf: float = 0.9) -> None:
    con.execute("INSERT INTO evidence_skill VALUES (?, ?, 'v1', ?, ?, ?, 'strong', 'm', '{}', ?, ?, 'r1', ?, NULL)",
                [f"{item_id}:{skill_id}", item_id, skill_id, label, conf, status,
                 "human" if status == "accepted" else "automation", TS])


def _seed(wh: Path) -> None:
    with connect(wh) as con:
        _item(con, "repo1", "<script>alert(1)</script> pipeline-kit", "repo",
              {"description": f"CI uses {SECRET} and api_key=Zx9Yw8Vu7Ts6Rq5", "languages": {"Python": 12, "SQL": 3},
               "n_commits": 40}, 20)
        _item(con, "pub1", "Streaming joins at scale", "publication", {"venue": "DataConf", "year": "2025"}, 10)
        _item(con, "note1", "Salary negotiation notes", "note", {}, 5)  # only a pending link: not shown
        _item(con, "old1", "Removed thing", "note", {}, 1, closed=True)  # no longer current: not shown
        _link(con, "repo1", "python", "Python", "auto")
        _link(con, "repo1", "sql", "SQL", "auto", 0.7)
        _link(con, "repo1", "excel", "Excel", "auto")  # in skills_removed: never shown
        _link(con, "pub1", "stream", "Stream processing", "accepted")
        _link(con, "note1", "negotiation", "Negotiation", "pending")
        _item(con, "cv1", "Ada Lovelace CV", "resume", {}, 6)  # the CV itself and private notes: never public
        _link(con, "cv1", "python", "Python", "accepted")
        _item(con, "note2", "Diary: interview nerves", "note", {}, 7)
        _link(con, "note2", "communication", "Communication", "accepted")
        _link(con, "old1", "cobol", "COBOL", "auto")
        plan = {"totals": {"artifacts": [
            {"id": "art1", "kind": "project", "title": "Feature store demo", "skills": ["Python", "Feast"]},
            {"id": "art2", "kind": "write-up", "title": "Model monitoring write-up", "skills": ["MLOps"]},
            {"id": "art3", "kind": "talk", "title": "Unstarted talk", "skills": ["Speaking"]}]}}
        con.execute("INSERT INTO plan_version (plan_id, version, status, created_at, approved_at, plan_json) "
                    "VALUES ('p1', 2, 'approved', ?, ?, ?)", [TS, TS, json.dumps(plan)])
        con.execute("INSERT INTO plan_version (plan_id, version, status, created_at, plan_json) "
                    "VALUES ('p1', 3, 'proposed', ?, '{}')", [TS])
        for tid, kind, aid in [("learn:feast", "learn", None), ("build:art1", "build", "art1"),
                               ("publish:art1", "publish", "art1"), ("build:art2#1", "build", "art2"),
                               ("build:art2#2", "build", "art2"), ("publish:art2", "publish", "art2"),
                               ("build:art3", "build", "art3"), ("publish:art3", "publish", "art3")]:
            con.execute("INSERT INTO plan_task (plan_id, version, task_id, week, kind, title, hours, artifact_id) "
                        "VALUES ('p1', 2, ?, 1, ?, ?, 2, ?)", [tid, kind, tid, aid])
        # art1: published; art2: both build parts done, not published -> finished; art3: only learning done
        for i, (tid, day) in enumerate([("build:art1", 3), ("publish:art1", 4), ("build:art2#1", 5),
                                        ("build:art2#2", 6), ("learn:feast", 7)]):
            con.execute("INSERT INTO outcome_event VALUES (?, ?, 'task_done', 'p1', ?, NULL, NULL, 'cli', ?)",
                        [f"e{i}", datetime(2026, 3, day, 9, tzinfo=UTC), tid, TS])


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from careeros.settings import get_settings

    h = tmp_path / "home"
    h.mkdir()
    (h / "profile.toml").write_text(PROFILE.format(extra='skills_removed = ["excel"]'))
    _seed(h / "warehouse.duckdb")
    remote = tmp_path / "remote.git"
    _git("init", "-q", "--bare", str(remote))
    for k, v in {"CAREEROS_HOME": str(h), "CAREEROS_PORTFOLIO_REMOTE": str(remote), "CAREEROS_APPROVER": "tester",
                 "CAREEROS_RETRY_BACKOFF_SECONDS": "0", "CAREEROS_PORTFOLIO_BRANCH": "gh-pages"}.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    yield h
    get_settings.cache_clear()


def _cli(*args: str, input: str | None = None) -> Any:
    return CliRunner().invoke(app, ["portfolio", *args], input=input)


def _remote(home: Path) -> Path:
    return home.parent / "remote.git"


def _head(home: Path) -> str:
    return _git("ls-remote", str(_remote(home)), "refs/heads/gh-pages").split("\t")[0]


# ------------------------------------------------------------------------------------------------ build


def test_build_is_deterministic_escaped_redacted_and_private(home: Path, tmp_path: Path) -> None:
    profile = load_profile(home / "profile.toml")
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        a = build_site(con, profile, tmp_path / "a")
        b = build_site(con, profile, tmp_path / "b")
        content = collect_site(con, profile)
    for name in a.files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert a.digest == b.digest and sorted(a.files) == [".nojekyll", "index.html", "style.css"]
    html = (tmp_path / "a" / "index.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; pipeline-kit" in html
    assert SECRET not in html and "Zx9Yw8Vu7Ts6Rq5" not in html and "[REDACTED]" in html
    assert "ada@example.org" not in html and "Lisbon" not in html and "mailto:" not in html
    assert "/home/ada" not in html and "Salary negotiation" not in html and "Removed thing" not in html
    assert "Ada Lovelace CV" not in html and "interview nerves" not in html and "Communication" not in html
    assert "Excel" not in html and "COBOL" not in html
    # finished plan work: art1 published (publish done), art2 finished (both build parts), art3 not done
    assert [(x.artifact_id, x.status, str(x.done_on)) for x in content.artifacts] == [
        ("art2", "finished", "2026-03-06"), ("art1", "published", "2026-03-04")]
    assert "Unstarted talk" not in html and "Feature store demo" in html and "Model monitoring write-up" in html
    assert [e.item_id for e in content.evidence] == ["repo1", "pub1"]
    assert content.evidence[0].skills == ["Python", "SQL"] and "DataConf (2025)" in html
    assert content.plan == "p1 v2" and str(content.as_of) == "2026-03-06"
    assert "Machine Learning Engineer" in html and "I like tests." in html
    # the CLI writes the same bytes into the home's default folder
    res = _cli("build", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["digest"] == a.digest and out["contact_shown"] is False
    assert Path(out["out"]) == (home / "portfolio" / "site").resolve()


@pytest.mark.parametrize("extra", ["portfolio_show_contact = true", "[portfolio]\nshow_contact = true"])
def test_contact_details_only_when_the_profile_opts_in(home: Path, tmp_path: Path, extra: str) -> None:
    text = PROFILE.format(extra="").replace('headline = "', 'headline = "Mail ada@example.org · ')
    (home / "profile.toml").write_text(text)
    off = collect_site(None, load_profile(home / "profile.toml"))
    assert off.contact is None and "ada@example.org" not in (off.headline or "") and "[EMAIL]" in (off.headline or "")
    # a [portfolio] table must come after the top-level keys but before [goal]
    (home / "profile.toml").write_text(text.replace("[goal]", extra + "\n\n[goal]", 1))
    res = _cli("build")
    assert res.exit_code == 0, res.output
    assert "contact details shown" in res.stdout
    html = (home / "portfolio" / "site" / "index.html").read_text()
    assert 'href="mailto:ada@example.org"' in html and "Lisbon" in html


def test_unknown_portfolio_key_and_foreign_output_folder_are_one_line_errors(home: Path, tmp_path: Path) -> None:
    (home / "profile.toml").write_text(PROFILE.format(extra="").replace("[goal]", "[portfolio]\nshow_phone = true\n\n"
                                                                                  "[goal]"))
    res = _cli("build")
    assert res.exit_code == 2 and "show_phone" in res.output and "Traceback" not in res.output
    (home / "profile.toml").write_text(PROFILE.format(extra=""))
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    res = _cli("build", "--out", str(tmp_path / "mine"))
    assert res.exit_code == 1 and "notes.txt" in res.output and len(res.output.strip().splitlines()) == 1
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


# ------------------------------------------------------------------------------------------------ publish


def test_publish_replay_change_rollback_keep_history(home: Path) -> None:
    res = _cli("publish", "--yes", "--json")
    assert res.exit_code == 0, res.output
    first = json.loads(res.stdout)
    assert first["status"] == "published" and _head(home) == first["commit"]
    assert "add index.html" in first["changes"] and "create branch gh-pages" in first["changes"]
    tree1 = _git("--git-dir", str(_remote(home)), "rev-parse", f"{first['commit']}^{{tree}}").strip()
    assert "Feature store demo" in _git("--git-dir", str(_remote(home)), "show", "gh-pages:index.html")

    again = json.loads(_cli("publish", "--yes", "--json").stdout)  # same state: same key, nothing pushed
    assert again == {"status": "unchanged", "key": first["key"], "commit": first["commit"], "replayed": True}
    assert _git("--git-dir", str(_remote(home)), "rev-list", "--count", "gh-pages").strip() == "1"

    with connect(home / "warehouse.duckdb") as con:  # the state changes: a new accepted evidence item
        _item(con, "cert1", "Cloud certificate", "certificate", {}, 25)
        _link(con, "cert1", "cloud", "Cloud computing", "accepted")
    declined = _cli("publish", input="n\n")
    assert declined.exit_code == 1 and "change index.html" in declined.output and "declined" in declined.output
    assert _head(home) == first["commit"]
    res = _cli("publish", input="y\n")
    assert res.exit_code == 0 and "published" in res.stdout, res.output
    second = _head(home)
    assert second != first["commit"]
    assert _git("--git-dir", str(_remote(home)), "rev-parse", f"{second}^").strip() == first["commit"]

    res = _cli("rollback", first["key"])  # the branch shows a newer publish: refused, nothing pushed
    assert res.exit_code == 1 and "roll back the newer publish first" in res.output and _head(home) == second
    res = _cli("rollback", "--json")
    assert res.exit_code == 0, res.output
    rb = json.loads(res.stdout)
    assert rb["status"] == "rolled_back" and rb["restored"] == first["commit"] and _head(home) == rb["commit"]
    remote = str(_remote(home))
    assert _git("--git-dir", remote, "rev-parse", "gh-pages^{tree}").strip() == tree1
    log = _git("--git-dir", remote, "rev-list", "gh-pages").split()
    assert log == [rb["commit"], second, first["commit"]]  # nothing force-pushed: history keeps both publishes

    with connect(home / "warehouse.duckdb", read_only=True) as con:
        rows = dict(con.execute("SELECT status, count(*) FROM integration_action GROUP BY ALL").fetchall())
        assert rows == {"applied": 1, "rolled_back": 1}
        actors = con.execute("SELECT action, actor FROM decision_log WHERE action LIKE 'integration_%' "
                             "ORDER BY decided_at").fetchall()
    assert ("integration_rejected", "tester") in actors and ("integration_approved", "tester") in actors
    assert ("integration_rolled_back", "tester") in actors
    st = json.loads(_cli("status", "--json").stdout)
    assert st["remote_head"] == rb["commit"] and st["leaves_machine"] is False and st["in_sync"] is False

    # rolling back again undoes the first publish too: the branch was new, so the site goes away
    rb1 = json.loads(_cli("rollback", "--json").stdout)
    assert rb1["key"] == first["key"] and rb1["restored"] is None
    assert _git("--git-dir", remote, "rev-parse", "gh-pages^{tree}").strip() == EMPTY_TREE
    res = _cli("rollback")
    assert res.exit_code == 2 and "no applied portfolio publish" in res.output

    # the rolled-back content, published again, is a new publish on top (a new commit; history grows)
    res = _cli("publish", "--yes", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["status"] == "published" and _head(home) != rb1["commit"]
    assert _git("--git-dir", remote, "rev-list", "--count", "gh-pages").strip() == "5"


def test_rolling_back_the_first_publish_removes_the_site_and_verify_asks_the_remote(home: Path) -> None:
    from careeros.settings import get_settings

    s = get_settings()
    with connect(s.warehouse_path, read_only=True) as con:
        build_site(con, load_profile(home / "profile.toml"), home / "site")
    integ = GitPortfolio(str(_remote(home)), "gh-pages", home / "site", home / "clone.git")
    with connect(s.warehouse_path) as con:
        action, key = publish_action(con, integ)
        assert not action.leaves_machine
        (home / "site" / "index.html").write_text("edited after the preview")
        with pytest.raises(IntegrationError, match="changed since"):
            run_apply(con, integ, action, key)
        build_site(None, load_profile(home / "profile.toml"), home / "site")
        action, key = publish_action(con, integ)
        res = run_apply(con, integ, action, key)
        assert run_verify(con, integ, key) and res.signal == _head(home)
        assert integ.preview(action).noop
        undone = run_rollback(con, integ, key, actor="tester")
        assert _git("--git-dir", str(_remote(home)), "rev-parse", "gh-pages^{tree}").strip() == EMPTY_TREE
        assert undone.signal == _head(home) and stored(con, key)[0] == "rolled_back"
        assert run_rollback(con, integ, key).replayed  # twice is a no-op
        assert not run_verify(con, integ, key)


@pytest.mark.parametrize(("remote", "local"), [
    ("/srv/site.git", True), ("./site.git", True), ("site.git", True), ("file:///srv/site.git", True),
    ("git@github.com:ada/ada.github.io.git", False), ("ssh://git@example.org/site.git", False),
    ("https://github.com/ada/site.git", False), ("example.org:site.git", False)])
def test_which_remotes_leave_the_machine(remote: str, local: bool) -> None:
    assert is_local_remote(remote) is local


def test_credentials_in_a_remote_url_are_never_shown() -> None:
    assert display_remote("https://ada:tok3n-s3cret@github.com/ada/site.git") == \
        "https://[REDACTED]@github.com/ada/site.git"
    assert display_remote("ssh://git@example.org/site.git") == "ssh://git@example.org/site.git"


def test_a_remote_that_leaves_the_machine_needs_a_recorded_approval(home: Path, tmp_path: Path) -> None:
    from careeros.settings import get_settings

    s = get_settings()
    with connect(s.warehouse_path, read_only=True) as con:
        build_site(con, load_profile(home / "profile.toml"), home / "site")
    integ = GitPortfolio("ssh://git@example.invalid/site.git", "gh-pages", home / "site", tmp_path / "clone.git")
    with connect(s.warehouse_path) as con:
        action, key = publish_action(con, integ)  # nothing stored yet: no network call
        assert action.leaves_machine
        with pytest.raises(ApprovalRequired):
            run_apply(con, integ, action, key)
        record_approval(con, key, "automation", action=action)  # automation cannot approve
        with pytest.raises(ApprovalRequired):
            run_apply(con, integ, action, key)
        assert stored(con, key) is None
    assert not (tmp_path / "clone.git").exists()  # nothing was attempted


def test_a_broken_remote_is_a_clear_error_and_a_failed_row(home: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.settings import get_settings

    missing = tmp_path / "nowhere" / "site.git"
    with connect(get_settings().warehouse_path, read_only=True) as con:
        build_site(con, load_profile(home / "profile.toml"), home / "site")
    integ = GitPortfolio(str(missing), "gh-pages", home / "site", tmp_path / "clone.git")
    with connect(get_settings().warehouse_path) as con:
        action, key = publish_action(con, integ)
        with pytest.raises(IntegrationError, match="does not appear to be a git repository"):
            run_apply(con, integ, action, key, sleep=lambda s: None)
        status, result = stored(con, key)
    assert status == "failed" and str(missing) in (result.error or "")
    monkeypatch.setenv("CAREEROS_PORTFOLIO_REMOTE", str(missing))
    res = _cli("publish", "--yes")
    assert res.exit_code == 1 and "Traceback" not in res.output
    assert res.output.startswith("error:") and len(res.output.strip().splitlines()) == 1
    monkeypatch.delenv("CAREEROS_PORTFOLIO_REMOTE")
    res = _cli("publish", "--yes")
    assert res.exit_code == 2 and "CAREEROS_PORTFOLIO_REMOTE" in res.output
