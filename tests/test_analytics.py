"""Metrics (pure, table-driven), analytics views in the published snapshot, the documented queries, and a reader
holding the snapshot open while a postings ingest and a publish run."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from careeros.metrics import metrics as M
from careeros.metrics.analytics import VIEWS, open_analytics, publish_analytics
from careeros.metrics.outcomes import events_frame, make_event, record_events
from careeros.warehouse.db import connect, fetch_one

REPO = Path(__file__).resolve().parents[1]
MON = date(2026, 3, 2)  # a Monday


# ------------------------------------------------------------------------------------------ pure metrics


@pytest.mark.parametrize(("k", "n", "lo", "hi"), [
    (0, 10, 0.0, 0.2172), (10, 10, 0.7828, 1.0), (3, 10, 0.0927, 0.6058), (50, 100, 0.4028, 0.5972),
])
def test_jeffreys_interval(k: int, n: int, lo: float, hi: float) -> None:
    got = M.jeffreys_interval(k, n)
    assert got == pytest.approx((lo, hi), abs=2e-3)


@pytest.mark.parametrize(("k", "n", "status", "value"), [
    (0, 0, "no data", None), (2, 4, "insufficient data", None), (2, 5, "ok", 0.4), (7, 5, "ok", 1.0),
])
def test_rate_needs_a_minimum_sample(k: int, n: int, status: str, value: float | None) -> None:
    r = M.rate_row("outreach_reply_rate", k, n)
    assert (r["status"], r["value"], r["n"]) == (status, value, n)
    if n:
        assert r["ci_low"] is not None and r["ci_high"] is not None


def _synthetic_events() -> pl.DataFrame:
    d = [MON + timedelta(days=i) for i in range(14)]
    rows = [make_event("outreach_sent", d[0], key="s", quantity=6), make_event("outreach_replied", d[2], key="r",
                                                                                quantity=3),
            make_event("interview", d[9], key="i", quantity=1), make_event("hours", d[1], key="h", quantity=3),
            make_event("task_done", d[3], key="t1", task_id="t1", quantity=2),
            make_event("task_done", d[10], key="t2", task_id="t2")]
    for i, task in enumerate(("t1", "t2", "t3")):  # t1, t2 due in week 1; t3 in week 2
        day = d[1 + i] if task != "t3" else d[8]
        rows.append(make_event("session_planned", day, "calendar", key=f"u{i}", task_id=task, quantity=1.5))
    return events_frame(rows)


def test_weekly_metrics_from_synthetic_events() -> None:
    links = pl.DataFrame({"skill_id": ["tech:python", "tech:python", "tech:spark", "tech:other"],
                          "valid_from": [datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC),
                                         datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)]})
    out = M.compute_metrics(_synthetic_events(), evidence_links=links, gap_skills=["tech:python", "tech:spark"],
                            as_of=MON + timedelta(days=13))
    wk = {(r["period_start"], r["metric"]): r for r in out.filter(pl.col("period") == "week").iter_rows(named=True)}
    w1, w2 = MON, MON + timedelta(days=7)
    assert wk[(w1, "outreach_reply_rate")]["value"] == 0.5 and wk[(w1, "outreach_reply_rate")]["n"] == 6
    assert wk[(w1, "interview_conversion")]["status"] == "insufficient data"  # 3 replies < 5
    assert wk[(w1, "interview_conversion")]["value"] is None
    assert wk[(w1, "plan_adherence")]["numerator"] == 1 and wk[(w1, "plan_adherence")]["denominator"] == 2
    assert wk[(w2, "plan_adherence")]["denominator"] == 1 and wk[(w2, "plan_adherence")]["numerator"] == 0
    assert wk[(w1, "hours_actual")]["value"] == 5.0 and wk[(w1, "hours_planned")]["value"] == 3.0
    assert wk[(w1, "hours_actual_vs_estimated")]["value"] == pytest.approx(5 / 3, abs=1e-3)
    assert wk[(w1, "skill_acquisition_velocity")]["value"] == 2.0  # python (first link) and spark, not "other"
    assert wk[(w2, "skill_acquisition_velocity")]["value"] == 0.0
    tti = out.filter(pl.col("metric") == "time_to_impact_days").row(0, named=True)
    assert tti["value"] == 8.0 and tti["status"] == "ok"  # first session 03-03, interview 03-11
    month = out.filter((pl.col("period") == "month") & (pl.col("metric") == "outreach_sent"))
    assert month["value"].to_list() == [6.0]


def test_no_data_gives_an_empty_frame() -> None:
    out = M.compute_metrics(events_frame([]), as_of=MON)
    assert out.height == 0 and list(out.columns) == list(M.METRIC_SCHEMA)


# ------------------------------------------------------------------------------------------ warehouse + snapshot

FEED_TITLES = ("Data Engineer", "Machine Learning Engineer", "Data Scientist", "Software Engineer")
FEED_TEXT = ("We use Python, SQL and Apache Spark on AWS. Experience with Docker, Kubernetes and Airflow is a plus. "
             "You will build data pipelines and machine learning models with PyTorch and pandas.")


def _feed(path: Path, n: int = 40) -> Path:
    today = datetime.now(UTC).date()
    lines = [json.dumps({"id": f"lock-{i}", "title": FEED_TITLES[i % len(FEED_TITLES)], "company": f"Co {i % 7}",
                         "location": "Remote (US)", "description": FEED_TEXT, "salary_min": 120000 + 1000 * i,
                         "salary_max": 160000 + 1000 * i, "salary_currency": "USD",
                         "posted_at": (today - timedelta(days=3 + (i % 8) * 7)).isoformat()}) for i in range(n)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def cycle(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A built home: outcomes + metrics, a snapshot held open by a reader while postings are ingested and published."""
    from careeros.market.pipeline import run_postings
    from careeros.market.sources import GenericFeedSource
    from careeros.settings import Settings, get_settings
    from careeros.warehouse.provenance import new_run_id

    home = tmp_path_factory.mktemp("analytics") / "home"
    shutil.copytree(built_home, home)
    mp = pytest.MonkeyPatch()
    mp.setenv("CAREEROS_HOME", str(home))
    get_settings.cache_clear()
    s = Settings()
    try:
        with connect(s.warehouse_path) as con:
            record_events(con, _synthetic_events())
        M.compute_and_store_metrics(s.warehouse_path, "run-metrics", as_of=MON + timedelta(days=13))
        publish_analytics(s)
        reader = duckdb.connect(str(s.analytics_path), read_only=True)  # held open across the whole write cycle
        before = fetch_one(reader.execute("SELECT count(*) FROM analytics.analytics.postings"))
        summaries = run_postings(s.warehouse_path, [GenericFeedSource(_feed(home / "feed.jsonl"), name="lockfeed")],
                                 new_run_id())
        still_old = fetch_one(reader.execute("SELECT count(*) FROM analytics.analytics.postings"))
        publish_analytics(s)
        after_publish_old = fetch_one(reader.execute("SELECT count(*) FROM analytics.analytics.postings"))
        reader.close()
        yield {"settings": s, "summaries": summaries, "before": before, "still_old": still_old,
               "after_publish_old": after_publish_old}
    finally:
        mp.undo()
        get_settings.cache_clear()


def test_reader_on_snapshot_never_blocks_the_writer(cycle: dict) -> None:
    assert {x.status for x in cycle["summaries"]} <= {"succeeded"}, cycle["summaries"]
    assert cycle["before"] == cycle["still_old"] == cycle["after_publish_old"] == (0,)
    with open_analytics(cycle["settings"].analytics_path) as con:
        assert fetch_one(con.execute("SELECT count(*) FROM analytics.postings WHERE source = 'lockfeed'")) == (40,)
        assert fetch_one(con.execute("SELECT count(*) FROM analytics.demand_weekly"))[0] > 0  # type: ignore[index]


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_works_in_the_snapshot(cycle: dict, view: str) -> None:
    with open_analytics(cycle["settings"].analytics_path) as con:
        con.sql(f"SELECT * FROM analytics.{view} LIMIT 5").pl()
    direct = duckdb.connect(str(cycle["settings"].analytics_path), read_only=True)
    try:
        direct.sql(f"SELECT * FROM analytics.analytics.{view} LIMIT 5").pl()
    finally:
        direct.close()


def test_metrics_and_taxonomy_views_have_rows(cycle: dict) -> None:
    with open_analytics(cycle["settings"].analytics_path) as con:
        n = dict(con.execute("SELECT metric, count(*) FROM analytics.metrics_weekly GROUP BY ALL").fetchall())
        assert set(M.METRICS) <= set(n)
        assert fetch_one(con.execute("SELECT count(*) FROM analytics.occupation_skills "
                                     "WHERE soc_code = '15-2051.00'"))[0] > 10  # type: ignore[index]


def _doc_queries() -> list[str]:
    text = (REPO / "docs" / "analytics.md").read_text()
    return re.findall(r"```sql\n(.*?)```", text, flags=re.S)


def test_docs_have_at_least_five_queries() -> None:
    assert len(_doc_queries()) >= 5


@pytest.mark.parametrize("query", _doc_queries(), ids=lambda q: " ".join(q.split())[:40])
def test_documented_query_runs_on_the_snapshot(cycle: dict, query: str) -> None:
    with open_analytics(cycle["settings"].analytics_path) as con:
        df = con.sql(query).pl()
    assert isinstance(df, pl.DataFrame)


# ------------------------------------------------------------------------------------------ README analyst path


def _readme_queries() -> list[str]:
    """The numbered analyst queries of the README (one SQL block, statements separated by ';')."""
    text = (REPO / "README.md").read_text()
    block = re.search(r"## How an analyst opens the warehouse.*?```sql\n(.*?)```", text, flags=re.S)
    assert block, "README has no analyst SQL block"
    return [q.strip() for q in block.group(1).split(";\n") if q.strip()]


def test_readme_has_five_queries() -> None:
    qs = _readme_queries()
    assert len(qs) == 5 and all(q.startswith(f"-- {i}.") for i, q in enumerate(qs, 1)), qs


@pytest.mark.parametrize("i", range(5))
def test_readme_query_runs_and_makes_sense(cycle: dict, i: int) -> None:
    q = _readme_queries()[i]
    with open_analytics(cycle["settings"].analytics_path) as con:
        df = con.sql(q).pl()
    if i == 0:  # rates lie inside their intervals
        for r in df.iter_rows(named=True):
            assert r["value"] is None or r["ci_low"] <= r["value"] <= r["ci_high"], r
    if i == 1:  # weights are the normalised importance: they vary, none above 1, most not 1.0
        assert df.height == 20
        w = df["weight"].to_list()
        assert all(0 <= x <= 1 for x in w) and len(set(w)) >= 5 and w.count(1.0) < df.height / 2, w
        assert w == sorted(w, reverse=True)
    if i == 2:  # salary ranges per resolved occupation
        assert df.height > 0 and df["occupation"].null_count() == 0, df
        assert all(r["median_min"] <= r["median_max"] for r in df.iter_rows(named=True))


def test_occupation_skill_weight_is_the_normalised_importance(cycle: dict) -> None:
    with open_analytics(cycle["settings"].analytics_path) as con:
        rated = con.sql("SELECT importance, weight FROM analytics.occupation_skills WHERE importance IS NOT NULL "
                        "AND soc_code = '15-2051.00'").pl()
        flagged = con.sql("SELECT weight, edge_weight, posting_share FROM analytics.occupation_skills "
                          "WHERE importance IS NULL AND soc_code = '15-2051.00'").pl()
        span = con.sql("SELECT min(weight), max(weight) FROM analytics.occupation_skills").fetchall()[0]
    assert rated.height > 10 and flagged.height > 10
    for r in rated.iter_rows(named=True):
        assert r["weight"] == pytest.approx(min(max((r["importance"] - 1) / 4, 0), 1), abs=1e-6)
    for r in flagged.iter_rows(named=True):
        assert r["edge_weight"] / 2 - 1e-6 <= r["weight"] <= r["edge_weight"] + 1e-6
    assert flagged.filter(pl.col("posting_share").is_not_null()).height > 0  # the lockfeed postings count
    assert 0 <= span[0] < span[1] <= 1


def test_salary_query_leaves_out_unresolved_titles(cycle: dict, tmp_path: Path) -> None:
    """Postings whose title resolved to no occupation (soc_code NULL) never show up as a NULL occupation."""
    snap = tmp_path / "snap.duckdb"
    shutil.copyfile(cycle["settings"].analytics_path, snap)
    con = duckdb.connect(str(snap))
    try:
        cols = [r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                          "'posting' AND table_schema = 'main' ORDER BY ordinal_position").fetchall()]
        sel = ", ".join("NULL" if c in ("soc_code", "soc_title") else f"{c} || '-unresolved'" if c == "posting_id"
                        else c for c in cols)
        con.execute(f"INSERT INTO main.posting ({', '.join(cols)}) SELECT {sel} FROM main.posting "
                    "WHERE salary_min IS NOT NULL AND is_current LIMIT 5")
        con.execute("CHECKPOINT")
    finally:
        con.close()
    with open_analytics(snap) as ro:
        assert ro.sql("SELECT count(*) FROM analytics.postings WHERE soc_code IS NULL").fetchall()[0][0] >= 5
        df = ro.sql(_readme_queries()[2]).pl()
    assert df.height > 0 and df["occupation"].null_count() == 0


def test_readme_shell_command_works(cycle: dict) -> None:
    """The README's shell example runs as written (the venv's careeros, the default snapshot of the home)."""
    text = (REPO / "README.md").read_text()
    line = next(ln for ln in text.splitlines() if ln.startswith(".venv/bin/careeros sql "))
    exe = str(Path(sys.executable).parent / "careeros")
    env = {**os.environ, "CAREEROS_HOME": str(cycle["settings"].home)}
    argv = [exe, *shlex.split(line)[1:]]
    res = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert "posting_id" in res.stdout and "occupation" in res.stdout, res.stdout


def test_sql_command_is_read_only_and_formats(cycle: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app

    snap = str(cycle["settings"].analytics_path)
    res = CliRunner().invoke(app, ["sql", "--snapshot", snap, "--format", "json",
                                   "SELECT count(*) AS n FROM analytics.postings WHERE source = 'lockfeed'"])
    assert res.exit_code == 0 and json.loads(res.stdout) == {"n": 40}, res.output
    res = CliRunner().invoke(app, ["sql", "--snapshot", snap, "--format", "csv"],
                             input="SELECT 1 AS a, 'x' AS b")
    assert res.exit_code == 0 and res.stdout.splitlines() == ["a,b", "1,x"], res.output
    res = CliRunner().invoke(app, ["sql", "--snapshot", snap, "DELETE FROM main.posting"])
    assert res.exit_code == 1 and "read-only" in res.stderr, res.output
    res = CliRunner().invoke(app, ["sql", "--snapshot", str(Path(snap).with_name("missing.duckdb")), "SELECT 1"])
    assert res.exit_code == 2 and "no analytics snapshot" in res.stderr


# ------------------------------------------------------------------------------------------ who publishes


#: flows that write only through subflows which publish themselves
COMPOSED = {"ingest_market_signals.py": "runs ingest-taxonomies and ingest-postings, which publish"}


def test_every_writing_flow_publishes_the_snapshot() -> None:
    for path in sorted((REPO / "flows").glob("*.py")):
        src = path.read_text()
        # a flow module has a decorator line (flows/homes.py only mentions ``@flow`` in its docstrings)
        if not re.search(r"^@flow\b", src, re.MULTILINE) or path.name in COMPOSED:
            continue
        assert "publish_analytics(" in src, f"{path.name} writes the warehouse but never publishes the snapshot"
