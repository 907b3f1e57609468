"""``careeros calendar ...``: the approved plan's work sessions in a CalDAV calendar (sync, status, rollback)."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print the outcome as one JSON object.")


def _fail(msg: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {msg}", err=True)
    return typer.Exit(code)


def _integration() -> Any:
    from careeros.integrations.caldav_calendar import CalDAVCalendar
    from careeros.integrations.contract import IntegrationError
    from careeros.settings import get_settings

    try:
        return CalDAVCalendar.from_settings(get_settings())
    except IntegrationError as exc:
        raise _fail(str(exc)) from exc


def _print(out: Any, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(out, default=str) + "\n")


@app.command("sync")
def sync(as_json: bool = JSON) -> None:
    """Publish the current approved plan's work sessions to the CalDAV calendar now (CAREEROS_CALDAV_URL).

    Creates or updates every session by UID and removes the plan's sessions it no longer has; events that
    careeros did not publish are never touched. Approving a plan does this already; run it again after a failure
    or after configuring the calendar. The plan's recorded approval counts as the approval of a calendar that is
    not on this machine. Running it twice for the same plan changes nothing.
    """
    from careeros.integrations.caldav_calendar import publish_approved_plan
    from careeros.planner.approval import latest_plan
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    _integration()
    if not s.warehouse_path.is_file():
        raise _fail(f"no warehouse at {s.warehouse_path}: run `careeros ingest` first")
    with connect(s.warehouse_path) as con:
        plan = latest_plan(con, None, ("approved",))
        if plan is None:
            raise _fail("no approved plan yet: `careeros plan propose`, then approve it")
        out = publish_approved_plan(con, plan, s)
    assert out is not None
    _print(out, as_json)
    if not as_json:
        if out.get("ok"):
            what = "already published (no change)" if out.get("replayed") else (
                f"{out.get('created')} created, {out.get('updated')} updated, {out.get('deleted')} removed, "
                f"{out.get('unchanged')} unchanged")
            typer.echo(f"plan {out['plan_id']} v{out['version']}: {out['events']} sessions in '{out['calendar']}' "
                       f"at {out['url']}: {what}\nkey {out['idempotency_key']}")
        else:
            typer.echo(f"error: plan {out['plan_id']} v{out['version']} not published to CalDAV: {out.get('error')}",
                       err=True)
    if not out.get("ok"):
        raise typer.Exit(1)


@app.command("status")
def status(as_json: bool = JSON) -> None:
    """The CalDAV publications recorded in the warehouse, newest first.

    Each with its key, status (applied, failed, rolled_back), what was published, when, and a failure's error.
    """
    from careeros.integrations.contract import history, stored
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect, table_exists

    s = get_settings()
    rows: list[dict[str, Any]] = []
    if s.warehouse_path.is_file():
        with connect(s.warehouse_path, read_only=True) as con:
            if table_exists(con, "integration_action"):
                rows = history(con, "caldav")
                for r in rows:
                    got = stored(con, r["idempotency_key"])
                    r["error"] = got[1].error if got and r["status"] == "failed" else None
    if as_json:
        _print({"actions": rows}, True)
        return
    if not rows:
        typer.echo("no CalDAV publication recorded yet (`careeros calendar sync`)")
    for r in rows:
        typer.echo(f"{r['updated_at']:%Y-%m-%d %H:%M}  {r['status']:<11} {r['idempotency_key']}  {r['summary']}"
                   + (f"\n    error: {r['error']}" if r.get("error") else ""))


@app.command("rollback")
def rollback(key: str = typer.Argument(..., help="Key of the publication (`careeros calendar status`)."),
             as_json: bool = JSON) -> None:
    """Undo one CalDAV publication: the calendar as it was before it.

    Sessions it created are removed, sessions it changed or removed are put back as they were. Recorded in the
    decision log under your name; rolling back twice changes nothing.
    """
    from careeros.integrations.contract import IntegrationError, run_rollback
    from careeros.settings import approver_identity, get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    integ = _integration()
    if not s.warehouse_path.is_file():
        raise _fail(f"no warehouse at {s.warehouse_path}")
    with connect(s.warehouse_path) as con:
        try:
            res = run_rollback(con, integ, key, actor=approver_identity(s))
        except IntegrationError as exc:
            raise _fail(str(exc), 1) from exc
    out = res.model_dump(mode="json", exclude={"rollback"})
    _print(out, as_json)
    if not as_json:
        d = res.details
        typer.echo(f"{key}: " + ("already rolled back" if res.replayed else
                                 f"{d.get('removed')} removed, {d.get('restored')} restored, "
                                 f"{d.get('recreated')} re-created"))


@app.command("verify")
def verify(key: str = typer.Argument(..., help="Key of the publication (`careeros calendar status`)."),
           as_json: bool = JSON) -> None:
    """Ask the CalDAV server whether a publication is still there (every session with its start); exit 1 if not."""
    from careeros.integrations.contract import IntegrationError, run_verify
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    integ = _integration()
    if not s.warehouse_path.is_file():
        raise _fail(f"no warehouse at {s.warehouse_path}")
    with connect(s.warehouse_path) as con:
        try:
            ok = run_verify(con, integ, key)
        except IntegrationError as exc:
            raise _fail(str(exc), 1) from exc
    _print({"idempotency_key": key, "ok": ok}, as_json)
    if not as_json:
        typer.echo(f"{key}: " + ("every session is in the calendar" if ok else
                                 "NOT as published (sessions missing or moved, or not an applied publication)"))
    if not ok:
        raise typer.Exit(1)
