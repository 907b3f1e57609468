"""``careeros plan ...`` commands."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import typer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.plan")


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
