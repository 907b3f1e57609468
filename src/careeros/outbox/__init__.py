"""Outbound safety: drafts become ``.eml`` files; SMTP sends only after a person's recorded "send"."""

from careeros.outbox.models import (
    ApprovalDecision,
    Draft,
    OutboxMessage,
    SendReport,
    human_decision,
    message_id_for,
)
from careeros.outbox.outbox import Outbox, OutboxError, record_reply

__all__ = [
    "ApprovalDecision", "Draft", "Outbox", "OutboxError", "OutboxMessage", "SendReport", "human_decision",
    "message_id_for", "record_reply",
]
