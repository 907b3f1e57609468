"""Every deployable flow of careeros, defined once: entrypoint, deployment name, cron (or manual), description.

``careeros serve`` / ``make serve`` serve exactly these (``careeros.ops.serving``), and ``prefect.yaml`` is
generated from them (``python -m flows.registry > prefect.yaml``; ``tests/test_meta.py`` checks it is current).
Schedules run in ``CAREEROS_TIMEZONE`` when served, in UTC from ``prefect.yaml``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduledFlow:
    """A flow entrypoint and when it runs (``cron=None``: on demand only, from the UI or the CLI)."""

    entrypoint: str  # "flows/module.py:function"
    deployment: str
    cron: str | None
    description: str

    def load(self) -> Any:
        """Import and return the flow object."""
        path, func = self.entrypoint.split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        return getattr(module, func)


#: The cadence of the seed: ingest daily, curate daily, standup weekdays, plan Mondays, agents after the plan,
#: retrospective Sundays, synthesis monthly; the two halves of the ingest can also be run by hand.
SCHEDULE: tuple[ScheduledFlow, ...] = (
    ScheduledFlow("flows/ingest_market_signals.py:ingest_market_signals", "ingest-market-signals-daily",
                  "0 5 * * *", "Refresh taxonomies, wages, postings and demand signals."),
    ScheduledFlow("flows/ingest_taxonomies.py:ingest_taxonomies", "ingest-taxonomies-manual", None,
                  "Load O*NET, ESCO and OEWS and rebuild the skill-and-role graph (on demand; also a subflow of "
                  "ingest-market-signals)."),
    ScheduledFlow("flows/ingest_postings.py:ingest_postings", "ingest-postings-manual", None,
                  "Load job postings (bundled sources and your feeds) and recompute demand (on demand; also a "
                  "subflow of ingest-market-signals)."),
    ScheduledFlow("flows/curate_evidence.py:curate_evidence", "curate-evidence-daily", "30 5 * * *",
                  "Evidence into long-term memory, skill links, review of uncertain links."),
    ScheduledFlow("flows/daily_standup.py:daily_standup", "daily-standup-weekdays", "0 8 * * 1-5",
                  "Today's three most valuable actions and an optional check-in (suspends while waiting)."),
    ScheduledFlow("flows/recalculate_weekly_plan.py:recalculate_weekly_plan", "recalculate-weekly-plan-mondays",
                  "0 7 * * 1", "Recalculate the week-by-week plan and ask for approval (suspends while waiting)."),
    ScheduledFlow("flows/run_agents.py:run_agents", "run-agents-weekly", "0 9 * * 1",
                  "Role agents on the approved plan; low-confidence outputs wait for your decision; outreach "
                  "stays drafts."),
    ScheduledFlow("flows/retrospective_metrics.py:retrospective_metrics", "retrospective-metrics-sundays",
                  "0 18 * * 0", "Weekly metrics, posterior assumption updates, report artifacts and the analytics "
                  "snapshot."),
    ScheduledFlow("flows/monthly_synthesis.py:monthly_synthesis", "monthly-synthesis", "0 9 1 * *",
                  "Monthly recalibration (assumptions that moved) and a proposed re-plan awaiting approval."),
    ScheduledFlow("flows/governance.py:monthly_governance", "monthly-governance", "0 10 1 * *",
                  "Stale evidence, links to skills gone, assumptions not re-validated, expired context: "
                  "removals proposed, applied only when approved."),
)


def available() -> list[tuple[ScheduledFlow, Any]]:
    """The scheduled flows whose module exists, with their loaded flow objects."""
    out = []
    for item in SCHEDULE:
        try:
            out.append((item, item.load()))
        except ModuleNotFoundError:
            continue
    return out


_HEADER = """\
# Prefect deployments for careeros (process work pool), generated from flows/registry.py:
#   python -m flows.registry > prefect.yaml     (tests/test_meta.py checks this file is current)
# From the repo root, against the home's server (`careeros serve` or `make serve` is the simpler way):
#   prefect work-pool create careeros --type process   (once)
#   prefect deploy --all
#   prefect worker start --pool careeros
name: careeros
prefect-version: 3.9.1

pull:
  - prefect.deployments.steps.set_working_directory:
      directory: "{{ $CAREEROS_REPO | default('.') }}"

deployments:
"""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_prefect_yaml(items: tuple[ScheduledFlow, ...] = SCHEDULE) -> str:
    """The ``prefect.yaml`` for these flows (schedules in UTC)."""
    lines = [_HEADER.rstrip("\n")]
    for it in items:
        lines += [f"  - name: {it.deployment}", f"    entrypoint: {it.entrypoint}",
                  f"    description: {_quote(it.description)}", "    parameters: {}", "    work_pool:",
                  "      name: careeros"]
        if it.cron:
            lines += ["    schedules:", f"      - cron: {_quote(it.cron)}", "        timezone: UTC"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(render_prefect_yaml())
