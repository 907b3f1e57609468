"""LinkedIn 2023 postings (structured CSVs): postings joined with salaries, skill categories, industries.

One raw record per ``job_id``: the ``job_postings.csv.gz`` row plus ``salaries`` (rows of
``salaries.csv.gz``), ``skills`` (``job_skills`` joined to ``skills``: abbreviation and name of the 35
LinkedIn skill categories), ``industries`` (``job_industries`` joined to ``industries``) and ``company``
(name from ``Nodes.csv.gz``, which stands in for the missing companies table). The data carry no dates,
so ``posted_at`` is null; ``job_id`` is kept as the record id.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import polars as pl

from careeros.market.sources.base import (
    ParsedPosting,
    ParseError,
    PostingSource,
    RawRecord,
    json_object,
    posting_id,
)
from careeros.market.sources.parsing import annualise, clean, experience_from_title, guess_country
from careeros.warehouse.provenance import sha256_file, sha256_text

LINKEDIN_DIR = "job-postings-linkedin-2023"

#: LinkedIn experience levels -> careeros levels (title words win when they are more specific).
LINKEDIN_LEVELS = {
    "internship": "intern",
    "entry level": "junior",
    "associate": "junior",
    "mid-senior level": "mid",
    "director": "director",
    "executive": "executive",
}
_PERIODS = {"HOURLY": "hour", "YEARLY": "year", "MONTHLY": "month", "WEEKLY": "week", "DAILY": "day"}


def _num(v: object) -> float | None:
    try:
        return float(v) if v not in (None, "") else None  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def parse_linkedin_record(record: dict, raw_sha256: str, source: str = "linkedin") -> list[ParsedPosting]:
    """Parse one joined LinkedIn record into a posting."""
    job_id = clean(record.get("job_id"))
    title = clean(record.get("title"))
    if not job_id:
        raise ParseError("missing job_id")
    if not title:
        raise ParseError("missing title")
    warnings: list[str] = []
    sal_min = sal_max = None
    currency = period = None
    for s in record.get("salaries") or []:
        raw_period = (s.get("pay_period") or "").upper()
        period = _PERIODS.get(raw_period)
        if period is None:
            warnings.append(f"salary period not annualisable: {raw_period or None}")
            continue
        lo = _num(s.get("min_salary"))
        hi = _num(s.get("max_salary"))
        med = _num(s.get("med_salary"))
        if lo is None and hi is None:
            lo = hi = med
        parsed = annualise(lo, hi, period, clean(s.get("currency")))
        warnings += parsed.warnings
        if parsed.min is not None or parsed.max is not None:
            sal_min, sal_max, currency = parsed.min, parsed.max, parsed.currency
            break
        period = None
    level_raw = (record.get("formatted_experience_level") or "").strip().lower()
    level = experience_from_title(title) or LINKEDIN_LEVELS.get(level_raw)
    location = clean(record.get("location"))
    remote = (
        "remote" if str(record.get("remote_allowed") or "").strip() in {"1", "1.0", "True", "true"} else None
    )
    skills = [s.get("skill_name") or s.get("skill_abr") for s in record.get("skills") or []]
    attrs = {
        k: record[k]
        for k in (
            "company_id",
            "formatted_experience_level",
            "application_type",
            "sponsored",
            "views",
            "applies",
        )
        if record.get(k) not in (None, "")
    }
    attrs["skill_abrs"] = [s.get("skill_abr") for s in record.get("skills") or []]
    return [
        ParsedPosting(
            posting_id=posting_id(source, job_id, 0),
            source=source,
            source_record_id=job_id,
            raw_sha256=raw_sha256,
            company=clean(record.get("company")),
            title=title,
            location=location,
            country=guess_country(location),
            remote=remote,  # type: ignore[arg-type]
            salary_min=sal_min,
            salary_max=sal_max,
            salary_currency=currency if sal_min is not None or sal_max is not None else None,
            salary_period=period if sal_min is not None or sal_max is not None else None,  # type: ignore[arg-type]
            experience_level=level,  # type: ignore[arg-type]
            employment_type=clean(record.get("formatted_work_type")),
            posted_at=None,
            text=title,
            url=f"https://www.linkedin.com/jobs/view/{job_id}",
            source_skills=[s for s in skills if s],
            industries=[i for i in record.get("industries") or [] if i],
            attributes=attrs,
            parse_warnings=warnings,
        )
    ]


class LinkedInSource(PostingSource):
    """The LinkedIn 2023 CSV folder: one raw record per job_id with its joined side tables."""

    name = "linkedin"
    version = "1"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @classmethod
    def from_datasets(cls, datasets: Path) -> LinkedInSource:
        """The source over the bundled dataset folder."""
        return cls(Path(datasets) / LINKEDIN_DIR)

    def _path(self, name: str) -> Path:
        for cand in (f"{name}.csv.gz", f"{name}.csv"):
            if (self.folder / cand).is_file():
                return self.folder / cand
        raise FileNotFoundError(f"{self.folder}: {name}.csv(.gz) not found")

    def _read(self, name: str, required: bool = True) -> pl.DataFrame | None:
        try:
            path = self._path(name)
        except FileNotFoundError:
            if required:
                raise
            return None
        return pl.read_csv(path, infer_schema=False, encoding="utf8-lossy", truncate_ragged_lines=True)

    def source_files(self) -> list[str]:
        """The CSV files read (those present)."""
        out = []
        for n in (
            "job_postings",
            "salaries",
            "job_skills",
            "skills",
            "job_industries",
            "industries",
            "Nodes",
        ):
            try:
                out.append(str(self._path(n)))
            except FileNotFoundError:
                pass
        return out

    def joined(self) -> pl.DataFrame:
        """Postings with salaries, skills, industries and company name as nested columns."""
        jobs = self._read("job_postings")
        assert jobs is not None
        jobs = jobs.with_row_index("__row")
        sal = self._read("salaries", required=False)
        if sal is not None:
            sal_cols = [
                c
                for c in (
                    "max_salary",
                    "med_salary",
                    "min_salary",
                    "pay_period",
                    "currency",
                    "compensation_type",
                )
                if c in sal.columns
            ]
            sal = sal.group_by("job_id", maintain_order=True).agg(pl.struct(sal_cols).alias("salaries"))
            jobs = jobs.join(sal, on="job_id", how="left")
        js, sk = self._read("job_skills", required=False), self._read("skills", required=False)
        if js is not None:
            if sk is not None:
                js = js.join(sk, on="skill_abr", how="left")
            else:
                js = js.with_columns(pl.lit(None, pl.String).alias("skill_name"))
            js = js.group_by("job_id", maintain_order=True).agg(
                pl.struct("skill_abr", "skill_name").alias("skills")
            )
            jobs = jobs.join(js, on="job_id", how="left")
        ji, ind = self._read("job_industries", required=False), self._read("industries", required=False)
        if ji is not None and ind is not None:
            ji = (
                ji.join(ind, on="industry_id", how="left")
                .group_by("job_id", maintain_order=True)
                .agg(pl.col("industry_name").drop_nulls().alias("industries"))
            )
            jobs = jobs.join(ji, on="job_id", how="left")
        nodes = self._read("Nodes", required=False)
        if nodes is not None and "company_id" in jobs.columns:
            names = nodes.select(pl.col("id").alias("company_id"), pl.col("name").alias("company")).unique(
                "company_id", keep="first"
            )
            jobs = jobs.join(names, on="company_id", how="left")
        return jobs.sort("__row").drop("__row")

    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield one raw record per posting row (JSON with sorted keys, nulls dropped)."""
        files = self.source_files()
        # the record is built from several files: its file hash is the hash of their (name, sha256) manifest
        file_sha = sha256_text("\n".join(f"{Path(f).name}:{sha256_file(Path(f))}" for f in files))
        main_file = str(self._path("job_postings"))
        for i, row in enumerate(self.joined().iter_rows(named=True)):
            rec = {k: v for k, v in row.items() if v is not None and v != []}
            rid = rec.get("job_id") or f"row-{i + 1}"
            raw = json.dumps(rec, sort_keys=True, ensure_ascii=False, default=str)
            yield RawRecord.make(self.name, rid, raw, main_file, file_sha)

    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one joined record."""
        return parse_linkedin_record(json_object(raw.raw_json), raw.raw_sha256, self.name)
