"""Pure values describing a vehicle-routing problem and its solution.

Times are integer seconds from midnight, durations integer seconds, distances integer metres and
loads integer size points. Matrices are indexed by node: depots, stops and the disposal facility
all refer to rows of the same two matrices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from routing.errors import InvalidProblemError

Matrix = tuple[tuple[int, ...], ...]
Objective = Literal["time", "distance", "vehicles"]

UNLOAD = "__unload__"
"""Stop id used for a visit that unloads the truck at the disposal facility."""

REASON_DEMAND = "demand exceeds every vehicle's capacity"
REASON_WINDOW = "time window unreachable within shift"
REASON_FLEET = "no capacity left in fleet"
REASON_SHIFTS = "no time left in any shift"


@dataclass(frozen=True)
class TimeWindow:
    earliest_s: int
    latest_s: int


@dataclass(frozen=True)
class Vehicle:
    id: str
    capacity: int
    shift_start_s: int
    shift_end_s: int
    start_node: int
    end_node: int
    fixed_cost: int = 0


@dataclass(frozen=True)
class Stop:
    id: str
    node: int
    demand: int
    service_s: int
    window: TimeWindow | None = None


@dataclass(frozen=True)
class Disposal:
    node: int
    unload_s: int


@dataclass(frozen=True)
class Problem:
    time_s: Matrix
    distance_m: Matrix
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    disposal: Disposal | None = None

    def __post_init__(self) -> None:
        _validate_matrices(self.time_s, self.distance_m)
        _validate_vehicles(self.vehicles, len(self.time_s))
        _validate_stops(self.stops, len(self.time_s))
        if self.disposal is not None:
            _check_node(self.disposal.node, len(self.time_s), "disposal")
            _check_non_negative(self.disposal.unload_s, "disposal unload_s")


@dataclass(frozen=True)
class Visit:
    stop_id: str
    node: int
    arrival_s: int
    start_s: int
    departure_s: int
    load_after: int


@dataclass(frozen=True)
class Route:
    vehicle_id: str
    start_s: int
    end_s: int
    visits: tuple[Visit, ...]
    travel_time_s: int
    distance_m: int

    @property
    def used(self) -> bool:
        return bool(self.visits)


@dataclass(frozen=True)
class Unassigned:
    stop_id: str
    reason: str


@dataclass(frozen=True)
class Solution:
    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    travel_time_s: int
    distance_m: int
    stats: Mapping[str, float] = field(default_factory=dict, compare=False)

    @property
    def vehicles_used(self) -> int:
        return sum(1 for route in self.routes if route.used)


def _check_node(node: int, size: int, what: str) -> None:
    if not 0 <= node < size:
        raise InvalidProblemError(f"{what}: node {node} outside the {size}x{size} matrix")


def _check_non_negative(value: int, what: str) -> None:
    if value < 0:
        raise InvalidProblemError(f"{what} must not be negative (got {value})")


def _validate_matrices(time_s: Matrix, distance_m: Matrix) -> None:
    size = len(time_s)
    if size == 0 or len(distance_m) != size:
        raise InvalidProblemError("time and distance matrices must be non-empty and equal size")
    for row_t, row_d in zip(time_s, distance_m, strict=True):
        if len(row_t) != size or len(row_d) != size:
            raise InvalidProblemError("time and distance matrices must be square")
        if min(row_t) < 0 or min(row_d) < 0:
            raise InvalidProblemError("matrix entries must not be negative")


def _validate_vehicles(vehicles: Sequence[Vehicle], size: int) -> None:
    if len({vehicle.id for vehicle in vehicles}) != len(vehicles):
        raise InvalidProblemError("vehicle ids must be unique")
    for vehicle in vehicles:
        _check_node(vehicle.start_node, size, f"vehicle {vehicle.id} start")
        _check_node(vehicle.end_node, size, f"vehicle {vehicle.id} end")
        _check_non_negative(vehicle.capacity, f"vehicle {vehicle.id} capacity")
        _check_non_negative(vehicle.fixed_cost, f"vehicle {vehicle.id} fixed_cost")
        if vehicle.shift_start_s > vehicle.shift_end_s:
            raise InvalidProblemError(f"vehicle {vehicle.id}: shift ends before it starts")


def _validate_stops(stops: Sequence[Stop], size: int) -> None:
    ids = [stop.id for stop in stops]
    if len(set(ids)) != len(ids) or UNLOAD in ids:
        raise InvalidProblemError(f"stop ids must be unique and differ from {UNLOAD!r}")
    for stop in stops:
        _check_node(stop.node, size, f"stop {stop.id}")
        _check_non_negative(stop.demand, f"stop {stop.id} demand")
        _check_non_negative(stop.service_s, f"stop {stop.id} service_s")
        if stop.window is not None and stop.window.earliest_s > stop.window.latest_s:
            raise InvalidProblemError(f"stop {stop.id}: time window ends before it starts")


def _reaches_in_shift(problem: Problem, vehicle: Vehicle, stop: Stop) -> bool:
    arrival_s = vehicle.shift_start_s + problem.time_s[vehicle.start_node][stop.node]
    earliest_s, latest_s = _window_bounds(stop, vehicle)
    begin_s = max(arrival_s, earliest_s)
    back_s = begin_s + stop.service_s + problem.time_s[stop.node][vehicle.end_node]
    return begin_s <= latest_s and back_s <= vehicle.shift_end_s


def _window_bounds(stop: Stop, vehicle: Vehicle) -> tuple[int, int]:
    if stop.window is None:
        return vehicle.shift_start_s, vehicle.shift_end_s
    return stop.window.earliest_s, stop.window.latest_s


def diagnose_stop(problem: Problem, stop: Stop) -> str | None:
    """Explain why no vehicle could ever serve a stop on its own, if that is the case.

    Args:
        problem: The routing problem the stop belongs to.
        stop: The stop to examine (demand in size points, times in seconds).

    Returns:
        One of the ``REASON_*`` strings, or ``None`` if at least one vehicle can serve the
        stop when it carries nothing else.
    """
    large_enough = [v for v in problem.vehicles if v.capacity >= stop.demand]
    if not large_enough:
        return REASON_DEMAND
    if not any(_reaches_in_shift(problem, vehicle, stop) for vehicle in large_enough):
        return REASON_WINDOW
    return None


def diagnose_unserved(problem: Problem, sequences: Mapping[str, Sequence[str]]) -> list[Unassigned]:
    """Give a reason for every stop that a plan leaves out.

    Args:
        problem: The problem (every stop in it passed ``diagnose_stop``).
        sequences: Vehicle id -> stop ids in visiting order.

    Returns:
        One ``Unassigned`` per stop missing from the sequences: ``REASON_FLEET`` when no truck
        has room for its demand (size points) and there is no facility to unload at,
        ``REASON_SHIFTS`` otherwise.
    """
    served = {stop_id for visits in sequences.values() for stop_id in visits}
    demand = {stop.id: stop.demand for stop in problem.stops}
    spare = max(
        v.capacity - sum(demand.get(s, 0) for s in sequences.get(v.id, ()))
        for v in problem.vehicles
    )
    return [
        Unassigned(stop.id, REASON_FLEET if full else REASON_SHIFTS)
        for stop in problem.stops
        if stop.id not in served
        for full in [problem.disposal is None and stop.demand > spare]
    ]


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
    return stops[stop_id].node, _window_bounds(stops[stop_id], vehicle)[0]


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
