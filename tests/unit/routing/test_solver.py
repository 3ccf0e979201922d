"""Tests for routing.solver: feasibility and invariants on tiny hand-made matrices."""

from __future__ import annotations

import random

import pytest

from routing.checker import check_solution
from routing.errors import InvalidProblemError
from routing.problem import (
    REASON_DEMAND,
    REASON_FLEET,
    REASON_SHIFTS,
    REASON_WINDOW,
    UNLOAD,
    Disposal,
    Matrix,
    Objective,
    Problem,
    Solution,
    Stop,
    TimeWindow,
    Vehicle,
)
from routing.solver import solve_vrp

LIMIT_S = 0.5


def line_matrix(positions: list[int], seconds_per_unit: int = 60) -> Matrix:
    """Nodes on a straight road: travel is proportional to the gap between positions."""
    return tuple(tuple(abs(a - b) * seconds_per_unit for b in positions) for a in positions)


def make_problem(
    stops: tuple[Stop, ...],
    *,
    vehicles: int = 2,
    capacity: int = 10,
    shift: tuple[int, int] = (8 * 3600, 17 * 3600),
    disposal: Disposal | None = None,
    positions: tuple[int, ...] = (0, 1, 2, 3, 4, 5),
) -> Problem:
    time_s = line_matrix(list(positions))
    distance_m = line_matrix(list(positions), seconds_per_unit=500)
    fleet = tuple(
        Vehicle(f"truck-{k}", capacity, shift[0], shift[1], 0, 0, fixed_cost=1000)
        for k in range(vehicles)
    )
    return Problem(time_s, distance_m, fleet, stops, disposal)


def assert_feasible(problem: Problem, solution: Solution) -> None:
    assert check_solution(problem, solution) == []


def served(solution: Solution) -> set[str]:
    return {v.stop_id for r in solution.routes for v in r.visits if v.stop_id != UNLOAD}


def test_serves_every_stop_of_an_easy_problem() -> None:
    stops = tuple(Stop(f"s{n}", n, 2, 300) for n in range(1, 6))
    problem = make_problem(stops)

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    assert served(solution) == {stop.id for stop in stops}
    assert solution.unassigned == ()
    assert solution.vehicles_used == 1  # the fixed cost makes a second truck pointless


def test_impossible_stops_come_back_with_reasons() -> None:
    stops = (
        Stop("ok", 1, 2, 60),
        Stop("too-big", 2, 11, 60),
        Stop("too-early", 3, 1, 60, TimeWindow(7 * 3600, 7 * 3600 + 600)),
    )
    problem = make_problem(stops)

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    reasons = {item.stop_id: item.reason for item in solution.unassigned}
    assert reasons == {"too-big": REASON_DEMAND, "too-early": REASON_WINDOW}
    assert served(solution) == {"ok"}


def test_full_fleet_leaves_stops_out_with_a_reason() -> None:
    stops = tuple(Stop(f"s{n}", n, 6, 60) for n in range(1, 5))
    problem = make_problem(stops, vehicles=2, capacity=10)

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    assert len(served(solution)) == 2
    assert {item.reason for item in solution.unassigned} == {REASON_FLEET}


def test_capacity_forces_an_unload_trip_that_resets_the_load() -> None:
    stops = tuple(Stop(f"s{n}", n, 4, 120) for n in range(1, 5))
    problem = make_problem(stops, vehicles=1, capacity=8, disposal=Disposal(5, 900))

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    assert served(solution) == {stop.id for stop in stops}
    visits = solution.routes[0].visits
    unloads = [visit for visit in visits if visit.stop_id == UNLOAD]
    assert unloads and all(visit.node == 5 and visit.load_after == 0 for visit in unloads)
    pairs = zip(visits, visits[1:], strict=False)
    assert not any(a.stop_id == b.stop_id == UNLOAD for a, b in pairs)  # no idle repeats
    assert max(visit.load_after for visit in visits) <= 8


def test_time_windows_are_respected() -> None:
    hour = 3600
    stops = (
        Stop("late-near", 1, 1, 300, TimeWindow(15 * hour, 16 * hour)),
        Stop("early-far", 4, 1, 300, TimeWindow(8 * hour, 9 * hour)),
        Stop("noon", 2, 1, 300, TimeWindow(12 * hour, 12 * hour + 900)),
    )
    problem = make_problem(stops, vehicles=1)

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    order = [visit.stop_id for visit in solution.routes[0].visits]
    assert order == ["early-far", "noon", "late-near"]
    for visit, stop in zip(solution.routes[0].visits, (stops[1], stops[2], stops[0]), strict=True):
        assert stop.window is not None
        assert stop.window.earliest_s <= visit.start_s <= stop.window.latest_s


def test_fixed_seed_gives_the_same_routes_twice() -> None:
    stops = tuple(Stop(f"s{n}", n, 3, 120) for n in range(1, 6))
    problem = make_problem(stops, capacity=9)

    first = solve_vrp(problem, time_limit_s=LIMIT_S, seed=7)
    second = solve_vrp(problem, time_limit_s=LIMIT_S, seed=7)

    assert first.routes == second.routes
    assert first.unassigned == second.unassigned


@pytest.mark.parametrize("objective", ["time", "distance", "vehicles"])
def test_every_objective_gives_a_feasible_plan(objective: Objective) -> None:
    stops = tuple(Stop(f"s{n}", n, 3, 120) for n in range(1, 6))
    problem = make_problem(stops, capacity=9)

    solution = solve_vrp(problem, time_limit_s=LIMIT_S, objective=objective)

    assert_feasible(problem, solution)
    assert served(solution) == {stop.id for stop in stops}
    assert solution.vehicles_used == 2


def test_problem_rejects_a_stop_outside_the_matrix() -> None:
    with pytest.raises(InvalidProblemError):
        make_problem((Stop("lost", 9, 1, 60),))


def test_two_processes_give_a_feasible_plan_with_every_stop() -> None:
    stops = tuple(
        Stop(f"s{n}", n, 2, 120, TimeWindow(8 * 3600, 12 * 3600) if n % 2 else None)
        for n in range(1, 6)
    )
    problem = make_problem(stops, capacity=6)

    solution = solve_vrp(problem, time_limit_s=2.0, objective="distance", workers=2)

    assert_feasible(problem, solution)
    assert served(solution) == {stop.id for stop in stops}


def test_a_stop_too_far_for_the_shift_comes_back_with_a_reason() -> None:
    # Node 5 is 5 minutes out: there and back plus service does not fit a 9-minute shift.
    stops = (Stop("near", 1, 1, 60), Stop("far", 5, 1, 60))
    problem = make_problem(stops, shift=(8 * 3600, 8 * 3600 + 540))

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    assert {item.stop_id: item.reason for item in solution.unassigned} == {"far": REASON_WINDOW}


def test_work_beyond_every_shift_is_left_out_with_the_shift_reason() -> None:
    # Each stop takes 40 minutes; two one-hour shifts hold at most one stop each.
    stops = tuple(Stop(f"s{n}", n, 1, 2400) for n in range(1, 5))
    problem = make_problem(stops, shift=(8 * 3600, 9 * 3600))

    solution = solve_vrp(problem, time_limit_s=LIMIT_S)

    assert_feasible(problem, solution)
    assert len(served(solution)) == 2
    assert {item.reason for item in solution.unassigned} == {REASON_SHIFTS}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_days_with_windows_unloads_and_short_shifts_pass_the_checker(seed: int) -> None:
    rnd = random.Random(seed)
    hour = 3600
    spots = [(rnd.randint(-20, 20), rnd.randint(-20, 20)) for _ in range(26)]  # 0 = depot
    time_s = tuple(tuple(30 * (abs(a - c) + abs(b - d)) for c, d in spots) for a, b in spots)
    halves = (TimeWindow(8 * hour, 12 * hour), TimeWindow(13 * hour, 17 * hour), None)
    stops = tuple(
        Stop(f"s{n}", n, rnd.randint(1, 6), 120 + 60 * rnd.randint(0, 3), rnd.choice(halves))
        for n in range(1, 26)
    )
    trucks = tuple(
        Vehicle(f"t{k}", 12, 8 * hour + 1800, 8 * hour + 1800 + rnd.randint(3, 8) * hour, 0, 0, 900)
        for k in range(3)
    )
    problem = Problem(time_s, time_s, trucks, stops, Disposal(0, 600))

    solution = solve_vrp(problem, time_limit_s=1.0, seed=seed)

    assert check_solution(problem, solution) == []  # capacity, windows, shifts, unloads
    assert served(solution) | {u.stop_id for u in solution.unassigned} == {s.id for s in stops}
    assert {u.reason for u in solution.unassigned} <= {REASON_SHIFTS, REASON_WINDOW}
    for route, truck in zip(solution.routes, trucks, strict=True):
        assert route.end_s - route.start_s <= truck.shift_end_s - truck.shift_start_s
    demand = {stop.id: stop.demand for stop in stops}
    assert sum(demand[s] for s in served(solution)) > 3 * 12  # more than one load per truck...
    assert any(v.stop_id == UNLOAD for r in solution.routes for v in r.visits)  # ...so unloads


def random_day(rnd: random.Random) -> Problem:
    """A small generated day: the facility at the depot (as in the demo town) or elsewhere."""
    size = rnd.randint(3, 14)
    spots = [(rnd.randint(-15, 15), rnd.randint(-15, 15)) for _ in range(size + 1)]
    time_s = tuple(tuple(30 * (abs(a - c) + abs(b - d)) for c, d in spots) for a, b in spots)
    stops = tuple(Stop(f"s{n}", n, rnd.randint(1, 6), 120) for n in range(1, size))
    capacity = rnd.randint(6, 20)
    trucks = tuple(
        Vehicle(f"t{k}", capacity, 8 * 3600, 17 * 3600, 0, 0, 1800)
        for k in range(rnd.randint(1, 3))
    )
    return Problem(time_s, time_s, trucks, stops, Disposal(rnd.choice((0, size)), 600))


def test_generated_days_never_unload_an_empty_truck() -> None:
    rnd = random.Random(12)
    unloads = 0
    for _ in range(12):
        problem = random_day(rnd)

        solution = solve_vrp(problem, time_limit_s=1.0, seed=rnd.randint(0, 99))

        assert check_solution(problem, solution) == []  # "empty unload" among the rules
        for route in solution.routes:
            kinds = [visit.stop_id == UNLOAD for visit in route.visits]
            assert not kinds or not kinds[0]
            assert not any(a and b for a, b in zip(kinds, kinds[1:], strict=False))
            unloads += sum(kinds)
    assert unloads > 0  # the days did need unload trips


@pytest.mark.parametrize("disposal", [None, Disposal(0, 600)])
def test_a_three_stop_day_returns_long_before_the_time_limit(disposal: Disposal | None) -> None:
    stops = tuple(Stop(f"s{n}", n, 2, 300) for n in (1, 3, 5))
    problem = make_problem(stops, vehicles=1, disposal=disposal)

    solution = solve_vrp(problem, time_limit_s=30.0)

    assert_feasible(problem, solution)
    assert served(solution) == {"s1", "s3", "s5"}
    assert solution.stats["wall_s"] < 3.0  # converged: the 30 s are only a ceiling
