"""The CLI's connection to Prefect: called by commands that run or answer flows, before prefect is imported."""

from __future__ import annotations

from typing import Any

import typer


def connect(start: bool = True) -> Any:
    """Use the home's running Prefect server (``server.json``), else start one for this command.

    Raises :class:`careeros.ops.server.OrchestrationError` (one line; ``careeros.cli.main`` prints it).
    """
    from careeros.ops.server import use_orchestration
    from careeros.settings import get_settings

    return use_orchestration(get_settings().home, start=start, echo=lambda m: typer.echo(m, err=True))
