"""Outcome capture: pure importers (outbox, published sessions, check-ins), idempotent storage, `careeros log`."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from careeros.metrics import outcomes as O
from careeros.warehouse.db import connect, fetch_one

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _outbox() -> tuple[pl.DataFrame, pl.DataFrame]:
    outbox = pl.DataFrame({"message_id": ["m1", "m2", "m3", "m4"], "status": ["sent", "sent", "drafted", "sent"],
                           "sent_at": [T0, T0, None, T0 + timedelta(days=1)]},
                          schema_overrides={"sent_at": pl.Datetime("us", "UTC")})
    replies = pl.DataFrame({"message_id": ["m1", "m1", "m2", "m4"],
                            "received_at": [T0 + timedelta(days=2), T0 + timedelta(days=5), T0 + timedelta(days=3),
                                            T0 + timedelta(days=3)],
                            "kind": ["positive", "interview", "auto_reply", "bounce"]},
                           schema_overrides={"received_at": pl.Datetime("us", "UTC")})
    return outbox, replies


def test_outbox_import_counts_sends_human_replies_and_interviews() -> None:
    ev = O.from_outbox(*_outbox())
    kinds = ev.group_by("kind").len().sort("kind")
    assert dict(zip(kinds["kind"], kinds["len"], strict=True)) == {
        "interview": 1, "outreach_replied": 1, "outreach_sent": 3}
    replied = ev.filter(pl.col("kind") == "outreach_replied").row(0, named=True)
    assert replied["occurred_at"] == T0 + timedelta(days=2)  # the first human reply, not the later one
    assert set(ev["source"]) == {"outbox"} and ev["event_id"].n_unique() == ev.height


def test_event_ids_are_stable_and_storage_is_idempotent(tmp_path: Path) -> None:
    a, b = O.from_outbox(*_outbox()), O.from_outbox(*_outbox(), recorded_at=T0 + timedelta(days=30))
    assert a["event_id"].to_list() == b["event_id"].to_list()
    sessions = [{"uid": f"u{i}", "task_id": "t1", "week": 1, "start": T0 + timedelta(days=i), "minutes": 90,
                 "title": "Build the feature store"} for i in range(3)]
    planned = O.from_sessions("p1", 2, sessions)
    assert planned["quantity"].to_list() == [1.5, 1.5, 1.5] and set(planned["kind"]) == {"session_planned"}
    with connect(tmp_path / "w.duckdb") as con:
        assert O.record_events(con, pl.concat([a, planned])) == 8
        assert O.record_events(con, pl.concat([b, planned])) == 0
        assert O.read_events(con).height == 8


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"kind": "promotion"}, "unknown outcome kind"),
    ({"kind": "hours", "source": "email"}, "unknown outcome source"),
    ({"kind": "hours", "quantity": -1}, "quantity must be"),
])
def test_invalid_events_are_refused(kwargs: dict, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        O.make_event(occurred_at=T0, **kwargs)


def test_checkin_events_are_keyed_by_run() -> None:
    ev = O.from_checkin("run-1", date(2026, 3, 3), done=["t1", "t2"], hours=2.5, outcomes={"interview": 1, "offer": 0})
    assert sorted(ev["kind"].to_list()) == ["hours", "interview", "task_done", "task_done"]
    again = O.from_checkin("run-1", date(2026, 3, 3), done=["t1", "t2"], hours=2.5, outcomes={"interview": 1})
    assert sorted(ev["event_id"].to_list()) == sorted(again["event_id"].to_list())


def test_import_outbox_reads_the_warehouse_tables(tmp_path: Path) -> None:
    wh = tmp_path / "w.duckdb"
    with connect(wh) as con:
        for mid, status in (("m1", "sent"), ("m2", "sent")):
            con.execute("INSERT INTO outbox (message_id, draft_id, draft_version, recipient, subject, body, status, "
                        "created_at, updated_at, sent_at) VALUES (?, 'd', 1, 'a@example.com', 's', 'b', ?, ?, ?, ?)",
                        [mid, status, T0, T0, T0])
        con.execute("INSERT INTO outbox_replies VALUES ('m1', ?, 'positive', ?)", [T0 + timedelta(days=1), T0])
        assert O.import_outbox(con) == 3
        assert O.import_outbox(con) == 0


def test_cli_log_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> None:
    from careeros.cli import app

    monkeypatch.setenv("CAREEROS_HOME", str(tmp_path))
    run = CliRunner()
    for args, expect in [  # `log done` needs a stored plan: tests/test_cli_polish.py
        (["log", "hours", "1.5", "--date", "2026-03-03"], "logged hours"),
        (["log", "hours", "1.5", "--date", "2026-03-03"], "already logged"),
        (["log", "outreach", "sent", "--n", "4"], "logged outreach sent x4"),
        (["log", "outreach", "replied"], "logged outreach replied"),
        (["log", "interview", "--note", "Acme, first round"], "logged interview"),
        (["log", "offer"], "logged offer"),
        (["log", "rejection", "--note", "Initech"], "logged rejection"),
    ]:
        res = run.invoke(app, args)
        assert res.exit_code == 0, res.output
        assert expect in res.output
    assert run.invoke(app, ["log", "outreach", "bounced"]).exit_code == 2
    assert run.invoke(app, ["log", "done", "t-1"]).exit_code == 2  # no plan holds a task t-1
    assert run.invoke(app, ["log", "hours", "2", "--date", "03/03/2026"]).exit_code != 0
    with connect(tmp_path / "warehouse.duckdb", read_only=True) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM outcome_event WHERE source = 'cli'")) == (6,)
        assert fetch_one(con.execute("SELECT quantity FROM outcome_event WHERE kind = 'outreach_sent'")) == (4.0,)
