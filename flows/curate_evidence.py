"""Flow ``curate-evidence``:

evidence -> versioned items and chunks (LanceDB) -> skill links; low-confidence links wait for a human (the
run pauses with a typed form; answer it in the UI or `careeros evidence review`).
"""

from __future__ import annotations

from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.exceptions import FlowPauseTimeout

from careeros.evidence.redact import redact
from careeros.evidence.review import decisions_from_input, review_markdown, review_model
from careeros.settings import get_settings
from careeros.warehouse.provenance import new_run_id
from flows.homes import for_home, pause_flow_run
from tasks import evidence as t
from tasks.taxonomy import publish_analytics


def _run_id() -> str:
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else new_run_id()


@flow(name="curate-evidence", log_prints=False)
@for_home
def curate_evidence(profile_path: str | None = None, review: bool = True, review_timeout: int = 3600,
                    poll_interval: int = 10, max_review: int = 15, run_id: str | None = None,
                    home: str | None = None) -> dict[str, Any]:
    """Read -> version -> embed -> link -> history -> memory; then pause for review of pending links."""
    settings = get_settings()
    run_id = run_id or _run_id()
    wh, mem = settings.warehouse_path, settings.memory_dir
    profile = t.load_profile(settings.home, profile_path)
    gathered = t.read_evidence(profile)
    prep = t.embed_and_link(t.select_new(wh, mem, gathered), wh)
    summary: dict[str, Any] = {"run_id": run_id, "items_read": len(gathered.items), "items_skipped": prep.skipped}
    summary |= t.write_history(wh, prep, gathered, run_id)
    summary["memory"] = t.sync_memory(wh, mem, prep, run_id)
    summary["quarantine_reasons"] = [f"{redact(q.source_path)}: {q.reason}" for q in gathered.quarantined]
    pending, total = t.pending_for_review(wh, max_review)
    summary["pending_review"] = total
    if review and total:
        form = review_model(pending).with_initial_data(description=review_markdown(pending, summary, total))
        try:
            answer = pause_flow_run(wait_for_input=form, timeout=review_timeout, poll_interval=poll_interval)
            summary["review"] = t.apply_review(wh, mem, decisions_from_input(answer), run_id)
        except FlowPauseTimeout:
            get_run_logger().warning("review timed out: %d links stay pending", total)
            summary["review"] = "timed out"
    publish_analytics(get_settings().warehouse_path, get_settings().analytics_path)
    create_markdown_artifact(markdown=_summary_md(summary), key="curate-evidence-summary",
                             description="Evidence curation summary")
    return summary


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
