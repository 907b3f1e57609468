"""``careeros plan ...`` commands."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

app = typer.Typer(invoke_without_command=True)
log = logging.getLogger("careeros.plan")


@app.callback(invoke_without_command=True)
def current(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute only: store nothing, ask for no approval."),
    profile: Path | None = typer.Option(None, "--profile",
                                        help="Profile file (default $CAREEROS_HOME/profile.toml, else the sample)."),
) -> None:
    """The current week-by-week plan (weeks, tasks, hours, verification points, assumptions used).

    Without --dry-run the plan is stored as a proposed version (unchanged plans are not stored twice);
    approve it through the recalculate-weekly-plan flow (`careeros approvals`).
    """
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    from careeros.planner.approval import (
        compute_plan,
        default_profile_path,
        latest_plan,
        plan_status,
        save_plan,
    )
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    path = profile or default_profile_path(s.home)
    if not path.is_file():
        typer.echo(f"no profile at {path}: run `careeros init` or pass --profile", err=True)
        raise typer.Exit(2)
    try:
        prof = load_profile(path)
        plan = compute_plan(s.home, prof, read_only=dry_run)
    except (FileNotFoundError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    status: dict[str, object] = {"status": "dry_run"}
    if not dry_run:
        with connect(s.warehouse_path) as con:
            last = latest_plan(con, plan.plan_id)
            if last is not None and last.status in ("proposed", "approved", "timed_out") \
                    and last.content_sha() == plan.content_sha():
                plan = last
            else:
                plan = save_plan(con, plan, "proposed")
            status = plan_status(con, plan.plan_id)
    out = {**plan.model_dump(mode="json"), "plan_status": status}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    typer.echo(f"{plan.plan_id} v{plan.version} ({plan.status}) — {plan.strategy}; {status.get('message', '')}")
    for w in plan.weeks:
        typer.echo(f"  W{w.week:>2} {w.start} {w.hours:>5g} h  {w.milestone.split(': ', 1)[-1]}")
        for t in w.tasks:
            typer.echo(f"        [{t.kind}] {t.title} ({t.hours:g} h)")
    for a in plan.alternatives:
        typer.echo(f"  alt {a.rank}: {a.summary}")


@app.command("artifacts")
def artifacts(
    role: str = typer.Option(..., "--role", help="Target O*NET-SOC code, e.g. 15-1252.00."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
    hours: float | None = typer.Option(None, "--hours", min=0.5,
                                       help="Hours budget (default: profile weekly hours x horizon, else 120)."),
    have: list[str] = typer.Option([], "--have", help="A skill you already evidence (id or label); repeatable."),
    catalogue: list[Path] = typer.Option([], "--catalogue", help="Extra template folder or YAML file; repeatable."),
    max_gaps: int = typer.Option(25, "--max-gaps", min=1, help="Largest gaps considered."),
) -> None:
    """Choose the smallest-effort set of artifacts that closes the most valuable gaps of a role."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    from careeros.planner.artifacts import load_catalogue, plan_artifacts
    from careeros.planner.gaps import compute_gaps, label_index, market_values, role_requirements
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    if not s.warehouse_path.is_file():
        typer.echo(f"no warehouse at {s.warehouse_path}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    code = role if role.count(".") else f"{role}.00"
    with connect(s.warehouse_path, read_only=True) as con:
        req = role_requirements(con, code)
        if req.height == 0:
            typer.echo(f"unknown role or no skills: {role}", err=True)
            raise typer.Exit(2)
        mv = market_values(con, code)
        labels = label_index(con)
        from careeros.warehouse.db import fetch_one

        row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?", [code]))
    report = compute_gaps(code, req, list(have), mv, labels=labels, title=row[0] if row else None)
    budget = hours if hours is not None else 120.0
    plan = plan_artifacts(report.gaps, budget, load_catalogue([s.home / "artifacts", *catalogue]), labels,
                          code, max_gaps=max_gaps)
    out = {"role": code, "title": report.title, "coverage_before": report.coverage,
           "market_value_source": report.market_value_source, **plan.model_dump()}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    typer.echo(f"{code} {report.title}: {len(plan.chosen)} artifacts, {plan.total_hours:g}/{budget:g} h, "
               f"value {plan.value_covered:.3f}/{plan.value_total:.3f}")
    for a in plan.chosen:
        typer.echo(f"  [{a.kind}] {a.title} ({a.hours:g} h) -> {', '.join(a.skill_labels)}")
