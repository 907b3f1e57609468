"""Learning progress: course completions from an xAPI statements file or a course-completion CSV.

Parsers are pure (text in, :class:`Parsed` out): every record either becomes a :class:`LearningRecord` or a
:class:`BadRecord` with a reason a person can act on; nothing raises on bad input and nothing is dropped without
being counted. xAPI follows 1.0.3: ``actor``, ``verb.id``, ``object`` (an Activity: ``id``, ``definition.name``
language map, ``description``, ``type``, ``extensions``), ``result`` (``completion``, ``success``, ``score``,
``duration`` as ISO 8601), ``timestamp``, ``id``. Only completed / passed / mastered statements (or a
``result.completion`` / ``result.success`` of true) are completions; failed / attempted / progressed are kept as
facts that evidence no skill; other verbs (launched, experienced, answered...) are no learning outcome and are
counted as skipped (the raw file keeps them).

Course names and descriptions are untrusted data: control characters and markup are stripped, lengths capped,
secrets masked; they are never interpreted.

Records become :class:`LearningItem` evidence (``source_type`` "learning", id from the statement id or a hash of
course + provider + date, version = hash of the content) and skill links (:func:`link_candidates`) written with
:mod:`careeros.evidence.history` (:func:`write_learning`).
"""

from __future__ import annotations

import calendar
import codecs
import csv
import hashlib
import html
import io
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import duckdb
import numpy as np
import polars as pl
from pydantic import BaseModel, Field

from careeros.evidence import history as h
from careeros.evidence.linking import AUTO_ACCEPT, MIN_LINK, SkillVectors, confidence, link_id
from careeros.evidence.models import RELIABILITY, EvidenceItem, LinkCandidate, Signal, short_hash
from careeros.hashing import sha256_text
from careeros.redact import redact_secrets
from careeros.warehouse.loading import add_quarantine, keep_raw

Format = Literal["xapi", "csv"]
LEARNING_FORMAT = "1"
#: Outcome verbs (last segment of ``verb.id``): completions, and facts that evidence no skill.
COMPLETION_VERBS = ("completed", "passed", "mastered")
FACT_VERBS = ("failed", "attempted", "progressed")
#: Activity types that are a single question, not a course or module: never a completion.
INTERACTION_TYPES = ("cmi.interaction", "interaction", "question")
#: Reliability of learning evidence: an unverified completion is worth less than a resume line; a completion with
#: a score or a pass (the platform checked something) more; other outcomes are facts only.
RELIABILITY_UNVERIFIED = 0.5
RELIABILITY_VERIFIED = 0.65
RELIABILITY_FACT = 0.35
#: Link strength (see careeros.evidence.linking.STRENGTH): a verified completion weighs like a certificate, an
#: unverified one like a resume claim.
STRENGTH_VERIFIED = 0.7
STRENGTH_UNVERIFIED = 0.5
EARLIEST = date(1990, 1, 1)
FUTURE_SLACK = timedelta(minutes=15)
MAX_TITLE = 200
MAX_DESCRIPTION = 2000
MAX_SKILLS = 30
MAX_HOURS = 2000.0
MAX_RECORD_JSON = 2000
MAX_FILE_BYTES = 50 * 1024 * 1024

assert RELIABILITY_UNVERIFIED < RELIABILITY["resume"] < RELIABILITY_VERIFIED


# ------------------------------------------------------------------------------------------------ records
class LearningRecord(BaseModel):
    """One learning outcome read from a file (a completion, or a fact such as an attempt or a failure)."""

    fmt: Format
    key: str = Field(description="statement id (xAPI) or natural key course|provider|date (CSV)")
    origin: str = Field(description="where in the file: 'statement 3', 'line 7'")
    title: str
    provider: str | None = None
    description: str | None = None
    verb: str
    completion: bool
    success: bool | None = None
    score: float | None = Field(default=None, description="scaled score, -1..1 (xAPI) or 0..1")
    hours: float | None = None
    occurred_at: datetime
    url: str | None = None
    activity_id: str | None = None
    activity_type: str | None = None
    skills: list[str] = Field(default_factory=list, description="skills the file declares for this course")
    actor: str | None = Field(default=None, description="hash of the learner's identifier (xAPI)")
    warnings: list[str] = Field(default_factory=list)

    @property
    def verified(self) -> bool:
        """The platform checked something: a pass or a score."""
        return bool(self.success) or self.score is not None

    @property
    def item_id(self) -> str:
        """Stable evidence item id of this record."""
        return short_hash("learning", self.fmt, self.key)

    def content(self) -> dict[str, Any]:
        """The content that defines a version (no file path, run or warnings)."""
        return {"fmt": self.fmt, "key": self.key, "title": self.title, "provider": self.provider,
                "description": self.description, "verb": self.verb, "completion": self.completion,
                "success": self.success, "score": self.score, "hours": self.hours,
                "occurred_at": self.occurred_at.astimezone(UTC).isoformat(), "url": self.url,
                "activity_id": self.activity_id, "activity_type": self.activity_type,
                "skills": sorted(self.skills, key=str.lower)}

    @property
    def version(self) -> str:
        """Content hash of this record."""
        return sha256_text(f"learning:{LEARNING_FORMAT}\n" + json.dumps(self.content(), sort_keys=True, default=str))


class BadRecord(BaseModel):
    """A record that could not be imported, with a reason a person can act on."""

    origin: str
    reason: str
    key: str | None = None
    record: str | None = Field(default=None, description="the offending record, truncated (no learner id)")


@dataclass
class Parsed:
    """What one file yielded: records, bad records, and what was skipped on purpose."""

    fmt: Format
    records: list[LearningRecord] = field(default_factory=list)
    bad: list[BadRecord] = field(default_factory=list)
    read: int = 0
    duplicates: int = 0
    skipped_verbs: dict[str, int] = field(default_factory=dict)
    voided: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def completions(self) -> list[LearningRecord]:
        """Records that evidence skills."""
        return [r for r in self.records if r.completion]


class LearningItem(EvidenceItem):
    """Evidence of a learning outcome (``source_type`` "learning"); reliability depends on verification."""

    source_type: Literal["learning"] = "learning"
    trust: float = Field(default=RELIABILITY_UNVERIFIED, ge=0.0, le=1.0)

    @property
    def reliability(self) -> float:
        """Source reliability in [0, 1] (see the RELIABILITY_* constants)."""
        return self.trust


# ------------------------------------------------------------------------------------------------ text helpers
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_TAG = re.compile(r"<[^<>]{0,500}>")


def clean_text(value: Any, limit: int, single_line: bool = True) -> str:
    """Untrusted text as plain data: no markup, control characters or secrets; whitespace collapsed; capped."""
    if value is None:
        return ""
    text = str(value)
    text = html.unescape(_TAG.sub(" ", text))
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    if single_line:
        text = " ".join(text.split())
    else:
        text = "\n".join(" ".join(ln.split()) for ln in text.split("\n"))
        text = re.sub(r"\n{3,}", "\n\n", text).strip()
    text = redact_secrets(text)
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] if " " in text[limit // 2:limit] else text[:limit]
        text = cut.rstrip() + "..."
    return text


def _snippet(obj: Any) -> str:
    """A bad record as JSON for the quarantine table, without the learner's identity, truncated."""
    if isinstance(obj, dict):
        obj = {k: v for k, v in obj.items() if k not in ("actor", "authority")}
    try:
        text = json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(obj)
    return redact_secrets(text[:MAX_RECORD_JSON])


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Bytes -> text (UTF-8 or a BOM'd UTF-16/32; else Windows-1252 with a warning)."""
    for bom, enc in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
                     (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), None
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "the file is not UTF-8: read as Windows-1252"


def detect_format(path: Path, text: str) -> Format:
    """``xapi`` for .json/.jsonl/.ndjson or text starting with ``[``/``{``; else ``csv``."""
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl", ".ndjson"):
        return "xapi"
    if suffix in (".csv", ".tsv"):
        return "csv"
    return "xapi" if text.lstrip()[:1] in ("[", "{") else "csv"


# ------------------------------------------------------------------------------------------------ values
_DURATION = re.compile(r"^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?"
                       r"(?:(\d+(?:[.,]\d+)?)D)?(?:T(?=\d)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?"
                       r"(?:(\d+(?:[.,]\d+)?)S)?)?$", re.IGNORECASE)


def iso_duration_hours(value: str) -> float | None:
    """Hours of an ISO 8601 duration (``PT1H30M`` -> 1.5; weeks and days count 168/24 h); None if unreadable.

    Years and months have no fixed length and are refused (None).
    """
    m = _DURATION.match(value.strip()) if isinstance(value, str) else None
    if not m:
        return None
    y, mo, w, d, hh, mi, s = (float(g.replace(",", ".")) if g else 0.0 for g in m.groups())
    if y or mo:
        return None
    return w * 168 + d * 24 + hh + mi / 60 + s / 3600


def _hours_text(value: str, minutes: bool = False) -> float | None:
    """Hours from forgiving text: 12, 12.5, 12,5, 12h, 12 hours, 1:30, 90 min, PT2H."""
    v = value.strip().lower()
    if not v:
        return None
    if v.startswith("p"):
        return iso_duration_hours(v.upper())
    m = re.fullmatch(r"(\d{1,4}):([0-5]\d)(?::[0-5]\d)?", v)
    if m:
        return int(m.group(1)) + int(m.group(2)) / 60
    m = re.fullmatch(r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hour|hours|m|min|mins|minute|minutes)?", v)
    if not m:
        return None
    n = float(m.group(1).replace(",", "."))
    unit = m.group(2)
    if unit and unit.startswith("m") or (unit is None and minutes):
        return n / 60
    return n


def _score_text(value: str) -> float | None:
    """A 0..1 score from 92%, 92, 0.92, 92/100, 4.5/5; None if unreadable."""
    v = value.strip().replace(",", ".").replace(" ", "")
    if not v:
        return None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)/(\d+(?:\.\d+)?)", v)
    if m:
        den = float(m.group(2))
        return float(m.group(1)) / den if den > 0 else None
    m = re.fullmatch(r"(\d+(?:\.\d+)?)%?", v)
    if not m:
        return None
    n = float(m.group(1))
    return n / 100 if v.endswith("%") or n > 1 else n


class DateError(ValueError):
    """A date that cannot be read or is not plausible."""


_MONTHS = {**{m.lower(): i for i, m in enumerate(calendar.month_abbr) if m},
           **{m.lower(): i for i, m in enumerate(calendar.month_name) if m}, "sept": 9}
_SLASHED = re.compile(r"^(\d{1,2})[/\-](\d{1,2})[/\-](\d{4}|\d{2})(?:[ T,].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})(?:[ T,].*)?$")
_YMD = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T,].*)?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]+([A-Za-z]{3,9})\.?,?[\s\-/.]+(\d{4})(?:[ T,].*)?$")
_MONTH_DAY = re.compile(r"^(?:[A-Za-z]{3,9},?\s+)?([A-Za-z]{3,9})\.?[\s\-/.]+(\d{1,2})(?:st|nd|rd|th)?,?[\s\-/.]+(\d{4})"
                        r"(?:[ T,].*)?$")


def _year(y: str, today: date) -> int:
    n = int(y)
    if len(y) == 2:
        n = 2000 + n if 2000 + n <= today.year + 1 else 1900 + n
    return n


def slashed_order(values: Iterable[str]) -> Literal["dmy", "mdy"] | None:
    """The day/month order of a column's ``a/b/yyyy`` dates: decided by any value with a part above 12."""
    dmy = mdy = False
    for v in values:
        m = _SLASHED.match(v.strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            dmy |= a > 12 >= b
            mdy |= b > 12 >= a
    return "dmy" if dmy and not mdy else "mdy" if mdy and not dmy else None


def parse_day(value: str, order: Literal["dmy", "mdy"] | None, today: date) -> date | datetime:
    """A completion date or timestamp from forgiving text; raises :class:`DateError` with the reason."""
    v = value.strip()
    if not v:
        raise DateError("no completion date")
    out: date | datetime | None = None
    if re.match(r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}.*)?$", v) or re.match(r"^\d{8}T\d{6}", v):
        try:
            dt = datetime.fromisoformat(v)
        except ValueError as exc:
            raise DateError(f"unreadable date {v!r} (use YYYY-MM-DD)") from exc
        out = dt if len(v) > 10 else dt.date()
    elif m := _YMD.match(v):
        out = _mk(int(m.group(1)), int(m.group(2)), int(m.group(3)), v)
    elif m := _DOTTED.match(v):
        out = _mk(_year(m.group(3), today), int(m.group(2)), int(m.group(1)), v)
    elif m := _SLASHED.match(v):
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3), today)
        if a > 12 or (a == b):
            out = _mk(y, b, a, v)
        elif b > 12:
            out = _mk(y, a, b, v)
        elif order == "dmy":
            out = _mk(y, b, a, v)
        elif order == "mdy":
            out = _mk(y, a, b, v)
        else:
            raise DateError(f"ambiguous date {v!r} (day/month or month/day?): write it as YYYY-MM-DD")
    elif (m := _DAY_MONTH.match(v)) and m.group(2).lower() in _MONTHS:
        out = _mk(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)), v)
    elif (m := _MONTH_DAY.match(v)) and m.group(1).lower() in _MONTHS:
        out = _mk(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)), v)
    if out is None:
        raise DateError(f"unreadable date {v!r} (use YYYY-MM-DD)")
    return out


def _mk(y: int, m: int, d: int, raw: str) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise DateError(f"impossible date {raw!r} ({exc})") from exc


def as_utc(value: date | datetime) -> datetime:
    """A day as 12:00 UTC (as outcome events store days), a naive datetime as UTC."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(12, 0), UTC)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def check_when(value: date | datetime, now: datetime) -> datetime:
    """The moment as UTC; raises :class:`DateError` when it is in the future or implausibly old."""
    at = as_utc(value)
    if isinstance(value, datetime):
        if at > now + FUTURE_SLACK:
            raise DateError(f"timestamp {at.isoformat()} is in the future")
    elif value > (now + timedelta(days=1)).date():  # a day of slack: time zones ahead of UTC
        raise DateError(f"completion date {value.isoformat()} is in the future")
    if at.date() < EARLIEST:
        raise DateError(f"date {at.date().isoformat()} is before {EARLIEST.isoformat()}: check the year")
    return at


def split_skills(value: Any) -> list[str]:
    """Declared skills from a list or a ``;``/``|`` (else ``,``) separated string; cleaned, unique, capped."""
    if value is None:
        return []
    parts: list[Any]
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict):
                v = v.get("name") or v.get("label") or v.get("id")
                if isinstance(v, dict):
                    v = _lang(v)
            if isinstance(v, str):
                parts += split_skills(v) if re.search(r"[;|]", v) else [v]
    elif isinstance(value, str):
        parts = re.split(r"[;|]", value) if re.search(r"[;|]", value) else value.split(",")
    else:
        return []
    out: dict[str, str] = {}
    for p in parts:
        s = clean_text(p, 80)
        if s and s.lower() not in out:
            out[s.lower()] = s
    return list(out.values())[:MAX_SKILLS]


# ------------------------------------------------------------------------------------------------ xAPI
def _lang(value: Any) -> str | None:
    """The best string of an xAPI language map (en-US, en, en-*, und, then the first by key)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return None
    texts = {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()}
    for k in ("en-US", "en", "en-GB"):
        if k in texts:
            return texts[k]
    for k in sorted(texts):
        if k.lower().startswith("en"):
            return texts[k]
    if "und" in texts:
        return texts["und"]
    return texts[sorted(texts)[0]] if texts else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _last_segment(iri: str) -> str:
    return re.split(r"[/#:]", iri.strip().rstrip("/#"))[-1].lower()


def actor_key(actor: Any) -> str | None:
    """The learner's inverse functional identifier as a string (mbox, sha1, openid or account), or None."""
    if not isinstance(actor, dict):
        return None
    if isinstance(actor.get("mbox"), str) and actor["mbox"].strip():
        mbox = actor["mbox"].strip().lower()
        return mbox if mbox.startswith("mailto:") else f"mailto:{mbox}"
    if isinstance(actor.get("mbox_sha1sum"), str) and actor["mbox_sha1sum"].strip():
        return "sha1:" + actor["mbox_sha1sum"].strip().lower()
    if isinstance(actor.get("openid"), str) and actor["openid"].strip():
        return actor["openid"].strip()
    acc = actor.get("account")
    if isinstance(acc, dict) and isinstance(acc.get("name"), str) and acc["name"].strip():
        return f"account:{acc['name'].strip()}@{str(acc.get('homePage') or '').strip().lower()}"
    return None


def normalize_actor(value: str) -> str:
    """``--actor`` as an identifier: an e-mail becomes ``mailto:``; anything else is taken as given."""
    v = value.strip()
    if v.lower().startswith("mailto:"):
        return v.lower()
    if "@" in v and not v.startswith(("account:", "http")) and " " not in v:
        return f"mailto:{v.lower()}"
    return v


def _actor_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def _skills_from_extensions(*maps: Any) -> list[str]:
    out: list[str] = []
    for ext in maps:
        if not isinstance(ext, dict):
            continue
        for k, v in ext.items():
            name = _last_segment(str(k))
            if re.search(r"skill|competenc|topic|keyword|tag", name):
                out += split_skills(v)
    return list(dict.fromkeys(out))[:MAX_SKILLS]


def _provider(stmt: dict[str, Any], activity_id: str) -> str | None:
    ctx = stmt.get("context")
    if isinstance(ctx, dict) and isinstance(ctx.get("platform"), str) and ctx["platform"].strip():
        return clean_text(ctx["platform"], 120)
    host = urlsplit(activity_id).hostname if "://" in activity_id else None
    return host.removeprefix("www.") if host else None


def _score(result: dict[str, Any], warnings: list[str]) -> float | None:
    sc = result.get("score")
    if not isinstance(sc, dict):
        return None
    scaled = sc.get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        if -1 <= scaled <= 1:
            return float(scaled)
        warnings.append(f"score.scaled {scaled} outside -1..1: ignored")
        return None
    raw, lo, hi = sc.get("raw"), sc.get("min", 0), sc.get("max")
    if all(isinstance(x, int | float) and not isinstance(x, bool) for x in (raw, lo, hi)) and hi > lo:
        return max(-1.0, min(1.0, (raw - lo) / (hi - lo)))
    return None


def _statement(stmt: Any, origin: str, now: datetime) -> LearningRecord | BadRecord | tuple[str, str]:
    """One statement -> record, bad record, or ("skip", verb) / ("void", target id)."""
    if not isinstance(stmt, dict):
        return BadRecord(origin=origin, reason="not a JSON object", record=_snippet(stmt))

    def bad(reason: str) -> BadRecord:
        sid = stmt.get("id") if isinstance(stmt.get("id"), str) else None
        return BadRecord(origin=origin, key=sid, reason=reason, record=_snippet(stmt))

    sid = stmt.get("id")
    if sid is not None and (not isinstance(sid, str) or not sid.strip() or len(sid) > 200):
        return bad("statement id is not a usable string")
    verb = stmt.get("verb")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str) or not verb["id"].strip():
        return bad("missing verb.id")
    v = _last_segment(verb["id"])
    obj = stmt.get("object")
    if not isinstance(obj, dict):
        return bad("missing object")
    if v == "voided":
        if obj.get("objectType") == "StatementRef" and isinstance(obj.get("id"), str):
            return ("void", obj["id"].strip().lower())
        return bad("voiding statement without a StatementRef object")
    if v not in COMPLETION_VERBS + FACT_VERBS:
        return ("skip", v or verb["id"][:60])
    actor = stmt.get("actor")
    if not isinstance(actor, dict):
        return bad("missing actor")
    if actor.get("objectType") == "Group" and actor_key(actor) is None:
        return bad("actor is an anonymous group: import one learner's statements")
    who = actor_key(actor)
    if who is None:
        return bad("actor has no identifier (mbox, mbox_sha1sum, openid or account)")
    otype = obj.get("objectType", "Activity")
    if otype != "Activity":
        return bad(f"object is a {clean_text(otype, 40)}, not an activity (course, module...)")
    if not isinstance(obj.get("id"), str) or not obj["id"].strip():
        return bad("missing object.id")
    activity_id = obj["id"].strip()[:500]
    definition = _dict(obj.get("definition"))
    title = clean_text(_lang(definition.get("name")), MAX_TITLE)
    if not title:
        return bad(f"activity {clean_text(activity_id, 120)} has no name (object.definition.name)")
    ts = stmt.get("timestamp")
    if not isinstance(ts, str) or not ts.strip():
        return bad("missing timestamp")
    warnings: list[str] = []
    try:
        parsed = datetime.fromisoformat(ts.strip())
    except ValueError:
        return bad(f"unreadable timestamp {clean_text(ts, 60)!r}")
    if parsed.tzinfo is None:
        warnings.append("timestamp without a time zone: read as UTC")
    try:
        at = check_when(parsed, now)
    except DateError as exc:
        return bad(str(exc))
    result = _dict(stmt.get("result"))
    completion_flag = result.get("completion") if isinstance(result.get("completion"), bool) else None
    success = result.get("success") if isinstance(result.get("success"), bool) else None
    score = _score(result, warnings)
    hours = None
    if result.get("duration") is not None:
        hours = iso_duration_hours(str(result["duration"]))
        if hours is None:
            warnings.append(f"unreadable duration {clean_text(result['duration'], 40)!r}: ignored")
        elif hours > MAX_HOURS:
            warnings.append(f"duration of {hours:g} h is implausible: ignored")
            hours = None
    atype = _last_segment(definition["type"]) if isinstance(definition.get("type"), str) else None
    if v in ("passed", "mastered") and success is None:
        success = True
    if v == "failed":
        success = False if success is None else success
    if v in COMPLETION_VERBS:
        completion = success is not False and completion_flag is not False
        if not completion:
            warnings.append(f"'{v}' with result.success/completion false: kept as a fact, not a completion")
    elif v == "failed":
        completion = False
    else:
        completion = completion_flag is True or success is True
    if completion and atype in INTERACTION_TYPES:
        completion = False
        warnings.append("a single question is not a course completion: kept as a fact")
    ctx = _dict(stmt.get("context"))
    key = sid.strip().lower() if isinstance(sid, str) else short_hash(who, v, activity_id, at.isoformat(), n=32)
    return LearningRecord(
        fmt="xapi", key=key, origin=origin, title=title, provider=_provider(stmt, activity_id),
        description=clean_text(_lang(definition.get("description")), MAX_DESCRIPTION, single_line=False) or None,
        verb=v, completion=completion, success=success, score=score, hours=round(hours, 4) if hours else None,
        occurred_at=at, url=activity_id if activity_id.startswith(("http://", "https://")) else None,
        activity_id=activity_id, activity_type=atype,
        skills=_skills_from_extensions(definition.get("extensions"), ctx.get("extensions")),
        actor=_actor_hash(who), warnings=warnings)


def _is_json_object(line: str) -> bool:
    try:
        return isinstance(json.loads(line), dict)
    except json.JSONDecodeError:
        return False


def _statements(text: str, parsed: Parsed) -> list[tuple[str, Any]]:
    """(origin, statement) pairs from a JSON array, an LRS page, one statement or JSON lines.

    Unreadable lines become bad records.
    """
    stripped = text.strip()
    if not stripped:
        parsed.bad.append(BadRecord(origin="file", reason="empty file"))
        return []
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        lines = [(n, ln) for n, ln in enumerate(stripped.splitlines(), 1) if ln.strip()]
        if len(lines) < 2 or not _is_json_object(lines[0][1]):  # JSON lines start with a whole object
            parsed.bad.append(BadRecord(origin="file", reason=f"not JSON: {exc.msg} at line {exc.lineno}",
                                        record=stripped[:200]))
            return []
        out: list[tuple[str, Any]] = []
        for n, ln in lines:
            try:
                out.append((f"line {n}", json.loads(ln)))
            except json.JSONDecodeError as e:
                parsed.bad.append(BadRecord(origin=f"line {n}", reason=f"not JSON: {e.msg}", record=ln[:200]))
        return out
    if isinstance(doc, dict) and isinstance(doc.get("statements"), list):
        if isinstance(doc.get("more"), str) and doc["more"].strip():
            parsed.warnings.append("the LRS export has more pages ('more' link): only this page was imported")
        doc = doc["statements"]
    elif isinstance(doc, dict) and ("verb" in doc or "actor" in doc):
        doc = [doc]
    if not isinstance(doc, list):
        parsed.bad.append(BadRecord(origin="file", reason="JSON is neither a list of statements nor "
                                                          "{\"statements\": [...]}", record=_snippet(doc)[:200]))
        return []
    return [(f"statement {i}", s) for i, s in enumerate(doc, 1)]


def parse_xapi(text: str, now: datetime | None = None, actor: str | None = None) -> Parsed:
    """Parse xAPI statements (array, LRS page or JSON lines) into records and bad records; never raises on bad input.

    ``actor``: keep only this learner's statements (e-mail, ``mailto:``, ``sha1:<hash>``, ``account:name@home``);
    without it a file with several learners is refused statement by statement (whose evidence would it be?).
    """
    now = now or datetime.now(UTC)
    parsed = Parsed(fmt="xapi")
    pairs = _statements(text, parsed)
    parsed.read = len(pairs) + sum(1 for b in parsed.bad if b.origin.startswith("line "))
    found: list[tuple[LearningRecord, str]] = []
    voids: set[str] = set()
    for origin, stmt in pairs:
        try:
            out = _statement(stmt, origin, now)
        except Exception as exc:  # noqa: BLE001 - a parser bug must cost one statement, not the import
            out = BadRecord(origin=origin, reason=f"unexpected error: {type(exc).__name__}: {str(exc)[:120]}",
                            record=_snippet(stmt))
        if isinstance(out, BadRecord):
            parsed.bad.append(out)
        elif isinstance(out, tuple):
            kind, value = out
            if kind == "void":
                voids.add(value)
            else:
                parsed.skipped_verbs[value] = parsed.skipped_verbs.get(value, 0) + 1
        else:
            found.append((out, actor_key(stmt.get("actor")) or ""))
    learners = {who for _, who in found}
    want = normalize_actor(actor) if actor else None
    if want is None and len(learners) > 1:
        for rec, _ in found:
            parsed.bad.append(BadRecord(origin=rec.origin, key=rec.key, reason=(
                f"the file holds statements of {len(learners)} learners: choose whose with --actor (e-mail or "
                "account)")))
        found = []
    elif want is not None:
        keep = []
        for rec, who in found:
            if who.lower() == want.lower():
                keep.append((rec, who))
            else:
                parsed.bad.append(BadRecord(origin=rec.origin, key=rec.key,
                                            reason=f"statement of another learner (actor {rec.actor}), not {actor}"))
        found = keep
    seen: dict[str, LearningRecord] = {}
    for rec, _ in found:
        if rec.key in voids:
            parsed.bad.append(BadRecord(origin=rec.origin, key=rec.key, reason="voided by a later statement"))
            continue
        first = seen.get(rec.key)
        if first is None:
            seen[rec.key] = rec
        elif first.version == rec.version:
            parsed.duplicates += 1
        else:
            parsed.bad.append(BadRecord(origin=rec.origin, key=rec.key, reason=(
                f"duplicate statement id {rec.key} with different content ({first.origin} kept)")))
    parsed.records = list(seen.values())
    parsed.voided = sorted(voids - set(seen))
    return parsed


# ------------------------------------------------------------------------------------------------ CSV
#: Normalised header -> field. Headers are lower-cased, non-alphanumerics become spaces.
HEADERS: dict[str, tuple[str, ...]] = {
    "title": ("course", "course name", "course title", "title", "name", "activity", "activity name", "program",
              "programme", "training", "training name", "certificate name", "certification", "module", "content",
              "content title", "learning item", "item", "class"),
    "provider": ("provider", "platform", "source", "organization", "organisation", "institution", "school", "issuer",
                 "vendor", "offered by", "university", "partner", "publisher", "course provider", "issued by"),
    "completed_at": ("completed at", "completed", "completed on", "completion date", "date completed", "date",
                     "completion", "finished", "finished on", "finish date", "end date", "date finished",
                     "completed date", "issued", "issue date", "issued on", "date earned", "earned on", "when"),
    "hours": ("hours", "duration", "duration hours", "hours spent", "time spent", "time", "length", "effort", "hrs",
              "learning hours", "estimated hours", "time hours", "duration minutes", "minutes", "time spent minutes",
              "duration min", "time spent min", "mins"),
    "score": ("score", "grade", "result", "mark", "percent", "percentage", "final score", "final grade", "score pct"),
    "url": ("url", "link", "course url", "course link", "certificate url", "certificate link", "credential url",
            "verify url", "verification url", "certificate"),
    "skills": ("skills", "skill", "skills covered", "skills learned", "skills gained", "tags", "topics",
               "competencies", "competency", "keywords", "subjects"),
    "status": ("status", "completion status", "state", "progress", "outcome"),
    "description": ("description", "summary", "about", "details", "notes"),
}
_HEADER_FIELD = {alias: fld for fld, aliases in HEADERS.items() for alias in aliases}
STATUS_WORDS: dict[str, tuple[str, bool, bool | None]] = {
    # value -> (verb, completion, success)
    **{w: ("completed", True, None) for w in ("", "completed", "complete", "done", "finished", "yes", "true", "y",
                                              "certified", "earned", "achieved", "awarded")},
    **{w: ("passed", True, True) for w in ("passed", "pass", "success", "successful")},
    **{w: ("mastered", True, True) for w in ("mastered",)},
    **{w: ("failed", False, False) for w in ("failed", "fail", "not passed")},
    **{w: ("progressed", False, None) for w in ("in progress", "started", "ongoing", "enrolled", "incomplete",
                                                "progressed", "partial", "not completed", "no", "false")},
    **{w: ("attempted", False, None) for w in ("attempted",)},
}


def _norm_header(h_: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", h_.lower().replace("\ufeff", "")).split())


def map_headers(headers: list[str]) -> dict[str, int]:
    """Field -> column index for the recognised headers (first match wins; unknown columns are ignored)."""
    out: dict[str, int] = {}
    for i, raw in enumerate(headers):
        n = _norm_header(raw)
        fld = _HEADER_FIELD.get(n)
        if fld is None:
            stripped = " ".join(w for w in n.split() if w not in ("in", "h", "hrs", "min", "pct", "of", "the"))
            fld = _HEADER_FIELD.get(stripped)
        if fld and fld not in out:
            out[fld] = i
    return out


def _dialect(text: str) -> tuple[str, list[tuple[int, list[str]]], dict[str, int]]:
    """(delimiter, rows with the line each starts on, header map): the delimiter whose header names a course."""
    best: tuple[tuple[int, int], str] | None = None
    for d in (",", ";", "\t", "|"):
        try:
            header = next(csv.reader(io.StringIO(text), delimiter=d), [])
        except csv.Error:
            continue
        cols = map_headers(header)
        rank = (int("title" in cols), len(cols))
        if best is None or rank > best[0]:
            best = (rank, d)
    d = best[1] if best else ","
    reader = csv.reader(io.StringIO(text), delimiter=d)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    for r in reader:  # a quoted field may span lines: name each row by the line it starts on
        rows.append((line, r))
        line = reader.line_num + 1
    return d, rows, map_headers(rows[0][1]) if rows else {}


def _csv_row(cell: Callable[[str], str], origin: str, order: Literal["dmy", "mdy"] | None, minutes: bool,
             now: datetime) -> LearningRecord | BadRecord:
    """One CSV row (``cell(field)`` reads a recognised column) -> a record or the reason it is refused."""
    title = clean_text(cell("title"), MAX_TITLE)
    if not title:
        return BadRecord(origin=origin, reason="no course name")
    try:
        at = check_when(parse_day(cell("completed_at"), order, now.date()), now)
    except DateError as exc:
        return BadRecord(origin=origin, reason=str(exc))
    status = " ".join(cell("status").lower().replace("_", " ").replace("-", " ").split())
    if status not in STATUS_WORDS:
        return BadRecord(origin=origin, reason=(
            f"unknown status {clean_text(status, 40)!r} (completed, passed, failed, in progress...)"))
    verb, completion, success = STATUS_WORDS[status]
    warnings: list[str] = []
    hours = None
    if raw_h := cell("hours"):
        hours = _hours_text(raw_h, minutes)
        if hours is None or not math.isfinite(hours) or hours <= 0 or hours > MAX_HOURS:
            warnings.append(f"unreadable or implausible hours {clean_text(raw_h, 30)!r}: ignored")
            hours = None
    score = None
    if raw_s := cell("score"):
        score = _score_text(raw_s)
        if score is None or not 0 <= score <= 1:
            warnings.append(f"unreadable score {clean_text(raw_s, 30)!r}: ignored")
            score = None
    url = cell("url") or None
    if url and not url.lower().startswith(("http://", "https://")):
        warnings.append("url is not an http(s) address: ignored")
        url = None
    provider = clean_text(cell("provider"), 120) or None
    key = "|".join([title.casefold(), (provider or "").casefold(), at.date().isoformat()])
    return LearningRecord(
        fmt="csv", key=key, origin=origin, title=title, provider=provider,
        description=clean_text(cell("description"), MAX_DESCRIPTION, single_line=False) or None,
        verb=verb, completion=completion, success=success, score=round(score, 4) if score is not None else None,
        hours=round(hours, 4) if hours else None, occurred_at=at,
        url=redact_secrets(clean_text(url, 500)) if url else None, skills=split_skills(cell("skills")),
        warnings=warnings)


def parse_csv(text: str, now: datetime | None = None) -> Parsed:
    """A course-completion CSV -> records and bad records (forgiving headers/dates, strict on name and date)."""
    now = now or datetime.now(UTC)
    parsed = Parsed(fmt="csv")
    if not text.strip():
        parsed.bad.append(BadRecord(origin="file", reason="empty file"))
        return parsed
    try:
        _, rows, cols = _dialect(text.lstrip("\ufeff"))
    except csv.Error as exc:
        parsed.bad.append(BadRecord(origin="file", reason=f"not a readable CSV: {exc}"))
        return parsed
    header = rows[0][1] if rows else []
    if "title" not in cols or "completed_at" not in cols:
        missing = " and ".join(x for x, f in (("a course/title", "title"), ("a completion date", "completed_at"))
                               if f not in cols)
        parsed.bad.append(BadRecord(origin="line 1", reason=(
            f"no column for {missing} (headers: {', '.join(clean_text(x, 40) for x in header)[:300]})")))
        return parsed
    minutes = "hours" in cols and bool(re.search(r"\bmin", _norm_header(header[cols["hours"]])))
    data = [(n, r) for n, r in rows[1:] if any(c.strip() for c in r)]
    parsed.read = len(data)
    order = slashed_order(r[cols["completed_at"]] for _, r in data if cols["completed_at"] < len(r))
    seen: dict[str, LearningRecord] = {}

    def cell(r: list[str], fld: str) -> str:
        i = cols.get(fld)
        return r[i].strip() if i is not None and i < len(r) else ""

    for line, r in data:
        origin = f"line {line}"
        record = _snippet(dict(zip(header, r, strict=False)))
        try:
            rec = _csv_row(partial(cell, r), origin, order, minutes, now)
        except Exception as exc:  # noqa: BLE001 - a parser bug must cost one row, not the import
            rec = BadRecord(origin=origin, reason=f"unexpected error: {type(exc).__name__}: {str(exc)[:120]}")
        if isinstance(rec, BadRecord):
            parsed.bad.append(rec.model_copy(update={"record": record}))
            continue
        key = rec.key
        first = seen.get(key)
        if first is None:
            seen[key] = rec
        elif first.version == rec.version:
            parsed.duplicates += 1
        else:
            parsed.bad.append(BadRecord(origin=origin, key=key, record=record, reason=(
                f"same course, provider and date as {first.origin} with different details ({first.origin} kept)")))
    parsed.records = list(seen.values())
    return parsed


def parse_file(path: Path, fmt: Format | None = None, now: datetime | None = None,
               actor: str | None = None) -> Parsed:
    """Read and parse one file (format from ``fmt``, else the suffix/content); unreadable files -> a bad record."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Parsed(fmt=fmt or "xapi", bad=[BadRecord(origin="file", reason=(
                f"file too large ({size:,} bytes > limit {MAX_FILE_BYTES:,})"))])
        data = path.read_bytes()
    except OSError as exc:
        return Parsed(fmt=fmt or "xapi", bad=[BadRecord(origin="file", reason=f"cannot read the file: {exc}")])
    text, warning = decode_text(data)
    use = fmt or detect_format(path, text)
    parsed = parse_xapi(text, now, actor) if use == "xapi" else parse_csv(text, now)
    if warning:
        parsed.warnings.append(warning)
    return parsed


# ------------------------------------------------------------------------------------------------ evidence items
def _outcome_line(r: LearningRecord) -> str:
    bits = [f"{'completed' if r.completion else r.verb} on {r.occurred_at.date().isoformat()}"]
    if r.success is not None:
        bits.append("passed" if r.success else "not passed")
    if r.score is not None:
        bits.append(f"score {max(r.score, 0.0):.0%}")
    if r.hours:
        bits.append(f"{r.hours:g} hours")
    return "; ".join(bits)


def to_item(r: LearningRecord, source: str, provenance: Mapping[str, Any] | None = None) -> LearningItem:
    """The evidence item of a record (``source``: the file, shown in ``source_path``)."""
    head = {"completed": "Completed course", "passed": "Passed", "mastered": "Mastered", "failed": "Failed",
            "attempted": "Attempted", "progressed": "In progress"}
    label = head.get(r.verb, r.verb) if r.completion or r.verb != "completed" else "Completed (not passed)"
    lines = [f"{label}: {r.title}"]
    if r.provider:
        lines.append(f"Provider: {r.provider}")
    lines.append(f"Outcome: {_outcome_line(r)}")
    if r.skills:
        lines.append("Skills: " + "; ".join(r.skills))
    text = "\n".join(lines) + (f"\n\n{r.description}" if r.description else "")
    trust = (RELIABILITY_VERIFIED if r.verified else RELIABILITY_UNVERIFIED) if r.completion else RELIABILITY_FACT
    meta: dict[str, Any] = {"format": r.fmt, "origin": r.origin, "verb": r.verb, "completion": r.completion,
                            "success": r.success, "score": r.score, "hours": r.hours, "provider": r.provider,
                            "url": r.url, "activity_id": r.activity_id, "activity_type": r.activity_type,
                            "declared_skills": r.skills, "verified": r.verified, "actor": r.actor,
                            "warnings": r.warnings, **dict(provenance or {})}
    if r.fmt == "xapi":
        meta["statement_id"] = r.key
    ref = r.key if r.fmt == "xapi" else re.sub(r"[^0-9a-z]+", "-", r.key.casefold()).strip("-")[:120]
    return LearningItem(item_id=r.item_id, source_path=f"learning:{source}#{ref}", title=r.title, text=text,
                        version_sha256=r.version, content_at=r.occurred_at,
                        signals=[Signal(kind="keyword", value=s) for s in r.skills],
                        metadata={k: v for k, v in meta.items() if v not in (None, [], "")}, trust=trust)


# ------------------------------------------------------------------------------------------------ skill links
@dataclass
class _Acc:
    label: str
    kind: str
    taxonomy: str
    extraction: float = 0.0
    mentions: int = 0
    declared: bool = False
    fields: list[str] = field(default_factory=list)
    surfaces: list[str] = field(default_factory=list)

    def add(self, score: float, where: str, surface: str) -> None:
        self.extraction = max(self.extraction, score)
        self.mentions += 1
        self.declared |= where == "declared"
        if where not in self.fields:
            self.fields.append(where)
        if surface and surface not in self.surfaces and len(self.surfaces) < 3:
            self.surfaces.append(surface)


#: extraction score of a declared skill found by its exact graph label or alias (the extractor found nothing)
LABEL_SCORE = 0.9


def resolve_skills(labels: list[str], extractor: Any, known: Mapping[str, str] | None = None,
                   by_label: Mapping[str, str] | None = None
                   ) -> tuple[list[tuple[str, str, str, str, float, str]], list[str]]:
    """Declared skill labels -> (skill_id, label, kind, taxonomy, score, surface) and the labels not found.

    A known skill id (``tech:python``) is taken as is (score 1.0); other labels go through the extractor, then an
    exact, unambiguous graph label or alias (``by_label``: lower-cased label -> id).
    """
    found: list[tuple[str, str, str, str, float, str]] = []
    missing: list[str] = []

    def direct(sid: str, score: float, surface: str) -> None:
        prefix = sid.split(":", 1)[0]
        found.append((sid, (known or {}).get(sid, sid), {"tech": "technology"}.get(prefix, prefix), "careeros", score,
                      surface))

    for lab in labels:
        if known and lab in known:
            direct(lab, 1.0, lab)
            continue
        ms = extractor.extract(lab)
        for m in ms:
            found.append((m.skill_id, m.label, m.kind, m.taxonomy, float(m.score), m.text))
        if not ms:
            sid = (by_label or {}).get(lab.casefold())
            if sid is None:
                missing.append(lab)
            else:
                direct(sid, LABEL_SCORE, lab)
    return found, missing


def link_candidates(item: LearningItem, record: LearningRecord, extractor: Any, vectors: np.ndarray | None = None,
                    skill_vectors: SkillVectors | None = None, known: Mapping[str, str] | None = None,
                    by_label: Mapping[str, str] | None = None, min_link: float = MIN_LINK,
                    auto_accept: float = AUTO_ACCEPT) -> tuple[list[LinkCandidate], list[str]]:
    """Skill links of a completion (none for other outcomes) and the declared skills that matched nothing.

    Skills come from the course name, its description and the declared skills; confidence is
    :func:`careeros.evidence.linking.confidence` with the strength of a certificate (verified) or a resume claim
    (unverified), and the same auto/pending thresholds as every other link.
    """
    if not record.completion:
        return [], []
    acc: dict[str, _Acc] = {}
    for where, text in (("title", record.title), ("description", record.description or "")):
        for m in extractor.extract(text) if text else []:
            acc.setdefault(m.skill_id, _Acc(m.label, m.kind, m.taxonomy)).add(float(m.score), where, m.text)
    declared, missing = resolve_skills(record.skills, extractor, known, by_label)
    for sid, label, kind, tax, score, surface in declared:
        acc.setdefault(sid, _Acc(label, kind, tax)).add(score, "declared", surface)
    if not acc:
        return [], missing
    strength = STRENGTH_VERIFIED if record.verified else STRENGTH_UNVERIFIED
    svec = skill_vectors.get({s: a.label for s, a in acc.items()}) if skill_vectors is not None else {}
    out = []
    for sid, a in acc.items():
        sim = float(np.max(vectors @ svec[sid])) if vectors is not None and len(vectors) and sid in svec else 0.0
        conf = confidence(a.extraction, strength, sim, a.mentions)
        if conf < min_link:
            continue
        out.append(LinkCandidate(
            link_id=link_id(item.item_id, sid), item_id=item.item_id, version_sha256=item.version_sha256,
            skill_id=sid, skill_label=a.label, confidence=round(conf, 4),
            strength="learning_verified" if record.verified else "learning",
            method="learning:declared+extractor" if a.declared else "learning:extractor+similarity",
            features={"extraction": round(a.extraction, 4), "strength": strength, "similarity": round(sim, 4),
                      "mentions": a.mentions, "surfaces": a.surfaces, "fields": a.fields, "declared": a.declared,
                      "verified": record.verified, "kind": a.kind, "taxonomy": a.taxonomy},
            status="auto" if conf >= auto_accept else "pending"))
    out.sort(key=lambda c: (-c.confidence, c.skill_id))
    return out, missing


# ------------------------------------------------------------------------------------------------ warehouse
def keep_raw_file(con: duckdb.DuckDBPyConnection, path: Path, raw_dir: Path, run_id: str) -> tuple[str, bool]:
    """Copy the input into the content-addressed raw store (once per hash): (sha256, newly kept)."""
    from careeros.hashing import sha256_file

    sha = sha256_file(path)
    new = keep_raw(con, "learning", [(path, sha, path.stat().st_size)], raw_dir, run_id)
    return sha, bool(new)


def write_quarantine(con: duckdb.DuckDBPyConnection, bad: list[BadRecord], source: str, fmt: str,
                     run_id: str) -> int:
    """Bad records -> the shared ``quarantine`` table (source "learning")."""
    if not bad:
        return 0
    df = pl.DataFrame({"table_name": ["evidence_item"] * len(bad),
                       "record_key": [f"{source}#{b.key or b.origin}" for b in bad],
                       "reason": [f"{b.origin}: {b.reason}" for b in bad],
                       "record_json": [json.dumps({"format": fmt, "origin": b.origin, "statement_id": b.key,
                                                   "record": b.record}, default=str) for b in bad]},
                      schema={"table_name": pl.String, "record_key": pl.String, "reason": pl.String,
                              "record_json": pl.String})
    return add_quarantine(con, run_id, "learning", [df])


def close_voided(con: duckdb.DuckDBPyConnection, statement_ids: list[str], run_id: str, at: datetime) -> list[str]:
    """Close the current items (and automated links) of voided xAPI statements imported earlier."""
    closed = []
    for sid in statement_ids:
        item_id = short_hash("learning", "xapi", sid)
        row = con.execute("SELECT version_sha256 FROM evidence_item WHERE item_id = ? AND valid_to IS NULL",
                          [item_id]).fetchall()
        if not row:
            continue
        con.execute("UPDATE evidence_item SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL", [at, item_id])
        con.execute("UPDATE evidence_skill SET valid_to = ? WHERE item_id = ? AND valid_to IS NULL "
                    "AND decided_by = 'automation'", [at, item_id])
        h.log_decision(con, "automation", "item_removed", item_id=item_id, version=row[0][0],
                       facts={"reason": "xAPI statement voided", "statement_id": sid}, run_id=run_id, at=at)
        closed.append(item_id)
    return closed


def write_learning(con: duckdb.DuckDBPyConnection, items: list[LearningItem], links: list[LinkCandidate],
                   n_chunks: dict[str, int], run_id: str, at: datetime) -> dict[str, int]:
    """Inside the caller's transaction: new item versions and their links (human decisions kept)."""
    before = h.current_versions(con)
    as_items: list[EvidenceItem] = list(items)
    new = h.write_items(con, as_items, n_chunks, run_id, at)
    new_ids = {i.item_id for i in new}
    stats = h.write_links(con, new, [c for c in links if c.item_id in new_ids], run_id, at)
    changed = sum(1 for i in new if i.item_id in before)
    return {"items_new": len(new) - changed, "items_changed": changed, "items_unchanged": len(items) - len(new),
            "links_auto": stats["auto"], "links_pending": stats["pending"], "links_closed": stats["closed"],
            "links_kept_human": stats["kept_human"], "disagreements": stats["disagreements"]}


def current_links(con: duckdb.DuckDBPyConnection, item_ids: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """item_id -> current non-rejected links as (skill_id, label, status)."""
    out: dict[str, list[tuple[str, str, str]]] = {i: [] for i in item_ids}
    if not item_ids:
        return out
    for iid, sid, label, status in con.execute(
            "SELECT item_id, skill_id, skill_label, status FROM evidence_skill WHERE valid_to IS NULL "
            "AND status <> 'rejected' AND item_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY confidence DESC",
            [item_ids]).fetchall():
        out[iid].append((sid, label or sid, status))
    return out


def skill_describer(con: duckdb.DuckDBPyConnection) -> Callable[[list[str]], dict[str, str]]:
    """Map skill ids to descriptions from ``graph_skill`` (read once, now), for skill reference vectors."""
    try:
        rows = con.execute("SELECT skill_id, any_value(label), any_value(description) FROM graph_skill "
                           "GROUP BY skill_id").fetchall()
    except duckdb.Error:  # no graph yet: labels alone
        rows = []
    desc = {r[0]: r[2] or "" for r in rows}
    return lambda ids: {i: desc.get(i, "") for i in ids}


def known_skills(con: duckdb.DuckDBPyConnection) -> tuple[dict[str, str], dict[str, str]]:
    """(skill_id -> label, lower-cased label or alias -> skill_id for unambiguous names) of the graph."""
    try:
        rows = con.execute("SELECT skill_id, label, aliases FROM graph_skill").fetchall()
    except duckdb.Error:  # no graph yet
        return {}, {}
    names: dict[str, str] = {}
    by_label: dict[str, str | None] = {}
    for sid, label, aliases in rows:
        names.setdefault(sid, label)
        for x in {str(a).casefold() for a in [label, *(aliases or [])] if a}:
            by_label[x] = sid if by_label.get(x, sid) == sid else None  # a name two skills share resolves to none
    return names, {k: v for k, v in by_label.items() if v is not None}
