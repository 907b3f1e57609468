"""Shared fixtures: real datasets, one built warehouse per session, one Prefect test server per session."""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
# Prefect's own state (ephemeral-server database, result storage) in a fresh folder per test process, never the
# user's ~/.prefect; with pytest-xdist every worker gets its own, so workers never share one SQLite file.
if "PREFECT_HOME" not in os.environ or os.environ.get("PYTEST_XDIST_WORKER"):
    import tempfile

    os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix=f"prefect-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def datasets() -> Path:
    """The real datasets directory (resolved like the product does)."""
    from careeros.settings import Settings

    return Settings().resolve_datasets()


def _build_home(home: Path, datasets: Path) -> None:
    from careeros.graph.store import build_and_store
    from careeros.warehouse.provenance import new_run_id
    from careeros.warehouse.taxonomy_load import fingerprints, load_source

    wh = home / "warehouse.duckdb"
    run_id = new_run_id()
    for fp in fingerprints(datasets):
        summary = load_source(wh, home / "raw", fp, run_id)
        assert summary.status == "succeeded", summary
    assert build_and_store(wh, run_id).status == "succeeded"


@pytest.fixture(scope="session")
def built_home(tmp_path_factory: pytest.TempPathFactory, datasets: Path) -> Path:
    """A CAREEROS_HOME with the warehouse built once from the real datasets (no Prefect overhead).

    Under pytest-xdist the first worker builds it (under a file lock, in the run's shared temporary folder) and
    every worker takes its own copy, so the 2-core machine builds it once, not once per worker.
    """
    home = tmp_path_factory.mktemp("careeros-home")
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _build_home(home, datasets)
        return home
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / "careeros-home-shared"
    with FileLock(str(shared) + ".lock"):
        if not (shared / ".built").exists():
            shutil.rmtree(shared, ignore_errors=True)
            shared.mkdir()
            _build_home(shared, datasets)
            (shared / ".built").touch()
    shutil.copytree(shared, home, dirs_exist_ok=True, ignore=shutil.ignore_patterns(".built"))
    return home


@pytest.fixture()
def home_copy(built_home: Path, tmp_path: Path) -> Path:
    """A private copy of the built home a test may change."""
    dst = tmp_path / "home"
    shutil.copytree(built_home, dst)
    return dst


@pytest.fixture()
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Reset the cached settings around a test that sets CAREEROS_* variables."""
    from careeros.settings import get_settings

    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """One real Prefect test server (SQLite) for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
        _drain_prefect_services(timeout=20)


def _drain_prefect_services(timeout: float) -> None:
    """Send what Prefect's log and event workers still hold, for at most ``timeout`` seconds in all.

    ``prefect_test_harness`` drains them without a limit on the way out. Tests that point the client at servers of
    their own (a home's server, the e2e stack) leave workers behind whose server has gone: their queued events are
    retried against a dead port, and the unbounded drain held the last test's teardown for 85 s on an idle machine and
    past CI's 90-minute limit on a busy one. What is not sent in time is dropped (the server it was for is gone) and the
    worker is marked done, so neither the harness nor the interpreter's exit hook waits on it again.
    """
    import concurrent.futures
    import time

    from prefect._internal.concurrency.services import _QueueServiceBase

    started = time.monotonic()
    with _QueueServiceBase._instance_lock, _QueueServiceBase._instance_cache_lock:
        services = list(_QueueServiceBase._instances.values())
    futures = {svc._drain(): svc for svc in services}
    _, late = concurrent.futures.wait(futures, timeout=timeout)
    for fut in late:
        svc = futures[fut]
        if svc._loop is not None and svc._done_event is not None:
            svc._loop.call_soon_threadsafe(svc._done_event.set)
    if late or time.monotonic() - started > 5:
        print(f"\nprefect services: drained {len(services) - len(late)} of {len(services)} in "
              f"{time.monotonic() - started:.1f} s; gave up on {[type(futures[f]).__name__ for f in late]}",
              file=sys.__stderr__, flush=True)


def profile_home(built_home: Path, home: Path, monkeypatch: pytest.MonkeyPatch, profile: str,
                 **env: str) -> Path:
    """``home`` with a copy of the session warehouse and ``profile`` as profile.toml, selected as CAREEROS_HOME.

    Extra keyword arguments are set as environment variables; the cached settings are reset.
    """
    from careeros.settings import get_settings

    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    (home / "profile.toml").write_text(profile)
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    get_settings.cache_clear()
    return home


def load_benchmark(name: str) -> ModuleType:
    """Import ``benchmarks/<name>.py`` (benchmarks are scripts, not a package) for tests of their pure parts."""
    bench = REPO / "benchmarks"
    if str(bench) not in sys.path:
        sys.path.insert(0, str(bench))
    spec = importlib.util.spec_from_file_location(name, bench / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


#: the slowest test files (measured with --durations), started first so that under pytest-xdist no worker picks
#: one up near the end of the run while the others sit idle
SLOWEST_FIRST = (
    "tests/reliability/test_crash_ingest.py", "tests/test_server_mode.py", "tests/security/test_security_demo_scan.py",
    "tests/reliability/test_crash_plan.py", "tests/e2e/test_ui_approvals.py", "tests/test_plan_review.py",
    "tests/e2e/test_new_user_walkthrough.py", "tests/reliability/test_crash_curate.py", "tests/test_approval_flow.py",
    "tests/test_postings_pipeline.py", "tests/test_agents_personas.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Slowest files first (stable otherwise)."""
    rank = {f: i for i, f in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda it: rank.get(it.nodeid.split("::", 1)[0], len(rank)))
