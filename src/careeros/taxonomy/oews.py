"""BLS OEWS May 2025 reader (national and state/metro, cross-industry)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from careeros.taxonomy.common import LoadResult, SourceFileMissing, split_valid, to_float

_NUM = ["a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90", "h_mean", "h_median", "jobs_1000",
        "loc_quotient"]


def oews_version(folder: Path) -> str:
    """Release label from the manifest (e.g. ``2025A01``), or the folder's year."""
    man = folder / "manifest.json"
    if man.is_file():
        rel = json.loads(man.read_text()).get("release", {})
        if rel.get("code"):
            return str(rel["code"])
    return folder.name.rsplit("-", 1)[-1]


def read_oews(folder: Path) -> LoadResult:
    """Read OEWS national and state/metro cross-industry rows into one ``oews_wage`` frame."""
    res = LoadResult()
    frames = []
    for name in ("oews_2025_national_by_occupation", "oews_2025_state_metro_by_occupation"):
        path = folder / f"{name}.csv.gz"
        if not path.is_file():
            cands = sorted(folder.glob(f"{name.replace('2025', '*')}.csv*"))
            if not cands:
                raise SourceFileMissing(f"{folder}: {name}.csv.gz not found")
            path = cands[0]
        res.files.append(path)
        raw = pl.read_csv(path, infer_schema=False)
        frames.append(raw)
    raw = pl.concat(frames, how="diagonal_relaxed")
    raw = raw.filter(pl.col("industry_code") == "000000")
    df = raw.select(
        pl.col("areatype_code").alias("area_type"),
        pl.col("area_code"),
        pl.col("area_name"),
        pl.col("occupation_code"),
        pl.col("occupation_name"),
        pl.col("tot_emp").cast(pl.Int64, strict=False),
        *[to_float(c).alias(c) for c in _NUM],
        # footnote 4: wages for some occupations are published as annual only (no hourly figures)
        pl.col("fn_h_median").eq("4").fill_null(False).alias("annual_only"),
    )
    good, bad = split_valid(df, "oews_wage", ["area_type", "area_code", "occupation_code"], {
        "invalid occupation code": ~pl.col("occupation_code").str.contains(r"^\d{6}$"),
        "non-positive wage": pl.col("a_median").is_not_null() & (pl.col("a_median") <= 0),
    })
    res.tables["oews_wage"] = good
    if bad.height:
        res.quarantine.append(bad)
    return res
