"""`careeros demo`: the main job end to end on the embedded sample operator.

Every human pause is answered through the real input path (``resume_flow_run``), as a person would from
the Prefect UI or the CLI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from careeros.settings import get_settings

Echo = Callable[[str], None]


def run_paused_flow(flow_fn: Callable[..., Any], kwargs: dict[str, Any], answer: Callable[[], Any],
                    timeout: float = 900.0) -> Any:
    """Run a flow in a thread; whenever it waits for input, call ``answer()`` (which resumes it); return its result."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = flow_fn(**kwargs)
        except BaseException as exc:  # surfaced to the caller below
            box["error"] = exc

    th = threading.Thread(target=target, name=f"demo-{getattr(flow_fn, 'name', 'flow')}", daemon=True)
    th.start()
    deadline = time.monotonic() + timeout
    while th.is_alive() and time.monotonic() < deadline:
        th.join(1.0)
        if th.is_alive():
            answer()
    if th.is_alive():
        raise TimeoutError(f"{getattr(flow_fn, 'name', flow_fn)} did not finish within {timeout:.0f} s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


def run_demo(echo: Echo) -> dict[str, Any]:
    """Ingest -> install the sample operator -> curate evidence (review answered) -> search -> plan."""
    from careeros.cli import app
    from careeros.cli.core import run_ingest, status_dict

    out: dict[str, Any] = {}
    echo("1/5 ingest-market-signals: taxonomies, wages, postings, demand")
    out["ingest"] = [{k: s.get(k) for k in ("source", "status", "rows_written", "rows_quarantined")}
                     for s in run_ingest()]

    echo("2/5 careeros init --sample: the synthetic sample operator")
    app(["init", "--sample", "--non-interactive", "--force"], standalone_mode=False)

    echo("3/5 curate-evidence: read, version, embed, link; the review pause is answered via resume_flow_run")
    from careeros.evidence.review import resume_review
    from flows.curate_evidence import curate_evidence

    answered: list[str] = []

    def accept_pending() -> None:
        r = resume_review(default="accept")
        if r:
            answered.append(str(r["flow_run_id"]))
            echo(f"    review answered for flow run {r['flow_run_id']} (accept all pending links)")

    cur = run_paused_flow(curate_evidence, {"poll_interval": 1, "review_timeout": 600}, accept_pending)
    out["curate"] = {k: cur.get(k) for k in ("items_read", "items_skipped", "pending_review", "review")}
    out["curate"]["answered_runs"] = answered

    echo("4/5 memory search: 'machine learning pipeline in Python'")
    from careeros.cli.memory import _store
    from careeros.memory.search import search

    store, emb = _store()
    hits = search(store, emb, "machine learning pipeline in Python", k=3)
    out["search"] = [{"score": round(h.score, 3), "title": h.title, "source": h.provenance.source_type,
                      "path": h.provenance.source_path, "version": h.provenance.version_sha256[:12]} for h in hits]
    for h in out["search"]:
        echo(f"    {h['score']:.3f} [{h['source']}] {h['title']}  ({h['path']} v{h['version']})")

    plan_step = _plan_step()
    if plan_step is not None:
        echo("5/5 recalculate-weekly-plan: propose, wait for approval (answered), publish markdown + .ics")
        out["plan"] = plan_step(echo)
    agents_step = _agents_step()
    if agents_step is not None:
        echo("6/6 run-agents: role agents on the plan; escalations answered via resume_flow_run; drafts only")
        out["agents"] = agents_step(echo)
    out["status"] = status_dict()["counts"]
    out["home"] = str(get_settings().home.resolve())
    return out


def _plan_step() -> Callable[[Echo], dict[str, Any]] | None:
    """The planning step when the planner flow is installed (it is optional while it is being built)."""
    try:
        from careeros.planner.demo import demo_plan_step
    except ModuleNotFoundError:
        return None
    return demo_plan_step


def _agents_step() -> Callable[[Echo], dict[str, Any]] | None:
    """The role-agents step when the agents flow is installed."""
    try:
        from careeros.agents.demo import demo_agents_step
    except ModuleNotFoundError:
        return None
    return demo_agents_step
