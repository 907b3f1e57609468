"""Publish an approved plan: markdown under ``$CAREEROS_HOME/plans/`` and an .ics calendar of work sessions.

Calendar events have stable UIDs (hash of plan id, task id and session index) and a SEQUENCE equal to the
plan version, so re-publishing (the same or a newer version) updates events instead of duplicating them.
Files are written to a temporary name and renamed (atomic).
"""

from __future__ import annotations

import hashlib
import math
import os
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from careeros.planner.plan import Plan

WEEKDAY_START = time(18, 0)
WEEKEND_START = time(10, 0)


def event_uid(plan_id: str, task_id: str, session: int) -> str:
    """Stable calendar UID of one work session."""
    return hashlib.sha256(f"{plan_id}|{task_id}|{session}".encode()).hexdigest()[:32] + "@careeros"


def sessions(plan: Plan) -> list[dict[str, Any]]:
    """Work sessions: each week's tasks laid out day by day (weekday evenings, weekend mornings)."""
    tz = ZoneInfo(plan.inputs.get("timezone") or "UTC")
    out: list[dict[str, Any]] = []
    for wk in plan.weeks:
        per_day = max(120, int(math.ceil(wk.budget_minutes / 7 / 15)) * 15)
        day, used = 0, 0
        for t in wk.tasks:
            left, idx = t.minutes, 0
            while left > 0 and day < 7:
                take = min(left, per_day - used)
                d = wk.start + timedelta(days=day)
                begin = datetime.combine(d, WEEKEND_START if d.weekday() >= 5 else WEEKDAY_START, tz)
                out.append({"uid": event_uid(plan.plan_id, t.id, idx), "task_id": t.id, "week": wk.week,
                            "start": begin + timedelta(minutes=used), "minutes": take, "title": t.title,
                            "kind": t.kind, "done": t.verification.done, "evidence": t.verification.evidence})
                idx += 1
                left -= take
                used += take
                if used >= per_day:
                    day, used = day + 1, 0
    return out


def calendar_bytes(plan: Plan) -> bytes:
    """The plan as an iCalendar document."""
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//careeros//weekly plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"careeros plan {plan.plan_id}")
    stamp = plan.created_at
    for s in sessions(plan):
        ev = Event()
        ev.add("uid", s["uid"])
        ev.add("dtstamp", stamp)
        ev.add("sequence", plan.version or 0)
        ev.add("dtstart", s["start"])
        ev.add("dtend", s["start"] + timedelta(minutes=s["minutes"]))
        ev.add("summary", f"[{s['kind']}] {s['title']}")
        ev.add("description", f"Done when: {s['done']}\nEvidence: {s['evidence']}\nTask {s['task_id']}, "
                              f"week {s['week']}, plan {plan.plan_id} v{plan.version}")
        ev.add("categories", ["careeros", s["kind"]])
        cal.add_component(ev)
    return cal.to_ical()


def plan_markdown(plan: Plan) -> str:
    """The plan as a readable markdown document."""
    inp = plan.inputs
    lines = [f"# Plan {plan.plan_id} v{plan.version} ({plan.status})", "", f"**Goal:** {plan.goal}", "",
             f"{inp['weekly_hours']:g} h/week x {inp['horizon_weeks']} weeks from {inp['start']} "
             f"({inp['timezone']}); risk tolerance {inp['risk_tolerance']}; strategy **{plan.strategy}**.", "",
             "| role | coverage now | expected after plan |", "|---|---|---|"]
    lines += [f"| {r.title or r.soc_code} ({r.soc_code}) | {r.coverage_before:.0%} | {r.coverage_expected:.0%} |"
              for r in plan.roles]
    for wk in plan.weeks:
        lines += ["", f"## Week {wk.week} ({wk.start} – {wk.end}): {wk.hours:g} h", "", wk.milestone, ""]
        for t in wk.tasks:
            dep = f" (after {', '.join(t.depends_on)})" if t.depends_on else ""
            lines.append(f"- [ ] **{t.kind}** {t.title} — {t.hours:g} h{' [stretch]' if t.stretch else ''}{dep}")
        lines += ["", "Verification:"] + [f"- done: {d}" for d in wk.verification.definition_of_done] + \
                 [f"- evidence: {e}" for e in wk.verification.evidence]
    lines += ["", "## Alternatives considered", ""] + [f"{a.rank}. {a.summary}" for a in plan.alternatives]
    lines += ["", "## Assumptions", "", "| id | version | value | basis | source |", "|---|---|---|---|---|"]
    lines += [f"| {a['id']} | {a['version']} | {a['value']:g} | {a['basis']} | {a['source']} |" for a in plan.assumptions]
    lines += ["", f"Market snapshot `{(plan.market_snapshot or {}).get('sha')}`, memory version {plan.memory_version}."]
    return "\n".join(lines) + "\n"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _remove_stale_temp_files(plans_dir: Path) -> None:
    """Temp files a killed publisher left behind (``.<name>.tmp-<pid>``): never part of a publication."""
    if plans_dir.is_dir():
        for tmp in [*plans_dir.glob(".*.tmp-*"), *plans_dir.glob(".*.restore-*")]:
            pid = tmp.name.rsplit("-", 1)[-1]
            if pid.isdigit() and int(pid) != os.getpid() and _alive(int(pid)):
                continue  # another publisher's file in flight
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def publication_files(plan: Plan, plans_dir: Path) -> dict[str, Path]:
    """The files one publication of ``plan`` writes."""
    return {"markdown": plans_dir / f"{plan.plan_id}-v{plan.version}.md", "current": plans_dir / "current.md",
            "calendar": plans_dir / f"{plan.plan_id}.ics"}


def snapshot_files(paths: list[Path]) -> dict[str, bytes | None]:
    """``{path: bytes}`` of the given files as they are now (None: absent), for :func:`restore_files`."""
    return {str(p): (p.read_bytes() if p.is_file() else None) for p in paths}


def restore_files(snapshot: dict[str, bytes | None]) -> None:
    """Put files back as in ``snapshot``: rewrite the ones that existed, delete the ones that did not."""
    for name, data in snapshot.items():
        path = Path(name)
        if data is None:
            path.unlink(missing_ok=True)
        else:
            tmp = path.with_name(f".{path.name}.restore-{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)


def publish_plan(plan: Plan, plans_dir: Path) -> dict[str, Any]:
    """Write ``<plan_id>-v<version>.md``, ``current.md`` and ``<plan_id>.ics``; returns paths and event count.

    All-or-nothing: every document is rendered before anything is written, each file is replaced atomically, and
    when a write fails the files already replaced are put back as they were. Idempotent: re-publishing the same
    version gives the same files (stable UIDs) and clears temp files a killed publisher left behind.
    """
    md = plan_markdown(plan).encode()
    ics = calendar_bytes(plan)
    files = publication_files(plan, plans_dir)
    before = snapshot_files(list(files.values()))
    _remove_stale_temp_files(plans_dir)
    try:
        for key, data in (("markdown", md), ("current", md), ("calendar", ics)):
            _atomic_write(files[key], data)
    except BaseException:
        restore_files(before)
        raise
    return {"markdown": str(files["markdown"]), "calendar": str(files["calendar"]),
            "events": ics.count(b"BEGIN:VEVENT")}


def verify_published(plan: Plan, published: dict[str, Any]) -> dict[str, Any]:
    """Check a publication: the markdown is this plan's, the calendar parses with unique UIDs, one per session."""
    from icalendar import Calendar

    md_path, ics_path = Path(published["markdown"]), Path(published["calendar"])
    if not md_path.is_file() or not md_path.read_text().startswith(f"# Plan {plan.plan_id} v{plan.version} ("):
        raise ValueError(f"published markdown {md_path} is missing or not plan v{plan.version}")
    uids = [str(e["UID"]) for e in Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")]
    expected = [s["uid"] for s in sessions(plan)]
    if len(uids) != len(set(uids)) or sorted(uids) != sorted(expected):
        raise ValueError(f"published calendar {ics_path} does not hold the {len(expected)} sessions of the plan")
    return {"events": len(uids), "markdown": str(md_path), "calendar": str(ics_path)}
