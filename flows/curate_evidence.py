"""Flow ``curate-evidence``:

evidence -> versioned items and chunks (LanceDB) -> skill links; low-confidence links wait for a human (the
run pauses with a typed form; answer it in the UI or `careeros evidence review`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.evidence.review import decisions_from_input, page_summary, review_markdown, review_model
from careeros.redact import redact
from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from flows.human import ask, run_input
from tasks import evidence as t
from tasks.taxonomy import publish_analytics


@flow(name="curate-evidence", log_prints=False)
@for_home
def curate_evidence(profile_path: str | None = None, review: bool = True, review_timeout: int = 3600,
                    poll_interval: int = 10, max_review: int = 15, run_id: str | None = None,
                    home: str | None = None) -> dict[str, Any]:
    """Read -> version -> embed -> link -> history -> memory; then pause for review of every pending link.

    ``max_review`` is the page size: the run pauses once per page of at most that many links until every link
    that was pending when the review started has been shown (deferred links stay pending for a later run).
    """
    settings = get_settings()
    run_id = run_id or _run_id()
    wh, mem = settings.warehouse_path, settings.memory_dir
    profile = t.load_profile(settings.home, profile_path)
    gathered = t.read_evidence(profile)
    prep = t.embed_and_link(t.select_new(wh, mem, gathered), wh)
    summary: dict[str, Any] = {"run_id": run_id, "items_read": len(gathered.items), "items_skipped": prep.skipped}
    summary |= t.write_history(wh, prep, gathered, run_id, t.profile_file(settings.home, profile_path))
    summary["memory"] = t.sync_memory(wh, mem, prep, run_id)
    summary["quarantine_reasons"] = [f"{redact(q.source_path)}: {q.reason}" for q in gathered.quarantined]
    pending, total = t.pending_for_review(wh, mem)
    summary["pending_review"] = total
    if review and total:
        summary["review"] = _review_pages(wh, mem, pending, summary, max(1, max_review), review_timeout,
                                          poll_interval, run_id)
    publish_analytics(get_settings().warehouse_path, get_settings().analytics_path)
    create_markdown_artifact(markdown=_summary_md(summary), key="curate-evidence-summary",
                             description="Evidence curation summary")
    return summary


def _review_pages(wh: Any, mem: Any, pending: Any, summary: dict[str, Any], page_size: int, timeout: int,
                  poll_interval: int, run_id: str) -> dict[str, Any] | str:
    """One pause per page of links; decisions applied page by page; totals over every page answered."""
    total = pending.height
    pages = -(-total // page_size)
    stats: dict[str, Any] = {"pages": pages, "pages_answered": 0, "links_shown": 0}
    for page in range(pages):
        rows = pending.slice(page * page_size, page_size)
        about = page_summary(total, page + 1, pages, page * page_size, rows.height)
        form = run_input(review_model(rows, about), name="EvidenceReview").with_initial_data(
            description=review_markdown(rows, summary, total, page + 1, pages, page * page_size))
        try:
            answer = ask(form, key=f"evidence-review-{page + 1}", timeout=timeout, poll_interval=poll_interval)
        except FlowPauseTimeout:
            left = total - stats["links_shown"]
            get_run_logger().warning("review timed out on page %d of %d: %d links stay pending", page + 1, pages, left)
            return stats | {"timed_out": True} if stats["pages_answered"] else "timed out"
        got = t.apply_review(wh, mem, decisions_from_input(answer), run_id)
        for k, v in got.items():
            if isinstance(v, int):
                stats[k] = stats.get(k, 0) + v
        stats["pages_answered"] += 1
        stats["links_shown"] += rows.height
    return stats


def _summary_md(s: dict[str, Any]) -> str:
    m = s.get("memory", {})
    lines = ["## Evidence curation", f"run `{s['run_id']}`", "",
             f"- items read {s['items_read']}, new versions {s.get('items_new', 0)}, unchanged {s['items_skipped']}, "
             f"removed {s.get('items_removed', 0)}, quarantined {s.get('quarantined', 0)}",
             f"- links auto-accepted {s.get('links_auto', 0)}, waiting for review {s.get('pending_review', 0)}, "
             f"human decisions kept {s.get('links_kept_human', 0)}, disagreements {s.get('disagreements', 0)}",
             f"- memory table `{m.get('table')}` version {m.get('version')} (tag `{m.get('tag')}`), "
             f"rows {m.get('rows_total')} (+{m.get('added', 0)})"]
    lines += [f"- quarantined: {q}" for q in s.get("quarantine_reasons", [])]
    if s.get("review"):
        lines.append(f"- review: {s['review']}")
    return "\n".join(lines)
