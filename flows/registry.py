"""Every scheduled flow of careeros with its deployment name and cron (time zone from settings)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ScheduledFlow:
    """A flow entrypoint and when it runs."""

    entrypoint: str  # "flows/module.py:function"
    deployment: str
    cron: str | None
    description: str

    def load(self) -> Any:
        """Import and return the flow object."""
        path, func = self.entrypoint.split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        return getattr(module, func)


#: The cadence of the seed: ingest daily, curate daily, standup weekdays, plan Mondays,
#: retrospective Sundays, synthesis monthly. Flows not built yet are skipped by ``available()``.
SCHEDULE: tuple[ScheduledFlow, ...] = (
    ScheduledFlow("flows/ingest_market_signals.py:ingest_market_signals", "ingest-market-signals-daily",
                  "0 5 * * *", "Taxonomies, wages, postings and demand signals."),
    ScheduledFlow("flows/curate_evidence.py:curate_evidence", "curate-evidence-daily", "30 5 * * *",
                  "Evidence into long-term memory, skill links, review of uncertain links."),
    ScheduledFlow("flows/daily_standup.py:daily_standup", "daily-standup-weekdays", "0 8 * * 1-5",
                  "Today's three most valuable actions and an optional check-in."),
    ScheduledFlow("flows/recalculate_weekly_plan.py:recalculate_weekly_plan", "recalculate-weekly-plan-mondays",
                  "0 7 * * 1", "Recalculate the week-by-week plan and ask for approval."),
    ScheduledFlow("flows/retrospective_metrics.py:retrospective_metrics", "retrospective-metrics-sundays",
                  "0 18 * * 0", "Weekly metrics and assumption updates."),
    ScheduledFlow("flows/monthly_synthesis.py:monthly_synthesis", "monthly-synthesis", "0 9 1 * *",
                  "Monthly recalibration and proposed plan changes."),
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
