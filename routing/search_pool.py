"""Ruin-and-recreate chains, some of them in helper processes (pure: no OR-Tools here).

``solve_vrp`` may search with more than one process. Helpers are started with ``spawn`` (they
never inherit the parent's threads, sockets or OR-Tools state) as soon as the solve begins, so
their start-up overlaps OR-Tools' first solutions. They improve the first solution while the
main process runs guided local search; at a synchronisation point every chain continues from
the cheapest plan so far, under its own seed, along one shared annealing schedule. A helper
that fails only costs its result: the main process always has its own plan.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

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


@dataclass
class SearchPool:
    """Helper processes; ``executor`` is ``None`` when the search runs in one process."""

    executor: ProcessPoolExecutor | None
    workers: int = 0
    futures: list[Future[Sequences]] = field(default_factory=list)


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
    )


def _warm_up() -> None:
    """Run in each worker once, so imports happen while the parent is still busy."""


@contextmanager
def search_pool(workers: int) -> Iterator[SearchPool]:
    """Start ``workers`` helper processes (none when ``workers`` < 1) and stop them on exit.

    Args:
        workers: Number of helper processes.

    Yields:
        The pool, to hand to a ``ChainRunner``.
    """
    if workers < 1:
        yield SearchPool(None)
        return
    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        for _ in range(workers):
            executor.submit(_warm_up)
        yield SearchPool(executor, workers)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@dataclass(frozen=True)
class ChainRunner:
    """Runs ruin-and-recreate in this process and in the pool's helpers."""

    problem: Problem
    costs: ChainCosts
    pool: SearchPool
    margin_s: float = 0.05
    """Helpers stop this much before a deadline, so that their plans are back in time."""

    def submit(self, start: Mapping[str, Sequence[str]], deadline: float, seed: int) -> None:
        """Start one chain per helper from ``start`` (seeds ``seed``, ``seed + 1`` ...)."""
        if self.pool.executor is None:
            return
        plan = {vehicle: list(stops) for vehicle, stops in start.items()}
        for number in range(self.pool.workers):
            future = self.pool.executor.submit(
                _run_chain, self.problem, plan, self.costs, deadline - self.margin_s, seed + number
            )
            self.pool.futures.append(future)

    def improve(self, start: Sequences, deadline: float, seed: int) -> Sequences:
        """Improve ``start`` here until ``deadline``; return the cheapest plan of all chains."""
        mine = _run_chain(self.problem, start, self.costs, deadline, seed)
        plans = [mine]
        while self.pool.futures:
            try:
                plans.append(self.pool.futures.pop(0).result())
            except Exception:  # a lost helper only costs its plan: ours is always there
                continue
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
