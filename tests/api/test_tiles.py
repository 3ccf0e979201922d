"""Vector tiles: base layers over 立川市, the scoped reports layer, caching headers, bad tiles."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import mapbox_vector_tile
import pytest
from sqlalchemy import Engine

from api.app import create_app
from geo.tilegrid import Tile, tile_at
from machi.settings import Settings
from tests.support.desk import PLACE, MadeReport, ReportFactory, login
from tests.support.live_server import live_server
from workflow.desk import map_view
from workflow.maps.tiles import forget_tiles

pytestmark = pytest.mark.db

REPORT_KEYS = {"id", "status", "category", "urgent", "overdue"}
CLUSTER_KEYS = {"cluster", "count", "received", "in_progress", "done", "closed", "urgent"}


@pytest.fixture(scope="module")
def base_url(test_settings: Settings) -> Iterator[str]:
    with live_server(create_app(test_settings)) as url:
        yield url


@pytest.fixture()
def anonymous(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield client


@contextmanager
def _staff(base_url: str, user: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        yield login(client, user, f"{user}-demo")


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()
    forget_tiles()


def _path(layer: str, tile: Tile) -> str:
    return f"/tiles/{layer}/{tile.z}/{tile.x}/{tile.y}.pbf"


def _decode(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layers: dict[str, Any] = mapbox_vector_tile.decode(answer.content)
    return layers


def _features(layers: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return list(layers.get(name, {}).get("features", []))


def test_a_street_level_tile_over_tachikawa_has_every_base_layer(anonymous: httpx.Client) -> None:
    layers = _decode(anonymous.get(_path("base", tile_at(*PLACE, 14))))
    assert {"roads", "boundary", "districts", "evacuation"} <= set(layers)
    roads = _features(layers, "roads")
    assert len(roads) > 200
    assert {f["properties"]["class"] for f in roads} >= {"major", "medium", "minor"}
    assert any(f["properties"].get("name") == "立川昭島線" for f in roads)
    names = {f["properties"]["name"] for f in _features(layers, "districts")}
    assert "曙町一丁目" in names
    assert all(f["properties"]["name"] for f in _features(layers, "evacuation"))


def test_a_whole_city_tile_is_simplified_to_the_main_roads(anonymous: httpx.Client) -> None:
    city = _decode(anonymous.get(_path("base", tile_at(*PLACE, 10))))
    assert {f["properties"]["class"] for f in _features(city, "roads")} == {"major"}
    assert "districts" not in city and len(_features(city, "boundary")) == 1


def test_a_tile_drawn_512_px_wide_carries_the_next_zooms_detail(anonymous: httpx.Client) -> None:
    # side streets appear from zoom 13: a zoom-12 tile drawn at 512 px shows the map at 13
    path = _path("roads", tile_at(*PLACE, 12))
    plain, wide = anonymous.get(path), anonymous.get(path + "?scale=2")
    classes = [
        {f["properties"]["class"] for f in _features(_decode(a), "roads")} for a in (plain, wide)
    ]
    assert "minor" not in classes[0] and "minor" in classes[1]
    assert plain.headers["etag"] != wide.headers["etag"]
    assert anonymous.get(path + "?scale=3").status_code == 422


def test_the_depot_is_in_the_facilities_layer(anonymous: httpx.Client) -> None:
    # the demo depot (清掃センター) stands in 若葉町
    layers = _decode(anonymous.get(_path("facilities", tile_at(139.4318, 35.7265, 12))))
    assert set(layers) == {"facilities"}
    (depot,) = _features(layers, "facilities")
    assert depot["properties"]["is_depot"] is True


def test_base_tiles_are_cacheable_and_revalidate(anonymous: httpx.Client) -> None:
    path = _path("roads", tile_at(*PLACE, 15))
    first = anonymous.get(path)
    assert first.status_code == 200 and set(_decode(first)) == {"roads"}
    assert first.headers["cache-control"].startswith("public")
    etag = first.headers["etag"]
    again = anonymous.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag


def test_a_tile_far_from_town_is_empty(anonymous: httpx.Client) -> None:
    answer = anonymous.get(_path("base", tile_at(135.5, 34.7, 14)))  # Osaka
    assert answer.status_code == 200 and answer.content == b""


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tiles/base/3/8/0.pbf", 404),  # beyond the grid of zoom 3
        ("/tiles/base/3/0/8.pbf", 404),
        ("/tiles/base/21/0/0.pbf", 422),  # the schema's ranges
        ("/tiles/base/99999999/0/0.pbf", 422),
        ("/tiles/base/abc/0/0.pbf", 422),
        ("/tiles/base/3/-1/0.pbf", 422),
        ("/tiles/base/3/1.5/0.pbf", 422),
        ("/tiles/base/3/0/٣.pbf", 422),
        ("/tiles/nosuch/3/0/0.pbf", 422),
        ("/tiles/base/3/0/0.png", 404),
    ],
)
def test_bad_tiles_get_4xx(anonymous: httpx.Client, path: str, status: int) -> None:
    assert anonymous.get(path).status_code == status


def test_the_reports_layer_needs_a_signed_in_clerk(anonymous: httpx.Client) -> None:
    assert anonymous.get(_path("reports", tile_at(*PLACE, 16))).status_code == 401


def test_a_department_never_gets_another_departments_reports(
    base_url: str, reports: ReportFactory
) -> None:
    road, dumping = reports("road_pothole"), reports("dumping")
    tile = _path("reports", tile_at(*PLACE, 16))
    with _staff(base_url, "doro") as doro, _staff(base_url, "kankyo") as kankyo:
        doro_answer, kankyo_answer = doro.get(tile), kankyo.get(tile)
        bad = doro.get("/tiles/reports/3/8/0.pbf")
    assert doro_answer.headers["cache-control"] == "private, no-store"
    doro_points = _features(_decode(doro_answer), "reports")
    assert all(set(f["properties"]) == REPORT_KEYS for f in doro_points)
    assert road.id in _ids(doro_points) and dumping.id not in _ids(doro_points)
    kankyo_ids = _ids(_features(_decode(kankyo_answer), "reports"))
    assert dumping.id in kankyo_ids and road.id not in kankyo_ids
    assert bad.status_code == 404


def _ids(features: list[dict[str, Any]]) -> set[int]:
    return {int(f["properties"]["id"]) for f in features}


def _cluster_total(client: httpx.Client, tile: Tile, **params: str) -> int:
    layers = _decode(client.get(_path("reports", tile), params=params))
    features = _features(layers, "reports")
    assert all(CLUSTER_KEYS <= set(f["properties"]) for f in features)
    return sum(int(f["properties"]["count"]) for f in features)


def _settled_total(client: httpx.Client, tile: Tile, **params: str) -> int:
    """``_cluster_total`` once it is current: asked until two answers agree, the keeper idle.

    Whole-city tiles are cut from the counts the server's keeper keeps; a committed change
    reaches them when the keeper has counted its block again, in a thread of its own. They
    are then shared for ``CLUSTER_TTL_S``, so each answer is asked for with the tiles dropped.
    """
    deadline, last = time.monotonic() + 10, None
    while True:
        while not map_view._keeper.idle():
            assert time.monotonic() < deadline, "the keeper never finished"
            time.sleep(0.02)
        forget_tiles()
        total = _cluster_total(client, tile, **params)
        if total == last:
            return total
        assert time.monotonic() < deadline, "the counts never settled"
        last = total
        time.sleep(0.3)  # a change committed just before is heard meanwhile


def _heard() -> int:
    """How many changes this process's feed has delivered to the map's caches."""
    heard = map_view._blocks.begin()
    assert heard is not None, "the change feed is not up"
    return heard


def _wait_heard(count: int) -> None:
    """Until the feed has delivered ``count`` changes (a notice may take its time under load).

    Waiting a fixed 0.3 s instead let two stale answers agree on a busy CI machine.
    """
    deadline = time.monotonic() + 10
    while _heard() < count:
        assert time.monotonic() < deadline, "the changes were never heard"
        time.sleep(0.02)


def test_low_zoom_counts_by_status_in_scope_and_filter(
    base_url: str, reports: ReportFactory
) -> None:
    tile = tile_at(*PLACE, 12)
    with _staff(base_url, "doro") as doro, _staff(base_url, "admin") as admin:
        before = _settled_total(doro, tile), _settled_total(admin, tile)
        heard = _heard()
        made: list[MadeReport] = [reports("road_pothole"), reports("dumping")]
        _wait_heard(heard + len(made))  # one notice a new report
        after = _settled_total(doro, tile), _settled_total(admin, tile)
        done_only = _settled_total(doro, tile, status="done")
    assert len(made) == 2
    assert after[0] == before[0] + 1  # doro counts the road report only
    assert after[1] == before[1] + 2  # admin counts both
    assert done_only <= before[0]
