"""One report in full for the staff desk: photos, status history, follow-up thread, contact."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.report_lists import ContactRow, ReportRow, contacts_for
from geo.report_queries import FROM_SQL, OVERDUE_SQL


@dataclass(frozen=True)
class PhotoItem:
    id: int
    status: str  # pending | stored | failed
    width: int | None
    height: int | None


@dataclass(frozen=True)
class HistoryItem:
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    changed_at: dt.datetime


@dataclass(frozen=True)
class MessageItem:
    direction: str  # to_resident | from_resident
    body: str
    staff_name: str | None
    created_at: dt.datetime


@dataclass(frozen=True)
class ReportDetail:
    report: ReportRow
    department_id: int
    department: str
    category_code: str
    notifiable: bool  # the reporter follows the LINE account: status changes reach them
    photos: list[PhotoItem]
    history: list[HistoryItem]
    messages: list[MessageItem]
    contact: ContactRow | None


_REPORT_SQL = (
    "SELECT r.id, r.receipt_no, r.status, r.kind, c.name AS category, d.name AS district, "
    f"r.channel, r.created_at, r.updated_at, r.urgent, {OVERDUE_SQL} AS overdue, r.address, "
    "r.description, ST_X(r.location) AS lon, ST_Y(r.location) AS lat, "
    "r.department_id, dep.name AS department, c.code AS category_code, "
    "coalesce(res.following AND res.line_user_id IS NOT NULL, false) AS notifiable "
    f"{FROM_SQL} JOIN department dep ON dep.municipality_id = r.municipality_id "
    "AND dep.id = r.department_id LEFT JOIN resident res ON res.municipality_id = "
    "r.municipality_id AND res.id = r.resident_id WHERE r.municipality_id = :m AND r.id = :id"
)
_REPORT_KEYS = set(ReportRow.__dataclass_fields__)


def report_department(session: Session, municipality_id: int, report_id: int) -> int | None:
    """The department a report belongs to, or None when there is no such report."""
    value = session.execute(
        text("SELECT department_id FROM report WHERE municipality_id = :m AND id = :id"),
        {"m": municipality_id, "id": report_id},
    ).scalar()
    return None if value is None else int(value)


def _photos(session: Session, mid: int, report_id: int) -> list[PhotoItem]:
    rows = session.execute(
        text(
            "SELECT id, status, width, height FROM photo WHERE municipality_id = :m "
            "AND report_id = :id AND NOT for_resident ORDER BY id"
        ),
        {"m": mid, "id": report_id},
    ).mappings()
    return [PhotoItem(**row) for row in rows]


def _history(session: Session, mid: int, report_id: int) -> list[HistoryItem]:
    rows = session.execute(
        text(
            "SELECT from_status, to_status, actor, note, changed_at FROM status_history "
            "WHERE municipality_id = :m AND report_id = :id ORDER BY changed_at, id"
        ),
        {"m": mid, "id": report_id},
    ).mappings()
    return [HistoryItem(**row) for row in rows]


def _messages(session: Session, mid: int, report_id: int) -> list[MessageItem]:
    rows = session.execute(
        text(
            "SELECT m.direction, m.body, s.display_name AS staff_name, m.created_at "
            "FROM report_message m LEFT JOIN staff_user s ON s.municipality_id = "
            "m.municipality_id AND s.id = m.staff_user_id WHERE m.municipality_id = :m "
            "AND m.report_id = :id ORDER BY m.created_at, m.id"
        ),
        {"m": mid, "id": report_id},
    ).mappings()
    return [MessageItem(**row) for row in rows]


def load_report_detail(
    session: Session, municipality_id: int, report_id: int, with_contact: bool, now: dt.datetime
) -> ReportDetail | None:
    """A report with its photos, history and thread, or None when it does not exist.

    Args:
        session: open session (read only).
        municipality_id: tenant.
        report_id: the report.
        with_contact: include the reporter's personal data (the caller decided they may see it).
        now: the time "overdue" is judged at (aware).
    """
    row = session.execute(
        text(_REPORT_SQL), {"m": municipality_id, "id": report_id, "now": now}
    ).mappings()
    found = row.first()
    if found is None:
        return None
    contact = (
        contacts_for(session, municipality_id, [report_id]).get(report_id) if with_contact else None
    )
    return ReportDetail(
        report=ReportRow(**{k: v for k, v in found.items() if k in _REPORT_KEYS}),
        department_id=int(found["department_id"]),
        department=str(found["department"]),
        category_code=str(found["category_code"]),
        notifiable=bool(found["notifiable"]),
        photos=_photos(session, municipality_id, report_id),
        history=_history(session, municipality_id, report_id),
        messages=_messages(session, municipality_id, report_id),
        contact=contact,
    )


def photo_files(
    session: Session, municipality_id: int, photo_id: int
) -> tuple[int, str | None, str | None] | None:
    """(department id of its report, stored path, thumbnail path) of a photo, or None.

    Paths are relative to the media directory.
    """
    row = session.execute(
        text(
            "SELECT r.department_id, p.storage_path, p.thumb_path FROM photo p JOIN report r "
            "ON r.municipality_id = p.municipality_id AND r.id = p.report_id "
            "WHERE p.municipality_id = :m AND p.id = :id AND p.status = 'stored'"
        ),
        {"m": municipality_id, "id": photo_id},
    ).first()
    if row is None:
        return None
    return int(row.department_id), row.storage_path, row.thumb_path
