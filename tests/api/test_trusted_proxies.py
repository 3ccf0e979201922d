"""The PIN limit keys on the real client behind a trusted proxy, and on the peer otherwise."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine, text

from api.app import create_app
from machi.proxies import parse_networks
from machi.settings import Settings
from tests.support.live_server import live_server
from tests.support.resident_web import form_token, web_rows_removed_afterwards

pytestmark = pytest.mark.db


def _key(settings: Settings, address: str) -> str:
    return hmac.new(settings.secret_key.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]


def _failed_pin_key(url: str, engine: Engine, forwarded_for: str) -> str:
    with httpx.Client(base_url=url, timeout=20) as client:
        token = form_token(client, "/r/status")
        answer = client.post(
            "/r/status",
            data={"receipt_no": "R-NOPE-1", "pin": "000000", "csrf_token": token},
            headers={"X-Forwarded-For": forwarded_for},
        )
    assert answer.status_code == 401
    with engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT client_key FROM pin_failure ORDER BY id DESC LIMIT 1")
            ).scalar_one()
        )


@pytest.fixture(scope="module")
def rows_removed(engine: Engine) -> Iterator[None]:
    with web_rows_removed_afterwards(engine):
        yield


@pytest.mark.usefixtures("rows_removed")
def test_pin_failures_key_on_the_client_behind_a_trusted_proxy(
    test_settings: Settings, engine: Engine
) -> None:
    settings = test_settings.model_copy(
        update={"trusted_proxies": parse_networks("127.0.0.1, 10.0.0.0/8")}
    )
    with live_server(create_app(settings)) as url:
        key = _failed_pin_key(url, engine, "6.6.6.6, 203.0.113.5, 10.0.0.2")
    assert key == _key(settings, "203.0.113.5")


@pytest.mark.usefixtures("rows_removed")
def test_without_trusted_proxies_forwarded_for_is_ignored(
    test_settings: Settings, engine: Engine
) -> None:
    assert test_settings.trusted_proxies == ()
    with live_server(create_app(test_settings)) as url:
        key = _failed_pin_key(url, engine, "203.0.113.5")
    assert key == _key(test_settings, "127.0.0.1")
