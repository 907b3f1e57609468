"""Your data, portable: export a home's personal data to one zip, import it into an empty home, forget it.

An export holds what belongs to the person, never what is rebuilt from public datasets (taxonomies, graph,
postings, demand: ``careeros ingest`` makes those again):

* ``tables/<name>.parquet``: every person table of the warehouse (:data:`PERSON_TABLES`; rows of the shared
  ``quarantine`` and ``raw_files`` tables only where they concern evidence; ``llm_calls.error`` with secrets masked);
* ``memory/<table>.parquet``: every LanceDB memory table as of its current version, vectors included;
* ``profile/profile.toml``;
* ``home/<path>``: the person's files inside the home (plans, outbox messages, agent reports, evidence kept there);
* ``evidence/<key>/<name>``: evidence files that live outside the home, by the ``source_path`` of their items (a
  repository as its working files, without ``.git``);
* ``raw/<path>``: raw-store entries of evidence;
* ``manifest.json``: format and schema versions, and per file its sha256 and size, per table its columns, row count
  and checksum (:func:`table_checksums`).

Import verifies every member against the manifest before it writes anything, refuses unsafe member names, loads
into a home without person data only, and checks afterwards that every table checksum equals the manifest's.
``source_path`` values are kept as exported: evidence files that lived outside the old home are restored under
``$home/imported-evidence/<key>/`` (the import report maps each one), files inside it at the same relative place.

Forget removes the person's rows (and rewrites the warehouse file, so deleted rows do not linger in free blocks),
memory, profile, personal folders and the home's Prefect database (flow-run parameters hold personal data).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import time
import tomllib
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any
from uuid import UUID

import duckdb
from pydantic import BaseModel, Field

from careeros.settings import Settings

FORMAT = "careeros-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
#: Folder of an import for evidence files that lived outside the exporting home.
IMPORTED_EVIDENCE = "imported-evidence"
#: Folders of a home that hold only the person's files (created by plans, outbox, agents, init, integrations).
HOME_FOLDERS = ("plans", "outbox", "agents", "reports", "portfolio", "artifacts", "evidence", "profile-versions",
                IMPORTED_EVIDENCE)
#: Names at the top of a home an import never writes through ``home/...`` (state with its own section, or rebuilt).
RESERVED = frozenset({"warehouse.duckdb", "warehouse.duckdb.wal", "analytics.duckdb", "memory", "prefect", "raw",
                      "cache", "profile.toml", "pg", "server", "data_docs", "feeds", ".env", MANIFEST})
_CHUNK = 1 << 20
_MAX_MANIFEST_BYTES = 64 << 20


@dataclass(frozen=True)
class PersonTable:
    """A warehouse table (or the person's rows of a shared one) that belongs to the person."""

    name: str
    #: SQL predicate selecting the person's rows of a shared table (None: the whole table)
    where: str | None = None
    #: text columns passed through :func:`careeros.redact.redact_secrets` on export
    redact: tuple[str, ...] = ()


#: Exported, imported and forgotten, in load order.
PERSON_TABLES: tuple[PersonTable, ...] = (
    PersonTable("evidence_item"), PersonTable("evidence_skill"), PersonTable("decision_log"),
    PersonTable("memory_runs"), PersonTable("llm_calls", redact=("error",)), PersonTable("outbox"),
    PersonTable("outbox_replies"), PersonTable("assumption"), PersonTable("assumption_history"),
    PersonTable("plan_version"), PersonTable("plan_task"), PersonTable("plan_approval"), PersonTable("outcome_event"),
    PersonTable("metrics_weekly"), PersonTable("integration_action"), PersonTable("profile_version"),
    PersonTable("context_buffer"),
    PersonTable("quarantine", where="source = 'evidence'"),
    PersonTable("raw_files", where="source = 'evidence'"),
)
#: Forgotten but not exported: cached model answers about the person (rebuilt on demand).
FORGET_ONLY_TABLES: tuple[PersonTable, ...] = (PersonTable("llm_cache"),)


class PortabilityError(RuntimeError):
    """An export, import or forget that cannot go ahead; the message is one line that says why."""


# ------------------------------------------------------------------------------------------------ reports


class ExportReport(BaseModel):
    """What an export wrote."""

    path: str
    bytes: int
    sha256: str
    seconds: float
    schema_version: int | None
    tables: dict[str, int] = Field(description="rows per exported table")
    redacted: dict[str, int] = Field(default_factory=dict, description="values with secrets masked, per table")
    memory: dict[str, int] = Field(default_factory=dict, description="rows per memory table")
    memory_versions: dict[str, int] = Field(default_factory=dict)
    files: int = 0
    file_bytes: int = 0
    evidence_missing: list[str] = Field(default_factory=list, description="evidence paths no longer on disk")
    evidence_skipped: list[str] = Field(default_factory=list, description="files over the evidence size limit")
    not_exported: list[str] = Field(default_factory=list)


class ImportReport(BaseModel):
    """What an import restored, and what the person does next."""

    path: str
    home: str
    seconds: float
    schema_version: int | None
    tables: dict[str, int]
    memory: dict[str, int] = Field(default_factory=dict)
    memory_versions: dict[str, dict[str, int]] = Field(default_factory=dict, description="exported -> now")
    profile: str | None = None
    files: int = 0
    evidence: dict[str, str] = Field(default_factory=dict, description="source_path -> where its copy is now")
    checksums_verified: bool = False
    next_steps: list[str] = Field(default_factory=list)


class ForgetReport(BaseModel):
    """What forget removed (or, without ``yes``, would remove)."""

    home: str
    dry_run: bool
    seconds: float = 0.0
    tables: dict[str, int] = Field(default_factory=dict, description="rows per table")
    warehouse_rewritten: bool = False
    memory: dict[str, int] = Field(default_factory=dict, description="rows per memory table")
    paths: dict[str, int] = Field(default_factory=dict, description="path -> files in it")
    bytes: int = 0
    prefect_flow_runs: int | None = None
    kept: list[str] = Field(default_factory=list)


# ------------------------------------------------------------------------------------------------ checksums


def _canon(v: Any) -> Any:
    """A JSON value that is equal for equal data, however it was read (DuckDB, Arrow, Parquet)."""
    if v is None or isinstance(v, bool | int | str):
        return v
    if isinstance(v, float):
        return {"f": repr(v)}  # exact for doubles and for float32 widened to double
    if isinstance(v, datetime):
        return {"ts": (v.astimezone(UTC) if v.tzinfo else v).isoformat()}
    if isinstance(v, date | dtime):
        return {"d": v.isoformat()}
    if isinstance(v, timedelta):
        return {"td": v // timedelta(microseconds=1)}
    if isinstance(v, Decimal):
        return {"dec": str(v)}
    if isinstance(v, bytes | bytearray | memoryview):
        return {"b": bytes(v).hex()}
    if isinstance(v, UUID):
        return str(v)
    if isinstance(v, Mapping):
        return {"m": sorted([_canon(k), _canon(x)] for k, x in v.items())} if not all(
            isinstance(k, str) for k in v) else {str(k): _canon(x) for k, x in sorted(v.items())}
    if isinstance(v, list | tuple):
        return [_canon(x) for x in v]
    if hasattr(v, "tolist"):  # numpy arrays and scalars
        return _canon(v.tolist())
    return {"s": str(v)}


class _Digest:
    """Order-independent checksum of rows: the sha256 of the sorted per-row sha256 digests and the columns."""

    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self.rows: list[bytes] = []

    def add(self, row: Sequence[Any]) -> None:
        text = json.dumps([_canon(x) for x in row], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        self.rows.append(hashlib.sha256(text.encode("utf-8")).digest())

    def hexdigest(self) -> str:
        h = hashlib.sha256(json.dumps(self.columns).encode("utf-8"))
        h.update(len(self.rows).to_bytes(8, "big"))
        for d in sorted(self.rows):
            h.update(d)
        return "sha256:" + h.hexdigest()


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sql_str(value: str | Path) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _table(spec: str | PersonTable) -> PersonTable:
    return spec if isinstance(spec, PersonTable) else PersonTable(spec)


def table_columns(con: duckdb.DuckDBPyConnection, name: str) -> list[str]:
    """Column names of a main-schema table in table order ([] when it does not exist)."""
    rows = con.execute("SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND "
                       "table_name = ? ORDER BY ordinal_position", [name]).fetchall()
    return [r[0] for r in rows]


def _relation_checksum(con: duckdb.DuckDBPyConnection, source: str, columns: Sequence[str],
                       where: str | None) -> tuple[str, int]:
    cols = sorted(columns)
    sql = f"SELECT {', '.join(_quote_ident(c) for c in cols)} FROM {source}" + (f" WHERE {where}" if where else "")
    dig = _Digest(cols)
    cur = con.execute(sql)
    while batch := cur.fetchmany(10_000):
        for row in batch:
            dig.add(row)
    return dig.hexdigest(), len(dig.rows)


def table_checksums(con: duckdb.DuckDBPyConnection, tables: Iterable[str | PersonTable],
                    columns: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """Per table an order-independent checksum over a canonical serialisation of its rows (missing tables skipped).

    ``columns`` restricts a table to the named columns (an export made before a column was added); a
    :class:`PersonTable` with ``where`` covers only the person's rows of a shared table.
    """
    out: dict[str, str] = {}
    for spec in map(_table, tables):
        have = table_columns(con, spec.name)
        if not have:
            continue
        cols = list((columns or {}).get(spec.name) or have)
        out[spec.name] = _relation_checksum(con, spec.name, cols, spec.where)[0]
    return out


def arrow_checksum(table: Any) -> str:
    """The checksum of an Arrow table, with the same canonical rows as :func:`table_checksums`."""
    cols = sorted(table.column_names)
    dig = _Digest(cols)
    for batch in table.select(cols).to_batches(max_chunksize=4096):
        for row in batch.to_pylist():
            dig.add([row[c] for c in cols])
    return dig.hexdigest()


# ------------------------------------------------------------------------------------------------ helpers


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _inside(path: Path, root: Path) -> Path | None:
    """``path`` relative to ``root`` when it lies inside it (both resolved), else None."""
    try:
        return path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return None


def _walk_files(root: Path) -> Iterator[Path]:
    """Regular files under ``root`` (no symlinks, no ``.git``), in a stable order."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d != ".git" and not Path(dirpath, d).is_symlink())
        for f in sorted(filenames):
            p = Path(dirpath, f)
            if p.is_file() and not p.is_symlink():
                yield p


def _count_files(path: Path) -> tuple[int, int]:
    """(files, bytes) of a file or of everything under a folder (symlinks counted, not followed)."""
    if path.is_symlink() or path.is_file():
        return 1, path.lstat().st_size
    files = size = 0
    for dirpath, _dirs, names in os.walk(path, followlinks=False):
        for n in names:
            files += 1
            try:
                size += Path(dirpath, n).lstat().st_size
            except OSError:
                pass
    return files, size


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    elif path.is_dir():
        shutil.rmtree(path)


def _safe_component(name: str) -> str:
    return name.replace("\\", "_").replace("\x00", "_") or "_"


def _evidence_key(base: str) -> str:
    return hashlib.sha256(base.encode("utf-8")).hexdigest()[:12]


def unsafe_member(name: str) -> str | None:
    """Why a zip member name may not be extracted (absolute, ``..``, backslash, drive letter), or None if safe."""
    if not name or "\x00" in name:
        return "empty or NUL in name"
    if "\\" in name:
        return "backslash in name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "absolute path"
    parts = name.rstrip("/").split("/")
    if any(p in ("", ".", "..") for p in parts):
        return "'..', '.' or empty path component"
    return None


def _schema_version(con: duckdb.DuckDBPyConnection) -> int | None:
    if not table_columns(con, "schema_migrations"):
        return None
    row = con.execute("SELECT max(version) FROM schema_migrations").fetchall()
    return int(row[0][0]) if row and row[0][0] is not None else None


def current_schema_version() -> int:
    """The newest warehouse migration this careeros knows."""
    from careeros.warehouse.migrations import MIGRATIONS

    return max(v for v, _, _ in MIGRATIONS)


@contextmanager
def _warehouse(path: Path, read_only: bool) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived warehouse connection (migrated when writable); a lock held elsewhere is one clear error."""
    from careeros.warehouse.db import connect

    ctx = connect(path, read_only=read_only, retries=6)
    try:
        con = ctx.__enter__()
    except duckdb.IOException as exc:
        raise PortabilityError(f"the warehouse {path} is in use by another process (a flow or a server): "
                               f"wait for it or stop it, then retry ({str(exc).splitlines()[0][:120]})") from exc
    try:
        yield con
    finally:
        ctx.__exit__(None, None, None)


def _count_rows(con: duckdb.DuckDBPyConnection, spec: PersonTable) -> int:
    if not table_columns(con, spec.name):
        return 0
    row = con.execute(f"SELECT count(*) FROM {spec.name}" + (f" WHERE {spec.where}" if spec.where else "")).fetchall()
    return int(row[0][0])


def _running_server(prefect_dir: Path) -> int | None:
    """The pid of a live Prefect server advertised in the home's ``server.json`` (None when none runs)."""
    try:
        pid = json.loads((prefect_dir / "server.json").read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(pid, int) or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return pid
    return pid


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _memory_tables(memory_dir: Path) -> dict[str, Any]:
    """Name -> open LanceDB table of every table in the memory folder ({} when there is none)."""
    if not memory_dir.is_dir() or not any(memory_dir.iterdir()):
        return {}
    import lancedb

    db = lancedb.connect(str(memory_dir))
    names: list[str] = []
    token: str | None = None
    while True:
        resp = db.list_tables(page_token=token)
        names += list(resp.tables)
        token = resp.page_token
        if not token:
            break
    return {n: db.open_table(n) for n in sorted(names)}


def _profile_paths(profile: Path) -> list[Path]:
    """Files the profile names besides evidence folders (the contacts file), resolved like the profile loader does."""
    try:
        data = tomllib.loads(profile.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    value = data.get("contacts_file")
    if isinstance(value, str) and value:
        p = Path(value)
        out.append(p if p.is_absolute() else (profile.parent / p).resolve())
    return out


# ------------------------------------------------------------------------------------------------ export


class _ZipWriter:
    """Members written once each, streamed with their sha256 and size recorded for the manifest."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files: dict[str, dict[str, Any]] = {}

    def add_file(self, arcname: str, src: Path, compress: bool = True) -> bool:
        if arcname in self.files:
            return False
        st = src.stat()
        info = zipfile.ZipInfo(arcname, date_time=time.gmtime(max(st.st_mtime, 315532800))[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        h, n = hashlib.sha256(), 0
        with open(src, "rb") as fh, self.zf.open(info, "w", force_zip64=st.st_size > (1 << 30)) as out:
            while block := fh.read(_CHUNK):
                h.update(block)
                out.write(block)
                n += len(block)
        self.files[arcname] = {"sha256": h.hexdigest(), "bytes": n}
        return True

    def add_bytes(self, arcname: str, data: bytes) -> None:
        info = zipfile.ZipInfo(arcname, date_time=time.gmtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = (stat.S_IFREG | 0o644) << 16
        self.zf.writestr(info, data)


def _export_tables(con: duckdb.DuckDBPyConnection, tmp: Path, report: dict[str, Any]) -> dict[str, Any]:
    from duckdb.func import FunctionNullHandling

    from careeros.redact import redact_secrets

    con.create_function("careeros_redact", redact_secrets, ["VARCHAR"], "VARCHAR",
                        null_handling=FunctionNullHandling.SPECIAL)
    out: dict[str, Any] = {}
    for spec in PERSON_TABLES:
        cols = table_columns(con, spec.name)
        if not cols:
            continue
        exprs = [f"careeros_redact({_quote_ident(c)}) AS {_quote_ident(c)}" if c in spec.redact else _quote_ident(c)
                 for c in cols]
        where = f" WHERE {spec.where}" if spec.where else ""
        path = tmp / f"{spec.name}.parquet"
        con.execute(f"COPY (SELECT {', '.join(exprs)} FROM {spec.name}{where}) TO {_sql_str(path)} "
                    "(FORMAT parquet, COMPRESSION zstd)")
        checksum, rows = _relation_checksum(con, f"read_parquet({_sql_str(path)})", cols, None)
        if not spec.redact:  # the file must hold exactly the table's rows (types survive Parquet unchanged)
            direct, _ = _relation_checksum(con, spec.name, cols, spec.where)
            if direct != checksum:
                raise PortabilityError(f"table {spec.name} does not survive Parquet unchanged (checksums differ)")
        for c in spec.redact:
            changed = con.execute(f"SELECT count(*) FROM {spec.name}{where}{' AND' if where else ' WHERE'} "
                                  f"{_quote_ident(c)} IS DISTINCT FROM careeros_redact({_quote_ident(c)})").fetchall()
            if changed[0][0]:
                report.setdefault("redacted", {})[spec.name] = int(changed[0][0])
        types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE "
                                 "table_schema = 'main' AND table_name = ?", [spec.name]).fetchall())
        out[spec.name] = {"file": f"tables/{spec.name}.parquet", "rows": rows, "checksum": checksum,
                          "columns": [{"name": c, "type": types.get(c)} for c in cols], "where": spec.where,
                          "_path": path}
    return out


def _export_memory(memory_dir: Path, tmp: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    out: dict[str, Any] = {}
    for name, tbl in _memory_tables(memory_dir).items():
        data = tbl.to_arrow()
        path = tmp / f"{name}.parquet"
        # list children keep Arrow's "item" name: LanceDB compares schemas by it (MemoryStore reopens with its own)
        pq.write_table(data, path, compression="zstd", use_compliant_nested_type=False)
        indices = []
        try:
            for ix in tbl.list_indices():
                details = getattr(ix, "index_details", None) or {}
                indices.append({"columns": list(getattr(ix, "columns", []) or []),
                                "type": str(getattr(ix, "index_type", "")),
                                "with_position": bool(details.get("with_position", False))})
        except Exception:  # noqa: BLE001 - an index listing problem must not stop an export
            indices = []
        try:
            tags = {k: int(v["version"]) for k, v in tbl.tags.list().items()}
        except Exception:  # noqa: BLE001
            tags = {}
        out[name] = {"file": f"memory/{name}.parquet", "rows": data.num_rows, "checksum": arrow_checksum(data),
                     "version": int(tbl.version), "tags": tags, "indices": indices, "_path": path}
    return out


def export_home(settings: Settings, out_zip: Path) -> ExportReport:
    """Write the person's data of ``settings.home`` to ``out_zip`` (Parquet/JSON, manifest, checksums; atomic)."""
    from careeros import __version__

    t0 = time.perf_counter()
    home = Path(settings.home)
    wh, profile = settings.warehouse_path, home / "profile.toml"
    if not wh.is_file() and not profile.is_file() and not settings.memory_dir.is_dir():
        raise PortabilityError(f"nothing to export: {home} has no warehouse, profile or memory")
    out_zip = Path(out_zip).expanduser().resolve()
    if not out_zip.parent.is_dir():
        raise PortabilityError(f"no folder {out_zip.parent} for the export file")
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="careeros-export-") as tmpname:
        tmp = Path(tmpname)
        tables: dict[str, Any] = {}
        sources: list[str] = []
        raw_rows: list[tuple[str, str]] = []
        schema_version = None
        if wh.is_file():
            with _warehouse(wh, read_only=True) as con:
                schema_version = _schema_version(con)
                tables = _export_tables(con, tmp, extra)
                if "evidence_item" in tables:
                    sources = [r[0] for r in con.execute(
                        "SELECT DISTINCT source_path FROM evidence_item ORDER BY 1").fetchall()]
                if "raw_files" in tables:
                    raw_rows = [(r[0], r[1]) for r in con.execute(
                        "SELECT sha256, stored_path FROM raw_files WHERE source = 'evidence' ORDER BY 1").fetchall()]
        memory = _export_memory(settings.memory_dir, tmp)

        part = out_zip.with_name(f".{out_zip.name}.part-{os.getpid()}")
        evidence: list[dict[str, Any]] = []
        missing: list[str] = []
        skipped: list[str] = []
        try:
            with zipfile.ZipFile(part, "w", allowZip64=True) as zf:
                zw = _ZipWriter(zf)
                for spec in tables.values():
                    zw.add_file(spec["file"], spec.pop("_path"), compress=False)
                for spec in memory.values():
                    zw.add_file(spec["file"], spec.pop("_path"), compress=False)
                profile_entry = None
                if profile.is_file():
                    zw.add_file("profile/profile.toml", profile)
                    profile_entry = "profile/profile.toml"
                limit = settings.evidence_max_file_bytes

                def place(src: Path, outside_prefix: str, outside_rel: PurePosixPath) -> str:
                    """Zip name of a person's file: ``home/<rel>`` in the person's folders, else ``outside_prefix``.

                    Anything else (outside the home, or elsewhere in it) is restored under imported-evidence/, a
                    folder forget removes.
                    """
                    rel = _inside(src, home)
                    if rel is not None and len(rel.parts) > 1 and rel.parts[0] in HOME_FOLDERS:
                        return "home/" + "/".join(_safe_component(p) for p in rel.parts)
                    return f"{outside_prefix}/" + "/".join(_safe_component(p) for p in outside_rel.parts)

                def add(src: Path, arc: str) -> int:
                    if src.stat().st_size > limit:
                        skipped.append(str(src))
                        return 0
                    zw.add_file(arc, src)  # a file already added (a folder listed twice) is kept once
                    return 1

                for base in sorted({s.split("#", 1)[0] for s in sources} | {str(p) for p in _profile_paths(profile)}):
                    src = Path(base)
                    key = _evidence_key(base)
                    if src.is_symlink() or not src.exists():
                        missing.append(base)
                        evidence.append({"source_path": base, "kind": "missing"})
                        continue
                    if src.is_file():
                        arc = place(src, f"evidence/{key}", PurePosixPath(_safe_component(src.name)))
                        n = add(src, arc)
                        evidence.append({"source_path": base, "kind": "file", "member": arc, "files": n})
                        continue
                    prefix = place(src, f"evidence/{key}", PurePosixPath(_safe_component(src.name)))
                    n = 0
                    for f in _walk_files(src):
                        rel = f.relative_to(src)
                        n += add(f, prefix + "/" + "/".join(_safe_component(p) for p in rel.parts))
                    evidence.append({"source_path": base, "kind": "folder", "member": prefix, "files": n})
                for folder in HOME_FOLDERS:
                    root = home / folder
                    if root.is_dir() and not root.is_symlink():
                        for f in _walk_files(root):
                            rel = f.relative_to(home)
                            zw.add_file("home/" + "/".join(_safe_component(p) for p in rel.parts), f)
                raw = []
                for sha, stored in raw_rows:
                    p = Path(stored)
                    in_raw = _inside(p, settings.raw_dir)
                    if in_raw is not None and p.is_file():
                        arc = "raw/" + "/".join(_safe_component(x) for x in in_raw.parts)
                        zw.add_file(arc, p, compress=False)
                        raw.append({"sha256": sha, "stored_path": stored, "member": arc})
                    else:
                        missing.append(stored)
                manifest: dict[str, Any] = {
                    "format": FORMAT, "format_version": FORMAT_VERSION, "careeros_version": __version__,
                    "schema_version": schema_version, "created_at": datetime.now(UTC).isoformat(),
                    "home": str(home.resolve()), "embedder": settings.embedder,
                    "tables": tables, "memory": memory, "profile": profile_entry, "evidence": evidence,
                    "raw": raw, "files": zw.files,
                    "not_exported": ["market and taxonomy tables (rebuilt from the public datasets by `careeros "
                                     "ingest`)", "memory version history and run tags (the current version is "
                                     "exported; its number and tags are listed per memory table)",
                                     "git history of repositories (their working files are exported)",
                                     "llm_cache (cached model answers) and the Prefect database"],
                }
                zw.add_bytes(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, default=str).encode("utf-8"))
            with open(part, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(part, out_zip)
        finally:
            part.unlink(missing_ok=True)
    files = zw.files
    return ExportReport(
        path=str(out_zip), bytes=out_zip.stat().st_size, sha256=_sha256_file(out_zip),
        seconds=round(time.perf_counter() - t0, 3), schema_version=schema_version,
        tables={k: v["rows"] for k, v in tables.items()}, redacted=extra.get("redacted", {}),
        memory={k: v["rows"] for k, v in memory.items()}, memory_versions={k: v["version"] for k, v in memory.items()},
        files=len(files), file_bytes=sum(int(f["bytes"]) for f in files.values()),
        evidence_missing=missing, evidence_skipped=skipped, not_exported=manifest["not_exported"])


# ------------------------------------------------------------------------------------------------ import


def person_data(settings: Settings) -> list[str]:
    """What person data a home holds (empty list: a home an export may be imported into)."""
    home = Path(settings.home)
    found: list[str] = []
    if (home / "profile.toml").exists():
        found.append("profile.toml")
    for name, tbl in _memory_tables(settings.memory_dir).items():
        if int(tbl.count_rows()):
            found.append(f"memory table {name}")
    for folder in HOME_FOLDERS:
        p = home / folder
        if p.is_dir() and any(p.iterdir()):
            found.append(f"{folder}/")
    wh = settings.warehouse_path
    if wh.is_file():
        with _warehouse(wh, read_only=True) as con:
            for spec in (*PERSON_TABLES, *FORGET_ONLY_TABLES):
                n = _count_rows(con, spec)
                if n:
                    found.append(f"{spec.name} ({n} rows)")
    return found


def _read_manifest(zf: zipfile.ZipFile, where: Path) -> dict[str, Any]:
    try:
        info = zf.getinfo(MANIFEST)
    except KeyError:
        raise PortabilityError(f"{where} is not a careeros export (no {MANIFEST})") from None
    if info.file_size > _MAX_MANIFEST_BYTES:
        raise PortabilityError(f"{where}: {MANIFEST} is implausibly large ({info.file_size} bytes)")
    try:
        data = json.loads(zf.read(MANIFEST).decode("utf-8"))
    except (zipfile.BadZipFile, ValueError, UnicodeDecodeError, OSError) as exc:
        raise PortabilityError(f"{where}: {MANIFEST} is damaged ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PortabilityError(f"{where} is not a careeros export ({MANIFEST} names another format)")
    if data.get("format_version") != FORMAT_VERSION:
        raise PortabilityError(f"{where}: export format version {data.get('format_version')} is not supported by "
                               f"this careeros (it reads version {FORMAT_VERSION})")
    for key in ("files", "tables", "memory"):
        if not isinstance(data.get(key), dict):
            raise PortabilityError(f"{where}: {MANIFEST} has no valid '{key}' section")

    def ok(value: Any, *checks: tuple[str, type]) -> bool:
        return isinstance(value, dict) and all(isinstance(value.get(k), t) for k, t in checks)

    for name, meta in data["files"].items():
        if not ok(meta, ("sha256", str), ("bytes", int)) or meta["bytes"] < 0:
            raise PortabilityError(f"{where}: the manifest entry of {name!r} is not valid: refused")
    for section in ("tables", "memory"):
        for name, spec in data[section].items():
            if not ok(spec, ("file", str), ("rows", int), ("checksum", str)) or (
                    section == "tables" and not (isinstance(spec.get("columns"), list) and all(
                        ok(c, ("name", str)) for c in spec["columns"]))):
                raise PortabilityError(f"{where}: the manifest's {section} entry {name!r} is not valid: refused")
    return data


def _hash_member(zf: zipfile.ZipFile, name: str, expected: int, sink: Any = None) -> str:
    """sha256 of a member, read in blocks (stops as soon as it is longer than the manifest says)."""
    h, n = hashlib.sha256(), 0
    try:
        with zf.open(name) as fh:
            while block := fh.read(_CHUNK):
                n += len(block)
                if n > expected:
                    raise PortabilityError(f"member {name} is longer than the manifest says: refused")
                h.update(block)
                if sink is not None:
                    sink.write(block)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise PortabilityError(f"member {name} is damaged or truncated ({str(exc)[:120]}): refused") from exc
    if n != expected:
        raise PortabilityError(f"member {name} has {n} bytes, the manifest says {expected}: refused")
    return h.hexdigest()


def verify_export(zip_path: Path) -> dict[str, Any]:
    """Check an export without writing anything: safe member names, manifest, every member's sha256 and size."""
    zip_path = Path(zip_path)
    if not zip_path.is_file():
        raise PortabilityError(f"no export file at {zip_path}")
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise PortabilityError(f"{zip_path} is not a readable zip (truncated or damaged?): {exc}") from exc
    with zf:
        for info in zf.infolist():
            why = unsafe_member(info.filename)
            if why is None and stat.S_ISLNK(info.external_attr >> 16):
                why = "a symbolic link"
            if why:
                raise PortabilityError(f"unsafe member {info.filename!r} in {zip_path} ({why}): refused")
        manifest = _read_manifest(zf, zip_path)
        files: dict[str, Any] = manifest["files"]
        names = {i.filename for i in zf.infolist() if not i.is_dir()} - {MANIFEST}
        for name in sorted(names - set(files)):
            raise PortabilityError(f"member {name} is not listed in the manifest: refused")
        for name in sorted(files):
            why = unsafe_member(name)
            if why:
                raise PortabilityError(f"unsafe member {name!r} in the manifest ({why}): refused")
            if name not in names:
                raise PortabilityError(f"member {name} listed in the manifest is missing (truncated?): refused")
            meta = files[name]
            if _hash_member(zf, name, int(meta["bytes"])) != meta["sha256"]:
                raise PortabilityError(f"member {name} does not match its checksum (changed or damaged): refused")
        for section in ("tables", "memory"):
            for tname, spec in manifest[section].items():
                if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}", tname):
                    raise PortabilityError(f"{section} entry {tname!r} of the manifest is not valid: refused")
                if spec.get("file") not in files:
                    raise PortabilityError(f"{section} entry {tname} names no member of the export: refused")
        if manifest.get("profile") not in (None, "profile/profile.toml"):
            raise PortabilityError(f"the manifest names an unexpected profile member {manifest.get('profile')!r}: refused")
        for name in files:
            top = name.split("/", 1)
            if top[0] == "profile" and name != "profile/profile.toml":
                raise PortabilityError(f"member {name} is not the profile: refused")
            if top[0] == "home" and (len(top) < 2 or top[1].split("/", 1)[0] in RESERVED):
                raise PortabilityError(f"member {name} would overwrite the home's own state: refused")
            if top[0] not in ("tables", "memory", "profile", "home", "evidence", "raw"):
                raise PortabilityError(f"member {name} is outside the export's folders: refused")
    return manifest


def _target_columns() -> dict[str, dict[str, str]]:
    """Table -> column -> type of a warehouse made by this careeros (an in-memory database, migrated)."""
    from careeros.warehouse.db import ensure_schema

    con = duckdb.connect()
    try:
        ensure_schema(con)
        out: dict[str, dict[str, str]] = {}
        for t, c, ty in con.execute("SELECT table_name, column_name, data_type FROM information_schema.columns "
                                    "WHERE table_schema = 'main'").fetchall():
            out.setdefault(t, {})[c] = ty
        return out
    finally:
        con.close()


def _restore_target(home: Path, member: str) -> Path:
    """Where a file member goes in the new home (always inside it)."""
    top, _, rest = member.partition("/")
    if top == "home":
        return home / rest
    if top == "evidence":
        return home / IMPORTED_EVIDENCE / rest
    if top == "profile":
        return home / "profile.toml"
    if top == "raw":
        return home / "raw" / rest
    raise PortabilityError(f"member {member} has no place in a home")


def import_home(settings: Settings, zip_path: Path) -> ImportReport:
    """Load an export into a home without person data; every checksum is verified before anything is written."""
    import pyarrow.parquet as pq

    t0 = time.perf_counter()
    zip_path = Path(zip_path).expanduser().resolve()
    home = Path(settings.home).expanduser().resolve()
    manifest = verify_export(zip_path)
    exported_schema = manifest.get("schema_version")
    now_schema = current_schema_version()
    if isinstance(exported_schema, int) and exported_schema > now_schema:
        raise PortabilityError(f"the export was made by a newer careeros (warehouse schema {exported_schema}, this "
                               f"one knows up to {now_schema}): upgrade careeros, then import")
    known = {t.name: t for t in PERSON_TABLES}
    target = _target_columns()
    for name, spec in manifest["tables"].items():
        if name not in known:
            raise PortabilityError(f"the export holds table {name}, which is not a person table here: refused")
        if spec.get("where") != known[name].where:
            raise PortabilityError(f"the export's table {name} selects other rows ({spec.get('where')!r}): refused")
        unknown = [c["name"] for c in spec["columns"] if c["name"] not in target.get(name, {})]
        if unknown:
            raise PortabilityError(f"table {name} of the export has columns this careeros does not know "
                                   f"({', '.join(unknown)}): upgrade careeros, then import")
    held = person_data(settings)
    if held:
        raise PortabilityError(f"{home} already holds person data ({', '.join(held[:6])}"
                               f"{', ...' if len(held) > 6 else ''}): import only into an empty home "
                               "(a new CAREEROS_HOME, or run `careeros forget --yes` first)")
    file_members: list[str] = []
    targets: dict[Path, str] = {}
    for m in sorted(manifest["files"]):
        if m.split("/", 1)[0] not in ("home", "evidence", "profile", "raw"):
            continue
        dst = _restore_target(home, m)
        if dst in targets:
            raise PortabilityError(f"members {targets[dst]} and {m} would both be written to {dst}: refused")
        targets[dst] = m
        anchor = _nearest_existing(dst.parent)  # a home not made yet: everything under it is new
        if _inside(anchor, home) is None and (home.exists() or _inside(home, anchor) is None):
            raise PortabilityError(f"member {m} would be written outside {home} (through a link?): refused")
        if dst.is_symlink() or (dst.exists() and (not dst.is_file()
                                                  or _sha256_file(dst) != manifest["files"][m]["sha256"])):
            raise PortabilityError(f"{dst} exists; an import never overwrites a file (member {m})")
        if not dst.exists():
            file_members.append(m)

    # ---- everything checked: stage, load in one transaction, then move files into place
    home.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=home))
    try:
        with zipfile.ZipFile(zip_path) as zf:
            staged: dict[str, Path] = {}
            for i, name in enumerate(sorted(manifest["files"])):
                dst = staging / "files" / f"{i:06d}"
                dst.parent.mkdir(parents=True, exist_ok=True)
                meta = manifest["files"][name]
                with open(dst, "wb") as sink:
                    if _hash_member(zf, name, int(meta["bytes"]), sink) != meta["sha256"]:
                        raise PortabilityError(f"member {name} changed while it was read: refused")
                staged[name] = dst
        # memory: rebuilt in the staging folder, checked, then moved in
        mem_report: dict[str, int] = {}
        mem_versions: dict[str, dict[str, int]] = {}
        if manifest["memory"]:
            import lancedb

            db = lancedb.connect(str(staging / "memory"))
            for name, spec in sorted(manifest["memory"].items()):
                data = pq.read_table(staged[spec["file"]])
                tbl = db.create_table(name, data=data)
                _rebuild_indices(tbl, spec.get("indices") or [])
                mem_sum = arrow_checksum(tbl.to_arrow())
                if mem_sum != spec["checksum"]:
                    raise PortabilityError(f"memory table {name} does not match the manifest after loading: refused")
                mem_report[name] = int(tbl.count_rows())
                mem_versions[name] = {"exported": int(spec.get("version") or 0), "now": int(tbl.version)}
        # warehouse: migrations, then every table in one transaction, checked before commit
        wh = settings.warehouse_path
        with _warehouse(wh, read_only=False) as con:
            again = [t for t in PERSON_TABLES if _count_rows(con, t)]
            if again:
                raise PortabilityError(f"{wh} gained person data while importing ({again[0].name}): refused")
            con.execute("BEGIN TRANSACTION")
            try:
                for t in PERSON_TABLES:
                    spec = manifest["tables"].get(t.name)
                    if spec is None or not spec["rows"]:
                        continue
                    cols = ", ".join(_quote_ident(c["name"]) for c in spec["columns"])
                    con.execute(f"INSERT INTO {t.name} ({cols}) SELECT {cols} FROM "
                                f"read_parquet({_sql_str(staged[spec['file']])})")
                tspecs: dict[str, Any] = manifest["tables"]
                got = table_checksums(con, [known[n] for n in tspecs],
                                      {n: [c["name"] for c in ts["columns"]] for n, ts in tspecs.items()})
                bad = [n for n, ts in tspecs.items() if got.get(n) != ts["checksum"]]
                if bad:
                    raise PortabilityError(f"table checksums differ after loading ({', '.join(bad)}): nothing imported")
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        # files: memory folder, profile, evidence, the person's folders, raw entries
        if manifest["memory"]:
            if settings.memory_dir.exists():
                shutil.rmtree(settings.memory_dir)  # only empty tables there (checked by person_data)
            os.replace(staging / "memory", settings.memory_dir)
        for m in file_members:
            dst = _restore_target(home, m)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged[m], dst)
        try:
            from careeros.metrics.analytics import publish_analytics

            publish_analytics(settings)
        except Exception:  # noqa: BLE001 - the snapshot is a convenience; the next flow publishes it again
            pass
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    evidence = {}
    for e in manifest.get("evidence") or []:
        if e.get("member"):
            evidence[e["source_path"]] = str(_restore_target(home, e["member"]))
    steps = ["run `careeros ingest` to rebuild the market and taxonomy tables (an export never holds them)"]
    moved = {k: v for k, v in evidence.items() if Path(k.split("#", 1)[0]) != Path(v)}
    if moved:
        steps.append(f"evidence copies are under {home / IMPORTED_EVIDENCE} or this home ({len(moved)} sources); "
                     "profile.toml and the warehouse keep the original paths: point evidence_folders/git_repos in "
                     "profile.toml at the copies before the next `careeros evidence curate`")
    emb = manifest.get("embedder")
    if isinstance(emb, str) and emb != settings.embedder:
        steps.append(f"memory was embedded with {emb!r}: set CAREEROS_EMBEDDER={emb} for this home to search it")
    if mem_versions:
        steps.append("memory starts a new version history here (exported version numbers and run tags are in the "
                     "manifest; memory_runs and plan_version keep the old numbers)")
    return ImportReport(
        path=str(zip_path), home=str(home), seconds=round(time.perf_counter() - t0, 3),
        schema_version=exported_schema if isinstance(exported_schema, int) else None,
        tables={k: int(v["rows"]) for k, v in manifest["tables"].items()}, memory=mem_report,
        memory_versions=mem_versions, profile=str(home / "profile.toml") if manifest.get("profile") else None,
        files=len(file_members), evidence=evidence, checksums_verified=True, next_steps=steps)


def _rebuild_indices(tbl: Any, indices: list[dict[str, Any]]) -> None:
    """Recreate the full-text and vector indices the exported table had."""
    for ix in indices:
        cols = ix.get("columns") or []
        kind = str(ix.get("type", "")).upper()
        if len(cols) != 1 or not tbl.count_rows():
            continue
        if "FTS" in kind or "INVERTED" in kind:
            from lancedb.index import FTS

            tbl.create_index(cols[0], config=FTS(with_position=bool(ix.get("with_position"))), replace=True)
        elif "HNSW" in kind:
            from lancedb.index import HnswSq

            tbl.create_index(cols[0], config=HnswSq(distance_type="cosine"), replace=True)


# ------------------------------------------------------------------------------------------------ forget


def _prefect_files(prefect_dir: Path) -> list[Path]:
    """Everything in the home's Prefect folder but its API auth string (not personal; keeps the UI login valid)."""
    if not prefect_dir.is_dir():
        return []
    return sorted(p for p in prefect_dir.iterdir() if p.name != "auth")


def _flow_runs(prefect_dir: Path) -> int | None:
    db = prefect_dir / "prefect.db"
    if not db.is_file():
        return None
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(con.execute("SELECT count(*) FROM flow_run").fetchone()[0])
        finally:
            con.close()
    except sqlite3.Error:
        return None


def _rewrite_warehouse(path: Path) -> None:
    """Copy the warehouse into a new file and swap it in: deleted rows leave no bytes behind in free blocks."""
    tmp = path.with_name(f".{path.name}.forget-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        name = con.execute("SELECT current_database()").fetchall()[0][0]
        con.execute(f"ATTACH {_sql_str(tmp)} AS careeros_fresh")
        con.execute(f"COPY FROM DATABASE {_quote_ident(name)} TO careeros_fresh")
        con.execute("DETACH careeros_fresh")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        raise
    con.close()
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    os.replace(tmp, path)


def forget_home(settings: Settings, *, yes: bool) -> ForgetReport:
    """Remove the person's data from the home and its Prefect database; without ``yes`` only report what would go."""
    t0 = time.perf_counter()
    home = Path(settings.home).expanduser().resolve()
    pid = _running_server(Path(settings.prefect_home))
    if pid is not None:
        raise PortabilityError(f"a Prefect server of this home runs (pid {pid}, {settings.prefect_home / 'server.json'}):"
                               " stop it (Ctrl-C on `make serve`), then run forget again")
    report = ForgetReport(home=str(home), dry_run=not yes)
    wh = settings.warehouse_path
    sources: list[str] = []
    raw_paths: list[Path] = []
    if wh.is_file():
        with _warehouse(wh, read_only=True) as con:
            for spec in (*PERSON_TABLES, *FORGET_ONLY_TABLES):
                n = _count_rows(con, spec)
                if n:
                    report.tables[spec.name] = n
            if table_columns(con, "evidence_item"):
                sources = [r[0] for r in con.execute("SELECT DISTINCT source_path FROM evidence_item").fetchall()]
            if table_columns(con, "raw_files"):
                raw_paths = [Path(r[0]) for r in con.execute(
                    "SELECT stored_path FROM raw_files WHERE source = 'evidence'").fetchall()]
    for name, tbl in _memory_tables(settings.memory_dir).items():
        report.memory[name] = int(tbl.count_rows())
    # paths to remove: inside the home only; the person's own files elsewhere stay where they are
    targets: list[Path] = []
    if settings.memory_dir.exists():
        targets.append(settings.memory_dir)
    profile = home / "profile.toml"
    in_home_extra = [p for p in _profile_paths(profile) if _inside(p, home) is not None] if profile.exists() else []
    if profile.exists():
        targets.append(profile)
    targets += [home / f for f in HOME_FOLDERS if (home / f).exists()]
    outside: set[str] = set()
    for s in sorted({x.split("#", 1)[0] for x in sources}):
        p = Path(s)
        rel = _inside(p, home)
        if rel is None:
            outside.add(s)
        elif rel.parts and rel.parts[0] not in RESERVED and p.exists():
            targets.append(p)
    targets += [p for p in in_home_extra if p.exists()]
    targets += [p for p in raw_paths if _inside(p, settings.raw_dir) is not None and p.exists()]
    prefect_dir = Path(settings.prefect_home)
    report.prefect_flow_runs = _flow_runs(prefect_dir)
    targets += _prefect_files(prefect_dir)
    targets += sorted(home.glob(".import-*"))  # staging left by an interrupted import
    # one entry per path, nested paths counted once (in their top-most listed parent)
    uniq: list[Path] = []
    for p in sorted({t.resolve() if not t.is_symlink() else t for t in targets}, key=lambda x: len(x.parts)):
        if not any(_inside(p, q) is not None for q in uniq if q.is_dir() and not q.is_symlink()):
            uniq.append(p)
    for p in uniq:
        files, size = _count_files(p)
        report.paths[str(p)] = files
        report.bytes += size
    if settings.analytics_path.exists():
        report.kept.append(f"{settings.analytics_path} is published again from the cleaned warehouse")
    if outside:
        report.kept.append(f"{len(outside)} evidence sources outside the home stay where you keep them "
                           f"(e.g. {sorted(outside)[0]})")
    if (home / "pg").exists():
        report.kept.append(f"server-mode PostgreSQL under {home / 'pg'} (shared by homes) is not touched: stop it "
                           "(`make server-stop`) and delete its flow runs there")
    report.kept.append("market and taxonomy tables, raw dataset files, caches and data docs (public data)")
    if not yes:
        report.seconds = round(time.perf_counter() - t0, 3)
        return report
    # ---- remove: warehouse rows first (the most personal), then files
    if report.tables:
        with _warehouse(wh, read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                for spec in (*PERSON_TABLES, *FORGET_ONLY_TABLES):
                    if spec.name in report.tables:
                        con.execute(f"DELETE FROM {spec.name}" + (f" WHERE {spec.where}" if spec.where else ""))
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        _rewrite_warehouse(wh)
        report.warehouse_rewritten = True
    for p in uniq:
        _remove(p)
    if settings.analytics_path.exists():
        if wh.is_file():
            from careeros.metrics.analytics import publish_analytics

            publish_analytics(settings)
        else:
            settings.analytics_path.unlink()
    report.seconds = round(time.perf_counter() - t0, 3)
    return report
