"""Human review of low-confidence links:

the typed pause form, its markdown summary, and the programmatic twin of the UI's Resume button (find the
paused ``curate-evidence`` run, resume it with ``run_input``).

The form has one ``Literal`` choice per candidate link (field ``l_<link_id>``: accept | reject | edit | defer)
plus an optional edited skill id (``l_<link_id>_skill``); ``defer`` (the default) leaves the link pending.
"""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

import polars as pl
from pydantic import Field, create_model

from careeros.evidence.history import HumanDecision
from careeros.evidence.linking import AUTO_ACCEPT
from careeros.evidence.redact import redact

FLOW_NAME = "curate-evidence"
DecisionLiteral = Literal["accept", "reject", "edit", "defer"]


def review_model(pending: pl.DataFrame) -> type[Any]:
    """A Prefect ``RunInput`` subclass with one decision field (and one edit field) per pending link."""
    from prefect.input import RunInput

    fields: dict[str, Any] = {}
    for r in pending.iter_rows(named=True):
        src = (r.get("source_path") or "").rsplit("/", 1)[-1]
        title = f"{r['skill_label']} <- {r.get('source_type')}: {src} (confidence {r['confidence']:.2f})"
        fields[f"l_{r['link_id']}"] = (DecisionLiteral, Field(default="defer", title=title,
                                                              description=f"skill {r['skill_id']}"))
        fields[f"l_{r['link_id']}_skill"] = (str | None, Field(
            default=None, title=f"{r['skill_label']}: edited skill id (only for 'edit')"))
    return create_model("EvidenceReview", __base__=RunInput, **fields)


def review_markdown(pending: pl.DataFrame, summary: dict[str, Any], total_pending: int) -> str:
    """Markdown shown above the form: what was curated and, per candidate, the minimal facts (redacted)."""
    lines = [
        "## Evidence review",
        f"Curation run `{summary.get('run_id')}`: {summary.get('items_new', 0)} new item versions, "
        f"{summary.get('links_auto', 0)} links auto-accepted (confidence >= {AUTO_ACCEPT}), "
        f"{total_pending} waiting for review (showing {pending.height}).",
        "", "Choose **accept**, **reject**, **edit** (and type the right skill id) or **defer** for each link.",
        "Human decisions always win: later automated runs never overwrite them.", "",
        "| skill | evidence | confidence | strength |", "|---|---|---|---|",
    ]
    for r in pending.iter_rows(named=True):
        src = redact((r.get("source_path") or "").rsplit("/", 1)[-1])
        lines.append(f"| {r['skill_label']} (`{r['skill_id']}`) | {r.get('source_type')}: {src} | "
                     f"{r['confidence']:.2f} | {r.get('strength')} |")
    return "\n".join(lines)


def decisions_from_input(data: Any) -> list[HumanDecision]:
    """Turn a submitted review form (model instance or dict) into decisions (``defer`` included)."""
    values = data.model_dump() if hasattr(data, "model_dump") else dict(data)
    out = []
    for key, val in values.items():
        if key.startswith("l_") and not key.endswith("_skill") and val:
            lid = key[2:]
            out.append(HumanDecision(link_id=lid, decision=val, skill_id=values.get(f"l_{lid}_skill")))
    return out


# ------------------------------------------------------------------------------------------------ resume path
def paused_review_runs(flow_name: str = FLOW_NAME) -> list[Any]:
    """Paused runs of the curation flow, newest first."""
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        return list(client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED]))),
            sort=FlowRunSort.START_TIME_DESC))


def review_fields(flow_run: Any) -> list[str]:
    """Link ids offered by a paused run's form (read from the input schema the run registered)."""
    from prefect.input.run_input import keyset_from_paused_state, read_flow_run_input

    schema: Any = read_flow_run_input(keyset_from_paused_state(flow_run.state)["schema"], flow_run_id=flow_run.id) or {}
    props = schema.get("properties", {})
    return [k[2:] for k in props if k.startswith("l_") and not k.endswith("_skill")]


def build_run_input(link_ids: list[str], default: DecisionLiteral = "defer",
                    overrides: dict[str, HumanDecision] | None = None) -> dict[str, Any]:
    """The ``run_input`` dict for the review form: ``default`` for every link unless overridden."""
    overrides = overrides or {}
    out: dict[str, Any] = {}
    for lid in link_ids:
        d = overrides.get(lid)
        out[f"l_{lid}"] = d.decision if d else default
        if d and d.skill_id:
            out[f"l_{lid}_skill"] = d.skill_id
    return out


def resume_review(flow_run_id: UUID | str | None = None, default: DecisionLiteral = "defer",
                  overrides: dict[str, HumanDecision] | None = None) -> dict[str, Any] | None:
    """Answer a paused curation run through the real input path (``resume_flow_run(id, run_input=...)``).

    ``flow_run_id`` None = the newest paused ``curate-evidence`` run. Returns {"flow_run_id", "run_input"} or
    None when no run is paused.
    """
    from prefect import get_client
    from prefect.flow_runs import resume_flow_run

    if flow_run_id is None:
        runs = paused_review_runs()
        if not runs:
            return None
        run = runs[0]
    else:
        with get_client(sync_client=True) as client:
            run = client.read_flow_run(UUID(str(flow_run_id)))
    run_input = build_run_input(review_fields(run), default, overrides)
    resume_flow_run(run.id, run_input=run_input)
    return {"flow_run_id": str(run.id), "run_input": run_input}
