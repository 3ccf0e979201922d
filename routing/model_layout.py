"""How ``routing.solver`` lays a problem out as OR-Tools nodes, and what it costs (pure values).

Layout: one node per distinct depot, then one per servable stop, then ``k`` optional copies of
the disposal facility ("unload" nodes). Kept apart from the OR-Tools calls so that helper
processes and tests can use it without OR-Tools.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routing.problem import UNLOAD, Matrix, Objective, Problem, Stop


@dataclass(frozen=True)
class ModelLayout:
    """Mapping between OR-Tools node indices and problem values."""

    problem: Problem
    depots: tuple[int, ...]
    stops: tuple[Stop, ...]
    unload_copies: int

    @property
    def size(self) -> int:
        return len(self.depots) + len(self.stops) + self.unload_copies

    def matrix_node(self, model_node: int) -> int:
        """Row of the problem's matrices for an OR-Tools node."""
        offset = model_node - len(self.depots)
        if offset < 0:
            return self.depots[model_node]
        if offset < len(self.stops):
            return self.stops[offset].node
        assert self.problem.disposal is not None
        return self.problem.disposal.node

    def stop_at(self, model_node: int) -> Stop | None:
        """The stop an OR-Tools node stands for (``None`` for depots and unload copies)."""
        offset = model_node - len(self.depots)
        return self.stops[offset] if 0 <= offset < len(self.stops) else None

    def service_s(self, model_node: int) -> int:
        """Service (or unload) time at an OR-Tools node, in seconds."""
        stop = self.stop_at(model_node)
        if stop is not None:
            return stop.service_s
        if model_node >= len(self.depots) and self.problem.disposal is not None:
            return self.problem.disposal.unload_s
        return 0

    def stop_node(self, index_in_stops: int) -> int:
        """OR-Tools node of ``stops[index_in_stops]``."""
        return len(self.depots) + index_in_stops

    def demands(self) -> list[int]:
        """Load change at every OR-Tools node: an unload copy empties the largest truck."""
        largest = max(v.capacity for v in self.problem.vehicles)
        unloads = [-largest] * self.unload_copies
        return [0] * len(self.depots) + [stop.demand for stop in self.stops] + unloads

    def visits(self, model_nodes: Sequence[int]) -> list[str]:
        """Stop ids (``UNLOAD`` for a facility copy) of a route's OR-Tools nodes, in order."""
        visits: list[str] = []
        for stop in map(self.stop_at, model_nodes):
            # The model lets the load stay above zero after an unload (an exact reset slowed
            # the search), so two unloads may follow each other: merged, which never costs
            # more (no travel between them) nor breaks a window (later visits only get earlier).
            if stop is not None or not visits or visits[-1] != UNLOAD:
                visits.append(stop.id if stop is not None else UNLOAD)
        return visits


@dataclass(frozen=True)
class SearchCosts:
    """The objective as every search phase counts it."""

    matrix: Matrix
    """Arc cost between problem nodes (seconds or metres, as the objective)."""
    arc: list[list[int]]
    """The same between OR-Tools nodes."""
    fixed: list[int]
    drop_penalty: int


def make_layout(problem: Problem, servable: tuple[Stop, ...]) -> ModelLayout:
    """Lay out depots, the servable stops and enough unload copies for every load.

    Args:
        problem: The problem (demands in size points).
        servable: The stops that some vehicle could serve on its own.

    Returns:
        The layout; ``unload_copies`` is zero without a disposal facility.
    """
    ends = [node for v in problem.vehicles for node in (v.start_node, v.end_node)]
    depots = tuple(dict.fromkeys(ends))
    copies = 0
    if problem.disposal is not None:
        smallest = max(1, min(v.capacity for v in problem.vehicles))
        total = sum(stop.demand for stop in servable)
        copies = min(len(servable), math.ceil(total / smallest))
    return ModelLayout(problem, depots, servable, copies)


def model_matrix(
    layout: ModelLayout, matrix: Sequence[Sequence[int]], *, with_service: bool
) -> list[list[int]]:
    """A problem matrix re-indexed by OR-Tools node, optionally plus the service at the tail."""
    nodes = [layout.matrix_node(i) for i in range(layout.size)]
    return [
        [matrix[a][b] + (layout.service_s(i) if with_service else 0) for b in nodes]
        for i, a in enumerate(nodes)
    ]


def search_costs(layout: ModelLayout, objective: Objective) -> SearchCosts:
    """Arc costs, fixed costs per vehicle and the drop penalty for an objective.

    ``"time"``: travel seconds plus each vehicle's fixed cost; ``"distance"``: metres, no fixed
    costs; ``"vehicles"``: metres plus a fixed cost above any possible total distance.
    """
    problem = layout.problem
    matrix = problem.time_s if objective == "time" else problem.distance_m
    arc = model_matrix(layout, matrix, with_service=False)
    fixed = [vehicle.fixed_cost for vehicle in problem.vehicles]
    if objective != "time":
        # "vehicles": above any possible total distance, so one vehicle fewer always wins.
        bound = sum(max(row) for row in arc) + 1 if objective == "vehicles" else 0
        fixed = [bound for _ in problem.vehicles]
    # Serving a stop, even with a truck of its own and an unload detour, must beat dropping it.
    penalty = 2 * (max(fixed) + 4 * max(max(row) for row in arc)) + 1
    return SearchCosts(matrix, arc, fixed, penalty)


def sequences_cost(
    layout: ModelLayout, costs: SearchCosts, sequences: Mapping[str, Sequence[str]]
) -> int:
    """Objective of visiting orders (``UNLOAD`` allowed) over the layout's stops.

    Returns:
        Arc costs plus fixed costs of used vehicles plus the drop penalty per stop left out.
    """
    problem = layout.problem
    node = {stop.id: stop.node for stop in layout.stops}
    if problem.disposal is not None:
        node[UNLOAD] = problem.disposal.node
    total = 0
    for vehicle, fixed in zip(problem.vehicles, costs.fixed, strict=True):
        visits = sequences.get(vehicle.id, ())
        if visits:
            path = [vehicle.start_node, *(node[s] for s in visits), vehicle.end_node]
            total += fixed + sum(costs.matrix[a][b] for a, b in zip(path, path[1:], strict=False))
    served = sum(1 for visits in sequences.values() for s in visits if s != UNLOAD)
    return total + (len(layout.stops) - served) * costs.drop_penalty
