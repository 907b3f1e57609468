"""The registry of taxonomy and wage sources, and their fingerprints (for skip-if-unchanged)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from careeros.hashing import sha256_file
from careeros.taxonomy.common import LoadResult
from careeros.taxonomy.esco import read_esco
from careeros.taxonomy.oews import oews_version, read_oews
from careeros.taxonomy.onet import read_onet

_DATA_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".parquet", ".json", ".jsonl", ".jsonl.gz", ".xlsx")


def _folder_version(folder: Path) -> str:
    m = re.search(r"(\d+(?:\.\d+)+|\d{4})$", folder.name)
    return m.group(1) if m else folder.name


@dataclass(frozen=True)
class SourceSpec:
    """A source careeros loads: where it lives, how to version it, how to read it, which tables it owns."""

    name: str
    folder: str
    title: str
    reader: Callable[[Path], LoadResult]
    version: Callable[[Path], str]
    tables: tuple[str, ...]


@dataclass(frozen=True)
class FileFingerprint:
    """One input file: path, content hash and size."""

    path: Path
    sha256: str
    bytes: int


@dataclass(frozen=True)
class SourceFingerprint:
    """A source's version and the combined hash of its files (unchanged hash => nothing to load)."""

    name: str
    version: str
    sha256: str
    folder: Path
    files: tuple[FileFingerprint, ...]


SOURCES: tuple[SourceSpec, ...] = (
    SourceSpec(
        "onet", "onet-29.3", "O*NET Database", read_onet, _folder_version,
        ("onet_occupation", "onet_alternate_title", "onet_reported_title", "onet_element_rating", "onet_element",
         "onet_technology", "onet_tool", "onet_task", "onet_task_dwa", "onet_dwa", "onet_education"),
    ),
    SourceSpec(
        "esco", "esco-1.2.0", "ESCO classification", read_esco, _folder_version,
        ("esco_occupation", "esco_skill", "esco_occupation_skill", "esco_skill_relation", "esco_skill_broader",
         "esco_skill_group"),
    ),
    SourceSpec(
        "oews", "bls-oews-2025", "BLS OEWS wages", read_oews, oews_version, ("oews_wage",),
    ),
)


def source_by_name(name: str) -> SourceSpec:
    """Look a source up by name."""
    for spec in SOURCES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown source {name!r}; known: {', '.join(s.name for s in SOURCES)}")


def fingerprint(spec: SourceSpec, datasets: Path) -> SourceFingerprint:
    """Hash every data file of a source folder (sorted by name) into one fingerprint."""
    folder = datasets / spec.folder
    if not folder.is_dir():
        raise FileNotFoundError(f"source {spec.name}: folder {folder} not found")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(_DATA_SUFFIXES))
    fps = tuple(FileFingerprint(p, sha256_file(p), p.stat().st_size) for p in files)
    h = hashlib.sha256()
    for fp in fps:
        h.update(f"{fp.path.name}\0{fp.sha256}\n".encode())
    return SourceFingerprint(spec.name, spec.version(folder), h.hexdigest(), folder, fps)
