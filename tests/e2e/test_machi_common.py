"""machi_common.js in real Chromium: every page that uses it reads a bare timestamp as +09:00."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture()
def london_page(browser: Browser) -> Iterator[Page]:
    """A browser far from Tokyo, so reading a bare timestamp as local time would show."""
    context = browser.new_context(locale="ja-JP", timezone_id="Europe/London")
    page = context.new_page()
    yield page
    context.close()


def _times(page: Page) -> list[str]:
    return list(
        page.evaluate(
            "() => [Machi.when('2026-12-22T09:30:00'), Machi.when('2026-12-22T09:30:00+09:00'),"
            " Machi.when('2026-12-22 09:30:00.123456'), Machi.whenShort('2026-12-22T09:30:00'),"
            " Machi.when('2026-12-22T00:30:00Z'), Machi.when(''), Machi.when('soon')]"
        )
    )


@pytest.mark.parametrize("path", ["/staff/map", "/staff/disaster"])
def test_staff_maps_read_bare_timestamps_as_tokyo_time(
    london_page: Page, base_url: str, path: str
) -> None:
    sign_in(london_page, base_url, "admin", "admin-demo")
    london_page.goto(f"{base_url}{path}")
    london_page.wait_for_function("() => window.Machi !== undefined")
    tokyo = "2026/12/22 09:30"
    assert _times(london_page) == [tokyo, tokyo, tokyo, "12/22 09:30", tokyo, "", "soon"]


def test_resident_form_loads_the_same_helpers(london_page: Page, base_url: str) -> None:
    london_page.goto(f"{base_url}/r/road")
    london_page.wait_for_function("() => window.Machi !== undefined")
    assert _times(london_page)[0] == "2026/12/22 09:30"
    assert london_page.evaluate("Machi.fill('{a}と{b}', {a: 1})") == "1と"


def test_counts_and_the_clock_read_as_chromiums_own_japanese_formats(
    london_page: Page, base_url: str
) -> None:
    """Machi.number and Machi.clock skip ICU (its first formatter is slow) yet write the same."""
    london_page.goto(f"{base_url}/r/road")
    london_page.wait_for_function("() => window.Machi !== undefined")
    ours, chromes = london_page.evaluate(
        """() => {
          const ns = [0, 7, 999, 1000, 12345, 999999, 1000000, 18374, -1234, 5.6];
          const ds = [new Date(2026, 11, 7, 9, 5, 3), new Date(2026, 11, 7, 23, 59, 59),
                      new Date(2026, 11, 7, 0, 0, 9)];
          return [ns.map(Machi.number).concat(ds.map(Machi.clock)),
                  ns.map(n => Math.round(n).toLocaleString('ja-JP'))
                    .concat(ds.map(d => d.toLocaleTimeString('ja-JP')))];
        }"""
    )
    assert ours == chromes
    assert ours[:5] == ["0", "7", "999", "1,000", "12,345"]
