"""Derived artefacts a CLI call reads back from the home's cache directory instead of rebuilding them.

The skill hierarchy and the tokenised ESCO occupation labels are keyed by the warehouse's graph sha (plus the
concept table and the code that builds them): a second process gets the same object from disk, and a new graph sha
builds a new one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from careeros.settings import get_settings


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CAREEROS_HOME", str(tmp_path / "home"))
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def _warehouse(sha: str, occupations: list[tuple[str, str, list[str]]]) -> Any:
    con = duckdb.connect()
    con.execute("CREATE TABLE source_versions (source VARCHAR, source_sha256 VARCHAR)")
    con.execute("INSERT INTO source_versions VALUES ('careeros-graph', ?)", [sha])
    con.execute("CREATE TABLE esco_occupation (occupation_uri VARCHAR, preferred_label VARCHAR, alt_labels VARCHAR[])")
    con.executemany("INSERT INTO esco_occupation VALUES (?, ?, ?)", occupations)
    con.execute("CREATE TABLE onet_dwa (dwa_title VARCHAR)")
    con.execute("INSERT INTO onet_dwa VALUES ('Analyze data'), ('Teach students')")
    con.execute("CREATE TABLE graph_skill (skill_id VARCHAR, label VARCHAR, kind VARCHAR)")
    con.execute("INSERT INTO graph_skill VALUES ('tech:postgresql', 'PostgreSQL', 'technology'), "
                "('concept:sql', 'SQL', 'concept')")
    return con


OCCS = [("http://esco/o/1", "data engineer", ["big data engineer", "ETL developers"]),
        ("http://esco/o/2", "registered nurse", [])]


def test_esco_reference_is_read_back_from_disk(home: Path) -> None:
    from careeros.planner import requirements as rq

    con = _warehouse("sha-1", OCCS)
    rq._ESCO_REFERENCE.clear()
    built = rq._esco_reference(con)
    assert built == rq._build_esco_reference(con)
    assert list((home / "cache").glob("planner-esco-reference-*.pkl"))
    # a new process (empty memory cache) reads the file: the same reference, even with the table changed under
    # the same graph sha (it is keyed by the sha, like the in-memory cache)
    rq._ESCO_REFERENCE.clear()
    assert rq._esco_reference(_warehouse("sha-1", OCCS[:1])) == built
    # a new graph sha builds anew
    rq._ESCO_REFERENCE.clear()
    other = rq._esco_reference(_warehouse("sha-2", OCCS[:1]))
    assert [o[0] for o in other[0]] == ["http://esco/o/1"]
    rq._ESCO_REFERENCE.clear()


def test_hierarchy_is_read_back_from_disk(home: Path) -> None:
    from careeros.graph import hierarchy as hi

    con = _warehouse("sha-1", OCCS)
    hi._CACHE.clear()
    built = hi.load_hierarchy(con)
    assert built == hi._build_from(con)
    files = list((home / "cache").glob("hierarchy-*.pkl"))
    assert len(files) == 1
    hi._CACHE.clear()
    changed = _warehouse("sha-1", OCCS)
    changed.execute("DELETE FROM graph_skill WHERE skill_id = 'tech:postgresql'")
    assert hi._build_from(changed) != built  # what a rebuild would give ...
    assert hi.load_hierarchy(changed) == built  # ... but the same sha reads the file back
    hi._CACHE.clear()
    hi.load_hierarchy(_warehouse("sha-2", OCCS))
    assert len(list((home / "cache").glob("hierarchy-*.pkl"))) == 2
    hi._CACHE.clear()
    # an unreadable file is rebuilt, not fatal
    files[0].write_bytes(b"not a pickle")
    assert hi.load_hierarchy(con) == built
    hi._CACHE.clear()
