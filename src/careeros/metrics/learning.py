"""Learning progress import: a statements file or course CSV -> versioned evidence -> closed plan tasks.

Stages (one function, :func:`import_learning`, that a CLI command or a Prefect task calls):

1. keep the raw file in the content-addressed raw store (hashed, with source, run id and time) before reading it;
2. parse (:mod:`careeros.evidence.learning`): records and bad records (-> ``quarantine`` with a reason);
3. items whose content hash is new get skill links (extractor + similarity, the existing thresholds);
4. one warehouse transaction: item versions, links (human decisions kept), voided statements, quarantine, closed
   plan tasks (``task_done`` outcome events, source "learning", idempotent), the run in ``ingest_runs``;
5. memory: chunks of the new versions in LanceDB (when a store is given).

A completion closes a ``learn`` task of the current approved plan when one of its current (not rejected) skill
links names the task's skill, or its course name matches the task closely, and it was completed on or after the
day the task was first planned (an older completion counts as evidence at the next re-plan instead).
Re-importing the same file writes no item, link or event.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from careeros.evidence import history as h
from careeros.evidence import learning as lr
from careeros.evidence.chunking import chunk_item
from careeros.evidence.linking import SkillVectors, corroborate
from careeros.evidence.models import Chunk, EvidenceItem, LinkCandidate
from careeros.metrics.outcomes import event_id, events_frame, record_events
from careeros.planner.gaps import split_examples
from careeros.warehouse.db import connect
from careeros.warehouse.loading import record_run
from careeros.warehouse.provenance import new_run_id

SOURCE = "learning"
#: a course name this close (difflib ratio of the normalised strings) to a task's subject closes it
TITLE_MATCH = 0.85
_VERBS = ("Learn ", "Deepen ", "Refresh ")


class TaskClosed(BaseModel):
    """A plan task a completion closed (or matched but did not close, with the reason)."""

    plan_id: str
    task_id: str
    title: str
    item_id: str
    course: str
    reason: str = Field(description="why they match: 'skill <label>' or 'course name'")
    completed_on: date
    recorded: bool = Field(default=True, description="False: matched, but not closed (see note)")
    note: str | None = None


class LearningImport(BaseModel):
    """What an import did (counts and reasons a person can read)."""

    file: str
    format: str
    run_id: str
    raw_sha256: str | None = None
    raw_new: bool = False
    records_read: int = 0
    completions: int = 0
    facts: int = Field(default=0, description="failed / attempted / progressed outcomes: kept, no skill evidence")
    duplicates: int = 0
    skipped_verbs: dict[str, int] = Field(default_factory=dict)
    items_new: int = 0
    items_changed: int = 0
    items_unchanged: int = 0
    items_voided: int = 0
    links_auto: int = 0
    links_pending: int = 0
    links_kept_human: int = 0
    unmatched_skills: list[str] = Field(default_factory=list, description="declared skills not in the taxonomy")
    tasks_closed: list[TaskClosed] = Field(default_factory=list)
    tasks_matched_not_closed: list[TaskClosed] = Field(default_factory=list)
    plan: str | None = Field(default=None, description="the approved plan the tasks belong to")
    quarantined: int = 0
    quarantine_reasons: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    memory: dict[str, Any] | None = None


# ------------------------------------------------------------------------------------------------ plan tasks (pure)
@dataclass(frozen=True)
class Completion:
    """A completion as the task matcher sees it: the item, when, hours and its current skill links."""

    item_id: str
    title: str
    occurred_at: datetime
    hours: float | None
    skills: tuple[tuple[str, str], ...]  # (skill_id, label)


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z+#]+", " ", text.casefold()).split())


def task_subject(title: str) -> str:
    """What a learn task is about: "Deepen SQL" -> "SQL".

    "Learn Contract administration (change orders)" -> "Contract administration": a course is named after the skill,
    not after its examples.
    """
    for v in _VERBS:
        if title.startswith(v):
            return split_examples(title.removeprefix(v))[0]
    return title


def title_matches(course: str, task_title: str) -> bool:
    """The course name is (nearly) the task's subject or title, or names it with at most two extra words."""
    c, subj, full = _norm(course), _norm(task_subject(task_title)), _norm(task_title)
    if not c or not subj:
        return False
    if max(difflib.SequenceMatcher(None, c, subj).ratio(), difflib.SequenceMatcher(None, c, full).ratio()) >= TITLE_MATCH:
        return True
    ct, st = c.split(), subj.split()
    return (any(len(w) >= 3 for w in st) and all(w in ct for w in st) and len(ct) - len(st) <= 2
            and f" {subj} " in f" {c} ")


def match_tasks(tasks: Sequence[Any], completions: Sequence[Completion]) -> list[tuple[Any, Completion, str]]:
    """(task, first completion that closes it, reason) for every ``learn`` task some completion matches."""
    out = []
    for t in tasks:
        if t.kind != "learn":
            continue
        wanted = set(t.skill_ids)
        for c in sorted(completions, key=lambda x: (x.occurred_at, x.item_id)):
            hit = next((label for sid, label in c.skills if sid in wanted), None)
            if hit is not None:
                out.append((t, c, f"skill {hit}"))
                break
            if title_matches(c.title, t.title):
                out.append((t, c, "course name"))
                break
    return out


def _planned_since(con: Any, plan_id: str) -> dict[str, date]:
    """task_id -> the day it was first planned (first stored version of the plan that holds it)."""
    rows = con.execute("SELECT t.task_id, min(v.created_at) FROM plan_task t JOIN plan_version v USING (plan_id, version) "
                       "WHERE t.plan_id = ? GROUP BY t.task_id", [plan_id]).fetchall()
    return {tid: (at.astimezone(UTC).date() if isinstance(at, datetime) else at) for tid, at in rows}


def close_plan_tasks(con: Any, completions: Sequence[Completion], run_id: str, at: datetime
                     ) -> tuple[str | None, list[TaskClosed], list[TaskClosed]]:
    """Record ``task_done`` events for learn tasks of the approved plan that completions match.

    Returns (plan "id vN", closed, matched but not closed); idempotent (event id = kind, source, plan|task).
    """
    from careeros.metrics.standup import done_task_ids
    from careeros.planner.approval import latest_plan

    plan = latest_plan(con, None, ("approved",))
    if plan is None or not completions:
        return (f"{plan.plan_id} v{plan.version}" if plan else None), [], []
    tasks = [t for w in plan.weeks for t in w.tasks]
    since = _planned_since(con, plan.plan_id)
    done = done_task_ids(con)
    closed: list[TaskClosed] = []
    skipped: list[TaskClosed] = []
    rows = []
    for t, c, reason in match_tasks(tasks, completions):
        day = c.occurred_at.astimezone(UTC).date()
        tc = TaskClosed(plan_id=plan.plan_id, task_id=t.id, title=t.title, item_id=c.item_id, course=c.title,
                        reason=reason, completed_on=day)
        first = since.get(t.id, plan.created_at.astimezone(UTC).date())
        if t.id in done:
            skipped.append(tc.model_copy(update={"recorded": False, "note": "already done"}))
            continue
        if day < first:
            skipped.append(tc.model_copy(update={"recorded": False, "note": (
                f"completed before the task was planned ({first.isoformat()}): the next plan counts it as evidence")}))
            continue
        hours = c.hours if t.part == t.parts else None  # hours once per work item, on its last part
        rows.append({"event_id": event_id("task_done", SOURCE, f"{plan.plan_id}|{t.id}"), "occurred_at": c.occurred_at,
                     "kind": "task_done", "plan_id": plan.plan_id, "task_id": t.id, "quantity": hours,
                     "notes": f"learning: completed {c.title[:150]}", "source": SOURCE, "recorded_at": at})
        h.log_decision(con, "automation", "task_done_by_learning", item_id=c.item_id,
                       facts={"plan_id": plan.plan_id, "version": plan.version, "task_id": t.id, "reason": reason,
                              "completed_on": day.isoformat()}, run_id=run_id, at=at)
        closed.append(tc)
    record_events(con, events_frame(rows))
    return f"{plan.plan_id} v{plan.version}", closed, skipped


# ------------------------------------------------------------------------------------------------ the import
def _embed(items: list[lr.LearningItem], embedder: Any) -> tuple[dict[str, list[Chunk]], dict[str, np.ndarray]]:
    chunks = {i.item_id: chunk_item(i) for i in items}
    texts = [f"{i.title}\n{c.text}" for i in items for c in chunks[i.item_id]]
    if embedder is None or not texts:
        return chunks, {}
    vecs = embedder.embed(texts)
    out: dict[str, np.ndarray] = {}
    k = 0
    for i in items:
        n = len(chunks[i.item_id])
        out[i.item_id] = vecs[k:k + n]
        k += n
    return chunks, out


def import_learning(path: Path, warehouse: Path, raw_dir: Path, extractor: Any, embedder: Any = None,
                    store: Any = None, fmt: lr.Format | None = None, actor: str | None = None,
                    run_id: str | None = None, now: datetime | None = None) -> LearningImport:
    """Import one learning-records file (see the module docstring); ``store``: a MemoryStore to index chunks in."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no file at {path}")
    run_id = run_id or new_run_id()
    started = datetime.now(UTC)
    now = now or started
    with connect(warehouse) as con:  # the raw file first: whatever happens next, the input is kept
        sha, raw_new = lr.keep_raw_file(con, path, raw_dir, run_id) if path.stat().st_size <= lr.MAX_FILE_BYTES \
            else (None, False)  # too large: refused below (quarantine), not copied
        current = h.current_versions(con)
        known, by_label = lr.known_skills(con)
        describe = lr.skill_describer(con)
    parsed = lr.parse_file(path, fmt, now, actor)
    prov = {"raw_sha256": sha, "raw_file": path.name, "run_id": run_id, "imported_at": started.isoformat()}
    pairs = [(lr.to_item(r, str(path), prov), r) for r in parsed.records]
    items = [i for i, _ in pairs]
    new = [(i, r) for i, r in pairs if current.get(i.item_id) != i.version_sha256]
    process = [i for i, _ in new]
    if store is not None and items and store.exists():
        t = store.rows_for_items([i.item_id for i in items], ["item_id", "version_sha256"])
        in_mem = set(zip(t.column("item_id").to_pylist(), t.column("version_sha256").to_pylist(), strict=True))
        queued = {i.item_id for i in process}
        process += [i for i in items if i.item_id not in queued and (i.item_id, i.version_sha256) not in in_mem]
    chunks, vectors = _embed(process, embedder)
    sv = SkillVectors(embedder.embed, describe) if embedder is not None else None
    links: list[LinkCandidate] = []
    unmatched: list[str] = []
    for item, rec in new:
        got, missing = lr.link_candidates(item, rec, extractor, vectors.get(item.item_id), sv, known, by_label)
        links += got
        unmatched += [m for m in missing if m not in unmatched]
    res = LearningImport(file=str(path), format=parsed.fmt, run_id=run_id, raw_sha256=sha, raw_new=raw_new,
                         records_read=parsed.read, completions=len(parsed.completions),
                         facts=len(parsed.records) - len(parsed.completions), duplicates=parsed.duplicates,
                         skipped_verbs=parsed.skipped_verbs, unmatched_skills=unmatched, warnings=parsed.warnings)
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            new_ids = sorted({i.item_id for i, _ in new}) or [""]
            strong = dict(con.execute(
                "SELECT skill_id, any_value(item_id) FROM evidence_skill WHERE valid_to IS NULL AND status IN "
                "('auto', 'accepted') AND item_id NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY skill_id",
                [new_ids]).fetchall())
            links = corroborate(links, strong)
            stats = lr.write_learning(con, items, links, {k: len(v) for k, v in chunks.items()}, run_id, started)
            res.items_voided = len(lr.close_voided(con, parsed.voided, run_id, started))
            res.quarantined = lr.write_quarantine(con, parsed.bad, str(path), parsed.fmt, run_id)
            cur = lr.current_links(con, [r.item_id for r in parsed.completions])
            comps = [Completion(r.item_id, r.title, r.occurred_at, r.hours,
                                tuple((s, label) for s, label, _ in cur.get(r.item_id, [])))
                     for r in parsed.completions]
            res.plan, res.tasks_closed, res.tasks_matched_not_closed = close_plan_tasks(con, comps, run_id, started)
            for k in ("items_new", "items_changed", "items_unchanged", "links_auto", "links_pending",
                      "links_kept_human"):
                setattr(res, k, stats[k])
            record_run(con, run_id, SOURCE, "succeeded", started, source_version=path.name, source_sha256=sha,
                       rows_read=parsed.read, rows_written=stats["items_new"] + stats["items_changed"],
                       rows_quarantined=res.quarantined, message=f"{parsed.fmt} {path.name}: "
                       f"{len(parsed.completions)} completions, {len(res.tasks_closed)} tasks closed")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    res.quarantine_reasons = [f"{b.origin}: {b.reason}" for b in parsed.bad]
    if store is not None and process and embedder is not None:
        from careeros.evidence.curate import Prepared, sync_memory

        as_items: list[EvidenceItem] = list(process)
        res.memory = sync_memory(warehouse, store, Prepared(process=as_items, warehouse_new=as_items, chunks=chunks,
                                                            vectors=vectors), run_id)
    return res
