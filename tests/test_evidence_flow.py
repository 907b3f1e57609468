"""The curate-evidence flow against the real Prefect test server: it pauses with a typed review form, the
review is answered through the real input path (resume_flow_run with run_input), decisions are written."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner


@pytest.fixture()
def flow_home(built_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings_env: None) -> Path:
    from careeros.cli.init_cmd import install_sample_operator
    from careeros.settings import get_settings

    home = tmp_path / "home"
    home.mkdir()
    shutil.copyfile(built_home / "warehouse.duckdb", home / "warehouse.duckdb")
    monkeypatch.setenv("CAREEROS_HOME", str(home))
    get_settings.cache_clear()
    profile = install_sample_operator(home / "sample_operator")
    shutil.copyfile(profile, home / "profile.toml")
    text = (home / "profile.toml").read_text()
    for rel in ("resume", "notes", "publications", "certificates", "repos/feature-store-lite"):
        text = text.replace(f'"{rel}"', f'"sample_operator/{rel}"')
    (home / "profile.toml").write_text(text)
    return home


def _wait_paused(timeout: float = 90) -> str:
    """Id of the newest curate-evidence run waiting for its review."""
    from flows.human import waiting_runs

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = waiting_runs("curate-evidence", describe=False)
        if runs:
            return runs[0]["flow_run_id"]
        time.sleep(0.5)
    raise AssertionError("the flow never paused for review")


def _answer_rest(th: threading.Thread, answer) -> int:
    """Answer every further page of the run in ``th`` with ``answer()`` until the flow ends; pages answered."""
    n = 0
    deadline = time.monotonic() + 300
    while th.is_alive() and time.monotonic() < deadline:
        if answer():
            n += 1
        th.join(0.5)
    return n


def test_flow_pauses_and_resumes_with_typed_input(prefect_server: None, flow_home: Path) -> None:
    from careeros.evidence.history import HumanDecision
    from careeros.warehouse.db import connect
    from flows.curate_evidence import curate_evidence
    from flows.human import resume_review, review_fields

    box: dict = {}
    th = threading.Thread(target=lambda: box.update(
        state=curate_evidence(review=True, review_timeout=120, poll_interval=1, max_review=5, return_state=True)))
    th.start()
    try:
        run_id = _wait_paused()
        fields = review_fields(run_id)
        assert len(fields) == 5
        # invalid or empty input is refused by the server (a required Literal per link) and the run stays paused
        from prefect.flow_runs import resume_flow_run

        for bad in ({f"l_{fields[0]}": "maybe"}, {}):
            with pytest.raises(Exception):  # noqa: B017 - the client raises on a rejected resume
                resume_flow_run(run_id, run_input=bad)
        edited = HumanDecision(link_id=fields[1], decision="edit", skill_id="tech:python")
        out = resume_review(run_id, default="reject", overrides={fields[0]: HumanDecision(link_id=fields[0],
                                                                                          decision="accept"),
                                                                 fields[1]: edited})
        assert out and out["run_input"][f"l_{fields[0]}"] == "accept"
        # the other pages: every pending link is offered (no cap); deferred links stay pending
        _answer_rest(th, lambda: resume_review(default="defer"))
    finally:
        th.join(timeout=120)
    state = box["state"]
    assert state.is_completed(), state
    summary = state.result()
    total = summary["pending_review"]
    rev = summary["review"]
    assert rev["pages"] == -(-total // 5) == rev["pages_answered"] and rev["links_shown"] == total
    assert rev["accept"] == 1 and rev["edit"] == 1 and rev["reject"] == 3 and rev["defer"] == total - 5
    with connect(flow_home / "warehouse.duckdb") as con:
        from careeros.settings import approver_identity

        # decisions are recorded as the home's identity (CAREEROS_APPROVER or the OS user)
        human = con.sql("SELECT action, count(*) AS n FROM decision_log WHERE actor = ? "
                        "AND action <> 'link_deferred' GROUP BY action", params=[approver_identity()]).pl()
        statuses = dict(con.execute(
            "SELECT status, count(*) FROM evidence_skill WHERE valid_to IS NULL AND decided_by = 'human' "
            "GROUP BY status").fetchall())
    assert dict(zip(human["action"], human["n"], strict=True)) == {"link_accepted": 1, "link_edited": 1,
                                                                    "link_rejected": 3}
    assert statuses == {"accepted": 2, "rejected": 4}  # edit = reject the old skill + accept the new one

    # a second run: nothing new, human decisions kept; headless review resumes it through the CLI, page by page
    th2 = threading.Thread(target=lambda: box.update(
        state2=curate_evidence(review=True, review_timeout=120, poll_interval=1, max_review=3, return_state=True)))
    th2.start()
    try:
        _wait_paused()
        from careeros.cli import app

        def accept_all() -> bool:
            res = CliRunner().invoke(app, ["evidence", "review", "--accept-all", "--json"])
            return res.exit_code == 0

        assert _answer_rest(th2, accept_all) >= 1
    finally:
        th2.join(timeout=120)
    s2 = box["state2"].result()
    assert s2["items_new"] == 0 and s2["memory"]["added"] == 0 and s2["pending_review"] == total - 5
    assert s2["review"]["accept"] == total - 5 and s2["review"]["pages"] == -(-(total - 5) // 3)
