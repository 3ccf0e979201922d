"""A plan's visiting orders turned into a schedule: times, loads and totals per route.

Each visit starts as early as its window allows; ``routing.checker`` verifies the result
independently (it shares no code with this module).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from routing.errors import InvalidProblemError
from routing.problem import (
    UNLOAD,
    Problem,
    Route,
    Solution,
    Stop,
    Unassigned,
    Vehicle,
    Visit,
    window_bounds,
)


def build_route(problem: Problem, vehicle: Vehicle, stop_ids: Sequence[str]) -> Route:
    """Schedule a vehicle's visits in the given order, each as early as its window allows.

    The truck leaves its start node just in time for the first visit (never before its shift
    starts); waiting happens at a stop when the truck arrives before the window opens. Times that
    break windows or the shift are reported as they are; ``check_solution`` flags them.

    Args:
        problem: The routing problem (matrices in seconds and metres).
        vehicle: The vehicle driving the route.
        stop_ids: Stop ids in visiting order; ``UNLOAD`` marks a trip to the disposal facility.

    Returns:
        The scheduled route with loads (size points) after every visit and its totals.

    Raises:
        InvalidProblemError: An id is unknown, or ``UNLOAD`` is used without a facility.
    """
    stops = {stop.id: stop for stop in problem.stops}
    if not stop_ids:
        return Route(vehicle.id, vehicle.shift_start_s, vehicle.shift_start_s, (), 0, 0)
    first_node, first_earliest = _visit_target(problem, stops, stop_ids[0], vehicle)
    lead_s = problem.time_s[vehicle.start_node][first_node]
    start_s = max(vehicle.shift_start_s, first_earliest - lead_s)
    clock_s, node, load, visits = start_s, vehicle.start_node, 0, []
    travel_s = distance_m = 0
    for stop_id in stop_ids:
        target, earliest = _visit_target(problem, stops, stop_id, vehicle)
        travel_s += problem.time_s[node][target]
        distance_m += problem.distance_m[node][target]
        arrival_s = clock_s + problem.time_s[node][target]
        begin_s = max(arrival_s, earliest)
        clock_s = begin_s + _service_s(problem, stops, stop_id)
        load = 0 if stop_id == UNLOAD else load + stops[stop_id].demand
        visits.append(Visit(stop_id, target, arrival_s, begin_s, clock_s, load))
        node = target
    travel_s += problem.time_s[node][vehicle.end_node]
    distance_m += problem.distance_m[node][vehicle.end_node]
    end_s = clock_s + problem.time_s[node][vehicle.end_node]
    return Route(vehicle.id, start_s, end_s, tuple(visits), travel_s, distance_m)


def _visit_target(
    problem: Problem, stops: Mapping[str, Stop], stop_id: str, vehicle: Vehicle
) -> tuple[int, int]:
    if stop_id == UNLOAD:
        if problem.disposal is None:
            raise InvalidProblemError("UNLOAD visit in a problem without a disposal facility")
        return problem.disposal.node, vehicle.shift_start_s
    if stop_id not in stops:
        raise InvalidProblemError(f"unknown stop id {stop_id!r}")
    return stops[stop_id].node, window_bounds(stops[stop_id], vehicle)[0]


def _service_s(problem: Problem, stops: Mapping[str, Stop], stop_id: str) -> int:
    if stop_id == UNLOAD:
        return problem.disposal.unload_s if problem.disposal is not None else 0
    return stops[stop_id].service_s


def build_solution(
    problem: Problem,
    sequences: Mapping[str, Sequence[str]],
    unassigned: Sequence[Unassigned] = (),
    stats: Mapping[str, float] | None = None,
) -> Solution:
    """Turn visiting orders per vehicle into a fully scheduled solution.

    Args:
        problem: The routing problem.
        sequences: Vehicle id -> stop ids in visiting order (``UNLOAD`` allowed); vehicles
            missing from the mapping stay unused.
        unassigned: Stops deliberately left out, each with its reason.
        stats: Free-form solver statistics to attach (not compared).

    Returns:
        A solution with one route per vehicle in problem order and recomputed totals
        (travel time in seconds, distance in metres).

    Raises:
        InvalidProblemError: A sequence names an unknown vehicle or stop.
    """
    known = {vehicle.id for vehicle in problem.vehicles}
    if unknown := set(sequences) - known:
        raise InvalidProblemError(f"unknown vehicle ids {sorted(unknown)}")
    routes = tuple(
        build_route(problem, vehicle, sequences.get(vehicle.id, ())) for vehicle in problem.vehicles
    )
    return Solution(
        routes=routes,
        unassigned=tuple(unassigned),
        travel_time_s=sum(route.travel_time_s for route in routes),
        distance_m=sum(route.distance_m for route in routes),
        stats=dict(stats or {}),
    )
