"""MACHI_BASEMAP: our own vector tiles by default, 地理院タイル or any XYZ URL on request."""

from __future__ import annotations

from maps.basemap import GSI_STD_TILES, OWN_TILES, basemap_from_setting, basemap_scripts


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
