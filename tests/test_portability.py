"""Your data: export -> import round trip (table checksums, memory hits, files), refusals (tampered, truncated,
zip-slip, non-empty home), secrets masked, and forget (dry run, then real; market tables survive).

Real parts only: the built warehouse, evidence curation into DuckDB + LanceDB, a git repository, the CLI.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from careeros import portability as pt
from careeros.cli import app
from careeros.settings import Settings

NOW = datetime(2026, 6, 1, tzinfo=UTC)
QUERIES = ("kafka streaming pipeline", "resume backend engineer", "rust command line tool", "quokkaflux")
MARKER = "Quokkaflux"


def _git_repo(dest: Path) -> None:
    dest.mkdir(parents=True)
    (dest / "README.md").write_text("# tinyctl\n\nA small Rust command line tool that tails Kafka topics.\n")
    (dest / "Cargo.toml").write_text('[package]\nname = "tinyctl"\nversion = "0.1.0"\n\n[dependencies]\n'
                                     'rdkafka = "0.36"\nclap = "4"\n')
    env = ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "add", "."], check=True)
    subprocess.run(["git", "-C", str(dest), *env, "commit", "-q", "-m", "tinyctl: first version"], check=True,
                   env={"GIT_AUTHOR_DATE": "2025-03-01T10:00:00Z", "GIT_COMMITTER_DATE": "2025-03-01T10:00:00Z",
                        "PATH": "/usr/bin:/bin"})


def _add_person_rows(wh: Path) -> None:
    """Plans, outcomes, metrics, decisions and the other person tables, written by domain code where it is cheap."""
    from careeros.metrics.outcomes import events_frame, make_event, record_events
    from careeros.planner.assumptions import sync_assumptions
    from careeros.warehouse.db import connect

    with connect(wh) as con:
        sync_assumptions(con, run_id="run-plan")
        record_events(con, events_frame([
            make_event("task_done", NOW, plan_id="p1", task_id="t1", notes="finished the kafka demo"),
            make_event("hours", NOW, plan_id="p1", task_id="t1", quantity=2.5),
            make_event("interview", NOW, notes=f"{MARKER} Ltd, first round"),
        ]))
        con.execute("INSERT INTO plan_version VALUES ('p1', 1, 'approved', ?, ?, ?, NULL, 'focus', '{\"weeks\": 2}', "
                    "NULL, '[]', 'snap', 3, 'run-plan', 0, 'abc')", [NOW, NOW, NOW])
        con.execute("INSERT INTO plan_task VALUES ('p1', 1, 't1', 1, 'learn', 'Kafka basics', 2.5, ['t0'], NULL, "
                    "['15-1252.00'], false, '{}')")
        con.execute("INSERT INTO plan_approval VALUES ('p1', 1, 'run-plan', 0, 'approve', 'ok', 6.0, 'tester', ?)",
                    [NOW])
        con.execute("INSERT INTO metrics_weekly VALUES ('week', DATE '2026-05-25', DATE '2026-05-31', 'hours', 2.5, "
                    "2.5, 1, 1, 0.1, 3.3333333333333335, 'ok', NULL, 'run-m', ?)", [NOW])
        con.execute("INSERT INTO llm_calls VALUES ('c1', 'run-a', 'strategy', 'fast', 'deterministic', "
                    "'deterministic', 10, 20, 0.0, 1.5, false, 'ok', NULL, 'h1', ?)", [NOW])
        con.execute("INSERT INTO outbox VALUES ('m1', 'd1', 1, 'run-a', 'intro', 'ana@example.com', 'Hello', "
                    "'Hi Ana', 'drafted', NULL, NULL, NULL, NULL, ?, ?, NULL, NULL)", [NOW, NOW])
        con.execute("INSERT INTO context_buffer VALUES ('e1', 'run:r1', 'note', 'likes streaming', 0.8, NULL, ?, ?)",
                    [NOW, NOW])
        con.execute("INSERT INTO profile_version VALUES (1, 'sha', 'name = \"T\"', 'observed', NULL, 'tester', NULL, ?)",
                    [NOW])
        con.execute("INSERT INTO integration_action VALUES ('k1', 'calendar', 'publish', 's', '{}', 'applied', "
                    "'uid-1', '{}', 'run-a', ?)", [NOW])
        con.execute("INSERT INTO llm_cache VALUES ('h1', 'deterministic', 'strategy', '{\"answer\": 1}', ?)", [NOW])


@pytest.fixture(scope="module")
def source(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A home with market data and a person: curated evidence (files outside and inside the home, a git
    repository, one unreadable file -> quarantine), memory, plans, outcomes, files, a Prefect database."""
    from careeros.evidence import curate as cu
    from careeros.market.reference import load_extractor
    from careeros.memory.embedders import get_embedder
    from careeros.memory.store import MemoryStore
    from careeros.settings import get_settings

    root = tmp_path_factory.mktemp("portability")
    home, op = root / "home", root / "operator"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    (op / "notes").mkdir(parents=True)
    (op / "notes" / "2025-02-streaming.md").write_text(
        f"# {MARKER} streaming notes\n\nBuilt a Kafka streaming pipeline in Python with exactly-once sinks and "
        "schema registry; deployed it with Terraform on AWS.\n")
    (op / "notes" / "2025-04-leading.md").write_text(
        "# Leading a migration\n\nMentored three engineers while moving a monolith to microservices on Kubernetes.\n")
    (op / "notes" / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (op / "contacts.csv").write_text("name,email\nAna,ana@example.com\n")
    _git_repo(op / "repos" / "tinyctl")
    (home / "evidence" / "resume").mkdir(parents=True)
    (home / "evidence" / "resume" / "resume.md").write_text(
        "# Sam Doe, backend engineer\n\nSix years of Python and Go backend services; PostgreSQL, Redis, Docker.\n")
    (home / "profile.toml").write_text(
        'name = "Sam Doe"\nweekly_hours = 6\nhorizon_weeks = 8\ntimezone = "UTC"\n'
        f'evidence_folders = ["{op / "notes"}", "{home / "evidence" / "resume"}"]\n'
        f'git_repos = ["{op / "repos" / "tinyctl"}"]\ncontacts_file = "{op / "contacts.csv"}"\n'
        '[goal]\nstatement = "Move into data engineering"\n'
        '[[target_roles]]\ntitle = "Data Engineer"\nsoc_code = "15-1243.00"\n')
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(home))
        mp.delenv("CAREEROS_EMBEDDER", raising=False)
        get_settings.cache_clear()
        s = get_settings()
        emb = get_embedder()
        store = MemoryStore(s.memory_dir, emb.name, emb.dim)
        prof = cu.resolve_profile(home)
        g = cu.gather(prof)
        prep = cu.embed_and_link(cu.select_new(s.warehouse_path, store, g.items), s.warehouse_path, emb,
                                 load_extractor())
        written = cu.write_history(s.warehouse_path, prep, g, "run-curate")
        cu.sync_memory(s.warehouse_path, store, prep, "run-curate")
        assert written["items_new"] == 4 and written["quarantined"] == 1, written
        _add_person_rows(s.warehouse_path)
        (home / "plans").mkdir()
        (home / "plans" / "current.md").write_text("# Plan\n\n- week 1: Kafka basics\n")
        (home / "outbox").mkdir()
        (home / "outbox" / "m1.eml").write_text("To: ana@example.com\nSubject: Hello\n\nHi Ana\n")
        (home / "prefect").mkdir()
        (home / "prefect" / "auth").write_text("careeros:token\n")
        db = sqlite3.connect(home / "prefect" / "prefect.db")
        db.execute("CREATE TABLE flow_run (id TEXT, parameters TEXT)")
        db.executemany("INSERT INTO flow_run VALUES (?, ?)", [("r1", '{"name": "Sam Doe"}'), ("r2", "{}")])
        db.commit()
        db.close()
        get_settings.cache_clear()
        yield {"home": home, "op": op, "emb": emb, "root": root}
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def exported(source: dict[str, Any]) -> dict[str, Any]:
    """``careeros export --out ... --json`` of the source home."""
    out = source["root"] / "export.zip"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(source["home"]))
        res = CliRunner().invoke(app, ["export", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    return {"zip": out, "report": json.loads(res.stdout)}


def _checksums(home: Path) -> dict[str, str]:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return pt.table_checksums(con, pt.PERSON_TABLES)


def _hits(home: Path, emb: Any) -> list[list[tuple[str, float]]]:
    from careeros.memory.search import search
    from careeros.memory.store import MemoryStore

    store = MemoryStore(home / "memory", emb.name, emb.dim)
    return [[(h.chunk_id, h.score) for h in search(store, emb, q, k=5, now=NOW)] for q in QUERIES]


def _count(home: Path, table: str, where: str | None = None) -> int:
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return int(con.execute(f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")).fetchall()[0][0])


def _import(home: Path, zip_path: Path, *extra: str) -> Any:
    from careeros.settings import get_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(home))
        res = CliRunner().invoke(app, ["import", str(zip_path), *extra])
    get_settings.cache_clear()
    return res


def _one_line_error(res: Any, *needles: str) -> None:
    assert res.exit_code != 0
    err = res.stderr.strip()
    assert err.startswith("error: ") and len(err.splitlines()) == 1 and "Traceback" not in res.output, err
    for n in needles:
        assert n in err, err


def test_export_then_import_gives_the_same_state(source: dict[str, Any], exported: dict[str, Any],
                                                 tmp_path: Path) -> None:
    rep, zpath = exported["report"], exported["zip"]
    assert rep["tables"]["evidence_item"] == 4 and rep["tables"]["quarantine"] == 1 and rep["memory"]
    with zipfile.ZipFile(zpath) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = set(zf.namelist())
        for name, meta in manifest["files"].items():  # every member is in the manifest with its sha256 and size
            data = zf.read(name)
            assert len(data) == meta["bytes"] and hashlib.sha256(data).hexdigest() == meta["sha256"], name
    assert names == {*manifest["files"], "manifest.json"}
    assert manifest["format"] == pt.FORMAT and manifest["schema_version"] == pt.current_schema_version()
    assert not {"onet_occupation", "graph_skill", "posting", "llm_cache"} & set(manifest["tables"])
    assert not any("/.git/" in n for n in names) and any(n.endswith("tinyctl/Cargo.toml") for n in names)
    assert "home/evidence/resume/resume.md" in names and "home/outbox/m1.eml" in names
    assert not any(n.startswith(("home/prefect", "home/memory")) for n in names)

    target = tmp_path / "new-home"
    res = _import(target, zpath, "--json")
    assert res.exit_code == 0, res.output
    imp = json.loads(res.stdout)
    assert imp["checksums_verified"] and any("careeros ingest" in s for s in imp["next_steps"])
    # every exported table: same checksum in both homes, and the manifest's
    src, dst = _checksums(source["home"]), _checksums(target)
    assert set(manifest["tables"]) == {t.name for t in pt.PERSON_TABLES} and src == dst
    assert {k: v["checksum"] for k, v in manifest["tables"].items()} == dst
    assert _count(target, "onet_occupation") == 0  # market tables: `careeros ingest` rebuilds them
    # memory: same schema, rows and hits (ids, order and scores) for several queries
    import lancedb

    a = lancedb.connect(str(source["home"] / "memory"))
    b = lancedb.connect(str(target / "memory"))
    for name in manifest["memory"]:
        ta, tb = a.open_table(name), b.open_table(name)
        assert ta.schema.equals(tb.schema) and pt.arrow_checksum(ta.to_arrow()) == pt.arrow_checksum(tb.to_arrow())
    hits = _hits(source["home"], source["emb"])
    assert all(hits) and hits == _hits(target, source["emb"])
    # files byte-equal: profile, the person's folders, evidence (outside the home -> imported-evidence/)
    home = source["home"]
    for rel in ("profile.toml", "plans/current.md", "outbox/m1.eml", "evidence/resume/resume.md"):
        assert (target / rel).read_bytes() == (home / rel).read_bytes(), rel
    ev = imp["evidence"]
    note = source["op"] / "notes" / "2025-02-streaming.md"
    assert Path(ev[str(note)]).read_bytes() == note.read_bytes()
    assert Path(ev[str(note)]).is_relative_to(target / pt.IMPORTED_EVIDENCE)
    repo = Path(ev[str(source["op"] / "repos" / "tinyctl")])
    assert (repo / "Cargo.toml").read_bytes() == (source["op"] / "repos" / "tinyctl" / "Cargo.toml").read_bytes()
    assert not (repo / ".git").exists()
    contacts = source["op"] / "contacts.csv"
    assert Path(ev[str(contacts)]).read_bytes() == contacts.read_bytes()
    # a second import into the now non-empty home is refused and changes nothing
    res = _import(target, zpath)
    _one_line_error(res, "already holds person data")
    assert _checksums(target) == dst


def test_tampered_truncated_and_foreign_zips_are_refused(exported: dict[str, Any], tmp_path: Path) -> None:
    zpath = exported["zip"]
    member = "tables/evidence_item.parquet"
    # one byte changed in a Parquet member (a valid zip, the manifest untouched)
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(zpath) as src, zipfile.ZipFile(tampered, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            dst.writestr(info, data)
    target = tmp_path / "target"
    _one_line_error(_import(target, tampered), member, "checksum")
    # one byte flipped on disk inside the stored member (the zip's own CRC catches it)
    raw = bytearray(zpath.read_bytes())
    with zipfile.ZipFile(zpath) as zf:
        start = zf.getinfo(member).header_offset
    name_len, extra_len = int.from_bytes(raw[start + 26:start + 28], "little"), int.from_bytes(raw[start + 28:start + 30],
                                                                                                "little")
    raw[start + 30 + name_len + extra_len + 50] ^= 0xFF
    flipped = tmp_path / "flipped.zip"
    flipped.write_bytes(bytes(raw))
    _one_line_error(_import(target, flipped), member)
    # truncated
    cut = tmp_path / "cut.zip"
    cut.write_bytes(zpath.read_bytes()[: zpath.stat().st_size // 2])
    _one_line_error(_import(target, cut), "cut.zip")
    # a member the manifest does not list
    extra = tmp_path / "extra.zip"
    shutil.copyfile(zpath, extra)
    with zipfile.ZipFile(extra, "a") as zf:
        zf.writestr("home/plans/extra.md", "surprise")
    _one_line_error(_import(target, extra), "home/plans/extra.md", "not listed")
    assert not target.exists()  # nothing was written for any of them


@pytest.mark.parametrize("evil", ["../evil.txt", "home/../../evil.txt", "/tmp/evil.txt", "home\\..\\evil.txt"])
def test_zip_slip_entries_are_refused(tmp_path: Path, evil: str) -> None:
    data = b"pwned"
    manifest = {"format": pt.FORMAT, "format_version": pt.FORMAT_VERSION, "schema_version": 1, "tables": {},
                "memory": {}, "files": {evil: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}}}
    zpath = tmp_path / "evil.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr(evil, data)
    target = tmp_path / "a" / "b" / "home"
    with pytest.raises(pt.PortabilityError, match="unsafe member") as exc:
        pt.import_home(Settings(home=target), zpath)
    assert repr(evil)[1:-1] in str(exc.value) or evil in str(exc.value)
    assert not target.exists() and not (tmp_path / "a" / "evil.txt").exists() and not (tmp_path / "evil.txt").exists()


def test_secrets_in_llm_calls_are_masked_in_an_export(tmp_path: Path) -> None:
    from careeros.warehouse.db import connect

    home = tmp_path / "home"
    with connect(home / "warehouse.duckdb") as con:
        con.execute("INSERT INTO llm_calls VALUES ('c1', NULL, 'p', 'fast', 'm', 'x', 0, 0, 0, NULL, false, "
                    "'failed', 'auth failed for key sk-proj-abcdefghijklmnopqrstuvwx', NULL, ?)", [NOW])
    rep = pt.export_home(Settings(home=home), tmp_path / "out.zip")
    assert rep.redacted == {"llm_calls": 1} and rep.tables["llm_calls"] == 1
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        import pyarrow.parquet as pq

        errors = pq.read_table(io.BytesIO(zf.read("tables/llm_calls.parquet"))).column("error").to_pylist()
    assert errors == ["auth failed for key [REDACTED]"]
    # a newer export format or schema is refused before anything is written
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(tmp_path / "out.zip") as src, zipfile.ZipFile(newer, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "manifest.json":
                m = json.loads(data)
                m["schema_version"] = pt.current_schema_version() + 1
                data = json.dumps(m).encode()
            dst.writestr(info, data)
    with pytest.raises(pt.PortabilityError, match="newer careeros"):
        pt.import_home(Settings(home=tmp_path / "other"), newer)
    assert not (tmp_path / "other").exists()


def test_forget_needs_yes_then_removes_the_person_and_keeps_the_market(
        source: dict[str, Any], exported: dict[str, Any], tmp_path: Path) -> None:
    from careeros.settings import get_settings

    home = tmp_path / "home"
    shutil.copytree(source["home"], home)
    # evidence paths inside the copied home are the source's; the copy's own in-home files go by its folders
    before = _checksums(home)
    market = {t: _count(home, t) for t in ("onet_occupation", "graph_skill", "esco_skill")}
    assert all(market.values())
    from careeros.metrics.analytics import publish_analytics

    publish_analytics(Settings(home=home))  # the analyst's snapshot is a copy of the person's rows too
    for f in ("warehouse.duckdb", "analytics.duckdb"):
        assert MARKER.encode() in (home / f).read_bytes()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CAREEROS_HOME", str(home))
        dry = CliRunner().invoke(app, ["forget"])
        assert dry.exit_code == 1 and "careeros forget --yes" in dry.stderr, dry.output
        assert "would remove" in dry.stdout and "Prefect flow runs: 2" in dry.stdout
        assert _checksums(home) == before and (home / "profile.toml").exists() and (home / "memory").exists()
        res = CliRunner().invoke(app, ["forget", "--yes", "--json"])
    get_settings.cache_clear()
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert not rep["dry_run"] and rep["warehouse_rewritten"] and rep["prefect_flow_runs"] == 2
    assert rep["tables"]["evidence_item"] == 4 and rep["tables"]["llm_cache"] == 1 and rep["tables"]["quarantine"] == 1
    assert sum(rep["memory"].values()) > 0 and rep["bytes"] > 0
    assert str(home / "profile.toml") in rep["paths"] and str(home / "plans") in rep["paths"]
    # the person's data is gone: rows, memory, files, the Prefect database; not a byte of it left in the file
    assert pt.person_data(Settings(home=home)) == []
    assert all(_count(home, t.name, t.where) == 0 for t in (*pt.PERSON_TABLES, *pt.FORGET_ONLY_TABLES))
    for f in ("warehouse.duckdb", "analytics.duckdb"):
        assert MARKER.encode() not in (home / f).read_bytes(), f
    for rel in ("memory", "profile.toml", "plans", "outbox", "evidence", "prefect/prefect.db"):
        assert not (home / rel).exists(), rel
    assert (home / "prefect" / "auth").exists()
    assert (source["op"] / "notes" / "2025-02-streaming.md").exists()  # the person's own files elsewhere stay
    # the market stays, and the home is empty enough to import the export back: the same state again
    assert {t: _count(home, t) for t in market} == market
    back = _import(home, exported["zip"])
    assert back.exit_code == 0, back.output
    assert _checksums(home) == before


def test_forget_refuses_while_the_homes_prefect_server_runs(tmp_path: Path) -> None:
    import os

    home = tmp_path / "home"
    (home / "prefect").mkdir(parents=True)
    (home / "profile.toml").write_text('name = "X"\n')
    (home / "prefect" / "server.json").write_text(json.dumps({"pid": os.getpid(), "api_url": "http://x/api"}))
    with pytest.raises(pt.PortabilityError, match="Prefect server of this home runs"):
        pt.forget_home(Settings(home=home), yes=True)
    assert (home / "profile.toml").exists()
