"""``careeros occupations ...`` commands."""

from __future__ import annotations

import json
import logging
import sys

import typer

app = typer.Typer(no_args_is_help=True)
log = logging.getLogger("careeros.occupations")


@app.command("related")
def related(
    soc_code: str | None = typer.Argument(None, help="O*NET-SOC code such as 15-1252.00 (omit with --all)."),
    k: int = typer.Option(10, "--k", "-k", min=1, help="Related occupations per occupation."),
    all_: bool = typer.Option(False, "--all", help="Every occupation, one JSON line each."),
    explain: bool = typer.Option(True, "--explain/--no-explain",
                                 help="Add an explanation (shared/missing skills, wage ratio, job-zone step)."),
) -> None:
    """Print {"soc_code", "related": [{"soc_code", "title", "score", "explanation"}]} per occupation (JSONL)."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    if not all_ and not soc_code:
        typer.echo("give a SOC code or --all", err=True)
        raise typer.Exit(2)
    from careeros.planner.transitions import load_model

    try:
        model = load_model()
    except FileNotFoundError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    d = model.data
    out = sys.stdout
    if all_:
        idx = model.related_indices(k)
        for i, s in enumerate(d.soc):
            rel = []
            for j in idx[i]:
                item: dict[str, object] = {"soc_code": d.soc[j], "title": d.title[j],
                                           "score": round(float(model.scores[i, j]), 4)}
                if explain:
                    item["explanation"] = model.explain(i, int(j), n_skills=3)
                rel.append(item)
            out.write(json.dumps({"soc_code": s, "title": d.title[i], "related": rel}) + "\n")
        out.flush()
        return
    code = soc_code.strip() if soc_code else ""
    if code not in d.index and f"{code}.00" in d.index:
        code = f"{code}.00"
    if code not in d.index:
        typer.echo(f"unknown O*NET-SOC code: {soc_code}", err=True)
        raise typer.Exit(2)
    rel_items = [{"soc_code": r.soc_code, "title": r.title, "score": r.score,
                  **({"explanation": r.explanation} if explain else {})}
                 for r in model.related(code, k=k, explain=explain)]
    out.write(json.dumps({"soc_code": code, "title": d.title[d.index[code]], "related": rel_items}) + "\n")
    out.flush()
