"""The bulky-waste collection calendar: zone-days with capacity, closed days, booking window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.models import CollectionDay, CollectionZone

YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))


@dataclass(frozen=True)
class BookingWindow:
    """Bookable from ``min_days_ahead`` to ``max_days_ahead`` days after today (Asia/Tokyo)."""

    min_days_ahead: int = 3
    max_days_ahead: int = 28


def closed_reason(day: dt.date) -> str | None:
    """Why the city does not collect on ``day`` (year-end), or None."""
    if (day.month, day.day) in YEAR_END:
        return "年末年始"
    return None


def ensure_calendar(session: Session, municipality_id: int, start: dt.date, days: int) -> int:
    """Create the missing zone-days from ``start`` for ``days`` days; returns rows added.

    Existing rows (and their booked counts) are left alone, so this is safe to run daily.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant.
        start: first date (Asia/Tokyo calendar date).
        days: how many days ahead.
    """
    zones = session.scalars(
        select(CollectionZone).where(CollectionZone.municipality_id == municipality_id)
    ).all()
    rows = [
        {
            "m": municipality_id,
            "z": zone.id,
            "d": day,
            "cap": zone.daily_capacity,
            "closed": closed_reason(day) is not None,
            "reason": closed_reason(day),
        }
        for zone in zones
        for day in (start + dt.timedelta(days=i) for i in range(days))
        if day.weekday() in zone.weekdays
    ]
    if not rows:
        return 0
    result = session.execute(
        text(
            "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity, "
            "closed, closed_reason) VALUES (:m, :z, :d, :cap, :closed, :reason) "
            "ON CONFLICT DO NOTHING"
        ),
        rows,
    )
    return int(getattr(result, "rowcount", 0) or 0)


def free_days(
    session: Session, municipality_id: int, zone_id: int, today: dt.date, window: BookingWindow
) -> list[CollectionDay]:
    """Open zone-days inside the booking window that still have capacity, soonest first."""
    first = today + dt.timedelta(days=window.min_days_ahead)
    last = today + dt.timedelta(days=window.max_days_ahead)
    return list(
        session.scalars(
            select(CollectionDay)
            .where(
                CollectionDay.municipality_id == municipality_id,
                CollectionDay.zone_id == zone_id,
                CollectionDay.service_date.between(first, last),
                CollectionDay.closed.is_(False),
                CollectionDay.booked < CollectionDay.capacity,
            )
            .order_by(CollectionDay.service_date)
        ).all()
    )
