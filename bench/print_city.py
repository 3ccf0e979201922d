"""A city-sized collection day end to end: ~500 bookings, 20 trucks, plan, then print.

Builds a scratch database with the demo town (dropped at the end unless ``--keep``), books
``--bookings`` pickups on one service date all over the town (every zone collects that day in
this benchmark and capacities are raised to fit), adds trucks up to ``--trucks``, then times
``workflow.plans.plan.plan`` (pgRouting matrix + OR-Tools + save) and the worksheet PDF
(``build_worksheet_set`` read + ``render_worksheets``, median of ``--runs``, with pages/s).

Run: .venv/bin/python -m bench.print_city [--bookings 500] [--trucks 20] [--time-limit 60]
     [--runs 5] [--paper A4 A3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.engine import make_url

from geo.areas_db import find_zone
from geo.models import BulkyItem, Resident, Vehicle
from machi.settings import PROJECT_ROOT, get_settings
from print.worksheet import Paper, render_worksheets
from workflow.bookings.book import BookingRequest, ItemLine, book
from workflow.clock import today_tokyo
from workflow.db import session_scope
from workflow.demo.seed import road_points
from workflow.demo.town import load_demo_town
from workflow.plans.plan import plan
from workflow.plans.worksheets import build_worksheet_set


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bookings", type=int, default=500)
    parser.add_argument("--trucks", type=int, default=20)
    parser.add_argument("--time-limit", type=float, default=60.0, help="solver budget, s")
    parser.add_argument("--runs", type=int, default=5, help="print runs (median)")
    parser.add_argument(
        "--paper", nargs="+", choices=("A4", "A3"), default=["A4"], help="papers to time"
    )
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def create_scratch(name: str) -> str:
    url = make_url(get_settings().owner_database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    scratch = url.set(database=name).render_as_string(hide_password=False)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", scratch.replace("%", "%%"))
    command.upgrade(config, "head")
    return scratch


def drop_scratch(name: str) -> None:
    url = make_url(get_settings().owner_database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def open_every_zone(engine: Engine, mid: int, day: dt.date, capacity: int) -> None:
    """Let every zone collect on ``day`` with room for the whole benchmark."""
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO collection_day (municipality_id, zone_id, service_date, capacity) "
                "SELECT municipality_id, id, :d, :c FROM collection_zone WHERE municipality_id "
                "= :m ON CONFLICT (municipality_id, zone_id, service_date) DO UPDATE SET "
                "capacity = EXCLUDED.capacity, closed = false"
            ),
            {"m": mid, "d": day, "c": capacity},
        )


def add_trucks(engine: Engine, mid: int, trucks: int) -> None:
    with session_scope(engine) as session:
        fleet = session.scalars(
            select(Vehicle).where(Vehicle.municipality_id == mid).order_by(Vehicle.id)
        ).all()
        model = fleet[0]
        for number, truck in enumerate(fleet, start=1):
            truck.code = f"truck{number:02d}"  # plans and sheets list trucks by code
        for i in range(len(fleet) + 1, trucks + 1):
            session.add(
                Vehicle(
                    municipality_id=mid,
                    code=f"truck{i:02d}",
                    name=f"{i}号車",
                    capacity_points=model.capacity_points,
                    shift_start=model.shift_start,
                    shift_end=model.shift_end,
                    depot_id=model.depot_id,
                    crew_names=f"収集班{i}",
                )
            )


def book_city(engine: Engine, mid: int, day: dt.date, count: int, seed: int) -> int:
    rng = random.Random(seed)
    made = 0
    with session_scope(engine) as session:
        items = session.scalars(
            select(BulkyItem).where(BulkyItem.municipality_id == mid, BulkyItem.accepted)
        ).all()
        for lon, lat in road_points(session, mid, int(count * 1.3), seed):
            if made == count or find_zone(session, mid, lon, lat) is None:
                continue
            resident = Resident(municipality_id=mid, line_user_id="U" + secrets.token_hex(16))
            session.add(resident)
            session.flush()
            picks = rng.sample(list(items), k=rng.randint(1, 3))
            lines = tuple(ItemLine(i.id, 1) for i in picks)
            request = BookingRequest(lon, lat, day, lines)
            today = day - dt.timedelta(days=5)
            book(session, mid, request, channel="line", resident_id=resident.id, today=today)
            made += 1
    return made


def pdf_pages(pdf: bytes) -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "city.pdf"
        path.write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    return int(next(x.split()[1] for x in info.stdout.splitlines() if x.startswith("Pages:")))


@dataclass(frozen=True)
class PrintRun:
    read_s: float  # build_worksheet_set: the plan, stops, items and streets out of PostGIS
    render_s: float  # render_worksheets: maps, tables, QR codes into one PDF
    pdf: bytes

    @property
    def total_s(self) -> float:
        return self.read_s + self.render_s


def time_print(engine: Engine, mid: int, day: dt.date, runs: int, paper: Paper) -> list[PrintRun]:
    settings = get_settings()
    done: list[PrintRun] = []
    for run in range(runs):
        started = time.perf_counter()
        with session_scope(engine) as session:
            sheet = build_worksheet_set(session, mid, day, settings.base_url, settings.secret_key)
        read = time.perf_counter()
        pdf = render_worksheets(sheet, paper)
        done.append(PrintRun(read - started, time.perf_counter() - read, pdf))
        print(
            f"print run {run + 1}: {done[-1].total_s:.2f} s "
            f"(read {done[-1].read_s:.2f} s, render {done[-1].render_s:.2f} s)"
        )
    return done


def report_print(runs: list[PrintRun], trucks: int, stops: int, paper: Paper) -> None:
    total = statistics.median(r.total_s for r in runs)
    read = statistics.median(r.read_s for r in runs)
    render = statistics.median(r.render_s for r in runs)
    pages = pdf_pages(runs[-1].pdf)
    spread = f"min {min(r.total_s for r in runs):.2f} s, max {max(r.total_s for r in runs):.2f} s"
    print(f"print ({paper}): median {total:.2f} s of {len(runs)} runs ({spread})")
    print(f"  read {read:.2f} s + render {render:.2f} s (medians)")
    print(
        f"  {trucks} trucks, {stops} stops, {pages} pages, {len(runs[-1].pdf) / 1e6:.2f} MB: "
        f"{pages / total:.1f} pages/s, {total / max(trucks, 1):.3f} s per truck, "
        f"{1000 * total / max(stops, 1):.1f} ms per stop"
    )


def run(engine: Engine, args: argparse.Namespace) -> None:
    mid = get_settings().municipality_id
    day = today_tokyo() + dt.timedelta(days=10)
    open_every_zone(engine, mid, day, args.bookings)
    add_trucks(engine, mid, args.trucks)
    started = time.perf_counter()
    booked = book_city(engine, mid, day, args.bookings, args.seed)
    print(f"service date {day}: {booked} bookings in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    result = plan(engine, mid, day, time_limit_s=args.time_limit, seed=1)
    total = time.perf_counter() - started
    steps = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings_s.items())
    print(f"plan: {total:.1f} s end to end ({steps})")
    print(
        f"  {result.routes} trucks used, {result.stops} stops routed, "
        f"{len(result.unassigned)} unassigned, matrix {result.matrix_source}"
    )
    for paper in args.paper:
        runs = time_print(engine, mid, day, args.runs, paper)
        report_print(runs, result.routes, result.stops, paper)


def main() -> None:
    args = parse_args()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (quiet machine: < 0.5)")
    name = f"machi_bench_{secrets.token_hex(4)}"
    started = time.perf_counter()
    url = create_scratch(name)
    engine = create_engine(url)
    try:
        with session_scope(engine) as session:
            load_demo_town(session)
        print(f"scratch database {name} ready in {time.perf_counter() - started:.1f} s")
        run(engine, args)
    finally:
        engine.dispose()
        if args.keep:
            print(f"kept {url}")
        else:
            drop_scratch(name)


if __name__ == "__main__":
    main()
