"""Plan synthetic collection days on the demo town's real road network, end to end (by hand).

For N = 3, 20, 50, 200, 500 bookings on random points of 立川市's roads and 1–20 trucks, books
the pickups through the booking workflow on one service date per case (setup, not timed), then
times ``workflow.plans.plan.plan``: read + pgRouting matrix, the solve, the save (routes, ETAs
and every leg's pgRouting geometry) and the total, with how many stops came back unassigned,
against the targets (``TARGETS_S``). Then the same day's problem without the unload constraint
is solved by Machi and by VROOM at each of ``--budgets`` (``bench.routing_vroom``). Uses a
scratch database, dropped at the end. The machine's load average is printed with every row.

    python -m bench.routing_city [--time-limit 30] [--repeat 1] [--cases 500:20] [--workers 1]
        [--budgets 2,5,10,20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, select, text

from bench.print_city import book_city, create_scratch, drop_scratch, open_every_zone
from bench.routing_vroom import BUDGETS_S, compare
from geo.matrix import build_road_matrix
from geo.models import Vehicle
from machi.settings import get_settings
from routing.problem import Problem
from workflow.db import session_scope
from workflow.demo.town import load_demo_town
from workflow.plans.plan import build_problem, gather, plan

CASES = ((3, 1), (20, 2), (50, 3), (200, 8), (500, 20))
TARGETS_S = {3: ("solve_s", 1.0), 50: ("total_s", 5.0), 500: ("total_s", 20.0)}
"""Issue 12: 3 stops solved within 1 s, 50 stops within 5 s and 500 within 20 s end to end."""


@dataclass(frozen=True)
class Row:
    n: int
    trucks: int
    matrix_s: float
    solve_s: float
    save_s: float
    total_s: float
    used: int
    unassigned: int
    km: float
    load: str


def use_fleet(engine: Engine, mid: int, trucks: int) -> None:
    """Make exactly ``trucks`` vehicles active, copying the first one as needed."""
    with session_scope(engine) as session:
        fleet = list(
            session.scalars(
                select(Vehicle).where(Vehicle.municipality_id == mid).order_by(Vehicle.id)
            ).all()
        )
        model = fleet[0]
        for number in range(len(fleet) + 1, trucks + 1):
            truck = Vehicle(
                municipality_id=mid,
                code=f"bench{number:02d}",
                name=f"{number}号車",
                capacity_points=model.capacity_points,
                shift_start=model.shift_start,
                shift_end=model.shift_end,
                depot_id=model.depot_id,
                crew_names=f"収集班{number}",
            )
            session.add(truck)
            fleet.append(truck)
        for rank, truck in enumerate(fleet):
            truck.active = rank < trucks


def _distance_km(engine: Engine, plan_id: int) -> float:
    with engine.connect() as conn:
        metres = conn.execute(
            text("SELECT coalesce(sum(distance_m), 0) FROM route WHERE plan_id = :p"),
            {"p": plan_id},
        ).scalar_one()
    return float(metres) / 1000


def day_problem(engine: Engine, mid: int, day: dt.date) -> Problem:
    """The problem ``plan`` will solve for ``day`` (read before it moves the bookings on)."""
    with session_scope(engine) as session:
        data = gather(session, mid, day)
        matrix = build_road_matrix(session, mid, data.points)
    return build_problem(data, matrix.time_s, matrix.distance_m)


def run_case(
    engine: Engine, mid: int, case: tuple[int, int], day: dt.date, args: argparse.Namespace
) -> tuple[Row, Problem]:
    n, trucks = case
    open_every_zone(engine, mid, day, n)
    use_fleet(engine, mid, trucks)
    booked = book_city(engine, mid, day, n, seed=day.toordinal())
    problem = day_problem(engine, mid, day)
    result = plan(engine, mid, day, time_limit_s=args.time_limit, seed=0, workers=args.workers)
    t = result.timings_s
    assert result.stops + len(result.unassigned) == booked, "a booking went missing"
    row = Row(
        booked,
        trucks,
        t["matrix_s"],
        t["solve_s"],
        t["save_s"],
        t["total_s"],
        result.routes,
        len(result.unassigned),
        _distance_km(engine, result.plan_id),
        "/".join(f"{value:.1f}" for value in os.getloadavg()),
    )
    return row, problem


def parse_cases(value: str | None) -> Sequence[tuple[int, int]]:
    if not value:
        return CASES
    return [tuple(map(int, item.split(":"))) for item in value.split(",")]  # type: ignore[misc]


def target_mark(row: Row) -> str:
    if row.n not in TARGETS_S:
        return ""
    what, limit_s = TARGETS_S[row.n]
    seconds = getattr(row, what)
    verdict = "ok" if seconds <= limit_s else "MISSED"
    return f"  target {what} <= {limit_s:.0f}: {verdict}"


def print_row(row: Row, repeats: int) -> None:
    print(
        f"{row.n:>4} {row.trucks:>6} {row.matrix_s:>9.2f} {row.solve_s:>8.2f} "
        f"{row.save_s:>7.2f} {row.total_s:>8.2f} {row.used:>5} {row.unassigned:>10} "
        f"{row.km:>7.1f}  (median of {repeats}, load {row.load}){target_mark(row)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=30.0, help="solver budget, s")
    parser.add_argument("--repeat", type=int, default=1, help="runs per case (median total)")
    parser.add_argument("--cases", help="N:trucks,... (default 50:3,200:8,500:20)")
    parser.add_argument("--workers", type=int, default=1, help="solver processes (cores)")
    parser.add_argument("--budgets", help="VROOM comparison budgets, s (default 2,5,10,20)")
    args = parser.parse_args()
    mid = get_settings().municipality_id
    name = f"machi_bench_{secrets.token_hex(4)}"
    engine = create_engine(create_scratch(name))
    try:
        with session_scope(engine) as session:
            load_demo_town(session)
        print(f"time limit {args.time_limit:.0f} s; solver: {args.workers} process(es) = cores")
        print(
            f"{'N':>4} {'trucks':>6} {'matrix_s':>9} {'solve_s':>8} {'save_s':>7} "
            f"{'total_s':>8} {'used':>5} {'unassigned':>10} {'km':>7}"
        )
        first = dt.date.today() + dt.timedelta(days=30)
        budgets = [float(b) for b in args.budgets.split(",")] if args.budgets else BUDGETS_S
        for number, case in enumerate(parse_cases(args.cases)):
            runs = [
                run_case(engine, mid, case, first + dt.timedelta(days=number * 10 + k), args)
                for k in range(args.repeat)
            ]
            middle = statistics.median_low(row.total_s for row, _ in runs)
            row, problem = next(run for run in runs if run[0].total_s == middle)
            print_row(row, args.repeat)
            compare(problem, budgets, args.workers)
    finally:
        engine.dispose()
        drop_scratch(name)


if __name__ == "__main__":
    main()
