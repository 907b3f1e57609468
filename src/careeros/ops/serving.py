"""Serve every available flow with its schedule in one process (what ``careeros serve`` is meant to do).

Prefect 3.9's ``Flow.to_deployment`` takes no ``timezone=``: the time zone goes on the schedule,
``prefect.schedules.Cron(cron, timezone=tz)``.
"""

from __future__ import annotations

from typing import Any


def deployments(no_schedules: bool = False, timezone: str | None = None) -> list[Any]:
    """One ``RunnerDeployment`` per available flow of :data:`flows.registry.SCHEDULE`."""
    from prefect.schedules import Cron

    from careeros.settings import get_settings
    from flows.registry import available

    tz = timezone or get_settings().timezone
    return [
        flow.to_deployment(name=item.deployment, description=item.description,
                           schedules=[] if no_schedules or not item.cron else [Cron(item.cron, timezone=tz)])
        for item, flow in available()
    ]


def serve_all(limit: int = 4, no_schedules: bool = False) -> None:
    """Block serving every deployment (needs ``PREFECT_API_URL``; ``python -m careeros.ops serve`` sets it)."""
    from prefect import serve

    deps = deployments(no_schedules)
    import sys

    print(f"serving {len(deps)} deployments: " + ", ".join(d.name for d in deps), file=sys.stderr, flush=True)
    serve(*deps, limit=limit)
