"""USAJOBS announcements: the 2024-25 JSONL extract and the 2016 historic parquet file.

Both shapes are accepted per record: snake_case JSONL (``control_number, position_title, department,
agency, subagency, appointment_type, hiring_paths, open_date, close_date, usajobs_url``) and the
camelCase historic-API rows (``usajobsControlNumber, positionTitle, hiringAgencyName,
hiringDepartmentName, minimumSalary, maximumSalary, salaryType, payScale, minimumGrade,
PositionLocations, teleworkEligible, ...``). The company is the hiring agency (the department when the
agency is the catch-all "Other Agencies..."); ``posted_at`` is the open date (UTC midnight). Salaries
are annualised from "Per Hour"/"Per Year"; seniority comes from title words, else the GS grade.
Telework-eligible announcements are marked "hybrid", others "onsite", "remote" when a location says so.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
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
from careeros.market.sources.parsing import (
    annualise,
    clean,
    experience_from_gs_grade,
    experience_from_title,
    title_case_if_shouting,
)
from careeros.warehouse.provenance import sha256_file

USAJOBS_DIR = "job-postings-usajobs"
USAJOBS_FILES = ("usajobs_2024_2025_partial.jsonl.gz", "historical_jobs_2016.parquet")
_SALARY_TYPES = {
    "per year": "year",
    "per hour": "hour",
    "per day": "day",
    "per month": "month",
    "bi-weekly": "week",
}
_GRADE_IN_TITLE = re.compile(
    r"\b(GS|GG|GL|WG|WS|WL|NA|AD|VM|VN)[- ]?(?:\d{4}[- ])?(\d{1,2})(?:\s*/\s*\d{1,2})*\b"
)


def _date(v: object) -> datetime | None:
    s = clean(v)
    if not s:
        return None
    try:
        d = date.fromisoformat(s[:10])
    except ValueError as exc:
        raise ParseError(f"bad date: {s!r}") from exc
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _locations(v: object) -> tuple[str | None, str | None, bool]:
    """(location text, country, says remote) from a PositionLocations JSON list."""
    if not v:
        return None, None, False
    try:
        items = json.loads(v) if isinstance(v, str) else v
    except json.JSONDecodeError:
        return clean(v), None, "remote" in str(v).lower()
    if not isinstance(items, list):
        return None, None, False
    names, country, remote = [], None, False
    for it in items:
        if not isinstance(it, dict):
            continue
        city, state = clean(it.get("positionLocationCity")), clean(it.get("positionLocationState"))
        country = country or clean(it.get("positionLocationCountry"))
        label = ", ".join(x for x in (city, state) if x)
        remote = remote or "remote" in label.lower() or "anywhere" in label.lower()
        if label and label not in names:
            names.append(label)
    if not names:
        return None, country, remote
    text = "; ".join(names[:3]) + (f" (+{len(names) - 3} more)" if len(names) > 3 else "")
    return text, country, remote


def _clean_title(title: str) -> str:
    t = title_case_if_shouting(title.strip())
    t = re.sub(r"\s*[-,]?\s*\(?(?:GS|GG|GL|WG|WS|WL|NA)-\d[\d/-]*\)?(?:\s*\([^)]*\))?\s*$", "", t)
    return re.sub(r"\s+", " ", t).strip(" -,")


def parse_usajobs_record(record: dict, raw_sha256: str, source: str = "usajobs") -> list[ParsedPosting]:
    """Parse one USAJOBS announcement (either shape) into a posting."""
    historic = "positionTitle" in record or "usajobsControlNumber" in record
    rid = clean(record.get("usajobsControlNumber") if historic else record.get("control_number"))
    title_raw = clean(record.get("positionTitle") if historic else record.get("position_title"))
    if not rid:
        raise ParseError("missing control number")
    if not title_raw:
        raise ParseError("missing position title")
    title = _clean_title(title_raw)
    warnings: list[str] = []
    if historic:
        department, agency = clean(record.get("hiringDepartmentName")), clean(record.get("hiringAgencyName"))
        subagency = clean(record.get("hiringSubelementName"))
        opened, closes = _date(record.get("positionOpenDate")), _date(record.get("positionCloseDate"))
        location, country, says_remote = _locations(record.get("PositionLocations"))
        pay_plan = clean(record.get("payScale"))
        grade = clean(record.get("minimumGrade"))
        sal_type = (clean(record.get("salaryType")) or "").lower()
        period = _SALARY_TYPES.get(sal_type)
        lo, hi = record.get("minimumSalary"), record.get("maximumSalary")
        if period is None:
            salary = None
            if (lo or hi) and sal_type:
                warnings.append(f"salary type not annualisable: {sal_type}")
        else:
            salary = annualise(lo or None, hi or None, period, "USD")
            warnings += salary.warnings
        telework = clean(record.get("teleworkEligible"))
        schedule = clean(record.get("workSchedule"))
        url = f"https://www.usajobs.gov/job/{rid}"
        extra = {
            "appointment_type": clean(record.get("appointmentType")),
            "pay_scale": pay_plan,
            "min_grade": grade,
            "max_grade": clean(record.get("maximumGrade")),
            "who_may_apply": clean(record.get("whoMayApply")),
            "security_clearance": clean(record.get("securityClearance")),
            "announcement_number": clean(record.get("announcementNumber")),
        }
    else:
        department, agency = clean(record.get("department")), clean(record.get("agency"))
        subagency = clean(record.get("subagency"))
        opened, closes = _date(record.get("open_date")), _date(record.get("close_date"))
        location, country, says_remote = None, None, False
        m = _GRADE_IN_TITLE.search(title_raw)
        pay_plan, grade = (m.group(1), m.group(2)) if m else (None, None)
        salary, telework, schedule = None, clean(record.get("telework_eligible")), None
        url = clean(record.get("usajobs_url")) or f"https://www.usajobs.gov/job/{rid}"
        extra = {
            "appointment_type": clean(record.get("appointment_type")),
            "hiring_paths": record.get("hiring_paths"),
        }
    company = agency
    if not company or company.lower().startswith("other agencies"):
        company = department or agency
    if says_remote or re.search(r"\bremote\b", title_raw, re.I):
        remote = "remote"
    elif telework:
        remote = "hybrid" if telework.upper().startswith("Y") else "onsite"
    else:
        remote = None
    level = experience_from_title(title) or experience_from_gs_grade(grade, pay_plan)
    attrs = {
        "department": department,
        "agency": agency,
        "subagency": subagency,
        "telework_eligible": telework,
    }
    attrs.update(extra)
    found = salary is not None and (salary.min is not None or salary.max is not None)
    return [
        ParsedPosting(
            posting_id=posting_id(source, rid, 0),
            source=source,
            source_record_id=rid,
            raw_sha256=raw_sha256,
            company=company,
            title=title,
            location=location,
            country=country or "United States",
            remote=remote,  # type: ignore[arg-type]
            salary_min=salary.min if found else None,  # type: ignore[union-attr]
            salary_max=salary.max if found else None,  # type: ignore[union-attr]
            salary_currency="USD" if found else None,
            salary_period=salary.period if found else None,  # type: ignore[union-attr,arg-type]
            experience_level=level,  # type: ignore[arg-type]
            employment_type=schedule.lower() if schedule else None,
            posted_at=opened,
            closes_at=closes,
            text="\n".join(x for x in (title_raw, subagency or agency, department) if x),
            url=url,
            attributes={k: v for k, v in attrs.items() if v not in (None, "", [])},
            parse_warnings=warnings,
        )
    ]


class USAJobsSource(PostingSource):
    """USAJOBS JSONL(.gz) and/or parquet files; each row is one announcement."""

    name = "usajobs"
    version = "1"

    def __init__(self, paths: list[Path] | Path) -> None:
        self.paths = [Path(p) for p in (paths if isinstance(paths, list) else [paths])]

    @classmethod
    def from_datasets(cls, datasets: Path) -> USAJobsSource:
        """The source over the bundled dataset folder (both files)."""
        folder = Path(datasets) / USAJOBS_DIR
        return cls([folder / f for f in USAJOBS_FILES if (folder / f).is_file()])

    def source_files(self) -> list[str]:
        """The files read."""
        return [str(p) for p in self.paths]

    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield one raw record per JSONL line or parquet row (parquet rows as sorted-key JSON)."""
        for path in self.paths:
            file_sha = sha256_file(path)
            if path.suffix == ".parquet":
                for i, row in enumerate(pl.read_parquet(path).iter_rows(named=True)):
                    rid = row.get("usajobsControlNumber") or row.get("control_number") or f"row-{i + 1}"
                    raw = json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
                    yield RawRecord.make(self.name, rid, raw, str(path), file_sha)
                continue
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
                for lineno, line in enumerate(fh, start=1):
                    line = line.rstrip("\n")
                    if not line.strip():
                        continue
                    m = re.search(r'"(?:control_number|usajobsControlNumber)"\s*:\s*"?(\d+)', line)
                    rid = m.group(1) if m else f"{path.name}:line-{lineno}"
                    yield RawRecord.make(self.name, rid, line, str(path), file_sha)

    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one announcement."""
        return parse_usajobs_record(json_object(raw.raw_json), raw.raw_sha256, self.name)
