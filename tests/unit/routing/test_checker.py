"""Tests for routing.checker: each rule is caught on a hand-made solution."""

from __future__ import annotations

import dataclasses

from routing.checker import Violation, check_solution
from routing.problem import (
    UNLOAD,
    Disposal,
    Problem,
    Solution,
    Stop,
    TimeWindow,
    Unassigned,
    Vehicle,
)
from routing.schedule import build_solution

# Nodes 0 (depot), 1, 2, 3 (disposal facility) on a line, 100 s and 1,000 m apart.
TIME_S = tuple(tuple(abs(a - b) * 100 for b in range(4)) for a in range(4))
DISTANCE_M = tuple(tuple(abs(a - b) * 1000 for b in range(4)) for a in range(4))
TRUCK = Vehicle("truck", capacity=5, shift_start_s=0, shift_end_s=10_000, start_node=0, end_node=0)
STOPS = (
    Stop("a", 1, 3, 60, TimeWindow(0, 1_000)),
    Stop("b", 2, 3, 60),
)


FACILITY = Disposal(3, 300)


def make_problem(disposal: Disposal | None = FACILITY) -> Problem:
    return Problem(TIME_S, DISTANCE_M, (TRUCK,), STOPS, disposal)


def kinds(violations: list[Violation]) -> set[str]:
    return {violation.kind for violation in violations}


def with_route_visits(solution: Solution, **changes: object) -> Solution:
    """Return the solution with the first visit of the first route changed."""
    route = solution.routes[0]
    visits = (dataclasses.replace(route.visits[0], **changes), *route.visits[1:])  # type: ignore[arg-type]
    return dataclasses.replace(solution, routes=(dataclasses.replace(route, visits=visits),))


def test_a_feasible_solution_with_an_unload_has_no_violations() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": ["a", UNLOAD, "b"]})

    assert check_solution(problem, solution) == []
    assert [visit.load_after for visit in solution.routes[0].visits] == [3, 0, 3]
    assert solution.distance_m == 1000 + 2000 + 1000 + 2000


def test_capacity_exceeded_without_unload() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": ["a", "b"]})

    assert kinds(check_solution(problem, solution)) == {"capacity"}


def test_unload_without_a_facility_is_reported() -> None:
    with_facility = build_solution(make_problem(), {"truck": ["a", UNLOAD, "b"]})
    problem = make_problem(disposal=None)

    assert "unload" in kinds(check_solution(problem, with_facility))


def test_missing_and_duplicate_stops_are_reported() -> None:
    problem = make_problem()
    missing = build_solution(problem, {"truck": ["a"]})
    twice = build_solution(
        problem, {"truck": ["a"]}, [Unassigned("a", "test"), Unassigned("b", "x")]
    )

    assert kinds(check_solution(problem, missing)) == {"missing"}
    assert kinds(check_solution(problem, twice)) == {"duplicate"}


def test_unassigned_stop_needs_a_reason() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": ["a"]}, [Unassigned("b", "")])

    assert kinds(check_solution(problem, solution)) == {"no reason"}


def test_late_service_breaks_the_window() -> None:
    problem = make_problem()
    solution = with_route_visits(
        build_solution(problem, {"truck": ["a"]}, [Unassigned("b", "test")]),
        start_s=1_500,
        departure_s=1_560,
    )

    assert "window" in kinds(check_solution(problem, solution))


def test_arriving_faster_than_the_matrix_allows_is_reported() -> None:
    problem = make_problem()
    solution = with_route_visits(
        build_solution(problem, {"truck": ["a"]}, [Unassigned("b", "test")]), arrival_s=10
    )

    assert "time" in kinds(check_solution(problem, solution))


def test_shift_end_is_enforced() -> None:
    short = dataclasses.replace(TRUCK, shift_end_s=300)
    problem = Problem(TIME_S, DISTANCE_M, (short,), STOPS, Disposal(3, 300))
    solution = build_solution(problem, {"truck": ["a", UNLOAD, "b"]})

    assert "shift" in kinds(check_solution(problem, solution))


def test_tampered_totals_and_loads_are_reported() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": ["a", UNLOAD, "b"]})

    cheaper = dataclasses.replace(solution, distance_m=solution.distance_m - 1)
    lighter = with_route_visits(solution, load_after=0)

    assert kinds(check_solution(problem, cheaper)) == {"totals"}
    assert kinds(check_solution(problem, lighter)) == {"load"}


def test_visit_at_the_wrong_node_is_reported() -> None:
    problem = make_problem()
    solution = with_route_visits(build_solution(problem, {"truck": ["a", UNLOAD, "b"]}), node=2)

    assert kinds(check_solution(problem, solution)) == {"node"}


def test_leaving_before_the_shift_starts_is_reported() -> None:
    late = dataclasses.replace(TRUCK, shift_start_s=500)
    problem = Problem(TIME_S, DISTANCE_M, (late,), STOPS, FACILITY)
    solution = build_solution(problem, {"truck": ["a", UNLOAD, "b"]})
    early = dataclasses.replace(solution.routes[0], start_s=0)

    assert "shift" in kinds(check_solution(problem, dataclasses.replace(solution, routes=(early,))))


def test_an_unload_before_any_pickup_is_rejected() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": [UNLOAD, "a", UNLOAD, "b"]})

    assert kinds(check_solution(problem, solution)) == {"empty unload"}


def test_two_unloads_in_a_row_are_rejected() -> None:
    problem = make_problem()
    solution = build_solution(problem, {"truck": ["a", UNLOAD, UNLOAD, "b"]})

    assert kinds(check_solution(problem, solution)) == {"empty unload"}
