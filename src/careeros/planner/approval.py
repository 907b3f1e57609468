"""Plan versions and approvals: the typed approval form, change requests, stored versions, plan status.

Storage functions take an open (writable) DuckDB connection. A proposal is keyed by (run_id, round) so a
flow that re-runs from the top after a suspend reuses the stored proposal instead of creating a new one.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from careeros.planner.plan import Plan, PlanOverrides, diff_plans
from careeros.profile import Profile
from careeros.resources import data_path
from careeros.settings import warehouse_file
from careeros.warehouse.db import fetch_one, table_exists

Decision = Literal["approve", "request_changes", "reject"]
log = logging.getLogger("careeros.planner")
STATUSES = ("proposed", "approved", "rejected", "superseded", "changes_requested", "timed_out")


class PlanDecision(BaseModel):
    """Approve, request changes (notes / weekly hours) or reject the proposed plan."""

    # The approval form shown under the plan summary (Prefect UI or ``careeros approvals``); the flow asks with its
    # Prefect twin, ``flows.human.run_input(PlanDecision)`` (``PlanDecisionInput``), whose form description is the
    # docstring above.

    decision: Decision  # required: no default that approves (an empty answer is refused and asked again)
    notes: str = ""
    weekly_hours: float | None = None


def now() -> datetime:
    """UTC now."""
    return datetime.now(UTC)


# ----------------------------------------------------------------------------------------- change requests


def apply_change_request(overrides: PlanOverrides, decision: Decision | str, notes: str = "",
                         weekly_hours: float | None = None,
                         roles: list[tuple[str | None, ...]] | None = None) -> PlanOverrides:
    """New overrides from a change request: hours from the field or the notes; roles dropped/focused by name.

    Notes understood: "10 hours" / "10h per week"; "drop|remove|without|no <role title or SOC>";
    "focus on <role>"; "low|medium|high risk".
    """
    o = overrides.model_copy(deep=True)
    text = (notes or "").strip()
    if text:
        o.notes.append(text)
    low = text.lower()
    if weekly_hours:
        o.weekly_hours = float(weekly_hours)
    else:
        m = re.search(r"(\d+(?:\.\d+)?)\s*(?:h\b|hrs?\b|hours?\b)", low)
        if m and 0 < float(m.group(1)) <= 80:
            o.weekly_hours = float(m.group(1))
    for code, *titles in roles or []:
        if not code:
            continue
        # the person's own title for the role, the O*NET title and the code all name it
        names = [code.lower(), code.split(".")[0]] + [t.lower() for t in titles if t]
        for n in names:
            if re.search(rf"\b(drop|remove|without|no|skip)\s+(the\s+)?{re.escape(n)}", low):
                if code not in o.drop_roles:
                    o.drop_roles.append(code)
            if re.search(rf"\bfocus\s+(on\s+)?(the\s+)?{re.escape(n)}", low):
                o.focus_role = code
    m = re.search(r"\b(low|medium|high)\s+risk\b", low)
    if m:
        o.risk_tolerance = m.group(1)  # type: ignore[assignment]
    return o


# ----------------------------------------------------------------------------------------- summaries


def summary_markdown(plan: Plan, round_no: int = 0, max_rounds: int = 1) -> str:
    """Markdown shown above the approval form (and by ``careeros approvals show``)."""
    inp = plan.inputs
    lines = [f"## Weekly plan `{plan.plan_id}` v{plan.version} — {plan.strategy}",
             f"Goal: {plan.goal}", "",
             f"Budget **{inp['weekly_hours']:g} h/week** x {inp['horizon_weeks']} weeks from {inp['start']}, "
             f"risk tolerance {inp['risk_tolerance']} (stretch {plan.risk.stretch_share:.0%}); "
             f"round {round_no + 1} of {max_rounds}.", "", "| role | coverage now | expected | weight |",
             "|---|---|---|---|"]
    lines += [f"| {r.title or r.soc_code} ({r.soc_code}) | {r.coverage_before:.0%} | "
              f"{r.coverage_expected:.0%} | "
              f"{r.weight:.2f} |" for r in plan.roles]
    lines += ["", "**Weeks**"]
    for w in plan.weeks:
        lines.append(f"- W{w.week} ({w.start}): {w.hours:g} h — {w.milestone.split(': ', 1)[-1]}")
    lines += ["", "**Alternatives**"] + [f"{a.rank}. {a.summary}" for a in plan.alternatives]
    o = plan.outcomes
    lines += ["", f"Expected: {o.messages} outreach messages -> {o.replies:g} replies -> {o.interviews:g} interviews "
                  f"-> {o.offers:g} offers (P(>=1 offer) {o.p_at_least_one_offer:.0%}).",
              f"Assumptions {plan.assumptions_fingerprint} ({len(plan.assumptions)} registered), market "
              f"{(plan.market_snapshot or {}).get('sha')}, memory v{plan.memory_version}."]
    d = plan.diff or {}
    if d.get("previous_version"):
        lines.append(f"Changes vs v{d['previous_version']}: +{len(d.get('added', []))} / -{len(d.get('removed', []))}"
                     f" work items, {len(d.get('changed', []))} re-timed.")
    lines += ["", "Approve, request changes (notes like `drop <role>`, `6 hours`, `low risk`, or set weekly hours), "
                  "or reject."]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- storage


def _row_to_plan(row: tuple[Any, ...]) -> Plan:
    plan = Plan.model_validate_json(row[0])
    plan.version, plan.status = row[1], row[2]
    plan.diff = json.loads(row[3]) if row[3] else None
    return plan


_SELECT = "SELECT plan_json, version, status, diff_json FROM plan_version"


def latest_plan(con: Any, plan_id: str | None = None, statuses: tuple[str, ...] | None = None) -> Plan | None:
    """The newest stored version (optionally of one plan / with given statuses)."""
    if not table_exists(con, "plan_version"):
        return None
    where, params = [], []
    if plan_id:
        where.append("plan_id = ?")
        params.append(plan_id)
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += list(statuses)
    sql = _SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY created_at DESC, version DESC LIMIT 1"
    row = fetch_one(con.execute(sql, params))
    return _row_to_plan(row) if row else None


def get_plan(con: Any, plan_id: str, version: int) -> Plan | None:
    """One stored version."""
    row = fetch_one(con.execute(_SELECT + " WHERE plan_id = ? AND version = ?", [plan_id, version]))
    return _row_to_plan(row) if row else None


def find_proposal(con: Any, run_id: str, round_no: int) -> Plan | None:
    """The proposal a flow run stored for this round (idempotent re-runs after suspend)."""
    row = fetch_one(con.execute(_SELECT + " WHERE run_id = ? AND round = ? ORDER BY version DESC LIMIT 1",
                                [run_id, round_no]))
    return _row_to_plan(row) if row else None


def save_plan(con: Any, plan: Plan, status: str = "proposed", run_id: str | None = None, round_no: int | None = None,
              timeout_s: float | None = None) -> Plan:
    """Store a new version with its diff against the previous one; older open proposals become superseded."""
    assert status in STATUSES, status
    prev = latest_plan(con, plan.plan_id)
    row = fetch_one(con.execute("SELECT coalesce(max(version), 0) FROM plan_version WHERE plan_id = ?",
                                [plan.plan_id]))
    plan = plan.model_copy(update={"version": int(row[0] if row else 0) + 1, "status": status, "run_id": run_id})
    plan.diff = diff_plans(prev, plan)
    at = now()
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("UPDATE plan_version SET status = 'superseded' WHERE plan_id = ? AND status IN "
                    "('proposed', 'timed_out')", [plan.plan_id])
        con.execute(
            "INSERT INTO plan_version (plan_id, version, status, created_at, approved_at, decided_at, expires_at, "
            "strategy, plan_json, diff_json, assumptions_json, market_snapshot, memory_version, run_id, round, "
            "content_sha) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [plan.plan_id, plan.version, status, at, at + timedelta(seconds=timeout_s) if timeout_s else None,
             plan.strategy, plan.model_dump_json(exclude={"diff"}), json.dumps(plan.diff),
             json.dumps(plan.assumption_versions), json.dumps(plan.market_snapshot), plan.memory_version, run_id,
             round_no, plan.content_sha()])
        for wk in plan.weeks:
            for t in wk.tasks:
                con.execute("INSERT INTO plan_task (plan_id, version, task_id, week, kind, title, hours, depends_on, "
                            "artifact_id, soc_codes, stretch, verification_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                            "?, ?)", [plan.plan_id, plan.version, t.id, wk.week, t.kind, t.title, t.hours,
                                      t.depends_on, t.artifact_id, t.soc_codes, t.stretch,
                                      t.verification.model_dump_json()])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return plan


def set_status(con: Any, plan_id: str, version: int, status: str) -> None:
    """Change a version's status (approval supersedes the previously approved version)."""
    assert status in STATUSES, status
    at = now()
    if status == "approved":
        con.execute("UPDATE plan_version SET status = 'superseded' WHERE plan_id = ? AND status = 'approved' "
                    "AND version <> ?", [plan_id, version])
    con.execute("UPDATE plan_version SET status = ?, decided_at = ?, approved_at = CASE WHEN ? = 'approved' THEN ? "
                "ELSE approved_at END WHERE plan_id = ? AND version = ?",
                [status, at, status, at, plan_id, version])


def record_decision(con: Any, plan: Plan, decision: str, notes: str = "", weekly_hours: float | None = None,
                    run_id: str | None = None, round_no: int | None = None, actor: str = "human") -> str:
    """Apply a decision (idempotent per run and round): status change, approval row, decision_log entry."""
    if run_id is not None and round_no is not None:
        row = fetch_one(con.execute("SELECT decision FROM plan_approval WHERE run_id = ? AND round = ?",
                                    [run_id, round_no]))
        if row:
            return str(row[0])
    status = {"approve": "approved", "request_changes": "changes_requested", "reject": "rejected",
              "timed_out": "timed_out"}[decision]
    assert plan.version is not None
    # one DuckDB transaction: a crash between the status change, the approval row and the decision log leaves
    # none of them (the approval row is the idempotency key, so a half-written decision would never be redone)
    con.execute("BEGIN TRANSACTION")
    try:
        set_status(con, plan.plan_id, plan.version, status)
        at = now()
        con.execute("INSERT INTO plan_approval (plan_id, version, run_id, round, decision, notes, weekly_hours, "
                    "actor, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [plan.plan_id, plan.version, run_id, round_no, decision, notes, weekly_hours, actor, at])
        if table_exists(con, "decision_log"):
            con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, version_sha256, "
                        "skill_id, confidence, facts_json, run_id) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?)",
                        [uuid.uuid4().hex, at, actor, f"plan.{decision}", plan.plan_id, str(plan.version),
                         json.dumps({"notes": notes, "weekly_hours": weekly_hours, "round": round_no,
                                     "content_sha": plan.content_sha()}), run_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return decision


def decision_recorded(con: Any, run_id: str | None, round_no: int | None) -> bool:
    """Whether this run and round already has a stored decision (then :func:`record_decision` is a no-op)."""
    if run_id is None or round_no is None:
        return False
    return fetch_one(con.execute("SELECT 1 FROM plan_approval WHERE run_id = ? AND round = ? LIMIT 1",
                                 [run_id, round_no])) is not None


def approval_of(con: Any, plan_id: str, version: int) -> tuple[str, str | None] | None:
    """``(actor, run_id)`` of the latest recorded approval of one plan version (None: it was never approved)."""
    row = fetch_one(con.execute("SELECT actor, run_id FROM plan_approval WHERE plan_id = ? AND version = ? "
                                "AND decision = 'approve' ORDER BY decided_at DESC LIMIT 1", [plan_id, version]))
    return (str(row[0]), row[1]) if row else None


def status_snapshot(con: Any, plan_id: str) -> list[tuple[Any, ...]]:
    """``(version, status, approved_at, decided_at)`` of every stored version: what :func:`undo_decision` restores."""
    return [tuple(r) for r in con.execute("SELECT version, status, approved_at, decided_at FROM plan_version "
                                          "WHERE plan_id = ? ORDER BY version", [plan_id]).fetchall()]


def undo_decision(con: Any, plan_id: str, snapshot: list[tuple[Any, ...]], run_id: str | None,
                  round_no: int | None) -> None:
    """Roll a recorded decision back: statuses as in ``snapshot``, this run and round's approval and log rows gone.

    Used when the steps that must follow a decision (publishing an approved plan) fail for good.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        for version, status, approved_at, decided_at in snapshot:
            con.execute("UPDATE plan_version SET status = ?, approved_at = ?, decided_at = ? WHERE plan_id = ? "
                        "AND version = ?", [status, approved_at, decided_at, plan_id, version])
        con.execute("DELETE FROM plan_approval WHERE plan_id = ? AND run_id IS NOT DISTINCT FROM ? "
                    "AND round IS NOT DISTINCT FROM ?", [plan_id, run_id, round_no])
        if table_exists(con, "decision_log"):
            con.execute("DELETE FROM decision_log WHERE item_id = ? AND action LIKE 'plan.%' "
                        "AND run_id IS NOT DISTINCT FROM ? "
                        "AND TRY_CAST(json_extract(facts_json, '$.round') AS INTEGER) IS NOT DISTINCT FROM ?",
                        [plan_id, run_id, round_no])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def plan_status(con: Any, plan_id: str | None = None, at: datetime | None = None) -> dict[str, Any]:
    """What the next standup should say about the plan: current approved version and any open proposal.

    A proposal still open past its approval timeout is reported (and, on a writable connection, recorded)
    as ``timed_out``: it stays the open proposal until approved, rejected or superseded.
    """
    if not table_exists(con, "plan_version"):
        return {"status": "none", "message": "no plan yet: run `careeros plan` or the recalculate-weekly-plan flow"}
    at = at or now()
    approved = latest_plan(con, plan_id, ("approved",))
    open_ = latest_plan(con, plan_id, ("proposed", "timed_out", "changes_requested"))
    anchor = approved or open_
    out: dict[str, Any] = {"approved_version": approved.version if approved else None,
                           "plan_id": anchor.plan_id if anchor is not None else plan_id}
    if open_ is not None and (approved is None or open_.created_at >= approved.created_at):
        row = fetch_one(con.execute("SELECT expires_at FROM plan_version WHERE plan_id = ? AND version = ?",
                                    [open_.plan_id, open_.version]))
        expires = row[0] if row else None
        status = open_.status
        if status == "proposed" and expires is not None and expires <= at:
            status = "timed_out"
            try:
                con.execute("UPDATE plan_version SET status = 'timed_out' WHERE plan_id = ? AND version = ? "
                            "AND status = 'proposed'", [open_.plan_id, open_.version])
            except Exception:  # noqa: BLE001 - read-only connection: report without recording
                pass
        out.update(status=status, open_version=open_.version, awaiting_approval=status in ("proposed", "timed_out"))
        out["message"] = {
            "proposed": f"plan v{open_.version} is waiting for approval (`careeros approvals list`)",
            "timed_out": f"plan v{open_.version} was not answered before its approval timed out; it is still a "
                         "proposal — approve it or run the plan again",
            "changes_requested": f"changes were requested on plan v{open_.version}; a new proposal is pending",
        }.get(status, status)
    elif approved is not None:
        out.update(status="approved", open_version=None, awaiting_approval=False,
                   message=f"plan v{approved.version} approved")
    else:
        last = latest_plan(con, plan_id)
        out.update(status=last.status if last else "none", open_version=None, awaiting_approval=False,
                   message=f"plan v{last.version} {last.status}" if last else "no plan yet")
    return out


# ----------------------------------------------------------------------------------------- service (opens the warehouse)

def default_profile_path(home: Path) -> Path:
    """$CAREEROS_HOME/profile.toml when present, else the sample operator's profile."""
    own = Path(home) / "profile.toml"
    return own if own.is_file() else data_path("sample_operator", "profile.toml")


def compute_plan(home: Path, profile: Profile, overrides: PlanOverrides | None = None, read_only: bool = False,
                 warehouse: Path | None = None) -> Plan:
    """Read everything the planner needs from the warehouse and build the plan (stores nothing but assumptions).

    Gaps come from :func:`careeros.planner.intelligence.assess`: each target role's requirement profile (O*NET
    blended with its postings) against the person's stated, implied and occupational skills.
    """
    from careeros.evidence.resume_facts import normaliser_scores
    from careeros.market.reference import load_extractor, load_normalizer
    from careeros.planner.artifacts import load_catalogue
    from careeros.planner.assumptions import load_assumptions
    from careeros.planner.gaps import label_index
    from careeros.planner.intelligence import TargetRoleRef, assess, resume_text
    from careeros.planner.plan import build_plan, guess_socs, market_snapshot, resolve_roles
    from careeros.warehouse.db import connect

    wh = warehouse or warehouse_file(home)
    if not wh.is_file():
        raise FileNotFoundError(f"no warehouse at {wh}: run `careeros ingest` first")
    guessed = guess_socs([r.title for r in profile.target_roles if not r.soc_code])
    extractor = load_extractor()
    normalizer = load_normalizer()
    scores = normaliser_scores(normalizer)
    text = resume_text(profile)
    match = None
    if text:
        from careeros.planner.data import load_occupation_data
        from careeros.planner.profile_match import shared_matcher

        matcher = shared_matcher(load_occupation_data(wh), normalizer, extractor)

        def match(t: str) -> str | None:
            got = matcher.match(t, k=1)
            return got[0].soc_code if got else None
    with connect(wh, read_only=read_only) as con:
        assumptions = load_assumptions(con, read_only=read_only)
        resolved = dict(resolve_roles(con, profile, guessed))
        refs: list[TargetRoleRef] = []
        for r in profile.target_roles:
            code = r.soc_code or guessed.get(r.title)
            same = next((x for x in refs if x.soc_code == code), None)
            if same is not None:  # another wording of a role already listed: one role, both wordings count
                same.also_titles.append(r.title)
            elif code and code in resolved:
                refs.append(TargetRoleRef(title=r.title, soc_code=code, onet_title=resolved[code]))
        found = assess(con, profile, refs, extractor, scores, text, match_occupation=match)
        labels = label_index(con)
        snap = market_snapshot(con)
        extra = plan_extras(con, profile, refs, found.reports, guessed, found.current_title, found.current_soc,
                            employer=_current_employer(found.facts))
    if not found.reports:
        raise ValueError("none of the profile's target roles resolves to an occupation with skills")
    plan = build_plan(profile, found.reports, load_catalogue([Path(home) / "artifacts"]), assumptions,
                      overrides=overrides, resolve=labels, market_snapshot=snap,
                      memory_version=_memory_version(Path(home)), parents=found.parents, **extra)
    after = {r.soc_code: r.coverage_after for r in plan.roles}
    facts = found.facts
    return plan.model_copy(update={
        "gaps": found.gaps[:GAPS_SHOWN],
        "limits": [*found.limits, *plan.limits],
        "person": {
            "current_title": found.current_title, "current_soc": found.current_soc,
            "years_experience": facts.years_experience if facts else None,
            "seniority": facts.seniority if facts else None,
            "titles": [e.title for e in facts.experiences] if facts else [],
            "skills_evidenced": len([s for s in found.person.skills.values() if s.strength >= 0.65]),
            "roles": [{**r, "coverage_after": after.get(r["soc_code"], r["coverage"])} for r in found.roles_json()],
        }})


#: gaps listed in a plan (ranked across all target roles)
GAPS_SHOWN = 40


def _current_employer(facts: Any) -> str | None:
    exps = getattr(facts, "experiences", None) or []
    return getattr(exps[0], "employer", None) if exps else None


def _distinct_names(labels: list[str]) -> list[str]:
    """Labels without those that repeat an earlier one's name or shown example.

    "SQL" after "SQL querying (PostgreSQL)"; "WordPress" after "Content management systems (WordPress)".
    """
    from careeros.planner.gaps import plain_words, split_examples

    out: list[str] = []
    seen: list[str] = []
    shown: set[str] = set()
    for lab in labels:
        name, examples = split_examples(lab)
        w = f" {plain_words(name)} "
        if w in shown or any(w in s or s in w for s in seen):
            continue
        seen.append(w)
        shown.update(f" {plain_words(e)} " for e in examples[:1])
        out.append(lab)
    return out


def plan_extras(con: Any, profile: Profile, refs: list[Any], reports: list[Any], guessed: dict[str, str],
                current_title: str | None, current_soc: str | None, employer: str | None = None) -> dict[str, Any]:
    """Role contexts, the person's own titles, transition paths and the plan's own limits (open connection)."""
    from careeros.planner.artifacts import load_families, role_context
    from careeros.planner.coach import CurrentRole, explain_path, transition_path
    from careeros.warehouse.db import fetch_one

    own = {r.soc_code: r.title for r in refs}
    fams = load_families()
    contexts = {r.soc_code: role_context(con, r.soc_code, fams, r.title) for r in refs}
    limits: list[str] = []
    unresolved = [r.title for r in profile.target_roles if not (r.soc_code or guessed.get(r.title))]
    if unresolved:
        limits.append(f"Could not match {', '.join(unresolved)} to an occupation; add a soc_code to the profile to "
                      "plan for it.")
    for rep in reports:
        if contexts[rep.soc_code].family.id == "default":
            limits.append(f"There is no work-product template for the field of "
                          f"{own.get(rep.soc_code, rep.title or rep.soc_code)} yet: its work products are generic work "
                          "samples built from the occupation's own task statements. Check them with someone who "
                          "does this work.")
    current = None
    paths = []
    if current_title:
        row = fetch_one(con.execute("SELECT title FROM graph_occupation WHERE soc_code = ?", [current_soc])) \
            if current_soc else None
        current = CurrentRole(title=current_title, employer=employer, soc_code=current_soc,
                              onet_title=row[0] if row else None)
        model = None
        if current_soc:
            try:
                from careeros.planner.transitions import load_model

                model = load_model(con=con)
            except Exception as exc:  # noqa: BLE001 - no transition data is a stated limit, not a crash
                log.warning("transition model unavailable: %s", exc)
        for rep in reports:
            if rep.soc_code == current_soc:
                limits.append(f"{own.get(rep.soc_code, rep.title or rep.soc_code)} matches the same occupation as "
                              f"your current role ({current.onet_title or current_soc}): the plan treats it as "
                              "deepening your current work, not a move.")
                continue
            p = transition_path(model, current_soc, rep.soc_code, current_title, own.get(rep.soc_code)) \
                if model is not None and current_soc else None
            if p is not None:
                top = [g.label for g in sorted(rep.gaps, key=lambda g: -g.size)[:5]]
                if top:
                    p.missing_skills, p.missing_technologies = top, []
                # what carries over is what the person already shows of the target's core, heaviest first ("SQL
                # querying, Curriculum design"), not the reading and listening every occupation shares; O*NET
                # knowledge areas ("Computers and Electronics") only after the skills and tools
                # (a tool only the occupation vouches for is an assumption, not something to tell the person they
                # bring: a backend developer who names Docker is not told Kubernetes carries over)
                assumed = set(getattr(rep, "covered_assumed", None) or [])
                have = [lab for _, lab in sorted(((sid, lab) for sid, lab in zip(
                    getattr(rep, "covered_ids", None) or [], getattr(rep, "covered", None) or [], strict=False)
                    if sid not in assumed), key=lambda x: x[0].startswith("onet:"))]
                have = _distinct_names(have)[:5]
                if have:
                    p.shared_skills, p.shared_technologies = have, []
                if top or have:
                    p.why = explain_path(p)
                paths.append(p)
        if not paths and reports and not any(r.soc_code == current_soc for r in reports):
            limits.append(f"Could not relate your current role ({current_title}) to the targets, so the plan does "
                          "not explain the move.")
    return {"contexts": contexts, "role_titles": own, "current": current, "paths": paths, "limits": limits}


def _memory_version(home: Path) -> int | None:
    try:
        from careeros.memory.store import memory_version
    except ImportError:  # memory layer not installed in this checkout
        return None
    try:
        return memory_version(home)
    except Exception:  # noqa: BLE001 - a plan does not fail because memory is unreadable
        return None


def propose_plan(home: Path, profile: Profile, run_id: str | None, round_no: int = 0,
                 overrides: PlanOverrides | None = None, timeout_s: float | None = None) -> Plan:
    """Build and store a proposal; a (run_id, round) already proposed returns the stored one (idempotent)."""
    from careeros.warehouse.db import connect

    wh = warehouse_file(home)
    if run_id is not None:
        with connect(wh) as con:
            got = find_proposal(con, run_id, round_no)
        if got is not None:
            return got
    plan = compute_plan(home, profile, overrides)
    with connect(wh) as con:
        return save_plan(con, plan, "proposed", run_id, round_no, timeout_s)
