"""``careeros evidence ...`` commands: curate, show (as of any date), review, reconcile."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any, Literal

import typer

app = typer.Typer(no_args_is_help=True)


def _wh() -> Any:
    from careeros.settings import get_settings

    return get_settings().warehouse_path


def _frame_json(df: Any) -> list[dict[str, Any]]:
    return json.loads(df.write_json()) if df.height else []


@app.command("curate")
def curate(
    profile: Annotated[str | None, typer.Option("--profile", help="Profile file (default: CAREEROS_HOME/profile.toml).")] = None,
    review: Annotated[bool, typer.Option("--review/--no-review", help="Pause for review of low-confidence links.")] = False,
    timeout: Annotated[int, typer.Option(help="Seconds a paused review waits for input.")] = 3600,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """Run the curate-evidence flow (read, version, embed, link; optionally pause for review)."""
    for k, v in (("PREFECT_SERVER_ANALYTICS_ENABLED", "false"), ("PREFECT_LOGGING_LEVEL", "WARNING")):
        os.environ.setdefault(k, v)
    from careeros.cli.orchestration import connect

    connect()
    from flows.curate_evidence import curate_evidence

    try:
        summary = curate_evidence(profile_path=profile, review=review, review_timeout=timeout)
    except FileNotFoundError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    m = summary.get("memory", {})
    typer.echo(f"items {summary['items_read']} (new versions {summary.get('items_new', 0)}, unchanged "
               f"{summary['items_skipped']}), quarantined {summary.get('quarantined', 0)}; links auto "
               f"{summary.get('links_auto', 0)}, pending review {summary.get('pending_review', 0)}; memory "
               f"{m.get('table')} v{m.get('version')} tag {m.get('tag')} rows {m.get('rows_total')}")
    for q in summary.get("quarantine_reasons", []):
        typer.echo(f"  quarantined: {q}")


@app.command("show")
def show(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date (end of that day, UTC) or ISO datetime; default now.")] = None,
    skill: Annotated[str | None, typer.Option(help="Only links to this skill id or label (case-insensitive).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """What the system believed at a point in time: evidence item versions and their skill links."""
    from careeros.evidence.history import as_of_timestamp, items_as_of, links_as_of
    from careeros.warehouse.db import connect

    try:
        at = as_of_timestamp(as_of)
    except ValueError as exc:
        typer.echo(f"error: --as-of {as_of!r}: {exc}", err=True)
        raise typer.Exit(2) from exc
    with connect(_wh()) as con:
        items, links = items_as_of(con, at), links_as_of(con, at)
    if skill:
        import polars as pl

        s = skill.lower()
        links = links.filter((pl.col("skill_id").str.to_lowercase() == s) | (pl.col("skill_label").str.to_lowercase() == s))
    if as_json:
        typer.echo(json.dumps({"as_of": at.isoformat(), "items": _frame_json(items), "links": _frame_json(links)},
                              indent=2, default=str))
        return
    typer.echo(f"as of {at.isoformat()}: {items.height} items, {links.height} links")
    for r in items.iter_rows(named=True):
        typer.echo(f"  [{r['source_type']:<11}] {r['version_sha256'][:12]}  {r['source_path']}  (since {r['valid_from']})")
    for r in links.iter_rows(named=True):
        typer.echo(f"  {r['confidence']:.2f} {r['status']:<9} {r['decided_by']:<10} {r['skill_label']:<28} "
                   f"<- {(r['source_path'] or '').rsplit('/', 1)[-1]}")


@app.command("review")
def review(
    accept_all: Annotated[bool, typer.Option("--accept-all", help="Accept every pending link.")] = False,
    reject_all: Annotated[bool, typer.Option("--reject-all", help="Reject every pending link.")] = False,
    direct: Annotated[bool, typer.Option("--direct", help="Write decisions to the warehouse even if no run is paused (no Prefect).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List links waiting for review, or answer them:

    resumes the paused curate-evidence run with the decisions (the same input path as the UI's Resume button);
    with --direct and no paused run, writes them directly.
    """
    from careeros.evidence.history import HumanDecision, pending_links
    from careeros.warehouse.db import connect

    if accept_all and reject_all:
        typer.echo("error: choose one of --accept-all / --reject-all", err=True)
        raise typer.Exit(2)
    with connect(_wh()) as con:
        pending = pending_links(con)
    if not (accept_all or reject_all):
        if as_json:
            typer.echo(json.dumps(_frame_json(pending), indent=2, default=str))
            return
        typer.echo(f"{pending.height} links waiting for review")
        for r in pending.iter_rows(named=True):
            typer.echo(f"  {r['link_id']}  {r['confidence']:.2f}  {r['skill_label']:<28} <- {r['source_type']}: "
                       f"{(r['source_path'] or '').rsplit('/', 1)[-1]}")
        return
    decision: Literal["accept", "reject"] = "accept" if accept_all else "reject"
    result: dict[str, Any] = {"decision": decision}
    resumed = None
    try:
        from careeros.cli.orchestration import connect as connect_prefect

        connect_prefect(start=False)
        from flows.human import resume_review

        resumed = resume_review(default=decision)
    except Exception as exc:  # noqa: BLE001 - no reachable Prefect API: fall back to --direct if asked
        result["prefect_error"] = f"{type(exc).__name__}: {exc}"
        if not direct:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from exc
    if resumed:
        result["resumed"] = resumed["flow_run_id"]
        result["links"] = sum(1 for k in resumed["run_input"] if k.startswith("l_"))
    elif direct:
        typer.echo("WARNING: --direct writes the decisions straight to the warehouse: a curate-evidence run still "
                   "waiting for this review is not resumed and will not see them", err=True)
        from careeros.evidence.curate import apply_review
        from careeros.memory.embedders import get_embedder
        from careeros.memory.store import MemoryStore
        from careeros.settings import get_settings

        emb = get_embedder()
        decisions = [HumanDecision(link_id=lid, decision=decision) for lid in pending["link_id"].to_list()]
        result["applied"] = apply_review(_wh(), MemoryStore(get_settings().memory_dir, emb.name, emb.dim), decisions,
                                         None)
    else:
        typer.echo("no curate-evidence run is waiting for review on the home's Prefect server (start one with "
                   "`careeros evidence curate --review`; --direct writes decisions without a run)", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(result, indent=2, default=str) if as_json else
               f"{decision}: " + (f"resumed run {result['resumed']} ({result['links']} links)" if resumed
                                  else f"applied {result.get('applied')}"))


@app.command("reconcile")
def reconcile(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """Where automation and the human disagree (human decisions win; this lists them for a second look)."""
    from careeros.evidence.history import reconciliation
    from careeros.warehouse.db import connect

    with connect(_wh()) as con:
        df = reconciliation(con)
    if as_json:
        typer.echo(json.dumps(_frame_json(df), indent=2, default=str))
        return
    typer.echo(f"{df.height} disagreements")
    for r in df.iter_rows(named=True):
        typer.echo(f"  human {r['human_status']:<8} automation {r['automated_status']:<9} "
                   f"({r['automated_confidence'] or 0:.2f})  {r['skill_label']}  <- {(r['source_path'] or '').rsplit('/', 1)[-1]}")


def _edit_skills(label: str, add: bool, profile: str | None) -> None:
    """Add a skill to (or remove it from) what careeros credits the person with, in profile.toml."""
    from pathlib import Path

    from careeros.cli.init_cmd import profile_to_toml
    from careeros.evidence.curate import default_profile_path
    from careeros.planner.intelligence import skill_names
    from careeros.profile import load_profile
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = get_settings()
    path = Path(profile) if profile else default_profile_path(s.home)
    if not path.is_file():
        typer.echo(f"error: no profile at {path}: run `careeros init` first", err=True)
        raise typer.Exit(2)
    if not s.warehouse_path.is_file():
        typer.echo(f"error: no warehouse at {s.warehouse_path}: run `careeros ingest` first", err=True)
        raise typer.Exit(2)
    with connect(s.warehouse_path, read_only=True) as con:
        labels, names = skill_names(con)
    key = label.strip()
    sid = key if key in names else labels.get(key.lower())
    if sid is None:
        close = sorted(lb for lb in labels if key.lower() in lb)[:5]
        hint = f"; did you mean: {', '.join(names[labels[c]] for c in close)}" if close else ""
        typer.echo(f"error: unknown skill {label!r}{hint}", err=True)
        raise typer.Exit(2)
    p = load_profile(path)
    added = [x for x in p.skills_added if x != sid]
    removed = [x for x in p.skills_removed if x != sid]
    (added if add else removed).append(sid)
    new = p.model_copy(update={"skills_added": added, "skills_removed": removed})
    from careeros.profile_history import write_profile_text
    from careeros.settings import approver_identity

    write_profile_text(path, profile_to_toml(new), warehouse=s.warehouse_path, actor=approver_identity(),
                       note=f"{'add' if add else 'remove'}-skill {sid}")
    verb = "added" if add else "removed"
    typer.echo(f"{verb}: {names[sid]} ({sid}); the next plan takes it into account")


@app.command("add-skill")
def add_skill(
    skill: Annotated[str, typer.Argument(help="Skill label or id, e.g. 'Linux' or 'concept:machine-learning'.")],
    profile: Annotated[str | None, typer.Option("--profile", help="Profile file (default: CAREEROS_HOME/profile.toml).")] = None,
) -> None:
    """Credit yourself with a skill your evidence does not show (counts as fully evidenced)."""
    _edit_skills(skill, True, profile)


@app.command("remove-skill")
def remove_skill(
    skill: Annotated[str, typer.Argument(help="Skill label or id careeros must not credit you with.")],
    profile: Annotated[str | None, typer.Option("--profile", help="Profile file (default: CAREEROS_HOME/profile.toml).")] = None,
) -> None:
    """Stop careeros crediting you with a skill (wrongly extracted or implied); it becomes a gap if a role needs it."""
    _edit_skills(skill, False, profile)


@app.command("import-learning")
def import_learning(
    file: Annotated[str, typer.Argument(help="xAPI statements (JSON array, LRS {\"statements\": [...]} or JSON lines) "
                                             "or a course-completion CSV.")],
    fmt: Annotated[str | None, typer.Option("--format", help="xapi | csv (default: from the file name and content).")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="xAPI: whose statements to import (e-mail or "
                                                              "account:name@homepage) when the file holds several learners.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the import summary as JSON.")] = False,
) -> None:
    """Import learning progress: completions become versioned evidence linked to skills and close plan tasks.

    The file is kept in the raw store first; bad records go to quarantine with a reason; a re-import changes nothing.
    """
    from pathlib import Path

    import duckdb

    from careeros.settings import get_settings

    if fmt is not None and fmt not in ("xapi", "csv"):
        typer.echo(f"error: --format must be xapi or csv, got {fmt!r}", err=True)
        raise typer.Exit(2)
    path = Path(file).expanduser()
    if not path.is_file():
        typer.echo(f"error: no file at {path}", err=True)
        raise typer.Exit(2)
    s = get_settings()
    if not s.warehouse_path.is_file():
        typer.echo(f"error: no warehouse at {s.warehouse_path}: run `careeros init` first", err=True)
        raise typer.Exit(2)
    from careeros.market.reference import load_extractor
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.metrics.learning import import_learning as run_import

    emb = get_embedder()
    try:
        res = run_import(path, s.warehouse_path, s.raw_dir, load_extractor(s), emb,
                         MemoryStore(s.memory_dir, emb.name, emb.dim), fmt=fmt, actor=actor)  # type: ignore[arg-type]
    except duckdb.IOException as exc:
        typer.echo(f"error: the warehouse is busy (a flow is writing it): try again when it finishes ({exc})", err=True)
        raise typer.Exit(1) from exc
    except OSError as exc:
        typer.echo(f"error: cannot read {path}: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(res.model_dump_json(indent=2))
        return
    skipped = ", ".join(f"{v} {n}" for v, n in sorted(res.skipped_verbs.items()))
    typer.echo(f"{path.name} ({res.format}): {res.records_read} records, {res.completions} completions, {res.facts} "
               f"other outcomes kept as facts, {res.duplicates} exact duplicates"
               + (f"; skipped (not a learning outcome): {skipped}" if skipped else ""))
    typer.echo(f"items new {res.items_new}, changed {res.items_changed}, unchanged {res.items_unchanged}"
               + (f", voided {res.items_voided}" if res.items_voided else "")
               + f"; links auto {res.links_auto}, pending review {res.links_pending}")
    typer.echo(f"tasks closed {len(res.tasks_closed)}" + (f" (plan {res.plan})" if res.plan else " (no approved plan)"))
    for t in res.tasks_closed:
        typer.echo(f"  {t.task_id}  {t.title}  <- {t.course} ({t.reason}, {t.completed_on})")
    already = [t for t in res.tasks_matched_not_closed if t.note == "already done"]
    if already:
        typer.echo(f"  already done: {len(already)} matching tasks")
    for t in res.tasks_matched_not_closed:
        if t.note != "already done":
            typer.echo(f"  not closed: {t.task_id} <- {t.course}: {t.note}")
    if res.unmatched_skills:
        typer.echo("declared skills not in the taxonomy: " + ", ".join(res.unmatched_skills))
    typer.echo(f"quarantined {res.quarantined}")
    for q in res.quarantine_reasons:
        typer.echo(f"  {q}")
    for w in res.warnings:
        typer.echo(f"warning: {w}")
