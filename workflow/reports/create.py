"""Reports: creation with district lookup and receipt number."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.areas_db import AreaRef, find_district, is_inside_municipality
from geo.convert import point_ewkt
from geo.models import Category, Municipality, Report, StatusHistory
from workflow.clock import TOKYO, now_tokyo
from workflow.errors import InvalidInputError, NotFoundError, OutsideAreaError
from workflow.reports.receipts import next_receipt_no

MAX_DESCRIPTION_CHARS = 2000  # every channel: LINE, the web form, the phone desk


@dataclass(frozen=True)
class ReportDraft:
    """What a resident (or staff on their behalf) submits. lon/lat in EPSG:4326."""

    category_code: str
    lon: float
    lat: float
    channel: str
    description: str | None = None
    address: str | None = None
    urgent: bool = False
    resident_id: int | None = None


def get_category(session: Session, municipality_id: int, code: str) -> Category:
    """The active category with ``code``.

    Raises:
        NotFoundError: no such active category.
    """
    category = session.scalars(
        select(Category).where(
            Category.municipality_id == municipality_id,
            Category.code == code,
            Category.active.is_(True),
        )
    ).first()
    if category is None:
        raise NotFoundError("category_not_accepted", field="category")
    return category


def create_report(
    session: Session, municipality_id: int, draft: ReportDraft, now: dt.datetime | None = None
) -> Report:
    """Create a report inside the caller's transaction: check place, find district, number it.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        draft: the submitted values.
        now: creation time (aware); defaults to the current time.

    Raises:
        OutsideAreaError: the point is outside the municipality.
        NotFoundError: unknown category.
        InvalidInputError: description too long.
    """
    now = now or now_tokyo()
    if draft.description and len(draft.description) > MAX_DESCRIPTION_CHARS:
        raise InvalidInputError(
            "description_too_long", field="description", max_chars=MAX_DESCRIPTION_CHARS
        )
    category = get_category(session, municipality_id, draft.category_code)
    _check_inside(session, municipality_id, draft)
    district = find_district(session, municipality_id, draft.lon, draft.lat)
    receipt_no = next_receipt_no(
        session, municipality_id, category.kind, now.astimezone(TOKYO).year
    )
    report = _new_report(municipality_id, draft, category, district, receipt_no, now)
    session.add(report)
    session.flush()
    session.add(
        StatusHistory(
            municipality_id=municipality_id,
            report_id=report.id,
            from_status=None,
            to_status="received",
            actor=f"resident:{draft.channel}",
            changed_at=now,
        )
    )
    return report


def _check_inside(session: Session, municipality_id: int, draft: ReportDraft) -> None:
    if not is_inside_municipality(session, municipality_id, draft.lon, draft.lat):
        town = session.get_one(Municipality, municipality_id)
        raise OutsideAreaError(
            "outside_municipality", field="location", town=town.name, phone=town.phone
        )


def _new_report(
    municipality_id: int,
    draft: ReportDraft,
    category: Category,
    district: AreaRef | None,
    receipt_no: str,
    now: dt.datetime,
) -> Report:
    return Report(
        municipality_id=municipality_id,
        receipt_no=receipt_no,
        kind=category.kind,
        category_id=category.id,
        department_id=category.department_id,
        status="received",
        channel=draft.channel,
        description=draft.description,
        location=point_ewkt(draft.lon, draft.lat),
        address=draft.address or (district.name if district else None),
        district_id=district.id if district else None,
        urgent=draft.urgent,
        resident_id=draft.resident_id,
        created_at=now,
        updated_at=now,
    )
