"""The disaster HQ in real Chromium: switch on, urgent first, shelters, polling, segment push."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Dialog, Page
from sqlalchemy import Engine

from machi.settings import Settings
from tests.e2e.conftest import sign_in
from tests.fakes.line_server import FakeLineServer
from tests.support.desk import ReportFactory, hq_rows_removed_afterwards
from workflow.line.dispatcher import dispatch_due
from workflow.line.sender import LineSender, make_configuration

pytestmark = pytest.mark.e2e
XSS = '<script>window.__xss=1;alert(1)</script>"><img src=x onerror="window.__xss=2;alert(2)">'


@pytest.fixture(autouse=True)
def hq_cleanup(engine: Engine) -> Iterator[None]:
    with hq_rows_removed_afterwards(engine):
        yield


def _open_hq(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/staff/disaster")
    page.wait_for_selector(".hq[data-loaded]", state="attached", timeout=15_000)


def _mine(page: Page, ids: set[int]) -> list[int]:
    return [i for i in page.evaluate("window.machiHq.order()") if i in ids]


def test_hq_switches_on_and_lists_urgent_reports_first(
    page: Page, base_url: str, reports: ReportFactory
) -> None:
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    urgent_old = reports("dis_flood", urgent=True, description="冠水して車が動けません")
    plain = reports("dis_tree", description=XSS)
    urgent_new = reports("dis_road_cut", urgent=True, description="道路が寸断されています")
    sign_in(page, base_url, "bousai", "bousai-demo")
    _open_hq(page, base_url)
    assert "停止中" in page.inner_text("#hq-bar")
    page.click("#mode-on")
    _open_hq(page, base_url)
    assert "災害モード 実施中" in page.inner_text("#hq-bar")
    assert "防災危機管理課 担当" in page.inner_text("#hq-bar")
    made = {urgent_old.id, plain.id, urgent_new.id}
    assert _mine(page, made) == [urgent_new.id, urgent_old.id, plain.id]
    first = page.locator("#hq-list li.hq-item").first
    assert "緊急" in first.inner_text()
    hostile = page.locator(f'#hq-list li[data-id="{plain.id}"] .description')
    assert hostile.inner_text() == XSS
    assert page.locator("#hq-list img[src=x]").count() == 0
    page.wait_for_selector('.hq[data-shelters="46"]', state="attached")
    assert page.locator(".shelter-marker").count() == 46
    assert "災害モードを開始" in page.inner_text("#hq-log")

    newest = reports("dis_landslide", urgent=True, description="裏山が崩れました")
    page.evaluate("window.machiHq.load()")  # what the 15-second poll calls
    page.wait_for_function("id => window.machiHq.order()[0] === id", arg=newest.id, timeout=10_000)
    assert "new" in (
        page.locator(f'#hq-list li[data-id="{newest.id}"]').get_attribute("class") or ""
    )
    assert "新着 1 件" in page.inner_text("#hq-count")
    page.locator(f'#hq-list li[data-id="{urgent_old.id}"] .hq-item-title').click()
    page.wait_for_selector(f"path.report-{urgent_old.id}")
    assert page.evaluate("typeof window.__xss") == "undefined" and dialogs == []


def test_segment_push_from_the_pages_reaches_the_residents(
    page: Page,
    base_url: str,
    reports: ReportFactory,
    engine: Engine,
    fake_line: FakeLineServer,
    e2e_settings: Settings,
) -> None:
    residents = [reports("dis_flood", description="曙町で冠水") for _ in range(2)]  # 曙町一丁目
    sign_in(page, base_url, "bousai", "bousai-demo")
    page.goto(f"{base_url}/staff/disaster/push")
    body = "曙町の皆さんへ：第二小学校に避難所を開設しました。"
    page.fill("#push-body", body)
    page.locator("fieldset", has_text="曙町").locator(".town-all").check()
    assert "選択中の町丁目 3" in page.inner_text("#chosen-count")
    page.click("#push-preview")
    page.wait_for_selector("#push-confirm")
    assert "曙町一丁目・曙町二丁目・曙町三丁目" in page.inner_text("#push-confirm")
    count = int(page.inner_text("#preview-count").split()[0].replace(",", ""))
    assert count >= len(residents)
    assert body in page.inner_text("#preview-body")
    page.click("#push-send")
    page.wait_for_selector("#push-sent")
    assert f"{count} 人へ送信を受け付けました" in page.inner_text("#push-sent")

    configuration = make_configuration(fake_line.token, e2e_settings.line_api_base)
    while dispatch_due(engine, LineSender(configuration), lambda: dt.datetime.now(tz=dt.UTC)):
        pass
    for resident in residents:
        pushes = fake_line.pushes(to=resident.line_user_id)
        assert len(pushes) == 1 and body in str(pushes[0].json["messages"])


def test_other_departments_cannot_open_the_hq(page: Page, base_url: str) -> None:
    sign_in(page, base_url, "doro", "doro-demo")
    assert page.locator("a.nav-disaster").count() == 0  # not offered on the menu
    answer = page.goto(f"{base_url}/staff/disaster")
    assert answer is not None and answer.status == 403
    assert "防災担当課の職員だけ" in page.inner_text("main")
