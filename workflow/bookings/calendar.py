"""The bulky-waste collection calendar: zone-days with capacity, closed days, booking window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from geo.areas_db import find_zone
from geo.models import CollectionDay, CollectionZone, Municipality
from workflow.bookings.holidays import holiday_name
from workflow.errors import OutsideAreaError
from workflow.texts.resident.booking import CLOSED_DAY, WEEKDAYS_JA, YEAR_END_HOLIDAYS

YEAR_END = ((12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3))
CHANGE_CUTOFF_TIME = dt.time(17, 0)
CHANGE_CUTOFF_WORKING_DAYS = 2


@dataclass(frozen=True)
class BookingWindow:
    """Bookable from ``first_day`` to ``max_days_ahead`` days after today (Asia/Tokyo dates).

    The first day is at least ``min_days_ahead`` away and far enough that the booking can still
    be changed or cancelled after it is made: its change deadline (17:00 two working days
    before) falls on a later day than today. Booking on a Friday evening for Monday, when
    Monday's deadline passed on Thursday, would make a pickup nobody can change.
    """

    min_days_ahead: int = 3
    max_days_ahead: int = 28

    def first_day(self, today: dt.date) -> dt.date:
        return first_bookable_day(today, self.min_days_ahead)

    def last_day(self, today: dt.date) -> dt.date:
        return today + dt.timedelta(days=self.max_days_ahead)

    def holds(self, day: dt.date, today: dt.date) -> bool:
        return self.first_day(today) <= day <= self.last_day(today)


def first_bookable_day(today: dt.date, min_days_ahead: int) -> dt.date:
    """The first collection date a booking made today may take (``BookingWindow``)."""
    day = today + dt.timedelta(days=min_days_ahead)
    while change_deadline(day, dt.UTC).date() <= today:
        day += dt.timedelta(days=1)
    return day


def closed_reason(day: dt.date) -> str | None:
    """Why the city does not collect on ``day`` (year-end or a national holiday), or None."""
    if (day.month, day.day) in YEAR_END:
        return YEAR_END_HOLIDAYS
    return holiday_name(day)


def is_working_day(day: dt.date) -> bool:
    """True on the city office's working days: Monday–Friday, not a holiday or year-end."""
    return day.weekday() < 5 and closed_reason(day) is None


def change_deadline(service_date: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Last moment to cancel or move a pickup: 17:00 two working days before the date.

    Args:
        service_date: the collection date (calendar date in ``tz``).
        tz: the municipality's time zone (Asia/Tokyo).

    Returns:
        An aware datetime; changes are allowed while ``now <= deadline``.
    """
    day, counted = service_date, 0
    while counted < CHANGE_CUTOFF_WORKING_DAYS:
        day -= dt.timedelta(days=1)
        counted += is_working_day(day)
    return dt.datetime.combine(day, CHANGE_CUTOFF_TIME, tzinfo=tz)


def ensure_calendar(session: Session, municipality_id: int, start: dt.date, days: int) -> int:
    """Create the missing zone-days from ``start`` for ``days`` days; returns rows added.

    Existing rows (and their booked counts) are left alone, so this is safe to run daily;
    the one exception is an empty open row on a day that is now closed (a holiday added to
    the table after the row was made), which is closed.

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
            "ON CONFLICT (municipality_id, zone_id, service_date) DO UPDATE SET closed = true, "
            "closed_reason = EXCLUDED.closed_reason WHERE EXCLUDED.closed "
            "AND NOT collection_day.closed AND collection_day.booked = 0"
        ),
        rows,
    )
    return int(getattr(result, "rowcount", 0) or 0)


def free_days(
    session: Session, municipality_id: int, zone_id: int, today: dt.date, window: BookingWindow
) -> list[CollectionDay]:
    """Open zone-days inside the booking window that still have capacity, soonest first."""
    first, last = window.first_day(today), window.last_day(today)
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


@dataclass(frozen=True)
class ZoneDay:
    """One collection day of a zone as residents may see it (full and closed days too)."""

    service_date: dt.date
    free: int
    closed_reason: str | None


def zone_days(
    session: Session, municipality_id: int, zone_id: int, today: dt.date, window: BookingWindow
) -> tuple[ZoneDay, ...]:
    """Every zone-day inside the booking window, soonest first: free, full or closed.

    The dialogue offers the free ones and explains why another picked date cannot be taken.

    Args:
        session: open session (read only).
        municipality_id: tenant.
        zone_id: the collection zone.
        today: today's date in Asia/Tokyo.
        window: the booking window.
    """
    first, last = window.first_day(today), window.last_day(today)
    rows = session.scalars(
        select(CollectionDay)
        .where(
            CollectionDay.municipality_id == municipality_id,
            CollectionDay.zone_id == zone_id,
            CollectionDay.service_date.between(first, last),
        )
        .order_by(CollectionDay.service_date)
    ).all()
    return tuple(
        ZoneDay(
            d.service_date,
            max(d.capacity - d.booked, 0),
            (d.closed_reason or CLOSED_DAY) if d.closed else None,
        )
        for d in rows
    )


@dataclass(frozen=True)
class FreeDay:
    service_date: dt.date
    weekday_ja: str
    free: int


@dataclass(frozen=True)
class ZoneCalendar:
    """The collection zone of a place and its bookable days (no personal data)."""

    zone_id: int
    zone_name: str
    first_date: dt.date
    last_date: dt.date
    days: tuple[FreeDay, ...]


def zone_of(session: Session, municipality_id: int, lon: float, lat: float) -> tuple[int, str]:
    """The collection zone (id, name) of a lon/lat point (EPSG:4326).

    Raises:
        OutsideAreaError: the point is outside every zone; the message gives the city's phone.
    """
    zone = find_zone(session, municipality_id, lon, lat)
    if zone is None:
        town = session.get(Municipality, municipality_id)
        raise OutsideAreaError(
            "outside_collection_area",
            field="location",
            town=town.name if town else None,
            phone=town.phone if town else None,
        )
    return zone.id, zone.name


def zone_calendar(
    session: Session,
    municipality_id: int,
    lon: float,
    lat: float,
    today: dt.date,
    window: BookingWindow | None = None,
) -> ZoneCalendar:
    """Bookable days with free slots for the zone containing lon/lat (EPSG:4326).

    Args:
        session: open session (read only).
        municipality_id: tenant.
        lon: longitude, EPSG:4326.
        lat: latitude, EPSG:4326.
        today: today's date in Asia/Tokyo.
        window: booking window; the default is 3 days to 4 weeks ahead.

    Raises:
        OutsideAreaError: the point is outside every collection zone.
    """
    window = window or BookingWindow()
    zone_id, zone_name = zone_of(session, municipality_id, lon, lat)
    days = tuple(
        FreeDay(d.service_date, WEEKDAYS_JA[d.service_date.weekday()], d.capacity - d.booked)
        for d in free_days(session, municipality_id, zone_id, today, window)
    )
    return ZoneCalendar(
        zone_id,
        zone_name,
        today + dt.timedelta(days=window.min_days_ahead),
        today + dt.timedelta(days=window.max_days_ahead),
        days,
    )
