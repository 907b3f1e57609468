"""Moved to :mod:`careeros.redact` (memory, llm and outbox use it too); this name stays for old imports."""

from careeros.redact import *  # noqa: F403
from careeros.redact import RedactingFilter as RedactingFilter
from careeros.redact import redact as redact
