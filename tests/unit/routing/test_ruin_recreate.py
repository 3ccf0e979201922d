"""Tests for routing.ruin_recreate: never worse than the start, always feasible."""

from __future__ import annotations

import time

from routing.checker import check_solution
from routing.problem import Problem, Stop, TimeWindow, Vehicle
from routing.ruin_recreate import improve_routes, plan_cost
from routing.schedule import build_solution

# Eight stops on a 4 x 2 grid around the depot (node 0), 100 s / 100 m per grid step.
POINTS = [(0, 0), (1, 1), (2, 1), (3, 1), (4, 1), (1, -1), (2, -1), (3, -1), (4, -1)]
MATRIX = tuple(tuple(100 * (abs(ax - bx) + abs(ay - by)) for bx, by in POINTS) for ax, ay in POINTS)


def make_problem() -> Problem:
    vehicles = tuple(Vehicle(f"v{k}", 4, 0, 10_000, 0, 0) for k in range(3))
    stops = tuple(
        Stop(f"s{node}", node, 1, 30, TimeWindow(0, 5_000) if node % 2 else None)
        for node in range(1, len(POINTS))
    )
    return Problem(MATRIX, MATRIX, vehicles, stops)


def total_cost(problem: Problem, sequences: dict[str, list[str]]) -> int:
    return build_solution(problem, sequences).distance_m


def test_improves_a_poor_start_and_stays_feasible() -> None:
    problem = make_problem()
    # Zig-zag between the two rows: long, but feasible.
    start = {"v0": ["s1", "s5", "s2", "s6"], "v1": ["s7", "s3", "s8", "s4"], "v2": []}

    improved = improve_routes(
        problem,
        start,
        cost_matrix=MATRIX,
        fixed_costs=[0, 0, 0],
        drop_penalty=100_000,
        deadline=time.monotonic() + 0.3,
        seed=1,
    )

    solution = build_solution(problem, improved)
    assert check_solution(problem, solution) == []
    assert total_cost(problem, improved) < total_cost(problem, start)


def test_inserts_stops_missing_from_the_start() -> None:
    problem = make_problem()

    improved = improve_routes(
        problem,
        {"v0": ["s1"]},
        cost_matrix=MATRIX,
        fixed_costs=[0, 0, 0],
        drop_penalty=100_000,
        deadline=time.monotonic() + 0.2,
        seed=2,
    )

    served = sorted(stop_id for visits in improved.values() for stop_id in visits)
    assert served == sorted(stop.id for stop in problem.stops)
    assert check_solution(problem, build_solution(problem, improved)) == []


def test_plan_cost_counts_arcs_fixed_costs_and_penalties() -> None:
    problem = make_problem()

    cost = plan_cost(
        problem,
        {"v0": ["s1", "s2"], "v1": [], "v2": []},
        cost_matrix=MATRIX,
        fixed_costs=[50, 50, 50],
        drop_penalty=1_000,
    )

    # 0 -> s1 -> s2 -> 0 is 200 + 100 + 300, one vehicle used, six stops left out.
    assert cost == 600 + 50 + 6 * 1_000


def test_a_shared_cooling_window_still_improves() -> None:
    problem = make_problem()
    start = {"v0": ["s1", "s5", "s2", "s6"], "v1": ["s7", "s3", "s8", "s4"], "v2": []}
    now = time.monotonic()

    improved = improve_routes(
        problem,
        start,
        cost_matrix=MATRIX,
        fixed_costs=[0, 0, 0],
        drop_penalty=100_000,
        deadline=now + 0.2,
        seed=3,
        cooling=(now - 1.0, now + 0.2),
    )

    assert check_solution(problem, build_solution(problem, improved)) == []
    assert total_cost(problem, improved) < total_cost(problem, start)
