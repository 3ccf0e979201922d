"""The one road-class style: screen maps (vector tiles) and printed worksheets draw streets alike.

Pure values, standard library only, so ``print`` and the tile queries can read it too (the
import-linter contract allows exactly this module across the sibling layers). OSM ``highway``
values fall into four classes; ``*_link`` ramps take their road's class, anything unknown is
``service``.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class RoadClass:
    """How one class of road is drawn.

    ``width_pt`` is the stroke on paper (points); on screen the same number is the width in
    CSS pixels at ``WIDTH_ZOOM`` and halves with each zoom level out. ``min_zoom`` is the
    lowest web-map zoom whose tiles carry the class, so a whole-city tile stays small.
    """

    name: str
    rank: int  # larger is more important: drawn on top, labelled first
    width_pt: float
    colour: str  # hex
    casing: str | None  # hex outline drawn under the line, or None
    min_zoom: int


MAJOR = RoadClass("major", 3, 3.6, "#ffe08a", "#5a5a5a", 0)
MEDIUM = RoadClass("medium", 2, 2.6, "#ffffff", "#6e6e6e", 11)
MINOR = RoadClass("minor", 1, 1.1, "#8a8a8a", None, 13)
SERVICE = RoadClass("service", 0, 0.6, "#b4b4b4", None, 15)
ROAD_CLASSES = (SERVICE, MINOR, MEDIUM, MAJOR)  # drawing order: least important first
WIDTH_ZOOM = 16

HIGHWAY_CLASSES = MappingProxyType(
    {
        **dict.fromkeys(("motorway", "trunk", "primary", "secondary"), MAJOR),
        **dict.fromkeys(("tertiary",), MEDIUM),
        **dict.fromkeys(("residential", "unclassified", "living_street", "road"), MINOR),
    }
)


def road_class(highway: str | None) -> RoadClass:
    """The class of an OSM ``highway`` value (``primary_link`` counts as ``primary``)."""
    base = (highway or "").removesuffix("_link")
    return HIGHWAY_CLASSES.get(base, SERVICE)


def classes_at_zoom(zoom: int) -> tuple[str, ...]:
    """Names of the classes a tile at web-map ``zoom`` carries."""
    return tuple(c.name for c in ROAD_CLASSES if c.min_zoom <= zoom)


def highway_class_names() -> dict[str, str]:
    """``highway`` base value -> class name, for the tile query (unknown values: service)."""
    return {highway: cls.name for highway, cls in HIGHWAY_CLASSES.items()}


def screen_styles() -> dict[str, dict[str, Any]]:
    """The classes as JSON-ready values for ``api/static/basemap.js``."""
    return {
        c.name: {
            "rank": c.rank,
            "width": c.width_pt,
            "colour": c.colour,
            "casing": c.casing,
            "minZoom": c.min_zoom,
        }
        for c in ROAD_CLASSES
    }
