"""The real server process, started as `make run` starts it, answers with the demo town."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator

import httpx
import pytest

from api.app import create_app
from machi.settings import PROJECT_ROOT, Settings
from tests.conftest import free_port
from tests.support.live_server import live_server


@pytest.fixture(scope="module")
def server(database_url: str, app_database_url: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "MACHI_DATABASE_URL": app_database_url,  # served as the app role, as in production
        "MACHI_OWNER_DATABASE_URL": database_url,
        "MACHI_PORT": str(port),
        "MACHI_ENV": "test",
    }
    proc = subprocess.Popen(
        [str(PROJECT_ROOT / ".venv/bin/machi"), "serve", "--with-worker"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=20)
        if proc.stdout is not None:
            proc.stdout.close()


def _wait_until_up(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise AssertionError(f"server exited early:\n{out}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.3)
    raise AssertionError("server did not come up in 60 s")


def test_healthz_is_ok(server: str) -> None:
    response = httpx.get(f"{server}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "db": "ok"}


def test_town_comes_back_from_the_database(server: str) -> None:
    town = httpx.get(f"{server}/api/v1/town").json()
    assert town["name"] == "立川市"
    assert town["counts"] == {"districts": 79, "evacuation_sites": 46, "road_edges": 10515}
    minx, miny, maxx, maxy = town["bbox"]
    assert 139.3 < minx < maxx < 139.5 and 35.6 < miny < maxy < 35.8


def test_districts_and_evacuation_sites_are_geojson(server: str) -> None:
    districts = httpx.get(f"{server}/api/v1/districts").json()
    assert len(districts["features"]) == 79
    assert {f["geometry"]["type"] for f in districts["features"]} == {"MultiPolygon"}
    assert all(f["properties"]["approximate"] for f in districts["features"])
    sites = httpx.get(f"{server}/api/v1/evacuation-sites").json()
    names = {f["properties"]["name"] for f in sites["features"]}
    assert len(names) == 46 and "国営昭和記念公園" in "".join(names)


def test_index_page_is_japanese(server: str) -> None:
    page = httpx.get(f"{server}/")
    assert page.status_code == 200
    assert "市民通報" in page.text and 'lang="ja"' in page.text


def test_healthz_is_503_when_the_database_does_not_answer() -> None:
    port = free_port()  # nothing listens there
    settings = Settings(env="test", database_url=f"postgresql+psycopg://machi@127.0.0.1:{port}/x")
    with live_server(create_app(settings)) as base:
        response = httpx.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 503
    assert response.json()["db"] == "unavailable"
