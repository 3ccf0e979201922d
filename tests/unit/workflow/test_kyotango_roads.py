"""The synthetic road network of the second demo town, on a small made-up city."""

from __future__ import annotations

from collections import Counter

import networkx as nx
from shapely.geometry import Point, box

from workflow.demo.kyotango_places import NEAR_OAZA, OAZA, SYNTHETIC, metres, place_districts
from workflow.demo.kyotango_roads import build_road_network

CITY = box(135.00, 35.60, 135.10, 35.66)  # about 9 × 6.7 km
WEST, EAST = (135.01, 35.61), (135.09, 35.65)  # two villages about 8.3 km apart


def test_two_far_villages_become_one_strongly_connected_network() -> None:
    graph = build_road_network([WEST, EAST], CITY)
    digraph = nx.DiGraph((a.source_osm, a.target_osm) for a in graph.arcs)
    assert nx.number_strongly_connected_components(digraph) == 1
    assert digraph.number_of_nodes() == len(graph.nodes)
    kinds = Counter(a.highway for a in graph.arcs)
    assert kinds["unclassified"] > 0 and kinds["tertiary"] > 0  # lattices joined by a link
    assert all(CITY.covers(Point(n.lon, n.lat)) for n in graph.nodes)
    assert all(n.osm_id < 0 for n in graph.nodes)
    assert all(a.speed_kmh > 0 and a.length_m > 0 and not a.oneway for a in graph.arcs)


def test_the_network_is_the_same_every_time() -> None:
    first = build_road_network([WEST, EAST], CITY, [(WEST, EAST)])
    again = build_road_network([WEST, EAST], CITY, [(WEST, EAST)])
    assert first == again
    assert any(a.highway == "primary" for a in first.arcs)


def test_districts_take_their_oaza_point_or_a_free_spot_nearby() -> None:
    oaza = {"東町本郷": WEST, "西町": EAST}
    names = ["東町本郷", "東町本郷北", "東町一区", "西町"]
    placed = place_districts(names, oaza, {"東町": "東町本郷", "西町": "西町"}, CITY)
    assert [p.placement for p in placed] == [OAZA, NEAR_OAZA, SYNTHETIC, OAZA]
    assert (placed[0].lon, placed[0].lat) == WEST and placed[1].town == "東町"
    spots = [(p.lon, p.lat) for p in placed]
    assert all(metres(a, b) >= 150 for i, a in enumerate(spots) for b in spots[i + 1 :])
