"""Asking a person from inside a flow: pause (or suspend) for a typed form until a valid answer arrives.

Every decision form's choice fields are required (no default that approves, sends or accepts), so the server
refuses an empty or malformed answer and the run stays paused. An answer that still does not validate when the
flow reads it (a run forced out of its pause without input, an input written behind the server's back) is not
taken as a decision: the run logs it and pauses again under a fresh key, i.e. the person is asked again.
"""

from __future__ import annotations

from typing import Any

from prefect import get_run_logger
from pydantic import ValidationError

from flows.homes import pause_flow_run, suspend_flow_run  # the home's writer slot is let go while waiting

#: How often one question is asked again after answers that do not validate, before the run gives up waiting.
MAX_ASKS = 5


def from_deployment() -> bool:
    """True when this flow run was started from a deployment (a worker can suspend it and exit while it waits)."""
    from prefect.runtime import deployment

    return deployment.id is not None


def ask(form: Any, *, key: str, timeout: int, poll_interval: int = 10, suspend: bool = False) -> Any:
    """The validated answer to ``form`` (raises ``FlowPauseTimeout`` when nobody answers in time)."""
    for attempt in range(MAX_ASKS):
        k = key if attempt == 0 else f"{key}-ask{attempt + 1}"
        try:
            if suspend:
                return suspend_flow_run(wait_for_input=form, timeout=timeout, key=k)
            return pause_flow_run(wait_for_input=form, timeout=timeout, poll_interval=poll_interval, key=k)
        except ValidationError as exc:
            get_run_logger().warning("answer to %s is not a valid decision (%d problem(s)): asking again", k,
                                     exc.error_count())
    from prefect.exceptions import FlowPauseTimeout

    raise FlowPauseTimeout(f"no valid answer to {key} after {MAX_ASKS} asks")
