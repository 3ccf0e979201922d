"""Write a solved plan: plan, routes, stops with ETAs and road geometry; bookings -> 作業中."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from geo.models import Route, RoutePlan, RouteStop
from geo.paths import LegPath, leg_paths
from routing.problem import UNLOAD, Problem, Solution
from routing.problem import Route as SolvedRoute
from workflow.clock import TOKYO
from workflow.plans.routed_status import follow_plan, routed_booking_ids
from workflow.reports.transitions import NoticeBuilder


@dataclass(frozen=True)
class Pickup:
    """One booking to collect: place (lon, lat), load (size points) and item count."""

    booking_id: int
    report_id: int
    lon: float
    lat: float
    size_points: int
    item_count: int


@dataclass(frozen=True)
class PlanInput:
    """A day's pickups and fleet. ``points`` = depot, [disposal], pickups (lon, lat)."""

    municipality_id: int
    service_date: dt.date
    pickups: tuple[Pickup, ...]
    points: tuple[tuple[float, float], ...]
    vehicles: tuple[tuple[int, str, int, int, int], ...]  # id, code, capacity, start_s, end_s
    has_disposal: bool
    unload_s: int
    vertex_ids: tuple[int, ...]


def _at(day: dt.date, seconds: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=TOKYO) + dt.timedelta(seconds=seconds)


def _nodes(route: SolvedRoute, problem: Problem) -> list[int]:
    vehicle = next(v for v in problem.vehicles if v.id == route.vehicle_id)
    return [vehicle.start_node, *(v.node for v in route.visits), vehicle.end_node]


def _legs(
    data: PlanInput, problem: Problem, solution: Solution, session: Session
) -> dict[tuple[int, int], LegPath]:
    if not data.vertex_ids:
        return {}
    pairs = {
        (data.vertex_ids[a], data.vertex_ids[b])
        for route in solution.routes
        if route.used
        for a, b in zip(_nodes(route, problem), _nodes(route, problem)[1:], strict=False)
    }
    return {
        (p.source, p.target): p for p in leg_paths(session, data.municipality_id, sorted(pairs))
    }


def _geom(data: PlanInput, legs: dict[tuple[int, int], LegPath], a: int, b: int) -> str | None:
    if not data.vertex_ids:
        return None
    path = legs.get((data.vertex_ids[a], data.vertex_ids[b]))
    return f"SRID=4326;{path.wkt}" if path and path.wkt else None


def _leg_m(
    data: PlanInput, legs: dict[tuple[int, int], LegPath], problem: Problem, a: int, b: int
) -> int:
    """Length of the leg actually driven (pgRouting path), else the matrix estimate."""
    if data.vertex_ids:
        path = legs.get((data.vertex_ids[a], data.vertex_ids[b]))
        if path is not None:
            return round(path.length_m)
    return problem.distance_m[a][b]


def _save_route(
    session: Session,
    data: PlanInput,
    problem: Problem,
    plan_id: int,
    route: SolvedRoute,
    legs: dict[tuple[int, int], LegPath],
) -> int:
    mid, day = data.municipality_id, data.service_date
    row = Route(
        municipality_id=mid,
        plan_id=plan_id,
        vehicle_id=int(route.vehicle_id),
        distance_m=route.distance_m,
        duration_s=route.end_s - route.start_s,
        start_at=_at(day, route.start_s),
        end_at=_at(day, route.end_s),
    )
    session.add(row)
    session.flush()
    nodes = _nodes(route, problem)
    stops = [*route.visits, None]
    for seq, (visit, a, b) in enumerate(zip(stops, nodes[:-1], nodes[1:], strict=True), start=1):
        pickup = visit is not None and visit.stop_id != UNLOAD
        session.add(
            RouteStop(
                municipality_id=mid,
                route_id=row.id,
                seq=seq,
                kind="pickup" if pickup else ("unload" if visit else "depot"),
                booking_id=int(visit.stop_id) if visit is not None and pickup else None,
                eta=_at(day, visit.arrival_s if visit else route.end_s),
                leg_distance_m=_leg_m(data, legs, problem, a, b),
                leg_duration_s=problem.time_s[a][b],
                leg_geom=_geom(data, legs, a, b),
            )
        )
    session.flush()
    session.execute(
        text(
            "UPDATE route SET geom = (SELECT ST_MakeLine(leg_geom ORDER BY seq) FROM route_stop "
            "WHERE municipality_id = :m AND route_id = :r AND leg_geom IS NOT NULL), "
            "distance_m = (SELECT sum(leg_distance_m) FROM route_stop WHERE municipality_id = :m "
            "AND route_id = :r) WHERE municipality_id = :m AND id = :r"
        ),
        {"m": mid, "r": row.id},
    )
    return sum(1 for v in route.visits if v.stop_id != UNLOAD)


def save_plan(
    session: Session,
    data: PlanInput,
    problem: Problem,
    solution: Solution,
    matrix_source: str,
    notice: NoticeBuilder | None = None,
) -> int:
    """Replace the day's draft plan with ``solution`` (caller's transaction); returns plan id.

    Args:
        session: open session; the caller commits.
        data: the plan's input as gathered.
        problem: the solved problem (node indices refer to ``data.points``).
        solution: the solver's result.
        matrix_source: "pgrouting" or "haversine".
        notice: the push for bookings newly at 作業中 (``workflow.plans.routed_status``).
    """
    mid = data.municipality_id
    previously_routed = routed_booking_ids(session, mid, data.service_date)
    session.execute(
        delete(RoutePlan).where(
            RoutePlan.municipality_id == mid, RoutePlan.service_date == data.service_date
        )
    )
    plan = RoutePlan(
        municipality_id=mid,
        service_date=data.service_date,
        status="draft",
        matrix_source=matrix_source,
        stats={
            "unassigned": [[u.stop_id, u.reason] for u in solution.unassigned],
            "travel_time_s": solution.travel_time_s,
            "distance_m": solution.distance_m,
            **dict(solution.stats),
        },
    )
    session.add(plan)
    session.flush()
    legs = _legs(data, problem, solution, session)
    for route in solution.routes:
        if route.used:
            _save_route(session, data, problem, plan.id, route, legs)
    assigned = [int(v.stop_id) for r in solution.routes for v in r.visits if v.stop_id != UNLOAD]
    follow_plan(session, mid, assigned, previously_routed, notice)
    return plan.id
