"""``careeros log ...``: record outcomes by hand (tasks done, hours, outreach, interviews, offers, rejections).

Repeating the same command on the same day records it once (idempotent keys); add ``--note`` to tell two
otherwise identical events apart.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

import typer

app = typer.Typer(no_args_is_help=True)


def _record(kind: str, when: date | None = None, task_id: str | None = None, quantity: float | None = None,
            notes: str | None = None, plan_id: str | None = None) -> None:
    from careeros.metrics.outcomes import events_frame, make_event, record_events
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    at: datetime | date = when or datetime.now(UTC)
    try:
        ev = make_event(kind, at, "cli", plan_id=plan_id, task_id=task_id, quantity=quantity, notes=notes)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    with connect(get_settings().warehouse_path) as con:
        new = record_events(con, events_frame([ev]))
    what = kind.replace("_", " ") + (f" {task_id}" if task_id else "") + (f" x{quantity:g}" if quantity else "")
    typer.echo(f"logged {what}" if new else f"already logged: {what}")


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("use YYYY-MM-DD") from exc


DATE_HELP = "Day it happened, YYYY-MM-DD (default: today)."


@app.command("done")
def done(task_id: str = typer.Argument(..., help="Plan task id (see `careeros plan`)."),
         hours: float | None = typer.Option(None, "--hours", min=0, help="Hours the task took."),
         on: str | None = typer.Option(None, "--date", help=DATE_HELP),
         plan_id: str | None = typer.Option(None, "--plan", help="Plan id (default: none recorded).")) -> None:
    """Mark a plan task done (optionally with the hours it took)."""
    _record("task_done", _day(on), task_id=task_id, quantity=hours, plan_id=plan_id)


@app.command("hours")
def hours(h: float = typer.Argument(..., min=0, help="Hours worked on the plan."),
          on: str | None = typer.Option(None, "--date", help=DATE_HELP),
          note: str | None = typer.Option(None, "--note", help="What the hours went to.")) -> None:
    """Log hours worked on the plan."""
    _record("hours", _day(on), quantity=h, notes=note)


@app.command("outreach")
def outreach(what: str = typer.Argument(..., help="sent | replied"),
             n: int = typer.Option(1, "--n", min=1, help="How many messages."),
             on: str | None = typer.Option(None, "--date", help=DATE_HELP),
             note: str | None = typer.Option(None, "--note")) -> None:
    """Log outreach messages sent or replies received outside the outbox."""
    if what not in ("sent", "replied"):
        typer.echo("error: use `careeros log outreach sent` or `careeros log outreach replied`", err=True)
        raise typer.Exit(2)
    _record(f"outreach_{what}", _day(on), quantity=float(n), notes=note)


def _milestone(kind: Literal["interview", "offer", "rejection"]) -> None:
    def cmd(note: str | None = typer.Option(None, "--note", help="Company, role, stage..."),
            on: str | None = typer.Option(None, "--date", help=DATE_HELP)) -> None:
        _record(kind, _day(on), quantity=1.0, notes=note)

    cmd.__doc__ = f"Log an {kind}." if kind[0] in "aeiou" else f"Log a {kind}."
    app.command(kind)(cmd)


for _k in ("interview", "offer", "rejection"):
    _milestone(_k)  # type: ignore[arg-type]
