"""A planned collection day of its own for API tests, far beyond the seeded booking window.

The test database is shared by the whole run and planning commits, so each module books its
own day (``offset_days`` apart) and releases it afterwards: the plan and the bookings'
reports are deleted, so a locked plan never blocks another test's re-plan, the day never
becomes "the busiest" for the DB tests' ``planned_day``, and report counts stay as they were.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import Engine, any_, select, text

from geo.areas_db import find_zone
from geo.models import BulkyItem, CollectionZone, Resident
from tests.conftest import MUNICIPALITY_ID
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import closed_reason, ensure_calendar
from workflow.clock import TOKYO
from workflow.db import session_scope
from workflow.demo.seed import road_points
from workflow.plans.plan import plan


@dataclass(frozen=True)
class BookedDay:
    day: dt.date
    booking_ids: tuple[int, ...]
    plan_id: int


def _collection_day(engine: Engine, offset_days: int) -> tuple[dt.date, frozenset[int]]:
    """The first day from ``offset_days`` ahead on which the first zone collects."""
    with session_scope(engine) as session:
        zone = session.scalars(
            select(CollectionZone)
            .where(CollectionZone.municipality_id == MUNICIPALITY_ID)
            .order_by(CollectionZone.id)
        ).first()
        assert zone is not None
        day = dt.datetime.now(tz=TOKYO).date() + dt.timedelta(days=offset_days)
        while day.weekday() not in zone.weekdays or closed_reason(day):
            day += dt.timedelta(days=1)
        zones = session.scalars(
            select(CollectionZone.id).where(
                CollectionZone.municipality_id == MUNICIPALITY_ID,
                any_(CollectionZone.weekdays) == day.weekday(),
            )
        ).all()
    return day, frozenset(zones)


def book_day(engine: Engine, offset_days: int, count: int, seed: int) -> tuple[dt.date, list[int]]:
    """Book ``count`` pickups (LINE residents who follow the account) on one far day."""
    day, zones = _collection_day(engine, offset_days)
    booked: list[int] = []
    with session_scope(engine) as session:
        ensure_calendar(session, MUNICIPALITY_ID, day, 1)
        items = session.scalars(
            select(BulkyItem)
            .where(BulkyItem.municipality_id == MUNICIPALITY_ID, BulkyItem.accepted.is_(True))
            .order_by(BulkyItem.id)
            .limit(count)
        ).all()
        for lon, lat in road_points(session, MUNICIPALITY_ID, 400, seed):
            zone = find_zone(session, MUNICIPALITY_ID, lon, lat)
            if zone is None or zone.id not in zones or len(booked) == count:
                continue
            resident = Resident(
                municipality_id=MUNICIPALITY_ID,
                line_user_id="U" + secrets.token_hex(16),
                following=True,
            )
            session.add(resident)
            session.flush()
            request = BookingRequest(
                lon,
                lat,
                day,
                (ItemLine(items[len(booked) % len(items)].id, 1),),
                address=f"立川市テスト町{len(booked) + 1}-1",
            )
            today = day - dt.timedelta(7)
            made = book(
                session,
                MUNICIPALITY_ID,
                request,
                channel="line",
                resident_id=resident.id,
                today=today,
            )
            booked.append(made.id)
    assert len(booked) == count
    return day, booked


def plan_day(engine: Engine, offset_days: int, count: int, seed: int) -> BookedDay:
    """Book a far day and plan it (2 s solver budget)."""
    day, booked = book_day(engine, offset_days, count, seed)
    result = plan(engine, MUNICIPALITY_ID, day, time_limit_s=2, seed=1)
    return BookedDay(day, tuple(booked), result.plan_id)


def release_day(engine: Engine, day: dt.date) -> None:
    """Delete the day's plan and bookings' reports, free their slots (module docstring)."""
    params = {"m": MUNICIPALITY_ID, "d": day}
    mine = "SELECT report_id FROM booking WHERE municipality_id = :m AND service_date = :d"
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM route_plan WHERE municipality_id = :m AND service_date = :d"), params
        )
        conn.execute(
            text(
                f"DELETE FROM outbox_message WHERE municipality_id = :m AND report_id IN ({mine})"
            ),
            params,
        )
        # bookings, their items, photos and audit rows go with the reports (ON DELETE CASCADE)
        conn.execute(
            text(f"DELETE FROM report WHERE municipality_id = :m AND id IN ({mine})"), params
        )
        conn.execute(
            text(
                "UPDATE collection_day c SET booked = (SELECT count(*) FROM booking b WHERE "
                "b.municipality_id = c.municipality_id AND b.zone_id = c.zone_id AND "
                "b.service_date = c.service_date AND b.status <> 'cancelled') "
                "WHERE c.municipality_id = :m AND c.service_date = :d"
            ),
            params,
        )


def pickup_stops(engine: Engine, plan_id: int) -> list[int]:
    """Pickup stop ids of a plan, by route and sequence."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    "SELECT s.id FROM route_stop s JOIN route r ON r.municipality_id = "
                    "s.municipality_id AND r.id = s.route_id WHERE r.plan_id = :p "
                    "AND s.kind = 'pickup' ORDER BY r.id, s.seq"
                ),
                {"p": plan_id},
            ).scalars()
        )
