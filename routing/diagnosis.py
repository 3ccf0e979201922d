"""Why a stop is left out of a plan: before the search (no truck could ever serve it) and after.

The reasons are ``routing.problem``'s ``REASON_*`` strings; the planning pages translate them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from routing.problem import (
    REASON_DEMAND,
    REASON_FLEET,
    REASON_SHIFTS,
    REASON_WINDOW,
    Problem,
    Stop,
    Unassigned,
    Vehicle,
    window_bounds,
)


def _reaches_in_shift(problem: Problem, vehicle: Vehicle, stop: Stop) -> bool:
    arrival_s = vehicle.shift_start_s + problem.time_s[vehicle.start_node][stop.node]
    earliest_s, latest_s = window_bounds(stop, vehicle)
    begin_s = max(arrival_s, earliest_s)
    back_s = begin_s + stop.service_s + problem.time_s[stop.node][vehicle.end_node]
    return begin_s <= latest_s and back_s <= vehicle.shift_end_s


def diagnose_stop(problem: Problem, stop: Stop) -> str | None:
    """Explain why no vehicle could ever serve a stop on its own, if that is the case.

    Args:
        problem: The routing problem the stop belongs to.
        stop: The stop to examine (demand in size points, times in seconds).

    Returns:
        One of the ``REASON_*`` strings, or ``None`` if at least one vehicle can serve the
        stop when it carries nothing else.
    """
    large_enough = [v for v in problem.vehicles if v.capacity >= stop.demand]
    if not large_enough:
        return REASON_DEMAND
    if not any(_reaches_in_shift(problem, vehicle, stop) for vehicle in large_enough):
        return REASON_WINDOW
    return None


def diagnose_unserved(problem: Problem, sequences: Mapping[str, Sequence[str]]) -> list[Unassigned]:
    """Give a reason for every stop that a plan leaves out.

    Args:
        problem: The problem (every stop in it passed ``diagnose_stop``).
        sequences: Vehicle id -> stop ids in visiting order.

    Returns:
        One ``Unassigned`` per stop missing from the sequences: ``REASON_FLEET`` when no truck
        has room for its demand (size points) and there is no facility to unload at,
        ``REASON_SHIFTS`` otherwise.
    """
    served = {stop_id for visits in sequences.values() for stop_id in visits}
    demand = {stop.id: stop.demand for stop in problem.stops}
    spare = max(
        v.capacity - sum(demand.get(s, 0) for s in sequences.get(v.id, ()))
        for v in problem.vehicles
    )
    return [
        Unassigned(stop.id, REASON_FLEET if full else REASON_SHIFTS)
        for stop in problem.stops
        if stop.id not in served
        for full in [problem.disposal is None and stop.demand > spare]
    ]


def split_servable(problem: Problem) -> tuple[tuple[Stop, ...], list[Unassigned]]:
    """The stops some vehicle could serve on its own, and the others with their reasons.

    Args:
        problem: The routing problem.

    Returns:
        ``(servable, rejected)``: servable stops in problem order; one ``Unassigned`` per
        other stop, with the reason from ``diagnose_stop``.
    """
    static = [(stop, diagnose_stop(problem, stop)) for stop in problem.stops]
    servable = tuple(stop for stop, reason in static if reason is None)
    rejected = [Unassigned(stop.id, reason) for stop, reason in static if reason is not None]
    return servable, rejected
