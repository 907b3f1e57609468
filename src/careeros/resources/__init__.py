"""Package data, found the same way in a checkout and in an installed wheel (``importlib.resources``).

The repository keeps ``data/`` and ``prompts/`` at its top level; the build maps them into the wheel as the
packages ``careeros_data`` and ``careeros_prompts`` (see ``setup.py``), and an editable install maps the same
names onto the checkout's folders. Files owned by the package itself (report templates, the title model) live
here, in ``careeros.resources``. Every loader asks this module for a path; none walks up from ``__file__``.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

DATA_PACKAGE = "careeros_data"
PROMPTS_PACKAGE = "careeros_prompts"


def resource_path(package: str, *parts: str) -> Path:
    """Filesystem path of a resource inside ``package`` (installed packages are plain folders, never zips)."""
    return Path(str(files(package).joinpath(*parts)))


def data_path(*parts: str) -> Path:
    """A file or folder of the repository's ``data/`` (e.g. ``data_path("skill_aliases.yaml")``)."""
    return resource_path(DATA_PACKAGE, *parts)


def prompts_path(*parts: str) -> Path:
    """The prompt templates folder (``prompts/``) or a file in it."""
    return resource_path(PROMPTS_PACKAGE, *parts)


def own_path(*parts: str) -> Path:
    """A file shipped inside the ``careeros`` package (``src/careeros/resources/``)."""
    return resource_path(__name__, *parts)


def load_yaml(path: Path) -> Any:
    """``path`` parsed as YAML (safe loader, libyaml's C parser when present), cached by the file's size and mtime.

    The reference tables (``skill_concepts.yaml`` and friends) are read by several stages of one plan; the pure
    Python parser took about a second per read of the concept table. The cache holds the parsed document and hands
    every caller its own deep copy, so a caller that edits what it got changes nobody else's.
    """
    st = path.stat()
    return copy.deepcopy(_parsed_yaml(str(path), st.st_size, st.st_mtime_ns))


@lru_cache(maxsize=32)
def _parsed_yaml(path: str, size: int, mtime_ns: int) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
