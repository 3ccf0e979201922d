"""Plausible demo reports made the way real intake makes them (``machi demo seed-reports N``).

Points lie on the town's roads; LINE reports belong to residents with a LINE user id so
notifications work; bulky ones are real bookings on upcoming collection days within capacity.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geo.models import BulkyItem, Category, Resident, StatusHistory
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.bookings.calendar import BookingWindow, free_days
from workflow.clock import now_tokyo
from workflow.db import session_scope
from workflow.errors import CapacityFullError, WorkflowError
from workflow.reports.create import ReportDraft, create_report

CHANNELS = (("line", 60), ("web", 20), ("phone", 15), ("open311", 5))
KINDS = (("road", 62), ("disaster", 13), ("bulky", 15), ("other", 10))
DESCRIPTIONS = {
    "road": ("道路に穴が開いていて危ないです。", "段差で自転車が転びそうになりました。", None),
    "disaster": ("道路が冠水して通れません。", "木が倒れて道をふさいでいます。", None),
    "other": ("空き地に家具が捨てられています。", None),
}


@dataclass(frozen=True)
class SeedResult:
    created: int
    by_kind: dict[str, int]
    by_status: dict[str, int]


def _weighted(rng: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in table], weights=[w for _, w in table])[0]


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


def _advance(
    session: Session, mid: int, report_id: int, created: dt.datetime, rng: random.Random
) -> str:
    path = rng.choices(
        (["received"], ["in_progress"], ["in_progress", "done"], ["rejected"]),
        weights=(40, 25, 30, 5),
    )[0]
    when, previous = created, "received"
    for status in path:
        if status == "received":
            break
        when += dt.timedelta(hours=rng.uniform(2, 96))
        session.add(
            StatusHistory(
                municipality_id=mid,
                report_id=report_id,
                from_status=previous,
                to_status=status,
                actor="staff:seed",
                changed_at=when,
            )
        )
        previous = status
    session.execute(
        text(
            "UPDATE report SET status = :s, updated_at = :w, closed_at = :closed "
            "WHERE municipality_id = :m AND id = :id"
        ),
        {
            "s": previous,
            "w": when,
            "m": mid,
            "id": report_id,
            "closed": when if previous in {"done", "rejected"} else None,
        },
    )
    return previous


SEED_BATCH = 1000
"""Reports per transaction in ``seed_reports_in_batches``: one transaction of 50,000 reports
(with a savepoint per booking) ran over 30 minutes, batches of 1,000 take about 5 ms a report."""


def seed_reports_in_batches(
    engine: Engine, municipality_id: int, n: int, seed: int = 1, batch: int = SEED_BATCH
) -> SeedResult:
    """Create ``n`` reports, committing every ``batch`` (``machi demo seed-reports``).

    Args:
        engine: database engine; each batch is its own transaction.
        municipality_id: tenant (the demo town must be loaded).
        n: how many reports.
        seed: random seed; batch ``i`` uses ``seed + i``, so a run is repeatable.
        batch: reports per transaction.
    """
    kinds, statuses, created = Counter[str](), Counter[str](), 0
    for index, start in enumerate(range(0, n, batch)):
        with session_scope(engine) as session:
            part = seed_reports(session, municipality_id, min(batch, n - start), seed + index)
        created += part.created
        kinds.update(part.by_kind)
        statuses.update(part.by_status)
    return SeedResult(created, dict(kinds), dict(statuses))


def seed_reports(session: Session, municipality_id: int, n: int, seed: int = 1) -> SeedResult:
    """Create ``n`` reports in the caller's transaction.

    Args:
        session: open session; the caller commits.
        municipality_id: tenant (the demo town must be loaded).
        n: how many reports.
        seed: random seed, for repeatable demo data.
    """
    rng = random.Random(seed)
    now = now_tokyo()
    categories = session.scalars(
        select(Category).where(
            Category.municipality_id == municipality_id, Category.active.is_(True)
        )
    ).all()
    by_kind = {k: [c for c in categories if c.kind == k] for k, _ in KINDS}
    items = session.scalars(
        select(BulkyItem).where(
            BulkyItem.municipality_id == municipality_id, BulkyItem.accepted.is_(True)
        )
    ).all()
    kinds, statuses = Counter[str](), Counter[str]()
    for lon, lat in road_points(session, municipality_id, n, seed):
        kind = _weighted(rng, KINDS)
        if kind == "bulky" and _seed_booking(session, municipality_id, lon, lat, items, rng, now):
            kinds["bulky"] += 1
            statuses["received"] += 1
            continue
        kind = "road" if kind == "bulky" else kind
        status = _seed_report(
            session, municipality_id, lon, lat, rng.choice(by_kind[kind]).code, kind, rng, now
        )
        kinds[kind] += 1
        statuses[status] += 1
    return SeedResult(sum(kinds.values()), dict(kinds), dict(statuses))


def _seed_report(
    session: Session,
    mid: int,
    lon: float,
    lat: float,
    category: str,
    kind: str,
    rng: random.Random,
    now: dt.datetime,
) -> str:
    channel = _weighted(rng, CHANNELS)
    resident_id = _resident(session, mid, rng) if channel == "line" else None
    created = now - dt.timedelta(minutes=rng.uniform(10, 90 * 24 * 60))
    draft = ReportDraft(
        category,
        lon,
        lat,
        channel,
        description=rng.choice(DESCRIPTIONS[kind]),
        urgent=kind == "disaster" and rng.random() < 0.2,
        resident_id=resident_id,
    )
    report = create_report(session, mid, draft, now=created)
    return _advance(session, mid, report.id, created, rng)


def _seed_booking(
    session: Session,
    mid: int,
    lon: float,
    lat: float,
    items: list[BulkyItem] | object,
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
    assert isinstance(items, list | tuple)
    picks = rng.sample(list(items), k=rng.randint(1, 3))
    lines = tuple(ItemLine(i.id, rng.randint(1, 2)) for i in picks)
    request = BookingRequest(lon, lat, rng.choice(days).service_date, lines)
    resident_id = _resident(session, mid, rng)
    try:
        with session.begin_nested():
            book(session, mid, request, channel="line", resident_id=resident_id, today=now.date())
    except (CapacityFullError, WorkflowError):
        return False
    return True
