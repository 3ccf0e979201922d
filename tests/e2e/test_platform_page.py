"""The platform operator's page in real Chromium: sign in, read the towns' health, sign out."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from sqlalchemy import Engine

from tests.conftest import MUNICIPALITY_ID
from tests.support.platform import LineTraffic, Operator, extra_town, operator_account
from workflow.clock import now_tokyo

pytestmark = pytest.mark.e2e
SCREENSHOT = "/tmp/machi_platform_towns.png"


@pytest.fixture()
def operator(engine: Engine) -> Iterator[Operator]:
    with operator_account(engine) as op:
        yield op


@pytest.fixture()
def stale_event(engine: Engine) -> Iterator[None]:
    """One LINE event of the demo town waiting for 15 minutes: the workers are behind."""
    traffic = LineTraffic(engine)
    user = "Uplatform" + secrets.token_hex(8)
    traffic.event(MUNICIPALITY_ID, user, "x", now_tokyo() - dt.timedelta(minutes=15), False)
    yield
    traffic.remove()


@pytest.fixture()
def closed_town(engine: Engine) -> Iterator[int]:
    """A second town, disabled: listed, greyed out."""
    with extra_town(engine, 99002, "停止中テスト町", active=False) as town:
        yield town


def test_operator_signs_in_and_reads_the_towns_table(
    page: Page, base_url: str, operator: Operator, stale_event: None, closed_town: int
) -> None:
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base_url) else None)
    page.goto(f"{base_url}/platform/")
    page.wait_for_url(f"{base_url}/platform/login")
    page.fill("input[name=username]", operator.username)
    page.fill("input[name=password]", operator.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/platform/")
    row = page.locator("#towns tbody tr[data-code='13202']")
    assert "立川市" in row.inner_text() and "有効" in row.inner_text()
    assert "level-bad" in (row.get_attribute("class") or "")
    stale = row.locator("td.bad").first
    assert "分" in stale.inner_text()  # the oldest event's wait, in minutes
    colour = stale.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert colour == "rgb(251, 213, 213)"  # the problem is coloured, not only written
    assert "イベント処理の遅れ" in row.locator("td.problems").inner_text()
    assert int(page.inner_text("#troubled-count")) >= 1
    closed = page.locator(f"#towns tbody tr[data-code='{closed_town}']")
    assert "停止中" in closed.inner_text() and "inactive" in (closed.get_attribute("class") or "")
    page.screenshot(path=SCREENSHOT, full_page=True)
    page.click("header button[type=submit]")  # ログアウト
    page.wait_for_url(f"{base_url}/platform/login")
    page.goto(f"{base_url}/platform/")
    page.wait_for_url(f"{base_url}/platform/login")
    assert outside == []
