"""``careeros demo``: the main job end to end on the embedded sample operator.

A caller like every other command: it runs the flows and the same functions the other commands run
(``careeros ingest``, ``init --sample``, ``memory search``, ``report``), never the Typer app itself. Every human
pause is answered through ``flows.human`` (the one module for human decisions) with ``resume_flow_run``, as a
person would from the Prefect UI or ``careeros approvals``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable
from typing import Annotated, Any

import typer

from careeros.settings import DatasetsNotFoundError, get_settings

Echo = Callable[[str], None]


def register(app: typer.Typer) -> None:
    """Attach ``careeros demo`` to the main app."""

    @app.command()
    def demo(as_json: Annotated[bool, typer.Option("--json", help="Print the demo summary as JSON.")] = False) -> None:
        """Run the main job end to end on the embedded sample operator (ingest, curate, review, search, plan).

        Refuses a CAREEROS_HOME that holds your own profile (never overwrites it): use a separate home, e.g.
        CAREEROS_HOME=.careeros-demo. Decisions the demo answers are recorded as actor "demo".
        """
        from careeros.cli.core import _quiet_prefect
        from careeros.demo_home import DemoHomeError

        _quiet_prefect()
        try:
            out = run_demo(lambda msg: typer.echo(msg, err=True))
        except (DatasetsNotFoundError, DemoHomeError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        if as_json:
            typer.echo(json.dumps(out, indent=2, default=str))
        else:
            typer.echo(json.dumps(out["status"], indent=2, default=str))
            typer.echo(f"state: {out['home']}")
            typer.echo(f"plan: {(out.get('plan') or {}).get('published', {}).get('markdown')}")
            typer.echo(f"report: {out['report']}")
        sys.stdout.flush()


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
    """Ingest -> install the sample operator -> curate evidence (review answered) -> search -> plan -> agents -> report."""
    from careeros.cli.core import run_ingest, status_dict
    from careeros.cli.init_cmd import init_profile
    from careeros.cli.report import write_weekly_report
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
    init_profile(get_settings().home, sample=True, non_interactive=True, force=True)

    step("curate", "3/7 curate-evidence: read, version, embed, link; the review pause is answered via resume_flow_run")
    out["curate"] = _curate_step(echo)

    step("search", "4/7 memory search: 'machine learning pipeline in Python'")
    out["search"] = _search_step(echo)

    step("plan", "5/7 recalculate-weekly-plan: propose, wait for approval (answered), publish markdown + .ics")
    out["plan"] = _plan_step(echo)

    step("agents", "6/7 run-agents: role agents on the plan; escalations answered via resume_flow_run; drafts only")
    out["agents"] = _agents_step(echo)

    step("report", "7/7 report: metrics and a self-contained HTML report")
    report = get_settings().home / "reports" / "report.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    write_weekly_report(report)
    out["report"] = str(report.resolve())
    step("", "")
    out["seconds"] = seconds
    out["status"] = status_dict()["counts"]
    out["home"] = str(get_settings().home.resolve())
    return out


def _curate_step(echo: Echo) -> dict[str, Any]:
    """Run curate-evidence; accept every pending link of each review page it waits on (as a person would)."""
    from flows.curate_evidence import curate_evidence
    from flows.human import resume_review

    answered: list[str] = []

    def accept_pending() -> None:
        r = resume_review(default="accept")
        if r:
            answered.append(str(r["flow_run_id"]))
            echo(f"    review answered for flow run {r['flow_run_id']} (accept all pending links)")

    cur = run_paused_flow(curate_evidence, {"poll_interval": 1, "review_timeout": 600}, accept_pending)
    out = {k: cur.get(k) for k in ("items_read", "items_skipped", "pending_review", "review")}
    out["answered_runs"] = answered
    return out


def _search_step(echo: Echo) -> list[dict[str, Any]]:
    """Hybrid memory search, as ``careeros memory search`` runs it; every hit with its provenance."""
    from careeros.cli.memory import _store
    from careeros.memory.search import search

    store, emb = _store()
    hits = search(store, emb, "machine learning pipeline in Python", k=3)
    out = [{"score": round(h.score, 3), "title": h.title, "source": h.provenance.source_type,
            "path": h.provenance.source_path, "version": h.provenance.version_sha256[:12]} for h in hits]
    for h in out:
        echo(f"    {h['score']:.3f} [{h['source']}] {h['title']}  ({h['path']} v{h['version']})")
    return out


def _plan_step(echo: Echo) -> dict[str, Any]:
    """Run recalculate-weekly-plan ad hoc (pause), approve it via resume_flow_run, return what was published."""
    from careeros.planner.approval import PlanDecision
    from flows.human import resume, waiting_runs
    from flows.recalculate_weekly_plan import recalculate_weekly_plan

    def approve_waiting() -> None:
        for run in waiting_runs("recalculate-weekly-plan", describe=False):
            resume(run["flow_run_id"], PlanDecision(decision="approve", notes="approved by the demo operator"))
            echo(f"    plan approved for flow run {run['flow_run_id']}")

    out = run_paused_flow(recalculate_weekly_plan, {"poll_interval": 1, "timeout": 600, "mode": "pause"},
                          approve_waiting)
    pub = out.get("published") or {}
    if pub:
        echo(f"    published {pub.get('markdown')} and {pub.get('calendar')} ({pub.get('events')} work sessions)")
    return {"status": out.get("status"), "plan_id": out.get("plan_id"), "version": out.get("version"),
            "published": pub}


def _agents_step(echo: Echo) -> dict[str, Any]:
    """Run the run-agents flow; accept escalated outputs via resume_flow_run (as a person would); report."""
    from careeros.agents.models import AGENT_NAMES
    from flows.human import form_fields, resume, waiting_runs
    from flows.run_agents import run_agents

    def answer() -> None:
        for run in waiting_runs("run-agents", describe=False):
            if run.get("pause_key") != "agents-escalation":
                continue
            # the escalation form has one accept/reject choice per escalated agent (and a notes field)
            agents = [name for name in form_fields(run["flow_run_id"]) if name in AGENT_NAMES]
            resume(run["flow_run_id"], {**{a: "accept" for a in agents}, "notes": "demo"})
            echo(f"    escalation answered for flow run {run['flow_run_id']}: accepted {', '.join(agents)}")

    out = run_paused_flow(run_agents, {"poll_interval": 1, "timeout": 600}, answer)
    for r in out["runs"]:
        echo(f"    {r['agent']:<17} {r['status']:<18} confidence {r['effective_confidence']:.2f}")
    echo(f"    outputs in {out['folder']}; {len(out['drafts'])} outreach draft(s) in the outbox (not sent)")
    return {"run_id": out["run_id"], "folder": out["folder"], "drafts": len(out["drafts"]),
            "statuses": {r["agent"]: r["status"] for r in out["runs"]}, "seconds": out["seconds"]}
