"""Undelivered LINE messages made visible: the staff list, 「再送」, health figures, apologies.

Staff see the messages that failed or keep failing: admins all of them, department staff
those about their department's reports (dialogue replies carry no report: admins only).
A given-up message's resident gets one apology push with their receipt numbers: queued at
once, it waits in the outbox until LINE answers again (a given-up channel has nothing else to
probe it with); the words come from the caller (``build``), workflow keeps none.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from workflow.db import town_scope, unit_of_work
from workflow.desk.auth import StaffIdentity
from workflow.desk.reports import scope_of
from workflow.errors import NotFoundError
from workflow.line.outbox import enqueue

log = logging.getLogger("machi.line.failures")

STUCK_AFTER = dt.timedelta(minutes=1)  # a pending message older than this is listed too
ApologyBuilder = Callable[[list[str]], list[dict[str, Any]]]


@dataclass(frozen=True)
class UndeliveredMessage:
    id: int
    status: str  # pending | failed
    purpose: str
    receipt_no: str | None
    created_at: dt.datetime
    attempts: int
    reason: str | None  # give_up_reason for failed rows
    first_error: str | None
    first_error_at: dt.datetime | None
    last_error: str | None
    last_error_at: dt.datetime | None
    given_up_at: dt.datetime | None
    duplicate_risk: bool


_SCOPE = (
    "FROM outbox_message o LEFT JOIN report r ON r.municipality_id = o.municipality_id "
    "AND r.id = o.report_id WHERE o.municipality_id = :m "
    "AND (CAST(:dept AS bigint) IS NULL OR r.department_id = :dept) "
)


def list_undelivered(
    session: Session, who: StaffIdentity, now: dt.datetime, limit: int = 200
) -> list[UndeliveredMessage]:
    """Given-up messages and pending ones that failed or wait too long, newest first.

    Raises:
        ForbiddenError: ``who`` has no desk scope (crews).
    """
    params = {"m": who.municipality_id, "dept": scope_of(who), "stuck": now - STUCK_AFTER}
    sql = (
        "SELECT o.id, o.status, o.purpose, r.receipt_no, o.created_at, o.attempts, "
        "o.give_up_reason AS reason, o.first_error, o.first_error_at, o.last_error, "
        f"o.last_error_at, o.given_up_at, o.duplicate_risk {_SCOPE}"
        "AND (o.status = 'failed' OR (o.status = 'pending' AND (o.last_error IS NOT NULL "
        "OR o.created_at < :stuck))) ORDER BY o.id DESC LIMIT :limit"
    )
    with unit_of_work(session):
        rows = session.execute(text(sql), {**params, "limit": limit}).all()
    return [UndeliveredMessage(**row._asdict()) for row in rows]


def resend(session: Session, who: StaffIdentity, outbox_id: int, now: dt.datetime) -> None:
    """「再送」: put a given-up message back in the queue with a new give-up horizon.

    It keeps its retry key, so LINE still refuses a second copy of a push it once accepted.

    Raises:
        NotFoundError: no such failed message in ``who``'s scope.
        ForbiddenError: ``who`` has no desk scope.
    """
    params = {"m": who.municipality_id, "dept": scope_of(who), "id": outbox_id, "now": now}
    with unit_of_work(session):
        found = session.execute(
            text(
                "UPDATE outbox_message SET status = 'pending', next_attempt_at = :now, "
                "resent_at = :now, given_up_at = NULL, give_up_reason = NULL, reply_token = NULL, "
                "lease_owner = NULL WHERE municipality_id = :m AND id = :id AND status = 'failed' "
                "AND id IN (SELECT o.id " + _SCOPE + ")"
            ),
            params,
        )
        if not getattr(found, "rowcount", 0):
            raise NotFoundError("outbox_message_not_found", field="outbox_id")
    log.info("outbox %s resent by %s", outbox_id, who.username)


@dataclass(frozen=True)
class OutboxHealth:
    backlog: int
    oldest_pending_s: float
    given_up: int
    given_up_last_day: int
    channel: str  # ok | throttled | unavailable | auth

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def outbox_health(engine: Engine, municipality_id: int, now: dt.datetime) -> OutboxHealth:
    """Backlog, age of the oldest pending message, given-up counts and the channel's state."""
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*) FILTER (WHERE status = 'pending') AS backlog, "
                "min(created_at) FILTER (WHERE status = 'pending') AS oldest, "
                "count(*) FILTER (WHERE status = 'failed') AS given_up, "
                "count(*) FILTER (WHERE status = 'failed' AND given_up_at > :day) AS recent, "
                "(SELECT coalesce(pause_reason, 'ok') FROM line_channel WHERE municipality_id = "
                ":m AND (paused_until > :now OR fault_since IS NOT NULL)) AS channel "
                "FROM outbox_message WHERE municipality_id = :m "
                "AND status IN ('pending', 'failed')"
            ),
            {"m": municipality_id, "now": now, "day": now - dt.timedelta(days=1)},
        ).one()
    oldest = 0.0 if row.oldest is None else max(0.0, (now - row.oldest).total_seconds())
    return OutboxHealth(
        int(row.backlog), round(oldest, 1), int(row.given_up), int(row.recent), row.channel or "ok"
    )


def queue_apologies(
    engine: Engine, municipality_id: int, now: dt.datetime, build: ApologyBuilder, limit: int = 100
) -> int:
    """Queue one apology push per resident whose messages were given up; returns how many.

    Apologies that are themselves given up get none. The marking and the apologies commit
    together, in ``town_scope`` of ``municipality_id``.
    """
    with town_scope(municipality_id), Session(engine) as session, session.begin():
        rows = session.execute(
            text(
                "UPDATE outbox_message o SET apology_queued_at = :now FROM (SELECT id FROM "
                "outbox_message WHERE municipality_id = :m AND status = 'failed' AND "
                "apology_queued_at IS NULL AND purpose <> 'apology' ORDER BY id LIMIT :limit "
                "FOR UPDATE SKIP LOCKED) due WHERE o.municipality_id = :m AND o.id = due.id "
                "RETURNING o.id, o.to_line_user_id, o.resident_id, o.report_id"
            ),
            {"m": municipality_id, "now": now, "limit": limit},
        ).all()
        by_user: dict[str, list[Any]] = {}
        for row in rows:
            by_user.setdefault(row.to_line_user_id, []).append(row)
        for user, given_up in by_user.items():
            _apologise_to(session, municipality_id, user, given_up, build, now)
    if by_user:
        log.warning("queued %d apologies for given-up LINE messages", len(by_user))
    return len(by_user)


def _apologise_to(
    session: Session,
    municipality_id: int,
    user: str,
    given_up: list[Any],
    build: ApologyBuilder,
    now: dt.datetime,
) -> None:
    report_ids = sorted({r.report_id for r in given_up if r.report_id is not None})
    receipts = session.execute(
        text("SELECT receipt_no FROM report WHERE municipality_id = :m AND id = ANY(:ids)"),
        {"m": municipality_id, "ids": report_ids},
    ).scalars()
    key = f"giveup-apology:{min(r.id for r in given_up)}"
    resident_id = given_up[0].resident_id
    messages = build(sorted(receipts))
    enqueue(
        session, municipality_id, user, messages, "apology", resident_id, dedupe_key=key, now=now
    )
