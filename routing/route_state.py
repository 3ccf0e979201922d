"""Routes held as stop positions with per-place insertion data in numpy arrays (pure, no OR-Tools).

``RouteState`` is the working copy that ``routing.ruin_recreate`` changes in place. Place ``g``
of a route slot lies between the ``g``-th node of its path and the next one. For each place it
keeps the nodes on either side, the earliest departure before it and the latest arrival after
it, so checking one insertion's time windows is O(1); ``best_place`` checks all places at once.

When all vehicles are interchangeable (same ends, shift, capacity and fixed cost) the used
routes are kept in the first slots and only one empty slot is evaluated: the others would give
exactly the same insertions.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from routing.problem import Problem, Stop, Vehicle

IntArray = npt.NDArray[np.int64]

BLINK_RATE = 0.01
"""Share of feasible places skipped at each insertion (SISR's "blinks")."""
_BLINK_MASKS = 64
_NEVER = np.iinfo(np.int64).max
_PREV, _NEXT, _DEPARTURE, _LATEST, _ARC = range(5)


@dataclass(frozen=True)
class Snapshot:
    """A copy of a ``RouteState`` to go back to when a move is rejected."""

    routes: list[list[int]]
    route_cost: list[int]
    places: IntArray
    spare: IntArray
    opening: IntArray
    used: int


class RouteState:
    """Routes of one solution as lists of stop positions (indices into ``problem.stops``)."""

    def __init__(
        self, problem: Problem, fixed: Sequence[int], cost_matrix: Sequence[Sequence[int]]
    ) -> None:
        self.problem, self.vehicles, self.fixed = problem, problem.vehicles, list(fixed)
        self.time_list, self.cost_list = problem.time_s, cost_matrix
        self.time_m = np.asarray(problem.time_s, dtype=np.int64)
        self.cost_m = np.asarray(cost_matrix, dtype=np.int64)
        # Columns as contiguous rows: "from every node to u" becomes one fast 1-D take.
        self.time_to = np.ascontiguousarray(self.time_m.T)
        self.cost_to = np.ascontiguousarray(self.cost_m.T)
        # Per node u: [time, cost] from every node to u, and from u to every node.
        self.into = np.ascontiguousarray(np.stack((self.time_to, self.cost_to), axis=1))
        self.out = np.ascontiguousarray(np.stack((self.time_m, self.cost_m), axis=1))
        stops = problem.stops
        self.service = [s.service_s for s in stops]
        self.node = [s.node for s in stops]
        self.demand = [s.demand for s in stops]
        windows = [_window(s, problem.vehicles) for s in stops]
        self.earliest = [w[0] for w in windows]
        self.latest = [w[1] for w in windows]
        self.interchangeable = _interchangeable(problem.vehicles, self.fixed)
        self.routes: list[list[int]] = [[] for _ in problem.vehicles]
        self.route_cost = [0 for _ in problem.vehicles]
        self.used = 0
        self.width = 0
        self._allocate(8)

    def _allocate(self, width: int) -> None:
        shape = (len(self.vehicles), width)
        self.width = width
        self.places = np.zeros((5, *shape), dtype=np.int64)
        self.places[_LATEST] = -1
        self.spare = np.zeros(shape[0], dtype=np.int64)
        self.opening = np.zeros(shape[0], dtype=np.int64)
        self.blinks = _draw_blinks(shape)
        for slot in range(shape[0]):
            self.refresh(slot)

    def load(self, routes: Sequence[Sequence[int]]) -> None:
        """Replace all routes (one per vehicle, in problem order) and rebuild the arrays."""
        self.routes = [list(route) for route in routes]
        if self.interchangeable:
            self.routes.sort(key=lambda route: not route)
        self.used = sum(1 for route in self.routes if route)
        self._allocate(max(len(route) for route in self.routes) + 8)

    @property
    def rows(self) -> int:
        """Number of leading slots worth evaluating for an insertion."""
        if self.interchangeable:
            return min(self.used + 1, len(self.vehicles))
        return len(self.vehicles)

    def snapshot(self) -> Snapshot:
        """Copy everything a rejected move may change."""
        return Snapshot(
            [list(r) for r in self.routes],
            list(self.route_cost),
            self.places.copy(),
            self.spare.copy(),
            self.opening.copy(),
            self.used,
        )

    def restore(self, saved: Snapshot) -> None:
        """Go back to a snapshot (which must not be restored twice)."""
        self.routes, self.route_cost, self.used = saved.routes, saved.route_cost, saved.used
        self.places, self.spare, self.opening = saved.places, saved.spare, saved.opening
        self.width = self.places.shape[2]  # the rows may have grown since the snapshot
        if self.blinks.shape[1:] != self.places.shape[1:]:
            self.blinks = _draw_blinks(self.places.shape[1:])

    def total(self, absent: int, penalty: int) -> int:
        """Cost of the routes plus ``penalty`` per stop left out."""
        return sum(self.route_cost) + absent * penalty

    def insert(self, slot: int, place: int, k: int) -> None:
        """Insert stop ``k`` at a place of a route slot and update that slot."""
        self.routes[slot].insert(place, k)
        if slot >= self.used:
            self.used = slot + 1
        self.refresh(slot)

    def remove(self, slot: int, first: int, count: int) -> list[int]:
        """Remove ``count`` consecutive stops from a slot (call ``settle`` afterwards)."""
        route = self.routes[slot]
        removed = route[first : first + count]
        del route[first : first + count]
        return removed

    def settle(self, slots: Sequence[int]) -> None:
        """Refresh slots changed by ``remove`` and move emptied ones behind the used ones."""
        for slot in slots:
            self.refresh(slot)
        if not self.interchangeable:
            self.used = len(self.vehicles)
            return
        for slot in sorted(slots, reverse=True):
            if not self.routes[slot] and slot < self.used:
                self._swap(slot, self.used - 1)
                self.used -= 1

    def _swap(self, a: int, b: int) -> None:
        routes, cost = self.routes, self.route_cost
        routes[a], routes[b] = routes[b], routes[a]
        cost[a], cost[b] = cost[b], cost[a]
        self.places[:, [a, b]] = self.places[:, [b, a]]
        self.spare[[a, b]] = self.spare[[b, a]]
        self.opening[[a, b]] = self.opening[[b, a]]

    def refresh(self, slot: int) -> None:
        """Recompute the insertion data of one route slot from its stop list."""
        route = self.routes[slot]
        if len(route) + 1 > self.width:
            self._allocate(2 * self.width)
            return
        vehicle = self.vehicles[slot]
        node = self.node
        path = [vehicle.start_node, *[node[k] for k in route], vehicle.end_node]
        legs = list(zip(path, path[1:], strict=False))
        time_list, service = self.time_list, self.service
        earliest, latest = self.earliest, self.latest
        travel = [time_list[a][b] for a, b in legs]
        clock, departure = vehicle.shift_start_s, [vehicle.shift_start_s]
        for k, leg_s in zip(route, travel, strict=False):
            clock = max(clock + leg_s, earliest[k]) + service[k]
            departure.append(clock)
        clock, after = vehicle.shift_end_s, [vehicle.shift_end_s]
        for k, leg_s in zip(reversed(route), reversed(travel[1:]), strict=True):
            clock = min(latest[k], clock - leg_s - service[k])
            after.append(clock)
        after.reverse()
        cost_list = self.cost_list
        arcs = [cost_list[a][b] for a, b in legs]
        self.places[:, slot, : len(legs)] = (path[:-1], path[1:], departure, after, arcs)
        self.places[_LATEST, slot, len(legs) :] = -1
        self.spare[slot] = vehicle.capacity - sum(self.demand[k] for k in route)
        self.opening[slot] = 0 if route else self.fixed[slot]
        self.route_cost[slot] = sum(arcs) + (self.fixed[slot] if route else 0)

    def best_place(self, k: int, rnd: random.Random) -> tuple[int, int] | None:
        """Return (slot, place) of the cheapest feasible insertion of stop ``k``, if any."""
        rows = self.rows
        cols = max(map(len, self.routes[:rows])) + 1
        places, u = self.places[:, :rows, :cols], self.node[k]
        into = self.into[u].take(places[_PREV], axis=1)  # time, cost from each place's tail
        out = self.out[u].take(places[_NEXT], axis=1)  # time, cost to each place's head
        start = np.maximum(places[_DEPARTURE] + into[0], self.earliest[k])
        ok = start <= self.latest[k]
        start += out[0]
        ok &= start <= places[_LATEST] - self.service[k]
        ok &= self.blinks[rnd.randrange(_BLINK_MASKS), :rows, :cols]
        ok &= (self.spare[:rows] >= self.demand[k])[:, None]
        delta = into[1] + out[1] - places[_ARC] + self.opening[:rows, None]
        best = int(np.argmin(np.where(ok, delta, _NEVER)))
        slot, place = divmod(best, cols)
        return (slot, place) if ok[slot, place] else None


def _interchangeable(vehicles: Sequence[Vehicle], fixed: Sequence[int]) -> bool:
    kinds = {
        (v.capacity, v.shift_start_s, v.shift_end_s, v.start_node, v.end_node, cost)
        for v, cost in zip(vehicles, fixed, strict=True)
    }
    return len(kinds) <= 1


def _draw_blinks(shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """Pre-draw masks of places to skip: fresh random numbers per insertion cost more."""
    return np.random.default_rng(shape[1]).random((_BLINK_MASKS, *shape)) >= BLINK_RATE


def _window(stop: Stop, vehicles: Sequence[Vehicle]) -> tuple[int, int]:
    if stop.window is not None:
        return stop.window.earliest_s, stop.window.latest_s
    return min(v.shift_start_s for v in vehicles), max(v.shift_end_s for v in vehicles)
