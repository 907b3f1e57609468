"""Redaction of personal data before any remote call and in logs:

e-mails, phone numbers, street addresses, and secrets in URLs (tokens/keys in query strings, user:password@
credentials).

Conservative by design: it prefers to redact a few harmless numbers over leaking a phone number.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# +country code or (area) or 3+ digit groups separated by spaces/dots/dashes; 7-15 digits in total
PHONE = re.compile(
    r"(?<![\w/=.-])(?:\+\d{1,3}[\s.\-]?)?(?:\(\d{1,4}\)[\s.\-]?)?\d{2,4}(?:[\s.\-]\d{2,4}){1,4}(?![\w/.-])"
)
_STREET_WORDS = (
    r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|lane|ln\.?|drive|dr\.?|court|ct\.?|way|place|pl\.?|"
    r"square|sq\.?|terrace|parkway|pkwy\.?|highway|hwy\.?|strasse|straße|str\.?|rua|avenida|calle|via|rue"
)
ADDRESS = re.compile(
    # "221B Baker Street", "1600 Pennsylvania Ave NW", "Rua Augusta 274", "Hauptstraße 5"
    rf"\b\d{{1,5}}[A-Za-z]?\s+(?:[A-Z][\w'\-]*\.?\s+){{1,4}}(?:{_STREET_WORDS})\b(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    rf"(?:,?\s*(?:apt|suite|unit|#)\s*\w+)?"
    rf"|\b(?:{_STREET_WORDS})\s+(?:[A-Z][\w'\-]*\s+){{1,4}}\d{{1,5}}[A-Za-z]?\b"
    rf"|\b[A-Z][a-zäöü]+(?:straße|strasse|gasse|weg|platz)\s+\d{{1,5}}[a-z]?\b",
    re.IGNORECASE,
)
URL = re.compile(r"\b(?:https?|ftp|wss?)://[^\s<>\"')\]]+", re.IGNORECASE)
_SECRET_KEYS = re.compile(
    r"token|key|secret|sig|signature|password|passwd|pwd|auth|session|sid|code|credential|access|bearer|jwt",
    re.IGNORECASE,
)
_LONG_SECRET = re.compile(r"^[A-Za-z0-9_\-]{24,}$")

EMAIL_MARK, PHONE_MARK, ADDRESS_MARK, SECRET_MARK = "[EMAIL]", "[PHONE]", "[ADDRESS]", "[REDACTED]"


def _redact_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "[URL]"
    netloc = parts.netloc
    if "@" in netloc:  # user:password@host
        netloc = f"{SECRET_MARK}@{netloc.rsplit('@', 1)[1]}"
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, SECRET_MARK if _SECRET_KEYS.search(k) or _LONG_SECRET.match(v) else v)
                           for k, v in pairs], safe="[]")
    fragment = parts.fragment
    if fragment and ("=" in fragment or _LONG_SECRET.match(fragment)):
        fragment = SECRET_MARK
    path = "/".join(SECRET_MARK if _LONG_SECRET.match(seg) and re.search(r"\d", seg) and re.search(r"[A-Za-z]", seg)
                    else seg for seg in parts.path.split("/"))
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def _phone(m: re.Match[str]) -> str:
    s = m.group(0)
    digits = re.sub(r"\D", "", s)
    if not 7 <= len(digits) <= 15:
        return s
    if re.fullmatch(r"(19|20)\d\d[\s.\-](19|20)\d\d", s.strip()) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.strip()):
        return s  # year ranges and ISO dates are not phone numbers
    return PHONE_MARK


def redact(text: str) -> str:
    """Return ``text`` with e-mails, phone numbers, street addresses and URL secrets replaced by markers."""
    if not text:
        return text
    out = URL.sub(lambda m: _redact_url(m.group(0)), text)
    out = EMAIL.sub(EMAIL_MARK, out)
    out = ADDRESS.sub(ADDRESS_MARK, out)
    out = PHONE.sub(_phone, out)
    return out


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message (attach to handlers that may see evidence text)."""

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: D102
        try:
            msg = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string is logged as is
            return True
        record.msg, record.args = redact(msg), None
        return True
