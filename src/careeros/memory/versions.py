"""The memory table's current version, read from the Lance dataset's ``_versions/`` folder (no lancedb import).

``import lancedb`` costs 1.5-3 s on a busy 2-core machine (its generated REST namespace client builds hundreds of
pydantic validators), and ``careeros status`` / ``careeros plan --dry-run`` only need the table's version number.
A Lance dataset writes one manifest per version under ``<table>.lance/_versions/``, named by the Lance naming scheme
(documented in the Lance namespace spec, ``CreateTableVersionEntry.naming_scheme``):

* V1: ``{version}.manifest``
* V2: ``{u64::MAX - version:020}.manifest`` (zero-padded, inverted; the default for new tables)

The latest committed version is the highest version with a manifest, which is what ``lancedb`` reports as
``table.version`` right after ``open_table``. Temporary files of a commit in progress, detached versions and
anything else that does not match are ignored; a layout this module does not recognise returns ``None`` from
:func:`version_from_manifests` so that callers fall back to lancedb itself.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Memory tables are named ``chunks_<embedder>`` (one per embedder: vector dimensions differ).
TABLE_PREFIX = "chunks_"
_U64_MAX = (1 << 64) - 1
#: Versions with the high bit set are Lance "detached" versions (never the latest committed version).
_DETACHED = 1 << 63
_MANIFEST = re.compile(r"^(\d+)\.manifest$")
_V2_WIDTH = 20


def memory_version(home: Path | None = None, embedder: str | None = None) -> int | None:
    """Current LanceDB version of the memory table (for ``careeros status``); None when no memory exists yet."""
    from careeros.settings import get_settings

    s = get_settings()
    mdir = (Path(home) / "memory") if home is not None else s.memory_dir
    return table_version(mdir, TABLE_PREFIX + (embedder or s.embedder))


def table_dir(memory_dir: Path, table: str) -> Path:
    """Folder of a LanceDB table inside a local database folder."""
    return Path(memory_dir) / f"{table}.lance"


def version_from_manifests(dataset: Path) -> int | None:
    """Latest committed version of a Lance dataset from its manifest file names; None when unrecognised/empty."""
    try:
        names = [e.name for e in (Path(dataset) / "_versions").iterdir() if e.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return None
    versions = []
    for name in names:
        m = _MANIFEST.match(name)
        if not m:
            continue
        digits = m.group(1)
        number = int(digits)
        v = _U64_MAX - number if len(digits) == _V2_WIDTH and number <= _U64_MAX else number
        if 0 < v < _DETACHED:
            versions.append(v)
    return max(versions) if versions else None


def _lancedb_version(memory_dir: Path, table: str) -> int | None:
    from careeros.memory.lance import import_lancedb

    lancedb = import_lancedb()
    try:
        tbl = lancedb.connect(str(memory_dir)).open_table(table)
    except (FileNotFoundError, ValueError):
        return None
    return int(tbl.version)


def table_version(memory_dir: Path, table: str) -> int | None:
    """Current version of ``table`` in the LanceDB folder ``memory_dir``; None when the table does not exist.

    Reads manifest names; only a layout it does not recognise (a table folder without V1/V2 manifests, or a
    database managed through a namespace manifest) opens the table with lancedb.
    """
    mdir = Path(memory_dir)
    if not mdir.is_dir():
        return None
    ds = table_dir(mdir, table)
    if ds.is_dir():
        v = version_from_manifests(ds)
        if v is not None:
            return v
    elif not any(p.name.startswith("__") for p in mdir.iterdir()):
        return None  # plain folder layout and no such table folder: the table does not exist
    return _lancedb_version(mdir, table)
