"""MACHI_BASEMAP: our own vector tiles by default, 地理院タイル or any XYZ URL on request."""

from __future__ import annotations

from maps.basemap import GSI_STD_TILES, OWN_TILES, Basemap, basemap_from_setting, basemap_scripts
from maps.triage import build_triage_map


def test_own_tiles_are_the_default_and_carry_the_osm_attribution() -> None:
    config = basemap_from_setting("own").config()
    assert config["raster"] is None and config["vector"] == OWN_TILES
    assert "OpenStreetMap contributors" in config["attribution"]
    assert set(config["roads"]) == {"major", "medium", "minor", "service"}
    assert basemap_from_setting("").raster_url is None


def test_gsi_and_custom_urls_draw_a_raster_with_our_tiles_as_fallback() -> None:
    gsi = basemap_from_setting("gsi").config()
    assert gsi["raster"] == GSI_STD_TILES and "地理院タイル" in gsi["rasterAttribution"]
    assert gsi["vector"] == OWN_TILES
    url = "https://tiles.example.lg.jp/{z}/{x}/{y}.png"
    custom = basemap_from_setting(url, "© 市").config()
    assert custom["raster"] == url and custom["rasterAttribution"] == "© 市"


def test_the_name_labels_load_between_vectorgrid_and_basemap_js() -> None:
    names = [name for name, _ in basemap_scripts()]
    assert names == [
        "vectorgrid",
        "machi_basemap_label_geometry",
        "machi_basemap_labels",
        "machi_basemap",
    ]
    assert all(url.startswith("/static/") for _, url in basemap_scripts())


def test_tiles_are_only_asked_inside_the_town_padded_a_little() -> None:
    assert basemap_from_setting("own").config()["bounds"] is None  # no town known: everywhere
    bounds = basemap_from_setting("own").config((139.0, 35.0, 139.5, 35.2))["bounds"]
    assert bounds == [[34.996, 138.99], [35.204, 139.51]]  # [[south, west], [north, east]]


def test_a_town_map_fits_the_town_before_any_layer_asks_for_tiles() -> None:
    outline = '{"type": "Point", "coordinates": [139.1, 35.1]}'
    parts = build_triage_map((139.0, 35.0, 139.5, 35.2), Basemap(), outline)
    script = parts.script
    created = script.index("L.map(")
    fit = script.index(".fitBounds(")
    assert created < fit < script.index("MachiBasemap.addTo(") < script.index("L.geoJson(")
    assert '"bounds": [[34.996, 138.99], [35.204, 139.51]]' in script


def test_markercluster_is_left_to_the_page_only_when_asked() -> None:
    eager = build_triage_map((139.0, 35.0, 139.5, 35.2), Basemap())
    lazy = build_triage_map((139.0, 35.0, 139.5, 35.2), Basemap(), cluster_eager=False)
    assert "leaflet.markercluster.js" in eager.header
    assert "leaflet.markercluster.js" not in lazy.header
    assert "leaflet/leaflet.js" in lazy.header and "MarkerCluster.css" in lazy.header
    assert lazy.cluster_js == "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"
