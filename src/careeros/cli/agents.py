"""``careeros agents ...``: run the role agents; review outreach drafts message by message."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

app = typer.Typer(no_args_is_help=True)
outreach_app = typer.Typer(no_args_is_help=True)
app.add_typer(outreach_app, name="outreach", help="Outreach drafts: review each message (send / edit / drop).")


def _profile() -> Any:
    from careeros.planner.approval import default_profile_path
    from careeros.profile import load_profile
    from careeros.settings import get_settings

    return load_profile(default_profile_path(get_settings().home))


@app.command("run")
def run(
    agent: Annotated[list[str] | None, typer.Option("--agent", help="Run only this agent (repeatable): strategist, "
                                                    "curriculum, producer, outreach, interview_prep, evidence_curator.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON (never prompts).")] = False,
    decide: Annotated[bool, typer.Option("--decide/--no-decide", help="Ask accept/reject for escalated outputs "
                                         "(interactive terminals only).")] = True,
) -> None:
    """Run the role agents on your plan, evidence and contacts; outputs go to CAREEROS_HOME/agents/<run_id>/.

    Outputs below their confidence threshold are escalated: you accept or reject them here (or they stay
    unapplied). Outreach drafts of an accepted output land in the outbox as drafts; nothing is sent.
    """
    import sys

    from careeros.agents.orchestrator import output_text, run_all
    from careeros.settings import get_settings

    interactive = decide and not as_json and sys.stdin.isatty()

    def ask(escalated: list[Any]) -> dict[str, Any] | None:
        if not interactive:
            return None
        typer.echo("Escalated outputs (below their confidence threshold):")
        answers: dict[str, Any] = {}
        for r in escalated:
            missing = "; ".join(r.output.get("insufficient_data") or []) or "-"
            typer.echo(f"  {r.agent}: confidence {r.effective_confidence:.2f} < {r.threshold:.2f} (missing: {missing})")
            typer.echo("\n" + output_text(r) + "\n")
            answers[r.agent] = "accept" if typer.confirm(f"  accept the {r.agent} output?", default=False) else "reject"
        return answers  # recorded as the home's identity (CAREEROS_APPROVER or the OS user)

    try:
        report = run_all(get_settings().home, _profile(), agents=agent or None, decide=ask)
    except (ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    typer.echo(f"agents run {report.run_id} on {report.plan} ({report.seconds:.1f} s)")
    for r in report.runs:
        typer.echo(f"  {r.agent:<17} {r.status:<18} confidence {r.effective_confidence:.2f} (threshold {r.threshold:.2f})"
                   + (f"  {r.error}" if r.error else ""))
    typer.echo(f"outputs: {report.folder}")
    if report.drafts:
        typer.echo(f"{len(report.drafts)} outreach draft(s) in the outbox: review with `careeros agents outreach review`")


@app.command("review")
def review_escalations(
    as_json: Annotated[bool, typer.Option("--json", help="Print the pending escalations as JSON.")] = False,
    prefect: Annotated[bool | None, typer.Option("--prefect/--no-prefect", help="Also list run-agents flow runs "
                                                 "paused for a decision (default: when PREFECT_API_URL is set).")] = None,
    accept: Annotated[str | None, typer.Option("--accept", help="Accept this agent's output of --run.")] = None,
    reject: Annotated[str | None, typer.Option("--reject", help="Reject this agent's output of --run.")] = None,
    run_id: Annotated[str | None, typer.Option("--run", help="The stored run the decision is for.")] = None,
    approver: Annotated[str | None, typer.Option(
        "--approver", help="Ignored: decisions are recorded as CAREEROS_APPROVER, else your OS user.")] = None,
) -> None:
    """List agent outputs waiting for your decision, each with the full text you would accept.

    Outputs below their confidence threshold are escalated. Stored runs (from `careeros agents run`) are read
    from CAREEROS_HOME/agents/; paused `run-agents` flow runs are answered in the Prefect UI or with
    `careeros approvals`.
    """
    import os

    from careeros.agents.orchestrator import decide_escalation, pending_escalations
    from careeros.settings import get_settings

    if accept or reject:
        if (accept and reject) or not run_id:
            typer.echo("error: give one of --accept/--reject AGENT and --run RUN_ID", err=True)
            raise typer.Exit(2)
        from careeros.agents.facts import load_contacts
        from careeros.settings import approver_identity

        who = approver_identity()  # the home's identity, never a typed name (issue: trustworthy approvals)
        if approver and approver.strip() != who:
            typer.echo(f"note: --approver is ignored; decisions are recorded as {who!r} (set CAREEROS_APPROVER)",
                       err=True)
        agent = str(accept or reject)
        try:
            done = decide_escalation(get_settings().home, run_id, agent, "accept" if accept else "reject", who,
                                     load_contacts(_profile().contacts_file)[0] if agent == "outreach" else [])
        except (ValueError, FileNotFoundError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"{agent} of run {run_id}: {done.status}")
        return
    items = pending_escalations(get_settings().home)
    if prefect is None:
        prefect = bool(os.environ.get("PREFECT_API_URL"))
    if prefect:
        from careeros.cli.approvals import waiting_runs

        for run in waiting_runs("run-agents"):
            if run.get("pause_key") != "agents-escalation":
                continue
            items.append({"run_id": run["flow_run_id"], "agent": None, "started_at": run.get("since"),
                          "plan": None, "effective_confidence": None, "threshold": None, "on_accept": "",
                          "missing": [], "text": run.get("description") or "", "source": "prefect",
                          "flow_run_id": run["flow_run_id"]})
    if as_json:
        typer.echo(json.dumps(items, indent=2))
        return
    if not items:
        typer.echo("no agent outputs waiting for a decision")
        return
    for n, it in enumerate(items, 1):
        if it["source"] == "prefect":
            typer.echo(f"\n=== [{n}/{len(items)}] paused flow run {it['flow_run_id']} (answer in the Prefect UI or "
                       f"`careeros approvals show {it['flow_run_id']}`)\n")
        else:
            typer.echo(f"\n=== [{n}/{len(items)}] {it['agent']} from run {it['run_id']} ({it['started_at'][:16]}): "
                       f"confidence {it['effective_confidence']:.2f} < {it['threshold']:.2f}; on accept: "
                       f"{it['on_accept']}\n")
        typer.echo(it["text"])


@outreach_app.command("review")
def review(
    approver: Annotated[str | None, typer.Option(
        "--approver", help="Ignored: decisions are recorded as CAREEROS_APPROVER, else your OS user.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="List the drafts as JSON and exit (no decisions).")] = False,
) -> None:
    """Go through the outreach drafts one by one: send, edit (then send), drop or skip.

    Only your answers here approve a message; without SMTP configured an approved message stays an .eml file.
    """
    from careeros.outbox import Outbox, human_decision

    ob = Outbox()
    drafts = [m for m in ob.messages("drafted") if (m.purpose or "outreach") == "outreach"]
    if as_json:
        typer.echo(json.dumps([m.model_dump(mode="json") for m in drafts], indent=2))
        return
    if not drafts:
        typer.echo("no outreach drafts waiting (run `careeros agents run`)")
        return
    from careeros.settings import approver_identity

    who = approver_identity()
    if approver and approver.strip() != who:
        typer.echo(f"note: --approver is ignored; decisions are recorded as {who!r} (set CAREEROS_APPROVER)", err=True)
    done: dict[str, int] = {"send": 0, "edit": 0, "drop": 0, "skip": 0}
    for n, m in enumerate(drafts, 1):
        typer.echo(f"\n[{n}/{len(drafts)}] To: {m.recipient}\nSubject: {m.subject}\n\n{m.body}\n")
        choice = typer.prompt("send / edit / drop / skip", default="skip").strip().lower()
        if choice not in done:
            typer.echo("  unknown choice: skipped")
            choice = "skip"
        if choice == "skip":
            done["skip"] += 1
            continue
        try:
            if choice == "edit":
                subject = typer.prompt("Subject", default=m.subject)
                import click

                body = click.edit(m.body) or m.body
                msg = ob.decide(human_decision(m.message_id, "edit", who, subject=subject, body=body, channel="cli"))
            else:
                msg = ob.decide(human_decision(m.message_id, choice, who, channel="cli"))  # type: ignore[arg-type]
        except ValueError as exc:
            typer.echo(f"  refused: {exc}", err=True)
            raise typer.Exit(2) from exc
        done[choice] += 1
        if choice in ("send", "edit"):
            rep = ob.send(msg.message_id)
            typer.echo(f"  {rep.status}" + (f" ({rep.error})" if rep.error else ""))
        else:
            typer.echo("  dropped")
    typer.echo(" ".join(f"{k}={v}" for k, v in done.items()))


@outreach_app.command("history")
def outreach_history(
    draft_id: Annotated[str | None, typer.Argument(help="One draft's id (default: every draft).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the versions as JSON.")] = False,
) -> None:
    """Every version of the outreach drafts: the agent's text, each edit, who decided what and when."""
    from careeros.outbox import Outbox

    rows = Outbox().history(draft_id)
    if as_json:
        typer.echo(json.dumps([m.model_dump(mode="json") for m in rows], indent=2))
        return
    if not rows:
        typer.echo("no outreach drafts" + (f" with id {draft_id}" if draft_id else ""))
        return
    for m in rows:
        who = f" by {m.approver}" if m.approver else ""
        typer.echo(f"{m.draft_id} v{m.draft_version} {m.status:<8} {m.decision or '-':<6}{who}  {m.message_id}  "
                   f"to {m.recipient}: {m.subject}")


@outreach_app.command("retract")
def outreach_retract(
    message_id: Annotated[str, typer.Argument(help="An approved message that has not been sent yet.")],
    note: Annotated[str | None, typer.Option("--note", help="Why (kept in the decision log).")] = None,
) -> None:
    """Withdraw your approval of a message before it is sent (it is kept, marked dropped)."""
    from careeros.outbox import Outbox, OutboxError, human_decision
    from careeros.settings import approver_identity

    try:
        msg = Outbox().retract(human_decision(message_id, "drop", approver_identity(), channel="cli",
                                              note=note or "retracted before sending"))
    except OutboxError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"retracted: {msg.message_id} to {msg.recipient} is now {msg.status}")
