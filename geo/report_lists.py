"""Staff-desk list and export queries over a ``ReportFilter`` (sorted, paged)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.report_queries import FROM_SQL, OVERDUE_SQL, ReportFilter, where_clause

# Sort keys offered to staff -> SQL; every order ends with the id so pages are stable.
SORTS = {
    "created_at": "r.created_at",
    "updated_at": "r.updated_at",
    "status": "r.status",
    "receipt_no": "r.receipt_no",
    "category": "c.name",
    "district": "d.name",
}
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class ReportRow:
    """One report as the list and the exports show it (no personal data)."""

    id: int
    receipt_no: str
    status: str
    kind: str
    category: str
    district: str | None
    channel: str
    created_at: dt.datetime
    updated_at: dt.datetime
    urgent: bool
    overdue: bool
    address: str | None
    description: str | None
    lon: float
    lat: float


@dataclass(frozen=True)
class ContactRow:
    """The reporter's personal data for one report (admin exports, the report's department).

    A bulky-waste booking's comes from its own ``booking_contact`` row (name, phone, address
    line, put-out place), every other report's from the resident's ``resident_contact``.
    """

    report_id: int
    name: str | None
    phone: str | None
    email: str | None
    address: str | None
    address_line: str | None = None
    put_out: str | None = None  # one of workflow.bookings.place.PUT_OUT_PLACES
    put_out_note: str | None = None


@dataclass(frozen=True)
class ReportPage:
    rows: list[ReportRow]
    total: int


_COLUMNS = (
    "r.id, r.receipt_no, r.status, r.kind, c.name AS category, d.name AS district, r.channel, "
    f"r.created_at, r.updated_at, r.urgent, {OVERDUE_SQL} AS overdue, r.address, "
    "r.description, ST_X(r.location) AS lon, ST_Y(r.location) AS lat"
)


def _order_by(sort: str, descending: bool) -> str:
    column = SORTS.get(sort, SORTS["created_at"])
    direction = "DESC" if descending else "ASC"
    return f"{column} {direction} NULLS LAST, r.id {direction}"


def _rows(session: Session, f: ReportFilter, tail: str, extra: dict[str, int]) -> list[ReportRow]:
    where, params = where_clause(f)
    sql = f"SELECT {_COLUMNS} {FROM_SQL} WHERE {where} {tail}"
    return [ReportRow(**row) for row in session.execute(text(sql), {**params, **extra}).mappings()]


def list_reports(
    session: Session, f: ReportFilter, sort: str, descending: bool, page: int, per_page: int
) -> ReportPage:
    """One page of matching reports.

    Args:
        session: open session (read only).
        f: the filter (scope included).
        sort: a key of ``SORTS``; unknown keys sort by ``created_at``.
        descending: newest / largest first.
        page: 1-based page number.
        per_page: rows per page.
    """
    where, params = where_clause(f)
    total = session.execute(text(f"SELECT count(*) {FROM_SQL} WHERE {where}"), params).scalar()
    tail = f"ORDER BY {_order_by(sort, descending)} LIMIT :limit OFFSET :offset"
    rows = _rows(session, f, tail, {"limit": per_page, "offset": (page - 1) * per_page})
    return ReportPage(rows, int(total or 0))


def export_reports(
    session: Session, f: ReportFilter, sort: str, descending: bool
) -> list[ReportRow]:
    """Every matching report (up to ``EXPORT_MAX_ROWS``), sorted, for CSV / GeoJSON export."""
    tail = f"ORDER BY {_order_by(sort, descending)} LIMIT :limit"
    return _rows(session, f, tail, {"limit": EXPORT_MAX_ROWS})


_CONTACTS_SQL = (
    "SELECT r.id AS report_id, "
    "CASE WHEN b.id IS NULL THEN rc.name ELSE bc.name END AS name, "
    "CASE WHEN b.id IS NULL THEN rc.phone ELSE bc.phone END AS phone, "
    "CASE WHEN b.id IS NULL THEN rc.email END AS email, "
    "CASE WHEN b.id IS NULL THEN rc.address END AS address, "
    "bc.address_line, bc.put_out, bc.put_out_note FROM report r "
    "LEFT JOIN booking b ON b.municipality_id = r.municipality_id AND b.report_id = r.id "
    "LEFT JOIN booking_contact bc ON bc.municipality_id = b.municipality_id "
    "AND bc.booking_id = b.id "
    "LEFT JOIN resident_contact rc ON rc.municipality_id = r.municipality_id "
    "AND rc.resident_id = r.resident_id "
    "WHERE r.municipality_id = :m AND r.id = ANY(:ids) "
    "AND (CASE WHEN b.id IS NULL THEN rc.resident_id ELSE bc.booking_id END) IS NOT NULL"
)


def contacts_for(
    session: Session, municipality_id: int, report_ids: list[int]
) -> dict[int, ContactRow]:
    """Reporter contact data by report id (only reports with contact data).

    A booking's report answers its booking's own contact (never the resident's, which a later
    booking or report may have changed); other reports the resident's.
    """
    if not report_ids:
        return {}
    rows = session.execute(
        text(_CONTACTS_SQL), {"m": municipality_id, "ids": report_ids}
    ).mappings()
    return {int(row["report_id"]): ContactRow(**row) for row in rows}
