"""Where each collection 地区 of 京丹後市 lies (pure: no DB).

``area_days.csv`` names 169 地区 but gives no positions. A 地区 named exactly like a 大字 of
the Geolonia address points takes that point (real). One whose name extends a 大字's name
(丹後町間人岡成 in 丹後町間人) is placed around that 大字's point, and one without any
(峰山町１区, 久美浜町湊地区) around its town's reference point: both SYNTHETIC positions, on a
deterministic spiral that stays inside the boundary and apart from the other points.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from workflow.demo.kyotango_data import NAME_FOLD

METRES_PER_DEGREE_LAT = 110_950.0
SPIRAL_STEP_M = 300.0
MIN_GAP_M = 150.0
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
MAX_TRIES = 400

# How a district's point was found.
OAZA = "oaza"  # the 大字's own representative point
NEAR_OAZA = "near_oaza"  # synthetic, around the 大字 the 地区 name extends
SYNTHETIC = "synthetic"  # synthetic, around the town's reference point

LonLat = tuple[float, float]


@dataclass(frozen=True)
class PlacedDistrict:
    name: str
    town: str
    lon: float
    lat: float
    placement: str


def fold(name: str) -> str:
    """The name for matching: NFKC (full-width digits) and one spelling of small ヶ."""
    return unicodedata.normalize("NFKC", name).translate(NAME_FOLD)


def town_of(name: str, towns: Sequence[str]) -> str:
    """The former town (峰山町 …) a 地区 name starts with.

    Raises:
        ValueError: the name starts with none of them.
    """
    matches = [t for t in towns if name.startswith(t)]
    if not matches:
        raise ValueError(f"district {name!r} is in none of the towns {list(towns)}")
    return max(matches, key=len)


def metres(a: LonLat, b: LonLat) -> float:
    """Planar distance in metres between two nearby lon/lat points (good to 0.1 % here)."""
    kx = METRES_PER_DEGREE_LAT * math.cos(math.radians((a[1] + b[1]) / 2))
    return math.hypot((a[0] - b[0]) * kx, (a[1] - b[1]) * METRES_PER_DEGREE_LAT)


def _spiral(anchor: LonLat, k: int) -> LonLat:
    radius = SPIRAL_STEP_M * math.sqrt(k + 1)
    angle = k * GOLDEN_ANGLE
    kx = METRES_PER_DEGREE_LAT * math.cos(math.radians(anchor[1]))
    return (
        anchor[0] + radius * math.cos(angle) / kx,
        anchor[1] + radius * math.sin(angle) / METRES_PER_DEGREE_LAT,
    )


class _Spiral:
    """Hands out free spots around anchors: inside the boundary, apart from every taken one."""

    def __init__(self, boundary: BaseGeometry, taken: list[LonLat]) -> None:
        self._inside = prep(boundary)
        self._taken = taken
        self._next: dict[LonLat, int] = {}

    def spot(self, anchor: LonLat) -> LonLat:
        k = self._next.get(anchor, 0)
        for tries in range(MAX_TRIES):
            candidate = _spiral(anchor, k + tries)
            if self._inside.covers(Point(candidate)) and all(
                metres(candidate, t) >= MIN_GAP_M for t in self._taken
            ):
                self._next[anchor] = k + tries + 1
                self._taken.append(candidate)
                return candidate
        raise ValueError(f"no free spot around {anchor} inside the boundary")


def _anchor(
    folded: str, town: str, oaza: Mapping[str, LonLat], references: Mapping[str, LonLat]
) -> tuple[LonLat, str]:
    prefixes = [k for k in oaza if folded.startswith(k) and len(k) > len(fold(town))]
    if prefixes:
        return oaza[max(prefixes, key=len)], NEAR_OAZA
    return references[town], SYNTHETIC


def place_districts(
    names: Sequence[str],
    oaza_points: Mapping[str, LonLat],
    towns: Mapping[str, str],
    boundary: BaseGeometry,
) -> list[PlacedDistrict]:
    """A point for every 地区, in the order given.

    Args:
        names: 地区 names as in ``area_days.csv``.
        oaza_points: 大字 name -> (lon, lat), from the Geolonia address points.
        towns: former town -> its reference 大字 (a key of ``oaza_points``).
        boundary: the city polygon (lon/lat); every point lands inside it.

    Raises:
        ValueError: a name outside the towns, or no room left around an anchor.
    """
    oaza = {fold(k): v for k, v in oaza_points.items()}
    references = {town: oaza[fold(ref)] for town, ref in towns.items()}
    town_names = list(towns)
    exact = {n: oaza[fold(n)] for n in names if fold(n) in oaza}
    spiral = _Spiral(boundary, list(exact.values()))
    placed = []
    for name in names:
        town = town_of(name, town_names)
        if name in exact:
            point, how = exact[name], OAZA
        else:
            anchor, how = _anchor(fold(name), town, oaza, references)
            point = spiral.spot(anchor)
        placed.append(PlacedDistrict(name, town, point[0], point[1], how))
    return placed
