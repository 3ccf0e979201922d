"""The depot and disposal facility on the map: their flags, and the unloads listed on them.

Pure: values in, values out (positions as (lon, lat) in EPSG:4326).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from print import texts
from print.model import LonLat, Place, RouteSheet, StopRow
from print.texts import format_seq_ranges
from print.viewport import EARTH_RADIUS_M

AT_PLACE_M = 60.0  # an unload this close to the disposal facility is shown on its flag


@dataclass(frozen=True)
class Flag:
    """A facility on the map: its symbol boxes (車庫, 処分 or both), its name, a note line."""

    place: Place
    symbols: tuple[str, ...]
    note: str = ""


def distance_m(a: LonLat, b: LonLat) -> float:
    """Approximate ground distance in metres between two (lon, lat) points (EPSG:4326)."""
    k = math.radians(1.0) * EARTH_RADIUS_M
    east = (b[0] - a[0]) * k * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot(east, (b[1] - a[1]) * k)


def _at_disposal(route: RouteSheet, stop: StopRow) -> bool:
    disposal = route.disposal
    return (
        stop.kind == "unload"
        and disposal is not None
        and distance_m((stop.lon, stop.lat), (disposal.lon, disposal.lat)) <= AT_PLACE_M
    )


def flag_unloads(route: RouteSheet) -> tuple[int, ...]:
    """Numbers of the unloads at the disposal facility, listed on its flag, not as markers.

    A truck may unload three or four times a day at one spot: as markers they would only
    crowd each other (and earn a zoomed page of the facility yard).
    """
    return tuple(s.seq for s in route.stops if _at_disposal(route, s))


def mapped_stops(route: RouteSheet) -> tuple[StopRow, ...]:
    """The stops drawn as numbered markers: every pickup, and unloads away from the facility."""
    return tuple(s for s in route.stops if not _at_disposal(route, s))


def place_flags(route: RouteSheet) -> list[Flag]:
    """Depot and disposal flags (one flag when they share a site), unloads on the latter."""
    unloads = flag_unloads(route)
    note = texts.FLAG_UNLOADS.format(seqs=format_seq_ranges(list(unloads))) if unloads else ""
    depot, disposal = route.depot, route.disposal
    if disposal is None:
        return [Flag(depot, (texts.DEPOT_SYMBOL,))]
    both = (texts.DEPOT_SYMBOL, texts.DISPOSAL_SYMBOL)
    if distance_m((depot.lon, depot.lat), (disposal.lon, disposal.lat)) <= AT_PLACE_M:
        return [Flag(depot, both, note)]
    return [Flag(depot, both[:1]), Flag(disposal, both[1:], note)]
