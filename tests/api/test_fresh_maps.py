"""Street-level map answers and identities come from memory, and never outlive a change.

The live server runs its lifespan, so its change feed listens (``workflow.fresh``): a clerk's
status change, another clerk's street tile and view, a clerk deactivated by the town.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import mapbox_vector_tile
import pytest
from fastapi import FastAPI
from sqlalchemy import Engine, text

from api.app import create_app
from geo.tilegrid import tile_at
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.desk import PLACE, ReportFactory, csrf_of, login
from tests.support.live_server import live_server
from workflow.desk import map_view
from workflow.maps import tiles

pytestmark = pytest.mark.db
TILE = tile_at(*PLACE, 16)
TILE_PATH = f"/tiles/reports/{TILE.z}/{TILE.x}/{TILE.y}.pbf"
CELLS = tile_at(*PLACE, 14)  # counted in cells below zoom 15
STREET = (PLACE[0] - 0.002, PLACE[1] - 0.0016, PLACE[0] + 0.002, PLACE[1] + 0.0016)
VIEW = "/api/v1/reports?bbox=" + ",".join(f"{v:.5f}" for v in STREET)
HEARD_WITHIN_S = 2.0  # a notice crosses one local connection; a TTL would take 60 s


@pytest.fixture(scope="module")
def app(test_settings: Settings) -> FastAPI:
    return create_app(test_settings)


@pytest.fixture(scope="module")
def base_url(app: FastAPI) -> Iterator[str]:
    with live_server(app) as url:
        assert app.state.change_feed.wait_live(10)
        yield url


def _tile_status(client: httpx.Client, report_id: int) -> str | None:
    answer = client.get(TILE_PATH)
    assert answer.status_code == 200, answer.text
    layers: dict[str, Any] = mapbox_vector_tile.decode(answer.content)
    for feature in layers.get("reports", {}).get("features", []):
        if int(feature["properties"]["id"]) == report_id:
            return str(feature["properties"]["status"])
    return None


def _view_status(client: httpx.Client, report_id: int) -> str | None:
    answer = client.get(VIEW)
    assert answer.status_code == 200, answer.text
    assert answer.json()["mode"] == "points"
    for feature in answer.json()["features"]:
        if feature["id"] == report_id:
            return str(feature["properties"]["status"])
    return None


def _soon(read: Callable[[], object], expected: object) -> object:
    deadline = time.monotonic() + HEARD_WITHIN_S
    while (value := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def test_another_clerks_status_change_reaches_a_cached_street_tile_and_view(
    base_url: str, reports: ReportFactory
) -> None:
    made = reports("road_pothole")
    with httpx.Client(base_url=base_url) as doro, httpx.Client(base_url=base_url) as admin:
        login(doro, "doro", "doro-demo")
        login(admin, "admin", "admin-demo")
        assert _soon(lambda: _tile_status(doro, made.id), "received") == "received"
        assert _soon(lambda: _view_status(doro, made.id), "received") == "received"
        cached_tiles, cached_views = len(tiles._points_cache), len(map_view._points)
        assert _tile_status(doro, made.id) == "received"  # answered from memory
        assert _view_status(doro, made.id) == "received"
        assert cached_tiles >= 1 and cached_views >= 1
        changed = admin.patch(
            f"/api/v1/reports/{made.id}",
            json={"status": "in_progress"},
            headers={"X-CSRF-Token": csrf_of(admin)},
        )
        assert changed.status_code == 200, changed.text
        assert _soon(lambda: _tile_status(doro, made.id), "in_progress") == "in_progress"
        assert _soon(lambda: _view_status(doro, made.id), "in_progress") == "in_progress"


def test_a_new_report_appears_in_a_cached_street_tile(
    base_url: str, reports: ReportFactory
) -> None:
    with httpx.Client(base_url=base_url) as doro:
        login(doro, "doro", "doro-demo")
        first = reports("road_pothole")
        assert _soon(lambda: _tile_status(doro, first.id), "received") == "received"
        second = reports("road_pothole")  # the tile above is cached now
        assert _soon(lambda: _tile_status(doro, second.id), "received") == "received"


def test_a_deactivated_clerk_is_refused_at_once(base_url: str, engine: Engine) -> None:
    flip = text(
        "UPDATE staff_user SET active = :on WHERE municipality_id = :m AND username = 'doro'"
    )
    with httpx.Client(base_url=base_url) as doro:
        login(doro, "doro", "doro-demo")
        assert doro.get("/api/v1/me").status_code == 200
        assert doro.get("/api/v1/me").status_code == 200  # the identity is in memory now
        try:
            with engine.begin() as conn:
                conn.execute(flip, {"on": False, "m": MUNICIPALITY_ID})
            assert _soon(lambda: doro.get("/api/v1/me").status_code, 401) == 401
        finally:
            with engine.begin() as conn:
                conn.execute(flip, {"on": True, "m": MUNICIPALITY_ID})


def test_a_mistyped_password_leaves_the_cached_street_answers(base_url: str) -> None:
    """A failed login writes the account's failure count (a staff notice, not a map one)."""
    with httpx.Client(base_url=base_url) as doro, httpx.Client(base_url=base_url) as other:
        login(doro, "doro", "doro-demo")
        assert doro.get(VIEW).status_code == 200
        assert doro.get(TILE_PATH).status_code == 200
        kept = len(map_view._points), len(tiles._points_cache)
        assert kept[0] >= 1 and kept[1] >= 1
        form = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/staff/login").text)
        assert form
        refused = other.post(
            "/staff/login",
            data={"username": "doro", "password": "wrong", "csrf_token": form.group(1)},
        )
        assert refused.status_code != 303
        time.sleep(0.5)  # the staff notice has arrived by now (HEARD_WITHIN_S is the bound)
        assert (len(map_view._points), len(tiles._points_cache)) == kept


def _count_in_cells(client: httpx.Client, path: str) -> int:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    if path.endswith(".pbf"):
        layers: dict[str, Any] = mapbox_vector_tile.decode(answer.content)
        cells = layers.get("reports", {}).get("features", [])
        assert all(c["properties"].get("cluster") for c in cells)
        return sum(int(c["properties"]["count"]) for c in cells)
    body = answer.json()
    assert body["mode"] == "grid"
    return sum(int(c["properties"]["count"]) for c in body["features"])


@pytest.mark.parametrize(
    "path",
    [
        f"/tiles/reports/14/{CELLS.x}/{CELLS.y}.pbf",
        VIEW + "&mode=grid",
    ],
    ids=["z14 cell tile", "street view in grid mode"],
)
def test_street_sized_counts_follow_a_new_report(
    base_url: str, reports: ReportFactory, path: str
) -> None:
    with httpx.Client(base_url=base_url) as doro:
        login(doro, "doro", "doro-demo")
        before = _count_in_cells(doro, path)
        assert _count_in_cells(doro, path) == before  # kept now
        reports("road_pothole")
        assert _soon(lambda: _count_in_cells(doro, path), before + 1) == before + 1


def _first_west(client: httpx.Client) -> float:
    """The west edge of the opening view the staff map page asks for (the town's box)."""
    found = re.search(r'\}\)\("([-0-9.]+),', client.get("/staff/map").text)
    assert found, "the page names its opening view"
    return float(found.group(1))


def test_a_renamed_category_and_a_moved_boundary_reach_the_map_page(
    base_url: str, engine: Engine
) -> None:
    """The page's filter choices and outline are kept per town until a config notice."""
    name_of = text("SELECT name FROM category WHERE municipality_id = :m AND code = :c")
    rename = text("UPDATE category SET name = :n WHERE municipality_id = :m AND code = :c")
    keep = text("SELECT ST_AsEWKB(boundary) FROM municipality WHERE id = :m")
    move = text("UPDATE municipality SET boundary = ST_Translate(boundary, 0.01, 0) WHERE id = :m")
    put_back = text("UPDATE municipality SET boundary = ST_GeomFromEWKB(:b) WHERE id = :m")
    where = {"m": MUNICIPALITY_ID, "c": "road_pothole"}
    with engine.connect() as conn:
        old_name, boundary = (
            conn.execute(name_of, where).scalar_one(),
            conn.execute(keep, where).scalar_one(),
        )
    with httpx.Client(base_url=base_url) as doro:
        login(doro, "doro", "doro-demo")
        west = _first_west(doro)
        assert old_name in doro.get("/staff/map").text
        assert _first_west(doro) == west  # kept now
        try:
            with engine.begin() as conn:
                conn.execute(rename, {**where, "n": "試験用の分類名"})
            seen = _soon(lambda: "試験用の分類名" in doro.get("/staff/map").text, True)
            assert seen is True
            assert _first_west(doro) == west  # kept again
            with engine.begin() as conn:  # the boundary alone: its own notice
                conn.execute(move, where)
            moved = _soon(lambda: round(_first_west(doro), 5), round(west + 0.01, 5))
            assert moved == round(west + 0.01, 5)
        finally:
            with engine.begin() as conn:
                conn.execute(rename, {**where, "n": old_name})
                conn.execute(put_back, {**where, "b": boundary})
        assert _soon(lambda: _first_west(doro), west) == west


def test_without_the_feed_every_read_is_fresh(
    app: FastAPI, base_url: str, reports: ReportFactory, engine: Engine
) -> None:
    made = reports("road_pothole")
    with httpx.Client(base_url=base_url) as doro:
        login(doro, "doro", "doro-demo")
        app.state.change_feed.stop()  # the listening connection is gone (the last test here)
        assert not tiles._points_cache.live and len(tiles._points_cache) == 0
        assert _tile_status(doro, made.id) == "received"
        with engine.begin() as conn:
            conn.execute(text("UPDATE report SET status = 'done' WHERE id = :id"), {"id": made.id})
        assert _tile_status(doro, made.id) == "done"  # no waiting: nothing was kept
