"""The web booking ``/r/bulky`` in real Chromium on a phone-sized screen (390×844).

A resident without LINE books from the map pin (the browser's geolocation) to the receipt,
then opens the booking again with its receipt number and PIN. Refusals (a day filled while
the form was open, an address line emptied) come back next to their field with no row
written. The bookings go on Sundays made for this module, which no zone collects on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine, text

from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky import ExtraDay, row_counts
from tests.support.line_booking import booked_on, own_day, sunday_ahead
from tests.support.resident_booking import web_booking
from tests.support.resident_web import web_rows_removed_afterwards

pytestmark = pytest.mark.e2e
PhoneAt = Callable[[ExtraDay], Page]
STEPS = 6


@dataclass(frozen=True)
class Days:
    first: ExtraDay
    second: ExtraDay


@pytest.fixture(scope="module")
def days(engine: Engine, base_url: str) -> Iterator[Days]:
    with (
        web_rows_removed_afterwards(engine),
        own_day(engine, sunday_ahead(7)) as first,
        own_day(engine, sunday_ahead(14)) as second,
    ):
        yield Days(first, second)


@pytest.fixture()
def phone_at(browser: Browser) -> Iterator[PhoneAt]:
    """A phone-sized page whose geolocation stands on the given day's zone."""
    contexts = []

    def open_at(day: ExtraDay) -> Page:
        context = browser.new_context(
            viewport={"width": 390, "height": 844},
            locale="ja-JP",
            geolocation={"longitude": day.lon, "latitude": day.lat},
            permissions=["geolocation"],
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: pytest.fail(f"page error: {error}"))
        return page

    yield open_at
    for context in contexts:
        context.close()


def _next(page: Page) -> None:
    page.click("#r-next")


def _at_step(page: Page, number: int) -> bool:
    return page.inner_text("#r-progress") == f"{number} / {STEPS}"


def _fill_to_confirm(page: Page, base_url: str, day: ExtraDay) -> None:
    page.goto(f"{base_url}/r/")
    page.click("a.r-flow-bulky")
    page.wait_for_selector("#r-progress:not([hidden])")
    assert _at_step(page, 1) and page.is_visible("#r-map")
    page.click("#r-locate")
    page.wait_for_function("document.getElementById('r-place').textContent.includes('収集地域：')")
    _next(page)
    _next(page)  # nothing typed yet: the page says so and stays
    assert page.is_visible("#err-address_line") and _at_step(page, 2)
    page.fill("#address_line", "２－５－８　ひまわり荘２０３")
    page.locator("label.r-choice", has_text="集合住宅のごみ置場").click()
    _next(page)
    page.fill("#b-query", "そふぁ")  # hiragana finds ソファー
    page.click("#b-search")
    page.locator(".b-hit .b-add").first.click()
    page.locator(".b-line .b-qty").first.select_option("2")
    assert "手数料の合計" in page.inner_text("#b-total")
    cart = page.inner_text("#b-cart")
    assert re.search(r"\d+円", cart) and "{" not in cart  # fees filled in, per item
    _next(page)
    page.check(f"input[name=service_date][value='{day.day.isoformat()}']")
    _next(page)
    page.fill("#name", "高松 ゆう")
    page.fill("#phone", "０８０－３３３３－４４４４")
    _next(page)
    assert _at_step(page, STEPS)


def test_a_web_booking_from_the_pin_to_the_receipt_then_opened_with_the_pin(
    phone_at: PhoneAt, base_url: str, engine: Engine, days: Days, tmp_path: Path
) -> None:
    page = phone_at(days.first)
    before = booked_on(engine, days.first.zone_id, days.first.day)
    _fill_to_confirm(page, base_url, days.first)
    summary = page.inner_text("#r-summary")
    assert "ひまわり荘" in summary and "集合住宅のごみ置場" in summary and "×2" in summary
    page.screenshot(path=str(tmp_path / "booking_confirm.png"), full_page=True)
    page.click("#r-send")
    page.wait_for_url(f"{base_url}/r/bulky/done")
    receipt_no, pin = page.inner_text("#r-receipt-no"), page.inner_text("#r-pin")
    page.screenshot(path=str(tmp_path / "booking_done.png"), full_page=True)

    stored = web_booking(engine, receipt_no)
    assert (stored.channel, stored.status, stored.service_date) == ("web", "booked", days.first.day)
    assert booked_on(engine, days.first.zone_id, days.first.day) == before + 1
    page.goto(f"{base_url}/r/bulky/open")
    page.fill("#receipt_no", receipt_no)
    page.fill("#pin", pin)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/r/bulky/booking")
    shown = page.inner_text("#r-booking")
    assert receipt_no in shown and "2-5-8 ひまわり荘203" in shown
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll


def test_a_day_filled_while_the_form_was_open_comes_back_next_to_the_day(
    phone_at: PhoneAt, base_url: str, engine: Engine, days: Days
) -> None:
    page = phone_at(days.second)
    _fill_to_confirm(page, base_url, days.second)
    params = {"m": MUNICIPALITY_ID, "z": days.second.zone_id, "d": days.second.day}
    day_row = "WHERE municipality_id = :m AND zone_id = :z AND service_date = :d"
    with engine.begin() as conn:  # another booking takes the last slot meanwhile
        kept = conn.execute(text(f"SELECT capacity FROM collection_day {day_row}"), params)
        capacity = int(kept.scalar_one())
        conn.execute(text(f"UPDATE collection_day SET capacity = booked {day_row}"), params)
    try:
        before = row_counts(engine)
        page.click("#r-send")
        page.wait_for_selector("#err-service_date:not([hidden])")
        assert row_counts(engine) == before
    finally:
        with engine.begin() as conn:
            conn.execute(
                text(f"UPDATE collection_day SET capacity = :c {day_row}"),
                {**params, "c": capacity},
            )
    assert "満枠" in page.inner_text("#err-service_date") and _at_step(page, 4)
    assert page.input_value("#address_line").startswith("２－５－８")  # the rest is kept
    assert page.locator(".b-line").count() == 1


def test_an_emptied_address_line_is_refused_next_to_it(
    phone_at: PhoneAt, base_url: str, engine: Engine, days: Days
) -> None:
    page = phone_at(days.second)
    _fill_to_confirm(page, base_url, days.second)
    page.evaluate("document.getElementById('address_line').value = ''")
    before = row_counts(engine)
    page.click("#r-send")

    assert page.is_visible("#err-address_line") and _at_step(page, 2)
    assert "番地" in page.inner_text("#err-address_line")
    assert row_counts(engine) == before
