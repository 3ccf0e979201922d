"""Crew outcomes of route stops (収集済 / 出ていない / その他), recorded once per stop.

One use case = one transaction. Locks are taken in one order everywhere (plan row, then stop
rows by id, then the booking, then the report) so the crew's phones, a clerk recording a
returned paper sheet and a re-plan never deadlock, and a retried or double submission finds
the stop already recorded and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geo.models import Booking, Report, Resident, Route, RoutePlan, RouteStop
from workflow.clock import now_tokyo
from workflow.db import session_scope
from workflow.errors import InvalidInputError, NotFoundError
from workflow.line.outbox import enqueue
from workflow.reports.images import CleanImage
from workflow.reports.photo_store import add_stored_photo
from workflow.reports.transitions import Actor, NoticeBuilder, transition
from workflow.texts.staff import NOT_OUT_NOTE

OUTCOMES = ("collected", "not_out", "other")
MAX_NOTE_CHARS = 500

# (receipt_no, service_date, phone to call) -> LINE message objects
NotOutNotice = Callable[[str, dt.date, str], Sequence[dict[str, Any]]]


class StopNotFoundError(NotFoundError):
    kind = "stop_not_found"


@dataclass(frozen=True)
class OutcomeNotices:
    """LINE messages for residents: 完了 (a status notice) and 出ていない (rebooking advice)."""

    collected: NoticeBuilder | None
    not_out: NotOutNotice | None


@dataclass(frozen=True)
class StopOutcome:
    """One stop's outcome as the crew marked it; ``note`` is required for ``other``."""

    stop_id: int
    outcome: str
    note: str | None = None


@dataclass(frozen=True)
class RecordResult:
    stop_id: int
    outcome: str
    note: str | None
    completed_at: dt.datetime
    newly_recorded: bool  # False: it was already recorded, nothing changed


_CONTEXT = text(
    "SELECT s.id AS stop_id, s.kind, r.id AS route_id, p.id AS plan_id, p.service_date "
    "FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id AND r.id = s.route_id "
    "JOIN route_plan p ON p.municipality_id = r.municipality_id AND p.id = r.plan_id "
    "WHERE s.municipality_id = :m AND s.id = ANY(:ids)"
)
_PHONE = text(
    "SELECT coalesce(d.phone, m.phone) FROM report r JOIN municipality m ON m.id = "
    "r.municipality_id LEFT JOIN department d ON d.municipality_id = r.municipality_id "
    "AND d.id = r.department_id WHERE r.municipality_id = :m AND r.id = :r"
)


def check_outcome(entry: StopOutcome) -> StopOutcome:
    """Validate and normalise an outcome (note trimmed, empty note -> None).

    Raises:
        InvalidInputError: unknown outcome, note too long, or ``other`` without a note.
    """
    if entry.outcome not in OUTCOMES:
        raise InvalidInputError("outcome_missing", field="outcome")
    note = (entry.note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE_CHARS:
        raise InvalidInputError("crew_note_too_long", field="note", max=MAX_NOTE_CHARS)
    if entry.outcome == "other" and note is None:
        raise InvalidInputError("crew_note_required", field="note")
    return StopOutcome(entry.stop_id, entry.outcome, note)


def _lock_plan(
    session: Session, mid: int, stop_ids: Sequence[int]
) -> tuple[RoutePlan, dict[int, Any]]:
    rows = {r.stop_id: r for r in session.execute(_CONTEXT, {"m": mid, "ids": list(stop_ids)})}
    missing = [i for i in stop_ids if i not in rows or rows[i].kind != "pickup"]
    plan_ids = {r.plan_id for r in rows.values()}
    if missing or len(plan_ids) != 1:
        raise StopNotFoundError("stop_not_found", field="stop")
    plan = session.scalars(
        select(RoutePlan)
        .where(RoutePlan.municipality_id == mid, RoutePlan.id == plan_ids.pop())
        .with_for_update()
    ).first()
    if plan is None:  # re-planned between our read and the lock
        raise StopNotFoundError("stop_not_found", field="stop")
    return plan, rows


def _start(session: Session, mid: int, plan: RoutePlan, route_id: int, now: dt.datetime) -> None:
    plan.status = "locked"  # re-planning now refuses this day
    route = session.get_one(Route, (mid, route_id))
    if route.started_at is None:
        route.started_at = now


def _not_out_push(
    session: Session, mid: int, report: Report, day: dt.date, notices: OutcomeNotices
) -> None:
    if notices.not_out is None or report.resident_id is None:
        return
    resident = session.get(Resident, (mid, report.resident_id))
    if resident is None or not resident.line_user_id or not resident.following:
        return
    phone = str(session.execute(_PHONE, {"m": mid, "r": report.id}).scalar_one())
    enqueue(
        session,
        mid,
        resident.line_user_id,
        list(notices.not_out(report.receipt_no, day, phone)),
        purpose="not_out",
        resident_id=resident.id,
        report_id=report.id,
        dedupe_key=f"not_out:{report.id}",
    )


def _apply_to_booking(
    session: Session,
    mid: int,
    booking_id: int,
    entry: StopOutcome,
    actor: Actor,
    notices: OutcomeNotices,
    day: dt.date,
) -> int:
    booking = session.scalars(
        select(Booking)
        .where(Booking.municipality_id == mid, Booking.id == booking_id)
        .with_for_update()
    ).one()
    if entry.outcome == "other" or booking.status != "booked":
        return booking.report_id  # cancelled meanwhile, or staff decide what "other" means
    booking.status = entry.outcome
    report = session.get_one(Report, (mid, booking.report_id))
    if entry.outcome == "collected" and report.status in ("received", "in_progress"):
        # The crew's note stays on the stop: it is for staff, not pushed to the resident.
        transition(session, mid, report.id, "done", actor, None, notices.collected)
    elif entry.outcome == "not_out":
        if report.status == "in_progress":  # back on the desk: residents without LINE get a call
            transition(session, mid, report.id, "received", actor, NOT_OUT_NOTE)
        _not_out_push(session, mid, report, day, notices)
    return booking.report_id


def _record_one(
    session: Session,
    mid: int,
    plan: RoutePlan,
    context: Any,
    entry: StopOutcome,
    actor: Actor,
    notices: OutcomeNotices,
    now: dt.datetime,
) -> tuple[RecordResult, int | None]:
    stop = session.scalars(
        select(RouteStop)
        .where(RouteStop.municipality_id == mid, RouteStop.id == entry.stop_id)
        .with_for_update()
    ).one()
    if stop.outcome is not None:
        recorded = RecordResult(
            stop.id, stop.outcome, stop.outcome_note, stop.completed_at or now, False
        )
        return recorded, None
    stop.outcome, stop.outcome_note, stop.completed_at = entry.outcome, entry.note, now
    _start(session, mid, plan, context.route_id, now)
    report_id = None
    if stop.booking_id is not None:
        report_id = _apply_to_booking(
            session, mid, stop.booking_id, entry, actor, notices, context.service_date
        )
    return RecordResult(stop.id, entry.outcome, entry.note, now, True), report_id


def record_outcomes(
    engine: Engine,
    mid: int,
    entries: Sequence[StopOutcome],
    actor: Actor,
    notices: OutcomeNotices,
    photo: CleanImage | None = None,
    media_dir: Path | None = None,
    now: dt.datetime | None = None,
) -> list[RecordResult]:
    """Record crew outcomes of stops of one plan, in one transaction; each stop only once.

    收集済 -> booking collected, report 完了 (resident notified); 出ていない -> booking not_out,
    report back to 受付 for the desk, the resident gets rebooking advice; その他 -> only the
    stop (with its note) changes, for staff to decide. The first outcome locks the plan
    (re-planning refuses it) and stamps the route's ``started_at``. A stop that already has
    an outcome is left as it is (``newly_recorded`` False), so retries push nothing twice.

    Args:
        engine: database engine (one session and transaction is opened here).
        mid: municipality id.
        entries: outcomes; every stop must be a pickup of the same plan.
        actor: who records (audit label; department scope for report changes).
        notices: LINE message builders for the resident.
        photo: cleaned photo for the first entry's report (stored only when newly recorded).
        media_dir: where photos are stored (required with ``photo``).
        now: time of recording (aware).

    Raises:
        StopNotFoundError: a stop is unknown, not a pickup, or of another plan.
        InvalidInputError: an outcome is invalid (see ``check_outcome``).
    """
    now = now or now_tokyo()
    checked = [check_outcome(e) for e in entries]
    if not checked:
        return []
    with session_scope(engine) as session:
        plan, contexts = _lock_plan(session, mid, [e.stop_id for e in checked])
        results = []
        for entry in sorted(checked, key=lambda e: e.stop_id):
            result, report_id = _record_one(
                session, mid, plan, contexts[entry.stop_id], entry, actor, notices, now
            )
            if photo is not None and media_dir is not None and report_id is not None:
                add_stored_photo(session, mid, report_id, photo, media_dir, "crew")
                photo = None
            results.append(result)
    return results
