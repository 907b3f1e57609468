"""Stages of a source load: keep raw files, write validated tables atomically, record runs and quarantine.

Each function takes an open DuckDB connection (short-lived, opened by the caller) or plain data.
A load replaces a source's rows in one transaction, so a failed load leaves the previous version intact.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from careeros.warehouse.db import fetch_one
from careeros.warehouse.provenance import Provenance


def now_utc() -> datetime:
    """Current time, timezone-aware UTC."""
    return datetime.now(UTC)


def is_unchanged(con: duckdb.DuckDBPyConnection, source: str, sha256: str) -> bool:
    """True when the recorded version of ``source`` has this exact content hash."""
    row = fetch_one(con.execute("SELECT source_sha256 FROM source_versions WHERE source = ?", [source]))
    return bool(row and row[0] == sha256)


def keep_raw(
    con: duckdb.DuckDBPyConnection, source: str, files: list[tuple[Path, str, int]], raw_dir: Path, run_id: str
) -> int:
    """Copy input files into the content-addressed raw store (once per hash); return how many were new."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    new = 0
    for path, sha, size in files:
        known = fetch_one(con.execute("SELECT 1 FROM raw_files WHERE sha256 = ?", [sha]))
        suffix = "".join(path.suffixes[-2:]) if path.name.endswith(".gz") else path.suffix
        stored = raw_dir / sha[:2] / f"{sha}{suffix}"
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_name(stored.name + ".part")
            shutil.copyfile(path, tmp)
            tmp.replace(stored)
        if not known:
            con.execute(
                "INSERT INTO raw_files VALUES (?, ?, ?, ?, ?, ?, ?)",
                [sha, source, str(path), str(stored), size, run_id, now_utc()],
            )
            new += 1
    return new


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, df: pl.DataFrame) -> int:
    """Insert a Polars frame into ``table`` matching columns by name; returns rows inserted."""
    if df.height == 0:
        return 0
    con.register("__frame", df.to_arrow())
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM __frame")
    finally:
        con.unregister("__frame")
    return df.height


def replace_source_tables(
    con: duckdb.DuckDBPyConnection, tables: dict[str, pl.DataFrame], prov: Provenance
) -> dict[str, int]:
    """Inside the caller's transaction: delete this source's rows from each table and insert the new ones."""
    counts: dict[str, int] = {}
    for table, df in tables.items():
        con.execute(f"DELETE FROM {table} WHERE _source = ?", [prov.source])
        counts[table] = insert_frame(con, table, prov.stamp(df))
    return counts


def record_source_version(
    con: duckdb.DuckDBPyConnection, prov: Provenance, files: list[dict[str, Any]], counts: dict[str, int]
) -> None:
    """Upsert the loaded version of a source."""
    con.execute(
        "INSERT OR REPLACE INTO source_versions VALUES (?, ?, ?, ?, ?, ?, ?)",
        [prov.source, prov.source_version, prov.source_sha256, json.dumps(files), prov.run_id, prov.loaded_at,
         json.dumps(counts, sort_keys=True)],
    )


def add_quarantine(con: duckdb.DuckDBPyConnection, run_id: str, source: str, frames: list[pl.DataFrame]) -> int:
    """Append rejected rows (table_name, record_key, reason, record_json) to ``quarantine``."""
    total = 0
    for q in frames:
        if q.height == 0:
            continue
        q = q.with_columns(
            pl.lit(run_id).alias("run_id"), pl.lit(source).alias("source"),
            pl.lit(now_utc()).cast(pl.Datetime("us", "UTC")).alias("quarantined_at"),
        )
        total += insert_frame(con, "quarantine", q)
    return total


def record_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    source: str,
    status: str,
    started_at: datetime,
    *,
    source_version: str | None = None,
    source_sha256: str | None = None,
    rows_read: int = 0,
    rows_written: int = 0,
    rows_quarantined: int = 0,
    message: str | None = None,
    timings: dict[str, float] | None = None,
) -> None:
    """Insert or update the ``ingest_runs`` row of (run_id, source)."""
    finished = now_utc()
    con.execute(
        "INSERT OR REPLACE INTO ingest_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, source, source_version, source_sha256, status, rows_read, rows_written, rows_quarantined,
         started_at, finished, (finished - started_at).total_seconds(), message,
         json.dumps(timings or {}, sort_keys=True)],
    )
