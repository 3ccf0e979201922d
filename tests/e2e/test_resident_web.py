"""The web fallback ``/r/`` in real Chromium on a phone-sized screen, as a resident uses it.

The place comes from the 「現在地を使う」 button (the browser's geolocation, set per test).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine, text

from tests.support.line_events import jpeg_with_gps
from tests.support.resident_web import (
    SHINJUKU,
    TACHIKAWA_PHONE,
    count_reports,
    disaster_mode,
    district_at,
    place,
    web_rows_removed_afterwards,
)
from workflow.texts.resident import web as t

pytestmark = pytest.mark.e2e
XSS = '<img src=x onerror="window.__xss=1">'
PhoneAt = Callable[[tuple[float, float]], Page]


@pytest.fixture(scope="module", autouse=True)
def _rows_removed(engine: Engine) -> Iterator[None]:
    with web_rows_removed_afterwards(engine):
        yield


@pytest.fixture()
def phone_at(browser: Browser) -> Iterator[PhoneAt]:
    """A phone-sized page whose geolocation says it stands at (lon, lat)."""
    contexts = []

    def open_at(point: tuple[float, float]) -> Page:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="ja-JP",
            geolocation={"longitude": point[0], "latitude": point[1]},
            permissions=["geolocation"],
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: pytest.fail(f"page error: {error}"))
        return page

    yield open_at
    for context in contexts:
        context.close()


def _photo_file(tmp_path: Path, name: str, data: bytes | None = None) -> str:
    path = tmp_path / name
    path.write_bytes(data if data is not None else jpeg_with_gps((800, 600)))
    return str(path)


def _next(page: Page) -> None:
    page.click("#r-next")


def _at_step(page: Page, number: int) -> bool:
    return page.inner_text("#r-progress") == f"{number} / 5"


def _choose_category(page: Page, name: str) -> None:
    page.locator("label.r-choice", has_text=name).click()
    _next(page)


def _locate(page: Page) -> None:
    page.click("#r-locate")
    page.wait_for_function(
        "document.getElementById('r-place').textContent.includes('地点')"
        " || !document.getElementById('err-location').hidden"
    )


def _report(engine: Engine, receipt_no: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT r.id, r.channel, r.urgent, r.description, c.code AS category, "
                "d.name AS district, (SELECT count(*) FROM photo p WHERE p.report_id = r.id "
                "AND p.status = 'stored') AS photos FROM report r JOIN category c ON "
                "c.municipality_id = r.municipality_id AND c.id = r.category_id LEFT JOIN "
                "district d ON d.municipality_id = r.municipality_id AND d.id = r.district_id "
                "WHERE r.receipt_no = :no"
            ),
            {"no": receipt_no},
        ).one()


def test_road_report_from_a_phone_then_its_status(
    phone_at: PhoneAt, base_url: str, engine: Engine, tmp_path: Path
) -> None:
    page = phone_at(place(10))
    page.goto(f"{base_url}/r/")
    page.click("a.r-flow-road")
    _next(page)  # nothing chosen yet: the page says so and stays
    assert page.is_visible("#err-category") and _at_step(page, 1)
    _choose_category(page, "街路灯の故障")
    assert _at_step(page, 2) and page.is_visible("#r-map")
    _locate(page)
    district = district_at(engine, *place(10))
    assert district and district in page.inner_text("#r-place")
    _next(page)
    page.set_input_files("#r-photos", _photo_file(tmp_path, "light.jpg"))
    assert page.locator("#r-previews img").count() == 1
    _next(page)
    page.fill("#r-description", f"夜になっても点灯しません {XSS}")
    _next(page)
    summary = page.inner_text("#r-summary")
    assert "街路灯の故障" in summary and district in summary and "1枚" in summary
    assert XSS in summary  # shown as text, not run
    page.click("#r-send")
    page.wait_for_url(f"{base_url}/r/done")
    receipt_no, pin = page.inner_text("#r-receipt-no"), page.inner_text("#r-pin")
    page.screenshot(path=str(tmp_path / "done.png"), full_page=True)

    report = _report(engine, receipt_no)
    assert (report.channel, report.category, report.district) == ("web", "road_light", district)
    assert report.photos == 1 and report.description.endswith(XSS)
    page.goto(f"{base_url}/r/status")
    page.fill("#receipt_no", receipt_no)
    page.fill("#pin", pin)
    page.click("button[type=submit]")
    assert page.inner_text("#r-status-label") == "受付"
    assert page.evaluate("window.__xss") is None


def test_outside_the_town_is_refused_next_to_the_map(phone_at: PhoneAt, base_url: str) -> None:
    page = phone_at(SHINJUKU)
    page.goto(f"{base_url}/r/road")
    _choose_category(page, "道路の穴・陥没")
    _locate(page)

    message = page.inner_text("#err-location")
    _next(page)

    assert "区域外" in message and TACHIKAWA_PHONE in message
    assert _at_step(page, 2)  # cannot go on from a place outside the town


def test_a_file_that_is_no_photo_comes_back_next_to_the_photo_field(
    phone_at: PhoneAt, base_url: str, engine: Engine, tmp_path: Path
) -> None:
    page = phone_at(place(11))
    page.goto(f"{base_url}/r/road")
    _choose_category(page, "側溝・マンホールのふた")
    _locate(page)
    _next(page)
    fake = _photo_file(tmp_path, "scan.jpg", b"%PDF-1.4\n% a document, not a photo\n")
    page.set_input_files("#r-photos", fake)  # a .jpg name: only the server can tell
    _next(page)
    _next(page)
    before = count_reports(engine)
    page.click("#r-send")
    page.wait_for_selector("#err-photos:not([hidden])")

    assert "写真として読み取れませんでした" in page.inner_text("#err-photos")
    assert _at_step(page, 3)  # the form opens at the step with the problem
    assert page.is_hidden("#r-photos-clear")  # nothing chosen any more: nothing to clear
    assert page.is_checked("input[name=category][value=road_gutter]")
    assert page.inner_text("#err-form") == t.FORM_HAS_ERRORS
    assert count_reports(engine) == before


def test_disaster_report_asks_whether_lives_are_at_risk(
    phone_at: PhoneAt, base_url: str, engine: Engine
) -> None:
    page = phone_at(place(12))
    with disaster_mode(engine, True):
        page.goto(f"{base_url}/r/")
        page.click("a.r-flow-disaster")
        page.locator("label.r-choice", has_text="冠水").click()
        _next(page)
        assert page.is_visible("#err-urgent") and _at_step(page, 1)
        page.locator("label.r-choice", has_text="はい").click()
        assert "119番" in page.inner_text("#r-urgent-advice")
        _next(page)
        _locate(page)
        _next(page)
        _next(page)
        _next(page)
        assert "関わる" in page.inner_text("#r-summary")
        page.click("#r-send")
        page.wait_for_url(f"{base_url}/r/done")
        receipt_no = page.inner_text("#r-receipt-no")

    report = _report(engine, receipt_no)
    assert receipt_no.startswith("D-") and report.category == "dis_flood" and report.urgent


def test_wrong_pin_gets_a_polite_refusal(phone_at: PhoneAt, base_url: str) -> None:
    page = phone_at(place(13))
    page.goto(f"{base_url}/r/status")
    page.fill("#receipt_no", "R-2026-999999")
    page.fill("#pin", "123456")
    page.click("button[type=submit]")

    assert "正しくありません" in page.inner_text("#err-pin")
    assert page.input_value("#receipt_no") == "R-2026-999999"


def test_a_form_whose_token_was_tampered_with_is_refused(
    phone_at: PhoneAt, base_url: str, engine: Engine
) -> None:
    page = phone_at(place(14))
    page.goto(f"{base_url}/r/road")
    _choose_category(page, "道路の穴・陥没")
    _locate(page)
    for _ in range(3):
        _next(page)
    page.evaluate("document.querySelector('input[name=csrf_token]').value = 'forged'")
    before = count_reports(engine)
    page.click("#r-send")
    page.wait_for_selector("#err-form")

    assert page.inner_text("#err-form") == t.FORM_EXPIRED
    assert count_reports(engine) == before
    fresh = page.get_attribute("input[name=csrf_token]", "value")
    assert fresh and fresh != "forged" and re.fullmatch(r"[\w.-]+", fresh)
