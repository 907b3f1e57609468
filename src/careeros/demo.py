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
    from careeros.demo_home import claim

    claim(get_settings().home)  # refuses a home holding someone's profile; marks this one: actor "demo"
    out: dict[str, Any] = {}
    seconds: dict[str, float] = {}
    clock: dict[str, Any] = {"step": "", "t0": time.perf_counter()}

    def step(name: str, text: str) -> None:
        """Close the previous step's clock, start ``name``'s and say what it does."""
        now = time.perf_counter()
        if clock["step"]:
            seconds[str(clock["step"])] = round(now - float(clock["t0"]), 1)
        clock.update(step=name, t0=now)
        if text:
            echo(text)

    step("ingest", "1/7 ingest-market-signals: taxonomies, wages, postings, demand")
    out["ingest"] = [{k: s.get(k) for k in ("source", "status", "rows_written", "rows_quarantined")}
                     for s in run_ingest()]

    step("init", "2/7 careeros init --sample: the synthetic sample operator")
    app(["init", "--sample", "--non-interactive", "--force"], standalone_mode=False)

    step("curate", "3/7 curate-evidence: read, version, embed, link; the review pause is answered via resume_flow_run")
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

    step("search", "4/7 memory search: 'machine learning pipeline in Python'")
    from careeros.cli.memory import _store
    from careeros.memory.search import search

    store, emb = _store()
    hits = search(store, emb, "machine learning pipeline in Python", k=3)
    out["search"] = [{"score": round(h.score, 3), "title": h.title, "source": h.provenance.source_type,
                      "path": h.provenance.source_path, "version": h.provenance.version_sha256[:12]} for h in hits]
    for h in out["search"]:
        echo(f"    {h['score']:.3f} [{h['source']}] {h['title']}  ({h['path']} v{h['version']})")

    step("plan", "5/7 recalculate-weekly-plan: propose, wait for approval (answered), publish markdown + .ics")
    from careeros.planner.demo import demo_plan_step

    out["plan"] = demo_plan_step(echo)

    step("agents", "6/7 run-agents: role agents on the plan; escalations answered via resume_flow_run; drafts only")
    from careeros.agents.demo import demo_agents_step

    out["agents"] = demo_agents_step(echo)

    step("report", "7/7 report: metrics and a self-contained HTML report")
    report = get_settings().home / "reports" / "report.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    app(["report", "--out", str(report)], standalone_mode=False)
    out["report"] = str(report.resolve())
    step("", "")
    out["seconds"] = seconds
    out["status"] = status_dict()["counts"]
    out["home"] = str(get_settings().home.resolve())
    return out
