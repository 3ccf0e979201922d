"""The staff triage map (folium): GSI tiles, the town outline and the status legend.

Reports are not baked into the page: ``api/static/triage.js`` loads them for the visible
bbox from the JSON API and draws them on the map this module builds. Leaflet and its
plugins come from our own static files (``asset_base``), so the page works without internet.
"""

from __future__ import annotations

import functools

import folium

from maps.basemap import Basemap
from maps.colours import STATUS_COLOURS, STATUS_LABELS_JA
from maps.embed import MapParts, new_town_map, render_parts
from maps.legend import LegendControl, legend_row
from maps.legend import legend_html as build_legend_html

# Legend rows: label and colour, from the one scheme (rejected and duplicate share grey).
LEGEND_ROWS = (
    (STATUS_LABELS_JA["received"], STATUS_COLOURS["received"]),
    (STATUS_LABELS_JA["in_progress"], STATUS_COLOURS["in_progress"]),
    (STATUS_LABELS_JA["done"], STATUS_COLOURS["done"]),
    (
        f"{STATUS_LABELS_JA['rejected']}・{STATUS_LABELS_JA['duplicate']}",
        STATUS_COLOURS["rejected"],
    ),
)


# What the marks beyond the colours mean (triage.js draws them).
MARK_ROWS = (
    ("大きい円：緊急", "dot big"),
    ("黒い縁：対応期限超過", "dot ring"),
    ("数字：まとまった件数", "dot pie"),
)


def legend_html(title: str = "状態", extra_rows_html: str = "") -> str:
    """The status legend's HTML (also used by the list page).

    Args:
        title: the legend's title.
        extra_rows_html: more rows (trusted, static HTML), e.g. the HQ map's shelters.
    """
    rows = [legend_row(label, colour) for label, colour in LEGEND_ROWS]
    rows += [legend_row(label, mark=mark) for label, mark in MARK_ROWS]
    return build_legend_html(title, [*rows, extra_rows_html])


@functools.lru_cache(maxsize=64)
def build_triage_map(
    bounds_lonlat: tuple[float, float, float, float],
    basemap: Basemap,
    outline_geojson: str | None = None,
    asset_base: str = "/static/vendor",
    legend_extra_html: str = "",
    cluster_eager: bool = True,
) -> MapParts:
    """Build the triage map and return the pieces to embed in the staff page.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north) in EPSG:4326; the map fits it.
        basemap: what to draw underneath (our own vector tiles by default).
        outline_geojson: the town boundary as GeoJSON text, drawn as a thin line so the map
            stays readable when tiles cannot load.
        asset_base: URL prefix of the vendored Leaflet files.
        legend_extra_html: more legend rows (trusted, static HTML), e.g. the HQ map's shelters.
        cluster_eager: load markercluster with Leaflet; False for a page that loads it from
            ``MapParts.cluster_js`` when it first draws markers (the staff map).

    The parts depend on the arguments only, so they are kept (64 sets): rendering the folium
    figure compiles a Jinja template per element, about 10 ms, on every staff map page.
    """
    fmap = new_town_map(bounds_lonlat, basemap, 13, asset_base, cluster_eager)
    if outline_geojson:
        folium.GeoJson(
            outline_geojson,
            name="市境",
            style_function=lambda _f: {"color": "#1f4e79", "weight": 2, "fill": False},
            interactive=False,
        ).add_to(fmap)
    LegendControl(legend_html(extra_rows_html=legend_extra_html)).add_to(fmap)
    return render_parts(fmap, bounds_lonlat, asset_base)
