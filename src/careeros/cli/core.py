"""Core commands: ingest, status, serve (``careeros demo`` is in ``careeros.cli.demo``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from careeros.settings import DatasetsNotFoundError, get_settings, warehouse_file


def _quiet_prefect() -> None:
    """Quiet Prefect and point it at the home's server (found or started) before prefect is imported."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("TQDM_DISABLE", "1")
    from careeros.cli.orchestration import connect

    connect()


def run_ingest(force: bool = False, sources: list[str] | None = None, show_progress: bool = True) -> list[dict[str, Any]]:
    """Run the ingestion flow with a progress bar on stderr; returns the per-source summaries."""
    _quiet_prefect()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from careeros import progress

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TimeElapsedColumn(), console=console,
                  disable=not show_progress, transient=False) as bar:
        tid = bar.add_task("starting Prefect", total=1.0)
        progress.set_reporter(lambda msg, frac: bar.update(tid, description=msg, completed=frac or 0.0))
        try:
            from flows.ingest_market_signals import ingest_market_signals

            return ingest_market_signals(force=force, sources=sources)
        finally:
            progress.set_reporter(None)


def status_dict(home: Path | None = None) -> dict[str, Any]:
    """Warehouse path, loaded sources with version/sha256/rows/loaded_at, and table counts."""
    import duckdb

    from careeros.graph.queries import counts
    from careeros.memory.versions import memory_version
    from careeros.warehouse.db import connect, fetch_one

    s = get_settings()
    path = s.warehouse_path if home is None else warehouse_file(home)
    out: dict[str, Any] = {"warehouse": str(path.resolve()), "analytics_snapshot": str(s.analytics_path.resolve()),
                           "exists": path.exists(), "sources": [], "counts": {}}
    if not path.exists():
        return out
    read_from = path
    try:
        ctx = connect(path, read_only=True, retries=3)
        con = ctx.__enter__()
    except duckdb.IOException:  # a flow holds the write lock: read the published snapshot instead
        read_from = s.analytics_path
        ctx = connect(read_from, read_only=True)
        con = ctx.__enter__()
    try:
        out["read_from"] = str(read_from.resolve())
        row = fetch_one(con.execute("SELECT max(version) FROM schema_migrations"))
        out["schema_version"] = row[0] if row else None
        for name, version, sha, counts_json, loaded_at, run_id in con.execute(
            "SELECT source, source_version, source_sha256, row_counts_json, loaded_at, run_id "
            "FROM source_versions ORDER BY source"
        ).fetchall():
            rows = json.loads(counts_json)
            out["sources"].append({"name": name, "version": version, "sha256": sha, "rows": sum(rows.values()),
                                   "tables": rows, "loaded_at": loaded_at.isoformat(), "run_id": run_id})
        out["counts"] = counts(con)
        try:  # read from the table's manifest names: no lancedb import (1.5-3 s) for a version number
            out["counts"]["memory_version"] = memory_version(home=path.parent)
        except Exception:  # memory is optional: no table yet, or unreadable
            out["counts"]["memory_version"] = None
        occ = out["counts"].get("occupations") or 0
        out["counts"]["wage_coverage"] = round(out["counts"].get("occupations_with_wage", 0) / occ, 4) if occ else 0.0
    finally:
        ctx.__exit__(None, None, None)
    return out


def version_label(version: object) -> str:
    """A source version as shown by ``status``: one leading "v" ("4" and "v4" both -> "v4")."""
    v = str(version).strip()
    return v if v[:1] in ("v", "V") and v[1:2].isdigit() else f"v{v}"


def _print_version(value: bool) -> None:
    if value:
        from careeros import __version__

        typer.echo(f"careeros {__version__}")
        raise typer.Exit()


def register(app: typer.Typer) -> None:
    """Attach the core commands (and the root ``--version`` option) to the main app."""

    @app.callback()
    def root(
        version: Annotated[bool, typer.Option("--version", callback=_print_version, is_eager=True,
                                              help="Print the careeros version and exit.")] = False,
    ) -> None:
        # Each invocation reads the environment afresh: an in-process caller (a test's CliRunner, a notebook)
        # may have changed CAREEROS_HOME since settings were last built.
        from careeros.settings import get_settings

        get_settings.cache_clear()

    @app.command()
    def ingest(
        force: Annotated[bool, typer.Option("--force", help="Reload sources even when their sha256 is unchanged.")] = False,
        source: Annotated[list[str] | None, typer.Option("--source", help="Only this source (repeatable): onet, esco, oews, postings.")] = None,
        quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
    ) -> None:
        """Build or refresh the warehouse from the datasets (runs the ingest-market-signals flow)."""
        try:
            summaries = run_ingest(force=force, sources=source or None, show_progress=not quiet)
        except DatasetsNotFoundError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        for s in summaries:
            typer.echo(f"{s['source']:<16} {s['status']:<10} written={s.get('rows_written', 0):>9,} "
                       f"quarantined={s.get('rows_quarantined', 0):>6,}  {s.get('message') or ''}", err=True)
        if any(s["status"] == "failed" for s in summaries):
            raise typer.Exit(1)

    @app.command()
    def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
        """Show the warehouse path, each loaded source (version, sha256, rows, loaded_at) and row counts."""
        info = status_dict()
        if as_json:
            typer.echo(json.dumps(info, indent=2, default=str))
            return
        typer.echo(f"warehouse: {info['warehouse']}" + ("" if info["exists"] else "  (not built yet: run `careeros ingest`)"))
        for src in info["sources"]:
            typer.echo(f"  {src['name']:<16} {version_label(src['version']):<11} {src['sha256'][:12]}  rows={src['rows']:>9,}  "
                       f"loaded {src['loaded_at']}")
        for k, v in info["counts"].items():
            typer.echo(f"  {k:<24} {v:,}" if isinstance(v, int) else f"  {k:<24} {v}")

    @app.command()
    def serve(
        limit: Annotated[int, typer.Option(help="Maximum concurrent flow runs.")] = 4,
        no_schedules: Annotated[bool, typer.Option("--no-schedules", help="Serve deployments without schedules.")] = False,
    ) -> None:
        """Serve every flow with its schedule (what `make serve` runs) on the home's Prefect server.

        The server (auth on, 127.0.0.1, port CAREEROS_SERVER_PORT) is started unless one already runs for this
        home or PREFECT_API_URL is set; the UI then shows every run of this home.
        """
        if os.environ.get("PREFECT_API_URL"):
            from careeros.cli.orchestration import connect
            from careeros.ops.serving import serve_all

            connect(start=False)
            serve_all(limit=limit, no_schedules=no_schedules)
            return
        from careeros.ops.__main__ import serve as serve_home

        s = get_settings()
        raise typer.Exit(serve_home(s.home, s.server_port, limit, no_schedules))
