"""The trends page in real Chromium: tables, bar charts, the district choropleth, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import sign_in
from tests.support.desk import ReportFactory

pytestmark = pytest.mark.e2e


def test_trends_page_draws_every_district_and_says_they_are_approximate(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    made = reports("road_pothole", description="傾向の確認用")
    sign_in(page, base_url, "doro", "doro-demo")
    page.goto(f"{base_url}/staff/trends")
    page.wait_for_selector(".trend-map .leaflet-overlay-pane path")
    assert page.locator(".trend-map .leaflet-overlay-pane path").count() == 79
    legend = page.locator(".choropleth-legend").inner_text()
    assert "近似" in legend and "ボロノイ" in legend
    table = page.locator("#category-status")
    assert table.is_visible() and "道路の穴・陥没" in table.inner_text()
    assert "不法投棄" not in table.inner_text()  # 環境課's category: not doro's to see
    assert int(page.inner_text("#trend-total").replace(",", "")) >= 1
    assert page.locator("#by-hour rect").count() == 24
    assert page.locator("#by-weekday tr").count() == 7
    page.locator(".trend-map .leaflet-overlay-pane path").nth(40).hover()
    tip = page.locator(".leaflet-tooltip").inner_text()
    assert "町丁目" in tip and "件数" in tip
    assert made.receipt_no not in page.content()  # counts only, no report details
    assert all("cyberjapandata.gsi.go.jp" in url for url in outside), outside


def test_admin_picks_a_department(page: Page, base_url: str) -> None:
    sign_in(page, base_url, "admin", "admin-demo")
    page.goto(f"{base_url}/staff/trends")
    assert page.inner_text(".trend-scope").startswith("全課")
    page.select_option("select[name=department]", "kankyo")
    page.click(".trend-form button[type=submit]")
    page.wait_for_url("**department=kankyo**")
    assert page.inner_text(".trend-scope").startswith("環境課")
    assert "粗大ごみ収集" in page.inner_text("#category-status")
    assert "道路の穴・陥没" not in page.inner_text("#category-status")
