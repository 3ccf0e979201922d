"""Vehicle routing with OR-Tools: the only module of Machi that imports ``ortools``.

Model layout (OR-Tools node indices): one node per distinct depot, then one per servable stop,
then ``k`` optional copies of the disposal facility ("unload" nodes). The capacity dimension
counts the load picked up so far; an unload node has demand ``-max_capacity`` and a slack in
``[0, max_capacity]``, so the load may fall back to anything from zero up at the facility and
nowhere else. The time dimension carries service plus travel time and a waiting slack.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.errors import SolverError
from routing.problem import (
    REASON_FLEET,
    UNLOAD,
    Matrix,
    Objective,
    Problem,
    Solution,
    Stop,
    Unassigned,
    build_solution,
    diagnose_stop,
    diagnose_unserved,
)
from routing.search_pool import ChainCosts, ChainRunner, SearchPool, search_pool

_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic
_FIRST_STRATEGIES = (
    _FSS.PARALLEL_CHEAPEST_INSERTION,
    _FSS.LOCAL_CHEAPEST_INSERTION,
    _FSS.SAVINGS,
    _FSS.SEQUENTIAL_CHEAPEST_INSERTION,
)
_FIRST_SHARE = 0.1
"""Budget share spent comparing first-solution strategies (each then descends greedily)."""
_FIRST_DEADLINE_SHARE = 0.3
"""Budget share by which some first solution must exist (a slow strategy may use it all)."""
_HANDOVER_SHARE = 0.15
"""Budget share after which guided local search hands over to ruin-and-recreate."""
_POLISH_SHARE = 0.05
"""Budget share of one OR-Tools polish of a ruin-and-recreate plan (it may stop earlier)."""
_SYNC_SHARES = (0.6, 0.97)
"""Budget shares at which all ruin-and-recreate chains stop, the cheapest plan is polished by
OR-Tools' greedy descent, and (but after the last) every chain restarts from it."""


@dataclass(frozen=True)
class _Layout:
    """Mapping between OR-Tools node indices and problem values."""

    problem: Problem
    depots: tuple[int, ...]
    stops: tuple[Stop, ...]
    unload_copies: int

    @property
    def size(self) -> int:
        return len(self.depots) + len(self.stops) + self.unload_copies

    def matrix_node(self, model_node: int) -> int:
        offset = model_node - len(self.depots)
        if offset < 0:
            return self.depots[model_node]
        if offset < len(self.stops):
            return self.stops[offset].node
        assert self.problem.disposal is not None
        return self.problem.disposal.node

    def stop_at(self, model_node: int) -> Stop | None:
        offset = model_node - len(self.depots)
        return self.stops[offset] if 0 <= offset < len(self.stops) else None

    def service_s(self, model_node: int) -> int:
        stop = self.stop_at(model_node)
        if stop is not None:
            return stop.service_s
        if model_node >= len(self.depots) and self.problem.disposal is not None:
            return self.problem.disposal.unload_s
        return 0

    def stop_node(self, index_in_stops: int) -> int:
        return len(self.depots) + index_in_stops


def solve_vrp(
    problem: Problem,
    *,
    time_limit_s: float = 30.0,
    seed: int = 0,
    objective: Objective = "time",
    workers: int = 1,
) -> Solution:
    """Plan routes that serve as many stops as possible at the lowest cost.

    Objectives: ``"time"`` minimises total travel time (seconds) plus each used vehicle's fixed
    cost; ``"distance"`` minimises total distance (metres) and ignores fixed costs;
    ``"vehicles"`` minimises the number of vehicles first, then distance. Every stop is
    optional with a drop penalty above any vehicle's cost, so a stop is left out only when no
    route can take it; each left-out stop is returned with a reason.

    The search compares first-solution strategies and improves the best with guided local
    search. Without a disposal facility it then hands over to ruin-and-recreate
    (``routing.ruin_recreate``); with ``workers`` > 1, ``workers - 1`` helper processes run
    ruin-and-recreate from the first solution meanwhile (``routing.search_pool``). At 60 % of
    the budget and at the end the cheapest plan of all chains is polished by OR-Tools' greedy
    local search, and after the first of these every chain restarts from it.

    Args:
        problem: The problem to solve.
        time_limit_s: Wall-clock budget for the whole search, in seconds.
        seed: Orders the first-solution strategies and seeds ruin-and-recreate. The search
            stops on the clock, so routes repeat exactly only when it converges in time.
        objective: ``"time"``, ``"distance"`` or ``"vehicles"``.
        workers: Processes to search with (CPU cores to use), at least 1.

    Returns:
        The best solution found, with routes for every vehicle (unused ones empty).

    Raises:
        SolverError: OR-Tools returned no solution at all.
    """
    started = time.monotonic()
    static = [(stop, diagnose_stop(problem, stop)) for stop in problem.stops]
    servable = tuple(stop for stop, reason in static if reason is None)
    rejected = [Unassigned(stop.id, reason) for stop, reason in static if reason is not None]
    if not servable or not problem.vehicles:
        rejected += [Unassigned(stop.id, REASON_FLEET) for stop in servable]
        return build_solution(problem, {}, rejected, {"wall_s": 0.0})
    layout = _make_layout(problem, servable)
    costs = _costs(layout, objective)
    helpers = workers - 1 if problem.disposal is None else 0
    with search_pool(helpers) as pool:
        sequences = _search(layout, costs, (started, time_limit_s), seed, pool)
    dropped = diagnose_unserved(replace(problem, stops=layout.stops), sequences)
    stats = {"wall_s": time.monotonic() - started}
    return build_solution(problem, sequences, rejected + dropped, stats)


def _search(
    layout: _Layout, costs: _Costs, clock: tuple[float, float], seed: int, pool: SearchPool
) -> dict[str, list[str]]:
    """OR-Tools first solution and guided local search, then ruin-and-recreate chains.

    OR-Tools' greedy local search polishes the cheapest plan at each synchronisation point: it
    finds in a fraction of a second exchanges that ruin-and-recreate reaches only slowly.
    """
    started, limit_s = clock
    deadline = started + limit_s
    manager, routing = _build_model(layout, costs)
    first = _best_first_solution(routing, clock, seed)
    if layout.problem.disposal is not None:
        # Ruin-and-recreate does not move unload trips: with a facility, OR-Tools gets all.
        return _guided_search(layout, manager, routing, first, deadline)
    handover = started + limit_s * _HANDOVER_SHARE
    syncs = [started + limit_s * share for share in _SYNC_SHARES]
    chains = ChainRunner(
        replace(layout.problem, stops=layout.stops),
        ChainCosts(costs.matrix, costs.fixed, costs.drop_penalty, (handover, syncs[-1])),
        pool,
    )
    chains.submit(_read_sequences(layout, manager, routing, first), syncs[0], seed + 1)
    mine = _guided_search(layout, manager, routing, first, handover)
    for number, sync in enumerate(syncs):
        base = seed + number * (1 + pool.workers)  # this chain's seed; helpers count on
        if number:
            chains.submit(mine, sync, base + 1)
        mine = chains.improve(mine, sync, base)
        polish_until = min(deadline, sync + limit_s * _POLISH_SHARE)
        mine = _polish(layout, manager, routing, mine, polish_until)
    return mine


@dataclass(frozen=True)
class _Costs:
    matrix: Matrix
    """Arc cost between problem nodes (seconds or metres, as the objective)."""
    arc: list[list[int]]
    """The same between OR-Tools nodes."""
    fixed: list[int]
    drop_penalty: int


def _costs(layout: _Layout, objective: Objective) -> _Costs:
    problem = layout.problem
    matrix = problem.time_s if objective == "time" else problem.distance_m
    arc = _model_matrix(layout, matrix, with_service=False)
    fixed = [vehicle.fixed_cost for vehicle in problem.vehicles]
    if objective != "time":
        # "vehicles": above any possible total distance, so one vehicle fewer always wins.
        bound = sum(max(row) for row in arc) + 1 if objective == "vehicles" else 0
        fixed = [bound for _ in problem.vehicles]
    # Serving a stop, even with a truck of its own and an unload detour, must beat dropping it.
    penalty = 2 * (max(fixed) + 4 * max(max(row) for row in arc)) + 1
    return _Costs(matrix, arc, fixed, penalty)


def _make_layout(problem: Problem, servable: tuple[Stop, ...]) -> _Layout:
    ends = [node for v in problem.vehicles for node in (v.start_node, v.end_node)]
    depots = tuple(dict.fromkeys(ends))
    copies = 0
    if problem.disposal is not None:
        smallest = max(1, min(v.capacity for v in problem.vehicles))
        total = sum(stop.demand for stop in servable)
        copies = min(len(servable), math.ceil(total / smallest))
    return _Layout(problem, depots, servable, copies)


def _build_model(
    layout: _Layout, costs: _Costs
) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel]:
    problem = layout.problem
    starts = [layout.depots.index(v.start_node) for v in problem.vehicles]
    ends = [layout.depots.index(v.end_node) for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(layout.size, len(problem.vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(costs.arc))
    for vehicle, cost in enumerate(costs.fixed):
        routing.SetFixedCostOfVehicle(cost, vehicle)
    for position in range(len(layout.stops)):
        index = manager.NodeToIndex(layout.stop_node(position))
        routing.AddDisjunction([index], costs.drop_penalty)
    for model_node in range(layout.size - layout.unload_copies, layout.size):
        routing.AddDisjunction([manager.NodeToIndex(model_node)], 0)
    _add_time_dimension(layout, manager, routing)
    _add_capacity_dimension(layout, manager, routing)
    return manager, routing


def _model_matrix(
    layout: _Layout, matrix: Sequence[Sequence[int]], *, with_service: bool
) -> list[list[int]]:
    nodes = [layout.matrix_node(i) for i in range(layout.size)]
    return [
        [matrix[a][b] + (layout.service_s(i) if with_service else 0) for b in nodes]
        for i, a in enumerate(nodes)
    ]


def _add_time_dimension(
    layout: _Layout, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    problem = layout.problem
    horizon = max(v.shift_end_s for v in problem.vehicles)
    transit = _model_matrix(layout, problem.time_s, with_service=True)
    callback = routing.RegisterTransitMatrix(transit)
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dimension = routing.GetDimensionOrDie("time")
    for position, stop in enumerate(layout.stops):
        if stop.window is not None:
            index = manager.NodeToIndex(layout.stop_node(position))
            dimension.CumulVar(index).SetRange(stop.window.earliest_s, stop.window.latest_s)
    for number, vehicle in enumerate(problem.vehicles):
        dimension.CumulVar(routing.Start(number)).SetRange(
            vehicle.shift_start_s, vehicle.shift_end_s
        )
        dimension.CumulVar(routing.End(number)).SetRange(vehicle.shift_start_s, vehicle.shift_end_s)


def _add_capacity_dimension(
    layout: _Layout, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    vehicles = layout.problem.vehicles
    largest = max(v.capacity for v in vehicles)
    demands = [0] * len(layout.depots) + [stop.demand for stop in layout.stops]
    demands += [-largest] * layout.unload_copies
    callback = routing.RegisterUnaryTransitVector(demands)
    slack = largest if layout.unload_copies else 0
    capacities = [v.capacity for v in vehicles]
    routing.AddDimensionWithVehicleCapacity(callback, slack, capacities, True, "load")
    if not slack:
        return
    dimension = routing.GetDimensionOrDie("load")
    unload_from = layout.size - layout.unload_copies
    for index in range(routing.Size()):
        if routing.IsStart(index) or manager.IndexToNode(index) < unload_from:
            dimension.SlackVar(index).SetValue(0)


def _parameters(
    strategy: int, metaheuristic: int, remaining_s: float
) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = strategy
    params.local_search_metaheuristic = metaheuristic
    params.time_limit.FromMilliseconds(max(1, int(remaining_s * 1000)))
    return params


def _guided_search(
    layout: _Layout,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    first: pywrapcp.Assignment,
    deadline: float,
) -> dict[str, list[str]]:
    best = first
    remaining = deadline - time.monotonic()
    if remaining > 0.05:
        params = _parameters(_FSS.AUTOMATIC, _LSM.GUIDED_LOCAL_SEARCH, remaining)
        best = routing.SolveFromAssignmentWithParameters(first, params) or first
    return _read_sequences(layout, manager, routing, best)


def _polish(
    layout: _Layout,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    plan: dict[str, list[str]],
    deadline: float,
) -> dict[str, list[str]]:
    """Run OR-Tools' greedy local search from a plan (no unload trips) until a deadline."""
    remaining = deadline - time.monotonic()
    if remaining < 0.05:
        return plan
    position = {stop.id: n for n, stop in enumerate(layout.stops)}
    routes = [
        [manager.NodeToIndex(layout.stop_node(position[s])) for s in plan.get(vehicle.id, ())]
        for vehicle in layout.problem.vehicles
    ]
    start = routing.ReadAssignmentFromRoutes(routes, True)
    if start is None:
        return plan
    params = _parameters(_FSS.AUTOMATIC, _LSM.GREEDY_DESCENT, remaining)
    found = routing.SolveFromAssignmentWithParameters(start, params)
    if found is None or found.ObjectiveValue() > start.ObjectiveValue():
        return plan
    return _read_sequences(layout, manager, routing, found)


def _best_first_solution(
    routing: pywrapcp.RoutingModel, clock: tuple[float, float], seed: int
) -> pywrapcp.Assignment:
    """Try each first-solution strategy briefly (with a greedy descent) and keep the best."""
    started, limit_s = clock
    budget_s = max(0.05, limit_s * _FIRST_SHARE / len(_FIRST_STRATEGIES))
    deadline = started + limit_s * _FIRST_DEADLINE_SHARE
    shift = seed % len(_FIRST_STRATEGIES)
    order = _FIRST_STRATEGIES[shift:] + _FIRST_STRATEGIES[:shift]
    best: pywrapcp.Assignment | None = None
    for strategy in order:
        params = _parameters(strategy, _LSM.GREEDY_DESCENT, budget_s)
        found = routing.SolveWithParameters(params)
        if found is not None and (best is None or found.ObjectiveValue() < best.ObjectiveValue()):
            best = routing.solver().Assignment(found)
    if best is None:  # every strategy ran out of time: give one the rest of this phase
        remaining = max(budget_s, deadline - time.monotonic())
        best = routing.SolveWithParameters(_parameters(order[0], _LSM.GREEDY_DESCENT, remaining))
    if best is None:
        raise SolverError("OR-Tools found no solution, not even with every stop dropped")
    return best


def _read_sequences(
    layout: _Layout,
    manager: pywrapcp.RoutingIndexManager,
    routing: pywrapcp.RoutingModel,
    assignment: pywrapcp.Assignment,
) -> dict[str, list[str]]:
    sequences: dict[str, list[str]] = {}
    for number, vehicle in enumerate(layout.problem.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(number)))
        visits: list[str] = []
        while not routing.IsEnd(index):
            stop = layout.stop_at(manager.IndexToNode(index))
            visit = stop.id if stop is not None else UNLOAD
            # Unload copies cost nothing, so the solver may chain idle ones: drop repeats,
            # which can only shorten the route.
            if visit != UNLOAD or not visits or visits[-1] != UNLOAD:
                visits.append(visit)
            index = assignment.Value(routing.NextVar(index))
        sequences[vehicle.id] = visits
    return sequences
