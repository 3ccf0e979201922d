"""Load the second demo town 京丹後市 from ``data/kyotango`` (idempotent).

Real: the city boundary (N03), the 169 collection 地区 and the bulky-waste sorting list
(the city's 5374 data), the 大字 points (Geolonia). Synthetic or approximate, and said so in
``data/kyotango/SOURCES.md``: district positions without a 大字 point, district polygons,
the road network, fees, zones, the depot position, trucks, departments and logins.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from sqlalchemy.orm import Session

from geo.areas import as_multipolygon, build_voronoi_cells
from geo.convert import to_ewkt
from geo.models import District, Municipality
from geo.roads import store_road_graph
from machi.settings import PROJECT_ROOT
from workflow.bookings.calendar import ensure_calendar
from workflow.clock import today_tokyo
from workflow.demo import kyotango_data as d
from workflow.demo.common import (
    DemoLoadResult,
    count_rows,
    load_departments,
    load_fleet,
    load_staff,
    load_zones,
    top_up_host,
)
from workflow.demo.kyotango_items import load_kyotango_items
from workflow.demo.kyotango_places import LonLat, PlacedDistrict, place_districts
from workflow.demo.kyotango_roads import build_road_network
from workflow.demo.town import CALENDAR_DAYS

DATA_DIR = PROJECT_ROOT / "data" / "kyotango"


def load_kyotango(session: Session, data_dir: Path = DATA_DIR) -> DemoLoadResult:
    """Load 京丹後市 once; a second call only tops up the calendar and changes nothing else.

    Args:
        session: open session; the caller's transaction makes the load all-or-nothing.
        data_dir: folder with the Kyotango files (``data/kyotango``).
    """
    mid = d.MUNICIPALITY_ID
    today = today_tokyo()
    if (town := session.get(Municipality, mid)) is not None:
        top_up_host(session, town, str(d.MUNICIPALITY["host"]))
        ensure_calendar(session, mid, today, CALENDAR_DAYS)
        return DemoLoadResult(False, mid, count_rows(session, mid))
    boundary = _load_municipality(session, data_dir)
    departments = load_departments(session, mid, d.DEPARTMENTS, d.CATEGORIES)
    oaza = read_oaza_points(data_dir)
    placed = place_districts(read_district_names(data_dir), oaza, _reference_oaza(), boundary)
    _load_districts(session, mid, placed, boundary)
    centres = town_centres(oaza)
    arterials = [(centres[a], centres[b]) for a, b in d.ARTERIALS]
    graph = build_road_network([(p.lon, p.lat) for p in placed], boundary, arterials)
    store_road_graph(session, mid, graph)
    load_kyotango_items(session, mid, data_dir / d.TARGET_FILE)
    load_zones(session, mid, d.ZONES, d.ZONE_DAILY_CAPACITY)
    ensure_calendar(session, mid, today, CALENDAR_DAYS)
    load_fleet(session, mid, _facility(data_dir), centres[d.FACILITY_TOWN], d.TRUCKS)
    load_staff(session, mid, d.STAFF, departments)
    session.flush()
    return DemoLoadResult(True, mid, count_rows(session, mid))


def read_boundary(data_dir: Path = DATA_DIR) -> BaseGeometry:
    """The city polygon (lon/lat) from the N03 GeoJSON."""
    collection = json.loads((data_dir / d.BOUNDARY_FILE).read_text("utf-8"))
    return unary_union([shape(f["geometry"]) for f in collection["features"]])


def read_district_names(data_dir: Path = DATA_DIR) -> list[str]:
    """The 地区 of ``area_days.csv``, in file order."""
    with (data_dir / d.AREA_DAYS_FILE).open(encoding="utf-8-sig", newline="") as fh:
        return [row[d.AREA_COLUMN].strip() for row in csv.DictReader(fh)]


def read_oaza_points(data_dir: Path = DATA_DIR) -> dict[str, LonLat]:
    """大字 name -> (lon, lat) from the Geolonia points (小字 rows left out)."""
    rows = json.loads((data_dir / d.OAZA_FILE).read_text("utf-8"))
    return {r["town"]: (float(r["lng"]), float(r["lat"])) for r in rows if not r["koaza"]}


def town_centres(oaza: dict[str, LonLat]) -> dict[str, LonLat]:
    """Former town -> the point of its reference 大字."""
    return {town: oaza[ref] for town, ref in _reference_oaza().items()}


def place_kyotango_districts(data_dir: Path = DATA_DIR) -> list[PlacedDistrict]:
    """Every 地区 with its point (real or synthetic), as the loader places them."""
    names = read_district_names(data_dir)
    oaza = read_oaza_points(data_dir)
    return place_districts(names, oaza, _reference_oaza(), read_boundary(data_dir))


def _reference_oaza() -> dict[str, str]:
    return {town: ref for town, ref, _, _ in d.TOWNS}


def centre_closures(data_dir: Path = DATA_DIR) -> list[tuple[dt.date, dt.date]]:
    """The depot's closure periods (first and last day) from ``center.csv``."""
    with (data_dir / d.CENTER_FILE).open(encoding="utf-8-sig", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r[d.CENTER_NAME_COLUMN] == d.FACILITY["name"]]
    return [(_date(r[d.CENTER_FROM_COLUMN]), _date(r[d.CENTER_TO_COLUMN])) for r in rows]


def _date(value: str) -> dt.date:
    year, month, day = (int(x) for x in value.strip().split("/"))
    return dt.date(year, month, day)


def _facility(data_dir: Path) -> dict[str, str]:
    if not centre_closures(data_dir):
        raise ValueError(f"{d.FACILITY['name']} is not in {d.CENTER_FILE}")
    return d.FACILITY


def _load_municipality(session: Session, data_dir: Path) -> BaseGeometry:
    boundary = read_boundary(data_dir)
    session.add(Municipality(**d.MUNICIPALITY, boundary=to_ewkt(as_multipolygon(boundary))))
    session.flush()
    return boundary


def _load_districts(
    session: Session, mid: int, placed: list[PlacedDistrict], boundary: BaseGeometry
) -> None:
    points = [Point(p.lon, p.lat) for p in placed]
    cells = build_voronoi_cells([p.name for p in placed], points, boundary)
    for i, (district, cell) in enumerate(zip(placed, cells, strict=True), start=1):
        session.add(
            District(
                municipality_id=mid,
                code=f"{i:03d}",
                name=district.name,
                town=district.town,
                geom=to_ewkt(cell.polygon),
                label_point=to_ewkt(cell.point),
                approximate=True,
            )
        )
