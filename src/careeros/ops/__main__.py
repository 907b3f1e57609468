"""``python -m careeros.ops {serve,server,flows}``.

- ``serve [--port 4200]``: a local Prefect server on 127.0.0.1 plus every flow served with its schedule
  (``make serve``); Ctrl-C stops both.
- ``server``: the server only.  ``flows``: serve the flows against ``PREFECT_API_URL`` (no server).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    """Start the server, run ``careeros serve`` against it, stop the server on exit."""
    from careeros.ops.server import start_local_server
    from careeros.settings import get_settings

    ap = argparse.ArgumentParser(prog="python -m careeros.ops")
    ap.add_argument("command", choices=["serve", "server", "flows"])
    ap.add_argument("--limit", type=int, default=4, help="maximum concurrent flow runs")
    ap.add_argument("--no-schedules", action="store_true")
    ap.add_argument("--port", type=int, default=int(os.environ.get("CAREEROS_PREFECT_PORT", "4200")))
    ap.add_argument("--home", type=Path, default=None, help="CAREEROS_HOME (default from settings)")
    args = ap.parse_args(argv)
    if args.command == "flows":
        from careeros.ops.serving import serve_all

        serve_all(args.limit, args.no_schedules)
        return 0
    home = args.home or get_settings().home
    server = start_local_server(args.port, home)
    print(f"Prefect server and UI: {server.ui_url}  (API {server.api_url}, database {home}/prefect)", file=sys.stderr)
    env = {**os.environ, **server.env, "CAREEROS_HOME": str(Path(home).resolve())}
    try:
        if args.command == "server":
            return server.proc.wait() if server.proc else 0
        cmd = [sys.executable, "-m", "careeros.ops", "flows", "--limit", str(args.limit)]
        return subprocess.call([*cmd, *(["--no-schedules"] if args.no_schedules else [])], env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
