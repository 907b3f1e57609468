"""``careeros export``, ``careeros import``, ``careeros forget``: your data, out of the home, into a new one, gone."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _guarded(fn: Callable[[], Any]) -> Any:
    """Run a domain call; any expected failure becomes one line on stderr and a non-zero exit."""
    import duckdb

    from careeros.portability import PortabilityError

    try:
        return fn()
    except PortabilityError as exc:
        _fail(str(exc))
    except (OSError, ValueError, duckdb.Error) as exc:
        _fail(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc!r}")


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def register(app: typer.Typer) -> None:
    """Add ``export``, ``import`` and ``forget`` to the root app."""

    @app.command("export")
    def export(
        out: Annotated[Path, typer.Option("--out", "-o", help="The zip file to write (replaced atomically).")],
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Export your data (profile, evidence, links, decisions, plans, outcomes, metrics, memory) to one zip.

        Tables as Parquet, memory with its vectors, your evidence files, and a manifest with a sha256 per file and a
        checksum per table. Market and taxonomy tables are not included: `careeros ingest` rebuilds them.
        """
        from careeros.portability import export_home
        from careeros.settings import get_settings

        rep = _guarded(lambda: export_home(get_settings(), out))
        if as_json:
            typer.echo(rep.model_dump_json(indent=2))
            return
        typer.echo(f"exported to {rep.path} ({_size(rep.bytes)}, sha256 {rep.sha256[:16]}...) in {rep.seconds:.1f} s")
        typer.echo("  tables: " + (", ".join(f"{k} {v}" for k, v in rep.tables.items() if v) or "none"))
        for name, rows in rep.memory.items():
            typer.echo(f"  memory: {name} {rows} rows (version {rep.memory_versions.get(name)})")
        typer.echo(f"  files: {rep.files} ({_size(rep.file_bytes)})")
        if rep.redacted:
            typer.echo("  secrets masked: " + ", ".join(f"{k} {v}" for k, v in rep.redacted.items()))
        if rep.evidence_missing:
            typer.echo(f"  not found on disk (items kept, files not): {len(rep.evidence_missing)}, e.g. "
                       f"{rep.evidence_missing[0]}")
        if rep.evidence_skipped:
            typer.echo(f"  over the evidence size limit, not copied: {len(rep.evidence_skipped)}")

    @app.command("import")
    def import_(
        file: Annotated[Path, typer.Argument(help="A zip written by `careeros export`.")],
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Import an export into this home, which must hold no person data yet (CAREEROS_HOME).

        Every file is checked against the manifest before anything is written; afterwards every table checksum must
        equal the manifest's. Then run `careeros ingest` to rebuild the market and taxonomy tables.
        """
        from careeros.portability import import_home
        from careeros.settings import get_settings

        rep = _guarded(lambda: import_home(get_settings(), file))
        if as_json:
            typer.echo(rep.model_dump_json(indent=2))
            return
        typer.echo(f"imported {rep.path} into {rep.home} in {rep.seconds:.1f} s (checksums verified)")
        typer.echo("  tables: " + (", ".join(f"{k} {v}" for k, v in rep.tables.items() if v) or "none"))
        for name, rows in rep.memory.items():
            typer.echo(f"  memory: {name} {rows} rows")
        typer.echo(f"  files restored: {rep.files}")
        for step in rep.next_steps:
            typer.echo(f"next: {step}")

    @app.command("forget")
    def forget(
        yes: Annotated[bool, typer.Option("--yes", help="Really remove it (without: only show what would go).")] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Remove your data from this home and its Prefect database; market data stays. Asks for --yes.

        Goes: your warehouse rows (the file is rewritten so they leave no trace), memory, profile.toml, plans,
        outbox, agent reports, evidence kept in the home, and the home's Prefect runs. Your files elsewhere stay.
        """
        from careeros.portability import forget_home
        from careeros.settings import get_settings

        rep = _guarded(lambda: forget_home(get_settings(), yes=yes))
        if as_json:
            typer.echo(json.dumps(rep.model_dump(), indent=2))
        else:
            verb = "would remove" if rep.dry_run else "removed"
            rows = sum(rep.tables.values())
            typer.echo(f"{verb} from {rep.home}:")
            typer.echo(f"  warehouse rows: {rows}" + (" (" + ", ".join(f"{k} {v}" for k, v in rep.tables.items())
                                                       + ")" if rows else ""))
            if rep.memory:
                typer.echo("  memory: " + ", ".join(f"{k} {v} rows" for k, v in rep.memory.items()))
            for path, n in rep.paths.items():
                typer.echo(f"  {path} ({n} files)")
            if rep.prefect_flow_runs is not None:
                typer.echo(f"  Prefect flow runs: {rep.prefect_flow_runs}")
            typer.echo(f"  {_size(rep.bytes)} of files")
            for k in rep.kept:
                typer.echo(f"kept: {k}")
        if rep.dry_run:
            typer.echo("nothing removed: run `careeros forget --yes` to remove it", err=True)
            raise typer.Exit(1)
