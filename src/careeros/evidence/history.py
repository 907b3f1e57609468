"""Warehouse history of evidence:

items and skill links as valid_from/valid_to rows (closing a row sets valid_to; nothing is overwritten), and a
decision log of every automated and human decision.

Human decisions always win: automation never closes or replaces a link row decided by a human; when its
own assessment disagrees it logs that, and :func:`reconciliation` lists the disagreements.
All functions take an open DuckDB connection (the caller owns it and the transaction).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any, Literal

import duckdb
import polars as pl
from pydantic import BaseModel

from careeros.evidence.linking import AUTO_ACCEPT, MIN_LINK, link_id
from careeros.evidence.models import EvidenceItem, LinkCandidate, Quarantined
from careeros.warehouse.db import fetch_one
from careeros.warehouse.loading import add_quarantine

Decision = Literal["accept", "reject", "edit", "defer"]


class HumanDecision(BaseModel):
    """One reviewed link: accept, reject, edit (to ``skill_id``) or defer (leave pending)."""

    link_id: str
    decision: Decision
    skill_id: str | None = None
    note: str | None = None


def now_utc() -> datetime:
    """Timezone-aware UTC now."""
    return datetime.now(UTC)


def log_decision(con: duckdb.DuckDBPyConnection, actor: str, action: str, *, item_id: str | None = None,
                 version: str | None = None, skill_id: str | None = None, confidence: float | None = None,
                 facts: dict[str, Any] | None = None, run_id: str | None = None, at: datetime | None = None) -> None:
    """Append one decision with the minimal facts needed to accept or reject it."""
    con.execute("INSERT INTO decision_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, at or now_utc(), actor, action, item_id, version, skill_id, confidence,
                 json.dumps(facts or {}, sort_keys=True, default=str), run_id])


def current_versions(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """item_id -> current version hash."""
    return dict(con.execute("SELECT item_id, version_sha256 FROM evidence_item WHERE valid_to IS NULL").fetchall())


def write_items(con: duckdb.DuckDBPyConnection, items: list[EvidenceItem], n_chunks: dict[str, int], run_id: str,
                at: datetime) -> list[EvidenceItem]:
    """Insert new item versions (closing the previous version of the same item); returns the new ones."""
    cur = current_versions(con)
    new = [i for i in items if cur.get(i.item_id) != i.version_sha256]
    for i in new:
        prev = cur.get(i.item_id)
        if prev:
            con.execute("UPDATE evidence_item SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL", [at, i.item_id])
        con.execute("INSERT INTO evidence_item VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
                    [i.item_id, i.version_sha256, i.source_type, i.source_path, i.title, i.content_at, len(i.text),
                     n_chunks.get(i.item_id, 0), i.reliability,
                     json.dumps({**i.metadata, "signals": [s.model_dump() for s in i.signals]}, default=str),
                     run_id, at])
        log_decision(con, "automation", "item_new_version" if prev else "item_added", item_id=i.item_id,
                     version=i.version_sha256, facts={"source_path": i.source_path, "previous_version": prev,
                                                      "source_type": i.source_type}, run_id=run_id, at=at)
    return new


def close_missing_items(con: duckdb.DuckDBPyConnection, seen_paths: set[str], quarantined_paths: set[str],
                        scanned: set[str], run_id: str, at: datetime) -> list[str]:
    """Close current items that lived in a scanned place but were not seen this run (file or BibTeX.

    Entry removed); items of a file that is quarantined now keep their previous version.
    """
    rows = con.execute("SELECT item_id, version_sha256, source_path FROM evidence_item WHERE valid_to IS NULL").fetchall()
    closed = []
    for item_id, ver, path in rows:
        base = path.split("#", 1)[0]
        if base in scanned and path not in seen_paths and base not in quarantined_paths:
            con.execute("UPDATE evidence_item SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL", [at, item_id])
            con.execute("UPDATE evidence_skill SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL "
                        "AND decided_by = 'automation'", [at, item_id])
            log_decision(con, "automation", "item_removed", item_id=item_id, version=ver,
                         facts={"source_path": path}, run_id=run_id, at=at)
            closed.append(item_id)
    return closed


def _human_links(con: duckdb.DuckDBPyConnection, item_ids: list[str]) -> dict[tuple[str, str], str]:
    if not item_ids:
        return {}
    rows = con.execute(
        "SELECT item_id, skill_id, status FROM evidence_skill WHERE valid_to IS NULL AND decided_by = 'human' "
        "AND item_id IN (SELECT unnest(?::VARCHAR[]))", [item_ids]).fetchall()
    return {(r[0], r[1]): r[2] for r in rows}


def write_links(con: duckdb.DuckDBPyConnection, items: list[EvidenceItem], links: list[LinkCandidate], run_id: str,
                at: datetime) -> dict[str, int]:
    """Replace the automated links of the given (new) item versions;

    human-decided links are left untouched and a disagreeing automated assessment is logged as
    ``disagreement``.
    """
    ids = [i.item_id for i in items]
    human = _human_links(con, ids)
    stats = {"auto": 0, "pending": 0, "closed": 0, "kept_human": 0, "disagreements": 0}
    if ids:
        row = fetch_one(con.execute(
            "SELECT count(*) FROM evidence_skill WHERE valid_to IS NULL AND decided_by = 'automation' "
            "AND item_id IN (SELECT unnest(?::VARCHAR[]))", [ids]))
        stats["closed"] = int(row[0]) if row else 0
        con.execute("UPDATE evidence_skill SET valid_to = ? WHERE valid_to IS NULL AND decided_by = 'automation' "
                    "AND item_id IN (SELECT unnest(?::VARCHAR[]))", [at, ids])
    seen: set[tuple[str, str]] = set()
    for c in links:
        key = (c.item_id, c.skill_id)
        seen.add(key)
        facts: dict[str, Any] = {"label": c.skill_label, "strength": c.strength, **{k: c.features[k] for k in
                 ("extraction", "similarity", "mentions", "surfaces") if k in c.features}}
        if key in human:
            stats["kept_human"] += 1
            h = human[key]
            if (h == "rejected" and c.status == "auto") or (h == "accepted" and c.confidence < MIN_LINK):
                stats["disagreements"] += 1
                log_decision(con, "automation", "disagreement", item_id=c.item_id, version=c.version_sha256,
                             skill_id=c.skill_id, confidence=c.confidence,
                             facts={**facts, "human_status": h, "automated_status": c.status}, run_id=run_id, at=at)
            else:
                log_decision(con, "automation", "assessed_human_link", item_id=c.item_id, version=c.version_sha256,
                             skill_id=c.skill_id, confidence=c.confidence, facts={**facts, "human_status": h},
                             run_id=run_id, at=at)
            continue
        con.execute("INSERT INTO evidence_skill VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'automation', ?, ?, NULL)",
                    [c.link_id, c.item_id, c.version_sha256, c.skill_id, c.skill_label, c.confidence, c.strength,
                     c.method, json.dumps(c.features, default=str), c.status, run_id, at])
        stats[c.status] += 1
        log_decision(con, "automation", "link_auto_accepted" if c.status == "auto" else "link_needs_review",
                     item_id=c.item_id, version=c.version_sha256, skill_id=c.skill_id, confidence=c.confidence,
                     facts={**facts, "threshold": AUTO_ACCEPT}, run_id=run_id, at=at)
    for (item_id, skill_id), h in human.items():
        if (item_id, skill_id) not in seen and h == "accepted":
            stats["disagreements"] += 1
            log_decision(con, "automation", "disagreement", item_id=item_id, skill_id=skill_id, confidence=0.0,
                         facts={"human_status": h, "automated_status": "not_found"}, run_id=run_id, at=at)
    return stats


def write_quarantine(con: duckdb.DuckDBPyConnection, bad: list[Quarantined], run_id: str) -> int:
    """Record unreadable inputs in the shared ``quarantine`` table."""
    if not bad:
        return 0
    df = pl.DataFrame({"table_name": ["evidence_item"] * len(bad), "record_key": [b.source_path for b in bad],
                       "reason": [b.reason for b in bad],
                       "record_json": [json.dumps({"source_type": b.source_type}) for b in bad]})
    return add_quarantine(con, run_id, "evidence", [df])


# ------------------------------------------------------------------------------------------------ reads
def as_of_timestamp(value: str | date | datetime | None) -> datetime:
    """A point in time: a datetime as given (UTC if naive), a date as the end of that day (UTC), None = now."""
    if value is None:
        return now_utc()
    if isinstance(value, str):
        value = value.strip()
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time.max, UTC)


def items_as_of(con: duckdb.DuckDBPyConnection, at: datetime) -> pl.DataFrame:
    """Evidence items valid at ``at``."""
    return con.sql("SELECT item_id, version_sha256, source_type, source_path, title, content_at, n_chunks, "
                   "reliability, run_id, valid_from, valid_to FROM evidence_item "
                   "WHERE valid_from <= ? AND (valid_to IS NULL OR valid_to > ?) ORDER BY source_type, source_path",
                   params=[at, at]).pl()


def links_as_of(con: duckdb.DuckDBPyConnection, at: datetime, statuses: list[str] | None = None) -> pl.DataFrame:
    """Evidence -> skill links valid at ``at`` (optionally only some statuses), best first."""
    q = ("SELECT s.link_id, s.item_id, s.version_sha256, s.skill_id, s.skill_label, s.confidence, s.strength, "
         "s.status, s.decided_by, s.run_id, s.valid_from, s.valid_to, i.source_type, i.source_path, i.title "
         "FROM evidence_skill s LEFT JOIN evidence_item i ON i.item_id = s.item_id "
         "AND i.valid_from <= ? AND (i.valid_to IS NULL OR i.valid_to > ?) "
         "WHERE s.valid_from <= ? AND (s.valid_to IS NULL OR s.valid_to > ?)")
    params: list[Any] = [at, at, at, at]
    if statuses:
        q += " AND s.status IN (SELECT unnest(?::VARCHAR[]))"
        params.append(statuses)
    return con.sql(q + " ORDER BY s.confidence DESC, s.skill_id, s.item_id", params=params).pl()


def pending_links(con: duckdb.DuckDBPyConnection, limit: int | None = None) -> pl.DataFrame:
    """Current links waiting for review, closest to the auto-accept threshold first."""
    df = links_as_of(con, now_utc(), ["pending"])
    return df.head(limit) if limit else df


def skill_links_by_item(con: duckdb.DuckDBPyConnection, item_ids: list[str]) -> dict[str, list[tuple[str, float]]]:
    """Current non-rejected links per item as (skill_id, confidence) - what memory chunks carry."""
    out: dict[str, list[tuple[str, float]]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    for item_id, skill_id, conf in con.execute(
            "SELECT item_id, skill_id, confidence FROM evidence_skill WHERE valid_to IS NULL AND status <> 'rejected' "
            "AND item_id IN (SELECT unnest(?::VARCHAR[]))", [item_ids]).fetchall():
        out[item_id].append((skill_id, float(conf)))
    return out


# ------------------------------------------------------------------------------------------------ human decisions
def apply_decisions(con: duckdb.DuckDBPyConnection, decisions: list[HumanDecision], run_id: str | None,
                    actor: str = "human", at: datetime | None = None) -> dict[str, int]:
    """Write human decisions on current links; returns counts per decision. Unknown link ids are skipped."""
    at = at or now_utc()
    stats = {"accept": 0, "reject": 0, "edit": 0, "defer": 0, "unknown": 0}
    for d in decisions:
        row = fetch_one(con.execute(
            "SELECT item_id, version_sha256, skill_id, skill_label, confidence, strength, method, features_json, status "
            "FROM evidence_skill WHERE link_id = ? AND valid_to IS NULL", [d.link_id]))
        if row is None:
            stats["unknown"] += 1
            continue
        item_id, ver, skill_id, label, conf, strength, method, feats, status = row
        if d.decision == "defer":
            stats["defer"] += 1
            log_decision(con, actor, "link_deferred", item_id=item_id, version=ver, skill_id=skill_id,
                         confidence=conf, facts={"note": d.note}, run_id=run_id, at=at)
            continue
        if d.decision == "edit" and (not d.skill_id or d.skill_id == skill_id):
            d = d.model_copy(update={"decision": "accept"})
        con.execute("UPDATE evidence_skill SET valid_to = ? WHERE link_id = ? AND valid_to IS NULL", [at, d.link_id])
        new_status = "accepted" if d.decision == "accept" else "rejected"
        facts = {"previous_status": status, "note": d.note}
        if d.decision == "edit":
            facts["edited_to"] = d.skill_id
        con.execute("INSERT INTO evidence_skill VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'human', ?, ?, NULL)",
                    [d.link_id, item_id, ver, skill_id, label, conf, strength, method,
                     json.dumps({**json.loads(feats or "{}"), **facts}), new_status, run_id or "manual", at])
        if d.decision == "edit":
            new_id = link_id(item_id, d.skill_id or "")
            lbl = fetch_one(con.execute("SELECT label FROM graph_skill WHERE skill_id = ? LIMIT 1", [d.skill_id])) \
                if _has_table(con, "graph_skill") else None
            con.execute("UPDATE evidence_skill SET valid_to = ? WHERE link_id = ? AND valid_to IS NULL", [at, new_id])
            con.execute("INSERT INTO evidence_skill VALUES (?, ?, ?, ?, ?, 1.0, ?, 'human_edit', ?, 'accepted', 'human', "
                        "?, ?, NULL)", [new_id, item_id, ver, d.skill_id, lbl[0] if lbl else d.skill_id, strength,
                                        json.dumps({"edited_from": skill_id}), run_id or "manual", at])
        stats[d.decision] += 1
        log_decision(con, actor, {"accept": "link_accepted", "reject": "link_rejected", "edit": "link_edited"}[d.decision],
                     item_id=item_id, version=ver, skill_id=skill_id, confidence=conf, facts=facts, run_id=run_id, at=at)
    return stats


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = fetch_one(con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]))
    return bool(row and row[0])


def reconciliation(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Where automation and the human disagree: current human-decided links vs the latest automated assessment."""
    return con.sql("""
        WITH human AS (
          SELECT s.link_id, s.item_id, s.skill_id, s.skill_label, s.status AS human_status, s.valid_from AS decided_at,
                 i.source_path
          FROM evidence_skill s LEFT JOIN evidence_item i ON i.item_id = s.item_id AND i.valid_to IS NULL
          WHERE s.valid_to IS NULL AND s.decided_by = 'human'),
        auto AS (
          SELECT item_id, skill_id, confidence, action, decided_at, run_id,
                 row_number() OVER (PARTITION BY item_id, skill_id ORDER BY decided_at DESC) AS rn
          FROM decision_log WHERE actor = 'automation' AND skill_id IS NOT NULL),
        joined AS (
          SELECT h.*, a.confidence AS automated_confidence, a.action AS automated_action, a.run_id AS automated_run,
                 CASE WHEN a.confidence IS NULL THEN 'not_assessed'
                      WHEN a.confidence >= ? THEN 'auto' WHEN a.confidence >= ? THEN 'pending'
                      ELSE 'not_found' END AS automated_status
          FROM human h LEFT JOIN auto a ON a.item_id = h.item_id AND a.skill_id = h.skill_id AND a.rn = 1)
        SELECT * FROM joined
        WHERE (human_status = 'rejected' AND automated_status = 'auto')
           OR (human_status = 'accepted' AND automated_status IN ('not_found'))
        ORDER BY decided_at DESC""", params=[AUTO_ACCEPT, MIN_LINK]).pl()
