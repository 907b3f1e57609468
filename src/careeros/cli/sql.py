"""``careeros sql``: run SQL on the read-only analytics snapshot (no DuckDB command-line tool needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the ``sql`` command to the root app."""

    @app.command("sql")
    def sql(
        query: str | None = typer.Argument(None, help="SQL to run; '-' or nothing reads it from standard input."),
        file: Path | None = typer.Option(None, "--file", "-f", help="Read the SQL from this file."),
        fmt: str = typer.Option("table", "--format", help="table | csv | json (one JSON object per line)."),
        max_rows: int = typer.Option(100, "--max-rows", min=1, help="Rows shown by --format table."),
        snapshot: Path | None = typer.Option(None, "--snapshot",
                                             help="Snapshot file (default $CAREEROS_HOME/analytics.duckdb)."),
    ) -> None:
        """Query the analytics snapshot read-only, attached as "careeros": `analytics.<view>` names resolve.

        The snapshot is a copy the flows publish after they write, so a query never blocks a flow. Statements
        that would change it fail. Example: careeros sql "SELECT * FROM analytics.postings LIMIT 5"
        """
        import duckdb

        from careeros.metrics.analytics import open_analytics

        if fmt not in ("table", "csv", "json"):
            typer.echo(f"error: --format must be table, csv or json, got {fmt!r}", err=True)
            raise typer.Exit(2)
        if file is not None:
            if not file.is_file():
                typer.echo(f"error: no SQL file at {file}", err=True)
                raise typer.Exit(2)
            text = file.read_text(encoding="utf-8")
        elif query is None or query == "-":
            text = sys.stdin.read()
        else:
            text = query
        if not text.strip():
            typer.echo("error: no SQL given (an argument, --file, or standard input)", err=True)
            raise typer.Exit(2)
        try:
            con = open_analytics(snapshot)
        except FileNotFoundError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        try:
            rel = con.sql(text)
            if rel is None:  # a statement without a result (SET, ...)
                return
            if fmt == "table":
                rel.show(max_rows=max_rows, max_width=10_000)
            else:
                df = rel.pl()
                sys.stdout.write(df.write_csv() if fmt == "csv" else df.write_ndjson())
        except duckdb.Error as exc:
            typer.echo(f"error: {str(exc).splitlines()[0]}", err=True)
            raise typer.Exit(1) from exc
        finally:
            con.close()
