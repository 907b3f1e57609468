"""The central orchestrator: runs the role agents, checks citations, escalates low confidence, alone writes.

* Each agent gets its typed input and untrusted data and returns a typed output through
  :func:`careeros.llm.complete_structured`; it has no handle on the outbox, the warehouse or other agents.
* Effective confidence = the output's confidence x the share of its citations that resolve to real rows
  (an output citing nothing, or inventing rows, cannot pass on a self-reported confidence).
* An output below its policy threshold (:data:`POLICY`) is escalated: a person accepts or rejects it (Prefect
  pause form, or the CLI prompt). Rejected or unanswered outputs have no side effects.
* Side effects happen here only: outreach drafts of an accepted output go to the Outbox **as drafts** (to
  addresses of the person's own contacts file only). Sending needs a person's decision per message
  (``careeros agents outreach review`` or the flow's outreach form) - never automatic.
* Outputs are stored as ``$CAREEROS_HOME/agents/<run_id>/<agent>.md`` and ``.json`` (and as Prefect markdown
  artifacts by the flow).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from careeros.agents import roles
from careeros.agents.checks import quality_issues
from careeros.agents.facts import Facts, resolve
from careeros.agents.models import AGENT_NAMES, ContactFact
from careeros.planner.gaps import brief_label
from careeros.redact import redact
from careeros.settings import Settings, get_settings, warehouse_file
from careeros.warehouse.db import connect, fetch_one

log = logging.getLogger("careeros.agents")

RunStatus = Literal["accepted", "escalated", "accepted_by_human", "rejected", "failed"]


@dataclass(frozen=True)
class Policy:
    """Per-agent escalation policy."""

    threshold: float
    side_effect: str


#: Effective confidence below the threshold -> a person accepts or rejects the output.
POLICY: dict[str, Policy] = {
    "strategist": Policy(0.55, "none (advice)"),
    "curriculum": Policy(0.55, "none (advice)"),
    "producer": Policy(0.5, "none (briefs as files)"),
    "outreach": Policy(0.6, "drafts into the outbox (sending always needs a person)"),
    "interview_prep": Policy(0.5, "none (advice)"),
    "evidence_curator": Policy(0.7, "none (proposals for the curate-evidence review)"),
}


class AgentRun(BaseModel):
    """One agent's output in a run, with its checks and status."""

    agent: str
    output: dict[str, Any] = Field(default_factory=dict)
    confidence: float = 0.0
    effective_confidence: float = 0.0
    citations_total: int = 0
    unresolved: list[str] = Field(default_factory=list)
    issues: list[str] = Field(default_factory=list, description="what a coach would not sign (see agents.checks)")
    threshold: float = 0.0
    escalated: bool = False
    status: RunStatus = "accepted"
    decision: dict[str, Any] | None = None
    llm: dict[str, Any] = Field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None


class AgentsReport(BaseModel):
    """The merged outcome of one ``run-agents`` run."""

    run_id: str
    started_at: datetime
    plan: str
    runs: list[AgentRun]
    drafts: list[str] = Field(default_factory=list, description="outbox message ids created as drafts")
    folder: str | None = None
    seconds: float = 0.0
    agents_seconds: float = 0.0

    def by_agent(self) -> dict[str, AgentRun]:
        """Runs keyed by agent name."""
        return {r.agent: r for r in self.runs}


# ------------------------------------------------------------------------------------------ running


def agent_names(selected: Sequence[str] | None = None) -> list[str]:
    """The agents to run, in the canonical order; unknown names are an error."""
    if not selected:
        return list(AGENT_NAMES)
    bad = [a for a in selected if a not in roles.AGENTS]
    if bad:
        raise ValueError(f"unknown agent(s) {bad}; choose from {list(AGENT_NAMES)}")
    return [a for a in AGENT_NAMES if a in selected]


def run_agent(name: str, facts: Facts, run_id: str, home: Path, thresholds: Mapping[str, float] | None = None,
              settings: Settings | None = None) -> AgentRun:
    """Run one agent through the LLM layer, resolve its citations, decide whether it must be escalated."""
    from careeros.llm import complete_structured

    spec = roles.AGENTS[name]
    roles.register(spec)  # the registry is process-global: make sure this agent's offline answer is the one used
    threshold = float((thresholds or {}).get(name, POLICY[name].threshold))
    t0 = time.perf_counter()
    inp, untrusted = spec.build(facts)
    try:
        res = complete_structured(name, spec.tier, spec.template, {"input": inp.model_dump(mode="json")},
                                  spec.output_model, run_id, untrusted=untrusted, settings=settings)
    except Exception as exc:  # noqa: BLE001 - one failing agent does not stop the others
        log.warning("agent %s failed: %s", name, exc)
        return AgentRun(agent=name, threshold=threshold, escalated=False, status="failed",
                        error=f"{type(exc).__name__}: {exc}"[:500], seconds=time.perf_counter() - t0)
    out = res.output
    refs = list(dict.fromkeys(c.ref for c in out.rationale))
    ok = resolve(refs, home, facts.contacts_file) if refs else {}
    unresolved = [r for r, good in ok.items() if not good]
    share = (len(refs) - len(unresolved)) / len(refs) if refs else 0.0
    dumped = out.model_dump(mode="json")
    issues = quality_issues(name, dumped, facts)
    # an output with issues a coach would not sign is never accepted on its self-reported confidence alone
    eff = round(out.confidence * share * (0.5 if issues else 1.0), 4)
    esc = eff < threshold or bool(issues)
    return AgentRun(agent=name, output=dumped, confidence=out.confidence, effective_confidence=eff,
                    citations_total=len(refs), unresolved=unresolved, issues=issues, threshold=threshold, escalated=esc,
                    status="escalated" if esc else "accepted", llm=res.artifact_note(),
                    seconds=round(time.perf_counter() - t0, 4))


# ------------------------------------------------------------------------------------------ escalation

def escalation_form(runs: Sequence[AgentRun]) -> type[BaseModel]:
    """The escalation form: one required accept/reject choice per escalated output.

    No default: an empty answer is refused by the server (the run stays paused) instead of deciding anything.
    No name field: the decision is recorded as the home's identity (:func:`careeros.settings.approver_identity`).
    The flow asks with its Prefect twin, ``flows.human.run_input(form, name="AgentsEscalation")``.
    """
    from pydantic import create_model

    fields: dict[str, Any] = {
        r.agent: (Literal["accept", "reject"], Field(
            title=f"{r.agent}: confidence {r.effective_confidence:.2f} < {r.threshold:.2f}",
            description=POLICY[r.agent].side_effect)) for r in runs}
    fields["notes"] = (str, Field(default="", title="Notes"))
    return create_model("AgentsEscalation", **fields)


#: longest output text shown in an escalation description (the full output is in the run folder)
ESCALATION_OUTPUT_CHARS = 6000


def escalation_markdown(runs: Sequence[AgentRun], run_id: str) -> str:
    """Markdown above the escalation form: per escalated output, why, what accepting it does, and the output itself."""
    lines = ["## Agent outputs waiting for your decision", f"run `{run_id}`", "",
             "| agent | confidence | threshold | unresolved citations | on accept |", "|---|---|---|---|---|"]
    for r in runs:
        lines.append(f"| {r.agent} | {r.effective_confidence:.2f} (self {r.confidence:.2f}) | {r.threshold:.2f} | "
                     f"{len(r.unresolved)} of {r.citations_total} | {POLICY[r.agent].side_effect} |")
    lines.append("")
    for r in runs:
        missing = r.output.get("insufficient_data") or []
        if missing:
            lines.append(f"- **{r.agent}** is missing: {'; '.join(missing)}")
        if r.issues:
            lines.append(f"- **{r.agent}** has issues: {'; '.join(r.issues)}")
    lines += ["", "Accept or reject each output (there is no default: choose one for each). Outreach drafts are never "
                  "sent from here: each message needs its own decision (`careeros agents outreach review`).", ""]
    for r in runs:
        lines += [f"### What you are asked to accept: {r.agent}", "", output_text(r, ESCALATION_OUTPUT_CHARS), ""]
    return "\n".join(lines)


def output_text(r: AgentRun, limit: int | None = None) -> str:
    """The human part of an output (no header, no citations), cut at ``limit`` characters on a line boundary."""
    body = agent_markdown(r, "", citations=False).split("\n", 2)
    text = body[2].strip() if len(body) > 2 else ""
    if not text:
        return "(no output: " + (r.error or "the agent produced nothing") + ")"
    if limit is not None and len(text) > limit:
        cut = text[:limit].rsplit("\n", 1)[0]
        text = cut + f"\n\n... ({len(text) - len(cut)} more characters in the run folder)"
    return text


def apply_decisions(home: Path, run_id: str, runs: list[AgentRun], answer: Mapping[str, Any] | None,
                    channel: str = "prefect-form", actor: str | None = None) -> list[AgentRun]:
    """Record a person's accept/reject per escalated output (decision_log, idempotent per run and agent).

    No answer (timed out) leaves outputs escalated, which means not applied. The decision is recorded as
    ``actor`` (default: the home's identity, ``CAREEROS_APPROVER`` or the OS user); an ``approver`` typed into
    the answer is ignored. A machine identity cannot accept.
    """
    from careeros.demo_home import decision_actor
    from careeros.outbox.models import MACHINE_ACTORS
    from careeros.settings import approver_identity

    actor = actor or decision_actor(Path(home), default=approver_identity())
    answer = dict(answer or {})
    approver = actor.strip()
    human_ok = bool(approver) and approver.lower() not in MACHINE_ACTORS
    out = []
    with connect(warehouse_file(home)) as con:
        for r in runs:
            if not r.escalated:
                out.append(r)
                continue
            item = f"agents:{run_id}/{r.agent}"
            row = fetch_one(con.execute("SELECT action, facts_json FROM decision_log WHERE item_id = ? AND action "
                                        "LIKE 'agents.%' ORDER BY decided_at DESC LIMIT 1", [item]))
            if row is not None:
                choice = str(row[0]).removeprefix("agents.")
                facts = json.loads(row[1] or "{}")
            elif r.agent in answer:
                choice = str(answer[r.agent])
                if choice == "accept" and not human_ok:
                    choice = "reject"  # an accept without a human approver does not count
                facts = {"approver": approver or None, "channel": channel, "notes": answer.get("notes") or "",
                         "threshold": r.threshold, "effective_confidence": r.effective_confidence}
                con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, confidence, "
                            "facts_json, run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [uuid.uuid4().hex, datetime.now(UTC), approver, f"agents.{choice}", item,
                             r.effective_confidence,
                             json.dumps(facts), run_id])
            else:
                out.append(r)
                continue
            status: RunStatus = "accepted_by_human" if choice == "accept" else "rejected"
            out.append(r.model_copy(update={"status": status, "decision": {"decision": choice, **facts}}))
    return out


def applied(run: AgentRun) -> bool:
    """True when the output may have its side effects (accepted by policy or by a person)."""
    return run.status in ("accepted", "accepted_by_human")


# ------------------------------------------------------------------------------------------ side effects


def queue_outreach(run_id: str, runs: Sequence[AgentRun], contacts: Sequence[ContactFact],
                   settings: Settings | None = None) -> list[str]:
    """Put the drafts of an applied outreach output into the Outbox as drafts (own contacts only)."""
    from pydantic import ValidationError

    from careeros.outbox import Draft, Outbox

    run = next((r for r in runs if r.agent == "outreach"), None)
    if run is None or not applied(run):
        return []
    known = {c.contact_id: c.email.lower() for c in contacts}
    ob = Outbox(settings)
    ids = []
    for d in run.output.get("drafts") or []:
        to = str(d.get("to", "")).strip()
        cid = str(d.get("contact_id", ""))
        if known.get(cid) != to.lower():
            log.warning("outreach draft to %s refused: not an address from the contacts file", cid or "?")
            continue
        try:
            draft = Draft(draft_id=f"agents:{run_id}:{cid}", to=to, subject=str(d.get("subject", "")),
                          body=str(d.get("body", "")), purpose="outreach", run_id=run_id)
        except ValidationError as exc:
            log.warning("outreach draft to %s refused: %s", cid, str(exc).splitlines()[0])
            continue
        ids.append(ob.add_draft(draft).message_id)
    return ids


def _who(m: Any) -> str:
    """A message's recipient as form titles show it: the contact id, never the address."""
    cid = str(m.draft_id).rsplit(":", 1)[-1] if str(m.draft_id).startswith("agents:") else ""
    return f"contact {cid}" if cid else f"message {m.message_id[:8]}"


def outreach_form(message_ids: Sequence[str], settings: Settings | None = None) -> type[BaseModel]:
    """The outreach review form: a required keep/send/drop choice per drafted message; no name field.

    Field titles name the contact by id, never by address (titles are stored on the Prefect server). The flow asks
    with its Prefect twin, ``flows.human.run_input(form, name="OutreachReview")``.
    """
    from pydantic import create_model

    from careeros.outbox import Outbox

    ob = Outbox(settings)
    fields: dict[str, Any] = {}
    for mid in message_ids:
        m = ob.get(mid)
        if m is None or m.status != "drafted":
            continue
        fields[f"m_{mid}"] = (Literal["keep", "send", "drop"], Field(title=redact(f"{_who(m)}: {m.subject}")))
    return create_model("OutreachReview", **fields)


def outreach_markdown(message_ids: Sequence[str], settings: Settings | None = None) -> str:
    """The drafts in full above the outreach form."""
    from careeros.outbox import Outbox

    ob = Outbox(settings)
    lines = ["## Outreach drafts", "Choose send, drop or keep (decide later) per message. Nothing is sent without "
             "your choice; without SMTP configured a sent message stays an .eml file.", ""]
    for mid in message_ids:
        m = ob.get(mid)
        if m is not None:
            lines += [f"### To {m.recipient}: {m.subject}", "```", m.body, "```", ""]
    return "\n".join(lines)


def apply_outreach_review(answer: Mapping[str, Any], channel: str = "prefect-form",
                          settings: Settings | None = None, actor: str | None = None) -> dict[str, str]:
    """Apply per-message decisions from the outreach form (a person's); send only what they chose to send.

    Recorded as ``actor`` (default the home's identity); an ``approver`` typed into the answer is ignored.
    """
    from careeros.outbox import Outbox, human_decision
    from careeros.settings import approver_identity

    approver = (actor or approver_identity(settings)).strip()
    ob = Outbox(settings)
    out: dict[str, str] = {}
    for key, val in answer.items():
        if not key.startswith("m_") or val == "keep":
            continue
        mid = key[2:]
        if not approver:
            out[mid] = "kept (no approver name)"
            continue
        try:
            ob.decide(human_decision(mid, val, approver, channel=channel))
        except ValueError as exc:  # a machine name is not a person
            out[mid] = f"refused: {exc}"
            continue
        out[mid] = val if val == "drop" else ob.send(mid).status
    return out


# ------------------------------------------------------------------------------------------ storage


def week_ranges(weeks: list[int]) -> str:
    """Plan weeks as a person reads them: [4, 5, 6, 7, 9] -> "4-7, 9"."""
    ws = sorted(set(int(w) for w in weeks))
    runs: list[list[int]] = []
    for w in ws:
        if runs and w == runs[-1][-1] + 1:
            runs[-1].append(w)
        else:
            runs.append([w])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def agent_markdown(r: AgentRun, run_id: str, citations: bool = True) -> str:
    """One agent's output as markdown (the Prefect artifact, the .md file and the escalation description)."""
    o = r.output
    lines = [f"## {r.agent}  ({r.status})", f"run `{run_id}` - confidence {r.effective_confidence:.2f} "
             f"(self-reported {r.confidence:.2f}, threshold {r.threshold:.2f}); "
             f"{r.citations_total - len(r.unresolved)}/{r.citations_total} citations resolve; "
             f"{r.llm.get('provider', '-')} {r.llm.get('model', '')}" + (" DEGRADED: " + str(r.llm.get("reason"))
                                                                          if r.llm.get("degraded") else ""), ""]
    if r.error:
        lines.append(f"**failed:** {r.error}")
    if r.agent == "strategist" and o:
        lines += [f"**Focus:** {o['focus']}"] + [f"- {w}" for w in o.get("why") or []] + ["", "### Milestones"]
        for m in o["milestones"]:
            lines.append(f"- **{m['title']}** (weeks {', '.join(map(str, m['weeks']))})")
            lines += [f"  - check: {v}" for v in m["verification"]]
        lines += ["", "### Risks"] + [f"- [{x['likelihood']}] {x['risk']}. What to do: {x['mitigation']}"
                                      for x in o["risks"]]
    elif r.agent == "curriculum" and o:
        if o.get("paths"):
            lines.append("### How to close each gap")
            for p in o["paths"]:
                one = len(set(p.get("weeks") or [])) == 1
                when = (f" ({'week' if one else 'weeks'} {week_ranges(p['weeks'])}: {p['hours']:g} h of study and "
                        "work that uses it)" if p.get("weeks") else "")
                lines += [f"**{brief_label(str(p['skill']))}** for {p['role']}{when}"]
                lines += [f"{n}. {t}" for n, t in enumerate(p["topics"], 1)]
                lines += [f"- Practice: {p['practice']}", f"- Checkpoint: {p['checkpoint']}", ""]
        lines += ["### Plan steps in order", "| # | week | kind | step | what it leaves behind |", "|---|---|---|---|---|"]
        lines += [f"| {s['order']} | {s['week']} | {s['kind']} | {s['title']} | {s['evidence_created']} |"
                  for s in o["steps"]]
        if o.get("skills_without_evidence_path"):
            lines.append(f"\nNo step yet shows: {', '.join(o['skills_without_evidence_path'])}")
    elif r.agent == "producer" and o:
        for b in o["briefs"]:
            where = "Repository" if b.get("workspace", "repository") == "repository" else "Folder"
            lines += [f"### {b['title']}", f"Scope: {b['scope']}", f"{where}: `{b['repo_name']}`", "",
                      "Done when:"] + [f"- [ ] {a}" for a in b["acceptance"]] + ["", "README:", "```markdown",
                                                                               b["readme"], "```", ""]
    elif r.agent == "outreach" and o:
        lines += ["| contact | company | score | why |", "|---|---|---|---|"]
        lines += [f"| {c['name']} | {c['company']} | {c['score']:.2f} | {'; '.join(c['reasons'])} |" for c in o["ranked"]]
        lines += ["", "### Drafts (not sent; each needs your decision)"]
        for d in o["drafts"]:
            lines += [f"**To** {d['to']} - **{d['subject']}**", "```", d["body"], "```"]
    elif r.agent == "interview_prep" and o:
        lines += [f"### Questions for {o['role']}"] + [f"- ({q['kind']}) {q['question']}" for q in o["questions"]]
        lines += ["", "### STAR stories from your resume"]
        for s in o["stories"]:
            lines += [f"- **{s['title']}**" + (f" ({', '.join(s['skills'])})" if s["skills"] else "")]
            if s.get("source_text"):
                lines.append(f"  - From your resume: \"{s['source_text']}\"")
            lines += [f"  - S: {s['situation']}", f"  - T: {s['task']}", f"  - A: {s['action']}",
                      f"  - R: {s['result']}"]
            lines += [f"  - Use it for: {a}" for a in s.get("answers") or []]
        if o.get("weak_spots"):
            lines.append(f"\nWeak spots to rehearse: {', '.join(o['weak_spots'])}")
    elif r.agent == "evidence_curator" and o:
        lines += ["| link | skill | proposal | reason |", "|---|---|---|---|"]
        lines += [f"| `{p['link_id']}` | {p.get('skill_label') or p['skill_id']} | {p['proposal']} | {p['reason']} |"
                  for p in o["proposals"]]
        lines.append("\nProposals only: decide them in the curate-evidence review (`careeros evidence review`).")
    if o.get("insufficient_data"):
        lines.append("\nMissing data: " + "; ".join(o["insufficient_data"]))
    if r.issues:
        lines.append("\nIssues found by the checks: " + "; ".join(r.issues))
    if citations and o.get("rationale"):
        lines += ["", "<details><summary>Citations</summary>", ""]
        lines += [f"- `{c['ref']}` {c['note']}" + (" (UNRESOLVED)" if c["ref"] in r.unresolved else "")
                  for c in o["rationale"]]
        lines += ["", "</details>"]
    return "\n".join(lines)


def write_outputs(home: Path, report: AgentsReport) -> Path:
    """``$CAREEROS_HOME/agents/<run_id>/<agent>.md|.json`` plus ``report.json`` (rewritten atomically)."""
    folder = Path(home) / "agents" / report.run_id
    folder.mkdir(parents=True, exist_ok=True)
    for r in report.runs:
        for suffix, text in ((".json", r.model_dump_json(indent=2)), (".md", agent_markdown(r, report.run_id))):
            tmp = folder / f".{r.agent}{suffix}.tmp"
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(folder / f"{r.agent}{suffix}")
    (folder / "report.json").write_text(report.model_dump_json(indent=2), encoding="utf-8")
    return folder


def summary_markdown(report: AgentsReport) -> str:
    """The run in one table."""
    lines = ["## Agents", f"run `{report.run_id}` on plan `{report.plan}`: {report.seconds:.1f} s "
             f"(agents {report.agents_seconds:.2f} s)", "", "| agent | status | confidence | threshold | provider |",
             "|---|---|---|---|---|"]
    lines += [f"| {r.agent} | {r.status} | {r.effective_confidence:.2f} | {r.threshold:.2f} | "
              f"{r.llm.get('provider', '-')}{' (degraded)' if r.llm.get('degraded') else ''} |" for r in report.runs]
    lines.append(f"\n{len(report.drafts)} outreach draft(s) in the outbox, none sent.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ without Prefect


def run_all(home: Path, profile: Any, agents: Sequence[str] | None = None, run_id: str | None = None,
            decide: Callable[[list[AgentRun]], Mapping[str, Any] | None] | None = None,
            thresholds: Mapping[str, float] | None = None, facts: Facts | None = None) -> AgentsReport:
    """The orchestration as plain functions (the CLI; the flow calls the same pieces as tasks).

    ``decide(escalated_runs)`` returns the person's answers (``{agent: accept|reject, approver: ...}``) or None
    to leave them escalated.
    """
    from careeros.agents.facts import gather
    from careeros.warehouse.provenance import new_run_id

    t0 = time.perf_counter()
    run_id = run_id or new_run_id()
    started = datetime.now(UTC)
    names = agent_names(agents)
    facts = facts or gather(Path(home), profile, run_id, memory=any(a in names for a in ("interview_prep", "outreach")))
    runs = [run_agent(n, facts, run_id, Path(home), thresholds) for n in names]
    agents_s = sum(r.seconds for r in runs)
    esc = [r for r in runs if r.escalated]
    if esc and decide is not None:
        runs = apply_decisions(Path(home), run_id, runs, decide(esc), channel="cli")
    drafts = queue_outreach(run_id, runs, facts.contacts)
    report = AgentsReport(run_id=run_id, started_at=started, plan=f"{facts.plan.plan_id}@v{facts.plan.version}",
                          runs=runs, drafts=drafts, seconds=round(time.perf_counter() - t0, 3),
                          agents_seconds=round(agents_s, 3))
    report.folder = str(write_outputs(Path(home), report))
    return report


def settings_home() -> Path:
    """$CAREEROS_HOME."""
    return get_settings().home


# ------------------------------------------------------------------------------------------ review


def pending_escalations(home: Path) -> list[dict[str, Any]]:
    """Escalated outputs of stored runs that nobody has accepted or rejected yet, newest run first, with their text."""
    folder = Path(home) / "agents"
    if not folder.is_dir():
        return []
    reports = []
    for path in folder.glob("*/report.json"):
        try:
            reports.append(AgentsReport.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            log.warning("agents review: %s unreadable (%s)", path, str(exc).splitlines()[0][:120])
    esc = [(rep, r) for rep in reports for r in rep.runs if r.status == "escalated"]
    if not esc:
        return []
    decided: set[str] = set()
    wh = warehouse_file(home)
    if wh.is_file():
        with connect(wh, read_only=True) as con:
            decided = {str(i) for (i,) in con.execute(
                "SELECT DISTINCT item_id FROM decision_log WHERE action LIKE 'agents.%'").fetchall()}
    out = []
    for rep, r in sorted(esc, key=lambda x: (x[0].started_at, x[1].agent), reverse=True):
        if f"agents:{rep.run_id}/{r.agent}" in decided:
            continue
        out.append({"run_id": rep.run_id, "agent": r.agent, "started_at": rep.started_at.isoformat(),
                    "plan": rep.plan, "effective_confidence": r.effective_confidence, "threshold": r.threshold,
                    "on_accept": POLICY[r.agent].side_effect if r.agent in POLICY else "",
                    "missing": list(r.output.get("insufficient_data") or []), "text": output_text(r),
                    "source": "run folder", "flow_run_id": None})
    return out


def decide_escalation(home: Path, run_id: str, agent: str, choice: Literal["accept", "reject"], approver: str,
                      contacts: Sequence[ContactFact] = ()) -> AgentRun:
    """A person's decision on one escalated output of a stored run (the CLI twin of the pause form).

    Recorded in decision_log like the form's answer; an accepted outreach output queues its drafts (drafts only).
    """
    path = Path(home) / "agents" / run_id / "report.json"
    if not path.is_file():
        raise FileNotFoundError(f"no stored agents run {run_id!r} under {Path(home) / 'agents'}")
    report = AgentsReport.model_validate_json(path.read_text(encoding="utf-8"))
    run = report.by_agent().get(agent)
    if run is None or run.status != "escalated":
        raise ValueError(f"{agent} of run {run_id} is not waiting for a decision")
    runs = apply_decisions(Path(home), run_id, report.runs, {agent: choice, "approver": approver}, channel="cli")
    drafts = queue_outreach(run_id, [r for r in runs if r.agent == agent], contacts) if agent == "outreach" else []
    report = report.model_copy(update={"runs": runs, "drafts": list(dict.fromkeys([*report.drafts, *drafts]))})
    write_outputs(Path(home), report)
    return report.by_agent()[agent]
