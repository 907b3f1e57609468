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

from careeros.planner.artifacts import EXAM_PREP, folds_under
from careeros.planner.gaps import brief_label
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


def calendar_events(plan: Plan) -> list[Any]:
    """The plan's work sessions as iCalendar VEVENT components (the .ics file and the CalDAV calendar share them)."""
    from icalendar import Event

    stamp = plan.created_at
    events = []
    for s in sessions(plan):
        ev = Event()
        ev.add("uid", s["uid"])
        ev.add("dtstamp", stamp)
        ev.add("sequence", plan.version or 0)
        ev.add("dtstart", s["start"])
        ev.add("dtend", s["start"] + timedelta(minutes=s["minutes"]))
        ev.add("summary", s["title"])
        ev.add("description", f"Done when: {s['done']}\nLeaves behind: {s['evidence']}\n"
                              f"Week {s['week']} of plan {plan.plan_id} v{plan.version}")
        ev.add("categories", ["careeros", s["kind"]])
        events.append(ev)
    return events


def calendar_bytes(plan: Plan) -> bytes:
    """The plan as an iCalendar document."""
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//careeros//weekly plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"careeros plan {plan.plan_id}")
    for ev in calendar_events(plan):
        cal.add_component(ev)
    return cal.to_ical()


KIND_NAMES = {"learn": "Learn", "build": "Build", "publish": "Publish", "outreach": "Outreach",
              "interview_prep": "Interview practice"}


def _role_name(r: Any) -> str:
    return r.title or r.onet_title or r.soc_code


def _role_full(r: Any) -> str:
    """The person's title with the O*NET title and code once in parentheses."""
    own, onet = r.title or r.onet_title, r.onet_title
    if onet and own and own.strip().lower() != onet.strip().lower():
        return f"{own} (O*NET: {onet}, {r.soc_code})"
    return f"{own or r.soc_code} ({r.soc_code})"


def _about(expected: float, noun: str = "reply") -> str:
    """An expected count as a person says it: "about 6 replies", "1 or 2 interviews", "fewer than one reply"."""
    plural = {"reply": "replies"}.get(noun, noun + "s")
    if expected < 0.75:
        return f"fewer than one {noun}"
    n = round(expected)
    if n == 1 and expected < 1.5 and abs(expected - 1) > 0.25:
        return f"1 or 2 {plural}"
    return f"about {n} {noun if n == 1 else plural}"


#: how many of a role's requirements the plan lists under "What it asks for that you do not show yet"
ROLE_GAPS_SHOWN = 10
#: a role's gap below this share of the plan's largest gap is a detail, named in one line rather than listed
MINOR_GAP_SHARE = 0.2


def _role_gap_lines(plan: Plan, role: Any) -> list[str]:
    """The role's largest requirements the person does not show yet, each with what this plan does about it.

    The plan's work covers a few of them; the person should still see the rest (and that they wait for a later
    plan), not only the ones that fitted these weeks.
    """
    gaps = [g for g in plan.gaps if g.get("soc_code") == role.soc_code and g.get("status") in ("missing", "weak")]
    if not gaps:
        return []
    work: dict[str, list[str]] = {}
    for wk in plan.weeks:
        for t in wk.tasks:
            if t.kind not in ("learn", "build"):
                continue
            name = t.title.removeprefix("Publish: ") if t.kind == "build" else "study"
            for sid in t.skill_ids:
                if name not in work.setdefault(sid, []):
                    work[sid].append(name)
    deferred = {str(d.get("title")) for d in plan.deferred}
    # a gap a fraction the size of the plan's largest is a detail ("Hand held spell checkers"): named, not listed
    largest = max((float(g.get("size") or 0.0) for g in plan.gaps), default=0.0)
    is_major = [float(g.get("size") or 0.0) >= MINOR_GAP_SHARE * largest for g in gaps]
    major = [g for g, m in zip(gaps, is_major, strict=True) if m]
    small = [g for g, m in zip(gaps, is_major, strict=True) if not m]
    # small tools are O*NET's long example lists (a designer's J2EE, a teacher's hand-held spell checkers): counted
    # ... and so are O*NET's broad knowledge and skill areas rated for it (an instructional designer's "Philosophy and
    # Theology"): a coach names the small concepts, not these
    def broad(g: dict[str, Any]) -> bool:
        return str(g.get("skill_id") or "").startswith("onet:")

    named = [str(g["label"]) for g in small if g.get("kind") not in ("technology", "tool") and not broad(g)][:4]
    n_tools = sum(1 for g in small if g.get("kind") in ("technology", "tool"))
    n_broad = sum(1 for g in small if g.get("kind") not in ("technology", "tool") and broad(g))
    parts = [*named, *([f"{n_tools} tool{'s' if n_tools > 1 else ''} from O*NET's examples for it"] if n_tools else []),
             *([f"{n_broad} broad knowledge or skill area{'s' if n_broad > 1 else ''} O*NET rates for it"]
               if n_broad else [])]
    tail = f"Smaller items: {', '.join(parts)}." if parts else ""
    if not major:
        above = "Beyond what the roles above list, it" if plan.roles and plan.roles[0] is not role else "It"
        return [f"{above} asks for little you do not show yet. {tail}".rstrip(), ""]
    gaps = major
    def line(g: dict[str, Any]) -> str:
        how = work.get(str(g.get("skill_id")))
        partly = " (partly shown)" if g.get("status") == "weak" else ""
        if how:
            done = [h for h in how if h not in deferred]
            what = "this plan: " + ", ".join(f"*{h}*" if h != "study" else h for h in (done or how))
        else:
            what = "not in this plan's weeks"
        return f"{g['label']}{partly} — {what}"

    # a narrower form of a larger requirement ("Construction contract administration" under "Contract
    # administration") is listed under it, so the ten lines name ten different things
    shown = fold_narrower(gaps)
    out = [f"What it asks for that you do not show yet (largest first; {min(len(shown), ROLE_GAPS_SHOWN)} "
           f"of {len(shown)}):", ""]
    for g, under in shown[:ROLE_GAPS_SHOWN]:
        out.append(f"- {line(g)}")
        out += [f"  - {line(x)}" for x in under]
    return [*out, *(["", tail] if tail else []), ""]


def fold_narrower(gaps: list[dict[str, Any]]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Gaps (largest first), each with the narrower forms of it listed further down (:func:`folds_under`)."""
    out: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for g in gaps:
        label = str(g.get("label") or "")
        under = next((u for h, u in out if folds_under(label, str(h.get("label") or ""))), None)
        if under is None:
            out.append((g, []))
        else:
            under.append(g)
    return out


def plan_stamp(plan: Plan) -> str:
    """The line at the foot of a plan's document naming the plan and its version (the id ``careeros plan`` takes)."""
    version = f" v{plan.version}" if plan.version is not None else ""
    return f"Plan `{plan.plan_id}`{version} ({plan.status})"


def plan_markdown(plan: Plan) -> str:
    """The plan as a document a person can follow and a coach can check (no internal ids in the text)."""
    from careeros.planner.coach import fmt_hours, scrub

    inp = plan.inputs
    names = [_role_name(r) for r in plan.roles]
    lines = [f"# Your {inp['horizon_weeks']}-week plan ({plan.status})", ""]
    who = f"**{plan.name}**: " if plan.name else ""
    lines += [f"{who}towards {' / '.join(names)}. {inp['weekly_hours']:g} h a week for {inp['horizon_weeks']} weeks "
              f"from {inp['start']} ({inp['timezone']}).", ""]
    lines += ["## Your goal", "", f"> {plan.goal}", ""]
    for g in plan.goal_targets:
        got = "; ".join(f"*{t}*" for t in g.get("titles", [])) or "nothing that fits yet (see Limits)"
        lines.append(f"- You asked for **{g['text']}**: the plan puts in {g['planned']} of {g['count']}: {got}.")
    if plan.goal_targets:
        lines.append("")
    lines += ["## Where you are heading", ""]
    cur = plan.current_role
    if cur is not None:
        lines += [f"Today you work as **{cur.title}**" + (f" ({cur.onet_title}, {cur.soc_code})" if cur.soc_code and
                                                         cur.onet_title else "") + ".", ""]
    paths = {p.to_soc: p for p in plan.paths}
    for r in plan.roles:
        lines += [f"### {_role_full(r)}", "",
                  f"Skills you already evidence for it: {r.coverage_before:.0%} now, about {r.coverage_expected:.0%} "
                  "when this plan is done." + (f" Field: {r.field}." if r.field else ""), ""]
        if r.soc_code in paths and paths[r.soc_code].why:
            lines += [paths[r.soc_code].why, ""]
        lines += _role_gap_lines(plan, r)
    lines += ["## What you will make", ""]
    arts = plan.artifact_details
    if not arts:
        lines += ["No work product fits the gaps found; the hours go to outreach and interview practice.", ""]
    for i, a in enumerate(arts, start=1):
        stretch = " (stretch)" if any(x.get("id") == a.id and x.get("stretch") for x in plan.totals.get("artifacts", [])) \
            else ""
        lines.append(f"{i}. **{a.title}**{stretch}")
        if a.task:
            lines.append(f"   - The real work it mirrors: \"{a.task}\"")
        if a.skill_labels:
            lines.append(f"   - Shows: {', '.join(brief_label(x) for x in a.skill_labels)}")
        lines.append(f"   - Done when: {a.done or 'finished and checked by someone who does this work'}")
        lines.append(f"   - Published as: {a.publish or a.proof}")
    lines.append("")
    titles = {t.work_id: t.title for wk in plan.weeks for t in wk.tasks}
    lines += ["## Week by week", ""]
    for wk in plan.weeks:
        lines += [f"### Week {wk.week} ({wk.start:%b %d} – {wk.end:%b %d}): {fmt_hours(wk.minutes)}", "",
                  f"By the end of the week: {wk.milestone.split(': ', 1)[-1]}.", ""]
        for t in wk.tasks:
            part = f" (session {t.part} of {t.parts})" if t.parts > 1 else ""
            after = [titles[d] for d in t.depends_on if titles.get(d) and t.kind == "build"]
            dep = f" Builds on: {', '.join(after)}." if after and t.part == 1 else ""
            label, title = KIND_NAMES.get(t.kind, t.kind), t.title.removeprefix("Publish: ")
            verb, _, rest = title.partition(" ")
            if t.kind == "learn" and verb in ("Learn", "Deepen", "Refresh") and rest:
                label, title = verb, rest  # "**Deepen**: SQL", not "**Learn**: Deepen SQL"
            elif t.kind == "learn" and title.startswith("Map the route to "):
                label, title = "Map the route", title.removeprefix("Map the route to ")
            elif t.kind == "learn" and verb == "Confirm":
                label, title = verb, rest  # "**Confirm**: NCLEX-RN license and list it"
            elif t.kind == "build" and title.startswith(EXAM_PREP):
                label, title = EXAM_PREP.rstrip(": "), title.removeprefix(EXAM_PREP)
            lines.append(f"- [ ] **{label}**: {title}{part} "
                         f"— {fmt_hours(t.minutes)}{' (stretch)' if t.stretch else ''}. "
                         f"Done when: {t.verification.done}.{dep}")
        lines.append("")
    if plan.deferred:
        lines += ["## Next plan", "", "Chosen but not fitting these weeks:", ""]
        lines += [f"- {d['title']} — about {fmt_hours(d['hours_left'] * 60)} left" for d in plan.deferred]
        lines.append("")
    lines += ["## Other ways to use the same hours", ""]
    from careeros.planner.plan import STRATEGY_NAMES

    for alt in plan.alternatives:
        tag = " (this plan)" if alt.chosen else ""
        name = STRATEGY_NAMES.get(alt.strategy, alt.strategy)
        lines.append(f"- **{name}**{tag}: {alt.summary.split(': ', 1)[-1]}")
    lines.append("")
    if plan.limits:
        lines += ["## Limits of this plan", ""] + [f"- {x}" for x in plan.limits] + [""]
    o = plan.outcomes
    lines += ["## What to expect", "",
              f"About {o.messages} outreach messages over the plan, which at today's assumptions bring "
              f"{_about(o.replies)} and {_about(o.interviews, 'interview')}.", ""]
    lines += ["## Assumptions", "", "| assumption | version | value | basis | source |", "|---|---|---|---|---|"]
    lines += [f"| {a['id']} | {a['version']} | {a['value']:g} | {a['basis']} | {a['source']} |" for a in plan.assumptions]
    memory = f", memory version {plan.memory_version}" if plan.memory_version is not None else ""
    lines += ["", f"{plan_stamp(plan)}; market snapshot `{(plan.market_snapshot or {}).get('sha')}`{memory}."]
    return "\n".join(scrub(x) if i > 0 else x for i, x in enumerate(lines)) + "\n"


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
    if not md_path.is_file() or f"\nPlan `{plan.plan_id}` v{plan.version} (" not in md_path.read_text():
        raise ValueError(f"published markdown {md_path} is missing or not plan v{plan.version}")
    uids = [str(e["UID"]) for e in Calendar.from_ical(ics_path.read_bytes()).walk("VEVENT")]
    expected = [s["uid"] for s in sessions(plan)]
    if len(uids) != len(set(uids)) or sorted(uids) != sorted(expected):
        raise ValueError(f"published calendar {ics_path} does not hold the {len(expected)} sessions of the plan")
    return {"events": len(uids), "markdown": str(md_path), "calendar": str(ics_path)}
