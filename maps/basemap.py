"""The base map under every Machi map: our own vector tiles, or a raster XYZ layer.

``MACHI_BASEMAP=own`` (the default) draws ``/tiles/base/{z}/{x}/{y}.pbf`` from our PostGIS
with Leaflet.VectorGrid, so maps work on closed networks and when the internet link is
down; ``gsi`` (地理院タイル) or any XYZ URL template draws that raster instead, and
``api/static/basemap.js`` falls back to our tiles when it does not load.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from branca.element import MacroElement
from jinja2 import Template

from maps.roadstyle import WIDTH_ZOOM, screen_styles

# Drawn 512 px wide: a tile of zoom z at the map's zoom z + 1, with that zoom's detail
# (``scale=2``). A town-wide staff map needs 6 such tiles where 256-px tiles took 16, and a
# browser fetches 6 at a time from one host over HTTP/1.1: one round of requests, not three.
OWN_TILES = "/tiles/base/{tz}/{x}/{y}.pbf?scale=2"
OWN_TILE_PX = 512
OWN_MAX_NATIVE_ZOOM = 19  # the map's zoom (the tiles' own zoom is one less)
GSI_STD_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = (
    '<a href="https://maps.gsi.go.jp/development/ichiran.html" target="_blank">地理院タイル</a>'
)
# Our tiles draw OpenStreetMap roads (ODbL), N03 boundaries and GSI evacuation sites.
OWN_ATTRIBUTION = (
    '© <a href="https://www.openstreetmap.org/copyright" target="_blank">'
    "OpenStreetMap contributors</a> | 国土数値情報（行政区域） | 国土地理院（指定緊急避難場所）"
)


Bounds = tuple[float, float, float, float]
BOUNDS_PAD = 0.02  # of the bbox's width and height, each side: lines drawn on its edge


def padded_bounds(bounds_lonlat: Bounds) -> list[list[float]]:
    """Leaflet's ``[[south, west], [north, east]]`` of a lon/lat bbox, padded by ``BOUNDS_PAD``."""
    west, south, east, north = bounds_lonlat
    dx, dy = (east - west) * BOUNDS_PAD, (north - south) * BOUNDS_PAD
    return [
        [round(v, 6) for v in corner]
        for corner in ([south - dy, west - dx], [north + dy, east + dx])
    ]


@dataclass(frozen=True)
class Basemap:
    """What a map draws underneath: a raster URL (None: our vector tiles only)."""

    raster_url: str | None = None
    raster_attribution: str = ""
    vector_url: str = OWN_TILES

    def config(self, bounds_lonlat: Bounds | None = None) -> dict[str, Any]:
        """JSON-ready settings for ``MachiBasemap.addTo(map, config)`` in basemap.js.

        Args:
            bounds_lonlat: the town's bbox (west, south, east, north; EPSG:4326), if known:
                our tiles are only asked inside it (a little padded), since the town's
                base layers hold nothing beyond it. A town-wide view asked six tiles of
                which three came back empty, each a round trip and a canvas to set up.
        """
        return {
            "bounds": padded_bounds(bounds_lonlat) if bounds_lonlat else None,
            "vector": self.vector_url,
            "attribution": OWN_ATTRIBUTION,
            "maxNativeZoom": OWN_MAX_NATIVE_ZOOM,
            "tileSize": OWN_TILE_PX,
            "raster": self.raster_url,
            "rasterAttribution": self.raster_attribution,
            "roads": screen_styles(),
            "widthZoom": WIDTH_ZOOM,
        }


def basemap_from_setting(value: str, attribution: str = "") -> Basemap:
    """The base map named by ``MACHI_BASEMAP``: ``own``, ``gsi`` or an XYZ URL template.

    Args:
        value: the setting.
        attribution: HTML attribution of a custom XYZ URL (ignored for ``own`` and ``gsi``).
    """
    name = value.strip()
    if name in ("", "own"):
        return Basemap()
    if name == "gsi":
        return Basemap(GSI_STD_TILES, GSI_ATTRIBUTION)
    return Basemap(name, attribution)


def basemap_scripts(static_base: str = "/static") -> list[tuple[str, str]]:
    """The scripts basemap.js needs, as folium ``default_js`` entries (after Leaflet).

    ``basemap_labels*.js`` draw street and district names over our vector tiles.
    """
    return [
        (
            "vectorgrid",
            f"{static_base}/vendor/leaflet.vectorgrid/Leaflet.VectorGrid.bundled.min.js",
        ),
        ("machi_basemap_label_geometry", f"{static_base}/basemap_labels_geometry.js"),
        ("machi_basemap_labels", f"{static_base}/basemap_labels.js"),
        ("machi_basemap", f"{static_base}/basemap.js"),
    ]


class BasemapLayer(MacroElement):
    """Adds the base map to its folium map through ``MachiBasemap.addTo``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        MachiBasemap.addTo({{ this._parent.get_name() }}, {{ this.settings|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, basemap: Basemap, bounds_lonlat: Bounds | None = None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "MachiBasemap"
        self.settings = basemap.config(bounds_lonlat)


def add_basemap(
    fmap: Any, basemap: Basemap, static_base: str = "/static", bounds_lonlat: Bounds | None = None
) -> None:
    """Draw ``basemap`` under a folium map whose Leaflet comes from our static files.

    Call it after the map's ``default_js`` is set: the scripts go after Leaflet's.
    ``bounds_lonlat`` (the town's bbox) keeps our tiles from being asked beyond the town.
    """
    fmap.default_js = [*fmap.default_js, *basemap_scripts(static_base)]
    BasemapLayer(basemap, bounds_lonlat).add_to(fmap)
