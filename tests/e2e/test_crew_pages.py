"""Crew and plan pages in real headless Chromium: the phone layout and the staff route map."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Route, sync_playwright
from sqlalchemy import Engine

from api.app import create_app
from api.crew.pages import crew_today
from machi.settings import Settings
from tests.conftest import MUNICIPALITY_ID
from tests.support.bulky_day import BookedDay, pickup_stops, plan_day, release_day
from tests.support.live_server import live_server
from workflow.crew.links import stop_token

pytestmark = pytest.mark.e2e

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
OUTSIDE = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")


@pytest.fixture(scope="module")
def booked(engine: Engine) -> Iterator[BookedDay]:
    planned = plan_day(engine, offset_days=75, count=4, seed=59)
    yield planned
    release_day(engine, planned.day)


@pytest.fixture(scope="module")
def server(test_settings: Settings, booked: BookedDay) -> Iterator[str]:
    app = create_app(test_settings)
    app.dependency_overrides[crew_today] = lambda: booked.day  # the crews' day is the plan day
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _offline(route: Route) -> None:
    route.abort()  # map tiles: the test machine has no internet


def _context(browser: Browser, **options: object) -> BrowserContext:
    context = browser.new_context(locale="ja-JP", **options)  # type: ignore[arg-type]
    context.route(OUTSIDE, _offline)
    return context


def test_route_map_draws_every_stop_without_script_errors(
    browser: Browser, server: str, booked: BookedDay, engine: Engine
) -> None:
    context = _context(browser, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/staff/login")
    page.fill("input[name=username]", "kankyo")
    page.fill("input[name=password]", "kankyo-demo")
    page.click("button[type=submit]")
    page.goto(f"{server}/staff/plans/{booked.day}/map")
    page.wait_for_selector(".stop-pin")
    assert page.locator(".stop-pin").count() == len(pickup_stops(engine, booked.plan_id))
    assert page.locator(".depot-pin").count() == 1 and errors == []
    context.close()


def test_crew_buttons_fit_a_phone_screen_and_record(
    browser: Browser, server: str, booked: BookedDay, engine: Engine, test_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[0]
    token = stop_token(test_settings.secret_key, MUNICIPALITY_ID, stop_id)
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server}/crew/s/{token}")
    for outcome in ("collected", "not_out"):
        box = page.locator(f"button[value={outcome}]").bounding_box()
        assert box is not None and box["height"] >= 48
        assert box["y"] + box["height"] <= PHONE["height"]  # no scrolling to the main buttons
    page.locator("button[value=collected]").tap()
    page.wait_for_url(re.compile(r"\?r=new$"))
    assert "記録しました" in page.locator("main").inner_text()
    context.close()


def test_other_without_a_note_asks_for_one_on_the_phone_before_sending(
    browser: Browser, server: str, booked: BookedDay, engine: Engine, test_settings: Settings
) -> None:
    stop_id = pickup_stops(engine, booked.plan_id)[1]
    token = stop_token(test_settings.secret_key, MUNICIPALITY_ID, stop_id)
    context = _context(browser, viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{server}/crew/s/{token}")
    assert page.locator("#note-needed").is_hidden()
    page.locator("button[value=other]").tap()
    assert page.locator("#note-needed").is_visible() and posts == []
    assert page.evaluate("document.activeElement.id") == "note"
    page.fill("#note", "品目が申込と違う")
    page.locator("button[value=other]").tap()
    page.wait_for_url(re.compile(r"\?r=new$"))
    assert "その他" in page.locator("main").inner_text() and len(posts) == 1
    context.close()
