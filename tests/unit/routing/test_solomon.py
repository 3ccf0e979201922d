"""Tests for routing.solomon: parsing, integer scaling and double-precision scoring."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from routing.checker import check_solution
from routing.errors import SolomonFormatError
from routing.solomon import (
    build_problem,
    parse_solomon,
    read_solomon,
    route_distance,
    routes_feasible,
)
from routing.solver import solve_vrp

TINY = """TINY1

VEHICLE
NUMBER     CAPACITY
  3         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0        100          0
    1      3          4          4          0         10          1
    2      6          8          4         10         30          1
    3      0          1          5          0         50          2
"""


def test_parse_reads_fleet_depot_and_customers() -> None:
    instance = parse_solomon(TINY)

    assert (instance.name, instance.vehicle_count, instance.capacity) == ("TINY1", 3, 10)
    assert instance.depot.due == 100
    assert [c.number for c in instance.customers] == [1, 2, 3]
    assert instance.customers[1].ready == 10


def test_read_uses_the_file_stem_as_name(tmp_path: Path) -> None:
    path = tmp_path / "rc1_2_1.txt"
    path.write_text(TINY, encoding="utf-8")

    assert read_solomon(path).name == "RC1_2_1"


def test_malformed_text_raises() -> None:
    with pytest.raises(SolomonFormatError):
        parse_solomon("C101\nVEHICLE\n")
    with pytest.raises(SolomonFormatError):
        parse_solomon(TINY.replace("    3      0          1", "    3      0"))


def test_build_problem_scales_times_up_and_distances_to_nearest() -> None:
    problem = build_problem(parse_solomon(TINY), scale=100)

    assert problem.distance_m[0][1] == 500
    assert problem.time_s[0][3] == 100
    # node 1 is at (3, 4), node 3 at (0, 1)
    assert problem.time_s[1][3] == math.ceil(math.hypot(3, 3) * 100)
    assert problem.distance_m[1][3] == round(math.hypot(3, 3) * 100)
    assert [stop.id for stop in problem.stops] == ["1", "2", "3"]
    assert problem.stops[0].service_s == 100
    assert len(problem.vehicles) == 3


def test_route_distance_and_exact_feasibility() -> None:
    instance = parse_solomon(TINY)

    assert route_distance(instance, [[3, 1, 2]]) == pytest.approx(1 + math.hypot(3, 3) + 5 + 10)
    assert routes_feasible(instance, [[1, 2], [3]])
    assert not routes_feasible(instance, [[2, 1], [3]])  # customer 1 is due at 10
    assert not routes_feasible(instance, [[1, 2, 3]])  # 13 units on a 10-unit truck
    assert not routes_feasible(instance, [[1, 2]])  # customer 3 missing


def test_solver_solves_a_tiny_instance_feasibly() -> None:
    instance = parse_solomon(TINY)
    problem = build_problem(instance)

    solution = solve_vrp(problem, time_limit_s=0.5, objective="distance")

    routes = [[int(v.stop_id) for v in route.visits] for route in solution.routes if route.used]
    assert check_solution(problem, solution) == []
    assert solution.unassigned == ()
    assert routes_feasible(instance, routes)
    assert route_distance(instance, routes) == pytest.approx(solution.distance_m / 100, abs=0.05)
