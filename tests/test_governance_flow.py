"""Governance: stale findings on a real warehouse, the monthly-governance flow on the real Prefect test server
(removals applied only when approved), and short-term context weighted by recency and reliability."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import profile_home
from test_standup_flows import PROFILE, Run, _wait_paused

from careeros.warehouse.db import connect

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


@pytest.fixture()
def gov_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    home = profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE)
    kept = tmp_path / "notes" / "kept.md"
    kept.parent.mkdir()
    kept.write_text("Built a dbt project.")
    gone = tmp_path / "notes" / "deleted.md"
    from careeros.memory.context import add
    from careeros.planner.assumptions import set_posterior, sync_assumptions

    with connect(home / "warehouse.duckdb") as con:
        sid = con.execute("SELECT skill_id FROM graph_skill ORDER BY skill_id LIMIT 1").fetchall()[0][0]
        for item, path in (("item-kept", kept), ("item-gone", gone)):
            con.execute("INSERT INTO evidence_item VALUES (?, 'v1', 'note', ?, ?, NULL, 10, 1, 0.4, '{}', 'r0', ?, NULL)",
                        [item, str(path), path.name, NOW - timedelta(days=40)])
        rows = [("l-kept", "item-kept", sid, "accepted", "human"), ("l-gone-file", "item-gone", sid, "accepted", "human"),
                ("l-old-skill", "item-kept", "tech:flash-macromedia-4", "auto", "automation")]
        for link, item, skill, status, by in rows:
            con.execute("INSERT INTO evidence_skill VALUES (?, ?, 'v1', ?, ?, 0.9, 'strong', 'test', '{}', ?, ?, 'r0', ?,"
                        " NULL)", [link, item, skill, skill, status, by, NOW - timedelta(days=40)])
        sync_assumptions(con)
        set_posterior(con, "outreach_reply_rate", {"family": "beta", "a": 9.0, "b": 91.0}, "test")
        con.execute("UPDATE assumption SET updated_at = ? WHERE assumption_id = 'outreach_reply_rate'",
                    [NOW - timedelta(days=200)])
        add(con, "week:2026-W30", "automation", "old note", at=NOW - timedelta(days=120))
        add(con, "week:2026-W48", "checkin", "fresh note", at=NOW - timedelta(hours=5))
    return home


def test_find_stale_names_each_kind_once_with_a_reason(gov_home: Path) -> None:
    from careeros.metrics.governance import find_stale

    with connect(gov_home / "warehouse.duckdb") as con:
        found = find_stale(con, NOW)
    by = {(f.kind, f.target) for f in found}
    assert by == {("item_missing_file", "item-gone"), ("skill_gone", "l-old-skill"),
                  ("assumption_stale", "outreach_reply_rate"),
                  ("context_expired", next(f.target for f in found if f.kind == "context_expired"))}
    gone = next(f for f in found if f.kind == "item_missing_file")
    assert "deleted.md no longer exists" in gone.reason and gone.facts["open_links"] == 1
    assert len({f.finding_id for f in found}) == len(found)
    with connect(gov_home / "warehouse.duckdb") as con:  # stable ids: the same state gives the same findings
        assert [f.finding_id for f in find_stale(con, NOW)] == [f.finding_id for f in found]


def test_flow_applies_only_what_was_approved(prefect_server: None, gov_home: Path) -> None:
    from prefect.flow_runs import resume_flow_run

    from flows.governance import monthly_governance

    run = Run(monthly_governance, as_of=NOW.isoformat(), poll_interval=1, timeout=120)
    waiting = _wait_paused("monthly-governance", "governance-approval")
    assert "deleted.md" in waiting["description"] and "outreach_reply_rate" in waiting["description"]
    with connect(gov_home / "warehouse.duckdb", read_only=True) as con:
        from careeros.metrics.governance import find_stale

        found = {f.kind: f.finding_id for f in find_stale(con, NOW)}
    pick = [found["item_missing_file"], found["assumption_stale"]]
    resume_flow_run(waiting["flow_run_id"], run_input={"decision": "apply_selected", "selected": ", ".join(pick),
                                                       "notes": "tidy"})
    out = run.result()
    assert out["status"] == "applied" and out["applied"] == {"item_missing_file": 1, "assumption_stale": 1}
    with connect(gov_home / "warehouse.duckdb", read_only=True) as con:
        open_links = {r[0] for r in con.execute("SELECT link_id FROM evidence_skill WHERE valid_to IS NULL").fetchall()}
        items = {r[0] for r in con.execute("SELECT item_id FROM evidence_item WHERE valid_to IS NULL").fetchall()}
        post = con.execute("SELECT posterior_json, version FROM assumption WHERE assumption_id = "
                           "'outreach_reply_rate'").fetchall()[0]
        hist = con.execute("SELECT change FROM assumption_history WHERE assumption_id = 'outreach_reply_rate' "
                           "ORDER BY version DESC LIMIT 1").fetchall()[0][0]
        ctx = con.execute("SELECT count(*) FROM context_buffer").fetchall()[0][0]
        log = con.execute("SELECT actor, action, facts_json FROM decision_log WHERE action LIKE 'governance.%'"
                          " ORDER BY action").fetchall()
    # the human link on the deleted file is closed (approved); the unapproved stale-skill link stays open
    assert open_links == {"l-kept", "l-old-skill"} and items == {"item-kept"}
    assert post[0] is None and hist == "reset_stale"
    assert ctx == 2  # the expired entry was not approved: kept
    actions = [a for _, a, _ in log]
    assert actions == ["governance.apply_selected", "governance.assumption_stale", "governance.item_missing_file"]
    assert json.loads(log[0][2])["approved"] == sorted(pick) and all(a not in ("automation", "") for a, _, _ in log)


def test_nothing_stale_completes_without_asking(prefect_server: None, gov_home: Path) -> None:
    from flows.governance import monthly_governance

    with connect(gov_home / "warehouse.duckdb") as con:
        con.execute("DELETE FROM evidence_skill")
        con.execute("DELETE FROM evidence_item")
        con.execute("DELETE FROM context_buffer")
        con.execute("UPDATE assumption SET updated_at = ?", [NOW])
    out = monthly_governance(as_of=NOW.isoformat(), poll_interval=1, timeout=5)
    assert out["status"] == "nothing stale" and out["findings"] == []


def test_short_term_context_weighs_recency_and_reliability(tmp_path: Path) -> None:
    from careeros.memory.context import add, recent, refresh_week, week_scope

    with connect(tmp_path / "w.duckdb") as con:
        add(con, "week:x", "automation", "auto today", at=NOW - timedelta(hours=1))
        add(con, "week:x", "human_decision", "human yesterday", at=NOW - timedelta(hours=24))
        add(con, "week:x", "checkin", "checkin a week ago", at=NOW - timedelta(days=6), ttl=timedelta(days=8))
        add(con, "week:x", "automation", "expired", at=NOW - timedelta(days=8))
        got = recent(con, ["week:x"], as_of=NOW)
        assert [e.text for e in got] == ["human yesterday", "auto today", "checkin a week ago"]
        assert got[0].score == pytest.approx(1.0 * 0.5 ** (24 / 72))
        assert recent(con, ["week:other"], as_of=NOW) == []
        # refresh from the warehouse: human decisions and check-ins of the last 7 days, idempotent
        con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, facts_json) VALUES "
                    "('d1', ?, 'ana', 'plan.approve', 'plan-1', '{\"notes\": \"looks right\"}'),"
                    "('d2', ?, 'automation', 'link_auto_accepted', 'i', '{}')",
                    [NOW - timedelta(days=1), NOW - timedelta(days=1)])
        for i in range(3):  # the same decision three times on one day: one entry with a count
            con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, facts_json) "
                        "VALUES (?, ?, 'ana', 'link_accepted', ?, '{}')", [f"a{i}", NOW - timedelta(hours=2 + i), f"i{i}"])
        assert refresh_week(con, NOW) == 2 and refresh_week(con, NOW) == 2
        texts = [e.text for e in recent(con, [week_scope(NOW)], as_of=NOW)]
        assert len(texts) == 2 and any("you approved the plan (looks right)" in t for t in texts)
        assert any(t.endswith("you confirmed a skill in your evidence (3 times)") for t in texts), texts
