"""The staff desk's report list and its exports; personal data only for admins.

The exports' personal-data rule lives here, not in the web layer: a clerk's CSV or GeoJSON
never carries the reporters' names, phone numbers, e-mail or addresses; an administrator's
does (they answer disclosure requests). The rows themselves carry no personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from geo.report_lists import (
    SORTS,
    ContactRow,
    ReportPage,
    ReportRow,
    contacts_for,
    export_reports,
    list_reports,
)
from geo.report_queries import ReportFilter
from workflow.desk.auth import StaffIdentity

__all__ = [
    "SORTS",
    "ContactRow",
    "ReportExport",
    "ReportPage",
    "ReportRow",
    "export_for",
    "may_export_contacts",
    "list_report_page",
]


@dataclass(frozen=True)
class ReportExport:
    """The rows of an export, and the reporters' contacts when the asker may have them."""

    rows: list[ReportRow]
    contacts: dict[int, ContactRow] | None  # None: personal data left out


def may_export_contacts(who: StaffIdentity) -> bool:
    """Only administrators export the reporters' personal data."""
    return who.is_admin


def list_report_page(
    session: Session, f: ReportFilter, sort: str, descending: bool, page: int, per_page: int
) -> ReportPage:
    """One page of the reports matching ``f`` (built by ``scoped_filter``).

    Args:
        session: open session (read only).
        f: the filter, scope included.
        sort: a key of ``SORTS``; unknown keys sort by ``created_at``.
        descending: newest / largest first.
        page: 1-based page number.
        per_page: rows per page.
    """
    return list_reports(session, f, sort, descending, page, per_page)


def export_for(session: Session, who: StaffIdentity, f: ReportFilter, sort: str) -> ReportExport:
    """Every report matching ``f`` (newest first by ``sort``), with contacts for admins only.

    Args:
        session: open session (read only).
        who: the staff member exporting; decides whether personal data is included.
        f: the filter, scope included (``scoped_filter``).
        sort: a key of ``SORTS``.
    """
    rows = export_reports(session, f, sort, True)
    if not may_export_contacts(who):
        return ReportExport(rows, None)
    return ReportExport(rows, contacts_for(session, who.municipality_id, [r.id for r in rows]))
