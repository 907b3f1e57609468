"""Helpers for the reliability suite: run a pipeline in a subprocess and kill -9 it mid-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("driver.py")
CLI = Path(sys.executable).with_name("careeros")


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a child process working on ``home`` (no Prefect API: ephemeral when needed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "CAREEROS_"))}
    env.update(CAREEROS_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING",
               TQDM_DISABLE="1", LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH=str(REPO), **extra)
    return env


def run_and_kill(cmd: list[str], env: dict[str, str], marker: str, delay: float, timeout: float = 900,
                 ready: Callable[[], bool] | None = None) -> str:
    """Start ``cmd`` in its own process group; ``delay`` s after ``marker`` appears in its output, SIGKILL the whole
    group (a crash: no cleanup, no finally, the ephemeral Prefect server too). Returns the output seen. Fails if
    the process ended before it was killed or never printed the marker."""
    proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    chunks: list[bytes] = []

    def pump() -> None:
        assert proc.stdout is not None
        while block := proc.stdout.read1(4096):
            chunks.append(block)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    seen = False
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if (ready() if ready is not None else marker.encode() in b"".join(chunks)):
                seen = True
                time.sleep(delay)
                break
            time.sleep(0.05)
        alive = proc.poll() is None
        _killpg(proc.pid)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            _killpg(proc.pid)
    reader.join(5)
    out = b"".join(chunks).decode(errors="replace")
    assert seen, f"never reached {marker!r} (or ready()): {out[-3000:]}"
    assert alive, f"the process finished before it was killed: {out[-3000:]}"
    assert proc.returncode == -signal.SIGKILL
    return out


def _killpg(pgid: int) -> None:
    """SIGKILL a process group; a group whose processes all exited already is fine (no ProcessLookupError)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture()
def cpu_load() -> Iterator[int]:
    """With ``CAREEROS_TEST_CPU_LOAD=1``: one busy-loop process per core for the duration of the test, so timing
    races show up (as on a loaded machine). Off by default: it makes these tests several times slower, and the
    suite's budget is better spent by running the whole of ``make test`` once beside a CPU-bound job before a
    release (see README, "Testing under load"). Yields the number of burners."""
    n = (os.cpu_count() or 1) if os.environ.get("CAREEROS_TEST_CPU_LOAD", "0") == "1" else 0
    burners = [subprocess.Popen([sys.executable, "-S", "-c", "while True: pass"], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
               for _ in range(n)]
    try:
        yield n
    finally:
        for b in burners:
            try:
                b.kill()
            except ProcessLookupError:
                pass
        for b in burners:
            b.wait(30)


def run_ok(cmd: list[str], env: dict[str, str], timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    """Run to completion; fail with the output when the exit code is not 0."""
    res = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}"
    return res


def driver(what: str, home: Path) -> list[str]:
    """The command line of the pure-pipeline driver."""
    return [sys.executable, str(DRIVER), what, str(home)]


@pytest.fixture(scope="session")
def models_built(built_home: Path) -> Path:
    """Title and skill models cached in the shared home (copies get them), as test_postings_pipeline does."""
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
