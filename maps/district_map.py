"""District choropleth (folium): reports per 町丁目 over a period, for the trends page.

The demo town's districts are approximate (Voronoi cells of 町丁目 points), and the legend
says so whenever any drawn district is. Colours are a sequential blue scale, so they never
read as status colours. Leaflet comes from our static files (``maps.embed``), the legend is
``maps.legend``'s, as on the triage map.
"""

from __future__ import annotations

import html
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import folium

from maps.basemap import Basemap
from maps.embed import MapParts, new_town_map, render_parts
from maps.legend import LegendControl, legend_html, legend_row

BLUES = ("#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
EMPTY_FILL = "#ffffff"
APPROXIMATE_NOTE = (
    "町丁目の境界は、町丁目の代表点から作った近似の区域（ボロノイ分割）です。"
    "実際の境界とは異なります。"
)


@dataclass(frozen=True)
class DistrictValue:
    """One district to colour: its polygon (GeoJSON text, EPSG:4326) and its count."""

    id: int
    name: str
    geojson: str
    count: int
    approximate: bool


def class_breaks(counts: Sequence[int], classes: int = len(BLUES)) -> list[int]:
    """Upper bounds of the colour classes for the non-zero counts (quantiles, ascending)."""
    values = sorted(c for c in counts if c > 0)
    distinct = sorted(set(values))
    if len(distinct) <= classes:
        return distinct
    cuts = statistics.quantiles(values, n=classes, method="inclusive")
    return sorted({math.ceil(c) for c in cuts} | {values[-1]})


def fill_colour(count: int, breaks: Sequence[int]) -> str:
    """The fill of a district with ``count`` reports (white for none)."""
    if count <= 0 or not breaks:
        return EMPTY_FILL
    index = next((i for i, upper in enumerate(breaks) if count <= upper), len(breaks) - 1)
    # Fewer classes than colours: spread them over the scale, darkest for the largest.
    offset = len(BLUES) - len(breaks)
    return BLUES[offset + index]


def legend_rows(breaks: Sequence[int]) -> list[tuple[str, str]]:
    """(label, colour) per class: 「0 件」, then 「1〜3 件」 style ranges."""
    rows = [("0 件", EMPTY_FILL)]
    lower = 1
    for upper in breaks:
        label = f"{upper} 件" if upper == lower else f"{lower}〜{upper} 件"
        rows.append((label, fill_colour(upper, breaks)))
        lower = upper + 1
    return rows


def choropleth_legend(title: str, rows: Sequence[tuple[str, str]], note: str | None) -> str:
    """The legend's HTML: a swatch per class (label, colour) and the note, if any."""
    return legend_html(title, [legend_row(label, colour, "swatch") for label, colour in rows], note)


def _collection(districts: Sequence[DistrictValue], breaks: Sequence[int]) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": d.id,
                "geometry": json.loads(d.geojson),
                # folium's tooltip writes properties as HTML: the name goes in escaped.
                "properties": {
                    "name": html.escape(d.name),
                    "count": d.count,
                    "fill": fill_colour(d.count, breaks),
                },
            }
            for d in districts
        ],
    }


def build_district_map(
    bounds_lonlat: tuple[float, float, float, float],
    basemap: Basemap,
    districts: Sequence[DistrictValue],
    title: str = "町丁目別の件数",
    asset_base: str = "/static/vendor",
) -> MapParts:
    """A choropleth of report counts per district, in pieces to embed in a page.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north), EPSG:4326; the map fits it.
        basemap: what to draw underneath (our own vector tiles by default).
        districts: every district with its polygon and count.
        title: the legend's title.
        asset_base: URL prefix of the vendored Leaflet files.
    """
    fmap = new_town_map(bounds_lonlat, basemap, 12, asset_base)
    breaks = class_breaks([d.count for d in districts])
    folium.GeoJson(
        _collection(districts, breaks),
        name="町丁目",
        style_function=lambda f: {
            "fillColor": f["properties"]["fill"],
            "fillOpacity": 0.78,
            "color": "#4d4d4d",
            "weight": 0.7,
        },
        highlight_function=lambda _f: {"weight": 2.5, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["name", "count"], aliases=["町丁目", "件数"]),
    ).add_to(fmap)
    note = APPROXIMATE_NOTE if any(d.approximate for d in districts) else None
    legend = choropleth_legend(title, legend_rows(breaks), note)
    LegendControl(legend, "topright", "triage-legend choropleth-legend").add_to(fmap)
    return render_parts(fmap, bounds_lonlat)
