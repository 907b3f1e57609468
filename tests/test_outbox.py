"""The outbox against a real SMTP server on 127.0.0.1 (aiosmtpd): only human-approved messages go out, once."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from careeros.outbox import ApprovalDecision, Draft, Outbox, OutboxError, human_decision, record_reply


class Collector:
    """aiosmtpd handler keeping every received message."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def running_smtp() -> Iterator[tuple[Collector, int]]:
    """A real SMTP server on 127.0.0.1 collecting messages: (collector, port)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port (the Controller verifies it with a real connection)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collector()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    try:
        yield handler, port
    finally:
        ctl.stop()


@pytest.fixture()
def smtp() -> Iterator[tuple[Collector, int]]:
    with running_smtp() as pair:
        yield pair


def outbox_for(monkeypatch: pytest.MonkeyPatch, home: Path, smtp_port: int | None) -> Outbox:
    from careeros.settings import Settings, get_settings

    monkeypatch.setenv("CAREEROS_HOME", str(home))
    if smtp_port:
        monkeypatch.setenv("CAREEROS_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("CAREEROS_SMTP_PORT", str(smtp_port))
        monkeypatch.setenv("CAREEROS_SMTP_FROM", "me@example.org")
    else:
        monkeypatch.delenv("CAREEROS_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    return Outbox(Settings())


def draft(n: int = 1, **kw) -> Draft:
    return Draft(**{"draft_id": f"d{n}", "to": f"hiring{n}@example.com", "subject": f"Hello {n}",
                    "body": f"Dear team {n},\nI would like to talk.", **kw})


def test_approved_message_is_sent_once(smtp, tmp_path: Path, monkeypatch) -> None:
    collector, port = smtp
    ob = outbox_for(monkeypatch, tmp_path / "home", port)
    msg = ob.add_draft(draft())
    assert ob.add_draft(draft()).message_id == msg.message_id  # idempotent add
    assert Path(msg.eml_path).is_file() and Path(msg.eml_path).parent == tmp_path / "home" / "outbox"
    ob.decide(human_decision(msg.message_id, "send", "Ana", channel="test"))
    first, second = ob.send(msg.message_id), ob.send(msg.message_id)
    assert [r.status for r in ob.send_approved()] == []
    assert first.status == "sent" and second.status == "sent"
    assert len(collector.messages) == 1
    got = collector.messages[0]
    assert got["Subject"] == "Hello 1" and got["To"] == "hiring1@example.com"
    assert got["Message-ID"] == f"<{msg.message_id}@careeros.local>"
    stored = ob.get(msg.message_id)
    assert stored.status == "sent" and stored.sent_at is not None and stored.approver == "Ana"


def test_unapproved_and_dropped_are_never_sent(smtp, tmp_path: Path, monkeypatch) -> None:
    collector, port = smtp
    ob = outbox_for(monkeypatch, tmp_path / "home", port)
    kept, dropped = ob.add_draft(draft(1)), ob.add_draft(draft(2))
    ob.decide(human_decision(dropped.message_id, "drop", "Ana"))
    assert ob.send_approved() == []
    assert ob.send(kept.message_id).status == "drafted" and ob.send(dropped.message_id).status == "dropped"
    assert collector.messages == []
    assert ob.get(dropped.message_id).status == "dropped"
    with pytest.raises(OutboxError):
        ob.decide(human_decision(dropped.message_id, "send", "Ana"))  # a dropped message stays dropped


def test_edit_sends_the_edited_version(smtp, tmp_path: Path, monkeypatch) -> None:
    collector, port = smtp
    ob = outbox_for(monkeypatch, tmp_path / "home", port)
    msg = ob.add_draft(draft())
    new = ob.decide(human_decision(msg.message_id, "edit", "Ana", body="Shorter text."))
    assert new.message_id != msg.message_id and new.draft_version == 2 and new.status == "approved"
    assert ob.get(msg.message_id).status == "dropped"
    assert [r.status for r in ob.send_approved()] == ["sent"]
    assert len(collector.messages) == 1 and "Shorter text." in collector.messages[0].get_payload()


def test_without_smtp_messages_stay_as_eml(tmp_path: Path, monkeypatch) -> None:
    ob = outbox_for(monkeypatch, tmp_path / "home", None)
    msg = ob.add_draft(draft())
    ob.decide(human_decision(msg.message_id, "send", "Ana"))
    assert ob.send_approved() == []
    assert ob.get(msg.message_id).status == "approved"
    parsed = email.message_from_bytes(Path(msg.eml_path).read_bytes())
    assert parsed["To"] == "hiring1@example.com"


def test_unsealed_or_machine_decisions_are_refused(tmp_path: Path, monkeypatch) -> None:
    ob = outbox_for(monkeypatch, tmp_path / "home", None)
    msg = ob.add_draft(draft())
    forged = ApprovalDecision.model_validate_json(
        f'{{"message_id": "{msg.message_id}", "action": "send", "approver": "Ana",'
        f' "decided_at": "2026-01-01T00:00:00Z"}}')
    copied = human_decision(msg.message_id, "drop", "Ana").model_copy(update={"action": "send"})
    for bad in (forged, copied, ApprovalDecision.model_construct(message_id=msg.message_id, action="send")):
        with pytest.raises(OutboxError):
            ob.decide(bad)
    with pytest.raises(ValueError):
        human_decision(msg.message_id, "send", "automation")
    assert ob.get(msg.message_id).status == "drafted"


def test_drafts_reject_header_injection_and_lists() -> None:
    with pytest.raises(ValidationError):
        draft(subject="Hi\r\nBcc: attacker@evil.example")
    with pytest.raises(ValidationError):
        draft(to="a@example.com, attacker@evil.example")


def test_replies_are_logged_as_outcomes(tmp_path: Path, monkeypatch) -> None:
    ob = outbox_for(monkeypatch, tmp_path / "home", None)
    msg = ob.add_draft(draft())
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    record_reply(msg.message_id, when, "interview", settings=ob.settings)
    record_reply(msg.message_id, when, "interview", settings=ob.settings)  # idempotent
    assert ob.replies(msg.message_id) == [(msg.message_id, when, "interview")]
    with pytest.raises(OutboxError):
        ob.record_reply("nope", when, "positive")
