"""Platform scale: many towns in one database; staff map, report tiles and webhooks across them.

Run by hand (needs the PostgreSQL server of ``MACHI_DATABASE_URL``; CI never runs it)::

    .venv/bin/python -m bench.platform_scale                    # 270 towns, a year of reports
    .venv/bin/python -m bench.platform_scale --towns 40 --scale 0.2 --duration 4   # a quick look
    .venv/bin/python -m bench.platform_scale --reuse            # measure again, same database
    .venv/bin/python -m bench.platform_scale --scale 5 --keep   # five years; keep the database

It creates the scratch database ``machi_bench_platform`` (migrated as the owner) and loads
``--towns`` synthetic towns (``bench.platform_towns``: a few cities of 300,000-1,000,000, a
tenth of 50,000-300,000, the rest 5,000-50,000) with about ``population / 100 * --scale``
reports each and everything they bring (residents, status history, bookings, the LINE
events and pushes of the dialogues), set-based, then ANALYZE. Each town gets the host name
``t<code>.localhost``, its own LINE channel secret (sealed with the bench's data key) and
staff (``admin`` / ``bench-demo``). It serves the real app with uvicorn (``--workers``) as
the app role, signs in each town's administrator through ``POST /api/v1/token``, and then,
for ``--duration`` seconds per endpoint, ``--clients`` threads send requests each for a
town picked at random: the staff map API (whole town, street level), report tiles (z13
clusters, z16 points) and the webhook ``/line/<code>/webhook`` (one signed text event).

It prints, per endpoint: requests answered, throughput, median and p95 latency, and the CPU
each request cost the app (uvicorn processes) and the database (the backends of this
database, read from ``/proc``); then the same endpoints for the smallest and the largest
towns alone (one client), and the ratio of their medians; then what a town costs: database
bytes and rows of the smallest, median and largest town, the fixed and the per-report part
(least squares over all towns), and the load time. docs/scaling.md reads these figures.
Load generator, app and database share this machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine

from bench.map_seed import server_url
from bench.platform_cost import CpuMeter, database_bytes, table_sizes, town_costs
from bench.platform_load import (
    Endpoint,
    Tally,
    map_street,
    map_whole_town,
    report_tile,
    run,
    sign_in,
    webhook,
)
from bench.platform_serve import load_database, serve
from bench.platform_towns import PASSWORD, TownSpec, plan_towns
from workflow.db import open_engine, session_scope, town_scope
from workflow.line.inbox import claim_next_event
from workflow.line.outbox import lease_batch

DB_NAME = "machi_bench_platform"
MB = 1024 * 1024


def endpoints(tokens: dict[int, str]) -> dict[str, Endpoint]:
    return {
        "staff map, whole town (auto)": map_whole_town(tokens),
        "staff map, street ~350 m": map_street(tokens),
        "report tile z13 (clusters)": report_tile(tokens, 13),
        "report tile z16 (points)": report_tile(tokens, 16),
        "webhook, 1 signed event": webhook,
    }


def sign_in_all(base: str, towns: Sequence[TownSpec]) -> dict[int, str]:
    started = time.perf_counter()
    with ThreadPoolExecutor(4) as pool:
        found = pool.map(lambda t: sign_in(base, t, PASSWORD), towns)
        tokens = {town.id: token for town, token in zip(towns, found, strict=True)}
    print(f"signed in {len(tokens)} town administrators in {time.perf_counter() - started:.1f} s")
    return tokens


def _line(name: str, tally: Tally, cpu: tuple[float, float] | None) -> str:
    n = len(tally.latencies_ms)
    app, db = ((1000 * c / n if n else float("nan")) for c in (cpu or (float("nan"),) * 2))
    return (
        f"{name:<30} {n:>6} {tally.rate:>7.1f} {tally.median:>7.1f} {tally.percentile(0.95):>7.1f}"
        f" {tally.errors:>6} {app:>8.2f} {db:>8.2f} {tally.bytes / max(n, 1) / 1024:>7.1f}"
    )


def across_towns(base: str, calls: dict[str, Endpoint], towns: Sequence[TownSpec],
                 args: argparse.Namespace, meter: CpuMeter) -> None:  # fmt: skip
    print(
        f"\n== across {len(towns)} towns: {args.clients} clients, {args.duration:.0f} s per "
        f"endpoint, a random town per request ({args.workers} uvicorn worker(s))"
    )
    print(
        f"{'endpoint':<30} {'n':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} "
        f"{'app ms':>8} {'db ms':>8} {'KB':>7}   (ms: CPU per request)"
    )
    for name, endpoint in calls.items():
        run(base, endpoint, towns, args.clients, 1.0)  # warm the pools and caches
        meter.start()
        tally = run(base, endpoint, towns, args.clients, args.duration)
        print(_line(name, tally, meter.stop()), flush=True)


def small_and_large(base: str, calls: dict[str, Endpoint], towns: Sequence[TownSpec],
                    requests: int) -> None:  # fmt: skip
    smallest, largest = towns[-10:], towns[:3]
    print(
        f"\n== the 10 smallest towns ({smallest[-1].population:,}-{smallest[0].population:,} "
        f"people) against the 3 largest ({largest[-1].population:,}-{largest[0].population:,}):"
        f" 1 client, {requests} requests each"
    )
    print(f"{'endpoint':<30} {'small p50':>9} {'p95':>7} {'large p50':>9} {'p95':>7} {'ratio':>6}")
    for name, endpoint in calls.items():
        small = run(base, endpoint, smallest, 1, 600.0, requests)
        large = run(base, endpoint, largest, 1, 600.0, requests)
        print(
            f"{name:<30} {small.median:>9.1f} {small.percentile(0.95):>7.1f} "
            f"{large.median:>9.1f} {large.percentile(0.95):>7.1f} "
            f"{large.median / small.median:>6.2f}",
            flush=True,
        )


def worker_looks(app_url: str, towns: Sequence[TownSpec], meter: CpuMeter) -> None:
    """One look at every town's inbox and outbox, as a worker's round takes them."""
    engine = open_engine(app_url, pool_size=2)
    span = dt.timedelta(seconds=30)
    meter.start()
    started = time.perf_counter()
    for town in towns:
        with town_scope(town.id):
            with session_scope(engine) as session:
                claim_next_event(session, town.id)
            now = dt.datetime.now(dt.UTC)
            lease_batch(engine, town.id, now, limit=8, owner="bench", lease=span, reply_margin=span)
    elapsed = time.perf_counter() - started
    app, db = meter.stop()
    per = 1000 / len(towns)
    print(
        f"\n== a worker's look at each of {len(towns)} towns (event claim + outbox lease, "
        f"as the app role): {elapsed * per:.2f} ms per town, {db * per:.2f} ms DB CPU, "
        f"{app * per:.2f} ms client CPU"
    )


def print_costs(owner_url: str, towns: Sequence[TownSpec], load_s: float | None) -> None:
    engine = create_engine(owner_url)
    with engine.connect() as conn:
        sizes = table_sizes(conn)
        costs = town_costs(conn, towns, sizes)
        total = database_bytes(conn)
    engine.dispose()
    reports = sum(t.reports for t in towns)
    fit = statistics.linear_regression([c.town.reports for c in costs], [c.bytes for c in costs])
    print(
        f"\n== per-town cost: database {total / MB:,.0f} MB for {len(towns)} towns, "
        f"{sum(t.population for t in towns):,} people, {reports:,} reports"
    )
    print(f"{'town':<28} {'population':>10} {'reports':>8} {'rows':>9} {'MB':>8}")
    for label, cost in (("smallest", costs[-1]), ("median", costs[len(costs) // 2]),
                        ("largest", costs[0])):  # fmt: skip
        t = cost.town
        print(
            f"{label + ' ' + t.name:<28} {t.population:>10,} {t.reports:>8,} {cost.rows:>9,} "
            f"{cost.bytes / MB:>8.2f}"
        )
    print(
        f"fixed per town {fit.intercept / 1024:,.0f} KB + {fit.slope / 1024:.2f} KB per report "
        f"(least squares over {len(towns)} towns; per report: the report, its history, "
        "booking, resident, LINE events and pushes)"
    )
    biggest = sorted(sizes.items(), key=lambda item: -item[1])[:5]
    print("largest tables: " + ", ".join(f"{t} {b / MB:,.0f} MB" for t, b in biggest))
    if load_s is not None:
        print(f"load: {load_s:.1f} s, {1000 * load_s / len(towns):.0f} ms per town")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--towns", type=int, default=270)
    parser.add_argument("--scale", type=float, default=1.0, help="reports per 100 people")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--requests", type=int, default=40, help="small / large towns")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8795)
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    args = parser.parse_args()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"platform scale: {os.cpu_count()} CPUs, load average before {load}")
    towns = plan_towns(args.towns, args.scale)
    urls, load_s = load_database(server_url(), DB_NAME, towns, args.reuse)
    try:
        print_costs(urls.owner, towns, load_s)
        with serve(urls, args.port, args.workers) as (base, pid):
            calls = endpoints(sign_in_all(base, towns))
            across_towns(base, calls, towns, args, CpuMeter(pid, DB_NAME))
            small_and_large(base, calls, towns, args.requests)
        worker_looks(urls.app, towns, CpuMeter(os.getpid(), DB_NAME))
    finally:
        if not args.keep:
            urls.drop()
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"\nload average after {load} (load generator, app and database share the cores)")


if __name__ == "__main__":
    main()
