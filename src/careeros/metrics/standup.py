"""The daily standup: today's three most valuable actions, blocked and overdue items, plan approvals, check-in.

:func:`build_standup` and :func:`standup_markdown` are pure; :func:`gather_standup` and :func:`record_checkin`
open the warehouse. The plan used is the latest approved version, else the open proposal (flagged as not
approved). A task is done when a ``task_done`` event names it; a work item (all its parts) is done when every
part is. Ranking of today's actions: overdue before this week's; then evidence-producing work first
(publish > build > learn > outreach > interview prep); then the plan's order. A task whose dependency is
overdue or not done by its week is *blocked*; one waiting on an earlier task of the same week is simply next.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from careeros.planner.plan import Plan, PlanTask, Week

KIND_RANK = {"publish": 0, "build": 1, "learn": 2, "outreach": 3, "interview_prep": 4}


class CheckIn(BaseModel):
    """Daily check-in: tasks done, hours, outreach and interview outcomes."""

    # The optional daily check-in form (since the last check-in); the flow asks with its Prefect twin,
    # ``flows.human.run_input(CheckIn)`` (``CheckInInput``), whose form description is the docstring above.

    tasks_done: list[str] = Field(default_factory=list, description="plan task ids finished (see the standup)")
    hours: float = Field(default=0.0, ge=0, le=24, description="hours worked on the plan today")
    outreach_sent: int = Field(default=0, ge=0)
    outreach_replied: int = Field(default=0, ge=0)
    interviews: int = Field(default=0, ge=0)
    offers: int = Field(default=0, ge=0)
    notes: str = ""


class StandupItem(BaseModel):
    """One task as the standup shows it."""

    task_id: str
    title: str
    kind: str
    hours: float
    week: int
    reason: str = ""


class Standup(BaseModel):
    """What the standup says today."""

    day: date
    plan_id: str | None = None
    version: int | None = None
    plan_state: str = "none"       # approved | proposed | timed_out | changes_requested | none
    flagged: bool = False          # the actions come from a plan that is not approved
    week: int | None = None
    actions: list[StandupItem] = Field(default_factory=list)
    blocked: list[StandupItem] = Field(default_factory=list)
    overdue: list[StandupItem] = Field(default_factory=list)
    done_this_week: int = 0
    open_this_week: int = 0
    status: dict[str, Any] = Field(default_factory=dict)


def week_of(plan: Plan, day: date) -> Week | None:
    """The plan week containing ``day`` (week 1 before the start, the last week after the end)."""
    if not plan.weeks:
        return None
    if day < plan.weeks[0].start:
        return plan.weeks[0]
    for w in plan.weeks:
        if w.start <= day <= w.end:
            return w
    return plan.weeks[-1]


def _item(t: PlanTask, week: int, reason: str = "") -> StandupItem:
    return StandupItem(task_id=t.id, title=t.title, kind=t.kind, hours=t.hours, week=week, reason=reason)


def build_standup(plan: Plan | None, status: dict[str, Any], done: set[str], day: date, n: int = 3) -> Standup:
    """Today's actions, blocked and overdue items of ``plan`` given the task ids already done."""
    out = Standup(day=day, status=status)
    if plan is None:
        return out
    out.plan_id, out.version, out.plan_state = plan.plan_id, plan.version, plan.status
    out.flagged = plan.status != "approved"
    cur = week_of(plan, day)
    if cur is None:
        return out
    out.week = cur.week
    parts: dict[str, list[str]] = {}
    week_of_work: dict[str, int] = {}
    for w in plan.weeks:
        for t in w.tasks:
            parts.setdefault(t.work_id, []).append(t.id)
            week_of_work[t.work_id] = w.week  # the week of its last part
    work_done = {wid for wid, ids in parts.items() if all(i in done for i in ids)}
    ready, candidates = [], []
    for w in plan.weeks:
        if w.week > cur.week:
            break
        for pos, t in enumerate(w.tasks):
            if t.id in done:
                if w.week == cur.week:
                    out.done_this_week += 1
                continue
            if w.week == cur.week:
                out.open_this_week += 1
            # recurring slots (outreach, interview prep) of past weeks are not carried over
            if w.week < cur.week and t.kind in ("outreach", "interview_prep"):
                continue
            missing = [d for d in t.depends_on if d not in work_done]
            late = [d for d in missing if week_of_work.get(d, cur.week) < cur.week or w.week < cur.week]
            if w.week < cur.week:
                out.overdue.append(_item(t, w.week, f"planned for week {w.week}"))
            if late:
                out.blocked.append(_item(t, w.week, "waiting on " + ", ".join(late)))
                continue
            if missing:
                continue  # next: its dependency is planned earlier this week
            candidates.append((0 if w.week < cur.week else 1, KIND_RANK.get(t.kind, 9), w.week, pos, t))
    candidates.sort(key=lambda c: c[:4])
    for overdue, _, wk, _, t in candidates[:n]:
        ready.append(_item(t, wk, "overdue" if overdue == 0 else f"week {wk}"))
    out.actions = ready
    return out


def standup_markdown(s: Standup) -> str:
    """The standup as markdown (Prefect artifact and the check-in form's description)."""
    lines = [f"## Standup {s.day.isoformat()} ({s.day.strftime('%A')})"]
    if s.plan_id is None:
        lines += ["", "No plan yet: run the `recalculate-weekly-plan` flow or `careeros plan`."]
    else:
        flag = " — **not approved yet: these actions come from the proposal**" if s.flagged else ""
        lines += [f"Plan `{s.plan_id}` v{s.version} ({s.plan_state}){flag}, week {s.week}: "
                  f"{s.done_this_week} done, {s.open_this_week} open.", "", "**Today's three actions**"]
        lines += [f"{i}. `{a.task_id}` {a.title} ({a.hours:g} h, {a.reason})" for i, a in enumerate(s.actions, 1)] \
            or ["- nothing ready: everything open waits on a dependency"]
        if s.blocked:
            lines += ["", "**Blocked**"] + [f"- `{b.task_id}` {b.title}: {b.reason}" for b in s.blocked]
        if s.overdue:
            lines += ["", "**Overdue**"] + [f"- `{o.task_id}` {o.title} ({o.reason})" for o in s.overdue]
    st = s.status or {}
    if st.get("awaiting_approval") or st.get("status") in ("timed_out", "changes_requested"):
        lines += ["", f"**Plan approval:** {st.get('message')}"]
    lines += ["", "Check in (optional): tasks done (ids above), hours, outreach sent/replied, interviews, offers."]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ warehouse


def done_task_ids(con: Any) -> set[str]:
    """Task ids with a ``task_done`` event."""
    return {r[0] for r in con.execute("SELECT DISTINCT task_id FROM outcome_event WHERE kind = 'task_done' "
                                      "AND task_id IS NOT NULL").fetchall()}


def gather_standup(warehouse: Path, day: date | None = None, n: int = 3) -> Standup:
    """Read plan, approvals and outcomes from the warehouse and build today's standup."""
    from careeros.planner.approval import latest_plan, plan_status
    from careeros.warehouse.db import connect

    day = day or datetime.now(UTC).date()
    if not Path(warehouse).is_file():
        return Standup(day=day, status={"status": "none", "message": "no warehouse yet"})
    with connect(Path(warehouse)) as con:
        status = plan_status(con)
        plan = latest_plan(con, None, ("approved",)) or latest_plan(
            con, None, ("proposed", "timed_out", "changes_requested"))
        done = done_task_ids(con)
    return build_standup(plan, status, done, day, n)


def record_checkin(warehouse: Path, run_id: str, day: date, checkin: CheckIn | dict[str, Any],
                   plan_id: str | None = None) -> int:
    """Store a check-in as outcome events (idempotent per run); returns the number of new events."""
    from careeros.metrics.outcomes import from_checkin, record_events
    from careeros.warehouse.db import connect

    c = checkin if isinstance(checkin, CheckIn) else CheckIn.model_validate(checkin)
    done = [t.strip() for item in c.tasks_done for t in item.split(",") if t.strip()]
    events = from_checkin(run_id, day, done, c.hours or None,
                          {"outreach_sent": c.outreach_sent, "outreach_replied": c.outreach_replied,
                           "interview": c.interviews, "offer": c.offers}, plan_id, c.notes or None)
    from careeros.memory.context import refresh_week

    with connect(Path(warehouse)) as con:
        n = record_events(con, events)
        refresh_week(con)  # the check-in is short-term context for this week's agents
        return n


class TaskRef(BaseModel):
    """A plan task as ``careeros log done`` resolves it."""

    task_id: str
    plan_id: str
    version: int
    status: str
    week: int
    title: str


def find_task(con: Any, task_id: str, plan_id: str | None = None) -> TaskRef | None:
    """The stored task with this id (approved versions first, then the newest), optionally within one plan."""
    from careeros.warehouse.db import fetch_one, table_exists

    if not table_exists(con, "plan_task"):
        return None
    sql = ("SELECT t.task_id, t.plan_id, t.version, v.status, t.week, t.title FROM plan_task t "
           "JOIN plan_version v USING (plan_id, version) WHERE t.task_id = ?"
           + (" AND t.plan_id = ?" if plan_id else "")
           + " ORDER BY (v.status = 'approved') DESC, v.created_at DESC, t.version DESC LIMIT 1")
    row = fetch_one(con.execute(sql, [task_id, plan_id] if plan_id else [task_id]))
    if row is None:
        return None
    return TaskRef(task_id=row[0], plan_id=row[1], version=row[2], status=row[3], week=row[4], title=row[5])


def task_hints(con: Any, day: date, limit: int = 8) -> tuple[Plan | None, list[StandupItem]]:
    """Task ids a person can log: the current plan's (approved, else the open proposal) week containing ``day``."""
    from careeros.planner.approval import latest_plan

    plan = latest_plan(con, None, ("approved",)) or latest_plan(con, None, ("proposed", "timed_out",
                                                                            "changes_requested"))
    if plan is None:
        return None, []
    cur = week_of(plan, day)
    weeks = ([cur] if cur else []) + [w for w in plan.weeks if cur is None or w.week != cur.week]
    items = [_item(t, w.week) for w in weeks for t in w.tasks]
    return plan, items[:limit]
