"""Planner (pure): weeks fit the hours budget exactly, dependencies hold, assumptions registry, versions, publish."""

from __future__ import annotations

import json
import math
import random
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from careeros.planner.artifacts import load_catalogue
from careeros.planner.assumptions import (
    default_assumptions,
    load_assumptions,
    set_posterior,
    sync_assumptions,
)
from careeros.planner.gaps import Gap, GapReport
from careeros.planner.plan import Plan, PlanOverrides, build_plan
from careeros.profile import Profile

TEMPLATES = load_catalogue()
ASSUMPTIONS = default_assumptions()
KINDS = ["technology", "tool", "skill", "knowledge"]


def _profile(weekly_hours: float = 8, horizon: int = 6, risk: str = "medium", n_roles: int = 3) -> Profile:
    roles = [{"title": f"Role {i}", "soc_code": f"15-12{i}1.00"} for i in range(n_roles)]
    return Profile.model_validate({"name": "Test Person", "target_roles": roles, "weekly_hours": weekly_hours,
                                   "horizon_weeks": horizon, "risk_tolerance": risk, "timezone": "Europe/Lisbon",
                                   "goal": {"statement": "Land a data role within three months"}})


def _reports(seed: int, n_roles: int, n_gaps: int) -> list[GapReport]:
    rng = random.Random(seed)
    pool = [(f"tech:s{i}", f"Skill {i}", rng.choice(KINDS)) for i in range(max(1, n_gaps * 2))]
    out = []
    for r in range(n_roles):
        gaps = []
        for sid, label, kind in rng.sample(pool, min(n_gaps, len(pool))):
            w, mv = rng.uniform(0.05, 1), rng.uniform(0.2, 1)
            ev = rng.choice([0.0, 0.0, rng.uniform(0.1, 0.8)])
            status = "missing" if ev == 0 else rng.choice(["weak", "stale"])
            gaps.append(Gap(skill_id=sid, label=label, kind=kind, required=w * mv, weight=w, market_value=mv,
                            evidenced=ev, size=w * mv * (1 - ev), status=status, reason="test"))
        out.append(GapReport(soc_code=f"15-12{r}1.00", title=f"Role {r}", gaps=gaps, coverage=rng.uniform(0, 0.6),
                             market_value_source="neutral"))
    return out


def _check(plan: Plan, weekly_hours: float) -> None:
    budget = math.floor(weekly_hours * 60 + 1e-9)
    finished: dict[str, tuple[int, int]] = {}  # work id -> (week, position) of its last part
    first_publish = None
    for wk in plan.weeks:
        assert wk.minutes == sum(t.minutes for t in wk.tasks) == budget, (wk.week, wk.minutes, budget)
        assert wk.minutes / 60 <= weekly_hours + 1e-9
        assert wk.verification.definition_of_done and wk.verification.evidence
        for pos, t in enumerate(wk.tasks):
            for dep in t.depends_on:
                assert dep in finished and finished[dep] < (wk.week, pos), (t.id, dep)
            if t.kind == "outreach":
                assert first_publish is not None and first_publish < (wk.week, pos)
            if t.part == t.parts:
                finished[t.work_id] = (wk.week, pos)
                if t.kind == "publish" and first_publish is None:
                    first_publish = (wk.week, pos)
            assert t.verification.done and t.verification.evidence


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weekly_hours=st.floats(min_value=1, max_value=40, allow_nan=False), horizon=st.integers(1, 14),
       risk=st.sampled_from(["low", "medium", "high"]), n_roles=st.integers(1, 3), n_gaps=st.integers(0, 30),
       seed=st.integers(0, 10_000))
def test_plan_fits_weekly_budget_and_respects_dependencies(weekly_hours: float, horizon: int, risk: str, n_roles: int,
                                                           n_gaps: int, seed: int) -> None:
    prof = _profile(weekly_hours, horizon, risk, n_roles)
    plan = build_plan(prof, _reports(seed, n_roles, n_gaps), TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5))
    assert len(plan.weeks) == horizon
    _check(plan, weekly_hours)
    assert [a.rank for a in plan.alternatives] == [1, 2, 3] and plan.alternatives[0].chosen
    assert plan.alternatives[0].strategy == plan.strategy


def test_plan_names_its_inputs_and_risk_policy() -> None:
    reps = _reports(1, 3, 25)
    low = build_plan(_profile(10, 12, "low"), reps, TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5))
    high = build_plan(_profile(10, 12, "high"), reps, TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5))
    assert low.inputs["stretch_share_target"] == 0.10 and high.inputs["stretch_share_target"] == 0.40
    assert high.risk.stretch_hours >= low.risk.stretch_hours
    assert low.assumption_versions["outreach_reply_rate"] == 1
    assert {a["id"] for a in low.assumptions} >= {"hours_estimate_bias", "interview_conversion", "offer_conversion"}
    kinds = {t.kind for w in low.weeks for t in w.tasks}
    assert kinds == {"learn", "build", "publish", "outreach", "interview_prep"}
    assert all(r.coverage_expected >= r.coverage_before for r in low.roles)
    # dropping a role and changing hours re-plans
    o = PlanOverrides(weekly_hours=5, drop_roles=["15-1211.00"])
    fewer = build_plan(_profile(10, 12, "low"), reps, TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5), overrides=o)
    assert [r.soc_code for r in fewer.roles] == ["15-1201.00", "15-1221.00"]
    _check(fewer, 5)


def test_change_requests_are_parsed() -> None:
    from careeros.planner.approval import apply_change_request

    roles = [("15-2051.00", "Data Scientists"), ("15-1243.00", "Database Architects")]
    o = apply_change_request(PlanOverrides(), "request_changes", "Drop database architects, 6 hours please, low risk",
                             None, roles)
    assert o.drop_roles == ["15-1243.00"] and o.weekly_hours == 6 and o.risk_tolerance == "low"
    o2 = apply_change_request(o, "request_changes", "focus on 15-2051", 4.5, roles)
    assert o2.weekly_hours == 4.5 and o2.focus_role == "15-2051.00" and len(o2.notes) == 2


def _db(tmp_path: Path):  # type: ignore[no-untyped-def]
    import duckdb

    from careeros.warehouse.db import ensure_schema

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_schema(con)
    return con


def test_assumptions_registry_is_idempotent_and_versioned(tmp_path: Path) -> None:
    con = _db(tmp_path)
    first = sync_assumptions(con)
    assert first["inserted"] >= 20 and sync_assumptions(con) == {"inserted": 0, "updated": 0,
                                                                   "unchanged": first["inserted"]}
    y = tmp_path / "a.yaml"
    text = Path(__file__).resolve().parents[1].joinpath("data/assumptions.yaml").read_text()
    y.write_text(text.replace("{family: beta, a: 3.0, b: 17.0}", "{family: beta, a: 4.0, b: 16.0}"))
    assert sync_assumptions(con, y)["updated"] == 1
    v = set_posterior(con, "outreach_reply_rate", {"family": "beta", "a": 9, "b": 41}, "retrospective test")
    got = load_assumptions(con, y)
    a = got.get("outreach_reply_rate")
    assert a is not None and a.version == v == 3 and abs(a.value - 0.18) < 1e-9 and a.used()["basis"] == "posterior"
    hist = con.execute("SELECT version, change FROM assumption_history WHERE assumption_id = 'outreach_reply_rate' "
                       "ORDER BY version").fetchall()
    assert hist == [(1, "created"), (2, "prior changed"), (3, "posterior")]


def test_versions_diff_status_and_publish_without_duplicates(tmp_path: Path) -> None:
    from icalendar import Calendar

    from careeros.planner.approval import latest_plan, plan_status, record_decision, save_plan
    from careeros.planner.publish import publish_plan

    con = _db(tmp_path)
    reps = _reports(3, 2, 20)
    p1 = build_plan(_profile(8, 6, n_roles=2), reps, TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5))
    s1 = save_plan(con, p1, timeout_s=3600)
    p2 = build_plan(_profile(8, 6, n_roles=2), reps, TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5),
                    overrides=PlanOverrides(weekly_hours=4))
    s2 = save_plan(con, p2, timeout_s=-1)
    assert (s1.version, s2.version) == (1, 2) and s2.diff and s2.diff["previous_version"] == 1
    assert s2.diff["inputs"]["weekly_hours"] == [8, 4]
    assert con.execute("SELECT status FROM plan_version ORDER BY version").fetchall() == [("superseded",), ("proposed",)]
    st_ = plan_status(con)
    assert st_["status"] == "timed_out" and st_["awaiting_approval"] and st_["open_version"] == 2
    record_decision(con, s2, "approve", "ok", None, "run-1", 0)
    record_decision(con, s2, "approve", "ok", None, "run-1", 0)  # idempotent per run and round
    assert con.execute("SELECT count(*) FROM plan_approval").fetchall() == [(1,)]
    approved = latest_plan(con, statuses=("approved",))
    assert approved is not None and plan_status(con)["status"] == "approved"
    n_tasks = con.execute("SELECT count(*) FROM plan_task WHERE version = 2").fetchall()[0][0]
    assert n_tasks == sum(len(w.tasks) for w in approved.weeks)

    out = tmp_path / "plans"
    r1 = publish_plan(approved, out)
    uids1 = [str(e["UID"]) for e in Calendar.from_ical(Path(r1["calendar"]).read_bytes()).walk("VEVENT")]
    r2 = publish_plan(approved, out)
    uids2 = [str(e["UID"]) for e in Calendar.from_ical(Path(r2["calendar"]).read_bytes()).walk("VEVENT")]
    assert uids1 == uids2 and len(set(uids2)) == len(uids2) == r2["events"] > 0
    assert len(list(out.glob("*.ics"))) == 1 and (out / "current.md").read_text().startswith("# Your ")
    total = sum(e["DTEND"].dt.timestamp() - e["DTSTART"].dt.timestamp()
                for e in Calendar.from_ical(Path(r2["calendar"]).read_bytes()).walk("VEVENT"))
    assert abs(total / 3600 - sum(w.hours for w in approved.weeks)) < 0.01
    json.dumps(approved.model_dump(mode="json"))


def test_cli_plan_json_dry_run_and_store(home_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         settings_env: None) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(home_copy))
    get_settings.cache_clear()
    prof = tmp_path / "profile.toml"
    prof.write_text('name = "Sam"\nweekly_hours = 6\nhorizon_weeks = 4\n[goal]\nstatement = "Become a data engineer"\n'
                    '[[target_roles]]\ntitle = "Data Scientist"\nsoc_code = "15-2051.00"\n'
                    '[[target_roles]]\ntitle = "Database Architect"\nsoc_code = "15-1243.00"\n')
    res = CliRunner().invoke(app, ["plan", "--json", "--dry-run", "--profile", str(prof)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["version"] is None and d["plan_status"]["status"] == "dry_run" and len(d["weeks"]) == 4
    assert all(w["hours"] <= 6 and w["verification"]["definition_of_done"] for w in d["weeks"])
    assert d["assumption_versions"] and d["market_snapshot"]["sha"]
    assert not _has_plans(home_copy)
    # `careeros plan` never proposes by itself: with nothing stored it shows a computed plan and stores nothing
    res2 = CliRunner().invoke(app, ["plan", "--json", "--profile", str(prof)])
    assert res2.exit_code == 0, res2.output
    d2 = json.loads(res2.stdout)
    assert d2["version"] is None and d2["plan_status"]["status"] == "none" and not _has_plans(home_copy)
    assert "careeros plan propose" in d2["plan_status"]["message"]
    # once a version is stored and approved (what the approval flow does), it shows that one and adds nothing
    import subprocess
    import sys

    from careeros.warehouse.db import connect

    store = ("import sys; from pathlib import Path; from careeros.planner.approval import compute_plan, "
             "record_decision, save_plan; from careeros.profile import load_profile; "
             "from careeros.warehouse.db import connect; h = Path(sys.argv[1])\n"
             "plan = compute_plan(h, load_profile(Path(sys.argv[2])))\n"
             "with connect(h / 'warehouse.duckdb') as con:\n"
             "    p = save_plan(con, plan, 'proposed', 'run-1', 0)\n"
             "    record_decision(con, p, 'approve', run_id='run-1', round_no=0, actor='Sam')\n")
    # in another process: this one holds the warehouse read-only from the CLI calls above
    import os

    done = subprocess.run([sys.executable, "-c", store, str(home_copy), str(prof)], capture_output=True, text=True,
                          timeout=600, env={**os.environ, "CAREEROS_HOME": str(home_copy)})
    assert done.returncode == 0, done.stderr[-2000:]
    for _ in range(2):
        res3 = CliRunner().invoke(app, ["plan", "--json", "--profile", str(prof)])
        d3 = json.loads(res3.stdout)
        assert d3["version"] == 1 and d3["status"] == "approved" and d3["plan_status"]["approved_version"] == 1
        assert not d3["plan_status"]["awaiting_approval"]
    with connect(home_copy / "warehouse.duckdb", read_only=True) as con:
        assert con.execute("SELECT count(*) FROM plan_version").fetchall()[0][0] == 1


def test_cli_plan_without_a_profile_names_init(home_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                               settings_env: None) -> None:
    from typer.testing import CliRunner

    from careeros.cli import app
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(home_copy))
    get_settings.cache_clear()
    for args in (["plan"], ["plan", "--dry-run", "--json"], ["plan", "propose"]):
        res = CliRunner().invoke(app, args)
        assert res.exit_code == 2, res.output
        assert "careeros init" in res.stderr and "Jordan" not in res.output  # never the sample person


def _has_plans(home: Path) -> bool:
    import duckdb

    con = duckdb.connect(str(home / "warehouse.duckdb"), read_only=True)
    try:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'plan_version'"
                             ).fetchall()[0][0]
        return bool(exists and con.execute("SELECT count(*) FROM plan_version").fetchall()[0][0])
    finally:
        con.close()


def test_plan_created_at_is_recorded() -> None:
    when = datetime(2026, 3, 4, 12, tzinfo=UTC)
    plan = build_plan(_profile(), _reports(5, 1, 5), TEMPLATES, ASSUMPTIONS, created_at=when)
    assert plan.created_at == when and plan.inputs["start"] == "2026-03-09"


def test_hours_the_products_leave_go_to_study_of_the_next_gaps_not_to_outreach() -> None:
    """One small gap set: the catalogue's products cover a few gaps; the rest of the core hours study the largest
    uncovered gaps (learn items with no product), at most MAX_STUDY_ITEMS, each within what is left."""
    from careeros.planner.plan import MAX_STUDY_ITEMS, _study_items

    gaps = [Gap(skill_id=f"concept:g{i}", label=f"Gap {i}", kind="skill", required=1 - i / 10, weight=1.0,
                market_value=0.5, evidenced=0.0, size=1 - i / 10, status="missing", reason="t") for i in range(8)]
    items = _study_items(gaps, {"concept:g0"}, 20.0, ASSUMPTIONS, 1.0, {g.skill_id: ["15-1221.00"] for g in gaps}, {})
    assert [w.skill_ids[0] for w in items] == ["concept:g1", "concept:g2", "concept:g3"][:len(items)]
    assert 1 <= len(items) <= MAX_STUDY_ITEMS
    assert sum(w.minutes for w in items) <= 20 * 60
    assert all(w.kind == "learn" and not w.deps and w.artifact_id is None for w in items)
    assert _study_items(gaps, set(), 0.2, ASSUMPTIONS, 1.0, {}, {}) == []
    # in a whole plan: every learn item of a skill no product shows is scheduled (or deferred), never lost
    plan = build_plan(_profile(weekly_hours=6, horizon=12, n_roles=1), _reports(3, 1, 20), TEMPLATES, ASSUMPTIONS,
                      start=date(2026, 1, 5))
    shown = {s for a in plan.artifact_details for s in a.skills}
    study = {t.work_id for wk in plan.weeks for t in wk.tasks if t.kind == "learn" and not set(t.skill_ids) & shown}
    assert study, "no study item in a plan whose products leave hours"
    assert len(study) <= MAX_STUDY_ITEMS


def test_a_split_never_leaves_a_stub_session_for_the_next_week() -> None:
    from careeros.planner.plan import MIN_CHUNK, TAIL_MINUTES, _Work, schedule

    # 8 h weeks with 1 h of interview preparation: a 7.5 h build would leave 30 min for week 2
    build = _Work("build:x", "build", "Build: X", 450)
    sched = schedule([build], 480, 3, 60, 60, "Role", ["1"])
    week1 = {w.id: m for w, m, _, _ in sched.weeks[0]}
    assert week1["build:x"] == 450 and sched.completed_week["build:x"] == 1
    assert sum(week1.values()) == 480  # the week's hours stay the budget: preparation gave up the tail
    for week in sched.weeks:
        assert all(m >= MIN_CHUNK for _, m, _, _ in week)
    # a long remainder is still split into a later week
    long = _Work("build:y", "build", "Build: Y", 420 + TAIL_MINUTES + 60)
    sched = schedule([long], 480, 3, 60, 60, "Role", ["1"])
    assert sched.completed_week["build:y"] == 2


def _gap(sid: str, label: str, size: float, kind: str = "concept") -> Gap:
    return Gap(skill_id=sid, label=label, kind=kind, required=size, weight=1.0, market_value=0.5, evidenced=0.0,
               size=size, status="missing", reason="t")


def test_a_credential_the_goal_names_is_prepared_for_not_learned_or_published() -> None:
    """'Pass the CWI exam' names a credential of a gap: the plan prepares for that exam (study schedule, practice
    exams, booking) as a goal target, with no separate learn item and nothing to publish; a credential gap the goal
    does not name is a candidate too; a goal that names a tool next to 'pass' asks for no exam."""
    from careeros.planner.artifacts import EXAM_PREP, credential_candidates, goal_credentials

    weld = _gap("concept:weld", "Weld inspection and procedures (AWS D1.1, WPS, CWI)", 0.9)
    pmp = _gap("concept:pmp", "PMP certification (CAPM, PRINCE2)", 0.5)
    torch = _gap("tech:pytorch", "PyTorch (or TensorFlow)", 0.8, "technology")
    gaps = [weld, pmp, torch]
    assert goal_credentials("Pass the CWI exam and move into inspection", gaps) == {"concept:weld": "CWI"}
    assert goal_credentials("get my PyTorch skills up and pass interviews", gaps) == {}
    assert goal_credentials("Earn the PMP within a year", gaps) == {"concept:pmp": "PMP"}
    # "get certified" names no credential: the largest credential gap is the one meant
    lic = _gap("concept:lic", "Teaching certification (state teaching license)", 0.7)
    assert goal_credentials("Get certified and hired as a teacher", [torch, lic, pmp]) == {
        "concept:lic": "Teaching certification (state teaching license)"}
    cands = {a.skills[0]: a for a in credential_candidates(gaps, "Pass the CWI exam")}
    assert set(cands) == {"concept:weld", "concept:pmp"}
    assert cands["concept:weld"].title == f"{EXAM_PREP}the CWI exam" and cands["concept:weld"].kind == "certification"

    profile = Profile.model_validate({
        "name": "Test Person", "target_roles": [{"title": "Welding Inspector", "soc_code": "51-9061.00"}],
        "weekly_hours": 8, "horizon_weeks": 12, "goal": {"statement": "Pass the CWI exam within a year"}})
    rep = GapReport(soc_code="51-9061.00", title="Welding Inspector", coverage=0.4, market_value_source="neutral",
                    gaps=[weld, _gap("concept:gdt", "GD&T (geometric dimensioning)", 0.6),
                          _gap("concept:spc", "Statistical process control", 0.5)])
    plan = build_plan(profile, [rep], TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5))
    prep = [t for wk in plan.weeks for t in wk.tasks if t.title.startswith(EXAM_PREP)]
    assert prep and all(t.kind == "build" for t in prep), "the goal's exam is not in the plan"
    art = prep[0].artifact_id
    tasks = [t for wk in plan.weeks for t in wk.tasks]
    assert not [t for t in tasks if t.kind == "publish" and t.artifact_id == art]
    assert not [t for t in tasks if t.kind == "learn" and "concept:weld" in t.skill_ids]
    assert prep[-1].verification.done.lower().startswith("eligibility")
    from careeros.planner.publish import plan_markdown
    assert "**Exam preparation**: the CWI exam" in plan_markdown(plan)


def test_a_licence_sat_after_a_missing_degree_is_mapped_not_studied_for_unless_the_goal_names_it() -> None:
    """An ICU nurse applying to nurse anesthesia school was planned 44 hours of NBCRNA exam preparation, an exam she can
    sit only after the 36-month programme her plan still lacks: a credential of a role whose degree is missing gets its
    route mapped (a learn item), and no exam preparation, unless the goal names it."""
    from careeros.planner.artifacts import EXAM_PREP

    nce = _gap("concept:nce", "Nurse anesthesia certification (NBCRNA) (CRNA, National Certification Examination)", 0.9)
    deg = _gap("concept:msn", "Graduate nursing degree (MSN/DNP)", 0.8)
    airway = _gap("concept:airway", "Advanced airway management (RSI, video laryngoscopy)", 0.7)

    from careeros.planner.artifacts import RoleContext, family_for, load_families

    ctx = RoleContext(soc_code="29-1151.00", family=family_for("29-1151.00", load_families()), own_title="CRNA",
                      tasks=["Administer anesthetic or sedation medications, controlling dosage",
                             "Perform airway management during anesthesia"])

    def plan_for(gaps: list[Gap], goal: str) -> list[str]:
        profile = Profile.model_validate({
            "name": "Test Person", "target_roles": [{"title": "CRNA", "soc_code": "29-1151.00"}],
            "weekly_hours": 10, "horizon_weeks": 12, "goal": {"statement": goal}})
        rep = GapReport(soc_code="29-1151.00", title="CRNA", coverage=0.4, market_value_source="neutral", gaps=gaps)
        plan = build_plan(profile, [rep], TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5), contexts={"29-1151.00": ctx})
        return [t.title for wk in plan.weeks for t in wk.tasks]

    from careeros.planner.artifacts import credential_candidates
    from careeros.planner.plan import exams_after_degrees

    cands = credential_candidates([nce, deg, airway])
    assert [c.skills for c in cands] == [["concept:nce"]]
    roles = {"concept:nce": ["29-1151.00"]}
    assert exams_after_degrees(cands, roles, {"29-1151.00"}, {}) == []
    assert exams_after_degrees(cands, roles, set(), {}) == cands  # the degree is held: prepare for the exam
    assert exams_after_degrees(cands, roles, {"29-1151.00"}, {"concept:nce": "NBCRNA"}) == cands  # the goal asks
    assert exams_after_degrees(cands, {"concept:nce": ["29-1151.00", "29-1141.00"]}, {"29-1151.00"}, {}) == cands
    titles = plan_for([nce, deg, airway], "Apply to nurse anesthesia school")
    assert not [t for t in titles if t.startswith(EXAM_PREP)], titles
    assert any(t.startswith("Map the route to Nurse anesthesia certification") for t in titles), titles
    assert [t for t in plan_for([nce, deg, airway], "Pass the NBCRNA exam") if t.startswith(EXAM_PREP)]


def test_a_credential_gap_is_a_route_to_map_or_a_licence_to_confirm_never_a_study_session() -> None:
    """A licence or certification is not learned in a few hours of study: a missing one becomes "Map the route to X"
    (who grants it, eligibility, cost, dates, the first step booked), one partly shown "Confirm X and list it"; both
    with an outcome as their done criterion. A gap far smaller than the largest gets no study item of its own."""
    import re

    from careeros.planner.plan import CREDENTIAL_ROUTE_HOURS, STUDY_MIN_SHARE, _study_items

    time_spent = re.compile(r"\bh of progress\b|\bhours?\b|\b\d+(?:\.\d+)? ?h\b|\bminutes\b|\btime spent\b", re.I)

    np_cert = _gap("concept:np", "Nurse practitioner certification (APRN license)", 0.9)
    rn = _gap("concept:rn", "NCLEX-RN license", 0.6).model_copy(update={
        "status": "weak", "evidenced": 0.4, "reason": "partly shown (NCLEX-RN license: named in your resume)"})
    # partly shown only because the person's current occupation usually holds it: a route, not a licence to confirm
    lcsw = _gap("concept:lcsw", "Social work licensure (LCSW) (LMSW, ASWB exam)", 0.5).model_copy(update={
        "status": "weak", "evidenced": 0.38,
        "reason": "partly shown (Social work licensure (LCSW): core of your current occupation (Child, Family, and "
                  "School Social Workers) (strength 0.38))"})
    dx = _gap("concept:dx", "Clinical diagnosis (differential diagnosis)", 0.85)
    tiny = _gap("concept:media", "Communications and Media", 0.9 * STUDY_MIN_SHARE * 0.5)
    items = {w.skill_ids[0]: w for w in _study_items([np_cert, rn, lcsw, dx, tiny], set(), 40.0, ASSUMPTIONS, 1.0,
                                                     {}, {}, limit=10)}
    assert set(items) == {"concept:np", "concept:rn", "concept:lcsw", "concept:dx"}
    assert items["concept:np"].title.startswith("Map the route to Nurse practitioner certification")
    assert items["concept:rn"].title == "Confirm NCLEX-RN license and list it"
    assert items["concept:lcsw"].title.startswith("Map the route to Social work licensure (LCSW)")
    assert items["concept:dx"].title.startswith("Learn ")
    assert items["concept:np"].minutes == CREDENTIAL_ROUTE_HOURS["missing"] * 60
    for w in items.values():
        assert not time_spent.search(w.done), w.done


def test_a_credential_and_its_credential_group_get_one_route() -> None:
    """"Social work licensure (LCSW)" under "Clinical licensure (LCSW, LPC)": one route item, not the group's route
    studied first as a foundation."""
    from careeros.planner.plan import _study_items

    group = _gap("concept:clin", "Clinical licensure (LCSW, LPC)", 0.6)
    lcsw = _gap("concept:lcsw", "Social work licensure (LCSW) (LMSW, ASWB exam)", 0.7)
    items = _study_items([group, lcsw], set(), 40.0, ASSUMPTIONS, 1.0, {}, {}, limit=10,
                         parents={"concept:lcsw": {"concept:clin": 0.8}})
    assert [w.skill_ids[0] for w in items] == ["concept:lcsw"]


def test_one_product_instance_is_chosen_in_one_bundle_size_only() -> None:
    """Bundle sizes of one field product are alternatives: a plan never makes the same report twice over the
    same skill (it did, as 'Inspection report (second)')."""
    from careeros.planner.artifacts import Artifact, choose_artifacts, instance_key

    def art(n: int, skills: list[str]) -> Artifact:
        return Artifact(id=f"51-9061.00:report:{n}", template_id="production/report", kind="project", title="R",
                        hours=4 + 2 * n, proof="p", strength=0.8, skills=skills)

    gaps = [_gap("a", "A", 1.0), _gap("b", "B", 0.9), _gap("c", "C", 0.1)]
    chosen = choose_artifacts([art(1, ["a"]), art(2, ["a", "b"]), art(3, ["a", "b", "c"])], gaps, 100).chosen
    assert len({instance_key(a) for a in chosen}) == len(chosen) == 1


def test_weeks_the_products_leave_early_go_to_the_next_gaps_not_to_outreach_alone() -> None:
    """A small budget whose products finish early: the last weeks study the next largest gaps, and outreach keeps
    about its weekly share instead of filling whole weeks (a 6 h week of '11 messages')."""
    from careeros.planner.plan import _session, outreach_share

    reports = _reports(3, 1, 30)
    plan = build_plan(_profile(weekly_hours=6, horizon=12, n_roles=1), reports, TEMPLATES, ASSUMPTIONS,
                      start=date(2026, 1, 5))
    _check(plan, 6)
    budget = 6 * 60
    share = _session(budget * outreach_share(ASSUMPTIONS), budget)
    planned = {s for wk in plan.weeks for t in wk.tasks if t.kind in ("learn", "build") for s in t.skill_ids}
    left = [g.skill_id for g in reports[0].gaps if g.skill_id not in planned]
    over = [(wk.week, t.minutes) for wk in plan.weeks for t in wk.tasks if t.kind == "outreach" and t.minutes > share + 60]
    assert not (over and left), f"outreach weeks {over} while gaps {left[:3]} have no work"


def test_a_product_instance_quotes_the_task_that_matches_its_skills() -> None:
    from careeros.planner.artifacts import _task_for

    tasks = ["Apply feature selection algorithms to models predicting outcomes of interest.",
             "Test, validate, and reformulate models to ensure accurate prediction of outcomes of interest.",
             "Deploy models to production servers and monitor their latency.",
             # the rest of the role's statements: a word they all use says little
             "Clean and manipulate raw data using statistical software.",
             "Create graphs, charts, or other visualizations to convey the results of data analysis.",
             "Identify business problems or management objectives that can be addressed through data analysis.",
             "Recommend data-driven solutions to key stakeholders."]
    # the statement sharing words with what the instance shows, for any instance
    assert _task_for(tasks, 0, ["Model deployment (serving, latency monitoring)"]) == tasks[2]
    assert _task_for(tasks, 1, ["Predictive modeling (prediction)"]) == tasks[1]
    # nothing shared: a later instance quotes no task rather than another instance's work; the first keeps the
    # product's best match; statements not matched to the product keep their order
    assert _task_for(tasks, 1, ["GPU training (quantization)"]) is None
    assert _task_for(tasks, 0, ["GPU training (quantization)"]) is None
    assert _task_for(tasks, 1, ["GPU training (quantization)"], anchored=False) == tasks[1]


def test_broader_skills_are_learned_and_evidenced_first() -> None:
    """A coach teaches machine learning before deep learning and deep learning before GPU training optimisation:
    the product on the broader skill comes first whatever the gap sizes, and inside a product the broader skill is
    learned (and named) first. Unrelated products keep their order, and core work stays before stretch work."""
    from careeros.planner.artifacts import Artifact
    from careeros.planner.plan import ancestors, foundations_first, foundations_order

    parents = {"gpu": {"dl": 0.65}, "dl": {"ml": 0.65}, "eval": {"ml": 0.65}, "ml": {"ds": 0.65},
               "torch": {"dl": 0.8, "python": 0.9}}
    assert ancestors("gpu", parents) == {"dl", "ml", "ds"}
    assert ancestors("ml", parents) == {"ds"}
    assert foundations_order(["gpu", "dl"], parents) == ["dl", "gpu"]
    assert foundations_order(["eval", "ml", "sql"], parents) == ["ml", "eval", "sql"]

    def art(i: str, skills: list[str]) -> Artifact:
        return Artifact(id=i, template_id="t", kind="project", title=i, hours=10, proof="p", strength=0.8,
                        skills=skills)

    deep, basics, other = art("deep", ["gpu", "dl"]), art("basics", ["eval", "ml"]), art("other", ["sql"])
    got = foundations_first([(other, False), (deep, False), (basics, False)], parents)
    assert [a.id for a, _ in got] == ["other", "basics", "deep"]
    # a stretch product is not pulled in front of core work
    got = foundations_first([(deep, False), (basics, True)], parents)
    assert [a.id for a, _ in got] == ["deep", "basics"]
    # a cycle in the hierarchy data does not lose a product
    loop = {"a": {"b": 0.6}, "b": {"a": 0.6}}
    assert len(foundations_first([(art("x", ["a"]), False), (art("y", ["b"]), False)], loop)) == 2


def test_a_tool_the_products_practice_names_is_used_in_it_not_left_for_later() -> None:
    """'PyTorch (or TensorFlow)' beside a project on 'Deep learning (PyTorch, TensorFlow, ...)' is built with it: the
    plan says so instead of 'not in this plan's weeks', with no study item of its own, and the ML product comes
    before the deep learning one."""
    from careeros.planner.artifacts import Artifact
    from careeros.planner.plan import tools_used
    from careeros.planner.publish import plan_markdown

    parents = {"tech:pytorch": {"concept:dl": 0.8}, "tech:tableau": {"concept:viz": 0.8},
               "concept:gpu": {"concept:dl": 0.65}, "concept:dl": {"concept:ml": 0.65},
               "concept:eval": {"concept:ml": 0.65}}
    gaps = {g.skill_id: g for g in [
        _gap("concept:dl", "Deep learning (PyTorch, TensorFlow, transformer models)", 0.9),
        _gap("tech:pytorch", "PyTorch (or TensorFlow)", 0.8, "technology"),
        _gap("tech:tableau", "Tableau", 0.5, "technology"),
        _gap("concept:viz", "Data visualization (dashboards)", 0.4)]}  # does not name Tableau: not implied
    dl = Artifact(id="dl", template_id="t", kind="project", title="P", hours=10, proof="p", strength=0.8,
                  skills=["concept:dl"])
    viz = Artifact(id="viz", template_id="t", kind="project", title="V", hours=10, proof="p", strength=0.8,
                   skills=["concept:viz"])
    assert tools_used([(dl, False), (viz, False)], gaps, parents) == {"dl": ["tech:pytorch"]}

    profile = Profile.model_validate({
        "name": "Test Person", "target_roles": [{"title": "Machine Learning Engineer", "soc_code": "15-2051.00"}],
        "weekly_hours": 10, "horizon_weeks": 12,
        "goal": {"statement": "Become an ML engineer with two public ML projects"}})
    rep = GapReport(soc_code="15-2051.00", title="Data Scientists", coverage=0.3, market_value_source="neutral",
                    gaps=[_gap("concept:gpu", "GPU training and inference optimization (multi-GPU training)", 1.0),
                          _gap("tech:pytorch", "PyTorch (or TensorFlow)", 0.95, "technology"),
                          _gap("concept:dl", "Deep learning (PyTorch, TensorFlow, transformer models)", 0.9),
                          _gap("concept:eval", "Model evaluation (cross-validation, evaluation metrics)", 0.7),
                          _gap("concept:ml", "Machine learning (scikit-learn, XGBoost)", 0.6)])
    from careeros.planner.artifacts import RoleContext, family_for, load_families

    ctx = RoleContext(soc_code="15-2051.00", tasks=["Compare models using statistical performance metrics",
                                                    "Apply deep learning models to images"],
                      family=family_for("15-2051.00", load_families()))
    plan = build_plan(profile, [rep], TEMPLATES, ASSUMPTIONS, start=date(2026, 1, 5), parents=parents,
                      contexts={"15-2051.00": ctx})
    tasks = [t for wk in plan.weeks for t in wk.tasks]
    made = [a.title for a in plan.artifact_details]
    assert len(made) >= 2 and made[0] == "Machine-learning project", made
    assert plan.artifact_details[0].skills[0] == "concept:ml", plan.artifact_details[0].skills
    assert not [t for t in tasks if t.kind == "learn" and "tech:pytorch" in t.skill_ids]
    assert [t for t in tasks if t.kind == "build" and "tech:pytorch" in t.skill_ids]
    learn = [t.skill_ids[0] for t in tasks if t.kind == "learn"]
    for broad, narrow in [("concept:ml", "concept:dl"), ("concept:dl", "concept:gpu"), ("concept:ml", "concept:eval")]:
        if broad in learn and narrow in learn:
            assert learn.index(broad) < learn.index(narrow), learn
    md = plan_markdown(plan.model_copy(update={"gaps": [{**g.model_dump(), "soc_code": "15-2051.00"}
                                                        for g in rep.gaps]}))
    assert re.search(r"^- PyTorch \(or TensorFlow\) — this plan: \*", md, re.M), md


def test_study_of_a_gap_starts_with_the_practice_it_builds_on() -> None:
    """Study items after the products: GPU training optimisation is studied after deepening deep learning, the
    practice it builds on, when nothing covers that yet; a tool is learned hands-on (no broader study first), and a
    broader practice a product covers is not studied again."""
    from careeros.planner.plan import _study_items

    parents = {"gpu": {"dl": 0.65}, "dl": {"ml": 0.65}, "tech:aws": {"cloud": 0.8}}
    gaps = [_gap("gpu", "GPU training and inference optimization", 1.0),
            _gap("tech:aws", "Amazon Web Services", 0.9, "technology"),
            _gap("dl", "Deep learning (PyTorch, TensorFlow)", 0.5),
            _gap("cloud", "Cloud computing (AWS, Azure)", 0.4),
            _gap("ml", "Machine learning (scikit-learn)", 0.3)]
    works = _study_items(gaps, {"ml"}, 200.0, ASSUMPTIONS, 1.0, {}, {}, limit=4, parents=parents)
    order = [w.skill_ids[0] for w in works]
    assert order == ["dl", "gpu", "tech:aws", "cloud"], order
    # without the hierarchy: largest first, as before
    assert [w.skill_ids[0] for w in _study_items(gaps, {"ml"}, 200.0, ASSUMPTIONS, 1.0, {}, {}, limit=2)] == [
        "gpu", "tech:aws"]


def test_spare_hours_go_to_the_largest_gaps_not_to_a_product_far_down_the_list() -> None:
    """A product a plan's spare hours would spend on a small gap gives way when studying the largest uncovered gaps in
    those hours closes more; a product on a gap near those stays (it is better evidence than notes)."""
    from careeros.planner.artifacts import Artifact
    from careeros.planner.assumptions import default_assumptions
    from careeros.planner.plan import _study_beats

    a = default_assumptions()
    gaps = [_gap("concept:acp", "Advance care planning", 0.07), _gap("concept:pall", "Palliative care", 0.07),
            _gap("concept:group", "Group facilitation", 0.02), _gap("concept:docs", "Case documentation", 0.06)]
    size = {g.skill_id: g.size for g in gaps}

    def art(i: str, skill: str) -> Artifact:
        return Artifact(id=i, template_id="x/y", kind="project", title=i, hours=14, proof="p", strength=0.7,
                        skills=[skill])

    done = [art("docs", "concept:docs")]
    assert _study_beats([art("group", "concept:group")], done, gaps, size, 15.0, 14.0, a, 1.0)
    assert not _study_beats([art("acp", "concept:acp")], done, gaps, size, 15.0, 14.0, a, 1.0)
    # by rank too: a product on gap 12 of 12 gives way to study of gap 2 even though their sizes are close
    near = [_gap(f"concept:g{i}", f"Gap {i}", 0.045 - 0.001 * i) for i in range(12)]
    near_size = {g.skill_id: g.size for g in near}
    assert _study_beats([art("far", "concept:g11")], [art("top", "concept:g0")], near, near_size, 15.0, 14.0, a, 1.0)
    assert not _study_beats([art("close", "concept:g3")], [art("top", "concept:g0")], near, near_size, 15.0, 14.0, a,
                            1.0)


def test_a_licence_among_the_largest_gaps_keeps_its_route_and_a_split_route_reads_as_one() -> None:
    """Study items of larger gaps do not crowd out the route to a licence the target asks for (a certification
    competes as any gap); a route split over two sessions reads as facts found, then the step, not as material."""
    from careeros.planner.assumptions import default_assumptions
    from careeros.planner.plan import _part_outcome, _study_items

    a = default_assumptions()
    big = [_gap(f"concept:g{i}", f"Gap {i}", 0.1 - i / 100) for i in range(6)]
    lic = _gap("concept:lcsw", "Social work licensure (LCSW)", 0.05)
    cert = _gap("concept:ccm", "Construction management certification (CCM)", 0.055)
    works = _study_items([*big, lic], set(), 40.0, a, 1.0, {}, {}, limit=4)
    assert [w.title for w in works].count("Map the route to Social work licensure (LCSW)") == 1
    assert len([w for w in works if not w.title.startswith("Map the route")]) == 4
    works = _study_items([*big, cert], set(), 40.0, a, 1.0, {}, {}, limit=4)
    assert not any(w.title.startswith("Map the route") for w in works)
    route = next(w for w in _study_items([*big, lic], set(), 40.0, a, 1.0, {}, {}, limit=4)
                 if w.title.startswith("Map the route"))
    assert "to be eligible" in _part_outcome(route, 1, 2) and "material" not in _part_outcome(route, 1, 2)


def test_a_name_ending_in_a_common_noun_is_no_product() -> None:
    """'MOON notice' and 'Boolean search' are learned as practices, not installed; 'Power BI' and 'Adobe Captivate'
    are products."""
    from careeros.planner.gaps import product_name

    assert product_name("Power BI") and product_name("Adobe Captivate") and product_name("Tableau")
    assert not product_name("MOON notice") and not product_name("Medicare observation status")
    assert not product_name("Boolean search") and not product_name("cold calling") and not product_name("AICC")


def test_the_fast_strategy_chooses_among_small_versions_of_every_product() -> None:
    """Nothing done within a week and a half: the fast strategy weighs every product's small versions, not the
    cheapest bundles of the cheapest product only (a web designer got two design-system pages and no website)."""
    from careeros.planner.artifacts import Artifact
    from careeros.planner.plan import quick_candidates

    def art(product: str, inst: int, skills: list[str], hours: float) -> Artifact:
        return Artifact(id=f"15-1255.00:{product}#{inst}:{len(skills)}", template_id=f"design/{product}",
                        kind="project", title=product, hours=hours, proof="p", strength=0.8, skills=skills)

    cheap = [art("design-system-page", i, [f"s{j}" for j in range(n)], 20 + n) for i in range(20) for n in (1, 2, 3, 4)]
    site = [art("responsive-website", 1, [f"w{j}" for j in range(n)], 25 + n) for n in (1, 2, 3)]
    got = quick_candidates([*cheap, *site], weekly_hours=8)
    assert {a.template_id for a in got} == {"design/design-system-page", "design/responsive-website"}
    assert all(len(a.skills) <= 2 for a in got)
    # products done within a week and a half are the whole choice when there are any
    assert quick_candidates([*site, art("usability-report", 1, ["u"], 10)], weekly_hours=8)[0].title == "usability-report"


def test_the_route_to_a_credential_among_the_largest_gaps_is_mapped_first() -> None:
    """An X-ray technologist's ARRT CT certification (the second largest gap) had its route mapped in week 8, after
    every product: eligibility, applications and exam dates take weeks to come back, so the route of a credential among
    the three largest gaps comes first; a smaller one's keeps its place."""
    from careeros.planner.plan import ROUTE_PREFIX, _Work, works_routes_first

    gaps = [_gap("ct", "Computed tomography (CT) imaging", 1.0),
            _gap("arrt", "ARRT CT certification (RT(CT), CT registry)", 0.95),
            _gap("iv", "IV therapy", 0.5), _gap("x", "X", 0.4), _gap("bls", "Life support certifications", 0.3)]
    works = [_Work("learn:ct", "learn", "Learn CT", 225, skill_ids=["ct"]),
             _Work("build:log", "build", "Competency log", 600, ["learn:ct"], skill_ids=["ct"]),
             _Work("learn:arrt", "learn", ROUTE_PREFIX + "ARRT CT certification", 225, skill_ids=["arrt"]),
             _Work("learn:bls", "learn", ROUTE_PREFIX + "Life support certifications", 225, skill_ids=["bls"])]
    got = [w.id for w in works_routes_first(works, gaps)]
    assert got == ["learn:arrt", "learn:ct", "build:log", "learn:bls"]
    # a missing programme's route comes before all, however small its gap: the licence after it follows from it
    gaps.append(_gap("coa", "Nurse anesthesia program (COA-accredited DNP/DNAP)", 0.2))
    works.append(_Work("learn:coa", "learn", ROUTE_PREFIX + "Nurse anesthesia program", 105, skill_ids=["coa"]))
    got = [w.id for w in works_routes_first(works, gaps)]
    assert got == ["learn:coa", "learn:arrt", "learn:ct", "build:log", "learn:bls"]


def test_a_missing_programme_s_application_is_made_before_the_other_products() -> None:
    """A psychiatric nurse applying to nurse practitioner school had two clinical audits and two care protocols in weeks
    1-6 and her program application in weeks 7-8: admission gates the move, so the product that evidences a missing
    degree or programme is made first; the rest keep their order, and nothing moves when no programme is missing."""
    from careeros.planner.artifacts import Artifact
    from careeros.planner.plan import applications_first

    def art(i: str, skills: list[str]) -> tuple[Artifact, bool]:
        return (Artifact(id=i, template_id="t", kind="project", title=i, hours=10, proof="p", strength=0.7,
                         skills=skills), False)

    chosen = [art("audit", ["qi"]), art("protocol", ["ebp", "qi"]), art("application", ["msn", "shadowing"])]
    assert [a.id for a, _ in applications_first(chosen, {"msn"})] == ["application", "audit", "protocol"]
    assert [a.id for a, _ in applications_first(chosen, set())] == ["audit", "protocol", "application"]
    assert [a.id for a, _ in applications_first(chosen, {"jd"})] == ["audit", "protocol", "application"]


def test_a_programme_applicant_prepares_for_admission_interviews() -> None:
    """A nurse whose every target needs a graduate programme she lacks faces admission interviews first: her weekly
    preparation says so, and its done criterion asks for admission questions, not a hiring panel's."""
    from careeros.planner.plan import ADMISSION_PREP, _task_verification, _Work, schedule

    build = _Work("build:x", "build", "Build: X", 300)
    sched = schedule([build], 480, 2, 60, 60, "Nurse Anesthetist", ["29-1151.00"], applicant=True)
    prep = [w for week in sched.weeks for w, _, _, _ in week if w.kind == "interview_prep"]
    assert prep and all(w.title == f"{ADMISSION_PREP} for Nurse Anesthetist programs" for w in prep)
    assert "admission interview questions" in _task_verification(prep[0], 60, 1, 1, 0.5).done
    plain = schedule([build], 480, 2, 60, 60, "Nurse Anesthetist", ["29-1151.00"])
    assert all(w.title == "Interview preparation for Nurse Anesthetist"
               for week in plain.weeks for w, _, _, _ in week if w.kind == "interview_prep")
