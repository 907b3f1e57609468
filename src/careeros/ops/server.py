"""A local Prefect server for one operator: 127.0.0.1 only, SQLite under ``$CAREEROS_HOME/prefect``.

``start_local_server(port, home)`` starts ``prefect server start`` in its own process group with analytics off
and the UI pointed at the same port, waits for ``/api/health`` and returns a handle; ``handle.env`` is what a
client or ``careeros serve`` needs (``PREFECT_API_URL``). The database lives in the home, so a paused run
survives ``handle.restart()`` (or a machine reboot) and can still be resumed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (bound and released on the loopback address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def server_env(port: int, home: Path, host: str = HOST) -> dict[str, str]:
    """Environment of the server process (and, via ``PREFECT_API_URL``, of its clients)."""
    prefect_home = Path(home).resolve() / "prefect"
    api = f"http://{host}:{port}/api"
    return {
        "PREFECT_HOME": str(prefect_home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{prefect_home / 'prefect.db'}",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": api,
        "PREFECT_API_URL": api,
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    }


@dataclass
class LocalServer:
    """A running local Prefect server (stop it with :meth:`stop`, or use it as a context manager)."""

    port: int
    home: Path
    host: str = HOST
    log_path: Path | None = None
    scheduler: bool = True
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/api``."""
        return f"http://{self.host}:{self.port}/api"

    @property
    def ui_url(self) -> str:
        """The UI's base address."""
        return f"http://{self.host}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        """Variables a client process needs to talk to this server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_UI_API_URL": self.api_url,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}

    def healthy(self) -> bool:
        """True when ``/api/health`` answers."""
        try:
            with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as r:  # noqa: S310 - loopback only
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def start(self, timeout: float = 120.0) -> LocalServer:
        """Start the server process and wait until it answers (raises with the log tail if it does not)."""
        if self.proc is not None and self.proc.poll() is None:
            return self
        env = {**os.environ, **server_env(self.port, self.home, self.host)}
        (Path(env["PREFECT_HOME"])).mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_path or Path(env["PREFECT_HOME"]) / f"server-{self.port}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port),
                 "--analytics-off", *([] if self.scheduler else ["--no-scheduler", "--no-late-runs"])],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        finally:
            log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Prefect server exited with {self.proc.returncode}: {self._tail()}")
            if self.healthy():
                return self
            time.sleep(0.5)
        self.stop()
        raise TimeoutError(f"Prefect server on {self.api_url} not healthy after {timeout:.0f} s: {self._tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the server's process group (SIGTERM, then SIGKILL)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        except ProcessLookupError:
            pass

    def restart(self, timeout: float = 120.0) -> LocalServer:
        """Stop and start again on the same port and database."""
        self.stop()
        return self.start(timeout)

    def _tail(self, n: int = 2000) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-n:] if self.log_path else ""
        except OSError:
            return ""

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_local_server(port: int | None = None, home: Path | None = None, timeout: float = 120.0,
                       scheduler: bool = True) -> LocalServer:
    """Start a Prefect server on 127.0.0.1:``port`` (a free one if None) with SQLite under ``home/prefect``.

    ``home`` defaults to ``CAREEROS_HOME`` (settings). Analytics are off, ``PREFECT_UI_API_URL`` matches the
    port so the UI works on any port. Returns the running handle.
    """
    if home is None:
        from careeros.settings import get_settings

        home = get_settings().home
    return LocalServer(port=port or free_port(), home=Path(home), scheduler=scheduler).start(timeout)
