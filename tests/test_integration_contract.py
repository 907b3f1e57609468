"""The integration contract: idempotent applies, approval before leaving the machine, retries, rollback, log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careeros.integrations.contract import (
    Action,
    ApprovalRequired,
    Integration,
    IntegrationError,
    Preview,
    Result,
    RetryPolicy,
    TransientIntegrationError,
    history,
    idempotency_key,
    record_approval,
    run_apply,
    run_rollback,
    run_verify,
    stored,
)
from careeros.warehouse.db import connect


class FolderPublisher:
    """A real, tiny integration: writes one file into a folder (the 'far side'), keeps the previous content."""

    name = "folder"

    def __init__(self, root: Path, fail_first: int = 0) -> None:
        self.root = root
        self.fail_first = fail_first
        self.calls = 0

    def preview(self, action: Action) -> Preview:
        target = self.root / action.payload["name"]
        return Preview(action=action, changes=[f"{'replace' if target.exists() else 'create'} {target.name}"])

    def apply(self, action: Action, idempotency_key: str) -> Result:
        self.calls += 1
        if self.calls <= self.fail_first:
            raise TransientIntegrationError("far side busy")
        target = self.root / action.payload["name"]
        before = target.read_text() if target.exists() else None
        target.write_text(action.payload["text"])
        return Result(integration=self.name, kind=action.kind, idempotency_key=idempotency_key, ok=True,
                      signal=action.payload["text"], details={"path": str(target)},
                      rollback={"path": str(target), "before": before})

    def verify(self, result: Result) -> bool:
        p = Path(result.details["path"])
        return p.exists() and p.read_text() == result.signal

    def rollback(self, result: Result) -> Result:
        p = Path(result.rollback["path"])
        if result.rollback["before"] is None:
            p.unlink(missing_ok=True)
        else:
            p.write_text(result.rollback["before"])
        return result.model_copy(update={"signal": result.rollback["before"] or ""})


@pytest.fixture()
def wh(tmp_path: Path):
    with connect(tmp_path / "w.duckdb") as con:
        yield con


def _action(text: str = "hello", leaves: bool = False) -> Action:
    return Action(integration="folder", kind="write", payload={"name": "page.txt", "text": text},
                  leaves_machine=leaves, summary="write page.txt")


def test_protocol_and_key_are_stable(tmp_path: Path) -> None:
    assert isinstance(FolderPublisher(tmp_path), Integration)
    assert idempotency_key(_action()) == idempotency_key(_action())
    assert idempotency_key(_action("a")) != idempotency_key(_action("b"))


def test_apply_is_idempotent_verified_and_logged(wh, tmp_path: Path) -> None:
    integ = FolderPublisher(tmp_path)
    r1 = run_apply(wh, integ, _action(), sleep=lambda s: None)
    r2 = run_apply(wh, integ, _action(), sleep=lambda s: None)
    assert integ.calls == 1 and r2.replayed and r2.signal == r1.signal == "hello"
    assert run_verify(wh, integ, r1.idempotency_key)
    (tmp_path / "page.txt").write_text("tampered")
    assert not run_verify(wh, integ, r1.idempotency_key)
    acts = [r[0] for r in wh.execute("SELECT action FROM decision_log ORDER BY decided_at").fetchall()]
    assert acts == ["integration_applied", "integration_verified", "integration_verify_failed"]
    assert history(wh, "folder")[0]["status"] == "applied"


def test_transient_failures_are_retried_with_backoff(wh, tmp_path: Path) -> None:
    integ = FolderPublisher(tmp_path, fail_first=2)
    waits: list[float] = []
    r = run_apply(wh, integ, _action(), retry=RetryPolicy(attempts=3, backoff_seconds=1, jitter_factor=0),
                  sleep=waits.append)
    assert r.ok and r.attempts == 3 and waits == [1.0, 2.0]


def test_exhausted_retries_surface_and_record_failure(wh, tmp_path: Path) -> None:
    integ = FolderPublisher(tmp_path, fail_first=5)
    with pytest.raises(IntegrationError, match="after 2 attempt"):
        run_apply(wh, integ, _action(), retry=RetryPolicy(attempts=2, backoff_seconds=0), sleep=lambda s: None)
    status, res = stored(wh, idempotency_key(_action()))
    assert status == "failed" and "busy" in (res.error or "")
    # a failed key is not "applied": a later retry really runs
    integ.fail_first = 0
    integ.calls = 0
    assert run_apply(wh, integ, _action(), sleep=lambda s: None).ok and integ.calls == 1


def test_leaving_the_machine_needs_a_human_approval_of_that_key(wh, tmp_path: Path) -> None:
    integ = FolderPublisher(tmp_path)
    act = _action(leaves=True)
    key = idempotency_key(act)
    with pytest.raises(ApprovalRequired):
        run_apply(wh, integ, act)
    record_approval(wh, key, "automation", action=act)  # automation cannot approve
    with pytest.raises(ApprovalRequired):
        run_apply(wh, integ, act)
    record_approval(wh, key, "alice", action=act)
    record_approval(wh, idempotency_key(_action("other", leaves=True)), "alice")
    assert run_apply(wh, integ, act).ok
    other = _action("changed", leaves=True)  # approval of one key never covers another payload
    with pytest.raises(ApprovalRequired):
        run_apply(wh, integ, other)
    assert integ.calls == 1


def test_rollback_restores_previous_state_once(wh, tmp_path: Path) -> None:
    integ = FolderPublisher(tmp_path)
    run_apply(wh, integ, _action("v1"))
    r2 = run_apply(wh, integ, _action("v2"))
    run_rollback(wh, integ, r2.idempotency_key, actor="alice")
    assert (tmp_path / "page.txt").read_text() == "v1"
    again = run_rollback(wh, integ, r2.idempotency_key)
    assert again.replayed and (tmp_path / "page.txt").read_text() == "v1"
    assert stored(wh, r2.idempotency_key)[0] == "rolled_back"
    row = wh.execute("SELECT actor, facts_json FROM decision_log WHERE action = 'integration_rolled_back'").fetchall()
    assert row[0][0] == "alice" and json.loads(row[0][1])["idempotency_key"] == r2.idempotency_key
    with pytest.raises(IntegrationError, match="nothing recorded"):
        run_rollback(wh, integ, "folder:write:unknown")
