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
    cluster_js: str = ""  # markercluster's URL, for a page that loads it only when needed


CLUSTER_JS = "leaflet.markercluster/leaflet.markercluster.js"


def vendor_assets(
    asset_base: str, cluster: bool = True
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Leaflet and markercluster from our static files (JS, CSS) instead of folium's CDN.

    With ``cluster`` False the page loads markercluster's script itself when it first needs
    it (``Machi.script``): a town-wide view draws grid counts, not markers, and 34 KB less to
    evaluate before the first tile is asked for is 20-40 ms on a slow office PC.
    """
    js = [("leaflet", f"{asset_base}/leaflet/leaflet.js")]
    if cluster:
        js.append(("markercluster", f"{asset_base}/{CLUSTER_JS}"))
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
    cluster: bool = True,
) -> folium.Map:
    """A map centred on the town over its base map, on our Leaflet files; no scale yet.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north), EPSG:4326.
        basemap: what to draw underneath (our own vector tiles by default).
        zoom_start: the zoom before ``fit_town`` fits the bbox.
        asset_base: URL prefix of the vendored Leaflet files.
        cluster: load markercluster's script with Leaflet (False: the page loads it).
    """
    west, south, east, north = bounds_lonlat
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=zoom_start,
        tiles=None,
        control_scale=False,  # metric-only scale added with the legend
        prefer_canvas=False,
    )
    fmap.default_js, fmap.default_css = vendor_assets(asset_base, cluster)
    add_basemap(fmap, basemap, bounds_lonlat=bounds_lonlat)
    return fmap


def render_parts(
    fmap: folium.Map,
    bounds_lonlat: tuple[float, float, float, float],
    asset_base: str = "/static/vendor",
) -> MapParts:
    """Fit the map to the town's bbox (west, south, east, north; EPSG:4326) and render it.

    The fit runs first in the map's script, right after ``L.map``: every layer then asks its
    tiles and data for the view the user sees, not for the starting zoom and centre first.
    """
    west, south, east, north = bounds_lonlat
    fmap.fit_bounds([[south, west], [north, east]])
    fit = next(reversed(fmap._children))  # the FitBounds just added  # noqa: SLF001
    fmap._children.move_to_end(fit, last=False)  # noqa: SLF001
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()
    return MapParts(
        map_name=fmap.get_name(),
        header=figure.header.render(),
        body=figure.html.render(),
        script=figure.script.render(),
        cluster_js=f"{asset_base}/{CLUSTER_JS}",
    )
