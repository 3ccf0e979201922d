"""Report look-ups and writes the LINE dialogue needs: facts, nearby reports, additions, photos."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.areas_db import find_district, is_inside_municipality
from geo.models import Photo, ReportMessage
from workflow.clock import TOKYO
from workflow.texts.staff import ADDED_FROM_LINE_WITHOUT_TEXT

OPEN_STATUSES = ("received", "in_progress")
MAX_NEARBY = 3
MAX_LISTED = 100
# Metres per degree of latitude; longitude degrees are shorter, so the box is doubled.
_M_PER_DEG = 111_000.0


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class DialogueFacts:
    """What the dialogue needs to know about the municipality at the time of an event."""

    municipality_name: str
    phone: str
    disaster_mode: bool
    categories: tuple[Category, ...]


@dataclass(frozen=True)
class PlaceCheck:
    inside: bool
    district_name: str | None


@dataclass(frozen=True)
class NearbyOpenReport:
    receipt_no: str
    category_name: str
    distance_m: float


@dataclass(frozen=True)
class ResidentReport:
    receipt_no: str
    category_name: str
    status: str
    reported_on: dt.date


@dataclass(frozen=True)
class ExistingReport:
    id: int
    receipt_no: str
    category_name: str
    address: str | None
    status: str


def load_dialogue_facts(session: Session, municipality_id: int) -> DialogueFacts:
    """Municipality name, phone, disaster mode and its active categories in menu order.

    One query (every event of a dialogue reads these): the town's row with each active
    category, or once with NULLs when it has none.
    """
    rows = session.execute(
        text(
            "SELECT m.name, m.phone, m.disaster_mode, c.code, c.name AS category, c.kind "
            "FROM municipality m LEFT JOIN category c ON c.municipality_id = m.id AND c.active "
            "WHERE m.id = :m ORDER BY c.sort_order, c.id"
        ),
        {"m": municipality_id},
    ).all()
    if not rows:
        raise LookupError(f"no municipality {municipality_id}")
    town = rows[0]
    categories = tuple(
        Category(str(r.code), str(r.category), str(r.kind)) for r in rows if r.code is not None
    )
    return DialogueFacts(str(town.name), str(town.phone), bool(town.disaster_mode), categories)


def check_place(session: Session, municipality_id: int, lon: float, lat: float) -> PlaceCheck:
    """Whether the lon/lat point (EPSG:4326) is inside the municipality, and its district."""
    if not is_inside_municipality(session, municipality_id, lon, lat):
        return PlaceCheck(inside=False, district_name=None)
    district = find_district(session, municipality_id, lon, lat)
    return PlaceCheck(inside=True, district_name=district.name if district else None)


def find_nearby_open_reports(
    session: Session,
    municipality_id: int,
    category_code: str,
    lon: float,
    lat: float,
    radius_m: float,
) -> list[NearbyOpenReport]:
    """Open reports of one category within ``radius_m`` metres of lon/lat, nearest first.

    The bounding box uses the GiST index on ``(municipality_id, location)``; the distance is
    geodesic.
    """
    rows = session.execute(
        text(
            "WITH here AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS pt) "
            "SELECT r.receipt_no, c.name, "
            "ST_Distance(r.location::geography, here.pt::geography) AS distance_m "
            # town views (migration 0012): the box is an index condition under RLS
            "FROM town_report r JOIN town_category c ON c.municipality_id = r.municipality_id "
            "AND c.id = r.category_id CROSS JOIN here WHERE r.municipality_id = :m "
            "AND c.code = :code AND r.status IN ('received', 'in_progress') "
            "AND r.location && ST_Expand(here.pt, :box_deg) "
            "AND ST_DWithin(r.location::geography, here.pt::geography, :radius) "
            "ORDER BY distance_m, r.id LIMIT :limit"
        ),
        {
            "lon": lon,
            "lat": lat,
            "m": municipality_id,
            "code": category_code,
            "box_deg": 2 * radius_m / _M_PER_DEG,
            "radius": radius_m,
            "limit": MAX_NEARBY,
        },
    ).all()
    return [NearbyOpenReport(str(r.receipt_no), str(r.name), float(r.distance_m)) for r in rows]


def list_resident_reports(
    session: Session, municipality_id: int, resident_id: int
) -> list[ResidentReport]:
    """The resident's own reports, newest first (dates in Asia/Tokyo)."""
    rows = session.execute(
        text(
            "SELECT r.receipt_no, c.name, r.status, r.created_at FROM report r "
            "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
            "WHERE r.municipality_id = :m AND r.resident_id = :r "
            "ORDER BY r.created_at DESC, r.id DESC LIMIT :limit"
        ),
        {"m": municipality_id, "r": resident_id, "limit": MAX_LISTED},
    ).all()
    return [
        ResidentReport(
            str(r.receipt_no), str(r.name), str(r.status), r.created_at.astimezone(TOKYO).date()
        )
        for r in rows
    ]


def find_report_by_receipt(
    session: Session, municipality_id: int, receipt_no: str
) -> ExistingReport | None:
    """The report with this receipt number (locked for the caller's transaction), or None."""
    row = session.execute(
        text(
            "SELECT r.id, r.receipt_no, c.name, r.address, r.status FROM report r "
            "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
            "WHERE r.municipality_id = :m AND r.receipt_no = :no FOR UPDATE OF r"
        ),
        {"m": municipality_id, "no": receipt_no},
    ).first()
    if row is None:
        return None
    return ExistingReport(int(row.id), str(row.receipt_no), str(row.name), row.address, row.status)


def add_resident_note(
    session: Session, municipality_id: int, report_id: int, description: str | None
) -> None:
    """Record what a resident added to an existing report, as a message from the resident."""
    session.add(
        ReportMessage(
            municipality_id=municipality_id,
            report_id=report_id,
            direction="from_resident",
            body=description or ADDED_FROM_LINE_WITHOUT_TEXT,
        )
    )
    session.execute(
        text("UPDATE report SET updated_at = now() WHERE municipality_id = :m AND id = :id"),
        {"m": municipality_id, "id": report_id},
    )


def add_line_photos(
    session: Session, municipality_id: int, report_id: int, message_ids: tuple[str, ...]
) -> list[int]:
    """Create ``pending`` photo rows for LINE image messages; the worker downloads them.

    Returns:
        The new photo ids.
    """
    photos = [
        Photo(
            municipality_id=municipality_id,
            report_id=report_id,
            status="pending",
            source="line",
            line_message_id=message_id,
        )
        for message_id in message_ids
    ]
    session.add_all(photos)
    session.flush()
    return [photo.id for photo in photos]
