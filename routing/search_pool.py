"""Ruin-and-recreate chains, some in helper processes, relayed with OR-Tools (pure: no import).

``solve_vrp`` may search with more than one process (``routing.helper_pool``). Helpers improve
the first solution while the main process runs guided local search; at a synchronisation
point every chain continues from the cheapest plan so far, under its own seed, along one
shared annealing schedule. A helper that fails only costs its result: the main process always
has its own plan.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from routing.budget import Budget
from routing.convergence import improved_markedly
from routing.helper_pool import Helper, HelperPool
from routing.model_layout import SearchCosts
from routing.problem import Problem
from routing.ruin_recreate import improve_routes, plan_cost

Sequences = dict[str, list[str]]


@dataclass(frozen=True)
class ChainCosts:
    """What ``improve_routes`` optimises besides the problem itself."""

    cost_matrix: Sequence[Sequence[int]]
    fixed_costs: Sequence[int]
    drop_penalty: int
    cooling: tuple[float, float]
    """``time.monotonic()`` values (system-wide on Linux) over which every chain cools."""
    search_started: float | None = None
    """When the search started: a chain stops once it stalls (``routing.convergence``)."""


def _run_chain(
    problem: Problem,
    start: Mapping[str, Sequence[str]],
    costs: ChainCosts,
    deadline: float,
    seed: int,
) -> Sequences:
    return improve_routes(
        problem,
        start,
        cost_matrix=costs.cost_matrix,
        fixed_costs=costs.fixed_costs,
        drop_penalty=costs.drop_penalty,
        deadline=deadline,
        seed=seed,
        cooling=costs.cooling,
        search_started=costs.search_started,
    )


@dataclass(frozen=True)
class ChainRunner:
    """Runs ruin-and-recreate in this process and in the pool's helpers."""

    problem: Problem
    costs: ChainCosts
    pool: HelperPool
    margin_s: float = 0.05
    """Helpers stop this much before a deadline, so that their plans are back in time."""
    pending: list[Helper] = field(default_factory=list)

    def submit(self, start: Mapping[str, Sequence[str]], deadline: float, seed: int) -> None:
        """Start one chain per helper from ``start`` (seeds ``seed``, ``seed + 1`` ...)."""
        plan = {vehicle: list(stops) for vehicle, stops in start.items()}
        until = deadline - self.margin_s
        for number in range(self.pool.workers):
            helper = self.pool.start(
                _run_chain, self.problem, plan, self.costs, until, seed + number
            )
            if helper is None:
                return
            self.pending.append(helper)

    def improve(self, start: Sequences, deadline: float, seed: int) -> Sequences:
        """Improve ``start`` here until ``deadline``; return the cheapest plan of all chains."""
        plans = [_run_chain(self.problem, start, self.costs, deadline, seed)]
        while self.pending:
            plan = self.pool.finish(self.pending.pop(0))
            if plan is not None:
                plans.append(plan)
        return min(plans, key=self.cost)

    def cost(self, plan: Mapping[str, Sequence[str]]) -> int:
        """Cost of a plan as the chains count it."""
        costs = self.costs
        return plan_cost(
            self.problem,
            plan,
            cost_matrix=costs.cost_matrix,
            fixed_costs=costs.fixed_costs,
            drop_penalty=costs.drop_penalty,
        )


@dataclass(frozen=True)
class RelaySteps:
    """The OR-Tools phases the relay hands over to (``routing.solver`` supplies them)."""

    first: Sequences
    """The first solution's visiting orders."""
    guided: Callable[[float], Sequences]
    """Guided local search from the first solution until a moment."""
    polish: Callable[[Sequences, float], Sequences]
    """OR-Tools' greedy descent from a plan until a moment."""


def relay(
    problem: Problem,
    costs: SearchCosts,
    budget: Budget,
    pool: HelperPool,
    steps: RelaySteps,
    seed: int,
) -> Sequences:
    """Guided local search, then ruin-and-recreate chains that meet and are polished.

    Helpers start from the first solution at once; guided local search runs here until
    ``budget.handover``. At each of ``budget.syncs`` the chains stop, the cheapest plan is
    polished (OR-Tools finds in a fraction of a second exchanges that ruin-and-recreate
    reaches only slowly) and, but after the last, every chain restarts from it. Every phase
    stops early once it stalls, and a round that stalls without a marked gain is the last.

    Args:
        problem: The problem with only the servable stops.
        costs: The objective (``routing.model_layout.search_costs``).
        budget: The search's clock.
        pool: Helper processes (none is fine).
        steps: The OR-Tools phases.
        seed: Seeds the chains: this process's first, then one per helper.
    """
    syncs = budget.syncs
    cooling = (budget.handover, syncs[-1])
    chain_costs = ChainCosts(costs.matrix, costs.fixed, costs.drop_penalty, cooling, budget.started)
    chains = ChainRunner(problem, chain_costs, pool)
    chains.submit(steps.first, syncs[0], seed + 1)
    mine = steps.guided(budget.handover)
    for number, sync in enumerate(syncs):
        base = seed + number * (1 + pool.workers)  # this chain's seed; helpers count on
        if number:
            chains.submit(mine, sync, base + 1)
        before = chains.cost(mine)
        mine = chains.improve(mine, sync, base)
        stalled = time.monotonic() < sync  # the chains stopped before their time was up
        mine = steps.polish(mine, budget.polish_until(sync))
        if stalled and not improved_markedly(before, chains.cost(mine)):
            break
    return mine
