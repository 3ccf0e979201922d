"""A folium map on our own Leaflet files, rendered into the pieces a page template embeds.

Leaflet and its plugins come from our static files (``asset_base``), never a CDN, so the
staff pages work on municipal networks without internet.
"""

from __future__ import annotations

from dataclasses import dataclass

import folium
from branca.element import Figure

from maps.basemap import Basemap, add_basemap


@dataclass(frozen=True)
class MapParts:
    """Pieces of the rendered folium figure to place in a page template."""

    map_name: str  # the JS variable holding the Leaflet map
    header: str  # <script>/<link> tags and styles for <head>
    body: str  # the map <div>
    script: str  # JS creating the map (must run after ``body``)


def vendor_assets(asset_base: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet and markercluster from our static files (JS, CSS) instead of folium's CDN."""
    js = [
        ("leaflet", f"{asset_base}/leaflet/leaflet.js"),
        ("markercluster", f"{asset_base}/leaflet.markercluster/leaflet.markercluster.js"),
    ]
    css = [
        ("leaflet_css", f"{asset_base}/leaflet/leaflet.css"),
        ("markercluster_css", f"{asset_base}/leaflet.markercluster/MarkerCluster.css"),
        (
            "markercluster_default_css",
            f"{asset_base}/leaflet.markercluster/MarkerCluster.Default.css",
        ),
    ]
    return js, css


def new_town_map(
    bounds_lonlat: tuple[float, float, float, float],
    basemap: Basemap,
    zoom_start: int,
    asset_base: str,
) -> folium.Map:
    """A map centred on the town over its base map, on our Leaflet files; no scale yet.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north), EPSG:4326.
        basemap: what to draw underneath (our own vector tiles by default).
        zoom_start: the zoom before ``fit_town`` fits the bbox.
        asset_base: URL prefix of the vendored Leaflet files.
    """
    west, south, east, north = bounds_lonlat
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=zoom_start,
        tiles=None,
        control_scale=False,  # metric-only scale added with the legend
        prefer_canvas=False,
    )
    fmap.default_js, fmap.default_css = vendor_assets(asset_base)
    add_basemap(fmap, basemap)
    return fmap


def render_parts(fmap: folium.Map, bounds_lonlat: tuple[float, float, float, float]) -> MapParts:
    """Fit the map to the town's bbox (west, south, east, north; EPSG:4326) and render it."""
    west, south, east, north = bounds_lonlat
    fmap.fit_bounds([[south, west], [north, east]])
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()
    return MapParts(
        map_name=fmap.get_name(),
        header=figure.header.render(),
        body=figure.html.render(),
        script=figure.script.render(),
    )
