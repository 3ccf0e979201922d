"""Vehicle routing with OR-Tools: the only module of Machi that imports ``ortools``.

Nodes are laid out by ``routing.model_layout``. The capacity dimension counts the load picked
up so far; an unload node has demand ``-max_capacity`` and a slack in ``[0, max_capacity]``
and is entered with a load of one point or more. The time dimension carries service plus
travel time and a waiting slack. The budget's phases are ``routing.budget``'s; the relay with
ruin-and-recreate is ``routing.search_pool``'s; when to stop, ``routing.convergence``'s.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from routing.budget import Budget
from routing.convergence import Watch, start_progress
from routing.diagnosis import diagnose_unserved, split_servable
from routing.errors import SolverError
from routing.helper_pool import HelperPool, helper_pool
from routing.model_layout import (
    ModelLayout,
    SearchCosts,
    make_layout,
    model_matrix,
    search_costs,
    sequences_cost,
)
from routing.problem import REASON_FLEET, Objective, Problem, Solution, Unassigned
from routing.schedule import build_solution
from routing.search_pool import RelaySteps, relay

_FSS = routing_enums_pb2.FirstSolutionStrategy
_LSM = routing_enums_pb2.LocalSearchMetaheuristic
_FIRST_STRATEGIES = (
    _FSS.SEQUENTIAL_CHEAPEST_INSERTION,  # the fastest on large problems: first, so it finishes
    _FSS.PARALLEL_CHEAPEST_INSERTION,
    _FSS.SAVINGS,
    _FSS.LOCAL_CHEAPEST_INSERTION,
)
_RIVAL_METAHEURISTIC = _LSM.TABU_SEARCH
"""The helper's search on unload days: from the same first solution it ends elsewhere than GLS."""


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
    search; without a disposal facility it then relays to ruin-and-recreate chains, also in
    ``workers - 1`` helper processes (``routing.search_pool.relay``). With a facility a helper,
    if any, runs tabu search from the same first solution; the cheaper plan wins. Every phase
    stops once it no longer improves (``routing.convergence``): the budget is only a ceiling.

    Args:
        problem: The problem to solve.
        time_limit_s: Wall-clock ceiling for the whole search, in seconds.
        seed: Orders the first-solution strategies and seeds ruin-and-recreate; routes
            repeat exactly when the search stops on convergence, not on the clock.
        objective: ``"time"``, ``"distance"`` or ``"vehicles"``.
        workers: Processes to search with (CPU cores to use), at least 1.

    Returns:
        The best solution found, with routes for every vehicle (unused ones empty).

    Raises:
        SolverError: OR-Tools returned no solution at all.
    """
    budget = Budget(time.monotonic(), time_limit_s)
    servable, rejected = split_servable(problem)
    if not servable or not problem.vehicles:
        rejected += [Unassigned(stop.id, REASON_FLEET) for stop in servable]
        return build_solution(problem, {}, rejected, {"wall_s": 0.0})
    layout = make_layout(problem, servable)
    costs = search_costs(layout, objective)
    with helper_pool(workers - 1) as pool:
        sequences = _search(layout, costs, budget, seed, pool)
    dropped = diagnose_unserved(replace(problem, stops=layout.stops), sequences)
    stats = {"wall_s": time.monotonic() - budget.started}
    return build_solution(problem, sequences, rejected + dropped, stats)


def _search(
    layout: ModelLayout, costs: SearchCosts, budget: Budget, seed: int, pool: HelperPool
) -> dict[str, list[str]]:
    """OR-Tools' first solution, then guided local search (facility) or the relay (none)."""
    # Ruin-and-recreate does not move unload trips: with a facility OR-Tools does it all.
    unloads = layout.problem.disposal is not None
    rival = pool.start(_rival_search, layout, costs, budget, seed) if unloads else None
    model = _build_model(layout, costs)
    first = _best_first_solution(model.routing, budget, seed)
    if unloads:
        mine = _guided_search(model, first, (budget.started, budget.deadline))
        plans = [mine, pool.finish(rival) or mine]
        return min(plans, key=lambda plan: sequences_cost(layout, costs, plan))
    steps = RelaySteps(
        first=_read_sequences(model, first),
        guided=lambda until: _guided_search(model, first, (budget.started, until)),
        polish=lambda plan, until: _polish(model, plan, until),
    )
    return relay(replace(layout.problem, stops=layout.stops), costs, budget, pool, steps, seed)


def _rival_search(
    layout: ModelLayout, costs: SearchCosts, budget: Budget, seed: int
) -> dict[str, list[str]]:
    """The main search's first solution, then the rival metaheuristic (in a helper process)."""
    model = _build_model(layout, costs)
    first = _best_first_solution(model.routing, budget, seed)
    until = (budget.started, budget.rival_until)
    return _guided_search(model, first, until, _RIVAL_METAHEURISTIC)


@dataclass(frozen=True)
class _Model:
    """An OR-Tools model of a layout, and the watch that stops its search when it stalls."""

    layout: ModelLayout
    manager: pywrapcp.RoutingIndexManager
    routing: pywrapcp.RoutingModel
    watch: Watch
    limit: pywrapcp.SearchLimit  # held here: the model does not keep the Python object alive


def _build_model(layout: ModelLayout, costs: SearchCosts) -> _Model:
    problem = layout.problem
    starts = [layout.depots.index(v.start_node) for v in problem.vehicles]
    ends = [layout.depots.index(v.end_node) for v in problem.vehicles]
    manager = pywrapcp.RoutingIndexManager(layout.size, len(problem.vehicles), starts, ends)
    routing = pywrapcp.RoutingModel(manager)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitMatrix(costs.arc))
    for vehicle, cost in enumerate(costs.fixed):
        routing.SetFixedCostOfVehicle(cost, vehicle)
    for model_node in range(len(layout.depots), layout.size):
        penalty = costs.drop_penalty if layout.stop_at(model_node) else 0  # unload copies: 0
        routing.AddDisjunction([manager.NodeToIndex(model_node)], penalty)
    _add_time_dimension(layout, manager, routing)
    _add_capacity_dimension(layout, manager, routing)
    watch = Watch()
    routing.AddAtSolutionCallback(lambda: watch.note(routing.CostVar().Value()))
    limit = routing.solver().CustomLimit(watch.limit_reached)
    routing.AddSearchMonitor(limit)
    return _Model(layout, manager, routing, watch, limit)


def _add_time_dimension(
    layout: ModelLayout, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    problem = layout.problem
    horizon = max(v.shift_end_s for v in problem.vehicles)
    transit = model_matrix(layout, problem.time_s, with_service=True)
    callback = routing.RegisterTransitMatrix(transit)
    routing.AddDimension(callback, horizon, horizon, False, "time")
    dimension = routing.GetDimensionOrDie("time")
    for position, stop in enumerate(layout.stops):
        if stop.window is not None:
            index = manager.NodeToIndex(layout.stop_node(position))
            dimension.CumulVar(index).SetRange(stop.window.earliest_s, stop.window.latest_s)
    for number, vehicle in enumerate(problem.vehicles):
        for index in (routing.Start(number), routing.End(number)):
            dimension.CumulVar(index).SetRange(vehicle.shift_start_s, vehicle.shift_end_s)


def _add_capacity_dimension(
    layout: ModelLayout, manager: pywrapcp.RoutingIndexManager, routing: pywrapcp.RoutingModel
) -> None:
    capacities = [v.capacity for v in layout.problem.vehicles]
    callback = routing.RegisterUnaryTransitVector(layout.demands())
    slack = max(capacities) if layout.unload_copies else 0
    routing.AddDimensionWithVehicleCapacity(callback, slack, capacities, True, "load")
    if not slack:
        return
    dimension = routing.GetDimensionOrDie("load")
    unload_from = layout.size - layout.unload_copies
    for index in range(routing.Size()):
        if routing.IsStart(index) or manager.IndexToNode(index) < unload_from:
            dimension.SlackVar(index).SetValue(0)
            continue
        # Unload only with a load: never first (the demo depot is the facility, where an
        # unload cost nothing). Forcing the load after it to zero with an equality made first
        # solutions 6x slower, so two in a row are merged on reading (``ModelLayout.visits``).
        dimension.CumulVar(index).SetMin(1)


def _parameters(strategy: int, meta: int, limit_s: float) -> pywrapcp.RoutingSearchParameters:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = strategy
    params.local_search_metaheuristic = meta
    params.time_limit.FromMilliseconds(max(1, int(limit_s * 1000)))
    return params


def _guided_search(
    model: _Model,
    first: pywrapcp.Assignment,
    until: tuple[float, float],
    metaheuristic: int = _LSM.GUIDED_LOCAL_SEARCH,
) -> dict[str, list[str]]:
    """Improve ``first`` until it stalls or the deadline; ``until``: (search start, deadline)."""
    best, (started, deadline) = first, until
    now = time.monotonic()
    if deadline - now > 0.05:
        params = _parameters(_FSS.AUTOMATIC, metaheuristic, deadline - now)
        stops = len(model.layout.stops)
        model.watch.progress = start_progress(started, now, first.ObjectiveValue(), stops)
        best = model.routing.SolveFromAssignmentWithParameters(first, params) or first
        model.watch.progress = None
    return _read_sequences(model, best)


def _polish(model: _Model, plan: dict[str, list[str]], deadline: float) -> dict[str, list[str]]:
    """Run OR-Tools' greedy local search from a plan (no unload trips) until a deadline."""
    remaining = deadline - time.monotonic()
    if remaining < 0.05:
        return plan
    layout, manager, routing = model.layout, model.manager, model.routing
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
    return _read_sequences(model, found)


def _best_first_solution(
    routing: pywrapcp.RoutingModel,
    budget: Budget,
    seed: int,
    strategies: tuple[int, ...] = _FIRST_STRATEGIES,
) -> pywrapcp.Assignment:
    """Build a first solution with each strategy, descend each briefly and keep the cheapest.

    Constructions may finish (``budget.build_until``): cut short, OR-Tools falls back to a
    plan dropping most stops.
    """
    slot_s, first = budget.first_slot_s(len(strategies)), None
    shift = seed % len(strategies)
    best: pywrapcp.Assignment | None = None
    for strategy in strategies[shift:] + strategies[:shift]:
        now = time.monotonic()
        if (cap := budget.build_until(first)) - now < 0.01:
            break
        found, built_s = _construct(routing, strategy, cap - now, now + slot_s)
        first = first or (now + built_s, built_s)
        if found is not None and (best is None or found.ObjectiveValue() < best.ObjectiveValue()):
            best = found
    if best is None:
        raise SolverError("OR-Tools found no solution, not even with every stop dropped")
    return best


def _construct(
    routing: pywrapcp.RoutingModel, strategy: int, build_s: float, descend_until: float
) -> tuple[pywrapcp.Assignment | None, float]:
    """Construct (at most ``build_s``), descend until a moment: (plan, construction s)."""
    params, started = _parameters(strategy, _LSM.GREEDY_DESCENT, build_s), time.monotonic()
    params.solution_limit = 1  # the construction only
    built = routing.SolveWithParameters(params)
    built_s = time.monotonic() - started
    if built is None:
        return None, built_s
    built = routing.solver().Assignment(built)  # the next solve reuses the returned object
    if (remaining := descend_until - time.monotonic()) < 0.01:
        return built, built_s
    params = _parameters(_FSS.AUTOMATIC, _LSM.GREEDY_DESCENT, remaining)
    found = routing.SolveFromAssignmentWithParameters(built, params)
    return (routing.solver().Assignment(found) if found is not None else built), built_s


def _read_sequences(model: _Model, assignment: pywrapcp.Assignment) -> dict[str, list[str]]:
    layout, manager, routing = model.layout, model.manager, model.routing
    sequences: dict[str, list[str]] = {}
    for number, vehicle in enumerate(layout.problem.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(number)))
        nodes: list[int] = []
        while not routing.IsEnd(index):
            nodes.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        sequences[vehicle.id] = layout.visits(nodes)
    return sequences
