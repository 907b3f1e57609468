"""The local Prefect server of one careeros home: its files, its credentials, starting it and finding it.

Everything Prefect keeps for a home lives in ``$CAREEROS_HOME/prefect`` (the ``PREFECT_HOME`` of the server and
of every careeros command): the SQLite database, ``auth`` (the API auth string, mode 0600) and ``server.json``
(url, pid, port of a long-lived server such as ``make serve``), so the UI shows everything that happened in that
home and a command finds a running server without an exported variable.

The server runs with basic auth on (``PREFECT_SERVER_API_AUTH_STRING``; clients and the UI log in with the same
string, ``PREFECT_API_AUTH_STRING``), CORS limited to the UI's own origin, CSRF protection on, and binds
127.0.0.1 unless ``CAREEROS_SERVER_HOST`` says otherwise (see docs/operations.md for a reverse proxy).

This module never imports prefect: the CLI calls :func:`use_orchestration` *before* prefect is first imported,
because Prefect freezes its settings at import time.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HOST = "127.0.0.1"
#: The user part of the auth string (Prefect compares the whole ``user:password`` string).
AUTH_USER = "careeros"
#: Environment variables that point a process's Prefect client somewhere: set only by :func:`use_orchestration`.
CLIENT_KEYS = ("PREFECT_API_URL", "PREFECT_API_AUTH_STRING", "PREFECT_UI_URL")


class OrchestrationError(RuntimeError):
    """No Prefect server could be found or started; the message is one line that says what to do."""


# ----------------------------------------------------------------------------------------------- files of a home


def prefect_home(home: Path) -> Path:
    """``$CAREEROS_HOME/prefect``: the PREFECT_HOME of this careeros home (database, auth, server.json)."""
    return Path(home).resolve() / "prefect"


def auth_path(home: Path) -> Path:
    """Where the home's API auth string is kept (mode 0600)."""
    return prefect_home(home) / "auth"


def state_path(home: Path) -> Path:
    """``server.json`` of a long-lived server of this home (written by ``make serve`` / ``careeros serve``)."""
    return prefect_home(home) / "server.json"


def auth_string(home: Path, create: bool = True) -> str | None:
    """The home's ``careeros:<token>`` auth string, generated on first use and stored with 0600 permissions."""
    path = auth_path(home)
    if path.is_file():
        if path.stat().st_mode & 0o077:  # somebody widened it: narrow it again before reading
            path.chmod(0o600)
        text = path.read_text(encoding="utf-8").strip()
        if text:
            return text
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):
        path.parent.chmod(0o700)
    value = f"{AUTH_USER}:{secrets.token_urlsafe(32)}"
    tmp = path.with_name(f".auth-{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    try:
        os.link(tmp, path)  # first writer wins when two commands start at once
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()


def basic_auth_header(auth: str) -> str:
    """The ``Authorization`` header value Prefect's clients send for an auth string."""
    return "Basic " + base64.b64encode(auth.encode("utf-8")).decode("ascii")


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (bound and released on the loopback address)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _settings() -> Any:
    from careeros.settings import get_settings

    return get_settings()


def server_env(port: int, home: Path, host: str = HOST, public_url: str | None = None) -> dict[str, str]:
    """Environment of the server process (auth on, CORS = the UI's own origin, CSRF on) and of its clients.

    ``public_url`` is the address a browser uses when the server sits behind a reverse proxy
    (``CAREEROS_SERVER_PUBLIC_URL``); the UI then calls the API there and only that origin is allowed.
    """
    ph = prefect_home(home)
    local = f"http://{HOST if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104 - a bind address
    ui = (public_url or local).rstrip("/")
    auth = auth_string(home) or ""
    return {
        "PREFECT_HOME": str(ph),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{ph / 'prefect.db'}",
        # leases on disk (under PREFECT_HOME), not in the server's memory: a run killed with -9 holds the home's
        # writer slot in the database; with in-memory leases the next server (a new command) would never know the
        # lease and the slot would stay taken for good. On disk, the repossessor frees it once it expires.
        "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect.server.concurrency.lease_storage.filesystem",
        # SQLite: wait up to a minute for a lock (the statement timeout is also sqlite's connect timeout; the
        # default 10 s gave "database is locked" on resume while a CPU-bound job loaded the machine)
        "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
        "PREFECT_SERVER_API_HOST": host,
        "PREFECT_SERVER_API_PORT": str(port),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_API_AUTH_STRING": auth,
        "PREFECT_API_AUTH_STRING": auth,
        "PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS": _origin(ui),
        "PREFECT_SERVER_API_CSRF_PROTECTION_ENABLED": "true",
        "PREFECT_UI_API_URL": f"{ui}/api",
        "PREFECT_UI_URL": ui,
        "PREFECT_API_URL": f"{local}/api",
        "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
    }


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """A server started for one command goes when that command goes, even on ``kill -9`` (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# ----------------------------------------------------------------------------------------------- the server


@dataclass
class LocalServer:
    """A running local Prefect server (stop it with :meth:`stop`, or use it as a context manager)."""

    port: int
    home: Path
    host: str = HOST
    log_path: Path | None = None
    scheduler: bool = True
    public_url: str | None = None
    #: True: the server dies with the process that started it (a server for one command).
    tied: bool = False
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/api`` (where this machine's clients call it)."""
        return f"http://{HOST if self.host in ('0.0.0.0', '::') else self.host}:{self.port}/api"  # noqa: S104

    @property
    def ui_url(self) -> str:
        """The UI's base address (the public one behind a reverse proxy)."""
        return (self.public_url or self.api_url.removesuffix("/api")).rstrip("/")

    @property
    def auth(self) -> str:
        """The home's API auth string (what the UI's login asks for)."""
        return auth_string(self.home) or ""

    @property
    def env(self) -> dict[str, str]:
        """Variables a client process needs to talk to this server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_UI_API_URL": f"{self.ui_url}/api",
                "PREFECT_UI_URL": self.ui_url, "PREFECT_API_AUTH_STRING": self.auth,
                "PREFECT_HOME": str(prefect_home(self.home)), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}

    def healthy(self) -> bool:
        """True when ``/api/health`` answers (unauthenticated by design of Prefect)."""
        return _healthy(self.api_url)

    def start(self, timeout: float = 180.0) -> LocalServer:
        """Start the server process and wait until it answers (raises with the log tail if it does not)."""
        if self.proc is not None and self.proc.poll() is None:
            return self
        env = {**os.environ, **server_env(self.port, self.home, self.host, self.public_url)}
        Path(env["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
        self.log_path = self.log_path or Path(env["PREFECT_HOME"]) / f"server-{self.port}.log"
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "prefect", "server", "start", "--host", self.host, "--port", str(self.port),
                 "--analytics-off", *([] if self.scheduler else ["--no-scheduler", "--no-late-runs"])],
                env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                preexec_fn=_die_with_parent if self.tied else None)  # noqa: PLW1509 - Linux-only prctl, guarded
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
        """Stop the server's process group (SIGTERM, then SIGKILL); forget ``server.json`` if it is ours."""
        self.forget()
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
        except ProcessLookupError:
            pass

    def restart(self, timeout: float = 180.0) -> LocalServer:
        """Stop and start again on the same port and database."""
        had_state = self._owns_state()
        self.stop()
        self.start(timeout)
        return self.advertise() if had_state else self

    def advertise(self) -> LocalServer:
        """Write ``server.json`` so careeros commands of this home find and use this server.

        A server tied to one command is marked ``temporary``: others may answer runs through it while it lives
        (every server of a home shares its database), but they do not start long flows on it.
        """
        path = state_path(self.home)
        data = {"url": self.ui_url, "api_url": self.api_url, "port": self.port, "host": self.host,
                "pid": self.proc.pid if self.proc else None, "started_at": datetime.now(UTC).isoformat(),
                "temporary": self.tied, "owner_pid": os.getpid()}
        tmp = path.with_name(f".server-{os.getpid()}.json")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
        return self

    def forget(self) -> None:
        """Remove ``server.json`` when it describes this server."""
        if self._owns_state():
            state_path(self.home).unlink(missing_ok=True)

    def _owns_state(self) -> bool:
        info = read_state(self.home)
        return bool(info and self.proc is not None and info.get("pid") == self.proc.pid)

    def _tail(self, n: int = 2000) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-n:] if self.log_path else ""
        except OSError:
            return ""

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def start_local_server(port: int | None = None, home: Path | None = None, timeout: float = 180.0,
                       scheduler: bool = True, host: str | None = None, public_url: str | None = None,
                       advertise: bool = False) -> LocalServer:
    """Start a Prefect server on ``host``:``port`` (a free port if None) with SQLite under ``home/prefect``.

    ``home`` defaults to ``CAREEROS_HOME``, ``host``/``public_url`` to ``CAREEROS_SERVER_HOST`` /
    ``CAREEROS_SERVER_PUBLIC_URL``. Auth, CORS and CSRF as in :func:`server_env`. ``advertise`` writes
    ``server.json`` so every careeros command of the home uses this server.
    """
    s = _settings()
    home = Path(home) if home is not None else s.home
    srv = LocalServer(port=port or free_port(), home=Path(home), scheduler=scheduler,
                      host=host or s.server_host, public_url=public_url or s.server_public_url).start(timeout)
    return srv.advertise() if advertise else srv


# ----------------------------------------------------------------------------------------------- finding it


def _healthy(api_url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as r:  # noqa: S310 - our own server
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def authorized(api_url: str, auth: str | None, timeout: float = 5.0) -> bool:
    """True when the API accepts ``auth`` (an authenticated read of the server's version)."""
    req = urllib.request.Request(f"{api_url}/admin/version",  # noqa: S310 - our own server
                                 headers={"Authorization": basic_auth_header(auth)} if auth else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def read_state(home: Path) -> dict[str, Any] | None:
    """The home's ``server.json`` (or None)."""
    try:
        data = json.loads(state_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def discover(home: Path, temporary: bool = True) -> dict[str, Any] | None:
    """The home's running server from ``server.json``: its process lives and its API answers our auth string.

    ``temporary=False`` ignores a server that lives only as long as another command.
    """
    info = read_state(home)
    if not info or not _alive(info.get("pid")) or (info.get("temporary") and not temporary):
        return None
    api = str(info.get("api_url") or "")
    if not _healthy(api) or not authorized(api, auth_string(home, create=False)):
        return None
    return info


@dataclass
class Orchestration:
    """Where this process's Prefect client talks to: the API, the UI, and how it was found."""

    api_url: str
    ui_url: str
    how: str  # "configured" (PREFECT_API_URL), "discovered" (server.json) or "started" (for this command)
    server: LocalServer | None = None


_CURRENT: dict[str, Orchestration] = {}


def _apply(env: dict[str, str]) -> None:
    os.environ.update(env)
    if "prefect" in sys.modules:  # too late for the environment alone: Prefect froze its settings at import
        from prefect.settings import (
            PREFECT_API_AUTH_STRING,
            PREFECT_API_URL,
            PREFECT_UI_URL,
            temporary_settings,
        )

        ctx = temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"],
                                          PREFECT_API_AUTH_STRING: env.get("PREFECT_API_AUTH_STRING") or None,
                                          PREFECT_UI_URL: env.get("PREFECT_UI_URL")})
        ctx.__enter__()  # for the rest of this process


def client_defaults(home: Path) -> None:
    """What every careeros process sets before Prefect is imported: the home's PREFECT_HOME, quiet telemetry, logs.

    careeros' own loggers (``careeros.*``, level ``CAREEROS_LOG_LEVEL``) reach the run's log tab through
    Prefect's API handler (``PREFECT_LOGGING_EXTRA_LOGGERS``); Prefect's own loggers stay at
    ``PREFECT_LOGGING_LEVEL`` (WARNING) and the console shows warnings only.
    """
    import logging

    os.environ["PREFECT_HOME"] = str(prefect_home(home))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "careeros")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "WARNING")
    os.environ.setdefault("TQDM_DISABLE", "1")
    logging.getLogger("careeros").setLevel(str(_settings().log_level).upper())


def use_orchestration(home: Path | None = None, start: bool = True, timeout: float | None = None,
                      echo: Any = None) -> Orchestration:
    """Point this process's Prefect client at the home's server; start one for this command if none runs.

    Order: an exported ``PREFECT_API_URL`` (used as is; the home's auth string is added when the URL is the
    home's server), then the server advertised in ``$CAREEROS_HOME/prefect/server.json`` (its API must
    answer with the home's auth string), then a new server tied to this process (generous start-up timeout,
    one retry on a new port). Raises :class:`OrchestrationError` with a one-line message when nothing works.
    """
    if "current" in _CURRENT:
        return _CURRENT["current"]
    s = _settings()
    home = Path(home) if home is not None else s.home
    if "prefect" in sys.modules:  # already configured in this process (a test harness, a served flow run)
        from prefect.settings import get_current_settings

        url = get_current_settings().api.url
        if url:
            return Orchestration(str(url), str(get_current_settings().ui_url or url), "configured")
    client_defaults(home)
    explicit = os.environ.get("PREFECT_API_URL")
    if explicit:
        env = {"PREFECT_API_URL": explicit}
        info = read_state(home)
        if not os.environ.get("PREFECT_API_AUTH_STRING") and (
                (info and info.get("api_url") == explicit) or auth_path(home).is_file()):
            env["PREFECT_API_AUTH_STRING"] = auth_string(home, create=False) or ""
        ui = os.environ.get("PREFECT_UI_URL") or explicit.removesuffix("/api")
        _apply({**env, "PREFECT_UI_URL": ui})
        _CURRENT["current"] = Orchestration(explicit, ui, "configured")
        return _CURRENT["current"]
    info = discover(home, temporary=not start)
    if info:
        env = {"PREFECT_API_URL": str(info["api_url"]), "PREFECT_UI_URL": str(info["url"]),
               "PREFECT_API_AUTH_STRING": auth_string(home, create=False) or ""}
        _apply(env)
        _CURRENT["current"] = Orchestration(env["PREFECT_API_URL"], env["PREFECT_UI_URL"], "discovered")
        return _CURRENT["current"]
    if not start:
        raise OrchestrationError(f"no Prefect server runs for {home}, so no run can be waiting for input there "
                                 "(start the home's server with `make serve` or `careeros serve`)")
    wait = timeout if timeout is not None else s.server_startup_timeout
    errors = []
    for _attempt in range(2):
        srv = LocalServer(port=free_port(), home=home, scheduler=False, tied=True)
        if echo:
            echo(f"starting a Prefect server for this command ({srv.api_url}; `make serve` keeps one running)")
        try:
            srv.start(wait)
        except (RuntimeError, TimeoutError, OSError) as exc:
            errors.append(str(exc).splitlines()[0][:200])
            continue
        atexit.register(srv.stop)
        if read_state(home) is None or not discover(home):
            srv.advertise()  # so `careeros approvals` in another terminal finds runs waiting here
        env = {"PREFECT_API_URL": srv.api_url, "PREFECT_UI_URL": srv.ui_url, "PREFECT_API_AUTH_STRING": srv.auth}
        _apply(env)
        _CURRENT["current"] = Orchestration(srv.api_url, srv.ui_url, "started", srv)
        return _CURRENT["current"]
    raise OrchestrationError(
        f"could not start a Prefect server for {home} within {wait:.0f} s, twice ({errors[-1] if errors else '?'}); "
        f"the machine may be busy: start one with `make serve` (or `careeros serve`) and run the command again, "
        f"or raise CAREEROS_SERVER_STARTUP_TIMEOUT; server log under {prefect_home(home)}")


def current() -> Orchestration | None:
    """The orchestration this process is using, if :func:`use_orchestration` ran."""
    return _CURRENT.get("current")
