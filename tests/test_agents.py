"""Role agents offline on the curated sample operator: typed outputs, confidence in range, every citation resolves
to a real row; the orchestrator's files, drafts-only outreach, the CLI review; escalation against the real
Prefect server (pause -> resume with run_input -> decision recorded)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from test_agents_support import shared_base, use_home
from typer.testing import CliRunner

from careeros.agents import roles
from careeros.agents.facts import Facts, gather, resolve
from careeros.agents.models import AGENT_NAMES
from careeros.warehouse.db import connect, fetch_one


@pytest.fixture(scope="session")
def agents_base(built_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_base(built_home, tmp_path_factory)


@pytest.fixture()
def home(agents_base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    return use_home(agents_base, tmp_path, monkeypatch)


def _profile(home: Path) -> Any:
    from careeros.profile import load_profile

    return load_profile(home / "profile.toml")


@pytest.fixture()
def facts(home: Path) -> Facts:
    return gather(home, _profile(home), "test-run")


def test_facts_come_from_the_stored_plan_memory_contacts_and_postings(facts: Facts) -> None:
    assert facts.plan.status == "approved" and facts.plan.tasks
    assert [r.soc_code for r in facts.roles] == ["15-2051.00", "15-1243.00", "15-1252.00"]
    assert len(facts.contacts) == 6 and all(c.email.endswith((".org", ".test")) for c in facts.contacts)
    assert {p["company"] for p in facts.postings} >= {"Northwind Analytics", "Lumen Health"}
    assert facts.evidence and all(h.ref.startswith("memory:") for h in facts.evidence)
    assert facts.pending_links and facts.tasks["15-2051.00"]


@pytest.mark.parametrize("name", AGENT_NAMES)
def test_each_agent_offline_validates_and_cites_real_rows(name: str, facts: Facts, home: Path) -> None:
    from careeros.agents.orchestrator import run_agent

    spec = roles.AGENTS[name]
    run = run_agent(name, facts, "test-run", home)
    assert run.error is None, run.error
    out = spec.output_model.model_validate(run.output)
    assert 0 <= out.confidence <= 1 and run.llm["provider"] == "deterministic" and not run.llm["degraded"]
    refs = [c.ref for c in out.rationale]
    assert refs and run.unresolved == [] and all(resolve(refs, home, facts.contacts_file).values())
    o = run.output
    if name == "strategist":
        assert [m["month"] for m in o["milestones"]] == [1, 2, 3]
        assert all(m["verification"] and m["task_refs"] for m in o["milestones"]) and o["risks"]
        assert all(r["mitigation"] for r in o["risks"])
    elif name == "curriculum":
        weeks = [s["week"] for s in o["steps"]]
        assert weeks == sorted(weeks) and {s["kind"] for s in o["steps"]} >= {"learn", "project", "publish"}
        assert all(s["evidence_created"] for s in o["steps"])
    elif name == "producer":
        assert {b["artifact_id"] for b in o["briefs"]} == {str(a["id"]) for a in facts.plan.artifacts}
        assert all(b["readme"].startswith("# ") and len(b["acceptance"]) >= 3 for b in o["briefs"])
    elif name == "outreach":
        assert len(o["ranked"]) == 6 and len(o["drafts"]) == 6  # one draft per contact
        emails = {c.email for c in facts.contacts}
        assert all(d["to"] in emails for d in o["drafts"])
        assert o["ranked"][0]["company"] in {"Tidewater Payments", "Lumen Health", "Northwind Analytics"}
        assert o["ranked"][-1]["name"] == "Farah Nasser"  # product manager, acquaintance, company not hiring
        assert any(r.startswith("posting:") for r in refs)
    elif name == "interview_prep":
        kinds = {q["kind"] for q in o["questions"]}
        assert {"task", "skill"} <= kinds and any(q["source_ref"].startswith("onet_task:") for q in o["questions"])
        assert o["stories"] and all(s["evidence_ref"].startswith("evidence_item:") for s in o["stories"])
        assert all(s["source_text"] in {b.text for b in facts.bullets} for s in o["stories"])
    elif name == "evidence_curator":
        assert {p["link_id"] for p in o["proposals"]} == {lk.link_id for lk in facts.pending_links}
    assert run.issues == [], run.issues


def test_unresolvable_citations_do_not_resolve(home: Path) -> None:
    got = resolve(["graph_occupation_skill:15-2051.00/tech:nope", "plan_task:plan-x/build:y", "memory:zz@v1",
                   "contact:000000000000", "posting:none", "bogus"], home)
    assert not any(got.values())


def test_run_all_offline_writes_files_and_only_drafts(home: Path) -> None:
    from careeros.agents.orchestrator import run_all
    from careeros.outbox import Outbox

    rep = run_all(home, _profile(home), run_id="offline-1")
    folder = home / "agents" / "offline-1"
    for n in AGENT_NAMES:
        assert (folder / f"{n}.md").read_text().startswith(f"## {n}")
        assert json.loads((folder / f"{n}.json").read_text())["agent"] == n
    st = rep.by_agent()
    assert st["outreach"].status == "accepted", st["outreach"]
    msgs = Outbox().messages()
    assert len(msgs) == len(rep.drafts) >= 1 and {m.status for m in msgs} == {"drafted"}
    # re-running the same run adds no duplicate drafts (message id = hash of the content)
    rep2 = run_all(home, _profile(home), run_id="offline-1", agents=["outreach"])
    assert sorted(rep2.drafts) == sorted(rep.drafts) and len(Outbox().messages()) == len(msgs)
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        row = fetch_one(con.execute("SELECT count(*) FROM decision_log WHERE action LIKE 'outbox.%'"))
    assert row == (0,)
    # a new `careeros agents run` (new run id) adds no duplicate draft for the same contact and content
    rep3 = run_all(home, _profile(home), run_id="offline-2", agents=["outreach"])
    assert sorted(rep3.drafts) == sorted(rep.drafts) and len(Outbox().messages()) == len(msgs)
    assert len({m.recipient for m in Outbox().messages()}) == len(msgs)


def test_review_lists_pending_escalations_with_the_output(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.agents.orchestrator import (
        escalation_markdown,
        pending_escalations,
        run_all,
    )
    from careeros.cli import app
    from careeros.settings import get_settings

    rep = run_all(home, _profile(home), agents=["interview_prep"], thresholds={"interview_prep": 0.99},
                  run_id="esc-1")
    run = rep.by_agent()["interview_prep"]
    assert run.status == "escalated"
    story = run.output["stories"][0]["source_text"]
    md = escalation_markdown([run], "esc-1")
    assert "What you are asked to accept: interview_prep" in md and story in md and "<details>" not in md
    pending = pending_escalations(home)
    assert [(p["run_id"], p["agent"]) for p in pending] == [("esc-1", "interview_prep")]
    assert story in pending[0]["text"]
    res = CliRunner().invoke(app, ["agents", "review", "--no-prefect"])
    assert res.exit_code == 0 and story in res.output and "interview_prep from run esc-1" in res.output, res.output
    res = CliRunner().invoke(app, ["agents", "review", "--no-prefect", "--json"])
    assert [p["agent"] for p in json.loads(res.output)] == ["interview_prep"]
    res = CliRunner().invoke(app, ["agents", "review", "--reject", "interview_prep", "--run", "esc-1",
                                   "--approver", "Jordan Reyes"])
    assert res.exit_code == 0 and "rejected" in res.output, res.output
    assert pending_escalations(home) == []
    assert json.loads((home / "agents" / "esc-1" / "interview_prep.json").read_text())["status"] == "rejected"
    res = CliRunner().invoke(app, ["agents", "review", "--no-prefect"])
    assert "no agent outputs waiting" in res.output
    # accepting an escalated outreach output later (from the review) queues its drafts, as drafts only
    from careeros.outbox import Outbox

    rep = run_all(home, _profile(home), agents=["outreach"], thresholds={"outreach": 0.99}, run_id="esc-2")
    assert rep.drafts == [] and Outbox().messages() == []
    monkeypatch.setenv("CAREEROS_APPROVER", "agent")  # a machine identity is no approver
    get_settings.cache_clear()
    res = CliRunner().invoke(app, ["agents", "review", "--accept", "outreach", "--run", "esc-2"])
    assert "rejected" in res.output
    monkeypatch.setenv("CAREEROS_APPROVER", "Jordan Reyes")
    get_settings.cache_clear()
    rep = run_all(home, _profile(home), agents=["outreach"], thresholds={"outreach": 0.99}, run_id="esc-3")
    res = CliRunner().invoke(app, ["agents", "review", "--accept", "outreach", "--run", "esc-3",
                                   "--approver", "Jordan Reyes"])
    assert res.exit_code == 0 and "accepted_by_human" in res.output, res.output
    msgs = Outbox().messages()
    assert len(msgs) == 6 and {m.status for m in msgs} == {"drafted"}


def test_escalated_output_without_a_decision_has_no_side_effects(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.agents.orchestrator import run_all
    from careeros.outbox import Outbox
    from careeros.settings import get_settings

    rep = run_all(home, _profile(home), agents=["outreach"], thresholds={"outreach": 0.99})
    assert rep.runs[0].status == "escalated" and rep.drafts == [] and Outbox().messages() == []
    monkeypatch.setenv("CAREEROS_APPROVER", "agent")  # a machine identity is no approver
    get_settings.cache_clear()
    rep = run_all(home, _profile(home), agents=["outreach"], thresholds={"outreach": 0.99},
                  decide=lambda esc: {"outreach": "accept", "approver": "Jordan Reyes"})  # typed names are ignored
    assert rep.runs[0].status == "rejected" and Outbox().messages() == []


def test_cli_run_and_outreach_review(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from careeros.cli import app
    from careeros.outbox import Outbox
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_APPROVER", "Jordan Reyes")
    get_settings.cache_clear()

    res = CliRunner().invoke(app, ["agents", "run", "--agent", "outreach", "--agent", "strategist", "--json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.output)
    assert [r["agent"] for r in rep["runs"]] == ["strategist", "outreach"] and rep["drafts"]
    drafts = Outbox().messages("drafted")
    answers = (["send", "drop"] + ["skip"] * len(drafts))[: len(drafts)]
    res = CliRunner().invoke(app, ["agents", "outreach", "review", "--approver", "Mallory"],  # ignored
                             input="\n".join(answers) + "\n")
    assert res.exit_code == 0, res.output
    status = {m.message_id: m.status for m in Outbox().messages()}
    assert status[drafts[0].message_id] == "approved"  # approved by a person; no SMTP configured: kept as .eml
    if len(drafts) > 1:
        assert status[drafts[1].message_id] == "dropped"
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        actors = con.execute("SELECT DISTINCT actor FROM decision_log WHERE action LIKE 'outbox.%'").fetchall()
    assert actors == [("Jordan Reyes",)]


# ------------------------------------------------------------------------------------------ Prefect


def _wait_paused(key: str, timeout: float = 90) -> dict[str, Any]:
    from careeros.cli.approvals import waiting_runs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in waiting_runs("run-agents"):
            if r["pause_key"] == key and r["description"]:
                return r
        time.sleep(0.5)
    raise AssertionError(f"run-agents never paused with key {key}")


def test_escalation_pauses_and_resumes_with_typed_input(prefect_server: None, home: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.flow_runs import resume_flow_run

    from careeros.cli import app
    from careeros.settings import get_settings

    monkeypatch.setenv("CAREEROS_APPROVER", "Jordan Reyes")  # the identity recorded, whatever the form says
    get_settings.cache_clear()

    from careeros.outbox import Outbox
    from flows.run_agents import run_agents

    box: dict[str, Any] = {}
    th = threading.Thread(target=lambda: box.update(state=run_agents(
        agents=["strategist", "outreach"], thresholds={"strategist": 0.99, "outreach": 0.99}, poll_interval=1,
        timeout=120, return_state=True)), daemon=True)
    th.start()
    try:
        waiting = _wait_paused("agents-escalation")
        assert "strategist" in waiting["description"] and "outreach" in waiting["description"]
        # the form shows the outputs a person is asked to accept, not only their scores
        desc = waiting["description"]
        assert "What you are asked to accept: strategist" in desc and "**Focus:**" in desc
        assert "What you are asked to accept: outreach" in desc and "Hi Ana," in desc
        res = CliRunner().invoke(app, ["agents", "review", "--prefect", "--json"])
        listed = [p for p in json.loads(res.output) if p["source"] == "prefect"]
        assert [p["flow_run_id"] for p in listed] == [waiting["flow_run_id"]] and "**Focus:**" in listed[0]["text"]
        with pytest.raises(Exception):  # noqa: B017 - the server refuses input outside the Literal choices
            resume_flow_run(waiting["flow_run_id"], run_input={"strategist": "maybe", "outreach": "accept",
                                                               "approver": "x", "notes": ""})
        with pytest.raises(Exception):  # noqa: B017 - no name field: a typed approver is refused outright
            resume_flow_run(waiting["flow_run_id"], run_input={"strategist": "accept", "outreach": "reject",
                                                               "approver": "Mallory", "notes": "ok"})
        resume_flow_run(waiting["flow_run_id"], run_input={"strategist": "accept", "outreach": "reject",
                                                           "notes": "ok"})
    finally:
        th.join(timeout=120)
    state = box["state"]
    assert state.is_completed(), state
    out = state.result()
    st = {r["agent"]: r["status"] for r in out["runs"]}
    assert st == {"strategist": "accepted_by_human", "outreach": "rejected"}
    assert out["drafts"] == [] and Outbox().messages() == []  # a rejected outreach output queues nothing
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        log = con.execute("SELECT action, item_id, json_extract_string(facts_json, '$.approver') FROM decision_log "
                          "WHERE action LIKE 'agents.%' ORDER BY action").fetchall()
    rid = out["run_id"]
    assert log == [("agents.accept", f"agents:{rid}/strategist", "Jordan Reyes"),
                   ("agents.reject", f"agents:{rid}/outreach", "Jordan Reyes")]
    assert (Path(out["folder"]) / "strategist.md").is_file()
    from prefect import get_client

    with get_client(sync_client=True) as client:
        arts = client.read_artifacts()
    assert {"agent-strategist", "agent-outreach", "run-agents"} <= {a.key for a in arts}


# ------------------------------------------------------------------------------------------ with a model


def test_a_model_gives_richer_text_under_the_same_schema_citations_and_checks(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A loopback OpenAI-compatible server answers interview prep: the same facts go in (bullets as data), a richer
    answer comes back and is accepted; an answer with a story that is not a resume bullet is escalated."""
    from test_llm_fakes import llm_settings, running_fake

    from careeros.agents.orchestrator import run_agent
    from careeros.agents.render import agent_output

    facts = gather(home, _profile(home), "llm-run")
    offline = agent_output("interview_prep", facts)
    rich = offline.model_copy(deep=True)
    for s in rich.stories:
        s.task = (f"{s.task} Open with the business stake: the fraud team needed it to keep pace with "
                  "transaction volume.")
    with running_fake() as fake:
        settings = llm_settings(monkeypatch, home, fake, embedder="minilm", llm_cache_enabled="false")
        fake.script({"content": rich.model_dump_json()})
        run = run_agent("interview_prep", facts, "llm-run", home, settings=settings)
        assert run.llm["provider"] == "litellm" and not run.llm["degraded"], run.llm
        assert [s["task"] for s in run.output["stories"]] == [s.task for s in rich.stories]
        assert run.issues == [] and run.unresolved == [] and run.status == "accepted", (run.issues, run.unresolved)
        # the prompt carried the same structured facts: the role's tasks in context, resume bullets as quoted data
        user = fake.received[0]["body"]["messages"][1]["content"]
        assert '"field": "software"' in user and facts.tasks["15-2051.00"][0].task in user
        assert "resume_bullets" in user and "Mentored four engineers" in user
        # a model story that is not one of the person's bullets is caught and escalated
        bad = rich.model_copy(deep=True)
        bad.stories[0].source_text = "Single-handedly rebuilt the payments platform, cutting costs by 90%."
        fake.script({"content": bad.model_dump_json()})
        run = run_agent("interview_prep", facts, "llm-run-2", home, settings=settings)
        assert run.llm["provider"] == "litellm" and run.escalated and run.status == "escalated"
        assert any("not drawn from a resume bullet" in i for i in run.issues)


def test_communications_roles_are_written_for_communications_work_not_a_design_studio() -> None:
    """A public relations specialist (27-3031) sits in O*NET's arts-and-media group, but the work is releases and
    campaigns: a communications lead reviews it, not an art director; a graphic designer keeps the studio words."""
    from careeros.agents.fields import field_for

    pr = field_for("27-3031.00")
    assert pr.key == "communications" and not pr.software
    assert "art director" not in pr.reviewer and "communications" in pr.reviewer
    assert field_for("11-2021.00").key == "communications"  # marketing managers
    assert field_for("27-1024.00").key == "design"  # graphic designers


def test_a_resume_entry_title_loses_its_markdown_emphasis() -> None:
    from careeros.agents.resume import parse_entry

    e = parse_entry("**Staff Reporter**, The Lakeside Ledger — 2018–present")
    assert e is not None and e.title == "Staff Reporter" and e.company == "The Lakeside Ledger"


def test_a_bullet_with_two_things_done_and_nothing_measured_has_no_result() -> None:
    """'Publish to WordPress; write headlines ...' is not an action and its result: the result is left for the
    person to add; a measured second clause stays the result."""
    from careeros.agents.roles import star_parts

    assert star_parts("Publish to WordPress; write headlines and social posts") == (
        "Publish to WordPress; write headlines and social posts", "")
    assert star_parts("Cover city government; file 5-7 stories a week") == (
        "Cover city government", "file 5-7 stories a week")


def test_a_measured_change_through_a_means_is_the_result() -> None:
    """'Cut food cost from 34% to 29% through menu engineering ...': the change is the result, the means the
    action; a bullet that measures nothing before 'through' is left whole."""
    from careeros.agents.roles import star_parts

    assert star_parts("Cut food cost from 34% to 29% through menu engineering, portion specs and weekly inventory "
                      "counts.") == ("Menu engineering, portion specs and weekly inventory counts",
                                     "Cut food cost from 34% to 29%")
    assert star_parts("Walked new staff through the allergen procedure") == (
        "Walked new staff through the allergen procedure", "")


def test_names_keep_their_capitals_mid_sentence() -> None:
    """A concept that opens with a name reads with it ("Medicaid eligibility"); plain concepts are lower-cased."""
    from careeros.agents.fields import in_sentence, proper_words

    assert {"Medicaid", "Medicare", "Epic"} <= proper_words()
    assert not {"Agile", "Lean", "Project", "Patient"} & proper_words()
    assert in_sentence("Medicaid eligibility", "concept") == "Medicaid eligibility"
    assert in_sentence("Medicare billing", "concept") == "Medicare billing"
    assert in_sentence("Patient assessment", "concept") == "patient assessment"
    assert in_sentence("Agile methodologies", "concept") == "agile methodologies"
    assert in_sentence("Excel", "technology") == "Excel"


def test_a_size_before_a_second_duty_is_no_result() -> None:
    """'Delivered 40 stops a day ...; handled invoices and returns': the first clause sizes the work, it is no result
    of handling invoices; a measured change first stays the result."""
    from careeros.agents.roles import star_parts

    assert star_parts("Delivered 40 stops a day to bars and grocery stores; handled invoices and returns.") == (
        "Delivered 40 stops a day to bars and grocery stores; handled invoices and returns", "")
    assert star_parts("Cut overtime 30%; rebuilt the rota") == ("rebuilt the rota", "Cut overtime 30%")
    # a result clause a seller writes ("keeping 95% of revenue") and a target met inside one clause ("at 112% of
    # quota") are results; a second duty with a number ("supporting 300 staff") is not
    assert star_parts("Negotiated renewals with 20 existing customers, keeping 95% of revenue") == (
        "Negotiated renewals with 20 existing customers", "keeping 95% of revenue")
    assert star_parts("Closed 38 new SMB accounts a year at 112% of quota, tracked in Salesforce") == (
        "Closed 38 new SMB accounts a year, tracked in Salesforce", "112% of quota")
    assert star_parts("Managed 12 clinics, supporting 300 staff") == ("Managed 12 clinics, supporting 300 staff", "")
