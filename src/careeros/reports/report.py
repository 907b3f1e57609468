"""The weekly report: one self-contained HTML page (inline CSS and SVG, no scripts, fonts or external URLs).

:func:`gather_report_data` reads the warehouse (read-only) into a :class:`ReportData`; :func:`render_report` and
:func:`report_markdown` are pure. Charts are SVG strings built here; every panel has a "no data yet" state.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from html import escape
from pathlib import Path
from typing import Any

import polars as pl
from pydantic import BaseModel, Field

ATTRIBUTION = (
    "This product includes information from the O*NET 29.3 Database by the U.S. Department of Labor, Employment "
    "and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license. O*NET is a trademark of USDOL/ETA.",
    "This service uses the ESCO classification of the European Commission.",
    "Source: U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS), May 2025.",
)
#: The page template, package data read through importlib.resources (works from a wheel too).
TEMPLATE = ("careeros", "resources/report/report.html.j2")
PALETTE = {"ink": "#1f2937", "muted": "#6b7280", "grid": "#e5e7eb", "gap": "#e76f51", "have": "#2a9d8f",
           "prior": "#9ca3af", "post": "#3a86ff", "planned": "#cbd5e1", "actual": "#2a9d8f", "line": "#264653"}
#: Market data older than this (days before the end of the report week) gets a banner.
STALE_AFTER_DAYS = 30
FUNNEL = (("sent", "Sent"), ("replied", "Replied"), ("interview", "Interview"), ("offer", "Offer"))


class GapBar(BaseModel):
    """One skill gap of a role."""

    label: str
    size: float
    required: float
    evidenced: float
    status: str


class RoleGaps(BaseModel):
    """Largest gaps of one target role."""

    soc_code: str
    title: str | None = None
    coverage: float | None = None
    gaps: list[GapBar] = Field(default_factory=list)


class Trend(BaseModel):
    """Weekly postings that mention one skill."""

    skill_id: str
    label: str
    weeks: list[date]
    postings: list[float]


class AssumptionBar(BaseModel):
    """An assumption's prior and (optional) posterior: mean and 80% interval."""

    id: str
    description: str = ""
    unit: str = ""
    prior: tuple[float, float, float]
    posterior: tuple[float, float, float] | None = None


class BurndownWeek(BaseModel):
    """Planned vs done hours (and tasks) of one week."""

    week_start: date
    planned_hours: float
    actual_hours: float
    planned_tasks: int = 0
    done_tasks: int = 0


class WeekTask(BaseModel):
    """One task of the report week: what to do, when it counts as done, and what was logged against it."""

    task_id: str
    title: str
    kind: str
    hours: float
    done_when: str
    evidence: str = ""
    done: bool = False
    logged: list[str] = Field(default_factory=list)


class ThisWeek(BaseModel):
    """The approved plan's week that overlaps the report week (``tasks`` empty outside the plan's weeks)."""

    plan_id: str
    version: int | None = None
    status: str = "approved"
    week: int | None = None
    start: date | None = None
    end: date | None = None
    milestone: str = ""
    definition_of_done: list[str] = Field(default_factory=list)
    planned_hours: float = 0.0
    logged_hours: float = 0.0
    tasks: list[WeekTask] = Field(default_factory=list)
    note: str = ""


class Staleness(BaseModel):
    """How old the market data is relative to the report week."""

    latest_posting: date | None = None
    latest_demand_week: date | None = None
    reference: date
    age_days: int
    stale: bool
    max_age_days: int = 30


class ReportData(BaseModel):
    """Everything the report shows; empty lists mean "no data yet"."""

    week: str
    week_start: date
    week_end: date
    generated_at: datetime
    gap_source: str = "none"
    roles: list[RoleGaps] = Field(default_factory=list)
    trends: list[Trend] = Field(default_factory=list)
    funnel: dict[str, float] = Field(default_factory=dict)
    rates: list[dict[str, Any]] = Field(default_factory=list)
    kpis: list[dict[str, Any]] = Field(default_factory=list)
    assumptions: list[AssumptionBar] = Field(default_factory=list)
    burndown: list[BurndownWeek] = Field(default_factory=list)
    this_week: ThisWeek | None = None
    proposal_waiting: str | None = None
    staleness: Staleness | None = None
    attribution: tuple[str, ...] = ATTRIBUTION


# ------------------------------------------------------------------------------------------ weeks


def parse_week(week: str | None, today: date | None = None) -> tuple[str, date, date]:
    """``YYYY-Www`` (default: the current ISO week) -> (label, Monday, Sunday)."""
    if week is None:
        d = today or datetime.now(UTC).date()
        y, w, _ = d.isocalendar()
    else:
        try:
            y_s, w_s = week.upper().split("-W")
            y, w = int(y_s), int(w_s)
            date.fromisocalendar(y, w, 1)
        except ValueError as exc:
            raise ValueError(f"week must look like 2026-W07, got {week!r}") from exc
    start = date.fromisocalendar(y, w, 1)
    return f"{y}-W{w:02d}", start, start + timedelta(days=6)


# ------------------------------------------------------------------------------------------ SVG charts


def _t(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, s: str, cls: str = "", anchor: str = "start", size: int = 11) -> str:
    return (f'<text x="{_t(x)}" y="{_t(y)}" font-size="{size}" text-anchor="{anchor}"'
            f'{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>{escape(s)}</text>')


def _short(s: str, n: int = 34) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"


#: A generous average glyph width (em) of the sans-serif fonts a browser may pick (DejaVu Sans is among the
#: widest): labels are cut to fit their slot by this estimate, so they never run into each other.
GLYPH_EM = 0.64


def _fit(s: str, width: float, size: int, bold: bool = False) -> str:
    """``s`` cut (with an ellipsis) so that it fits ``width`` px at font ``size``."""
    n = max(int(width / (size * (GLYPH_EM + (0.05 if bold else 0.0)))), 2)
    return _short(s, n)


def svg_gap_bars(role: RoleGaps, width: int = 460) -> str:
    """Horizontal bars: each gap's required value, the evidenced part in green, the gap in orange."""
    row, label_w = 22, 190
    h = row * len(role.gaps) + 24
    top = max((g.required for g in role.gaps), default=0) or 1.0
    scale = (width - label_w - 50) / top
    out = [f'<svg class="chart gaps" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
           f'aria-label="skill gaps of {escape(role.title or role.soc_code)}">']
    for i, g in enumerate(role.gaps):
        y = 8 + i * row
        have = g.required * g.evidenced
        out.append(_text(label_w - 6, y + 13, _fit(g.label, label_w - 10, 11), anchor="end"))
        out.append(f'<rect class="bar have" x="{label_w}" y="{y + 2}" width="{_t(have * scale)}" height="14" '
                   f'fill="{PALETTE["have"]}"><title>evidenced {g.evidenced:.0%}</title></rect>')
        out.append(f'<rect class="bar gap" x="{_t(label_w + have * scale)}" y="{y + 2}" '
                   f'width="{_t(max(g.size * scale, 1))}" height="14" fill="{PALETTE["gap"]}" rx="2">'
                   f'<title>{escape(g.label)}: gap {g.size:.2f} ({g.status})</title></rect>')
        out.append(_text(label_w + g.required * scale + 6, y + 13, f"{g.size:.2f}", cls="muted", size=10))
    out.append("</svg>")
    return "".join(out)


def svg_trend(t: Trend, width: int = 240, height: int = 104) -> str:
    """A small line chart of weekly postings mentioning one skill.

    Title on the first line, the figures on the second, the line below, the first and last week under it: no
    two labels share a line, so none can overlap whatever the font.
    """
    pad_l, pad_r, pad_t, pad_b = 6, 6, 36, 16
    out = [f'<svg class="chart trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
           f'aria-label="weekly postings mentioning {escape(t.label)}">',
           _text(pad_l, 13, _fit(t.label, width - pad_l - pad_r, 12, bold=True), size=12, cls="title")]
    ys = t.postings
    if len(ys) < 2:
        out.append(_text(width / 2, height / 2 + 8, "not enough weeks", anchor="middle", cls="muted"))
        out.append("</svg>")
        return "".join(out)
    top = max(ys) or 1.0
    iw, ih = width - pad_l - pad_r, height - pad_t - pad_b
    pts = [(pad_l + iw * i / (len(ys) - 1), pad_t + ih * (1 - v / top)) for i, v in enumerate(ys)]
    area = " ".join(f"{_t(x)},{_t(y)}" for x, y in pts)
    out.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{pad_t + ih}" y2="{pad_t + ih}" '
               f'stroke="{PALETTE["grid"]}"/>')
    out.append(f'<polygon class="area" points="{_t(pad_l)},{_t(pad_t + ih)} {area} {_t(pts[-1][0])},{_t(pad_t + ih)}" '
               f'fill="{PALETTE["post"]}" fill-opacity="0.12"/>')
    out.append(f'<polyline class="trend-line" points="{area}" fill="none" stroke="{PALETTE["post"]}" '
               f'stroke-width="2" stroke-linejoin="round"/>')
    out.append(f'<circle cx="{_t(pts[-1][0])}" cy="{_t(pts[-1][1])}" r="3" fill="{PALETTE["post"]}"/>')
    out.append(_text(pad_l, 28, _fit(f"{ys[-1]:g} postings last week · max {top:g}", iw, 10), cls="muted", size=10))
    first, last = f"{t.weeks[0]:%d %b %y}", f"{t.weeks[-1]:%d %b %y}"
    if (len(first) + len(last)) * 9 * GLYPH_EM + 8 <= iw:
        out.append(_text(pad_l, height - 3, first, cls="muted", size=9))
    out.append(_text(width - pad_r, height - 3, last, anchor="end", cls="muted", size=9))
    out.append("</svg>")
    return "".join(out)


def svg_funnel(funnel: dict[str, float], width: int = 460) -> str:
    """Outreach funnel: sent -> replied -> interview -> offer, bars centred, step conversion on the right."""
    row = 34
    h = row * len(FUNNEL) + 8
    top = max(funnel.get("sent", 0), max(funnel.values(), default=0)) or 1.0
    label_w, right_w = 90, 80
    avail = width - label_w - right_w
    colors = ("#264653", "#2a9d8f", "#e9c46a", "#e76f51")
    out = [f'<svg class="chart funnel" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
           f'aria-label="outreach funnel">']
    prev = None
    for i, ((key, name), col) in enumerate(zip(FUNNEL, colors, strict=True)):
        v = float(funnel.get(key, 0))
        w = max(avail * v / top, 2)
        x = label_w + (avail - w) / 2
        y = 4 + i * row
        out.append(_text(label_w - 8, y + 19, name, anchor="end", size=12))
        out.append(f'<rect class="bar funnel-step" x="{_t(x)}" y="{y}" width="{_t(w)}" height="26" rx="3" '
                   f'fill="{col}"><title>{name}: {v:g}</title></rect>')
        out.append(_text(label_w + avail / 2, y + 18, f"{v:g}", anchor="middle", size=12,
                         cls="on-bar" if w > 40 else ""))
        if prev is not None:
            conv = f"{v / prev:.0%}" if prev else "–"
            out.append(_text(width - 4, y + 18, conv, anchor="end", cls="muted", size=11))
        prev = v
    out.append("</svg>")
    return "".join(out)


def svg_assumptions(items: list[AssumptionBar], width: int = 560) -> str:
    """Interval bars per assumption: prior (grey) and posterior (blue), each row on its own scale."""
    row, label_w = 34, 230
    h = row * len(items) + 24
    iw = width - label_w - 20
    out = [f'<svg class="chart assumptions" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" '
           f'aria-label="assumptions prior versus posterior">']
    for i, a in enumerate(items):
        y = 6 + i * row
        hi = max(a.prior[2], a.posterior[2] if a.posterior else 0) or 1.0
        sc = iw / (hi * 1.1)
        out.append(_text(label_w - 8, y + 12, _fit(a.id, label_w - 12, 11), anchor="end", size=11))
        out.append(_text(label_w - 8, y + 24, _fit(a.unit, label_w - 12, 9), anchor="end", size=9, cls="muted"))
        out.append(f'<line x1="{label_w}" x2="{label_w + iw}" y1="{y + 14}" y2="{y + 14}" stroke="{PALETTE["grid"]}"/>')
        for cls, dist, dy, col in (("prior", a.prior, 4, PALETTE["prior"]), ("posterior", a.posterior, 16,
                                                                               PALETTE["post"])):
            if dist is None:
                continue
            mean, lo, up = dist
            out.append(f'<rect class="bar interval {cls}" x="{_t(label_w + lo * sc)}" y="{y + dy}" '
                       f'width="{_t(max((up - lo) * sc, 2))}" height="8" rx="4" fill="{col}" fill-opacity="0.55">'
                       f'<title>{cls} mean {mean:.3g}, 80% interval {lo:.3g} to {up:.3g}</title></rect>')
            out.append(f'<circle class="mean {cls}" cx="{_t(label_w + mean * sc)}" cy="{y + dy + 4}" r="3.5" '
                       f'fill="{col}"/>')
        out.append(_text(label_w + iw + 16, y + 18, f"{(a.posterior or a.prior)[0]:.3g}", anchor="end", size=10,
                         cls="muted"))
    out.append("</svg>")
    return "".join(out)


def svg_burndown(weeks: list[BurndownWeek], width: int = 560, height: int = 220) -> str:
    """Planned vs done hours per week (bars) and the remaining planned hours (line)."""
    pad_l, pad_r, pad_t, pad_b = 34, 44, 12, 28
    iw, ih = width - pad_l - pad_r, height - pad_t - pad_b
    top = max([max(w.planned_hours, w.actual_hours) for w in weeks] + [1.0])
    total = sum(w.planned_hours for w in weeks) or 1.0
    slot = iw / max(len(weeks), 1)
    bw = min(slot * 0.36, 22)
    out = [f'<svg class="chart burndown" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
           f'role="img" aria-label="plan burndown">']
    for k in range(0, 5):
        y = pad_t + ih * k / 4
        out.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{_t(y)}" y2="{_t(y)}" stroke="{PALETTE["grid"]}"/>')
        out.append(_text(pad_l - 4, y + 4, f"{top * (1 - k / 4):.3g}", anchor="end", size=9, cls="muted"))
    remaining, pts = total, []
    step = max(1, math.ceil((6 * 9 * GLYPH_EM + 4) / slot))  # every step-th week label fits its slots
    for i, w in enumerate(weeks):
        cx = pad_l + slot * (i + 0.5)
        for cls, v, dx, col in (("planned", w.planned_hours, -bw, PALETTE["planned"]),
                                ("actual", w.actual_hours, 0, PALETTE["actual"])):
            bh = ih * v / top
            out.append(f'<rect class="bar {cls}" x="{_t(cx + dx)}" y="{_t(pad_t + ih - bh)}" width="{_t(bw)}" '
                       f'height="{_t(max(bh, 0.5))}" fill="{col}"><title>{w.week_start}: {cls} {v:g} h</title></rect>')
        remaining -= min(w.actual_hours, w.planned_hours) if w.planned_hours else 0
        pts.append((cx, pad_t + ih * (1 - max(remaining, 0) / total)))
        if i % step == 0:
            out.append(_text(cx, height - 12, f"{w.week_start:%d %b}", anchor="middle", size=9, cls="muted"))
    out.append(f'<polyline class="remaining" points="{" ".join(f"{_t(x)},{_t(y)}" for x, y in pts)}" fill="none" '
               f'stroke="{PALETTE["line"]}" stroke-width="2" stroke-dasharray="4 3"/>')
    out.append(_text(width - 2, pad_t + 8, _fit(f"{round(total)} h", pad_r + 4, 9), anchor="end", size=9, cls="muted"))
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------------------ render


def _fmt_rate(r: dict[str, Any]) -> str:
    if r.get("value") is None:
        return "insufficient data" if r.get("status") == "insufficient data" else "no data yet"
    lo, hi = r.get("ci_low"), r.get("ci_high")
    ci = f" (95% CI {lo:.0%}–{hi:.0%})" if lo is not None and hi is not None else ""
    return f"{r['value']:.0%}{ci}"


def render_report(data: ReportData) -> str:
    """The report as one self-contained HTML page."""
    from importlib.resources import files

    from jinja2 import Environment
    from markupsafe import Markup

    env = Environment(autoescape=True)
    template = env.from_string(files(TEMPLATE[0]).joinpath(TEMPLATE[1]).read_text(encoding="utf-8"))
    charts = {
        "gaps": [(r, Markup(svg_gap_bars(r))) for r in data.roles if r.gaps],
        "trends": [Markup(svg_trend(t)) for t in data.trends],
        "funnel": Markup(svg_funnel(data.funnel)) if any(data.funnel.values()) else None,
        "assumptions": Markup(svg_assumptions(data.assumptions)) if data.assumptions else None,
        "burndown": Markup(svg_burndown(data.burndown)) if data.burndown else None,
    }
    rates = [{**r, "shown": _fmt_rate(r)} for r in data.rates]
    return template.render(d=data, tw=data.this_week, charts=charts, rates=rates, palette=PALETTE)


def report_markdown(data: ReportData) -> str:
    """A short markdown version (Prefect artifact): funnel, rates, KPIs, top gaps, assumptions."""
    lines = [f"# careeros weekly report {data.week}", "", f"{data.week_start} – {data.week_end}", ""]
    st = data.staleness
    if st is not None and st.stale:
        lines += [f"> **Market data is {st.age_days} days old** (newest posting {st.latest_posting or '–'}, newest "
                  f"demand week {st.latest_demand_week or '–'}): refresh with `careeros ingest`.", ""]
    lines += ["## This week: what to do", ""]
    tw = data.this_week
    if tw is None:
        lines.append(f"No approved plan yet (proposal `{data.proposal_waiting}` waits for approval)."
                     if data.proposal_waiting else "No approved plan yet.")
    elif not tw.tasks:
        lines.append(f"Plan `{tw.plan_id}` v{tw.version}: {tw.note}.")
    else:
        lines.append(f"Plan `{tw.plan_id}` v{tw.version}, week {tw.week}: {tw.planned_hours:g} h planned, "
                     f"{tw.logged_hours:g} h logged.")
        lines += [f"- [{'x' if t.done else ' '}] `{t.task_id}` {t.title} ({t.hours:g} h) — done when: {t.done_when}"
                  + (f" — logged: {'; '.join(t.logged)}" if t.logged else "") for t in tw.tasks]
    lines += ["", "## Outreach", ""]
    if any(data.funnel.values()):
        lines.append(" → ".join(f"{name} **{data.funnel.get(k, 0):g}**" for k, name in FUNNEL))
    else:
        lines.append("no data yet")
    for r in data.rates:
        lines.append(f"- {r['metric'].replace('_', ' ')}: {_fmt_rate(r)} ({r.get('note') or ''})")
    lines += ["", "## This week at a glance", ""] + [f"- {k['label']}: {k['shown']}" for k in data.kpis]
    lines += ["", "## Largest skill gaps", ""]
    if not any(r.gaps for r in data.roles):
        lines.append("no data yet")
    for role in data.roles:
        cov = f", coverage {role.coverage:.0%}" if role.coverage is not None else ""
        lines.append(f"- **{role.title or role.soc_code}** ({role.soc_code}{cov}): "
                     + ", ".join(f"{g.label} ({g.size:.2f})" for g in role.gaps[:5]))
    lines += ["", "## Assumptions", ""]
    if not data.assumptions:
        lines.append("no data yet")
    lines += [f"- {a.id}: prior {a.prior[0]:.3g}" + (f", posterior {a.posterior[0]:.3g}" if a.posterior else "")
              for a in data.assumptions]
    lines += ["", *[f"_{a}_" for a in data.attribution]]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------ gather


def _has(con: Any, table: str) -> bool:
    from careeros.warehouse.db import table_exists

    return table_exists(con, table)


def _plan_gaps(con: Any, top: int) -> list[RoleGaps]:
    """The approved (else newest) plan's own gaps, so the report names the same gaps as the plan."""
    if not _has(con, "plan_version"):
        return []
    try:
        from careeros.planner.approval import latest_plan
        from careeros.planner.plan import plan_gap_reports
    except ImportError:
        return []
    plan = latest_plan(con, None, ("approved",)) or latest_plan(con)
    if plan is None:
        return []
    return [RoleGaps(soc_code=r.soc_code, title=r.title, coverage=r.coverage,
                     gaps=[GapBar(label=g.label, size=g.size, required=g.required, evidenced=g.evidenced,
                                  status=g.status) for g in r.gaps[:top]]) for r in plan_gap_reports(plan)]


def _role_gaps(con: Any, roles: list[tuple[str, str | None]], as_of: date, top: int,
               from_plan: bool = False) -> tuple[str, list[RoleGaps]]:
    if from_plan:
        got = _plan_gaps(con, top)
        if any(r.gaps for r in got):
            return "the plan's gaps (requirement profile x missing evidence, ranked across roles)", got
    if not roles or not _has(con, "graph_occupation_skill"):
        return "none", []
    try:
        from careeros.planner.plan import gap_reports

        reports = gap_reports(con, roles, as_of=as_of)
        return "planner gaps (importance x market value x missing evidence)", [
            RoleGaps(soc_code=r.soc_code, title=r.title, coverage=r.coverage,
                     gaps=[GapBar(label=g.label, size=g.size, required=g.required, evidenced=g.evidenced,
                                  status=g.status) for g in r.gaps[:top]]) for r in reports]
    except ImportError:  # planner not available: plain requirements minus evidenced skills
        out = []
        for code, title in roles:
            df = con.sql(
                "SELECT s.label, e.weight, coalesce(max(l.confidence), 0) AS ev FROM graph_occupation_skill e "
                "JOIN graph_skill s USING (skill_id) LEFT JOIN evidence_skill l ON l.skill_id = e.skill_id "
                "AND l.valid_to IS NULL AND l.status IN ('auto', 'accepted') WHERE e.soc_code = ? GROUP BY ALL "
                "ORDER BY e.weight * (1 - ev) DESC LIMIT ?", params=[code, top]).pl()
            out.append(RoleGaps(soc_code=code, title=title, gaps=[
                GapBar(label=r["label"], size=r["weight"] * (1 - r["ev"]), required=r["weight"], evidenced=r["ev"],
                       status="missing" if r["ev"] == 0 else "weak") for r in df.iter_rows(named=True)]))
        return "evidence vs role requirements", out


def _roles(con: Any, roles: list[tuple[str, str | None]] | None) -> list[tuple[str, str | None]]:
    if roles:
        return roles
    if not _has(con, "plan_version"):
        return []
    rows = con.execute("SELECT plan_json FROM plan_version ORDER BY (status = 'approved') DESC, created_at DESC "
                       "LIMIT 1").fetchall()
    if not rows:
        return []
    return [(r["soc_code"], r.get("title")) for r in json.loads(rows[0][0]).get("roles", [])]


def _trends(con: Any, socs: list[str], week_end: date, n_skills: int, n_weeks: int) -> list[Trend]:
    if not _has(con, "demand_weekly"):
        return []
    last = con.execute("SELECT max(week_start) FROM demand_weekly WHERE week_start <= ?", [week_end]).fetchall()
    if not last or last[0][0] is None:
        last = con.execute("SELECT max(week_start) FROM demand_weekly").fetchall()
    if not last or last[0][0] is None:
        return []
    end: date = last[0][0]
    start = end - timedelta(weeks=n_weeks - 1)
    where = "week_start BETWEEN ? AND ?"
    params: list[Any] = [start, end]
    if socs:
        has_role = con.execute(f"SELECT count(*) FROM demand_weekly WHERE {where} AND soc_code IN "
                               f"({', '.join('?' for _ in socs)})", [*params, *socs]).fetchall()[0][0]
        if has_role:
            where += f" AND soc_code IN ({', '.join('?' for _ in socs)})"
            params += socs
    df = con.sql(f"SELECT skill_id, week_start, sum(postings) AS postings FROM demand_weekly WHERE {where} "
                 "GROUP BY ALL", params=params).pl()
    if df.height == 0:
        return []
    top = df.group_by("skill_id").agg(pl.col("postings").sum()).sort(["postings", "skill_id"],
                                                                     descending=[True, False]).head(n_skills)
    labels = dict(con.execute("SELECT skill_id, label FROM graph_skill WHERE skill_id IN "
                              f"({', '.join('?' for _ in top['skill_id'])})", top["skill_id"].to_list()).fetchall())
    weeks = [start + timedelta(weeks=i) for i in range(n_weeks)]
    grid = pl.DataFrame({"week_start": weeks})
    out = []
    for sid in top["skill_id"].to_list():
        s = grid.join(df.filter(pl.col("skill_id") == sid).select("week_start", "postings"), on="week_start",
                      how="left").sort("week_start")
        out.append(Trend(skill_id=sid, label=labels.get(sid, sid), weeks=weeks,
                         postings=[float(v or 0) for v in s["postings"].to_list()]))
    return out


def _this_week(con: Any, ws: date, we: date) -> tuple[ThisWeek | None, str | None]:
    """The approved plan's week overlapping [ws, we] with each task's done criteria and what was logged."""
    if not _has(con, "plan_version"):
        return None, None
    from careeros.planner.approval import latest_plan

    plan = latest_plan(con, None, ("approved",))
    if plan is None:
        prop = latest_plan(con, None, ("proposed",))
        return None, (f"{prop.plan_id} v{prop.version}" if prop is not None else None)
    out = ThisWeek(plan_id=plan.plan_id, version=plan.version, status=plan.status)
    overlap = [(min(w.end, we) - max(w.start, ws)).days for w in plan.weeks]
    if not plan.weeks or max(overlap) < 0:
        first, last = (plan.weeks[0].start, plan.weeks[-1].end) if plan.weeks else (None, None)
        out.note = (f"the approved plan runs from {first} to {last}; nothing is planned for this week"
                    if first else "the approved plan has no weeks")
        return out, None
    wk = plan.weeks[overlap.index(max(overlap))]
    out.week, out.start, out.end, out.planned_hours = wk.week, wk.start, wk.end, wk.hours
    out.milestone = wk.milestone
    out.definition_of_done = list(wk.verification.definition_of_done)
    events = pl.DataFrame()
    if _has(con, "outcome_event"):
        events = con.sql(
            "SELECT kind, task_id, quantity, source, notes, CAST(timezone('UTC', occurred_at) AS DATE) AS day "
            "FROM outcome_event WHERE kind IN ('task_done', 'hours') "
            "AND CAST(timezone('UTC', occurred_at) AS DATE) <= ? ORDER BY occurred_at", params=[we]).pl()
    for t in wk.tasks:
        item = WeekTask(task_id=t.id, title=t.title, kind=t.kind, hours=t.hours, done_when=t.verification.done,
                        evidence=t.verification.evidence)
        if events.height:
            for r in events.filter(pl.col("task_id") == t.id).iter_rows(named=True):
                item.done = True
                h = f", {r['quantity']:g} h" if r["quantity"] else ""
                item.logged.append(f"done {r['day']:%a %d %b}{h} ({r['source']})")
        out.tasks.append(item)
    if events.height:
        in_week = events.filter(pl.col("day").is_between(ws, we))
        out.logged_hours = round(float(in_week["quantity"].fill_null(0.0).sum() or 0.0), 2)
    return out, None


def _staleness(con: Any, we: date, max_age: int = STALE_AFTER_DAYS) -> Staleness | None:
    """Age of the newest posting / demand week at the end of the report week (None without market data)."""
    post = _max_day(con, "posting", "timezone('UTC', posted_at)", "is_current") if _has(con, "posting") else None
    dem = _max_day(con, "demand_weekly", "week_start") if _has(con, "demand_weekly") else None
    newest = max([d for d in (post, dem) if d is not None], default=None)
    if newest is None:
        return None
    age = (we - newest).days
    return Staleness(latest_posting=post, latest_demand_week=dem, reference=we, age_days=age, stale=age > max_age,
                     max_age_days=max_age)


def _max_day(con: Any, table: str, expr: str, where: str = "TRUE") -> date | None:
    row = con.execute(f"SELECT max(CAST({expr} AS DATE)) FROM {table} WHERE {where}").fetchall()
    return row[0][0] if row and row[0][0] is not None else None


def _interval(raw: str) -> tuple[float, float, float]:
    from careeros.planner.assumptions import Distribution

    d = Distribution.model_validate(json.loads(raw))
    return (round(d.mean(), 4), round(d.quantile(0.1), 4), round(d.quantile(0.9), 4))


def _assumptions(con: Any, limit: int) -> list[AssumptionBar]:
    if not _has(con, "assumption"):
        return []
    rows = con.execute("SELECT assumption_id, description, unit, prior_json, posterior_json FROM assumption "
                       "ORDER BY posterior_json IS NULL, assumption_id").fetchall()
    out = []
    for aid, desc, unit, prior, post in rows[:limit]:
        try:
            out.append(AssumptionBar(id=aid, description=desc or "", unit=unit or "", prior=_interval(prior),
                                     posterior=_interval(post) if post else None))
        except (ValueError, KeyError, ImportError):
            continue
    return out


def _burndown(metrics: pl.DataFrame, week_end: date, n_weeks: int) -> list[BurndownWeek]:
    if metrics.height == 0:
        return []
    wk = metrics.filter((pl.col("period") == "week") & (pl.col("period_start") <= week_end)
                        & pl.col("metric").is_in(["hours_planned", "hours_actual", "plan_adherence"]))
    if wk.height == 0:
        return []
    out = []
    starts = sorted(set(wk["period_start"].to_list()))[-n_weeks:]
    for s in starts:
        rows = {r["metric"]: r for r in wk.filter(pl.col("period_start") == s).iter_rows(named=True)}
        p, a = rows.get("hours_planned", {}), rows.get("hours_actual", {})
        ad = rows.get("plan_adherence", {})
        out.append(BurndownWeek(week_start=s, planned_hours=float(p.get("value") or 0),
                                actual_hours=float(a.get("value") or 0), planned_tasks=int(ad.get("n") or 0),
                                done_tasks=int(ad.get("numerator") or 0)))
    if not any(w.planned_hours or w.actual_hours for w in out):
        return []
    return out


def _kpis(metrics: pl.DataFrame, week_start: date) -> tuple[dict[str, float], list[dict[str, Any]], list[dict]]:
    funnel = {k: 0.0 for k, _ in FUNNEL}
    if metrics.height == 0:
        return funnel, [], []
    wk = metrics.filter(pl.col("period") == "week")
    upto = wk.filter(pl.col("period_start") <= week_start)
    for key, metric in (("sent", "outreach_sent"), ("replied", "outreach_replied"), ("interview", "interviews"),
                        ("offer", "offers")):
        funnel[key] = float(upto.filter(pl.col("metric") == metric)["value"].sum() or 0)
    this = {r["metric"]: r for r in wk.filter(pl.col("period_start") == week_start).iter_rows(named=True)}
    # rates over everything so far (a single week rarely has 5 messages)
    from careeros.metrics.metrics import rate_row

    rates = [
        {**rate_row("outreach_reply_rate", funnel["replied"], funnel["sent"]), "label": "Reply rate (to date)"},
        {**rate_row("interview_conversion", funnel["interview"], funnel["replied"]),
         "label": "Interview conversion (to date)"},
    ]
    kpis = []

    def add(metric: str, label: str, fmt: str) -> None:
        r = this.get(metric)
        if r is None or r["value"] is None:
            shown = "insufficient data" if r and r["status"] == "insufficient data" else "no data yet"
        else:
            shown = fmt.format(r["value"])
        kpis.append({"metric": metric, "label": label, "shown": shown, "note": (r or {}).get("note") or ""})

    add("plan_adherence", "Plan adherence", "{:.0%}")
    add("hours_actual", "Hours logged", "{:g} h")
    add("hours_actual_vs_estimated", "Hours actual / planned", "{:.2f}×")
    add("skill_acquisition_velocity", "Gap skills evidenced / week", "{:g}")
    add("evidence_to_opportunity_ratio", "Evidence per opportunity", "{:.2f}")
    tti = metrics.filter(pl.col("metric") == "time_to_impact_days")
    r = tti.row(0, named=True) if tti.height else None
    kpis.append({"metric": "time_to_impact_days", "label": "Time to first interview",
                 "shown": f"{r['value']:g} days" if r and r["value"] is not None else "no data yet",
                 "note": (r or {}).get("note") or ""})
    return funnel, rates, kpis


def gather_report_data(warehouse: Path, week: str | None = None, roles: list[tuple[str, str | None]] | None = None,
                       top_gaps: int = 10, n_skills: int = 6, n_weeks: int = 12, today: date | None = None) -> ReportData:
    """Read the warehouse (read-only) into :class:`ReportData`; ``roles`` default to the latest plan's roles."""
    from careeros.metrics.metrics import compute_metrics, read_inputs
    from careeros.warehouse.db import connect

    label, ws, we = parse_week(week, today)
    data = ReportData(week=label, week_start=ws, week_end=we, generated_at=datetime.now(UTC))
    if not Path(warehouse).is_file():
        return data
    with connect(Path(warehouse), read_only=True) as con:
        role_list = _roles(con, roles)
        data.gap_source, data.roles = _role_gaps(con, role_list, we, top_gaps, from_plan=not roles)
        data.trends = _trends(con, [c for c, _ in role_list], we, n_skills, n_weeks)
        data.assumptions = _assumptions(con, 12)
        data.this_week, data.proposal_waiting = _this_week(con, ws, we)
        data.staleness = _staleness(con, we)
        metrics = pl.DataFrame()
        if _has(con, "outcome_event"):
            metrics = compute_metrics(**read_inputs(con), as_of=we)
    data.funnel, data.rates, data.kpis = _kpis(metrics, ws)
    data.burndown = _burndown(metrics, we, n_weeks)
    return data


def write_report(html: str, out: Path) -> Path:
    """Write the page atomically."""
    import os

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, out)
    return out

