"""Turn an OSM drive network into directed road arcs with travel times (pure: no DB).

Reads OSMnx GraphML (the demo town) and raw ``.osm`` / ``.osm.pbf`` extracts (pyosmium).
Coordinates are lon/lat, EPSG:4326.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import networkx as nx

from geo.errors import RoadImportError

# km/h by OSM highway class: what a collection truck averages in town, not the legal limit.
DEFAULT_SPEEDS_KMH: Mapping[str, float] = {
    "motorway": 60.0,
    "trunk": 45.0,
    "primary": 35.0,
    "secondary": 30.0,
    "tertiary": 28.0,
    "unclassified": 22.0,
    "residential": 18.0,
    "living_street": 10.0,
    "service": 10.0,
    "road": 18.0,
}
HIGHWAY_RANK = list(DEFAULT_SPEEDS_KMH)
DRIVABLE = frozenset(DEFAULT_SPEEDS_KMH) | {f"{h}_link" for h in DEFAULT_SPEEDS_KMH}


@dataclass(frozen=True)
class RoadNode:
    osm_id: int
    lon: float
    lat: float


@dataclass(frozen=True)
class RoadArc:
    """One directed arc; ``coords`` run from source to target as (lon, lat)."""

    source_osm: int
    target_osm: int
    coords: tuple[tuple[float, float], ...]
    length_m: float
    highway: str
    name: str | None
    oneway: bool
    osm_way_id: int | None
    speed_kmh: float
    lanes: int | None

    @property
    def duration_s(self) -> float:
        """Travel time in seconds at ``speed_kmh``."""
        return self.length_m / (self.speed_kmh / 3.6)


@dataclass(frozen=True)
class RoadGraph:
    nodes: tuple[RoadNode, ...]
    arcs: tuple[RoadArc, ...]


def _first(value: object) -> str | None:
    """OSMnx stores merged attributes as a Python list literal, e.g. "['a', 'b']"."""
    if value is None:
        return None
    text = str(value)
    if text.startswith("["):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text
        return str(items[0]) if items else None
    return text


def _highway(value: object) -> str:
    text = str(value or "road")
    if text.startswith("["):
        candidates = [str(v) for v in ast.literal_eval(text)]
        return min(candidates, key=lambda h: _rank(h))
    return text


def _rank(highway: str) -> int:
    base = highway.removesuffix("_link")
    return HIGHWAY_RANK.index(base) if base in HIGHWAY_RANK else len(HIGHWAY_RANK)


def pick_speed_kmh(highway: str, maxspeed: object, speeds: Mapping[str, float]) -> float:
    """Speed for a road class, never above a posted ``maxspeed`` (km/h).

    Args:
        highway: OSM highway value, ``_link`` suffix allowed.
        maxspeed: the OSM maxspeed tag (number, list literal or None).
        speeds: km/h per highway class.
    """
    speed = speeds.get(highway.removesuffix("_link"), speeds.get("road", 18.0))
    posted = _first(maxspeed)
    if posted and posted.split()[0].isdigit():
        speed = min(speed, float(posted.split()[0]))
    return speed


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points (EPSG:4326)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(a))


def _parse_linestring(wkt: str) -> tuple[tuple[float, float], ...]:
    body = wkt[wkt.index("(") + 1 : wkt.rindex(")")]
    pairs = (p.split() for p in body.split(","))
    return tuple((float(x), float(y)) for x, y in pairs)


def _arc_from_graphml(
    u: int,
    v: int,
    data: Mapping[str, object],
    pos: Mapping[int, tuple[float, float]],
    speeds: Mapping[str, float],
) -> RoadArc:
    geometry = data.get("geometry")
    coords = _parse_linestring(str(geometry)) if geometry else (pos[u], pos[v])
    highway = _highway(data.get("highway"))
    lanes = _first(data.get("lanes"))
    way = _first(data.get("osmid"))
    return RoadArc(
        source_osm=u,
        target_osm=v,
        coords=coords,
        length_m=float(str(data.get("length", 0.0))),
        highway=highway,
        name=_first(data.get("name")),
        oneway=str(data.get("oneway", "False")) == "True",
        osm_way_id=int(way) if way and way.isdigit() else None,
        speed_kmh=pick_speed_kmh(highway, data.get("maxspeed"), speeds),
        lanes=int(lanes) if lanes and lanes.isdigit() else None,
    )


def read_graphml(path: Path, speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH) -> RoadGraph:
    """Read an OSMnx GraphML drive network and keep its largest strongly connected component.

    Args:
        path: GraphML file in EPSG:4326 (OSMnx ``network_type='drive'``).
        speeds: km/h per highway class.

    Raises:
        RoadImportError: the file is not a directed road graph.
    """
    try:
        graph = nx.read_graphml(path, node_type=int)
    except Exception as exc:  # noqa: BLE001 — networkx raises many kinds
        raise RoadImportError(f"{path}: not a readable GraphML road network ({exc})") from exc
    if not graph.is_directed():
        raise RoadImportError(f"{path}: the road graph must be directed (one-way streets)")
    pos = {n: (float(d["x"]), float(d["y"])) for n, d in graph.nodes(data=True)}
    arcs = [
        _arc_from_graphml(u, v, d, pos, speeds)
        for u, v, d in graph.edges(data=True)
        if _highway(d.get("highway")) in DRIVABLE
    ]
    return largest_component(pos, arcs)


def largest_component(pos: Mapping[int, tuple[float, float]], arcs: Iterable[RoadArc]) -> RoadGraph:
    """Keep the nodes and arcs of the largest strongly connected component.

    Args:
        pos: node id -> (lon, lat).
        arcs: directed arcs between those nodes.

    Raises:
        RoadImportError: nothing drivable is left.
    """
    arc_list = list(arcs)
    digraph = nx.DiGraph()
    digraph.add_edges_from((a.source_osm, a.target_osm) for a in arc_list)
    if digraph.number_of_nodes() == 0:
        raise RoadImportError("no drivable roads in the extract")
    keep = max(nx.strongly_connected_components(digraph), key=len)
    nodes = tuple(RoadNode(n, *pos[n]) for n in sorted(keep))
    kept = tuple(a for a in arc_list if a.source_osm in keep and a.target_osm in keep)
    return RoadGraph(nodes=nodes, arcs=kept)


def _way_directions(tags: Mapping[str, str], highway: str) -> tuple[bool, bool]:
    oneway = tags.get("oneway", "")
    if oneway == "-1":
        return False, True
    implied = highway in {"motorway", "motorway_link"} or tags.get("junction") == "roundabout"
    if oneway in {"yes", "true", "1"} or (implied and oneway != "no"):
        return True, False
    return True, True


def _arcs_of_way(
    way_id: int,
    coords: list[tuple[int, float, float]],
    tags: Mapping[str, str],
    speeds: Mapping[str, float],
) -> list[RoadArc]:
    highway = tags["highway"]
    forward, backward = _way_directions(tags, highway)
    speed = pick_speed_kmh(highway, tags.get("maxspeed"), speeds)
    lanes = tags.get("lanes", "")
    arcs = []
    for (n1, x1, y1), (n2, x2, y2) in zip(coords, coords[1:], strict=False):
        length = haversine_m(x1, y1, x2, y2)
        for a, b, pa, pb, go in (
            (n1, n2, (x1, y1), (x2, y2), forward),
            (n2, n1, (x2, y2), (x1, y1), backward),
        ):
            if go:
                arcs.append(
                    RoadArc(
                        a,
                        b,
                        (pa, pb),
                        length,
                        highway,
                        tags.get("name"),
                        forward != backward,
                        way_id,
                        speed,
                        int(lanes) if lanes.isdigit() else None,
                    )
                )
    return arcs


def read_osm_extract(path: Path, speeds: Mapping[str, float] = DEFAULT_SPEEDS_KMH) -> RoadGraph:
    """Read a raw ``.osm`` / ``.osm.pbf`` extract: drivable ways, one-ways, largest SCC.

    Each arc is one way segment between consecutive OSM nodes (lengths by haversine, m).

    Args:
        path: the OSM file.
        speeds: km/h per highway class.

    Raises:
        RoadImportError: unreadable file or no drivable roads.
    """
    import osmium

    pos: dict[int, tuple[float, float]] = {}
    arcs: list[RoadArc] = []
    try:
        processor = osmium.FileProcessor(
            str(path), osmium.osm.NODE | osmium.osm.WAY
        ).with_locations()
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            tags = {t.k: t.v for t in way.tags}
            if tags.get("highway") not in DRIVABLE or tags.get("access") in {"no", "private"}:
                continue
            coords = [(n.ref, n.lon, n.lat) for n in way.nodes if n.location.valid()]
            pos.update({ref: (x, y) for ref, x, y in coords})
            arcs.extend(_arcs_of_way(way.id, coords, tags, speeds))
    except RuntimeError as exc:
        raise RoadImportError(f"{path}: not a readable OSM extract ({exc})") from exc
    return largest_component(pos, arcs)
