"""Large map answers go gzipped to clients that accept it, compressed once per kept answer."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from api.app import create_app
from machi.settings import Settings
from tests.support.desk import PLACE, ReportFactory, login
from tests.support.live_server import live_server

pytestmark = pytest.mark.db
STREET = (PLACE[0] - 0.002, PLACE[1] - 0.0016, PLACE[0] + 0.002, PLACE[1] + 0.0016)
VIEW = "/api/v1/reports?bbox=" + ",".join(f"{v:.5f}" for v in STREET)
EMPTY = "/api/v1/reports?bbox=139.30000,35.65000,139.30100,35.65100"


@pytest.fixture(scope="module")
def base_url(line_settings: Settings) -> Iterator[str]:
    app = create_app(line_settings)
    with live_server(app) as url:
        assert app.state.change_feed.wait_live(10)
        yield url


@pytest.fixture()
def clerk(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=20) as client:
        login(client, "doro", "doro-demo")
        yield client


def _raw(client: httpx.Client, path: str, accept: str) -> tuple[httpx.Headers, bytes]:
    """The answer's headers and its bytes as sent (httpx would otherwise inflate them)."""
    with client.stream("GET", path, headers={"Accept-Encoding": accept}) as answer:
        assert answer.status_code == 200
        return answer.headers, b"".join(answer.iter_raw())


def _street(n: int, reports: ReportFactory) -> None:
    for i in range(n):
        reports("road_pothole", place=(PLACE[0] + i * 1e-5, PLACE[1]), description=None)


def test_a_browser_gets_gzip_and_the_same_features(
    clerk: httpx.Client, reports: ReportFactory
) -> None:
    _street(12, reports)
    plain_headers, plain = _raw(clerk, VIEW, "identity")
    assert "content-encoding" not in plain_headers
    headers, packed = _raw(clerk, VIEW, "gzip, deflate, br, zstd")
    assert headers["content-encoding"] == "gzip"
    assert "accept-encoding" in headers["vary"].lower()
    assert headers["content-type"] == "application/geo+json"
    assert len(packed) * 4 < len(plain)  # a dozen near-identical features pack well
    assert gzip.decompress(packed) == plain
    body: dict[str, Any] = json.loads(plain)
    assert body["mode"] == "points" and len(body["features"]) >= 12
    refused_headers, refused = _raw(clerk, VIEW, "gzip;q=0, identity")
    assert "content-encoding" not in refused_headers and refused == plain


def test_a_kept_answer_is_compressed_once(
    clerk: httpx.Client, reports: ReportFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    _street(12, reports)
    calls: list[int] = []
    real = gzip.compress

    def counted(data: bytes, *args: Any, **kw: Any) -> bytes:
        calls.append(len(data))
        return real(data, *args, **kw)

    monkeypatch.setattr(gzip, "compress", counted)  # the module api.gzip_body calls
    first = [_raw(clerk, VIEW, "gzip")[1] for _ in range(3)]
    assert len(calls) == 1 and first[0] == first[1] == first[2]
    # A change in view drops the kept answer: the next one is made and compressed again.
    reports("road_pothole", place=PLACE, description=None)
    _wait_for_features(clerk, 13)
    assert len(calls) == 2


def _wait_for_features(client: httpx.Client, n: int) -> None:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len(client.get(VIEW).json()["features"]) >= n:
            return
        time.sleep(0.05)
    raise AssertionError(f"the view never showed {n} features")


def test_a_small_answer_goes_plain(clerk: httpx.Client) -> None:
    headers, body = _raw(clerk, EMPTY, "gzip")
    assert "content-encoding" not in headers
    assert json.loads(body)["features"] == []
