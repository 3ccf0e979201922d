"""Transactional outbox for LINE messages: enqueue in the caller's transaction, send later.

The sender never holds a transaction across a LINE call: it leases a batch (short
transaction), sends, then records the outcome (another short transaction). The LINE retry
key is the row's ``retry_key``, so a send repeated after a crash is accepted once by LINE.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.models import OutboxMessage

MAX_ATTEMPTS = 8
LEASE = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class OutgoingMessage:
    id: int
    municipality_id: int
    retry_key: str
    to: str
    reply_token: str | None
    messages: list[dict[str, Any]]
    attempts: int


@dataclass(frozen=True)
class SendResult:
    ok: bool
    retryable: bool = False
    error: str | None = None


def enqueue(
    session: Session,
    municipality_id: int,
    to_line_user_id: str,
    messages: list[dict[str, Any]],
    purpose: str,
    resident_id: int | None = None,
    report_id: int | None = None,
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Add a push to the outbox in the caller's transaction.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        to_line_user_id: LINE user id of the resident.
        messages: LINE message objects (JSON dicts), at most 5.
        purpose: why it is sent (status_change, receipt, reminder, follow_up, ...).
        resident_id: the resident row, when known.
        report_id: the report it concerns, when any.
        dedupe_key: when given, a second message with the same key is not added (reminders).

    Returns:
        The new row, or None when ``dedupe_key`` was already used.
    """
    if dedupe_key is not None:
        row = session.execute(
            text("SELECT 1 FROM outbox_message WHERE municipality_id = :m AND dedupe_key = :k"),
            {"m": municipality_id, "k": dedupe_key},
        ).first()
        if row is not None:
            return None
    message = OutboxMessage(
        municipality_id=municipality_id,
        to_line_user_id=to_line_user_id,
        messages=messages,
        purpose=purpose,
        resident_id=resident_id,
        report_id=report_id,
        dedupe_key=dedupe_key,
    )
    session.add(message)
    session.flush()
    return message


def lease_batch(engine: Engine, now: dt.datetime, limit: int = 20) -> list[OutgoingMessage]:
    """Lease up to ``limit`` due messages (``FOR UPDATE SKIP LOCKED``, one short transaction)."""
    with engine.begin() as conn:
        rows = conn.execute(
            text(
                "UPDATE outbox_message o SET next_attempt_at = :lease_until, "
                "attempts = o.attempts + 1 FROM (SELECT municipality_id, id FROM outbox_message "
                "WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at "
                "LIMIT :limit FOR UPDATE SKIP LOCKED) due WHERE o.municipality_id = "
                "due.municipality_id AND o.id = due.id RETURNING o.id, o.municipality_id, "
                "o.retry_key, o.to_line_user_id, o.reply_token, o.reply_token_expires_at, "
                "o.messages, o.attempts"
            ),
            {"now": now, "lease_until": now + LEASE, "limit": limit},
        ).all()
    return [
        OutgoingMessage(
            id=r.id,
            municipality_id=r.municipality_id,
            retry_key=str(r.retry_key),
            to=r.to_line_user_id,
            messages=list(r.messages),
            attempts=r.attempts,
            reply_token=r.reply_token
            if r.reply_token_expires_at and r.reply_token_expires_at > now and r.attempts == 1
            else None,
        )
        for r in rows
    ]


def record_result(
    engine: Engine, message: OutgoingMessage, result: SendResult, now: dt.datetime
) -> None:
    """Mark a leased message sent, failed for good, or due again with exponential backoff."""
    params: dict[str, object]
    if result.ok:
        sql, params = "status = 'sent', sent_at = :now, last_error = NULL", {"now": now}
    elif result.retryable and message.attempts < MAX_ATTEMPTS:
        delay = dt.timedelta(seconds=min(2**message.attempts * 5, 3600))
        sql, params = (
            "next_attempt_at = :due, last_error = :err",
            {"due": now + delay, "err": result.error},
        )
    else:
        sql, params = "status = 'failed', last_error = :err", {"err": result.error}
    with engine.begin() as conn:
        conn.execute(
            text(f"UPDATE outbox_message SET {sql} WHERE municipality_id = :m AND id = :id"),
            {**params, "m": message.municipality_id, "id": message.id},
        )


def dispatch_due(
    engine: Engine, send: Callable[[OutgoingMessage], SendResult], now: Callable[[], dt.datetime]
) -> int:
    """Send every due message once; returns how many were attempted."""
    batch = lease_batch(engine, now())
    for message in batch:
        record_result(engine, message, send(message), now())
    return len(batch)
