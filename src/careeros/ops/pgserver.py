"""Server mode: a Prefect server on PostgreSQL with N process workers, all under one careeros home.

``python -m careeros.ops.pgserver up [--workers 2]`` (``make server``) does, in order:

1. PostgreSQL: Debian's ``postgresql`` package (installed with apt-get when missing and running as root), a
   cluster under ``$CAREEROS_HOME/pg`` made with ``initdb`` and run with ``pg_ctl`` as the unprivileged
   ``postgres`` user when started as root (both refuse to run as root), on a free port, listening on 127.0.0.1
   only, password authentication (the password is a 0600 file).
2. The Prefect server (``PREFECT_API_DATABASE_CONNECTION_URL=postgresql+asyncpg://...``) on 127.0.0.1 with basic
   auth (``PREFECT_SERVER_API_AUTH_STRING``; clients use ``PREFECT_API_AUTH_STRING``; generated per home, 0600),
   CORS limited to the UI's own origin, leases of concurrency slots on disk (they survive a server restart).
3. The ``careeros`` process work pool, every deployment of ``prefect.yaml`` (``prefect deploy --all``) and an
   automation that marks a run ``Crashed`` when its heartbeats stop (a worker killed with ``kill -9``).
4. N workers (``prefect worker start --pool careeros``), each in its own process group.

Every process has a pid file under ``$CAREEROS_HOME/server/``; ``down`` (``make server-stop``) stops the workers
and the flow runs they started, the server, then PostgreSQL, and checks that none of them is left.
Several careeros homes share one server: each flow run gets its home as the ``home`` parameter
(``flows.homes``). Clients read ``$CAREEROS_HOME/server/client.env`` (0600) for the API address and auth.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from careeros.ops.server import HOST, free_port

POOL = "careeros"
#: Seconds between flow-run heartbeats (Prefect's minimum is 30) and the silence after which a run is Crashed.
HEARTBEAT_SECONDS = 30
CRASH_AFTER_SECONDS = 75
ZOMBIE_AUTOMATION = "careeros: crash runs whose heartbeats stopped"
DB_USER = "careeros"
DB_NAME = "prefect"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL is not installed and cannot be installed here (not root, or apt-get failed)."""


def repo_root() -> Path:
    """The checkout holding ``prefect.yaml`` (the deployments' code; workers run flows from it)."""
    root = Path(__file__).resolve().parents[3]
    if not (root / "prefect.yaml").is_file():
        raise RuntimeError(f"prefect.yaml not found in {root}: server mode runs from a careeros checkout")
    return root


# --------------------------------------------------------------------------------------------- PostgreSQL


def pg_bindir() -> Path | None:
    """Directory of ``initdb``/``pg_ctl``: on PATH, else Debian's ``/usr/lib/postgresql/<version>/bin``."""
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).resolve().parent
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    return Path(debian[-1]).parent if debian else None


def ensure_postgresql() -> Path:
    """The PostgreSQL binaries directory, installing Debian's ``postgresql`` with apt-get when missing (root only)."""
    found = pg_bindir()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PostgresUnavailableError("PostgreSQL is not installed; install Debian's postgresql package "
                                       "(apt-get install postgresql) or run as root so careeros installs it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
        if res.returncode != 0:
            raise PostgresUnavailableError(f"{' '.join(cmd)} failed: {(res.stdout + res.stderr)[-1500:]}")
    found = pg_bindir()
    if not found:
        raise PostgresUnavailableError("apt-get installed postgresql but pg_ctl was not found")
    return found


def _as_pg_user(cmd: list[str]) -> list[str]:
    """Run ``cmd`` as the ``postgres`` system user when we are root (initdb/pg_ctl refuse root)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _write_secret(path: Path, value: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value)
    os.chmod(path, 0o600)


def _secret(path: Path, make: Any) -> str:
    if path.is_file():
        return path.read_text().strip()
    value = make()
    _write_secret(path, value)
    return str(value)


@dataclass
class Postgres:
    """A PostgreSQL cluster in ``root`` (``root/data``), run by ``pg_ctl``."""

    root: Path
    bindir: Path
    password: str
    port: int = 0

    @property
    def data(self) -> Path:
        """The cluster's data directory."""
        return self.root / "data"

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the Prefect database."""
        return f"postgresql+asyncpg://{DB_USER}:{self.password}@{HOST}:{self.port}/{DB_NAME}"

    def _run(self, cmd: list[str], timeout: float = 120, pg_user: bool = True) -> subprocess.CompletedProcess[str]:
        full = _as_pg_user(cmd) if pg_user else cmd
        res = subprocess.run(full, capture_output=True, text=True, timeout=timeout, cwd=self.root,
                             env={**os.environ, "PGPASSWORD": self.password, "LC_ALL": "C.UTF-8"})
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({res.returncode}): {(res.stdout + res.stderr)[-2000:]}")
        return res

    def _chown(self) -> None:
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam("postgres")
            for dirpath, _dirs, files in os.walk(self.root):
                os.chown(dirpath, pw.pw_uid, pw.pw_gid)
                for name in files:
                    os.chown(os.path.join(dirpath, name), pw.pw_uid, pw.pw_gid)
            self._check_reachable()

    def _check_reachable(self) -> None:
        """The ``postgres`` user must be able to reach ``root`` (e.g. not under a 0700 directory of root)."""
        res = subprocess.run(_as_pg_user(["test", "-w", str(self.root)]), capture_output=True)
        if res.returncode != 0:
            raise RuntimeError(f"the postgres user cannot write {self.root}: put CAREEROS_HOME where every "
                               "parent directory is searchable (mode o+x)")

    def init(self) -> None:
        """``initdb`` once (UTF-8, no locale, password auth on TCP, a ``careeros`` superuser)."""
        if (self.data / "PG_VERSION").is_file():
            return
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)
        pwfile = self.root / "initdb.pw"
        _write_secret(pwfile, self.password + "\n")
        self._chown()
        try:
            self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", DB_USER, "--pwfile", str(pwfile),
                       "--auth-host=scram-sha-256", "--auth-local=peer", "-E", "UTF8", "--no-locale"], timeout=300)
        finally:
            pwfile.unlink(missing_ok=True)

    def running(self) -> bool:
        """``pg_ctl status`` says the cluster runs."""
        if not (self.data / "postmaster.pid").is_file():
            return False
        res = subprocess.run(_as_pg_user([str(self.bindir / "pg_ctl"), "-D", str(self.data), "status"]),
                             capture_output=True, text=True)
        return res.returncode == 0

    def pid(self) -> int | None:
        """The postmaster's pid (first line of ``postmaster.pid``)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        """Start on ``port`` (127.0.0.1 only, no Unix socket) and create the Prefect database."""
        self.port = self.port or free_port()
        opts = f"-p {self.port} -c listen_addresses={HOST} -c unix_socket_directories='' -c max_connections=200"
        self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "postgres.log"),
                   "-o", opts, "-w", "-t", "120", "start"], timeout=180)
        psql = [str(self.bindir / "psql"), "-h", HOST, "-p", str(self.port), "-U", DB_USER, "-d", "postgres",
                "-tAc"]
        have = self._run([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"], pg_user=False)
        if have.stdout.strip() != "1":
            self._run([*psql, f"CREATE DATABASE {DB_NAME}"], pg_user=False)

    def stop(self) -> None:
        """``pg_ctl stop -m fast`` (waits for the postmaster to exit)."""
        if self.running():
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "120", "stop"],
                      timeout=180)


# --------------------------------------------------------------------------------------------- processes


def alive(pid: int | None) -> bool:
    """The process exists and is not a zombie."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def descendants(pid: int) -> list[int]:
    """Every live descendant of ``pid`` (from ``/proc``), children first."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        parents.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = list(parents.get(pid, []))
    while todo:
        child = todo.pop(0)
        out.append(child)
        todo.extend(parents.get(child, []))
    return out


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (``VmRSS``), 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def kill_tree(pid: int, sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Signal ``pid``, its process group and every descendant; SIGKILL what is left after ``timeout``.

    Flow runs live in their own sessions, so the group alone would miss them. A process may already have exited.
    """
    procs = [pid, *descendants(pid)]
    for p in procs:
        for kill in (os.killpg, os.kill):
            try:
                kill(p, sig)
            except (ProcessLookupError, PermissionError):
                pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in procs):
        _reap(procs)
        time.sleep(0.1)
    for p in procs:
        if alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(alive(p) for p in procs):
        _reap(procs)
        time.sleep(0.1)


def _reap(pids: list[int]) -> None:
    for p in pids:
        try:
            os.waitpid(p, os.WNOHANG)
        except ChildProcessError:
            pass


#: the processes this interpreter started, by pid: their exit status is then known (and they are reaped)
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _spawn(cmd: list[str], env: dict[str, str], log: Path, pidfile: Path, cwd: Path) -> int:
    log.parent.mkdir(parents=True, exist_ok=True)
    # unbuffered, with faulthandler: a process that dies early still leaves its last words in the log
    env = {**env, "PYTHONUNBUFFERED": "1", "PYTHONFAULTHANDLER": "1"}
    with open(log, "ab") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    pidfile.write_text(str(proc.pid))
    _CHILDREN[proc.pid] = proc
    return proc.pid


def exit_status(pid: int | None) -> str:
    """How a process this interpreter started ended ("exit code 1", "killed by SIGKILL"), or "" when unknown."""
    proc = _CHILDREN.get(pid or 0)
    code = proc.poll() if proc is not None else None
    if code is None:
        return ""
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _mem_available_mb() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _read_pid(path: Path) -> int | None:
    """The pid in a pid file when that process is still one of ours (a Prefect command line), else None."""
    try:
        pid = int(path.read_text().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return pid if b"prefect" in f.read() else None
    except (OSError, ValueError):
        return None


# --------------------------------------------------------------------------------------------- the stack


class Stack:
    """PostgreSQL + Prefect server + workers of one careeros home (state in ``home/server``)."""

    def __init__(self, home: Path, worker_limit: int | None = None, query_seconds: float = 5.0) -> None:
        self.home = Path(home).expanduser().resolve()
        #: concurrent flow runs per worker (None: no limit; a paused run keeps its process, a suspended one not)
        self.worker_limit = worker_limit
        self.query_seconds = query_seconds
        self.dir = self.home / "server"
        self.pg_root = self.home / "pg"
        self.prefect_home = self.dir / "prefect"
        self.logs = self.dir / "logs"

    # ---- state
    @property
    def state_path(self) -> Path:
        """JSON with ports, addresses and timings of the last ``up``."""
        return self.dir / "state.json"

    def state(self) -> dict[str, Any]:
        """The saved state (empty before the first ``up``)."""
        try:
            return dict(json.loads(self.state_path.read_text()))
        except (OSError, ValueError):
            return {}

    def _save(self, **changes: Any) -> dict[str, Any]:
        state = {**self.state(), **changes}
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_path.write_text(json.dumps(state, indent=2, sort_keys=True))
        return state

    @property
    def auth_string(self) -> str:
        """Basic-auth ``user:password`` of this server's API (generated once, 0600)."""
        return _secret(self.dir / "auth", lambda: f"careeros:{secrets.token_urlsafe(24)}")

    def _pg(self, bindir: Path | None = None) -> Postgres:
        bindir = bindir or pg_bindir()
        if bindir is None:
            raise PostgresUnavailableError("PostgreSQL is not installed")
        return Postgres(self.pg_root, bindir, _secret(self.dir / "pg-password", lambda: secrets.token_hex(16)),
                        int(self.state().get("pg_port") or 0))

    @property
    def api_url(self) -> str:
        """``http://127.0.0.1:<port>/api`` of the running server."""
        return f"http://{HOST}:{self.state()['api_port']}/api"

    def client_env(self) -> dict[str, str]:
        """What a client (CLI, worker, test) needs to talk to this server."""
        return {"PREFECT_API_URL": self.api_url, "PREFECT_API_AUTH_STRING": self.auth_string,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}

    def server_env(self, pg: Postgres, api_port: int) -> dict[str, str]:
        """Environment of the Prefect server process."""
        api = f"http://{HOST}:{api_port}/api"
        return {
            "PREFECT_HOME": str(self.prefect_home),
            "PREFECT_API_DATABASE_CONNECTION_URL": pg.url,
            "PREFECT_SERVER_API_HOST": HOST,
            "PREFECT_SERVER_API_PORT": str(api_port),
            "PREFECT_SERVER_API_AUTH_STRING": self.auth_string,
            "PREFECT_API_AUTH_STRING": self.auth_string,
            "PREFECT_SERVER_API_CORS_ALLOWED_ORIGINS": f"http://{HOST}:{api_port}",
            "PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE": "prefect.server.concurrency.lease_storage.filesystem",
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_DATABASE_MIGRATE_ON_START": "false",  # start_server migrates first, in one process
            "PREFECT_UI_API_URL": api,
            "PREFECT_API_URL": api,
            "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
        }

    def worker_env(self) -> dict[str, str]:
        """Environment of a worker (and so of the flow runs it starts)."""
        return {
            **self.client_env(),
            "PREFECT_HOME": str(self.prefect_home),
            "PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS),
            "PREFECT_WORKER_QUERY_SECONDS": str(self.query_seconds),
            "PREFECT_LOGGING_LEVEL": os.environ.get("PREFECT_LOGGING_LEVEL", "WARNING"),
            "CAREEROS_HOME": str(self.home),
            "CAREEROS_REPO": str(repo_root()),
            "PYTHONPATH": str(repo_root()),
            "TQDM_DISABLE": "1",
            "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        }

    def _env(self, extra: dict[str, str]) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAREEROS_HOME"))}
        return {**base, **extra}

    # ---- pieces
    def start_postgres(self, install: bool = True) -> Postgres:
        """Install (when missing), init and start the cluster; saves its port."""
        pg = self._pg(ensure_postgresql() if install else None)
        pg.init()
        if pg.running():
            return pg
        if pg.port:
            pg.port = pg.port if _port_free(pg.port) else 0
        pg.start()
        self._save(pg_port=pg.port)
        return pg

    def start_server(self, pg: Postgres, timeout: float = 180.0, attempts: int = 3) -> int:
        """Start the Prefect server on its saved port (workers and clients keep their address); wait for health.

        A server that exits while starting is started again (up to ``attempts``; its exit status and the memory
        available go to the log), then the log tail is raised.
        """
        pid = _read_pid(self.dir / "prefect-server.pid")
        if alive(pid) and self.state().get("api_port") and self.healthy():
            return int(self.state()["api_port"])
        port = int(self.state().get("api_port") or 0)
        port = port if port and _port_free(port) else free_port()
        self.prefect_home.mkdir(parents=True, exist_ok=True)
        self._save(api_port=port)
        log = self.logs / "prefect-server.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        # Migrations first, in one process: the server's start-up migrates from more than one place, and on an
        # empty PostgreSQL database two concurrent CREATE TABLE alembic_version failed a CI run
        # ("duplicate key value violates unique constraint pg_type_typname_nsp_index"); the server then starts
        # with PREFECT_SERVER_DATABASE_MIGRATE_ON_START=false (server_env).
        up = subprocess.run([sys.executable, "-m", "prefect", "server", "database", "upgrade", "-y"],
                            env=self._env(self.server_env(pg, port)), cwd=self.dir, capture_output=True, text=True,
                            timeout=timeout, check=False)
        with open(log, "a") as f:
            f.write(f"\n== careeros: prefect server database upgrade (exit {up.returncode})\n{up.stdout}{up.stderr}")
        if up.returncode != 0:
            raise RuntimeError("Prefect database migration failed: " + _tail(log))
        for attempt in range(1, attempts + 1):
            log.parent.mkdir(parents=True, exist_ok=True)
            # the saved port is kept (workers and paused runs know this address): wait for it to be free again
            port_deadline = time.monotonic() + 30
            while attempt > 1 and not _port_free(port) and time.monotonic() < port_deadline:
                time.sleep(0.5)
            with open(log, "a") as f:
                f.write(f"\n== careeros: starting the Prefect server on {HOST}:{port} (attempt {attempt})\n")
            pid = _spawn([sys.executable, "-m", "prefect", "server", "start", "--host", HOST, "--port", str(port),
                          "--analytics-off"], self._env(self.server_env(pg, port)), log,
                         self.dir / "prefect-server.pid", self.dir)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not alive(pid):
                    break
                if self.healthy():
                    return port
                time.sleep(0.5)
            else:
                raise TimeoutError(f"Prefect server not healthy after {timeout:.0f} s: " + _tail(log))
            with open(log, "a") as f:
                f.write(f"\n== careeros: the Prefect server (pid {pid}) ended while starting: "
                        f"{exit_status(pid) or 'status unknown'}; memory available {_mem_available_mb()} MB\n")
        raise RuntimeError("Prefect server exited: " + _tail(log))

    def healthy(self) -> bool:
        """``/api/health`` answers (with the auth header)."""
        try:
            req = urllib.request.Request(f"{self.api_url}/health",
                                         headers={"Authorization": "Basic " + b64encode(self.auth_string.encode()).decode()})
            with urllib.request.urlopen(req, timeout=3) as r:  # noqa: S310 - loopback only
                return bool(r.status == 200)
        except (urllib.error.URLError, OSError, KeyError):
            return False

    def setup(self, schedules: bool = True, homes: list[Path] | None = None) -> list[str]:
        """Work pool, the zombie-run automation, then every ``prefect.yaml`` deployment (all idempotent)."""
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        with temporary_settings(updates={PREFECT_API_URL: self.api_url, PREFECT_API_AUTH_STRING: self.auth_string}):
            _ensure_pool()
            _ensure_zombie_automation()
            return deploy_all(repo_root(), schedules, homes)

    def worker_pids(self) -> dict[int, int]:
        """``{index: pid}`` of the worker pid files."""
        out = {}
        for path in sorted(self.dir.glob("worker-*.pid")):
            pid = _read_pid(path)
            if pid:
                out[int(path.stem.split("-")[1])] = pid
        return out

    def start_worker(self, index: int) -> int:
        """Start worker ``careeros-worker-<index>`` (its own process group); returns its pid."""
        pid = self.worker_pids().get(index)
        if alive(pid):
            return int(pid)  # type: ignore[arg-type]
        return _spawn([sys.executable, "-m", "prefect", "worker", "start", "--pool", POOL, "--type", "process",
                       "--name", self.worker_name(index),
                       *(["--limit", str(self.worker_limit)] if self.worker_limit else [])], self._env(self.worker_env()),
                      self.logs / f"worker-{index}.log", self.dir / f"worker-{index}.pid", repo_root())

    def worker_name(self, index: int) -> str:
        """The name a worker registers with (unique per home)."""
        from careeros.settings import home_key

        return f"careeros-{home_key(self.home)}-worker-{index}"

    def wait_workers_online(self, indexes: list[int], timeout: float = 180.0) -> None:
        """Until each worker has sent a heartbeat to the server."""
        from prefect import get_client
        from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

        wanted = {self.worker_name(i) for i in indexes}
        deadline = time.monotonic() + timeout
        with temporary_settings(updates={PREFECT_API_URL: self.api_url, PREFECT_API_AUTH_STRING: self.auth_string}), \
                get_client(sync_client=True) as client:
            while time.monotonic() < deadline:
                seen = {w.name for w in client.read_workers_for_work_pool(POOL) if str(w.status).endswith("ONLINE")}
                if wanted <= seen:
                    return
                for i in indexes:
                    if not alive(self.worker_pids().get(i)):
                        raise RuntimeError(f"worker {i} exited: " + _tail(self.logs / f"worker-{i}.log"))
                time.sleep(0.5)
        raise TimeoutError(f"workers {sorted(wanted)} not online after {timeout:.0f} s")

    def stop_worker(self, index: int, sig: int = signal.SIGTERM) -> None:
        """Stop a worker and the flow runs it started; remove its pid file."""
        pid = self.worker_pids().get(index)
        if pid:
            kill_tree(pid, sig)
        (self.dir / f"worker-{index}.pid").unlink(missing_ok=True)

    def stop_server(self) -> None:
        """Stop the Prefect server process (group and descendants)."""
        pid = _read_pid(self.dir / "prefect-server.pid")
        if pid:
            kill_tree(pid)
        (self.dir / "prefect-server.pid").unlink(missing_ok=True)

    # ---- whole stack
    def up(self, workers: int = 2, deploy: bool = True, schedules: bool = True,
           homes: list[Path] | None = None) -> dict[str, Any]:
        """Bring everything up (idempotent: running pieces are kept); returns the state with timings."""
        t0 = time.perf_counter()
        timings: dict[str, float] = {}
        pg = self.start_postgres()
        timings["postgres_s"] = round(time.perf_counter() - t0, 2)
        self.start_server(pg)
        timings["server_s"] = round(time.perf_counter() - t0 - timings["postgres_s"], 2)
        t1 = time.perf_counter()
        deployments = self.setup(schedules, homes) if deploy else []
        timings["deploy_s"] = round(time.perf_counter() - t1, 2)
        t2 = time.perf_counter()
        for i in range(1, workers + 1):
            self.start_worker(i)
        self.wait_workers_online(list(range(1, workers + 1)))
        timings["workers_s"] = round(time.perf_counter() - t2, 2)
        timings["total_s"] = round(time.perf_counter() - t0, 2)
        _write_secret(self.dir / "client.env", "".join(f"{k}={v}\n" for k, v in self.client_env().items()))
        return self._save(timings=timings, workers=workers, deployments=deployments, ui_url=f"http://{HOST}:{self.state()['api_port']}")

    def pids(self) -> dict[str, int]:
        """Every process of the stack that has a pid (``postgres``, ``prefect-server``, ``worker-<i>``)."""
        out: dict[str, int] = {}
        pg_pid = self._pg().pid() if pg_bindir() else None
        if pg_pid:
            out["postgres"] = pg_pid
        server = _read_pid(self.dir / "prefect-server.pid")
        if server:
            out["prefect-server"] = server
        for i, pid in self.worker_pids().items():
            out[f"worker-{i}"] = pid
        return out

    def down(self) -> list[int]:
        """Stop workers (and their flow runs), the server, PostgreSQL; returns the pids still alive (none)."""
        watched = [p for pid in self.pids().values() for p in (pid, *descendants(pid))]
        for i in list(self.worker_pids()):
            self.stop_worker(i)
        self.stop_server()
        if pg_bindir() and (self.pg_root / "data").is_dir():
            self._pg().stop()
        return [p for p in watched if alive(p)]

    def status(self) -> dict[str, Any]:
        """State plus which processes are alive and their resident memory."""
        procs = {name: {"pid": pid, "alive": alive(pid), "rss_mb": round(rss_mb(pid), 1)}
                 for name, pid in self.pids().items()}
        st = self.state()
        return {"home": str(self.home), "api_url": self.api_url if "api_port" in st else None,
                "ui_url": st.get("ui_url"), "healthy": self.healthy() if "api_port" in st else False,
                "processes": procs, "timings": st.get("timings", {}),
                "client_env": str(self.dir / "client.env")}


def _port_free(port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind: TIME_WAIT is free
        try:
            s.bind((HOST, port))
            return True
        except OSError:
            return False


def _tail(path: Path, n: int = 2000) -> str:
    try:
        return path.read_text(errors="replace")[-n:]
    except OSError:
        return ""


def deploy_all(repo: Path, schedules: bool = True, homes: list[Path] | None = None) -> list[str]:
    """Register every deployment of ``repo/prefect.yaml`` on the ``careeros`` pool, like ``prefect deploy --all``.

    Flows are not imported: names and parameter schemas are read from the source (fast).
    The pull step points the workers at ``repo``. With ``homes``, each cron schedule is created once per home
    with ``{"home": ...}`` as its parameters; ``schedules=False`` registers them inactive.
    """
    import yaml
    from prefect import get_client
    from prefect.client.schemas.actions import DeploymentScheduleCreate
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.flows import load_flow_arguments_from_entrypoint
    from prefect.utilities.callables import parameter_schema_from_entrypoint

    cfg = yaml.safe_load((repo / "prefect.yaml").read_text())
    pull = [{"prefect.deployments.steps.set_working_directory": {"directory": str(repo)}}]
    names = []
    with get_client(sync_client=True) as client:
        for dep in cfg["deployments"]:
            entry = f"{repo}/{dep['entrypoint']}"
            flow_name = load_flow_arguments_from_entrypoint(entry, {"name"}).get("name") \
                or dep["entrypoint"].rsplit(":", 1)[1].replace("_", "-")
            flow_id = client.create_flow_from_name(flow_name)
            per_home: list[dict[str, Any]] = [{"home": str(Path(h).resolve())} for h in homes or []] or [{}]
            scheds = [DeploymentScheduleCreate(schedule=CronSchedule(cron=s["cron"], timezone=s.get("timezone")),
                                               active=schedules, parameters=params)
                      for s in dep.get("schedules", []) for params in per_home]
            client.create_deployment(
                flow_id=flow_id, name=dep["name"], description=dep.get("description"), entrypoint=dep["entrypoint"],
                work_pool_name=dep.get("work_pool", {}).get("name", POOL), pull_steps=pull, path=str(repo),
                parameters=dep.get("parameters") or {}, schedules=scheds,
                parameter_openapi_schema=parameter_schema_from_entrypoint(entry).model_dump(exclude_unset=True),
                enforce_parameter_schema=True)
            names.append(f"{flow_name}/{dep['name']}")
    return names


def _ensure_pool() -> None:
    from prefect import get_client
    from prefect.client.schemas.actions import WorkPoolCreate
    from prefect.exceptions import ObjectAlreadyExists
    from prefect.workers.process import ProcessWorker

    with get_client(sync_client=True) as client:
        try:
            client.create_work_pool(WorkPoolCreate(name=POOL, type="process",
                                                   base_job_template=ProcessWorker.get_default_base_job_template()))
        except ObjectAlreadyExists:
            pass


def _ensure_zombie_automation() -> None:
    """Prefect's documented zombie-run automation: no heartbeat for CRASH_AFTER_SECONDS -> state Crashed."""
    from datetime import timedelta

    from prefect import get_client
    from prefect.automations import Automation
    from prefect.client.schemas.objects import StateType
    from prefect.events.actions import ChangeFlowRunState
    from prefect.events.schemas.automations import EventTrigger, Posture
    from prefect.events.schemas.events import ResourceSpecification

    with get_client(sync_client=True) as client:
        if client.read_automations_by_name(ZOMBIE_AUTOMATION):
            return
    Automation(
        name=ZOMBIE_AUTOMATION,
        trigger=EventTrigger(
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", "prefect.flow-run.Completed", "prefect.flow-run.Failed",
                    "prefect.flow-run.Cancelled", "prefect.flow-run.Crashed", "prefect.flow-run.Paused",
                    "prefect.flow-run.Suspended"},
            match=ResourceSpecification({"prefect.resource.id": ["prefect.flow-run.*"]}),
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=CRASH_AFTER_SECONDS),
        ),
        actions=[ChangeFlowRunState(name="Crashed", state=StateType.CRASHED, force=False,
                                    message=f"No heartbeat for {CRASH_AFTER_SECONDS} s: the worker died")],
    ).create()


def main(argv: list[str] | None = None) -> int:
    """``python -m careeros.ops.pgserver {up,down,status}``."""
    ap = argparse.ArgumentParser(prog="python -m careeros.ops.pgserver",
                                 description="Prefect on PostgreSQL with N process workers under CAREEROS_HOME.")
    ap.add_argument("command", choices=["up", "down", "status"])
    ap.add_argument("--workers", type=int, default=2, help="number of process workers (default 2)")
    ap.add_argument("--worker-limit", type=int, default=None,
                    help="concurrent flow runs per worker (default: no limit)")
    ap.add_argument("--home", type=Path, default=None, help="CAREEROS_HOME of the server (default from settings)")
    ap.add_argument("--no-deploy", action="store_true", help="skip the work pool and deployments")
    ap.add_argument("--no-schedules", action="store_true", help="register the deployments' schedules inactive")
    ap.add_argument("--for-home", type=Path, action="append", default=None, dest="homes",
                    help="a careeros home served here (repeat): each schedule runs once per home")
    args = ap.parse_args(argv)
    if args.home is None:
        from careeros.settings import get_settings

        args.home = get_settings().home
    stack = Stack(args.home, worker_limit=args.worker_limit)
    if args.command == "up":
        try:
            state = stack.up(args.workers, deploy=not args.no_deploy, schedules=not args.no_schedules,
                             homes=args.homes)
        except PostgresUnavailableError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        print(f"careeros server up in {state['timings']['total_s']} s: UI {state['ui_url']} (login with the "
              f"auth string in {stack.dir / 'auth'}), {args.workers} workers on pool '{POOL}'; "
              f"client settings in {stack.dir / 'client.env'}", file=sys.stderr)
        print(json.dumps(stack.status(), indent=2))
        return 0
    if args.command == "down":
        left = stack.down()
        print(json.dumps({"stopped": True, "left": left}))
        return 1 if left else 0
    print(json.dumps(stack.status(), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
