"""Plan synthetic collection days on the demo town's real road network (run by hand).

For N = 50, 200, 500 bookings on random points of 立川市's roads and 3–20 trucks, prints the
pgRouting matrix time, the OR-Tools solve time, the leg-geometry time, the total and how many
stops came back unassigned. Uses a scratch database (created and loaded if missing).

    python -m bench.routing_city [--time-limit 30] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.db import session_scope
from geo.matrix import build_road_matrix
from geo.paths import leg_paths
from machi.settings import Settings
from routing.problem import UNLOAD, Disposal, Problem, Stop, Vehicle
from routing.solver import solve_vrp
from workflow.demo import load_demo_town
from workflow.demo_seed import road_points

CASES = ((50, 3), (200, 8), (500, 20))
MID = 13202
SHIFT = (8 * 3600 + 1800, 16 * 3600 + 1800)


@dataclass(frozen=True)
class Row:
    n: int
    trucks: int
    matrix_s: float
    solve_s: float
    legs_s: float
    total_s: float
    used: int
    unassigned: int
    km: float


def _scratch(url: str) -> str:
    base = make_url(url)
    name = "machi_bench_city"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    target = base.set(database=name).render_as_string(hide_password=False)
    from alembic import command
    from alembic.config import Config

    from machi.settings import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", target.replace("%", "%%"))
    command.upgrade(config, "head")
    with session_scope(create_engine(target)) as session:
        load_demo_town(session)
    return target


def _problem(
    points: list[tuple[float, float]],
    time_s: tuple[tuple[int, ...], ...],
    dist: tuple[tuple[int, ...], ...],
    trucks: int,
    rng: random.Random,
) -> Problem:
    vehicles = tuple(Vehicle(f"t{i}", 40, *SHIFT, 0, 0, fixed_cost=1800) for i in range(trucks))
    stops = tuple(
        Stop(f"s{i}", i + 1, rng.randint(1, 6), 120 + 60 * rng.randint(1, 3))
        for i in range(len(points) - 1)
    )
    return Problem(time_s, dist, vehicles, stops, Disposal(0, 900))


def run_case(url: str, n: int, trucks: int, time_limit_s: float, seed: int) -> Row:
    engine = create_engine(url)
    rng = random.Random(seed)
    started = time.perf_counter()
    with session_scope(engine) as session:
        depot = session.execute(
            text(
                "SELECT ST_X(location), ST_Y(location) FROM facility WHERE municipality_id = :m "
                "AND is_depot"
            ),
            {"m": MID},
        ).one()
        points = [(float(depot[0]), float(depot[1])), *road_points(session, MID, n, seed)]
        matrix = build_road_matrix(session, MID, points)
    matrix_s = time.perf_counter() - started
    problem = _problem(points, matrix.time_s, matrix.distance_m, trucks, rng)
    solve_started = time.perf_counter()
    solution = solve_vrp(problem, time_limit_s=time_limit_s, seed=seed)
    solve_s = time.perf_counter() - solve_started
    legs_started = time.perf_counter()
    pairs = set()
    for route in solution.routes:
        nodes = [0, *(v.node for v in route.visits), 0] if route.used else []
        pairs |= {
            (matrix.vertex_ids[a], matrix.vertex_ids[b])
            for a, b in zip(nodes, nodes[1:], strict=False)
        }
    with session_scope(engine) as session:
        leg_paths(session, MID, sorted(pairs))
    legs_s = time.perf_counter() - legs_started
    engine.dispose()
    served = sum(1 for r in solution.routes for v in r.visits if v.stop_id != UNLOAD)
    assert served + len(solution.unassigned) == n
    return Row(
        n,
        trucks,
        matrix_s,
        solve_s,
        legs_s,
        time.perf_counter() - started,
        solution.vehicles_used,
        len(solution.unassigned),
        solution.distance_m / 1000,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--database-url", default=Settings().database_url)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    url = _scratch(args.database_url)
    print(
        f"{'N':>4} {'trucks':>6} {'matrix_s':>9} {'solve_s':>8} {'legs_s':>7} {'total_s':>8} "
        f"{'used':>5} {'unassigned':>10} {'km':>7}"
    )
    for n, trucks in CASES:
        rows = [run_case(url, n, trucks, args.time_limit, seed) for seed in range(args.repeat)]
        row = (
            rows[0]
            if len(rows) == 1
            else min(
                rows, key=lambda r: abs(r.total_s - statistics.median(x.total_s for x in rows))
            )
        )
        print(
            f"{row.n:>4} {row.trucks:>6} {row.matrix_s:>9.2f} {row.solve_s:>8.2f} "
            f"{row.legs_s:>7.2f} {row.total_s:>8.2f} {row.used:>5} {row.unassigned:>10} "
            f"{row.km:>7.1f}"
        )


if __name__ == "__main__":
    main()
