"""``careeros plan propose``: start the recalculate-weekly-plan flow so a proposal waits for a person's decision.

Served (``make serve`` runs and its deployment is READY): the deployment runs it, the run suspends, and this
returns as soon as the approval form is up. Otherwise the flow runs in this process (it pauses) against the
home's server, and this waits until the person answers (UI or ``careeros approvals`` in another terminal).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

DEPLOYMENT = "recalculate-weekly-plan/recalculate-weekly-plan-mondays"
FLOW = "recalculate-weekly-plan"


def served_deployment(name: str = DEPLOYMENT) -> Any | None:
    """The deployment when a serving process polls it right now (status READY), else None."""
    from prefect import get_client
    from prefect.client.schemas.objects import DeploymentStatus

    try:
        with get_client(sync_client=True) as client:
            dep = client.read_deployment_by_name(name)
    except Exception:  # noqa: BLE001 - not registered: nothing serves it
        return None
    return dep if dep.status == DeploymentStatus.READY else None


def _state(run_id: Any) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(run_id).state


def _wait(pred: Callable[[], Any], seconds: float, what: str) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        got = pred()
        if got:
            return got
        time.sleep(1.0)
    raise TimeoutError(f"{what} not reached within {seconds:.0f} s")


def _waiting_ids() -> set[str]:
    """Ids of this flow's runs waiting for input (Paused or Suspended)."""
    from flows.human import waiting_ids

    return waiting_ids(FLOW)


def propose_plan_run(conn: Any, profile_path: str | None, timeout: int, wait: float,
                     echo: Callable[[str], None]) -> dict[str, Any]:
    """Start the approval flow; return ``flow_run_id``, ``state``, ``mode`` (served|foreground), ``ui_url``..."""
    params: dict[str, Any] = {"timeout": timeout, **({"profile_path": profile_path} if profile_path else {})}
    ui = str(conn.ui_url).rstrip("/")
    if conn.how != "started" and served_deployment() is not None:
        from prefect.deployments import run_deployment

        run: Any = run_deployment(DEPLOYMENT, parameters=params, timeout=0)

        def up() -> Any:
            st = _state(run.id)
            if st is not None and (st.is_paused() or st.is_final()):
                return st
            return None

        state = _wait(up, wait, f"the approval form of flow run {run.id}")
        out = {"flow_run_id": str(run.id), "flow_run_name": run.name, "state": state.name, "mode": "served",
               "ui_url": f"{ui}/runs/flow-run/{run.id}", "deployment": DEPLOYMENT}
        if state.is_paused():
            echo(f"plan proposal waiting for your decision: {out['ui_url']} "
                 f"(or `careeros approvals approve {run.id}`)")
        return out

    from flows.recalculate_weekly_plan import recalculate_weekly_plan

    before = _waiting_ids()
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = recalculate_weekly_plan(**params, poll_interval=2, mode="pause")
        except BaseException as exc:  # surfaced below
            box["error"] = exc

    th = threading.Thread(target=target, name="plan-propose", daemon=True)
    th.start()

    def paused() -> Any:
        if not th.is_alive():
            return "finished"
        new = _waiting_ids() - before
        return sorted(new)[0] if new else None

    got = _wait(paused, wait, "the plan's approval form")
    if got == "finished":
        if "error" in box:
            raise box["error"]
        res = box.get("result") or {}
        return {"flow_run_id": res.get("run_id"), "state": "Completed", "mode": "foreground",
                "status": res.get("status"), "plan_id": res.get("plan_id"), "version": res.get("version")}
    url = f"{ui}/runs/flow-run/{got}"
    echo(f"plan proposal waiting for your decision: {url}")
    echo(f"  (this command waits; answer in the UI or run `careeros approvals approve {got}` in another terminal;"
         " `make serve` lets proposals wait without a terminal)")
    th.join()
    if "error" in box:
        raise box["error"]
    res = box.get("result") or {}
    return {"flow_run_id": got, "state": "Completed", "mode": "foreground", "ui_url": url,
            "status": res.get("status"), "plan_id": res.get("plan_id"), "version": res.get("version")}
