"""``python -m careeros.ops {serve,server,flows,stop,info}``.

- ``serve [--port 4200]``: the home's Prefect server (auth on, 127.0.0.1) plus every flow served with its
  schedule (``make serve``); Ctrl-C stops both. A server already running for the home is reused.
- ``server``: the server only.  ``flows``: serve the flows against the configured or discovered server.
- ``info``: where the home's server runs and how to log in to the UI.  ``stop``: stop the advertised server.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path


def serve(home: Path, port: int, limit: int = 4, no_schedules: bool = False, server_only: bool = False) -> int:
    """Start (or reuse) the home's advertised server, then serve every flow against it until interrupted."""
    from careeros.ops.server import auth_path, discover, prefect_home, start_local_server

    home = Path(home).resolve()

    def _terminated(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # SIGTERM (a service manager, `kill`) stops like Ctrl-C: the server goes too

    signal.signal(signal.SIGTERM, _terminated)
    found = discover(home)
    server = None
    if found:
        url, api = str(found["url"]), str(found["api_url"])
        print(f"a Prefect server already runs for {home}: {url}", file=sys.stderr, flush=True)
    else:
        server = start_local_server(port, home, advertise=True)
        url, api = server.ui_url, server.api_url
    print(f"Prefect server and UI: {url}  (API {api}; database {prefect_home(home)}; "
          f"UI login: the contents of {auth_path(home)})", file=sys.stderr, flush=True)
    from careeros.ops.server import auth_string, client_defaults

    client_defaults(home)
    env = {**os.environ, "CAREEROS_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_URL": url,
           "PREFECT_API_AUTH_STRING": auth_string(home) or ""}
    try:
        if server_only:
            if server is None:
                return 0
            return server.proc.wait() if server.proc else 0
        cmd = [sys.executable, "-m", "careeros.ops", "flows", "--limit", str(limit)]
        return subprocess.call([*cmd, *(["--no-schedules"] if no_schedules else [])], env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        if server is not None:
            server.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and run one of the commands."""
    from careeros.settings import get_settings

    s = get_settings()
    ap = argparse.ArgumentParser(prog="python -m careeros.ops")
    ap.add_argument("command", choices=["serve", "server", "flows", "info", "stop"])
    ap.add_argument("--limit", type=int, default=4, help="maximum concurrent flow runs")
    ap.add_argument("--no-schedules", action="store_true")
    ap.add_argument("--port", type=int, default=int(os.environ.get("CAREEROS_PREFECT_PORT", s.server_port)))
    ap.add_argument("--home", type=Path, default=None, help="CAREEROS_HOME (default from settings)")
    args = ap.parse_args(argv)
    home = Path(args.home or s.home).resolve()
    if args.command == "flows":
        from careeros.ops.server import use_orchestration
        from careeros.ops.serving import serve_all

        use_orchestration(home, start=False)
        serve_all(args.limit, args.no_schedules)
        return 0
    if args.command in ("info", "stop"):
        from careeros.ops.server import auth_path, discover

        found = discover(home)
        if not found:
            print(f"no Prefect server runs for {home}", file=sys.stderr)
            return 1
        if args.command == "stop":
            from careeros.ops.server import state_path

            os.killpg(int(found["pid"]), signal.SIGTERM)
            state_path(home).unlink(missing_ok=True)
            print(f"stopped the Prefect server of {home} (pid {found['pid']})", file=sys.stderr)
            return 0
        print(f"{found['url']}  (pid {found['pid']}; UI login: the contents of {auth_path(home)})")
        return 0
    return serve(home, args.port, args.limit, args.no_schedules, server_only=args.command == "server")


if __name__ == "__main__":
    raise SystemExit(main())
