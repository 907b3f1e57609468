"""Governance: find what has gone stale in the person's state, propose removals, apply only what is approved.

Four kinds of finding (each with a stable id, a reason a person can check, and the action approval triggers):

* ``item_missing_file``: a current evidence item whose file is gone from disk (curation only notices files under
  folders it still scans; a folder dropped from the profile leaves its items behind). Action: close the item
  and every open link on it, human-decided ones included.
* ``skill_gone``: an open evidence link to a skill that is no longer in the skill graph (a taxonomy release
  dropped it) and that no posting asked for in ``stale_days``. Action: close the link.
* ``assumption_stale``: an assumption whose posterior was last re-validated more than ``revalidate_days`` ago.
  Action: drop the posterior, so plans fall back to the documented prior until new outcomes re-estimate it.
* ``context_expired``: short-term context entries past their expiry. Action: delete them.

Everything applied is a decision-log row (actor = the approver) with the finding's facts; nothing is applied
without a decision naming it. Functions take an open DuckDB connection owned by the caller.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import duckdb
from pydantic import BaseModel, Field

Kind = Literal["item_missing_file", "skill_gone", "assumption_stale", "context_expired"]

ACTIONS: dict[str, str] = {
    "item_missing_file": "close the item and its skill links",
    "skill_gone": "close the link",
    "assumption_stale": "drop the posterior (back to the prior until new outcomes)",
    "context_expired": "delete the entry",
}


class Finding(BaseModel):
    """One stale thing and what approving it does."""

    finding_id: str
    kind: Kind
    target: str
    label: str
    reason: str
    action: str
    facts: dict[str, Any] = Field(default_factory=dict)


def _fid(kind: str, target: str) -> str:
    return f"{kind[:4]}-" + hashlib.sha256(f"{kind}\x1f{target}".encode()).hexdigest()[:10]


def _finding(kind: Kind, target: str, label: str, reason: str, **facts: Any) -> Finding:
    return Finding(finding_id=_fid(kind, target), kind=kind, target=target, label=label, reason=reason,
                   action=ACTIONS[kind], facts=facts)


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                            [name]).fetchall()[0][0])


def missing_files(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Current evidence items whose file (or repository folder) no longer exists."""
    out = []
    rows = con.execute("SELECT item_id, source_type, source_path, title FROM evidence_item WHERE valid_to IS NULL"
                       " ORDER BY item_id").fetchall()
    for item_id, stype, path, title in rows:
        base = str(path).split("#", 1)[0]
        if not base.startswith("/") or Path(base).exists():
            continue  # only local paths can be checked
        n = con.execute("SELECT count(*) FROM evidence_skill WHERE item_id = ? AND valid_to IS NULL",
                        [item_id]).fetchall()[0][0]
        out.append(_finding("item_missing_file", item_id, title or Path(base).name,
                            f"{stype} file {base} no longer exists ({n} open skill link(s))",
                            source_path=base, open_links=int(n)))
    return out


def skills_gone(con: duckdb.DuckDBPyConnection, as_of: datetime, stale_days: int = 365) -> list[Finding]:
    """Open evidence links to skills missing from the graph and from postings of the last ``stale_days``."""
    if not _table_exists(con, "graph_skill"):
        return []
    since = as_of - timedelta(days=stale_days)
    rows = con.execute(
        """
        WITH recent AS (
          SELECT DISTINCT ps.skill_id FROM posting_skill ps JOIN posting p USING (posting_id, raw_sha256)
          WHERE p.posted_at >= ?)
        SELECT l.link_id, l.skill_id, any_value(l.skill_label), any_value(l.item_id), any_value(l.status)
        FROM evidence_skill l
        WHERE l.valid_to IS NULL AND l.status <> 'rejected'
          AND l.skill_id NOT IN (SELECT skill_id FROM graph_skill)
          AND l.skill_id NOT IN (SELECT skill_id FROM recent)
        GROUP BY l.link_id, l.skill_id ORDER BY l.link_id
        """, [since]).fetchall()
    return [_finding("skill_gone", link_id, label or sid,
                     f"{sid} is not in the current skill graph and no posting asked for it since {since:%Y-%m-%d}",
                     skill_id=sid, item_id=item, status=status)
            for link_id, sid, label, item, status in rows]


def stale_assumptions(con: duckdb.DuckDBPyConnection, as_of: datetime, revalidate_days: int = 90) -> list[Finding]:
    """Assumptions whose posterior was last updated more than ``revalidate_days`` before ``as_of``."""
    cutoff = as_of - timedelta(days=revalidate_days)
    rows = con.execute("SELECT assumption_id, description, updated_at, version FROM assumption"
                       " WHERE posterior_json IS NOT NULL AND updated_at < ? ORDER BY assumption_id",
                       [cutoff]).fetchall()
    return [_finding("assumption_stale", aid, f"{desc} ({aid})" if desc else aid,
                     f"posterior last re-validated {upd:%Y-%m-%d}, more than {revalidate_days} days ago",
                     version=int(ver), updated_at=str(upd)) for aid, desc, upd, ver in rows]


def expired_context(con: duckdb.DuckDBPyConnection, as_of: datetime) -> list[Finding]:
    """Short-term context entries past their expiry."""
    rows = con.execute("SELECT entry_id, scope, kind, expires_at FROM context_buffer WHERE expires_at <= ?"
                       " ORDER BY entry_id", [as_of]).fetchall()
    return [_finding("context_expired", eid, f"{kind} ({scope})", f"expired {exp:%Y-%m-%d %H:%M}", scope=scope)
            for eid, scope, kind, exp in rows]


def find_stale(con: duckdb.DuckDBPyConnection, as_of: datetime | None = None, *, stale_days: int = 365,
               revalidate_days: int = 90) -> list[Finding]:
    """Every finding, in a stable order (by kind, then id)."""
    at = as_of or datetime.now(UTC)
    return [*missing_files(con), *skills_gone(con, at, stale_days), *stale_assumptions(con, at, revalidate_days),
            *expired_context(con, at)]


def _log(con: duckdb.DuckDBPyConnection, actor: str, f: Finding, run_id: str | None, at: datetime) -> None:
    import uuid

    con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, skill_id, facts_json,"
                " run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, at, actor, f"governance.{f.kind}", f.target, f.facts.get("skill_id"),
                 json.dumps({"finding_id": f.finding_id, "reason": f.reason, **f.facts}, sort_keys=True,
                            default=str), run_id])


def apply_findings(con: duckdb.DuckDBPyConnection, findings: list[Finding], approved: set[str], *, actor: str,
                   run_id: str | None = None, at: datetime | None = None) -> dict[str, int]:
    """Apply the approved findings in one transaction; returns counts per kind (unapproved ones untouched)."""
    at = at or datetime.now(UTC)
    done: dict[str, int] = {}
    con.execute("BEGIN TRANSACTION")
    try:
        for f in findings:
            if f.finding_id not in approved:
                continue
            if f.kind == "item_missing_file":
                con.execute("UPDATE evidence_item SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL",
                            [at, f.target])
                con.execute("UPDATE evidence_skill SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL",
                            [at, f.target])
            elif f.kind == "skill_gone":
                con.execute("UPDATE evidence_skill SET valid_to = ? WHERE link_id = ? AND valid_to IS NULL",
                            [at, f.target])
            elif f.kind == "assumption_stale":
                row = con.execute("SELECT version, prior_json, posterior_json FROM assumption WHERE assumption_id = ?",
                                  [f.target]).fetchall()
                if not row or row[0][2] is None:
                    continue
                version = int(row[0][0]) + 1
                con.execute("UPDATE assumption SET version = ?, posterior_json = NULL, updated_at = ?"
                            " WHERE assumption_id = ?", [version, at, f.target])
                con.execute("INSERT INTO assumption_history (assumption_id, version, prior_json, posterior_json,"
                            " source, change, meta_json, run_id, changed_at) VALUES (?, ?, ?, NULL, 'governance',"
                            " 'reset_stale', ?, ?, ?)",
                            [f.target, version, row[0][1], json.dumps({"dropped_posterior": row[0][2],
                                                                       "reason": f.reason}), run_id, at])
            elif f.kind == "context_expired":
                con.execute("DELETE FROM context_buffer WHERE entry_id = ?", [f.target])
            _log(con, actor, f, run_id, at)
            done[f.kind] = done.get(f.kind, 0) + 1
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return done


def parse_selection(findings: list[Finding], decision: str, selected: str) -> set[str]:
    """The approved finding ids: ``apply_all``, ``apply_none`` or ``apply_selected`` with ids (comma/space list)."""
    ids = {f.finding_id for f in findings}
    if decision == "apply_all":
        return ids
    if decision == "apply_none":
        return set()
    wanted = {s.strip() for s in selected.replace(",", " ").split() if s.strip()}
    unknown = wanted - ids
    if unknown:
        raise ValueError(f"unknown finding id(s): {', '.join(sorted(unknown))}")
    return wanted


def findings_markdown(findings: list[Finding]) -> str:
    """The findings as a table a person can decide on (ids to copy into the answer)."""
    if not findings:
        return "Nothing stale: every evidence file exists, every linked skill is current, assumptions are fresh."
    lines = ["| id | kind | what | why | approving will |", "|---|---|---|---|---|"]
    for f in findings:
        cells = [f.finding_id, f.kind.replace("_", " "), f.label, f.reason, f.action]
        lines.append("| " + " | ".join(c.replace("|", "/").replace("\n", " ") for c in cells) + " |")
    return (f"**{len(findings)} stale item(s).** Approve all, none, or list the ids to apply.\n\n"
            + "\n".join(lines))


class GovernanceDecision(BaseModel):
    """Apply all, some (finding ids) or none of the proposed removals."""

    # A person's answer: which findings to apply (no default: an empty answer applies nothing). The flow asks with
    # its Prefect twin, ``flows.human.run_input(GovernanceDecision)`` (``GovernanceDecisionInput``), whose form
    # description is the docstring above.

    decision: Literal["apply_all", "apply_selected", "apply_none"]
    selected: str = Field(default="", description="Finding ids to apply with apply_selected (comma separated).")
    notes: str = ""

