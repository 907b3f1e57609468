"""Versions of the person's profile file, and rollback to any of them.

Every distinct content of ``profile.toml`` that careeros sees (it writes it, a flow reads it, the person asks for
its history) is kept as a ``profile_version`` row: version number, sha256, full text, who and why. Rolling back
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


def _row(r: tuple[object, ...], with_text: bool) -> ProfileVersion:
    names = ["version", "content_sha256", "source", "note", "actor", "run_id", "created_at"]
    return ProfileVersion.model_validate({**dict(zip(names, r[:7], strict=True)),
                                         "text": str(r[7]) if with_text else ""})


_COLS = "version, content_sha256, source, note, actor, run_id, created_at, profile_toml"


def versions(con: duckdb.DuckDBPyConnection, with_text: bool = False) -> list[ProfileVersion]:
    """Every stored version, oldest first."""
    return [_row(r, with_text) for r in con.execute(f"SELECT {_COLS} FROM profile_version ORDER BY version").fetchall()]


def get_version(con: duckdb.DuckDBPyConnection, version: int) -> ProfileVersion | None:
    """One version with its text, or None."""
    r = fetch_one(con.execute(f"SELECT {_COLS} FROM profile_version WHERE version = ?", [version]))
    return _row(r, True) if r else None


def latest(con: duckdb.DuckDBPyConnection) -> ProfileVersion | None:
    """The newest stored version with its text, or None."""
    r = fetch_one(con.execute(f"SELECT {_COLS} FROM profile_version ORDER BY version DESC LIMIT 1"))
    return _row(r, True) if r else None


def record_text(con: duckdb.DuckDBPyConnection, text: str, *, actor: str, source: Source = "observed",
                note: str = "", run_id: str | None = None, at: datetime | None = None) -> ProfileVersion | None:
    """Store ``text`` as a new version unless it equals the newest one; returns the new version or None."""
    last = latest(con)
    sha = _sha(text)
    if last is not None and last.content_sha256 == sha:
        return None
    version = (last.version + 1) if last else 1
    now = at or datetime.now(UTC)
    con.execute("INSERT INTO profile_version VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [version, sha, text, source, note or None, actor, run_id, now])
    facts = {"profile_version": version, "previous_version": last.version if last else None, "note": note}
    con.execute("INSERT INTO decision_log (decision_id, decided_at, actor, action, version_sha256, facts_json, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, now, actor, f"profile_{source}", sha, json.dumps(facts, sort_keys=True), run_id])
    return ProfileVersion(version=version, content_sha256=sha, source=source, note=note or None, actor=actor,
                          run_id=run_id, created_at=now, text=text)


def snapshot(con: duckdb.DuckDBPyConnection, path: Path, *, actor: str = "automation", source: Source = "observed",
             note: str = "", run_id: str | None = None) -> ProfileVersion | None:
    """Record the profile file's current content if it changed since the newest version (no file: None)."""
    path = Path(path)
    if not path.is_file():
        return None
    return record_text(con, path.read_text(encoding="utf-8"), actor=actor, source=source, note=note, run_id=run_id)


def diff(old: str, new: str, old_name: str = "old", new_name: str = "new") -> str:
    """A unified diff of two profile texts."""
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name))


class RollbackError(ValueError):
    """The requested version does not exist or no longer loads as a profile."""


def rollback(con: duckdb.DuckDBPyConnection, path: Path, version: int, *, actor: str,
             run_id: str | None = None) -> ProfileVersion:
    """Write version ``version`` back to ``path`` (checked to load first); the current text is kept as a version."""
    from careeros.profile import load_profile

    target = get_version(con, version)
    if target is None:
        known = [v.version for v in versions(con)]
        raise RollbackError(f"no profile version {version} (known: {known or 'none'})")
    path = Path(path)
    snapshot(con, path, actor=actor, source="observed", note="before rollback", run_id=run_id)
    tmp = path.with_name(f".{path.name}.rollback-{os.getpid()}{path.suffix}")
    tmp.write_text(target.text, encoding="utf-8")
    try:
        load_profile(tmp)  # relative paths resolve against the same folder as the real file
    except Exception as exc:  # noqa: BLE001 - any validation error is the reason to refuse
        tmp.unlink(missing_ok=True)
        raise RollbackError(f"profile version {version} no longer loads: {str(exc).splitlines()[0]}") from exc
    tmp.replace(path)
    rec = record_text(con, target.text, actor=actor, source="rollback", note=f"rolled back to version {version}",
                      run_id=run_id)
    if rec is None:  # the file already had that content
        last = latest(con)
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
        with connect(Path(warehouse)) as con:
            snapshot(con, path, actor=actor, note=f"before: {note}" if note else "")
            tmp.replace(path)
            record_text(con, text, actor=actor, source="written", note=note)
    else:
        tmp.replace(path)
