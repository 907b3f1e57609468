"""Hybrid retrieval over the chunk table:

BM25 (FTS) + vector candidates fused with reciprocal rank fusion, then a final score weighing relevance,
source reliability, recency and skill-link confidence.

final = 0.60 * relevance + 0.15 * reliability + 0.10 * recency + 0.15 * link_confidence
relevance = 0.5 * RRF (normalised to [0, 1]) + 0.5 * cosine similarity (clipped at 0)
recency = exp(-age_days / 365); link_confidence = confidence of the filtered skill (else the chunk's best link).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import BaseModel

from careeros.memory.embedders import Embedder
from careeros.memory.store import MemoryStore, _quote

RRF_K = 60
WEIGHTS = {"relevance": 0.60, "reliability": 0.15, "recency": 0.10, "link": 0.15}


class Provenance(BaseModel):
    """Where a hit comes from: file, item version (content hash), dates and the curation run that wrote it."""

    source_type: str
    source_path: str
    item_id: str
    version_sha256: str
    created_at: datetime | None
    ingested_at: datetime | None
    run_id: str | None
    current: bool


class Hit(BaseModel):
    """One search result with its score components and provenance."""

    chunk_id: str
    title: str
    text: str
    score: float
    components: dict[str, float]
    skill_ids: list[str]
    provenance: Provenance


@dataclass
class Filters:
    """Search filters: skills (any of), source types (any of), a created_at window, current versions only."""

    skills: list[str] | None = None
    sources: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None
    current_only: bool = True

    def where(self) -> str | None:
        """SQL predicate for LanceDB (prefilter)."""
        parts = []
        if self.current_only:
            parts.append("current = true")
        if self.sources:
            parts.append(f"source_type IN ({_quote(self.sources)})")
        if self.skills:
            parts.append(f"array_has_any(skill_ids, [{_quote(self.skills)}])")
        if self.since:
            parts.append(f"created_at >= timestamp '{_ts(self.since)}'")
        if self.until:
            parts.append(f"created_at < timestamp '{_ts(self.until)}'")
        return " AND ".join(parts) or None


def _ts(d: datetime) -> str:
    d = d if d.tzinfo else d.replace(tzinfo=UTC)
    return d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def fts_query(text: str) -> str:
    """A safe BM25 query: words only (operators and quotes in user input are not query syntax here)."""
    return " ".join(re.findall(r"[\w+#.]+", text))[:500]


def search(store: MemoryStore, embedder: Embedder, query: str, k: int = 10, filters: Filters | None = None,
           candidates: int = 50, now: datetime | None = None) -> list[Hit]:
    """Hybrid search; every hit carries its provenance. Empty table or query -> []."""
    filters = filters or Filters()
    if not query.strip() or not store.exists() or store.count() == 0:
        return []
    tbl = store.table
    where = filters.where()
    qvec = embedder.embed([query])[0]
    n = max(candidates, k)
    vq = tbl.search(qvec, vector_column_name="vector").distance_type("cosine")
    if where:
        vq = vq.where(where, prefilter=True)
    vec_rows = vq.limit(n).to_list()  # all columns: no select, so scores stay projected
    fts_rows: list[dict[str, Any]] = []
    fq = fts_query(query)
    if fq and store.has_fts():
        q = tbl.search(fq, query_type="fts")
        if where:
            q = q.where(where, prefilter=True)
        try:
            fts_rows = q.limit(n).to_list()
        except Exception:  # noqa: BLE001 - an FTS parse problem degrades to vector-only search
            fts_rows = []
    rows: dict[str, dict[str, Any]] = {}
    rrf: dict[str, float] = {}
    for lst in (vec_rows, fts_rows):
        for rank, r in enumerate(lst):
            rows.setdefault(r["chunk_id"], r)
            rrf[r["chunk_id"]] = rrf.get(r["chunk_id"], 0.0) + 1.0 / (RRF_K + rank + 1)
    if not rows:
        return []
    now = now or datetime.now(UTC)
    ids = list(rows)
    vecs = np.array([rows[c]["vector"] for c in ids], dtype=np.float32)
    sims = np.clip(vecs @ qvec.astype(np.float32), 0.0, 1.0)
    rrf_max = 2.0 / (RRF_K + 1)
    want = set(filters.skills or [])
    hits = []
    for cid, sim in zip(ids, sims, strict=True):
        r = rows[cid]
        created = r.get("created_at")
        age = max((now - created).total_seconds() / 86400, 0.0) if created else 365.0
        sk, conf = list(r.get("skill_ids") or []), [float(x) for x in r.get("skill_conf") or []]
        link = max([c for s, c in zip(sk, conf, strict=False) if s in want] or [0.0]) if want else max(conf or [0.0])
        comp = {"rrf": rrf[cid] / rrf_max, "similarity": float(sim), "reliability": float(r["reliability"] or 0.0),
                "recency": math.exp(-age / 365.0), "link": link}
        comp["relevance"] = 0.5 * comp["rrf"] + 0.5 * comp["similarity"]
        score = (WEIGHTS["relevance"] * comp["relevance"] + WEIGHTS["reliability"] * comp["reliability"]
                 + WEIGHTS["recency"] * comp["recency"] + WEIGHTS["link"] * comp["link"])
        hits.append(Hit(
            chunk_id=cid, title=r["title"] or "", text=r["text"], score=round(score, 4),
            components={k: round(v, 4) for k, v in comp.items()}, skill_ids=sk,
            provenance=Provenance(source_type=r["source_type"], source_path=r["source_path"], item_id=r["item_id"],
                                  version_sha256=r["version_sha256"], created_at=created,
                                  ingested_at=r.get("ingested_at"), run_id=r.get("run_id"),
                                  current=bool(r.get("current")))))
    hits.sort(key=lambda h: (-h.score, h.chunk_id))
    return hits[:k]
