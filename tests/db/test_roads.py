"""The road network as a pgRouting graph: reachable, one-way streets respected."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from geo.osm_graph import read_osm_extract
from geo.roads import store_road_graph
from tests.conftest import MUNICIPALITY_ID
from tests.support.shared import SHARED_DIR

EDGES_SQL = (
    "SELECT id, source, target, cost_s AS cost, reverse_cost_s AS reverse_cost "
    f"FROM road_edge WHERE municipality_id = {MUNICIPALITY_ID}"
)


def test_dijkstra_finds_a_path_across_town(engine: Engine) -> None:
    with engine.connect() as conn:
        far = conn.execute(
            text(
                "SELECT (SELECT id FROM road_vertex WHERE municipality_id = :m "
                "ORDER BY ST_X(geom) LIMIT 1), (SELECT id FROM road_vertex "
                "WHERE municipality_id = :m ORDER BY ST_X(geom) DESC LIMIT 1)"
            ),
            {"m": MUNICIPALITY_ID},
        ).one()
        cost = conn.execute(
            text("SELECT max(agg_cost) FROM pgr_dijkstra(:sql, :a, :b, directed => true)"),
            {"sql": EDGES_SQL, "a": far[0], "b": far[1]},
        ).scalar()
    assert cost is not None and 600 < cost < 3600  # ~9 km across town at town speeds


def test_one_way_street_is_not_driven_backwards(engine: Engine) -> None:
    with engine.connect() as conn:
        arc = conn.execute(
            text(
                "SELECT e.source, e.target, e.cost_s FROM road_edge e WHERE e.municipality_id = :m "
                "AND e.oneway AND NOT EXISTS (SELECT 1 FROM road_edge r WHERE r.municipality_id = "
                "e.municipality_id AND r.source = e.target AND r.target = e.source) "
                "ORDER BY e.id LIMIT 1"
            ),
            {"m": MUNICIPALITY_ID},
        ).one()
        back = (
            conn.execute(
                text(
                    "SELECT edge FROM pgr_dijkstra(:sql, :a, :b, directed => true) WHERE edge > 0"
                ),
                {"sql": EDGES_SQL, "a": arc.target, "b": arc.source},
            )
            .scalars()
            .all()
        )
    assert len(back) > 1  # a detour, not the one-way arc reversed


def test_pbf_extract_imports_as_a_routable_graph(db_session: Session) -> None:
    graph = read_osm_extract(SHARED_DIR / "data/osm/andorra-2013.osm.pbf")
    result = store_road_graph(db_session, MUNICIPALITY_ID, graph)
    assert result.edges > 10_000 and result.length_km > 300
    oneway = db_session.execute(
        text("SELECT count(*) FROM road_edge WHERE municipality_id = :m AND oneway"),
        {"m": MUNICIPALITY_ID},
    ).scalar()
    assert oneway and oneway > 100
