"""Independent feasibility check of a solution, recomputed from the problem's matrices alone.

Deliberately shares no code with the solver or with ``routing.schedule.build_route``: a bug in
either must not hide itself here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from routing.problem import UNLOAD, Problem, Route, Solution, Stop, Vehicle


@dataclass(frozen=True)
class Violation:
    kind: str
    detail: str


def check_solution(problem: Problem, solution: Solution) -> list[Violation]:
    """Recompute a solution from the matrices and list every rule it breaks.

    Checks: each assigned stop is visited exactly once and assigned plus unassigned stops are
    exactly the problem's stops; the load (size points) never exceeds capacity between unloads,
    and the truck never goes to unload empty (first thing in the day, or twice in a row);
    service starts inside time windows (waiting allowed) and routes stay inside shifts
    (seconds); unload visits happen only at the disposal facility; reported travel times
    (seconds), distances (metres) and loads equal the recomputed ones.

    Args:
        problem: The problem that was solved.
        solution: The solution to check.

    Returns:
        The violations found; empty when the solution is feasible and its figures are exact.
    """
    violations = list(_check_coverage(problem, solution))
    violations += _check_vehicles(problem, solution)
    vehicles = {vehicle.id: vehicle for vehicle in problem.vehicles}
    stops = {stop.id: stop for stop in problem.stops}
    for route in solution.routes:
        if route.vehicle_id in vehicles:
            violations += _check_route(problem, vehicles[route.vehicle_id], stops, route)
    time_total = sum(route.travel_time_s for route in solution.routes)
    distance_total = sum(route.distance_m for route in solution.routes)
    if (solution.travel_time_s, solution.distance_m) != (time_total, distance_total):
        violations.append(Violation("totals", "solution totals differ from the sum of routes"))
    return violations


def _check_coverage(problem: Problem, solution: Solution) -> Iterator[Violation]:
    visited = Counter(
        visit.stop_id
        for route in solution.routes
        for visit in route.visits
        if visit.stop_id != UNLOAD
    )
    unassigned = Counter(item.stop_id for item in solution.unassigned)
    known = {stop.id for stop in problem.stops}
    for stop_id, count in (visited + unassigned).items():
        if stop_id not in known:
            yield Violation("unknown stop", f"{stop_id} is not a stop of the problem")
        elif count > 1:
            yield Violation("duplicate", f"{stop_id} is visited or listed {count} times")
    for stop_id in sorted(known - set(visited) - set(unassigned)):
        yield Violation("missing", f"{stop_id} is neither visited nor unassigned")
    for item in solution.unassigned:
        if not item.reason:
            yield Violation("no reason", f"{item.stop_id} is unassigned without a reason")


def _check_vehicles(problem: Problem, solution: Solution) -> list[Violation]:
    known = {vehicle.id for vehicle in problem.vehicles}
    counts = Counter(route.vehicle_id for route in solution.routes)
    return [
        Violation("vehicle", f"vehicle {vehicle_id} unknown or given {count} routes")
        for vehicle_id, count in counts.items()
        if vehicle_id not in known or count > 1
    ]


def _check_route(
    problem: Problem, vehicle: Vehicle, stops: dict[str, Stop], route: Route
) -> list[Violation]:
    if not route.visits:
        if route.travel_time_s or route.distance_m:
            return [Violation("totals", f"unused vehicle {vehicle.id} reports travel")]
        return []
    violations = _check_nodes(problem, stops, route)
    if violations:
        return violations
    violations += _check_times(problem, vehicle, stops, route)
    violations += _check_loads(vehicle, stops, route)
    violations += _check_route_totals(problem, vehicle, route)
    return violations


def _check_nodes(problem: Problem, stops: dict[str, Stop], route: Route) -> list[Violation]:
    violations = []
    facility = problem.disposal.node if problem.disposal is not None else None
    for visit in route.visits:
        if visit.stop_id == UNLOAD and facility is None:
            violations.append(Violation("unload", f"{route.vehicle_id} unloads with no facility"))
            continue
        if visit.stop_id == UNLOAD:
            expected = facility
        else:
            expected = stops[visit.stop_id].node if visit.stop_id in stops else None
        if expected is None or visit.node != expected:
            message = f"{route.vehicle_id}: {visit.stop_id} at wrong node {visit.node}"
            violations.append(Violation("node", message))
    return violations


def _service_s(problem: Problem, stops: dict[str, Stop], stop_id: str) -> int:
    if stop_id == UNLOAD:
        return problem.disposal.unload_s if problem.disposal is not None else 0
    return stops[stop_id].service_s


def _check_times(
    problem: Problem, vehicle: Vehicle, stops: dict[str, Stop], route: Route
) -> list[Violation]:
    name = route.vehicle_id
    violations = []
    if route.start_s < vehicle.shift_start_s:
        violations.append(Violation("shift", f"{name} leaves before its shift starts"))
    ready_s, node = route.start_s, vehicle.start_node
    for visit in route.visits:
        earliest_arrival = ready_s + problem.time_s[node][visit.node]
        window = stops[visit.stop_id].window if visit.stop_id != UNLOAD else None
        opens = window.earliest_s if window is not None else vehicle.shift_start_s
        closes = window.latest_s if window is not None else vehicle.shift_end_s
        if visit.arrival_s < earliest_arrival or visit.start_s < max(visit.arrival_s, opens):
            violations.append(Violation("time", f"{name}: {visit.stop_id} reached too early"))
        if visit.start_s > closes:
            violations.append(Violation("window", f"{name}: {visit.stop_id} served too late"))
        if visit.departure_s != visit.start_s + _service_s(problem, stops, visit.stop_id):
            violations.append(Violation("time", f"{name}: {visit.stop_id} wrong departure"))
        ready_s, node = visit.departure_s, visit.node
    back_s = ready_s + problem.time_s[node][vehicle.end_node]
    if route.end_s < back_s or route.end_s > vehicle.shift_end_s:
        violations.append(Violation("shift", f"{name} is back at {route.end_s}, not in shift"))
    return violations


def _check_loads(vehicle: Vehicle, stops: dict[str, Stop], route: Route) -> list[Violation]:
    violations = []
    load = 0
    for visit in route.visits:
        if visit.stop_id == UNLOAD and load == 0:
            message = f"{vehicle.id} unloads an empty truck at {visit.arrival_s} s"
            violations.append(Violation("empty unload", message))
        load = 0 if visit.stop_id == UNLOAD else load + stops[visit.stop_id].demand
        if load > vehicle.capacity:
            violations.append(Violation("capacity", f"{vehicle.id} carries {load} at {visit}"))
        if visit.load_after != load:
            violations.append(Violation("load", f"{vehicle.id}: reported load {visit.load_after}"))
    return violations


def _check_route_totals(problem: Problem, vehicle: Vehicle, route: Route) -> list[Violation]:
    path = [vehicle.start_node, *(visit.node for visit in route.visits), vehicle.end_node]
    legs = list(zip(path, path[1:], strict=False))
    travel_s = sum(problem.time_s[a][b] for a, b in legs)
    distance_m = sum(problem.distance_m[a][b] for a, b in legs)
    if (route.travel_time_s, route.distance_m) != (travel_s, distance_m):
        return [Violation("totals", f"{vehicle.id}: route totals differ from the matrices")]
    return []
