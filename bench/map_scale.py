"""Map scale benchmark: 50,000 reports, the bbox API under concurrency, map time-to-interactive.

Run by hand (needs the local PostgreSQL and Debian's chromium)::

    .venv/bin/python -m bench.map_scale            # 50,000 reports, 20 clients
    .venv/bin/python -m bench.map_scale --reports 200000 --clients 40 --keep

It creates a scratch database ``machi_bench_map`` on the configured server (migrated, demo
town loaded), seeds ``--seed-real`` reports the way real intake makes them
(``workflow.demo_seed.seed_reports``) and bulk-inserts the rest with SQL (points on the town's
roads, plausible categories, statuses and ages), then serves the real app with uvicorn in a
separate process and measures it. Targets: bbox API p95 < 100 ms; map interactive < 3 s.
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

from geo.db import session_scope
from machi.settings import PROJECT_ROOT, Settings
from workflow.demo import load_demo_town
from workflow.demo_seed import seed_reports

MID = 13202
DB_NAME = "machi_bench_map"
TOWN = (139.3475, 35.6780, 139.4480, 35.7395)  # 立川市, roughly (west, south, east, north)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

_BULK = """
WITH picks AS (
  SELECT g AS n,
         1 + floor(random() * (SELECT max(id) FROM road_edge WHERE municipality_id = :m))::bigint
         AS edge, random() AS f, random() AS k, random() AS s, random() AS c, random() AS age
  FROM generate_series(1, :n) g),
pts AS (
  SELECT p.*, ST_LineInterpolatePoint(e.geom, p.f) AS geom FROM picks p
  JOIN road_edge e ON e.municipality_id = :m AND e.id = p.edge),
kinded AS (
  SELECT pts.*, CASE WHEN k < 0.62 THEN 'road' WHEN k < 0.75 THEN 'disaster'
                     WHEN k < 0.90 THEN 'bulky' ELSE 'other' END AS kind,
         CASE WHEN s < 0.40 THEN 'received' WHEN s < 0.65 THEN 'in_progress'
              WHEN s < 0.95 THEN 'done' ELSE 'rejected' END AS status,
         CASE WHEN c < 0.60 THEN 'line' WHEN c < 0.80 THEN 'web'
              WHEN c < 0.95 THEN 'phone' ELSE 'open311' END AS channel,
         now() - age * interval '90 days' AS created
  FROM pts)
INSERT INTO report (municipality_id, receipt_no, kind, category_id, department_id, status,
                    channel, description, location, address, district_id, urgent, created_at,
                    updated_at, closed_at)
SELECT :m, 'B-' || lpad(k.n::text, 8, '0'), k.kind, cat.id, cat.department_id, k.status,
       k.channel, '負荷試験用の通報です。', k.geom, d.name, d.id,
       k.kind = 'disaster' AND random() < 0.2, k.created, k.created,
       CASE WHEN k.status IN ('done', 'rejected') THEN k.created + interval '2 days' END
FROM kinded k
CROSS JOIN LATERAL (SELECT id, department_id FROM category
                    WHERE municipality_id = :m AND kind = k.kind AND k.n > 0
                    ORDER BY random() LIMIT 1) cat
LEFT JOIN LATERAL (SELECT id, name FROM district
                   WHERE municipality_id = :m AND ST_Covers(geom, k.geom) LIMIT 1) d ON true
"""


def _server_url() -> str:
    return os.environ.get("MACHI_DATABASE_URL") or Settings().database_url


def prepare_database(total: int, real: int) -> str:
    """Fresh scratch database with ``total`` reports; returns its URL."""
    from tests.conftest import create_database, drop_database, migrate

    drop_database(DB_NAME)
    url = create_database(DB_NAME)
    migrate(url)
    engine = create_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:
        load_demo_town(session)
    with session_scope(engine) as session:
        made = seed_reports(session, MID, real, seed=7).created
    with engine.begin() as conn:
        conn.execute(text(_BULK), {"m": MID, "n": total - made})
        conn.execute(text("ANALYZE report"))
        count = conn.execute(text("SELECT count(*) FROM report")).scalar()
    engine.dispose()
    print(
        f"seeded {count} reports ({made} through seed_reports) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return url


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

    def line(self) -> str:
        ordered = sorted(self.latencies_ms)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        return (
            f"{self.name:<44} n={len(ordered):>4}  p50 {statistics.median(ordered):6.1f} ms  "
            f"p95 {p95:6.1f} ms  max {ordered[-1]:6.1f} ms  {self.mean_bytes / 1024:7.1f} KB  "
            f"mode={','.join(sorted(self.modes))}  errors={self.errors}"
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


def map_interactive_s(base: str, username: str, password: str, runs: int = 3) -> list[float]:
    """Seconds from navigation start until the first reports are drawn on /staff/map."""
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport={"width": 1400, "height": 850})
        page = context.new_page()
        page.goto(f"{base}/staff/login")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/staff/")
        for _ in range(runs):
            page.goto(f"{base}/staff/map")
            page.wait_for_selector(".triage[data-loaded]", state="attached", timeout=30_000)
            drawn_ms = page.evaluate(
                "Number(document.querySelector('.triage').getAttribute('data-loaded')) "
                "- performance.timeOrigin"
            )
            timings.append(drawn_ms / 1000)
        context.close()
        browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=50_000)
    parser.add_argument("--seed-real", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=15, help="per client and view")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()

    from tests.conftest import drop_database  # noqa: F401 — fail early without the test package

    url = (
        (_server_url().rsplit("/", 1)[0] + f"/{DB_NAME}")
        if args.reuse
        else prepare_database(args.reports, args.seed_real)
    )
    town = ",".join(
        f"{v:.4f}" for v in (TOWN[0] - 0.01, TOWN[1] - 0.01, TOWN[2] + 0.01, TOWN[3] + 0.01)
    )
    views = {
        "whole city, auto (grid)": lambda _rng: {"bbox": town},
        "whole city, received only, auto": lambda _rng: {"bbox": town, "status": "received"},
        "whole city, cache-cold (random from-date)": lambda rng: {
            "bbox": town,
            "from": f"{dt.date.today() - dt.timedelta(days=rng.randint(20, 85)):%Y-%m-%d}",
        },
        "street level ~350 m, auto (points)": lambda rng: {"bbox": street_bbox(rng)},
        "district ~1.5 km, auto": lambda rng: {"bbox": street_bbox(rng, 0.016)},
        "whole city, forced points limit=2000": lambda _rng: {
            "bbox": town,
            "mode": "points",
            "limit": "2000",
        },
    }
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} CPUs, load average {load} (other work shares this box)")
    with serve(url, args.port, args.workers) as base:
        for user, password in (("doro", "doro-demo"), ("admin", "admin-demo")):
            cookies = login_cookies(base, user, password)
            for clients in sorted({1, args.clients}):
                print(
                    f"\n== {user}: {clients} concurrent client(s) x {args.requests} requests "
                    f"per view ({args.workers} uvicorn worker(s))"
                )
                for name, params_for in views.items():
                    result = load_test(base, cookies, name, params_for, clients, args.requests)
                    print(result.line())
        for user, password in (("doro", "doro-demo"), ("admin", "admin-demo")):
            timings = map_interactive_s(base, user, password)
            print(
                f"map interactive ({user}): "
                + ", ".join(f"{t:.2f} s" for t in timings)
                + f"  (median {statistics.median(timings):.2f} s)"
            )


if __name__ == "__main__":
    main()
