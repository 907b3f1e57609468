"""``careeros approvals ...``: answer flow runs waiting for input (the headless twin of the UI's Resume form).

Finding and answering go through ``flows.human``, the one module for human decisions.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)

def _quiet() -> None:
    """Quiet Prefect and use the home's running server (any live one: they share the home's database)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from careeros.cli.orchestration import connect

    connect(start=False)


def waiting_runs(flow_name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Flow runs in a Paused/Suspended state, newest first, with the markdown summary of their form."""
    _quiet()
    from flows.human import waiting_runs as inbox

    return inbox(flow_name, limit)


def _match(run_id: str) -> str:
    if len(run_id) == 36:
        return run_id
    hits = [r["flow_run_id"] for r in waiting_runs() if r["flow_run_id"].startswith(run_id)]
    if len(hits) != 1:
        typer.echo(f"{'no' if not hits else 'several'} waiting runs match {run_id!r}", err=True)
        raise typer.Exit(2)
    return hits[0]


def resume(run_id: str, decision: str, notes: str = "", hours: float | None = None) -> None:
    """Resume a waiting run with the plan decision form's input."""
    _quiet()
    from flows.human import resume as answer

    answer(run_id, {"decision": decision, "notes": notes, "weekly_hours": hours})


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json", help="Print JSON lines."),
             flow: str | None = typer.Option(None, "--flow", help="Only runs of this flow (e.g. recalculate-weekly-plan).")
             ) -> None:
    """List flow runs waiting for input (Paused or Suspended)."""
    rows = waiting_runs(flow)
    for r in rows:
        if as_json:
            sys.stdout.write(json.dumps({k: v for k, v in r.items() if k != "description"}) + "\n")
        else:
            first = (r["description"] or "").splitlines()[0] if r["description"] else ""
            typer.echo(f"{r['flow_run_id']}  {r['state']:<9} {r['flow'] or '':<26} {r['since'] or ''}  {first}")
    if not rows and not as_json:
        typer.echo("no runs waiting for input", err=True)


@app.command("show")
def show(run_id: str = typer.Argument(..., help="Flow run id (or a unique prefix).")) -> None:
    """Show the summary a waiting run put above its form."""
    rid = _match(run_id)
    for r in waiting_runs():
        if r["flow_run_id"] == rid:
            typer.echo(r["description"] or f"{rid} is waiting without a description")
            return
    typer.echo(f"{rid} is not waiting for input", err=True)
    raise typer.Exit(2)


def _decide(run_id: str, decision: str, notes: str, hours: float | None) -> None:
    rid = _match(run_id)
    try:
        resume(rid, decision, notes, hours)
    except Exception as exc:  # noqa: BLE001 - report the server's refusal plainly
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{rid}: {decision} sent")


NOTES = typer.Option("", "--notes", help="Free text kept with the decision (for changes: 'drop <role>', '6 hours').")
HOURS = typer.Option(None, "--hours", min=0.5, max=80, help="Weekly hours for the re-plan.")


@app.command("approve")
def approve(run_id: str = typer.Argument(..., help="Flow run id (or a unique prefix)."), notes: str = NOTES,
            hours: float | None = HOURS) -> None:
    """Approve the proposal of a waiting run."""
    _decide(run_id, "approve", notes, hours)


@app.command("reject")
def reject(run_id: str = typer.Argument(..., help="Flow run id (or a unique prefix)."), notes: str = NOTES,
           hours: float | None = HOURS) -> None:
    """Reject the proposal of a waiting run."""
    _decide(run_id, "reject", notes, hours)


@app.command("changes")
def changes(run_id: str = typer.Argument(..., help="Flow run id (or a unique prefix)."), notes: str = NOTES,
            hours: float | None = HOURS) -> None:
    """Request changes: the run re-plans with the notes / hours and asks again."""
    _decide(run_id, "request_changes", notes, hours)
