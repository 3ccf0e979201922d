"""Load the demo town 立川市 from the open data in ``data/tachikawa`` (idempotent)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.areas import as_multipolygon, build_voronoi_cells
from geo.convert import from_db, point_ewkt, to_ewkt
from geo.models import District, EvacuationSite, Municipality
from geo.osm_graph import read_graphml
from geo.roads import store_road_graph
from machi.settings import PROJECT_ROOT
from workflow.bookings.calendar import ensure_calendar
from workflow.clock import today_tokyo
from workflow.demo import data as d
from workflow.demo.catalogue import load_items
from workflow.demo.common import (
    DemoLoadResult,
    count_rows,
    load_departments,
    load_fleet,
    load_staff,
    load_zones,
    top_up_host,
)

__all__ = ["CALENDAR_DAYS", "DATA_DIR", "DemoLoadResult", "count_rows", "load_demo_town"]

DATA_DIR = PROJECT_ROOT / "data" / "tachikawa"
HAZARD_COLUMNS = (
    "洪水",
    "崖崩れ、土石流及び地滑り",
    "高潮",
    "地震",
    "津波",
    "大規模な火事",
    "内水氾濫",
    "火山現象",
)
CALENDAR_DAYS = 56


def load_demo_town(session: Session, data_dir: Path = DATA_DIR) -> DemoLoadResult:
    """Load 立川市 once; a second call only tops up the calendar and changes nothing else.

    Args:
        session: open session; the caller's transaction makes the load all-or-nothing.
        data_dir: folder with the Tachikawa open-data files.
    """
    mid = d.MUNICIPALITY_ID
    today = today_tokyo()
    if (town := session.get(Municipality, mid)) is not None:
        top_up_host(session, town, str(d.MUNICIPALITY["host"]))
        ensure_calendar(session, mid, today, CALENDAR_DAYS)
        return DemoLoadResult(False, mid, count_rows(session, mid))
    boundary = _load_municipality(session, data_dir)
    departments = load_departments(session, mid, d.DEPARTMENTS, d.CATEGORIES)
    _load_districts(session, mid, data_dir, boundary)
    _load_evacuation_sites(session, mid, data_dir)
    graph = read_graphml(data_dir / "tachikawa_drive_osm_2021.graphml")
    store_road_graph(session, mid, graph)
    load_items(session, mid, data_dir / "tachikawa_bulky_waste_fee_sample.csv")
    load_zones(session, mid, d.ZONES, d.ZONE_DAILY_CAPACITY)
    ensure_calendar(session, mid, today, CALENDAR_DAYS)
    load_fleet(session, mid, d.FACILITY, _depot_point(session, mid), d.TRUCKS)
    load_staff(session, mid, d.STAFF, departments)
    session.flush()
    return DemoLoadResult(True, mid, count_rows(session, mid))


def _load_municipality(session: Session, data_dir: Path) -> BaseGeometry:
    collection = json.loads((data_dir / "tachikawa_boundary_n03.geojson").read_text("utf-8"))
    boundary = unary_union([shape(f["geometry"]) for f in collection["features"]])
    session.add(Municipality(**d.MUNICIPALITY, boundary=to_ewkt(as_multipolygon(boundary))))
    session.flush()
    return boundary


def _load_districts(session: Session, mid: int, data_dir: Path, boundary: BaseGeometry) -> None:
    rows = json.loads((data_dir / "tachikawa_chome_points_geolonia.json").read_text("utf-8"))
    names = [r["town"] + r["koaza"] for r in rows]
    points = [Point(r["lng"], r["lat"]) for r in rows]
    for i, cell in enumerate(build_voronoi_cells(names, points, boundary), start=1):
        town = next(
            (z for _, _, towns, _ in d.ZONES for z in towns if cell.name.startswith(z)), cell.name
        )
        session.add(
            District(
                municipality_id=mid,
                code=f"{i:03d}",
                name=cell.name,
                town=town,
                geom=to_ewkt(cell.polygon),
                label_point=to_ewkt(cell.point),
                approximate=True,
            )
        )


def _load_evacuation_sites(session: Session, mid: int, data_dir: Path) -> None:
    path = data_dir / "tachikawa_designated_emergency_evacuation_sites_gsi.csv"
    with path.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            session.add(
                EvacuationSite(
                    municipality_id=mid,
                    code=row["共通ID"],
                    name=row["施設・場所名"],
                    address=row["住所"],
                    hazards=[h for h in HAZARD_COLUMNS if row[h].strip() == "1"],
                    location=point_ewkt(float(row["経度"]), float(row["緯度"])),
                )
            )


def _depot_point(session: Session, mid: int) -> tuple[float, float]:
    district = session.scalars(
        select(District).where(
            District.municipality_id == mid, District.name == d.FACILITY["district"]
        )
    ).one()
    point = from_db(district.label_point)
    assert isinstance(point, Point)
    return point.x, point.y
