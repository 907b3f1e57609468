"""The decision inbox: flow runs waiting for a person (Paused or Suspended), read from the Prefect API.

One place for the lookup that ``careeros approvals``, ``careeros plan propose``, the agents' escalations and the
demo all need. The caller has already chosen the server (``careeros.cli.orchestration.connect``).
"""

from __future__ import annotations

import json
from typing import Any

#: Prefect state names of a run waiting for input
WAITING_STATES = ["Paused", "Suspended"]


def waiting_runs(flow_name: str | None = None, limit: int = 50, describe: bool = True) -> list[dict[str, Any]]:
    """Runs waiting for input, newest first (of ``flow_name`` when given).

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
