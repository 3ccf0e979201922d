"""District choropleth (folium): reports per 町丁目 over a period, for the trends page.

The demo town's districts are approximate (Voronoi cells of 町丁目 points), and the legend
says so whenever any drawn district is. Colours are a sequential blue scale, so they never
read as status colours. Leaflet comes from our static files, as on the triage map.
"""

from __future__ import annotations

import html
import json
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

from maps.basemap import Basemap, add_basemap
from maps.triage import TriageMapParts, vendor_assets

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


class ChoroplethLegend(MacroElement):
    """The classes and the note on approximate districts, as a Leaflet control."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "topright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "triage-legend choropleth-legend");
                div.innerHTML = {{ this.legend_html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str, rows: Sequence[tuple[str, str]], note: str | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ChoroplethLegend"
        body = "".join(
            f'<div class="row"><span class="swatch" style="background:{colour}"></span>'
            f"{html.escape(label)}</div>"
            for label, colour in rows
        )
        tail = f'<p class="note">{html.escape(note)}</p>' if note else ""
        self.legend_html = f'<div class="title">{html.escape(title)}</div>{body}{tail}'


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
) -> TriageMapParts:
    """A choropleth of report counts per district, in pieces to embed in a page.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north), EPSG:4326; the map fits it.
        basemap: what to draw underneath (our own vector tiles by default).
        districts: every district with its polygon and count.
        title: the legend's title.
        asset_base: URL prefix of the vendored Leaflet files.
    """
    west, south, east, north = bounds_lonlat
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=12,
        tiles=None,
        control_scale=False,
    )
    fmap.default_js, fmap.default_css = vendor_assets(asset_base)
    add_basemap(fmap, basemap)
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
    ChoroplethLegend(title, legend_rows(breaks), note).add_to(fmap)
    fmap.fit_bounds([[south, west], [north, east]])
    figure = fmap.get_root()
    assert isinstance(figure, Figure)
    figure.render()
    return TriageMapParts(
        map_name=fmap.get_name(),
        header=figure.header.render(),
        body=figure.html.render(),
        script=figure.script.render(),
    )
