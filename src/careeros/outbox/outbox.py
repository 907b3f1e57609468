"""The outbox: drafts -> human decisions -> ``.eml`` files -> SMTP only after a human "send".

Idempotent by construction: the message id hashes recipient, subject, body and draft version; a message
is claimed (``approved`` -> ``sending``) in one UPDATE before it is handed to SMTP, so a second send
call, a retry or a concurrent pass never sends it again. A crash between claim and confirmation leaves
it in ``sending`` for a person to check rather than risking a duplicate.
"""

from __future__ import annotations

import json
import logging
import smtplib
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from careeros.outbox.models import (
    MACHINE_ACTORS,
    ApprovalDecision,
    Draft,
    OutboxMessage,
    ReplyKind,
    SendReport,
)
from careeros.redact import redact
from careeros.settings import Settings, get_settings
from careeros.warehouse.db import connect, fetch_one

log = logging.getLogger("careeros.outbox")
_COLUMNS = ("message_id, draft_id, draft_version, run_id, purpose, recipient, subject, body, status, eml_path,"
            " approver, decided_at, decision, created_at, updated_at, sent_at, error")


class OutboxError(RuntimeError):
    """A refused outbox operation (unknown message, not a human decision, wrong state)."""


class Outbox:
    """Drafts, decisions and sending for one CAREEROS_HOME."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.warehouse = self.settings.warehouse_path
        self.folder = self.settings.home / "outbox"

    # ---------------------------------------------------------------- reading
    def get(self, message_id: str) -> OutboxMessage | None:
        """One message by id."""
        with connect(self.warehouse) as con:
            row = fetch_one(con.execute(f"SELECT {_COLUMNS} FROM outbox WHERE message_id = ?", [message_id]))
        return self._msg(row) if row else None

    def messages(self, status: str | None = None) -> list[OutboxMessage]:
        """All messages (optionally of one status), oldest first."""
        sql = f"SELECT {_COLUMNS} FROM outbox" + (" WHERE status = ?" if status else "") + " ORDER BY created_at"
        with connect(self.warehouse) as con:
            rows = con.execute(sql, [status] if status else []).fetchall()
        return [self._msg(r) for r in rows]

    def history(self, draft_id: str | None = None) -> list[OutboxMessage]:
        """Every version of a draft (or of all drafts), by draft then version: the edit history, nothing removed."""
        sql = (f"SELECT {_COLUMNS} FROM outbox" + (" WHERE draft_id = ?" if draft_id else "")
               + " ORDER BY draft_id, draft_version, created_at")
        with connect(self.warehouse) as con:
            rows = con.execute(sql, [draft_id] if draft_id else []).fetchall()
        return [self._msg(r) for r in rows]

    def retract(self, decision: ApprovalDecision) -> OutboxMessage:
        """Withdraw an approval before the message is sent (a sealed human ``drop`` on an approved message).

        Refused once sending started or the message went out: a sent e-mail cannot be called back.
        """
        msg = self.get(decision.message_id)
        if msg is None:
            raise OutboxError(f"unknown message {decision.message_id}")
        if msg.status != "approved":
            raise OutboxError(f"message {msg.message_id} is {msg.status}; only an approved, unsent message can be "
                              "retracted")
        if decision.action != "drop":
            raise OutboxError("a retraction is a drop decision")
        return self.decide(decision)

    @staticmethod
    def _msg(row: tuple[object, ...]) -> OutboxMessage:
        names = [c.strip() for c in _COLUMNS.split(",")]
        return OutboxMessage.model_validate(dict(zip(names, row, strict=True)))

    # ---------------------------------------------------------------- drafts
    def _email(self, msg: OutboxMessage) -> EmailMessage:
        em = EmailMessage()
        em["From"] = self.settings.smtp_from or "careeros@localhost"
        em["To"] = msg.recipient
        em["Subject"] = msg.subject
        em["Date"] = format_datetime(msg.created_at)
        em["Message-ID"] = f"<{msg.message_id}@careeros.local>"
        em["X-CareerOS-Draft"] = f"{msg.draft_id} v{msg.draft_version}"
        em.set_content(msg.body)
        return em

    def add_draft(self, draft: Draft) -> OutboxMessage:
        """Store a draft (status ``drafted``) and write its ``.eml``; adding the same version again is a no-op.

        Natural key of an undecided draft: (purpose, recipient). While one is still waiting for a decision, a new
        draft for the same purpose to the same address (another run of the agents) returns the waiting one instead
        of queueing a duplicate; a new version of the same draft (an edit) is not affected.
        """
        mid = draft.message_id
        existing = self.get(mid)
        if existing is not None:
            return existing
        if draft.purpose:
            with connect(self.warehouse, read_only=False) as con:
                row = fetch_one(con.execute(
                    "SELECT message_id FROM outbox WHERE status = 'drafted' AND purpose = ? AND lower(recipient) = ? "
                    "AND draft_id <> ? ORDER BY created_at LIMIT 1",
                    [draft.purpose, draft.to.strip().lower(), draft.draft_id]))
            waiting = self.get(str(row[0])) if row else None
            if waiting is not None:
                return waiting
        now = datetime.now(UTC)
        self.folder.mkdir(parents=True, exist_ok=True)
        eml = self.folder / f"{mid}.eml"
        msg = OutboxMessage(
            message_id=mid, draft_id=draft.draft_id, draft_version=draft.version, run_id=draft.run_id,
            purpose=draft.purpose, recipient=draft.to, subject=draft.subject, body=draft.body, status="drafted",
            eml_path=str(eml), created_at=now, updated_at=now,
        )
        eml.write_bytes(bytes(self._email(msg)))
        with connect(self.warehouse) as con:
            con.execute(
                "INSERT INTO outbox (message_id, draft_id, draft_version, run_id, purpose, recipient, subject, body,"
                " status, eml_path, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'drafted', ?, ?, ?)"
                " ON CONFLICT (message_id) DO NOTHING",
                [mid, draft.draft_id, draft.version, draft.run_id, draft.purpose, draft.to, draft.subject,
                 draft.body, str(eml), now, now],
            )
        return self.get(mid) or msg

    # ---------------------------------------------------------------- decisions
    def decide(self, decision: ApprovalDecision) -> OutboxMessage:
        """Apply a person's decision. Only sealed human decisions on undecided messages are accepted.

        ``send`` approves, ``drop`` drops, ``edit`` drops this version and stores the edited text as the
        next draft version, approved by the same decision (the returned message).
        """
        if not isinstance(decision, ApprovalDecision) or not decision.is_human:
            raise OutboxError("approval decisions must come from a human channel (careeros.outbox.human_decision)")
        if decision.approver.strip().lower() in MACHINE_ACTORS:
            raise OutboxError(f"{decision.approver!r} is not a human approver")
        msg = self.get(decision.message_id)
        if msg is None:
            raise OutboxError(f"unknown message {decision.message_id}")
        if msg.status not in ("drafted", "approved"):
            raise OutboxError(f"message {msg.message_id} is {msg.status}; it can no longer be decided")
        target = msg
        if decision.action == "edit":
            edited = Draft(draft_id=msg.draft_id, to=msg.recipient, subject=decision.subject or msg.subject,
                           body=decision.body or msg.body, version=msg.draft_version + 1, purpose=msg.purpose or "outreach",
                           run_id=msg.run_id)
            self._set_status(msg.message_id, "dropped", decision, "edit")
            target = self.add_draft(edited)
        status = "dropped" if decision.action == "drop" else "approved"
        self._set_status(target.message_id, status, decision, decision.action)
        self._log_decision(decision, target.message_id)
        out = self.get(target.message_id)
        assert out is not None
        return out

    def _set_status(self, mid: str, status: str, decision: ApprovalDecision, action: str) -> None:
        with connect(self.warehouse) as con:
            con.execute(
                "UPDATE outbox SET status = ?, approver = ?, decided_at = ?, decision = ?, updated_at = ?"
                " WHERE message_id = ? AND status IN ('drafted', 'approved')",
                [status, decision.approver, decision.decided_at, action, datetime.now(UTC), mid],
            )

    def _log_decision(self, decision: ApprovalDecision, target_id: str) -> None:
        facts = {"channel": decision.channel, "decided_on": decision.message_id, "note": decision.note}
        with connect(self.warehouse) as con:
            con.execute(
                "INSERT INTO decision_log (decision_id, decided_at, actor, action, item_id, facts_json)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [uuid.uuid4().hex, decision.decided_at, decision.approver, f"outbox.{decision.action}", target_id,
                 json.dumps(facts)],
            )

    def _human_send_recorded(self, mid: str) -> bool:
        with connect(self.warehouse) as con:
            row = fetch_one(con.execute(
                "SELECT count(*) FROM decision_log WHERE item_id = ? AND action IN ('outbox.send', 'outbox.edit')"
                " AND lower(actor) NOT IN (SELECT unnest(?::VARCHAR[]))",
                [mid, sorted(MACHINE_ACTORS)],
            ))
        return bool(row and row[0])

    # ---------------------------------------------------------------- sending
    def _claim(self, mid: str) -> bool:
        with connect(self.warehouse) as con:
            rows = con.execute(
                "UPDATE outbox SET status = 'sending', updated_at = ? WHERE message_id = ? AND status = 'approved'"
                " AND decision IN ('send', 'edit') AND approver IS NOT NULL RETURNING message_id",
                [datetime.now(UTC), mid],
            ).fetchall()
        return bool(rows)

    def _finish(self, mid: str, status: str, error: str | None) -> None:
        now = datetime.now(UTC)
        with connect(self.warehouse) as con:
            con.execute(
                "UPDATE outbox SET status = ?, sent_at = ?, error = ?, updated_at = ? WHERE message_id = ?",
                [status, now if status == "sent" else None, error, now, mid],
            )

    def send(self, message_id: str) -> SendReport:
        """Send one message if SMTP is configured and a human approved it; never twice."""
        msg = self.get(message_id)
        if msg is None:
            raise OutboxError(f"unknown message {message_id}")
        if not self.settings.smtp_host:
            return SendReport(message_id=message_id, status=msg.status, error="SMTP not configured; kept as .eml")
        if msg.status != "approved" or not self._human_send_recorded(message_id):
            return SendReport(message_id=message_id, status=msg.status, error="not approved by a person")
        if not self._claim(message_id):  # someone else sent or is sending it
            current = self.get(message_id)
            return SendReport(message_id=message_id, status=current.status if current else "failed")
        try:
            self._smtp_send(self._email(msg))
        except (smtplib.SMTPException, OSError) as exc:
            err = redact(f"{type(exc).__name__}: {exc}")[:500]
            self._finish(message_id, "failed", err)
            log.warning("outbox: sending %s failed: %s", message_id, err)
            return SendReport(message_id=message_id, status="failed", error=err)
        self._finish(message_id, "sent", None)
        log.info("outbox: sent %s", message_id)
        return SendReport(message_id=message_id, status="sent")

    def send_approved(self) -> list[SendReport]:
        """Send every approved message (no-op without SMTP configuration)."""
        if not self.settings.smtp_host:
            return []
        return [self.send(m.message_id) for m in self.messages("approved")]

    def _smtp_send(self, em: EmailMessage) -> None:
        s = self.settings
        assert s.smtp_host
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=15) as smtp:
            smtp.ehlo()
            if smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if s.smtp_user and s.smtp_password:
                smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            smtp.send_message(em)

    # ---------------------------------------------------------------- outcomes
    def record_reply(self, message_id: str, received_at: datetime, kind: ReplyKind) -> None:
        """Log a reply to a sent message as an outcome (idempotent per message, time and kind)."""
        if self.get(message_id) is None:
            raise OutboxError(f"unknown message {message_id}")
        with connect(self.warehouse) as con:
            con.execute(
                "INSERT INTO outbox_replies (message_id, received_at, kind, recorded_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [message_id, received_at, kind, datetime.now(UTC)],
            )

    def replies(self, message_id: str | None = None) -> list[tuple[str, datetime, str]]:
        """Logged replies (message id, received at, kind)."""
        sql = "SELECT message_id, received_at, kind FROM outbox_replies"
        with connect(self.warehouse) as con:
            rows = con.execute(sql + (" WHERE message_id = ?" if message_id else "") + " ORDER BY received_at",
                               [message_id] if message_id else []).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]


def record_reply(message_id: str, received_at: datetime, kind: ReplyKind, settings: Settings | None = None) -> None:
    """Log a reply to an outbox message as an outcome."""
    Outbox(settings).record_reply(message_id, received_at, kind)
