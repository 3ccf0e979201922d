"""The configured base map (``MACHI_BASEMAP``) for pages and folium maps."""

from __future__ import annotations

from machi.settings import Settings
from maps.basemap import Basemap, basemap_from_setting


def basemap_of(settings: Settings) -> Basemap:
    """The base map every page draws: our own vector tiles unless a raster is configured."""
    return basemap_from_setting(settings.basemap, settings.basemap_attribution)
