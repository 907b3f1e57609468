"""Provenance columns carried by every derived row."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

# the hashes live below every layer (taxonomy readers use them too); re-exported here for the loaders
from careeros.hashing import sha256_file as sha256_file
from careeros.hashing import sha256_text as sha256_text

PROVENANCE_COLUMNS = ("_source", "_source_version", "_source_sha256", "_run_id", "_loaded_at")
PROVENANCE_DDL = (
    "_source VARCHAR NOT NULL, _source_version VARCHAR NOT NULL, _source_sha256 VARCHAR NOT NULL,"
    " _run_id VARCHAR NOT NULL, _loaded_at TIMESTAMPTZ NOT NULL"
)


def new_run_id() -> str:
    """A fresh, sortable-enough run id."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class Provenance:
    """Where a batch of rows came from and which run wrote it."""

    source: str
    source_version: str
    source_sha256: str
    run_id: str
    loaded_at: datetime

    def stamp(self, df: pl.DataFrame) -> pl.DataFrame:
        """Return ``df`` with the provenance columns appended."""
        return df.with_columns(
            pl.lit(self.source).alias("_source"),
            pl.lit(self.source_version).alias("_source_version"),
            pl.lit(self.source_sha256).alias("_source_sha256"),
            pl.lit(self.run_id).alias("_run_id"),
            pl.lit(self.loaded_at).cast(pl.Datetime("us", "UTC")).alias("_loaded_at"),
        )
