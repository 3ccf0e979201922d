"""Store a road graph as pgRouting edges (``road_edge``) and vertices (``road_vertex``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, text
from sqlalchemy.orm import Session

from geo.convert import line_ewkt, point_ewkt
from geo.models import RoadEdge, RoadVertex
from geo.osm_graph import RoadArc, RoadGraph


@dataclass(frozen=True)
class RoadImportResult:
    vertices: int
    edges: int
    length_km: float


def store_road_graph(session: Session, municipality_id: int, graph: RoadGraph) -> RoadImportResult:
    """Replace the municipality's road network with ``graph`` (flushes, does not commit).

    Vertex ids are 1..n in node order, edge ids 1..m: dense integers as pgRouting wants.

    Args:
        session: an open session inside the caller's transaction.
        municipality_id: tenant.
        graph: nodes and directed arcs (lon/lat, EPSG:4326).
    """
    session.execute(delete(RoadEdge).where(RoadEdge.municipality_id == municipality_id))
    session.execute(delete(RoadVertex).where(RoadVertex.municipality_id == municipality_id))
    vertex_id = {node.osm_id: i for i, node in enumerate(graph.nodes, start=1)}
    session.execute(
        insert(RoadVertex),
        [
            {
                "municipality_id": municipality_id,
                "id": vertex_id[n.osm_id],
                "osm_node_id": n.osm_id,
                "geom": point_ewkt(n.lon, n.lat),
            }
            for n in graph.nodes
        ],
    )
    session.execute(
        insert(RoadEdge),
        [_edge_row(municipality_id, i, a, vertex_id) for i, a in enumerate(graph.arcs, start=1)],
    )
    session.flush()
    total_m = sum(a.length_m for a in graph.arcs)
    return RoadImportResult(len(graph.nodes), len(graph.arcs), round(total_m / 1000, 1))


def _edge_row(
    municipality_id: int, edge_id: int, arc: RoadArc, vertex_id: dict[int, int]
) -> dict[str, object]:
    return {
        "municipality_id": municipality_id,
        "id": edge_id,
        "source": vertex_id[arc.source_osm],
        "target": vertex_id[arc.target_osm],
        "cost_s": round(arc.duration_s, 2),
        "reverse_cost_s": -1.0,
        "length_m": arc.length_m,
        "highway": arc.highway[:32],
        "name": arc.name[:128] if arc.name else None,
        "oneway": arc.oneway,
        "osm_way_id": arc.osm_way_id,
        "speed_kmh": arc.speed_kmh,
        "lanes": arc.lanes,
        "geom": line_ewkt(arc.coords),
    }


def nearest_vertex(session: Session, municipality_id: int, lon: float, lat: float) -> int:
    """Id of the road vertex nearest to a lon/lat point (GiST KNN)."""
    row = session.execute(
        text(
            "SELECT id FROM road_vertex WHERE municipality_id = :m "
            "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1"
        ),
        {"m": municipality_id, "lon": lon, "lat": lat},
    ).scalar_one()
    return int(row)
