"""A tiny progress hook so Prefect tasks can drive the CLI's progress bar without knowing about it."""

from __future__ import annotations

import logging
from collections.abc import Callable

_Reporter = Callable[[str, float | None], None]
_reporter: _Reporter | None = None


def set_reporter(fn: _Reporter | None) -> None:
    """Install (or remove) the function that receives ``(message, fraction_done)`` updates."""
    global _reporter
    _reporter = fn


def report(message: str, fraction: float | None = None) -> None:
    """Send a progress update to the installed reporter, if any (and to the ``careeros.progress`` log: a run's log tab)."""
    logging.getLogger("careeros.progress").info("%s%s", message, f" ({fraction:.0%})" if fraction is not None else "")
    if _reporter is not None:
        _reporter(message, fraction)
