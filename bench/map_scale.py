"""Map scale benchmark: the bbox API and vector tiles at 50,000 and 1,000,000 reports.

Run by hand (needs the local PostgreSQL and Debian's chromium)::

    .venv/bin/python -m bench.map_scale                         # 50k and 1M reports
    .venv/bin/python -m bench.map_scale --sizes 50000 --reuse   # measure again, same data

For each size it creates a scratch database (migrated, demo town loaded, seeded with
``machi demo seed-reports N`` and timed), serves the real app in ``--workers`` uvicorn
processes as the app role (row-level security on), and measures, for a department clerk
(doro) and the administrator (all departments):

- each view alone: the staff map's bbox API at whole-city and street level, and the base and
  reports tiles at z12 (whole city) and z16 (street), with 1 client (what a request costs)
  and ``--clients`` clients in a closed loop (capacity: each asks again the moment it is
  answered, so p95 is about clients / throughput; with wrk, ``--rounds`` rounds per view,
  printed as the round with the median p95 and every round's p95), after a static file as
  the floor of the stack itself; street views centre on random points of the roads. The
  closed loop is ``wrk`` (``bench.map_wrk``; Debian's package) when installed, else Python
  threads (``bench.map_load``, whose own CPU on the shared cores weighs on every figure);
- ``--clients`` clerks panning their staff maps, each like a browser (``bench.map_clerks``:
  the bbox API and the uncovered base tiles per pan): the targets are judged on this load,
  after ``--clerk-warmup`` seconds of the same load whose figures are printed but not judged
  (a server that was just started has every cache cold; clerks meet it warm the rest of the
  day);
- the staff map's page-ready time in headless Chromium, desktop and CPU throttled x4, with
  every request outside the app aborted (``bench.map_browser``), once the machine is quiet
  again after the loads above (at most 3 minutes' wait; what was waited is printed).

While the views and the clerks are measured, ``--changes`` random reports a second change
status (``bench.map_changes``): street-level answers are cached until a change touches them,
and a bench without writes would time cache hits only.

``--cluster`` runs ``machi db cluster-reports`` after seeding (``geo.maintenance``).

Targets (issue 15): API and tile p95 <= 50 ms at 20 clients for every view up to 1M reports;
page ready <= 0.5 s desktop and <= 1.1 s throttled. The clients run on the same 2 cores.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics

import httpx
from sqlalchemy import create_engine, text

from bench.map_browser import Stolen, page_ready_s, quiet_machine
from bench.map_changes import changing_reports
from bench.map_clerks import clerks_at_maps
from bench.map_load import PathFor, load_test, login_cookies
from bench.map_seed import MID, cluster_with_cli, prepare_database, report_count
from bench.map_wrk import wrk_available, wrk_test
from bench.platform_serve import serve
from geo.tilegrid import tile_at

TOWN = (139.3475, 35.6780, 139.4480, 35.7395)  # 立川市, roughly (west, south, east, north)
TARGET_MS = 50.0
READY_TARGET_S = {1.0: 0.5, 4.0: 1.1}
SLOW_SHARE = 1.25  # a page-ready run this far over its target is told apart: where its time went
USERS = (("doro", "doro-demo"), ("admin", "admin-demo"))


def road_spots(owner_url: str, n: int = 400) -> list[tuple[float, float]]:
    """Random points on the town's streets: where clerks zoom in."""
    engine = create_engine(owner_url)
    with engine.connect() as conn:
        conn.execute(text("SELECT setseed(0.42)"))
        rows = conn.execute(
            text(
                "SELECT ST_X(p) AS lon, ST_Y(p) AS lat FROM (SELECT ST_LineInterpolatePoint("
                "geom, random()) AS p FROM road_edge WHERE municipality_id = :m "
                "ORDER BY random() LIMIT :n) s"
            ),
            {"m": MID, "n": n},
        ).all()
    engine.dispose()
    return [(float(r.lon), float(r.lat)) for r in rows]


def views(spots: list[tuple[float, float]]) -> dict[str, PathFor]:
    town = ",".join(f"{v:.4f}" for v in TOWN)

    def street_bbox(rng: random.Random) -> str:
        lon, lat = rng.choice(spots)  # a ~350 m x 300 m view around a street
        return f"{lon - 0.002:.5f},{lat - 0.0016:.5f},{lon + 0.002:.5f},{lat + 0.0016:.5f}"

    def tile(layer: str, z: int, street: bool, query: str = "") -> PathFor:
        def pick(rng: random.Random) -> str:
            lon, lat = (
                rng.choice(spots)
                if street
                else (rng.uniform(TOWN[0], TOWN[2]), rng.uniform(TOWN[1], TOWN[3]))
            )
            t = tile_at(lon, lat, z)
            return f"/tiles/{layer}/{t.z}/{t.x}/{t.y}.pbf{query}"

        return pick

    return {
        "bbox API whole city": lambda _rng: f"/api/v1/reports?bbox={town}",
        "bbox API street": lambda rng: f"/api/v1/reports?bbox={street_bbox(rng)}",
        # as our maps ask for them: 512 px wide, one zoom less (map zoom 12 and 16)
        "base tile z11 512 px (city)": tile("base", 11, False, "?scale=2"),
        "base tile z15 512 px (street)": tile("base", 15, True, "?scale=2"),
        "reports tile z12 (clusters)": tile("reports", 12, False),
        "reports tile z16 (points)": tile("reports", 16, True),
    }


def measure(base: str, spots: list[tuple[float, float]], args: argparse.Namespace) -> list[str]:
    """Each view alone: 1 client (a request's own cost), then --clients in a closed loop."""
    floor = {"static file (the stack's floor)": lambda _rng: "/static/machi.css"}
    misses = []
    for user, password in USERS:
        cookies = login_cookies(base, user, password)
        for clients in sorted({1, args.clients}):
            each = f"{args.seconds:.0f} s" if args.load == "wrk" else f"{args.requests} requests"
            print(f"-- {user}, {clients} client(s) in a closed loop, {each} each ({args.load})")
            for name, path_for in {**floor, **views(spots)}.items():
                if args.load == "wrk":
                    line = _wrk_rounds(base, cookies, name, path_for, clients, args)
                else:
                    result = load_test(base, cookies, name, path_for, clients, args.requests)
                    line = result.line(TARGET_MS)
                print(line, flush=True)
                if "MISSES" in line:
                    misses.append(f"{user} {name} at {clients} clients")
    return misses


def _wrk_rounds(
    base: str,
    cookies: httpx.Cookies,
    name: str,
    path_for: PathFor,
    clients: int,
    args: argparse.Namespace,
) -> str:
    """``--rounds`` wrk runs of one view: the round with the median p95, and every round's p95.

    One 8 s round swings a lot on 2 shared cores (the same cached base tiles measured p95
    15-146 ms in three rounds), so a view is judged on the median round.
    """
    rounds = [wrk_test(base, cookies, name, path_for, clients, args.seconds)]
    rounds += [wrk_test(base, cookies, name, path_for, clients, args.seconds)
               for _ in range(args.rounds - 1)]  # fmt: skip
    ranked = sorted(rounds, key=lambda r: r.p95)
    spread = " / ".join(f"{r.p95:.1f}" for r in rounds)
    return f"{ranked[len(ranked) // 2].line(TARGET_MS)}  [p95 of {len(rounds)} rounds: {spread}]"


def measure_clerks(
    base: str, spots: list[tuple[float, float]], args: argparse.Namespace
) -> list[str]:
    misses = []
    for user, password in USERS:
        cookies = login_cookies(base, user, password)
        if args.clerk_warmup > 0:  # the first minutes after a restart, reported on their own
            cold = clerks_at_maps(base, cookies, args.clients, args.clerk_warmup, TOWN, spots)
            print(f"-- {args.clients} clerks ({user}), the first {args.clerk_warmup:.0f} s "
                  "(caches cold: not judged)")  # fmt: skip
            print("\n".join(cold.lines(TARGET_MS, args.clerk_warmup)), flush=True)
        stats = clerks_at_maps(base, cookies, args.clients, args.clerk_seconds, TOWN, spots)
        print(f"-- {args.clients} clerks ({user}) panning for {args.clerk_seconds:.0f} s, "
              "2-6 s between pans")  # fmt: skip
        print("\n".join(stats.lines(TARGET_MS, args.clerk_seconds)), flush=True)
        misses += [
            f"{user} {kind} p95 {stats.p95(kind):.1f} ms"
            for kind in stats.latencies
            if stats.p95(kind) > TARGET_MS
        ]
        if stats.errors:
            misses.append(f"{user}: {stats.errors} errors")
    return misses


def measure_pages(base: str, runs: int) -> list[str]:
    misses = []
    quiet = quiet_machine()
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"-- the staff map in Chromium, {quiet}, load average {load}", flush=True)
    for slowdown, target in READY_TARGET_S.items():
        timings, left, slow = page_ready_s(
            base, "doro", "doro-demo", runs, slowdown, slow_s=target * SLOW_SHARE
        )
        median = statistics.median(timings)
        cpu = "desktop" if slowdown == 1 else f"CPU x{slowdown:.0f}"
        print(
            f"page ready /staff/map {cpu:<8} median {median:.2f} s, worst {max(timings):.2f} s"
            f" (target {target} s, cold cache, {runs} runs; {left} requests outside the origin) "
            + ("ok" if median <= target and not left else "MISSES")
            + f"  [runs in order: {' / '.join(f'{t:.2f}' for t in timings)}]"
        )
        for line in slow:
            print(f"   slow {line}")
        if median > target or left:
            misses.append(f"page ready {cpu} median {median:.2f} s")
    return misses


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50000,1000000", help="report counts, comma-separated")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="per client and view (python)")
    parser.add_argument("--seconds", type=float, default=8, help="per view and round (wrk)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk rounds per view (median)")
    parser.add_argument(
        "--load",
        choices=("wrk", "python"),
        default="wrk" if wrk_available() else "python",
        help="closed-loop clients: wrk (C; apt install wrk) or Python threads (bench.map_load)",
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--runs", type=int, default=5, help="page loads per CPU setting")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument(
        "--reuse", action="store_true", help="keep seeded databases (seeds those missing)"
    )
    parser.add_argument("--clerk-seconds", type=float, default=60.0)
    parser.add_argument(
        "--clerk-warmup", type=float, default=20.0, help="seconds of clerks before the timed ones"
    )
    parser.add_argument(
        "--only", default="views,clerks,pages", help="which parts: views, clerks, pages"
    )
    parser.add_argument(
        "--cluster", action="store_true", help="machi db cluster-reports after seeding"
    )
    parser.add_argument("--changes", type=float, default=2.0, help="report changes a second")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    summary = []
    for total in (int(s) for s in args.sizes.split(",")):
        urls = prepare_database(total, args.reuse)
        if args.cluster:
            print(cluster_with_cli(urls.owner), flush=True)
        load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
        print(f"\n== {report_count(urls.owner):,} reports; {args.workers} web processes; "
              f"{os.cpu_count()} CPUs, load average {load}", flush=True)  # fmt: skip
        spots = road_spots(urls.owner)
        stolen = Stolen()
        with serve(urls, args.port, args.workers) as (base, _pid):
            parts = set(args.only.split(","))
            misses = []
            with changing_reports(urls.owner, MID, args.changes) as changes:
                if "views" in parts:
                    misses += measure(base, spots, args)
                if "clerks" in parts:
                    misses += measure_clerks(base, spots, args)
            print(changes.line(), flush=True)
            if "pages" in parts:
                misses += measure_pages(base, args.runs)
        steal = stolen.share()
        print(f"CPU time taken by the hypervisor (steal) over these steps: {steal:.1%}")
        summary.append(
            f"{total:,} reports: "
            + ("every target met" if not misses else "; ".join(misses))
            + f" (steal {steal:.1%})"
        )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"\n== summary (load average at the end {load})")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
