"""Core commands: ingest, status."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach the core commands to the main app."""

    @app.command()
    def status() -> None:
        """Show the warehouse path, each loaded source and row counts."""
        typer.echo("not yet")
