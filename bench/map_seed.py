"""The map benchmark's scratch databases (see ``bench.map_scale``).

One database per size (``machi_bench_map_50000``, ``machi_bench_map_1000000``), migrated, the
demo town loaded, and seeded with ``machi demo seed-reports N`` run as an operator runs it,
so the seeding time printed is the command's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, make_url, text

from bench.platform_serve import Urls, urls_for
from machi.settings import PROJECT_ROOT, Settings
from workflow.db import session_scope
from workflow.demo.town import load_demo_town

MID = 13202


def server_url() -> str:
    return Settings().owner_database_url  # creates and seeds scratch databases: the owner


def database_name(total: int) -> str:
    return f"machi_bench_map_{total}"


def report_count(url: str) -> int:
    engine = create_engine(url)
    with engine.connect() as conn:
        count = int(conn.execute(text("SELECT count(*) FROM report")).scalar_one())
    engine.dispose()
    return count


def seed_with_cli(url: str, n: int) -> float:
    """``machi demo seed-reports n`` against ``url``; returns its wall time in seconds."""
    env = {**os.environ, "MACHI_OWNER_DATABASE_URL": url, "MACHI_ENV": "test"}
    command = [sys.executable, "-m", "machi", "demo", "seed-reports", str(n), "--seed", "7"]
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=True)
    return time.perf_counter() - started


def cluster_with_cli(url: str) -> str:
    """``machi db cluster-reports`` against ``url``; its own line of output."""
    env = {**os.environ, "MACHI_OWNER_DATABASE_URL": url, "MACHI_ENV": "test"}
    command = [sys.executable, "-m", "machi", "db", "cluster-reports"]
    done = subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    return "machi db cluster-reports: " + done.stdout.decode().strip()


def _exists(name: str) -> bool:
    admin = create_engine(make_url(server_url()).set(database="postgres"))
    with admin.connect() as conn:
        found = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
    admin.dispose()
    return found is not None


def prepare_database(total: int, reuse: bool) -> Urls:
    """The scratch database with ``total`` reports (kept as it is with ``reuse``)."""
    from tests.conftest import create_database, drop_database, migrate

    name = database_name(total)
    urls = urls_for(server_url(), name)
    if reuse and _exists(name):  # same data, today's schema (a migration may add to it)
        migrate(urls.owner)
        return urls
    drop_database(name)
    create_database(name)
    migrate(urls.owner)
    engine = create_engine(urls.owner)
    with session_scope(engine) as session:
        load_demo_town(session)
    seconds = seed_with_cli(urls.owner, total)
    engine.dispose()
    # autovacuum would get there on its own; the bench measures the steady state
    vacuum = create_engine(urls.owner, isolation_level="AUTOCOMMIT")
    with vacuum.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
    vacuum.dispose()
    print(
        f"machi demo seed-reports {total}: {seconds:.1f} s "
        f"({total / seconds:,.0f} reports/s, {seconds / total * 1e6:.0f} µs a report)"
    )
    return urls
