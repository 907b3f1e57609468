"""A user-supplied postings feed: JSON Lines (``.jsonl``/``.ndjson``, optionally ``.gz``) or CSV.

One posting per line/row. Field names (case-sensitive; CSV header row, JSON object keys):

==================  ========  ==========================================================================
field               required  meaning
==================  ========  ==========================================================================
``id``              yes       the feed's stable id of the posting (string or integer)
``title``           yes       job title
``company``         no        employer name
``location``        no        free text ("Berlin", "Remote (US)", "Hybrid - NYC"); remote words are parsed
``description``     no        posting text, plain or HTML (HTML is removed); ``text`` is accepted as alias
``salary_min``      no        lower bound, a number in ``salary_period`` units
``salary_max``      no        upper bound, same units
``salary_currency`` no        ISO 4217 code (``USD``, ``EUR``...)
``salary_period``   no        ``year`` (default), ``month``, ``week``, ``day`` or ``hour``
``salary``          no        free-text salary ("$120k-150k", "€60–80k") used when min/max are absent
``posted_at``       no        ISO 8601 date or datetime (naive = UTC) or Unix seconds
``url``             no        link to the posting
``remote``          no        ``remote``/``hybrid``/``onsite`` or a boolean (true = remote, false = onsite)
``country``         no        country name; guessed from ``location`` when absent
``experience_level`` no       intern/junior/mid/senior/lead/principal/director/executive; else from title
``employment_type`` no        e.g. full-time, part-time, contract
``skills``          no        list of skill labels (JSON array, or ``;``-separated in CSV)
==================  ========  ==========================================================================

Salaries are annualised (hour x 2080, day x 260, week x 52, month x 12); implausible values are dropped
with a ``parse_warnings`` entry. Other fields are kept in ``attributes``. A row missing ``id`` or
``title``, with an unparseable number or date, or a line that is not a JSON object becomes a
``Rejected`` item with the reason. See ``docs/postings-feed.md``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from careeros.market.sources.base import (
    ParsedPosting,
    ParseError,
    PostingSource,
    RawRecord,
    json_object,
    posting_id,
)
from careeros.market.sources.parsing import (
    PERIOD_FACTORS,
    annualise,
    clean,
    experience_from_title,
    guess_country,
    html_to_text,
    parse_location,
    parse_salary,
)
from careeros.warehouse.provenance import sha256_file

KNOWN_FIELDS = (
    "id title company location description text salary_min salary_max salary_currency salary_period salary "
    "posted_at url remote country experience_level employment_type skills"
).split()
_LEVELS = {"intern", "junior", "mid", "senior", "lead", "principal", "director", "executive"}
_PERIOD_ALIASES = {
    "yearly": "year",
    "annual": "year",
    "annually": "year",
    "yr": "year",
    "monthly": "month",
    "mo": "month",
    "weekly": "week",
    "daily": "day",
    "hourly": "hour",
    "hr": "hour",
}


def _number(v: object, field: str) -> float | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, bool):
        raise ParseError(f"{field} is not a number: {v!r}")
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(str(v).replace(",", "").replace("_", "").strip())
    except ValueError as exc:
        raise ParseError(f"{field} is not a number: {v!r}") from exc


def parse_timestamp(v: object) -> datetime | None:
    """UTC datetime from ISO 8601 text (date or datetime; naive = UTC) or Unix seconds."""
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, int | float) and not isinstance(v, bool):
        return datetime.fromtimestamp(float(v), UTC)
    s = str(v).strip()
    if re.fullmatch(r"\d{9,11}(\.\d+)?", s):
        return datetime.fromtimestamp(float(s), UTC)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            d = date.fromisoformat(s)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ParseError(f"posted_at is not an ISO 8601 date/datetime: {s!r}") from exc
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _remote(v: object) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return "remote" if v else "onsite"
    s = str(v).strip().lower()
    if s in {"remote", "hybrid", "onsite"}:
        return s
    if s in {"true", "yes", "y", "1"}:
        return "remote"
    if s in {"false", "no", "n", "0", "on-site", "office"}:
        return "onsite"
    raise ParseError(f"remote must be remote/hybrid/onsite or a boolean, got {v!r}")


def parse_feed_record(record: dict, raw_sha256: str, source: str = "feed") -> list[ParsedPosting]:
    """Parse one feed record (see the module docstring for the schema) into a posting."""
    rid = clean(record.get("id"))
    title = clean(record.get("title"))
    if not rid:
        raise ParseError("missing required field: id")
    if not title:
        raise ParseError("missing required field: title")
    warnings: list[str] = []
    period = clean(record.get("salary_period"))
    period = _PERIOD_ALIASES.get(period.lower(), period.lower()) if period else None
    if period is not None and period not in PERIOD_FACTORS:
        raise ParseError(f"salary_period must be one of {sorted(PERIOD_FACTORS)}, got {period!r}")
    currency = clean(record.get("salary_currency"))
    currency = currency.upper() if currency else None
    lo, hi = _number(record.get("salary_min"), "salary_min"), _number(record.get("salary_max"), "salary_max")
    if lo is not None or hi is not None:
        sal = annualise(lo, hi, period or "year", currency)
    else:
        sal = parse_salary(clean(record.get("salary")), default_period=period)
        if sal.found and currency and not sal.currency:
            sal.currency = currency
    warnings += sal.warnings
    found = sal.min is not None or sal.max is not None
    location, loc_country, loc_remote = parse_location(clean(record.get("location")))
    raw_loc = clean(record.get("location"))
    remote = _remote(record.get("remote")) or loc_remote
    level = clean(record.get("experience_level"))
    if level is not None and level.lower() not in _LEVELS:
        warnings.append(f"unknown experience_level: {level!r}")
        level = None
    level = level.lower() if level else experience_from_title(title)
    text_raw = record.get("description") if record.get("description") is not None else record.get("text")
    text = html_to_text(str(text_raw)) if text_raw is not None else None
    skills = record.get("skills")
    if isinstance(skills, str):
        skills = [s.strip() for s in re.split(r"[;|]", skills) if s.strip()]
    elif not isinstance(skills, list):
        skills = []
    attrs = {k: v for k, v in record.items() if k not in KNOWN_FIELDS and v not in (None, "")}
    return [
        ParsedPosting(
            posting_id=posting_id(source, rid, 0),
            source=source,
            source_record_id=rid,
            raw_sha256=raw_sha256,
            company=clean(record.get("company")),
            title=title,
            location=raw_loc if location is None and loc_remote is None else (location or None),
            country=clean(record.get("country")) or loc_country or guess_country(raw_loc),
            remote=remote,  # type: ignore[arg-type]
            salary_min=sal.min if found else None,
            salary_max=sal.max if found else None,
            salary_currency=sal.currency if found else None,
            salary_period=(sal.period or period or "year") if found else None,  # type: ignore[arg-type]
            experience_level=level,  # type: ignore[arg-type]
            employment_type=clean(record.get("employment_type")),
            posted_at=parse_timestamp(record.get("posted_at")),
            text=text or None,
            url=clean(record.get("url")),
            source_skills=[str(s) for s in skills if s not in (None, "")],
            attributes=attrs,
            parse_warnings=warnings,
        )
    ]


class GenericFeedSource(PostingSource):
    """A JSONL or CSV postings feed following the documented schema."""

    version = "1"

    def __init__(self, path: Path, name: str = "feed") -> None:
        if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
            raise ValueError(f"source name must match [a-z0-9_-]{{1,40}}: {name!r}")
        self.path = Path(path)
        self.name = name

    def source_files(self) -> list[str]:
        """The feed file."""
        return [str(self.path)]

    @property
    def is_csv(self) -> bool:
        """True for ``.csv``/``.csv.gz`` feeds."""
        return ".csv" in self.path.suffixes

    def _open(self) -> io.TextIOBase:
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rt", encoding="utf-8", errors="replace", newline="")  # type: ignore[return-value]
        return open(self.path, encoding="utf-8", errors="replace", newline="")  # type: ignore[return-value]

    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield one raw record per line (JSONL, as written) or row (CSV, as sorted-key JSON of the row)."""
        file_sha = sha256_file(self.path)
        with self._open() as fh:
            if self.is_csv:
                reader = csv.DictReader(fh)
                for i, row in enumerate(reader, start=1):
                    row = {k: v for k, v in row.items() if k is not None}
                    raw = json.dumps(row, sort_keys=True, ensure_ascii=False)
                    rid = clean(row.get("id")) or f"row-{i}"
                    yield RawRecord.make(self.name, rid, raw, str(self.path), file_sha)
                return
            for lineno, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n")
                if not line.strip():
                    continue
                m = re.search(r'"id"\s*:\s*"?([^",}]+)', line)
                rid = m.group(1).strip() if m else f"line-{lineno}"
                yield RawRecord.make(self.name, rid, line, str(self.path), file_sha)

    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one feed record."""
        return parse_feed_record(json_object(raw.raw_json), raw.raw_sha256, self.name)
