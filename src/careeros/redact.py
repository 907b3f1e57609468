"""Redaction of personal data before any remote call and in logs:

e-mails, phone numbers, street addresses, secrets in URLs (tokens/keys in query strings, user:password@
credentials) and secrets pasted as text (API keys and tokens of common providers, ``KEY=value`` assignments of
secret-looking names, bearer tokens, JWTs, PEM private keys). :func:`redact_secrets` does only the secrets: the
evidence readers apply it before an item's text reaches chunks, memory, links or the warehouse.

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

PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE "
                         r"KEY(?: BLOCK)?-----|\Z)", re.DOTALL)
TOKEN = re.compile(
    r"\b(?:sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_\-]{16,}"          # OpenAI / Anthropic / Stripe style
    r"|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
    r"|glpat-[A-Za-z0-9_\-]{16,}|xox[abposr]-[A-Za-z0-9\-]{10,}"          # GitLab, Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}|AIza[0-9A-Za-z_\-]{30,}"                 # AWS access key id, Google API key
    r"|hf_[A-Za-z0-9]{20,}|npm_[A-Za-z0-9]{30,}|SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}"
    r"|eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,})"  # JWT
)
ASSIGNMENT = re.compile(
    r"(?i)\b([\w.\-]*(?:api[_\-]?key|secret|token|passw(?:or)?d|passwd|pwd|access[_\-]?key|client[_\-]?secret)"
    r"[\w.\-]*[\"']?\s*(?:=|:|=>)\s*)([\"']?)([^\s\"',;]{6,})(\2)")
BEARER = re.compile(r"(?i)\b(bearer|token|basic)\s+([A-Za-z0-9._~+/\-]{16,}=*)")


def redact_secrets(text: str) -> str:
    """Return ``text`` with private keys, provider API keys/tokens, bearer tokens and secret assignments masked."""
    if not text:
        return text
    out = PRIVATE_KEY.sub(SECRET_MARK, text)
    out = TOKEN.sub(SECRET_MARK, out)
    out = BEARER.sub(lambda m: f"{m.group(1)} {SECRET_MARK}", out)
    return ASSIGNMENT.sub(lambda m: m.group(1) + m.group(2) + SECRET_MARK + m.group(4)
                          if _secret_like(m.group(3)) else m.group(0), out)


def _secret_like(value: str) -> bool:
    """A value that looks like a secret rather than prose: digits or symbols in it, or long."""
    if value == SECRET_MARK or value.startswith(("$", "{{", "<", "[")):
        return False  # already masked, or a placeholder/variable reference
    return len(value) >= 16 or bool(re.search(r"[\d_\-+/=!@#%^&*]", value))


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
    """Return ``text`` with secrets, e-mails, phone numbers, street addresses and URL secrets replaced by markers."""
    if not text:
        return text
    out = URL.sub(lambda m: _redact_url(m.group(0)), redact_secrets(text))
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
