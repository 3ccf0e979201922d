"""The triage map in real Chromium: scope, filters, one-click status change, LINE notice, XSS."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Dialog, Page, Route
from sqlalchemy import Engine, text

from machi.settings import Settings
from tests.e2e.conftest import sign_in
from tests.fakes.line_server import FakeLineServer
from tests.support.desk import PLACE, ReportFactory
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration

pytestmark = pytest.mark.e2e

ORANGE, RED = "#ff9f0e", "#d62728"
XSS = '<script>window.__xss=1;alert(1)</script>"><img src=x onerror="window.__xss=2;alert(2)">'


def _open_map(page: Page, base_url: str, query: str = "") -> None:
    page.goto(f"{base_url}/staff/map{query}")
    page.wait_for_selector(".triage[data-loaded]", state="attached", timeout=15_000)


def _open_as_grid(page: Page, base_url: str) -> None:
    """Sign doro in and open the map with every reports answer asked for as grid counts."""

    def as_grid(route: Route) -> None:  # the answer a town with many reports gets
        route.continue_(url=route.request.url + "&mode=grid")

    sign_in(page, base_url, "doro", "doro-demo")
    page.route("**/api/v1/reports?*", as_grid)
    _open_map(page, base_url)


def _reload_done(page: Page, before: str | None) -> None:
    page.wait_for_function(
        "b => document.querySelector('.triage').getAttribute('data-loaded') !== b", arg=before
    )


def _show_marker(page: Page, report_id: int) -> None:
    """Zoom until the report's pin is out of its cluster, then click it."""
    assert page.evaluate("id => window.machiTriage.reveal(id)", report_id)
    page.locator(f"path.report-{report_id}").click()
    page.wait_for_selector(".report-panel")


def _fill(page: Page, report_id: int) -> str | None:
    return page.locator(f"path.report-{report_id}").get_attribute("fill")


def test_doro_changes_a_report_to_in_progress_and_the_resident_is_told_once(
    page: Page,
    base_url: str,
    engine: Engine,
    fake_line: FakeLineServer,
    e2e_settings: Settings,
    reports: ReportFactory,
) -> None:
    road = reports("road_pothole", description="マンホールのふたがずれています。")
    dumping = reports("dumping", description="粗大ごみが放置されています。")
    sign_in(page, base_url, "doro", "doro-demo")
    _open_map(page, base_url)
    loaded = page.evaluate("window.machiTriage.ids()")
    assert road.id in loaded and dumping.id not in loaded
    assert set(page.evaluate("window.machiTriage.kinds()")) == {"road"}

    before = page.locator(".triage").get_attribute("data-loaded")
    page.check("input[name=status][value=received]")
    _reload_done(page, before)
    assert set(page.evaluate("window.machiTriage.statuses()")) == {"received"}

    _show_marker(page, road.id)
    assert _fill(page, road.id) == RED
    panel = page.locator("#triage-panel")
    assert road.receipt_no in panel.inner_text()
    panel.locator("textarea.status-note").fill("本日中に補修します")
    panel.locator("button[data-status=in_progress]").click()
    # refreshClusters may take the pin off the map for a moment: missing is "not yet"
    page.wait_for_function(
        "([id, c]) => document.querySelector('path.report-' + id)?.getAttribute('fill') === c",
        arg=[road.id, ORANGE],
    )
    page.wait_for_selector("#triage-panel .status-badge >> text=作業中")

    configuration = make_configuration(fake_line.token, e2e_settings.line_api_base)
    while dispatch_due(engine, LineSender(configuration), lambda: dt.datetime.now(tz=dt.UTC)):
        pass
    pushes = fake_line.pushes(to=road.line_user_id)
    assert len(pushes) == 1
    texts = str(pushes[0].json["messages"])
    assert road.receipt_no in texts and "本日中に補修します" in texts


def _watch_dialogs(page: Page) -> list[str]:
    """Every alert/confirm the page opens (there must be none), dismissed at once."""
    opened: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        opened.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return opened


def test_a_hostile_description_shows_as_text_everywhere(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    evil = reports("road_crack", description=XSS)
    dialogs = _watch_dialogs(page)
    sign_in(page, base_url, "doro", "doro-demo")
    _open_map(page, base_url)
    _show_marker(page, evil.id)
    page.locator(f"path.report-{evil.id}").hover()
    assert evil.receipt_no in page.locator(".marker-tip").inner_text()
    description = page.locator("#triage-panel .description")
    assert description.inner_text() == XSS
    assert page.locator("#triage-panel img[src=x]").count() == 0
    page.goto(f"{base_url}/staff/reports/{evil.id}")
    assert page.locator(".report-page .description").inner_text() == XSS
    page.goto(f"{base_url}/staff/reports?category=road_crack")
    row = page.locator("table.reports tr", has_text=evil.receipt_no)
    assert row.locator(".description-cell").inner_text() == XSS[:59] + "…"
    assert row.locator(".description-cell").get_attribute("title") == XSS
    assert page.locator("table.reports img[src=x]").count() == 0
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []


def test_the_opening_view_is_asked_for_before_the_map_is_made_and_only_once(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    road = reports("road_pothole", description="開く前に頼む確認")
    sign_in(page, base_url, "doro", "doro-demo")
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url.removeprefix(base_url)))

    def views() -> list[dict[str, list[str]]]:
        return [parse_qs(urlsplit(u).query) for u in asked if u.startswith("/api/v1/reports?")]

    _open_map(page, base_url, "?status=received")
    first = next(i for i, u in enumerate(asked) if u.startswith("/api/v1/reports?"))
    tiles = next(i for i, u in enumerate(asked) if u.startswith("/tiles/"))
    assert first < tiles  # asked before the map was made (which asks for its tiles at once)
    assert len(views()) == 1 and views()[0]["status"] == ["received"]
    west, south, east, north = (float(v) for v in views()[0]["bbox"][0].split(","))
    assert west < PLACE[0] < east and south < PLACE[1] < north  # the town's box
    assert road.id in page.evaluate("window.machiTriage.ids()")

    # filters in another order than the form's: that answer is not used, the view asked again
    asked.clear()
    _open_map(page, base_url, "?urgent=true&status=received")
    assert len(views()) == 2 and all(v["urgent"] == ["true"] for v in views())
    assert road.id not in page.evaluate("window.machiTriage.ids()")  # not urgent
    assert "表示中 0 件" in page.locator("#triage-count").inner_text()


def test_an_overdue_report_gets_the_black_ring(
    page: Page, base_url: str, engine: Engine, reports: ReportFactory
) -> None:
    late = reports("road_pothole", description="3日以上前からの穴")  # target 72 hours
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE report SET created_at = now() - interval '80 hours' WHERE id = :id"),
            {"id": late.id},
        )
    sign_in(page, base_url, "doro", "doro-demo")
    _open_map(page, base_url, "?overdue=true")
    assert late.id in page.evaluate("window.machiTriage.ids()")
    _show_marker(page, late.id)
    marker = page.locator(f"path.report-{late.id}")
    assert marker.get_attribute("stroke") == "#000"
    assert marker.get_attribute("stroke-width") == "3"
    assert "期限超過" in page.locator("#triage-panel .panel-head").inner_text()


def test_the_map_works_without_internet(page: Page, base_url: str) -> None:
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None,
    )
    sign_in(page, base_url, "doro", "doro-demo")
    _open_map(page, base_url)
    assert page.evaluate("typeof L.markerClusterGroup") == "function"
    assert page.locator(".triage-legend").inner_text().count("受付") == 1
    # Only map tiles may come from outside; scripts and styles are ours.
    assert all("cyberjapandata.gsi.go.jp" in url for url in outside), outside


@pytest.mark.parametrize("size", [(1400, 900), (1280, 720)])
def test_the_map_fills_the_window_with_its_attribution_in_view(
    page: Page, base_url: str, size: tuple[int, int]
) -> None:
    """No scrolling on the map page: the header's real height, not a guess, is left out."""
    page.set_viewport_size({"width": size[0], "height": size[1]})
    sign_in(page, base_url, "doro", "doro-demo")
    _open_map(page, base_url)
    page_height, window, map_bottom, credit_bottom = page.evaluate(
        """() => [document.documentElement.scrollHeight, innerHeight,
          document.querySelector('.leaflet-container').getBoundingClientRect().bottom,
          document.querySelector('.leaflet-control-attribution').getBoundingClientRect().bottom]"""
    )
    assert page_height <= window
    assert window - 2 <= map_bottom <= window  # the map reaches the window's foot
    assert credit_bottom <= window
    assert "OpenStreetMap" in page.locator(".leaflet-control-attribution").inner_text()


def test_markercluster_is_loaded_only_when_the_map_first_draws_markers(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    """A town-wide view of grid counts needs no markercluster; the first markers load it once."""
    road = reports("road_pothole", description="グリッド表示の確認")
    scripts: list[str] = []
    page.on(
        "request", lambda r: scripts.append(r.url) if r.url.endswith("markercluster.js") else None
    )

    def as_grid(route: Route) -> None:  # the answer a town with many reports gets
        route.continue_(url=route.request.url + "&mode=grid")

    sign_in(page, base_url, "doro", "doro-demo")
    page.route("**/api/v1/reports?*", as_grid)
    _open_map(page, base_url)
    assert page.locator(".triage").get_attribute("data-mode") == "grid"
    assert page.locator(".grid-bubble").count() >= 1
    assert page.evaluate("typeof L.markerClusterGroup") == "undefined"
    assert scripts == []

    page.unroute("**/api/v1/reports?*", as_grid)
    before = page.locator(".triage").get_attribute("data-loaded")
    page.evaluate("window.machiTriage.load(false)")
    _reload_done(page, before)
    assert page.locator(".triage").get_attribute("data-mode") == "points"
    assert road.id in page.evaluate("window.machiTriage.ids()")
    assert page.evaluate("typeof L.markerClusterGroup") == "function"
    _show_marker(page, road.id)  # drawn inside a markercluster group
    assert [u.removeprefix(base_url) for u in scripts] == [
        "/static/vendor/leaflet.markercluster/leaflet.markercluster.js"
    ]


CELL_OF_PLACE = """async ([lon, lat]) => {
  const map = window[document.querySelector('.triage').getAttribute('data-map')];
  const b = map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(v => v.toFixed(5));
  const answer = await (await fetch('/api/v1/reports?mode=grid&bbox=' + bbox.join(','))).json();
  const cell = answer.features.map(f => f.properties.cell)
    .find(c => c[0] <= lon && lon < c[2] && c[1] <= lat && lat < c[3]);
  return cell;
}"""
BUBBLE_BOXES = """() => [...document.querySelectorAll('.grid-bubble')].map(e => {
  const r = e.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom, e.querySelector('title').textContent]; })"""


SET_ZOOM = "z => window[document.querySelector('.triage').getAttribute('data-map')].setZoom(z)"
MAP_ZOOM = "() => window[document.querySelector('.triage').getAttribute('data-map')].getZoom()"
INSIDE_MAP = """() => { const m = document.querySelector('.triage-map').getBoundingClientRect();
  return [...document.querySelectorAll('.grid-bubble')].every(e => {
    const r = e.getBoundingClientRect();
    return r.left >= m.left - 50 && r.right <= m.right + 50 && r.top >= m.top - 50
      && r.bottom <= m.bottom + 50; }); }"""


def test_a_grid_count_zooms_to_its_cell_by_click_or_by_enter(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    """The counts are one SVG, not markers: a click or Enter on one still opens its cell."""
    reports("road_pothole", description="グリッドの拡大の確認", place=PLACE)

    _open_as_grid(page, base_url)
    town = page.evaluate(MAP_ZOOM)
    bubble = page.locator(".grid-bubble").first
    assert bubble.get_attribute("role") == "button"
    assert (bubble.get_attribute("aria-label") or "").startswith("計 ")
    bubble.click()
    page.wait_for_function(f"({MAP_ZOOM})() > {town}")
    page.wait_for_function(INSIDE_MAP)  # drawn again where the zoomed map has them

    before = page.locator(".triage").get_attribute("data-loaded")
    page.evaluate(SET_ZOOM, town)
    _reload_done(page, before)
    page.locator(".grid-bubble").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_function(f"({MAP_ZOOM})() > {town}")


def test_grid_counts_never_cover_each_other(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    """Reports either side of a cell edge: two bubbles, side by side, each count readable."""
    reports("road_pothole", description="グリッドの境界の確認", place=PLACE)

    _open_as_grid(page, base_url)
    west, south, east, north = page.evaluate(CELL_OF_PLACE, list(PLACE))
    middle = (south + north) / 2
    nudge = (east - west) / 50
    for lon in (east - nudge, east - nudge, east + nudge, east + nudge):  # both sides of the edge
        reports("road_pothole", description="グリッドの境界の確認", place=(lon, middle))
    boxes: list[Any] = []  # [left, top, right, bottom, title] each
    deadline = time.monotonic() + 10
    while len(boxes) < 2 and time.monotonic() < deadline:  # until the server heard of them
        before = page.locator(".triage").get_attribute("data-loaded")
        page.evaluate("window.machiTriage.load(false)")
        _reload_done(page, before)
        boxes = page.evaluate(BUBBLE_BOXES)
    assert len(boxes) >= 2, boxes
    assert all(b[4].startswith("計 ") for b in boxes)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)
