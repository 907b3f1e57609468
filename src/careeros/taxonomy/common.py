"""Shared pieces of the source readers: file resolution, load results, row validation."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl


class SourceFileMissing(FileNotFoundError):
    """A source folder lacks a required file (in any accepted format)."""


@dataclass
class LoadResult:
    """Frames read from one source: clean tables, rejected rows (with reasons) and the files read."""

    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    quarantine: list[pl.DataFrame] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Rows read across all tables, including rejected ones."""
        return sum(t.height for t in self.tables.values()) + self.rows_quarantined

    @property
    def rows_quarantined(self) -> int:
        """Rows rejected while reading."""
        return sum(q.height for q in self.quarantine)


def resolve_file(folder: Path, slug: str, official: str | None = None) -> tuple[Path, str]:
    """Find a table as ``slug.csv.gz``/``slug.csv`` (comma) or the official ``Name.txt`` (tab) release."""
    for name, sep in ((f"{slug}.csv.gz", ","), (f"{slug}.csv", ",")):
        p = folder / name
        if p.is_file():
            return p, sep
    if official:
        for name in (f"{official}.txt", f"{official}.txt.gz"):
            p = folder / name
            if p.is_file():
                return p, "\t"
    looked = f"{slug}.csv.gz, {slug}.csv" + (f", {official}.txt" if official else "")
    raise SourceFileMissing(f"{folder}: none of {looked} found")


def read_table(folder: Path, slug: str, official: str | None, files: list[Path]) -> pl.DataFrame:
    """Read a delimited table with every column as text (typing happens in the readers)."""
    path, sep = resolve_file(folder, slug, official)
    files.append(path)
    return pl.read_csv(
        path, separator=sep, infer_schema=False, quote_char='"', encoding="utf8-lossy",
        truncate_ragged_lines=True,
    )


def split_valid(
    df: pl.DataFrame, table: str, key: list[str], rules: dict[str, pl.Expr]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Split ``df`` into rows passing every rule and quarantine rows carrying the first failed rule's reason.

    ``rules`` maps a human-readable reason to a boolean expression that is true for *bad* rows.
    """
    if df.is_empty() or not rules:
        return df, pl.DataFrame()
    reason = pl.lit(None, dtype=pl.String)
    for text, bad in reversed(list(rules.items())):
        reason = pl.when(bad.fill_null(True)).then(pl.lit(text)).otherwise(reason)
    tagged = df.with_columns(reason.alias("__reason"))
    good = tagged.filter(pl.col("__reason").is_null()).drop("__reason")
    bad_rows = tagged.filter(pl.col("__reason").is_not_null())
    if bad_rows.is_empty():
        return good, pl.DataFrame()
    q = quarantine_frame(bad_rows.drop("__reason"), table, key, bad_rows["__reason"])
    return good, q


def quarantine_frame(rows: pl.DataFrame, table: str, key: list[str], reasons: pl.Series) -> pl.DataFrame:
    """Build quarantine rows (table, record key, reason, full record as JSON) from rejected rows."""
    records = [json.dumps(r, default=str, ensure_ascii=False) for r in rows.to_dicts()]
    keys = (
        rows.select(pl.concat_str([pl.col(k).cast(pl.String).fill_null("") for k in key], separator="|"))
        .to_series()
        .to_list()
        if key
        else [None] * rows.height
    )
    return pl.DataFrame(
        {
            "table_name": [table] * rows.height,
            "record_key": keys,
            "reason": reasons.to_list(),
            "record_json": records,
        },
        schema={"table_name": pl.String, "record_key": pl.String, "reason": pl.String, "record_json": pl.String},
    )


SOC_PATTERN = r"^\d{2}-\d{4}\.\d{2}$"


def to_float(col: str) -> pl.Expr:
    """Parse a text column as float; unparseable values become null."""
    return pl.col(col).str.strip_chars().cast(pl.Float64, strict=False)


def yn(col: str) -> pl.Expr:
    """Parse a Y/N text column as boolean."""
    return pl.col(col).str.strip_chars().str.to_uppercase().eq("Y")
