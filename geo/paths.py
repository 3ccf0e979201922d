"""Road geometry of route legs: one batched ``pgr_dijkstra`` over all legs, lines in order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.matrix import _EDGES


@dataclass(frozen=True)
class LegPath:
    """The driven path from vertex ``source`` to ``target``: edge ids and a WKT linestring."""

    source: int
    target: int
    edge_ids: tuple[int, ...]
    length_m: float
    time_s: float
    wkt: str | None


def _combinations_sql(pairs: Sequence[tuple[int, int]]) -> str:
    values = ", ".join(f"({int(a)}, {int(b)})" for a, b in pairs)
    return f"SELECT source, target FROM (VALUES {values}) AS c(source, target)"


def leg_paths(
    session: Session, municipality_id: int, legs: Sequence[tuple[int, int]]
) -> list[LegPath]:
    """Fastest paths for (source vertex, target vertex) legs, in input order.

    Each leg's line is the edges' geometries concatenated in driving order
    (``ST_MakeLine`` keeps the order where ``ST_LineMerge`` would lose it on streets driven
    twice). Legs with source == target have no geometry.

    Args:
        session: open session (read only).
        municipality_id: tenant.
        legs: (source vertex id, target vertex id) pairs.
    """
    wanted = [(a, b) for a, b in legs if a != b]
    by_pair: dict[tuple[int, int], LegPath] = {}
    if wanted:
        edges = _EDGES.format(cost="cost_s", rcost="cost_s", m=int(municipality_id))
        rows = session.execute(
            text(
                "WITH p AS (SELECT * FROM pgr_dijkstra(:edges, :combinations, directed => true) "
                "WHERE edge > 0) "
                "SELECT p.start_vid, p.end_vid, array_agg(p.edge ORDER BY p.path_seq) AS edges, "
                "sum(e.length_m) AS length_m, sum(p.cost) AS time_s, ST_AsText(ST_MakeLine("
                "e.geom ORDER BY p.path_seq)) AS wkt FROM p JOIN road_edge e ON "
                "e.municipality_id = :m AND e.id = p.edge GROUP BY p.start_vid, p.end_vid"
            ),
            {"edges": edges, "m": municipality_id, "combinations": _combinations_sql(wanted)},
        ).all()
        by_pair = {
            (int(r.start_vid), int(r.end_vid)): LegPath(
                int(r.start_vid),
                int(r.end_vid),
                tuple(int(e) for e in r.edges),
                float(r.length_m),
                float(r.time_s),
                str(r.wkt),
            )
            for r in rows
        }
    return [by_pair.get((a, b), LegPath(a, b, (), 0.0, 0.0, None)) for a, b in legs]
