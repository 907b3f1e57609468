"""Approvals in the real Prefect UI: a real server (127.0.0.1, free port), the flows served in a separate
process, headless Chromium (Debian) driven by Playwright clicking Resume, filling the typed form, Submit.

The decision must reach the warehouse, and a run waiting for input must survive restarts: a paused
curation run survives a server restart; a suspended plan run survives a restart of the server *and* of the
serving process (suspend re-runs the flow from the top, pause keys already answered return their input).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careeros.warehouse.db import connect

from .conftest import APPROVER, REPO, Serve, needs_chromium, new_browser_page, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, needs_chromium]

CURATE = "curate-evidence/curate-evidence-daily"
PLAN = "recalculate-weekly-plan/recalculate-weekly-plan-mondays"


@pytest.fixture()
def client(stack: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point this process's Prefect client at the stack's server for one test.

    Setting ``PREFECT_API_URL`` in the environment is not enough once ``prefect`` has been imported (the
    full suite imports it at collection): Prefect 3 freezes its root settings context at import time and
    ``get_client()`` would talk to an ephemeral server of its own. So the settings context is overridden too.
    """
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    for k, v in stack["server"].env.items():
        monkeypatch.setenv(k, v)
    with temporary_settings(updates={PREFECT_API_URL: stack["server"].env["PREFECT_API_URL"],
                                     PREFECT_API_AUTH_STRING: stack["server"].auth}):
        yield


def deployment_ready(name: str) -> bool:
    from prefect import get_client

    try:
        with get_client(sync_client=True) as c:
            return bool(c.read_deployment_by_name(name))
    except Exception:  # noqa: BLE001 - not registered yet
        return False


def state_of(run_id: Any) -> Any:
    from prefect import get_client

    with get_client(sync_client=True) as c:
        return c.read_flow_run(run_id).state


def trigger(name: str, stack: dict[str, Any], **params: Any) -> Any:
    from prefect.deployments import run_deployment

    wait_for(lambda: deployment_ready(name), 180, f"deployment {name} (serve log: {stack['serve'].log()})")
    run = run_deployment(name, timeout=0, parameters=params)
    wait_for(lambda: state_of(run.id).is_paused(), 300, f"{name} paused (serve log: {stack['serve'].log()})", 1)
    return run


def _pick(page: Any, select: Any, choice: str, shot: Path, tries: int = 2) -> None:
    """Open the select, click ``choice``, and poll until the select shows it (on a loaded machine the select's text
    updates after the click returns, and a click on a long form can be lost once: then pick again)."""
    for attempt in range(tries):
        select.focus()
        page.keyboard.press("ArrowDown")  # a plain click does not open the p-select popover headless
        try:
            page.locator(".p-select-option").filter(
                has_text=re.compile(rf"^\s*{choice}\s*$")).first.click(timeout=10_000)
            wait_for(lambda: choice in select.inner_text(), 15, f"the select to show {choice!r}", 0.25)
            return
        except Exception:
            if attempt + 1 < tries:
                continue
            shot.with_suffix(".html").write_text(page.content())
            page.screenshot(path=str(shot.with_suffix(".fail.png")), full_page=True)
            raise


def resume_in_ui(ui_url: str, run_id: Any, choice: str, shot: Path, auth: str = "", rest: str = "defer") -> None:
    """Log in, open the flow-run page, click Resume, pick ``choice`` in the first select of the form and ``rest`` in the
    others (every choice is required: nothing is preselected), screenshot, Submit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser, page = new_browser_page(p, ui_url, auth)
        try:
            page.goto(f"{ui_url}/runs/flow-run/{run_id}")
            # generous: right after a server restart on a loaded machine the run page can take a while to load
            page.get_by_role("button", name="Resume").first.click(timeout=180_000)
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Resume Flow Run").wait_for()
            selects = dialog.locator("button.p-select-button__control")
            # the form's fields render once its schema has loaded, after the dialog's title: wait for them (on a
            # loaded machine the first count came back 0, and an empty form was submitted)
            selects.first.wait_for(state="visible", timeout=120_000)

            def fill() -> None:
                """Every select still without an answer gets one (the first ``choice``, the others ``rest``)."""
                for i in range(selects.count()):
                    want = choice if i == 0 else rest
                    if not re.search(rf"\b(?:{choice}|{rest})\b", selects.nth(i).inner_text()):
                        _pick(page, selects.nth(i), want, shot)

            fill()
            page.screenshot(path=str(shot), full_page=True)
            dialog.get_by_role("button", name="Submit").click()
            try:
                dialog.wait_for(state="hidden", timeout=20_000)
            except Exception:  # noqa: BLE001 - seen once right after restarts: answer what is empty, submit again
                page.screenshot(path=str(shot.with_suffix(".after-submit.png")), full_page=True)
                fill()
                dialog.get_by_role("button", name="Submit").click()
                dialog.wait_for(state="hidden", timeout=30_000)
        finally:
            browser.close()


def wait_completed(run_id: Any, stack: dict[str, Any]) -> Any:
    def done() -> Any:
        s = state_of(run_id)
        assert not (s.is_failed() or s.is_crashed() or s.is_cancelled()), f"{s}\n{stack['serve'].log()}"
        return s if s.is_completed() else None

    return wait_for(done, 300, "run completed", 1)


def finish_pages(run_id: Any, stack: dict[str, Any]) -> Any:
    """Answer the review's further pages (every pending link is offered, page by page) with defer; wait for the end."""
    from flows.human import resume_review

    def done() -> Any:
        s = state_of(run_id)
        assert not (s.is_failed() or s.is_crashed() or s.is_cancelled()), f"{s}\n{stack['serve'].log()}"
        if s.is_paused():
            resume_review(run_id, default="defer")
        return s if s.is_completed() else None

    return wait_for(done, 300, "review pages answered and run completed", 1)


def first_field_link(run_id: Any) -> str:
    from flows.human import review_fields

    return review_fields(run_id)[0]


def test_accept_first_candidate_in_ui(stack: dict[str, Any], client: None, tmp_path: Path) -> None:
    run = trigger(CURATE, stack, poll_interval=1, review_timeout=900)
    link = first_field_link(run.id)
    resume_in_ui(stack["server"].ui_url, run.id, "accept", tmp_path / "curate-form.png", stack["server"].auth)
    assert (tmp_path / "curate-form.png").stat().st_size > 10_000
    finish_pages(run.id, stack)
    with connect(stack["home"] / "warehouse.duckdb", read_only=True) as con:
        status = con.execute("SELECT status, decided_by FROM evidence_skill WHERE link_id = ? AND valid_to IS NULL",
                             [link]).fetchall()
        skill = con.execute("SELECT skill_id FROM evidence_skill WHERE link_id = ?", [link]).fetchall()[0][0]
        human = con.execute("SELECT action FROM decision_log WHERE actor = ? AND skill_id = ?",
                            [APPROVER, skill]).fetchall()
    assert status == [("accepted", "human")]
    assert ("link_accepted",) in human


def test_paused_run_survives_server_restart(stack: dict[str, Any], client: None, tmp_path: Path) -> None:
    run = trigger(CURATE, stack, poll_interval=1, review_timeout=900)
    link = first_field_link(run.id)
    stack["server"].restart()
    assert state_of(run.id).is_paused()
    resume_in_ui(stack["server"].ui_url, run.id, "reject", tmp_path / "after-restart.png", stack["server"].auth)
    finish_pages(run.id, stack)
    with connect(stack["home"] / "warehouse.duckdb", read_only=True) as con:
        status = con.execute("SELECT status, decided_by FROM evidence_skill WHERE link_id = ? AND valid_to IS NULL",
                             [link]).fetchall()
    assert status == [("rejected", "human")]


PLAN_FLOW = REPO / "flows" / "recalculate_weekly_plan.py"


@pytest.mark.skipif(not PLAN_FLOW.exists(), reason="flows/recalculate_weekly_plan.py is not built yet")
def test_plan_approved_in_ui_after_server_and_serve_restart(stack: dict[str, Any], client: None,
                                                           tmp_path: Path) -> None:
    run = trigger(PLAN, stack, poll_interval=1, timeout=900)
    assert state_of(run.id).name == "Suspended"  # from a deployment: no process is pinned while it waits
    # let the suspended run's process exit first: SIGTERM to `serve` while it is still exiting makes the
    # runner cancel it ("Runner is shutting down."), seen once in this test
    wait_for(lambda: not stack["serve"].children(), 300, "the suspended run's process to exit")
    stack["serve"].stop()
    stack["server"].restart()
    stack["serve"] = Serve(stack["home"], stack["server"]).start()
    assert state_of(run.id).is_paused()
    resume_in_ui(stack["server"].ui_url, run.id, "approve", tmp_path / "plan-form.png", stack["server"].auth)
    wait_completed(run.id, stack)
    with connect(stack["home"] / "warehouse.duckdb", read_only=True) as con:
        rows = con.execute("SELECT status FROM plan_version WHERE run_id = ?", [str(run.id)]).fetchall()
        approvals = con.execute("SELECT decision, actor FROM plan_approval WHERE run_id = ?", [str(run.id)]).fetchall()
    assert ("approved",) in rows, rows
    assert approvals and approvals[0] == ("approve", APPROVER)  # the home's identity, not a form field
