"""Plausible demo reports made the way real intake makes them (``machi demo seed-reports N``).

Points lie on the town's roads; LINE reports belong to residents with a LINE user id so
notifications work; every report has its receipt number, district and status history; bulky
ones are real bookings on upcoming collection days within capacity. Batches are written
set-based (``workflow.demo.seed_sql``), so a million reports take minutes.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geo.models import BulkyItem, Resident
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import BookingWindow, free_days
from workflow.clock import now_tokyo
from workflow.db import session_scope
from workflow.demo import seed_sql
from workflow.errors import CapacityFullError, WorkflowError


@dataclass(frozen=True)
class SeedResult:
    created: int
    by_kind: dict[str, int]
    by_status: dict[str, int]


def road_points(
    session: Session, municipality_id: int, n: int, seed: int
) -> list[tuple[float, float]]:
    """``n`` random lon/lat points on the municipality's roads, inside its boundary.

    Edges are drawn with replacement (edge ids are dense, 1..m, as the import writes them), so
    ``n`` may exceed the number of edges. Repeatable for a seed.
    """
    session.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
    rows = session.execute(
        text(
            "WITH picks AS (SELECT 1 + floor(random() * (SELECT max(id) FROM road_edge WHERE "
            "municipality_id = :m))::bigint AS id, random() AS f FROM generate_series(1, :k)), "
            "pts AS (SELECT ST_LineInterpolatePoint(e.geom, p.f) AS p FROM picks p "
            "JOIN road_edge e ON e.municipality_id = :m AND e.id = p.id) "
            "SELECT ST_X(pts.p) AS lon, ST_Y(pts.p) AS lat "
            "FROM pts JOIN municipality m ON m.id = :m WHERE ST_Covers(m.boundary, pts.p) LIMIT :n"
        ),
        {"m": municipality_id, "n": n, "k": int(n * 1.2) + 20},
    ).all()
    return [(float(r.lon), float(r.lat)) for r in rows]


def _resident(session: Session, mid: int, rng: random.Random) -> int:
    resident = Resident(
        municipality_id=mid, line_user_id="U" + rng.randbytes(16).hex(), following=True
    )
    session.add(resident)
    session.flush()
    return resident.id


SEED_BATCH = 20_000
"""Reports per transaction in ``seed_reports_in_batches``. Row by row (``create_report`` per
report) took 7 ms a report, 50,000 in 227 s; staged set-based batches take about 0.1 ms."""

BOOKING_GIVE_UP = 25
"""Consecutive refused bookings after which a batch stops trying (the calendar is full)."""


def seed_reports_in_batches(
    engine: Engine, municipality_id: int, n: int, seed: int = 1, batch: int = SEED_BATCH
) -> SeedResult:
    """Create ``n`` reports, committing every ``batch`` (``machi demo seed-reports``).

    Batch ``i`` of ``k`` draws its creation times from the ``i``-th ``k``-th of the last 90
    days, so receipt numbers rise with time across batches as they do in real intake.

    Args:
        engine: database engine; each batch is its own transaction.
        municipality_id: tenant (the demo town must be loaded).
        n: how many reports.
        seed: random seed; batch ``i`` uses ``seed + i``, so a run is repeatable.
        batch: reports per transaction.
    """
    kinds, statuses, created = Counter[str](), Counter[str](), 0
    starts = range(0, n, batch)
    for index, start in enumerate(starts):
        window = (index / len(starts), (index + 1) / len(starts))
        with session_scope(engine) as session:
            part = seed_reports(
                session, municipality_id, min(batch, n - start), seed + index, window
            )
        created += part.created
        kinds.update(part.by_kind)
        statuses.update(part.by_status)
    return SeedResult(created, dict(kinds), dict(statuses))


def seed_reports(
    session: Session,
    municipality_id: int,
    n: int,
    seed: int = 1,
    window: tuple[float, float] = (0.0, 1.0),
) -> SeedResult:
    """Create ``n`` reports in the caller's transaction, set-based (``workflow.demo.seed_sql``).

    Bulky picks are booked one by one through ``book()`` (real calendar slots and capacity);
    once the calendar refuses ``BOOKING_GIVE_UP`` in a row, the rest become road reports.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant (the demo town must be loaded).
        n: how many reports.
        seed: random seed, for repeatable demo data.
        window: the share of the last 90 days the creation times fall in (0 = oldest).
    """
    now = now_tokyo()
    session.execute(text("SELECT setseed(:s)"), {"s": (seed % 1000) / 1000})
    params = {"m": municipality_id, "n": n, "k": int(n * 1.2) + 20, "now": now}
    session.execute(text("DROP TABLE IF EXISTS seed_batch"))  # a second batch, same transaction
    session.execute(text(seed_sql.STAGE), {**params, "t0": window[0], "t1": window[1]})
    salt = f"{seed}:{secrets.token_hex(6)}"
    session.execute(text(seed_sql.WIDEN))
    session.execute(text(seed_sql.TIMES), {"now": now, "salt": salt})
    booked = _book_bulky(session, municipality_id, random.Random(seed), now)
    session.execute(text(seed_sql.BULKY_AS_ROAD))
    kinds, statuses = Counter[str](bulky=booked), Counter[str](received=booked)
    for row in session.execute(text(seed_sql.COUNTS)):
        kinds[row.kind] += row.n
        statuses[row.status] += row.n
    session.execute(text(seed_sql.WRITE), {"m": municipality_id})
    return SeedResult(sum(kinds.values()), dict(+kinds), dict(+statuses))


def _book_bulky(session: Session, mid: int, rng: random.Random, now: dt.datetime) -> int:
    """Book the staged bulky picks through ``book()``; drop the booked ones from the stage."""
    items = session.scalars(
        select(BulkyItem).where(BulkyItem.municipality_id == mid, BulkyItem.accepted.is_(True))
    ).all()
    booked: list[int] = []
    refused_in_row = 0
    for row in session.execute(text(seed_sql.BULKY_ROWS)).all():
        if refused_in_row >= BOOKING_GIVE_UP:
            break
        if _seed_booking(session, mid, float(row.lon), float(row.lat), list(items), rng, now):
            booked.append(int(row.n))
            refused_in_row = 0
        else:
            refused_in_row += 1
    if booked:
        session.execute(text(seed_sql.DROP_ROWS), {"ns": booked})
    return len(booked)


def _seed_booking(
    session: Session,
    mid: int,
    lon: float,
    lat: float,
    items: list[BulkyItem],
    rng: random.Random,
    now: dt.datetime,
) -> bool:
    from geo.areas_db import find_zone

    zone = find_zone(session, mid, lon, lat)
    if zone is None:
        return False
    days = free_days(session, mid, zone.id, now.date(), BookingWindow())
    if not days:
        return False
    picks = rng.sample(items, k=rng.randint(1, 3))
    lines = tuple(ItemLine(i.id, rng.randint(1, 2)) for i in picks)
    request = BookingRequest(lon, lat, rng.choice(days).service_date, lines)
    resident_id = _resident(session, mid, rng)
    try:
        with session.begin_nested():
            book(session, mid, request, channel="line", resident_id=resident_id, today=now.date())
    except (CapacityFullError, WorkflowError):
        return False
    return True
