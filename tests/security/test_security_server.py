"""The home's local Prefect server refuses strangers (issue 14, item 1: cross-origin answers to waiting forms).

A real server started by the product's launcher on a temp home (127.0.0.1, free port): unauthenticated API calls
get 401, another origin gets no CORS allowance, state-changing calls without a CSRF token are refused, the auth
string lives under the home with 0600 permissions, and the CLI finds the server and answers with the stored auth
without any exported variable.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("careeros")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from careeros.ops.server import start_local_server

    home = tmp_path_factory.mktemp("server-sec") / "home"
    home.mkdir()
    srv = start_local_server(None, home, scheduler=False, host="127.0.0.1", advertise=True)
    try:
        yield srv
    finally:
        srv.stop()


def _call(url: str, method: str = "GET", headers: dict[str, str] | None = None,
          body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], str]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,  # noqa: S310 - loopback test server
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode()


def _clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "CAREEROS_"))}
    env.update(CAREEROS_HOME=str(home), PYTHONPATH=str(REPO), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def test_auth_string_is_per_home_and_private(tmp_path: Path) -> None:
    from careeros.ops.server import auth_path, auth_string

    a, b = auth_string(tmp_path / "a"), auth_string(tmp_path / "b")
    assert a and b and a != b and a.startswith("careeros:") and len(a) > 40
    assert auth_string(tmp_path / "a") == a  # stable once generated
    mode = stat.S_IMODE(auth_path(tmp_path / "a").stat().st_mode)
    assert mode == 0o600, oct(mode)
    auth_path(tmp_path / "a").chmod(0o644)
    assert auth_string(tmp_path / "a") == a and stat.S_IMODE(auth_path(tmp_path / "a").stat().st_mode) == 0o600


def test_unauthenticated_api_requests_are_refused(server: Any) -> None:
    from careeros.ops.server import basic_auth_header

    status, _, _ = _call(f"{server.api_url}/flow_runs/filter", "POST", body={"limit": 1})
    assert status in (401, 403)  # no CSRF token (403) and no credentials (401): refused either way
    assert _call(f"{server.api_url}/admin/version")[0] == 401
    assert _call(f"{server.api_url}/admin/settings")[0] == 401
    assert _call(f"{server.api_url}/flow_runs/00000000-0000-0000-0000-000000000000")[0] == 401
    bad = basic_auth_header("careeros:guessed")
    assert _call(f"{server.api_url}/admin/version", headers={"Authorization": bad})[0] == 401
    ok = basic_auth_header(server.auth)
    assert _call(f"{server.api_url}/admin/version", headers={"Authorization": ok})[0] == 200
    assert _call(f"{server.api_url}/health")[0] == 200  # the health probe stays open (no data)


def test_another_origin_gets_no_cors_allowance(server: Any) -> None:
    from careeros.ops.server import basic_auth_header

    evil = "http://evil.example:8080"
    pre = {"Origin": evil, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization,content-type"}
    status, headers, _ = _call(f"{server.api_url}/flow_runs/filter", "OPTIONS", headers=pre)
    assert headers.get("access-control-allow-origin") not in (evil, "*"), (status, headers)
    _, headers, _ = _call(f"{server.api_url}/health", headers={"Origin": evil})
    assert headers.get("access-control-allow-origin") not in (evil, "*"), headers
    # the UI's own origin is allowed
    own = server.ui_url
    _, headers, _ = _call(f"{server.api_url}/flow_runs/filter", "OPTIONS", headers={**pre, "Origin": own})
    assert headers.get("access-control-allow-origin") == own, headers
    # even with the right credentials, a state change without the CSRF token of a client is refused
    status, _, body = _call(f"{server.api_url}/flow_runs/filter", "POST", body={"limit": 1},
                            headers={"Authorization": basic_auth_header(server.auth)})
    assert status == 403 and "CSRF" in body, (status, body)


def test_server_binds_loopback_and_advertises_itself(server: Any) -> None:
    from careeros.ops.server import discover, read_state

    assert server.api_url.startswith("http://127.0.0.1:")
    info = read_state(server.home)
    assert info and info["api_url"] == server.api_url and info["pid"] == server.proc.pid
    assert discover(server.home) is not None
    env = server.env
    assert env["PREFECT_API_AUTH_STRING"] == server.auth and env["PREFECT_API_URL"] == server.api_url


def test_cli_finds_the_server_and_answers_with_the_stored_auth(server: Any) -> None:
    """A paused run made by a Python client (CSRF tokens fetched as needed) is listed by the CLI, no env set."""
    script = (
        "from careeros.ops.server import use_orchestration\n"
        "o = use_orchestration(start=False)\n"
        "assert o.how == 'discovered', o\n"
        "from prefect import get_client\n"
        "from prefect.states import Paused\n"
        "with get_client(sync_client=True) as c:\n"
        "    fid = c.create_flow_from_name('security-probe')\n"
        "    from prefect.client.schemas.actions import FlowRunCreate\n"
        "    r = c._client.post('/flow_runs/', json=FlowRunCreate(flow_id=fid, name='probe').model_dump(mode='json'))\n"
        "    r.raise_for_status()\n"
        "    rid = r.json()['id']\n"
        "    c.set_flow_run_state(rid, Paused(timeout_seconds=600, pause_key='probe'), force=True)\n"
        "    print(rid)\n")
    env = _clean_env(server.home)
    made = subprocess.run([sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=300)
    assert made.returncode == 0, made.stdout[-2000:] + made.stderr[-3000:]
    rid = made.stdout.strip().splitlines()[-1]
    cli = [str(CLI)]
    res = subprocess.run([*cli, "approvals", "list", "--json"], env=env, cwd=REPO, capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-3000:]
    ids = [json.loads(line)["flow_run_id"] for line in res.stdout.splitlines() if line.strip()]
    assert rid in ids


def test_cli_without_a_server_says_what_to_do_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    cli = [str(CLI)]
    res = subprocess.run([*cli, "approvals", "list"], env=_clean_env(home), cwd=REPO, capture_output=True,
                         text=True, timeout=300)
    assert res.returncode == 3
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "make serve" in lines[0] and "Traceback" not in res.stderr, res.stderr
