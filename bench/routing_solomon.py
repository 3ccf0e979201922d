"""Solomon VRPTW benchmark: Machi's OR-Tools solver against VROOM, in one run.

Usage::

    python -m bench.routing_solomon --instances DIR --bks CSV --time-limit 10 --json OUT \
        [--objective distance|vehicles] [--only C101,R101]

Both solvers get the same integer matrices (distances x100 rounded, times x100 rounded up);
distances are reported in double precision recomputed from the routes, and every solution is
re-checked by ``routing.checker`` and by a double-precision time-window check.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import vroom

from routing.checker import check_solution
from routing.errors import SolomonFormatError
from routing.problem import Objective, Problem, Solution, Stop
from routing.schedule import build_solution
from routing.solomon import SolomonInstance, read_solomon, route_distance, routes_feasible
from routing.solomon import build_problem as build_solomon_problem
from routing.solver import solve_vrp

SCALE = 100
VROOM_EXPLORATION = 5
VROOM_THREADS = 2
MACHI_WORKERS = 2
"""Processes for Machi's search: the same two cores VROOM's threads get."""
REFERENCES = {
    "distance": "distance-only best-known (distmin_*; hierarchical bks_* where missing)",
    "vehicles": "hierarchical best-known (fewest vehicles, then distance; bks_*)",
}


@dataclass(frozen=True)
class Reference:
    vehicles: int
    distance: float
    source: str


@dataclass(frozen=True)
class Result:
    vehicles: int
    distance: float
    gap_pct: float | None
    wall_s: float
    feasible: bool
    extra_vehicles: int | None
    """Vehicles used minus the reference's vehicles."""
    at_bks: bool
    """Distance within 0.01 % of the reference (and, for "vehicles", no more vehicles)."""


def load_references(path: Path, objective: Objective) -> dict[str, Reference]:
    columns = ("distmin_vehicles", "distmin_distance")
    if objective == "vehicles":
        columns = ("bks_vehicles", "bks_distance")
    references = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            veh, dist = columns
            if not row.get(dist):  # distance-only BKS missing: fall back to hierarchical
                veh, dist = "bks_vehicles", "bks_distance"
            if row.get(dist):
                reference = Reference(int(row[veh]), float(row[dist]), source=dist)
                references[row["instance"].upper()] = reference
    return references


def solve_machi(
    problem: Problem, time_limit_s: float, objective: Objective
) -> tuple[Solution, float]:
    started = time.monotonic()
    solution = solve_vrp(
        problem, time_limit_s=time_limit_s, seed=0, objective=objective, workers=MACHI_WORKERS
    )
    return solution, time.monotonic() - started


def solve_vroom(
    problem: Problem, time_limit_s: float, objective: Objective
) -> tuple[Solution, float]:
    started = time.monotonic()
    model = vroom.Input()
    model.set_durations_matrix(profile="car", matrix_input=[list(r) for r in problem.time_s])
    model.set_costs_matrix(profile="car", matrix_input=[list(r) for r in problem.distance_m])
    fixed = sum(max(row) for row in problem.distance_m) if objective == "vehicles" else 0
    for number, vehicle in enumerate(problem.vehicles):
        window = vroom.TimeWindow(vehicle.shift_start_s, vehicle.shift_end_s)
        model.add_vehicle(
            vroom.Vehicle(number, start=vehicle.start_node, end=vehicle.end_node,
                          capacity=[vehicle.capacity], time_window=window,
                          costs=vroom.VehicleCosts(fixed=fixed))
        )  # fmt: skip
    model.add_job([_vroom_job(number, stop) for number, stop in enumerate(problem.stops)])
    timeout = timedelta(seconds=time_limit_s)
    raw = model.solve(
        exploration_level=VROOM_EXPLORATION, nb_threads=VROOM_THREADS, timeout=timeout
    ).to_dict()
    sequences = {
        problem.vehicles[route["vehicle"]].id: [
            problem.stops[step["id"]].id for step in route["steps"] if step["type"] == "job"
        ]
        for route in raw["routes"]
    }
    solution = build_solution(problem, sequences)
    return solution, time.monotonic() - started


def _vroom_job(number: int, stop: Stop) -> Any:
    window = stop.window
    windows = [] if window is None else [vroom.TimeWindow(window.earliest_s, window.latest_s)]
    return vroom.Job(number, location=stop.node, delivery=[stop.demand],
                     default_service=stop.service_s, time_windows=windows)  # fmt: skip


def score(
    instance: SolomonInstance,
    problem: Problem,
    solved: tuple[Solution, float],
    reference: Reference | None,
    objective: Objective,
) -> Result:
    solution, wall_s = solved
    routes = [[int(v.stop_id) for v in route.visits] for route in solution.routes if route.used]
    distance = route_distance(instance, routes)
    feasible = (
        not solution.unassigned
        and not check_solution(problem, solution)
        and routes_feasible(instance, routes)
    )
    gap = (
        None if reference is None else 100.0 * (distance - reference.distance) / reference.distance
    )
    extra = None if reference is None else len(routes) - reference.vehicles
    at_bks = gap is not None and gap <= 0.01
    if objective == "vehicles":
        at_bks = at_bks and extra is not None and extra <= 0
    return Result(len(routes), distance, gap, wall_s, feasible, extra, at_bks)


def _fmt(result: Result) -> str:
    gap = "   n/a" if result.gap_pct is None else f"{result.gap_pct:6.2f}"
    flag = " " if result.feasible else "!"
    return f"{result.vehicles:3d} {result.distance:9.2f} {gap}% {result.wall_s:5.1f}s{flag}"


def summarise(results: Sequence[Result], cores: int) -> dict[str, Any]:
    """Totals and gap statistics; gaps count feasible solutions only (a dropped stop is no gain)."""
    gaps = [r.gap_pct for r in results if r.gap_pct is not None and r.feasible]
    return {
        "cores": cores,
        "instances": len(results),
        "feasible": sum(r.feasible for r in results),
        "vehicles_total": sum(r.vehicles for r in results),
        "distance_total": round(sum(r.distance for r in results), 2),
        "mean_gap_pct": statistics.fmean(gaps) if gaps else None,
        "median_gap_pct": statistics.median(gaps) if gaps else None,
        "max_gap_pct": max(gaps) if gaps else None,
        "at_bks": sum(r.at_bks for r in results),
        "extra_vehicles_total": sum(r.extra_vehicles or 0 for r in results),
        "mean_wall_s": statistics.fmean(r.wall_s for r in results) if results else None,
    }


def compare(ours: Sequence[Result], theirs: Sequence[Result]) -> dict[str, Any]:
    """Machi against VROOM instance by instance, where both are feasible (no BKS needed)."""
    pairs = [(a, b) for a, b in zip(ours, theirs, strict=True) if a.feasible and b.feasible]
    ratios = [100.0 * (a.distance / b.distance - 1.0) for a, b in pairs]
    return {
        "instances": len(pairs),
        "mean_distance_diff_pct": statistics.fmean(ratios) if ratios else None,
        "machi_shorter": sum(r < -0.005 for r in ratios),
        "vroom_shorter": sum(r > 0.005 for r in ratios),
        "vehicles_diff": sum(a.vehicles - b.vehicles for a, b in pairs),
    }


def _compare_line(c: dict[str, Any]) -> str:
    diff = c["mean_distance_diff_pct"]
    return (
        f"machi vs vroom on {c['instances']} instances both solved: distance "
        f"{'n/a' if diff is None else f'{diff:+.2f}%'} (mean per instance), shorter on "
        f"{c['machi_shorter']} vs {c['vroom_shorter']}, vehicles {c['vehicles_diff']:+d}"
    )


def _summary_line(name: str, s: dict[str, Any]) -> str:
    def pct(key: str) -> str:
        return "n/a" if s[key] is None else f"{s[key]:.2f}%"

    return (
        f"{name:6s} ({s['cores']} cores) mean gap {pct('mean_gap_pct')}  "
        f"median {pct('median_gap_pct')}  "
        f"worst {pct('max_gap_pct')}  at BKS {s['at_bks']}/{s['instances']}  "
        f"vehicles {s['vehicles_total']} ({s['extra_vehicles_total']:+d} vs BKS)  "
        f"feasible {s['feasible']}/{s['instances']}  "
        f"mean wall {s['mean_wall_s'] or 0:.1f}s"
    )


def read_instances(directory: Path, only: set[str] | None) -> list[SolomonInstance]:
    instances = []
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        if only is not None and path.stem.upper() not in only:
            continue
        try:
            instances.append(read_solomon(path))
        except (SolomonFormatError, UnicodeDecodeError):
            print(f"skipping {path.name}: not a Solomon-format file", file=sys.stderr)
    return instances


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=Path, required=True)
    parser.add_argument("--bks", type=Path, required=True)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--json", type=Path, required=True)
    parser.add_argument("--objective", choices=("distance", "vehicles"), default="distance")
    parser.add_argument("--only", help="comma-separated instance names (default: all)")
    return parser.parse_args(argv)


def run_instance(
    instance: SolomonInstance, reference: Reference | None, args: argparse.Namespace
) -> tuple[Result, Result]:
    problem = build_solomon_problem(instance, scale=SCALE)
    limit_s, objective = args.time_limit, args.objective
    ours = score(instance, problem, solve_machi(problem, limit_s, objective), reference, objective)
    theirs = score(
        instance, problem, solve_vroom(problem, limit_s, objective), reference, objective
    )
    bks = "n/a" if reference is None else f"{reference.vehicles}/{reference.distance:.2f}"
    print(f"{instance.name:10s} {bks:>15s} | {_fmt(ours)} | {_fmt(theirs)}", flush=True)
    return ours, theirs


def print_header(args: argparse.Namespace) -> None:
    print(f"objective={args.objective} time_limit={args.time_limit}s per instance and solver")
    print(f"reference: {REFERENCES[args.objective]}")
    print(
        "machi: OR-Tools first solutions + guided local search, then ruin-and-recreate; "
        f"{MACHI_WORKERS} processes (cores)"
    )
    print(f"vroom: exploration {VROOM_EXPLORATION}, {VROOM_THREADS} threads (cores)")
    print("columns: vehicles, distance (double precision), gap to BKS, wall; '!' = infeasible")
    print(f"{'instance':10s} {'BKS veh/dist':>15s} | {'machi veh dist gap wall':^32s} | vroom")


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    references = load_references(args.bks, args.objective)
    only = {name.strip().upper() for name in args.only.split(",")} if args.only else None
    rows, machi_results, vroom_results = [], [], []
    print_header(args)
    for instance in read_instances(args.instances, only):
        reference = references.get(instance.name.upper())
        ours, theirs = run_instance(instance, reference, args)
        machi_results.append(ours)
        vroom_results.append(theirs)
        rows.append({"instance": instance.name, "machi": asdict(ours), "vroom": asdict(theirs),
                     "reference": None if reference is None else asdict(reference)})  # fmt: skip
    summary = {"objective": args.objective, "reference": REFERENCES[args.objective],
               "time_limit_s": args.time_limit,
               "machi": summarise(machi_results, MACHI_WORKERS),
               "vroom": summarise(vroom_results, VROOM_THREADS),
               "machi_vs_vroom": compare(machi_results, vroom_results)}  # fmt: skip
    for name in ("machi", "vroom"):
        print(_summary_line(name, summary[name]))
    print(_compare_line(summary["machi_vs_vroom"]))
    args.json.write_text(json.dumps({"instances": rows, "summary": summary}, indent=2) + "\n")


if __name__ == "__main__":
    main()
