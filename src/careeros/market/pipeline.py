"""Job postings into the warehouse, stage by stage: land -> parse -> validate -> enrich -> write -> aggregate.

Every stage is a plain function over paths, sources and frames; the ones that touch the warehouse open a
short-lived connection (:func:`careeros.warehouse.db.connect`). :func:`load_source` is the one loop over a
source's chunks; it runs the stages in-process or, in the ``ingest-postings`` flow, as the Prefect tasks of
``tasks/postings.py`` (:class:`PostingStages`). :func:`run_postings` runs every source without Prefect.

Idempotence: ``posting_raw`` keeps every distinct record version once; ``posting_raw_state`` marks each
landed version as processed (written, quarantined, rejected or stopped), so only unprocessed versions are
parsed; postings are upserted by ``(posting_id, raw_sha256)`` and their ``posting_skill`` rows replaced; the
demand tables are recomputed from all current postings only when their inputs' fingerprint changed. A
re-run without new raw records therefore changes no data table (it records an ``ingest_runs`` row).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from careeros.market.reference import load_models
from careeros.market.sources import GenericFeedSource, PostingSource, RawRecord, bundled_sources, raw_frame
from careeros.market.sources.base import POSTING_SCHEMA
from careeros.warehouse import loading
from careeros.warehouse.db import connect, fetch_one
from careeros.warehouse.provenance import Provenance, sha256_file, sha256_text
from careeros.warehouse.taxonomy_load import SourceLoadSummary

#: Raw records per parse/validation batch (the unit a quarantine threshold stops).
BATCH_SIZE = 10_000
#: Raw versions parsed, validated, enriched and written together: memory is bounded by a chunk, not a source.
#: Keep it a multiple of BATCH_SIZE so the quarantine threshold sees the same batches whatever the chunking.
CHUNK_ROWS = 100_000
#: Name under which the demand aggregates are versioned in ``source_versions``/``ingest_runs``.
DEMAND_SOURCE = "careeros-demand"
DEMAND_VERSION = "1"
#: Sources whose ``text`` is not a description (title + agency names): skills come from the title only.
TITLE_ONLY_SOURCES = frozenset({"linkedin", "usajobs"})
#: Below this title-match confidence a posting gets no occupation (it still counts under soc_code '*').
MIN_SOC_SCORE = 0.2
QUARANTINE_COLUMNS = {"table_name": pl.String, "record_key": pl.String, "reason": pl.String,
                      "record_json": pl.String}
SKILL_COLUMNS: dict[str, pl.DataType] = {
    "posting_id": pl.String(), "raw_sha256": pl.String(), "skill_id": pl.String(), "label": pl.String(),
    "kind": pl.String(), "taxonomy": pl.String(), "score": pl.Float64(), "matched_text": pl.String(),
    "start": pl.Int32(), "end": pl.Int32(),
}
STATE_COLUMNS: dict[str, pl.DataType] = {
    "source": pl.String(), "source_record_id": pl.String(), "raw_sha256": pl.String(), "status": pl.String(),
}


# ------------------------------------------------------------------------------------------ stage results


@dataclass
class Landed:
    """What landing one source did."""

    source: str
    version: str
    sha256: str
    files: list[dict[str, Any]]
    skipped: bool = False
    rows_read: int = 0
    rows_landed: int = 0
    pending: int = 0
    seconds: float = 0.0


@dataclass
class Batch:
    """One parsed batch of raw versions: postings, rejected records and the raw keys it covers."""

    source: str
    index: int
    raw_keys: pl.DataFrame  # source, source_record_id, raw_sha256
    postings: pl.DataFrame  # POSTING_SCHEMA
    rejected: pl.DataFrame  # REJECTED_SCHEMA


@dataclass
class ValidatedBatch:
    """A batch after the row-level checks and Great Expectations: what may be written, what is quarantined."""

    source: str
    index: int
    valid: pl.DataFrame
    quarantine: pl.DataFrame
    state: pl.DataFrame  # STATE_COLUMNS: processing status of every raw version of the batch
    dq_results: pl.DataFrame | None
    rows: int
    failed: int
    stopped: bool = False
    message: str | None = None


@dataclass
class Enriched:
    """Valid postings of a source with occupations, and their extracted skills."""

    source: str
    postings: pl.DataFrame
    skills: pl.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ sources


FEED_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".csv", ".csv.gz")


def _feed_name(stem: str, tag: str = "") -> str:
    room = 40 - len("feed-") - (len(tag) + 1 if tag else 0)
    return f"feed-{stem[:room].rstrip('-') or 'x'}" + (f"-{tag}" if tag else "")


def feed_sources(feeds_dir: Path | None) -> list[PostingSource]:
    """One generic-feed source per file the user dropped in the feeds folder (name ``feed-<stem>``).

    Names are unique and do not depend on the order files are listed in: files whose stems collide
    (``jobs.jsonl`` and ``jobs.csv``) are all named with their format too (``feed-jobs-jsonl``,
    ``feed-jobs-csv``), and should that still collide, with a short hash of the file name.
    """
    if feeds_dir is None or not feeds_dir.is_dir():
        return []
    paths = sorted(p for p in feeds_dir.iterdir() if p.is_file() and p.name.endswith(FEED_SUFFIXES))
    stems = {p: re.sub(r"[^a-z0-9_-]+", "-", p.name.split(".")[0].lower()).strip("-")[:35] or "x" for p in paths}
    per_stem: dict[str, int] = {}
    for stem in stems.values():
        per_stem[stem] = per_stem.get(stem, 0) + 1
    names = {p: _feed_name(stem) for p, stem in stems.items() if per_stem[stem] == 1}
    tagged: dict[Path, str] = {}
    for p, stem in stems.items():
        if p not in names:
            fmt = max((sfx for sfx in FEED_SUFFIXES if p.name.endswith(sfx)), key=len)
            tagged[p] = _feed_name(stem, fmt.strip(".").replace(".", "-"))
    taken = set(names.values())
    tags = list(tagged.values())
    for p, name in tagged.items():
        clash = name in taken or tags.count(name) > 1  # "a b.csv" and "a-b.csv"; "jobs.csv" and "jobs-csv.csv"
        names[p] = _feed_name(stems[p], sha256_text(p.name)[:8]) if clash else name
    return [GenericFeedSource(p, name=names[p]) for p in paths]


def posting_sources(datasets: Path, only: Iterable[str] | None = None,
                    feeds_dir: Path | None = None) -> list[PostingSource]:
    """The bundled posting sources whose files exist, plus user feeds (optionally only the named ones)."""
    wanted = set(only) if only else None
    out = []
    for src in [*bundled_sources(datasets), *feed_sources(feeds_dir)]:
        if wanted is not None and src.name not in wanted:
            continue
        files = src.source_files()
        if files and all(Path(f).is_file() for f in files):
            out.append(src)
    return out


def source_fingerprint(source: PostingSource) -> tuple[str, list[dict[str, Any]]]:
    """SHA-256 over the parser version and the source's files, and the file manifest."""
    files = []
    for f in source.source_files():
        p = Path(f)
        files.append({"name": p.name, "sha256": sha256_file(p), "bytes": p.stat().st_size})
    return sha256_text(json.dumps({"parser": source.version, "files": files}, sort_keys=True)), files


def _timed(t0: float) -> float:
    return round(time.perf_counter() - t0, 3)


# ------------------------------------------------------------------------------------------ land


def pending_count(con: Any, source: str) -> int:
    """Landed raw versions of ``source`` not processed yet."""
    row = fetch_one(con.execute(
        "SELECT count(*) FROM posting_raw r ANTI JOIN posting_raw_state s "
        "USING (source, source_record_id, raw_sha256) WHERE r.source = ?", [source]))
    return int(row[0]) if row else 0


def land(warehouse: Path, source: PostingSource, run_id: str, batch_size: int = BATCH_SIZE,
         force: bool = False) -> Landed:
    """Stream the source's raw records in batches into ``posting_raw`` (new versions only).

    When the source files and parser version are those already loaded and nothing is pending, the
    source is not streamed at all (``skipped``) unless ``force``.
    """
    t0 = time.perf_counter()
    sha, files = source_fingerprint(source)
    out = Landed(source.name, source.version, sha, files)
    with connect(warehouse) as con:
        if not force and loading.is_unchanged(con, source.name, sha) and pending_count(con, source.name) == 0:
            out.skipped = True
            out.seconds = _timed(t0)
            return out
        landed_at = loading.now_utc()
        for raws in source.iter_batches(batch_size):
            out.rows_read += len(raws)
            out.rows_landed += _land_batch(con, raws, run_id, landed_at)
        out.pending = pending_count(con, source.name)
    out.seconds = _timed(t0)
    return out


def _land_batch(con: Any, raws: list[RawRecord], run_id: str, landed_at: datetime) -> int:
    from careeros.market.landing import land_raw

    return land_raw(con, raw_frame(raws), run_id=run_id, landed_at=landed_at)


# ------------------------------------------------------------------------------------------ parse


def parse(warehouse: Path, source: PostingSource, batch_size: int = BATCH_SIZE, limit: int | None = None,
          first_index: int = 0) -> list[Batch]:
    """Parse the source's unprocessed raw versions (the first ``limit`` in processing order, or all) into batches.

    Versions stay unprocessed until :func:`write_chunk` marks them, so calling this again after a chunk was
    written returns the next chunk; ``first_index`` numbers the batches across chunks.

    Processing order decides batch composition and, for several versions of one record, which one ends up
    current (the last one processed). It must not depend on *when* rows were landed: a run killed half-way
    through landing a file and re-run lands that file's rows at two different times, and ordering by
    ``landed_at`` then processed them in another order than a clean run did (a different current version for
    duplicated record ids: equal row counts but other ``posting``/``demand_*`` content). So the order is: file,
    then the file *version* by when it first landed (a newer version of a file still wins over an older one),
    then record id and content hash.
    """
    with connect(warehouse, read_only=True) as con:
        pending = con.sql(
            "WITH gen AS (SELECT source_file, source_file_sha256, min(landed_at) AS first_landed FROM posting_raw "
            "WHERE source = ? GROUP BY ALL) "
            "SELECT r.source, r.source_record_id, r.raw_json, r.raw_sha256, r.source_file, r.source_file_sha256 "
            "FROM posting_raw r ANTI JOIN posting_raw_state s USING (source, source_record_id, raw_sha256) "
            "JOIN gen g ON g.source_file IS NOT DISTINCT FROM r.source_file "
            "AND g.source_file_sha256 IS NOT DISTINCT FROM r.source_file_sha256 "
            "WHERE r.source = ? ORDER BY r.source_file, g.first_landed, r.source_record_id, r.raw_sha256"
            + (" LIMIT ?" if limit else ""),
            params=[source.name, source.name, int(limit)] if limit else [source.name, source.name],
        ).pl()
    batches = []
    for i, chunk in enumerate(pending.iter_slices(batch_size)):
        raws = [RawRecord(*row) for row in chunk.iter_rows()]
        res = source.parse_batch(raws)
        batches.append(Batch(source.name, first_index + i, chunk.select("source", "source_record_id", "raw_sha256"),
                             res.frame(), res.rejected_frame()))
    return batches


# ------------------------------------------------------------------------------------------ validate


def row_problems(postings: pl.DataFrame, today: datetime | None = None) -> pl.Series:
    """Per posting row: the reasons it fails the row-level checks ("; "-joined), or null when it passes."""
    from careeros.quality.suites import (
        POSTED_AT_MIN,
        SALARY_ANNUAL_MAX,
        SALARY_ANNUAL_MIN,
        TEXT_MAX_CHARS,
        posted_at_max,
    )

    hi = posted_at_max(today.date() if today else None)
    lo_s, hi_s = pl.col("salary_min"), pl.col("salary_max")

    def bad_salary(c: pl.Expr) -> pl.Expr:
        return c.is_not_null() & ((c < SALARY_ANNUAL_MIN) | (c > SALARY_ANNUAL_MAX))

    checks = [
        (pl.col("posting_id").is_null() | (pl.col("posting_id").str.strip_chars() == ""), "missing posting_id"),
        (pl.col("source").is_null() | (pl.col("source").str.strip_chars() == ""), "missing source"),
        (pl.col("title").is_null() | (pl.col("title").str.strip_chars() == ""), "missing title"),
        (pl.col("posted_at").is_not_null() & ((pl.col("posted_at") < POSTED_AT_MIN) | (pl.col("posted_at") > hi)),
         f"posted_at outside {POSTED_AT_MIN.date()}..{hi.date()}"),
        (lo_s.is_not_null() & hi_s.is_not_null() & (lo_s > hi_s), "salary_min > salary_max"),
        (bad_salary(lo_s) | bad_salary(hi_s),
         f"annual salary outside {SALARY_ANNUAL_MIN:,.0f}..{SALARY_ANNUAL_MAX:,.0f}"),
        (pl.col("text").str.len_chars().fill_null(0) > TEXT_MAX_CHARS, f"text longer than {TEXT_MAX_CHARS:,} chars"),
    ]
    if postings.is_empty():
        return pl.Series("problems", [], dtype=pl.String)
    reasons = postings.select(
        pl.concat_list([pl.when(cond.fill_null(False)).then(pl.lit(msg)) for cond, msg in checks])
        .list.drop_nulls().list.join("; ").alias("problems")
    )["problems"]
    return reasons.replace("", None)


def _posting_json(df: pl.DataFrame) -> pl.Series:
    return pl.Series([json.dumps(r, default=str, ensure_ascii=False) for r in df.iter_rows(named=True)],
                     dtype=pl.String)


def _quarantine_rows(postings: pl.DataFrame, reasons: pl.Series | str, rejected: pl.DataFrame | None,
                     rejected_prefix: str = "") -> pl.DataFrame:
    parts = []
    if postings.height:
        parts.append(pl.DataFrame({
            "table_name": "posting", "record_key": postings["posting_id"],
            "reason": reasons if isinstance(reasons, pl.Series) else pl.Series([reasons] * postings.height),
            "record_json": _posting_json(postings),
        }, schema=QUARANTINE_COLUMNS))
    if rejected is not None and rejected.height:
        parts.append(rejected.select(
            pl.lit("posting_raw").alias("table_name"), pl.col("source_record_id").alias("record_key"),
            (pl.lit(rejected_prefix) + pl.col("reason")).alias("reason"), pl.col("raw_json").alias("record_json"),
        ))
    return pl.concat(parts) if parts else pl.DataFrame(schema=QUARANTINE_COLUMNS)


def _state(batch: Batch, written_keys: pl.DataFrame | None, default: str) -> pl.DataFrame:
    """Status of every raw version of the batch: written when any of its postings is written."""
    state = batch.raw_keys.with_columns(pl.lit(default).alias("status"))
    rejected = batch.rejected.select("source", "source_record_id").unique()
    if default != "stopped" and rejected.height:
        state = state.with_columns(
            pl.when(pl.struct("source", "source_record_id").is_in(rejected.to_struct().implode()))
            .then(pl.lit("rejected")).otherwise(pl.col("status")).alias("status"))
    if written_keys is not None and written_keys.height:
        state = state.join(written_keys.with_columns(pl.lit(True).alias("__w")), on=["source", "source_record_id",
                           "raw_sha256"], how="left").with_columns(
            pl.when(pl.col("__w")).then(pl.lit("written")).otherwise(pl.col("status")).alias("status")).drop("__w")
    return state.select(list(STATE_COLUMNS))


def validate(batch: Batch, run_id: str, threshold: float | None = None, docs_dir: Path | None = None,
             gx: bool = True) -> ValidatedBatch:
    """Row-level checks and the ``posting_batch`` GX suite on one batch; stop the batch when too much fails.

    Failing rows (and records the parser rejected) are quarantined with their reason. When the failed
    share (failed postings + rejected records over postings + rejected records) exceeds ``threshold``
    (default: ``quarantine_batch_threshold`` setting), or a critical GX expectation fails, nothing of
    the batch is written and every row is quarantined with a reason starting "batch stopped: ".
    """
    from careeros.settings import get_settings

    if threshold is None:
        threshold = get_settings().quarantine_batch_threshold
    postings = batch.postings
    problems = row_problems(postings)
    bad = problems.is_not_null()
    n_rows = postings.height + batch.rejected.height
    n_failed = int(bad.sum() or 0) + batch.rejected.height
    share = n_failed / n_rows if n_rows else 0.0
    dq, gx_failed = None, []
    if gx and postings.height:
        from careeros.quality import suites
        from careeros.quality.gx import validate_tables

        frame = postings.with_columns(pl.col("text").str.len_chars().fill_null(0).alias("text_length"))
        report = validate_tables({suites.POSTING_BATCH: frame}, source=batch.source, run_id=run_id,
                                 data_docs_dir=docs_dir,
                                 suites={suites.POSTING_BATCH: suites.posting_batch_suite()})  # today's date bound
        dq = report.to_polars()
        gx_failed = [f"{r.expectation}" + (f" on {r.column_name}" if r.column_name else "")
                     for r in report.failures(critical_only=True)]
    if share > threshold or gx_failed:
        why = (f"{n_failed} of {n_rows} rows failed checks ({share:.0%} > threshold {threshold:.0%})"
               if share > threshold else "critical expectation failed: " + ", ".join(gx_failed))
        reasons = (pl.lit(f"batch stopped: {why}; row: ") + problems.fill_null("passed row checks")).alias("r")
        q = _quarantine_rows(postings, pl.select(reasons)["r"] if postings.height else pl.Series([], dtype=pl.String),
                             batch.rejected, f"batch stopped: {why}; row: ")
        return ValidatedBatch(batch.source, batch.index, postings.clear(), q, _state(batch, None, "stopped"), dq,
                              n_rows, n_failed, True, f"batch {batch.index} stopped: {why}")
    valid = postings.filter(~bad)
    q = _quarantine_rows(postings.filter(bad), problems.filter(bad), batch.rejected)
    written = valid.select("source", "source_record_id", "raw_sha256").unique()
    return ValidatedBatch(batch.source, batch.index, valid, q, _state(batch, written, "quarantined"), dq,
                          n_rows, n_failed)


# ------------------------------------------------------------------------------------------ enrich


def skill_text(source: str, title: str | None, text: str | None) -> str:
    """The text skills are extracted from: the description (with the title) or, without one, the title."""
    title = title or ""
    if source in TITLE_ONLY_SOURCES or not text:
        return title
    return text if title and title in text else f"{title}\n{text}".strip()


def normalize_titles(normalizer: Any, titles: list[str], chunk: int = 2000) -> pl.DataFrame:
    """Best occupation of each distinct title: ``title, soc_code, soc_title, soc_score``."""
    distinct = sorted({t for t in titles if t})
    rows: list[tuple[str, str | None, str | None, float | None]] = []
    for i in range(0, len(distinct), chunk):
        part = distinct[i:i + chunk]
        for t, matches in zip(part, normalizer.normalize(part, k=1), strict=True):
            m = matches[0] if matches else None
            if m is None or m.score < MIN_SOC_SCORE:
                rows.append((t, None, None, float(m.score) if m else None))
            else:
                rows.append((t, m.soc_code, m.title, float(m.score)))
    return pl.DataFrame(rows, schema={"title": pl.String, "soc_code": pl.String, "soc_title": pl.String,
                                      "soc_score": pl.Float64}, orient="row")


def extract_skills(extractor: Any, postings: pl.DataFrame) -> pl.DataFrame:
    """``posting_skill`` rows of each posting (one per skill, its best match), extracting each distinct text once."""
    if postings.is_empty():
        return pl.DataFrame(schema=SKILL_COLUMNS)
    texts = [skill_text(s, t, x) for s, t, x in postings.select("source", "title", "text").iter_rows()]
    distinct = sorted(set(texts))
    matches = dict(zip(distinct, extractor.extract_many(distinct), strict=True))
    rows = []
    for (pid, sha), text in zip(postings.select("posting_id", "raw_sha256").iter_rows(), texts, strict=True):
        seen: set[str] = set()
        for m in sorted(matches[text], key=lambda m: (-m.score, m.start)):
            if m.skill_id in seen:
                continue
            seen.add(m.skill_id)
            rows.append((pid, sha, m.skill_id, m.label, m.kind, m.taxonomy, float(m.score), m.text, m.start, m.end))
    return pl.DataFrame(rows, schema=SKILL_COLUMNS, orient="row")


def enrich(batches: list[ValidatedBatch], models: tuple[Any, Any] | None = None) -> Enriched:
    """Occupation (soc_code, soc_title, soc_score) of each valid posting, by distinct title, and its skills."""
    source = batches[0].source if batches else ""
    frames = [b.valid for b in batches if b.valid.height]
    postings = pl.concat(frames) if frames else pl.DataFrame(schema=POSTING_SCHEMA)
    timings: dict[str, float] = {}
    if postings.is_empty():
        return Enriched(source, postings, pl.DataFrame(schema=SKILL_COLUMNS), timings)
    t0 = time.perf_counter()
    normalizer, extractor = models or load_models()
    timings["load_models"] = _timed(t0)
    t0 = time.perf_counter()
    socs = normalize_titles(normalizer, postings["title"].to_list())
    postings = postings.join(socs, on="title", how="left")
    timings["titles"] = _timed(t0)
    t0 = time.perf_counter()
    skills = extract_skills(extractor, postings)
    timings["skills"] = _timed(t0)
    return Enriched(source, postings, skills, timings)


# ------------------------------------------------------------------------------------------ write


@dataclass
class ChunkWritten:
    """What writing one chunk of a source did (see :func:`write_chunk`)."""

    source: str
    rows: int = 0
    inserted: int = 0
    flipped: int = 0
    skills: int = 0
    quarantined: int = 0
    valid: int = 0
    stopped: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def write_chunk(warehouse: Path, landed: Landed, validated: list[ValidatedBatch], enriched: Enriched,
                run_id: str) -> ChunkWritten:
    """Upsert one chunk's postings, replace their skills, quarantine, and mark its raw versions processed.

    Each chunk commits on its own: a run that dies between chunks resumes at the first unprocessed version.
    """
    from careeros.market.landing import upsert_postings
    from careeros.market.skills import FORMAT_VERSION

    t0 = time.perf_counter()
    loaded_at = loading.now_utc()
    prov = Provenance(landed.source, landed.version, landed.sha256, run_id, loaded_at)
    skill_prov = Provenance(landed.source, f"{landed.version}+skills-v{FORMAT_VERSION}", landed.sha256, run_id, loaded_at)
    out = ChunkWritten(landed.source, rows=sum(b.rows for b in validated), valid=enriched.postings.height,
                       stopped=[b.message or f"batch {b.index} stopped" for b in validated if b.stopped])
    with connect(warehouse) as con:
        up = upsert_postings(con, enriched.postings, provenance=prov, parser_version=landed.version)
        out.inserted, out.flipped = int(up["inserted"]), int(up["flipped"])
        con.execute("BEGIN TRANSACTION")
        try:
            keys = enriched.postings.select("posting_id", "raw_sha256").unique()
            if keys.height:
                con.register("__keys", keys.to_arrow())
                con.execute("DELETE FROM posting_skill WHERE (posting_id, raw_sha256) IN "
                            "(SELECT (posting_id, raw_sha256) FROM __keys)")
                con.unregister("__keys")
            out.skills = loading.insert_frame(con, "posting_skill", skill_prov.stamp(enriched.skills))
            for b in validated:
                out.quarantined += loading.add_quarantine(con, run_id, landed.source, [b.quarantine])
                if b.dq_results is not None and b.dq_results.height:
                    loading.insert_frame(con, "dq_results", b.dq_results)
                state = b.state.with_columns(pl.lit(run_id).alias("run_id"),
                                             pl.lit(loaded_at).cast(pl.Datetime("us", "UTC")).alias("processed_at"))
                if state.height:
                    con.register("__state", state.to_arrow())
                    con.execute("INSERT OR REPLACE INTO posting_raw_state BY NAME SELECT * FROM __state")
                    con.unregister("__state")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    out.timings = {**{f"enrich_{k}": v for k, v in enriched.timings.items()}, "write": _timed(t0)}
    return out


def finish(warehouse: Path, landed: Landed, chunks: list[ChunkWritten], run_id: str, started_at: datetime,
           timings: dict[str, float] | None = None) -> SourceLoadSummary:
    """Record the source version (unless every batch was stopped) and the run, from its written chunks."""
    stopped = [m for c in chunks for m in c.stopped]
    inserted = sum(c.inserted for c in chunks)
    n_skills = sum(c.skills for c in chunks)
    n_q = sum(c.quarantined for c in chunks)
    valid = sum(c.valid for c in chunks)
    rows_read = landed.rows_read if not landed.skipped else sum(c.rows for c in chunks)
    merged: dict[str, float] = dict(timings or {})
    for c in chunks:
        for k, v in c.timings.items():
            merged[k] = round(merged.get(k, 0.0) + v, 3)
    merged["chunks"] = len(chunks)
    with connect(warehouse) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            row = fetch_one(con.execute(
                "SELECT count(*) FILTER (WHERE is_current), count(*) FROM posting WHERE source = ?", [landed.source]))
            counts = {"posting": int(row[0]) if row else 0}
            row = fetch_one(con.execute("SELECT count(*) FROM posting_raw WHERE source = ?", [landed.source]))
            counts["posting_raw"] = int(row[0]) if row else 0
            if not stopped or inserted:
                prov = Provenance(landed.source, landed.version, landed.sha256, run_id, loading.now_utc())
                loading.record_source_version(con, prov, landed.files, counts)
            status = "succeeded" if not stopped else "partial" if valid else "failed"
            message = "; ".join(stopped) or None
            written = inserted + n_skills
            loading.record_run(con, run_id, landed.source, status, started_at, source_version=landed.version,
                               source_sha256=landed.sha256, rows_read=rows_read, rows_written=written,
                               rows_quarantined=n_q, message=message, timings=merged)
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SourceLoadSummary(
        source=landed.source, version=landed.version, sha256=landed.sha256, status=status, rows_read=rows_read,
        rows_written=written, rows_quarantined=n_q, message=message,
        tables={"posting_raw": landed.rows_landed, "posting": inserted, "posting_skill": n_skills,
                "flipped": sum(c.flipped for c in chunks)},
        seconds=round((loading.now_utc() - started_at).total_seconds(), 3),
    )


def record_skip(warehouse: Path, landed: Landed, run_id: str, started_at: datetime) -> SourceLoadSummary:
    """Record a posting source whose files were unchanged and had nothing pending."""
    msg = "unchanged since last load (same files and parser version)"
    with connect(warehouse) as con:
        loading.record_run(con, run_id, landed.source, "skipped", started_at, source_version=landed.version,
                           source_sha256=landed.sha256, message=msg, timings={"land": landed.seconds})
    return SourceLoadSummary(source=landed.source, version=landed.version, sha256=landed.sha256, status="skipped",
                             message=msg, seconds=landed.seconds)


def record_failure(warehouse: Path, source: PostingSource, run_id: str, started_at: datetime,
                   error: str) -> SourceLoadSummary:
    """Record a posting source whose load raised; what was written before stays."""
    with connect(warehouse) as con:
        loading.record_run(con, run_id, source.name, "failed", started_at, source_version=source.version,
                           message=error[:2000])
    return SourceLoadSummary(source=source.name, version=source.version, sha256="", status="failed", message=error)


# ------------------------------------------------------------------------------------------ aggregate


def _demand_inputs_sha(con: Any) -> str:
    """Fingerprint of everything the aggregates read: current postings, their skills, the graph version."""
    p = fetch_one(con.execute(
        "SELECT count(*), coalesce(sum(hash(posting_id, raw_sha256, soc_code, posted_at, salary_min, salary_max, "
        "salary_currency, remote)), 0) FROM posting WHERE is_current"))
    s = fetch_one(con.execute(
        "SELECT count(*), coalesce(sum(hash(k.posting_id, k.raw_sha256, k.skill_id)), 0) FROM posting_skill k "
        "SEMI JOIN posting p ON p.posting_id = k.posting_id AND p.raw_sha256 = k.raw_sha256 AND p.is_current"))
    g = con.execute("SELECT source, source_sha256 FROM source_versions WHERE source IN "
                    "('careeros-graph', 'onet', 'oews') ORDER BY source").fetchall()
    return sha256_text(json.dumps([DEMAND_VERSION, list(p or ()), list(s or ()), g], default=str))


def _current_postings(con: Any) -> int:
    row = fetch_one(con.execute("SELECT count(*) FROM posting WHERE is_current"))
    return int(row[0]) if row else 0


def compute_demand(con: Any) -> dict[str, pl.DataFrame]:
    """demand_weekly, demand_overall, demand_trends and market_value from all current postings (pure reads)."""
    from careeros.market.demand import demand_overall, demand_weekly, market_value, trends

    postings = con.sql("SELECT posting_id, posted_at, soc_code, salary_min, salary_max, salary_currency, remote "
                       "FROM posting WHERE is_current").pl()
    skills = con.sql("SELECT k.posting_id, k.skill_id FROM posting_skill k JOIN posting p "
                     "ON p.posting_id = k.posting_id AND p.raw_sha256 = k.raw_sha256 WHERE p.is_current").pl()
    weekly = demand_weekly(postings, skills)
    overall = demand_overall(postings, skills)
    trend = trends(weekly)
    flags = con.sql("SELECT skill_id, hot_technology, in_demand FROM graph_skill").pl()
    wages = con.sql("SELECT soc_code, median_wage FROM graph_occupation").pl()
    value = market_value(overall, trend, flags, wages)
    return {"demand_weekly": weekly, "demand_overall": overall, "demand_trends": trend, "market_value": value}


def aggregate(warehouse: Path, run_id: str, force: bool = False) -> SourceLoadSummary:
    """Recompute and replace the demand tables when their inputs changed (or ``force``)."""
    started = loading.now_utc()
    t0 = time.perf_counter()
    with connect(warehouse) as con:
        sha = _demand_inputs_sha(con)
        if not force and loading.is_unchanged(con, DEMAND_SOURCE, sha):
            msg = "inputs unchanged since last aggregation"
            loading.record_run(con, run_id, DEMAND_SOURCE, "skipped", started, source_version=DEMAND_VERSION,
                               source_sha256=sha, message=msg)
            return SourceLoadSummary(source=DEMAND_SOURCE, version=DEMAND_VERSION, sha256=sha, status="skipped",
                                     message=msg, seconds=_timed(t0))
        tables = compute_demand(con)
        prov = Provenance(DEMAND_SOURCE, DEMAND_VERSION, sha, run_id, loading.now_utc())
        t1 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        try:
            counts = {}
            for name, df in tables.items():
                con.execute(f"DELETE FROM {name}")
                df = df.with_columns(pl.lit(prov.loaded_at).cast(pl.Datetime("us", "UTC")).alias("computed_at"))
                counts[name] = loading.insert_frame(con, name, prov.stamp(df))
            loading.record_source_version(con, prov, [], counts)
            loading.record_run(con, run_id, DEMAND_SOURCE, "succeeded", started, source_version=DEMAND_VERSION,
                               source_sha256=sha, rows_read=_current_postings(con),
                               rows_written=sum(counts.values()),
                               timings={"compute": round(t1 - t0, 3), "write": _timed(t1)})
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return SourceLoadSummary(source=DEMAND_SOURCE, version=DEMAND_VERSION, sha256=sha, status="succeeded",
                             rows_written=sum(counts.values()), tables=counts, seconds=_timed(t0))


def rising_skills(warehouse: Path, n: int = 10, min_postings: int = 3) -> pl.DataFrame:
    """Top ``n`` skills by 12-week demand trend over all occupations (with at least ``min_postings`` recently)."""
    with connect(warehouse, read_only=True) as con:
        return con.sql(
            "SELECT t.skill_id, coalesce(s.label, t.skill_id) AS label, t.postings_12w, t.postings_prev_12w, "
            "round(t.trend_12w, 3) AS trend_12w, t.as_of_week FROM demand_trends t "
            "LEFT JOIN (SELECT DISTINCT ON (skill_id) skill_id, label FROM graph_skill) s USING (skill_id) "
            "WHERE t.soc_code = '*' AND t.postings_12w >= ? "
            "ORDER BY t.trend_12w DESC, t.postings_12w DESC, t.skill_id LIMIT ?",
            params=[min_postings, n],
        ).pl()


def postings_markdown(summaries: list[dict[str, Any]], rising: pl.DataFrame, run_id: str) -> str:
    """Markdown summary of a postings run: rows in/out/quarantined per source and the top rising skills."""
    lines = [f"# Postings ingestion run `{run_id}`", "",
             "| source | status | rows in | rows written | quarantined | seconds | note |",
             "|---|---|---:|---:|---:|---:|---|"]
    for s in summaries:
        lines.append(f"| {s['source']} | {s['status']} | {s.get('rows_read', 0):,} | {s.get('rows_written', 0):,} | "
                     f"{s.get('rows_quarantined', 0):,} | {s.get('seconds', 0):.1f} | "
                     f"{(s.get('message') or '').replace('|', '/')[:200]} |")
    lines += ["", "## Top rising skills (12-week trend, all occupations)", ""]
    if rising.is_empty():
        lines.append("_No dated demand yet._")
    else:
        lines += ["| skill | postings (last 12 w) | previous 12 w | trend (log ratio) |", "|---|---:|---:|---:|"]
        for r in rising.iter_rows(named=True):
            lines.append(f"| {r['label']} | {r['postings_12w']} | {r['postings_prev_12w']} | {r['trend_12w']:+.2f} |")
        lines.append(f"\nAs of the week of {rising['as_of_week'][0]}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the source loop


def validate_chunk(batches: list[Batch], run_id: str, docs_dir: Path | None = None) -> list[ValidatedBatch]:
    """:func:`validate` on each batch of a chunk."""
    return [validate(b, run_id, docs_dir=docs_dir) for b in batches]


@dataclass(frozen=True)
class PostingStages:
    """The stages of one source's load, as callables with the signatures of the functions above.

    :meth:`direct` runs them in-process; the ``ingest-postings`` flow passes its Prefect tasks
    (``tasks/postings.py`` ``STAGES``), so the loop of :func:`load_source` is written once and both paths share it.
    """

    land: Callable[..., Landed]
    parse: Callable[..., list[Batch]]
    validate: Callable[..., list[ValidatedBatch]]
    enrich: Callable[..., Enriched]
    write_chunk: Callable[..., ChunkWritten]
    finish: Callable[..., SourceLoadSummary]
    record_skip: Callable[..., SourceLoadSummary]
    record_failure: Callable[..., SourceLoadSummary]

    @classmethod
    def direct(cls) -> PostingStages:
        """The plain functions of this module (looked up when called, so a test can swap one)."""
        return cls(land=land, parse=parse, validate=validate_chunk, enrich=enrich, write_chunk=write_chunk,
                   finish=finish, record_skip=record_skip, record_failure=record_failure)


def _no_progress(message: str, fraction: float) -> None:
    """Default progress hook of :func:`load_source`: nothing."""


def load_source(warehouse: Path, source: PostingSource, run_id: str, force: bool = False,
                batch_size: int = BATCH_SIZE, models: tuple[Any, Any] | None = None,
                docs_dir: Path | None = None, chunk_rows: int = CHUNK_ROWS, stages: PostingStages | None = None,
                progress: Callable[[str, float], None] = _no_progress) -> SourceLoadSummary:
    """All stages for one posting source, ``chunk_rows`` raw versions at a time.

    Memory stays bounded by the chunk, not the source: parse -> validate -> enrich -> write per chunk, then
    one run record. What a failed run wrote stays written and the next run resumes after it; a failing source
    is recorded as failed and never raises (a broken source must not take the others down). ``progress``
    receives a stage message and the fraction of this source done.
    """
    st = stages or PostingStages.direct()
    started = loading.now_utc()
    chunks: list[ChunkWritten] = []
    try:
        progress("landing", 0.0)
        landed = st.land(warehouse, source, run_id, batch_size=batch_size, force=force)
        if landed.skipped:
            return st.record_skip(warehouse, landed, run_id, started)
        timings = {"land": landed.seconds, "parse": 0.0, "validate": 0.0}
        index = 0
        while True:
            n = len(chunks) + 1
            progress(f"parsing (chunk {n})", 0.2)
            t0 = time.perf_counter()
            batches = st.parse(warehouse, source, batch_size, limit=chunk_rows, first_index=index)
            timings["parse"] = round(timings["parse"] + _timed(t0), 3)
            if not batches:
                break
            index += len(batches)
            n_raw = sum(b.raw_keys.height for b in batches)
            progress(f"validating (chunk {n})", 0.4)
            t0 = time.perf_counter()
            validated = st.validate(batches, run_id, docs_dir)
            timings["validate"] = round(timings["validate"] + _timed(t0), 3)
            del batches
            progress(f"titles and skills (chunk {n})", 0.6)
            enriched = st.enrich(validated, models)
            progress(f"writing (chunk {n})", 0.9)
            chunks.append(st.write_chunk(warehouse, landed, validated, enriched, run_id))
            del validated, enriched
            if n_raw < chunk_rows:
                break  # a short chunk was the last one
        return st.finish(warehouse, landed, chunks, run_id, started, timings)
    except Exception as exc:  # a broken source must not take the others down
        done = f" ({len(chunks)} chunk(s) written before; the next run resumes after them)" if chunks else ""
        return st.record_failure(warehouse, source, run_id, started, f"{type(exc).__name__}: {exc}{done}")


def run_postings(warehouse: Path, sources: list[PostingSource], run_id: str, force: bool = False,
                 batch_size: int = BATCH_SIZE, chunk_rows: int = CHUNK_ROWS) -> list[SourceLoadSummary]:
    """Every source, then the aggregates, without Prefect; returns one summary per source plus the demand one."""
    out = [load_source(warehouse, src, run_id, force, batch_size, chunk_rows=chunk_rows) for src in sources]
    out.append(aggregate(warehouse, run_id, force))
    return out

