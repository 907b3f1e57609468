"""The evidence-review form in the real Prefect UI (headless Debian Chromium): the summary keeps its height at
1366x768 and 1440x900, every link of the page has its own accept/reject/defer choice with nothing preselected
and an excerpt of the evidence, and there is no per-link str/None "edited skill id" toggle.

Before: the summary (the run description above the form) was squeezed to 0 px as soon as the form was taller
than the dialog, each link had a preselected "defer" and an "edited skill id" toggle, and no excerpt.
"""

from __future__ import annotations

import contextvars
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import needs_chromium, new_browser_page, wait_for

pytestmark = [pytest.mark.e2e, pytest.mark.slow, needs_chromium]

N, PAGE = 40, 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from careeros.ops.server import start_local_server

    srv = start_local_server(None, tmp_path_factory.mktemp("review-ui"), scheduler=False, timeout=300)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture()
def paused_review(server: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A flow paused with page 1 of the real review form over N synthetic links (the real form builders)."""
    import polars as pl
    from prefect import flow
    from prefect.flow_runs import pause_flow_run
    from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

    from careeros.evidence.review import page_summary, review_markdown, review_model
    from flows.human import resume_review, run_input, waiting_runs

    pending = pl.DataFrame({
        "link_id": [f"{i:016x}" for i in range(N)], "skill_id": [f"tech:skill{i}" for i in range(N)],
        "skill_label": [f"Skill {i}" for i in range(N)], "confidence": [0.4 + i / 200 for i in range(N)],
        "source_type": ["note"] * N, "source_path": [f"/ev/notes/note-{i}.md" for i in range(N)],
        "strength": ["note"] * N,
        "snippet": [f"…ran the nightly pipeline with skill {i} in production…" for i in range(N)]})
    rows = pending.slice(0, PAGE)

    @flow(name="curate-evidence")
    def review_page() -> Any:
        form = run_input(review_model(rows, page_summary(N, 1, 3, 0, PAGE)), name="EvidenceReview").with_initial_data(
            description=review_markdown(rows, {"run_id": "r1", "items_new": 4, "links_auto": 12}, N, 1, 3, 0))
        return pause_flow_run(wait_for_input=form, timeout=600, poll_interval=1)

    for k, v in server.env.items():
        monkeypatch.setenv(k, v)
    with temporary_settings(updates={PREFECT_API_URL: server.env["PREFECT_API_URL"],
                                     PREFECT_API_AUTH_STRING: server.auth}):
        ctx = contextvars.copy_context()
        th = threading.Thread(target=lambda: ctx.run(review_page), daemon=True)
        th.start()
        run_id = wait_for(lambda: waiting_runs("curate-evidence", describe=False)[:1], 180,
                          "the review pause")[0]["flow_run_id"]
        try:
            yield run_id
        finally:
            if th.is_alive():
                resume_review(run_id, default="defer")
            th.join(60)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1440, 900)])
def test_review_form_is_usable(server: Any, paused_review: Any, width: int, height: int, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # the local server has auth on: log in to the UI first
        browser, page = new_browser_page(p, server.ui_url, server.auth, {"width": width, "height": height})
        try:
            page.goto(f"{server.ui_url}/runs/flow-run/{paused_review}")
            page.get_by_role("button", name="Resume").first.click()
            dialog = page.get_by_role("dialog")
            dialog.get_by_text("Resume Flow Run").wait_for()
            summary = dialog.locator(".schema-form-property__markdown").filter(has_text="wait for review").first
            summary.wait_for()
            time.sleep(0.5)  # not a wait for state: lets the dialog's open transition finish for the screenshot
            page.screenshot(path=str(tmp_path / f"review-{width}x{height}.png"))
            box = summary.bounding_box()
            assert box is not None and box["height"] >= 40, box  # the summary keeps its height
            assert 0 <= box["y"] and box["y"] + box["height"] <= height, (box, height)  # on screen without scrolling
            text = summary.inner_text()
            assert f"{N} link(s) wait for review" in text and "page 1 of 3" in text and "links 1-15" in text
            selects = dialog.locator("button.p-select-button__control")
            assert selects.count() == PAGE  # one explicit choice per link of this page
            assert all(not selects.nth(i).inner_text().strip() for i in range(PAGE))  # nothing preselected
            body = dialog.inner_text()
            assert "edited skill id" not in body
            assert "ran the nightly pipeline with skill 0 in production" in body  # per-link excerpt
        finally:
            browser.close()
