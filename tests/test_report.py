"""The weekly report: pure rendering (empty and full data), self-containment, and a look in headless Chromium."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from careeros.metrics.outcomes import events_frame, make_event, record_events
from careeros.reports.report import ReportData, gather_report_data, parse_week, render_report, report_markdown
from careeros.warehouse.db import connect

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--no-first-run", "--disable-sync", "--disable-quic"]
WEEK = "2026-W11"
ROLES = [("15-2051.00", "Data Scientists"), ("15-1252.00", "Software Developers")]


def _assert_self_contained(html: str) -> None:
    assert not re.search(r"<script|<link|@import|url\(", html, flags=re.I)
    assert not re.search(r"https?://", html), "no external URLs at all"
    assert "O*NET 29.3" in html and "CC BY 4.0" in html and "ESCO" in html and "Occupational Employment" in html


@pytest.mark.parametrize(("week", "start"), [("2026-W11", date(2026, 3, 9)), ("2025-w01", date(2024, 12, 30))])
def test_parse_week(week: str, start: date) -> None:
    label, ws, we = parse_week(week)
    assert ws == start and we == start + timedelta(days=6) and label == week.upper()


def test_bad_week_is_refused() -> None:
    with pytest.raises(ValueError, match="2026-W07"):
        parse_week("March")


def test_empty_report_renders_no_data_panels(tmp_path: Path) -> None:
    data = gather_report_data(tmp_path / "missing.duckdb", WEEK)
    html = render_report(data)
    _assert_self_contained(html)
    assert html.count("No data yet") >= 5 and "<svg" not in html
    assert "no data yet" in report_markdown(data)
    with connect(tmp_path / "w.duckdb") as con:  # migrated, but empty
        con.execute("SELECT 1")
    assert render_report(gather_report_data(tmp_path / "w.duckdb", WEEK)).count("No data yet") >= 5


@pytest.fixture(scope="module")
def report_home(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A built taxonomy warehouse plus synthetic outcomes, demand weeks and a posterior."""
    from careeros.planner.assumptions import set_posterior, sync_assumptions

    home = tmp_path_factory.mktemp("report") / "home"
    shutil.copytree(built_home, home)
    mon = date.fromisocalendar(2026, 11, 1)
    rows = []
    for w in range(6):  # six weeks up to the report week
        ws = mon - timedelta(weeks=5 - w)
        rows += [make_event("session_planned", ws + timedelta(days=d), "calendar", key=f"s{w}{d}", task_id=f"t{w}{d}",
                            quantity=1.5) for d in range(4)]
        rows += [make_event("task_done", ws + timedelta(days=d + 1), key=f"d{w}{d}", task_id=f"t{w}{d}")
                 for d in range(min(w + 1, 4) if w != 2 else 1)]
        rows.append(make_event("hours", ws + timedelta(days=2), key=f"h{w}", quantity=3 + w % 3))
        rows.append(make_event("outreach_sent", ws, key=f"o{w}", quantity=4))
    rows += [make_event("outreach_replied", mon - timedelta(days=d), key=f"r{d}") for d in (3, 10, 17, 24, 30, 33)]
    rows += [make_event("interview", mon - timedelta(days=d), key=f"i{d}") for d in (2, 9)]
    rows.append(make_event("offer", mon + timedelta(days=1), key="offer"))
    with connect(home / "warehouse.duckdb") as con:
        record_events(con, events_frame(rows))
        sync_assumptions(con)
        set_posterior(con, "hours_estimate_bias", {"family": "lognormal", "mu": 0.3, "sigma": 0.15}, "test")
        set_posterior(con, "learn_factor.weak", {"family": "beta", "a": 9.0, "b": 6.0}, "test")
        skills = [r[0] for r in con.execute(
            "SELECT skill_id FROM graph_occupation_skill WHERE soc_code = '15-2051.00' AND skill_id LIKE 'tech:%' "
            "ORDER BY weight DESC LIMIT 6").fetchall()]
        for i, sid in enumerate(skills):
            for w in range(12):
                con.execute("INSERT INTO demand_weekly (skill_id, soc_code, week_start, postings, soc_postings, "
                            "share_of_postings, computed_at, _source, _source_version, _source_sha256, _run_id, "
                            "_loaded_at) VALUES (?, '15-2051.00', ?, ?, 100, ?, now(), 't', '1', 'x', 'r', now())",
                            [sid, mon - timedelta(weeks=11 - w), 10 + (w * (i + 1)) % 17 + i * 3, 0.1])
    return home


def test_report_with_data(report_home: Path, tmp_path: Path) -> None:
    data = gather_report_data(report_home / "warehouse.duckdb", WEEK, roles=ROLES)
    assert isinstance(data, ReportData)
    assert data.funnel == {"sent": 24.0, "replied": 6.0, "interview": 2.0, "offer": 1.0}  # to the end of the week
    assert len(data.trends) == 6 and len(data.burndown) == 6 and data.roles and data.roles[0].gaps
    assert any(a.posterior for a in data.assumptions)
    html = render_report(data)
    _assert_self_contained(html)
    assert html.count('class="bar gap"') >= 5 and html.count('class="trend-line"') == 6
    assert 'class="bar interval posterior"' in html and 'class="remaining"' in html
    md = report_markdown(data)
    assert "Sent **24**" in md and "Data Scientists" in md
    (tmp_path / "report.html").write_text(html)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing (make system-deps installs it)")
def test_report_in_headless_chromium(report_home: Path, tmp_path: Path) -> None:
    pw = pytest.importorskip("playwright.sync_api")
    html = render_report(gather_report_data(report_home / "warehouse.duckdb", WEEK, roles=ROLES))
    page_file = tmp_path / "report.html"
    page_file.write_text(html, encoding="utf-8")
    shot = Path(__import__("os").environ.get("CAREEROS_REPORT_SCREENSHOT", tmp_path / "report.png"))
    requests: list[str] = []
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            counts = page.evaluate("""() => ({
                bars: document.querySelectorAll('svg .bar').length,
                lines: document.querySelectorAll('svg polyline.trend-line').length,
                svgs: document.querySelectorAll('svg').length,
                empty: document.querySelectorAll('section:not(#this-week) .empty').length})""")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert counts["bars"] > 20 and counts["lines"] == 6 and counts["empty"] == 0, counts
    assert [u for u in requests if not u.startswith("file://")] == []
    from PIL import Image, ImageStat

    img = Image.open(shot).convert("L")
    assert img.size[0] >= 1280 and img.size[1] > 900
    assert ImageStat.Stat(img).stddev[0] > 15, "screenshot looks blank"


# ------------------------------------------------------------------------------------------ this week, staleness,
# approved-version hours and label overlap

PROFILE = ('name = "Report Tester"\nweekly_hours = {hours}\nhorizon_weeks = 4\ntimezone = "UTC"\n[goal]\n'
           'statement = "Move into data science"\n'
           '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n')


@pytest.fixture(scope="module")
def replan_home(report_home: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """report_home plus plan v1 (8 h/week, sessions imported) re-planned as v2 (6 h/week, approved)."""
    from careeros.metrics.metrics import sync_outcomes
    from careeros.planner.approval import compute_plan, save_plan, set_status
    from careeros.profile import load_profile

    home = tmp_path_factory.mktemp("replan") / "home"
    shutil.copytree(report_home, home)
    plans = []
    for hours in (8, 6):
        (home / "profile.toml").write_text(PROFILE.format(hours=hours))
        plan = compute_plan(home, load_profile(home / "profile.toml"))
        with connect(home / "warehouse.duckdb") as con:
            plan = save_plan(con, plan, "proposed")
            set_status(con, plan.plan_id, plan.version, "approved")
            sync_outcomes(con)  # what `careeros report` / retrospective-metrics do after each approval
        plans.append(plan)
    v2 = plans[1]
    first, second = v2.weeks[0], v2.weeks[1]
    with connect(home / "warehouse.duckdb") as con:  # progress logged against this week's tasks
        record_events(con, events_frame([
            make_event("task_done", first.start + timedelta(days=1), key="replan-d1", plan_id=v2.plan_id,
                       task_id=first.tasks[0].id, quantity=2.0),
            make_event("hours", first.start + timedelta(days=2), key="replan-h1", quantity=1.5)]))
    return {"home": home, "v1": plans[0], "v2": v2, "week": f"{first.start:%G-W%V}", "next": f"{second.start:%G-W%V}"}


def test_planned_hours_come_from_the_approved_version_only(replan_home: dict) -> None:
    from careeros.metrics.metrics import compute_and_store_metrics

    v1, v2 = replan_home["v1"], replan_home["v2"]
    assert v1.inputs["weekly_hours"] == 8 and v2.inputs["weekly_hours"] == 6 and v2.version == v1.version + 1
    metrics = compute_and_store_metrics(replan_home["home"] / "warehouse.duckdb", "t", as_of=v2.weeks[-1].end)
    import polars as pl

    planned = {r["period_start"]: r["value"] for r in metrics.filter(
        (pl.col("period") == "week") & (pl.col("metric") == "hours_planned")).iter_rows(named=True)}
    for w in v2.weeks:
        assert planned[w.start] == pytest.approx(w.hours, abs=0.01), (w.week, planned[w.start], w.hours)
        assert planned[w.start] <= 6.0 + 1e-6
    data = gather_report_data(replan_home["home"] / "warehouse.duckdb", replan_home["week"])
    assert data.burndown and all(b.planned_hours <= 6.0 + 1e-6 for b in data.burndown)


def test_import_keeps_older_versions_past_and_replaces_the_rest(replan_home: dict, tmp_path: Path) -> None:
    """A re-plan owns the days from its start; what an older version planned before that stays."""
    from careeros.metrics.outcomes import import_plan_sessions

    v1, v2 = replan_home["v1"], replan_home["v2"]
    shift = timedelta(weeks=2)  # v1 started two weeks before v2
    old = v1.model_copy(update={"weeks": [w.model_copy(update={"start": w.start - shift, "end": w.end - shift})
                                          for w in v1.weeks]})
    shutil.copyfile(replan_home["home"] / "warehouse.duckdb", tmp_path / "w.duckdb")
    with connect(tmp_path / "w.duckdb") as con:
        con.execute("DELETE FROM outcome_event WHERE kind = 'session_planned'")
        assert import_plan_sessions(con, old) > 0
        assert import_plan_sessions(con, old) == 0  # idempotent
        import_plan_sessions(con, v2)
        rows = con.execute("SELECT CAST(timezone('UTC', occurred_at) AS DATE) AS d, notes, quantity FROM outcome_event "
                           "WHERE kind = 'session_planned'").fetchall()
    before = [r for r in rows if r[0] < v2.weeks[0].start]
    after = [r for r in rows if r[0] >= v2.weeks[0].start]
    assert before and all(r[1].startswith(f"v{v1.version} ") for r in before)
    assert after and all(r[1].startswith(f"v{v2.version} ") for r in after)
    assert sum(r[2] for r in after) == pytest.approx(sum(w.hours for w in v2.weeks), abs=0.05)


def test_this_week_section(replan_home: dict) -> None:
    v2 = replan_home["v2"]
    data = gather_report_data(replan_home["home"] / "warehouse.duckdb", replan_home["week"])
    tw = data.this_week
    assert tw is not None and tw.plan_id == v2.plan_id and tw.version == v2.version and tw.week == 1
    assert [t.task_id for t in tw.tasks] == [t.id for t in v2.weeks[0].tasks]
    assert [t.done_when for t in tw.tasks] == [t.verification.done for t in v2.weeks[0].tasks]
    assert tw.tasks[0].done and tw.tasks[0].logged and "2 h" in tw.tasks[0].logged[0]
    assert not any(t.done for t in tw.tasks[1:])
    assert tw.planned_hours == pytest.approx(v2.weeks[0].hours) and tw.logged_hours == pytest.approx(3.5)
    html = render_report(data)
    _assert_self_contained(html)
    main = html[html.index("<main>"):]
    assert main.index('id="this-week"') < main.index('id="kpis"')  # the top of the page
    for t in v2.weeks[0].tasks:
        assert t.id in html
    assert "Done when" in html and ("not logged yet" in html) is (len(tw.tasks) > 1)
    if v2.gaps:  # the report names the plan's own gaps
        assert data.gap_source.startswith("the plan's gaps") and any(r.gaps for r in data.roles)
    md = report_markdown(data)
    assert "## This week: what to do" in md and f"[x] `{tw.tasks[0].task_id}`" in md
    later = gather_report_data(replan_home["home"] / "warehouse.duckdb", replan_home["next"]).this_week
    assert later is not None and later.week == 2 and not any(t.done for t in later.tasks)


def test_no_approved_plan_says_so(report_home: Path) -> None:
    data = gather_report_data(report_home / "warehouse.duckdb", WEEK, roles=ROLES)
    assert data.this_week is None
    assert "No approved plan yet" in render_report(data)


@pytest.mark.parametrize(("week", "stale"), [(WEEK, False), ("2026-W14", False), ("2026-W15", True),
                                             ("2027-W02", True)])
def test_staleness_banner(report_home: Path, week: str, stale: bool) -> None:
    """report_home's demand ends with the week of 2026-03-09 (no postings): 30 days is the limit."""
    data = gather_report_data(report_home / "warehouse.duckdb", week, roles=ROLES)
    assert data.staleness is not None and data.staleness.latest_demand_week == date(2026, 3, 9)
    assert data.staleness.age_days == (data.week_end - date(2026, 3, 9)).days
    assert data.staleness.stale is stale
    html = render_report(data)
    assert ('id="stale-banner"' in html) is stale
    assert ("Market data is" in report_markdown(data)) is stale


def _stress_data() -> ReportData:
    """Long labels, big numbers, many weeks: the worst case for label collisions."""
    from careeros.reports.report import AssumptionBar, BurndownWeek, GapBar, RoleGaps, Trend

    mon = date(2026, 3, 9)
    long = "Extraordinarily Long Technology Name With Many Words"
    weeks = [mon - timedelta(weeks=11 - i) for i in range(12)]
    return ReportData(
        week=WEEK, week_start=mon, week_end=mon + timedelta(days=6), generated_at=datetime(2026, 3, 15),
        roles=[RoleGaps(soc_code="15-2051.00", title="Data Scientists", coverage=0.4,
                        gaps=[GapBar(label=f"{long} {i}", size=0.9, required=1.0, evidenced=0.1, status="missing")
                              for i in range(8)])],
        trends=[Trend(skill_id=f"tech:{i}", label=f"{long} {i}", weeks=weeks,
                      postings=[float(123456 * (1 + (j * (i + 1)) % 5)) for j in range(12)]) for i in range(6)],
        funnel={"sent": 123456.0, "replied": 23456.0, "interview": 3456.0, "offer": 456.0},
        assumptions=[AssumptionBar(id=f"assumption.with.a.very.long.identifier.{i}", unit="hours per week of work",
                                   prior=(1234.5, 1000.0, 1500.0), posterior=(1300.25, 1100.0, 1600.0))
                     for i in range(4)],
        burndown=[BurndownWeek(week_start=mon - timedelta(weeks=25 - i), planned_hours=123.5, actual_hours=99.25)
                  for i in range(26)])


OVERLAP_JS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('svg')) {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].map(t => ({s: t.textContent, r: t.getBoundingClientRect()}));
    for (const t of texts) {
      if (t.r.left < box.left - 0.5 || t.r.right > box.right + 0.5 || t.r.top < box.top - 0.5
          || t.r.bottom > box.bottom + 0.5) out.push(['outside', svg.getAttribute('aria-label'), t.s]);
    }
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].r, b = texts[j].r;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 0.5 && h > 0.5) out.push(['overlap', svg.getAttribute('aria-label'), texts[i].s, texts[j].s]);
    }
  }
  return {problems: out, texts: document.querySelectorAll('svg text').length};
}"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing (make system-deps installs it)")
def test_no_label_overlaps_in_chromium(report_home: Path, replan_home: dict, tmp_path: Path) -> None:
    """Every SVG label's box, measured by Chromium with its real fonts: no two overlap, none leaves its chart."""
    pw = pytest.importorskip("playwright.sync_api")
    pages = {"real": render_report(gather_report_data(report_home / "warehouse.duckdb", WEEK, roles=ROLES)),
             "plan": render_report(gather_report_data(replan_home["home"] / "warehouse.duckdb", replan_home["week"])),
             "stress": render_report(_stress_data())}
    results = {}
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            for name, html in pages.items():
                f = tmp_path / f"{name}.html"
                f.write_text(html, encoding="utf-8")
                for width in (1280, 800):
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    page.goto(f.as_uri())
                    results[(name, width)] = page.evaluate(OVERLAP_JS)
                    page.close()
        finally:
            browser.close()
    for key, res in results.items():
        assert res["texts"] > 10, key
        assert res["problems"] == [], (key, res["problems"][:5])
