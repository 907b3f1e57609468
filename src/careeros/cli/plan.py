"""``careeros plan ...`` commands."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(invoke_without_command=True)
log = logging.getLogger("careeros.plan")


def _profile_path(profile: Path | None, home: Path) -> Path:
    """The given profile or ``$CAREEROS_HOME/profile.toml``; a clear error (naming ``careeros init``) otherwise."""
    path = profile or Path(home) / "profile.toml"
    if not path.is_file():
        typer.echo(f"error: no profile at {path}: create yours with `careeros init` (or `careeros init --sample` "
                   "for the synthetic sample person), or pass --profile FILE", err=True)
        raise typer.Exit(2)
    return path


def _print_plan(plan: object, status: dict[str, object]) -> None:
    from careeros.planner.coach import fmt_hours

    p: Any = plan
    version = f"v{p.version}" if p.version is not None else "(not stored)"
    typer.echo(f"{p.plan_id} {version} ({p.status}) — {p.strategy}; {status.get('message', '')}")
    for w in p.weeks:
        typer.echo(f"  W{w.week:>2} {w.start} {w.hours:>5g} h  {w.milestone.split(': ', 1)[-1]}")
        for t in w.tasks:
            typer.echo(f"        [{t.kind}] {t.title} ({fmt_hours(t.minutes)})")
    for a in p.alternatives:
        typer.echo(f"  alt {a.rank}: {a.summary}")


@app.callback(invoke_without_command=True)
def current(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Compute a fresh plan from the warehouse; store nothing."),
    profile: Path | None = typer.Option(None, "--profile",
                                        help="Profile file (default $CAREEROS_HOME/profile.toml; see `careeros init`)."),
) -> None:
    """The current approved week-by-week plan (weeks, tasks, hours, verification points, assumptions used).

    Shows what is stored and never proposes by itself: `careeros plan propose` starts the approval flow (a run
    waiting for your decision in the UI or `careeros approvals`). With no approved plan yet, the open proposal is
    shown, else a freshly computed plan that is not stored. --dry-run always computes a fresh plan.
    """
    if ctx.invoked_subcommand is not None:
        return
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    from careeros.planner.approval import compute_plan, latest_plan, plan_status
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    path = _profile_path(profile, s.home)
    plan = None
    status: dict[str, object] = {"status": "dry_run", "message": "dry run: computed now, not stored"}
    if not dry_run and s.warehouse_path.is_file():
        with connect(s.warehouse_path, read_only=True) as con:
            status = plan_status(con)
            if status.get("status") not in (None, "none"):
                plan = (latest_plan(con, None, ("approved",)) if status.get("approved_version") is not None
                        else latest_plan(con, None, ("proposed", "timed_out", "changes_requested")))
    if plan is None:
        try:
            prof = load_profile(path)
            plan = compute_plan(s.home, prof, read_only=True)
        except (FileNotFoundError, ValueError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if not dry_run:
            status = {"status": "none", "awaiting_approval": False, "approved_version": None,
                      "message": "no plan proposed yet: this one is computed now and not stored; "
                                 "`careeros plan propose` asks for your approval"}
    out = {**plan.model_dump(mode="json"), "plan_status": status}
    if as_json:
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        return
    _print_plan(plan, status)


@app.command("propose")
def propose(
    as_json: bool = typer.Option(False, "--json", help="Print the waiting run as one JSON object."),
    profile: Path | None = typer.Option(None, "--profile",
                                        help="Profile file (default $CAREEROS_HOME/profile.toml; see `careeros init`)."),
    timeout: int = typer.Option(86400, "--timeout", min=60, help="Seconds the proposal waits for a decision."),
    wait: int = typer.Option(600, "--wait", min=10, help="Seconds to wait for the run to reach its approval form."),
) -> None:
    """Start the recalculate-weekly-plan flow: a proposal waiting for your decision (UI or `careeros approvals`).

    With `make serve` running, the served deployment runs it (the run suspends; this command returns once the
    form is up). Otherwise the flow runs here, against the home's Prefect server, and this command waits until
    you answer in the UI or with `careeros approvals approve <run>` from another terminal.
    """
    from careeros.settings import get_settings

    s = get_settings()
    path = _profile_path(profile, s.home)
    if not s.warehouse_path.is_file():
        typer.echo(f"error: no warehouse at {s.warehouse_path}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    from careeros.cli.orchestration import connect
    from careeros.ops.proposal import propose_plan_run

    conn = connect()
    out = propose_plan_run(conn, str(path) if profile else None, timeout, wait,
                           echo=lambda m: typer.echo(m, err=True))
    if as_json:
        sys.stdout.write(json.dumps(out, default=str) + "\n")
        return
    typer.echo(f"{out['flow_run_id']}: {out['state']} ({out['mode']}) {out.get('ui_url', '')}")
    if out.get("status"):
        typer.echo(f"plan {out.get('plan_id')} v{out.get('version')}: {out['status']}")


@app.command("artifacts")
def artifacts(
    role: str = typer.Option(..., "--role", help="Target O*NET-SOC code, e.g. 15-1252.00."),
    as_json: bool = typer.Option(False, "--json", help="Print the plan as one JSON object."),
    hours: float | None = typer.Option(None, "--hours", min=0.5,
                                       help="Hours budget (default: the profile's weekly hours x horizon, less the "
                                            "interview-prep and outreach shares; 120 without a profile)."),
    have: list[str] = typer.Option([], "--have", help="A skill you already evidence (id or label); repeatable. "
                                                      "Adds to the evidence curated in the warehouse."),
    catalogue: list[Path] = typer.Option([], "--catalogue", help="Extra template folder or YAML file; repeatable."),
    max_gaps: int = typer.Option(25, "--max-gaps", min=1, help="Largest gaps considered."),
    profile: Path | None = typer.Option(None, "--profile",
                                        help="Profile file for the hours budget (default $CAREEROS_HOME/profile.toml)."),
) -> None:
    """Choose the smallest-effort set of artifacts that closes the most valuable gaps of a role.

    Gaps are measured against your curated evidence (plus --have); artifacts are the work products of the role's
    field, anchored to its own O*NET tasks.
    """
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    import polars as pl

    from careeros.planner.approval import default_profile_path
    from careeros.planner.artifacts import load_catalogue, load_families, plan_artifacts, role_context
    from careeros.planner.assumptions import load_assumptions
    from careeros.planner.gaps import (
        compute_gaps,
        evidence_frame,
        label_index,
        market_values,
        role_requirements,
    )
    from careeros.planner.plan import current_evidence, outreach_share
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect, fetch_one

    s = get_settings()
    if not s.warehouse_path.is_file():
        typer.echo(f"no warehouse at {s.warehouse_path}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    code = role if role.count(".") else f"{role}.00"
    ppath = profile or default_profile_path(s.home)
    prof = None
    if ppath.is_file():
        try:
            prof = load_profile(ppath)
        except (OSError, ValueError) as exc:
            typer.echo(f"warning: profile {ppath} unreadable ({exc}); using defaults", err=True)
    with connect(s.warehouse_path, read_only=True) as con:
        req = role_requirements(con, code)
        if req.height == 0:
            typer.echo(f"unknown role or no skills: {role}", err=True)
            raise typer.Exit(2)
        mv = market_values(con, code)
        labels = label_index(con)
        row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?", [code]))
        ev = current_evidence(con)
        a = load_assumptions(con, read_only=True)
        own = next((r.title for r in (prof.target_roles if prof else []) if r.soc_code == code), None)
        ctx = role_context(con, code, load_families(), own)
    stated = evidence_frame(list(have), labels)
    evidence = pl.concat([ev.select("skill_id", "confidence", "last_seen"), stated], how="vertical_relaxed") \
        if have else ev
    report = compute_gaps(code, req, evidence, mv, labels=labels, title=row[0] if row else None)
    if hours is not None:
        budget, source = hours, "--hours"
    elif prof is not None:
        share = 1 - a.value("policy.interview_prep_share", 0.1) - outreach_share(a)
        budget, source = round(prof.weekly_hours * prof.horizon_weeks * share, 2), "profile"
    else:
        budget, source = 120.0, "default"
    plan = plan_artifacts(report.gaps, budget, load_catalogue([s.home / "artifacts", *catalogue]), labels,
                          code, max_gaps=max_gaps, context=ctx)
    out = {"role": code, "title": report.title, "own_title": own, "field": ctx.family.field,
           "coverage_before": report.coverage, "market_value_source": report.market_value_source,
           "hours_budget_source": source, "evidence_skills": int(evidence["skill_id"].n_unique()) if evidence.height
           else 0, **plan.model_dump()}
    if as_json:
        sys.stdout.write(json.dumps(out) + "\n")
        return
    typer.echo(f"{code} {report.title}: {len(plan.chosen)} artifacts, {plan.total_hours:g}/{budget:g} h ({source}), "
               f"value {plan.value_covered:.3f}/{plan.value_total:.3f}")
    for art in plan.chosen:
        typer.echo(f"  [{art.kind}] {art.title} ({art.hours:g} h) -> {', '.join(art.skill_labels)}")
        if art.done:
            typer.echo(f"      done when: {art.done}")
