"""Tests for routing.route_state: insertion checks and the compaction of interchangeable slots."""

from __future__ import annotations

import random

from routing.problem import Problem, Stop, TimeWindow, Vehicle
from routing.route_state import RouteState

# Four stops on a line east of the depot (node 0), 100 s / 100 m per step.
MATRIX = tuple(tuple(100 * abs(a - b) for b in range(5)) for a in range(5))


def make_problem(*, same_fleet: bool = True, late_window: int = 10_000) -> Problem:
    vehicles = tuple(
        Vehicle(f"v{k}", 4 if same_fleet or k else 5, 0, 10_000, 0, 0) for k in range(3)
    )
    stops = (
        Stop("a", 1, 1, 10),
        Stop("b", 2, 1, 10),
        Stop("c", 3, 1, 10, TimeWindow(0, late_window)),
        Stop("d", 4, 1, 10),
    )
    return Problem(MATRIX, MATRIX, vehicles, stops)


def make_state(problem: Problem, routes: list[list[int]]) -> RouteState:
    state = RouteState(problem, [0, 0, 0], MATRIX)
    state.load(routes)
    return state


def never_blink(state: RouteState) -> None:
    state.blinks[:] = True


def test_best_place_is_the_cheapest_feasible_insertion() -> None:
    state = make_state(make_problem(), [[0, 1, 3], [], []])
    never_blink(state)

    place = state.best_place(2, random.Random(0))

    assert place == (0, 2)  # between b and d: no detour at all on the line


def test_best_place_respects_windows() -> None:
    state = make_state(make_problem(late_window=150), [[0, 1, 3], [], []])
    never_blink(state)

    # c closes at 150 s: after a and b it would start at 320 s; a new route reaches it at 300 s.
    assert state.best_place(2, random.Random(0)) is None


def test_best_place_respects_capacity() -> None:
    state = make_state(make_problem(), [[0, 1, 3], [], []])
    never_blink(state)
    state.demand[2] = 2  # one more than the spare 1 of the first route

    assert state.best_place(2, random.Random(0)) == (1, 0)


def test_empty_interchangeable_slots_are_evaluated_once_and_compacted() -> None:
    state = make_state(make_problem(), [[], [0, 1], [2, 3]])
    assert state.routes[:2] == [[0, 1], [2, 3]]
    assert state.rows == 3

    removed = state.remove(0, 0, 2)
    state.settle([0])

    assert removed == [0, 1]
    assert state.routes[0] == [2, 3] and state.used == 1 and state.rows == 2
    assert state.route_cost[0] == 800 and state.route_cost[1] == 0


def test_different_vehicles_keep_their_slots() -> None:
    state = make_state(make_problem(same_fleet=False), [[], [0, 1], [2, 3]])

    assert state.routes == [[], [0, 1], [2, 3]]
    assert state.rows == 3
