"""Input of the worksheet renderer: plain frozen values, no database rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

LonLat = tuple[float, float]
"""A position as (lon, lat) in EPSG:4326."""

StopKind = Literal["pickup", "unload"]


@dataclass(frozen=True)
class Place:
    """A named point such as the depot or the disposal facility (lon, lat in EPSG:4326)."""

    name: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Item:
    """One booked item of bulky waste and how many of it."""

    name: str
    quantity: int = 1


@dataclass(frozen=True)
class StopRow:
    """One row of the crew's stop table; ``seq`` is also the number on the map marker."""

    seq: int
    eta: datetime | str
    booking_no: str
    address: str
    lon: float
    lat: float
    qr_url: str
    district: str = ""
    landmark: str = ""
    items: tuple[Item, ...] = ()
    fee_tickets: tuple[tuple[int, int], ...] = ()  # (ticket face value in yen, count)
    fee_yen: int = 0
    resident_note: str = ""
    size_points: int = 0
    kind: StopKind = "pickup"
    address_line: str = ""  # 番地・建物名・部屋番号
    put_out: str = ""  # where the items stand (排出場所), as the crew reads it: 玄関前 …
    put_out_note: str = ""
    approach_4326: tuple[LonLat, ...] = ()  # the leg driven from the previous stop to this one


@dataclass(frozen=True)
class Street:
    """A road linestring near the route, as (lon, lat) EPSG:4326 vertices."""

    coords_4326: tuple[LonLat, ...]
    name: str | None = None
    highway: str | None = None


@dataclass(frozen=True)
class RouteTotals:
    """Planned totals of one truck's day."""

    stops: int
    size_points: int
    distance_m: float
    duration_s: float


@dataclass(frozen=True)
class RouteSheet:
    """Everything printed for one truck: its stops in driving order and the map around them."""

    vehicle_name: str
    crew_names: tuple[str, ...]
    depot: Place
    disposal: Place | None
    stops: tuple[StopRow, ...]
    route_line: tuple[LonLat, ...]
    streets: tuple[Street, ...]
    totals: RouteTotals


@dataclass(frozen=True)
class WorksheetSet:
    """One service day's worksheets for every truck of a municipality."""

    municipality_name: str
    service_date: date
    routes: tuple[RouteSheet, ...]
    generated_at: datetime
