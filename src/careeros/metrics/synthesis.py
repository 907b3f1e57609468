"""Monthly synthesis: which assumptions moved since a month ago, by how much, and what the plan would change.

:func:`assumption_moves` reads ``assumption_history`` (value of each assumption at a past instant = mean of the
posterior of its latest version then, else its prior); :func:`plan_change_summary` and :func:`synthesis_markdown`
are pure. Approving the synthesis stores a re-plan proposal through the planner (``propose_plan``); it then
waits for the usual plan approval (``careeros approvals`` / the weekly plan flow).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel

from careeros.planner.assumptions import Distribution
from careeros.planner.plan import Plan, diff_plans

MONTH = timedelta(days=30)
MIN_REL_MOVE = 0.05  # a move below 5 % of the old value is noise for the synthesis


class SynthesisDecision(BaseModel):
    """Approve a re-plan with the recalibrated assumptions, or reject it."""

    # The monthly recalibration form; the flow asks with its Prefect twin, ``flows.human.run_input(SynthesisDecision)``
    # (``SynthesisDecisionInput``), whose form description is the docstring above.

    decision: Literal["approve", "reject"]  # required: no default that approves
    notes: str = ""


def _mean(raw: str | None) -> float | None:
    return Distribution.model_validate(json.loads(raw)).mean() if raw else None


def moves_from_history(rows: list[tuple[Any, ...]], since: datetime, until: datetime,
                       min_rel: float = MIN_REL_MOVE) -> list[dict[str, Any]]:
    """Moves from history rows (id, version, prior_json, posterior_json, changed_at, meta_json), ordered by version."""
    by_id: dict[str, list[tuple[Any, ...]]] = {}
    for r in rows:
        by_id.setdefault(r[0], []).append(r)
    out = []
    for aid, hist in sorted(by_id.items()):
        hist.sort(key=lambda r: r[1])

        def at(t: datetime, h: list[tuple[Any, ...]] = hist) -> tuple[float, int, str]:
            before = [r for r in h if r[4] <= t]
            if not before:  # not registered yet then: its first prior is the baseline
                return float(_mean(h[0][2]) or 0.0), 0, "prior"
            r = before[-1]
            post = _mean(r[3])
            return (post, r[1], "posterior") if post is not None else (float(_mean(r[2]) or 0.0), r[1], "prior")

        old, v_old, b_old = at(since)
        new, v_new, b_new = at(until)
        if v_old == v_new:
            continue
        delta = new - old
        rel = delta / old if old else float("inf") if delta else 0.0
        if abs(rel) < min_rel:
            continue
        last_meta: dict[str, Any] = next((json.loads(r[5]) for r in reversed(hist) if r[5] and r[4] <= until), {})
        out.append({"assumption_id": aid, "old": round(old, 6), "new": round(new, 6), "delta": round(delta, 6),
                    "relative": round(rel, 4), "from_version": v_old, "to_version": v_new,
                    "basis": [b_old, b_new], "evidence": last_meta.get("evidence", {}) if last_meta else {}})
    out.sort(key=lambda m: -abs(m["relative"]))
    return out


def assumption_moves(con: Any, since: datetime | None = None, until: datetime | None = None,
                     min_rel: float = MIN_REL_MOVE) -> list[dict[str, Any]]:
    """Assumptions whose value moved by at least ``min_rel`` between ``since`` (default: 30 days ago) and now."""
    until = until or datetime.now(UTC)
    since = since or until - MONTH
    rows = con.execute("SELECT assumption_id, version, prior_json, posterior_json, changed_at, meta_json "
                       "FROM assumption_history ORDER BY assumption_id, version").fetchall()
    return moves_from_history(rows, since, until, min_rel)


def plan_change_summary(current: Plan | None, candidate: Plan | None) -> dict[str, Any]:
    """What re-planning with today's assumptions would change against the current plan."""
    if candidate is None:
        return {"available": False}
    d = diff_plans(current, candidate)

    def hours(p: Plan | None) -> dict[str, float]:
        return dict(p.totals.get("by_kind_hours", {})) if p is not None else {}

    return {"available": True, "current_version": current.version if current else None, "diff": d,
            "hours_by_kind": {"current": hours(current), "candidate": hours(candidate)},
            "messages": [current.outcomes.messages if current else None, candidate.outcomes.messages],
            "interviews": [current.outcomes.interviews if current else None, candidate.outcomes.interviews],
            "p_offer": [current.outcomes.p_at_least_one_offer if current else None,
                        candidate.outcomes.p_at_least_one_offer]}


def has_changes(moves: list[dict[str, Any]], change: dict[str, Any]) -> bool:
    """Whether the synthesis has anything to propose."""
    if moves:
        return True
    d = change.get("diff") or {}
    return bool(d.get("added") or d.get("removed") or d.get("changed") or d.get("first_version"))


def synthesis_markdown(moves: list[dict[str, Any]], change: dict[str, Any], since: datetime, until: datetime) -> str:
    """The monthly synthesis as markdown (artifact and the approval form's description)."""
    lines = [f"## Monthly synthesis {since.date()} -> {until.date()}", "", "**Assumptions that moved**"]
    if moves:
        lines += ["", "| assumption | then | now | change | versions |", "|---|---|---|---|---|"]
        lines += [f"| {m['assumption_id']} | {m['old']:.4g} ({m['basis'][0]}) | {m['new']:.4g} ({m['basis'][1]}) | "
                  f"{m['relative']:+.0%} | v{m['from_version']} -> v{m['to_version']} |" for m in moves]
    else:
        lines.append("- none moved by 5 % or more")
    lines += ["", "**Proposed plan changes** (re-plan with today's assumptions)"]
    if not change.get("available"):
        lines.append("- no candidate plan (no profile or no warehouse graph)")
    else:
        d = change["diff"]
        cur = f"v{change['current_version']}" if change.get("current_version") else "no approved plan"
        lines.append(f"- against {cur}: +{len(d.get('added', []))} / -{len(d.get('removed', []))} work items, "
                     f"{len(d.get('changed', []))} re-timed; assumptions changed: "
                     f"{', '.join(d.get('assumptions_changed', [])) or '-'}")
        hb = change["hours_by_kind"]
        for k in sorted(set(hb["current"]) | set(hb["candidate"])):
            a, b = hb["current"].get(k), hb["candidate"].get(k)
            if a != b:
                lines.append(f"- {k}: {a if a is not None else '-'} h -> {b} h")
        lines.append(f"- outreach messages {change['messages'][0]} -> {change['messages'][1]}; expected interviews "
                     f"{change['interviews'][0]} -> {change['interviews'][1]}")
    lines += ["", "Approve to store a re-plan proposal (it then waits for the weekly plan approval); reject to "
                  "keep the current plan."]
    return "\n".join(lines)


def record_synthesis_decision(con: Any, decision: str, notes: str, run_id: str | None,
                              facts: dict[str, Any]) -> None:
    """Log the synthesis decision in ``decision_log`` (one row per run)."""
    import uuid

    from careeros.warehouse.db import fetch_one, table_exists

    if not table_exists(con, "decision_log"):
        return
    if run_id and fetch_one(con.execute("SELECT 1 FROM decision_log WHERE run_id = ? AND action LIKE 'synthesis.%'",
                                        [run_id])):
        return
    con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, version_sha256, skill_id, "
                "confidence, facts_json, run_id) VALUES (?, ?, 'human', ?, 'monthly-synthesis', NULL, NULL, NULL, ?, ?)",
                [uuid.uuid4().hex, datetime.now(UTC), f"synthesis.{decision}",
                 json.dumps({"notes": notes, **facts}, default=str), run_id])
