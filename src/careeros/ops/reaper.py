"""No orphaned ephemeral Prefect servers: a CLI run killed with SIGKILL takes its temporary server with it.

Prefect starts a temporary API server as a child process when no server is configured. A ``kill -9`` of the
CLI runs no cleanup, so that child used to live on (~236 MB each). :func:`start` launches a tiny watchdog (plain
``python -S``, no careeros import) in its own session, connected to this process by a pipe only this process
holds. When this process ends, however it ends, the pipe reaches end-of-file and the watchdog stops every
*ephemeral* Prefect server that carries this run's token in its environment (inherited from this process), and
nothing else: a shared server the CLI may start on purpose is not ephemeral and is left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

ENV = "CAREEROS_RUN_TOKEN"

_WATCHDOG = r"""
import os, signal, sys, time
token = sys.argv[1].encode()
try:
    while sys.stdin.buffer.read(65536):
        pass
except OSError:
    pass
def victims():
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if b"CAREEROS_RUN_TOKEN=" + token in env and b"PREFECT__SERVER_EPHEMERAL=1" in env:
            out.append(int(pid))
    return out
for sig in (signal.SIGTERM, signal.SIGKILL):
    pids = victims()
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass  # already gone: fine
    deadline = time.monotonic() + 10
    while pids and time.monotonic() < deadline:
        pids = [p for p in pids if os.path.exists(f"/proc/{p}")]
        time.sleep(0.2)
"""

_started: list[int] = []


def start() -> None:
    """Start the watchdog once per process (Linux only; elsewhere a no-op)."""
    if _started or not os.path.isdir("/proc") or os.environ.get(ENV):
        return  # one watchdog per CLI process tree: a child CLI inherits the token and its parent's watchdog
    token = uuid.uuid4().hex
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen([sys.executable, "-S", "-c", _WATCHDOG, token], stdin=read_end,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
                                close_fds=True)
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return
    os.close(read_end)
    os.set_inheritable(write_end, False)  # only this process holds it: its death is the watchdog's EOF
    os.environ[ENV] = token
    _started.append(proc.pid)
