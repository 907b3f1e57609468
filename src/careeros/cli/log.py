"""``careeros log ...``: record outcomes by hand (tasks done, hours, outreach, interviews, offers, rejections).

Repeating the same command on the same day records it once (idempotent keys); add ``--note`` to tell two
otherwise identical events apart. Every input is checked before anything is written: an unknown task id, a date
in the future, hours outside their range or an empty note give a one-line error and exit code 2.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Literal, NoReturn

import typer

app = typer.Typer(no_args_is_help=True)

#: Hours a single log entry may carry: one day for ``log hours``, one week for a finished task.
MAX_DAY_HOURS = 24.0
MAX_TASK_HOURS = 168.0
MAX_COUNT = 1000
MAX_NOTE = 500
EARLIEST = date(1990, 1, 1)
FIND_IDS = ("find task ids with `careeros plan --json` (weeks[].tasks[].id) or in the daily standup "
            "(`daily-standup` flow)")


def _fail(msg: str) -> NoReturn:
    typer.echo(f"error: {msg}", err=True)
    raise typer.Exit(2)


def _record(kind: str, when: date | None = None, task_id: str | None = None, quantity: float | None = None,
            notes: str | None = None, plan_id: str | None = None) -> None:
    import duckdb

    from careeros.metrics.outcomes import events_frame, make_event, record_events
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    at: datetime | date = when or datetime.now(UTC)
    try:
        ev = make_event(kind, at, "cli", plan_id=plan_id, task_id=task_id, quantity=quantity, notes=notes)
    except ValueError as exc:
        _fail(str(exc))
    try:
        with connect(get_settings().warehouse_path, retries=8) as con:
            new = record_events(con, events_frame([ev]))
    except duckdb.IOException as exc:
        typer.echo(f"error: the warehouse is busy (a flow is writing it): try again when it finishes ({exc})",
                   err=True)
        raise typer.Exit(1) from exc
    what = kind.replace("_", " ") + (f" {task_id}" if task_id else "") + (f" x{quantity:g}" if quantity else "")
    typer.echo(f"logged {what}" if new else f"already logged: {what}")


def _day(value: str | None) -> date | None:
    """``--date``: YYYY-MM-DD, not in the future (one day of slack for time zones ahead of UTC)."""
    if value is None:
        return None
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        _fail(f"--date must be a day as YYYY-MM-DD, got {value!r}")
    if d > datetime.now(UTC).date() + timedelta(days=1):
        _fail(f"--date {d} is in the future: log what already happened")
    if d < EARLIEST:
        _fail(f"--date {d} is before {EARLIEST}: check the year")
    return d


def _hours(value: float | None, limit: float, what: str) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value) or value <= 0 or value > limit:
        _fail(f"{what} must be more than 0 and at most {limit:g}, got {value:g}")
    return round(float(value), 4)


def _note(value: str | None) -> str | None:
    if value is None:
        return None
    v = " ".join(value.split())
    if not v:
        _fail("--note is empty: leave it out or write something")
    if len(v) > MAX_NOTE:
        _fail(f"--note is {len(v)} characters long; keep it under {MAX_NOTE}")
    return v


def _resolve_task(task_id: str, plan_id: str | None, when: date | None) -> tuple[str, str]:
    """The task id as stored and its plan id; an unknown id is a clear error that shows how to find ids."""
    from careeros.metrics.standup import find_task, task_hints
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    tid = task_id.strip()
    if not tid:
        _fail("the task id is empty; " + FIND_IDS)
    path = get_settings().warehouse_path
    if not path.is_file():
        _fail(f"no warehouse at {path} yet, so no plan and no task ids: run `careeros init`, then propose and "
              "approve a plan (see `careeros plan --help`)")
    with connect(path, read_only=True, retries=8) as con:
        ref = find_task(con, tid, plan_id)
        if ref is None and plan_id is not None and find_task(con, tid) is not None:
            _fail(f"task {tid!r} is not part of plan {plan_id!r}; leave out --plan or " + FIND_IDS)
        plan, hints = (None, []) if ref is not None else task_hints(con, when or datetime.now(UTC).date())
    if ref is not None:
        return ref.task_id, ref.plan_id
    if plan is None:
        _fail(f"no task {tid!r}: there is no plan yet, so there are no task ids. Propose and approve a plan "
              "first (see `careeros plan --help`)")
    lines = [f"no task {tid!r} in any stored plan; " + FIND_IDS + ".",
             f"Tasks of plan {plan.plan_id} v{plan.version} ({plan.status}):"]
    lines += [f"  {h.task_id:<24} week {h.week:<3} {h.title}" for h in hints]
    typer.echo("error: " + "\n".join(lines), err=True)
    raise typer.Exit(2)


DATE_HELP = "Day it happened, YYYY-MM-DD (default: today; not in the future)."
NOTE_HELP = f"A short note (at most {MAX_NOTE} characters)."


@app.command("done")
def done(task_id: str = typer.Argument(..., help="Plan task id (`careeros plan --json`: weeks[].tasks[].id)."),
         hours: float | None = typer.Option(None, "--hours",
                                            help=f"Hours the task took (more than 0, at most {MAX_TASK_HOURS:g})."),
         on: str | None = typer.Option(None, "--date", help=DATE_HELP),
         plan_id: str | None = typer.Option(None, "--plan",
                                            help="Plan id (default: the plan that holds the task).")) -> None:
    """Mark a plan task done (optionally with the hours it took). The task must exist in a stored plan."""
    day = _day(on)
    h = _hours(hours, MAX_TASK_HOURS, "--hours")
    tid, pid = _resolve_task(task_id, plan_id.strip() if plan_id else None, day)
    _record("task_done", day, task_id=tid, quantity=h, plan_id=pid)


@app.command("hours")
def hours(h: float = typer.Argument(..., help=f"Hours worked on the plan that day (more than 0, at most "
                                              f"{MAX_DAY_HOURS:g})."),
          on: str | None = typer.Option(None, "--date", help=DATE_HELP),
          note: str | None = typer.Option(None, "--note", help="What the hours went to.")) -> None:
    """Log hours worked on the plan."""
    day = _day(on)
    _record("hours", day, quantity=_hours(h, MAX_DAY_HOURS, "hours"), notes=_note(note))


@app.command("outreach")
def outreach(what: str = typer.Argument(..., help="sent | replied"),
             n: int = typer.Option(1, "--n", help=f"How many messages (1 to {MAX_COUNT})."),
             on: str | None = typer.Option(None, "--date", help=DATE_HELP),
             note: str | None = typer.Option(None, "--note", help=NOTE_HELP)) -> None:
    """Log outreach messages sent or replies received outside the outbox."""
    w = what.strip().lower()
    if w not in ("sent", "replied"):
        _fail(f"unknown outreach event {what!r}: use `careeros log outreach sent` or `careeros log outreach replied`")
    if not 1 <= n <= MAX_COUNT:
        _fail(f"--n must be between 1 and {MAX_COUNT}, got {n}")
    day = _day(on)
    _record(f"outreach_{w}", day, quantity=float(n), notes=_note(note))


def _milestone(kind: Literal["interview", "offer", "rejection"]) -> None:
    def cmd(note: str | None = typer.Option(None, "--note", help="Company, role, stage... " + NOTE_HELP),
            on: str | None = typer.Option(None, "--date", help=DATE_HELP)) -> None:
        day = _day(on)
        _record(kind, day, quantity=1.0, notes=_note(note))

    cmd.__doc__ = f"Log an {kind}." if kind[0] in "aeiou" else f"Log a {kind}."
    app.command(kind)(cmd)


for _k in ("interview", "offer", "rejection"):
    _milestone(_k)  # type: ignore[arg-type]
