"""Solomon / Gehring-Homberger VRPTW benchmark files: parsing, problem building, exact scoring.

The classic text format has a ``VEHICLE`` block (number, capacity) and a ``CUSTOMER`` table
``CUST NO. XCOORD YCOORD DEMAND READY_TIME DUE_DATE SERVICE_TIME`` whose first row is the depot.
Distances are Euclidean and travel time equals distance. Solvers get integers scaled by
``scale``: distances rounded, travel times rounded up, so a schedule that fits in integers also
fits in double precision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from routing.errors import SolomonFormatError
from routing.problem import Problem, Stop, TimeWindow, Vehicle

_EPS = 1e-6


@dataclass(frozen=True)
class Customer:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class SolomonInstance:
    name: str
    vehicle_count: int
    capacity: int
    depot: Customer
    customers: tuple[Customer, ...]

    @property
    def sites(self) -> tuple[Customer, ...]:
        """Depot first, then customers: the node order used by ``build_problem``."""
        return (self.depot, *self.customers)


def parse_solomon(text: str, name: str | None = None) -> SolomonInstance:
    """Parse the text of a Solomon-format instance.

    Args:
        text: The file content.
        name: Instance name; defaults to the first non-empty line of the file.

    Returns:
        The parsed instance (any number of customers and vehicles).

    Raises:
        SolomonFormatError: The text lacks the VEHICLE or CUSTOMER block or has bad rows.
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    upper = [line.upper() for line in lines]
    if "VEHICLE" not in upper or "CUSTOMER" not in upper:
        raise SolomonFormatError("missing VEHICLE or CUSTOMER section")
    try:
        fleet = lines[upper.index("VEHICLE") + 2].split()
        vehicle_count, capacity = int(fleet[0]), int(fleet[1])
        rows = [_parse_row(line) for line in lines[upper.index("CUSTOMER") + 2 :]]
    except (IndexError, ValueError) as exc:
        raise SolomonFormatError(f"malformed instance: {exc}") from exc
    if not rows:
        raise SolomonFormatError("no depot row")
    return SolomonInstance(name or lines[0], vehicle_count, capacity, rows[0], tuple(rows[1:]))


def _parse_row(line: str) -> Customer:
    fields = line.split()
    if len(fields) != 7:
        raise ValueError(f"expected 7 columns, got {line!r}")
    number, x, y, demand, ready, due, service = (float(value) for value in fields)
    return Customer(int(number), x, y, int(demand), int(ready), int(due), int(service))


def read_solomon(path: Path) -> SolomonInstance:
    """Read a Solomon-format file; the name is the file stem in upper case.

    Args:
        path: Path of the ``.txt`` file.

    Returns:
        The parsed instance.

    Raises:
        SolomonFormatError: The file is not in Solomon format.
    """
    return parse_solomon(path.read_text(encoding="utf-8"), name=path.stem.upper())


def euclidean(a: Customer, b: Customer) -> float:
    """Return the double-precision Euclidean distance between two sites (benchmark units)."""
    return math.hypot(a.x - b.x, a.y - b.y)


def build_problem(
    instance: SolomonInstance, *, scale: int = 100, vehicle_count: int | None = None
) -> Problem:
    """Build an integer routing problem from a benchmark instance.

    Args:
        instance: The parsed instance.
        scale: Multiplier applied to distances, times and service durations before rounding.
        vehicle_count: Number of vehicles to offer; defaults to the instance's fleet size.

    Returns:
        A problem whose node ``i`` is site ``i`` (0 = depot) and whose stop ids are the
        customer numbers as strings.
    """
    sites = instance.sites
    exact = [[euclidean(a, b) for b in sites] for a in sites]
    time_s = tuple(tuple(math.ceil(d * scale - _EPS) for d in row) for row in exact)
    distance_m = tuple(tuple(round(d * scale) for d in row) for row in exact)
    depot = instance.depot
    fleet = instance.vehicle_count if vehicle_count is None else vehicle_count
    vehicles = tuple(
        Vehicle(str(k), instance.capacity, depot.ready * scale, depot.due * scale, 0, 0)
        for k in range(fleet)
    )
    stops = tuple(
        Stop(
            str(c.number),
            node,
            c.demand,
            c.service * scale,
            TimeWindow(c.ready * scale, c.due * scale),
        )
        for node, c in enumerate(instance.customers, start=1)
    )
    return Problem(time_s, distance_m, vehicles, stops)


def route_distance(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> float:
    """Return the double-precision length of routes given as customer numbers.

    Args:
        instance: The benchmark instance.
        routes: Each route as customer numbers in visiting order (depot implicit at both ends).

    Returns:
        Total Euclidean distance in benchmark units.
    """
    by_number = {c.number: c for c in instance.customers}
    total = 0.0
    for route in routes:
        path = [instance.depot, *(by_number[n] for n in route), instance.depot]
        total += sum(euclidean(a, b) for a, b in zip(path, path[1:], strict=False))
    return total


def routes_feasible(instance: SolomonInstance, routes: Sequence[Sequence[int]]) -> bool:
    """Check capacity and time windows of routes in double precision.

    Args:
        instance: The benchmark instance.
        routes: Each route as customer numbers in visiting order.

    Returns:
        True if every customer is served once and every route keeps capacity and windows.
    """
    numbers = sorted(n for route in routes for n in route)
    if numbers != sorted(c.number for c in instance.customers):
        return False
    if len([route for route in routes if route]) > instance.vehicle_count:
        return False
    by_number = {c.number: c for c in instance.customers}
    return all(_route_feasible(instance, [by_number[n] for n in route]) for route in routes)


def _route_feasible(instance: SolomonInstance, route: Sequence[Customer]) -> bool:
    if sum(c.demand for c in route) > instance.capacity:
        return False
    clock, here = float(instance.depot.ready), instance.depot
    for site in (*route, instance.depot):
        clock += euclidean(here, site)
        if clock > site.due + _EPS:
            return False
        clock = max(clock, float(site.ready)) + site.service
        here = site
    return True
