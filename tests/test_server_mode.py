"""Server mode on real parts: PostgreSQL, a Prefect server with auth, two process workers, two careeros homes.

One stack for the module (``careeros.ops.pgserver.Stack``, what ``make server`` starts). The tests run in file
order and share it: isolation of two homes through deployments, the per-home writer slot, a plan approval
answered through the API while both workers are busy, a worker killed with ``kill -9`` mid-run (Crashed, retried
on the other worker, same warehouse as a clean run), a restart of PostgreSQL and the Prefect server with a
suspended run still resumable, and a clean shutdown with no process left. Everything waits by polling states.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from careeros.ops.checksums import table_checksums

pytestmark = [pytest.mark.server, pytest.mark.slow]

PROFILE = ('name = "{name}"\nweekly_hours = 8\nhorizon_weeks = 4\ntimezone = "Europe/Lisbon"\n'
           'evidence_folders = ["notes"]\n[goal]\nstatement = "{goal}"\n'
           '[[target_roles]]\ntitle = "{role}"\nsoc_code = "{soc}"\n')
PEOPLE = {
    "a": {"name": "Ada Server", "goal": "Move into data engineering", "role": "Database Architect",
          "soc": "15-1243.00", "note": "Built Spark and Airflow pipelines loading PostgreSQL for the billing team.",
          "titles": ["Data Engineer", "Senior Data Engineer", "Analytics Engineer", "ETL Developer"]},
    "b": {"name": "Bea Server", "goal": "Become a nurse practitioner", "role": "Nurse Practitioners",
          "soc": "29-1171.00", "note": "Led ICU night shifts, triage and patient education for cardiac patients.",
          "titles": ["Registered Nurse", "ICU Nurse", "Nurse Practitioner", "Charge Nurse"]},
}
POSTING_TABLES = ["posting_raw", "posting", "posting_skill", "posting_raw_state", "quarantine",
                  "demand_weekly", "demand_overall", "demand_trends", "market_value"]
TIMEOUT = 300
#: Postings in the feed of the killed run: enough that parsing, validating and enriching them outlast the poll
#: that sees landing finish (the kill lands mid-run, after raw records are kept, before the postings are written).
CRASH_FEED = 4000


# ------------------------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def stack() -> Iterator[Any]:
    """PostgreSQL + Prefect server (auth, CORS) + 2 workers in a fresh server home; stopped at the end."""
    from careeros.ops import pgserver

    try:
        pgserver.ensure_postgresql()
    except pgserver.PostgresUnavailableError as exc:
        pytest.skip(f"server mode needs PostgreSQL: {exc}")
    root = Path(tempfile.mkdtemp(prefix="careeros-server-"))
    root.chmod(0o711)  # the postgres user runs the cluster under it
    # one flow run per worker at a time: "both workers busy" and "the other worker takes the retry" are then exact
    s = pgserver.Stack(root / "home", worker_limit=1, query_seconds=2)
    try:
        t0 = time.perf_counter()
        state = s.up(workers=2, schedules=False)
        state["measured_up_s"] = round(time.perf_counter() - t0, 1)
        s.measure = state  # type: ignore[attr-defined]
        yield s
    finally:
        left = s.down()
        shutil.rmtree(root, ignore_errors=True)
        assert not left, f"processes left after shutdown: {left}"


@pytest.fixture()
def api(stack: Any) -> Iterator[None]:
    """This test process talks to the stack's API (overrides a session test harness if one is active)."""
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: stack.api_url, PREFECT_API_AUTH_STRING: stack.auth_string}):
        yield


@pytest.fixture(scope="module")
def homes(models_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Two people's homes: a copy of the built warehouse (with the title/skill models), their own profile,
    evidence note and postings feed."""
    out = {}
    for key, p in PEOPLE.items():
        home = tmp_path_factory.mktemp(f"home-{key}") / "h"
        shutil.copytree(models_home, home, ignore=shutil.ignore_patterns("analytics.duckdb", "server", "pg"))
        (home / "profile.toml").write_text(PROFILE.format(**p))
        (home / "notes").mkdir()
        (home / "notes" / "work.md").write_text(f"# Work notes of {p['name']}\n\n{p['note']}\n")
        write_feed(home / "feeds", key)
        out[key] = home
    return out


@pytest.fixture(scope="module")
def models_home(built_home: Path) -> Path:
    """Title and skill models cached in the shared home, so every copy has them (as test_postings_pipeline)."""
    mp = pytest.MonkeyPatch()
    mp.setenv("CAREEROS_HOME", str(built_home))
    from careeros.settings import get_settings

    get_settings.cache_clear()
    try:
        from careeros.market import pipeline as P

        P.load_models()
    finally:
        mp.undo()
        get_settings.cache_clear()
    return built_home


def write_feed(folder: Path, key: str, n: int = 40) -> Path:
    """A small JSONL postings feed whose titles are this person's field (feed source ``feed-jobs-<key>``)."""
    folder.mkdir(parents=True, exist_ok=True)
    titles = PEOPLE[key]["titles"]
    path = folder / f"jobs-{key}.jsonl"
    with path.open("w") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"{key}{i}", "title": titles[i % len(titles)], "company": f"Co {i % 7}",
                                "location": "Remote (US)", "posted_at": f"2026-0{1 + i % 9}-1{i % 9}",
                                "description": f"{titles[i % len(titles)]} role number {i}."}) + "\n")
    return path


# ------------------------------------------------------------------------------------------------ helpers


def submit(deployment: str, **params: Any) -> UUID:
    """Create a flow run of ``flow/deployment`` with parameters (no waiting)."""
    from prefect.deployments import run_deployment

    return run_deployment(deployment, parameters=params, timeout=0).id  # type: ignore[union-attr]


def read(run_id: UUID) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id)


def wait_for(what: str, check: Callable[[], Any], timeout: float = TIMEOUT, every: float = 0.5) -> Any:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def wait_state(run_id: UUID, *types: str, timeout: float = TIMEOUT) -> Any:
    """Wait until the run's state type is one of ``types``; fail early on an unexpected final state."""
    def check() -> Any:
        run = read(run_id)
        st = run.state
        if st.type.value in types:
            return run
        if st.is_final() and st.type.value not in types:
            raise AssertionError(f"run {run_id} ended {st.type.value}: {st.message}")
        return None

    return wait_for(f"run {run_id} in {types}", check, timeout)


def waiting(run_id: UUID) -> bool:
    """Paused or suspended (waiting for a person's input)."""
    return bool(read(run_id).state.is_paused())


def worker_of(stack: Any, run_id: UUID) -> int | None:
    """Index of the worker whose flow-run process runs ``run_id`` (from its ``infrastructure_pid``)."""
    from careeros.ops.pgserver import descendants

    run = read(run_id)
    if not run.state.is_running() or not run.infrastructure_pid:
        return None
    pid = int(str(run.infrastructure_pid).rsplit(":", 1)[-1])
    for i, wpid in stack.worker_pids().items():
        if pid in descendants(wpid):
            return int(i)
    return None


def approve(run_id: UUID) -> None:
    """Answer the plan form through the API (what the UI's Resume button and `careeros approvals` do)."""
    from prefect.flow_runs import resume_flow_run

    resume_flow_run(run_id, run_input={"decision": "approve", "notes": "ok from the coach", "weekly_hours": 8.0})


def warehouse(home: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` on the home's warehouse (read-only; call only while no run of that home writes)."""
    from careeros.warehouse.db import connect

    with connect(home / "warehouse.duckdb", read_only=True) as con:
        return con.execute(sql).fetchall()


# ------------------------------------------------------------------------------------------------ tests


def test_server_is_up_on_postgres_with_auth_and_two_workers(stack: Any, api: None) -> None:
    from prefect import get_client

    from careeros.ops.pgserver import POOL, alive
    from flows.registry import SCHEDULE

    procs = stack.pids()
    assert set(procs) == {"postgres", "prefect-server", "worker-1", "worker-2"}
    assert all(alive(p) for p in procs.values())
    env = (stack.dir / "client.env").read_text()
    assert stack.auth_string in env and oct((stack.dir / "auth").stat().st_mode & 0o777) == "0o600"
    # the server's database is the PostgreSQL cluster of this home
    with open(f"/proc/{procs['prefect-server']}/environ", "rb") as f:
        server_env = dict(kv.split("=", 1) for kv in f.read().decode().split("\0") if "=" in kv)
    assert server_env["PREFECT_API_DATABASE_CONNECTION_URL"].startswith("postgresql+asyncpg://")
    assert f":{stack.state()['pg_port']}/" in server_env["PREFECT_API_DATABASE_CONNECTION_URL"]
    # no auth -> 401; a foreign origin gets no CORS grant, the UI's own origin does
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{stack.api_url}/flows/filter", data=b"{}", timeout=10)  # noqa: S310
    assert err.value.code == 401
    assert stack.healthy()
    ui = stack.state()["ui_url"]
    for origin, granted in (("http://evil.example", False), (ui, True)):
        req = urllib.request.Request(f"{stack.api_url}/health", method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - loopback
                allow = r.headers.get("access-control-allow-origin")
        except urllib.error.HTTPError as e:
            allow = e.headers.get("access-control-allow-origin")
        assert (allow == origin) is granted, (origin, allow)
    with get_client(sync_client=True) as client:
        workers = {w.name for w in client.read_workers_for_work_pool(POOL) if str(w.status).endswith("ONLINE")}
        deps = {d.name: d for d in client.read_deployments()}
    assert workers == {stack.worker_name(1), stack.worker_name(2)}
    assert {s.deployment for s in SCHEDULE} <= set(deps)
    for d in deps.values():
        assert d.work_pool_name == POOL and "home" in d.parameter_openapi_schema["properties"], d.name


def test_writer_slot_is_per_home(stack: Any, api: None, homes: dict[str, Path]) -> None:
    """While home A's writer slot is held, A's ingestion waits (writes nothing) and B's finishes; then A's does."""
    from prefect.concurrency.sync import concurrency

    from flows.homes import WriterSlot, writer_limit_name

    a, b = homes["a"], homes["b"]
    assert writer_limit_name(a) != writer_limit_name(b)
    slot = WriterSlot(a)
    slot.acquire()  # creates warehouse-writer-<A> (limit 1) and holds it
    try:
        run_a = submit("ingest-postings/ingest-postings-manual", home=str(a), sources=["feed-jobs-a"])
        run_b = submit("ingest-postings/ingest-postings-manual", home=str(b), sources=["feed-jobs-b"])
        wait_state(run_b, "COMPLETED")
        assert read(run_a).state.type.value in ("SCHEDULED", "PENDING", "RUNNING")
        assert warehouse(a, "SELECT count(*) FROM posting WHERE source = 'feed-jobs-a'") == [(0,)]
    finally:
        slot.release()
    wait_state(run_a, "COMPLETED")
    with concurrency(writer_limit_name(a), occupy=1, timeout_seconds=60, strict=True):
        pass  # the runs gave the slot back
    # each home has its own feed's postings only
    assert warehouse(a, "SELECT DISTINCT source FROM posting WHERE source LIKE 'feed-%'") == [("feed-jobs-a",)]
    assert warehouse(b, "SELECT DISTINCT source FROM posting WHERE source LIKE 'feed-%'") == [("feed-jobs-b",)]


def test_two_homes_concurrently_with_an_approval_while_both_workers_are_busy(
        stack: Any, api: None, homes: dict[str, Path]) -> None:
    a, b = homes["a"], homes["b"]
    plans = {k: submit("recalculate-weekly-plan/recalculate-weekly-plan-mondays", home=str(h), timeout=600)
             for k, h in homes.items()}
    for run in plans.values():
        wait_for(f"plan {run} waiting for approval", lambda run=run: waiting(run))
    # both workers busy (one run each, limit 1): curation of both homes, held at each home's writer slot until the
    # answers are in (a curation that finished before the other worker polled would let one worker run both)
    from flows.homes import WriterSlot

    slots = [WriterSlot(h) for h in (a, b)]
    for slot in slots:
        slot.acquire()
    try:
        busy = [submit("curate-evidence/curate-evidence-daily", home=str(h), review=False) for h in (a, b)]
        wait_for("both workers running a flow", lambda: {worker_of(stack, r) for r in busy} >= {1, 2})
        approve(plans["a"])
        approve(plans["b"])
        assert not waiting(plans["a"]) and not waiting(plans["b"])  # the answers are taken while both are busy
    finally:
        for slot in slots:
            slot.release()
    results = {run: wait_state(run, "COMPLETED") for run in [*plans.values(), *busy]}
    assert len(results) == 4
    for key, home in homes.items():
        person = PEOPLE[key]
        status = warehouse(home, "SELECT status FROM plan_version ORDER BY version DESC LIMIT 1")
        assert status == [("approved",)]
        assert (home / "plans").is_dir() and any((home / "plans").glob("*.ics"))
        # evidence and plans never mix: each home holds its own person's note and profile only
        items = repr(warehouse(home, "SELECT title, source_path, metadata_json FROM evidence_item"))
        other = PEOPLE["b" if key == "a" else "a"]
        assert person["name"] in items and other["name"] not in items, items
        roles = json.dumps(warehouse(home, "SELECT plan_json FROM plan_version")[0][0])
        assert person["soc"] in roles
        assert PEOPLE["b" if key == "a" else "a"]["soc"] not in roles


def test_worker_killed_mid_run_is_crashed_and_retried_on_the_other_worker(
        stack: Any, api: None, homes: dict[str, Path], models_home: Path, tmp_path: Path) -> None:
    from prefect import get_client
    from prefect.states import Scheduled

    from careeros.ops.pgserver import alive, kill_tree

    home = tmp_path / "crash"
    shutil.copytree(models_home, home, ignore=shutil.ignore_patterns("analytics.duckdb", "server", "pg"))
    write_feed(home / "feeds", "a", n=CRASH_FEED)
    run = submit("ingest-postings/ingest-postings-manual", home=str(home), sources=["feed-jobs-a"])
    wait_for("the run past landing", lambda: worker_of(stack, run) and _task_ran(run, "land-postings"), every=0.2)
    victim = worker_of(stack, run)
    assert victim is not None, "the run finished before the worker could be killed (make CRASH_FEED bigger)"
    pid = stack.worker_pids()[victim]
    kill_tree(pid, signal.SIGKILL)  # the worker and the flow run it started: a machine that dies
    assert not alive(pid)
    # the clean reference: the same feed through the pure pipeline in a fresh copy, while the crash is detected
    clean = tmp_path / "clean"
    shutil.copytree(models_home, clean, ignore=shutil.ignore_patterns("analytics.duckdb", "server", "pg"))
    write_feed(clean / "feeds", "a", n=CRASH_FEED)
    ref = threading.Thread(target=_clean_run, args=(clean, "feed-jobs-a"))
    ref.start()
    crashed = wait_state(run, "CRASHED", timeout=240)
    assert "heartbeat" in (crashed.state.message or "").lower()
    # retry: back to Scheduled (the UI's Retry); the surviving worker takes it
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(run, Scheduled(), force=True)
    survivor = 2 if victim == 1 else 1
    wait_for("the retry on the surviving worker", lambda: worker_of(stack, run) == survivor
             or read(run).state.is_completed())
    wait_state(run, "COMPLETED", timeout=TIMEOUT)
    ref.join(TIMEOUT)
    # the feed's absolute path differs between the two homes: posting_raw is compared without it
    raw_cols = [r[0] for r in warehouse(clean, "SELECT column_name FROM information_schema.columns "
                                              "WHERE table_name = 'posting_raw' AND column_name <> 'source_file'")]
    got = table_checksums(home / "warehouse.duckdb", POSTING_TABLES, columns={"posting_raw": raw_cols})
    assert got == table_checksums(clean / "warehouse.duckdb", POSTING_TABLES, columns={"posting_raw": raw_cols})
    stack.start_worker(victim)
    stack.wait_workers_online([victim])


def _clean_run(home: Path, source: str) -> None:
    """The postings of ``source`` loaded into ``home`` by the pure pipeline (no Prefect), as the flow does."""
    from careeros.market import pipeline as P
    from careeros.settings import get_settings
    from careeros.warehouse.provenance import new_run_id

    before = os.environ.get("CAREEROS_HOME")
    os.environ["CAREEROS_HOME"] = str(home)  # the models are looked up through the settings
    get_settings.cache_clear()
    try:
        s = get_settings()
        P.run_postings(s.warehouse_path, P.posting_sources(s.resolve_datasets(), [source], s.feeds_dir), new_run_id())
    finally:
        if before is None:
            os.environ.pop("CAREEROS_HOME", None)
        else:
            os.environ["CAREEROS_HOME"] = before
        get_settings.cache_clear()


def _task_ran(run_id: UUID, name: str) -> bool:
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowRunFilter,
        FlowRunFilterId,
        TaskRunFilter,
        TaskRunFilterName,
    )

    with get_client(sync_client=True) as client:
        trs = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])),
                                    task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_=name)))
    return any(t.state and t.state.is_completed() for t in trs)


def test_restart_keeps_suspended_runs_resumable(stack: Any, api: None, homes: dict[str, Path]) -> None:
    b = homes["b"]
    run = submit("recalculate-weekly-plan/recalculate-weekly-plan-mondays", home=str(b), timeout=600)
    wait_for("plan waiting", lambda: waiting(run))
    pg_before = stack.pids()["postgres"]
    stack.stop_server()
    pg = stack._pg()
    pg.stop()
    assert not stack.healthy()
    pg = stack.start_postgres(install=False)
    stack.start_server(pg)
    assert stack.pids()["postgres"] != pg_before
    assert waiting(run)
    approve(run)
    wait_state(run, "COMPLETED")
    assert warehouse(b, "SELECT status FROM plan_version ORDER BY version DESC LIMIT 1") == [("approved",)]


def test_measurements(stack: Any) -> None:
    """Not an assertion on speed: the figures of this run go to the log (``-s``) for docs/scaling.md."""
    from careeros.ops.pgserver import rss_mb

    rss = {name: round(rss_mb(pid), 1) for name, pid in stack.pids().items()}
    print("server-mode figures:", json.dumps({"up": stack.measure, "rss_mb": rss}), flush=True)
    assert all(v > 0 for v in rss.values())
    assert os.path.isdir(stack.dir / "logs")
