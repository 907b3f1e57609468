"""Flow runs for several careeros homes on one Prefect server.

Every flow takes an optional ``home`` parameter (a ``CAREEROS_HOME``); :func:`for_home` applies it to the settings
at flow start and holds the home's **warehouse-writer** slot (a Prefect global concurrency limit
``warehouse-writer-<home key>``, limit 1) for the run, so two workers never write one DuckDB warehouse at once while
runs of different homes proceed side by side. The slot is let go while the run waits for a person
(:func:`pause_flow_run`, :func:`suspend_flow_run` here wrap Prefect's) and taken again when the run goes on.

The slot is a lease (:data:`LEASE_SECONDS`, renewed while the run lives): a worker killed with ``kill -9`` frees it
when the lease runs out. A subflow of the same home runs under its parent's slot.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from contextlib import ExitStack
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from prefect.flow_runs import pause_flow_run as _pause_flow_run
from prefect.flow_runs import suspend_flow_run as _suspend_flow_run

from careeros.settings import home_key, use_home

#: Seconds a writer slot outlives a dead holder (the server's repossessor then frees it).
LEASE_SECONDS = 60

F = TypeVar("F", bound=Callable[..., Any])


def writer_limit_name(home: Path | str) -> str:
    """Name of the global concurrency limit guarding ``home``'s warehouse."""
    return f"warehouse-writer-{home_key(home)}"


class WriterSlot:
    """The home's warehouse-writer slot, taken and let go around waits for a person."""

    def __init__(self, home: Path) -> None:
        self.name = writer_limit_name(home)
        self._stack: ExitStack | None = None

    def acquire(self) -> None:
        """Create the limit when missing (limit 1), then wait for its slot."""
        from prefect import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
        from prefect.concurrency.sync import concurrency
        from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

        if self._stack is not None:
            return
        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(self.name)
            except ObjectNotFound:
                try:
                    client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=self.name, limit=1))
                except ObjectAlreadyExists:
                    pass  # another run of this home created it first
        stack = ExitStack()
        stack.enter_context(concurrency(self.name, occupy=1, lease_duration=LEASE_SECONDS, strict=True,
                                        raise_on_lease_renewal_failure=False))
        self._stack = stack

    def release(self) -> None:
        """Let the slot go (idempotent)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()


_slot: ContextVar[WriterSlot | None] = ContextVar("careeros_writer_slot", default=None)


def for_home(fn: F) -> F:
    """Flow-body decorator (under ``@flow``): apply the ``home`` parameter, hold the home's writer slot."""
    sig = inspect.signature(fn, eval_str=True)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        home = sig.bind_partial(*args, **kwargs).arguments.get("home")
        settings = use_home(home)
        held = _slot.get()
        if held is not None and held.name == writer_limit_name(settings.home):
            return fn(*args, **kwargs)  # a subflow of the same home: the parent holds the slot
        slot = WriterSlot(settings.home)
        slot.acquire()
        token = _slot.set(slot)
        try:
            return fn(*args, **kwargs)
        finally:
            _slot.reset(token)
            slot.release()

    # annotations resolved in the flow's module: Prefect validates parameters against them (Literal, ...)
    wrapper.__signature__ = sig  # type: ignore[attr-defined]
    wrapper.__annotations__ = typing.get_type_hints(fn)
    return wrapper  # type: ignore[return-value]


def pause_flow_run(*args: Any, **kwargs: Any) -> Any:
    """Prefect's ``pause_flow_run`` with the writer slot let go while the run waits (taken again after)."""
    slot = _slot.get()
    if slot is not None:
        slot.release()
    try:
        return _pause_flow_run(*args, **kwargs)
    finally:
        if slot is not None:
            slot.acquire()


def suspend_flow_run(*args: Any, **kwargs: Any) -> Any:
    """Prefect's ``suspend_flow_run`` with the writer slot let go (the process ends; a resumed run takes it anew)."""
    slot = _slot.get()
    if slot is not None:
        slot.release()
    answer = _suspend_flow_run(*args, **kwargs)  # returns only when this key was already answered
    if slot is not None:
        slot.acquire()
    return answer


def current_run_id() -> str:
    """The running flow run's id (the warehouse's run id for what this run writes); a fresh one outside a run."""
    from prefect.runtime import flow_run

    from careeros.warehouse.provenance import new_run_id

    return str(flow_run.id) if flow_run.id else new_run_id()
