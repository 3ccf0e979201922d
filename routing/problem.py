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


def window_bounds(stop: Stop, vehicle: Vehicle) -> tuple[int, int]:
    """When the stop may be served (seconds): its window, or the vehicle's shift without one."""
    if stop.window is None:
        return vehicle.shift_start_s, vehicle.shift_end_s
    return stop.window.earliest_s, stop.window.latest_s
