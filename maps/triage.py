"""The staff triage map (folium): GSI tiles, the town outline and the status legend.

Reports are not baked into the page: ``api/static/triage.js`` loads them for the visible
bbox from the JSON API and draws them on the map this module builds. Leaflet and its
plugins come from our own static files (``asset_base``), so the page works without internet.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import folium
from branca.element import Figure, MacroElement
from jinja2 import Template

from maps.basemap import Basemap, add_basemap
from maps.colours import STATUS_COLOURS, STATUS_LABELS_JA

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


@dataclass(frozen=True)
class TriageMapParts:
    """Pieces of the rendered folium figure to place in a page template."""

    map_name: str  # the JS variable holding the Leaflet map
    header: str  # <script>/<link> tags and styles for <head>
    body: str  # the map <div>
    script: str  # JS creating the map (must run after ``body``)


class Legend(MacroElement):
    """A Leaflet control with the status colours (static, escaped HTML)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "triage-legend");
                div.innerHTML = {{ this.legend_html|tojson }};
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
            L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, title: str = "状態", extra_rows_html: str = "") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        rows = "".join(
            f'<div class="row"><span class="dot" style="background:{colour}"></span>'
            f"{html.escape(label)}</div>"
            for label, colour in LEGEND_ROWS
        )
        extra = (
            '<div class="row"><span class="dot big"></span>大きい円：緊急</div>'
            '<div class="row"><span class="dot ring"></span>黒い縁：対応期限超過</div>'
            '<div class="row"><span class="dot pie"></span>数字：まとまった件数</div>'
        )
        self.legend_html = (
            f'<div class="title">{html.escape(title)}</div>{rows}{extra}{extra_rows_html}'
        )


def legend_html() -> str:
    """The legend's HTML (also used by the list page)."""
    return Legend().legend_html


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


def build_triage_map(
    bounds_lonlat: tuple[float, float, float, float],
    basemap: Basemap,
    outline_geojson: str | None = None,
    asset_base: str = "/static/vendor",
    legend_extra_html: str = "",
) -> TriageMapParts:
    """Build the triage map and return the pieces to embed in the staff page.

    Args:
        bounds_lonlat: the town's bbox (west, south, east, north) in EPSG:4326; the map fits it.
        basemap: what to draw underneath (our own vector tiles by default).
        outline_geojson: the town boundary as GeoJSON text, drawn as a thin line so the map
            stays readable when tiles cannot load.
        asset_base: URL prefix of the vendored Leaflet files.
        legend_extra_html: more legend rows (trusted, static HTML), e.g. the HQ map's shelters.
    """
    west, south, east, north = bounds_lonlat
    fmap = folium.Map(
        location=[(south + north) / 2, (west + east) / 2],
        zoom_start=13,
        tiles=None,
        control_scale=False,  # metric-only scale added with the legend
        prefer_canvas=False,
    )
    fmap.default_js, fmap.default_css = vendor_assets(asset_base)
    add_basemap(fmap, basemap)
    if outline_geojson:
        folium.GeoJson(
            outline_geojson,
            name="市境",
            style_function=lambda _f: {"color": "#1f4e79", "weight": 2, "fill": False},
            interactive=False,
        ).add_to(fmap)
    Legend(extra_rows_html=legend_extra_html).add_to(fmap)
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
