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
