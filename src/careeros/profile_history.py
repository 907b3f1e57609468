"""Versions of the person's profile file, and rollback to any of them.

Every distinct content of ``profile.toml`` that careeros sees (it writes it, a flow reads it, the person asks for
its history) is kept as a ``profile_version`` row (version number, sha256, who and why) and its full text as a
file under ``$CAREEROS_HOME/profile-versions/`` (:func:`store_for`): the person's contact details stay among the
person's own files, never in the analytics snapshot that is a copy of the warehouse. Rolling back
writes an old version's text back to the file (atomically, after checking it still loads) and records that as a
new version, so a rollback is itself undoable and nothing is ever lost. Functions take an open DuckDB
connection owned by the caller.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
from pydantic import BaseModel

from careeros.warehouse.db import fetch_one

Source = Literal["observed", "written", "rollback", "import"]


class ProfileVersion(BaseModel):
    """One stored content of the profile file."""

    version: int
    content_sha256: str
    source: str
    note: str | None
    actor: str
    run_id: str | None
    created_at: datetime
    text: str = ""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def store_for(home: Path) -> Path:
    """Where the texts of a home's profile versions live: ``$CAREEROS_HOME/profile-versions``."""
    return Path(home) / "profile-versions"


class MissingVersionText(RuntimeError):
    """A version's text file is gone (deleted by hand, or a home restored without it)."""


def _row(r: tuple[object, ...], store: Path | None) -> ProfileVersion:
    names = ["version", "content_sha256", "source", "note", "actor", "run_id", "created_at"]
    text = ""
    if store is not None:
        f = store / str(r[7])
        if not f.is_file():
            raise MissingVersionText(f"the text of profile version {r[0]} is missing ({f})")
        text = f.read_text(encoding="utf-8")
    return ProfileVersion.model_validate({**dict(zip(names, r[:7], strict=True)), "text": text})


_COLS = "version, content_sha256, source, note, actor, run_id, created_at, file"


def versions(con: duckdb.DuckDBPyConnection) -> list[ProfileVersion]:
    """Every stored version (without texts), oldest first."""
    return [_row(r, None) for r in con.execute(f"SELECT {_COLS} FROM profile_version ORDER BY version").fetchall()]


def get_version(con: duckdb.DuckDBPyConnection, store: Path, version: int) -> ProfileVersion | None:
    """One version with its text (read from ``store``), or None."""
    r = fetch_one(con.execute(f"SELECT {_COLS} FROM profile_version WHERE version = ?", [version]))
    return _row(r, store) if r else None


def _latest(con: duckdb.DuckDBPyConnection) -> tuple[int, str] | None:
    r = fetch_one(con.execute("SELECT version, content_sha256 FROM profile_version ORDER BY version DESC LIMIT 1"))
    return (int(r[0]), str(r[1])) if r else None


def latest(con: duckdb.DuckDBPyConnection, store: Path) -> ProfileVersion | None:
    """The newest stored version with its text, or None."""
    last = _latest(con)
    return get_version(con, store, last[0]) if last else None


def record_text(con: duckdb.DuckDBPyConnection, store: Path, text: str, *, actor: str, source: Source = "observed",
                note: str = "", run_id: str | None = None, at: datetime | None = None) -> ProfileVersion | None:
    """Store ``text`` as a new version unless it equals the newest one; returns the new version or None."""
    last = _latest(con)
    sha = _sha(text)
    if last is not None and last[1] == sha:
        return None
    version = (last[0] + 1) if last else 1
    now = at or datetime.now(UTC)
    name = f"v{version:04d}-{sha[:12]}.toml"
    store.mkdir(parents=True, exist_ok=True)
    tmp = store / f".{name}.tmp-{os.getpid()}"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(store / name)  # the file first: a row never points at a text that is not there
    con.execute("INSERT INTO profile_version VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [version, sha, name, source, note or None, actor, run_id, now])
    facts = {"profile_version": version, "previous_version": last[0] if last else None, "note": note}
    con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, version_sha256, facts_json, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, now, actor, f"profile_{source}", sha, json.dumps(facts, sort_keys=True), run_id])
    return ProfileVersion(version=version, content_sha256=sha, source=source, note=note or None, actor=actor,
                          run_id=run_id, created_at=now, text=text)


def snapshot(con: duckdb.DuckDBPyConnection, store: Path, path: Path, *, actor: str = "automation",
             source: Source = "observed", note: str = "", run_id: str | None = None) -> ProfileVersion | None:
    """Record the profile file's current content if it changed since the newest version (no file: None)."""
    path = Path(path)
    if not path.is_file():
        return None
    return record_text(con, store, path.read_text(encoding="utf-8"), actor=actor, source=source, note=note,
                       run_id=run_id)


def diff(old: str, new: str, old_name: str = "old", new_name: str = "new") -> str:
    """A unified diff of two profile texts."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))


class RollbackError(ValueError):
    """The requested version does not exist or no longer loads as a profile."""


def rollback(con: duckdb.DuckDBPyConnection, store: Path, path: Path, version: int, *, actor: str,
             run_id: str | None = None) -> ProfileVersion:
    """Write version ``version`` back to ``path`` (checked to load first); the current text is kept as a version."""
    from careeros.profile import load_profile

    try:
        target = get_version(con, store, version)
    except MissingVersionText as exc:
        raise RollbackError(str(exc)) from exc
    if target is None:
        known = [v.version for v in versions(con)]
        raise RollbackError(f"no profile version {version} (known: {known or 'none'})")
    path = Path(path)
    snapshot(con, store, path, actor=actor, source="observed", note="before rollback", run_id=run_id)
    tmp = path.with_name(f".{path.name}.rollback-{os.getpid()}{path.suffix}")
    tmp.write_text(target.text, encoding="utf-8")
    try:
        load_profile(tmp)  # relative paths resolve against the same folder as the real file
    except Exception as exc:  # noqa: BLE001 - any validation error is the reason to refuse
        tmp.unlink(missing_ok=True)
        raise RollbackError(f"profile version {version} no longer loads: {str(exc).splitlines()[0]}") from exc
    tmp.replace(path)
    rec = record_text(con, store, target.text, actor=actor, source="rollback",
                      note=f"rolled back to version {version}", run_id=run_id)
    if rec is None:  # the file already had that content
        last = latest(con, store)
        assert last is not None
        return last
    return rec


def write_profile_text(path: Path, text: str, *, warehouse: Path | None, actor: str, note: str = "") -> None:
    """Write a profile file atomically after checking it loads; record the old and new content as versions.

    Versions are recorded only when ``warehouse`` exists (``careeros init`` may run before the first ingest;
    the next observation records the file then).
    """
    from careeros.profile import load_profile
    from careeros.warehouse.db import connect

    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}{path.suffix}")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_profile(tmp)  # what we write must load back
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    if warehouse is not None and Path(warehouse).is_file():
        store = store_for(Path(warehouse).parent)
        with connect(Path(warehouse)) as con:
            snapshot(con, store, path, actor=actor, note=f"before: {note}" if note else "")
            tmp.replace(path)
            record_text(con, store, text, actor=actor, source="written", note=note)
    else:
        tmp.replace(path)
