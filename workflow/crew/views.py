"""What a crew member sees for one stop when they scan its QR code (read only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from workflow.clock import TOKYO
from workflow.errors import ForbiddenError
from workflow.texts.resident.bulky import PUT_OUT_LABELS

# A printed sheet serves its plan day and the morning after (late returns), not later.
LINK_GRACE = dt.timedelta(days=1)

_STOP = text(
    "SELECT s.id, s.seq, s.kind, s.eta, s.outcome, s.outcome_note, s.completed_at, s.route_id, "
    "v.name AS vehicle_name, p.service_date, p.status AS plan_status, rep.receipt_no, "
    "coalesce(rep.address, f.name) AS address, d.name AS district, b.status AS booking_status, "
    "b.resident_note, b.fee_total_yen, bc.address_line, bc.put_out, bc.put_out_note, "
    "coalesce(ST_X(rep.location), ST_X(f.location)) AS lon, "
    "coalesce(ST_Y(rep.location), ST_Y(f.location)) AS lat, "
    "(SELECT json_agg(json_build_array(it.name, bi.quantity) ORDER BY bi.id) FROM booking_item bi "
    "JOIN bulky_item it ON it.municipality_id = bi.municipality_id AND it.id = bi.item_id "
    "WHERE bi.municipality_id = b.municipality_id AND bi.booking_id = b.id) AS items, "
    "(SELECT array[n.id, n.seq] FROM route_stop n WHERE n.municipality_id = s.municipality_id AND "
    "n.route_id = s.route_id AND n.seq > s.seq AND n.kind = 'pickup' ORDER BY n.seq LIMIT 1) "
    "AS next_stop, "
    "(SELECT count(*) FROM route_stop c WHERE c.municipality_id = s.municipality_id AND "
    "c.route_id = s.route_id AND c.kind = 'pickup' AND c.outcome IS NULL) AS open_stops "
    "FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id AND r.id = s.route_id "
    "JOIN vehicle v ON v.municipality_id = r.municipality_id AND v.id = r.vehicle_id "
    "JOIN route_plan p ON p.municipality_id = r.municipality_id AND p.id = r.plan_id "
    "LEFT JOIN booking b ON b.municipality_id = s.municipality_id AND b.id = s.booking_id "
    "LEFT JOIN booking_contact bc ON bc.municipality_id = b.municipality_id "
    "AND bc.booking_id = b.id "
    "LEFT JOIN report rep ON rep.municipality_id = b.municipality_id AND rep.id = b.report_id "
    "LEFT JOIN district d ON d.municipality_id = rep.municipality_id AND d.id = rep.district_id "
    "LEFT JOIN facility f ON f.municipality_id = s.municipality_id AND f.is_disposal "
    "AND s.kind = 'unload' WHERE s.municipality_id = :m AND s.id = :s AND s.kind <> 'depot'"
)


class LinkExpiredError(ForbiddenError):
    kind = "link_expired"


class LinkNotYetOpenError(ForbiddenError):
    kind = "link_not_yet_open"


@dataclass(frozen=True)
class StopView:
    stop_id: int
    seq: int
    kind: str  # pickup | unload (a trip to the disposal facility: nothing to record)
    vehicle_name: str
    service_date: dt.date
    eta: dt.datetime
    booking_no: str
    address: str
    district: str
    address_line: str  # 番地・建物名・部屋番号
    put_out: str  # where the items stand, as the crew reads it (玄関前 …); "" when unknown
    put_out_note: str
    items: tuple[tuple[str, int], ...]
    resident_note: str
    fee_yen: int
    lon: float
    lat: float
    booking_status: str
    outcome: str | None
    outcome_note: str | None
    completed_at: dt.datetime | None
    next_stop_id: int | None  # the truck's next pickup, for the "次の停留所へ" button
    next_seq: int | None
    open_stops: int  # pickups of this truck still without an outcome


def _view(row: Any) -> StopView:
    return StopView(
        stop_id=row.id,
        seq=row.seq,
        kind=row.kind,
        vehicle_name=row.vehicle_name,
        service_date=row.service_date,
        eta=row.eta.astimezone(TOKYO),
        booking_no=row.receipt_no or "",
        address=row.address or "",
        district=row.district or "",
        address_line=row.address_line or "",
        put_out=PUT_OUT_LABELS.get(row.put_out or "", ""),
        put_out_note=row.put_out_note or "",
        items=tuple((str(name), int(qty)) for name, qty in (row.items or [])),
        resident_note=row.resident_note or "",
        fee_yen=row.fee_total_yen or 0,
        lon=float(row.lon),
        lat=float(row.lat),
        booking_status=row.booking_status or "",
        outcome=row.outcome,
        outcome_note=row.outcome_note,
        completed_at=row.completed_at.astimezone(TOKYO) if row.completed_at else None,
        next_stop_id=int(row.next_stop[0]) if row.next_stop else None,
        next_seq=int(row.next_stop[1]) if row.next_stop else None,
        open_stops=int(row.open_stops),
    )


def load_stop(session: Session, mid: int, stop_id: int, today: dt.date | None) -> StopView | None:
    """One stop as the crew sees it, or None when the plan no longer has it.

    Args:
        session: open session (read only).
        mid: municipality id.
        stop_id: route stop id (from a signed QR link).
        today: Asia/Tokyo date to check the link against; None skips the check (staff).

    Raises:
        LinkExpiredError: the plan day (plus one morning for late returns) has passed.
    """
    row = session.execute(_STOP, {"m": mid, "s": stop_id}).first()
    if row is None:
        return None
    if today is not None and today > row.service_date + LINK_GRACE:
        raise LinkExpiredError("link_expired", field="token")
    return _view(row)


def opens_later(view: StopView, today: dt.date) -> bool:
    """True before the stop's plan day: the page may be looked at, nothing recorded yet."""
    return today < view.service_date


def check_recording_day(view: StopView, today: dt.date) -> None:
    """Refuse recording a stop from its link on any day before its plan day.

    A crew member looking at tomorrow's sheet must not mark a stop collected (and notify
    the resident) a day early. Expiry after the plan day is ``load_stop``'s check.

    Raises:
        LinkNotYetOpenError: ``today`` (Asia/Tokyo) is before the plan day.
    """
    if opens_later(view, today):
        raise LinkNotYetOpenError("link_not_yet_open", field="token", day=view.service_date)
