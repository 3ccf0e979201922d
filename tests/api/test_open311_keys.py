"""`machi open311 key add|list|revoke` as an admin runs it, and what the keys then allow."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.settings import PROJECT_ROOT, Settings
from tests.support.live_server import live_server
from tests.support.open311 import V2, open311_rows_removed_afterwards
from tests.support.resident_web import place

pytestmark = pytest.mark.db


@pytest.fixture(scope="module")
def url(test_settings: Settings, engine: Engine) -> Iterator[str]:
    with open311_rows_removed_afterwards(engine), live_server(create_app(test_settings)) as base:
        yield base


def _machi(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MACHI_OWNER_DATABASE_URL": database_url, "MACHI_ENV": "test"}
    command = [sys.executable, "-m", "machi", "open311", "key", *args]
    return subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)


@pytest.mark.slow
def test_an_issued_key_posts_until_it_is_revoked(
    url: str, database_url: str, engine: Engine
) -> None:
    issued = _machi(database_url, "add", "civic-app")
    assert issued.returncode == 0, issued.stderr
    key = issued.stdout.strip().splitlines()[-1]
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash, key_prefix FROM open311_key")).all()
    assert all(key not in row.key_hash for row in stored)  # only the hash is kept
    assert _machi(database_url, "add", "civic-app").returncode == 1  # one key per name

    lon, lat = place(12)
    fields = {"api_key": key, "service_code": "road_tree", "lat": str(lat), "long": str(lon)}
    with httpx.Client(base_url=url) as http:
        assert http.post(f"{V2}/requests.json", data=fields).status_code == 200
        listed = _machi(database_url, "list")
        assert (
            "civic-app" in listed.stdout and key[:8] in listed.stdout and key not in listed.stdout
        )
        assert _machi(database_url, "revoke", "civic-app").returncode == 0
        assert http.post(f"{V2}/requests.json", data=fields).status_code == 403
    assert "revoked" in _machi(database_url, "list").stdout
