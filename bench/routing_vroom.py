"""Machi's solver and VROOM side by side on one problem, at several wall-clock budgets.

VROOM has no unload trips, so both solve the problem *without the unload constraint*: no
disposal facility and every truck able to hold the whole day's load; shifts, service times and
the road matrix stay. Both get the same travel-time matrix, the same fixed cost per truck (VROOM:
``VehicleCosts(fixed, per_hour=3600)``, so its cost is seconds too) and the same cores. Cost =
travel time (s) + fixed cost per used truck, recomputed from the matrix for both plans, and
both plans are re-checked by ``routing.checker``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

import vroom

from routing.checker import check_solution
from routing.problem import Problem, Solution, Unassigned
from routing.schedule import build_solution
from routing.solver import solve_vrp

BUDGETS_S = (2.0, 5.0, 10.0, 20.0)
VROOM_EXPLORATION = 5


@dataclass(frozen=True)
class Side:
    """One solver's plan at one budget."""

    travel_s: int
    trucks: int
    unassigned: int
    cost: int
    wall_s: float
    feasible: bool


def without_unloads(problem: Problem) -> Problem:
    """The problem without its facility, each truck large enough for the whole day."""
    total = sum(stop.demand for stop in problem.stops)
    trucks = tuple(replace(v, capacity=max(v.capacity, total)) for v in problem.vehicles)
    return replace(problem, vehicles=trucks, disposal=None)


def score(problem: Problem, solution: Solution, wall_s: float) -> Side:
    fixed = sum(
        v.fixed_cost for v, r in zip(problem.vehicles, solution.routes, strict=True) if r.used
    )
    return Side(
        solution.travel_time_s,
        solution.vehicles_used,
        len(solution.unassigned),
        solution.travel_time_s + fixed,
        wall_s,
        check_solution(problem, solution) == [],
    )


def solve_machi(problem: Problem, budget_s: float, workers: int) -> Side:
    started = time.monotonic()
    solution = solve_vrp(problem, time_limit_s=budget_s, workers=workers)
    return score(problem, solution, time.monotonic() - started)


def solve_vroom(problem: Problem, budget_s: float, threads: int) -> Side:
    started = time.monotonic()
    model = vroom.Input()
    model.set_durations_matrix(profile="car", matrix_input=[list(r) for r in problem.time_s])
    for number, truck in enumerate(problem.vehicles):
        model.add_vehicle(
            vroom.Vehicle(number, start=truck.start_node, end=truck.end_node,
                          capacity=[truck.capacity],
                          time_window=vroom.TimeWindow(truck.shift_start_s, truck.shift_end_s),
                          costs=vroom.VehicleCosts(fixed=truck.fixed_cost, per_hour=3600))
        )  # fmt: skip
    model.add_job(
        [vroom.Job(number, location=stop.node, delivery=[stop.demand],
                   default_service=stop.service_s) for number, stop in enumerate(problem.stops)]
    )  # fmt: skip
    timeout = timedelta(seconds=budget_s)
    raw = model.solve(exploration_level=VROOM_EXPLORATION, nb_threads=threads, timeout=timeout)
    routes = raw.to_dict()["routes"]
    sequences = {
        problem.vehicles[route["vehicle"]].id: [
            problem.stops[step["id"]].id for step in route["steps"] if step["type"] == "job"
        ]
        for route in routes
    }
    served = {stop_id for stops in sequences.values() for stop_id in stops}
    left = [stop for stop in problem.stops if stop.id not in served]
    wall_s = time.monotonic() - started
    solution = build_solution(problem, sequences, [Unassigned(s.id, "vroom") for s in left])
    return score(problem, solution, wall_s)


def compare(problem: Problem, budgets: Sequence[float], workers: int) -> None:
    """Solve ``problem`` without unloads with both solvers at every budget; print one line each."""
    relaxed = without_unloads(problem)
    print(
        f"  {'budget':>6} | {'machi travel_s trucks cost wall_s':>36} | "
        f"{'vroom travel_s trucks cost wall_s':>36} | {'cost ratio':>10}  load"
    )
    for budget_s in budgets:
        ours = solve_machi(relaxed, budget_s, workers)
        theirs = solve_vroom(relaxed, budget_s, workers)
        ratio = ours.cost / theirs.cost if theirs.cost else 1.0
        mark = "" if ours.cost <= theirs.cost else "  machi above vroom!"
        print(f"  {budget_s:>6.0f} | {_side(ours)} | {_side(theirs)} | {ratio:>10.4f}  "
              f"{_load()}{mark}", flush=True)  # fmt: skip


def _side(side: Side) -> str:
    flags = "" if side.feasible else " INFEASIBLE"
    left = f" ({side.unassigned} left)" if side.unassigned else ""
    return (
        f"{side.travel_s:>14} {side.trucks:>6} {side.cost:>6} {side.wall_s:>6.2f}{left}{flags}"
    ).rjust(36)


def _load() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())
