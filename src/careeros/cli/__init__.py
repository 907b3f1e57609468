"""The ``careeros`` command line. Heavy imports (prefect, litellm, GX) stay inside commands."""

from __future__ import annotations

import typer

from careeros.cli import core, skills, titles

app = typer.Typer(
    name="careeros",
    help="careeros: a career operating system for one person (warehouse, market signals, plans).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
core.register(app)
app.add_typer(titles.app, name="titles", help="Normalise job titles to O*NET-SOC occupations.")
app.add_typer(skills.app, name="skills", help="Extract skills from posting or document text.")


def main() -> None:
    """Console-script entry point."""
    app()
