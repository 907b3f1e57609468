"""The curation pipeline as plain functions (the Prefect flow calls these through thin tasks).

read -> decide what is new (by content hash, in the warehouse and in memory) -> chunk + embed -> link to
skills -> one warehouse transaction (item versions, links, decisions, quarantine) -> memory sync + run tag.
Unchanged evidence is skipped end to end, so a re-run writes no versions and no memory rows.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from careeros.evidence import history as h
from careeros.evidence.chunking import chunk_item
from careeros.evidence.linking import SkillVectors, corroborate, link_item
from careeros.evidence.models import Chunk, EvidenceItem, LinkCandidate, Quarantined
from careeros.evidence.readers import discover, read_all
from careeros.memory.embedders import Embedder
from careeros.memory.store import MemoryStore
from careeros.profile import Profile, load_profile
from careeros.warehouse.db import connect

log = logging.getLogger("careeros.evidence")


def default_profile_path(home: Path) -> Path:
    """Where ``careeros init`` writes the profile."""
    return Path(home) / "profile.toml"


def resolve_profile(home: Path, profile_path: str | Path | None = None) -> Profile:
    """Load the given profile, else the one under CAREEROS_HOME."""
    path = Path(profile_path) if profile_path else default_profile_path(home)
    if not path.is_file():
        raise FileNotFoundError(f"no profile at {path}: run `careeros init` first")
    return load_profile(path)


@dataclass
class Gathered:
    """Items read this run, unreadable inputs, and the file paths that were scanned."""

    items: list[EvidenceItem]
    quarantined: list[Quarantined]
    scanned_roots: list[str]


def gather(profile: Profile) -> Gathered:
    """Read every evidence source of the profile."""
    sources = discover(profile.evidence_folders, profile.git_repos)
    items, bad = read_all(sources)
    roots = [str(Path(p).resolve()) for p in [*profile.evidence_folders, *profile.git_repos]]
    return Gathered(items, bad, roots)


@dataclass
class Prepared:
    """Items to (re)process with their chunks, vectors and link candidates."""

    process: list[EvidenceItem]
    warehouse_new: list[EvidenceItem]
    chunks: dict[str, list[Chunk]] = field(default_factory=dict)
    vectors: dict[str, np.ndarray] = field(default_factory=dict)
    links: list[LinkCandidate] = field(default_factory=list)
    skipped: int = 0


def select_new(warehouse: Path, store: MemoryStore, items: list[EvidenceItem]) -> Prepared:
    """Items whose version is new to the warehouse, or missing from memory (a crash between the two writes)."""
    with connect(warehouse) as con:
        cur = h.current_versions(con)
    ids = [i.item_id for i in items]
    in_mem: set[tuple[str, str]] = set()
    if store.exists() and ids:
        t = store.rows_for_items(ids, ["item_id", "version_sha256"])
        in_mem = set(zip(t.column("item_id").to_pylist(), t.column("version_sha256").to_pylist(), strict=True))
    seen: set[str] = set()
    unique = []
    for i in items:  # the same path listed twice (folder + explicit file) is read once
        if i.item_id not in seen:
            seen.add(i.item_id)
            unique.append(i)
    wh_new = [i for i in unique if cur.get(i.item_id) != i.version_sha256]
    process = [i for i in unique if i in wh_new or (i.item_id, i.version_sha256) not in in_mem]
    return Prepared(process=process, warehouse_new=wh_new, skipped=len(unique) - len(process))


def _describer(warehouse: Path) -> Any:
    def describe(skill_ids: list[str]) -> dict[str, str]:
        with connect(warehouse, read_only=True) as con:
            try:
                rows = con.execute("SELECT skill_id, any_value(description) FROM graph_skill WHERE skill_id IN "
                                   "(SELECT unnest(?::VARCHAR[])) GROUP BY skill_id", [skill_ids]).fetchall()
            except Exception:  # noqa: BLE001 - no graph yet: labels alone
                return {}
        return {r[0]: r[1] or "" for r in rows}

    return describe


def embed_and_link(prep: Prepared, warehouse: Path, embedder: Embedder, extractor: Any) -> Prepared:
    """Chunk and embed the items to process; link the warehouse-new ones to skills."""
    texts: list[str] = []
    owners: list[tuple[str, int]] = []
    for item in prep.process:
        chunks = chunk_item(item)
        prep.chunks[item.item_id] = chunks
        for c in chunks:
            texts.append(f"{item.title}\n{c.text}")
            owners.append((item.item_id, c.index))
    vecs = embedder.embed(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    for item in prep.process:
        idx = [k for k, (iid, _) in enumerate(owners) if iid == item.item_id]
        prep.vectors[item.item_id] = vecs[idx] if idx else np.zeros((0, embedder.dim), dtype=np.float32)
    sv = SkillVectors(embedder.embed, _describer(warehouse))
    new_ids = {i.item_id for i in prep.warehouse_new}
    for item in prep.process:
        if item.item_id in new_ids:
            prep.links += link_item(item, prep.chunks[item.item_id], prep.vectors[item.item_id], extractor, sv)
    with connect(warehouse) as con:
        strong = dict(con.execute(
            "SELECT skill_id, any_value(item_id) FROM evidence_skill WHERE valid_to IS NULL "
            "AND status IN ('auto', 'accepted') AND item_id NOT IN (SELECT unnest(?::VARCHAR[])) GROUP BY skill_id",
            [sorted(new_ids) or [""]]).fetchall())
    prep.links = corroborate(prep.links, strong)
    return prep


def write_history(warehouse: Path, prep: Prepared, gathered: Gathered, run_id: str,
                  at: datetime | None = None, profile_file: Path | None = None) -> dict[str, Any]:
    """One transaction: new item versions, their links (human decisions kept), removed items, quarantine.

    ``profile_file``: the profile this run read; a content not seen before is kept as a profile version.
    """
    at = at or h.now_utc()
    seen = {i.source_path for i in gathered.items}
    quarantined = {str(Path(q.source_path).resolve()) for q in gathered.quarantined}
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            new = h.write_items(con, prep.warehouse_new, {k: len(v) for k, v in prep.chunks.items()}, run_id, at)
            stats = h.write_links(con, new, [c for c in prep.links if c.item_id in {i.item_id for i in new}],
                                  run_id, at)
            scanned = _known_paths(con, set(gathered.scanned_roots))
            closed = h.close_missing_items(con, seen, quarantined, scanned, run_id, at)
            nq = h.write_quarantine(con, gathered.quarantined, run_id)
            if profile_file is not None:
                from careeros.profile_history import snapshot, store_for

                snapshot(con, store_for(Path(warehouse).parent), profile_file, run_id=run_id,
                         note="read by curate-evidence")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return {"items_new": len(new), "items_removed": len(closed), "quarantined": nq,
            "links_auto": stats["auto"], "links_pending": stats["pending"], "links_closed": stats["closed"],
            "links_kept_human": stats["kept_human"], "disagreements": stats["disagreements"]}


def _known_paths(con: Any, scanned_roots: set[str]) -> set[str]:
    """Current item paths that live under a scanned folder (candidates for 'removed')."""
    rows = con.execute("SELECT source_path FROM evidence_item WHERE valid_to IS NULL").fetchall()
    out = set()
    for (p,) in rows:
        base = p.split("#", 1)[0]
        if any(base == r or base.startswith(r.rstrip("/") + "/") for r in scanned_roots):
            out.add(base)
    return out


def sync_memory(warehouse: Path, store: MemoryStore, prep: Prepared, run_id: str,
                at: datetime | None = None) -> dict[str, Any]:
    """Write chunk rows (with the items' current links) to LanceDB, tag the version, record it."""
    at = at or h.now_utc()
    ids = [i.item_id for i in prep.process]
    with connect(warehouse) as con:
        links = h.skill_links_by_item(con, ids)
    rows = []
    for item in prep.process:
        lk = sorted(links.get(item.item_id, []), key=lambda x: (-x[1], x[0]))
        for c, v in zip(prep.chunks[item.item_id], prep.vectors[item.item_id], strict=True):
            rows.append({"chunk_id": c.chunk_id, "item_id": item.item_id, "version_sha256": item.version_sha256,
                         "chunk_index": c.index, "title": item.title, "text": c.text, "vector": v.tolist(),
                         "source_type": item.source_type, "source_path": item.source_path,
                         "reliability": item.reliability, "created_at": item.content_at, "ingested_at": at,
                         "run_id": run_id, "current": True, "skill_ids": [s for s, _ in lk],
                         "skill_conf": [float(c_) for _, c_ in lk]})
    res = store.sync(rows, {i.item_id: i.version_sha256 for i in prep.process}, run_id)
    with connect(warehouse) as con:
        con.execute("INSERT OR REPLACE INTO memory_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [run_id, res.table, res.version, res.tag, res.rows_total, res.added, res.updated, at])
    return res.as_dict()


def pending_for_review(warehouse: Path, limit: int | None = None, store: MemoryStore | None = None) -> tuple[Any, int]:
    """(pending links, best first, with a ``snippet`` of the evidence text each; total pending).

    ``limit`` None = all of them (the review form pages through every one). The snippet is cut from the item's
    memory chunks around the words that produced the link, and redacted.
    """
    import json

    import polars as pl

    from careeros.evidence.review import snippet

    with connect(warehouse) as con:
        df = h.pending_links(con)
        feats = dict(con.execute("SELECT link_id, features_json FROM evidence_skill WHERE valid_to IS NULL AND "
                                 "link_id IN (SELECT unnest(?::VARCHAR[]))", [df["link_id"].to_list()]).fetchall()
                     ) if df.height else {}
    total = df.height
    if limit:
        df = df.head(limit)
    texts: dict[tuple[str, str], list[tuple[int, str]]] = {}
    if store is not None and df.height and store.exists():
        t = store.rows_for_items(df["item_id"].unique().to_list(), ["item_id", "version_sha256", "chunk_index", "text"])
        for iid, ver, idx, text in zip(*(t.column(c).to_pylist() for c in ("item_id", "version_sha256", "chunk_index",
                                                                             "text")), strict=True):
            texts.setdefault((iid, ver), []).append((int(idx), text or ""))
    snippets = []
    for r in df.iter_rows(named=True):
        try:
            surfaces = list(json.loads(feats.get(r["link_id"]) or "{}").get("surfaces") or [])
        except (ValueError, AttributeError):
            surfaces = []
        surfaces += [r["skill_label"] or ""]
        chunks = [c for _, c in sorted(texts.get((r["item_id"], r["version_sha256"]), []))]
        hit = next((c for c in chunks if any(s and s.lower() in c.lower() for s in surfaces)), chunks[0] if chunks
                   else r.get("title") or "")
        snippets.append(snippet(hit, surfaces))
    return df.with_columns(pl.Series("snippet", snippets, dtype=pl.Utf8)), total


def apply_review(warehouse: Path, store: MemoryStore | None, decisions: list[h.HumanDecision], run_id: str | None,
                 actor: str = "human") -> dict[str, Any]:
    """Write human decisions, then refresh the affected items' links in memory."""
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            stats = h.apply_decisions(con, decisions, run_id, actor=actor)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        items = sorted({r[0] for r in con.execute(
            "SELECT DISTINCT item_id FROM evidence_skill WHERE link_id IN (SELECT unnest(?::VARCHAR[]))",
            [[d.link_id for d in decisions]]).fetchall()})
        links = h.skill_links_by_item(con, items)
    updated = store.update_links(links) if store is not None and store.exists() else 0
    return {**stats, "memory_rows_updated": updated}
