"""Read-only queries behind Open311 and the public map: no personal data can leave through these.

Every query names its columns: nothing from ``resident``, ``resident_contact``, ``booking``,
``report_message``, nor the report's free text (``description``) or its typed ``address``; the
place is the point and the district (町丁目) name. A report is published when its category is
``public``, it is not bulky waste, and (for disaster reports) while the municipality is in
disaster mode.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, bindparam, text
from sqlalchemy.orm import Session

# The publication rule, on ``report r JOIN category c JOIN municipality m``.
PUBLISHED = "c.public AND c.kind <> 'bulky' AND (c.kind <> 'disaster' OR m.disaster_mode)"
_FROM = (
    "FROM report r JOIN category c ON c.municipality_id = r.municipality_id "
    "AND c.id = r.category_id JOIN municipality m ON m.id = r.municipality_id "
    "JOIN department dep ON dep.municipality_id = r.municipality_id "
    "AND dep.id = r.department_id LEFT JOIN district d ON d.municipality_id = r.municipality_id "
    "AND d.id = r.district_id "
)
_NOTE = (
    "(SELECT h.note FROM status_history h WHERE h.municipality_id = r.municipality_id "
    "AND h.report_id = r.id AND h.to_status = r.status ORDER BY h.changed_at DESC, h.id DESC "
    "LIMIT 1) AS note"
)
_PHOTO = (
    "(SELECT p.id FROM photo p WHERE c.photos_public AND p.municipality_id = r.municipality_id "
    "AND p.report_id = r.id AND p.status = 'stored' AND NOT p.for_resident ORDER BY p.id "
    "LIMIT 1) AS photo_id"
)
_COLUMNS = (
    "SELECT r.receipt_no, r.status, c.code AS service_code, c.name AS service_name, "
    "c.target_hours, dep.name AS agency, r.created_at, r.updated_at, d.name AS district, "
    f"ST_X(r.location) AS lon, ST_Y(r.location) AS lat, {_NOTE}, {_PHOTO} "
)


@dataclass(frozen=True)
class Jurisdiction:
    id: int
    code: str
    name: str
    phone: str
    disaster_mode: bool


@dataclass(frozen=True)
class PublicService:
    code: str
    name: str
    kind: str
    department: str


@dataclass(frozen=True)
class PublicReport:
    """One published report. lon/lat in EPSG:4326; times aware."""

    receipt_no: str
    status: str
    service_code: str
    service_name: str
    target_hours: int | None
    agency: str
    created_at: dt.datetime
    updated_at: dt.datetime
    district: str | None
    lon: float
    lat: float
    note: str | None
    photo_id: int | None


@dataclass(frozen=True)
class ReportFilter:
    """Filters of GET requests; empty tuples mean "any". Times aware, both ends included."""

    receipt_nos: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    limit: int = 1000


@dataclass(frozen=True)
class PublicHistoryEntry:
    receipt_no: str
    status: str
    changed_at: dt.datetime
    note: str | None


def find_jurisdiction(session: Session, municipality_id: int) -> Jurisdiction | None:
    """The municipality's code, name and disaster mode, or None when it is not loaded."""
    row = session.execute(
        text("SELECT id, code, name, phone, disaster_mode FROM municipality WHERE id = :m"),
        {"m": municipality_id},
    ).first()
    if row is None:
        return None
    return Jurisdiction(
        int(row.id), str(row.code), str(row.name), str(row.phone), bool(row.disaster_mode)
    )


def list_public_services(session: Session, municipality_id: int) -> list[PublicService]:
    """Active, published categories residents can report (road; disaster in disaster mode)."""
    rows = session.execute(
        text(
            "SELECT c.code, c.name, c.kind, dep.name AS department FROM category c "
            "JOIN municipality m ON m.id = c.municipality_id JOIN department dep ON "
            "dep.municipality_id = c.municipality_id AND dep.id = c.department_id "
            f"WHERE c.municipality_id = :m AND c.active AND {PUBLISHED} "
            "AND c.kind IN ('road', 'disaster') ORDER BY c.sort_order, c.id"
        ),
        {"m": municipality_id},
    ).all()
    return [PublicService(str(r.code), str(r.name), str(r.kind), str(r.department)) for r in rows]


def _report_of(row: object) -> PublicReport:
    return PublicReport(*(getattr(row, name) for name in PublicReport.__dataclass_fields__))


def list_public_reports(
    session: Session, municipality_id: int, where: ReportFilter
) -> list[PublicReport]:
    """Published reports matching ``where``, newest first, at most ``where.limit``."""
    clauses = [f"r.municipality_id = :m AND {PUBLISHED}"]
    params: dict[str, object] = {"m": municipality_id, "limit": where.limit}
    expanding: list[BindParameter[Any]] = []
    for column, name, values in (
        ("r.receipt_no", "nos", where.receipt_nos),
        ("c.code", "codes", where.service_codes),
        ("r.status", "statuses", where.statuses),
    ):
        if values:
            clauses.append(f"{column} IN :{name}")
            params[name] = list(values)
            expanding.append(bindparam(name, expanding=True))
    if where.since is not None:
        clauses.append("r.created_at >= :since")
        params["since"] = where.since
    if where.until is not None:
        clauses.append("r.created_at <= :until")
        params["until"] = where.until
    sql = text(
        f"{_COLUMNS}{_FROM}WHERE {' AND '.join(clauses)} "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT :limit"
    ).bindparams(*expanding)
    return [_report_of(row) for row in session.execute(sql, params)]


def list_public_history(
    session: Session, municipality_id: int, receipt_nos: Sequence[str]
) -> list[PublicHistoryEntry]:
    """Status changes (status, time, note for residents) of published reports, oldest first.

    Who made a change is not returned.
    """
    if not receipt_nos:
        return []
    sql = text(
        "SELECT r.receipt_no, h.to_status, h.changed_at, h.note FROM status_history h "
        "JOIN report r ON r.municipality_id = h.municipality_id AND r.id = h.report_id "
        "JOIN category c ON c.municipality_id = r.municipality_id AND c.id = r.category_id "
        f"JOIN municipality m ON m.id = r.municipality_id WHERE r.municipality_id = :m "
        f"AND {PUBLISHED} AND r.receipt_no IN :nos ORDER BY h.changed_at, h.id"
    ).bindparams(bindparam("nos", expanding=True))
    rows = session.execute(sql, {"m": municipality_id, "nos": list(receipt_nos)})
    return [
        PublicHistoryEntry(str(r.receipt_no), str(r.to_status), r.changed_at, r.note) for r in rows
    ]


def find_public_photo(session: Session, municipality_id: int, photo_id: int) -> str | None:
    """The stored path (under the media folder) of a photo published with its report, or None."""
    path = session.execute(
        text(
            "SELECT p.storage_path FROM photo p JOIN report r ON r.municipality_id = "
            "p.municipality_id AND r.id = p.report_id JOIN category c ON c.municipality_id = "
            "r.municipality_id AND c.id = r.category_id JOIN municipality m ON "
            f"m.id = r.municipality_id WHERE p.municipality_id = :m AND p.id = :id AND {PUBLISHED} "
            "AND c.photos_public AND p.status = 'stored' AND NOT p.for_resident"
        ),
        {"m": municipality_id, "id": photo_id},
    ).scalar()
    return None if path is None else str(path)


def find_receipt_by_token(session: Session, municipality_id: int, token: uuid.UUID) -> str | None:
    """The receipt number of the report an Open311 POST created with ``token``, or None."""
    receipt = session.execute(
        text(
            "SELECT r.receipt_no FROM open311_request o JOIN report r ON r.municipality_id = "
            "o.municipality_id AND r.id = o.report_id WHERE o.municipality_id = :m "
            "AND o.token = :token"
        ),
        {"m": municipality_id, "token": token},
    ).scalar()
    return None if receipt is None else str(receipt)


def find_district_point(
    session: Session, municipality_id: int, name: str
) -> tuple[float, float] | None:
    """The label point (lon, lat, EPSG:4326) of the district (町丁目) named ``name``, or None."""
    row = session.execute(
        text(
            "SELECT ST_X(label_point) AS lon, ST_Y(label_point) AS lat FROM district "
            "WHERE municipality_id = :m AND name = :name ORDER BY id LIMIT 1"
        ),
        {"m": municipality_id, "name": name},
    ).first()
    return None if row is None else (float(row.lon), float(row.lat))
