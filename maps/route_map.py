"""Folium route map of a day plan: one colour per truck, numbered stops, the depot.

Leaflet comes from the app's own ``/static/vendor/leaflet`` (staff PCs may have no internet);
and the base map from our own vector tiles unless a raster one is configured.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import folium
from branca.element import Figure

from maps.basemap import Basemap, add_basemap
from maps.colours import truck_colour

LEAFLET_BASE = "/static/vendor/leaflet"

_PIN_CSS = """<style>
.stop-pin{width:24px;height:24px;border-radius:12px;border:2px solid #fff;color:#fff;
font:bold 12px/24px sans-serif;text-align:center;box-shadow:0 0 3px rgba(0,0,0,.6)}
.stop-pin.done{background:#fff!important;border-width:3px;line-height:20px}
.depot-pin{width:26px;height:26px;background:#222;color:#fff;border:2px solid #fff;
font:bold 14px/26px sans-serif;text-align:center;box-shadow:0 0 3px rgba(0,0,0,.6)}
</style>"""


class _LocalMap(folium.Map):
    """A folium map that loads only Leaflet, from our static files (no CDN, no jQuery)."""

    default_js = [("leaflet", f"{LEAFLET_BASE}/leaflet.js")]
    default_css = [("leaflet_css", f"{LEAFLET_BASE}/leaflet.css")]


@dataclass(frozen=True)
class MapStop:
    seq: int
    lon: float
    lat: float
    popup: str  # plain text shown on hover; escaped here
    done: bool


@dataclass(frozen=True)
class MapRoute:
    name: str
    line_lonlat: tuple[tuple[float, float], ...]
    stops: tuple[MapStop, ...]


@dataclass(frozen=True)
class MapPlace:
    name: str
    lon: float
    lat: float


def _tooltip(label: str) -> folium.Tooltip:
    # Tooltips, not popups: folium's popups need jQuery, which we do not ship.
    return folium.Tooltip(escape(label))


def _stop_marker(stop: MapStop, colour: str) -> folium.Marker:
    style = f"background:{colour};color:{colour}" if stop.done else f"background:{colour}"
    css = "stop-pin done" if stop.done else "stop-pin"
    icon = folium.DivIcon(
        html=f'<div class="{css}" style="{style}">{stop.seq}</div>',
        icon_size=(24, 24),
        icon_anchor=(12, 12),
    )
    return folium.Marker((stop.lat, stop.lon), icon=icon, tooltip=_tooltip(stop.popup))


def _add_route(fmap: folium.Map, route: MapRoute, colour: str) -> None:
    group = folium.FeatureGroup(name=escape(route.name))
    if len(route.line_lonlat) > 1:
        folium.PolyLine(  # type: ignore[no-untyped-call]
            [(lat, lon) for lon, lat in route.line_lonlat], color=colour, weight=4, opacity=0.8
        ).add_to(group)
    for stop in route.stops:
        _stop_marker(stop, colour).add_to(group)
    group.add_to(fmap)


def _bounds(routes: Sequence[MapRoute], depot: MapPlace) -> list[list[float]]:
    points = [(depot.lon, depot.lat)]
    for route in routes:
        points += list(route.line_lonlat) + [(s.lon, s.lat) for s in route.stops]
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def build_route_map(routes: Sequence[MapRoute], depot: MapPlace, basemap: Basemap) -> str:
    """A standalone HTML page with the day's routes (lon/lat in EPSG:4326).

    Truck ``i`` of ``routes`` is drawn in ``truck_colour(i)``; stops already recorded by the
    crew are hollow. The layer control lets a clerk show one truck at a time.
    """
    fmap = _LocalMap(location=(depot.lat, depot.lon), zoom_start=14, tiles=None)
    add_basemap(fmap, basemap)
    root = fmap.get_root()
    assert isinstance(root, Figure)
    root.header.add_child(folium.Element(_PIN_CSS))
    for index, route in enumerate(routes):
        _add_route(fmap, route, truck_colour(index))
    folium.Marker(
        (depot.lat, depot.lon),
        icon=folium.DivIcon(
            html='<div class="depot-pin">清</div>', icon_size=(26, 26), icon_anchor=(13, 13)
        ),
        tooltip=_tooltip(depot.name),
    ).add_to(fmap)
    folium.LayerControl(collapsed=False).add_to(fmap)
    fmap.fit_bounds(_bounds(routes, depot))
    html: str = root.render()
    return html
