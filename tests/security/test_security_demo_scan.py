"""A full ``careeros demo`` with planted secrets and personal data; every log, artifact and file is scanned.

The demo runs as a subprocess on a temporary CAREEROS_HOME against a local Prefect server started with the
product's own launcher (``careeros.ops.server.start_local_server``, SQLite under ``$CAREEROS_HOME/prefect``), so
everything the server stores can be read back afterwards: through the API and as the raw SQLite bytes.

Planted
  * secrets in every secret setting and in the variables litellm would read: CAREEROS_LLM_API_KEY,
    OPENAI_API_KEY, ANTHROPIC_API_KEY, CAREEROS_SMTP_PASSWORD (SMTP host/user set too, nothing listens);
  * personal data: the sample operator's own e-mail and phone (resume, profile), plus a planted note with a
    private e-mail, a mobile number and a street address, the private e-mail again as CAREEROS_SMTP_FROM;
    the contacts' e-mail addresses (contacts.csv) count as personal data as well.

Secrets must appear nowhere: every file under CAREEROS_HOME and the client's PREFECT_HOME (bytes), every
table of the warehouse and the analytics snapshot (SQL, DuckDB compresses strings), everything the Prefect
API returns, the demo's stdout/stderr.

Personal data must not reach: Prefect flow-run logs, artifacts (markdown/progress/table), flow-run parameters,
states and results, task-run names and parameters, pause forms and their answers (flow-run inputs), events,
variables and blocks, the server's SQLite database and log, any ``*.log`` file or ``logs/`` folder, the client's
PREFECT_HOME, the demo's stdout/stderr, the llm_calls/llm_cache tables, and (the operator's own contact details)
the analytics snapshot.

Allowed, because they are the person's own local outputs or inputs and never leave the machine: the sample
operator folder and profile.toml (inputs), LanceDB memory (evidence chunks for search), the warehouse's own
tables (evidence, the outbox queue with its recipients; the analytics snapshot copies that queue), the outbox
``.eml`` files, the agents' output folder, the plan markdown/.ics and the HTML report. The operator's name is
not treated as contact data (it titles the resume evidence and signs drafts).
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.security, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CLI = Path(sys.executable).with_name("careeros")
SAMPLE = REPO / "data" / "sample_operator"

SECRET_MARK = "careeros-test-SECRET"  # shared by every planted secret: catches truncated leaks too
SECRETS = {
    "CAREEROS_LLM_API_KEY": f"sk-{SECRET_MARK}-llm-3f9a61c7d2e4",
    "OPENAI_API_KEY": f"sk-{SECRET_MARK}-openai-8b2e47a0c915",
    "ANTHROPIC_API_KEY": f"sk-ant-{SECRET_MARK}-anthropic-5c19d07be3",
    "CAREEROS_SMTP_PASSWORD": f"{SECRET_MARK}-smtp-e71d0a94f6b2",
}

PRIVATE_EMAIL = "jordan.private.q7x3@careeros-test.example"
NOTE = f"""# Contact card (private)

How to reach me outside work: {PRIVATE_EMAIL}, mobile +351 963 218 774.
Home address for paperwork: Rua das Flores 118, 1200-195 Lisboa.
"""


def _phone(digits: str) -> str:
    """A pattern for a 9-digit number written with or without spaces, dots or dashes between its groups."""
    return r"[\s.\-]?".join(re.escape(d) for d in (digits[:3], digits[3:6], digits[6:]))


#: the operator's own contact details (sample resume/profile + the planted note)
OPERATOR = {
    "sample e-mail": re.escape("jordan.reyes@example.com"),
    "sample phone": _phone("912345678"),
    "planted e-mail": re.escape(PRIVATE_EMAIL),
    "planted phone": _phone("963218774"),
    "planted address": r"Rua das Flores 118",
}


def _contacts() -> dict[str, str]:
    with (SAMPLE / "contacts.csv").open(encoding="utf-8") as f:
        return {f"contact {r['name']}": re.escape(r["email"]) for r in csv.DictReader(f)}


CONTACTS = _contacts()
PERSONAL = {**OPERATOR, **CONTACTS}
SECRET_PATTERNS = {"secret marker": re.escape(SECRET_MARK), **{k: re.escape(v) for k, v in SECRETS.items()}}

#: places under CAREEROS_HOME where personal data may live (the person's own local inputs and outputs)
ALLOWED_PERSONAL = ("sample_operator/", "profile.toml", "profile-versions/", "memory/", "warehouse.duckdb",
                    "analytics.duckdb", "outbox/", "agents/", "plans/", "reports/")


_COMPILED: dict[int, tuple[re.Pattern[bytes], dict[str, re.Pattern[bytes]]]] = {}


def found(text: str | bytes, patterns: dict[str, str]) -> list[str]:
    """Names of the patterns that occur in ``text`` (searched as bytes, case-insensitive: binary-safe)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if id(patterns) not in _COMPILED:
        _COMPILED[id(patterns)] = (re.compile("|".join(f"(?:{p})" for p in patterns.values()).encode(), re.I),
                                   {n: re.compile(p.encode(), re.I) for n, p in patterns.items()})
    anyp, each = _COMPILED[id(patterns)]
    if not anyp.search(data):
        return []
    return [name for name, pat in each.items() if pat.search(data)]


def found_secret(data: bytes) -> list[str]:
    """Planted secrets (exact bytes; the shared marker catches truncated copies) in ``data``: fast on big files."""
    return [name for name, value in (("secret marker", SECRET_MARK), *SECRETS.items()) if value.encode() in data]


def files_under(root: Path) -> Iterator[Path]:
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            yield p


@dataclass
class DemoRun:
    home: Path
    client_home: Path
    stdout: str
    stderr: str
    seconds: float
    api: dict[str, Any]
    api_url: str
    server_host: str
    listeners: dict[str, list[str]] = field(default_factory=dict)


def _listeners(port: int) -> dict[str, list[str]]:
    """Local addresses (hex, as in /proc/net/tcp*) listening on ``port``."""
    out: dict[str, list[str]] = {}
    for name in ("tcp", "tcp6"):
        try:
            lines = Path(f"/proc/net/{name}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            addr, hexport = cols[1].rsplit(":", 1)
            if cols[3] == "0A" and int(hexport, 16) == port:  # 0A = LISTEN
                out.setdefault(name, []).append(addr)
    return out


def _dump_prefect(api_url: str, since: datetime, auth: str = "") -> dict[str, Any]:
    """Everything the server holds about the demo: runs, task runs, logs, artifacts, inputs, events, ..."""
    import httpx

    from careeros.ops.server import basic_auth_header

    out: dict[str, Any] = {}
    with httpx.Client(base_url=api_url, timeout=60,
                      headers={"Authorization": basic_auth_header(auth)} if auth else {}) as c:
        tok = c.get("/csrf-token", params={"client": "demo-scan"})  # the server's CSRF protection is on
        if tok.status_code == 200:
            c.headers.update({"Prefect-Csrf-Token": tok.json()["token"], "Prefect-Csrf-Client": "demo-scan"})
        def paged(path: str, page: int = 200) -> list[Any]:
            rows: list[Any] = []
            while True:
                r = c.post(path, json={"limit": page, "offset": len(rows)})
                r.raise_for_status()
                got = r.json()
                rows += got
                if len(got) < page:
                    return rows

        for key, path in (("flows", "/flows/filter"), ("flow_runs", "/flow_runs/filter"),
                          ("task_runs", "/task_runs/filter"), ("logs", "/logs/filter"),
                          ("artifacts", "/artifacts/filter"), ("deployments", "/deployments/filter"),
                          ("variables", "/variables/filter"), ("block_documents", "/block_documents/filter")):
            out[key] = paged(path)
        out["latest_artifacts"] = c.post("/artifacts/latest/filter", json={"limit": 200}).json()
        out["flow_run_inputs"] = []
        out["flow_run_states"] = []
        for fr in out["flow_runs"]:
            r = c.post(f"/flow_runs/{fr['id']}/input/filter", json={"prefix": "", "limit": 200})
            r.raise_for_status()
            out["flow_run_inputs"] += r.json()
            r = c.get("/flow_run_states/", params={"flow_run_id": fr["id"]})
            r.raise_for_status()
            out["flow_run_states"] += r.json()
        events: list[Any] = []
        r = c.post("/events/filter", json={"limit": 50, "filter": {"occurred": {"since": since.isoformat()}}})
        r.raise_for_status()
        body = r.json()
        while True:
            events += body.get("events", [])
            nxt = body.get("next_page")
            if not nxt or len(events) > 20_000:
                break
            body = c.get(nxt).json()
        out["events"] = events
    return out


@pytest.fixture(scope="module")
def demo_run(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    """The demo, run once against a server of our own, then the server's contents read back and stopped."""
    from careeros.cli.init_cmd import install_sample_operator
    from careeros.ops.server import free_port, start_local_server

    base = tmp_path_factory.mktemp("demo-scan")
    home, client_home = base / "home", base / "client-prefect"
    home.mkdir()
    client_home.mkdir()
    # the session-built warehouse: the demo's ingest step then skips the unchanged sources
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    # the sample operator, installed before the demo (which keeps an existing copy) with a private contact note
    install_sample_operator(home / "sample_operator")
    (home / "sample_operator" / "notes" / "2025-12-contact-card.md").write_text(NOTE, encoding="utf-8")

    server = start_local_server(None, home, scheduler=False)
    try:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PREFECT_", "CAREEROS_")) and k not in SECRETS}
        env.update(server.env, **SECRETS, CAREEROS_HOME=str(home), PREFECT_HOME=str(client_home),
                   PREFECT_LOGGING_LEVEL="INFO", CAREEROS_LOG_LEVEL="DEBUG", TQDM_DISABLE="1",
                   LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH=str(REPO),
                   CAREEROS_SMTP_HOST="127.0.0.1", CAREEROS_SMTP_PORT=str(free_port()),
                   CAREEROS_SMTP_USER="jordan-smtp", CAREEROS_SMTP_FROM=PRIVATE_EMAIL)
        since = datetime.now(UTC) - timedelta(minutes=1)
        t0 = time.perf_counter()
        res = subprocess.run([str(CLI) if CLI.exists() else sys.executable, "demo", "--json"], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=600)
        seconds = time.perf_counter() - t0
        assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
        run = DemoRun(home=home, client_home=client_home, stdout=res.stdout, stderr=res.stderr, seconds=seconds,
                      api=_dump_prefect(server.api_url, since, server.auth), api_url=server.api_url, server_host=server.host,
                      listeners=_listeners(server.port))
    finally:
        server.stop()  # the SQLite files are complete (and checkpointed) once it is down
    yield run


def test_demo_ran_everything_against_our_server(demo_run: DemoRun) -> None:
    api = demo_run.api
    names = {f["name"] for f in api["flows"]}
    assert {"ingest-market-signals", "curate-evidence", "recalculate-weekly-plan", "run-agents"} <= names
    assert all(fr["state_type"] == "COMPLETED" for fr in api["flow_runs"]), [
        (fr["name"], fr["state_type"]) for fr in api["flow_runs"]]
    assert api["logs"], "INFO logs reach the API, so the log scan is not vacuous"
    assert api["task_runs"] and api["events"] and api["flow_run_inputs"]
    keys = {a["key"] for a in api["artifacts"]}
    assert {"curate-evidence-summary", "recalculate-weekly-plan", "agent-outreach", "run-agents"} <= keys
    top = [m.start() for m in re.finditer(r"^\{$", demo_run.stdout, re.M)]  # `--json` prints the summary last
    assert top, demo_run.stdout[-2000:]
    out = json.loads(demo_run.stdout[top[-1]:])
    assert Path(out["report"]).is_file() and out["agents"]["drafts"] >= 1
    # no bound on demo_run.seconds: wall time depends on the machine's load (benchmarks/ measures the demo)


def test_servers_bind_loopback_only(demo_run: DemoRun) -> None:
    from careeros.ops.server import HOST, LocalServer, server_env

    assert HOST == "127.0.0.1" and demo_run.server_host == "127.0.0.1"
    assert demo_run.api_url.startswith("http://127.0.0.1:")
    srv = LocalServer(port=4200, home=demo_run.home)
    assert srv.ui_url == "http://127.0.0.1:4200" and srv.api_url == "http://127.0.0.1:4200/api"
    env = server_env(4200, demo_run.home)
    assert env["PREFECT_SERVER_API_HOST"] == "127.0.0.1"
    assert env["PREFECT_UI_API_URL"] == env["PREFECT_API_URL"] == "http://127.0.0.1:4200/api"
    # what the kernel saw while the demo's server was up: a listener on 127.0.0.1 only (0100007F)
    if Path("/proc/net/tcp").exists():
        assert demo_run.listeners.get("tcp"), demo_run.listeners
        assert set(demo_run.listeners["tcp"]) == {"0100007F"}, demo_run.listeners
        assert not demo_run.listeners.get("tcp6"), demo_run.listeners


def test_secrets_appear_nowhere(demo_run: DemoRun) -> None:
    leaks: list[str] = []
    for root in (demo_run.home, demo_run.client_home):
        for p in files_under(root):
            leaks += [f"{p}: {n}" for n in found_secret(p.read_bytes())]
    for name in ("warehouse.duckdb", "analytics.duckdb"):
        leaks += [f"{name} {where}" for where in _sql_hits(demo_run.home / name, SECRET_PATTERNS)]
    leaks += [f"prefect api {where}" for where in _api_hits(demo_run.api, SECRET_PATTERNS)]
    leaks += [f"stdout: {n}" for n in found(demo_run.stdout, SECRET_PATTERNS)]
    leaks += [f"stderr: {n}" for n in found(demo_run.stderr, SECRET_PATTERNS)]
    assert not leaks, leaks


def test_personal_data_stays_out_of_logs_artifacts_and_prefect(demo_run: DemoRun) -> None:
    leaks = [f"prefect api {where}" for where in _api_hits(demo_run.api, PERSONAL)]
    leaks += [f"stdout: {n}" for n in found(demo_run.stdout, PERSONAL)]
    leaks += [f"stderr: {n}" for n in found(demo_run.stderr, PERSONAL)]
    # every file outside the person's own inputs/outputs: the server's SQLite DB and log, data docs, caches,
    # any log file, the client's PREFECT_HOME (result storage, memo store)
    for p in files_under(demo_run.home):
        rel = p.relative_to(demo_run.home).as_posix()
        is_log = p.suffix == ".log" or "/logs/" in f"/{rel}"
        if not rel.startswith(ALLOWED_PERSONAL) or (is_log and not rel.startswith("sample_operator/")):
            leaks += [f"{rel}: {n}" for n in found(p.read_bytes(), PERSONAL)]
    for p in files_under(demo_run.client_home):
        leaks += [f"client {p.name}: {n}" for n in found(p.read_bytes(), PERSONAL)]
    # model calls and their cache, anywhere; the operator's contact details in the analytics snapshot
    leaks += [f"warehouse {w}" for w in _sql_hits(demo_run.home / "warehouse.duckdb", PERSONAL,
                                                  tables=("llm_calls", "llm_cache"))]
    leaks += [f"analytics {w}" for w in _sql_hits(demo_run.home / "analytics.duckdb", OPERATOR)]
    assert not leaks, leaks


def test_planted_data_did_flow_to_the_allowed_places(demo_run: DemoRun) -> None:
    """Positive control: the scans above look at data that really went through curation and the agents."""
    home = demo_run.home
    memory = b"".join(p.read_bytes() for p in files_under(home / "memory"))
    assert found(memory, {"e": re.escape(PRIVATE_EMAIL), "a": "Rua das Flores 118"}) == ["e", "a"]
    emls = b"".join(p.read_bytes() for p in (home / "outbox").glob("*.eml"))
    assert found(emls, CONTACTS) and PRIVATE_EMAIL.encode() in emls  # recipients, and the From address
    assert _sql_hits(home / "warehouse.duckdb", CONTACTS, tables=("outbox",))  # the SQL scan does see text
    outreach = [a for a in demo_run.api["artifacts"] if a["key"] == "agent-outreach"]
    assert outreach and all("[EMAIL]" in (a["data"] or "") for a in outreach)  # redacted on the server
    assert "@" in (next((home / "agents").rglob("outreach.md")).read_text())  # kept in the person's files


def _api_hits(api: dict[str, Any], patterns: dict[str, str]) -> list[str]:
    """``collection[i].field: pattern`` for every string the API returned that matches."""
    hits: list[str] = []

    def walk(o: Any, where: str) -> None:
        if isinstance(o, dict):
            for k, v in o.items():
                walk(v, f"{where}.{k}")
        elif isinstance(o, list):
            for i, v in enumerate(o):
                walk(v, f"{where}[{i}]")
        elif isinstance(o, str):
            hits.extend(f"{where}: {n}" for n in found(o, patterns))

    for key, value in api.items():
        walk(value, key)
    return hits


def _sql_hits(db: Path, patterns: dict[str, str], tables: tuple[str, ...] | None = None) -> list[str]:
    """``schema.table.column: pattern`` for every text-cast cell of every (or the named) table that matches."""
    import duckdb

    if not db.exists():
        return []
    hits: list[str] = []
    anyp = "|".join(f"(?:{p})" for p in patterns.values())
    con = duckdb.connect(str(db), read_only=True)
    try:
        cols: dict[tuple[str, str, str], list[str]] = {}
        for cat, schema, table, col in con.execute(
                "SELECT table_catalog, table_schema, table_name, column_name FROM information_schema.columns "
                "WHERE table_catalog = current_database()").fetchall():
            cols.setdefault((cat, schema, table), []).append(col)
        if tables is not None:  # the named tables must exist, or the scan would be vacuous
            missing = set(tables) - {t for _, _, t in cols}
            assert not missing, (db, missing)
        for (cat, schema, table), names in cols.items():
            if tables is not None and table not in tables:
                continue
            ref = f'"{cat}"."{schema}"."{table}"'
            cells = [f'coalesce(TRY_CAST("{c}" AS VARCHAR), \'\')' for c in names]
            row = con.execute(f"SELECT count(*) FROM {ref} WHERE regexp_matches({' || chr(10) || '.join(cells)}, ?, 'i')",
                              [anyp]).fetchone()
            if not (row and row[0]):
                continue
            for c, cell in zip(names, cells, strict=True):  # locate: which column, which pattern
                for name, pat in patterns.items():
                    n = con.execute(f"SELECT count(*) FROM {ref} WHERE regexp_matches({cell}, ?, 'i')", [pat]).fetchone()
                    if n and n[0]:
                        hits.append(f"{schema}.{table}.{c}: {name} ({n[0]} rows)")
    finally:
        con.close()
    return hits
