"""The folium route map: local Leaflet only, no jQuery-dependent parts, one colour per truck."""

from __future__ import annotations

import re

from maps.basemap import Basemap
from maps.colours import STATUS_COLOURS, TRUCK_COLOURS, truck_colour
from maps.route_map import MapPlace, MapRoute, MapStop, build_route_map

DEPOT = MapPlace("清掃工場<テスト>", 139.40, 35.70)


def _route(name: str, shift: float, done: bool = False) -> MapRoute:
    line = ((139.40, 35.70), (139.41 + shift, 35.71), (139.40, 35.70))
    stops = (MapStop(1, 139.41 + shift, 35.71, f"{name} No.1 <b>x</b>", done),)
    return MapRoute(name, line, stops)


def test_assets_are_local_and_nothing_needs_jquery() -> None:
    html = build_route_map([_route("1号車", 0)], DEPOT, Basemap())
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links and all(link.startswith("/static/") for link in links)
    assert "MachiBasemap.addTo" in html and "/tiles/base/{tz}/{x}/{y}.pbf?scale=2" in html
    assert "$(" not in html and "jquery" not in html.lower()


def test_each_truck_gets_its_own_colour_and_labels_are_escaped() -> None:
    routes = [_route(f"{i}号車", i / 100, done=i == 2) for i in range(1, 4)]
    html = build_route_map(routes, DEPOT, Basemap())
    for index in range(3):
        assert truck_colour(index) in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert "清掃工場&lt;テスト&gt;" in html
    assert html.count("stop-pin done") == 1


def test_truck_colours_never_look_like_a_status() -> None:
    assert not set(TRUCK_COLOURS) & set(STATUS_COLOURS.values())
    assert truck_colour(len(TRUCK_COLOURS)) == truck_colour(0)
