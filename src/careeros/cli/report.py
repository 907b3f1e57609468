"""``careeros report``: the weekly HTML report (self-contained: inline CSS and SVG)."""

from __future__ import annotations

from pathlib import Path

import typer


def write_weekly_report(out: Path, week: str | None = None, refresh: bool = True,
                        markdown: Path | None = None) -> None:
    """Write the weekly HTML report to ``out`` (and a markdown summary); raises ``typer.Exit(2)`` on a bad week."""
    from careeros.reports.report import (
        gather_report_data,
        parse_week,
        render_report,
        report_markdown,
        write_report,
    )
    from careeros.settings import get_settings

    s = get_settings()
    try:
        parse_week(week)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if refresh and s.warehouse_path.is_file():
        from careeros.metrics.metrics import compute_and_store_metrics
        from careeros.warehouse.provenance import new_run_id

        compute_and_store_metrics(s.warehouse_path, new_run_id())
    data = gather_report_data(s.warehouse_path, week)
    write_report(render_report(data), out)
    if markdown is not None:
        write_report(report_markdown(data), markdown)
    typer.echo(f"wrote {out} ({data.week})")


def register(app: typer.Typer) -> None:
    """Add the ``report`` command to the root app."""

    @app.command("report")
    def report(
        out: Path = typer.Option(..., "--out", help="HTML file to write, e.g. report.html."),
        week: str | None = typer.Option(None, "--week", help="ISO week YYYY-Www (default: the current week)."),
        refresh: bool = typer.Option(True, "--refresh/--no-refresh",
                                     help="Import outcomes and recompute metrics first (needs write access)."),
        markdown: Path | None = typer.Option(None, "--markdown", help="Also write a markdown summary here."),
    ) -> None:
        """Write the weekly report: skill gaps, demand trends, outreach funnel, assumptions, plan burndown."""
        write_weekly_report(out, week, refresh, markdown)
