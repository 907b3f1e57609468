"""``careeros profile ...`` commands."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.profile")


def _records(file: Path) -> Iterator[tuple[Any, str | None, str | None]]:
    """(id, text, error) per record: JSONL of {"id", "text"}, or one text/PDF/DOCX document (id = path)."""
    from careeros.planner.profile_match import read_document

    if file.suffix.lower() in (".pdf", ".docx"):
        yield str(file), read_document(file), None
        return
    raw = file.read_text(encoding="utf-8", errors="replace")
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if not (file.suffix.lower() in (".jsonl", ".ndjson") or (lines and lines[0].lstrip().startswith("{"))):
        yield str(file), raw, None
        return
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line:{n}", None, f"line {n}: {exc}"
            continue
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            yield (obj.get("id") if isinstance(obj, dict) else None) or f"line:{n}", None, \
                f'line {n}: expected an object with a string "text" field'
            continue
        yield obj.get("id", f"line:{n}"), obj["text"], None


@app.command("match")
def match(
    file: Path = typer.Argument(..., help='JSONL of {"id", "text"}, or one .txt/.md/.pdf/.docx resume.'),
    k: int = typer.Option(5, "--k", "-k", min=1, help="Occupations per record."),
    evidence: bool = typer.Option(True, "--evidence/--no-evidence", help="Add matched titles/skills per match."),
) -> None:
    """Print {"id", "matches": [{"soc_code", "title", "score", "evidence"}]} per record (stdout is JSONL only)."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    if not file.is_file():
        typer.echo(f"no such file: {file}", err=True)
        raise typer.Exit(2)
    from careeros.planner.profile_match import load_matcher

    try:
        matcher = load_matcher()
    except FileNotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    out = sys.stdout
    for rid, text, error in _records(file):
        if error is not None or text is None:
            out.write(json.dumps({"id": rid, "matches": [], "error": error}) + "\n")
            continue
        ms = matcher.match(text, k=k)
        out.write(json.dumps({"id": rid, "matches": [
            {"soc_code": m.soc_code, "title": m.title, "score": m.score, **({"evidence": m.evidence} if evidence else {})}
            for m in ms]}, ensure_ascii=False) + "\n")
    out.flush()


def _profile_file(profile: Path | None) -> tuple[Path, Path]:
    """(profile file, warehouse) of this home; exits with one line when either is missing."""
    from careeros.evidence.curate import default_profile_path
    from careeros.settings import get_settings

    s = get_settings()
    path = profile or default_profile_path(s.home)
    if not s.warehouse_path.is_file():
        typer.echo(f"error: no warehouse at {s.warehouse_path}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    return path, s.warehouse_path


@app.command("history")
def history(
    profile: Path | None = typer.Option(None, "--profile", help="Profile file (default $CAREEROS_HOME/profile.toml)."),
    show_diff: int | None = typer.Option(None, "--diff", metavar="VERSION",
                                         help="Print what changed from this version to the current file."),
    as_json: bool = typer.Option(False, "--json", help="Print the versions as JSON."),
) -> None:
    """Every stored version of your profile (who, when, why); the current file is recorded first if new."""
    from careeros.profile_history import MissingVersionText, diff, get_version, snapshot, store_for, versions
    from careeros.settings import approver_identity
    from careeros.warehouse.db import connect

    path, wh = _profile_file(profile)
    store = store_for(wh.parent)
    with connect(wh) as con:
        snapshot(con, store, path, actor=approver_identity(), note="seen by `careeros profile history`")
        rows = versions(con)
        try:
            old = get_version(con, store, show_diff) if show_diff is not None else None
        except MissingVersionText as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    if show_diff is not None:
        if old is None:
            typer.echo(f"error: no profile version {show_diff}", err=True)
            raise typer.Exit(2)
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        typer.echo(diff(old.text, current, f"version {show_diff}", str(path)) or "no difference")
        return
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json", exclude={"text"}) for r in rows], indent=2))
        return
    if not rows:
        typer.echo(f"no profile versions yet (no profile at {path})")
        return
    for r in rows:
        typer.echo(f"v{r.version:<3} {r.created_at:%Y-%m-%d %H:%M} {r.source:<9} {r.actor:<14} "
                   f"{r.content_sha256[:10]}  {r.note or ''}")


@app.command("rollback")
def rollback_cmd(
    version: int = typer.Argument(..., help="Version to restore (see `careeros profile history`)."),
    profile: Path | None = typer.Option(None, "--profile", help="Profile file (default $CAREEROS_HOME/profile.toml)."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    as_json: bool = typer.Option(False, "--json", help="Print the new version as JSON."),
) -> None:
    """Restore an earlier profile version; the current content stays in the history (undo with another rollback)."""
    from careeros.profile_history import (
        MissingVersionText,
        RollbackError,
        diff,
        get_version,
        rollback,
        store_for,
    )
    from careeros.settings import approver_identity
    from careeros.warehouse.db import connect

    path, wh = _profile_file(profile)
    store = store_for(wh.parent)
    with connect(wh) as con:
        try:
            target = get_version(con, store, version)
        except MissingVersionText as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if target is None:
            typer.echo(f"error: no profile version {version} (see `careeros profile history`)", err=True)
            raise typer.Exit(2)
        if not yes and not as_json:
            current = path.read_text(encoding="utf-8") if path.is_file() else ""
            typer.echo(diff(current, target.text, str(path), f"version {version}") or "no difference")
            if not typer.confirm(f"restore version {version}?", default=False):
                typer.echo("nothing changed")
                raise typer.Exit(1)
        try:
            rec = rollback(con, store, path, version, actor=approver_identity())
        except RollbackError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(rec.model_dump(mode="json", exclude={"text"})))
    else:
        typer.echo(f"profile restored to version {version} (recorded as v{rec.version}); the next plan uses it")
