"""CalDAV calendar integration against a real Radicale server on 127.0.0.1 (started here, storage in tmp_path).

Publish a plan's sessions, re-apply (no-op), change the plan (moved and removed sessions), roll back to the exact
previous state, verify after an out-of-band delete, approval before leaving the machine, a server that is down,
the wiring after a plan approval and the ``careeros calendar`` commands.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from careeros.integrations.caldav_calendar import (
    CalDAVCalendar,
    plan_action,
    publish_approved_plan,
    signal_of,
)
from careeros.integrations.contract import (
    Action,
    ApprovalRequired,
    Integration,
    IntegrationError,
    Result,
    RetryPolicy,
    history,
    idempotency_key,
    run_apply,
    run_rollback,
    run_verify,
    stored,
)
from careeros.planner.artifacts import load_catalogue
from careeros.planner.assumptions import default_assumptions
from careeros.planner.gaps import Gap, GapReport
from careeros.planner.plan import Plan, build_plan
from careeros.planner.publish import calendar_bytes, sessions
from careeros.profile import Profile
from careeros.settings import Settings
from careeros.warehouse.db import connect

NO_WAIT = RetryPolicy(attempts=3, backoff_seconds=0, jitter_factor=0)


# ----------------------------------------------------------------------------------------- a real CalDAV server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"OPTIONS / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/")
    except OSError:
        return False


@dataclass
class Radicale:
    """One Radicale process; ``url`` is its root (principal discovery finds /<user>/)."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        """Stop it; fine when it already exited (or was stopped before)."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)


def start_radicale(root: Path, deadline_s: float = 60.0, server_options: str = "") -> Radicale:
    """Start Radicale (auth none) on a free 127.0.0.1 port and poll until it answers HTTP."""
    for _ in range(3):  # a port taken between choosing and binding: the process exits; try another port
        port = _free_port()
        cfg = root / f"radicale-{port}.conf"
        cfg.write_text(f"[server]\nhosts = 127.0.0.1:{port}\n{server_options}[auth]\ntype = none\ndelay = 0\n"
                       f"[storage]\nfilesystem_folder = {root / 'collections'}\n[logging]\nlevel = warning\n")
        log = root / f"radicale-{port}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "radicale", "--config", str(cfg)], stdout=out,
                                    stderr=subprocess.STDOUT)
        server = Radicale(proc, port, log)
        end = time.monotonic() + deadline_s
        while proc.poll() is None and time.monotonic() < end:
            if _answers(port):
                return server
            time.sleep(0.05)
        server.stop()
        if "already in use" not in log.read_text(errors="replace"):
            break
    raise RuntimeError(f"radicale did not start: {log.read_text(errors='replace')[-2000:]}")


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    server = start_radicale(tmp_path_factory.mktemp("radicale"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture()
def integ(radicale: Radicale) -> CalDAVCalendar:
    """A fresh calendar per test on the shared server."""
    return CalDAVCalendar(radicale.url, "tester", "secret-pw", calendar=f"plan-{uuid.uuid4().hex[:8]}", timeout=10)


@pytest.fixture()
def wh(tmp_path: Path) -> Iterator[Any]:
    with connect(tmp_path / "warehouse.duckdb") as con:
        yield con


# ----------------------------------------------------------------------------------------- plans and reading back


def make_plan(timezone: str = "Europe/Lisbon") -> Plan:
    """A small real plan (planner.build_plan on synthetic gaps): 3 weeks, 6 h/week, one role."""
    prof = Profile.model_validate({"name": "Test Person", "target_roles": [{"title": "Data analyst",
                                                                             "soc_code": "15-2051.01"}],
                                   "weekly_hours": 6, "horizon_weeks": 3, "risk_tolerance": "medium",
                                   "timezone": timezone, "goal": {"statement": "Land a data role"}})
    gaps = [Gap(skill_id=f"tech:s{i}", label=f"Skill {i}", kind="technology", required=0.5, weight=0.5,
                market_value=0.8, evidenced=0.0, size=0.4 - i * 0.05, status="missing", reason="test")
            for i in range(5)]
    report = GapReport(soc_code="15-2051.01", title="Data analyst", gaps=gaps, coverage=0.2,
                       market_value_source="neutral")
    plan = build_plan(prof, [report], load_catalogue(), default_assumptions(), start=date(2026, 1, 5),
                      created_at=datetime(2026, 1, 1, tzinfo=UTC))
    return plan.model_copy(update={"version": 1})


def changed(plan: Plan) -> tuple[Plan, set[str], set[str]]:
    """Version 2: week 1 starts a day later (its sessions move), the last task of the last week is gone.

    Returns the plan, the UIDs that moved and the UIDs that were removed.
    """
    v2 = plan.model_copy(deep=True, update={"version": 2})
    v2.weeks[0].start += timedelta(days=1)
    dropped = v2.weeks[-1].tasks.pop()
    before = {s["uid"]: s for s in sessions(plan)}
    after = {s["uid"]: s for s in sessions(v2)}
    moved = {u for u in after if u in before and after[u]["start"] != before[u]["start"]}
    removed = set(before) - set(after)
    assert moved and removed and all(before[u]["task_id"] == dropped.id for u in removed)
    return v2, moved, removed


def calendar_state(integ: CalDAVCalendar) -> dict[str, dict[str, Any]]:
    """Every event of the test's calendar as the server returns it: uid -> times, texts, address."""
    with integ._session("test") as client:
        cal = integ._calendar(client, create=False)
        if cal is None:
            return {}
        out = {}
        for uid, r in integ._state(cal).items():
            c = r.comp
            out[uid] = {"start": c.decoded("DTSTART"), "end": c.decoded("DTEND"), "summary": str(c["SUMMARY"]),
                        "description": str(c.get("DESCRIPTION", "")), "href": r.href, "data": r.data}
        return out


def put_foreign_event(integ: CalDAVCalendar) -> str:
    """The person's own event in the same calendar (careeros must never touch it)."""
    uid = "dentist-1@example.org"
    ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//person//EN\r\nBEGIN:VEVENT\r\nUID:" + uid +
           "\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260106T090000Z\r\nDTEND:20260106T100000Z\r\n"
           "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    with integ._session("test") as client:
        cal = integ._calendar(client, create=True)
        integ._put(client, str(cal.url) + "dentist.ics", ics)
    return uid


class Counting:
    """The real integration, counting calls to apply."""

    def __init__(self, inner: CalDAVCalendar) -> None:
        self.inner, self.name, self.calls = inner, inner.name, 0

    def preview(self, action: Action) -> Any:
        return self.inner.preview(action)

    def apply(self, action: Action, idempotency_key: str) -> Result:
        self.calls += 1
        return self.inner.apply(action, idempotency_key)

    def verify(self, result: Result) -> bool:
        return self.inner.verify(result)

    def rollback(self, result: Result) -> Result:
        return self.inner.rollback(result)


# ----------------------------------------------------------------------------------------- tests


def test_publish_puts_every_session_in_the_calendar_with_its_times(wh: Any, integ: CalDAVCalendar) -> None:
    from icalendar import Calendar

    plan = make_plan()
    action = plan_action(plan, integ.url, integ.calendar)
    assert isinstance(integ, Integration) and not action.leaves_machine
    preview = integ.preview(action)
    assert preview.changes[0] == f"create calendar '{integ.calendar}'" and not preview.noop
    res = run_apply(wh, integ, action, sleep=lambda s: None)
    want = {s["uid"]: s for s in sessions(plan)}
    got = calendar_state(integ)
    assert set(got) == set(want) and res.details["created"] == len(want) >= 6
    for uid, s in want.items():
        assert got[uid]["start"] == s["start"] and got[uid]["start"].utcoffset() == s["start"].utcoffset()
        assert got[uid]["end"] == s["start"] + timedelta(minutes=s["minutes"])
        assert got[uid]["summary"] == s["title"] and f"plan {plan.plan_id} v1" in got[uid]["description"]
    # the .ics file and the calendar hold the same events (one construction)
    ics_uids = {str(e["UID"]) for e in Calendar.from_ical(calendar_bytes(plan)).walk("VEVENT")}
    assert ics_uids == set(got)
    assert res.signal == signal_of((u, s["start"].isoformat()) for u, s in want.items())
    assert run_verify(wh, integ, res.idempotency_key)
    assert integ.preview(action).noop
    assert "secret-pw" not in json.dumps([r for r in wh.execute("SELECT * FROM integration_action").fetchall()],
                                         default=str)


def test_reapplying_the_same_key_is_a_noop(wh: Any, integ: CalDAVCalendar) -> None:
    counting = Counting(integ)
    action = plan_action(make_plan(), integ.url, integ.calendar)
    first = run_apply(wh, counting, action)
    before = calendar_state(integ)
    again = run_apply(wh, counting, action)
    assert counting.calls == 1 and again.replayed and again.signal == first.signal
    assert calendar_state(integ) == before
    # a new key with the same content (e.g. a re-run after the record was lost) writes nothing either
    res = integ.apply(action, "caldav:publish_plan:other")
    assert res.details["unchanged"] == len(before) and res.details["created"] == res.details["updated"] == 0
    assert calendar_state(integ) == before


def test_a_changed_plan_moves_and_removes_sessions(wh: Any, integ: CalDAVCalendar) -> None:
    plan = make_plan()
    foreign = put_foreign_event(integ)
    run_apply(wh, integ, plan_action(plan, integ.url, integ.calendar))
    other_plan = plan.model_copy(update={"plan_id": "plan-other"})  # another plan's events stay too
    run_apply(wh, integ, plan_action(other_plan, integ.url, integ.calendar))
    before = calendar_state(integ)
    v2, moved, removed = changed(plan)
    res = run_apply(wh, integ, plan_action(v2, integ.url, integ.calendar))
    after = calendar_state(integ)
    want = {s["uid"]: s for s in sessions(v2)}
    assert not (removed & set(after)) and set(want) <= set(after)
    for uid in moved:
        assert after[uid]["start"] == want[uid]["start"] != before[uid]["start"]
    assert res.details["deleted"] == len(removed) and res.details["created"] == 0
    assert all(f"plan {plan.plan_id} v2" in after[u]["description"] for u in want)
    assert after[foreign] == before[foreign]
    others = {s["uid"] for s in sessions(other_plan)}
    assert {u: after[u] for u in others} == {u: before[u] for u in others}
    assert run_verify(wh, integ, res.idempotency_key)


def test_rollback_restores_the_previous_calendar_exactly(wh: Any, integ: CalDAVCalendar) -> None:
    plan = make_plan()
    foreign = put_foreign_event(integ)
    empty = calendar_state(integ)
    r1 = run_apply(wh, integ, plan_action(plan, integ.url, integ.calendar))
    v1_state = calendar_state(integ)
    v2, _, removed = changed(plan)
    r2 = run_apply(wh, integ, plan_action(v2, integ.url, integ.calendar))
    assert calendar_state(integ) != v1_state
    undone = run_rollback(wh, integ, r2.idempotency_key, actor="alice")
    assert calendar_state(integ) == v1_state  # moved back, removed re-created at the same address, same texts
    assert undone.signal == r1.signal and undone.details["recreated"] == len(removed)
    assert run_rollback(wh, integ, r2.idempotency_key).replayed  # twice: a no-op
    assert stored(wh, r2.idempotency_key)[0] == "rolled_back"
    run_rollback(wh, integ, r1.idempotency_key)
    assert calendar_state(integ) == empty and foreign in empty
    assert not run_verify(wh, integ, r1.idempotency_key)  # rolled back: nothing applied to verify


def test_verify_fails_after_an_event_is_deleted_out_of_band(wh: Any, integ: CalDAVCalendar) -> None:
    res = run_apply(wh, integ, plan_action(make_plan(), integ.url, integ.calendar))
    assert run_verify(wh, integ, res.idempotency_key)
    victim = sorted(calendar_state(integ).values(), key=lambda e: e["href"])[0]
    with integ._session("test") as client:
        integ._delete(client, victim["href"])
    assert not run_verify(wh, integ, res.idempotency_key)
    acts = [r[0] for r in wh.execute("SELECT action FROM decision_log ORDER BY decided_at").fetchall()]
    assert acts[-2:] == ["integration_verified", "integration_verify_failed"]


@pytest.mark.parametrize(("url", "leaves"), [
    ("http://127.0.0.1:5232/", False), ("http://localhost:5232/dav/", False), ("http://[::1]:5232/", False),
    ("https://caldav.example.org/dav/", True), ("http://127.0.0.2:5232/", True), ("http://10.0.0.5/", True),
])
def test_only_this_machine_counts_as_local(url: str, leaves: bool) -> None:
    assert plan_action(make_plan(), url).leaves_machine is leaves


def test_a_remote_calendar_needs_a_recorded_approval(wh: Any) -> None:
    remote = CalDAVCalendar("https://me:pw@caldav.example.org/dav/", calendar="careeros", timeout=1)
    counting = Counting(remote)
    action = plan_action(make_plan(), remote.url, remote.calendar)
    assert action.payload["calendar"]["url"] == "https://caldav.example.org/dav/"  # never the credentials
    with pytest.raises(ApprovalRequired):
        run_apply(wh, counting, action)
    assert counting.calls == 0 and stored(wh, idempotency_key(action)) is None


def test_a_server_that_is_down_is_retried_then_fails_clearly(wh: Any, tmp_path: Path) -> None:
    server = start_radicale(tmp_path)
    try:
        integ = CalDAVCalendar(server.url, "tester", "pw", calendar="careeros", timeout=5)
        plan = make_plan()
        assert run_apply(wh, integ, plan_action(plan, integ.url, integ.calendar)).ok
    finally:
        server.stop()
    server.stop()  # stopping an exited server again is harmless
    waits: list[float] = []
    action = plan_action(changed(plan)[0], integ.url, integ.calendar)
    with pytest.raises(IntegrationError, match=r"after 3 attempt.*not reachable.*Connection refused"):
        run_apply(wh, integ, action, retry=RetryPolicy(attempts=3, backoff_seconds=0.01, jitter_factor=0),
                  sleep=waits.append)
    assert waits == [0.01, 0.02]
    status, res = stored(wh, idempotency_key(action))
    assert status == "failed" and "not reachable" in (res.error or "") and res.attempts == 3
    assert [h["status"] for h in history(wh, "caldav")] == ["failed", "applied"]


def test_a_publication_failing_half_way_puts_back_what_it_changed(wh: Any, tmp_path: Path) -> None:
    server = start_radicale(tmp_path, server_options="max_content_length = 12000\n")  # a PUT over it: 413
    try:
        integ = CalDAVCalendar(server.url, "tester", "pw", calendar="careeros", timeout=5)
        plan = make_plan()
        run_apply(wh, integ, plan_action(plan, integ.url, integ.calendar))
        before = calendar_state(integ)
        v2 = changed(plan)[0]
        v2.weeks[1].tasks[0].title = "x" * 20_000  # the server refuses this session, after earlier ones changed
        action = plan_action(v2, integ.url, integ.calendar)
        puts: list[str] = []
        real_put = integ._put
        integ._put = lambda client, href, data: (puts.append(href), real_put(client, href, data))[1]  # type: ignore
        with pytest.raises(IntegrationError, match="after 1 attempt.*refused PUT.*413"):
            run_apply(wh, integ, action, retry=NO_WAIT, sleep=lambda s: None)
        assert len(puts) > 3  # sessions updated, the refused one, then the updated ones put back
        assert calendar_state(integ) == before
        assert stored(wh, idempotency_key(action))[0] == "failed"
    finally:
        server.stop()


def _approved_plan(con: Any, actor: str = "alice") -> Plan:
    from careeros.planner.approval import record_decision, save_plan

    plan = save_plan(con, make_plan().model_copy(update={"version": None}), "proposed", run_id="run-1", round_no=0)
    record_decision(con, plan, "approve", run_id="run-1", round_no=0, actor=actor)
    return plan


def test_plan_approval_publishes_to_caldav_and_counts_as_its_approval(wh: Any, radicale: Radicale) -> None:
    from careeros.planner.approval import plan_status

    plan = _approved_plan(wh)
    assert publish_approved_plan(wh, plan, Settings(caldav_url=None)) is None  # not configured: nothing
    local = Settings(caldav_url=radicale.url, caldav_username="tester", caldav_calendar=f"w-{uuid.uuid4().hex[:6]}")
    got = publish_approved_plan(wh, plan, local, retry=NO_WAIT, sleep=lambda s: None)
    assert got is not None and got["ok"] and got["created"] == got["events"] == len(sessions(plan))
    # a calendar off this machine: the plan's approver approves it; a failure is returned, the approval stays
    port = _free_port()
    remote = Settings(caldav_url=f"http://127.0.0.2:{port}/", caldav_username="tester")
    got = publish_approved_plan(wh, plan, remote, retry=NO_WAIT, sleep=lambda s: None)
    assert got is not None and not got["ok"] and got["leaves_machine"] and "not reachable" in got["error"]
    row = wh.execute("SELECT actor, run_id FROM decision_log WHERE action = 'integration_approved' AND "
                     "json_extract_string(facts_json, '$.idempotency_key') = ?", [got["idempotency_key"]]).fetchall()
    assert row == [("alice", "run-1")]
    assert stored(wh, got["idempotency_key"])[0] == "failed"
    assert plan_status(wh)["status"] == "approved"


def test_the_approval_task_publishes_when_configured(tmp_path: Path, radicale: Radicale,
                                                    monkeypatch: pytest.MonkeyPatch, settings_env: None) -> None:
    from tasks.planning import publish_caldav

    home = tmp_path / "home"
    with connect(home / "warehouse.duckdb") as con:
        plan = _approved_plan(con)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    assert publish_caldav.fn(home, plan, "run-1") is None  # no CAREEROS_CALDAV_URL: .ics only
    monkeypatch.setenv("CAREEROS_CALDAV_URL", radicale.url)
    monkeypatch.setenv("CAREEROS_CALDAV_CALENDAR", f"task-{uuid.uuid4().hex[:6]}")
    from careeros.settings import get_settings

    get_settings.cache_clear()
    refused = publish_caldav.fn(home, plan, "run-1")  # no user name: the server refuses; returned, not raised
    assert refused is not None and not refused["ok"] and "refused access" in refused["error"]
    monkeypatch.setenv("CAREEROS_CALDAV_USERNAME", "tester")
    monkeypatch.setenv("CAREEROS_CALDAV_PASSWORD", "secret-pw")
    get_settings.cache_clear()
    got = publish_caldav.fn(home, plan, "run-1")
    assert got is not None and got["ok"] and got["created"] == len(sessions(plan))
    again = publish_caldav.fn(home, plan, "run-1")  # a retried or resumed flow run: replayed, nothing written
    assert again is not None and again["ok"] and again["replayed"]


def test_cli_sync_status_verify_rollback(tmp_path: Path, radicale: Radicale, monkeypatch: pytest.MonkeyPatch,
                                         settings_env: None) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app

    home = tmp_path / "home"
    with connect(home / "warehouse.duckdb") as con:
        plan = _approved_plan(con)
    name = f"cli-{uuid.uuid4().hex[:6]}"
    for k, v in {"CAREEROS_HOME": str(home), "CAREEROS_CALDAV_URL": radicale.url, "CAREEROS_CALDAV_USERNAME": "tester",
                 "CAREEROS_CALDAV_CALENDAR": name, "CAREEROS_RETRY_BACKOFF_SECONDS": "0"}.items():
        monkeypatch.setenv(k, v)
    run = CliRunner().invoke
    res = run(app, ["calendar", "sync", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["ok"] and out["created"] == len(sessions(plan))
    res = run(app, ["calendar", "sync"])
    assert res.exit_code == 0 and "no change" in res.stdout, res.output
    res = run(app, ["calendar", "status", "--json"])
    actions = json.loads(res.stdout)["actions"]
    assert [(a["idempotency_key"], a["status"]) for a in actions] == [(out["idempotency_key"], "applied")]
    assert run(app, ["calendar", "verify", out["idempotency_key"]]).exit_code == 0
    res = run(app, ["calendar", "rollback", out["idempotency_key"]])
    assert res.exit_code == 0 and f"{len(sessions(plan))} removed" in res.stdout, res.output
    assert calendar_state(CalDAVCalendar(radicale.url, "tester", calendar=name)) == {}
    assert run(app, ["calendar", "verify", out["idempotency_key"]]).exit_code == 1
    res = run(app, ["calendar", "status"])
    assert "rolled_back" in res.stdout
    monkeypatch.delenv("CAREEROS_CALDAV_URL")
    res = run(app, ["calendar", "sync"])
    assert res.exit_code == 2 and "CAREEROS_CALDAV_URL" in res.output
