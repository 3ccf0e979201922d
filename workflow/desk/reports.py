"""Staff desk use cases: see a report, change its status, open its photos — department-scoped.

Department staff act on their own department's reports only; admins on every report of the
municipality; crews not at all (the web layer refuses them before they get here).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from geo.report_detail import ReportDetail as ReportDetail  # re-exported for the web layer
from geo.report_detail import load_report_detail, photo_files, report_department
from workflow.clock import now_tokyo
from workflow.db import unit_of_work
from workflow.desk.auth import StaffIdentity
from workflow.errors import ForbiddenError, NotFoundError
from workflow.reports.transitions import ALLOWED, Actor, NoticeBuilder, transition


@dataclass(frozen=True)
class StatusChange:
    report_id: int
    status: str
    allowed: tuple[str, ...]  # where it may go next


def scope_of(who: StaffIdentity) -> int | None:
    """The department a staff member is limited to; None for admins (every department).

    Raises:
        ForbiddenError: crews and staff without a department have no desk scope.
    """
    if who.role == "admin":
        return None
    if who.role != "staff" or who.department_id is None:
        raise ForbiddenError("staff_only")
    return who.department_id


def actor_of(who: StaffIdentity) -> Actor:
    """The audit-trail actor for a staff member, limited to their department."""
    return Actor(f"staff:{who.username}", staff_user_id=who.id, department_id=scope_of(who))


def check_report_scope(session: Session, who: StaffIdentity, report_id: int) -> None:
    """Make sure ``who`` may see report ``report_id``.

    Raises:
        NotFoundError: no such report.
        ForbiddenError: it belongs to another department.
    """
    scope = scope_of(who)
    department = report_department(session, who.municipality_id, report_id)
    if department is None:
        raise NotFoundError("report_not_found", field="id")
    if scope is not None and department != scope:
        raise ForbiddenError("report_other_department", field="id")


def view_report(session: Session, who: StaffIdentity, report_id: int) -> ReportDetail:
    """A report in full, with the reporter's contact (own department or admin only).

    Raises:
        NotFoundError: no such report.
        ForbiddenError: it belongs to another department.
    """
    check_report_scope(session, who, report_id)
    now = now_tokyo()
    detail = load_report_detail(session, who.municipality_id, report_id, True, now)
    if detail is None:
        raise NotFoundError("report_not_found", field="id")
    return detail


def change_status(
    session: Session,
    who: StaffIdentity,
    report_id: int,
    to_status: str,
    note: str | None,
    notice: NoticeBuilder | None,
) -> StatusChange:
    """Change a report's status: status, audit row and LINE notice in ONE transaction.

    Args:
        session: a session with no writes pending; committed here.
        who: the staff member acting (department-scoped).
        report_id: the report.
        to_status: the new status.
        note: for the audit trail and the resident.
        notice: builds the resident's LINE messages.

    Raises:
        NotFoundError, ForbiddenError, TransitionError: see ``transitions.transition``.
    """
    clean_note = (note or "").strip() or None
    with unit_of_work(session):
        report = transition(
            session,
            who.municipality_id,
            report_id,
            to_status,
            actor_of(who),
            note=clean_note,
            notice=notice,
            now=now_tokyo(),
        )
        status = report.status
    return StatusChange(report_id, status, ALLOWED.get(status, ()))


def photo_path(
    session: Session, who: StaffIdentity, photo_id: int, media_dir: Path, thumb: bool
) -> Path:
    """The stored file of a photo (or its thumbnail) that ``who`` may see.

    Raises:
        NotFoundError: no such stored photo, or its file is missing.
        ForbiddenError: the photo belongs to another department's report.
    """
    found = photo_files(session, who.municipality_id, photo_id)
    if found is None:
        raise NotFoundError("photo_not_found", field="photo_id")
    department, stored, thumbnail = found
    scope = scope_of(who)
    if scope is not None and department != scope:
        raise ForbiddenError("report_other_department", field="photo_id")
    relative = thumbnail if thumb and thumbnail else stored
    root = media_dir.resolve()
    path = (root / relative).resolve() if relative else root
    if not relative or not path.is_relative_to(root) or not path.is_file():
        raise NotFoundError("photo_file_missing", field="photo_id")
    return path
