"""The phone-entry page (電話受付) in real Chromium: search, cart, free days, booking, receipt."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine

from tests.e2e.conftest import sign_in
from tests.support.bulky import delete_bookings, zone_place

pytestmark = pytest.mark.e2e
XSS = '<img src=x onerror="window.__xss=1">'


def _search(page: Page, query: str) -> None:
    page.fill("#item-query", query)
    page.click("#item-search")
    page.wait_for_selector("#item-results li")


def test_clerk_books_a_sofa_for_a_caller(page: Page, base_url: str, engine: Engine) -> None:
    sign_in(page, base_url, "kankyo", "kankyo-demo")
    page.goto(f"{base_url}/staff/phone-booking")
    assert page.locator("#pb-map").is_visible()  # Leaflet is vendored
    _search(page, "ﾃﾚﾋﾞ")
    assert "家電リサイクル法" in page.locator("#item-results li.refused").first.inner_text()
    _search(page, "そふぁ")
    page.locator("#item-results li button").first.click()
    page.locator("#cart input").fill("2")
    page.locator("#cart input").dispatch_event("change")
    assert page.inner_text("#cart-total") == "600円"
    lon, lat, _zone, _days = zone_place(engine, "C")
    page.fill("#lon", f"{lon:.6f}")
    page.fill("#lat", f"{lat:.6f}")
    page.click("#load-days")
    page.wait_for_selector("#service-date option[value]", state="attached")
    assert "中部地区" in page.inner_text("#zone-name")
    page.fill("#address-line", "１－２－３　コーポ立川　１０１")
    page.fill("#name", XSS)
    page.fill("#phone", "042-523-0000")
    page.select_option("#put-out", "other")  # その他 without saying where: refused in place
    page.click("#phone-booking button[type=submit]")
    page.wait_for_selector("#pb-error:not([hidden])", state="visible")
    assert "具体的に入力してください" in page.inner_text("#pb-error")
    assert page.get_attribute("#put-out-note", "aria-invalid") == "true"
    page.select_option("#put-out", "roadside")
    page.fill("#put-out-note", "門の右側")
    page.click("#phone-booking button[type=submit]")
    page.wait_for_selector("#pb-receipt, #pb-error:not([hidden])", state="visible")
    assert page.locator("#pb-error").is_hidden(), page.inner_text("#pb-error")
    receipt = page.inner_text("#r-no")
    try:
        assert receipt.startswith("B-")
        assert page.inner_text("#r-fee") == "600円"
        assert page.inner_text("#r-address-line") == "1-2-3 コーポ立川 101"
        assert page.inner_text("#r-put-out-place") == "敷地内の道路沿い(門の右側)"
        assert "8時30分" in page.inner_text("#r-put-out")
        assert page.evaluate("window.__xss") is None
    finally:
        delete_bookings(engine, [receipt])
