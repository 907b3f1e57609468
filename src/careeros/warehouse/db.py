"""Short-lived DuckDB connections and schema migrations."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from careeros.warehouse.migrations import MIGRATIONS


def fetch_one(result: duckdb.DuckDBPyConnection) -> tuple[Any, ...] | None:
    """First row of an executed statement, consuming the whole result.

    DuckDB 2 refuses new work on a connection whose previous result was not fetched to the end.
    """
    rows = result.fetchall()
    return rows[0] if rows else None


@contextmanager
def connect(path: Path, read_only: bool = False, retries: int = 20) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open a short-lived connection, migrating the schema on writable opens; always closed on exit.

    DuckDB allows one writer process; a brief lock conflict (another step finishing) is retried.
    """
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    delay = 0.05
    for attempt in range(retries):
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or attempt == retries - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        if not read_only:
            ensure_schema(con)
        yield con
    finally:
        con.close()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations in order; idempotent. Returns the versions applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMPTZ DEFAULT now())"
    )
    done = {r[0] for r in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied: list[int] = []
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


def read_frame(path: Path, sql: str, params: list[object] | None = None) -> pl.DataFrame:
    """Run a read query on a short-lived read-only connection and return a Polars frame."""
    with connect(path, read_only=True) as con:
        return con.sql(sql, params=params).pl() if params else con.sql(sql).pl()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when a table or view of that name exists in the main schema."""
    schema, _, table = name.rpartition(".")
    row = fetch_one(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_schema = ?",
        [table, schema or "main"],
    ))
    return bool(row and row[0])


def publish_snapshot(src: Path, dst: Path) -> Path:
    """Atomically publish a read-only analytics copy of the warehouse (copy to temp, then rename)."""
    tmp = dst.with_suffix(f".tmp-{os.getpid()}")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)
    return dst
