"""E2E harness: the real app in uvicorn, the fake LINE API, and Debian's headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import Engine

from api.app import create_app
from machi.settings import Settings
from tests.fakes.line_server import FakeLineServer
from tests.support.desk import ReportFactory
from tests.support.live_server import live_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def fake_line() -> Iterator[FakeLineServer]:
    with FakeLineServer() as server:
        yield server


@pytest.fixture(scope="module")
def e2e_settings(
    test_settings: Settings, fake_line: FakeLineServer, tmp_path_factory: pytest.TempPathFactory
) -> Settings:
    media: Path = tmp_path_factory.mktemp("media")
    return test_settings.model_copy(
        update={
            "line_api_base": fake_line.base_url,
            "line_channel_access_token": fake_line.token,
            "media_dir": media,
        }
    )


@pytest.fixture(scope="module")
def base_url(e2e_settings: Settings) -> Iterator[str]:
    with live_server(create_app(e2e_settings)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make test does)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 850}, locale="ja-JP")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture()
def reports(engine: Engine) -> Iterator[ReportFactory]:
    factory = ReportFactory(engine)
    yield factory
    factory.cleanup()


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the real form."""
    page.goto(f"{base_url}/staff/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/staff/")
