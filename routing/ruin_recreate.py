"""Ruin-and-recreate improvement of routes in pure Python and numpy (no OR-Tools).

A short run of SISR (Christiaens & Vanden Berghe, "Slack Induction by String Removals", 2020):
remove a few strings of stops from routes that lie close together, re-insert every removed stop
at its cheapest feasible place (skipping a place now and then, the "blinks"), and accept the
result by simulated annealing. Insertion costs are evaluated for all places at once with numpy
(``routing.route_state``). Routes with unload trips are out of scope: callers skip problems
with a facility.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence

import numpy as np

from routing.convergence import start_progress
from routing.problem import Problem
from routing.route_state import RouteState

_AVG_REMOVED = 10
_MAX_STRING = 10
_START_TEMPERATURE = 1.0
_END_TEMPERATURE = 0.1
"""Annealing temperatures as fractions of the mean cost of an arc in the start solution."""
_ROUTE_RUIN_SHARE = 0.02
"""Share of the ruins that empty the shortest route whole: string removals alone seldom empty
a route, so a plan that took one truck too many kept it (500 stops, 5 s: 6 trucks where 2 s
of search had found 5)."""


def _ruin(state: RouteState, neighbours: Sequence[Sequence[int]], rnd: random.Random) -> list[int]:
    """Remove strings of consecutive stops from routes near a random seed stop."""
    where = {k: v for v, route in enumerate(state.routes) for k in route}
    used = [route for route in state.routes if route]
    if not used:
        return []
    max_string = min(_MAX_STRING, sum(map(len, used)) / len(used))
    max_strings = 4 * _AVG_REMOVED / (1 + max_string) - 1
    wanted = int(rnd.uniform(1, max_strings + 1))
    removed: list[int] = []
    ruined: list[int] = []
    for k in neighbours[rnd.choice(list(where))]:
        slot = where.get(k)
        if slot is None or slot in ruined:
            continue
        route = state.routes[slot]
        length = int(rnd.uniform(1, min(len(route), max_string) + 1))
        at = route.index(k)
        first = rnd.randint(max(0, at - length + 1), min(at, len(route) - length))
        removed += state.remove(slot, first, length)
        ruined.append(slot)
        if len(ruined) >= wanted:
            break
    state.settle(ruined)
    return removed


def _ruin_route(state: RouteState) -> list[int]:
    """Remove every stop of the shortest used route (when two or more are used)."""
    used = [v for v, route in enumerate(state.routes) if route]
    if len(used) < 2:
        return []
    slot = min(used, key=lambda v: len(state.routes[v]))
    removed = state.remove(slot, 0, len(state.routes[slot]))
    state.settle([slot])
    return removed


def _recreate(state: RouteState, pending: list[int], rnd: random.Random) -> list[int]:
    """Insert stops one by one at their cheapest place; return those that fit nowhere."""
    order = rnd.choices(("random", "demand", "far", "close"), weights=(4, 4, 2, 1))[0]
    depot = state.vehicles[0].start_node
    if order == "random":
        rnd.shuffle(pending)
    elif order == "demand":
        pending.sort(key=lambda k: -state.demand[k])
    else:
        sign = -1 if order == "far" else 1
        pending.sort(key=lambda k: sign * int(state.cost_m[depot, state.node[k]]))
    absent = []
    for k in pending:
        place = state.best_place(k, rnd)
        if place is None:
            absent.append(k)
        else:
            state.insert(place[0], place[1], k)
    return absent


def improve_routes(
    problem: Problem,
    sequences: Mapping[str, Sequence[str]],
    *,
    cost_matrix: Sequence[Sequence[int]],
    fixed_costs: Sequence[int],
    drop_penalty: int,
    deadline: float,
    seed: int,
    cooling: tuple[float, float] | None = None,
    search_started: float | None = None,
) -> dict[str, list[str]]:
    """Improve routes by ruin-and-recreate until they stall or a deadline.

    Args:
        problem: The problem; it must have no disposal facility (unload trips are not moved).
        sequences: Vehicle id -> stop ids in visiting order (a feasible start solution).
        cost_matrix: Arc cost per pair of matrix nodes (seconds or metres, as the objective).
        fixed_costs: Cost of using each vehicle, in problem order.
        drop_penalty: Cost of leaving one stop unserved.
        deadline: ``time.monotonic()`` value at which to stop, in seconds.
        seed: Seed of the random choices.
        cooling: ``time.monotonic()`` values between which the annealing temperature falls
            from hot to cold (default: from now to the deadline), so that a search split into
            several calls keeps one schedule.
        search_started: ``time.monotonic()`` value at which the whole search started: the
            chain then stops early once it stalls (``routing.convergence``); ``None``: never.

    Returns:
        Vehicle id -> stop ids of the best solution seen (never worse than the start).
    """
    index = {stop.id: k for k, stop in enumerate(problem.stops)}
    state = RouteState(problem, fixed_costs, cost_matrix)
    state.load([[index[s] for s in sequences.get(v.id, ())] for v in problem.vehicles])
    served = {k for route in state.routes for k in route}
    absent = [k for k in range(len(problem.stops)) if k not in served]
    window = cooling or (time.monotonic(), deadline)
    clock = (deadline, *window, search_started)
    routes = _anneal(state, absent, drop_penalty, clock, seed)
    return {
        vehicle.id: [problem.stops[k].id for k in route]
        for vehicle, route in zip(problem.vehicles, routes, strict=True)
    }


def _anneal(
    state: RouteState,
    absent: list[int],
    penalty: int,
    clock: tuple[float, float, float, float | None],
    seed: int,
) -> list[list[int]]:
    deadline, started, cold, search_started = clock
    rnd = random.Random(seed)
    nodes = np.asarray(state.node, dtype=np.int64)
    neighbours = np.argsort(state.cost_m[np.ix_(nodes, nodes)], axis=1, kind="stable").tolist()
    current = best = state.total(len(absent), penalty)
    best_routes = [list(route) for route in state.routes]
    used = [v for v, route in enumerate(state.routes) if route]
    arcs = sum(len(state.routes[v]) + 1 for v in used) or 1
    scale = sum(state.route_cost[v] - state.fixed[v] for v in used) / arcs
    span = max(cold - started, 1e-9)
    stall = None
    if search_started is not None:
        stall = start_progress(search_started, time.monotonic(), best, len(state.node))
    while (now := time.monotonic()) < deadline and not (stall and stall.stalled(now)):
        saved = state.snapshot()
        whole = rnd.random() < _ROUTE_RUIN_SHARE
        pending = (_ruin_route(state) if whole else _ruin(state, neighbours, rnd)) + absent
        left = _recreate(state, pending, rnd)
        candidate = state.total(len(left), penalty)
        progress = min(1.0, max(0.0, (now - started) / span))
        cooling = (_END_TEMPERATURE / _START_TEMPERATURE) ** progress
        heat = scale * _START_TEMPERATURE * cooling
        if candidate < current - heat * math.log(rnd.random() or 1e-12):
            current, absent = candidate, left
            if candidate < best:
                best, best_routes = candidate, [list(route) for route in state.routes]
                if stall:
                    stall.record(best, now)
        else:
            state.restore(saved)
    return best_routes


def plan_cost(
    problem: Problem,
    sequences: Mapping[str, Sequence[str]],
    *,
    cost_matrix: Sequence[Sequence[int]],
    fixed_costs: Sequence[int],
    drop_penalty: int,
) -> int:
    """Cost of a plan as ``improve_routes`` counts it.

    Args:
        problem: The problem the plan belongs to.
        sequences: Vehicle id -> stop ids in visiting order.
        cost_matrix: Arc cost per pair of matrix nodes (seconds or metres).
        fixed_costs: Cost of using each vehicle, in problem order.
        drop_penalty: Cost of each stop of the problem the plan leaves out.

    Returns:
        Arc costs plus fixed costs of used vehicles plus the penalties.
    """
    node = {stop.id: stop.node for stop in problem.stops}
    total = 0
    for vehicle, fixed in zip(problem.vehicles, fixed_costs, strict=True):
        stops = sequences.get(vehicle.id, ())
        if stops:
            path = [vehicle.start_node, *(node[s] for s in stops), vehicle.end_node]
            total += fixed + sum(cost_matrix[a][b] for a, b in zip(path, path[1:], strict=False))
    served = sum(len(stops) for stops in sequences.values())
    return total + (len(problem.stops) - served) * drop_penalty
