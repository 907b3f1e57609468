"""A real Prefect server (careeros.ops launcher, 127.0.0.1, free port) and ``careeros serve`` on a temp home."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CLI = Path(sys.executable).with_name("careeros")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--disable-sync", "--disable-quic"]

needs_chromium = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing (run `make system-deps`)")


#: Who decisions in these tests are recorded as (the home's identity; never a name typed into a form).
APPROVER = "E2E Person"


def env_for(home: Path, server: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAREEROS_"))}
    env.update(server.env, CAREEROS_HOME=str(home), PREFECT_LOGGING_LEVEL="WARNING", TQDM_DISABLE="1",
               LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH=str(REPO), CAREEROS_APPROVER=APPROVER)
    return env


def ui_login(page: Any, ui_url: str, auth: str) -> None:
    """Log in to the Prefect UI of an auth-protected server (its login page asks for the auth string)."""
    page.goto(ui_url)
    box = page.locator("input[type=password]")
    box.wait_for(timeout=60_000)
    box.fill(auth)
    box.press("Enter")
    box.wait_for(state="detached", timeout=60_000)


def new_browser_page(p: Any, ui_url: str, auth: str, viewport: dict[str, int] | None = None) -> tuple[Any, Any]:
    """Headless Debian Chromium logged in to the UI: ``(browser, page)``."""
    browser = p.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
    page = browser.new_page(viewport=viewport or {"width": 1400, "height": 1000})
    ui_login(page, ui_url, auth)
    return browser, page


class Serve:
    """``careeros serve`` in its own process group."""

    def __init__(self, home: Path, server: Any) -> None:
        self.home, self.server, self.proc = home, server, None

    def start(self) -> Serve:
        log = open(self.home / "serve.log", "ab")  # noqa: SIM115
        cmd = [str(Path(sys.executable).parent / "careeros"), "serve", "--limit", "2"]
        self.proc = subprocess.Popen(cmd, env=env_for(self.home, self.server), cwd=REPO, stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        return self

    def children(self) -> list[int]:
        """Pids of the serving process's flow-run children (``python -m prefect.engine``; the CLI's reaper
        watchdog, also a child, lives as long as ``serve`` and is not counted)."""
        if self.proc is None:
            return []
        out: list[int] = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):
            try:
                pids = [int(x) for x in (task / "children").read_text().split()]
            except OSError:
                continue
            for pid in pids:
                try:
                    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue  # already gone
                if b"prefect.engine" in cmd:
                    out.append(pid)
        return out

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)

    def log(self) -> str:
        return (self.home / "serve.log").read_text(errors="replace")[-4000:]


@pytest.fixture(scope="module")
def e2e_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Warehouse copied from the session build, sample operator installed with ``careeros init --sample``."""
    home = tmp_path_factory.mktemp("e2e") / "home"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    if (built_home / "cache").is_dir():
        shutil.copytree(built_home / "cache", home / "cache")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_API_URL", "CAREEROS_"))}
    env.update(CAREEROS_HOME=str(home), PYTHONPATH=str(REPO))
    res = subprocess.run([str(CLI) if CLI.exists() else sys.executable, "init", "--sample", "--non-interactive"],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    return home


@pytest.fixture(scope="module")
def stack(e2e_home: Path) -> Iterator[dict[str, Any]]:
    """Server + serve process; yields both (tests may restart them)."""
    from careeros.ops.server import start_local_server

    server = start_local_server(None, e2e_home, scheduler=False)
    serve = Serve(e2e_home, server).start()
    try:
        yield {"home": e2e_home, "server": server, "serve": serve}
    finally:
        serve.stop()
        server.stop()


def wait_for(pred: Any, timeout: float, what: str, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
