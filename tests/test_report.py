"""The weekly report: pure rendering (empty and full data), self-containment, and a look in headless Chromium."""

from __future__ import annotations

import re
import shutil
from datetime import date, timedelta
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
                empty: document.querySelectorAll('.empty').length})""")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert counts["bars"] > 20 and counts["lines"] == 6 and counts["empty"] == 0, counts
    assert [u for u in requests if not u.startswith("file://")] == []
    from PIL import Image, ImageStat

    img = Image.open(shot).convert("L")
    assert img.size[0] >= 1280 and img.size[1] > 900
    assert ImageStat.Stat(img).stddev[0] > 15, "screenshot looks blank"
