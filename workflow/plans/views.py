"""Read a stored day plan for people: routes, stops with outcomes, unassigned bookings, PDF.

Read only; the PDF is rendered after the session is closed.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from print.worksheet import Paper, render_worksheets
from workflow.bookings.book import BULKY_CATEGORY
from workflow.clock import TOKYO
from workflow.db import session_scope
from workflow.desk.auth import StaffIdentity
from workflow.errors import ForbiddenError
from workflow.plans.worksheets import build_worksheet_set
from workflow.texts.crew import OUTCOME_LABELS_JA
from workflow.texts.staff import PLAN_STATUS_JA, UNASSIGNED_REASONS_JA

__all__ = ["OUTCOME_LABELS_JA", "PLAN_STATUS_JA"]  # the plan pages read them from here


_PLAN = text(
    "SELECT id, status, matrix_source, stats, created_at FROM route_plan "
    "WHERE municipality_id = :m AND service_date = :d"
)
_ROUTES = text(
    "SELECT r.id, v.code, v.name, v.crew_names, r.distance_m, r.duration_s, r.start_at, "
    "r.end_at, r.started_at, ST_AsGeoJSON(r.geom, 6) AS g FROM route r JOIN vehicle v ON "
    "v.municipality_id = r.municipality_id AND v.id = r.vehicle_id "
    "WHERE r.municipality_id = :m AND r.plan_id = :p ORDER BY v.code"
)
_STOPS = text(
    "SELECT s.id, s.route_id, s.seq, s.kind, s.eta, s.outcome, s.outcome_note, s.completed_at, "
    "s.booking_id, rep.receipt_no, coalesce(rep.address, d.name, f.name) AS place, "
    "coalesce(ST_X(rep.location), ST_X(f.location)) AS lon, "
    "coalesce(ST_Y(rep.location), ST_Y(f.location)) AS lat, "
    "(SELECT string_agg(it.name || '×' || bi.quantity, '、' ORDER BY bi.id) FROM booking_item bi "
    "JOIN bulky_item it ON it.municipality_id = bi.municipality_id AND it.id = bi.item_id "
    "WHERE bi.municipality_id = b.municipality_id AND bi.booking_id = b.id) AS items "
    "FROM route_stop s JOIN route r ON r.municipality_id = s.municipality_id AND r.id = s.route_id "
    "LEFT JOIN booking b ON b.municipality_id = s.municipality_id AND b.id = s.booking_id "
    "LEFT JOIN report rep ON rep.municipality_id = b.municipality_id AND rep.id = b.report_id "
    "LEFT JOIN district d ON d.municipality_id = rep.municipality_id AND d.id = rep.district_id "
    "LEFT JOIN facility f ON f.municipality_id = s.municipality_id AND f.is_disposal "
    "AND s.kind = 'unload' WHERE s.municipality_id = :m AND r.plan_id = :p AND s.kind <> 'depot' "
    "ORDER BY s.route_id, s.seq"
)
_UNASSIGNED = text(
    "SELECT b.id, rep.receipt_no, coalesce(rep.address, d.name) AS place FROM booking b "
    "JOIN report rep ON rep.municipality_id = b.municipality_id AND rep.id = b.report_id "
    "LEFT JOIN district d ON d.municipality_id = rep.municipality_id AND d.id = rep.district_id "
    "WHERE b.municipality_id = :m AND b.id = ANY(:ids) ORDER BY b.id"
)
_DEPOT = text(
    "SELECT name, ST_X(location) AS lon, ST_Y(location) AS lat FROM facility "
    "WHERE municipality_id = :m AND is_depot ORDER BY id LIMIT 1"
)


@dataclass(frozen=True)
class StopSummary:
    stop_id: int
    seq: int
    kind: str  # pickup | unload
    eta: dt.datetime
    booking_id: int | None
    booking_no: str
    place: str
    items: str
    lon: float
    lat: float
    outcome: str | None
    outcome_note: str | None
    completed_at: dt.datetime | None


@dataclass(frozen=True)
class RouteSummary:
    route_id: int
    vehicle_code: str
    vehicle_name: str
    crew_names: str
    distance_m: int
    duration_s: int
    start_at: dt.datetime
    end_at: dt.datetime
    started_at: dt.datetime | None
    line_lonlat: tuple[tuple[float, float], ...]
    stops: tuple[StopSummary, ...]

    @property
    def pickups(self) -> tuple[StopSummary, ...]:
        return tuple(s for s in self.stops if s.kind == "pickup")


@dataclass(frozen=True)
class UnassignedBooking:
    booking_id: int
    booking_no: str
    place: str
    reason: str
    reason_ja: str


@dataclass(frozen=True)
class PlanSummary:
    plan_id: int
    service_date: dt.date
    status: str
    matrix_source: str
    created_at: dt.datetime
    depot: tuple[str, float, float]  # name, lon, lat
    routes: tuple[RouteSummary, ...]
    unassigned: tuple[UnassignedBooking, ...]


def check_plan_access(session: Session, mid: int, who: StaffIdentity, crew_too: bool) -> None:
    """Allow admins and the bulky-waste department's staff (and crews when ``crew_too``).

    Raises:
        ForbiddenError: anybody else.
    """
    if who.is_admin or (crew_too and who.role == "crew"):
        return
    department = session.execute(
        text("SELECT department_id FROM category WHERE municipality_id = :m AND code = :c"),
        {"m": mid, "c": BULKY_CATEGORY},
    ).scalar()
    if who.role == "staff" and department is not None and who.department_id == department:
        return
    raise ForbiddenError("plans_bulky_only", field="user")


def _stop(row: Any) -> StopSummary:
    return StopSummary(
        stop_id=row.id,
        seq=row.seq,
        kind=row.kind,
        eta=row.eta.astimezone(TOKYO),
        booking_id=row.booking_id,
        booking_no=row.receipt_no or "",
        place=row.place or "",
        items=row.items or "",
        lon=float(row.lon),
        lat=float(row.lat),
        outcome=row.outcome,
        outcome_note=row.outcome_note,
        completed_at=row.completed_at.astimezone(TOKYO) if row.completed_at else None,
    )


def _route(row: Any, stops: tuple[StopSummary, ...]) -> RouteSummary:
    line = json.loads(row.g)["coordinates"] if row.g else []
    return RouteSummary(
        route_id=row.id,
        vehicle_code=row.code,
        vehicle_name=row.name,
        crew_names=row.crew_names or "",
        distance_m=row.distance_m,
        duration_s=row.duration_s,
        start_at=row.start_at.astimezone(TOKYO),
        end_at=row.end_at.astimezone(TOKYO),
        started_at=row.started_at,
        line_lonlat=tuple((float(x), float(y)) for x, y in line),
        stops=stops,
    )


def _unassigned(session: Session, mid: int, stats: dict[str, Any]) -> tuple[UnassignedBooking, ...]:
    reasons = {int(b): str(reason) for b, reason in stats.get("unassigned", [])}
    rows = session.execute(_UNASSIGNED, {"m": mid, "ids": list(reasons)}).all()
    return tuple(
        UnassignedBooking(
            r.id,
            r.receipt_no,
            r.place or "",
            reasons[r.id],
            UNASSIGNED_REASONS_JA.get(reasons[r.id], ""),
        )
        for r in rows
    )


def load_plan_summary(session: Session, mid: int, day: dt.date) -> PlanSummary | None:
    """The day's plan with its routes, stops (with outcomes) and unassigned bookings, or None.

    Args:
        session: open session (read only).
        mid: municipality id.
        day: service date (Asia/Tokyo).
    """
    plan = session.execute(_PLAN, {"m": mid, "d": day}).first()
    if plan is None:
        return None
    by_route: dict[int, list[StopSummary]] = {}
    for row in session.execute(_STOPS, {"m": mid, "p": plan.id}):
        by_route.setdefault(row.route_id, []).append(_stop(row))
    routes = tuple(
        _route(r, tuple(by_route.get(r.id, ())))
        for r in session.execute(_ROUTES, {"m": mid, "p": plan.id})
    )
    depot = session.execute(_DEPOT, {"m": mid}).one()
    return PlanSummary(
        plan_id=plan.id,
        service_date=day,
        status=plan.status,
        matrix_source=plan.matrix_source,
        created_at=plan.created_at.astimezone(TOKYO),
        depot=(depot.name, float(depot.lon), float(depot.lat)),
        routes=routes,
        unassigned=_unassigned(session, mid, plan.stats or {}),
    )


def count_bookings(session: Session, mid: int, day: dt.date) -> int:
    """How many pickups are booked (not cancelled) for ``day``."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM booking WHERE municipality_id = :m AND service_date = :d "
                "AND status <> 'cancelled'"
            ),
            {"m": mid, "d": day},
        ).scalar_one()
    )


def render_plan_worksheets(
    engine: Engine, mid: int, day: dt.date, base_url: str, secret: str, paper: Paper = "A4"
) -> bytes:
    """The crews' worksheet PDF of the day's plan (read, close the session, then render).

    Args:
        engine: database engine.
        mid: municipality id.
        day: service date (Asia/Tokyo).
        base_url: public base URL printed in the QR completion links.
        secret: key that signs the QR links.
        paper: "A4" or "A3".

    Raises:
        NotFoundError: no plan for that day, or nothing to collect on it
            (``day_without_stops``).
    """
    with session_scope(engine) as session:
        sheet = build_worksheet_set(session, mid, day, base_url, secret, paper)
    return render_worksheets(sheet, paper)


@dataclass(frozen=True)
class DayOverview:
    service_date: dt.date
    bookings: int  # booked, not cancelled
    plan_status: str | None  # draft | locked | None (not planned)


def list_days(session: Session, mid: int, start: dt.date, days: int) -> list[DayOverview]:
    """Collection days from ``start`` for ``days`` days that have bookings or a plan.

    Args:
        session: open session (read only).
        mid: municipality id.
        start: first service date (Asia/Tokyo).
        days: how many days to look ahead.
    """
    rows = session.execute(
        text(
            "SELECT x.d AS day, (SELECT count(*) FROM booking b WHERE b.municipality_id = :m "
            "AND b.service_date = x.d AND b.status <> 'cancelled') AS n, (SELECT CAST(p.status "
            "AS text) FROM route_plan p WHERE p.municipality_id = :m AND p.service_date = x.d) "
            "AS plan FROM (SELECT CAST(:s AS date) + i AS d FROM generate_series(0, :k - 1) i) x "
            "ORDER BY x.d"
        ),
        {"m": mid, "s": start, "k": days},
    ).all()
    return [DayOverview(r.day, int(r.n), r.plan) for r in rows if r.n or r.plan]
