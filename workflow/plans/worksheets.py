"""Gather a stored plan into the crews' worksheet values (read only).

``print.worksheet.render_worksheets`` turns them into the PDF (``machi print``; the plans API
through ``workflow.plans.views.render_plan_worksheets``).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from print.model import Item, Place, RouteSheet, RouteTotals, StopRow, Street, WorksheetSet
from print.worksheet import Paper, map_extent_4326
from workflow.bookings.fees import tickets_for_points
from workflow.clock import TOKYO, now_tokyo
from workflow.crew.links import stop_url
from workflow.errors import NotFoundError
from workflow.texts.resident.bulky import PUT_OUT_LABELS

CREW_NAME_SEPARATOR = "、"  # vehicle.crew_names is stored as 「山田、佐藤」
_Links = tuple[str, str]  # base URL and secret of the signed QR links

_STOPS = (
    "SELECT s.id, s.seq, s.kind, s.eta, rep.receipt_no, rep.address, d.name AS district, "
    "b.fee_total_yen, b.size_points_total, b.resident_note, bc.address_line, bc.put_out, "
    "bc.put_out_note, ST_AsGeoJSON(s.leg_geom, 6) AS leg, "
    "coalesce(ST_X(rep.location), ST_X(f.location)) AS lon, "
    "coalesce(ST_Y(rep.location), ST_Y(f.location)) AS lat, "
    "(SELECT json_agg(json_build_array(it.name, bi.quantity) ORDER BY bi.id) FROM booking_item bi "
    "JOIN bulky_item it ON it.municipality_id = bi.municipality_id AND it.id = bi.item_id "
    "WHERE bi.municipality_id = b.municipality_id AND bi.booking_id = b.id) AS items "
    "FROM route_stop s LEFT JOIN booking b ON b.municipality_id = s.municipality_id "
    "AND b.id = s.booking_id LEFT JOIN booking_contact bc ON bc.municipality_id = "
    "b.municipality_id AND bc.booking_id = b.id "
    "LEFT JOIN report rep ON rep.municipality_id = b.municipality_id "
    "AND rep.id = b.report_id LEFT JOIN district d ON d.municipality_id = rep.municipality_id "
    "AND d.id = rep.district_id LEFT JOIN facility f ON f.municipality_id = s.municipality_id "
    "AND f.is_disposal AND s.kind = 'unload' "
    "WHERE s.municipality_id = :m AND s.route_id = :r AND s.kind <> 'depot' ORDER BY s.seq"
)
_ROUTES = (
    "SELECT r.id, v.name, v.crew_names, r.distance_m, r.duration_s, "
    "ST_AsGeoJSON(r.geom, 6) AS g FROM route r JOIN vehicle v ON v.municipality_id = "
    "r.municipality_id AND v.id = r.vehicle_id WHERE r.municipality_id = :m AND r.plan_id = :p "
    "ORDER BY v.code"
)
_FACILITIES = (
    "SELECT name, is_depot, is_disposal, ST_X(location) AS lon, ST_Y(location) AS lat "
    "FROM facility WHERE municipality_id = :m ORDER BY id"
)
# Every street in the extent the truck's maps draw (overview, insets, stop maps), so each map
# is drawn out to its frame's edges; one way of each two-way pair.
_STREETS = (
    "SELECT ST_AsGeoJSON(e.geom, 6) AS g, e.name, e.highway FROM town_road_edge e "
    "WHERE e.municipality_id = :m AND e.geom && ST_MakeEnvelope(:w, :s, :e, :n, 4326) "
    "AND (e.oneway OR e.source < e.target)"
)
_BOOKINGS = (
    "SELECT count(*) FROM booking WHERE municipality_id = :m AND service_date = :d "
    "AND status <> 'cancelled'"
)


def _stop_row(row: Any, base_url: str, secret: str, mid: int) -> StopRow:
    points = (row.fee_total_yen or 0) // 100
    return StopRow(
        seq=row.seq,
        eta=row.eta.astimezone(TOKYO),
        booking_no=row.receipt_no or "",
        address=row.address or "",
        lon=row.lon,
        lat=row.lat,
        district=row.district or "",
        qr_url=stop_url(base_url, secret, mid, row.id),
        items=tuple(Item(name, qty) for name, qty in (row.items or [])),
        fee_tickets=_tickets(points),
        fee_yen=row.fee_total_yen or 0,
        resident_note=row.resident_note or "",
        size_points=row.size_points_total or 0,
        kind="unload" if row.kind == "unload" else "pickup",
        address_line=row.address_line or "",
        put_out=PUT_OUT_LABELS.get(row.put_out or "", ""),
        put_out_note=row.put_out_note or "",
        approach_4326=_coords(row.leg),
    )


def _tickets(points: int) -> tuple[tuple[int, int], ...]:
    """The stickers the resident was told to buy, as (face value in yen, count)."""
    thousand, three_hundred = tickets_for_points(points)
    kinds = ((1000, thousand), (300, three_hundred))
    return tuple((face, count) for face, count in kinds if count)


def _coords(geojson: str | None) -> tuple[tuple[float, float], ...]:
    if not geojson:
        return ()
    return tuple((float(x), float(y)) for x, y in json.loads(geojson)["coordinates"])


def _route_sheet(
    session: Session, mid: int, route: Any, places: tuple[Place, Place | None], links: _Links
) -> RouteSheet:
    params = {"m": mid, "r": route.id}
    stops = tuple(_stop_row(r, *links, mid) for r in session.execute(text(_STOPS), params))
    pickups = [s for s in stops if s.kind == "pickup"]
    return RouteSheet(
        vehicle_name=route.name,
        crew_names=tuple((route.crew_names or "").split(CREW_NAME_SEPARATOR)),
        depot=places[0],
        disposal=places[1],
        stops=stops,
        route_line=_coords(route.g),
        streets=(),
        totals=RouteTotals(
            len(pickups), sum(s.size_points for s in pickups), route.distance_m, route.duration_s
        ),
    )


def _with_streets(session: Session, mid: int, sheet: RouteSheet, paper: Paper) -> RouteSheet:
    west, south, east, north = map_extent_4326(sheet, paper)
    params = {"m": mid, "w": west, "s": south, "e": east, "n": north}
    streets = tuple(
        Street(_coords(r.g), r.name, r.highway) for r in session.execute(text(_STREETS), params)
    )
    return replace(sheet, streets=streets)


def _plan_id(session: Session, mid: int, day: dt.date) -> int:
    params = {"m": mid, "d": day}
    plan_id = session.execute(
        text("SELECT id FROM route_plan WHERE municipality_id = :m AND service_date = :d"), params
    ).scalar()
    if plan_id is not None:
        return int(plan_id)
    if session.execute(text(_BOOKINGS), params).scalar_one():
        raise NotFoundError("plan_not_found", field="date", day=day)
    raise NotFoundError("day_without_stops", field="date", day=day)


def build_worksheet_set(
    session: Session, mid: int, day: dt.date, base_url: str, secret: str, paper: Paper = "A4"
) -> WorksheetSet:
    """Worksheet values for every route of the day's plan, streets to each map's edges.

    Args:
        session: open session (read only).
        mid: municipality id.
        day: service date (Asia/Tokyo).
        base_url: public base URL for the QR completion links.
        secret: key that signs the QR links.
        paper: "A4" or "A3": the map frames, hence the streets to load, depend on it.

    Raises:
        NotFoundError: ``plan_not_found`` when the day has bookings but no plan;
            ``day_without_stops`` when it has nothing to collect (no bookings, or a plan
            without a single pickup): never a worksheet of zero pages.
    """
    params = {"m": mid, "d": day}
    plan_id = _plan_id(session, mid, day)
    facilities = session.execute(text(_FACILITIES), params).all()
    depot = next(Place(f.name, f.lon, f.lat) for f in facilities if f.is_depot)
    disposal = next((Place(f.name, f.lon, f.lat) for f in facilities if f.is_disposal), None)
    routes = session.execute(text(_ROUTES), {**params, "p": plan_id}).all()
    sheets = [_route_sheet(session, mid, r, (depot, disposal), (base_url, secret)) for r in routes]
    if not any(s.kind == "pickup" for sheet in sheets for s in sheet.stops):
        raise NotFoundError("day_without_stops", field="date", day=day)
    town = session.execute(text("SELECT name FROM municipality WHERE id = :m"), params).scalar_one()
    return WorksheetSet(
        municipality_name=town,
        service_date=day,
        routes=tuple(_with_streets(session, mid, sheet, paper) for sheet in sheets),
        generated_at=now_tokyo(),
    )
