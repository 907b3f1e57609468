"""A kill -9 of a CLI run does not leave its ephemeral Prefect server running (it used to: ~236 MB each)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import CLI, REPO, child_env

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


def _children(pid: int) -> list[int]:
    out = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                stat = Path(f"/proc/{p}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(p))
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, only not yet reaped


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
def test_kill_9_of_the_cli_takes_its_ephemeral_server_along(tmp_path: Path, cpu_load: None) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cmd = [str(CLI) if CLI.exists() else sys.executable, "ingest", "--source", "onet"]
    proc = subprocess.Popen(cmd, env=child_env(home), cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    server = None
    try:
        deadline = time.monotonic() + 600
        while server is None and time.monotonic() < deadline and proc.poll() is None:
            # Prefect's own ephemeral server, or the per-command local server careeros starts when no server
            # of the home runs (`python -m prefect server start`)
            server = next((c for c in _children(proc.pid) if "prefect.server.api.server:create_app" in _cmdline(c)
                           or " -m prefect server start" in _cmdline(c)), None)
            time.sleep(0.2)
        assert server is not None, "the CLI never started a Prefect server of its own"
        proc.send_signal(signal.SIGKILL)  # only the CLI, as a user's kill -9 <pid> would
        proc.wait(60)
        deadline = time.monotonic() + 180
        while _alive(server) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(server), f"ephemeral server {server} outlived the killed CLI"
    finally:
        for pid in [proc.pid] + ([server] if server else []):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # already gone: fine
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
