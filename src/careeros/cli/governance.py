"""``careeros governance``: what has gone stale (read-only); removals happen in the approved monthly run."""

from __future__ import annotations

import json
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("check")
def check(
    stale_days: Annotated[int, typer.Option("--stale-days", help="A skill unseen in postings this long is stale.")] = 365,
    revalidate_days: Annotated[int, typer.Option("--revalidate-days",
                                                 help="An assumption not re-estimated this long is stale.")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """List stale evidence, links to skills gone, stale assumptions and expired context; changes nothing.

    The monthly-governance run (Prefect, 1st of each month) proposes the same list and applies only what you approve.
    """
    from careeros.metrics.governance import find_stale, findings_markdown
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    wh = get_settings().warehouse_path
    if not wh.is_file():
        typer.echo(f"error: no warehouse at {wh}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    with connect(wh) as con:  # writable open: applies pending schema migrations of an older warehouse
        found = find_stale(con, stale_days=stale_days, revalidate_days=revalidate_days)
    if as_json:
        typer.echo(json.dumps([f.model_dump() for f in found], indent=2, default=str))
    else:
        typer.echo(findings_markdown(found))
