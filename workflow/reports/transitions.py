"""Status changes: status, audit row and the resident's notice commit in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.models import Category, Report, Resident, StatusHistory
from workflow.clock import now_tokyo
from workflow.errors import ForbiddenError, NotFoundError, TransitionError
from workflow.line.outbox import enqueue

ALLOWED: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "done", "rejected", "duplicate"),
    "in_progress": ("done", "rejected", "received"),
    "done": ("in_progress",),
    "rejected": ("received",),
    "duplicate": ("received",),
}
CLOSED = frozenset({"done", "rejected", "duplicate"})

# (receipt_no, category name, new status, note for the resident) -> LINE message objects
NoticeBuilder = Callable[[str, str, str, str | None], Sequence[dict[str, Any]]]


@dataclass(frozen=True)
class Actor:
    """Who changes a status: a label for the audit trail and the scope they may act in."""

    label: str  # "staff:doro", "crew:crew1", "system:planning"
    staff_user_id: int | None = None
    department_id: int | None = None  # None: every department (admin, system)


def _load(session: Session, mid: int, report_id: int, actor: Actor) -> Report:
    report = session.scalars(
        select(Report)
        .where(Report.municipality_id == mid, Report.id == report_id)
        .with_for_update()
    ).first()
    if report is None:
        raise NotFoundError("report_not_found", field="id")
    if actor.department_id is not None and report.department_id != actor.department_id:
        raise ForbiddenError("report_change_other_department", field="id")
    return report


def _notify(
    session: Session, report: Report, status: str, note: str | None, notice: NoticeBuilder | None
) -> None:
    if notice is None or report.resident_id is None:
        return
    resident = session.get(Resident, (report.municipality_id, report.resident_id))
    if resident is None or not resident.line_user_id or not resident.following:
        return
    category = session.get_one(Category, (report.municipality_id, report.category_id))
    messages = list(notice(report.receipt_no, category.name, status, note))
    enqueue(
        session,
        report.municipality_id,
        resident.line_user_id,
        messages,
        purpose="status_change",
        resident_id=resident.id,
        report_id=report.id,
    )


def transition(
    session: Session,
    mid: int,
    report_id: int,
    to_status: str,
    actor: Actor,
    note: str | None = None,
    notice: NoticeBuilder | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Change a report's status in the caller's transaction, audit it, queue the notice.

    Args:
        session: open session; the caller commits once for all three writes.
        mid: municipality id.
        report_id: the report.
        to_status: received, in_progress, done, rejected or duplicate.
        actor: who acts, and the department they are limited to.
        note: shown in the audit trail and sent to the resident.
        notice: builds the LINE messages; None sends nothing.
        now: time of the change (aware).

    Raises:
        NotFoundError: no such report.
        ForbiddenError: the report belongs to another department.
        TransitionError: the change is not allowed from the current status.
    """
    now = now or now_tokyo()
    report = _load(session, mid, report_id, actor)
    allowed = ALLOWED.get(report.status, ())
    if to_status not in allowed:
        raise TransitionError(
            "transition_not_allowed", allowed, from_status=report.status, to_status=to_status
        )
    _audit(session, report, to_status, actor, note, now)
    report.status, report.updated_at = to_status, now
    report.closed_at = now if to_status in CLOSED else None
    _notify(session, report, to_status, note, notice)
    session.flush()
    return report


def _audit(
    session: Session,
    report: Report,
    to_status: str,
    actor: Actor,
    note: str | None,
    now: dt.datetime,
) -> None:
    session.add(
        StatusHistory(
            municipality_id=report.municipality_id,
            report_id=report.id,
            from_status=report.status,
            to_status=to_status,
            staff_user_id=actor.staff_user_id,
            actor=actor.label,
            note=note,
            changed_at=now,
        )
    )
