"""Records, parsed postings and the source contract shared by every posting source."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, ConfigDict, Field, field_validator

from careeros.warehouse.provenance import sha256_text

RemoteKind = Literal["remote", "hybrid", "onsite"]
ExperienceLevel = Literal["intern", "junior", "mid", "senior", "lead", "principal", "director", "executive"]
SalaryPeriod = Literal["year", "month", "week", "day", "hour"]


@dataclass(frozen=True)
class RawRecord:
    """One record exactly as landed: its JSON text, its hash and the file it came from."""

    source: str
    source_record_id: str
    raw_json: str
    raw_sha256: str
    source_file: str
    source_file_sha256: str

    @classmethod
    def make(
        cls, source: str, record_id: object, raw_json: str, source_file: str, file_sha: str
    ) -> RawRecord:
        """Build a record, hashing ``raw_json``."""
        return cls(source, str(record_id), raw_json, sha256_text(raw_json), source_file, file_sha)


@dataclass(frozen=True)
class Rejected:
    """A record that could not be parsed; kept with the reason instead of failing the batch."""

    source: str
    source_record_id: str
    reason: str
    raw_json: str


#: C0/C1 control characters and the Unicode bidi overrides/isolates: never kept in one-line posting fields.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_WS = re.compile(r"\s+")


class ParsedPosting(BaseModel):
    """One role of one posting version, with normalised fields (salaries annualised)."""

    model_config = ConfigDict(extra="forbid")

    posting_id: str
    source: str
    source_record_id: str
    role_index: int = 0
    raw_sha256: str
    company: str | None = None
    title: str | None = None
    location: str | None = None
    country: str | None = None
    remote: RemoteKind | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: SalaryPeriod | None = None
    experience_level: ExperienceLevel | None = None
    employment_type: str | None = None
    posted_at: datetime | None = None
    closes_at: datetime | None = None
    text: str | None = None
    url: str | None = None
    source_skills: list[str] = Field(default_factory=list)
    industries: list[str] = Field(default_factory=list)
    attributes: dict[str, Any] = Field(default_factory=dict)
    parse_warnings: list[str] = Field(default_factory=list)

    @field_validator("company", "title", "location", "country", "employment_type", "salary_currency", "url")
    @classmethod
    def _one_line(cls, v: str | None) -> str | None:
        """One-line fields without control characters (NUL, ESC, bidi overrides are data, not terminal markup)."""
        if v is None:
            return None
        t = _WS.sub(" ", _CONTROL.sub(" ", v)).strip()
        return t or None


#: Polars schema of a parsed-postings frame (``attributes`` is serialised to JSON text).
POSTING_SCHEMA: dict[str, pl.DataType] = {
    "posting_id": pl.String(),
    "source": pl.String(),
    "source_record_id": pl.String(),
    "role_index": pl.Int32(),
    "raw_sha256": pl.String(),
    "company": pl.String(),
    "title": pl.String(),
    "location": pl.String(),
    "country": pl.String(),
    "remote": pl.String(),
    "salary_min": pl.Float64(),
    "salary_max": pl.Float64(),
    "salary_currency": pl.String(),
    "salary_period": pl.String(),
    "experience_level": pl.String(),
    "employment_type": pl.String(),
    "posted_at": pl.Datetime("us", "UTC"),
    "closes_at": pl.Datetime("us", "UTC"),
    "text": pl.String(),
    "url": pl.String(),
    "source_skills": pl.List(pl.String()),
    "industries": pl.List(pl.String()),
    "attributes_json": pl.String(),
    "parse_warnings": pl.List(pl.String()),
}

RAW_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_record_id": pl.String(),
    "raw_json": pl.String(),
    "raw_sha256": pl.String(),
    "source_file": pl.String(),
    "source_file_sha256": pl.String(),
}

REJECTED_SCHEMA: dict[str, pl.DataType] = {
    "source": pl.String(),
    "source_record_id": pl.String(),
    "reason": pl.String(),
    "raw_json": pl.String(),
}


def posting_id(source: str, record_id: str, role_index: int) -> str:
    """Stable id of one role of one record: ``source:record_id:role_index``."""
    return f"{source}:{record_id}:{role_index}"


def postings_frame(postings: Iterable[ParsedPosting]) -> pl.DataFrame:
    """Parsed postings as a Polars frame with :data:`POSTING_SCHEMA`."""
    rows = []
    for p in postings:
        d = p.model_dump()
        d["attributes_json"] = (
            json.dumps(d.pop("attributes"), sort_keys=True, default=str) if p.attributes else None
        )
        rows.append(d)
    return pl.DataFrame(rows, schema=POSTING_SCHEMA)


def raw_frame(records: Iterable[RawRecord]) -> pl.DataFrame:
    """Raw records as a Polars frame with :data:`RAW_SCHEMA`."""
    cols = list(RAW_SCHEMA)
    return pl.DataFrame([[getattr(r, c) for c in cols] for r in records], schema=RAW_SCHEMA, orient="row")


def rejected_frame(items: Iterable[Rejected]) -> pl.DataFrame:
    """Rejected records as a Polars frame with :data:`REJECTED_SCHEMA`."""
    cols = list(REJECTED_SCHEMA)
    return pl.DataFrame([[getattr(r, c) for c in cols] for r in items], schema=REJECTED_SCHEMA, orient="row")


@dataclass
class ParseResult:
    """Postings parsed from a batch plus the records rejected on the way."""

    postings: list[ParsedPosting] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def frame(self) -> pl.DataFrame:
        """The postings as a frame."""
        return postings_frame(self.postings)

    def rejected_frame(self) -> pl.DataFrame:
        """The rejected records as a frame."""
        return rejected_frame(self.rejected)


class ParseError(ValueError):
    """A record is malformed or is not a job posting; the message becomes the rejection reason."""


def json_object(raw_json: str) -> dict[str, Any]:
    """Decode a landed record that must be a JSON object; anything else is a ParseError with a reason."""
    try:
        record = json.loads(raw_json)
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid JSON: {exc.msg} at char {exc.pos}") from exc
    if not isinstance(record, dict):
        raise ParseError(f"expected a JSON object, got {type(record).__name__}")
    return record


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Group an iterable into lists of at most ``size`` items."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


class PostingSource(ABC):
    """A source of job postings: yields raw records as landed and parses one raw record into roles.

    Subclasses set ``name`` (short, ``[a-z0-9_-]``, used in posting ids) and ``version`` (bump it when
    the parser's output changes) and implement :meth:`iter_raw` and :meth:`parse`. ``parse`` may raise
    any exception for a bad record; :meth:`parse_batch` turns it into a :class:`Rejected` item.
    """

    name: str = "source"
    version: str = "1"

    @abstractmethod
    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield every raw record of the source, in a stable order."""

    @abstractmethod
    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one raw record into one posting per role (raise on malformed records)."""

    def iter_batches(self, batch_size: int = 1000) -> Iterator[list[RawRecord]]:
        """Yield the raw records in lists of at most ``batch_size``."""
        yield from batched(self.iter_raw(), batch_size)

    def parse_batch(self, raws: Iterable[RawRecord]) -> ParseResult:
        """Parse many records; a failing or empty record becomes a :class:`Rejected`, never an exception."""
        out = ParseResult()
        for raw in raws:
            try:
                parsed = self.parse(raw)
            except Exception as exc:  # noqa: BLE001 - any parser failure is a rejection, not a crash
                reason = str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
                out.rejected.append(Rejected(raw.source, raw.source_record_id, reason[:500], raw.raw_json))
                continue
            if not parsed:
                out.rejected.append(
                    Rejected(raw.source, raw.source_record_id, "no posting found", raw.raw_json)
                )
                continue
            out.postings.extend(parsed)
        return out

    def source_files(self) -> list[str]:
        """Paths of the files this source reads (for provenance)."""
        return []
