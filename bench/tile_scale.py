"""Vector tile benchmark: base and reports tiles at whole-city and street level, 1 and N clients.

Run by hand (needs the PostgreSQL server of ``MACHI_DATABASE_URL``)::

    .venv/bin/python -m bench.tile_scale                    # 50,000 reports, 20 clients
    .venv/bin/python -m bench.tile_scale --reuse            # measure again, same database
    .venv/bin/python -m bench.tile_scale --reports 1000000  # a million (bulk SQL seed)

It creates a scratch database ``machi_bench_tiles`` (migrated, demo town, 1,000 reports made
as intake makes them and the rest bulk-inserted with SQL, as ``bench.map_seed --fast-seed``),
serves the real app in ``--workers`` uvicorn processes and requests tiles the way a map does:
random tiles over the town at each zoom. Target: p95 <= 50 ms at 20 clients.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import threading
import time
from collections.abc import Callable

import httpx
from sqlalchemy import create_engine, text

from bench.map_scale import TOWN, login_cookies, report_count, serve
from bench.map_seed import _BULK, MID, server_url
from geo.tilegrid import tile_at
from workflow.db import session_scope
from workflow.demo.seed import seed_reports
from workflow.demo.town import load_demo_town

DB_NAME = "machi_bench_tiles"
TARGET_MS = 50.0


def prepare(total: int) -> str:
    from tests.conftest import create_database, drop_database, migrate

    drop_database(DB_NAME)
    url = create_database(DB_NAME)
    migrate(url)
    engine = create_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:
        load_demo_town(session)
    with session_scope(engine) as session:
        made = seed_reports(session, MID, min(1_000, total), seed=7).created
    with engine.begin() as conn:
        conn.execute(text(_BULK), {"m": MID, "n": total - made})
        conn.execute(text("ANALYZE"))
    engine.dispose()
    print(f"seeded {total} reports in {time.perf_counter() - started:.1f} s")
    return url


def random_tile(z: int) -> Callable[[random.Random], str]:
    def pick(rng: random.Random) -> str:
        t = tile_at(rng.uniform(TOWN[0], TOWN[2]), rng.uniform(TOWN[1], TOWN[3]), z)
        return f"{t.z}/{t.x}/{t.y}.pbf"

    return pick


VIEWS = {
    "base z12 (whole city)": ("base", random_tile(12)),
    "base z16 (street)": ("base", random_tile(16)),
    "reports z12 (whole city, clusters)": ("reports", random_tile(12)),
    "reports z13 (clusters)": ("reports", random_tile(13)),
    "reports z16 (street, points)": ("reports", random_tile(16)),
}


def run(base: str, cookies: httpx.Cookies, view: str, clients: int, per_client: int) -> str:
    layer, pick = VIEWS[view]
    latencies: list[float] = []
    sizes: list[int] = []
    errors = [0]
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
            for _ in range(per_client):
                started = time.perf_counter()
                answer = client.get(f"/tiles/{layer}/{pick(rng)}")
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if answer.status_code != 200:
                        errors[0] += 1
                    else:
                        latencies.append(elapsed)
                        sizes.append(len(answer.content))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies) or [float("nan")]
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"{view:<36} {clients:>2} client(s) n={len(latencies):>4}  "
        f"p50 {statistics.median(ordered):6.1f} ms  p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms"
        f"  {statistics.mean(sizes or [0]) / 1024:6.1f} KB  errors={errors[0]}  "
        + ("meets target" if p95 <= TARGET_MS and not errors[0] else "MISSES TARGET")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=20, help="per client and view")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8793)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    url = server_url().rsplit("/", 1)[0] + f"/{DB_NAME}" if args.reuse else prepare(args.reports)
    print(f"database {DB_NAME}: {report_count(url)} reports")
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load}; {args.workers} web processes")
    with serve(url, args.port, args.workers) as base:
        cookies = login_cookies(base, "doro", "doro-demo")
        for clients in sorted({1, args.clients}):
            for view in VIEWS:
                print(run(base, cookies, view, clients, args.requests), flush=True)


if __name__ == "__main__":
    main()
