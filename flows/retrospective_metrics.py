"""Flow ``retrospective-metrics`` (Sundays): outcomes -> metrics -> posterior assumptions -> report -> snapshot."""

from __future__ import annotations

from datetime import date
from typing import Any

from prefect import flow
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from careeros.settings import get_settings
from flows.homes import current_run_id as _run_id
from flows.homes import for_home
from tasks import metrics as t
from tasks.taxonomy import publish_analytics


@flow(name="retrospective-metrics", log_prints=False)
@for_home
def retrospective_metrics(as_of: str | None = None, week: str | None = None, publish: bool = True,
                          home: str | None = None) -> dict[str, Any]:
    """Import outcomes, compute weekly/monthly metrics, update posteriors, publish report artifacts and analytics."""
    s = get_settings()
    run_id = _run_id()
    rows = t.compute_metrics(s.warehouse_path, run_id, date.fromisoformat(as_of) if as_of else None)
    updates = t.update_posteriors(s.warehouse_path, run_id)
    report = t.report_markdown(s.warehouse_path, week)
    changed = [u for u in updates if u["changed"]]
    lines = ["", "## Assumption updates", ""]
    lines += [f"- {u['assumption_id']}: {u['prior_mean']:.4g} (prior) -> {u['posterior_mean']:.4g} "
              f"(95% {u['interval_low']:.4g}-{u['interval_high']:.4g}), v{u['version']}" for u in changed] \
        or ["- no new evidence: no assumption changed"]
    create_markdown_artifact(markdown=report + "\n".join(lines), key="retrospective-metrics",
                             description="Weekly retrospective: metrics and assumption updates")
    if rows:
        create_table_artifact(table=rows, key="retrospective-metrics-week", description="This week's metrics")
    if updates:
        create_table_artifact(table=[{k: u[k] for k in ("assumption_id", "changed", "version", "prior_mean",
                                                        "posterior_mean", "interval_low", "interval_high", "model")}
                                     for u in updates], key="assumption-posteriors", description="Posteriors")
    snapshot = str(publish_analytics(s.warehouse_path, s.analytics_path)) if publish else None
    return {"run_id": run_id, "metric_rows": len(rows), "posteriors": updates,
            "changed": [u["assumption_id"] for u in changed], "snapshot": snapshot}
