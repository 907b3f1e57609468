"""Analyst access: stable views in schema ``analytics`` and the published read-only snapshot ``analytics.duckdb``.

DuckDB allows one writer process, and any process holding the warehouse (even read-only) blocks writers. Analysts
therefore read a snapshot: :func:`publish_analytics` checkpoints the warehouse while holding its write lock, copies
the file to a temporary name and ``os.replace``-s it onto ``analytics.duckdb``. A reader keeps its open (old) file;
a new connection sees the new one.

The snapshot file is named ``analytics``, which DuckDB also uses as its catalog name when the file is opened
directly; ``analytics.<view>`` is then ambiguous. :func:`open_analytics` attaches it as ``careeros`` instead (see
docs/analytics.md).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from careeros.warehouse.migrations import MIGRATIONS

#: The documented views (docs/analytics.md); a test checks each exists in a published snapshot.
VIEWS = ("metrics_weekly", "outcome_events", "demand_weekly", "assumptions_history", "plan_history", "decision_log",
         "llm_calls", "occupation_skills", "postings")
CATALOG = "careeros"


def _views_sql() -> str:
    """The view statements of the latest migration that defines analytics views."""
    for _, _, sql in reversed(MIGRATIONS):
        if "CREATE OR REPLACE VIEW analytics." in sql:
            start = sql.index("CREATE SCHEMA IF NOT EXISTS analytics")
            return sql[start:]
    raise RuntimeError("no migration defines the analytics views")


def ensure_views(con: Any) -> None:
    """(Re)create the analytics views on a writable warehouse connection (idempotent)."""
    con.execute(_views_sql())


def publish_analytics(settings: Any = None, warehouse: Path | None = None, dst: Path | None = None) -> Path:
    """Ensure the views, then atomically publish the warehouse as the analytics snapshot; returns its path."""
    from careeros.settings import get_settings
    from careeros.warehouse.db import connect

    s = settings or get_settings()
    src = Path(warehouse or s.warehouse_path)
    out = Path(dst or s.analytics_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    with connect(src) as con:
        ensure_views(con)
        con.execute("CHECKPOINT")
        # the write lock is still held: nobody changes the file while it is copied
        shutil.copyfile(src, tmp)
    os.replace(tmp, out)
    return out


def open_analytics(path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection on the snapshot with ``analytics.<view>`` resolvable (attached as ``careeros``)."""
    from careeros.settings import get_settings

    p = Path(path or get_settings().analytics_path)
    if not p.is_file():
        raise FileNotFoundError(f"no analytics snapshot at {p}: run a flow or `careeros report` first")
    con = duckdb.connect()
    con.execute(f"ATTACH '{str(p).replace(chr(39), chr(39) * 2)}' AS {CATALOG} (READ_ONLY)")
    con.execute(f"USE {CATALOG}")
    return con
