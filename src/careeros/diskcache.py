"""Derived artefacts pickled on disk: load when present and valid, else build, write atomically and return.

One helper for every cache of things careeros derives from the warehouse (title index pieces, the skill hierarchy,
occupation bundles, transition signals): the caller names the file by a key that covers every input (graph sha,
source files, builder code), so a stale file is never read; an unreadable or foreign file is rebuilt. Writes go to a
per-process temporary name first, so two processes building the same artefact never interleave their bytes.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

log = logging.getLogger("careeros.cache")

T = TypeVar("T")


def pickled(path: Path, build: Callable[[], T], accept: Callable[[Any], bool] | None = None) -> T:
    """``path`` unpickled when it holds an accepted object, else ``build()`` stored there (write errors logged)."""
    path = Path(path)
    if path.is_file():
        try:
            with path.open("rb") as f:
                got = pickle.load(f)  # noqa: S301 - our own cache file
            if accept is None or accept(got):
                return got  # type: ignore[no-any-return]
        except Exception as exc:  # noqa: BLE001 - an unreadable cache is rebuilt
            log.warning("ignoring cache %s: %s", path, exc)
    obj = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError as exc:
        log.warning("could not write cache %s: %s", path, exc)
    return obj
