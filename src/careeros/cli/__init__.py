"""The ``careeros`` command line. Heavy imports (prefect, litellm, GX) stay inside commands."""

from __future__ import annotations

import typer

from careeros.cli import (
    agents,
    approvals,
    calendar,
    core,
    demo,
    evidence,
    governance,
    init_cmd,
    log,
    memory,
    occupations,
    plan,
    portability,
    portfolio,
    profile,
    report,
    skills,
    sql,
    titles,
)

app = typer.Typer(
    name="careeros",
    help="careeros: a career operating system for one person (warehouse, market signals, plans).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
core.register(app)
demo.register(app)
init_cmd.register(app)
report.register(app)
sql.register(app)
portability.register(app)
app.add_typer(titles.app, name="titles", help="Normalise job titles to O*NET-SOC occupations.")
app.add_typer(skills.app, name="skills", help="Extract skills from posting or document text.")
app.add_typer(occupations.app, name="occupations", help="Occupations: related occupations (transitions).")
app.add_typer(profile.app, name="profile", help="Your profile: match a resume or profile text to occupations.")
app.add_typer(plan.app, name="plan", help="Plans: gaps, minimal artifacts, the week-by-week plan.")
app.add_typer(approvals.app, name="approvals", help="Runs waiting for your decision: list, show, approve, reject.")
app.add_typer(memory.app, name="memory", help="Long-term memory (LanceDB): search your evidence.")
app.add_typer(evidence.app, name="evidence", help="Evidence items and skill links, as of any date.")
app.add_typer(agents.app, name="agents", help="Role agents: run them; review outreach drafts per message.")
app.add_typer(governance.app, name="governance", help="Governance: what has gone stale (removals need your approval).")
app.add_typer(log.app, name="log", help="Record outcomes: tasks done, hours, outreach, interviews, offers.")
app.add_typer(portfolio.app, name="portfolio",
              help="Portfolio site: build it from your work and evidence, publish to git, roll back, status.")
app.add_typer(calendar.app, name="calendar",
              help="CalDAV calendar: publish the approved plan's sessions (sync), status, verify, rollback.")


def main() -> None:
    """Console-script entry point: the home's PREFECT_HOME first (before prefect is imported), one-line errors."""
    from careeros.ops.server import OrchestrationError, client_defaults
    from careeros.settings import get_settings

    client_defaults(get_settings().home)
    from careeros.ops import reaper

    reaper.start()  # a kill -9 of this process must not leave its ephemeral Prefect server running
    try:
        app()
    except OrchestrationError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(3) from None
    except RuntimeError as exc:
        if "Prefect API server" not in str(exc) and "connect to the Prefect" not in str(exc):
            raise
        typer.echo(f"error: {str(exc).splitlines()[0]} (start the home's server with `make serve` and retry)",
                   err=True)
        raise SystemExit(3) from None
