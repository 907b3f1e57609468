"""Landing raw posting records and upserting parsed postings into DuckDB, idempotently.

``posting_raw`` keeps every distinct version of a record: its natural key is
``(source, source_record_id, raw_sha256)``, so re-landing an unchanged record adds nothing and a changed
record adds a new version row. ``posting`` holds one row per ``(posting_id, raw_sha256)``; for each
``(source, source_record_id)`` only the rows of the latest landed version have ``is_current = true``.
The write functions take an open connection (the caller owns it and its lifetime) and run in one
transaction each.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import polars as pl

from careeros.market.sources.base import POSTING_SCHEMA, RAW_SCHEMA
from careeros.warehouse.provenance import PROVENANCE_COLUMNS, Provenance

RAW_KEY = ["source", "source_record_id", "raw_sha256"]
RECORD_KEY = ["source", "source_record_id"]
POSTING_KEY = ["posting_id", "raw_sha256"]
#: Columns of the ``posting`` table written by :func:`upsert_postings` (``is_current`` is computed).
POSTING_COLUMNS = [
    *POSTING_SCHEMA,
    "parser_version",
    "soc_code",
    "soc_title",
    "soc_score",
    *PROVENANCE_COLUMNS,
]
_EXTRA_TYPES: dict[str, pl.DataType] = {
    "parser_version": pl.String(),
    "soc_code": pl.String(),
    "soc_title": pl.String(),
    "soc_score": pl.Float64(),
}


def new_versions(existing_keys: pl.DataFrame, raw: pl.DataFrame) -> pl.DataFrame:
    """Raw records whose (source, source_record_id, raw_sha256) is not landed yet (in-batch duplicates once)."""
    fresh = raw.unique(subset=RAW_KEY, keep="first", maintain_order=True)
    if existing_keys.is_empty():
        return fresh
    keys = existing_keys.select(RAW_KEY).unique().cast({c: pl.String for c in RAW_KEY})
    return fresh.join(keys, on=RAW_KEY, how="anti", nulls_equal=False)


def existing_raw_keys(con: duckdb.DuckDBPyConnection, sources: list[str]) -> pl.DataFrame:
    """The landed (source, source_record_id, raw_sha256) keys of the given sources."""
    if not sources:
        return pl.DataFrame(schema={c: pl.String for c in RAW_KEY})
    marks = ", ".join("?" for _ in sources)
    return con.sql(
        f"SELECT source, source_record_id, raw_sha256 FROM posting_raw WHERE source IN ({marks})",
        params=sources,
    ).pl()


def land_raw(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    run_id: str | None = None,
    landed_at: datetime | None = None,
) -> int:
    """Append the record versions not landed yet to ``posting_raw``; returns the number of rows added.

    ``frame`` has the :data:`RAW_SCHEMA` columns, plus ``run_id``/``landed_at`` unless given as arguments.
    """
    missing = [c for c in RAW_SCHEMA if c not in frame.columns]
    if missing:
        raise ValueError(f"raw frame lacks columns: {missing}")
    if "run_id" not in frame.columns:
        if run_id is None:
            raise ValueError("run_id is required (as a column or an argument)")
        frame = frame.with_columns(pl.lit(run_id).alias("run_id"))
    if "landed_at" not in frame.columns:
        frame = frame.with_columns(pl.lit(landed_at or datetime.now(UTC)).alias("landed_at"))
    frame = frame.with_columns(pl.col("landed_at").cast(pl.Datetime("us", "UTC")))
    if frame.is_empty():
        return 0
    existing = existing_raw_keys(con, frame["source"].unique().to_list())
    fresh = new_versions(existing, frame).select(*RAW_SCHEMA, "landed_at", "run_id")
    if fresh.is_empty():
        return 0
    cols = ", ".join(fresh.columns)
    con.register("__posting_raw_new", fresh)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"INSERT INTO posting_raw ({cols}) SELECT {cols} FROM __posting_raw_new")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("__posting_raw_new")
    return fresh.height


def _prepare_postings(
    frame: pl.DataFrame, provenance: Provenance | None, parser_version: str | None
) -> pl.DataFrame:
    for c in ("posting_id", "raw_sha256", "source", "source_record_id"):
        if c not in frame.columns:
            raise ValueError(f"postings frame lacks column {c!r}")
    if not all(c in frame.columns for c in PROVENANCE_COLUMNS):
        if provenance is None:
            raise ValueError("postings frame has no provenance columns: pass provenance=")
        frame = provenance.stamp(frame.drop([c for c in PROVENANCE_COLUMNS if c in frame.columns]))
    if parser_version is not None:
        frame = frame.with_columns(pl.lit(parser_version).alias("parser_version"))
    types = {**POSTING_SCHEMA, **_EXTRA_TYPES}
    add = [pl.lit(None, dtype=types[c]).alias(c) for c in POSTING_COLUMNS if c not in frame.columns]
    if "role_index" not in frame.columns:
        add = [a for a in add if a.meta.output_name() != "role_index"]
        add.append(
            pl.col("posting_id").str.extract(r":(\d+)$").cast(pl.Int32).fill_null(0).alias("role_index")
        )
    frame = frame.with_columns(add) if add else frame
    return frame.select(POSTING_COLUMNS).unique(subset=POSTING_KEY, keep="last", maintain_order=True)


def upsert_postings(
    con: duckdb.DuckDBPyConnection,
    frame: pl.DataFrame,
    provenance: Provenance | None = None,
    parser_version: str | None = None,
) -> dict[str, int]:
    """Insert unseen (posting_id, raw_sha256) rows and make each record's version in ``frame`` current.

    Rows of other versions of the same (source, source_record_id) get ``is_current = false`` (also role
    rows a newer version no longer has). When a frame holds several versions of one record, the last
    one wins. Re-running with the same frame changes nothing. Returns ``inserted`` and ``flipped`` counts.
    """
    if frame.is_empty():
        return {"inserted": 0, "flipped": 0}
    rows = _prepare_postings(frame, provenance, parser_version)
    current = (
        rows.select(*RECORD_KEY, "raw_sha256")
        .with_row_index("__i")
        .group_by(RECORD_KEY)
        .agg(pl.col("raw_sha256").sort_by("__i").last())
    )
    rows = (
        rows.join(current.rename({"raw_sha256": "__cur"}), on=RECORD_KEY, how="left")
        .with_columns((pl.col("raw_sha256") == pl.col("__cur")).alias("is_current"))
        .drop("__cur")
    )
    cols = ", ".join(f'"{c}"' for c in [*POSTING_COLUMNS, "is_current"])
    con.register("__posting_new", rows)
    con.register("__posting_current", current)
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            # DuckDB 2.x: consume every result fully (fetchall) before the next statement
            before = con.execute("SELECT count(*) FROM posting").fetchall()[0][0]
            con.execute(
                f"INSERT INTO posting ({cols}) SELECT {cols} FROM __posting_new n "
                "WHERE NOT EXISTS (SELECT 1 FROM posting p WHERE p.posting_id = n.posting_id "
                "AND p.raw_sha256 = n.raw_sha256)"
            )
            after = con.execute("SELECT count(*) FROM posting").fetchall()[0][0]
            flipped = con.execute(
                "UPDATE posting SET is_current = (posting.raw_sha256 = c.raw_sha256) "
                "FROM __posting_current c "
                "WHERE posting.source = c.source AND posting.source_record_id = c.source_record_id "
                "AND posting.is_current IS DISTINCT FROM (posting.raw_sha256 = c.raw_sha256)"
            ).fetchall()
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("__posting_new")
        con.unregister("__posting_current")
    return {"inserted": int(after - before), "flipped": int(flipped[0][0]) if flipped else 0}


def current_postings(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pl.DataFrame:
    """The current version rows of ``posting`` (optionally of one source)."""
    if source is None:
        return con.sql("SELECT * FROM posting WHERE is_current ORDER BY posting_id").pl()
    return con.sql(
        "SELECT * FROM posting WHERE is_current AND source = ? ORDER BY posting_id", params=[source]
    ).pl()
