"""Tests for routing.search_pool: chains in helper processes and in this one."""

from __future__ import annotations

import time

from routing.checker import check_solution
from routing.helper_pool import helper_pool
from routing.problem import Problem, Stop, Vehicle
from routing.schedule import build_solution
from routing.search_pool import ChainCosts, ChainRunner

POINTS = [(0, 0), (1, 1), (2, 1), (3, 1), (1, -1), (2, -1), (3, -1)]
MATRIX = tuple(tuple(100 * (abs(ax - bx) + abs(ay - by)) for bx, by in POINTS) for ax, ay in POINTS)
START = {"v0": ["s1", "s4", "s2", "s5"], "v1": ["s6", "s3"]}


def make_problem() -> Problem:
    vehicles = tuple(Vehicle(f"v{k}", 4, 0, 10_000, 0, 0) for k in range(2))
    stops = tuple(Stop(f"s{node}", node, 1, 30) for node in range(1, len(POINTS)))
    return Problem(MATRIX, MATRIX, vehicles, stops)


def test_helpers_and_this_process_return_the_cheapest_feasible_plan() -> None:
    problem = make_problem()
    with helper_pool(1) as pool:
        deadline = time.monotonic() + 1.0
        costs = ChainCosts(MATRIX, [0, 0], 100_000, (time.monotonic(), deadline))
        runner = ChainRunner(problem, costs, pool)
        runner.submit(START, deadline, seed=1)
        assert len(runner.pending) == 1 and pool.helpers[0].busy

        best = runner.improve(dict(START), deadline, seed=0)

    assert runner.pending == []
    assert check_solution(problem, build_solution(problem, best)) == []
    assert runner.cost(best) < runner.cost(START)


def test_without_helpers_submit_does_nothing() -> None:
    problem = make_problem()
    with helper_pool(0) as pool:
        deadline = time.monotonic() + 0.2
        runner = ChainRunner(problem, ChainCosts(MATRIX, [0, 0], 100_000, (0.0, deadline)), pool)
        runner.submit(START, deadline, seed=1)

        best = runner.improve(dict(START), deadline, seed=0)

    assert pool.workers == 0 and runner.pending == []
    assert runner.cost(best) <= runner.cost(START)


def test_a_pool_whose_helpers_died_leaves_the_search_to_this_process() -> None:
    problem = make_problem()
    with helper_pool(1) as pool:
        pool.helpers[0].process.kill()  # the helper dies
        pool.helpers[0].process.join()
        deadline = time.monotonic() + 0.3
        runner = ChainRunner(problem, ChainCosts(MATRIX, [0, 0], 100_000, (0.0, deadline)), pool)

        runner.submit(START, deadline, seed=1)  # must not raise
        best = runner.improve(dict(START), deadline, seed=0)

    assert runner.pending == [] and not pool.helpers[0].alive
    assert check_solution(problem, build_solution(problem, best)) == []
    assert runner.cost(best) <= runner.cost(START)
