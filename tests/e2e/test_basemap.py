"""Every map draws streets and the town from our own vector tiles, with the internet cut off.

Each page runs in Chromium with every request outside the app's origin aborted; the test
counts the base tiles the app served and the vector features the map drew (roads and the
municipal boundary, from ``window.machiBasemapStats``), and that nothing was asked of
anyone else. Zoomed in to street level, the map also draws street and 町丁目 names from the
same tiles (``machiBasemapStats.labels``); the screenshot is kept for a look.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Request, Route
from sqlalchemy import Engine, text

from api.app import create_app
from geo.tilegrid import Tile, tile_bounds_lonlat
from machi.settings import Settings
from tests.e2e.conftest import sign_in
from tests.support.bulky_day import BookedDay, plan_day, release_day
from tests.support.live_server import live_server

pytestmark = pytest.mark.e2e

DRAWN = (
    "() => { const s = window.machiBasemapStats;"
    " return !!s && s.ready && (s.features.roads || 0) > 50 && (s.features.boundary || 0) > 0; }"
)
LABELLED = (
    "() => { const l = window.machiBasemapStats.labels;"
    " return l.pending === 0 && l.roads > 0 && l.districts > 0; }"
)
# central 立川 (立川駅南口) at street level, without the zoom animation
STREET_LEVEL = "name => window[name].setView([35.6975, 139.4125], 16, {animate: false})"
LABEL_SCREENSHOT = Path("/tmp/machi_basemap_labels_z16.png")


@dataclass
class Traffic:
    origin: str
    left: list[str] = field(default_factory=list)  # requests that tried to leave the origin
    tiles: list[str] = field(default_factory=list)  # base tiles served with content
    lock: threading.Lock = field(default_factory=threading.Lock)

    def route(self, route: Route) -> None:
        if route.request.url.startswith(self.origin):
            route.continue_()
            return
        with self.lock:
            self.left.append(route.request.url)
        route.abort()

    def finished(self, request: Request) -> None:
        response = request.response()
        if "/tiles/base/" in request.url and response and response.status == 200:
            with self.lock:
                self.tiles.append(request.url)


@pytest.fixture(scope="module")
def booked(engine: Engine) -> Iterator[BookedDay]:
    planned = plan_day(engine, offset_days=85, count=3, seed=67)
    yield planned
    release_day(engine, planned.day)


@pytest.fixture(scope="module")
def dev_url(test_settings: Settings) -> Iterator[str]:
    """The app in dev mode, for the LINE simulator (no worker needed to draw its map)."""
    with live_server(create_app(test_settings.model_copy(update={"env": "dev"}))) as url:
        yield url


def _offline_page(browser: Browser, origin: str, **options: object) -> tuple[Page, Traffic]:
    context = browser.new_context(locale="ja-JP", **options)  # type: ignore[arg-type]
    traffic = Traffic(origin)
    context.route("**/*", traffic.route)
    page = context.new_page()
    page.on("requestfinished", traffic.finished)
    return page, traffic


def _assert_drawn_offline(page: Page, traffic: Traffic) -> None:
    page.wait_for_function(DRAWN, timeout=20_000)
    stats = page.evaluate("window.machiBasemapStats")
    assert stats["mode"] == "own" and stats["tileErrors"] == 0, stats
    # drawn on canvas tiles (DRAWN counted the features the renderer styled)
    assert page.locator("canvas.leaflet-tile").count() >= 1
    assert len(traffic.tiles) >= 1
    assert traffic.left == [], traffic.left


def _check(browser: Browser, origin: str, go: Callable[[Page], None], **options: object) -> None:
    page, traffic = _offline_page(browser, origin, **options)
    try:
        go(page)
        _assert_drawn_offline(page, traffic)
    finally:
        page.context.close()


def test_staff_triage_map(browser: Browser, base_url: str) -> None:
    def go(page: Page) -> None:
        sign_in(page, base_url, "doro", "doro-demo")
        page.goto(f"{base_url}/staff/map")

    _check(browser, base_url, go)


def test_disaster_hq_map(browser: Browser, base_url: str) -> None:
    def go(page: Page) -> None:
        sign_in(page, base_url, "bousai", "bousai-demo")
        page.goto(f"{base_url}/staff/disaster")

    _check(browser, base_url, go)


def test_plan_route_map(browser: Browser, base_url: str, booked: BookedDay) -> None:
    def go(page: Page) -> None:
        sign_in(page, base_url, "kankyo", "kankyo-demo")
        page.goto(f"{base_url}/staff/plans/{booked.day.isoformat()}/map")

    _check(browser, base_url, go)


def test_resident_report_form(browser: Browser, base_url: str) -> None:
    def go(page: Page) -> None:
        page.goto(f"{base_url}/r/road")
        page.locator("label.r-choice").first.click()
        page.click("#r-next")
        page.wait_for_selector("#r-map", state="visible")

    _check(browser, base_url, go, viewport={"width": 390, "height": 844})


def test_line_simulator_location_picker(browser: Browser, dev_url: str) -> None:
    def go(page: Page) -> None:
        page.goto(f"{dev_url}/dev/line")
        page.click("#sim-location-open")
        page.wait_for_selector("#sim-map", state="visible")

    _check(browser, dev_url, go, viewport={"width": 1280, "height": 900})


def test_street_and_district_names_are_drawn_from_the_same_tiles(
    browser: Browser, base_url: str
) -> None:
    """At street level the map names streets and 町丁目, from the tiles it already fetched."""
    page, traffic = _offline_page(browser, base_url, viewport={"width": 1400, "height": 850})
    try:
        sign_in(page, base_url, "doro", "doro-demo")
        page.goto(f"{base_url}/staff/map")
        page.wait_for_function(DRAWN, timeout=20_000)
        page.evaluate(STREET_LEVEL, page.locator(".triage").get_attribute("data-map"))
        page.wait_for_function(LABELLED, timeout=20_000)
        page.screenshot(path=str(LABEL_SCREENSHOT))
        labels = page.evaluate("window.machiBasemapStats.labels")
        assert labels["errors"] == 0 and labels["tiles"] > 0, labels
        assert page.locator(".leaflet-machiLabels-pane canvas.machi-labels").count() > 0
        assert len(traffic.tiles) == len(set(traffic.tiles))  # no tile was fetched twice
        assert traffic.left == [], traffic.left
    finally:
        page.context.close()


def test_the_staff_map_asks_only_for_tiles_over_the_town(
    browser: Browser, base_url: str, engine: Engine
) -> None:
    """Tiles beyond the town hold nothing of ours: the map does not ask for them."""
    with engine.connect() as conn:
        west, south, east, north = conn.execute(
            text(
                "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                "(SELECT ST_Extent(m.boundary) AS e FROM municipality m JOIN staff_user u"
                " ON u.municipality_id = m.id WHERE u.username = 'doro') s"
            )
        ).one()
    pad_x, pad_y = (east - west) * 0.03, (north - south) * 0.03  # BOUNDS_PAD, and a little
    asked: list[Tile] = []

    def tile_of(request: Request) -> None:
        match = re.search(r"/tiles/base/(\d+)/(\d+)/(\d+)\.pbf", request.url)
        if match:
            asked.append(Tile(*(int(g) for g in match.groups())))

    page, traffic = _offline_page(browser, base_url)
    try:
        page.on("request", tile_of)
        sign_in(page, base_url, "doro", "doro-demo")
        page.goto(f"{base_url}/staff/map")
        _assert_drawn_offline(page, traffic)
        assert asked and len(asked) == len(set(asked))
        for tile in asked:
            w, s, e, n = tile_bounds_lonlat(tile)
            assert w < east + pad_x and e > west - pad_x, tile
            assert s < north + pad_y and n > south - pad_y, tile
    finally:
        page.context.close()
