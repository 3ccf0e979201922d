"""Transactional outbox for LINE messages: enqueue in the caller's transaction, send later.

The sender never holds a transaction across a LINE call: it leases due rows (one short
transaction), sends, then records each outcome (another short transaction) — only if it still
holds the lease (``lease_owner`` and ``attempts`` unchanged), which it renews while a send is
in flight. A resident's messages go out in the order they were queued: a row is leased only
when no older row to the same resident is still pending, so one in flight or waiting for a
retry holds back the next, across any number of workers. How each attempt is judged (reply or
push, delivered, unknown, given up) is ``workflow.line.delivery``.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from geo.models import OutboxMessage
from workflow.line.delivery import Attempt, SendResult, Settlement

log = logging.getLogger("machi.line.outbox")

MAX_ERROR_CHARS: Final = 500
MAX_ERROR_HISTORY: Final = 50


@dataclass(frozen=True)
class OutgoingMessage:
    id: int
    municipality_id: int
    retry_key: str
    to: str
    reply_token: str | None  # set when this attempt is a reply
    messages: list[dict[str, Any]]
    attempts: int
    owner: str = ""
    reply_unsettled: int = 0
    reply_token_expires_at: dt.datetime | None = None
    created_at: dt.datetime | None = None

    @property
    def attempt(self) -> Attempt:
        created = self.created_at or dt.datetime.now(dt.UTC)
        mode = "reply" if self.reply_token else "push"
        return Attempt(
            mode, self.reply_unsettled, self.reply_token_expires_at, created, self.attempts
        )


def enqueue(
    session: Session,
    municipality_id: int,
    to_line_user_id: str,
    messages: list[dict[str, Any]],
    purpose: str,
    resident_id: int | None = None,
    report_id: int | None = None,
    dedupe_key: str | None = None,
    now: dt.datetime | None = None,
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
        now: queueing time (the sender's clock); default: the database's ``now()``.

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
    if now is not None:
        message.created_at = message.next_attempt_at = now
    session.add(message)
    session.flush()
    return message


_REPLYABLE = "(o.reply_token IS NOT NULL AND o.reply_token_expires_at > :cutoff)"
_LEASE = text(
    "WITH due AS (SELECT o.municipality_id, o.id FROM outbox_message o "
    "WHERE o.municipality_id = :m AND o.status = 'pending' AND o.next_attempt_at <= :now "
    "AND NOT EXISTS (SELECT 1 FROM outbox_message p WHERE p.municipality_id = o.municipality_id "
    "AND p.status = 'pending' AND p.to_line_user_id = o.to_line_user_id AND p.id < o.id) "
    "ORDER BY o.id LIMIT :limit FOR UPDATE OF o SKIP LOCKED) "
    "UPDATE outbox_message o SET next_attempt_at = :lease_until, attempts = o.attempts + 1, "
    f"lease_owner = :owner, reply_unsettled = o.reply_unsettled + CASE WHEN {_REPLYABLE} "
    "THEN 1 ELSE 0 END, duplicate_risk = o.duplicate_risk OR (o.reply_unsettled > 0 AND NOT "
    f"coalesce({_REPLYABLE}, false)) FROM due WHERE o.municipality_id = due.municipality_id "
    "AND o.id = due.id RETURNING o.id, o.retry_key, o.to_line_user_id, o.messages, o.attempts, "
    "o.reply_unsettled, o.reply_token_expires_at, coalesce(o.resent_at, o.created_at) AS "
    f"created_at, coalesce({_REPLYABLE}, false) "
    "AS by_reply, o.reply_token"
)


def lease_batch(
    engine: Engine,
    municipality_id: int,
    now: dt.datetime,
    *,
    limit: int,
    owner: str,
    lease: dt.timedelta,
    reply_margin: dt.timedelta,
) -> list[OutgoingMessage]:
    """Lease up to ``limit`` due messages, oldest first, one per resident at a time.

    Args:
        engine: pooled engine; one short transaction.
        municipality_id: tenant (the channel whose messages these are).
        now: aware time.
        limit: at most this many rows (the sender's free slots: memory stays bounded).
        owner: this sender's id, checked when the result is recorded.
        lease: how long the rows stay reserved unless renewed.
        reply_margin: a reply token must outlive ``now`` by this much to be used (the call's
            timeout); otherwise the message is pushed.
    """
    params = {
        "m": municipality_id,
        "now": now,
        "limit": limit,
        "owner": owner,
        "lease_until": now + lease,
        "cutoff": now + reply_margin,
    }
    with engine.begin() as conn:
        rows = conn.execute(_LEASE, params).all()
    leased = [_outgoing(municipality_id, owner, r) for r in rows]
    return sorted(leased, key=lambda m: m.id)


def _outgoing(municipality_id: int, owner: str, r: Any) -> OutgoingMessage:
    return OutgoingMessage(
        id=int(r.id),
        municipality_id=municipality_id,
        retry_key=str(r.retry_key),
        to=str(r.to_line_user_id),
        reply_token=r.reply_token if r.by_reply else None,
        messages=list(r.messages),
        attempts=int(r.attempts),
        owner=owner,
        reply_unsettled=int(r.reply_unsettled),
        reply_token_expires_at=r.reply_token_expires_at,
        created_at=r.created_at,
    )


def renew_leases(
    engine: Engine, messages: list[OutgoingMessage], now: dt.datetime, lease: dt.timedelta
) -> int:
    """Extend the leases of messages still in flight; returns how many are still ours."""
    renewed = 0
    with engine.begin() as conn:
        for message in messages:
            result = conn.execute(
                text(
                    "UPDATE outbox_message SET next_attempt_at = :until WHERE municipality_id = "
                    ":m AND id = :id AND status = 'pending' AND lease_owner = :owner "
                    "AND attempts = :attempts"
                ),
                {**_lease_key(message), "until": now + lease},
            )
            renewed += int(getattr(result, "rowcount", 0) or 0)
    return renewed


def _lease_key(message: OutgoingMessage) -> dict[str, object]:
    return {
        "m": message.municipality_id,
        "id": message.id,
        "owner": message.owner,
        "attempts": message.attempts,
    }


_RECORD = text(
    "WITH v AS (SELECT CAST(:status AS varchar) AS status, CAST(:now AS timestamptz) AS now, "
    "CAST(:err AS text) AS err) "
    "UPDATE outbox_message SET status = v.status, "
    "sent_at = CASE WHEN v.status = 'sent' THEN v.now ELSE sent_at END, "
    "delivered_via = CAST(:via AS varchar), next_attempt_at = :due, lease_owner = NULL, "
    "reply_unsettled = coalesce(CAST(:unsettled AS smallint), reply_unsettled), "
    "reply_token = CASE WHEN :drop_token THEN NULL ELSE reply_token END, "
    "give_up_reason = CAST(:reason AS varchar), "
    "given_up_at = CASE WHEN v.status = 'failed' THEN v.now END, "
    "last_error = coalesce(v.err, last_error), "
    "last_error_at = CASE WHEN v.err IS NULL THEN last_error_at ELSE v.now END, "
    "first_error_at = CASE WHEN first_error IS NULL AND v.err IS NOT NULL THEN v.now "
    "ELSE first_error_at END, first_error = coalesce(first_error, v.err), "
    "error_history = CASE WHEN v.err IS NULL OR jsonb_array_length(error_history) >= :keep "
    "THEN error_history ELSE error_history || jsonb_build_array(jsonb_build_object("
    "'at', v.now, 'attempt', attempts, 'error', v.err)) END FROM v "
    "WHERE municipality_id = :m AND id = :id AND outbox_message.status = 'pending' "
    "AND lease_owner = :owner AND attempts = :attempts"
)


def record_results(
    engine: Engine,
    settled: list[tuple[OutgoingMessage, SendResult, Settlement]],
    now: dt.datetime,
) -> int:
    """Record finished attempts in one short transaction; returns how many leases were lost.

    A lost lease (another sender took the row after ours ran out) leaves the row to its new
    holder: LINE's retry key (push) or the used reply token (reply) keeps that send single.
    """
    lost = 0
    with engine.begin() as conn:
        for message, result, settlement in settled:
            if not _record_one(conn, message, result, settlement, now):
                lost += 1
                log.warning("outbox %s: lease lost before its result was recorded", message.id)
    return lost


def _record_one(
    conn: Connection,
    message: OutgoingMessage,
    result: SendResult,
    settlement: Settlement,
    now: dt.datetime,
) -> bool:
    error = None if settlement.status == "sent" else result.error
    params = {
        **_lease_key(message),
        "status": settlement.status,
        "now": now,
        "via": settlement.delivered_via,
        "due": now + dt.timedelta(seconds=settlement.due_in_s),
        "unsettled": settlement.reply_unsettled,
        "drop_token": settlement.drop_token,
        "reason": settlement.give_up_reason,
        "err": None if error is None else error[:MAX_ERROR_CHARS],
        "keep": MAX_ERROR_HISTORY,
    }
    if settlement.status == "failed":
        log.error("outbox %s given up (%s): %s", message.id, settlement.give_up_reason, error)
    return bool(getattr(conn.execute(_RECORD, params), "rowcount", 0))


def give_up_expired(
    engine: Engine, municipality_id: int, now: dt.datetime, horizon: dt.timedelta
) -> int:
    """Give up pending messages queued more than ``horizon`` ago and not in flight."""
    with engine.begin() as conn:
        result = conn.execute(
            text(
                "UPDATE outbox_message SET status = 'failed', give_up_reason = 'horizon', "
                "given_up_at = :now, lease_owner = NULL, last_error = coalesce(last_error, "
                "'not sent before the give-up horizon') WHERE municipality_id = :m AND status = "
                "'pending' AND coalesce(resent_at, created_at) < :cutoff "
                "AND next_attempt_at <= :now"
            ),
            {"m": municipality_id, "now": now, "cutoff": now - horizon},
        )
    count = int(getattr(result, "rowcount", 0) or 0)
    if count:
        log.error("%d LINE messages given up: not delivered within %s", count, horizon)
    return count


def hurry_waiting(engine: Engine, municipality_id: int, now: dt.datetime) -> int:
    """Make every message waiting out a backoff due now (LINE answers again)."""
    with engine.begin() as conn:
        result = conn.execute(
            text(
                "UPDATE outbox_message SET next_attempt_at = :now WHERE municipality_id = :m "
                "AND status = 'pending' AND lease_owner IS NULL AND next_attempt_at > :now"
            ),
            {"m": municipality_id, "now": now},
        )
    return int(getattr(result, "rowcount", 0) or 0)
