"""Outbox value types: drafts, human approval decisions, stored messages and replies."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator

MessageStatus = Literal["drafted", "approved", "dropped", "sending", "sent", "failed"]
DecisionAction = Literal["send", "edit", "drop"]
ReplyKind = Literal["positive", "neutral", "negative", "interview", "rejection", "auto_reply", "bounce"]

#: Actor names that are never a human approver.
MACHINE_ACTORS = frozenset({"automation", "agent", "model", "llm", "system", "careeros", "assistant", "bot"})
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[A-Za-z]{2,}$")
_HEADER_UNSAFE = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def message_id_for(recipient: str, subject: str, body: str, version: int) -> str:
    """Idempotency key of a message: hash of recipient + subject + body + draft version."""
    blob = "\x1f".join([recipient.strip().lower(), subject, body, str(version)])
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


class Draft(BaseModel):
    """A message an agent proposes. It carries no status or approval: extra keys are ignored."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    draft_id: str = Field(min_length=1)
    to: str
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20000)
    version: int = Field(default=1, ge=1)
    purpose: str = "outreach"
    run_id: str | None = None

    @field_validator("to")
    @classmethod
    def _one_address(cls, v: str) -> str:
        v = v.strip()
        if not _ADDRESS.match(v):
            raise ValueError("recipient must be exactly one plain e-mail address")
        return v

    @field_validator("subject")
    @classmethod
    def _no_header_injection(cls, v: str) -> str:
        if _HEADER_UNSAFE.search(v):
            raise ValueError("subject may not contain line breaks or control characters")
        return v

    @property
    def message_id(self) -> str:
        """Idempotency key of this draft version."""
        return message_id_for(self.to, self.subject, self.body, self.version)


class ApprovalDecision(BaseModel):
    """A person's decision on one message: send, edit (send the edited text) or drop.

    The outbox accepts only decisions made by :func:`human_decision` (sealed); one parsed from JSON,
    built with ``model_validate``/``model_construct`` or produced from model output is refused.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    message_id: str = Field(min_length=1)
    action: DecisionAction
    approver: str = Field(min_length=1)
    decided_at: datetime
    subject: str | None = None
    body: str | None = None
    channel: str = "cli"
    note: str | None = None
    _human: bool = PrivateAttr(default=False)

    @property
    def is_human(self) -> bool:
        """True only for decisions created through :func:`human_decision`."""
        return self._human

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> ApprovalDecision:  # type: ignore[override]
        """Copies are never sealed (a copy with changed fields is not what the person decided)."""
        copy = super().model_copy(update=update, deep=deep)
        copy._human = False
        return copy


def human_decision(
    message_id: str,
    action: DecisionAction,
    approver: str,
    *,
    decided_at: datetime | None = None,
    subject: str | None = None,
    body: str | None = None,
    channel: str = "cli",
    note: str | None = None,
) -> ApprovalDecision:
    """Create a sealed decision. Call only from a human channel (CLI prompt, Prefect pause form).

    Never call it with values taken from model output or untrusted text.
    """
    if approver.strip().lower() in MACHINE_ACTORS:
        raise ValueError(f"{approver!r} is not a human approver")
    if action == "edit" and not (subject or body):
        raise ValueError("an edit decision needs the edited subject or body")
    decision = ApprovalDecision(
        message_id=message_id, action=action, approver=approver.strip(),
        decided_at=decided_at or datetime.now(UTC), subject=subject, body=body, channel=channel, note=note,
    )
    decision._human = True
    return decision


class OutboxMessage(BaseModel):
    """One stored message and its state."""

    message_id: str
    draft_id: str
    draft_version: int
    run_id: str | None = None
    purpose: str | None = None
    recipient: str
    subject: str
    body: str
    status: MessageStatus
    eml_path: str | None = None
    approver: str | None = None
    decided_at: datetime | None = None
    decision: str | None = None
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None = None
    error: str | None = None


class SendReport(BaseModel):
    """What happened to one approved message in a send pass."""

    message_id: str
    status: MessageStatus
    error: str | None = None
