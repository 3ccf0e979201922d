"""A day's plan moves its bookings: routed -> 作業中 (the resident told once), dropped -> 受付.

Planning changes statuses in bulk (500 stops in one statement), so it does not go through
``workflow.reports.transitions.transition`` one report at a time; it writes the same audit rows and
queues the same kind of notice, in the plan's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.models import StatusHistory
from workflow.line.outbox import enqueue
from workflow.reports.transitions import NoticeBuilder
from workflow.texts.staff import DROPPED_NOTE, ROUTED_NOTE

ACTOR = "system:planning"

_MOVE = (
    "UPDATE report r SET status = :to, updated_at = now() FROM booking b "
    "WHERE b.municipality_id = :m AND b.id = ANY(:ids) AND r.municipality_id = :m "
    "AND r.id = b.report_id AND r.status = :from RETURNING r.id"
)
_ROUTED = (
    "SELECT s.booking_id FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id "
    "AND r.id = s.route_id JOIN route_plan p ON p.municipality_id = r.municipality_id "
    "AND p.id = r.plan_id WHERE p.municipality_id = :m AND p.service_date = :d "
    "AND s.booking_id IS NOT NULL"
)
_RECIPIENTS = (
    "SELECT r.id, r.receipt_no, c.name AS category, p.id AS resident_id, p.line_user_id "
    "FROM report r JOIN category c ON c.municipality_id = r.municipality_id "
    "AND c.id = r.category_id JOIN resident p ON p.municipality_id = r.municipality_id "
    "AND p.id = r.resident_id WHERE r.municipality_id = :m AND r.id = ANY(:ids) "
    "AND p.following AND p.line_user_id IS NOT NULL ORDER BY r.id"
)


def routed_booking_ids(session: Session, mid: int, day: dt.date) -> frozenset[int]:
    """Bookings on the day's current plan; read before the plan is replaced.

    Args:
        session: open session.
        mid: municipality id.
        day: service date (Asia/Tokyo).
    """
    rows = session.execute(text(_ROUTED), {"m": mid, "d": day}).scalars()
    return frozenset(int(b) for b in rows)


def follow_plan(
    session: Session,
    mid: int,
    routed: Collection[int],
    previously_routed: Collection[int],
    notice: NoticeBuilder | None = None,
) -> None:
    """Move bookings' reports after a (re)plan, in the caller's transaction.

    Routed bookings still 受付 become 作業中 and their LINE residents get ``notice`` once per
    report, however often the day is re-planned. Bookings the previous plan routed that the new
    one leaves out go back to 受付 (staff must act on them; the resident is not told twice).

    Args:
        session: open session; the caller commits.
        mid: municipality id.
        routed: booking ids the new plan routes.
        previously_routed: booking ids the replaced plan routed.
        notice: builds the 作業中 push; None sends nothing.
    """
    moved = _move(session, mid, routed, "received", "in_progress", ROUTED_NOTE)
    dropped = set(previously_routed) - set(routed)
    _move(session, mid, dropped, "in_progress", "received", DROPPED_NOTE)
    if notice is not None and moved:
        _notify(session, mid, moved, notice)


def _move(
    session: Session, mid: int, booking_ids: Collection[int], old: str, new: str, note: str
) -> list[int]:
    if not booking_ids:
        return []
    params = {"m": mid, "ids": list(booking_ids), "from": old, "to": new}
    moved = [int(r) for r in session.execute(text(_MOVE), params).scalars()]
    session.add_all(
        StatusHistory(
            municipality_id=mid,
            report_id=rid,
            from_status=old,
            to_status=new,
            actor=ACTOR,
            note=note,
        )
        for rid in moved
    )
    return moved


def _notify(session: Session, mid: int, report_ids: list[int], notice: NoticeBuilder) -> None:
    for row in session.execute(text(_RECIPIENTS), {"m": mid, "ids": report_ids}).all():
        enqueue(
            session,
            mid,
            row.line_user_id,
            list(notice(row.receipt_no, row.category, "in_progress", None)),
            purpose="status_change",
            resident_id=row.resident_id,
            report_id=row.id,
            dedupe_key=f"planned:{row.id}",
        )
