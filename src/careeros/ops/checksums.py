"""Order-independent checksums of warehouse tables, blind to run ids, audit timestamps and log tables.

Two warehouses built from the same inputs (one clean, one killed and re-run) must give equal checksums:
what differs legitimately between them is *when* and *by which run* a row was written, never its content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from careeros.warehouse.db import connect

#: Per-run logs: one row per attempt, so a killed-and-retried run legitimately has more of them.
LOG_TABLES = frozenset({"schema_migrations", "ingest_runs", "dq_results", "memory_runs", "llm_calls"})
#: Columns that say which run wrote a row, when, or where a file was copied: ignored.
IGNORED_COLUMNS = frozenset({
    "_run_id", "_loaded_at", "run_id", "first_seen_run", "decision_id", "stored_path",
    "landed_at", "processed_at", "computed_at", "quarantined_at", "loaded_at", "started_at", "finished_at",
    "validated_at", "applied_at", "first_seen_at", "valid_from", "decided_at", "created_at", "updated_at",
    "recorded_at", "changed_at", "approved_at", "seconds", "timings_json",
})
#: Timestamp columns whose value is run time but whose null-ness is data (open vs closed version).
NULLNESS_COLUMNS = frozenset({"valid_to", "expires_at"})


def _column_expr(name: str) -> str | None:
    if name in IGNORED_COLUMNS:
        return None
    quoted = '"' + name.replace('"', '""') + '"'
    return f"({quoted} IS NULL)" if name in NULLNESS_COLUMNS else quoted


def table_checksums(path: Path, tables: list[str] | None = None, exclude: frozenset[str] = LOG_TABLES,
                    columns: dict[str, list[str]] | None = None) -> dict[str, str]:
    """``{table: sha256}`` of every base table (or the given ones) of a DuckDB warehouse.

    Each checksum covers the row count and the sum of per-row hashes of the content columns, so row order
    does not matter but a duplicated, missing or changed row does. Run ids, audit timestamps and the
    per-run log tables (:data:`LOG_TABLES`) are left out. ``columns`` restricts named tables to some columns
    (e.g. their natural key, for a table whose other values are not bit-for-bit reproducible).
    """
    out: dict[str, str] = {}
    with connect(Path(path), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        for table in names:
            if (tables is not None and table not in tables) or (tables is None and table in exclude):
                continue
            cols = [r[0] for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? "
                "ORDER BY column_name", [table]).fetchall()]
            if columns and table in columns:
                cols = sorted(columns[table])
            exprs = [e for e in (_column_expr(c) for c in cols) if e is not None]
            row_hash = f"hash({', '.join(exprs)})" if exprs else "0"
            n, total = con.execute(
                f'SELECT count(*), coalesce(sum({row_hash}::HUGEINT), 0) FROM "{table}"').fetchall()[0]
            digest = hashlib.sha256(f"{table}|{','.join(cols)}|{n}|{total}".encode()).hexdigest()
            out[table] = digest
    return out


def row_counts(path: Path, tables: list[str] | None = None) -> dict[str, int]:
    """``{table: rows}`` of every base table (or the given ones)."""
    with connect(Path(path), read_only=True) as con:
        names = tables or [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_type = 'BASE TABLE' ORDER BY table_name").fetchall()]
        return {t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchall()[0][0]) for t in names}
