"""Seeding the map benchmark's scratch database (see ``bench.map_scale``)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from machi.settings import PROJECT_ROOT, Settings
from workflow.db import session_scope
from workflow.demo.seed import seed_reports
from workflow.demo.town import load_demo_town

MID = 13202
DB_NAME = "machi_bench_map"

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


def server_url() -> str:
    return Settings().owner_database_url  # creates and seeds scratch databases: the owner


def _seed_with_cli(url: str, n: int) -> None:
    """``machi demo seed-reports n`` against the scratch database, as an operator runs it."""
    env = {**os.environ, "MACHI_OWNER_DATABASE_URL": url, "MACHI_ENV": "test"}
    command = [sys.executable, "-m", "machi", "demo", "seed-reports", str(n), "--seed", "7"]
    subprocess.run(command, env=env, cwd=PROJECT_ROOT, check=True)


def prepare_database(total: int, real: int, fast: bool) -> str:
    """Fresh scratch database with ``total`` reports; returns its URL."""
    from tests.conftest import create_database, drop_database, migrate

    drop_database(DB_NAME)
    url = create_database(DB_NAME)
    migrate(url)
    engine = create_engine(url)
    started = time.perf_counter()
    with session_scope(engine) as session:
        load_demo_town(session)
    if not fast:
        _seed_with_cli(url, total)
    else:
        with session_scope(engine) as session:
            made = seed_reports(session, MID, real, seed=7).created
        with engine.begin() as conn:
            conn.execute(text(_BULK), {"m": MID, "n": total - made})
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        count = conn.execute(text("SELECT count(*) FROM report")).scalar()
    engine.dispose()
    how = "SQL bulk insert after seed_reports" if fast else "machi demo seed-reports"
    print(f"seeded {count} reports ({how}) in {time.perf_counter() - started:.1f} s")
    return url
