"""Package data, found the same way in a checkout and in an installed wheel (``importlib.resources``).

The repository keeps ``data/`` and ``prompts/`` at its top level; the build maps them into the wheel as the
packages ``careeros_data`` and ``careeros_prompts`` (see ``setup.py``), and an editable install maps the same
names onto the checkout's folders. Files owned by the package itself (report templates, the title model) live
here, in ``careeros.resources``. Every loader asks this module for a path; none walks up from ``__file__``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

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
