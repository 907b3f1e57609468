"""LanceDB chunk store: idempotent upserts (merge_insert on chunk id), FTS index, one tag per curation run.

One table per embedder (``chunks_<name>``) because vector dimensions differ. Rows are never deleted: a
superseded item version keeps its chunks with ``current = false`` so older snapshots stay searchable.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from careeros.memory.versions import TABLE_PREFIX
from careeros.memory.versions import memory_version as memory_version  # re-exported (status, plans)

log = logging.getLogger("careeros.memory")

#: Columns whose change makes an existing row worth rewriting (links move; text/vector never do).
MUTABLE = ("skill_ids", "skill_conf", "current")


def schema(dim: int) -> pa.Schema:
    """Arrow schema of the chunk table for vectors of ``dim`` dimensions."""
    ts = pa.timestamp("us", tz="UTC")
    return pa.schema([
        pa.field("chunk_id", pa.string(), nullable=False),
        pa.field("item_id", pa.string(), nullable=False),
        pa.field("version_sha256", pa.string(), nullable=False),
        pa.field("chunk_index", pa.int32()),
        pa.field("title", pa.string()),
        pa.field("text", pa.string()),
        pa.field("vector", pa.list_(pa.float32(), dim)),
        pa.field("source_type", pa.string()),
        pa.field("source_path", pa.string()),
        pa.field("reliability", pa.float32()),
        pa.field("created_at", ts),
        pa.field("ingested_at", ts),
        pa.field("run_id", pa.string()),
        pa.field("current", pa.bool_()),
        pa.field("skill_ids", pa.list_(pa.string())),
        pa.field("skill_conf", pa.list_(pa.float32())),
    ])


@dataclass
class SyncResult:
    """What one sync changed and the table version (and tag) it produced."""

    table: str
    version: int
    tag: str | None
    rows_total: int
    added: int
    updated: int
    superseded: int

    def as_dict(self) -> dict[str, Any]:
        """Plain dict."""
        return dict(self.__dict__)


def _quote(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def tag_name(run_id: str) -> str:
    """LanceDB tag for a curation run (tags allow letters, digits, '-', '_', '.')."""
    return "run-" + re.sub(r"[^A-Za-z0-9_.\-]", "-", run_id)


class MemoryStore:
    """The chunk table of one embedder inside ``memory_dir``."""

    def __init__(self, memory_dir: Path, embedder_name: str, dim: int) -> None:
        from careeros.memory.lance import import_lancedb

        lancedb = import_lancedb()  # its REST client's validators are built on use (0.4 s less start-up)
        self.memory_dir = Path(memory_dir)
        self.memory_dir.mkdir(parents=True, exist_ok=True)
        self.db = lancedb.connect(str(self.memory_dir))
        self.name = TABLE_PREFIX + embedder_name
        self.dim = dim
        self._tbl: Any = None

    # ---------------------------------------------------------------- table access
    @property
    def table(self) -> Any:
        """The LanceDB table (created empty on first use)."""
        if self._tbl is None:
            self._tbl = self.db.create_table(self.name, schema=schema(self.dim), exist_ok=True)
        return self._tbl

    def exists(self) -> bool:
        """True when the table has been created."""
        try:
            self.db.open_table(self.name)
            return True
        except (FileNotFoundError, ValueError):
            return False

    def checkout(self, version: int | str) -> None:
        """Read a past version (number or run tag); writes are refused until :meth:`latest`."""
        self.table.checkout(version)

    def latest(self) -> None:
        """Back to the latest version."""
        self.table.checkout_latest()

    def count(self) -> int:
        """Rows in the table (all versions of all items)."""
        return int(self.table.count_rows())

    def rows(self, where: str | None = None, columns: list[str] | None = None) -> pa.Table:
        """All rows matching a SQL filter (no vector search)."""
        q = self.table.search()
        if where:
            q = q.where(where)
        if columns:
            q = q.select(columns)
        return q.limit(None).to_arrow()

    def rows_for_items(self, item_ids: list[str], columns: list[str] | None = None) -> pa.Table:
        """Rows of the given items (all versions)."""
        if not item_ids:
            return pa.table({c: [] for c in (columns or ["chunk_id"])})
        return self.rows(f"item_id IN ({_quote(sorted(set(item_ids)))})", columns)

    # ---------------------------------------------------------------- writes
    def sync(self, rows: list[dict[str, Any]], current_versions: dict[str, str], run_id: str | None,
             build_fts: bool = True) -> SyncResult:
        """Upsert chunk rows idempotently and mark older versions of the given items as not current.

        ``rows``: full chunk rows (new or with changed links); rows equal to the stored ones are skipped, so a
        re-run with unchanged evidence writes nothing. ``current_versions``: item_id -> current version.
        """
        tbl = self.table
        ids = list(current_versions)
        existing = self.rows_for_items(ids, ["chunk_id", "version_sha256", "item_id", *MUTABLE]).to_pylist()
        by_id = {r["chunk_id"]: r for r in existing}

        def same(new: dict[str, Any], old: dict[str, Any]) -> bool:
            return (list(new["skill_ids"]) == list(old["skill_ids"] or [])
                    and [round(float(x), 4) for x in new["skill_conf"]] == [round(float(x), 4) for x in old["skill_conf"] or []]
                    and bool(new["current"]) == bool(old["current"]))

        added = [r for r in rows if r["chunk_id"] not in by_id]
        changed = [r for r in rows if r["chunk_id"] in by_id and not same(r, by_id[r["chunk_id"]])]
        stale = sorted({r["chunk_id"] for r in existing
                        if r["current"] and current_versions.get(r["item_id"]) not in (None, r["version_sha256"])})
        if added:
            tbl.merge_insert("chunk_id").when_not_matched_insert_all().execute(
                pa.Table.from_pylist(added, schema=schema(self.dim)))
        if changed:
            tbl.merge_insert("chunk_id").when_matched_update_all().execute(
                pa.Table.from_pylist(changed, schema=schema(self.dim)))
        if stale:
            tbl.update(where=f"chunk_id IN ({_quote(stale)})", values={"current": False})
        if (added or changed or stale or not self.has_fts()) and build_fts:
            self.build_fts()
        tag = None
        if run_id:
            tag = tag_name(run_id)
            try:
                tbl.tags.create(tag, tbl.version)
            except Exception as exc:  # noqa: BLE001 - same run re-tagging (retry) keeps the first tag
                log.info("tag %s not created: %s", tag, exc)
        return SyncResult(self.name, int(tbl.version), tag, self.count(), len(added), len(changed), len(stale))

    def update_links(self, item_links: dict[str, list[tuple[str, float]]]) -> int:
        """Rewrite ``skill_ids``/``skill_conf`` of every chunk of the given items (after a human decision)."""
        if not item_links:
            return 0
        rows = self.rows_for_items(list(item_links)).to_pylist()
        changed = []
        for r in rows:
            links = sorted(item_links[r["item_id"]], key=lambda x: (-x[1], x[0]))
            ids, conf = [s for s, _ in links], [float(c) for _, c in links]
            if ids != list(r["skill_ids"] or []) or [round(c, 4) for c in conf] != [round(float(c), 4) for c in r["skill_conf"] or []]:
                changed.append({**r, "skill_ids": ids, "skill_conf": conf})
        if changed:
            self.table.merge_insert("chunk_id").when_matched_update_all().execute(
                pa.Table.from_pylist(changed, schema=schema(self.dim)))
        return len(changed)

    def has_fts(self) -> bool:
        """True when a full-text index exists on ``text``."""
        try:
            return any("text" in (getattr(ix, "columns", None) or []) and "FTS" in str(getattr(ix, "index_type", ""))
                       for ix in self.table.list_indices())
        except Exception:  # noqa: BLE001
            return False

    def build_fts(self) -> None:
        """(Re)build the BM25 full-text index on ``text``."""
        from lancedb.index import FTS

        if self.count():
            self.table.create_index("text", config=FTS(with_position=False), replace=True)

    def build_vector_index(self, min_rows: int = 50_000) -> bool:
        """An IVF-HNSW-SQ vector index once the table is large (below ``min_rows`` brute force is faster)."""
        from lancedb.index import HnswSq

        if self.count() < min_rows:
            return False
        self.table.create_index("vector", config=HnswSq(distance_type="cosine"), replace=True)
        return True

    def tags(self) -> dict[str, int]:
        """Run tag -> table version."""
        return {k: int(v["version"]) for k, v in self.table.tags.list().items()}


def now() -> datetime:
    """UTC now (microsecond precision, as stored)."""
    return datetime.now(UTC)
