"""``careeros memory ...`` commands: hybrid search with provenance, status."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)


def _store() -> tuple[Any, Any]:
    import threading

    from careeros.memory.embedders import get_embedder
    from careeros.memory.lance import import_lancedb
    from careeros.memory.store import MemoryStore
    from careeros.settings import get_settings

    # the two slow start-up steps overlap: lancedb's import (~1 s, Python) in a thread while the embedder's ONNX
    # session is built (~0.3 s, mostly native code that releases the GIL); ~0.2 s less on two idle cores
    loader = threading.Thread(target=import_lancedb, name="import-lancedb", daemon=True)
    loader.start()
    try:
        emb = get_embedder()
    finally:
        loader.join()
    return MemoryStore(get_settings().memory_dir, emb.name, emb.dim), emb


@app.command("search")
def search(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.")],
    k: Annotated[int, typer.Option("--k", "-k", min=1, max=200, help="Number of hits.")] = 5,
    skill: Annotated[list[str] | None, typer.Option("--skill", help="Only chunks linked to this skill id (repeatable).")] = None,
    source: Annotated[list[str] | None, typer.Option("--source", help="repo|publication|certificate|resume|note (repeatable).")] = None,
    since: Annotated[str | None, typer.Option(help="Evidence created at or after this date.")] = None,
    until: Annotated[str | None, typer.Option(help="Evidence created before this date.")] = None,
    all_versions: Annotated[bool, typer.Option("--all-versions", help="Include superseded item versions.")] = False,
    version: Annotated[str | None, typer.Option("--version", help="Search a past memory version (number or run tag).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Hybrid (BM25 + vector) search of your evidence; every hit shows where it came from."""
    from careeros.memory.search import Filters
    from careeros.memory.search import search as run

    store, emb = _store()
    if version:
        store.checkout(int(version) if version.isdigit() else version)
    try:
        f = Filters(skills=skill or None, sources=source or None,
                    since=datetime.fromisoformat(since) if since else None,
                    until=datetime.fromisoformat(until) if until else None, current_only=not all_versions)
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    hits = run(store, emb, query, k=k, filters=f)
    if as_json:
        typer.echo(json.dumps([h.model_dump(mode="json") for h in hits], indent=2))
        return
    if not hits:
        typer.echo("no hits (is memory empty? run `careeros evidence curate`)")
    for n, h in enumerate(hits, 1):
        p = h.provenance
        snippet = " ".join(h.text.split())[:160]
        typer.echo(f"{n}. {h.score:.3f}  [{p.source_type}] {h.title}\n   {snippet}\n   {p.source_path}  "
                   f"v{p.version_sha256[:12]}  created {p.created_at:%Y-%m-%d}  run {p.run_id}")


@app.command("status")
def status(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Memory table, version, row count and run tags."""
    store, emb = _store()
    info: dict[str, Any] = {"memory_dir": str(store.memory_dir), "embedder": emb.name, "table": store.name,
                            "exists": store.exists()}
    if info["exists"]:
        info |= {"version": int(store.table.version), "rows": store.count(), "tags": store.tags()}
    typer.echo(json.dumps(info, indent=2) if as_json else "\n".join(f"{k}: {v}" for k, v in info.items()))
