"""Daily collection plans: load a day's pickups -> road matrix -> solve -> save routes.

The DB session is closed during the solve: read in one transaction, compute, write in another.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from geo.convert import from_db
from geo.matrix import build_road_matrix, has_road_network, snap_to_vertices
from geo.models import Facility, RoutePlan, Vehicle
from routing.haversine import haversine_matrices
from routing.problem import Disposal, Problem, Solution, Stop
from routing.problem import Vehicle as RoutingVehicle
from routing.solver import solve_vrp
from workflow.db import session_scope
from workflow.errors import InvalidInputError
from workflow.plans.store import Pickup, PlanInput, save_plan
from workflow.reports.transitions import NoticeBuilder

SERVICE_BASE_S = 120
SERVICE_PER_ITEM_S = 60
TRUCK_FIXED_COST_S = 1800


class PlanLockedError(InvalidInputError):
    kind = "plan_locked"


@dataclass(frozen=True)
class PlanResult:
    plan_id: int
    routes: int
    stops: int
    unassigned: tuple[tuple[int, str], ...]
    matrix_source: str
    timings_s: dict[str, float]


def _pickups(session: Session, mid: int, day: dt.date) -> list[Pickup]:
    rows = session.execute(
        text(
            "SELECT b.id, b.report_id, ST_X(r.location) AS lon, ST_Y(r.location) AS lat, "
            "b.size_points_total, (SELECT coalesce(sum(quantity), 0) FROM booking_item i WHERE "
            "i.municipality_id = b.municipality_id AND i.booking_id = b.id) AS items "
            "FROM booking b JOIN report r ON r.municipality_id = b.municipality_id AND "
            "r.id = b.report_id WHERE b.municipality_id = :m AND b.service_date = :d "
            "AND b.status = 'booked' ORDER BY b.id"
        ),
        {"m": mid, "d": day},
    ).all()
    return [Pickup(r.id, r.report_id, r.lon, r.lat, r.size_points_total, r.items) for r in rows]


def _lonlat(geom: BaseGeometry) -> tuple[float, float]:
    assert isinstance(geom, Point)
    return (geom.x, geom.y)


def _seconds(value: dt.time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def refuse_locked(session: Session, mid: int, day: dt.date, lock: bool = True) -> None:
    """Refuse when a crew has started the day's plan; ``lock`` row-locks it until commit.

    Raises:
        PlanLockedError: the plan is locked.
    """
    query = select(RoutePlan).where(RoutePlan.municipality_id == mid, RoutePlan.service_date == day)
    existing = session.scalars(query.with_for_update() if lock else query).first()
    if existing is not None and existing.status == "locked":
        raise PlanLockedError("plan_locked", field="date")


def gather(session: Session, mid: int, day: dt.date) -> PlanInput:
    """Read everything a plan needs for ``day`` (one short read transaction).

    Raises:
        PlanLockedError: a crew has started that day's plan.
        InvalidInputError: no active vehicle or no depot.
    """
    refuse_locked(session, mid, day, lock=False)
    vehicles = session.scalars(
        select(Vehicle)
        .where(Vehicle.municipality_id == mid, Vehicle.active.is_(True))
        .order_by(Vehicle.id)
    ).all()
    depot = session.scalars(
        select(Facility).where(Facility.municipality_id == mid, Facility.is_depot.is_(True))
    ).first()
    disposal = session.scalars(
        select(Facility).where(Facility.municipality_id == mid, Facility.is_disposal.is_(True))
    ).first()
    if not vehicles or depot is None:
        raise InvalidInputError("plan_needs_fleet", field="date")
    facilities = [from_db(depot.location)] + ([from_db(disposal.location)] if disposal else [])
    pickups = _pickups(session, mid, day)
    points = [_lonlat(p) for p in facilities] + [(p.lon, p.lat) for p in pickups]
    road = has_road_network(session, mid)
    return PlanInput(
        municipality_id=mid,
        service_date=day,
        pickups=tuple(pickups),
        points=tuple(points),
        vehicles=tuple(
            (v.id, v.code, v.capacity_points, _seconds(v.shift_start), _seconds(v.shift_end))
            for v in vehicles
        ),
        has_disposal=disposal is not None,
        unload_s=disposal.unload_service_s if disposal else 0,
        vertex_ids=tuple(snap_to_vertices(session, mid, points)) if road else (),
    )


def build_problem(
    data: PlanInput, time_s: tuple[tuple[int, ...], ...], distance_m: tuple[tuple[int, ...], ...]
) -> Problem:
    """Turn a day's input and its matrices into a routing problem (node 0 = depot)."""
    first_stop = 2 if data.has_disposal else 1
    vehicles = tuple(
        RoutingVehicle(str(vid), cap, start, end, 0, 0, fixed_cost=TRUCK_FIXED_COST_S)
        for vid, _code, cap, start, end in data.vehicles
    )
    stops = tuple(
        Stop(
            str(p.booking_id),
            first_stop + i,
            p.size_points,
            SERVICE_BASE_S + SERVICE_PER_ITEM_S * p.item_count,
        )
        for i, p in enumerate(data.pickups)
    )
    disposal = Disposal(1, data.unload_s) if data.has_disposal else None
    return Problem(time_s, distance_m, vehicles, stops, disposal)


def plan(
    engine: Engine,
    mid: int,
    day: dt.date,
    time_limit_s: float = 30.0,
    seed: int = 0,
    workers: int = 1,
    notice: NoticeBuilder | None = None,
) -> PlanResult:
    """Plan ``day``: replace its draft plan, store routes and move bookings to 作業中.

    Args:
        engine: database engine (sessions are opened and closed here).
        mid: municipality id.
        day: service date (Asia/Tokyo).
        time_limit_s: solver budget in seconds.
        seed: solver seed, for repeatable plans.
        workers: solver processes (CPU cores). One by default: the web app and the LINE
            webhook share the machine, and the webhook must answer within 2 s.
        notice: the push a LINE resident gets when their booking is routed (作業中), once.

    Raises:
        PlanLockedError: the day's plan has started.
    """
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with session_scope(engine) as session:
        data = gather(session, mid, day)
        road = bool(data.vertex_ids)
        matrix = build_road_matrix(session, mid, data.points) if road else None
    timings["matrix_s"] = time.perf_counter() - started
    time_s, distance_m = (
        (matrix.time_s, matrix.distance_m) if matrix else haversine_matrices(data.points)
    )
    problem = build_problem(data, time_s, distance_m)
    solved_at = time.perf_counter()
    solution: Solution = solve_vrp(problem, time_limit_s=time_limit_s, seed=seed, workers=workers)
    timings["solve_s"] = time.perf_counter() - solved_at
    saved_at = time.perf_counter()
    source = "pgrouting" if road else "haversine"
    with session_scope(engine) as session:
        refuse_locked(session, mid, day)  # a crew may have started during the solve
        plan_id = save_plan(session, data, problem, solution, source, notice)
    timings["save_s"] = time.perf_counter() - saved_at
    timings["total_s"] = time.perf_counter() - started
    return _result(plan_id, problem, solution, source, timings)


def _result(
    plan_id: int, problem: Problem, solution: Solution, source: str, timings: dict[str, float]
) -> PlanResult:
    stop_ids = problem_stop_ids(problem)
    return PlanResult(
        plan_id=plan_id,
        routes=solution.vehicles_used,
        stops=sum(1 for r in solution.routes for v in r.visits if v.stop_id in stop_ids),
        unassigned=tuple((int(u.stop_id), u.reason) for u in solution.unassigned),
        matrix_source=source,
        timings_s=timings,
    )


def problem_stop_ids(problem: Problem) -> frozenset[str]:
    """Ids of the real stops (pickups) of a problem, not unload visits."""
    return frozenset(stop.id for stop in problem.stops)
