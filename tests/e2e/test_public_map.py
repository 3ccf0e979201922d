"""The public map ``/map`` in Chromium: open reports, filters, history, no personal data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine, text

from tests.support.bulky import delete_bookings
from tests.support.open311 import open311_rows_removed_afterwards
from tests.support.open311_town import SeededTown, seed_people

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def town(engine: Engine) -> Iterator[SeededTown]:
    with engine.connect() as conn:
        item = conn.execute(text("SELECT min(id) FROM bulky_item WHERE accepted")).scalar_one()
    with open311_rows_removed_afterwards(engine):
        seeded = seed_people(engine, int(item))
        try:
            yield seeded
        finally:
            delete_bookings(engine, seeded.bookings)


def _data(base_url: str) -> list[dict[str, Any]]:
    reports = httpx.get(f"{base_url}/map/data.json").json()["reports"]
    assert isinstance(reports, list)
    return reports


def _shown(page: Page) -> int:
    return int(page.get_attribute("#pm-map", "data-shown") or "-1")


def test_the_map_draws_open_reports_and_filters_them(
    page: Page, base_url: str, town: SeededTown
) -> None:
    reports = _data(base_url)
    ids = {r["id"] for r in reports}
    assert set(town.published[1:]) <= ids and town.published[0] not in ids  # [0] is 完了
    assert not ids & set(town.hidden)
    page.goto(f"{base_url}/map")
    page.wait_for_selector("#pm-map[data-shown]")
    assert _shown(page) == len(reports)
    assert page.locator(".pm-marker").count() == len(reports)
    assert page.inner_text("#pm-count") == f"{len(reports)}件を表示中"

    page.select_option("#pm-category", "road_pothole")
    potholes = [r for r in reports if r["service_code"] == "road_pothole"]
    assert _shown(page) == len(potholes) == page.locator(".pm-marker").count()
    page.uncheck("input[name=status][value=received]")
    in_progress = [r for r in potholes if r["status"] == "in_progress"]
    assert town.published[1] in {r["id"] for r in in_progress}
    assert _shown(page) == len(in_progress) < len(potholes)
    page.check("input[name=status][value=received]")
    page.select_option("#pm-category", "")
    assert _shown(page) == len(reports)


def test_a_click_shows_the_public_history_and_no_personal_data(
    page: Page, base_url: str, town: SeededTown
) -> None:
    page.goto(f"{base_url}/map")
    page.wait_for_selector("#pm-map[data-shown]")
    page.locator(".pm-marker").first.click(force=True)
    detail = page.locator("#pm-detail")
    detail.locator("h2").wait_for()
    assert "受付番号" in detail.inner_text()
    assert "受付" in detail.locator("ol li").first.inner_text()
    html = page.content()
    leaks = [secret for secret in town.secrets if secret in html]
    assert leaks == []
    assert "leaflet" in html and "/static/vendor/leaflet/leaflet.js" in html
