"""Pickup reminders through the outbox: the evening before (18:00) and the morning of (07:00).

Called from the worker loop with the current time. Each reminder has a dedupe key
``reminder:<booking_id>:eve`` / ``:morning`` and is inserted with ``ON CONFLICT DO NOTHING``
on the unique ``(municipality_id, dedupe_key)``, so a repeated loop or two workers racing
queue it once. A reminder is only queued inside its window (a worker that was down at 18:00
still sends the evening one at 21:00, but never after midnight; the morning one stops at
08:30, the put-out deadline, when it no longer helps).

A booking's date can only change before its cut-off (two working days ahead), before either
reminder can be due, so the booking id alone identifies the reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from geo.models import OutboxMessage
from workflow.bookings.fees import tickets_for_points
from workflow.clock import TOKYO
from workflow.db import session_scope, town_scope
from workflow.texts.resident import booking as texts

YEN_PER_POINT = 100
Builder = Callable[[texts.ReminderFacts], list[dict[str, Any]]]


@dataclass(frozen=True)
class ReminderKind:
    """When a reminder is due: from ``start`` until ``end`` (local times), ``days_before``."""

    suffix: str
    days_before: int
    start: dt.time
    end: dt.time | None  # None: until midnight
    build: Builder


KINDS = (
    ReminderKind("eve", 1, dt.time(18, 0), None, texts.eve_reminder),
    ReminderKind("morning", 0, dt.time(7, 0), dt.time(8, 30), texts.morning_reminder),
)

_DUE = text(
    "SELECT b.id, b.report_id, b.resident_id, b.service_date, b.fee_total_yen, r.receipt_no, "
    "p.line_user_id FROM booking b "
    "JOIN report r ON r.municipality_id = b.municipality_id AND r.id = b.report_id "
    "JOIN resident p ON p.municipality_id = b.municipality_id AND p.id = b.resident_id "
    "WHERE b.municipality_id = :m AND b.service_date = :d AND b.status = 'booked' "
    "AND p.line_user_id IS NOT NULL AND p.following "
    "AND NOT EXISTS (SELECT 1 FROM outbox_message o WHERE o.municipality_id = b.municipality_id "
    "AND o.dedupe_key = 'reminder:' || b.id || ':' || :suffix) ORDER BY b.id"
)
_ITEMS = text(
    "SELECT i.booking_id, t.name, i.quantity FROM booking_item i JOIN bulky_item t "
    "ON t.municipality_id = i.municipality_id AND t.id = i.item_id "
    "WHERE i.municipality_id = :m AND i.booking_id = ANY(:ids) ORDER BY i.id"
)


def _is_due(kind: ReminderKind, local: dt.datetime) -> bool:
    now_time = local.time()
    return now_time >= kind.start and (kind.end is None or now_time < kind.end)


def _items_by_booking(
    session: Session, municipality_id: int, ids: list[int]
) -> dict[int, list[tuple[str, int]]]:
    items: dict[int, list[tuple[str, int]]] = {i: [] for i in ids}
    for row in session.execute(_ITEMS, {"m": municipality_id, "ids": ids}):
        items[int(row.booking_id)].append((str(row.name), int(row.quantity)))
    return items


def _queue_kind(
    session: Session, municipality_id: int, kind: ReminderKind, service_date: dt.date
) -> int:
    due = session.execute(
        _DUE, {"m": municipality_id, "d": service_date, "suffix": kind.suffix}
    ).all()
    if not due:
        return 0
    items = _items_by_booking(session, municipality_id, [int(r.id) for r in due])
    queued = 0
    for row in due:
        facts = texts.ReminderFacts(
            row.receipt_no,
            row.service_date,
            items[int(row.id)],
            int(row.fee_total_yen),
            tickets_for_points(int(row.fee_total_yen) // YEN_PER_POINT),
        )
        statement = (
            insert(OutboxMessage)
            .values(
                municipality_id=municipality_id,
                to_line_user_id=row.line_user_id,
                messages=kind.build(facts),
                purpose="reminder",
                resident_id=row.resident_id,
                report_id=row.report_id,
                dedupe_key=f"reminder:{row.id}:{kind.suffix}",
            )
            .on_conflict_do_nothing(index_elements=["municipality_id", "dedupe_key"])
            .returning(OutboxMessage.id)
        )
        queued += session.execute(statement).first() is not None
    return queued


def enqueue_due_reminders(session: Session, municipality_id: int, now: dt.datetime) -> int:
    """Queue every reminder due at ``now`` that is not queued yet; returns how many were added.

    Only bookings still ``booked`` whose resident has a LINE user id (and still follows the
    account) get reminders.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        now: current time (aware); compared in Asia/Tokyo.
    """
    local = now.astimezone(TOKYO)
    return sum(
        _queue_kind(
            session, municipality_id, kind, local.date() + dt.timedelta(days=kind.days_before)
        )
        for kind in KINDS
        if _is_due(kind, local)
    )


def queue_reminders(engine: Engine, municipality_id: int, now: dt.datetime) -> int:
    """Run :func:`enqueue_due_reminders` in its own short transaction (the worker's step).

    The transaction runs in ``town_scope`` of ``municipality_id``.
    """
    with town_scope(municipality_id), session_scope(engine) as session:
        return enqueue_due_reminders(session, municipality_id, now)
