"""Fallback matrices from straight-line distance when no road network is loaded (pure)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from routing.problem import Matrix

DETOUR_FACTOR = 1.35  # typical road/straight-line ratio in Japanese towns
FALLBACK_SPEED_KMH = 20.0


def _haversine_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def haversine_matrices(
    points: Sequence[tuple[float, float]],
    detour_factor: float = DETOUR_FACTOR,
    speed_kmh: float = FALLBACK_SPEED_KMH,
) -> tuple[Matrix, Matrix]:
    """Travel time (s) and distance (m) matrices from great-circle distance x detour factor.

    Args:
        points: (lon, lat) in EPSG:4326.
        detour_factor: road distance / straight-line distance.
        speed_kmh: average speed used to turn distance into time.
    """
    distance = tuple(
        tuple(round(_haversine_m(a, b) * detour_factor) for b in points) for a in points
    )
    time = tuple(tuple(round(d / (speed_kmh / 3.6)) for d in row) for row in distance)
    return time, distance
