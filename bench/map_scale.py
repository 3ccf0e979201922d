"""Map scale benchmark: 50,000 reports, the bbox API under concurrency, map time-to-interactive.

Run by hand (needs the local PostgreSQL and Debian's chromium)::

    .venv/bin/python -m bench.map_scale            # 50,000 reports, 20 clients
    .venv/bin/python -m bench.map_scale --reuse    # measure again on the seeded database
    .venv/bin/python -m bench.map_scale --reports 200000 --fast-seed --clients 40

It creates a scratch database ``machi_bench_map`` on the configured server (migrated, demo
town loaded) and seeds it with ``machi demo seed-reports N`` (reports made the way real
intake makes them: district lookup, receipt numbers, residents, bookings, status history;
about 7 ms a report). ``--fast-seed`` instead seeds ``--seed-real`` that way and bulk-inserts
the rest with SQL (points on the town's roads, plausible categories, statuses and ages).
It then serves the real app with uvicorn in a separate process, measures the bbox API at
whole-city and street level (1 and ``--clients`` concurrent clients) and the time until the
triage map has drawn its reports in headless Chromium, and prints a summary against the
targets: bbox API p95 < 100 ms; map interactive < 3 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy import create_engine, text

from bench.map_browser import map_interactive_s
from bench.map_seed import DB_NAME, prepare_database, server_url
from machi.settings import PROJECT_ROOT

TOWN = (139.3475, 35.6780, 139.4480, 35.7395)  # 立川市, roughly (west, south, east, north)


@contextmanager
def serve(url: str, port: int, workers: int) -> Iterator[str]:
    """The real app in a uvicorn subprocess (httptools/uvloop as in production)."""
    env = {**os.environ, "MACHI_DATABASE_URL": url, "MACHI_ENV": "test"}
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "api.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(f"{base}/staff/login", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def login_cookies(base: str, username: str, password: str) -> httpx.Cookies:
    from tests.support.desk import login

    with httpx.Client(base_url=base) as client:
        login(client, username, password)
        return client.cookies


@dataclass(frozen=True)
class Result:
    name: str
    latencies_ms: list[float]
    mean_bytes: float
    modes: set[str]
    errors: int

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, int(len(ordered) * 0.95) - 1)] if ordered else float("nan")

    def line(self) -> str:
        ordered = sorted(self.latencies_ms) or [float("nan")]
        return (
            f"{self.name:<44} n={len(self.latencies_ms):>4}  p50 {self.p50:6.1f} ms  "
            f"p95 {self.p95:6.1f} ms  max {ordered[-1]:6.1f} ms  "
            f"{self.mean_bytes / 1024:7.1f} KB  mode={','.join(sorted(self.modes))}  "
            f"errors={self.errors}"
        )


def street_bbox(rng: random.Random, size_deg: float = 0.004) -> str:
    """A ~350 m x 450 m view somewhere in town."""
    x = rng.uniform(TOWN[0], TOWN[2] - size_deg)
    y = rng.uniform(TOWN[1], TOWN[3] - size_deg)
    return f"{x:.5f},{y:.5f},{x + size_deg:.5f},{y + size_deg * 0.8:.5f}"


def load_test(
    base: str,
    cookies: httpx.Cookies,
    name: str,
    params_for: Callable[[random.Random], dict[str, str]],
    clients: int,
    per_client: int,
) -> Result:
    latencies: list[float] = []
    sizes: list[int] = []
    modes: set[str] = set()
    errors = [0]
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, cookies=cookies, timeout=30) as client:
            client.get("/api/v1/reports", params=params_for(rng))
            for _ in range(per_client):
                started = time.perf_counter()
                answer = client.get("/api/v1/reports", params=params_for(rng))
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if answer.status_code != 200:
                        errors[0] += 1
                        continue
                    latencies.append(elapsed)
                    sizes.append(len(answer.content))
                    modes.add(answer.content[:64].split(b'"mode":"')[1].split(b'"')[0].decode())

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, latencies, statistics.mean(sizes) if sizes else 0.0, modes, errors[0])


WHOLE_CITY = "whole city, auto (grid)"
STREET = "street level ~350 m, auto (points)"
USERS = (("doro", "doro-demo"), ("admin", "admin-demo"))
BBOX_TARGET_MS = 100.0
INTERACTIVE_TARGET_S = 3.0


def views() -> dict[str, Callable[[random.Random], dict[str, str]]]:
    town = ",".join(
        f"{v:.4f}" for v in (TOWN[0] - 0.01, TOWN[1] - 0.01, TOWN[2] + 0.01, TOWN[3] + 0.01)
    )
    return {
        WHOLE_CITY: lambda _rng: {"bbox": town},
        "whole city, received only, auto": lambda _rng: {"bbox": town, "status": "received"},
        "whole city, cache-cold (random from-date)": lambda rng: {
            "bbox": town,
            "from": f"{dt.date.today() - dt.timedelta(days=rng.randint(20, 85)):%Y-%m-%d}",
        },
        STREET: lambda rng: {"bbox": street_bbox(rng)},
        "district ~1.5 km, auto": lambda rng: {"bbox": street_bbox(rng, 0.016)},
        "whole city, forced points limit=2000": lambda _rng: {
            "bbox": town,
            "mode": "points",
            "limit": "2000",
        },
    }


def measure_bbox(base: str, args: argparse.Namespace) -> dict[tuple[str, int, str], Result]:
    """Every view for each user at 1 and ``--clients`` concurrent clients."""
    results = {}
    for user, password in USERS:
        cookies = login_cookies(base, user, password)
        for clients in sorted({1, args.clients}):
            print(
                f"\n== {user}: {clients} concurrent client(s) x {args.requests} requests "
                f"per view ({args.workers} uvicorn worker(s))"
            )
            for name, params_for in views().items():
                result = load_test(base, cookies, name, params_for, clients, args.requests)
                results[(user, clients, name)] = result
                print(result.line())
    return results


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES TARGET"


def print_summary(
    results: dict[tuple[str, int, str], Result], interactive: dict[str, list[float]]
) -> None:
    print(
        f"\n== summary (targets: bbox API p95 < {BBOX_TARGET_MS:.0f} ms, map interactive "
        f"< {INTERACTIVE_TARGET_S:.0f} s)"
    )
    for (user, clients, name), r in results.items():
        if name in (WHOLE_CITY, STREET):
            label = f"bbox {name.split(',')[0]:<20} {user:<5} {clients:>2} client(s)"
            print(
                f"{label}  p50 {r.p50:6.1f} ms  p95 {r.p95:6.1f} ms  "
                f"errors {r.errors}  {verdict(r.p95 < BBOX_TARGET_MS and not r.errors)}"
            )
    for user, timings in interactive.items():
        median = statistics.median(timings)
        print(
            f"map interactive {user:<5}  median {median:.2f} s, worst {max(timings):.2f} s"
            f"  {verdict(max(timings) < INTERACTIVE_TARGET_S)}"
        )


def report_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM report")).scalar_one())
    engine.dispose()
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--fast-seed", action="store_true", help="bulk SQL after --seed-real")
    parser.add_argument("--seed-real", type=int, default=1_000, help="with --fast-seed")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="per client and view")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()

    from tests.conftest import drop_database  # noqa: F401 — fail early without the test package

    url = (
        (server_url().rsplit("/", 1)[0] + f"/{DB_NAME}")
        if args.reuse
        else prepare_database(args.reports, args.seed_real, args.fast_seed)
    )
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"database {DB_NAME}: {report_count(url)} reports")
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work shares this box)")
    with serve(url, args.port, args.workers) as base:
        results = measure_bbox(base, args)
        interactive = {}
        for user, password in USERS:
            interactive[user] = timings = map_interactive_s(base, user, password)
            print(
                f"map interactive ({user}): "
                + ", ".join(f"{t:.2f} s" for t in timings)
                + f"  (median {statistics.median(timings):.2f} s)"
            )
    print_summary(results, interactive)


if __name__ == "__main__":
    main()
