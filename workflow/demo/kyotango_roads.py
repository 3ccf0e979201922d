"""A SYNTHETIC road network for 京丹後市, which has no road data here (pure: no DB).

Deterministic, and drivable by the same code as a real OSM network:

1. a 250 m lattice of two-way ``unclassified`` streets within 500 m of every district point,
   inside the city boundary (the settlements);
2. straight two-way ``tertiary`` links that join each lattice piece to its nearest neighbour
   until one network is left;
3. straight two-way ``primary`` arterials between the former towns' centres.

Node ids are negative (not OSM ids). Speeds are the importer's defaults per highway class.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx
import numpy as np
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry
from shapely.prepared import prep

from geo.osm_graph import (
    DEFAULT_SPEEDS_KMH,
    RoadArc,
    RoadGraph,
    haversine_m,
    largest_component,
)

LonLat = tuple[float, float]
ORIGIN: LonLat = (135.0, 35.6)  # the lattice is anchored here, so it never shifts
METRES_PER_DEGREE_LAT = 110_950.0
KX = METRES_PER_DEGREE_LAT * math.cos(math.radians(ORIGIN[1]))
SPACING_M = 250.0
REACH_M = 500.0
MAX_SEGMENT_M = 400.0
STREET, LINK, ARTERIAL = "unclassified", "tertiary", "primary"


class _Builder:
    """Nodes by (lon, lat) with negative ids, and undirected segments by highway class."""

    def __init__(self) -> None:
        self.pos: dict[int, LonLat] = {}
        self.segments: list[tuple[int, int, str]] = []

    def node(self, at: LonLat) -> int:
        node_id = -(len(self.pos) + 1)
        self.pos[node_id] = at
        return node_id

    def road(self, a: int, b: int, highway: str) -> None:
        """A straight road from ``a`` to ``b``, cut into pieces of at most MAX_SEGMENT_M."""
        (x1, y1), (x2, y2) = self.pos[a], self.pos[b]
        pieces = max(1, math.ceil(haversine_m(x1, y1, x2, y2) / MAX_SEGMENT_M))
        previous = a
        for k in range(1, pieces):
            here = self.node((x1 + (x2 - x1) * k / pieces, y1 + (y2 - y1) * k / pieces))
            self.segments.append((previous, here, highway))
            previous = here
        self.segments.append((previous, b, highway))

    def arcs(self) -> list[RoadArc]:
        found = []
        for a, b, highway in self.segments:
            for u, v in ((a, b), (b, a)):
                (x1, y1), (x2, y2) = self.pos[u], self.pos[v]
                found.append(
                    RoadArc(
                        source_osm=u,
                        target_osm=v,
                        coords=(self.pos[u], self.pos[v]),
                        length_m=round(haversine_m(x1, y1, x2, y2), 1),
                        highway=highway,
                        name=None,
                        oneway=False,
                        osm_way_id=None,
                        speed_kmh=DEFAULT_SPEEDS_KMH[highway],
                        lanes=None,
                    )
                )
        return found


def _cell_lonlat(i: int, j: int) -> LonLat:
    return (
        round(ORIGIN[0] + i * SPACING_M / KX, 7),
        round(ORIGIN[1] + j * SPACING_M / METRES_PER_DEGREE_LAT, 7),
    )


def lattice_cells(settlements: Sequence[LonLat], boundary: BaseGeometry) -> list[tuple[int, int]]:
    """Lattice cells (i, j) within REACH_M of a settlement and inside the boundary, sorted."""
    inside = prep(boundary)
    steps = math.ceil(REACH_M / SPACING_M)
    cells: set[tuple[int, int]] = set()
    for lon, lat in settlements:
        ci = round((lon - ORIGIN[0]) * KX / SPACING_M)
        cj = round((lat - ORIGIN[1]) * METRES_PER_DEGREE_LAT / SPACING_M)
        for i in range(ci - steps, ci + steps + 1):
            for j in range(cj - steps, cj + steps + 1):
                x, y = _cell_lonlat(i, j)
                if haversine_m(lon, lat, x, y) <= REACH_M:
                    cells.add((i, j))
    return sorted(c for c in cells if inside.covers(Point(_cell_lonlat(*c))))


def _lay_lattice(builder: _Builder, cells: list[tuple[int, int]]) -> None:
    ids = {c: builder.node(_cell_lonlat(*c)) for c in cells}
    for (i, j), node_id in ids.items():
        for neighbour in ((i + 1, j), (i, j + 1)):
            if neighbour in ids:
                builder.segments.append((node_id, ids[neighbour], STREET))


def _metric(builder: _Builder, nodes: list[int]) -> np.ndarray:
    """Planar metres (x east, y north) of the nodes, for nearest-pair search."""
    lonlat = np.array([builder.pos[n] for n in nodes], dtype=float)
    scaled: np.ndarray = lonlat * np.array([KX, METRES_PER_DEGREE_LAT])
    return scaled


def _join_pieces(builder: _Builder) -> None:
    """Link the smallest piece to the nearest node outside it, until one piece is left."""
    while True:
        graph = nx.Graph()
        graph.add_nodes_from(builder.pos)
        graph.add_edges_from((a, b) for a, b, _ in builder.segments)
        pieces = sorted(nx.connected_components(graph), key=lambda c: (len(c), max(c)))
        if len(pieces) <= 1:
            return
        inner = sorted(pieces[0])
        outer = sorted(n for piece in pieces[1:] for n in piece)
        a, b = _metric(builder, inner), _metric(builder, outer)
        distances = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
        i, j = np.unravel_index(int(np.argmin(distances)), distances.shape)
        builder.road(inner[int(i)], outer[int(j)], LINK)


def _nearest(builder: _Builder, at: LonLat) -> int:
    return min(builder.pos, key=lambda n: (haversine_m(*builder.pos[n], *at), -n))


def build_road_network(
    settlements: Sequence[LonLat],
    boundary: BaseGeometry,
    arterials: Sequence[tuple[LonLat, LonLat]] = (),
) -> RoadGraph:
    """The synthetic network: one strongly connected graph of two-way roads.

    Args:
        settlements: district points (lon, lat); streets are laid around each.
        boundary: the city polygon; lattice nodes lie inside it (links and arterials are
            straight and may cut across a bay).
        arterials: pairs of (lon, lat) joined by a ``primary`` road between the lattice
            nodes nearest to them.
    """
    builder = _Builder()
    _lay_lattice(builder, lattice_cells(settlements, boundary))
    for start, end in arterials:
        builder.road(_nearest(builder, start), _nearest(builder, end), ARTERIAL)
    _join_pieces(builder)
    return largest_component(builder.pos, builder.arcs())
