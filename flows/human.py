"""Human decisions, both sides, in one place: the typed forms, asking from inside a flow, finding and answering.

* Forms: the domain describes each decision as a plain pydantic model (``PlanDecision``, ``CheckIn``,
  ``SynthesisDecision``, ``GovernanceDecision``, the per-page evidence review, the agents' escalation and outreach
  forms); :func:`run_input` turns one into its Prefect ``RunInput`` twin here, so the domain never imports Prefect.
* Asking (inside a flow): pause (or suspend) for a typed form until a valid answer arrives (:func:`ask`).
  Every decision form's choice fields are required (no default that approves, sends or accepts), so the server
  refuses an empty or malformed answer and the run stays paused. An answer that still does not validate when the
  flow reads it (a run forced out of its pause without input, an input written behind the server's back) is not
  taken as a decision: the run logs it and pauses again under a fresh key, i.e. the person is asked again.
* Answering (outside, the headless twin of the UI's Resume button): :func:`waiting_runs` finds the runs waiting for
  a person, :func:`resume` answers one with typed input, :func:`resume_review` answers an evidence review page.
  The caller has already chosen the server (``careeros.cli.orchestration.connect``); ``careeros approvals``,
  ``careeros evidence review``, ``careeros plan propose`` and ``careeros demo`` all answer through here.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from prefect import get_run_logger
from prefect.input import RunInput
from pydantic import BaseModel, ValidationError

from flows.homes import pause_flow_run, suspend_flow_run  # the home's writer slot is let go while waiting

if TYPE_CHECKING:
    from careeros.evidence.history import HumanDecision
    from careeros.evidence.review import DecisionLiteral

#: How often one question is asked again after answers that do not validate, before the run gives up waiting.
MAX_ASKS = 5
#: Prefect state names of a run waiting for input
WAITING_STATES = ["Paused", "Suspended"]


# ------------------------------------------------------------------------------------------------------ forms
@lru_cache(maxsize=64)  # bounded: the per-page review and escalation forms are new models on every call
def run_input(model: type[BaseModel], name: str | None = None) -> type[RunInput]:
    """The Prefect ``RunInput`` twin of a domain form ``model``: its fields, named ``<Model>Input`` (or ``name``).

    The twin's docstring is the model's (it is the form's description in the stored schema). One class per model:
    a flow and the tests that inspect its form get the same twin.
    """
    twin = type(name or f"{model.__name__}Input", (RunInput, model),
                {"__doc__": model.__doc__, "__module__": model.__module__})
    return cast("type[RunInput]", twin)


# ------------------------------------------------------------------------------------------- asking (in a flow)
def from_deployment() -> bool:
    """True when this flow run was started from a deployment (a worker can suspend it and exit while it waits)."""
    from prefect.runtime import deployment

    return deployment.id is not None


def ask(form: Any, *, key: str, timeout: int, poll_interval: int = 10, suspend: bool = False) -> Any:
    """The validated answer to ``form`` (raises ``FlowPauseTimeout`` when nobody answers in time)."""
    for attempt in range(MAX_ASKS):
        k = key if attempt == 0 else f"{key}-ask{attempt + 1}"
        try:
            if suspend:
                return suspend_flow_run(wait_for_input=form, timeout=timeout, key=k)
            return pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=poll_interval, key=k)
        except ValidationError as exc:
            get_run_logger().warning("answer to %s is not a valid decision (%d problem(s)): asking again", k,
                                     exc.error_count())
    from prefect.exceptions import FlowPauseTimeout

    raise FlowPauseTimeout(f"no valid answer to {key} after {MAX_ASKS} asks")


# -------------------------------------------------------------------------------------- finding waiting runs
def waiting_runs(flow_name: str | None = None, limit: int = 50, describe: bool = True) -> list[dict[str, Any]]:
    """Runs waiting for input (Paused or Suspended), newest first (of ``flow_name`` when given).

    Each is a dict with ``flow_run_id``, ``name``, ``flow``, ``state``, ``since``, ``pause_key``, ``timeout_at``
    and, with ``describe``, ``description`` (the markdown summary the form shows; one more API call per run).
    """
    from prefect import get_client
    from prefect.client.schemas.filters import (
        FlowFilter,
        FlowFilterName,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateName,
    )
    from prefect.client.schemas.sorting import FlowRunSort

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(name=FlowRunFilterStateName(any_=WAITING_STATES))),
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])) if flow_name else None,
            sort=FlowRunSort.START_TIME_DESC, limit=limit)
        flows = {f.id: f.name for f in client.read_flows()} if runs else {}
        return [describe_run(client, r, flows.get(r.flow_id), describe) for r in runs]


def waiting_ids(flow_name: str | None = None, limit: int = 200) -> set[str]:
    """Ids of the runs waiting for input (no descriptions read)."""
    return {r["flow_run_id"] for r in waiting_runs(flow_name, limit, describe=False)}


def describe_run(client: Any, run: Any, flow_name: str | None, describe: bool = True) -> dict[str, Any]:
    """One waiting run as the inbox shows it."""
    from prefect.input.run_input import keyset_from_paused_state

    state = run.state
    desc = None
    if describe:
        try:
            keyset = keyset_from_paused_state(state)
            desc = client.read_flow_run_input(flow_run_id=run.id, key=keyset["description"])
            desc = json.loads(desc) if isinstance(desc, str) and desc.startswith('"') else desc
        except Exception:  # noqa: BLE001 - a pause without input has no description
            desc = None
    return {"flow_run_id": str(run.id), "name": run.name, "flow": flow_name, "state": state.name if state else None,
            "since": state.timestamp.isoformat() if state and state.timestamp else None,
            "pause_key": state.state_details.pause_key if state else None,
            "timeout_at": state.state_details.pause_timeout.isoformat()
            if state and state.state_details.pause_timeout else None,
            "description": desc}


def form_fields(flow_run_id: UUID | str) -> list[str]:
    """Field names of the form a waiting run shows, in order (read from the input schema the run registered)."""
    from prefect import get_client
    from prefect.input.run_input import keyset_from_paused_state, read_flow_run_input

    with get_client(sync_client=True) as client:
        run = client.read_flow_run(UUID(str(flow_run_id)))
    if run.state is None:  # never started: no form
        return []
    schema: Any = read_flow_run_input(keyset_from_paused_state(run.state)["schema"], flow_run_id=run.id) or {}
    return list(schema.get("properties", {}))


# ------------------------------------------------------------------------------------------ answering runs
def resume(flow_run_id: UUID | str, answer: BaseModel | dict[str, Any]) -> None:
    """Resume a waiting run with ``answer`` for its form (the server validates it; invalid input is refused)."""
    from prefect.flow_runs import resume_flow_run

    data = answer.model_dump(mode="json") if isinstance(answer, BaseModel) else dict(answer)
    resume_flow_run(UUID(str(flow_run_id)), run_input=data)


def review_fields(flow_run_id: UUID | str) -> list[str]:
    """Link ids offered by a waiting evidence review (its form's ``l_<link id>`` choices)."""
    from careeros.evidence.review import link_ids

    return link_ids(form_fields(flow_run_id))


def resume_review(flow_run_id: UUID | str | None = None, default: DecisionLiteral = "defer",
                  overrides: dict[str, HumanDecision] | None = None) -> dict[str, Any] | None:
    """Answer a waiting evidence review page: ``default`` for every link unless overridden.

    ``flow_run_id`` None = the newest waiting ``curate-evidence`` run. Returns {"flow_run_id", "run_input"} or
    None when no run waits.
    """
    from careeros.evidence.review import FLOW_NAME, build_run_input

    if flow_run_id is None:
        runs = waiting_runs(FLOW_NAME, describe=False)
        if not runs:
            return None
        flow_run_id = runs[0]["flow_run_id"]
    answer = build_run_input(review_fields(flow_run_id), default, overrides)
    resume(flow_run_id, answer)
    return {"flow_run_id": str(flow_run_id), "run_input": answer}
