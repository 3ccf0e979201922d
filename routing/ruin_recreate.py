"""Ruin-and-recreate improvement of routes in pure Python and numpy (no OR-Tools).

A short run of SISR (Christiaens & Vanden Berghe, "Slack Induction by String Removals", 2020):
remove a few strings of stops from routes that lie close together, re-insert every removed stop
at its cheapest feasible place (skipping a place now and then, the "blinks"), and accept the
result by simulated annealing. Insertion costs are evaluated for all places at once with numpy;
feasibility uses the earliest departure before and the latest arrival after each place, so one
check is O(1). Routes with unload trips are out of scope: callers skip problems with a facility.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.problem import Problem, Stop, Vehicle

IntArray = npt.NDArray[np.int64]

_AVG_REMOVED = 10
_MAX_STRING = 10
_BLINK_RATE = 0.01
_BLINK_MASKS = 64
_NEVER = np.iinfo(np.int64).max
_START_TEMPERATURE = 1.0
_END_TEMPERATURE = 0.01
"""Annealing temperatures as fractions of the mean cost of an arc in the start solution."""


_PREV, _NEXT, _DEPARTURE, _LATEST, _ARC = range(5)
"""Layers of ``_State.places``: nodes before and after, earliest departure before, latest
arrival after, and arc cost of each place."""


@dataclass(frozen=True)
class _Snapshot:
    routes: list[list[int]]
    route_cost: list[int]
    places: IntArray
    spare: IntArray
    opening: IntArray


class _State:
    """Routes as stop positions, with insertion data per (vehicle, place) kept in 2-D arrays.

    Place ``g`` of a vehicle lies between the ``g``-th node of its path and the next one; rows
    are padded to a common width and padding places can never take a stop (latest = -1).
    """

    def __init__(
        self, problem: Problem, fixed: Sequence[int], cost_matrix: Sequence[Sequence[int]]
    ) -> None:
        self.problem, self.stops, self.fixed = problem, problem.stops, list(fixed)
        self.time_list, self.cost_list = problem.time_s, cost_matrix
        self.time_m = np.asarray(problem.time_s, dtype=np.int64)
        self.cost_m = np.asarray(cost_matrix, dtype=np.int64)
        # Columns as contiguous rows: "from every node to u" becomes one fast 1-D take.
        self.time_to = np.ascontiguousarray(self.time_m.T)
        self.cost_to = np.ascontiguousarray(self.cost_m.T)
        self.service = [s.service_s for s in self.stops]
        self.node = [s.node for s in self.stops]
        self.demand = [s.demand for s in self.stops]
        windows = [_window(s, problem.vehicles) for s in self.stops]
        self.earliest = [w[0] for w in windows]
        self.latest = [w[1] for w in windows]
        self.routes: list[list[int]] = [[] for _ in problem.vehicles]
        self.route_cost = [0 for _ in problem.vehicles]
        self.width = 0
        self._allocate(8)

    def _allocate(self, width: int) -> None:
        shape = (len(self.problem.vehicles), width)
        self.width = width
        self.places = np.zeros((5, *shape), dtype=np.int64)
        self.places[_LATEST] = -1
        self.spare = np.zeros(shape[0], dtype=np.int64)
        self.opening = np.zeros(shape[0], dtype=np.int64)
        self.blinks = _draw_blinks(shape)
        for vehicle in range(shape[0]):
            self.refresh(vehicle)

    def load(self, routes: Sequence[Sequence[int]]) -> None:
        self.routes = [list(route) for route in routes]
        self._allocate(max(len(route) for route in self.routes) + 8)

    def snapshot(self) -> _Snapshot:
        return _Snapshot(
            [list(r) for r in self.routes],
            list(self.route_cost),
            self.places.copy(),
            self.spare.copy(),
            self.opening.copy(),
        )

    def restore(self, saved: _Snapshot) -> None:
        self.routes, self.route_cost = saved.routes, saved.route_cost
        self.places, self.spare, self.opening = saved.places, saved.spare, saved.opening
        self.width = self.places.shape[2]  # the rows may have grown since the snapshot
        if self.blinks.shape[1:] != self.places.shape[1:]:
            self.blinks = _draw_blinks(self.places.shape[1:])

    def total(self, absent: int, penalty: int) -> int:
        return sum(self.route_cost) + absent * penalty

    def refresh(self, number: int) -> None:
        route = self.routes[number]
        if len(route) + 1 > self.width:
            self._allocate(2 * self.width)
            return
        vehicle = self.problem.vehicles[number]
        path = [vehicle.start_node, *[self.node[k] for k in route], vehicle.end_node]
        legs = list(zip(path, path[1:], strict=False))
        time_list, cost_list, service = self.time_list, self.cost_list, self.service
        travel = [time_list[a][b] for a, b in legs]
        clock, departure = vehicle.shift_start_s, [vehicle.shift_start_s]
        for k, leg_s in zip(route, travel, strict=False):
            clock = max(clock + leg_s, self.earliest[k]) + service[k]
            departure.append(clock)
        clock, latest = vehicle.shift_end_s, [vehicle.shift_end_s]
        for k, leg_s in zip(reversed(route), reversed(travel[1:]), strict=True):
            clock = min(self.latest[k], clock - leg_s - service[k])
            latest.append(clock)
        latest.reverse()
        arcs = [cost_list[a][b] for a, b in legs]
        self.places[:, number, : len(legs)] = (path[:-1], path[1:], departure, latest, arcs)
        self.places[_LATEST, number, len(legs) :] = -1
        self.spare[number] = vehicle.capacity - sum(self.demand[k] for k in route)
        self.opening[number] = 0 if route else self.fixed[number]
        self.route_cost[number] = sum(arcs) + (self.fixed[number] if route else 0)


def _draw_blinks(shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """Pre-draw masks of places to skip: fresh random numbers per insertion cost more."""
    return np.random.default_rng(shape[1]).random((_BLINK_MASKS, *shape)) >= _BLINK_RATE


def _window(stop: Stop, vehicles: Sequence[Vehicle]) -> tuple[int, int]:
    if stop.window is not None:
        return stop.window.earliest_s, stop.window.latest_s
    return min(v.shift_start_s for v in vehicles), max(v.shift_end_s for v in vehicles)


def _best_place(state: _State, k: int, rnd: random.Random) -> tuple[int, int] | None:
    """Return (vehicle, place) of the cheapest feasible insertion of stop k, if any."""
    places, u = state.places, state.node[k]
    prev, nxt = places[_PREV], places[_NEXT]
    start = np.maximum(places[_DEPARTURE] + state.time_to[u].take(prev), state.earliest[k])
    back = start + state.service[k] + state.time_m[u].take(nxt)
    ok = (start <= state.latest[k]) & (back <= places[_LATEST])
    ok &= (state.spare >= state.demand[k])[:, None]
    ok &= state.blinks[rnd.randrange(_BLINK_MASKS)]
    delta = state.cost_to[u].take(prev) + state.cost_m[u].take(nxt) - places[_ARC]
    delta += state.opening[:, None]
    best = int(np.argmin(np.where(ok, delta, _NEVER)))
    vehicle, place = divmod(best, state.width)
    return (vehicle, place) if ok[vehicle, place] else None


def _ruin(state: _State, neighbours: Sequence[Sequence[int]], rnd: random.Random) -> list[int]:
    """Remove strings of consecutive stops from routes near a random seed stop."""
    where = {k: v for v, route in enumerate(state.routes) for k in route}
    used = [route for route in state.routes if route]
    if not used:
        return []
    max_string = min(_MAX_STRING, sum(map(len, used)) / len(used))
    max_strings = 4 * _AVG_REMOVED / (1 + max_string) - 1
    wanted = int(rnd.uniform(1, max_strings + 1))
    removed: list[int] = []
    ruined: set[int] = set()
    for k in neighbours[rnd.choice(list(where))]:
        vehicle = where.get(k)
        if vehicle is None or vehicle in ruined:
            continue
        route = state.routes[vehicle]
        length = int(rnd.uniform(1, min(len(route), max_string) + 1))
        at = route.index(k)
        first = rnd.randint(max(0, at - length + 1), min(at, len(route) - length))
        removed += route[first : first + length]
        del route[first : first + length]
        ruined.add(vehicle)
        if len(ruined) >= wanted:
            break
    for vehicle in ruined:
        state.refresh(vehicle)
    return removed


def _recreate(state: _State, pending: list[int], rnd: random.Random) -> list[int]:
    """Insert stops one by one at their cheapest place; return those that fit nowhere."""
    order = rnd.choices(("random", "demand", "far", "close"), weights=(4, 4, 2, 1))[0]
    depot = state.problem.vehicles[0].start_node
    if order == "random":
        rnd.shuffle(pending)
    elif order == "demand":
        pending.sort(key=lambda k: -state.demand[k])
    else:
        sign = -1 if order == "far" else 1
        pending.sort(key=lambda k: sign * int(state.cost_m[depot, state.node[k]]))
    absent = []
    for k in pending:
        place = _best_place(state, k, rnd)
        if place is None:
            absent.append(k)
            continue
        state.routes[place[0]].insert(place[1], k)
        state.refresh(place[0])
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
) -> dict[str, list[str]]:
    """Improve routes by ruin-and-recreate until a deadline.

    Args:
        problem: The problem; it must have no disposal facility (unload trips are not moved).
        sequences: Vehicle id -> stop ids in visiting order (a feasible start solution).
        cost_matrix: Arc cost per pair of matrix nodes (seconds or metres, as the objective).
        fixed_costs: Cost of using each vehicle, in problem order.
        drop_penalty: Cost of leaving one stop unserved.
        deadline: ``time.monotonic()`` value at which to stop, in seconds.
        seed: Seed of the random choices.

    Returns:
        Vehicle id -> stop ids of the best solution seen (never worse than the start).
    """
    index = {stop.id: k for k, stop in enumerate(problem.stops)}
    state = _State(problem, fixed_costs, cost_matrix)
    state.load([[index[s] for s in sequences.get(v.id, ())] for v in problem.vehicles])
    served = {k for route in state.routes for k in route}
    absent = [k for k in range(len(problem.stops)) if k not in served]
    routes = _anneal(state, absent, drop_penalty, deadline, seed)
    return {
        vehicle.id: [problem.stops[k].id for k in route]
        for vehicle, route in zip(problem.vehicles, routes, strict=True)
    }


def _anneal(
    state: _State, absent: list[int], penalty: int, deadline: float, seed: int
) -> list[list[int]]:
    rnd = random.Random(seed)
    nodes = np.asarray(state.node, dtype=np.int64)
    neighbours = np.argsort(state.cost_m[np.ix_(nodes, nodes)], axis=1, kind="stable").tolist()
    current = best = state.total(len(absent), penalty)
    best_routes = [list(route) for route in state.routes]
    used = [v for v, route in enumerate(state.routes) if route]
    arcs = sum(len(state.routes[v]) + 1 for v in used) or 1
    scale = sum(state.route_cost[v] - state.fixed[v] for v in used) / arcs
    started = time.monotonic()
    span = max(deadline - started, 1e-9)
    while (now := time.monotonic()) < deadline:
        saved = state.snapshot()
        pending = _ruin(state, neighbours, rnd) + absent
        left = _recreate(state, pending, rnd)
        candidate = state.total(len(left), penalty)
        cooling = (_END_TEMPERATURE / _START_TEMPERATURE) ** ((now - started) / span)
        heat = scale * _START_TEMPERATURE * cooling
        if candidate < current - heat * math.log(rnd.random() or 1e-12):
            current, absent = candidate, left
            if candidate < best:
                best, best_routes = candidate, [list(route) for route in state.routes]
        else:
            state.restore(saved)
    return best_routes
