"""Every decision form needs an explicit choice: an empty or malformed answer is refused and the run asks again.

Runs against the real Prefect test server. Before the fix, resuming the plan-approval pause with ``{}`` published
the plan and recorded actor "human"; the agents' and evidence forms defaulted to reject/keep/defer.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import profile_home

pytestmark = pytest.mark.security

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_approval_flow import PROFILE  # noqa: E402


@pytest.fixture()
def plan_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    return profile_home(built_home, tmp_path / "home", monkeypatch, PROFILE)


def _wait(flow: str, key: str, timeout: float = 120) -> dict[str, Any]:
    from careeros.cli.approvals import waiting_runs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for r in waiting_runs(flow):
            if r["pause_key"] == key:
                return r
        time.sleep(0.5)
    raise AssertionError(f"{flow} never paused with key {key}")


def _human_decisions(home: Path) -> int:
    """Decisions recorded for a person: the home's identity (CAREEROS_APPROVER or the OS user), not a machine."""
    from careeros.outbox.models import MACHINE_ACTORS
    from careeros.settings import approver_identity
    from careeros.warehouse.db import connect

    who = approver_identity()
    assert who.lower() not in MACHINE_ACTORS
    with connect(home / "warehouse.duckdb", read_only=True) as con:
        return con.execute("SELECT count(*) FROM decision_log WHERE actor = ?", [who]).fetchall()[0][0]


def test_empty_answer_does_not_approve_the_plan(prefect_server: None, plan_home: Path) -> None:
    from prefect import get_client
    from prefect.client.schemas.objects import StateType
    from prefect.flow_runs import resume_flow_run
    from prefect.states import Running

    from careeros.cli.approvals import resume
    from flows.recalculate_weekly_plan import recalculate_weekly_plan

    box: dict[str, Any] = {}
    th = threading.Thread(target=lambda: box.update(state=recalculate_weekly_plan(
        poll_interval=1, timeout=300, mode="pause", return_state=True)), daemon=True)
    th.start()
    try:
        waiting = _wait("recalculate-weekly-plan", "plan-approval-0")
        rid = waiting["flow_run_id"]
        for bad in ({}, {"decision": "yes"}, {"notes": "ok"}):
            with pytest.raises(Exception):  # noqa: B017 - the server refuses the resume: input does not validate
                resume_flow_run(rid, run_input=bad)
        with get_client(sync_client=True) as client:
            assert client.read_flow_run(rid).state.type == StateType.PAUSED
            # forced out of the pause with no input at all (behind the form's back): the run asks again
            client.set_flow_run_state(rid, Running(), force=True)
        again = _wait("recalculate-weekly-plan", "plan-approval-0-ask2")
        assert again["flow_run_id"] == rid
        assert not (plan_home / "plans").exists() or not list((plan_home / "plans").glob("*.md"))
        assert _human_decisions(plan_home) == 0
        resume(rid, "reject", notes="explicit")
    finally:
        th.join(timeout=120)
    out = box["state"].result()
    assert out["status"] == "rejected" and "published" not in out
    assert _human_decisions(plan_home) == 1


def test_decision_forms_have_no_default_choice() -> None:
    import polars as pl

    from careeros.agents.orchestrator import AgentRun, escalation_form
    from careeros.evidence.review import review_model
    from careeros.metrics.governance import GovernanceDecision
    from careeros.metrics.synthesis import SynthesisDecision
    from careeros.planner.approval import PlanDecision
    from flows.human import run_input

    pending = pl.DataFrame({"link_id": ["a1", "b2"], "skill_id": ["s1", "s2"], "skill_label": ["Python", "SQL"],
                            "confidence": [0.5, 0.6], "source_type": ["note", "note"],
                            "source_path": ["/x/n.md", "/x/m.md"], "strength": ["note", "note"]})
    esc = escalation_form([AgentRun(agent="strategist", effective_confidence=0.2, threshold=0.6, escalated=True,
                                    status="escalated")])
    review = review_model(pending)
    # the domain's forms and their Prefect twins (what the flows pause with) alike
    for form, choice_fields in ((PlanDecision, ["decision"]), (SynthesisDecision, ["decision"]),
                                (GovernanceDecision, ["decision"]), (review, ["l_a1", "l_b2"]), (esc, ["strategist"]),
                                (run_input(PlanDecision), ["decision"]), (run_input(SynthesisDecision), ["decision"]),
                                (run_input(GovernanceDecision), ["decision"]),
                                (run_input(review, name="EvidenceReview"), ["l_a1", "l_b2"]),
                                (run_input(esc, name="AgentsEscalation"), ["strategist"])):
        required = set(form.model_json_schema().get("required", []))
        assert set(choice_fields) <= required, (form.__name__, required)
        with pytest.raises(Exception):  # noqa: B017 - pydantic refuses an empty answer
            form()
