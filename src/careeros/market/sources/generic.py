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
``Rejected`` item with the reason. Markup in ``title``/``company``/``location`` is removed.

Encoding: UTF-8 (a BOM is ignored), UTF-16/UTF-32 with a BOM; a file that is not valid UTF-8 is read as
cp1252 (else latin-1) and its postings get the parse warning ``decoded as cp1252``. A CSV row with an
unbalanced quote (a quoted field running on into the next rows) is rejected with the line number and
parsing resumes at the next line, so the rows after it are not swallowed. See ``docs/postings-feed.md``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zlib
from collections import deque
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO

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
    plain_field,
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
#: Key of the raw record kept for a CSV row that could not be split into fields (its value is an object, which
#: no CSV cell can be, so a real column of that name is never mistaken for it).
MALFORMED_CSV = "_malformed_csv"
#: A feed file that cannot be read at all (a ``.gz`` that is not gzip, a truncated stream): one raw record with this
#: key and the reason, which :meth:`FeedSource.parse` turns into a quarantine row.
MALFORMED_FEED = "_malformed_feed"
_STREAM_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: the same first two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Encodings tried, in order, for a file without a BOM (latin-1 decodes any byte sequence).
_FALLBACKS = ("utf-8", "cp1252", "latin-1")


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
    title = plain_field(record.get("title"))
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
    raw_loc = plain_field(record.get("location"))
    location, loc_country, loc_remote = parse_location(raw_loc)
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
            company=plain_field(record.get("company")),
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


def sniff_encoding(head: bytes, chunks: Iterator[bytes]) -> str:
    """The encoding of a file: from its first bytes ``head`` (a BOM), else the first of :data:`_FALLBACKS`.

    The fallback is the first encoding that decodes the whole file (``chunks``: the rest of the file).
    """
    for bom, enc in _BOMS:
        if head.startswith(bom):
            return enc
    decoders = {enc: codecs.getincrementaldecoder(enc)() for enc in _FALLBACKS[:-1]}
    for chunk in (head, *chunks, None):
        for enc, dec in list(decoders.items()):
            try:
                dec.decode(chunk or b"", final=chunk is None)
            except UnicodeDecodeError:
                del decoders[enc]
        if not decoders:
            break
    return next((enc for enc in _FALLBACKS if enc in decoders), _FALLBACKS[-1])


class _Lines:
    """The physical lines of a text stream, numbered from 1; lines taken can be pushed back to be read again."""

    def __init__(self, fh: Iterator[str]) -> None:
        self._it = iter(fh)
        self._no = 0
        self.back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self.back:
            item = self.back.popleft()
        else:
            line = next(self._it)
            self._no += 1
            item = (self._no, line)
        self.taken.append(item)
        return item[1]

    def again(self, items: list[tuple[int, str]]) -> None:
        """Read ``items`` again next, before anything not read yet."""
        self.back.extendleft(reversed(items))


def _lenient(line: str) -> list[str]:
    try:
        return next(csv.reader([line]), [])
    except csv.Error:  # a field over csv.field_size_limit()
        return []


def csv_rows(fh: Iterator[str]) -> Iterator[tuple[int, dict[str, str | None], str | None, str]]:
    """Rows of a CSV text stream (opened with ``newline=""``) as ``(line, row, error, text)``.

    ``row`` maps header names to cells (missing cells are None, extra cells dropped); ``line`` is the
    physical line the row starts on and ``text`` that line. A row with an unbalanced quote (a quoted field
    that runs on into the following lines, or to the end of the file) comes with an ``error`` and ``row``
    read leniently from its first line only, and reading resumes at the next line, so the rows the runaway
    field swallowed are still read. A stray quote inside one line (``a,"b"c,d``) is read leniently, as
    ``csv`` always did.
    """
    lines = _Lines(fh)
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None

    def as_row(cells: list[str]) -> dict[str, str | None]:
        assert header is not None
        return {h: cells[i] if i < len(cells) else None for i, h in enumerate(header)}

    while True:
        lines.taken = []
        error = ""
        try:
            fields: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            fields, error = None, str(exc)
        taken = lines.taken
        if not taken:
            return
        (first_no, first), last_no = taken[0], taken[-1][0]
        if fields is None and len(taken) == 1 and error != "unexpected end of data" and "field limit" not in error:
            fields = _lenient(first)  # a stray quote within one line
        elif fields is None and header is not None:
            lines.again(taken[1:])
            if error == "unexpected end of data":
                why = "a quoted field is never closed (it runs to the end of the file)"
            elif len(taken) > 1 and "field limit" not in error:
                why = f"unbalanced quote (a quoted field runs on into line {last_no})"
            else:
                why = error
            yield first_no, as_row(_lenient(first)), f"malformed CSV at line {first_no}: {why}; row skipped", first
            continue
        elif fields is not None and header is not None and len(taken) > 1 and len(fields) != len(header) and any(
            len(_lenient(t)) == len(header) for _, t in taken[1:]
        ):  # a runaway quoted field that closed by chance: it swallowed what look like whole rows
            lines.again(taken[1:])
            why = (f"unbalanced quote (a quoted field runs on into line {last_no} and takes in what looks like "
                   f"another row)")
            yield first_no, as_row(_lenient(first)), f"malformed CSV at line {first_no}: {why}; row skipped", first
            continue
        if header is None:
            if fields == []:
                continue  # blank lines before the header
            if fields is None:  # a broken header: read its first line leniently, the rest as rows
                fields = _lenient(first)
                lines.again(taken[1:])
            header = fields
            continue
        if not fields:
            continue  # blank line
        yield first_no, as_row(fields), None, first


class GenericFeedSource(PostingSource):
    """A JSONL or CSV postings feed following the documented schema."""

    version = "1"

    def __init__(self, path: Path, name: str = "feed") -> None:
        if not re.fullmatch(r"[a-z0-9_-]{1,40}", name):
            raise ValueError(f"source name must match [a-z0-9_-]{{1,40}}: {name!r}")
        self.path = Path(path)
        self.name = name
        self._encodings: dict[str, str] = {}  # file SHA-256 -> encoding

    def source_files(self) -> list[str]:
        """The feed file."""
        return [str(self.path)]

    @property
    def is_csv(self) -> bool:
        """True for ``.csv``/``.csv.gz`` feeds."""
        return ".csv" in self.path.suffixes

    def _open_bytes(self) -> IO[bytes]:
        if self.path.suffix == ".gz":
            return gzip.open(self.path, "rb")  # type: ignore[return-value]
        return open(self.path, "rb")

    def encoding(self, file_sha: str) -> str:
        """The encoding of the feed file with SHA-256 ``file_sha`` (see :func:`sniff_encoding`).

        "" when the file is gone or has changed since.
        """
        if file_sha not in self._encodings:
            self._encodings[file_sha] = ""
            if self.path.is_file() and sha256_file(self.path) == file_sha and self.unreadable() is None:
                try:
                    with self._open_bytes() as fh:
                        self._encodings[file_sha] = sniff_encoding(fh.read(4), iter(lambda: fh.read(1 << 20), b""))
                except _STREAM_ERRORS:
                    self._encodings[file_sha] = _FALLBACKS[0]  # a broken stream: iter_raw reports where it broke
        return self._encodings[file_sha]

    def unreadable(self) -> str | None:
        """Why the feed file cannot be read at all (a ``.gz`` without the gzip magic bytes), else None."""
        if self.path.suffix == ".gz":
            with open(self.path, "rb") as fh:
                if fh.read(2) != b"\x1f\x8b":
                    return "file named .gz is not gzip-compressed"
        return None

    def _open(self, encoding: str) -> io.TextIOWrapper:
        # the encoding was checked on the whole file; "replace" only matters for a broken UTF-16/32 file
        return io.TextIOWrapper(self._open_bytes(), encoding=encoding, errors="replace", newline="")

    def iter_raw(self) -> Iterator[RawRecord]:
        """Yield one raw record per line (JSONL, as written) or row (CSV, as sorted-key JSON of the row).

        A CSV row that cannot be split into fields is yielded as ``{"_malformed_csv": {"line", "reason",
        "text"}}`` (its id from the line when it has one, else ``line-<n>``); :meth:`parse` rejects it.
        """
        file_sha = sha256_file(self.path)
        problem = self.unreadable()
        if problem is not None:
            yield RawRecord.make(self.name, "file", json.dumps({MALFORMED_FEED: {"reason": problem}}), str(self.path),
                                 file_sha)
            return
        n = 0
        try:
            for rec in self._iter_records(file_sha):
                n += 1
                yield rec
        except _STREAM_ERRORS as exc:
            reason = f"feed stream broken after record {n}: {type(exc).__name__}: {str(exc)[:160]}"
            yield RawRecord.make(self.name, f"stream-{n + 1}", json.dumps({MALFORMED_FEED: {"reason": reason}}),
                                 str(self.path), file_sha)

    def _iter_records(self, file_sha: str) -> Iterator[RawRecord]:
        with self._open(self.encoding(file_sha)) as fh:
            if self.is_csv:
                for i, (lineno, row, error, text) in enumerate(csv_rows(fh), start=1):
                    if error is not None:
                        raw = json.dumps({MALFORMED_CSV: {"line": lineno, "reason": error, "text": text}},
                                         sort_keys=True, ensure_ascii=False)
                        rid = clean(row.get("id")) or f"line-{lineno}"
                    else:
                        raw = json.dumps(row, sort_keys=True, ensure_ascii=False)
                        rid = clean(row.get("id")) or f"row-{i}"
                    yield RawRecord.make(self.name, rid, raw, str(self.path), file_sha)
                return
            for lineno, line in enumerate(fh, start=1):
                line = line.rstrip("\r\n").lstrip("\ufeff")
                if not line.strip():
                    continue
                m = re.search(r'"id"\s*:\s*"?([^",}]+)', line)
                rid = m.group(1).strip() if m else f"line-{lineno}"
                yield RawRecord.make(self.name, rid, line, str(self.path), file_sha)

    def parse(self, raw: RawRecord) -> list[ParsedPosting]:
        """Parse one feed record."""
        record = json_object(raw.raw_json)
        if isinstance(record.get(MALFORMED_CSV), dict):
            raise ParseError(str(record[MALFORMED_CSV].get("reason") or "malformed CSV row"))
        if isinstance(record.get(MALFORMED_FEED), dict):
            raise ParseError(str(record[MALFORMED_FEED].get("reason") or "unreadable feed file"))
        postings = parse_feed_record(record, raw.raw_sha256, self.name)
        encoding = self.encoding(raw.source_file_sha256) if raw.source_file == str(self.path) else ""
        if encoding in _FALLBACKS[1:]:
            for p in postings:
                p.parse_warnings.append(f"decoded as {encoding}")
        return postings
